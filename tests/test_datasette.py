"""The archive in real Datasette: metadata, canned queries, search, feed, downloads, charts.

One archive per module, made by real crawls of the sample portal: ``govreports demo`` (state 1),
then Datasette is started on it and the portal's revised state 2 is crawled into the same file
while Datasette serves it (at the portal's same address, as a real portal keeps its address),
so the revisions, the removal and the alerts it shows were written under a running server.
Every check reads Datasette's JSON and compares it with the stored records.
"""

from __future__ import annotations

import gzip
import json
import os
import socket
import sqlite3
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import pytest

from archive.datasette.server import (
    ServeError,
    build_metadata,
    datasette_command,
    serve_archive,
    write_metadata,
)
from archive.record.model import applicant_columns, field_labels, request_rows

ROOT = Path(__file__).resolve().parent.parent
FAST = ["-s", "DOWNLOAD_DELAY=0", "-s", "AUTOTHROTTLE_ENABLED=False", "-s", "RETRY_BACKOFF_BASE=0.05"]
FAILING = ("清河市卫生健康委员会", 2020)  # the portal's one report whose totals do not add up
BROKEN_CHAIN = ("清河市人民政府", 2023)  # carries over 3 more (自然人) than its 2022 report carried forward
MISSTATED = ("清河市发展和改革委员会", 2024)  # its prose states 10 more new requests than its table
REVISED = ("清河市发展和改革委员会", 2023)  # state 2 corrects some of its numbers
TEXT_REVISED = ("清河市卫生健康委员会", 2023)  # state 2 rewrites its section 五
ATOM = "{http://www.w3.org/2005/Atom}"


# --- helpers (test_browser.py uses them too) ---------------------------------------------------
def govreports(*args: str, timeout: int = 180) -> subprocess.CompletedProcess:
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    return subprocess.run([sys.executable, "-m", "archive", *args], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=timeout)


def make_demo_archive(db: Path) -> None:
    result = govreports("demo", "--db", str(db), "--port", str(demo_port(db)))
    assert result.returncode == 0, result.stderr[-3000:]


def crawl_state_2(db: Path) -> None:
    """Crawl the portal's revised state at the address state 1 was served from, twice: the
    report it no longer serves is removed by the second crawl that cannot fetch it."""
    for _ in range(2):
        result = govreports("demo", "--db", str(db), "--state", "2", "--port", str(demo_port(db)))
        assert result.returncode == 0, result.stderr[-3000:]


WORD_97 = "http://127.0.0.1:9/zfxxgknb/2024年度报告.doc"


def store_unreadable_word_file(db: Path) -> None:
    """A Word 97 attachment, which the reader does not read, stored the way a crawl stores it."""
    from archive.ingest import parse_in_worker, store_parsed
    from archive.storage.db import Archive

    body = bytes.fromhex("d0cf11e0a1b11ae1") + b"\0" * 2048  # the OLE2 signature: a .doc/.wps file
    archive = Archive(db)
    try:
        fetch = archive.record_fetch(
            url=WORD_97, status=200, headers={"Content-Type": "application/msword"}, body=body,
            fetched_at="2025-02-01T00:00:00+00:00", role="attachment", source="demo", link_text="2024年度报告.doc",
            parent_url=None,
        )
        store_parsed(archive, parse_in_worker(body, WORD_97, "application/msword", None), fetch,
                     link_text="2024年度报告.doc", role="attachment")
    finally:
        archive.close()


_DEMO_PORTS: dict[str, int] = {}


def demo_port(db: Path) -> int:
    """One free port per archive, kept for its second demo run (report URLs include it)."""
    return _DEMO_PORTS.setdefault(str(db), free_port())


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@dataclass
class Server:
    base: str
    name: str
    db: Path
    process: subprocess.Popen
    log: Path

    def url(self, path: str, **params: object) -> str:
        path = path.replace("DB", self.name, 1) if path.startswith("/DB") else path
        query = urllib.parse.urlencode({k: v for k, v in params.items()})
        return self.base + path + (("&" if "?" in path else "?") + query if query else "")

    def get(self, path: str, **params: object) -> tuple[int, dict[str, str], bytes]:
        try:
            with urllib.request.urlopen(self.url(path, **params), timeout=30) as response:
                return response.status, {k.lower(): v for k, v in response.headers.items()}, response.read()
        except urllib.error.HTTPError as error:
            return error.code, {k.lower(): v for k, v in error.headers.items()}, error.read()

    def json(self, path: str, **params: object):
        status, _, body = self.get(path, **params)
        assert status == 200, f"{path} {params}: {status} {body[:500]!r}\n{self.log.read_text()[-2000:]}"
        return json.loads(body)

    def rows(self, query: str, **params: object) -> list[dict]:
        return self.json(f"/DB/{query}.json", _shape="array", **params)


@contextmanager
def running_datasette(db: Path, workdir: Path) -> Iterator[Server]:
    """The real server (``datasette serve`` with the project's metadata and plugins) on a free port."""
    port = free_port()
    log = workdir / f"datasette-{port}.log"
    command = datasette_command(db, port=port, host="127.0.0.1", metadata_path=write_metadata(db, workdir))
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    with log.open("wb") as out:
        process = subprocess.Popen(command, cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT)
    server = Server(f"http://127.0.0.1:{port}", db.stem, db, process, log)
    try:
        deadline = time.monotonic() + 30
        while True:
            if process.poll() is not None:
                pytest.fail(f"datasette exited with {process.returncode}:\n{log.read_text()[-3000:]}")
            try:
                if server.get("/-/versions.json")[0] == 200:
                    break
            except OSError:
                pass
            if time.monotonic() > deadline:
                pytest.fail(f"datasette did not answer within 30 s:\n{log.read_text()[-3000:]}")
            time.sleep(0.2)
        yield server
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def records(db: Path) -> dict[str, dict]:
    """report id → its stored record (read with sqlite3, not through Datasette)."""
    with sqlite3.connect(db) as conn:
        return {rid: json.loads(rec) for rid, rec in conn.execute("select id, record from reports")}


def report_id(db: Path, agency: str, year: int) -> str:
    with sqlite3.connect(db) as conn:
        return conn.execute("select id from reports where agency = ? and year = ?", [agency, year]).fetchone()[0]


# --- the archive and its server ---------------------------------------------------------------
@pytest.fixture(scope="module")
def server(tmp_path_factory) -> Iterator[Server]:
    workdir = tmp_path_factory.mktemp("datasette")
    db = workdir / "demo-archive.db"  # Datasette calls it demo-archive, not the placeholder
    make_demo_archive(db)
    store_unreadable_word_file(db)
    with running_datasette(db, workdir) as running:
        crawl_state_2(db)  # written while Datasette serves the file
        yield running


# --- instance, metadata, plugins --------------------------------------------------------------
QUERIES = {"latest_reports", "failed_checks", "unreadable_documents", "recent_alerts", "agency_years", "year_across_agencies",
           "search_reports", "report_view", "report_checks", "report_history", "report_links",
           "publication_compliance", "regions_and_rates", "moved_reports"}


def test_metadata_is_keyed_by_the_database_name(server):
    metadata = server.json("/-/metadata.json")
    assert list(metadata["databases"]) == [server.name]
    database = metadata["databases"][server.name]
    assert set(database["queries"]) == QUERIES
    assert "万元" in json.dumps(metadata, ensure_ascii=False)
    charts = metadata["plugins"]["datasette-dashboards"]["overview"]["charts"]
    assert {chart["db"] for chart in charts.values()} == {server.name}
    assert "{db}" not in json.dumps(metadata)
    listed = server.json("/DB.json")
    assert {q["name"] for q in listed["queries"]} == QUERIES
    hidden = {t["name"] for t in listed["tables"] if t["hidden"]}
    assert "reports_fts" in hidden and "reports" not in hidden


def test_datasette_0_65_with_the_project_plugins(server):
    assert server.json("/-/versions.json")["datasette"]["version"].startswith("0.65.")
    names = {p["name"] for p in server.json("/-/plugins.json")}
    assert {"datasette-atom", "datasette-dashboards"} <= names
    assert {f"archive.datasette.plugins.{m}" for m in ("search", "links", "captures", "assets")} <= names


def test_the_archive_is_opened_read_only_and_not_immutable(server):
    command = datasette_command(server.db, port=1, metadata_path="m.json")
    assert "--immutable" not in command and "-i" not in command
    database = next(d for d in server.json("/-/databases.json") if d["name"] == server.name)
    assert database["is_mutable"] is True


def test_reports_table_metadata(server):
    table = server.json("/DB/reports.json", _size=1)
    facets = set(table["facet_results"])
    assert {"year", "agency", "format", "failed_checks", "needs_review"} <= facets
    assert table["human_description_en"] == "sorted by year descending"
    assert "reports_fts" in server.json("/-/metadata.json")["databases"][server.name]["tables"]["reports"]["fts_table"]


# --- canned queries ---------------------------------------------------------------------------
def test_latest_reports_one_row_per_agency_and_year(server):
    rows = server.rows("latest_reports")
    stored = records(server.db)
    assert len(rows) == len(stored) == 29  # 28 reports, one more published in state 2
    assert len({(r["agency"], r["year"]) for r in rows}) == len(rows)
    by_key = {(r["agency"], r["year"]): r for r in rows}
    assert by_key[REVISED]["version"] == 2  # revised after Datasette started: read live from WAL
    assert by_key[("清河市卫生健康委员会", 2021)]["status"] == "已撤下 removed"
    for row in rows:
        assert row["title"] == stored[row["report_id"]]["title"]
        assert row["url"].startswith("http://127.0.0.1:")


def test_failed_checks_names_the_one_failing_report(server):
    rows = server.rows("failed_checks")
    arithmetic = [r for r in rows if not r["rule"].startswith(("prose.", "cross_year."))]
    assert {(r["agency"], r["year"]) for r in arithmetic} == {FAILING}
    with sqlite3.connect(server.db) as conn:
        failed = {(rule, detail) for rule, detail in conn.execute(
            "select rule, detail from check_results where passed = 0 union all"
            " select rule, detail from cross_checks where passed = 0")}
    assert {(r["rule"], r["detail"]) for r in rows} == failed
    assert all(r["rule_zh"] and "but" in r["detail"] for r in arithmetic)
    # the portal's broken chain and its report whose words contradict its table, and nothing else
    others = {(r["agency"], r["year"], r["rule"]) for r in rows if r not in arithmetic}
    assert others == {(*BROKEN_CHAIN, "cross_year.natural_person"), (*BROKEN_CHAIN, "cross_year.total"),
                      (*MISSTATED, "prose.requests.new_requests.total")}
    assert all(r["rule_zh"] for r in rows)


def test_the_broken_chain_on_the_report_page_and_as_facets(server):
    rid = report_id(server.db, *BROKEN_CHAIN)
    rows = server.rows("report_checks", report_id=rid)
    chain = {r["rule"]: r for r in rows if r["kind"] == "跨年度衔接 chain with the year before"}
    assert set(chain) == {f"cross_year.{c}" for c in applicant_columns()}
    failed = [r for r in rows if r["result"] == "未通过 FAILED"]
    assert [r["rule"] for r in failed] == ["cross_year.natural_person", "cross_year.total"]
    assert rows[: len(failed)] == failed  # failures first
    earlier = report_id(server.db, BROKEN_CHAIN[0], BROKEN_CHAIN[1] - 1)
    with sqlite3.connect(server.db) as conn:
        earlier_url = conn.execute("select url from reports where id = ?", [earlier]).fetchone()[0]
    assert earlier_url in chain["cross_year.total"]["detail"]
    prose = [r for r in rows if r["kind"] == "正文与表格 text and tables"]
    assert prose and all(r["result"] == "通过 passed" for r in prose)  # its words agree with its tables
    facet = server.json("/DB/reports.json", _size=0, _facet="cross_year_failed")["facet_results"]["cross_year_failed"]
    assert {v["value"]: v["count"] for v in facet["results"]}.get(2) == 1
    broken = server.json("/DB/reports.json", cross_year_failed=2, _shape="array", _col="title")
    assert [r["id"] for r in broken] == [rid]
    table = server.json("/DB/cross_checks.json", passed=0, _size="max", _shape="objects", _facet="column_key")
    assert {r["report_id"] for r in table["rows"]} == {rid}
    # no default facets at national scale (each scans every row); one asked for by name is given
    assert set(table["facet_results"]) == {"column_key"}
    assert {v["value"] for v in table["facet_results"]["column_key"]["results"]} == {"natural_person", "total"}


def test_rereadings_are_shown_apart_from_revisions(server):
    table = server.json("/DB/rereadings.json", _size=0)
    assert {"report_id", "field", "old_value", "new_value", "new_parser_version"} <= set(table["columns"])
    tables = server.json("/-/metadata.json")["databases"][server.name]["tables"]
    assert "not a revision" in tables["rereadings"]["description"]
    assert "parser_version" in tables["reports"]["columns"]


def test_unreadable_documents_say_why_and_offer_the_capture(server):
    rows = server.rows("unreadable_documents")
    with sqlite3.connect(server.db) as conn:
        unreadable = {url for (url,) in conn.execute("select url from documents where outcome = 'unreadable'")}
    assert {r["url"] for r in rows} == unreadable and WORD_97 in unreadable
    word = next(r for r in rows if r["url"] == WORD_97)
    assert "Word 97-2003" in word["reason"] and word["capture_id"]
    status, headers, body = server.get(f"/DB/-/capture/{word['capture_id']}")
    assert status == 200 and body.startswith(bytes.fromhex("d0cf11e0a1b11ae1"))
    assert "attachment" in headers.get("content-disposition", "")


def test_recent_alerts_and_their_atom_feed(server):
    rows = server.rows("recent_alerts")
    kinds = {r["kind"] for r in rows}
    assert {"新收录 new", "数字修订 revised", "文字修订 text revised", "已撤下 removed"} <= kinds
    revised = next(r for r in rows if r["kind"] == "数字修订 revised")
    assert (revised["agency"], revised["year"]) == REVISED and "→" in revised["changes"]
    status, headers, body = server.get("/DB/recent_alerts.atom")
    assert status == 200, body[:500]
    assert headers["content-type"].startswith("application/xml")
    entries = ET.fromstring(body).findall(f"{ATOM}entry")
    with sqlite3.connect(server.db) as conn:
        alerts = conn.execute("select count(*) from alerts").fetchone()[0]
        missing = conn.execute("select agency, year from alerts where kind = 'missing'").fetchall()
        agencies = {a for (a,) in conn.execute("select distinct agency from reports")}
    # 28 + 1 new, revised, text revised, removed; and, judged on GOVREPORTS_TODAY (tests/conftest.py),
    # one `missing` alert per demo agency whose latest due report (2025) the first crawl did not find
    assert len(entries) == len(rows) == alerts == 32 + len(missing)
    assert missing and len(set(missing)) == len(missing)
    assert {year for _, year in missing} == {2025} and {agency for agency, _ in missing} <= agencies
    titles = [e.findtext(f"{ATOM}title") for e in entries]
    assert any(t.startswith("数字修订 revised") for t in titles)
    assert all(e.findtext(f"{ATOM}updated").endswith("+00:00") for e in entries)
    assert all(e.find(f"{ATOM}link").get("href") for e in entries)


def test_agency_across_years_matches_the_records(server):
    agency = "清河市发展和改革委员会"
    rows = server.rows("agency_years", agency=agency)
    stored = records(server.db)
    assert [r["year"] for r in rows] == [2019, 2020, 2021, 2022, 2023, 2024]
    for row in rows:
        record = stored[row["report_id"]]
        requests = record["requests"]
        assert row["new_requests"] == requests["new_requests"]["total"]
        assert row["total_processed"] == requests["total_processed"]["total"]
        assert row["denied"] == sum(v["total"] for k, v in requests.items() if k.startswith("denied"))
        assert row["reviews"] == record["review_litigation"]["review"]["total"]
        assert row["fees_wan_yuan"] == (record.get("active_disclosure") or {}).get("fees_wan_yuan")
    assert rows[-1]["fees_wan_yuan"] is not None  # 2021-format reports print 万元 of fees
    assert server.rows("agency_years", agency="没有这个机关") == []


def test_one_year_across_agencies_sums_request_cells(server):
    rows = server.rows("year_across_agencies", year=2023)
    stored = [r for r in records(server.db).values() if r["year"] == 2023]
    *agencies, total = rows
    assert total["agency"] == "合计 all agencies"
    assert sorted(r["agency"] for r in agencies) == sorted(r["agency"] for r in stored)
    by_agency = {r["agency"]: r for r in stored}
    for row in agencies:
        requests = by_agency[row["agency"]]["requests"]
        assert row["新收·自然人"] == requests["new_requests"]["natural_person"]
        assert row["新收·总计"] == requests["new_requests"]["total"]
        assert row["予以公开"] == requests["granted"]["total"]
        assert row["不予公开"] == sum(v["total"] for k, v in requests.items() if k.startswith("denied"))
        assert row["办理总计"] == requests["total_processed"]["total"]
    for column in ("新收·总计", "予以公开", "不予处理", "办理总计"):
        assert total[column] == sum(r[column] for r in agencies)
    assert total["新收·总计"] > 0
    assert server.rows("year_across_agencies", year=1990) == []


def test_report_view_is_the_25_by_7_matrix_of_every_report(server):
    labels = applicant_columns()
    row_labels = {k.split(".", 1)[1]: v for k, v in field_labels().items() if k.startswith("requests.")}
    for rid, record in records(server.db).items():
        rows = server.rows("report_view", report_id=rid)
        assert [r["row_key"] for r in rows] == request_rows(), rid
        assert [r["序号"] for r in rows] == list(range(1, 26))
        for row in rows:
            assert row["项目"] == row_labels[row["row_key"]]
            numbers = {k: v for k, v in row.items() if k in labels.values()}
            assert list(numbers) == list(labels.values())  # the 7 Chinese column labels, in order
            expected = {labels[col]: record["requests"][row["row_key"]][col] for col in labels}
            assert numbers == expected, (rid, row["row_key"])
            assert all(v is None or isinstance(v, int) for v in numbers.values())
    assert server.rows("report_view", report_id="no-such-report") == []


def test_needs_review_is_a_column_and_a_facet_of_reports(server):
    stored = records(server.db)
    rows = server.json("/DB/reports.json", _shape="array", _size="max", _col="needs_review")
    assert {r["id"]: r["needs_review"] for r in rows} == {rid: int(rec["needs_review"]) for rid, rec in stored.items()}
    facet = server.json("/DB/reports.json", _size=0, _facet="needs_review")["facet_results"]["needs_review"]
    counts = {item["value"]: item["count"] for item in facet["results"]}
    assert counts.get(1, 0) == sum(rec["needs_review"] for rec in stored.values()) >= 1
    assert counts.get(0, 0) == sum(not rec["needs_review"] for rec in stored.values()) >= 1
    flagged = {r["id"] for r in server.json("/DB/reports.json", needs_review=1, _shape="array", _size="max")}
    assert report_id(server.db, *FAILING) in flagged  # its totals do not add up
    for rid in flagged:
        reading = stored[rid]["reading"]
        assert reading["checks_failed"] or reading["cells_read"] < reading["cells_expected"] or reading["rules"]
    latest = {r["report_id"]: r["needs_review"] for r in server.rows("latest_reports")}
    assert latest == {rid: int(rec["needs_review"]) for rid, rec in stored.items()}


def test_report_view_says_how_each_row_was_read(server):
    names = {"blank_as_zero": "空白按 0 blank as 0", "order": "按行序放置 placed by row order",
             "joined_lines": "分行数字合读 lines joined", "split_digits": "连写数字拆分 digits split",
             "ocr": "图像识别 read by OCR"}
    short = dict(zip(applicant_columns(), ["自然人", "商业企业", "科研机构", "社会公益组织", "法律服务机构", "其他", "总计"]))
    seen = 0
    for rid, record in records(server.db).items():
        expected: dict[str, list[str]] = {}
        for rule, keys in record["reading"]["rules"].items():
            for key in keys:
                if key.startswith("requests."):
                    _, row, column = key.split(".")
                    expected.setdefault(row, []).append(f"{names[rule]}：{short[column]}")
        for row in server.rows("report_view", report_id=rid):
            how = row["读取 reading"]
            parts = {p.split("：")[0] + "：" + c for p in how.split("；") for c in p.split("：")[1].split("、")} if how else set()
            assert parts == set(expected.get(row["row_key"], [])), (rid, row["row_key"])
            seen += bool(how)
    assert seen  # the sample portal prints some zeros as blank cells


def test_report_checks_put_failures_first(server):
    rid = report_id(server.db, *FAILING)
    rows = server.rows("report_checks", report_id=rid)
    record = records(server.db)[rid]
    with sqlite3.connect(server.db) as conn:
        chain = dict(conn.execute("select rule, passed from cross_checks where report_id = ?", [rid]))
    assert len(chain) == 7  # its 2019 report is archived: one chain check per applicant column
    assert len(rows) == len(record["checks"]) + len(chain)
    failed = [r for r in rows if r["result"] == "未通过 FAILED"]
    assert failed and rows[: len(failed)] == failed
    assert {r["rule"] for r in failed} == {c["rule"] for c in record["checks"] if not c["passed"]} | {
        rule for rule, passed in chain.items() if not passed}


def test_report_history_shows_versions_and_what_changed(server):
    rid = report_id(server.db, *REVISED)
    rows = server.rows("report_history", report_id=rid)
    assert [r["version"] for r in rows][0] == 2 and rows[-1]["version"] == 1
    assert rows[-1]["change"] == "首次收录 first archived"
    with sqlite3.connect(server.db) as conn:
        changes = {(f, o, n) for f, o, n in conn.execute(
            "select field, old_value, new_value from changes where report_id = ? and version = 2", [rid])}
    assert changes and {(r["field"], r["old_value"], r["new_value"]) for r in rows if r["version"] == 2} == changes
    assert all(r["kind"] == "number" for r in rows if r["version"] == 2)
    text = server.rows("report_history", report_id=report_id(server.db, *TEXT_REVISED))
    assert any(r["kind"] == "text" and r["field"] == "sections.problems" for r in text)


def test_report_links_lead_to_the_original_and_the_raw_capture(server):
    rid = report_id(server.db, *REVISED)
    links = {r["what"]: r["link"] for r in server.rows("report_links", report_id=rid)}
    with sqlite3.connect(server.db) as conn:
        url, capture_id = conn.execute("select url, capture_id from reports where id = ?", [rid]).fetchone()
        raw = gzip.decompress(conn.execute("select body_gzip from captures where id = ?", [capture_id]).fetchone()[0])
    assert links["原始页面 original page"] == url
    download = links["原始抓取（原件下载）raw capture, original bytes"]
    assert download == f"-/capture/{capture_id}"
    status, headers, body = server.get(f"/DB/{download}")
    assert status == 200 and body == raw
    blob = links["原始抓取（gzip .blob）raw capture, gzipped"]
    status, headers, body = server.get(f"/DB/{blob}")
    assert status == 200 and gzip.decompress(body) == raw
    for name in ("申请办理矩阵 section 三 matrix", "算术校验 checks", "版本与变化 versions"):
        assert server.get(f"/DB/{links[name]}")[0] == 200


# --- raw captures: downloads, never pages -----------------------------------------------------
def test_captures_download_as_files_not_as_html(server):
    with sqlite3.connect(server.db) as conn:
        capture_id, body_gzip = conn.execute(
            "select id, body_gzip from captures where content_type like 'text/html%' limit 1").fetchone()
    status, headers, body = server.get(f"/DB/captures/{capture_id}.blob", _blob_column="body_gzip")
    assert status == 200 and body == body_gzip
    assert "html" not in headers["content-type"]
    assert headers["content-disposition"].startswith("attachment")
    assert headers["x-content-type-options"] == "nosniff"
    status, headers, body = server.get(f"/DB/-/capture/{capture_id}")
    assert status == 200 and body == gzip.decompress(body_gzip) and b"<html" in body.lower()
    assert headers["content-type"] == "application/octet-stream"
    assert headers["content-disposition"].startswith("attachment; filename=\"capture-")
    assert headers["x-content-type-options"] == "nosniff"
    assert headers["content-security-policy"] == "sandbox"
    assert server.get("/DB/-/capture/999999")[0] == 404
    status, _, page = server.get(f"/DB/captures/{capture_id}")
    assert status == 200 and "&lt;Binary:" in page.decode("utf-8")


def test_cells_link_to_original_pages_downloads_and_the_report_view(server):
    html = server.get("/DB/reports")[2].decode("utf-8")
    assert 'rel="noopener noreferrer nofollow">http://127.0.0.1:' in html
    assert f'href="/{server.name}/-/capture/' in html
    assert f'href="/{server.name}/report_view?report_id=' in html
    html = server.get("/DB/report_links", report_id=report_id(server.db, *REVISED))[2].decode("utf-8")
    assert f'href="/{server.name}/report_history?report_id=' in html


# --- full-text search in Chinese --------------------------------------------------------------
def _containing(db: Path, word: str) -> set[str]:
    with sqlite3.connect(db) as conn:
        return {rid for rid, title, agency, body in conn.execute("select id, title, agency, body_text from reports")
                if word in f"{title}\n{agency}\n{body}"}


@pytest.mark.parametrize("word", ["公开", "复议", "诉讼", "政府信息公开", "行政复议", "巡查机制", "量子纠缠"])
def test_search_finds_chinese_words_of_any_length(server, word):
    found = {r["id"] for r in server.json("/DB/reports.json", _search=word, _shape="array", _col="title", _size="max")}
    expected = _containing(server.db, word)
    assert found == expected
    if word in ("公开", "复议"):
        assert len(found) == 29
    if word == "巡查机制":  # only in the report whose section 五 state 2 rewrote
        assert found == {report_id(server.db, *TEXT_REVISED)}
    if word == "量子纠缠":
        assert found == set()


def test_search_is_split_by_the_plugin(server):
    # Datasette alone hands 政府信息公开 to FTS as one token, which the bigram index never holds.
    raw = server.json("/DB/reports.json", _search="政府信息公开", _searchmode="raw", _shape="array")
    assert raw == []
    page = server.get("/DB/reports", _search="政府信息公开")[2].decode("utf-8")
    assert 'value="政府信息公开"' in page  # the search box keeps what was typed
    assert len(server.json("/DB/reports.json", _search="诉", _shape="array", _size="max")) == 29  # one character: prefix


def test_search_query_with_bigram_query_function(server):
    rows = server.rows("search_reports", q="政府信息公开")
    assert len(rows) == 29 and all("【" in r["snippet"] for r in rows)
    assert server.rows("search_reports", q="量子纠缠") == []
    assert server.rows("search_reports", q="") == []


# --- charts -----------------------------------------------------------------------------------
def _chart_rows(server: Server, chart: dict, options: dict[str, str]) -> list[dict]:
    from datasette_dashboards import replace_opts_in_query  # what the dashboard page does

    sql = replace_opts_in_query(chart["query"], options)
    return server.json(f"/{chart['db']}.json", sql=sql, _shape="objects", **options)["rows"]


def _encoded_fields(chart: dict) -> dict[str, str]:
    return {enc["field"]: enc["type"] for enc in chart["display"].get("encoding", {}).values()}


@pytest.mark.parametrize("options", [{}, {"agency": "清河市人民政府"}, {"year": "2023"}])
def test_every_chart_plots_data(server, options):
    charts = server.json("/-/metadata.json")["plugins"]["datasette-dashboards"]["overview"]["charts"]
    assert {"requests_by_year", "outcomes_by_agency", "applicants_by_agency"} <= set(charts)
    for slug, chart in charts.items():
        rows = _chart_rows(server, chart, options)
        assert rows, f"chart {slug} has no data for {options}"
        if chart["library"] == "metric":
            assert isinstance(rows[0][chart["display"]["field"]], int)
            continue
        fields = _encoded_fields(chart)
        for row in rows:
            assert set(fields) <= set(row), (slug, row)
        quantitative = [f for f, kind in fields.items() if kind == "quantitative"]
        assert sum(row[f] or 0 for row in rows for f in quantitative) > 0, slug
        color = chart["display"]["encoding"].get("color", {})
        if "scale" in color:  # a category left out of the legend's domain would draw unlabelled
            assert {row[color["field"]] for row in rows} <= set(color["scale"]["domain"]), slug


def test_requests_over_the_years_for_an_agency(server):
    chart = server.json("/-/metadata.json")["plugins"]["datasette-dashboards"]["overview"]["charts"]["requests_by_year"]
    agency = "清河市发展和改革委员会"
    rows = _chart_rows(server, chart, {"agency": agency})
    new = {r["year"]: r["count"] for r in rows if r["measure"].startswith("一、本年新收")}
    expected = {r["year"]: r["requests"]["new_requests"]["total"] for r in records(server.db).values()
                if r["agency"] == agency}
    assert new == expected


def test_dashboard_page_and_its_assets(server):
    status, _, page = server.get("/-/dashboards/overview")
    html = page.decode("utf-8")
    assert status == 200 and "申请与办理" in html
    for asset in ("vega.min.js", "vega-lite.min.js", "vega-embed.min.js", "dashboards.js"):
        assert f"/-/static-plugins/datasette_dashboards/{asset}" in html
        assert server.get(f"/-/static-plugins/datasette_dashboards/{asset}")[0] == 200
    for asset in ("/-/govreports/archive.css", "/-/govreports/archive.js"):
        assert asset in html and server.get(asset)[0] == 200


# --- a fresh archive, and the serve entry point -----------------------------------------------
def test_a_fresh_archive_serves_and_its_feed_does_not_fail(tmp_path):
    from archive.storage.db import open_db

    db = tmp_path / "fresh.db"
    open_db(db).conn.close()
    with running_datasette(db, tmp_path) as fresh:
        status, _, body = fresh.get("/DB/recent_alerts.atom")
        assert status == 200, body[:500]
        entries = ET.fromstring(body).findall(f"{ATOM}entry")
        assert [e.findtext(f"{ATOM}title") for e in entries] == ["暂无提醒 · No alerts yet"]
        for path in ("/", "/DB", "/DB/reports", "/DB/latest_reports", "/-/dashboards/overview"):
            assert fresh.get(path)[0] == 200, path


def test_build_metadata_renames_the_placeholder(tmp_path):
    metadata = build_metadata(tmp_path / "my-archive.db")
    assert list(metadata["databases"]) == ["my-archive"]
    assert 'href="my-archive/reports"' in metadata["description_html"]


def test_govreports_serve_runs_datasette_and_stops_with_it(server):
    port = free_port()
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    process = subprocess.Popen([sys.executable, "-m", "archive", "serve", "--db", str(server.db), "--port", str(port)],
                               cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    served = Server(f"http://127.0.0.1:{port}", server.name, server.db, process, server.log)
    try:
        deadline = time.monotonic() + 30
        while True:
            assert process.poll() is None, process.stderr.read().decode()
            try:
                if served.get("/-/versions.json")[0] == 200:
                    break
            except OSError:
                pass
            assert time.monotonic() < deadline, "govreports serve did not answer within 30 s"
            time.sleep(0.2)
        assert len(served.rows("latest_reports")) == 29
        assert served.json("/DB/reports.json", _search="复议", _shape="array")
    finally:
        process.terminate()
        process.wait(timeout=15)
    with pytest.raises(OSError):  # Datasette went with it: nothing answers on the port any more
        served.get("/-/versions.json")


def test_serve_archive_refuses_a_missing_file(tmp_path):
    with pytest.raises(ServeError):
        serve_archive(tmp_path / "nothing.db", port=free_port())
