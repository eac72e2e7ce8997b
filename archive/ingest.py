"""One fetched document through the archive: capture → parse → store → version → alert.

The Scrapy pipeline and a re-parse of stored captures both call this. Parsing is CPU work and
runs in worker processes (`parse_in_worker`, picklable in and out); capture and storage run
in the caller's thread, which owns the database connection.
"""

from __future__ import annotations

import gzip
import logging
import re
from dataclasses import dataclass
from typing import Any

from .parsing import ParseError, parse_document
from .parsing import identity as ident
from .parsing.detect import is_about_reports, title_kind
from .parsing.version import READER_VERSION
from .record.model import FORMAT_LEGACY, FORMAT_UNKNOWN, content_fingerprint, known_count
from .storage import alerts
from .storage.db import Archive, Fetch, noise_free_hash, now_iso
from .storage.versions import Outcome, mark_removed, move_to_copy, search_text, store_record

log = logging.getLogger(__name__)

_ATTACHMENT_HINT = re.compile(r"详见附件|附件下载|附件[:：]|全真版|文字版|点击下载")


@dataclass
class ParseResult:
    """The worker's answer: a record and body text, or the reason the document was unreadable."""

    record: dict[str, Any] | None
    text: str
    error: str | None = None
    fingerprint: str | None = None  # computed in the worker: the writer thread only writes
    search: dict[str, str] | None = None
    body_gzip: bytes | None = None
    noise_sha: str | None = None
    known_numbers: int | None = None
    retry: bool = False  # the reading was cut off (worker crashed, out of time or memory): try again later


class ResourceLimit(Exception):
    """A document's reading went past the worker's time budget or memory limit."""


def unreadable(body: bytes, reason: str, *, retry: bool = False) -> ParseResult:
    """The answer for a document that could not be read: its capture is still kept."""
    return ParseResult(
        None, "", reason, body_gzip=gzip.compress(body, compresslevel=6), noise_sha=noise_free_hash(body), retry=retry
    )


def parse_in_worker(body: bytes, url: str, content_type: str | None, parent_title: str | None,
                    images: list[bytes] | None = None) -> ParseResult:
    """Parse one document (runs in a worker process), with the table images of a report page
    fetched with it. Never raises: whatever goes wrong inside a reader becomes this document's
    "unreadable" answer, and the crawl goes on."""
    try:
        parsed = parse_document(body, url=url, content_type=content_type, images=images)
    except ParseError as exc:
        return unreadable(body, str(exc))
    except (ResourceLimit, MemoryError) as exc:
        return unreadable(body, f"{type(exc).__name__}: {exc}", retry=True)
    except RecursionError:
        return unreadable(body, "reader error: nested too deeply")
    except Exception as exc:  # a reader's bug must cost one document, never the crawl
        log.exception("reader error on %s", url)
        return unreadable(body, f"reader error: {type(exc).__name__}: {exc}"[:500])
    record = parsed.record
    record["parser_version"] = READER_VERSION
    if parent_title and not record.get("year"):
        # An attachment without a title of its own is named by the page that links it.
        title = ident.clean_title(parent_title)
        record["title"] = record.get("title") or title
        record["year"] = ident.year_from_title(title)
        record["agency"] = record.get("agency") or ident.agency_from_title(title)
    return ParseResult(
        record,
        parsed.text,
        None,
        content_fingerprint(record),
        search_text(record, parsed.text),
        gzip.compress(body, compresslevel=6),
        noise_free_hash(body),
        known_count(record),
    )


def is_report(
    record: dict[str, Any], text: str, link_text: str | None, role: str, known: int | None = None
) -> tuple[bool, str]:
    """Decide whether a parsed document is an annual report, and why (for the fetch log).
    `known` is the count of numbers read, when the worker already counted them."""
    names = [record.get("title"), link_text]
    title = record.get("title")
    if is_about_reports(title) or (title_kind(title) != "report" and is_about_reports(link_text)):
        # 关于做好…年度报告编制发布工作的通知, …的函, …解读: whatever tables it carries (a blank
        # format to fill in), it is about reports
        return False, "a notice, letter, plan or interpretation about reports"
    kinds = {title_kind(n) for n in names if n}
    if "lookalike" in kinds and "report" not in {title_kind(record.get("title"))}:
        return False, "look-alike title"
    if title_kind(record.get("title")) == "lookalike":
        return False, "look-alike title"
    if known is None:
        known = known_count(record)
    if record["format"] != FORMAT_UNKNOWN and known:
        return True, "statistics tables read"
    if "report" not in kinds:
        return False, "neither title nor tables say report"
    if record["format"] == FORMAT_LEGACY:
        return True, "pre-2019 report (no numbers read)"
    if role == "candidate" and _ATTACHMENT_HINT.search(text or ""):
        return False, "report page that hands over to its attachment"
    return True, "report title, tables unreadable"


@dataclass
class IngestResult:
    kind: str  # new / revised / text_revised / unchanged / alternate / not_report / unreadable / listing
    report_id: str | None = None
    reason: str | None = None
    version: int | None = None
    changes: list[dict[str, Any]] | None = None
    moved_from: str | None = None  # the report moved here from this URL (a 'moved' alert)


def store_parsed(
    archive: Archive,
    parsed: ParseResult,
    fetch: Fetch,
    *,
    link_text: str | None,
    role: str,
    run_id: int | None = None,
    region: str | None = None,
) -> IngestResult:
    """Store what a fetched document turned out to be. Raw bytes are kept when they carry
    something new: a new report version, or a non-report whose content (not its counters and
    clocks) changed."""

    fetch.body_gzip = fetch.body_gzip or parsed.body_gzip
    fetch.noise_sha = fetch.noise_sha or parsed.noise_sha

    def capture() -> int:
        return archive.add_capture(fetch, run_id)

    if parsed.record is None or not (verdict := is_report(parsed.record, parsed.text, link_text, role, parsed.known_numbers))[0]:
        if fetch.content_changed:
            capture()
        if parsed.record is None:
            archive.settle(fetch, "unreadable", parsed.error, retry=parsed.retry)
            return IngestResult("unreadable", reason=parsed.error)
        archive.settle(fetch, "not_report", verdict[1])
        return IngestResult("not_report", reason=verdict[1])
    outcome = store_record(
        archive,
        parsed.record,
        body_text=parsed.text,
        document_id=fetch.doc_id,
        capture=capture,
        captured_at=fetch.fetched_at,
        region=region or ident.region_of(parsed.record.get("agency")),
        fingerprint=parsed.fingerprint,
        search=parsed.search,
        run_id=run_id,
    )
    archive.settle(fetch, outcome.kind, verdict[1])
    _alert(archive, outcome, fetch.fetched_at)
    return IngestResult(outcome.kind, outcome.report_id, verdict[1], outcome.version, outcome.changes,
                        outcome.moved_from)


def _alert(archive: Archive, outcome: Outcome, at: str) -> None:
    """The alerts a stored record raises: 'moved' when it moved the report (its URL changed),
    and 'new' / 'revised' / 'text_revised' when its content is new."""
    if outcome.moved_from is None and outcome.kind not in ("new", "revised", "text_revised"):
        return
    report = archive.report_row(outcome.report_id)
    if outcome.moved_from is not None:
        moved = [{"field": "url", "label_zh": "网址", "old": outcome.moved_from, "new": report["url"]}]
        alerts.raise_alert(archive, kind="moved", report=report, version=outcome.version, changes=moved, at=at)
    if outcome.kind in ("new", "revised", "text_revised"):
        alerts.raise_alert(archive, kind=outcome.kind, report=report, version=outcome.version,
                           changes=outcome.changes, at=at)


# Crawls in a row that must fail to fetch a report (404/410) before it is removed: one outage
# (a CMS down for maintenance, a column being rebuilt) is not a removal.
MISSES_BEFORE_REMOVAL = 2


def record_gone(archive: Archive, url: str, status: int, fetched_at: str, run_id: int | None = None) -> IngestResult:
    """A known document answers 404/410 after retries. If it is a report's current page, the
    report moves to a copy of it on another page of its source that still answers; otherwise
    it is 'vanished': `settle_vanished` removes it at the end of the crawl once
    MISSES_BEFORE_REMOVAL crawls in a row could not fetch it and no successor appeared."""
    doc = archive.document(url)
    if not doc or not doc.get("report_id"):
        archive.mark_gone(url, status, fetched_at)
        return IngestResult("gone")
    report = archive.report_row(doc["report_id"])
    if report["url"] != url:  # another page of the report (an attachment, a copy): no longer one
        archive.mark_gone(url, status, fetched_at)
        archive.drop_copy(doc["id"])
        return IngestResult("gone", report["id"])
    archive.note_missed(url, status, run_id)
    outcome = move_to_copy(archive, report["id"], run_id=run_id)
    if outcome is None:
        return IngestResult("vanished", report["id"])
    _alert(archive, outcome, fetched_at)
    return IngestResult(outcome.kind, outcome.report_id, "moved to a copy on another page", outcome.version,
                        outcome.changes, outcome.moved_from)


def settle_vanished(archive: Archive, run_id: int, *, finished: bool) -> tuple[int, int]:
    """At the end of a crawl: reports whose page answered 404/410 in this crawl and no other
    page took over are removed (alert 'removed', versions kept) once MISSES_BEFORE_REMOVAL
    crawls in a row missed them — only after a crawl that finished (one cut short may not have
    reached the page the report moved to). Returns (removed, still only vanished)."""
    removed = waiting = 0
    for row in archive.vanished_reports(run_id, MISSES_BEFORE_REMOVAL):
        if not finished or row["missed"] < MISSES_BEFORE_REMOVAL:
            waiting += 1
            continue
        at = now_iso()
        with archive.transaction():
            archive.mark_gone(row["url"], row["status"] or 404, at)
            report = archive.report_row(row["report_id"])
            if mark_removed(archive, report["id"], at):
                alerts.raise_alert(archive, kind="removed", report=report, version=report["version"], at=at)
                removed += 1
    return removed, waiting


def note_fetch(archive: Archive, *, url: str, status: int, headers: dict[str, str], body: bytes, fetched_at: str,
               role: str, source: str | None, link_text: str | None, parent_url: str | None,
               parent_title: str | None, run_id: int | None, body_gzip: bytes | None = None,
               images: list[tuple[str, str | None, bytes]] | None = None) -> tuple[str, Fetch]:
    """The step before reading a fetched document (the local pipeline and the cluster writer
    both take it): note the fetch, then say what is left to do — "unchanged_bytes" (the bytes
    were read before: the document is only marked checked), "captured" / "listing" (a list page,
    kept when its content changed, never read as a report), or "read"."""
    fetch = archive.record_fetch(
        url=url, status=status, headers=headers, body=body, fetched_at=fetched_at, role=role, source=source,
        link_text=link_text, parent_url=parent_url, parent_title=parent_title, images=images,
    )
    fetch.body_gzip = body_gzip
    if not fetch.bytes_changed:
        archive.touch_document(url, status, fetched_at)
        return "unchanged_bytes", fetch
    if role == "listing":
        kind = "listing"
        if fetch.content_changed:
            archive.add_capture(fetch, run_id)
            kind = "captured"
        archive.settle(fetch, "listing")
        return kind, fetch
    return "read", fetch


def store_safely(archive: Archive, parsed: ParseResult, fetch: Fetch, *, link_text: str | None, role: str,
                 run_id: int | None, region: str | None) -> IngestResult:
    """Store one document's outcome inside an open batch; if storing itself fails, its writes
    are undone and the document is recorded unreadable (capture kept), so the next crawl reads
    it again."""
    try:
        with archive.savepoint():
            return store_parsed(archive, parsed, fetch, link_text=link_text, role=role, run_id=run_id, region=region)
    except Exception as exc:
        log.exception("could not store %s", fetch.url)
        reason = f"storage error: {type(exc).__name__}: {exc}"[:500]
        archive.add_capture(fetch, run_id)
        archive.settle(fetch, "unreadable", reason, retry=True)
        return IngestResult("unreadable", reason=reason)
