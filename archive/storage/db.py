"""The archive's SQLite file, through sqlite-utils: opening (and upgrading) it, and every write.

The schema is built by the ordered migrations of migrations.py (a `migrations` table records
which ran), so an archive made by an older version is upgraded in place. WAL mode lets
Datasette read while a crawl writes.
"""

from __future__ import annotations

import gzip
import hashlib
import json
import sqlite3
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import sqlite_utils

from ..record.model import canonical_json
from .cross_checks import write_cross_checks, write_new_chains
from .migrations import MIGRATIONS, VANISHED, insert_sql
from .search import index_text

SCHEMA_VERSION = 1


def now_iso() -> str:
    return datetime.now(timezone.utc).replace(microsecond=0).isoformat()


def stable_id(*parts: Any) -> str:
    """Short stable id: a hash of identity fields (git-history style)."""
    return hashlib.sha1("\x1f".join(str(p) for p in parts).encode("utf-8")).hexdigest()[:16]


def register_functions(conn: sqlite3.Connection) -> None:
    """SQL functions the schema uses: `bigram_text(text)`, the text full-text search indexes
    (search.index_text), which the reports_fts_text view computes: a connection that reads
    search snippets, rebuilds the index or deletes from reports_fts needs it."""
    conn.create_function("bigram_text", 1, index_text, deterministic=True)


def open_db(path: str | Path) -> sqlite_utils.Database:
    """Open (creating or upgrading) an archive."""
    conn = sqlite3.connect(str(path), timeout=30, isolation_level=None, check_same_thread=False)
    register_functions(conn)
    db = sqlite_utils.Database(conn)
    conn.execute("PRAGMA journal_mode=WAL")
    conn.execute("PRAGMA synchronous=NORMAL")
    conn.execute("PRAGMA foreign_keys=ON")
    db["migrations"].create({"version": int, "applied_at": str}, pk="version", if_not_exists=True)
    done = {row["version"] for row in db["migrations"].rows}
    for number, migration in enumerate(MIGRATIONS, start=1):
        if number not in done:
            _migrate(db, number, migration)
    return db


def _migrate(db: sqlite_utils.Database, number: int, migration: Callable[[sqlite_utils.Database], None]) -> None:
    """Apply one migration in its own transaction. One that rebuilds a table (`rebuilds_tables`)
    runs with foreign keys off and the legacy rename (views that name the table are left as
    written), then must leave no foreign key broken — SQLite's procedure for reshaping a table."""
    conn = db.conn
    rebuilds = getattr(migration, "rebuilds_tables", False)
    if rebuilds:
        conn.execute("PRAGMA foreign_keys=OFF")
        conn.execute("PRAGMA legacy_alter_table=ON")
    try:
        with conn:
            conn.execute("BEGIN")
            migration(db)
            if rebuilds and conn.execute("PRAGMA foreign_key_check").fetchone():
                raise sqlite3.IntegrityError(f"migration {number} left a foreign key broken")
            db["migrations"].insert({"version": number, "applied_at": now_iso()})
    finally:
        if rebuilds:
            conn.execute("PRAGMA legacy_alter_table=OFF")
            conn.execute("PRAGMA foreign_keys=ON")


class Archive:
    """Writes to one archive file. Each public method is one transaction."""

    def __init__(self, path: str | Path):
        self.path = Path(path)
        self.db = open_db(path)
        self.is_open = True

    def close(self) -> None:
        self.db.conn.close()
        self.is_open = False

    def transaction(self):
        """`with archive.transaction():` — one BEGIN … COMMIT (rolled back on error). Inside
        an open batch it joins the batch."""
        return _Transaction(self.db.conn)

    @contextmanager
    def savepoint(self) -> Iterator[None]:
        """Writes that stand or fall together inside an open batch: on error they are undone
        and the batch goes on (one document's failure never takes others' writes with it)."""
        self.db.conn.execute("SAVEPOINT one_document")
        try:
            yield
        except BaseException:
            self.db.conn.execute("ROLLBACK TO one_document")
            self.db.conn.execute("RELEASE one_document")
            raise
        self.db.conn.execute("RELEASE one_document")

    def begin_batch(self) -> None:
        """Hold writes in one transaction until `commit_batch` (a crawl commits about once a
        second instead of once a document)."""
        if not self.db.conn.in_transaction:
            self.db.conn.execute("BEGIN")

    def commit_batch(self, reopen: bool = True) -> None:
        if self.db.conn.in_transaction:
            self.db.conn.execute("COMMIT")
        if reopen:
            self.begin_batch()

    # --- runs and sources -------------------------------------------------------------
    def start_run(self, pid: int, host: str, is_alive: Callable[[int], bool]) -> tuple[int, list[dict[str, Any]]]:
        """Open a run. Runs left `running` by a process that is gone (killed, crashed, the
        machine rebooted) are closed as `interrupted` first and returned, so the caller can
        end their orphaned workers and walk every list again."""
        stale = [
            dict(row)
            for row in self.db.query("select id, pid, host, worker_pids from runs where status = 'running'")
            if row["host"] != host or not row["pid"] or not is_alive(row["pid"])
        ]
        with self.transaction() as conn:
            for row in stale:
                conn.execute(
                    "update runs set status = 'interrupted', finished_at = coalesce(finished_at, ?) where id = ?",
                    [now_iso(), row["id"]],
                )
            run_id = self.insert_row("runs", {"started_at": now_iso(), "status": "running", "pid": pid, "host": host})
        return run_id, stale

    def last_run_finished(self, before: int) -> bool:
        """Whether the run before `before` ended normally (a first run counts as finished)."""
        row = self.db.conn.execute("select status from runs where id < ? order by id desc limit 1", [before]).fetchone()
        return row is None or row[0] == "finished"

    def note_workers(self, run_id: int, pids: Iterable[int]) -> None:
        with self.transaction() as conn:
            conn.execute("update runs set worker_pids = ? where id = ?", [json.dumps(sorted(pids)), run_id])

    def finish_run(self, run_id: int, status: str, stats: dict[str, Any]) -> None:
        self.db["runs"].update(
            run_id, {"finished_at": now_iso(), "status": status, "stats": json.dumps(stats, default=str)}
        )

    # --- list walks ---------------------------------------------------------------------
    def complete_lists(self, source: str | None = None) -> set[str]:
        """Lists whose last walk reached its end: a recrawl may stop early in these only."""
        sql, params = _of_source("select list_key from list_walks where complete = 1", [], source)
        return {r[0] for r in self.db.conn.execute(sql, params)}

    def save_list_walks(self, walks: dict[str, bool], sources: dict[str, str], run_id: int) -> None:
        rows = [
            (key, sources.get(key), int(complete), run_id, now_iso()) for key, complete in walks.items()
        ]
        with self.transaction() as conn:
            conn.executemany(
                "insert or replace into list_walks (list_key, source, complete, run_id, walked_at) values (?, ?, ?, ?, ?)",
                rows,
            )

    def save_sources(self, sources: Iterable[dict[str, Any]]) -> None:
        rows = [
            {**s, "start_urls": json.dumps(s.get("start_urls", [])), "hosts": json.dumps(s.get("hosts", []))}
            for s in sources
        ]
        for row in rows:
            if "agencies" in row:
                row["agencies"] = json.dumps(row["agencies"] or [], ensure_ascii=False)
        if rows:
            self.db["sources"].upsert_all(rows, pk="name", alter=True)

    # --- publication compliance (archive/compliance.py decides) -----------------------
    def compliance_inputs(self) -> list[dict[str, Any]]:
        """Every report with an agency and a year: when it says it was published, when the
        archive first saw it, its region and the source whose crawl found it."""
        sql = (
            "select r.id as report_id, r.agency as agency, r.year as year, r.published as published,"
            " r.first_seen as first_seen, r.region as region, d.source as source"
            " from reports r left join documents d on d.id = r.document_id"
            " where r.agency is not null and r.year is not null order by r.agency, r.year"
        )
        cursor = self.db.conn.execute(sql)
        names = [d[0] for d in cursor.description]
        return [dict(zip(names, row)) for row in cursor]

    def source_agencies(self) -> dict[str, list[str]]:
        """source name → the agencies its sources-file entry lists (`agencies = [...]`)."""
        out: dict[str, list[str]] = {}
        for name, agencies in self.db.conn.execute("select name, agencies from sources where agencies is not null"):
            try:
                listed = json.loads(agencies)
            except ValueError:
                continue
            if isinstance(listed, list):
                out[name] = [a for a in listed if isinstance(a, str)]
        return out

    def replace_compliance(self, rows: list[dict[str, Any]]) -> None:
        """The compliance table, rewritten whole (one transaction)."""
        with self.transaction() as conn:
            conn.execute("delete from compliance")
            if rows:
                conn.executemany(insert_sql("insert", "compliance", list(rows[0])), [list(r.values()) for r in rows])

    def refresh_report_figures(self) -> int:
        """Bring `report_figures` up to date with `reports`: rows of reports that are new, whose
        content (fingerprint), agency, year or region changed are read again from the record
        JSON; rows of reports no longer there go. Returns the rows (re)written."""
        region = "coalesce(r.region, '（未知 unknown）')"
        figures = (
            "json_extract(r.record, '$.requests.new_requests.total'),"
            " json_extract(r.record, '$.requests.granted.total'),"
            " (select sum(json_extract(d.value, '$.total')) from json_each(r.record, '$.requests') d"
            "   where d.key like 'denied%'),"
            " json_extract(r.record, '$.requests.total_processed.total'),"
            " json_extract(r.record, '$.review_litigation.review.total'),"
            " json_extract(r.record, '$.review_litigation.litigation_direct.total')"
            "   + json_extract(r.record, '$.review_litigation.litigation_after_review.total'),"
            " json_extract(r.record, '$.review_litigation.review.corrected'),"
            " json_extract(r.record, '$.review_litigation.litigation_direct.corrected')"
            "   + json_extract(r.record, '$.review_litigation.litigation_after_review.corrected')"
        )
        with self.transaction() as conn:
            conn.execute(
                "delete from report_figures where report_id not in"
                " (select id from reports where agency is not null and year is not null)"
            )
            cursor = conn.execute(
                "insert or replace into report_figures (report_id, fingerprint, agency, year, region, new_requests,"
                " granted, denied, processed, reviews, lawsuits, reviews_corrected, lawsuits_corrected)"
                f" select r.id, r.fingerprint, r.agency, r.year, {region}, {figures}"
                " from reports r left join report_figures f on f.report_id = r.id"
                " where r.agency is not null and r.year is not null and r.record is not null"
                f" and (f.report_id is null or f.fingerprint is not r.fingerprint or f.region is not {region}"
                "      or f.agency is not r.agency or f.year is not r.year)"
            )
            return cursor.rowcount

    def missing_alerted(self) -> set[tuple[str, int]]:
        """(agency, year) of every `missing` alert already raised."""
        return {(a, y) for a, y in self.db.conn.execute("select agency, year from alerts where kind = 'missing'")}

    def insert_alert_once(self, row: dict[str, Any]) -> bool:
        """Insert an alert unless a unique index says it was raised before; True if inserted."""
        cursor = self.db.conn.execute(insert_sql("insert or ignore", "alerts", list(row)), list(row.values()))
        return cursor.rowcount == 1

    # --- the cluster writer (archive/cluster/writer.py) ------------------------------------
    def stream_position(self, stream: str) -> str | None:
        """The last stream entry whose writes are committed."""
        row = self.db.conn.execute("select last_id from stream_positions where stream = ?", [stream]).fetchone()
        return row[0] if row else None

    def set_stream_position(self, stream: str, last_id: str) -> None:
        self.db.conn.execute(
            "insert or replace into stream_positions (stream, last_id, updated_at) values (?, ?, ?)",
            [stream, last_id, now_iso()],
        )

    def job_run_id(self, job: str) -> int | None:
        row = self.db.conn.execute("select id from runs where job = ? order by id limit 1", [job]).fetchone()
        return row[0] if row else None

    def start_job_run(self, job: str, source: str, pid: int | None, host: str | None, started_at: str) -> int:
        """The run of one job of one source (the same run if the job is already known). Runs of
        the source still `running` under another job are closed as `interrupted`: a source is
        crawled by one job at a time (leases), so theirs died."""
        run_id = self.job_run_id(job)
        if run_id is not None:
            return run_id
        self.db.conn.execute(
            "update runs set status = 'interrupted', finished_at = coalesce(finished_at, ?)"
            " where source = ? and status = 'running'",
            [started_at, source],
        )
        row = {"started_at": started_at, "status": "running", "pid": pid, "host": host, "source": source, "job": job}
        return self.insert_row("runs", row)

    def source_last_run_finished(self, source: str) -> bool:
        """Whether the source's latest run ended normally (no run yet counts as finished)."""
        row = self.db.conn.execute(
            "select status from runs where source = ? order by id desc limit 1", [source]
        ).fetchone()
        return row is None or row[0] == "finished"

    def source_names(self) -> list[str]:
        return [r[0] for r in self.db.conn.execute("select name from sources order by name")]

    def reject_entry(self, row: dict[str, Any]) -> None:
        self.db.conn.execute(insert_sql("insert or replace", "stream_rejects", list(row)), list(row.values()))

    # (The writer's batch is one transaction with its stream position: sqlite-utils' insert_all,
    # upsert_all and update commit by themselves, so these three are written by hand.)
    def upsert_source_row(self, row: dict[str, Any]) -> None:
        """A source's row, its other columns kept (lists as JSON)."""
        row = {k: json.dumps(v, ensure_ascii=False) if isinstance(v, (list, dict)) else v for k, v in row.items()}
        columns = self.db["sources"].columns_dict
        row = {k: v for k, v in row.items() if k in columns}
        updates = ", ".join(f"{c} = excluded.{c}" for c in row if c != "name")
        self.db.conn.execute(
            insert_sql("insert", "sources", list(row)) + f" on conflict(name) do update set {updates}", list(row.values())
        )

    def finish_job_run(self, run_id: int, status: str, stats: dict[str, Any], finished_at: str) -> None:
        self.db.conn.execute(
            "update runs set status = ?, finished_at = ?, stats = ? where id = ?",
            [status, finished_at, json.dumps(stats, default=str), run_id],
        )

    def add_fetch_log_rows(self, rows: list[dict[str, Any]]) -> None:
        if rows:
            cols = ["run_id", "url", "status", "bytes", "elapsed_ms", "fetched_at", "error"]
            self.db.conn.executemany(insert_sql("insert", "fetch_log", cols), [[r.get(c) for c in cols] for r in rows])

    # --- fetch log -------------------------------------------------------------------
    def log_fetches(self, rows: list[dict[str, Any]]) -> None:
        if rows:
            with self.transaction():
                self.db["fetch_log"].insert_all(rows)

    # --- documents and captures ------------------------------------------------------
    def document(self, url: str) -> dict[str, Any] | None:
        cursor = self.db.conn.execute("select * from documents where url = ? limit 1", [url])
        row = cursor.fetchone()
        return dict(zip([d[0] for d in cursor.description], row)) if row else None

    def known_urls(self, roles: tuple[str, ...] = ("candidate", "attachment")) -> list[str]:
        marks = ",".join("?" * len(roles))
        sql = f"select url from documents where role in ({marks}) and report_id is not null and coalesce(gone,0)=0"
        return [r[0] for r in self.db.execute(sql, list(roles)).fetchall()]

    def known_urls_by_age(self, hours: float, source: str | None = None) -> tuple[list[str], list[str]]:
        """(URLs to recheck, URLs checked within the last `hours`) among archived reports."""
        return split_by_age(self.known_last_seen(source), hours)

    def known_last_seen(self, source: str | None = None) -> dict[str, str | None]:
        """url → when it was last checked, for archived reports (of one source, or all)."""
        sql = (
            # a URL that answered 404/410 last time is checked again whatever its age
            "select url, case when coalesce(missed, 0) > 0 then null else last_seen end from documents"
            " where role in ('candidate', 'attachment') and report_id is not null and coalesce(gone, 0) = 0"
        )
        return dict(self.db.conn.execute(*_of_source(sql, [], source)).fetchall())

    def unsettled_urls(self, source: str | None = None) -> list[str]:
        """Documents fetched as possible reports whose reading never settled: the run died
        before their outcome was stored, or their parse worker crashed or ran out of time.
        The next crawl fetches them again directly."""
        sql = (
            "select url from documents where role in ('candidate', 'attachment') and coalesce(gone, 0) = 0"
            " and report_id is null and (outcome is null or attempts between 1 and ?)"
        )
        return [r[0] for r in self.db.conn.execute(*_of_source(sql, [MAX_READ_ATTEMPTS - 1], source))]

    def link_context(self, source: str | None = None) -> dict[str, dict[str, str]]:
        """url → how the crawl came to a document (link text, the page that links it and that
        page's title): a document fetched again directly is named as when it was found."""
        sql = (
            "select url, link_text, parent_url, parent_title from documents where role in ('candidate', 'attachment')"
            " and coalesce(gone, 0) = 0 and (link_text is not null or parent_title is not null)"
        )
        return {
            url: {k: v for k, v in (("link_text", text), ("parent_url", parent), ("parent_title", title)) if v}
            for url, text, parent, title in self.db.conn.execute(*_of_source(sql, [], source))
        }

    def validators(self, source: str | None = None) -> dict[str, dict[str, str]]:
        """url → ETag / Last-Modified of the last capture, for conditional requests (only of
        documents whose reading settled: an unsettled one must come back in full)."""
        sql = (
            "select url, etag, last_modified from documents where role in ('candidate', 'attachment')"
            " and coalesce(gone, 0) = 0 and (etag is not null or last_modified is not null)"
            " and outcome is not null and coalesce(attempts, 0) not between 1 and ?"
        )
        return {
            url: {k: v for k, v in (("etag", etag), ("last_modified", lm)) if v}
            for url, etag, lm in self.db.execute(*_of_source(sql, [MAX_READ_ATTEMPTS - 1], source)).fetchall()
        }

    def raw_hashes(self, source: str | None = None) -> dict[str, str]:
        """url → SHA-256 of the bytes last read, of archived reports: a worker that fetches the
        same bytes again need not read them (the writer still checks)."""
        sql = (
            "select url, raw_sha256 from documents where role in ('candidate', 'attachment')"
            " and report_id is not null and raw_sha256 is not null and coalesce(gone, 0) = 0"
        )
        return dict(self.db.conn.execute(*_of_source(sql, [], source)).fetchall())

    def replayable_validators(self, source: str | None = None) -> dict[str, dict[str, Any]]:
        """url → ETag / Last-Modified *of its last kept capture*, and that capture's id, for the
        pages that are not reports (list and navigation pages, sitemaps, documents read as not
        a report). A 304 to these validators means the page is still that capture, so the crawl
        follows its links from the capture (`capture_body`). The document's own validators may
        be newer than its last capture (a change of digits only keeps no capture): those are
        not sent, and such a page answers in full."""
        sql = (
            "select d.url, c.id, c.content_type, c.headers from documents d join captures c on c.id ="
            " (select max(id) from captures where document_id = d.id)"
            " where d.report_id is null and coalesce(d.gone, 0) = 0 and d.outcome in ('listing', 'not_report')"
        )
        if source is not None:
            sql += " and d.source = ?"
        out: dict[str, dict[str, Any]] = {}
        for url, capture_id, content_type, headers in self.db.conn.execute(sql, [] if source is None else [source]):
            try:
                lower = {k.lower(): v for k, v in json.loads(headers or "{}").items()}
            except (ValueError, AttributeError):
                continue
            found = {k: lower[h] for k, h in (("etag", "etag"), ("last_modified", "last-modified")) if lower.get(h)}
            if found:
                out[url] = {**found, "capture_id": capture_id, "content_type": content_type}
        return out

    def capture_body(self, capture_id: int) -> tuple[bytes, dict[str, str]] | None:
        """The raw bytes and response headers of one capture (None when it is not there)."""
        row = self.db.conn.execute("select body_gzip, headers from captures where id = ?", [capture_id]).fetchone()
        if row is None or row[0] is None:
            return None
        try:
            return gzip.decompress(row[0]), json.loads(row[1] or "{}")
        except (OSError, ValueError, EOFError):
            return None

    def record_fetch(
        self,
        *,
        url: str,
        status: int,
        headers: dict[str, str],
        body: bytes,
        fetched_at: str,
        role: str,
        source: str | None,
        link_text: str | None,
        parent_url: str | None,
        parent_title: str | None = None,
        images: list[tuple[str, str | None, bytes]] | None = None,
    ) -> Fetch:
        """Note a fetched document (documents row upserted); no capture is stored yet."""
        doc_id = stable_id(url)
        existing = self.document(url)
        lower = {k.lower(): v for k, v in headers.items()}
        doc = {
            "id": doc_id,
            "url": url,
            "source": source,
            "role": role if not existing or role != "listing" else existing["role"],
            "link_text": link_text if link_text or not existing else existing["link_text"],
            "parent_url": parent_url or (existing["parent_url"] if existing else None),
            "parent_title": parent_title or (existing["parent_title"] if existing else None),
            "last_seen": fetched_at,
            "last_status": status,
            "etag": lower.get("etag"),
            "last_modified": lower.get("last-modified"),
            # The stored hash is the last one *read*: it changes only with an outcome (settle).
            "raw_sha256": existing["raw_sha256"] if existing else None,
            "gone": 0,
            "first_seen": existing["first_seen"] if existing else fetched_at,
            "report_id": existing["report_id"] if existing else None,
            "content_sha": existing["content_sha"] if existing else None,
            "outcome": existing["outcome"] if existing else None,
            "outcome_detail": existing["outcome_detail"] if existing else None,
            "attempts": existing["attempts"] if existing else 0,
            "missed": 0,  # it answered: crawls that could not fetch it start again from zero
            "missed_run": None,
        }
        self.db.conn.execute(insert_sql("insert or replace", "documents", list(doc)), list(doc.values()))
        return Fetch(doc_id, url, status, headers, body, fetched_at, raw_hash(body, images), existing,
                     images=list(images or []))

    def settle(self, fetch: Fetch, outcome: str, detail: str | None = None, *, retry: bool = False) -> None:
        """Store what reading a fetch came to, and only now its raw hash: bytes whose reading
        never settled (a killed run, a crashed or timed-out worker: `retry`) are read again
        by the next crawl — up to MAX_READ_ATTEMPTS times, so a bomb does not cost every run."""
        attempts = ((fetch.previous or {}).get("attempts") or 0) + 1 if retry else 0
        give_up = attempts >= MAX_READ_ATTEMPTS
        self.db.conn.execute(
            "update documents set outcome = ?, outcome_detail = ?, attempts = ?,"
            " raw_sha256 = case when ? then raw_sha256 else ? end where id = ?",
            [outcome, detail, attempts, int(retry and not give_up), fetch.raw_sha256, fetch.doc_id],
        )

    def add_capture(self, fetch: Fetch, run_id: int | None) -> int:
        """Keep the raw bytes of a fetch (gzip), with status, headers and fetch time, and the
        table images fetched with a report page (`page_images`)."""
        lower = {k.lower(): v for k, v in fetch.headers.items()}
        cursor = self.db.conn.execute(
            "insert into captures (document_id, url, fetched_at, status, content_type, headers, size,"
            " raw_sha256, body_gzip, run_id) values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [
                fetch.doc_id,
                fetch.url,
                fetch.fetched_at,
                fetch.status,
                lower.get("content-type"),
                json.dumps(fetch.headers, ensure_ascii=False),
                len(fetch.body),
                fetch.raw_sha256,
                fetch.body_gzip or gzip.compress(fetch.body, compresslevel=6),
                run_id,
            ],
        )
        self.db.conn.execute(
            "update documents set content_sha = ? where id = ?", [fetch.noise_free_sha256, fetch.doc_id]
        )
        if fetch.images:
            self.db.conn.executemany(
                insert_sql("insert", "page_images",
                            ("capture_id", "position", "url", "content_type", "size", "raw_sha256", "body_gzip")),
                [(cursor.lastrowid, position, url, content_type, len(body), hashlib.sha256(body).hexdigest(),
                  gzip.compress(body, compresslevel=6))
                 for position, (url, content_type, body) in enumerate(fetch.images, start=1)],
            )
        return cursor.lastrowid

    def capture_images(self, capture_id: int) -> list[bytes]:
        """The table images kept with a capture, in page order (none for most captures)."""
        rows = self.db.conn.execute(
            "select body_gzip from page_images where capture_id = ? order by position", [capture_id]
        )
        return [gzip.decompress(body) for (body,) in rows]

    def touch_document(self, url: str, status: int, fetched_at: str) -> dict[str, Any] | None:
        """A 304 (or unchanged) answer: the document was checked, nothing else happens."""
        existing = self.document(url)
        if existing:
            with self.transaction() as conn:
                conn.execute(
                    "update documents set last_seen = ?, last_status = ?, missed = 0, missed_run = null where id = ?",
                    [fetched_at, status, existing["id"]],
                )
                if existing.get("report_id"):
                    conn.execute("update reports set last_checked = ? where id = ?", [fetched_at, existing["report_id"]])
        return existing

    def note_missed(self, url: str, status: int, run_id: int | None) -> dict[str, Any] | None:
        """A known document answered 404/410: one more crawl that could not fetch it (counted
        once per run). Returns the document as it now is."""
        existing = self.document(url)
        if existing and (run_id is None or existing.get("missed_run") != run_id):
            self.db.conn.execute(
                "update documents set missed = coalesce(missed, 0) + 1, missed_run = ?, last_status = ? where id = ?",
                [run_id, status, existing["id"]],
            )
            existing = self.document(url)
        return existing

    def vanished_reports(self, run_id: int, misses: int) -> list[dict[str, Any]]:
        """Reports whose current URL answered 404/410 in this run: (report id, url, misses so far),
        those missed `misses` crawls in a row first."""
        sql = (
            "select r.id as report_id, r.url as url, d.missed as missed, d.last_status as status from reports r"
            " join documents d on d.url = r.url where d.missed_run = ? and coalesce(d.missed, 0) > 0"
            " and coalesce(r.removed, 0) = 0 order by d.missed >= ? desc, r.id"
        )
        names = ("report_id", "url", "missed", "status")
        return [dict(zip(names, row)) for row in self.db.conn.execute(sql, [run_id, misses])]

    def add_alias(self, report_id: str, url: str, moved_to: str, at: str, run_id: int | None) -> None:
        self.db.conn.execute(
            "insert or replace into report_aliases (report_id, url, moved_to, moved_at, run_id) values (?, ?, ?, ?, ?)",
            [report_id, url, moved_to, at, run_id],
        )

    def keep_copy(self, row: dict[str, Any]) -> None:
        """Another page of a report (report_copies), replaced when its content changes."""
        self.db.conn.execute(insert_sql("insert or replace", "report_copies", list(row)), list(row.values()))

    def report_copies(self, report_id: str) -> list[dict[str, Any]]:
        """The copies of a report whose page still answers, most numbers first."""
        sql = (
            "select c.* from report_copies c join documents d on d.id = c.document_id"
            " where c.report_id = ? and coalesce(d.gone, 0) = 0 and coalesce(d.missed, 0) = 0"
            " and d.report_id = c.report_id order by c.known_numbers desc, d.role = 'candidate' desc, c.captured_at desc"
        )
        cursor = self.db.conn.execute(sql, [report_id])
        names = [d[0] for d in cursor.description]
        return [dict(zip(names, row)) for row in cursor]

    def document_by_id(self, doc_id: str) -> dict[str, Any] | None:
        cursor = self.db.conn.execute("select * from documents where id = ?", [doc_id])
        row = cursor.fetchone()
        return dict(zip([d[0] for d in cursor.description], row)) if row else None

    def report_with_identity(self, identity: str) -> dict[str, Any] | None:
        """The report that now has this identity (a moved report keeps the id of its first one)."""
        row = self.db.conn.execute("select id from reports where identity = ? limit 1", [identity]).fetchone()
        return self.report_row(row[0]) if row else None

    def vanished_twin(self, fingerprint: str, source: str | None, year: int | None) -> dict[str, Any] | None:
        """A report with this content fingerprint (and year, when known) whose page answered
        404/410, of this source: the report a page with the same content may have moved from."""
        sql = (
            f"select r.id from documents d cross join reports r on r.url = d.url where {VANISHED}"
            " and r.fingerprint = ? and (? is null or d.source is null or d.source = ?) and (? is null or r.year = ?)"
            " order by r.updated_at desc limit 1"
        )
        row = self.db.conn.execute(sql, [fingerprint, source, source, year, year]).fetchone()
        return self.report_row(row[0]) if row else None

    def drop_copy(self, document_id: str) -> None:
        self.db.conn.execute("delete from report_copies where document_id = ?", [document_id])

    def mark_gone(self, url: str, status: int, fetched_at: str) -> dict[str, Any] | None:
        existing = self.document(url)
        if existing:
            self.db.conn.execute(
                "update documents set gone = 1, last_status = ?, last_seen = ? where id = ?",
                [status, fetched_at, existing["id"]],
            )
        return existing

    # --- the hot path of a crawl: plain executemany inside the caller's transaction ------
    # (sqlite-utils' insert_all introspects the table and commits on every call; a report
    # writes ~220 rows, so these few statements are written by hand.)
    def report_row(self, report_id: str) -> dict[str, Any] | None:
        cursor = self.db.conn.execute("select * from reports where id = ?", [report_id])
        row = cursor.fetchone()
        return dict(zip([d[0] for d in cursor.description], row)) if row else None

    def upsert_report(self, row: dict[str, Any], search: dict[str, str] | None = None) -> None:
        """Insert or update a report in place (its rowid, which full-text search uses, stays),
        and keep full-text search in step. `search` is the bigram text of the row's title,
        agency and body_text (search.index_text, often computed by a parse worker); the index
        keeps no copy of it (external content: reports_fts_text), so an update first removes
        the old terms, computed again from the old row — only when that text changed."""
        conn = self.db.conn
        before = conn.execute("select rowid, title, agency, body_text from reports where id = ?", [row["id"]]).fetchone()
        cols = list(row)
        updates = ", ".join(f"{c} = excluded.{c}" for c in cols if c != "id")
        conn.execute(
            insert_sql("insert", "reports", cols) + f" on conflict(id) do update set {updates}", list(row.values())
        )
        text = (row.get("title"), row.get("agency"), row.get("body_text"))
        if before is not None:
            if tuple(before[1:]) == text:
                return
            conn.execute(
                "insert into reports_fts(reports_fts, rowid, title, agency, body) values ('delete', ?, ?, ?, ?)",
                [before[0], *(index_text(t) for t in before[1:])],
            )
        if search is None:
            search = {"title": index_text(text[0]), "agency": index_text(text[1]), "body": index_text(text[2])}
        rowid = before[0] if before is not None else conn.execute("select rowid from reports where id = ?", [row["id"]]).fetchone()[0]
        conn.execute(
            "insert into reports_fts(rowid, title, agency, body) values (?, ?, ?, ?)",
            [rowid, search.get("title", ""), search.get("agency", ""), search.get("body", "")],
        )

    def replace_rows(self, table: str, report_id: str, columns: tuple[str, ...], rows: list[tuple]) -> None:
        """Replace a report's rows in request_totals / check_results (rows as tuples in column order)."""
        self.db.conn.execute(f"delete from {table} where report_id = ?", [report_id])
        if rows:
            self.db.conn.executemany(insert_sql("insert", table, columns), rows)

    def insert_row(self, table: str, row: dict[str, Any]) -> int:
        return self.db.conn.execute(insert_sql("insert", table, list(row)), list(row.values())).lastrowid

    def insert_rows(self, table: str, rows: list[dict[str, Any]]) -> None:
        if rows:
            cols = list(rows[0])
            self.db.conn.executemany(
                insert_sql("insert or replace", table, cols), [[r[c] for c in cols] for r in rows]
            )

    def keep_previous_version_record(self, report_id: str) -> None:
        """Before a new version: the version that was current gets its own copy of its record
        (canonical JSON, as versions store it) — until now it was `reports.record`."""
        row = self.db.conn.execute(
            "select v.version, r.record from report_versions_stored v join reports r on r.id = v.report_id"
            " where v.report_id = ? and v.record is null and r.record is not null", [report_id]
        ).fetchall()
        self.db.conn.executemany(
            "update report_versions_stored set record = ? where report_id = ? and version = ?",
            [(canonical_json(json.loads(record)), report_id, version) for version, record in row],
        )

    def reread_targets(self, since: str | None = None, report_ids: list[str] | None = None) -> list[dict[str, Any]]:
        """The capture behind each report's current record (the bytes a re-reading reads), with
        how the crawl came to it (link text, the linking page's title)."""
        sql = (
            "select r.id as report_id, r.url as url, c.id as capture_id, c.fetched_at as fetched_at,"
            " c.content_type as content_type, c.body_gzip as body_gzip, d.role as role,"
            " d.link_text as link_text, d.parent_title as parent_title"
            " from reports r join captures c on c.id = r.capture_id left join documents d on d.id = c.document_id"
            " where 1 = 1"
        )
        params: list[Any] = []
        if since:
            sql += " and c.fetched_at >= ?"
            params.append(since)
        if report_ids:
            sql += f" and r.id in ({', '.join('?' * len(report_ids))})"
            params += report_ids
        cursor = self.db.conn.execute(sql + " order by r.id", params)
        names = [d[0] for d in cursor.description]
        return [dict(zip(names, row)) for row in cursor]

    def unread_report_candidates(self, since: str | None = None) -> list[dict[str, Any]]:
        """The latest capture of each fetched page or file that was not read as a report (not
        one, or unreadable): a newer reader may read it as one."""
        sql = (
            "select d.id as document_id, d.url as url, d.outcome as outcome, c.id as capture_id,"
            " c.fetched_at as fetched_at, c.content_type as content_type, c.body_gzip as body_gzip,"
            " d.role as role, d.link_text as link_text, d.parent_title as parent_title"
            " from documents d join captures c on c.id = (select max(id) from captures where document_id = d.id)"
            " where d.role in ('candidate', 'attachment') and d.report_id is null"
            " and d.outcome in ('not_report', 'unreadable')"
        )
        params: list[Any] = []
        if since:
            sql += " and c.fetched_at >= ?"
            params.append(since)
        cursor = self.db.conn.execute(sql + " order by d.id", params)
        names = [d[0] for d in cursor.description]
        return [dict(zip(names, row)) for row in cursor]

    def refresh_cross_checks(self, report_id: str) -> None:
        """A report was stored, revised or re-read: its chain with the agency's reports on the
        years before and after is compared again (cross_checks)."""
        write_cross_checks(self.db.conn, report_id)

    def refresh_cross_checks_of(self, report_ids: list[str], records: dict[str, dict[str, Any]]) -> None:
        """Reports just added by a batch: their chains with the years before and after, at once
        (`records` holds their records, so none is read back)."""
        write_new_chains(self.db.conn, report_ids, records)

    # --- the batch path (versions.store_batch): one statement per table for many reports --
    @contextmanager
    def bulk_cache(self, mebibytes: int = 256) -> Iterator[None]:
        """A larger page cache while a batch writes: inserts by hashed id land all over each
        index, and at 100,000 reports the default 2 MB cache rereads a page for most of them."""
        conn = self.db.conn
        before = conn.execute("pragma cache_size").fetchone()[0]
        conn.execute(f"pragma cache_size = {-1024 * mebibytes}")
        try:
            yield
        finally:
            conn.execute(f"pragma cache_size = {before}")

    def known_reports(self, ids: list[str], identities: list[str]) -> set[str]:
        """Which of these report ids and identities the archive already holds."""
        return (self._found_among("select id from reports where id in ({})", ids)
                | self._found_among("select identity from reports where identity in ({})", identities))

    def vanished_fingerprints(self, fingerprints: set[str]) -> set[str]:
        """Which of these fingerprints a report whose page vanished has (see vanished_twin)."""
        return self._found_among(
            f"select r.fingerprint from documents d cross join reports r on r.url = d.url where {VANISHED}"
            " and r.fingerprint in ({})", sorted(fingerprints))

    def _found_among(self, sql: str, values: list[str]) -> set[str]:
        """The values a one-column query `... in ({})` gives back, asked 500 at a time (SQLite
        caps the number of parameters of a statement)."""
        found: set[str] = set()
        for start in range(0, len(values), 500):
            chunk = values[start:start + 500]
            found.update(value for (value,) in self.db.conn.execute(sql.format(", ".join("?" * len(chunk))), chunk))
        return found

    def insert_new_reports(self, rows: list[dict[str, Any]], searches: list[dict[str, str]], *,
                           versions: list[dict[str, Any]], totals: list[tuple], checks: list[tuple],
                           links: list[tuple[str, str]]) -> None:
        """Reports the archive does not hold yet, with their first version, totals, check rows,
        full-text entries and documents' links. Their rowids are given, so the full-text
        entries are written in the same pass."""
        from .compact import TOTALS_COLUMNS

        conn = self.db.conn
        first = conn.execute("select coalesce(max(rowid), 0) + 1 from reports").fetchone()[0]
        cols = ["rowid", *rows[0], "cross_year_failed"]
        conn.executemany(insert_sql("insert", "reports", cols),
                         [[first + i, *row.values(), 0] for i, row in enumerate(rows)])
        conn.executemany(
            "insert into reports_fts(rowid, title, agency, body) values (?, ?, ?, ?)",
            [(first + i, s.get("title", ""), s.get("agency", ""), s.get("body", "")) for i, s in enumerate(searches)],
        )
        # In key order: each b-tree page is visited once, however the ids fall.
        self.insert_rows("report_versions_stored", sorted(versions, key=lambda v: (v["report_id"], v["version"])))
        conn.executemany(insert_sql("insert", "request_totals", TOTALS_COLUMNS), sorted(totals))
        conn.executemany(insert_sql("insert", "check_results", CHECK_COLUMNS), sorted(checks, key=lambda c: c[:2]))
        conn.executemany("update documents set report_id = ? where id = ?", links)

    def cross_checks(self) -> dict[str, list[dict[str, Any]]]:
        """report id → its cross-year checks ({"rule", "passed", "detail"}), for export."""
        found: dict[str, list[dict[str, Any]]] = {}
        for report_id, rule, passed, detail in self.db.conn.execute(
            "select report_id, rule, passed, detail from cross_checks order by report_id, rule"
        ):
            found.setdefault(report_id, []).append({"rule": rule, "passed": bool(passed), "detail": detail})
        return found

    def check_results(self, report_id: str) -> dict[str, bool]:
        """rule → passed, for a report's stored checks."""
        rows = self.db.conn.execute("select rule, passed from check_results where report_id = ?", [report_id])
        return {rule: bool(passed) for rule, passed in rows}

    def set_outcome(self, doc_id: str, outcome: str) -> None:
        self.db.conn.execute("update documents set outcome = ? where id = ?", [outcome, doc_id])

    def link_document(self, doc_id: str, report_id: str) -> None:
        self.db.conn.execute("update documents set report_id = ? where id = ?", [report_id, doc_id])


CHECK_COLUMNS = ("report_id", "rule", "passed", "detail")  # a row of check_results
MAX_READ_ATTEMPTS = 3  # crawls that retry a document whose worker crashed or ran out of time


def _of_source(sql: str, params: list[Any], source: str | None) -> tuple[str, list[Any]]:
    """The query narrowed to one source's rows (`source` column), when one is named."""
    return (sql, params) if source is None else (sql + " and source = ?", [*params, source])


def split_by_age(last_seen: dict[str, str | None], hours: float) -> tuple[list[str], list[str]]:
    """(URLs to recheck, URLs checked within the last `hours`); 0 hours rechecks every one."""
    from datetime import timedelta

    cutoff = (datetime.now(timezone.utc) - timedelta(hours=hours)).replace(microsecond=0).isoformat()
    stale, fresh = [], []
    for url, seen in last_seen.items():
        (fresh if hours > 0 and seen and seen > cutoff else stale).append(url)
    return stale, fresh

_DIGITS_AND_SPACE = b"0123456789 \t\r\n\x0b\x0c"


def raw_hash(body: bytes, images: list[tuple[str, str | None, bytes]] | None = None) -> str:
    """SHA-256 of what was fetched to read a document: its bytes, and for a report page whose
    tables are images, the images' bytes too (a table image replaced is a changed document)."""
    digest = hashlib.sha256(body)
    if images:
        digest.update(b"".join(hashlib.sha256(image).digest() for _, _, image in images))
    return digest.hexdigest()


def noise_free_hash(body: bytes) -> str:
    """Hash of the bytes without digits and whitespace: visit counters, dates and clocks in
    page chrome do not make a page look new."""
    return hashlib.sha256(body.translate(None, _DIGITS_AND_SPACE)).hexdigest()


@dataclass
class Fetch:
    """One fetched document, as the archive noted it, and what it knew of it before."""

    doc_id: str
    url: str
    status: int
    headers: dict[str, str]
    body: bytes
    fetched_at: str
    raw_sha256: str
    previous: dict[str, Any] | None
    noise_sha: str | None = None  # may come precomputed (a parse worker's), with the gzip
    body_gzip: bytes | None = None
    images: list[tuple[str, str | None, bytes]] = field(default_factory=list)  # (url, type, bytes) of a page's tables

    @property
    def bytes_changed(self) -> bool:
        return self.previous is None or self.previous["raw_sha256"] != self.raw_sha256

    @property
    def noise_free_sha256(self) -> str:
        if self.noise_sha is None:
            self.noise_sha = noise_free_hash(self.body)
        return self.noise_sha

    @property
    def content_changed(self) -> bool:
        return self.previous is None or self.previous.get("content_sha") != self.noise_free_sha256


class _Transaction:
    def __init__(self, conn: sqlite3.Connection):
        self.conn = conn
        self.outer = False

    def __enter__(self):
        self.outer = not self.conn.in_transaction
        if self.outer:
            self.conn.execute("BEGIN")
        return self.conn

    def __exit__(self, exc_type, exc, tb):
        if self.outer:
            self.conn.execute("ROLLBACK" if exc_type else "COMMIT")
        return False
