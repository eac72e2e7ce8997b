"""Reports, their versions and what changed between them (the git-history model).

`reports` holds the current state of each report; `report_versions` every distinct content
fingerprint it has had; `changes` the field-level differences that made each new version.
A report's identity is (agency, year) when both are known — a report moved to a new URL is
the same report — else its URL.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from ..record.diff import diff_records
from ..record.model import applicant_columns, canonical_json, content_fingerprint, field_labels
from .db import Archive, now_iso, stable_id


@dataclass
class Outcome:
    """What storing a record did: 'new', 'revised', 'text_revised', 'unchanged' or 'alternate'."""

    kind: str
    report_id: str
    version: int
    changes: list[dict[str, Any]]


def identity_of(record: dict[str, Any]) -> str:
    if record.get("agency") and record.get("year"):
        return f"{record['agency']}|{record['year']}"
    return f"url|{record.get('url')}"


def _known_numbers(record: dict[str, Any]) -> int:
    from ..record.model import numbers_of

    return sum(v is not None for v in numbers_of(record).values())


def store_record(
    archive: Archive,
    record: dict[str, Any],
    *,
    body_text: str,
    document_id: str,
    capture_id: int | None,
    captured_at: str,
    region: str | None = None,
) -> Outcome:
    """Insert or update the report for this record; a new fingerprint makes a new version."""
    db = archive.db
    identity = identity_of(record)
    report_id = stable_id(identity)
    fingerprint = content_fingerprint(record)
    current = db["reports"].get(report_id) if db["reports"].count_where("id = ?", [report_id]) else None
    with archive.transaction():
        archive.link_document(document_id, report_id)
        if current is None:
            _write_current(archive, report_id, identity, 1, record, fingerprint, body_text, document_id,
                           capture_id, captured_at, region, first_seen=captured_at)
            _write_version(archive, report_id, 1, record, fingerprint, capture_id, captured_at)
            return Outcome("new", report_id, 1, [])
        if current["fingerprint"] == fingerprint:
            db["reports"].update(report_id, {"last_checked": captured_at, "removed": 0})
            return Outcome("unchanged", report_id, current["version"], [])
        if current["url"] != record.get("url") and not _primary_is_gone(archive, current["url"]):
            # Another copy of the same report (an attachment beside its HTML page, a mirror):
            # it replaces the primary only if it carries more numbers.
            if _known_numbers(record) <= _known_numbers(json.loads(current["record"])):
                return Outcome("alternate", report_id, current["version"], [])
        old = json.loads(current["record"])
        changes = diff_records(old, record)
        version = current["version"] + 1
        _write_version(archive, report_id, version, record, fingerprint, capture_id, captured_at)
        db["changes"].insert_all(
            [
                {
                    "report_id": report_id,
                    "version": version,
                    "field": c["field"],
                    "label_zh": c["label_zh"],
                    "kind": c["kind"],
                    "old_value": _text(c["old"]),
                    "new_value": _text(c["new"]),
                }
                for c in changes
            ]
        )
        _write_current(archive, report_id, identity, version, record, fingerprint, body_text, document_id,
                       capture_id, captured_at, region, first_seen=current["first_seen"])
        numeric = any(c["kind"] == "number" for c in changes)
        return Outcome("revised" if numeric or not changes else "text_revised", report_id, version, changes)


def _primary_is_gone(archive: Archive, url: str | None) -> bool:
    doc = archive.document(url) if url else None
    return doc is None or bool(doc.get("gone"))


def _text(value: Any) -> str | None:
    if value is None:
        return None
    return value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)


def _write_version(archive, report_id, version, record, fingerprint, capture_id, captured_at) -> None:
    archive.db["report_versions"].insert(
        {
            "report_id": report_id,
            "version": version,
            "captured_at": captured_at,
            "fingerprint": fingerprint,
            "url": record.get("url"),
            "capture_id": capture_id,
            "record": canonical_json(record),
        },
        replace=True,
    )


def _write_current(archive, report_id, identity, version, record, fingerprint, body_text, document_id,
                   capture_id, captured_at, region, first_seen) -> None:
    db = archive.db
    failed = [c for c in record.get("checks", []) if not c["passed"]]
    db["reports"].upsert(
        {
            "id": report_id,
            "identity": identity,
            "agency": record.get("agency"),
            "year": record.get("year"),
            "region": region,
            "format": record.get("format"),
            "url": record.get("url"),
            "title": record.get("title"),
            "published": record.get("published"),
            "body_text": body_text,
            "record": json.dumps(record, ensure_ascii=False),
            "fingerprint": fingerprint,
            "version": version,
            "failed_checks": len(failed),
            "warnings": len(record.get("warnings", [])),
            "first_seen": first_seen,
            "updated_at": captured_at,
            "last_checked": captured_at,
            "removed": 0,
            "document_id": document_id,
            "capture_id": capture_id,
        },
        pk="id",
    )
    archive.index_report(report_id, record.get("title"), record.get("agency"), body_text)
    db["request_cells"].delete_where("report_id = ?", [report_id])
    labels = field_labels()
    columns = applicant_columns()
    db["request_cells"].insert_all(
        {
            "report_id": report_id,
            "row_key": row,
            "row_label": labels[f"requests.{row}"],
            "column_key": col,
            "column_label": columns[col],
            "value": value,
            "agency": record.get("agency"),
            "year": record.get("year"),
        }
        for row, cells in record["requests"].items()
        for col, value in cells.items()
    )
    db["check_results"].delete_where("report_id = ?", [report_id])
    db["check_results"].insert_all(
        {"report_id": report_id, "rule": c["rule"], "passed": int(c["passed"]), "detail": c["detail"]}
        for c in record.get("checks", [])
    )


def mark_removed(archive: Archive, report_id: str, at: str | None = None) -> bool:
    """A report whose page is gone: flagged removed, its versions kept. True if newly removed."""
    row = archive.db["reports"].get(report_id)
    if row["removed"]:
        return False
    archive.db["reports"].update(report_id, {"removed": 1, "updated_at": at or now_iso()})
    return True


def latest_records(archive: Archive):
    """The current record of every archived report, for export."""
    for row in archive.db.query("select record from reports order by agency, year, url"):
        yield json.loads(row["record"])
