"""The archive in the web-archiving world: captures out as WARC/WACZ, web archives in as captures.

Export writes every stored capture as a WARC/1.1 `response` record (URL, fetch time, status,
headers and body as fetched; warcio adds the block and payload digests) with the `request`
record we know (method and URL), and packs a WACZ (the `wacz` package) with the report pages
as its pages list, so ReplayWeb.page and pywb replay the archive. Import reads WARC and WACZ
files made by any tool and hands each document to the same ingest path as a crawl (parse →
store → version → alert), with its original fetch time. It makes no request to any host.
"""

from __future__ import annotations

import asyncio
import gzip
import json
import logging
import os
import socket
import tempfile
import zipfile
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime, timezone
from http import HTTPStatus
from io import BytesIO
from pathlib import Path
from typing import IO, Any
from urllib.parse import urljoin, urlsplit

from parsel import Selector
from warcio.archiveiterator import ArchiveIterator
from warcio.exceptions import ArchiveLoadFailed
from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

from .ingest import store_parsed
from .parse_pool import ParsePool, process_alive
from .parsing import MAX_DOCUMENT_BYTES
from .parsing.detect import (
    TITLE_NAMES,
    DocumentKind,
    has_year,
    page_titles,
    sniff,
    title_kind,
    titles_verdict,
)
from .parsing.encoding import decode
from .storage.db import Archive

log = logging.getLogger(__name__)

# Headers that describe the bytes on the wire, not the body we keep (Scrapy stores it decoded):
# kept under the X-Archive-Orig- prefix, as pywb does, so a replay does not decode twice.
_WIRE_HEADERS = {"content-encoding", "transfer-encoding", "content-length"}


@dataclass
class ExportSummary:
    responses: int = 0
    requests: int = 0
    pages: int = 0


# --- export ---------------------------------------------------------------------------------
def export_warc(archive: Archive, out: IO[bytes], *, compress: bool = True) -> ExportSummary:
    """Every capture of the archive as a response record (+ its request record)."""
    writer = WARCWriter(out, gzip=compress, warc_version="WARC/1.1")
    writer.write_record(writer.create_warcinfo_record(
        "govreports.warc.gz", {"software": "govreports", "format": "WARC File Format 1.1"}))
    summary = ExportSummary()
    rows = archive.db.conn.execute(
        "select url, fetched_at, status, headers, body_gzip from captures order by id"
    )
    for url, fetched_at, status, headers_json, body_gzip in rows:
        body = gzip.decompress(body_gzip)
        date = _warc_date(fetched_at)
        response = writer.create_warc_record(
            url, "response", payload=BytesIO(body), length=len(body),
            http_headers=_response_headers(status, json.loads(headers_json or "{}"), len(body)),
            warc_headers_dict={"WARC-Date": date},
        )
        parts = urlsplit(url)
        request = writer.create_warc_record(
            url, "request", payload=BytesIO(b""), length=0,
            http_headers=StatusAndHeaders(
                f"GET {parts.path or '/'}{'?' + parts.query if parts.query else ''} HTTP/1.1",
                [("Host", parts.netloc)], is_http_request=True,
            ),
            warc_headers_dict={"WARC-Date": date,
                               "WARC-Concurrent-To": response.rec_headers.get_header("WARC-Record-ID")},
        )
        writer.write_record(response)
        writer.write_record(request)
        summary.responses += 1
        summary.requests += 1
    return summary


def export_wacz(archive: Archive, path: Path) -> ExportSummary:
    """A WACZ: the WARC, its CDXJ index and the report pages (what a replay opens first)."""
    from wacz.main import main as wacz_main

    with tempfile.TemporaryDirectory() as tmp:
        warc = Path(tmp) / "govreports.warc.gz"
        with open(warc, "wb") as handle:
            summary = export_warc(archive, handle)
        pages = Path(tmp) / "pages.jsonl"
        rows = archive.db.conn.execute(
            "select r.url, r.title, c.fetched_at from reports r join captures c on c.id = r.capture_id order by r.url"
        ).fetchall()
        with open(pages, "w", encoding="utf-8") as handle:
            handle.write(json.dumps({"format": "json-pages-1.0", "id": "pages", "title": "Reports"}) + "\n")
            for url, title, fetched_at in rows:
                handle.write(json.dumps({"url": url, "ts": _warc_date(fetched_at), "title": title or url},
                                        ensure_ascii=False) + "\n")
        summary.pages = len(rows)
        with _quiet_stdout():
            code = wacz_main(["create", "-o", str(path), "-p", str(pages), str(warc)])
        if code:
            raise ValueError(f"the wacz package could not write {path} (exit {code})")
    return summary


def _response_headers(status: int, headers: dict[str, str], length: int) -> StatusAndHeaders:
    try:
        reason = HTTPStatus(status).phrase
    except ValueError:
        reason = "Unknown"
    items = [(f"X-Archive-Orig-{k}" if k.lower() in _WIRE_HEADERS else k, v) for k, v in headers.items()]
    items.append(("Content-Length", str(length)))
    return StatusAndHeaders(f"{status} {reason}", items, protocol="HTTP/1.1")


def _warc_date(iso: str | None) -> str:
    moment = datetime.fromisoformat(iso) if iso else datetime.now(timezone.utc)
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=timezone.utc)
    return moment.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


@contextmanager
def _quiet_stdout() -> Iterator[None]:
    """The wacz package prints progress to stdout; the CLI's stdout is for its own output."""
    import contextlib
    import io

    with contextlib.redirect_stdout(io.StringIO()):
        yield


# --- import ---------------------------------------------------------------------------------
@dataclass
class ImportSummary:
    outcomes: Counter = field(default_factory=Counter)  # new / revised / unchanged / not_report …
    skipped: Counter = field(default_factory=Counter)  # revisit / not 200 / truncated / malformed …

    def lines(self) -> list[str]:
        out = ", ".join(f"{n} {k}" for k, n in sorted(self.outcomes.items())) or "nothing"
        skipped = ", ".join(f"{n} {k}" for k, n in sorted(self.skipped.items())) or "none"
        return [f"documents: {out}", f"records skipped: {skipped}"]


@dataclass
class _Response:
    url: str
    fetched_at: str
    status: int
    headers: dict[str, str]
    body: bytes


def import_web_archives(
    archive: Archive, paths: list[Path], *, workers: int = 1, progress: Callable[[str], None] | None = None
) -> ImportSummary:
    """Archive every report found in these WARC/WACZ files, as a crawl would have."""
    summary = ImportSummary()
    run_id, _ = archive.start_run(os.getpid(), socket.gethostname(), process_alive)
    parents = _attachment_parents(paths)
    pool = ParsePool(workers)

    async def ingest_all() -> None:
        batch: list[tuple[_Response, str, dict[str, str]]] = []
        for response in _responses(paths, summary):
            role = _role(response, parents)
            if role is None:
                summary.skipped["not a report page or file"] += 1
                continue
            batch.append((response, role, parents.get(response.url, {})))
            if len(batch) >= workers * 4:
                await _ingest_batch(archive, pool, batch, run_id, summary)
                batch = []
                if progress:
                    progress("  … " + "; ".join(summary.lines()))
        await _ingest_batch(archive, pool, batch, run_id, summary)

    archive.begin_batch()
    try:
        asyncio.run(ingest_all())
    finally:
        pool.close()
        archive.commit_batch(reopen=False)
        archive.finish_run(run_id, "finished", {"import": [str(p) for p in paths], **summary.outcomes})
    return summary


async def _ingest_batch(archive: Archive, pool: ParsePool, batch, run_id: int, summary: ImportSummary) -> None:
    """Parse a batch in the workers, then store in capture order (versions follow time)."""
    fetches = []
    for response, role, parent in batch:
        fetch = archive.record_fetch(
            url=response.url, status=response.status, headers=response.headers, body=response.body,
            fetched_at=response.fetched_at, role=role, source="import", link_text=parent.get("link_text"),
            parent_url=parent.get("parent_url"), parent_title=parent.get("parent_title"),
        )
        fetches.append(fetch)
    todo = [(i, f) for i, f in enumerate(fetches) if f.bytes_changed]
    results = await asyncio.gather(*(
        pool.parse(batch[i][0].body, batch[i][0].url, _content_type(batch[i][0]), batch[i][2].get("parent_title"))
        for i, _ in todo
    ))
    for (i, fetch), parsed in zip(todo, results):
        response, role, parent = batch[i]
        with archive.savepoint():
            result = store_parsed(archive, parsed, fetch, link_text=parent.get("link_text"), role=role, run_id=run_id)
        summary.outcomes[result.kind] += 1
    summary.outcomes["unchanged"] += len(fetches) - len(todo)
    for fetch in fetches:
        if not fetch.bytes_changed:
            archive.touch_document(fetch.url, fetch.status, fetch.fetched_at)


def _content_type(response: _Response) -> str | None:
    return next((v for k, v in response.headers.items() if k.lower() == "content-type"), None)


def _responses(paths: list[Path], summary: ImportSummary) -> Iterator[_Response]:
    """Every usable 200 response of the files; the rest counted by why it was skipped."""
    for path in paths:
        for stream in _warc_streams(path, summary):
            try:
                for record in ArchiveIterator(stream):
                    response = _read_response(record, summary)
                    if response is not None:
                        yield response
            except (ArchiveLoadFailed, ValueError, OSError, EOFError, zipfile.BadZipFile) as exc:
                summary.skipped["malformed record (rest of the file unread)"] += 1
                log.warning("%s: malformed record, the rest of this file is not read: %s", path, exc)


def _warc_streams(path: Path, summary: ImportSummary) -> Iterator[IO[bytes]]:
    if zipfile.is_zipfile(path):
        with zipfile.ZipFile(path) as wacz:
            names = [n for n in wacz.namelist() if n.startswith("archive/") and ".warc" in n]
            if not names:
                summary.skipped["WACZ without WARC files"] += 1
            for name in names:
                with wacz.open(name) as member:
                    yield member
        return
    with open(path, "rb") as handle:
        yield handle


def _read_response(record: Any, summary: ImportSummary) -> _Response | None:
    kind = record.rec_type
    if kind != "response":
        if kind == "revisit":
            summary.skipped["revisit"] += 1
        return None
    if record.rec_headers.get_header("WARC-Truncated"):
        summary.skipped["truncated"] += 1
        return None
    if record.http_headers is None:
        summary.skipped["not HTTP"] += 1
        return None
    status = int(record.http_headers.get_statuscode() or 0)
    if status != 200:
        summary.skipped[f"status {status}"] += 1
        return None
    body = record.content_stream().read(MAX_DOCUMENT_BYTES + 1)
    if len(body) > MAX_DOCUMENT_BYTES:
        summary.skipped["too large"] += 1
        return None
    headers = {k: v for k, v in record.http_headers.headers if k.lower() not in _WIRE_HEADERS}
    headers = {(k[len("X-Archive-Orig-"):] if k.startswith("X-Archive-Orig-") and k[15:].lower() not in _WIRE_HEADERS
                else k): v for k, v in headers.items()}
    date = record.rec_headers.get_header("WARC-Date") or ""
    fetched_at = date.replace("Z", "+00:00") if date else datetime.now(timezone.utc).isoformat(timespec="seconds")
    return _Response(record.rec_headers.get_header("WARC-Target-URI"), fetched_at, status, headers, body)


# --- which documents are reports' pages and files -----------------------------------------
@dataclass
class _Page:
    """An HTML response judged by the crawl's own rules (archive.parsing.detect)."""

    verdict: str | None  # 'report', 'lookalike' or None
    listish: bool  # no ArticleTitle, three or more report links: a list, never a report
    title: str  # the name that says report, for the files it links
    text: str
    selector: Selector


def _page(response: _Response) -> _Page:
    text, _ = decode(response.body[:2_000_000], _content_type(response))
    selector = Selector(text=text or "<html></html>")
    titles = page_titles(selector)
    links = selector.xpath("//a").xpath("normalize-space(string(.))").getall()
    listish = not titles["article"] and sum(title_kind(t) == "report" and has_year(t) for t in links) >= 3
    title = next((titles[n] for n in TITLE_NAMES if title_kind(titles[n]) == "report"), "")
    return _Page(titles_verdict(titles, listish), listish, title, text, selector)


def _attachment_parents(paths: list[Path]) -> dict[str, dict[str, str]]:
    """url of a file → the report page linking it (its title names an attachment without one)."""
    parents: dict[str, dict[str, str]] = {}
    scratch = ImportSummary()
    for response in _responses(paths, scratch):
        if sniff(response.body[:4096], response.url, _content_type(response)) is not DocumentKind.HTML:
            continue
        page = _page(response)
        if page.verdict != "report":
            continue
        for link in page.selector.xpath("//a[@href]"):
            href = urljoin(response.url, link.attrib["href"])
            if urlsplit(href).path.lower().endswith((".pdf", ".doc", ".docx", ".wps")):
                parents.setdefault(href, {"parent_url": response.url, "parent_title": page.title,
                                          "link_text": link.xpath("normalize-space(string(.))").get(default="")})
    return parents


def _role(response: _Response, parents: dict[str, dict[str, str]]) -> str | None:
    """'attachment', 'candidate', or None for what a crawl would not read as a report."""
    if response.url in parents:
        return "attachment"
    kind = sniff(response.body[:4096], response.url, _content_type(response))
    if kind in (DocumentKind.PDF, DocumentKind.DOCX, DocumentKind.OLE2):
        return "candidate"
    if kind is not DocumentKind.HTML:
        return None
    page = _page(response)
    if page.verdict is not None or page.listish:
        return "candidate" if page.verdict == "report" else None  # look-alikes and lists are skipped, as in a crawl
    return "candidate" if "收到和处理政府信息公开申请" in page.text or "主动公开政府信息情况" in page.text else None
