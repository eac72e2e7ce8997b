"""`govreports reparse`: stored captures re-read by the current reader — re-readings, not revisions."""

import json
import re
import sqlite3

import pytest
from portal import crawl, govreports, portal

from archive.demo.site import build_site
from archive.parsing.version import READER_VERSION
from archive.storage.db import register_functions
from archive.storage.lock import archive_lock

OLD_READER = "0.0.1+older"


def _older_reader_wrote(db, report_id: str, key: tuple[str, str], value) -> None:
    """Make a stored record look as an older reader left it: one cell read differently."""
    conn = sqlite3.connect(db)
    record = json.loads(conn.execute("select record from reports where id = ?", [report_id]).fetchone()[0])
    record["requests"][key[0]][key[1]] = value
    record["parser_version"] = OLD_READER
    text = json.dumps(record, ensure_ascii=False)
    with conn:
        conn.execute("update reports set record = ?, fingerprint = 'older', parser_version = ? where id = ?",
                     [text, OLD_READER, report_id])
        conn.execute("update report_versions set record = ?, fingerprint = 'older' where report_id = ? and version = "
                     "(select version from reports where id = ?)", [text, report_id, report_id])
    conn.close()


def _reparse(db, *args):
    result = govreports("reparse", "--db", str(db), "--jobs", "2", *args)
    assert result.returncode == 0, result.stderr[-2000:]
    changed = int(re.search(r"records changed: (\d+)", result.stderr).group(1))
    return result, changed


@pytest.fixture(scope="module")
def archive(tmp_path_factory):
    db = tmp_path_factory.mktemp("reparse") / "archive.db"
    with portal() as (server, foreign):
        assert crawl(server, db).returncode == 0
        yield {"db": db, "server": server, "foreign": foreign}


def test_reparse_with_the_same_reader_changes_nothing(archive):
    result, changed = _reparse(archive["db"])
    assert changed == 0
    reports = sqlite3.connect(archive["db"]).execute("select count(*) from reports").fetchone()[0]
    assert f"reports re-read: {reports} " in result.stderr and "docs/s" in result.stderr
    versions = {v for (v,) in sqlite3.connect(archive["db"]).execute("select distinct parser_version from reports")}
    assert versions == {READER_VERSION}


def test_an_older_reading_is_reread_in_place_and_never_alerted(archive):
    db = archive["db"]
    conn = sqlite3.connect(db)
    report_id, right = conn.execute(
        "select report_id, value from request_cells where row_key = 'granted' and column_key = 'total' and value > 0"
        " order by report_id limit 1").fetchone()
    version = conn.execute("select version from reports where id = ?", [report_id]).fetchone()[0]
    alerts = conn.execute("select count(*) from alerts").fetchone()[0]
    conn.close()
    _older_reader_wrote(db, report_id, ("granted", "total"), right + 1000)

    result, changed = _reparse(db)
    assert changed == 1 and "cells changed: 1" in result.stderr
    conn = sqlite3.connect(db)
    row = conn.execute("select version, parser_version, record from reports where id = ?", [report_id]).fetchone()
    assert row[0] == version and row[1] == READER_VERSION
    assert json.loads(row[2])["requests"]["granted"]["total"] == right
    reread = conn.execute("select field, old_value, new_value, old_parser_version, new_parser_version from rereadings"
                          " where report_id = ?", [report_id]).fetchall()
    assert reread == [("requests.granted.total", str(right + 1000), str(right), OLD_READER, READER_VERSION)]
    assert conn.execute("select count(*) from alerts").fetchone()[0] == alerts
    assert conn.execute("select count(*) from changes where report_id = ? and version > ?",
                        [report_id, version]).fetchone()[0] == 0
    conn.close()
    _, again = _reparse(db)
    assert again == 0


def test_only_the_named_reports_and_not_while_a_crawl_holds_the_lock(archive):
    db = archive["db"]
    conn = sqlite3.connect(db)
    first, second = [r for (r,) in conn.execute("select id from reports order by id limit 2")]
    conn.close()
    _older_reader_wrote(db, first, ("new_requests", "total"), 99999)
    _older_reader_wrote(db, second, ("new_requests", "total"), 99999)
    result, changed = _reparse(db, "--report", first)
    assert changed == 1 and "reports re-read: 1 (and 0 other" in result.stderr
    with archive_lock(db):
        refused = govreports("reparse", "--db", str(db))
    assert refused.returncode != 0 and "another crawl" in refused.stderr
    _, changed = _reparse(db)
    assert changed == 1


def test_a_real_revision_after_a_reparse_still_alerts(archive):
    db, server, foreign = archive["db"], archive["server"], archive["foreign"]
    _reparse(db)
    server.set_site(build_site(2, foreign_base=foreign.localhost_url))
    assert crawl(server, db).returncode == 0
    alerts = json.loads(govreports("alerts", "--db", str(db), "--format", "json").stdout)
    expected = [c for c in server.site.changes if c["kind"] == "revised"]
    assert len([a for a in alerts if a["kind"] == "revised"]) == len(expected) == 1


def test_a_page_an_older_reader_did_not_read_as_a_report_is_found(archive):
    """As an older reader would have left it: the page fetched and kept, judged not a report."""
    db = archive["db"]
    conn = sqlite3.connect(db)
    register_functions(conn)  # reports_fts reads its text through a view that bigram-splits it
    report_id, url, record = conn.execute(
        "select id, url, record from reports where format = '2021' order by id limit 1").fetchone()
    alerts = conn.execute("select count(*) from alerts").fetchone()[0]
    with conn:
        for table in ("request_cells", "check_results", "changes", "report_versions", "rereadings", "alerts"):
            conn.execute(f"delete from {table} where report_id = ?", [report_id])
        conn.execute("delete from reports_fts where rowid = (select rowid from reports where id = ?)", [report_id])
        conn.execute("delete from reports where id = ?", [report_id])
        conn.execute("update documents set report_id = null, outcome = 'not_report' where url = ?", [url])
    conn.close()
    result, _ = _reparse(db)
    assert "documents now read as reports: 1" in result.stderr
    conn = sqlite3.connect(db)
    found = conn.execute("select record, version from reports where id = ?", [report_id]).fetchone()
    assert found is not None and found[1] == 1
    assert json.loads(found[0])["requests"] == json.loads(record)["requests"]
    assert conn.execute("select kind, old_value from rereadings where report_id = ?", [report_id]).fetchall() == [
        ("found", "not_report")]
    assert conn.execute("select count(*) from alerts").fetchone()[0] == alerts - 1  # its old alert went with it
    conn.close()
