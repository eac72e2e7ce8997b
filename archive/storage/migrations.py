"""The archive's schema, as ordered migrations: each runs once per archive, numbered by its
position in MIGRATIONS (db.open_db records which ran), so an archive made by an older release
upgrades in place. Append new ones; never reorder or edit one that has shipped."""

from __future__ import annotations

import json
from collections.abc import Callable

import sqlite_utils

from ..record.review import needs_review
from .cross_checks import write_cross_checks


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


def _m008_moves(db: sqlite_utils.Database) -> None:
    """Moved reports and removals that wait for a second crawl. `documents.missed`: consecutive
    crawls whose request for the URL answered 404/410 (`missed_run`: the last of them); a report
    is removed only when two crawls in a row cannot fetch it. `report_aliases`: the URLs a report
    was published at before it moved (a CMS migration keeps the report, its id and versions).
    `report_copies`: the record of another page of the same report seen while its current URL
    still answered, so that when the current URL vanishes the report moves there."""
    for column, kind in (("missed", int), ("missed_run", int)):
        if column not in db["documents"].columns_dict:
            db["documents"].add_column(column, kind)
    db["report_aliases"].create(
        {"report_id": str, "url": str, "moved_to": str, "moved_at": str, "run_id": int},
        pk=("report_id", "url"),
        foreign_keys=[("report_id", "reports", "id")],
        if_not_exists=True,
    )
    db["report_aliases"].create_index(["url"], if_not_exists=True)
    db["report_copies"].create(
        {
            "document_id": str,
            "report_id": str,
            "url": str,
            "source": str,
            "fingerprint": str,
            "known_numbers": int,
            "record": str,
            "body_text": str,
            "captured_at": str,
            "capture_id": int,
        },
        pk="document_id",
        foreign_keys=[("report_id", "reports", "id")],
        if_not_exists=True,
    )
    db["report_copies"].create_index(["report_id"], if_not_exists=True)
    db["reports"].create_index(["identity"], if_not_exists=True)  # a moved report is found by it


def _m009_cross_checks(db: sqlite_utils.Database) -> None:
    """`cross_checks`: each report's chain with its agency's report on the year before (rule
    `cross_year.<column>`: 二、上年结转 of year Y = 四、结转下年度继续办理 of Y−1, record/checks.py),
    kept apart from `check_results` because it depends on two reports: rewritten whenever either
    is stored, revised or re-read (Archive.refresh_cross_checks). `reports.cross_year_failed`
    counts a report's failing ones (a facet). An archive made before gets its chains now."""
    db["cross_checks"].create(
        {
            "report_id": str,
            "rule": str,
            "passed": int,
            "detail": str,
            "column_key": str,
            "carried_over": int,
            "earlier_report_id": str,
            "earlier_carried_forward": int,
            "earlier_url": str,
        },
        pk=("report_id", "rule"),
        foreign_keys=[("report_id", "reports", "id")],
        if_not_exists=True,
    )
    db["cross_checks"].create_index(["earlier_report_id"], if_not_exists=True)
    db["cross_checks"].create_index(["passed", "report_id"], if_not_exists=True)
    if "cross_year_failed" not in db["reports"].columns_dict:
        db["reports"].add_column("cross_year_failed", int)
    for (report_id,) in db.conn.execute("select id from reports where agency is not null and year is not null").fetchall():
        write_cross_checks(db.conn, report_id, both_ways=False)
    db["reports"].create_index(["cross_year_failed"], if_not_exists=True)


def _m010_compliance(db: sqlite_utils.Database) -> None:
    """Publication compliance and regional figures. `sources.agencies`: the agencies a source
    lists (JSON), expected to publish from the source's first archived year. `compliance`: each
    expected (agency, year) judged against its 条例 art. 49 deadline, rewritten after every crawl
    (archive/compliance.py decides; the table lets Datasette show it). A missing report is
    alerted once: a unique index on (agency, year) of `missing` alerts. `report_figures`: the main
    figures of each report, read out of its record JSON once (Archive.refresh_report_figures, after
    every crawl: reading them from 100,000 records on every page view would take seconds);
    `region_year_figures`: their totals and rates per region and year."""
    if "agencies" not in db["sources"].columns_dict:
        db["sources"].add_column("agencies", str)
    db["compliance"].create(
        {
            "agency": str,
            "year": int,
            "source": str,
            "region": str,
            "kind": str,
            "due": str,
            "published": str,
            "status": str,
            "days_late": int,
            "report_id": str,
            "assessed_on": str,
        },
        pk=("agency", "year"),
        if_not_exists=True,
    )
    for cols in (["status"], ["year"], ["source", "agency", "year"], ["region"], ["kind"]):
        db["compliance"].create_index(cols, if_not_exists=True)
    db.execute(
        "create unique index if not exists alerts_missing_once on alerts (agency, year) where kind = 'missing'"
    )
    db["report_figures"].create(
        {
            "report_id": str,
            "fingerprint": str,
            "agency": str,
            "year": int,
            "region": str,
            "new_requests": int,
            "granted": int,
            "denied": int,
            "processed": int,
            "reviews": int,
            "lawsuits": int,
            "reviews_corrected": int,
            "lawsuits_corrected": int,
        },
        pk="report_id",
        if_not_exists=True,
    )
    db["report_figures"].create_index(["region", "year"], if_not_exists=True)
    db["report_figures"].create_index(["year"], if_not_exists=True)
    db.execute(
        """
        create view if not exists region_year_figures as
        with paired as (  -- a rate counts only the reports that give both of its numbers
          select *,
                 case when processed > 0 and granted is not null then granted end as granted_of_processed,
                 case when processed > 0 and granted is not null then processed end as processed_with_granted,
                 case when reviews + lawsuits > 0 then reviews_corrected + lawsuits_corrected end as corrected_of_cases,
                 case when reviews + lawsuits > 0 and reviews_corrected + lawsuits_corrected is not null
                      then reviews + lawsuits end as cases_with_corrected
          from report_figures
        )
        select region, year, count(*) as reports,
               sum(new_requests) as new_requests, sum(granted) as granted, sum(denied) as denied,
               sum(processed) as processed, sum(reviews) as reviews, sum(lawsuits) as lawsuits,
               sum(reviews_corrected + lawsuits_corrected) as corrected,
               round(100.0 * sum(granted_of_processed) / sum(processed_with_granted), 1) as granted_pct,
               round(100.0 * sum(corrected_of_cases) / sum(cases_with_corrected), 1) as corrected_pct,
               sum(granted_of_processed) as granted_of_processed,
               sum(processed_with_granted) as processed_with_granted,
               sum(corrected_of_cases) as corrected_of_cases,
               sum(cases_with_corrected) as cases_with_corrected
        from paired
        group by region, year
        """
    )


def _m011_cluster(db: sqlite_utils.Database) -> None:
    """Crawls from many machines (archive/cluster/): each run is one job of one source
    (`runs.source`, `runs.job`); `stream_positions` holds the last stream entry the writer
    committed, written in the same transaction as what the entry wrote (entries delivered again
    after a crash are skipped, so nothing is stored twice); `stream_rejects` keeps an entry that
    could not be applied, with why, instead of losing it."""
    for column in ("source", "job"):
        if column not in db["runs"].columns_dict:
            db["runs"].add_column(column, str)
    db["runs"].create_index(["job"], if_not_exists=True)
    db["runs"].create_index(["source"], if_not_exists=True)
    db["documents"].create_index(["source"], if_not_exists=True)
    db["list_walks"].create_index(["source"], if_not_exists=True)
    db["stream_positions"].create({"stream": str, "last_id": str, "updated_at": str}, pk="stream", if_not_exists=True)
    db["stream_rejects"].create(
        {"entry_id": str, "kind": str, "job": str, "source": str, "error": str, "meta": str, "rejected_at": str},
        pk="entry_id",
        if_not_exists=True,
    )


def _m012_compact(db: sqlite_utils.Database) -> None:
    """An archive of 100,000 reports in ≤ 40 KB each, every page fast (archive/storage/compact.py).

    - `request_cells` becomes a view unfolding each report's record JSON (the one copy of the
      matrix), its labels from `request_rows` / `request_columns`; `request_totals` keeps one
      narrow row per report of what charts and cross-agency queries add up. Cells an older
      archive holds that its records do not say are kept in `request_cells_unmatched`.
    - `report_versions` becomes a view over `report_versions_stored`, where the current
      version's record is null (it is `reports.record`): one copy of each record JSON. Writes
      through the view still work (INSTEAD OF triggers).
    - `reports_fts` keeps its bigram split but no second copy of the text: external content, the
      view `reports_fts_text` (the `bigram_text()` of reports' columns; open_db and the Datasette
      plugin register the function), kept in step by Archive.upsert_report.
    - Indexes for the facets of reports and for canned queries' orders."""
    from .compact import TOTALS_COLUMNS, label_rows, totals_row

    conn = db.conn
    rows, columns = label_rows()
    conn.execute("create table if not exists request_rows (row_key text primary key, row_label text, pos integer)")
    conn.execute(
        "create table if not exists request_columns (column_key text primary key, column_label text, pos integer)"
    )
    conn.executemany("insert or replace into request_rows values (?, ?, ?)", rows)
    conn.executemany("insert or replace into request_columns values (?, ?, ?)", columns)
    ints = ", ".join(f"{c} integer" for c in TOTALS_COLUMNS[3:])
    conn.execute(
        f"create table if not exists request_totals (report_id text primary key references reports(id),"
        f" agency text, year integer, {ints})"
    )
    conn.execute("create index if not exists request_totals_year_agency on request_totals (year, agency)")
    conn.execute("create index if not exists request_totals_agency_year on request_totals (agency, year)")
    conn.executemany(
        insert_sql("insert or replace", "request_totals", TOTALS_COLUMNS),
        (totals_row(report_id, json.loads(record))
         for report_id, record in conn.execute("select id, record from reports where record is not null")),
    )
    cells = """
        select r.id as report_id, rw.key as row_key, rl.row_label as row_label, cl.key as column_key,
               cc.column_label as column_label, cl.value as value, r.agency as agency, r.year as year
        from reports r
        join json_each(r.record, '$.requests') rw
        join json_each(rw.value) cl
        left join request_rows rl on rl.row_key = rw.key
        left join request_columns cc on cc.column_key = cl.key
        """
    if db["request_cells"].exists():  # (dropped, not renamed: a rename would rewrite the views that read it)
        conn.execute(
            "create table request_cells_unmatched as select report_id, row_key, row_label, column_key, column_label,"
            f" value, agency, year from request_cells except select * from ({cells})"
        )
        conn.execute("drop table request_cells")
    conn.execute(f"create view request_cells as {cells}")
    # Cells read only from the record: the view ignores writes (the record is the matrix).
    conn.execute("create trigger if not exists request_cells_insert instead of insert on request_cells begin select 1; end")
    conn.execute("create trigger if not exists request_cells_delete instead of delete on request_cells begin select 1; end")

    conn.execute(
        "create table if not exists report_versions_stored (report_id text references reports(id),"
        " version integer, captured_at text, fingerprint text, url text, capture_id integer, record text,"
        " primary key (report_id, version))"
    )
    conn.execute(
        "insert or replace into report_versions_stored select v.report_id, v.version, v.captured_at, v.fingerprint,"
        " v.url, v.capture_id, v.record from report_versions v"
    )
    current = conn.execute(
        "select v.report_id, v.version, v.record, r.record from report_versions_stored v"
        " join reports r on r.id = v.report_id and r.version = v.version where v.record is not null"
    ).fetchall()
    conn.executemany(
        "update report_versions_stored set record = null where report_id = ? and version = ?",
        [(rid, version) for rid, version, stored, latest in current
         if latest is not None and json.loads(stored) == json.loads(latest)],
    )
    conn.execute("drop table report_versions")
    conn.execute(
        """
        create view report_versions as
        select v.report_id as report_id, v.version as version, v.captured_at as captured_at,
               v.fingerprint as fingerprint, v.url as url, v.capture_id as capture_id,
               coalesce(v.record, (select r.record from reports r where r.id = v.report_id and r.version = v.version))
                 as record
        from report_versions_stored v
        """
    )
    conn.execute(
        "create trigger report_versions_insert instead of insert on report_versions begin"
        " insert or replace into report_versions_stored values (new.report_id, new.version, new.captured_at,"
        " new.fingerprint, new.url, new.capture_id, new.record); end"
    )
    conn.execute(
        "create trigger report_versions_update instead of update on report_versions begin"
        " update report_versions_stored set report_id = new.report_id, version = new.version,"
        " captured_at = new.captured_at, fingerprint = new.fingerprint, url = new.url, capture_id = new.capture_id,"
        " record = case when new.record is old.record then record else new.record end"
        " where report_id = old.report_id and version = old.version; end"
    )
    conn.execute(
        "create trigger report_versions_delete instead of delete on report_versions begin"
        " delete from report_versions_stored where report_id = old.report_id and version = old.version; end"
    )

    conn.execute("drop table if exists reports_fts")
    conn.execute(
        "create view reports_fts_text as select rowid as report_rowid, bigram_text(title) as title,"
        " bigram_text(agency) as agency, bigram_text(body_text) as body from reports"
    )
    conn.execute(
        "create virtual table reports_fts using fts5(title, agency, body, tokenize='unicode61',"
        " content='reports_fts_text', content_rowid='report_rowid')"
    )
    conn.execute("insert into reports_fts(reports_fts) values ('rebuild')")
    for cols in (["region"], ["failed_checks"], ["removed"]):
        db["reports"].create_index(cols, if_not_exists=True)
    conn.execute("create index if not exists reports_agency_year_desc on reports (agency, year desc)")
    conn.execute("create index if not exists reports_year_id on reports (year, id)")  # the reports page's order
    # Looked up on every store of a new report (report_with_identity, vanished_twin): without
    # these, each store scans every report and a batch slows as the archive grows.
    conn.execute("create index if not exists reports_identity on reports (identity)")
    conn.execute("create index if not exists reports_fingerprint on reports (fingerprint)")
    # check_results keyed by (report_id, rule) without a rowid: one b-tree instead of a table and its index.
    conn.execute(
        "create table check_results_compact (report_id text references reports(id), rule text, passed integer,"
        " detail text, primary key (report_id, rule)) without rowid"
    )
    conn.execute("insert into check_results_compact select report_id, rule, passed, detail from check_results")
    conn.execute("drop table check_results")
    conn.execute("alter table check_results_compact rename to check_results")
    conn.execute("create index if not exists check_results_passed on check_results (passed)")  # failures first


def _m013_page_images(db: sqlite_utils.Database) -> None:
    """`page_images`: the images of a report page whose statistics tables are pictures, fetched
    with it (spiders/page_images.py) and kept as part of its capture, in page order — a re-read
    OCRs them again from here, without the web."""
    db["page_images"].create(
        {
            "id": int,
            "capture_id": int,
            "position": int,
            "url": str,
            "content_type": str,
            "size": int,
            "raw_sha256": str,
            "body_gzip": bytes,
        },
        pk="id",
        foreign_keys=[("capture_id", "captures", "id")],
        if_not_exists=True,
    )
    db["page_images"].create_index(["capture_id", "position"], unique=True, if_not_exists=True)


# A document whose page answered 404/410 (gone) or could not be fetched by the last crawls
# (missed): the one expression of it, which queries repeat so that documents_vanished serves them.
VANISHED = "(coalesce(missed, 0) > 0 or coalesce(gone, 0) = 1)"


def _m014_faster_writes(db: sqlite_utils.Database) -> None:
    """Cheaper writes for a batch of 1,000 reports a second (bench/archive_scale.py):
    - full-text search tokenizes with `ascii`: the indexed text is already split into bigrams
      and lower-case words separated by spaces (search.index_text), so unicode61's Unicode
      tables add nothing but a third of the indexing time; and it keeps no positions
      (detail=none) of terms now indexed once a report: a search requires each bigram anywhere
      in the report, and its snippet comes from the report's text (search.excerpt). The
      index is rebuilt from reports: 6.4 → about 1 KB a report;
    - the index on check_results.passed (two values, rebuilt on every insert) becomes an index
      of failures only, which is what the failing-checks query reads; the same for cross_checks,
      whose index on earlier_report_id no query reads;
    - a vanished twin is looked for from the few documents that vanished (a partial index),
      not through an index of every report's fingerprint.
    An index keyed by a hash takes a random page for each report stored: at 100,000 reports,
    each costs a page written per report at every commit."""
    conn = db.conn
    conn.execute("drop table if exists reports_fts")
    conn.execute(
        "create virtual table reports_fts using fts5(title, agency, body, tokenize='ascii', detail=none,"
        " content='reports_fts_text', content_rowid='report_rowid')"
    )
    conn.execute("insert into reports_fts(reports_fts) values ('rebuild')")
    conn.execute("drop index if exists check_results_passed")
    conn.execute("create index if not exists check_results_failed on check_results (report_id) where passed = 0")
    conn.execute("drop index if exists idx_cross_checks_passed_report_id")
    conn.execute("drop index if exists idx_cross_checks_earlier_report_id")
    conn.execute("create index if not exists cross_checks_failed on cross_checks (report_id) where passed = 0")
    conn.execute("drop index if exists reports_fingerprint")
    conn.execute(f"create index if not exists documents_vanished on documents (url) where {VANISHED}")


# The columns of `reports`, small ones first: SQLite stores a row's columns in order and puts
# what does not fit a page into overflow pages, so a column after a 20 KB text is read by
# walking that text's overflow chain. Facets, filters and counts read only small columns.
REPORT_COLUMNS = (
    ("id", "text primary key"), ("identity", "text"), ("agency", "text"), ("year", "integer"), ("region", "text"),
    ("format", "text"), ("url", "text"), ("title", "text"), ("published", "text"), ("fingerprint", "text"),
    ("version", "integer"), ("failed_checks", "integer"), ("needs_review", "integer"),
    ("cross_year_failed", "integer"), ("warnings", "integer"), ("parser_version", "text"), ("first_seen", "text"),
    ("updated_at", "text"), ("last_checked", "text"), ("removed", "integer"), ("document_id", "text"),
    ("capture_id", "integer"), ("body_text", "text"), ("record", "text"),
)


def _m015_small_columns_first(db: sqlite_utils.Database) -> None:
    """`reports` rebuilt with its small columns before body_text and record (REPORT_COLUMNS): a
    facet or filter on needs_review, failed_checks or removed no longer reads 20 KB per report.
    Rowids are kept (full-text search refers to them), and so are the indexes, less three that
    another covers (reports_identity = idx_reports_identity; (agency, year) and (year) are the
    prefixes of reports_agency_year_desc and reports_year_id); the indexes of the flags and the
    region gain the year (`needs_review = 1 and year = 2023` reads its 2,000 rows, not 100,000,
    and each facet of that page with it). Runs with foreign keys off (`rebuilds_tables`), as
    SQLite's procedure for changing a table's shape asks."""
    conn = db.conn
    with_year = ("needs_review", "failed_checks", "cross_year_failed", "region", "removed")
    indexes = [sql for name, sql in conn.execute(
        "select name, sql from sqlite_master where type = 'index' and tbl_name = 'reports' and sql is not null")
        if name not in ("reports_identity", "idx_reports_agency_year", "idx_reports_year")
        and name not in {f"idx_reports_{c}" for c in with_year}]
    indexes += [f"create index reports_{c}_year on reports ({c}, year)" for c in with_year]
    names = [name for name, _ in REPORT_COLUMNS]
    conn.execute("create table reports_rebuilt (" + ", ".join(f"{n} {t}" for n, t in REPORT_COLUMNS) + ")")
    conn.execute(f"insert into reports_rebuilt (rowid, {', '.join(names)}) select rowid, {', '.join(names)} from reports"
                 " order by rowid")
    conn.execute("drop table reports")
    conn.execute("alter table reports_rebuilt rename to reports")
    for sql in indexes:
        conn.execute(sql)


_m015_small_columns_first.rebuilds_tables = True  # type: ignore[attr-defined]


MIGRATIONS: list[Callable[[sqlite_utils.Database], None]] = [
    _m001_initial,
    _m002_search,
    _m003_content_hash,
    _m004_changes_view,
    _m005_lose_nothing,
    _m006_needs_review,
    _m007_rereadings,
    _m008_moves,
    _m009_cross_checks,
    _m010_compliance,
    _m011_cluster,
    _m012_compact,
    _m013_page_images,
    _m014_faster_writes,
    _m015_small_columns_first,
]


def insert_sql(verb: str, table: str, columns) -> str:
    """`insert [or replace] into table (a, b) values (?, ?)` — names come from our own code only."""
    return f"{verb} into {table} ({', '.join(columns)}) values ({', '.join('?' * len(columns))})"
