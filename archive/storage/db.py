"""The archive's SQLite file, through sqlite-utils: schema, migrations, and every write.

This is the only module that writes SQL. The schema is built by ordered migrations (a
`migrations` table records which ran), so an archive made by an older version is upgraded in
place. WAL mode lets Datasette read while a crawl writes.
"""

from __future__ import annotations

import gzip
import hashlib
import json
import sqlite3
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import sqlite_utils

from ..record.review import needs_review

SCHEMA_VERSION = 1


def now_iso() -> str:
    return datetime.now(timezone.utc).replace(microsecond=0).isoformat()


def stable_id(*parts: Any) -> str:
    """Short stable id: a hash of identity fields (git-history style)."""
    return hashlib.sha1("\x1f".join(str(p) for p in parts).encode("utf-8")).hexdigest()[:16]


def _m001_initial(db: sqlite_utils.Database) -> None:
    db["sources"].create(
        {"name": str, "agency": str, "region": str, "start_urls": str, "hosts": str}, pk="name", if_not_exists=True
    )
    db["runs"].create(
        {"id": int, "started_at": str, "finished_at": str, "status": str, "stats": str}, pk="id", if_not_exists=True
    )
    db["documents"].create(
        {
            "id": str,
            "url": str,
            "source": str,
            "role": str,
            "link_text": str,
            "parent_url": str,
            "first_seen": str,
            "last_seen": str,
            "last_status": int,
            "etag": str,
            "last_modified": str,
            "raw_sha256": str,
            "report_id": str,
            "gone": int,
        },
        pk="id",
        if_not_exists=True,
    )
    db["captures"].create(
        {
            "id": int,
            "document_id": str,
            "url": str,
            "fetched_at": str,
            "status": int,
            "content_type": str,
            "headers": str,
            "size": int,
            "raw_sha256": str,
            "body_gzip": bytes,
            "run_id": int,
        },
        pk="id",
        foreign_keys=[("document_id", "documents", "id")],
        if_not_exists=True,
    )
    db["reports"].create(
        {
            "id": str,
            "identity": str,
            "agency": str,
            "year": int,
            "region": str,
            "format": str,
            "url": str,
            "title": str,
            "published": str,
            "body_text": str,
            "record": str,
            "fingerprint": str,
            "version": int,
            "failed_checks": int,
            "warnings": int,
            "first_seen": str,
            "updated_at": str,
            "last_checked": str,
            "removed": int,
            "document_id": str,
            "capture_id": int,
        },
        pk="id",
        if_not_exists=True,
    )
    db["report_versions"].create(
        {
            "report_id": str,
            "version": int,
            "captured_at": str,
            "fingerprint": str,
            "url": str,
            "capture_id": int,
            "record": str,
        },
        pk=("report_id", "version"),
        foreign_keys=[("report_id", "reports", "id")],
        if_not_exists=True,
    )
    db["changes"].create(
        {
            "report_id": str,
            "version": int,
            "field": str,
            "label_zh": str,
            "kind": str,
            "old_value": str,
            "new_value": str,
        },
        foreign_keys=[("report_id", "reports", "id")],
        if_not_exists=True,
    )
    db["request_cells"].create(
        {
            "report_id": str,
            "row_key": str,
            "row_label": str,
            "column_key": str,
            "column_label": str,
            "value": int,
            "agency": str,
            "year": int,
        },
        pk=("report_id", "row_key", "column_key"),
        foreign_keys=[("report_id", "reports", "id")],
        if_not_exists=True,
    )
    db["check_results"].create(
        {"report_id": str, "rule": str, "passed": int, "detail": str},
        pk=("report_id", "rule"),
        foreign_keys=[("report_id", "reports", "id")],
        if_not_exists=True,
    )
    db["fetch_log"].create(
        {
            "id": int,
            "run_id": int,
            "url": str,
            "status": int,
            "bytes": int,
            "elapsed_ms": int,
            "fetched_at": str,
            "error": str,
        },
        pk="id",
        if_not_exists=True,
    )
    db["alerts"].create(
        {
            "id": int,
            "kind": str,
            "report_id": str,
            "version": int,
            "url": str,
            "agency": str,
            "year": int,
            "title": str,
            "changed_fields": str,
            "detected_at": str,
            "delivery_state": str,
            "attempts": int,
            "delivered_at": str,
            "last_error": str,
        },
        pk="id",
        if_not_exists=True,
    )
    for table, cols in [
        ("documents", ["url"]),
        ("documents", ["report_id"]),
        ("captures", ["document_id", "fetched_at"]),
        ("reports", ["agency", "year"]),
        ("reports", ["year"]),
        ("reports", ["format"]),
        ("reports", ["url"]),
        ("changes", ["report_id", "version"]),
        ("request_cells", ["year", "row_key"]),
        ("fetch_log", ["run_id"]),
        ("fetch_log", ["status"]),
        ("alerts", ["delivery_state"]),
        ("alerts", ["detected_at"]),
    ]:
        db[table].create_index(cols, if_not_exists=True, unique=(table == "documents" and cols == ["url"]))


def _m002_search(db: sqlite_utils.Database) -> None:
    """Full-text search over reports: bigram-split text (see search.py), rowid = reports.rowid."""
    db.execute(
        "create virtual table if not exists reports_fts using fts5(title, agency, body, tokenize='unicode61')"
    )


def _m003_content_hash(db: sqlite_utils.Database) -> None:
    """documents.content_sha: the noise-free hash of the last kept capture (see Fetch)."""
    if "content_sha" not in db["documents"].columns_dict:
        db["documents"].add_column("content_sha", str)


def _m004_changes_view(db: sqlite_utils.Database) -> None:
    """A view joining each change to its version and report, for reading."""
    db.execute(
        """
        create view if not exists version_changes as
        select r.agency, r.year, r.title, c.version, v.captured_at, c.kind, c.field, c.label_zh,
               c.old_value, c.new_value, v.url, c.report_id
        from changes c
        join report_versions v on v.report_id = c.report_id and v.version = c.version
        join reports r on r.id = c.report_id
        """
    )


def _m005_lose_nothing(db: sqlite_utils.Database) -> None:
    """What a crawl needs to catch up after it dies: which process ran each run (to close it
    as interrupted and end its parse workers), each document's outcome (its raw hash is kept
    only beside one, so bytes never read are read again), and which lists were walked to
    their end (only those may be cut short on a recrawl)."""
    for column, kind in (("pid", int), ("host", str), ("worker_pids", str)):
        if column not in db["runs"].columns_dict:
            db["runs"].add_column(column, kind)
    for column, kind in (("outcome", str), ("outcome_detail", str), ("attempts", int), ("parent_title", str)):
        if column not in db["documents"].columns_dict:
            db["documents"].add_column(column, kind)
    db["list_walks"].create(
        {"list_key": str, "source": str, "complete": int, "run_id": int, "walked_at": str},
        pk="list_key",
        if_not_exists=True,
    )
    # Documents stored before outcomes were kept were read (their hash says so), or lost.
    db.execute("update documents set outcome = 'unrecorded', attempts = 0 where outcome is null and raw_sha256 is not null")
    db["documents"].create_index(["outcome"], if_not_exists=True)


def _m006_needs_review(db: sqlite_utils.Database) -> None:
    """reports.needs_review: the record's review flag (record/review.py), 1 when a person should
    check the reading (a number placed without the arithmetic confirming it, an expected number
    null, a failed check). Reports stored before records carried it get it from their record."""
    if "needs_review" not in db["reports"].columns_dict:
        db["reports"].add_column("needs_review", int)
    rows = db.execute("select id, record from reports where needs_review is null and record is not null").fetchall()
    db.conn.executemany(
        "update reports set needs_review = ? where id = ?",
        [(int(needs_review(json.loads(record))), report_id) for report_id, record in rows],
    )
    db["reports"].create_index(["needs_review"], if_not_exists=True)


def _m007_rereadings(db: sqlite_utils.Database) -> None:
    """reports.parser_version (which reader read the current record) and `rereadings`: what a
    newer reader read differently from the same capture — not revisions of the document."""
    if "parser_version" not in db["reports"].columns_dict:
        db["reports"].add_column("parser_version", str)
    db["rereadings"].create(
        {
            "id": int,
            "report_id": str,
            "version": int,
            "reread_at": str,
            "old_parser_version": str,
            "new_parser_version": str,
            "field": str,
            "label_zh": str,
            "kind": str,
            "old_value": str,
            "new_value": str,
        },
        pk="id",
        foreign_keys=[("report_id", "reports", "id")],
        if_not_exists=True,
    )
    db["rereadings"].create_index(["report_id"], if_not_exists=True)
    db["reports"].create_index(["parser_version"], if_not_exists=True)


MIGRATIONS: list[Callable[[sqlite_utils.Database], None]] = [
    _m001_initial,
    _m002_search,
    _m003_content_hash,
    _m004_changes_view,
    _m005_lose_nothing,
    _m006_needs_review,
    _m007_rereadings,
]


def open_db(path: str | Path) -> sqlite_utils.Database:
    """Open (creating or upgrading) an archive."""
    conn = sqlite3.connect(str(path), timeout=30, isolation_level=None, check_same_thread=False)
    db = sqlite_utils.Database(conn)
    conn.execute("PRAGMA journal_mode=WAL")
    conn.execute("PRAGMA synchronous=NORMAL")
    conn.execute("PRAGMA foreign_keys=ON")
    db["migrations"].create({"version": int, "applied_at": str}, pk="version", if_not_exists=True)
    done = {row["version"] for row in db["migrations"].rows}
    for number, migration in enumerate(MIGRATIONS, start=1):
        if number not in done:
            with conn:
                conn.execute("BEGIN")
                migration(db)
                db["migrations"].insert({"version": number, "applied_at": now_iso()})
    return db


def _insert_sql(verb: str, table: str, columns) -> str:
    """`insert [or replace] into table (a, b) values (?, ?)` — names come from our own code only."""
    return f"{verb} into {table} ({', '.join(columns)}) values ({', '.join('?' * len(columns))})"


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
    def complete_lists(self) -> set[str]:
        """Lists whose last walk reached its end: a recrawl may stop early in these only."""
        return {r[0] for r in self.db.conn.execute("select list_key from list_walks where complete = 1")}

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
        if rows:
            self.db["sources"].upsert_all(rows, pk="name", alter=True)

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

    def known_urls_by_age(self, hours: float) -> tuple[list[str], list[str]]:
        """(URLs to recheck, URLs checked within the last `hours`) among archived reports."""
        from datetime import timedelta

        cutoff = (datetime.now(timezone.utc) - timedelta(hours=hours)).replace(microsecond=0).isoformat()
        stale, fresh = [], []
        sql = (
            "select url, last_seen from documents where role in ('candidate', 'attachment')"
            " and report_id is not null and coalesce(gone, 0) = 0"
        )
        for url, last_seen in self.db.conn.execute(sql).fetchall():
            (fresh if hours > 0 and last_seen and last_seen > cutoff else stale).append(url)
        return stale, fresh

    def unsettled_urls(self) -> list[str]:
        """Documents fetched as possible reports whose reading never settled: the run died
        before their outcome was stored, or their parse worker crashed or ran out of time.
        The next crawl fetches them again directly."""
        sql = (
            "select url from documents where role in ('candidate', 'attachment') and coalesce(gone, 0) = 0"
            " and report_id is null and (outcome is null or attempts between 1 and ?)"
        )
        return [r[0] for r in self.db.conn.execute(sql, [MAX_READ_ATTEMPTS - 1])]

    def link_context(self) -> dict[str, dict[str, str]]:
        """url → how the crawl came to a document (link text, the page that links it and that
        page's title): a document fetched again directly is named as when it was found."""
        sql = (
            "select url, link_text, parent_url, parent_title from documents where role in ('candidate', 'attachment')"
            " and coalesce(gone, 0) = 0 and (link_text is not null or parent_title is not null)"
        )
        return {
            url: {k: v for k, v in (("link_text", text), ("parent_url", parent), ("parent_title", title)) if v}
            for url, text, parent, title in self.db.conn.execute(sql)
        }

    def validators(self) -> dict[str, dict[str, str]]:
        """url → ETag / Last-Modified of the last capture, for conditional requests (only of
        documents whose reading settled: an unsettled one must come back in full)."""
        sql = (
            "select url, etag, last_modified from documents where role in ('candidate', 'attachment')"
            " and coalesce(gone, 0) = 0 and (etag is not null or last_modified is not null)"
            " and outcome is not null and coalesce(attempts, 0) not between 1 and ?"
        )
        return {
            url: {k: v for k, v in (("etag", etag), ("last_modified", lm)) if v}
            for url, etag, lm in self.db.execute(sql, [MAX_READ_ATTEMPTS - 1]).fetchall()
        }

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
        }
        self.db.conn.execute(_insert_sql("insert or replace", "documents", list(doc)), list(doc.values()))
        return Fetch(doc_id, url, status, headers, body, fetched_at, hashlib.sha256(body).hexdigest(), existing)

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
        """Keep the raw bytes of a fetch (gzip), with status, headers and fetch time."""
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
        return cursor.lastrowid

    def touch_document(self, url: str, status: int, fetched_at: str) -> dict[str, Any] | None:
        """A 304 (or unchanged) answer: the document was checked, nothing else happens."""
        existing = self.document(url)
        if existing:
            with self.transaction() as conn:
                conn.execute(
                    "update documents set last_seen = ?, last_status = ? where id = ?", [fetched_at, status, existing["id"]]
                )
                if existing.get("report_id"):
                    conn.execute("update reports set last_checked = ? where id = ?", [fetched_at, existing["report_id"]])
        return existing

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

    def upsert_report(self, row: dict[str, Any]) -> None:
        """Insert or update a report in place (its rowid, which full-text search uses, stays)."""
        cols = list(row)
        updates = ", ".join(f"{c} = excluded.{c}" for c in cols if c != "id")
        self.db.conn.execute(
            _insert_sql("insert", "reports", cols) + f" on conflict(id) do update set {updates}", list(row.values())
        )

    def replace_rows(self, table: str, report_id: str, columns: tuple[str, ...], rows: list[tuple]) -> None:
        """Replace a report's rows in request_cells / check_results (rows as tuples in column order)."""
        self.db.conn.execute(f"delete from {table} where report_id = ?", [report_id])
        if rows:
            self.db.conn.executemany(_insert_sql("insert", table, columns), rows)

    def insert_row(self, table: str, row: dict[str, Any]) -> int:
        return self.db.conn.execute(_insert_sql("insert", table, list(row)), list(row.values())).lastrowid

    def insert_rows(self, table: str, rows: list[dict[str, Any]]) -> None:
        if rows:
            cols = list(rows[0])
            self.db.conn.executemany(
                _insert_sql("insert or replace", table, cols), [[r[c] for c in cols] for r in rows]
            )

    def index_report(self, report_id: str, search: dict[str, str]) -> None:
        """(Re)index one report for full-text search; `search` holds bigram-split text."""
        rowid = self.db.conn.execute("select rowid from reports where id = ?", [report_id]).fetchone()[0]
        self.db.conn.execute("delete from reports_fts where rowid = ?", [rowid])
        self.db.conn.execute(
            "insert into reports_fts(rowid, title, agency, body) values (?, ?, ?, ?)",
            [rowid, search.get("title", ""), search.get("agency", ""), search.get("body", "")],
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

    def check_results(self, report_id: str) -> dict[str, bool]:
        """rule → passed, for a report's stored checks."""
        rows = self.db.conn.execute("select rule, passed from check_results where report_id = ?", [report_id])
        return {rule: bool(passed) for rule, passed in rows}

    def set_outcome(self, doc_id: str, outcome: str) -> None:
        self.db.conn.execute("update documents set outcome = ? where id = ?", [outcome, doc_id])

    def link_document(self, doc_id: str, report_id: str) -> None:
        self.db.conn.execute("update documents set report_id = ? where id = ?", [report_id, doc_id])


MAX_READ_ATTEMPTS = 3  # crawls that retry a document whose worker crashed or ran out of time

_DIGITS_AND_SPACE = b"0123456789 \t\r\n\x0b\x0c"


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
