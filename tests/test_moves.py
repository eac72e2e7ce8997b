"""A report that moves is the same report; one crawl that cannot fetch a report is no removal.

Each test serves a small portal on 127.0.0.1 (a report column listing real-format report pages
taken from the sample portal) and crawls it several times with the real CLI in a subprocess,
changing the portal between crawls as a CMS migration, an outage or a deletion would.
"""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import pytest
from portal import export, govreports
from test_datasette import running_datasette

from archive.demo.server import PortalServer
from archive.demo.site import Page, Site, build_site

# Two reports of the sample portal's 清河市发展和改革委员会 (one page each, no attachments).
MOVING = ("清河市发展和改革委员会", 2023)  # the sample portal's state 2 corrects some of its numbers
STAYING = ("清河市发展和改革委员会", 2022)
OLD, NEW = "/art/2024/1/22/art_1229_2204672.html", "/zwgk/fdzdgknr/ndbg/202401/t20240122_100.html"
KEPT = "/art/2023/2/1/art_1229_6706370.html"
COLUMN = "/zfxxgknb/index.html"


@pytest.fixture(scope="module")
def bodies() -> dict[str, bytes]:
    one, two = build_site(1), build_site(2)
    assert (one.report(OLD)["agency"], one.report(OLD)["year"]) == MOVING
    assert (one.report(KEPT)["agency"], one.report(KEPT)["year"]) == STAYING
    return {"moving": one.pages[OLD].body, "revised": two.pages[OLD].body, "staying": one.pages[KEPT].body}


def column_site(bodies: dict[str, bytes], pages: dict[str, str]) -> Site:
    """A report column linking `pages` (path → which body), each served at its path."""
    links = "".join(
        f'<li><a href="{path}">{MOVING[0] if which != "staying" else STAYING[0]}'
        f'{MOVING[1] if which != "staying" else STAYING[1]}年政府信息公开工作年度报告</a></li>'
        for path, which in pages.items()
    )
    index = (
        "<html><head><meta charset='utf-8'><title>政府信息公开年报</title></head><body>"
        f"<h2>政府信息公开年报</h2><ul>{links}</ul></body></html>"
    ).encode()
    served = {COLUMN: Page(index, role="list")}
    served.update({path: Page(bodies[which], role="report") for path, which in pages.items()})
    return Site(1, served, [], [], [], [], {}, {}, [], [], [], [])


def unlisted(site: Site, path: str, which: str, bodies: dict[str, bytes]) -> Site:
    """The same site, with one more page served but not linked (an old URL still answering)."""
    site.pages[path] = Page(bodies[which], role="report")
    return site


def run(server: PortalServer, db: Path) -> str:
    result = govreports("crawl", server.base_url + COLUMN, "--db", str(db), "-s", "DOWNLOAD_DELAY=0",
                        "-s", "AUTOTHROTTLE_ENABLED=False", "-s", "RETRY_BACKOFF_BASE=0.01",
                        "-s", "GOVREPORTS_RECHECK_AFTER_HOURS=0", "-s", "GOVREPORTS_SITEMAPS=False")
    assert result.returncode == 0, result.stderr[-3000:]
    return result.stderr


def alerts(db: Path) -> list[dict]:
    """The reports' alerts (the `missing` ones of publication compliance: tests/test_compliance.py)."""
    listed = json.loads(govreports("alerts", "--db", str(db), "--format", "json").stdout)
    return [a for a in listed if a["kind"] != "missing"]


def query(db: Path, sql: str, *params) -> list[tuple]:
    conn = sqlite3.connect(db)
    try:
        return conn.execute(sql, params).fetchall()
    finally:
        conn.close()


def report_of(db: Path, agency_year: tuple[str, int]) -> dict:
    conn = sqlite3.connect(db)
    conn.row_factory = sqlite3.Row
    try:
        row = conn.execute("select * from reports where agency = ? and year = ?", agency_year).fetchone()
        return dict(row) if row else {}
    finally:
        conn.close()


def first_crawl(server: PortalServer, db: Path) -> dict:
    run(server, db)
    before = report_of(db, MOVING)
    assert before["url"] == server.base_url + OLD and before["version"] == 1
    assert [a["kind"] for a in alerts(db)] == ["new", "new"]
    return before


def test_a_moved_report_keeps_its_id_and_history_and_raises_one_moved_alert(bodies, tmp_path):
    db = tmp_path / "a.db"
    with PortalServer(column_site(bodies, {OLD: "moving", KEPT: "staying"})) as server:
        before = first_crawl(server, db)
        # the CMS is migrated: the old URL answers 404, the column links the report's new URL
        server.set_site(column_site(bodies, {NEW: "moving", KEPT: "staying"}))
        summary = run(server, db)
        base = server.base_url
    after = report_of(db, MOVING)
    assert after["id"] == before["id"] and after["version"] == 1 and after["removed"] == 0
    assert after["url"] == base + NEW and after["first_seen"] == before["first_seen"]
    assert query(db, "select url, moved_to from report_aliases where report_id = ?", after["id"]) == [
        (base + OLD, base + NEW)]
    new_alerts = alerts(db)[2:]
    assert [(a["kind"], a["url"]) for a in new_alerts] == [("moved", base + NEW)]
    assert new_alerts[0]["changes"] == [{"field": "url", "label_zh": "网址", "old": base + OLD, "new": base + NEW}]
    assert query(db, "select count(*) from reports")[0][0] == 2
    assert "1 moved, 0 removed" in summary
    assert {r["url"] for r in export(db)} == {base + NEW, base + KEPT}
    # Datasette: the moved_reports query, the report's links, the alert's kind
    with running_datasette(db, tmp_path) as ds:
        [moved] = ds.rows("moved_reports")
        assert (moved["agency"], moved["year"], moved["old_url"], moved["current_url"]) == (*MOVING, base + OLD, base + NEW)
        links = {r["link"] for r in ds.rows("report_links", report_id=after["id"])}
        assert base + OLD in links and base + NEW in links
        assert "已迁移 moved" in {r["kind"] for r in ds.rows("recent_alerts")}
        aliases = ds.json("/DB/report_aliases.json", _shape="array", report_id=after["id"])
        assert [a["url"] for a in aliases] == [base + OLD]


def test_a_move_with_a_revision_is_one_report_with_a_second_version(bodies, tmp_path):
    db = tmp_path / "a.db"
    with PortalServer(column_site(bodies, {OLD: "moving", KEPT: "staying"})) as server:
        before = first_crawl(server, db)
        server.set_site(column_site(bodies, {NEW: "revised", KEPT: "staying"}))
        run(server, db)
        base = server.base_url
    after = report_of(db, MOVING)
    assert after["id"] == before["id"] and after["version"] == 2 and after["url"] == base + NEW
    kinds = [(a["kind"], a["url"]) for a in alerts(db)[2:]]
    assert sorted(kinds) == [("moved", base + NEW), ("revised", base + NEW)]
    revised = next(a for a in alerts(db) if a["kind"] == "revised")
    # the sample portal's state 2 corrects these numbers of this report (archive/demo/site.py)
    truth = next(c for c in build_site(2).changes if c["path"] == OLD)
    assert sorted(revised["changed_fields"]) == sorted(truth["fields"])
    versions = query(db, "select version, url from report_versions where report_id = ? order by version", after["id"])
    assert versions == [(1, base + OLD), (2, base + NEW)]


def test_new_url_seen_while_the_old_one_still_answers_then_the_old_one_vanishes(bodies, tmp_path):
    """The order the other way round: the new page is found first (a copy, no alert), the old
    URL answers 404 a crawl later — the report moves to the copy then, with no new/removed."""
    db = tmp_path / "a.db"
    with PortalServer(column_site(bodies, {OLD: "moving", KEPT: "staying"})) as server:
        before = first_crawl(server, db)
        server.set_site(unlisted(column_site(bodies, {NEW: "moving", KEPT: "staying"}), OLD, "moving", bodies))
        run(server, db)
        assert report_of(db, MOVING)["url"] == server.base_url + OLD  # the old URL still answers
        assert len(alerts(db)) == 2
        server.set_site(column_site(bodies, {NEW: "moving", KEPT: "staying"}))
        run(server, db)
        base = server.base_url
    after = report_of(db, MOVING)
    assert (after["id"], after["version"], after["url"], after["removed"]) == (before["id"], 1, base + NEW, 0)
    assert [a["kind"] for a in alerts(db)[2:]] == ["moved"]
    assert query(db, "select url from report_aliases") == [(base + OLD,)]


def test_a_report_that_vanishes_is_removed_only_by_the_second_crawl_that_cannot_fetch_it(bodies, tmp_path):
    db = tmp_path / "a.db"
    with PortalServer(column_site(bodies, {OLD: "moving", KEPT: "staying"})) as server:
        first_crawl(server, db)
        server.set_site(column_site(bodies, {KEPT: "staying"}))
        once = run(server, db)
        assert report_of(db, MOVING)["removed"] == 0
        assert len(alerts(db)) == 2
        assert "0 removed, 1 not found (removed if the next crawl cannot fetch them either)" in once
        with running_datasette(db, tmp_path) as ds:
            status = {(r["agency"], r["year"]): r["status"] for r in ds.rows("latest_reports")}
        assert status == {MOVING: "暂未找到 not found in the last crawl", STAYING: "在线 online"}
        twice = run(server, db)
        base = server.base_url
    assert "0 moved, 1 removed" in twice
    after = report_of(db, MOVING)
    assert after["removed"] == 1 and after["version"] == 1 and after["url"] == base + OLD
    assert query(db, "select missed, gone from documents where url = ?", base + OLD) == [(2, 1)]
    assert [(a["kind"], a["url"]) for a in alerts(db)[2:]] == [("removed", base + OLD)]
    assert query(db, "select count(*) from report_aliases")[0][0] == 0


def test_one_outage_is_not_a_removal(bodies, tmp_path):
    db = tmp_path / "a.db"
    with PortalServer(column_site(bodies, {OLD: "moving", KEPT: "staying"})) as server:
        before = first_crawl(server, db)
        server.set_site(column_site(bodies, {KEPT: "staying"}))  # the page answers 404 for one crawl
        run(server, db)
        assert query(db, "select missed from documents where url = ?", server.base_url + OLD) == [(1,)]
        server.set_site(column_site(bodies, {OLD: "moving", KEPT: "staying"}))  # and is back
        run(server, db)
        server.set_site(column_site(bodies, {KEPT: "staying"}))  # a second outage, not in a row
        run(server, db)
        base = server.base_url
    after = report_of(db, MOVING)
    assert (after["id"], after["version"], after["url"], after["removed"]) == (before["id"], 1, base + OLD, 0)
    assert len(alerts(db)) == 2
    assert query(db, "select missed, gone from documents where url = ?", base + OLD) == [(1, 0)]


def test_a_report_known_only_by_its_url_moves_by_its_content(bodies, tmp_path):
    """No agency or year (a page that names neither): the report is found again at its new URL
    by its content fingerprint, once its old URL answered 404."""
    from archive.ingest import parse_in_worker, record_gone, settle_vanished, store_parsed
    from archive.storage.db import Archive

    old, new = "http://127.0.0.1:9" + OLD, "http://127.0.0.1:9" + NEW
    archive = Archive(tmp_path / "a.db")

    def fetch_and_store(url: str, at: str):
        parsed = parse_in_worker(bodies["moving"], url, "text/html; charset=utf-8", None)
        parsed.record.update(agency=None, year=None)  # what a page naming neither gives
        parsed.fingerprint = None  # recomputed from the record as stored
        fetch = archive.record_fetch(url=url, status=200, headers={}, body=bodies["moving"], fetched_at=at,
                                     role="candidate", source="portal", link_text=None, parent_url=None)
        return store_parsed(archive, parsed, fetch, link_text=None, role="candidate", run_id=1)

    try:
        first = fetch_and_store(old, "2025-01-01T00:00:00+00:00")
        assert first.kind == "new"
        assert record_gone(archive, old, 404, "2025-02-01T00:00:00+00:00", run_id=2).kind == "vanished"
        moved = fetch_and_store(new, "2025-02-01T00:00:01+00:00")
        assert (moved.kind, moved.report_id, moved.moved_from) == ("moved", first.report_id, old)
        assert settle_vanished(archive, 2, finished=True) == (0, 0)
        again = fetch_and_store(new, "2025-03-01T00:00:00+00:00")  # found again by its current URL
        assert (again.kind, again.report_id) == ("unchanged", first.report_id)
        assert archive.db["reports"].count == 1
        assert [a["kind"] for a in archive.db["alerts"].rows] == ["new", "moved"]
    finally:
        archive.close()
