"""Recrawls of the sample portal: real changes become versions and alerts, noise does not."""

import json
import re
import socket
import sqlite3
import threading
import time
from http.server import ThreadingHTTPServer
from urllib.parse import urlparse

import pytest
from portal import crawl, govreports, portal
from webhook import receiver

from archive.demo.site import build_site


def _counts(db):
    conn = sqlite3.connect(db)
    return {t: conn.execute(f"select count(*) from {t}").fetchone()[0]
            for t in ("captures", "report_versions", "changes", "alerts", "reports")}


@pytest.fixture(scope="module")
def recrawled(tmp_path_factory):
    db = tmp_path_factory.mktemp("recrawl") / "archive.db"
    with portal() as (server, foreign):
        first = crawl(server, db)
        after_first = _counts(db)
        again = crawl(server, db)
        after_again = _counts(db)
        server.set_site(build_site(2, foreign_base=foreign.localhost_url))
        second = crawl(server, db)
        after_second = _counts(db)
        removed_after_second = _removed(db)
        third = crawl(server, db)  # the second crawl in a row that cannot fetch the removed report
        alerts = json.loads(govreports("alerts", "--db", str(db), "--format", "json").stdout)
        yield {
            "db": db, "first": first, "again": again, "second": second, "third": third, "site2": server.site,
            "counts": (after_first, after_again, after_second), "alerts": alerts,
            "removed_after_second": removed_after_second,
        }


def _removed(db):
    conn = sqlite3.connect(db)
    try:
        return conn.execute("select count(*) from reports where removed = 1").fetchone()[0]
    finally:
        conn.close()


def test_unchanged_recrawl_stores_nothing_and_counts_304s(recrawled):
    first, again, _ = recrawled["counts"]
    assert recrawled["again"].returncode == 0, recrawled["again"].stderr[-2000:]
    assert again == first
    m = re.search(r"\((\d+) not modified", recrawled["again"].stderr)
    assert m and int(m.group(1)) >= 20, recrawled["again"].stderr[-1500:]


def test_recrawl_stops_walking_lists_that_show_nothing_new(recrawled):
    def pages(result):
        return int(re.search(r"pages fetched: (\d+)", result.stderr).group(1))

    first, again = pages(recrawled["first"]), pages(recrawled["again"])
    # every archived report is rechecked (RECHECK_AFTER_HOURS=0 in the tests), but list pages
    # beyond one that shows only archived reports are not fetched again
    assert again < first


def _alerts_of(recrawled, kind):
    first_run_alerts = recrawled["counts"][0]["alerts"]
    return [a for a in recrawled["alerts"][first_run_alerts:] if a["kind"] == kind]


def test_revised_numbers_give_one_alert_with_exactly_the_changed_keys(recrawled):
    expected = [c for c in recrawled["site2"].changes if c["kind"] == "revised"]
    revised = _alerts_of(recrawled, "revised")
    assert len(revised) == len(expected) == 1
    alert, change = revised[0], expected[0]
    assert urlparse(alert["url"]).path == change["path"]
    assert sorted(alert["changed_fields"]) == sorted(change["fields"])
    for c in alert["changes"]:
        assert [c["old"], c["new"]] == change["fields"][c["field"]]


def test_boilerplate_only_change_makes_no_version(recrawled):
    quiet = [c["path"] for c in recrawled["site2"].changes if c["kind"] == "none"]
    assert quiet
    touched = {urlparse(a["url"]).path for a in recrawled["alerts"][recrawled["counts"][0]["alerts"]:]}
    assert not set(quiet) & touched
    conn = sqlite3.connect(recrawled["db"])
    for path in quiet:
        versions = conn.execute(
            "select max(v.version) from report_versions v join reports r on r.id = v.report_id where r.url like ?",
            [f"%{path}"],
        ).fetchone()[0]
        assert versions == 1


def test_prose_only_change_is_text_revised(recrawled):
    expected = [c["path"] for c in recrawled["site2"].changes if c["kind"] == "text_revised"]
    text = _alerts_of(recrawled, "text_revised")
    assert [urlparse(a["url"]).path for a in text] == expected
    assert text[0]["changed_fields"] == ["sections.problems"]


def test_new_and_removed_reports(recrawled):
    new = [c["path"] for c in recrawled["site2"].changes if c["kind"] == "new"]
    removed = [c["path"] for c in recrawled["site2"].changes if c["kind"] == "removed"]
    # one crawl that cannot fetch a report is not a removal; the second one in a row is
    assert recrawled["removed_after_second"] == 0
    assert "1 not found (removed if the next crawl cannot fetch them either)" in recrawled["second"].stderr
    assert "0 new, 0 revised, 0 text revised" in recrawled["third"].stderr and "1 removed" in recrawled["third"].stderr
    assert [urlparse(a["url"]).path for a in _alerts_of(recrawled, "new")] == new
    assert [urlparse(a["url"]).path for a in _alerts_of(recrawled, "removed")] == removed
    conn = sqlite3.connect(recrawled["db"])
    row = conn.execute("select removed, version from reports where url like ?", [f"%{removed[0]}"]).fetchone()
    assert row[0] == 1
    assert conn.execute(
        "select count(*) from report_versions v join reports r on r.id = v.report_id where r.url like ?",
        [f"%{removed[0]}"],
    ).fetchone()[0] >= 1


def test_alerts_json_shape(recrawled):
    for alert in recrawled["alerts"]:
        assert {"url", "kind", "changed_fields", "changes"} <= set(alert)
        assert alert["kind"] in ("new", "revised", "text_revised", "moved", "removed", "missing")


def test_delivery_once_and_retried_when_the_endpoint_is_down(tmp_path):
    db = tmp_path / "a.db"
    probe = socket.socket()
    probe.bind(("127.0.0.1", 0))
    port = probe.getsockname()[1]
    probe.close()  # nothing listens there until the endpoint is started below
    target = f"json://127.0.0.1:{port}/hook"
    with portal() as (site_server, foreign):
        # Endpoint down: the crawl's alerts wait.
        down = crawl(site_server, db, "--notify", target)
        assert down.returncode == 0, down.stderr[-2000:]
        pending = json.loads(govreports("alerts", "--db", str(db), "--format", "json").stdout)
        assert pending and all(a["delivery_state"] == "pending" for a in pending)
        Receiver = receiver()  # noqa: N806 - a handler class
        server = ThreadingHTTPServer(("127.0.0.1", port), Receiver)
        thread = threading.Thread(target=server.serve_forever, daemon=True)
        thread.start()
        try:
            site_server.set_site(build_site(2, foreign_base=foreign.localhost_url))
            up = crawl(site_server, db, "--notify", target)
            assert up.returncode == 0, up.stderr[-2000:]
            time.sleep(0.2)
            delivered = len(Receiver.received)
            again = crawl(site_server, db, "--notify", target)
            assert again.returncode == 0
        finally:
            server.shutdown()
    alerts = json.loads(govreports("alerts", "--db", str(db), "--format", "json").stdout)
    # every alert delivered once; the last crawl raised one more (the report removed by the
    # second crawl in a row that could not fetch it), delivered by that crawl
    assert delivered == len(alerts) - 1 and len(Receiver.received) == len(alerts)
    assert alerts[-1]["kind"] == "removed"
    assert all(a["delivery_state"] == "delivered" for a in alerts)
    bodies = " ".join(r.get("message", "") + r.get("title", "") for r in Receiver.received)
    assert "review_litigation.review.upheld" in bodies


def test_second_crawl_waits_for_the_lock(tmp_path):
    from archive.storage.lock import archive_lock

    db = tmp_path / "a.db"
    with archive_lock(db):
        result = govreports("crawl", "http://127.0.0.1:9/", "--db", str(db))
    assert result.returncode != 0
    assert "another crawl" in result.stderr
