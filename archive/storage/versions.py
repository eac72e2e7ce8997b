"""Reports, their versions and what changed between them (the git-history model).

`reports` holds the current state of each report; `report_versions` every distinct content
fingerprint it has had; `changes` the field-level differences that made each new version.
A report's identity is (agency, year) when both are known, else its URL. A report whose page
vanishes (404/410) and that appears at another URL of its source moves there: same id, versions
and history; the old URL goes to `report_aliases`. Copies on other pages wait in `report_copies`.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from ..record.diff import diff_records
from ..record.model import canonical_json, content_fingerprint, known_count
from ..record.review import needs_review
from .compact import TOTALS_COLUMNS, totals_row
from .db import CHECK_COLUMNS, Archive, now_iso, stable_id
from .search import index_text


@dataclass
class Outcome:
    """What storing a record did: 'new', 'revised', 'text_revised', 'unchanged' or 'alternate'."""

    kind: str
    report_id: str
    version: int
    changes: list[dict[str, Any]]
    moved_from: str | None = None  # the URL the report was at, when this record moved it


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
    run_id: int | None = None,
) -> Outcome:
    """Insert or update the report for this record; a new fingerprint makes a new version; a
    report whose page vanished and that appears on another page of its source moves there.

    `capture()` keeps the raw bytes and is called only when a version is written: a page
    whose content did not change adds nothing to the archive. `fingerprint` and `search`
    (bigram text) may come precomputed from the parse worker."""
    identity = identity_of(record)
    report_id = stable_id(identity)
    fingerprint = fingerprint or content_fingerprint(record)
    if search is None:
        search = search_text(record, body_text)
    current = archive.report_row(report_id)
    if current is None:
        # Not under the id its identity hashes to: a report that moved keeps its first id, so it
        # is found by the identity it now has (a report known by its URL: by its current URL),
        # or — its new page perhaps naming it otherwise — by its content: a vanished report of
        # the same source and year with the same fingerprint (numbers read, so that two empty
        # readings never match).
        source = (archive.document_by_id(document_id) or {}).get("source")
        current = archive.report_with_identity(identity) or (
            archive.vanished_twin(fingerprint, source, record.get("year")) if known_count(record) else None
        )
        report_id = current["id"] if current else report_id
    write = _Writer(archive, report_id, identity, record, fingerprint, body_text, document_id, None,
                    captured_at, region, search)
    with archive.transaction():
        archive.link_document(document_id, report_id)
        if current is None:
            write.capture_id = capture()
            write.current(1, first_seen=captured_at)
            write.version(1)
            return Outcome("new", report_id, 1, [])
        old = json.loads(current["record"])
        if current["url"] != record.get("url"):
            place = _other_page(archive, current["url"], document_id)
            if place == "successor":
                write.capture_id = capture()
                return _move(archive, current, write, run_id)
            if not _primary_is_gone(archive, current["url"]) and (
                current["fingerprint"] == fingerprint or known_count(record) <= known_count(old)
            ):
                # Another copy of the same report (an attachment beside its HTML page, a mirror):
                # it replaces the primary only if it carries more numbers. A copy on a page of
                # its own is remembered: if the primary vanishes, the report moves there.
                if place == "copy":
                    write.capture_id = capture()
                    write.copy(known_count(record), archive.document_by_id(document_id))
                if current["fingerprint"] != fingerprint:
                    return Outcome("alternate", report_id, current["version"], [])
        if current["fingerprint"] == fingerprint:
            archive.db.conn.execute(
                "update reports set last_checked = ?, removed = 0 where id = ?", [captured_at, report_id]
            )
            return Outcome("unchanged", report_id, current["version"], [])
        changes = diff_records(old, record)
        version = current["version"] + 1
        write.capture_id = capture()
        write.version(version)
        archive.insert_rows("changes", _change_rows(report_id, version, changes))
        write.current(version, first_seen=current["first_seen"])
        numeric = any(c["kind"] == "number" for c in changes)
        return Outcome("revised" if numeric or not changes else "text_revised", report_id, version, changes)


def _other_page(archive: Archive, current_url: str, document_id: str) -> str:
    """How a document holding the same report relates to the report's current page:
    'successor' (the current page vanished — answered 404/410 — and this one is no part of it,
    from the same source: the report moved here), 'copy' (a page of its own beside a current
    page that answers) or 'part' (the current page's attachment or the page linking it)."""
    here = archive.document_by_id(document_id) or {}
    there = archive.document(current_url) or {}
    if here.get("parent_url") == current_url or (there and there.get("parent_url") == here.get("url")):
        return "part"
    if there.get("source") and here.get("source") and there["source"] != here["source"]:
        return "part"  # another portal's copy: never where this source's report moved
    vanished = bool(there.get("gone") or there.get("missed")) if there else False
    return "successor" if vanished else "copy"


def _move(archive: Archive, current: dict[str, Any], write: _Writer, run_id: int | None) -> Outcome:
    """The report moves to the page `write` holds: same id, versions and history; the new URL
    becomes current, the old one an alias; a new version only if its content changed too."""
    old_url, new_url = current["url"], write.record.get("url")
    if current["fingerprint"] == write.fingerprint:
        write.current(current["version"], first_seen=current["first_seen"])
        outcome = Outcome("moved", write.report_id, current["version"], [], moved_from=old_url)
    else:
        changes = diff_records(json.loads(current["record"]), write.record)
        version = current["version"] + 1
        write.version(version)
        archive.insert_rows("changes", _change_rows(write.report_id, version, changes))
        write.current(version, first_seen=current["first_seen"])
        numeric = any(c["kind"] == "number" for c in changes)
        outcome = Outcome("revised" if numeric or not changes else "text_revised", write.report_id, version, changes,
                          moved_from=old_url)
    archive.add_alias(write.report_id, old_url, new_url, write.captured_at, run_id)
    archive.drop_copy(write.document_id)
    return outcome


def move_to_copy(archive: Archive, report_id: str, *, run_id: int | None = None) -> Outcome | None:
    """The report's current page vanished: move it to the best copy of it seen on another page
    of the same source that still answers (most numbers first), if there is one."""
    current = archive.report_row(report_id)
    there = archive.document(current["url"]) or {}
    for copy in archive.report_copies(report_id):
        here = archive.document_by_id(copy["document_id"]) or {}
        if copy["url"] == current["url"] or here.get("parent_url") == current["url"]:
            continue
        if there.get("source") and copy["source"] and there["source"] != copy["source"]:
            continue
        record = json.loads(copy["record"])
        write = _Writer(archive, report_id, current["identity"], record, copy["fingerprint"], copy["body_text"],
                        copy["document_id"], copy["capture_id"], copy["captured_at"], current["region"],
                        search_text(record, copy["body_text"]))
        with archive.transaction():
            return _move(archive, current, write, run_id)
    return None


def store_batch(archive: Archive, items: list[dict[str, Any]]) -> list[Outcome]:
    """Store many records in one transaction: each item holds store_record's keyword arguments.

    Reports the archive does not know yet (no report under their id or identity, no vanished
    twin, their identity once in the batch) are written together, a statement per table for
    the whole batch; every other record goes through store_record, after them, in order.
    bench/archive_scale.py measures the rate."""
    outcomes: list[Outcome | None] = [None] * len(items)
    with archive.transaction(), archive.bulk_cache():
        fresh, rest = _new_reports(archive, items)
        if fresh:
            for i, outcome in zip(fresh, _insert_new(archive, [items[i] for i in fresh])):
                outcomes[i] = outcome
        for i in rest:
            outcomes[i] = store_record(archive, **items[i])
    return outcomes  # type: ignore[return-value]


def _new_reports(archive: Archive, items: list[dict[str, Any]]) -> tuple[list[int], list[int]]:
    """(indexes of items that are new reports, indexes of the others), each in batch order."""
    identities = [identity_of(item["record"]) for item in items]
    ids = [stable_id(identity) for identity in identities]
    for item in items:  # computed once, here, for store_record too
        item["fingerprint"] = item.get("fingerprint") or content_fingerprint(item["record"])
    known = archive.known_reports(ids, identities)
    twins = archive.vanished_fingerprints({item["fingerprint"] for item in items})
    fresh, rest, seen = [], [], set()
    for i, (identity, report_id, item) in enumerate(zip(identities, ids, items)):
        if report_id in known or identity in known or identity in seen or item["fingerprint"] in twins:
            rest.append(i)
        else:
            fresh.append(i)
            seen.add(identity)
    return fresh, rest


def _insert_new(archive: Archive, items: list[dict[str, Any]]) -> list[Outcome]:
    """Write reports that are new to the archive: version 1 of each, all tables at once."""
    writers = []
    for item in items:
        record = item["record"]
        identity = identity_of(record)
        search = item.get("search")
        writer = _Writer(archive, stable_id(identity), identity, record, item["fingerprint"], item["body_text"],
                         item["document_id"], None, item["captured_at"], item.get("region"),
                         search if search is not None else search_text(record, item["body_text"]))
        writer.capture_id = item["capture"]()
        writers.append(writer)
    archive.insert_new_reports(
        [w.report_row(1, first_seen=w.captured_at) for w in writers],
        [w.search for w in writers],
        versions=[w.version_row(1) for w in writers],
        totals=[totals_row(w.report_id, w.record) for w in writers],
        checks=[row for w in writers for row in w.check_rows()],
        links=[(w.report_id, w.document_id) for w in writers],
    )
    archive.refresh_cross_checks_of([w.report_id for w in writers], {w.report_id: w.record for w in writers})
    return [Outcome("new", w.report_id, 1, []) for w in writers]


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
        """A version row. Its record is null while it is the current one (reports.record holds
        it; the report_versions view shows it there): the version it follows gets its own copy."""
        self.archive.keep_previous_version_record(self.report_id)
        self.archive.insert_rows("report_versions_stored", [self.version_row(version)])

    def version_row(self, version: int) -> dict[str, Any]:
        return {
            "report_id": self.report_id,
            "version": version,
            "captured_at": self.captured_at,
            "fingerprint": self.fingerprint,
            "url": self.record.get("url"),
            "capture_id": self.capture_id,
            "record": None,
        }

    def copy(self, known: int, document: dict[str, Any] | None) -> None:
        """Remember this record as another page's copy of the report (report_copies)."""
        self.archive.keep_copy(
            {
                "document_id": self.document_id,
                "report_id": self.report_id,
                "url": self.record.get("url"),
                "source": (document or {}).get("source"),
                "fingerprint": self.fingerprint,
                "known_numbers": known,
                "record": json.dumps(self.record, ensure_ascii=False),
                "body_text": self.body_text,
                "captured_at": self.captured_at,
                "capture_id": self.capture_id,
            }
        )

    def current(self, version: int, first_seen: str) -> None:
        archive = self.archive
        archive.upsert_report(self.report_row(version, first_seen), self.search)
        # The matrix is the record's (the request_cells view); its sums get a row (compact.py).
        archive.replace_rows("request_totals", self.report_id, TOTALS_COLUMNS, [totals_row(self.report_id, self.record)])
        archive.replace_rows("check_results", self.report_id, CHECK_COLUMNS, self.check_rows())
        # Its chain with the agency's reports on the years before and after (record/checks.py).
        archive.refresh_cross_checks(self.report_id)

    def check_rows(self) -> list[tuple]:
        return [(self.report_id, c["rule"], int(c["passed"]), c["detail"]) for c in self.record.get("checks", [])]

    def report_row(self, version: int, first_seen: str) -> dict[str, Any]:
        """The report's row in `reports` as this record makes it."""
        record = self.record
        failed = [c for c in record.get("checks", []) if not c["passed"]]
        return {
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


def mark_removed(archive: Archive, report_id: str, at: str | None = None) -> bool:
    """A report whose page is gone: flagged removed, its versions kept. True if newly removed."""
    row = archive.report_row(report_id)
    if row["removed"]:
        return False
    archive.db.conn.execute("update reports set removed = 1, updated_at = ? where id = ?", [at or now_iso(), report_id])
    return True


def latest_records(archive: Archive):
    """The current record of every archived report, for export; its `checks` end with its
    cross-year checks (kept in `cross_checks`: they depend on the report before it too)."""
    chains = archive.cross_checks()
    for row in archive.db.query("select id, record from reports order by agency, year, url"):
        record = json.loads(row["record"])
        record["checks"] = record.get("checks", []) + chains.get(row["id"], [])
        yield record


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
            "update report_versions_stored set record = null, fingerprint = ? where report_id = ? and version = ?",
            [fingerprint, report_id, current["version"]],
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
