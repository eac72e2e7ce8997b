"""Publication compliance (条例 art. 49) and regional figures, on real archives.

The archive of the middle tests is written through the ingest path (store_parsed) from one real
page, each copy given the agency, year, publication date and first-seen time chosen here; every
expected value below is worked out by hand from those choices and the deadlines (a people's
government: 31 March of the next year; every other agency, a township's government included:
31 January). The last tests run real Datasette and a real crawl of the sample portal.
"""

from __future__ import annotations

import copy
import hashlib
import json
import os
import socket
import sqlite3
import subprocess
import sys
import threading
import xml.etree.ElementTree as ET
from datetime import date
from http.server import ThreadingHTTPServer
from pathlib import Path

import pytest
from click.testing import CliRunner
from conftest import FILES
from webhook import receiver

from archive.cli import main
from archive.compliance import assess_archive, due_date, is_government, latest_due_year, refresh
from archive.ingest import ParseResult, store_parsed
from archive.parsing import parse_document
from archive.record.model import request_rows
from archive.sources import SourcesError, parse_sources
from archive.storage.alerts import deliver_pending, list_alerts
from archive.storage.db import Archive

ROOT = Path(__file__).resolve().parent.parent
PAGE = "html-official-haizhou-2024.html"
TODAY = date(2025, 6, 1)

DEPT = "清河市司法局"
GOV = "清河县人民政府"
STREET = "清河市东关街道办事处"
LISTED_NEVER = "清河市教育局"  # listed in the sources file, never published
LISTED_LATE_START = "清河市审计局"  # listed, first published for 2024
OLD_GAPS = "清河市民政局"  # a first crawl in 2025 finds 2019 and 2021 only

SOURCES_TOML = """
[[source]]
name = "src-a"
start_urls = ["http://127.0.0.1:9/a/"]
agencies = ["清河市教育局", "清河市 审计局"]

[[source]]
name = "src-b"
start_urls = ["http://127.0.0.1:9/b/"]
"""

# (agency, year, published as printed, first seen, source)
REPORTS = [
    (DEPT, 2021, "2022-01-31", "2022-01-31", "src-a"),  # on the deadline day: on time
    (DEPT, 2022, "2023-02-01", "2023-02-01", "src-a"),  # one day late
    (DEPT, 2024, "2025-01-10", "2025-01-10", "src-a"),  # 2023 is missing
    (GOV, 2023, "2024-03-31", "2024-03-31", "src-a"),  # a government's deadline day: on time
    (GOV, 2024, "2025-04-01", "2025-04-01", "src-a"),  # one day late
    (STREET, 2023, None, "2024-01-20", "src-a"),  # no date printed, seen before the deadline
    (STREET, 2024, None, "2025-02-05", "src-a"),  # no date printed, seen after it: undated
    (LISTED_LATE_START, 2024, "2025-01-20", "2025-01-20", "src-a"),
    (OLD_GAPS, 2019, "2020-01-10", "2025-05-01", "src-b"),
    (OLD_GAPS, 2021, "2022-01-10", "2025-05-01", "src-b"),
]

# As of TODAY (2025-06-01): departments up to 2024 (due 2025-01-31), the government too (due 2025-03-31).
EXPECTED = {
    (DEPT, 2021): ("on_time", "2022-01-31", "2022-01-31", 0),
    (DEPT, 2022): ("late", "2023-01-31", "2023-02-01", 1),
    (DEPT, 2023): ("missing", "2024-01-31", None, None),
    (DEPT, 2024): ("on_time", "2025-01-31", "2025-01-10", 0),
    (GOV, 2023): ("on_time", "2024-03-31", "2024-03-31", 0),
    (GOV, 2024): ("late", "2025-03-31", "2025-04-01", 1),
    (STREET, 2023): ("on_time", "2024-01-31", None, 0),
    (STREET, 2024): ("undated", "2025-01-31", None, None),
    # listed agencies are expected from src-a's first archived report year, 2021
    (LISTED_NEVER, 2021): ("missing", "2022-01-31", None, None),
    (LISTED_NEVER, 2022): ("missing", "2023-01-31", None, None),
    (LISTED_NEVER, 2023): ("missing", "2024-01-31", None, None),
    (LISTED_NEVER, 2024): ("missing", "2025-01-31", None, None),
    (LISTED_LATE_START, 2021): ("missing", "2022-01-31", None, None),
    (LISTED_LATE_START, 2022): ("missing", "2023-01-31", None, None),
    (LISTED_LATE_START, 2023): ("missing", "2024-01-31", None, None),
    (LISTED_LATE_START, 2024): ("on_time", "2025-01-31", "2025-01-20", 0),
    (OLD_GAPS, 2019): ("on_time", "2020-01-31", "2020-01-10", 0),
    (OLD_GAPS, 2020): ("missing", "2021-01-31", None, None),
    (OLD_GAPS, 2021): ("on_time", "2022-01-31", "2022-01-10", 0),
    (OLD_GAPS, 2022): ("missing", "2023-01-31", None, None),
    (OLD_GAPS, 2023): ("missing", "2024-01-31", None, None),
    (OLD_GAPS, 2024): ("missing", "2025-01-31", None, None),
}

# Alerted: missing years whose deadline passed while the archive was watching the agency — src-a
# since 2022-01-31 (its first report's first sighting) — and the latest overdue year of each agency;
# 民政局 is watched only since 2025-05-01, after all its gaps: only its latest one (2024) is alerted.
ALERTED = {(DEPT, 2023), (LISTED_NEVER, 2021), (LISTED_NEVER, 2022), (LISTED_NEVER, 2023), (LISTED_NEVER, 2024),
           (LISTED_LATE_START, 2021), (LISTED_LATE_START, 2022), (LISTED_LATE_START, 2023), (OLD_GAPS, 2024)}


# --- the deadlines --------------------------------------------------------------------------
def test_governments_are_due_in_march_every_other_agency_in_january():
    assert is_government("清河县人民政府") and is_government("淮安市人民政府") and is_government("河东区人民政府")
    assert due_date("清河县人民政府", 2024) == date(2025, 3, 31)
    for agency in ("清河市司法局", "清河市人民政府办公室", "河东区东关街道办事处", "清河县城关镇人民政府",
                   "清河县新集乡人民政府", "清河市发展和改革委员会"):
        assert not is_government(agency), agency
        assert due_date(agency, 2024) == date(2025, 1, 31), agency


def test_a_year_is_expected_only_once_its_deadline_has_passed():
    assert latest_due_year(DEPT, date(2025, 1, 31)) == 2023  # the deadline day itself is still in time
    assert latest_due_year(DEPT, date(2025, 2, 1)) == 2024
    assert latest_due_year(GOV, date(2025, 3, 31)) == 2023
    assert latest_due_year(GOV, date(2025, 4, 1)) == 2024


def test_sources_list_agencies_and_refuse_bad_lists():
    sources = {s.name: s for s in parse_sources(SOURCES_TOML)}
    assert sources["src-a"].agencies == [LISTED_NEVER, LISTED_LATE_START]  # whitespace dropped, as in records
    assert sources["src-b"].agencies == []
    with pytest.raises(SourcesError, match="agencies"):
        parse_sources('[[source]]\nname = "x"\nstart_urls = ["http://a.gov.cn/"]\nagencies = "清河市教育局"\n')


# --- an archive written through the ingest path ---------------------------------------------
def _store(archive: Archive, base: dict, text: str, agency: str, year: int, published: str | None, seen: str,
           source: str, region: str | None = None, figures: dict | None = None, kind: str = "new") -> None:
    record = copy.deepcopy(base)
    url = f"http://127.0.0.1:9/{source}/{year}/{hashlib.sha1(agency.encode()).hexdigest()[:8]}.html"
    record.update(agency=agency, year=year, published=published, url=url,
                  title=f"{agency}{year}年政府信息公开工作年度报告")
    for dotted, value in (figures or {}).items():
        node = record
        *path, last = dotted.split(".")
        for part in path:
            node = node[part]
        node[last] = value
    at = f"{seen}T02:00:00+00:00"
    fetch = archive.record_fetch(url=url, status=200, headers={"Content-Type": "text/html"},
                                 body=url.encode(), fetched_at=at, role="candidate", source=source,
                                 link_text=None, parent_url=None)
    result = store_parsed(archive, ParseResult(record, text), fetch, link_text=None, role="candidate", region=region)
    assert result.kind == kind, result


def _base() -> tuple[dict, str]:
    parsed = parse_document((FILES / PAGE).read_bytes(), url="http://127.0.0.1:9/x.html")
    return parsed.record, parsed.text


def _save_sources(archive: Archive) -> None:
    """As the crawl's pipeline does (crawler/pipelines.py)."""
    archive.save_sources([{"name": s.name, "agency": s.agency, "region": s.region, "start_urls": s.start_urls,
                           "hosts": s.hosts, "agencies": s.agencies} for s in parse_sources(SOURCES_TOML)])


@pytest.fixture
def archive_path(tmp_path) -> Path:
    path = tmp_path / "compliance.db"
    archive = Archive(path)
    base, text = _base()
    _save_sources(archive)
    for agency, year, published, seen, source in REPORTS:
        _store(archive, base, text, agency, year, published, seen, source)
    archive.close()
    return path


def test_every_expected_agency_and_year_is_judged(archive_path):
    archive = Archive(archive_path)
    try:
        found = assess_archive(archive, TODAY)
    finally:
        archive.close()
    got = {(a.agency, a.year): (a.status, a.due.isoformat(), a.published and a.published.isoformat(), a.days_late)
           for a in found}
    assert got == EXPECTED
    assert len(found) == len(EXPECTED)  # one row per agency and year


def test_the_command_lists_them_with_exactly_the_contract_keys(archive_path):
    runner = CliRunner()
    result = runner.invoke(main, ["compliance", "--db", str(archive_path), "--format", "json",
                                  "--today", TODAY.isoformat()])
    assert result.exit_code == 0, result.output
    rows = json.loads(result.output)
    assert all(set(row) == {"agency", "year", "status", "due", "published", "days_late"} for row in rows)
    assert {(r["agency"], r["year"]): (r["status"], r["due"], r["published"], r["days_late"]) for r in rows} == EXPECTED
    # A day earlier than each deadline, the years it closes are not expected yet.
    early = json.loads(runner.invoke(main, ["compliance", "--db", str(archive_path), "--format", "json",
                                            "--today", "2025-01-31"]).output)
    years = {(r["agency"], r["year"]) for r in early}
    assert (LISTED_NEVER, 2024) not in years and (LISTED_NEVER, 2023) in years
    assert (DEPT, 2024) in years  # archived before its deadline: listed, on time
    text = runner.invoke(main, ["compliance", "--db", str(archive_path), "--today", TODAY.isoformat()])
    assert text.exit_code == 0
    line = next(line for line in text.output.splitlines() if DEPT in line and line.startswith("2022"))
    assert line.split()[:5] == ["2022", "late", "2023-01-31", "2023-02-01", "1"]


def test_a_missing_report_is_alerted_once_delivered_and_listed(archive_path):
    archive = Archive(archive_path)
    Receiver = receiver()  # noqa: N806 - a handler class
    server = ThreadingHTTPServer(("127.0.0.1", 0), Receiver)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        first = refresh(archive, TODAY)
        assert {(a.agency, a.year) for a in first.alerted} == ALERTED
        assert refresh(archive, TODAY).alerted == []  # never twice
        sent, failed = deliver_pending(archive, [f"json://127.0.0.1:{server.server_address[1]}/hook"])
        assert (sent, failed) == (len(REPORTS) + len(ALERTED), 0)  # the `new` alerts and the missing ones
        assert refresh(archive, TODAY).alerted == []  # not after delivery either
        # A year on, each agency's 2025 deadline (31 January 2026) passed while watched; the
        # government's (31 March 2026) has not.
        later = refresh(archive, date(2026, 2, 1))
        assert {(a.agency, a.year) for a in later.alerted} == {
            (DEPT, 2025), (LISTED_NEVER, 2025), (LISTED_LATE_START, 2025), (STREET, 2025), (OLD_GAPS, 2025)}
        table = {(r["agency"], r["year"]): r["status"] for r in archive.db.query("select * from compliance")}
        assert table[(GOV, 2024)] == "late" and (GOV, 2025) not in table
    finally:
        server.shutdown()
        archive.close()
    missing_sent = [r for r in Receiver.received if "逾期未发布" in r.get("title", "")]
    assert len(missing_sent) == len(ALERTED)
    assert any("清河市教育局2021年" in r["title"] and "missing: 清河市教育局 2021" in r["message"] for r in missing_sent)
    listed = CliRunner().invoke(main, ["alerts", "--db", str(archive_path), "--format", "json"])
    missing = [a for a in json.loads(listed.output) if a["kind"] == "missing"]
    assert {(a["agency"], a["year"]) for a in missing} == ALERTED | {
        (DEPT, 2025), (LISTED_NEVER, 2025), (LISTED_LATE_START, 2025), (STREET, 2025), (OLD_GAPS, 2025)}
    assert all(a["delivery_state"] == "delivered" for a in missing if a["year"] < 2025)
    text = CliRunner().invoke(main, ["alerts", "--db", str(archive_path)])
    assert "missing" in text.output and "None" not in text.output


def test_the_same_alert_cannot_be_inserted_twice(archive_path):
    archive = Archive(archive_path)
    try:
        refresh(archive, TODAY)
        row = next(a for a in list_alerts(archive) if a["kind"] == "missing")
        again = {"kind": "missing", "agency": row["agency"], "year": row["year"], "title": "again",
                 "changed_fields": "[]", "detected_at": "2025-06-02T00:00:00+00:00", "delivery_state": "pending",
                 "attempts": 0}
        assert archive.insert_alert_once(again) is False  # the unique index, not only the caller, refuses it
    finally:
        archive.close()


# --- regions and rates ----------------------------------------------------------------------
DENIED = [row for row in request_rows() if row.startswith("denied")]
# (agency, year, region, new requests, granted, denied in the first denied row, processed,
#  review total / corrected, direct lawsuits total / corrected, lawsuits after review total / corrected)
FIGURES = [
    ("甲市司法局", 2023, "甲市", 40, 10, 4, 50, (6, 2), (3, 1), (1, 0)),
    ("甲市民政局", 2023, "甲市", 60, 30, 6, 50, (4, 1), (0, 0), (0, 0)),
    ("甲市司法局", 2024, "甲市", 20, 5, 2, 20, (0, 0), (0, 0), (0, 0)),
    ("乙县人民政府", 2023, "乙县", 100, 25, 10, 100, (10, 5), (10, 0), (0, 0)),
]


def _figures(new, granted, denied, processed, review, direct, after) -> dict:
    values = {"requests.new_requests.total": new, "requests.granted.total": granted,
              "requests.total_processed.total": processed}
    values.update({f"requests.{row}.total": 0 for row in DENIED})
    values[f"requests.{DENIED[0]}.total"] = denied
    for group, (total, corrected) in (("review", review), ("litigation_direct", direct),
                                      ("litigation_after_review", after)):
        values[f"review_litigation.{group}.total"] = total
        values[f"review_litigation.{group}.corrected"] = corrected
    return values


@pytest.fixture
def regions_path(tmp_path) -> Path:
    path = tmp_path / "regions.db"
    archive = Archive(path)
    base, text = _base()
    for agency, year, region, *numbers in FIGURES:
        _store(archive, base, text, agency, year, f"{year + 1}-01-10", f"{year + 1}-01-10", "src", region,
               _figures(*numbers))
    assert archive.refresh_report_figures() == len(FIGURES)  # what the end of a crawl does
    assert archive.refresh_report_figures() == 0  # nothing changed since
    archive.close()
    return path


# Worked by hand from FIGURES: 甲市 2023 = 司法局 + 民政局.
REGION_ROWS = [
    {"region": "乙县", "year": 2023, "reports": 1, "new_requests": 100, "granted": 25, "denied": 10,
     "processed": 100, "reviews": 10, "lawsuits": 10, "corrected": 5, "granted_pct": 25.0, "corrected_pct": 25.0},
    {"region": "甲市", "year": 2023, "reports": 2, "new_requests": 100, "granted": 40, "denied": 10,
     "processed": 100, "reviews": 10, "lawsuits": 4, "corrected": 4, "granted_pct": 40.0, "corrected_pct": 28.6},
    {"region": "甲市", "year": 2024, "reports": 1, "new_requests": 20, "granted": 5, "denied": 2,
     "processed": 20, "reviews": 0, "lawsuits": 0, "corrected": 0, "granted_pct": 25.0, "corrected_pct": None},
]


def test_regions_add_up_their_reports_and_give_the_rates(regions_path):
    with sqlite3.connect(regions_path) as conn:
        conn.row_factory = sqlite3.Row
        rows = [{k: row[k] for k in REGION_ROWS[0]}
                for row in conn.execute("select * from region_year_figures order by region, year")]
    assert rows == REGION_ROWS


def test_a_revised_report_changes_its_region_at_the_next_refresh(regions_path):
    archive = Archive(regions_path)
    try:
        base, text = _base()
        agency, year, region, *numbers = FIGURES[3]
        numbers[1] = 35  # 乙县 2023 now grants 35 of 100 in full
        _store(archive, base, text, agency, year, "2024-01-10", "2024-02-01", "src", region, _figures(*numbers),
               kind="revised")
        assert archive.refresh_report_figures() == 1  # only the revised report is read again
        row = archive.db.execute("select granted, granted_pct from region_year_figures where region = '乙县'").fetchone()
        assert row == (35, 35.0)
    finally:
        archive.close()


# --- in real Datasette ----------------------------------------------------------------------
ATOM = "{http://www.w3.org/2005/Atom}"
LABELS = {"on_time": "按时 on time", "late": "逾期 late", "missing": "未发布 missing", "undated": "无发布日期 undated"}


def test_canned_queries_and_charts_in_datasette(archive_path, regions_path, tmp_path):
    from datasette_dashboards import replace_opts_in_query
    from test_datasette import running_datasette

    archive = Archive(archive_path)
    try:
        refresh(archive, TODAY)
    finally:
        archive.close()
    with running_datasette(archive_path, tmp_path) as server:
        rows = server.rows("publication_compliance", _size="max")
        got = {(r["agency"], r["year"]): (r["status"], r["due"], r["published"], r["days_late"]) for r in rows}
        assert got == {k: (LABELS[v[0]], *v[1:]) for k, v in EXPECTED.items()}
        dashboards = server.json("/-/metadata.json")["plugins"]["datasette-dashboards"]
        grid = dashboards["compliance"]["charts"]["compliance_grid"]
        cells = server.json(f"/{grid['db']}.json", sql=replace_opts_in_query(grid["query"], {}), _shape="objects")["rows"]
        assert len(cells) == len(EXPECTED)
        assert {c["status"] for c in cells} == set(grid["display"]["layer"][0]["encoding"]["color"]["scale"]["domain"])
        late = next(c for c in cells if c["agency"] == DEPT and c["year"] == "2022")
        assert late["label"] == "+1 天"
        missing = server.json(f"/{grid['db']}.json", _shape="objects",
                              sql=replace_opts_in_query(dashboards["compliance"]["charts"]["missing_count"]["query"], {}))
        assert missing["rows"][0]["n"] == sum(1 for v in EXPECTED.values() if v[0] == "missing")
        status, _, page = server.get("/-/dashboards/compliance")
        assert status == 200 and "按时发布" in page.decode()
        alerts = [a for a in server.rows("recent_alerts") if a["kind"] == "逾期未发布 missing"]
        assert {(a["agency"], a["year"]) for a in alerts} == ALERTED
        status, _, feed = server.get("/DB/recent_alerts.atom")
        entries = ET.fromstring(feed).findall(f"{ATOM}entry")
        links = [e.find(f"{ATOM}link").get("href") for e in entries if "逾期未发布" in e.findtext(f"{ATOM}title")]
        assert status == 200 and len(links) == len(ALERTED)
        assert f"urn:govreports:missing:{LISTED_NEVER}:2021" in links
    with running_datasette(regions_path, tmp_path) as server:
        everything = server.rows("regions_and_rates", _size="max")
        assert [{k: r[k] for k in REGION_ROWS[0]} for r in everything] == REGION_ROWS
        one = server.rows("regions_and_rates", region="甲市")
        assert [r["year"] for r in one] == [2023, 2024] and {r["region"] for r in one} == {"甲市"}
        charts = server.json("/-/metadata.json")["plugins"]["datasette-dashboards"]["regions"]["charts"]
        rates = charts["rates_by_year"]
        for options, expected in (({}, {("2023", 32.5), ("2024", 25.0)}),  # (25+40)/(100+100); 5/20
                                  ({"region": "甲市"}, {("2023", 40.0), ("2024", 25.0)})):
            got = server.json(f"/{rates['db']}.json", sql=replace_opts_in_query(rates["query"], options),
                              _shape="objects", **options)["rows"]
            assert {(r["year"], r["percent"]) for r in got if r["rate"].startswith("全部公开率")} == expected
        corrected = server.json(f"/{rates['db']}.json", sql=replace_opts_in_query(rates["query"], {}),
                                _shape="objects")["rows"]
        assert {(r["year"], r["percent"]) for r in corrected if r["rate"].startswith("纠错率")} == {("2023", 26.5)}
        totals = charts["totals_by_year"]
        got = server.json(f"/{totals['db']}.json", sql=replace_opts_in_query(totals["query"], {"region": "乙县"}),
                          _shape="objects", region="乙县")["rows"]
        assert {r["measure"]: r["count"] for r in got} == {
            "1 新收申请 new requests": 100, "2 予以公开 granted": 25, "3 不予公开 denied": 10,
            "4 行政复议 reviews": 10, "5 行政诉讼 lawsuits": 10, "6 被纠错 corrected": 5}


# --- a real crawl of the sample portal with a sources file ----------------------------------
def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def test_a_crawl_judges_the_sample_portal_and_a_listed_agency(tmp_path):
    """The sample portal publishes one department report a day late (发改委 2022) and one
    government report 18 days late (河东区 2023); its sources entry lists 清河市教育局, which
    publishes nothing: missing every year from the portal's first report year (2019)."""
    from archive.demo.server import serve_demo

    db = tmp_path / "crawled.db"
    env = dict(os.environ, PYTHONPATH=str(ROOT), GOVREPORTS_TODAY="2025-06-01")
    with serve_demo(state=1, port=_free_port()) as base:
        sources = tmp_path / "sources.toml"
        host = base.split("//", 1)[1]
        sources.write_text(f'[[source]]\nname = "qinghe"\nstart_urls = ["{base}/"]\nhosts = ["{host}"]\n'
                           f'agencies = ["清河市教育局"]\n', encoding="utf-8")
        result = subprocess.run(
            [sys.executable, "-m", "archive", "crawl", "--sources", str(sources), "--db", str(db),
             "-s", "DOWNLOAD_DELAY=0", "-s", "AUTOTHROTTLE_ENABLED=False", "-s", "RETRY_BACKOFF_BASE=0.05"],
            cwd=ROOT, env=env, capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr[-3000:]
    assert "publication compliance as of 2025-06-01" in result.stderr
    with sqlite3.connect(db) as conn:
        rows = {(a, y): (s, p, d) for a, y, s, p, d in conn.execute(
            "select agency, year, status, published, days_late from compliance")}
        assert json.loads(conn.execute("select agencies from sources where name = 'qinghe'").fetchone()[0]) == [
            "清河市教育局"]
    assert rows[("清河市发展和改革委员会", 2022)] == ("late", "2023-02-01", 1)
    assert rows[("清河市河东区人民政府", 2023)] == ("late", "2024-04-18", 18)
    assert rows[("清河市人民政府", 2024)][0] == "on_time"
    assert [y for (a, y), v in sorted(rows.items()) if a == "清河市教育局" and v[0] == "missing"] == list(
        range(2019, 2025))
    assert not any(y == 2025 for _, y in rows)  # as of 2025-06-01 no 2025 report is due yet
