"""Every page of a recrawl is asked for conditionally, list pages included.

A list or navigation page answers 304 to the validators of its last kept capture, and the crawl
follows its links from that capture (spiders/stored_pages.py): an unchanged portal costs 304s,
and a report added below unchanged pages is still found.
"""

import re
import sqlite3
from collections import Counter
from urllib.parse import urlparse

from portal import crawl, export, portal

from archive.demo.site import build_site


def _alert_kinds(db) -> Counter:
    conn = sqlite3.connect(db)
    try:
        return Counter(kind for (kind,) in conn.execute("select kind from alerts"))
    finally:
        conn.close()


def _paths(records) -> set[str]:
    return {urlparse(r["url"]).path for r in records}


def test_an_unchanged_portal_answers_304_to_most_of_a_recrawl(tmp_path):
    db = tmp_path / "archive.db"
    with portal() as (server, _foreign):
        expected = {r["path"] for r in server.site.expected_reports}
        first = crawl(server, db)
        assert first.returncode == 0, first.stderr[-2000:]
        server.clear_requests()
        again = crawl(server, db, "-s", "LOG_LEVEL=INFO")
        requests = server.requests
    assert again.returncode == 0, again.stderr[-2000:]
    statuses = Counter(r["status"] for r in requests)
    share = statuses[304] / len(requests)
    assert share >= 0.8, (share, statuses)
    # the list pages were among them, and their links came from their captures
    lists = [r for r in requests if r["path"].endswith("/index.html")]
    assert lists and all(r["status"] == 304 for r in lists if r["status"] != 404)
    assert all("If-None-Match" in r["headers"] for r in lists if r["status"] == 304)
    replayed = re.search(r"'govreports/read_from_capture': (\d+)", again.stderr)
    assert replayed and int(replayed.group(1)) >= len(lists) - statuses[404]
    assert "reports: 0 new, 0 revised, 0 text revised" in again.stderr
    assert _paths(export(db)) == expected


def test_reports_added_below_unchanged_pages_are_found(tmp_path):
    """The portal as it was, except a new report on one sub-column's list page, one revised and one
    prose-revised report (taken from the demo's second state): the pages above the changed list
    answer 304, and the new and changed reports still come through."""
    db = tmp_path / "archive.db"
    with portal() as (server, foreign):
        before = {r["path"] for r in server.site.expected_reports}
        first = crawl(server, db)
        assert first.returncode == 0, first.stderr[-2000:]
        alerts_before = _alert_kinds(db)

        later = build_site(state=2, foreign_base=foreign.localhost_url)
        changed = {c["path"]: c["kind"] for c in later.changes if c["kind"] in ("new", "revised", "text_revised")}
        (new,) = [p for p, kind in changed.items() if kind == "new"]
        site = build_site(foreign_base=foreign.localhost_url)
        linking = [p for p, page in later.pages.items() if new.rsplit("/", 1)[1].encode() in page.body]
        assert linking  # the list page(s) that show the new report
        for path in [*changed, *linking]:
            site.pages[path] = later.pages[path]
        server.set_site(site)
        server.clear_requests()
        again = crawl(server, db)
        requests = server.requests
    assert again.returncode == 0, again.stderr[-2000:]
    assert "reports: 1 new, 1 revised, 1 text revised" in again.stderr
    assert _paths(export(db)) == before | {new}
    status = {r["path"]: r["status"] for r in requests}
    assert all(status[p] == 200 for p in linking if p in status)
    parents = [p for p, s in status.items() if s == 304 and p.endswith("/index.html")]
    assert parents, "no list page above the new report answered 304"
    kinds = _alert_kinds(db) - alerts_before
    assert kinds["new"] == 1 and kinds["revised"] == 1 and kinds["text_revised"] == 1
