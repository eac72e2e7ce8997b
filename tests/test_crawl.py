"""A real crawl of the sample portal on 127.0.0.1, through the real spider, pipeline and SQLite."""

import gzip
import hashlib
import sqlite3
from urllib.parse import urlparse

import pytest
from portal import crawl, export, govreports, portal

from archive.record.model import numbers_of


@pytest.fixture(scope="module")
def crawled(tmp_path_factory):
    db = tmp_path_factory.mktemp("crawl") / "archive.db"
    with portal() as (server, foreign):
        result = crawl(server, db)
        yield {
            "result": result,
            "db": db,
            "site": server.site,
            "requests": server.requests,
            "foreign": foreign.requests,
            "records": export(db),
            "base": server.base_url,
        }


def test_crawl_exits_zero_and_summarises(crawled):
    result = crawled["result"]
    assert result.returncode == 0, result.stderr[-2000:]
    assert "pages fetched:" in result.stderr and "reports: 28 new" in result.stderr


def test_every_report_found_with_its_numbers(crawled):
    site, records = crawled["site"], crawled["records"]
    by_path = {urlparse(r["url"]).path: r for r in records}
    assert len(records) == len(site.expected_reports)
    for expected in site.expected_reports:
        record = by_path.get(expected["path"])
        assert record is not None, f"not archived: {expected['path']}"
        want, got = numbers_of(expected), numbers_of(record)
        assert {k: got[k] for k in want if want[k] != got[k]} == {}, expected["path"]
        assert (record["agency"], record["year"], record["format"]) == (
            expected["agency"],
            expected["year"],
            expected["format"],
        )


def test_no_lookalike_is_archived_as_a_report(crawled):
    paths = {urlparse(r["url"]).path for r in crawled["records"]}
    assert not paths & set(crawled["site"].lookalikes)


def test_robots_and_foreign_hosts_are_respected(crawled):
    paths = [r["path"] for r in crawled["requests"]]
    assert "/robots.txt" in paths
    assert not [p for p in paths if p.startswith("/admin/")]
    assert crawled["foreign"] == []


def test_calendar_trap_ends(crawled):
    calendar = [r["path"] for r in crawled["requests"] if r["path"].startswith("/calendar")]
    assert len(calendar) <= 3


def test_gbk_reports_are_decoded(crawled):
    gbk = [e for e in crawled["site"].expected_reports if e.get("encoding") == "gbk"]
    assert gbk
    titles = {urlparse(r["url"]).path: r["title"] for r in crawled["records"]}
    for expected in gbk:
        assert titles[expected["path"]] == expected["title"]


def test_flaky_page_archived_after_retries(crawled):
    flaky = list(crawled["site"].flaky)
    assert flaky
    for path in flaky:
        hits = [r["status"] for r in crawled["requests"] if r["path"] == path]
        assert hits[:3] == [500, 500, 200]
        assert path in {urlparse(r["url"]).path for r in crawled["records"]}


def test_fetch_log_and_raw_captures(crawled):
    conn = sqlite3.connect(crawled["db"])
    statuses = {row[0] for row in conn.execute("select distinct status from fetch_log")}
    assert {200, 404, 500} <= statuses
    rows = conn.execute(
        "select r.title, c.body_gzip, c.size, c.raw_sha256, c.headers from captures c"
        " join reports r on r.capture_id = c.id where r.format = '2021' and c.url like '%.htm%'"
    ).fetchall()
    assert len(rows) >= 10
    for _title, body, size, sha, headers in rows:
        raw = gzip.decompress(body)
        assert len(raw) == size and hashlib.sha256(raw).hexdigest() == sha
        assert "content-type" in headers.lower()
    listings = conn.execute("select count(*) from captures c join documents d on d.id = c.document_id"
                            " where d.role = 'listing'").fetchone()[0]
    assert listings >= 5
    assert conn.execute("select count(*) from check_results where passed = 0").fetchone()[0] >= 1


def test_nothing_crawlable_exits_non_zero(tmp_path):
    result = govreports("crawl", "http://127.0.0.1:9/", "--db", str(tmp_path / "x.db"), "-s", "RETRY_TIMES=0")
    assert result.returncode != 0
    assert "nothing could be crawled" in result.stderr


def test_scrapy_crawl_command_archives_too(tmp_path):
    """`scrapy crawl reports -a start_urls=…` from the repo root runs the same pipeline."""
    import os
    import subprocess
    import sys

    from portal import FAST, ROOT

    db = tmp_path / "scrapy.db"
    with portal() as (server, _foreign):
        result = subprocess.run(
            [sys.executable, "-m", "scrapy", "crawl", "reports", "-a", f"start_urls={server.base_url}/",
             "-s", f"GOVREPORTS_DB={db}", *FAST],
            cwd=ROOT, env=dict(os.environ, PYTHONPATH=str(ROOT)), capture_output=True, text=True, timeout=300,
        )
    assert result.returncode == 0, result.stderr[-2000:]
    assert sqlite3.connect(db).execute("select count(*) from reports").fetchone()[0] == 28


def test_reports_carry_a_region_to_facet_on(crawled):
    conn = sqlite3.connect(crawled["db"])
    regions = {row[0] for row in conn.execute("select distinct region from reports")}
    assert {"清河市", "淮安市"} <= regions
