"""The cross-year chain: each report's 上年结转 against its agency's 结转下年度 of the year before
(record/checks.py judges; this writes the `cross_checks` rows and reports.cross_year_failed)."""

from __future__ import annotations

import json
import sqlite3
from typing import Any


def write_cross_checks(conn: sqlite3.Connection, report_id: str, *, both_ways: bool = True) -> None:
    """(Re)write the cross-year checks of a report against the same agency's report on the year
    before, and (`both_ways`) those of the agency's report on the year after against it. Same
    agency means the archive's identity of a report (agency, year), the one versions use."""
    row = conn.execute("select agency, year from reports where id = ?", [report_id]).fetchone()
    if row is None:
        return
    agency, year = row
    if not agency or not year:
        _write_chain(conn, report_id, None)
        return
    before = conn.execute("select id from reports where agency = ? and year = ?", [agency, year - 1]).fetchone()
    _write_chain(conn, report_id, before[0] if before else None)
    if both_ways:
        after = conn.execute("select id from reports where agency = ? and year = ?", [agency, year + 1]).fetchone()
        if after:
            _write_chain(conn, after[0], report_id)


def _write_chain(conn: sqlite3.Connection, later_id: str, earlier_id: str | None) -> None:
    from ..record.checks import cross_year_checks

    checks: list[dict[str, Any]] = []
    later = conn.execute("select record from reports where id = ?", [later_id]).fetchone()
    earlier = earlier_id and conn.execute("select record, url from reports where id = ?", [earlier_id]).fetchone()
    if later and later[0] and earlier and earlier[0]:
        later_record, earlier_record = json.loads(later[0]), json.loads(earlier[0])
        checks = cross_year_checks(later_record, earlier_record, earlier[1])
    conn.execute("delete from cross_checks where report_id = ?", [later_id])
    rows = []
    for check in checks:
        column = check["rule"].split(".", 1)[1]
        rows.append((
            later_id, check["rule"], int(check["passed"]), check["detail"], column,
            later_record["requests"]["carried_over"][column], earlier_id,
            earlier_record["requests"]["carried_forward"][column], earlier[1],
        ))
    conn.executemany(
        f"insert into cross_checks ({', '.join(CROSS_CHECK_COLUMNS)}) values ({', '.join('?' * len(CROSS_CHECK_COLUMNS))})", rows
    )
    conn.execute(
        "update reports set cross_year_failed = ? where id = ?", [sum(not c["passed"] for c in checks), later_id]
    )


CROSS_CHECK_COLUMNS = ("report_id", "rule", "passed", "detail", "column_key", "carried_over", "earlier_report_id",
                       "earlier_carried_forward", "earlier_url")
