"""Reports, their versions and what changed between them (the git-history model).

`reports` holds the current state of each report; `report_versions` every distinct content
fingerprint it has had; `changes` the field-level differences that made each new version.
A report's identity is (agency, year) when both are known — a report moved to a new URL is
the same report — else its URL.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from ..record.diff import diff_records
from ..record.model import applicant_columns, canonical_json, content_fingerprint, field_labels, known_count
from ..record.review import needs_review
from .db import Archive, now_iso, stable_id
from .search import index_text


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


def store_record(
    archive: Archive,
    record: dict[str, Any],
    *,
    body_text: str,
    document_id: str,
    capture: Callable[[], int | None],
    captured_at: str,
    region: str | None = None,
    fingerprint: str | None = None,
    search: dict[str, str] | None = None,
) -> Outcome:
    """Insert or update the report for this record; a new fingerprint makes a new version.

    `capture()` keeps the raw bytes and is called only when a version is written: a page
    whose content did not change adds nothing to the archive. `fingerprint` and `search`
    (bigram text) may come precomputed from the parse worker."""
    identity = identity_of(record)
    report_id = stable_id(identity)
    fingerprint = fingerprint or content_fingerprint(record)
    if search is None:
        search = search_text(record, body_text)
    current = archive.report_row(report_id)
    write = _Writer(archive, report_id, identity, record, fingerprint, body_text, document_id, None,
                    captured_at, region, search)
    with archive.transaction():
        archive.link_document(document_id, report_id)
        if current is None:
            write.capture_id = capture()
            write.current(1, first_seen=captured_at)
            write.version(1)
            return Outcome("new", report_id, 1, [])
        if current["fingerprint"] == fingerprint:
            archive.db.conn.execute(
                "update reports set last_checked = ?, removed = 0 where id = ?", [captured_at, report_id]
            )
            return Outcome("unchanged", report_id, current["version"], [])
        old = json.loads(current["record"])
        if current["url"] != record.get("url") and not _primary_is_gone(archive, current["url"]):
            # Another copy of the same report (an attachment beside its HTML page, a mirror):
            # it replaces the primary only if it carries more numbers.
            if known_count(record) <= known_count(old):
                return Outcome("alternate", report_id, current["version"], [])
        changes = diff_records(old, record)
        version = current["version"] + 1
        write.capture_id = capture()
        write.version(version)
        archive.insert_rows("changes", _change_rows(report_id, version, changes))
        write.current(version, first_seen=current["first_seen"])
        numeric = any(c["kind"] == "number" for c in changes)
        return Outcome("revised" if numeric or not changes else "text_revised", report_id, version, changes)


def search_text(record: dict[str, Any], body_text: str) -> dict[str, str]:
    """What full-text search indexes for a report, split into bigrams (search.py)."""
    return {
        "title": index_text(record.get("title")),
        "agency": index_text(record.get("agency")),
        "body": index_text(body_text),
    }


def _primary_is_gone(archive: Archive, url: str | None) -> bool:
    doc = archive.document(url) if url else None
    return doc is None or bool(doc.get("gone"))


def _text(value: Any) -> str | None:
    if value is None:
        return None
    return value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)


@dataclass
class _Writer:
    """The rows one stored record writes: its version, its current state and long forms."""

    archive: Archive
    report_id: str
    identity: str
    record: dict[str, Any]
    fingerprint: str
    body_text: str
    document_id: str
    capture_id: int | None
    captured_at: str
    region: str | None
    search: dict[str, str]

    def version(self, version: int) -> None:
        self.archive.insert_rows(
            "report_versions",
            [
                {
                    "report_id": self.report_id,
                    "version": version,
                    "captured_at": self.captured_at,
                    "fingerprint": self.fingerprint,
                    "url": self.record.get("url"),
                    "capture_id": self.capture_id,
                    "record": canonical_json(self.record),
                }
            ],
        )

    def current(self, version: int, first_seen: str) -> None:
        record, archive = self.record, self.archive
        failed = [c for c in record.get("checks", []) if not c["passed"]]
        archive.upsert_report(
            {
                "id": self.report_id,
                "identity": self.identity,
                "agency": record.get("agency"),
                "year": record.get("year"),
                "region": self.region,
                "format": record.get("format"),
                "url": record.get("url"),
                "title": record.get("title"),
                "published": record.get("published"),
                "body_text": self.body_text,
                "record": json.dumps(record, ensure_ascii=False),
                "fingerprint": self.fingerprint,
                "version": version,
                "failed_checks": len(failed),
                "needs_review": int(needs_review(record)),
                "parser_version": record.get("parser_version"),
                "warnings": len(record.get("warnings", [])),
                "first_seen": first_seen,
                "updated_at": self.captured_at,
                "last_checked": self.captured_at,
                "removed": 0,
                "document_id": self.document_id,
                "capture_id": self.capture_id,
            }
        )
        archive.index_report(self.report_id, self.search)
        labels, columns = field_labels(), applicant_columns()
        agency, year = record.get("agency"), record.get("year")
        archive.replace_rows(
            "request_cells",
            self.report_id,
            ("report_id", "row_key", "row_label", "column_key", "column_label", "value", "agency", "year"),
            [
                (self.report_id, row, labels[f"requests.{row}"], col, columns[col], value, agency, year)
                for row, cells in record["requests"].items()
                for col, value in cells.items()
            ],
        )
        archive.replace_rows(
            "check_results",
            self.report_id,
            ("report_id", "rule", "passed", "detail"),
            [(self.report_id, c["rule"], int(c["passed"]), c["detail"]) for c in record.get("checks", [])],
        )


def mark_removed(archive: Archive, report_id: str, at: str | None = None) -> bool:
    """A report whose page is gone: flagged removed, its versions kept. True if newly removed."""
    row = archive.report_row(report_id)
    if row["removed"]:
        return False
    archive.db.conn.execute("update reports set removed = 1, updated_at = ? where id = ?", [at or now_iso(), report_id])
    return True


def latest_records(archive: Archive):
    """The current record of every archived report, for export."""
    for row in archive.db.query("select record from reports order by agency, year, url"):
        yield json.loads(row["record"])


def store_rereading(
    archive: Archive,
    report_id: str,
    record: dict[str, Any],
    *,
    body_text: str,
    fingerprint: str | None = None,
    search: dict[str, str] | None = None,
    at: str | None = None,
) -> list[dict[str, Any]] | None:
    """The current record of a report as read again from the same capture by the current
    reader. Not a revision: the version number stays, no alert is raised; the current record
    and its version row are replaced in place and each changed key goes to `rereadings`.
    Returns the changes (empty when only the reader version moved), or None if nothing did."""
    current = archive.report_row(report_id)
    old = json.loads(current["record"])
    record["url"] = current["url"]
    if canonical_json(old) == canonical_json(record):
        return None
    changes = diff_records(old, record)
    fingerprint = fingerprint or content_fingerprint(record)
    at = at or now_iso()
    write = _Writer(archive, report_id, current["identity"], record, fingerprint, body_text, current["document_id"],
                    current["capture_id"], current["updated_at"], current["region"],
                    search if search is not None else search_text(record, body_text))
    with archive.transaction() as conn:
        write.current(current["version"], first_seen=current["first_seen"])
        conn.execute("update reports set last_checked = ?, removed = ? where id = ?",
                     [current["last_checked"], current["removed"], report_id])
        conn.execute(
            "update report_versions set record = ?, fingerprint = ? where report_id = ? and version = ?",
            [canonical_json(record), fingerprint, report_id, current["version"]],
        )
        archive.insert_rows("rereadings", _change_rows(
            report_id, current["version"], changes, reread_at=at, old_parser_version=old.get("parser_version"),
            new_parser_version=record.get("parser_version"),
        ))
    return changes


def note_found(archive: Archive, report_id: str, record: dict[str, Any], *, old_outcome: str, at: str) -> None:
    """A report found by re-reading a page an older reader did not read as one: a re-reading."""
    found = {"field": "report", "label_zh": "读作报告", "kind": "found", "old": old_outcome, "new": record.get("title")}
    archive.insert_rows("rereadings", _change_rows(
        report_id, 1, [found], reread_at=at, old_parser_version=None, new_parser_version=record.get("parser_version"),
    ))


def _change_rows(report_id: str, version: int, changes: list[dict[str, Any]], **extra: Any) -> list[dict[str, Any]]:
    """Rows of `changes` or `rereadings`: one per changed key, values as text."""
    return [
        {"report_id": report_id, "version": version, **extra, "field": c["field"], "label_zh": c["label_zh"],
         "kind": c["kind"], "old_value": _text(c["old"]), "new_value": _text(c["new"])}
        for c in changes
    ]
