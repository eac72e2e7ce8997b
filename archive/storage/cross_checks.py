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


def write_new_chains(conn: sqlite3.Connection, report_ids: list[str], records: dict[str, dict[str, Any]]) -> None:
    """The chains of reports just inserted (they have no cross checks yet): each against the
    agency's report on the year before, and the agency's report on the year after against it.
    `records` holds the new reports' records; others are read from `reports`."""
    conn.execute("create temp table if not exists new_report_ids (id text primary key)")
    conn.execute("delete from temp.new_report_ids")
    conn.executemany("insert or ignore into temp.new_report_ids values (?)", [(i,) for i in report_ids])
    # CROSS JOIN keeps the new ids the outer loop: the planner, knowing nothing of a temp
    # table, would otherwise scan every report.
    pairs = conn.execute(
        "select l.id, e.id from temp.new_report_ids n cross join reports l on l.id = n.id"
        " cross join reports e on e.agency = l.agency and e.year = l.year - 1"
        " union select l.id, e.id from temp.new_report_ids n cross join reports e on e.id = n.id"
        " cross join reports l on l.agency = e.agency and l.year = e.year + 1"
    ).fetchall()
    for later_id, earlier_id in pairs:
        _write_chain(conn, later_id, earlier_id, records)


def _write_chain(conn: sqlite3.Connection, later_id: str, earlier_id: str | None,
                 records: dict[str, dict[str, Any]] | None = None) -> None:
    from ..record.checks import cross_year_checks

    checks: list[dict[str, Any]] = []
    later_record = _record(conn, later_id, records)
    earlier_record = _record(conn, earlier_id, records) if earlier_id else None
    if later_record and earlier_record:
        checks = cross_year_checks(later_record, earlier_record, earlier_record.get("url"))
    conn.execute("delete from cross_checks where report_id = ?", [later_id])
    rows = []
    for check in checks:
        column = check["rule"].split(".", 1)[1]
        rows.append((
            later_id, check["rule"], int(check["passed"]), check["detail"], column,
            later_record["requests"]["carried_over"][column], earlier_id,
            earlier_record["requests"]["carried_forward"][column], earlier_record.get("url"),
        ))
    conn.executemany(
        f"insert into cross_checks ({', '.join(CROSS_CHECK_COLUMNS)}) values ({', '.join('?' * len(CROSS_CHECK_COLUMNS))})", rows
    )
    conn.execute(
        "update reports set cross_year_failed = ? where id = ?", [sum(not c["passed"] for c in checks), later_id]
    )


CROSS_CHECK_COLUMNS = ("report_id", "rule", "passed", "detail", "column_key", "carried_over", "earlier_report_id",
                       "earlier_carried_forward", "earlier_url")


def _record(conn: sqlite3.Connection, report_id: str, records: dict[str, dict[str, Any]] | None) -> dict[str, Any] | None:
    """A report's current record, from `records` when it is there."""
    if records and report_id in records:
        return records[report_id]
    row = conn.execute("select record from reports where id = ?", [report_id]).fetchone()
    return json.loads(row[0]) if row and row[0] else None
