"""The demo portal itself (archive/demo/), tested with urllib and lxml only — no Scrapy.

These tests pin what the crawl tests rely on: robots.txt and the sitemap, the three pagination
styles, the flaky page, the GBK pages, conditional GET, the noise that must not look like a
revision, state 2 differing exactly as ``site.changes`` says, and — read back off the served
pages with an independent table reader — that ``expected_reports`` is what the pages show.
"""

from __future__ import annotations

import io
import json
import re
import time
import unicodedata
import urllib.error
import urllib.request
from pathlib import Path

import pytest
from lxml import html as lxml_html

from archive.demo import PortalServer, build_foreign_site, build_site
from archive.record.model import REVIEW_COLUMNS, REVIEW_GROUPS, applicant_columns, request_rows

FILES = Path(__file__).parent / "files"
DEMO = Path(__file__).parent.parent / "archive" / "demo"


# --- fixtures and helpers ------------------------------------------------------------------------
@pytest.fixture(scope="module")
def foreign():
    with PortalServer(build_foreign_site()) as srv:
        yield srv


@pytest.fixture(scope="module")
def site(foreign):
    return build_site(foreign_base=foreign.localhost_url)


@pytest.fixture(scope="module")
def site2(foreign):
    return build_site(state=2, foreign_base=foreign.localhost_url)


@pytest.fixture()
def server(site):
    with PortalServer(site) as srv:
        yield srv


def fetch(url: str, headers: dict[str, str] | None = None):
    """(status, headers, body) without raising on 4xx/5xx and without following redirects."""

    class NoRedirect(urllib.request.HTTPRedirectHandler):
        def redirect_request(self, *args, **kwargs):
            return None

    opener = urllib.request.build_opener(NoRedirect)
    try:
        with opener.open(urllib.request.Request(url, headers=headers or {}), timeout=10) as r:
            return r.status, r.headers, r.read()
    except urllib.error.HTTPError as e:
        return e.code, e.headers, e.read()


def norm(text: str) -> str:
    return "".join(unicodedata.normalize("NFKC", text).split())


def innermost_tables(doc) -> list:
    return [t for t in doc.iter("table") if not t.findall(".//table")]


def html_grid(table) -> list[list[str]]:
    """A <table> as a full grid of cell texts, spans repeated, like a careful parser would see it."""
    grid: dict[tuple[int, int], str] = {}
    for r, tr in enumerate(table.iter("tr")):
        c = 0
        for td in tr:
            if td.tag not in ("td", "th"):
                continue
            while (r, c) in grid:
                c += 1
            rs, cs = int(td.get("rowspan", 1)), int(td.get("colspan", 1))
            for dr in range(rs):
                for dc in range(cs):
                    grid[(r + dr, c + dc)] = norm(td.text_content())
            c += cs
    rows = max(r for r, _ in grid) + 1
    cols = max(c for _, c in grid) + 1
    return [[grid.get((r, c), "") for c in range(cols)] for r in range(rows)]


def docx_grids(data: bytes) -> list[list[list[str]]]:
    import docx

    document = docx.Document(io.BytesIO(data))
    return [[[norm(c.text) for c in row.cells] for row in t.rows] for t in document.tables]


def value(text: str):
    text = norm(text).replace(",", "")
    if text in ("/", "-", "—", "无", ""):
        return 0
    text = text.removesuffix("元")
    return float(text) if "." in text else int(text)


ACTIVE_2021 = {
    "规章": ("regulations_issued", "regulations_repealed", "regulations_in_force"),
    "行政规范性文件": ("normative_documents_issued", "normative_documents_repealed", "normative_documents_in_force"),
    "行政许可": ("licensing_decisions",),
    "行政处罚": ("penalty_decisions",),
    "行政强制": ("coercion_decisions",),
    "行政事业性收费": ("fees_wan_yuan",),
}
ACTIVE_2019 = {
    "规章": ("regulations", ("new_made", "new_published", "total_published")),
    "规范性文件": ("normative_documents", ("new_made", "new_published", "total_published")),
    "行政许可": ("licensing", ("items_last_year", "change", "decisions")),
    "其他对外管理服务事项": ("other_services", ("items_last_year", "change", "decisions")),
    "行政处罚": ("penalty", ("items_last_year", "change", "decisions")),
    "行政强制": ("coercion", ("items_last_year", "change", "decisions")),
    "行政事业性收费": ("fees", ("items_last_year", "change")),
    "政府集中采购": ("procurement", ("projects", "amount")),
}


def read_grids(grids: list[list[list[str]]], legacy: bool) -> dict:
    """Numbers of a report read off its table grids (section 二, 三, 四)."""
    out: dict = {"active": {}, "legacy": {}, "legacy_other": None, "requests": {}, "review": {}}
    for grid in grids:
        flat = "".join("".join(r) for r in grid)
        if "申请人情况" in flat:
            keys = list(request_rows())
            if legacy:  # one （六）其他处理 row where 2021 has three sub-rows
                keys[keys.index("other_no_correction"):keys.index("total_processed")] = ["legacy_other"]
            data = grid[3:]
            assert len(data) == len(keys)
            assert "本年新收" in data[0][0] and "结转下年度" in data[-1][0]
            for key, row in zip(keys, data):
                cells = dict(zip(applicant_columns(), map(value, row[-7:])))
                if key == "legacy_other":
                    assert "其他处理" in row[1]
                    out["legacy_other"] = cells
                else:
                    out["requests"][key] = cells
        elif "未经复议直接起诉" in flat:
            values = list(map(value, grid[-1]))
            for i, group in enumerate(REVIEW_GROUPS):
                out["review"][group] = dict(zip(REVIEW_COLUMNS, values[i * 5:(i + 1) * 5]))
        elif "第二十条" in flat:
            for row in grid:
                if legacy and row[0] in ACTIVE_2019:
                    name, cols = ACTIVE_2019[row[0]]
                    out["legacy"][name] = dict(zip(cols, map(value, row[1:1 + len(cols)])))
                elif not legacy and row[0] in ACTIVE_2021:
                    keys = ACTIVE_2021[row[0]]
                    out["active"].update(zip(keys, map(value, row[1:1 + len(keys)])))
    return out


def assert_matches(truth: dict, read: dict) -> None:
    legacy = truth["format"] == "legacy"
    assert read["requests"] == {k: v for k, v in truth["requests"].items()
                                if not all(x is None for x in v.values()) and not (legacy and k == "other")}
    assert read["review"] == truth["review_litigation"]
    if legacy:  # the one （六） row is requests.other too, 处理决定数量 the 2021 *_decisions
        assert read["legacy"] == truth["legacy_active_disclosure"]
        assert read["legacy_other"] == truth["legacy_requests_other_processing"] == truth["requests"]["other"]
        decisions = {f"{row}_decisions": read["legacy"][row]["decisions"] for row in ("licensing", "penalty", "coercion")}
        assert truth["active_disclosure"] == {k: decisions.get(k) for k in truth["active_disclosure"]}
    elif all(v is None for v in truth["active_disclosure"].values()):
        assert read["active"] == {}  # section 二 is an image on that page
    else:
        assert read["active"] == truth["active_disclosure"]


# --- the truth is what the pages show ----------------------------------------------------------
@pytest.mark.parametrize("state", [1, 2])
def test_expected_reports_are_what_the_pages_show(state, site, site2):
    s = site if state == 1 else site2
    for truth in s.expected_reports:
        page = s.pages[truth["path"]]
        if truth["media"] == "html":
            doc = lxml_html.fromstring(page.body.decode(truth["encoding"]))
            grids = [html_grid(t) for t in innermost_tables(doc) if "第二十条" in t.text_content()
                     or "申请人情况" in t.text_content() or "未经复议" in t.text_content()]
            assert_matches(truth, read_grids(grids, truth["format"] == "legacy"))
            assert truth["title"] in norm(doc.findtext(".//title")) or truth["title"] == norm(
                doc.xpath('string(//meta[@name="ArticleTitle"]/@content)'))
        elif truth["media"] == "docx":
            assert_matches(truth, read_grids(docx_grids(page.body), truth["format"] == "legacy"))


def test_every_report_obeys_the_format_arithmetic_except_the_one_that_should_not(site):
    failing = []
    for truth in site.expected_reports:
        req, cols = truth["requests"], list(applicant_columns())
        results = [k for k in request_rows() if k not in
                   ("new_requests", "carried_over", "total_processed", "carried_forward")]
        ok = True
        for c in cols:
            ok &= req["new_requests"][c] + req["carried_over"][c] == req["total_processed"][c] + req["carried_forward"][c]
            single = (truth.get("legacy_requests_other_processing") or {}).get(c, 0) if req["other"][c] is None else 0
            ok &= req["total_processed"][c] == sum(req[k][c] or 0 for k in results) + single
        for row in req.values():
            if row["total"] is not None:  # the 2019 format has no （六） sub-rows: they are null
                ok &= row["total"] == sum(row[c] for c in cols[:-1])
        for group in truth["review_litigation"].values():
            ok &= group["total"] == sum(group[c] for c in REVIEW_COLUMNS[:-1])
        if not ok:
            failing.append(truth["path"])
    assert failing == [r["path"] for r in site.expected_reports if r["fails_check"]]
    assert len(failing) == 1


def test_expected_reports_shape(site):
    for truth in site.expected_reports:
        assert {"path", "page", "agency", "year", "format", "title", "active_disclosure", "requests",
                "review_litigation"} <= set(truth)
        assert len(truth["active_disclosure"]) == 10 and len(truth["requests"]) == 25
        assert all(len(row) == 7 for row in truth["requests"].values())
        assert truth["format"] in ("2021", "legacy")
    years = {(r["agency"], r["year"], r["format"]) for r in site.expected_reports}
    assert ("清河市人民政府", 2019, "legacy") in years and ("清河市人民政府", 2024, "2021") in years
    agencies = {r["agency"] for r in site.expected_reports}
    assert {"清河市发展和改革委员会", "清河市卫生健康委员会", "清河市河东区人民政府", "河东区东关街道办事处"} <= agencies


def test_pdf_report_is_the_real_huaian_pdf(site, server):
    truth = next(r for r in site.expected_reports if r["media"] == "pdf")
    status, headers, body = fetch(server.base_url + truth["path"])
    assert status == 200 and headers["Content-Type"] == "application/pdf"
    assert body == (FILES / "huaian-city-2024.pdf").read_bytes()
    golden = json.loads((FILES / "huaian-city-2024.expected.json").read_text(encoding="utf-8"))
    for key in ("agency", "year", "active_disclosure", "requests", "review_litigation"):
        assert truth[key] == golden[key]
    page = site.pages[truth["page"]].text()
    assert truth["path"] in page


def test_docx_report_page_only_points_to_the_attachment(site):
    truth = next(r for r in site.expected_reports if r["media"] == "docx")
    page = site.pages[truth["page"]].text()
    assert "详见附件" in page and truth["path"] in page and "申请人情况" not in page
    assert build_site().pages[truth["path"]].body == site.pages[truth["path"]].body  # deterministic


# --- robots, sitemap, links ---------------------------------------------------------------------
def test_robots_and_sitemap(site, server):
    status, headers, body = fetch(server.base_url + "/robots.txt")
    robots = body.decode()
    assert status == 200 and headers["Content-Type"].startswith("text/plain")
    assert "User-agent: *" in robots and "Disallow: /admin/" in robots
    assert f"Sitemap: {server.base_url}/sitemap.xml" in robots
    status, _, body = fetch(server.base_url + "/sitemap.xml")
    locs = re.findall(r"<loc>(.*?)</loc>", body.decode())
    assert status == 200 and f"{server.base_url}/" in locs and len(locs) >= 10
    assert site.disallowed == ["/admin/secret.html"]
    assert any('href="/admin/secret.html"' in p.text() for p in site.pages.values() if p.encoding)
    assert fetch(server.base_url + "/admin/secret.html")[0] == 200  # robots, not the server, forbids it


def test_foreign_links_reach_only_the_foreign_server(site, server, foreign):
    home = fetch(server.base_url + "/")[2].decode()
    for link in site.foreign_links:
        assert link.startswith(f"http://localhost:{foreign.port}/") and f'href="{link}"' in home
    before = len(foreign.requests)
    assert fetch(site.foreign_links[1])[0] == 200
    assert foreign.requests[-1]["path"] == "/xxgk-show-198952.html" and len(foreign.requests) == before + 1
    assert all(r["path"] != "/xxgk-show-198952.html" for r in server.requests)


def test_dead_links_redirect_and_calendar_trap(site, server):
    for path in site.dead_links:
        assert fetch(server.base_url + path)[0] == 404
        assert any(f'"{path}"' in p.text() or f'"./{path.rsplit("/", 2)[-2]}' in p.text()
                   for p in site.pages.values() if p.encoding)
    old, new = next(iter(site.redirects.items()))
    status, headers, _ = fetch(server.base_url + old)
    assert status == 301 and headers["Location"] == new
    assert site.report(new)["year"] == 2021
    month = "2024-01"
    for _ in range(30):  # it never ends: every month links the next one
        body = fetch(f"{server.base_url}/calendar/?month={month}")[2].decode()
        month = re.search(r'href="/calendar/\?month=(\d{4}-\d{2})">下一月', body).group(1)
    assert month == "2026-07"


def test_lookalikes_are_real_looking_pages_in_report_columns(site):
    titles = [re.search(r'name="ArticleTitle" content="([^"]*)"', site.pages[p].text()).group(1)
              for p in site.lookalikes]
    for kind in ("年度报告的解读", "图解", "年度报告格式》的通知", "政务公开工作要点", "法治政府建设年度报告",
                 "部门决算", "政府工作报告"):
        assert any(kind in t for t in titles), kind
    listed = "".join(site.pages[p].text() for p in site.paths("list"))
    for path in site.lookalikes:
        assert path.rsplit("/", 1)[-1] in listed
    assert not set(site.lookalikes) & {r["path"] for r in site.expected_reports}


# --- pagination -------------------------------------------------------------------------------------
def test_trs_list_pages_only_in_a_script(site, server):
    folder = "/zwgk/zfxxgk/zfxxgknb/sbj/"
    for n, name in enumerate(["index.html", "index_1.html", "index_2.html"]):
        status, _, body = fetch(server.base_url + folder + name)
        text = body.decode()
        assert status == 200
        assert f'createPageHTML(3, {n}, "index", "html")' in text
        assert 'href="index_' not in text and 'href="./index_' not in text
    assert fetch(server.base_url + folder + "index_3.html")[0] == 404
    on_later_pages = site.pages[folder + "index_1.html"].text() + site.pages[folder + "index_2.html"].text()
    city_reports = [r["page"] for r in site.expected_reports if r["column"] == "sbj"]
    assert any(p.rsplit("/", 1)[-1] in on_later_pages for p in city_reports)


def test_query_and_next_last_pagination(site):
    first = site.pages["/col/col1229/index.html"].text()
    assert 'href="/col/col1229/index.html?page=2"' in first and "下一页" in first
    assert "/col/col1229/index.html?page=3" in site.pages
    page1 = site.pages["/zwgk/zfxxgk/zfxxgknb/swjw/index.html"].text()
    assert 'href="/zwgk/zfxxgk/zfxxgknb/swjw/index_2.html">下一页' in page1
    assert 'href="/zwgk/zfxxgk/zfxxgknb/swjw/index_3.html">尾页' in page1


# --- failures, encodings, conditional GET, noise ------------------------------------------------------
def test_flaky_page_answers_500_twice_then_200(site, server):
    path = next(iter(site.flaky))
    assert [fetch(server.base_url + path)[0] for _ in range(4)] == [500, 500, 200, 200]
    assert [r["status"] for r in server.requests if r["path"] == path] == [500, 500, 200, 200]


def test_gbk_page_with_charset_only_in_the_http_header(site, server):
    truth = next(r for r in site.expected_reports if r["charset"] == "gbk-header")
    status, headers, body = fetch(server.base_url + truth["page"])
    assert status == 200 and headers["Content-Type"] == "text/html; charset=GBK"
    assert b"charset" not in body.lower()
    with pytest.raises(UnicodeDecodeError):
        body.decode("utf-8")
    assert truth["agency"] in body.decode("gbk")


def test_gbk_page_with_charset_only_in_meta(site, server):
    truth = next(r for r in site.expected_reports if r["charset"] == "gbk-meta" and r["media"] == "html")
    status, headers, body = fetch(server.base_url + truth["page"])
    assert status == 200 and headers["Content-Type"] == "text/html"
    assert b'<meta http-equiv="Content-Type" content="text/html; charset=gbk">' in body
    with pytest.raises(UnicodeDecodeError):
        body.decode("utf-8")
    assert truth["title"] in body.decode("gbk")


def test_conditional_get_answers_304(site, server):
    url = server.base_url + site.expected_reports[0]["page"]
    status, headers, first = fetch(url)
    etag, modified = headers["ETag"], headers["Last-Modified"]
    status2, headers2, second = fetch(url)
    assert status == status2 == 200 and headers2["ETag"] == etag  # stable despite the counter
    assert first != second
    assert fetch(url, {"If-None-Match": etag})[0] == 304
    assert fetch(url, {"If-Modified-Since": modified})[0] == 304
    assert fetch(url, {"If-None-Match": '"other"'})[0] == 200
    assert fetch(url, {"If-Modified-Since": "Mon, 01 Jan 2001 00:00:00 GMT"})[0] == 200


def test_counter_and_date_are_the_only_per_request_noise(site, server):
    url = server.base_url + site.expected_reports[0]["page"]
    a, b = fetch(url)[2].decode(), fetch(url)[2].decode()
    assert re.search(r'id="ReadCount">\d+<', a) and "今天是：" in a

    def strip(text: str) -> str:
        text = re.sub(r'(id="(ReadCount|art_hits)">)\d+', r"\1", text)
        return re.sub(r"今天是：[^<]*", "", text)

    assert a != b and strip(a) == strip(b)


# --- state 2 -------------------------------------------------------------------------------------------
def test_state_2_differs_exactly_as_changes_say(site, site2):
    kinds = {c["kind"]: c for c in site2.changes}
    assert set(kinds) == {"revised", "none", "text_revised", "new", "removed"} and site.changes == []
    before = {r["path"]: r for r in site.expected_reports}
    after = {r["path"]: r for r in site2.expected_reports}
    assert set(after) - set(before) == {kinds["new"]["path"]}
    assert set(before) - set(after) == {kinds["removed"]["path"]}
    numbers = ("active_disclosure", "requests", "review_litigation")
    for path in set(before) & set(after):
        changed_numbers = {}
        for section in numbers:
            flat_a, flat_b = _flatten(before[path][section], section), _flatten(after[path][section], section)
            changed_numbers.update({k: [flat_a[k], flat_b[k]] for k in flat_a if flat_a[k] != flat_b[k]})
        changed_text = [k for k in before[path]["sections"] or {} if before[path]["sections"][k] != after[path]["sections"][k]]
        expected = next((c for c in site2.changes if c["path"] == path), None)
        if expected and expected["kind"] == "revised":
            assert changed_numbers == expected["fields"] and changed_text == []
            assert 2 <= len(expected["fields"]) <= 3
        elif expected and expected["kind"] == "text_revised":
            assert changed_numbers == {} and changed_text == expected["sections"] == ["problems"]
        else:
            assert changed_numbers == {} and changed_text == [], path


def _flatten(node: dict, prefix: str) -> dict:
    out = {}
    for key, val in node.items():
        if isinstance(val, dict):
            out.update(_flatten(val, f"{prefix}.{key}"))
        else:
            out[f"{prefix}.{key}"] = val
    return out


def test_state_2_served(site, site2):
    kinds = {c["kind"]: c["path"] for c in site2.changes}
    with PortalServer(site) as srv:
        assert fetch(srv.base_url + kinds["removed"])[0] == 200
        assert fetch(srv.base_url + kinds["new"])[0] == 404
        old_etag = fetch(srv.base_url + kinds["none"])[1]["ETag"]
        srv.set_site(site2)
        assert fetch(srv.base_url + kinds["removed"])[0] == 404
        assert fetch(srv.base_url + kinds["new"])[0] == 200
        status, headers, _ = fetch(srv.base_url + kinds["none"])
        assert status == 200 and headers["ETag"] != old_etag  # republished chrome: new validators
    new_list = next(p for p in site2.paths("list") if kinds["new"].rsplit("/", 1)[-1] in site2.pages[p].text())
    assert kinds["removed"].rsplit("/", 1)[-1] in "".join(site2.pages[p].text() for p in site2.paths("list"))
    assert new_list.startswith("/hdq/")


def test_boilerplate_only_change_keeps_the_report_body(site, site2):
    path = next(c["path"] for c in site2.changes if c["kind"] == "none")
    a, b = site.pages[path].text(), site2.pages[path].text()

    def body(text: str) -> str:
        return re.search(r'<div class="TRS_Editor">.*?</div></div>', text, re.DOTALL).group(0)

    assert a != b and body(a) == body(b)
    assert "Copyright © 2025" in a and "Copyright © 2026" in b


# --- scale, determinism, hygiene ---------------------------------------------------------------
def test_extra_reports_build_a_thousand_pages_quickly():
    start = time.perf_counter()
    big = build_site(extra_reports=300)
    elapsed = time.perf_counter() - start
    assert len(big.pages) >= 1000 and elapsed < 10
    base = len(build_site().expected_reports)
    assert len(big.expected_reports) == base + 300
    assert len({r["path"] for r in big.expected_reports}) == len(big.expected_reports)
    lists = [p for p in big.pages if p.startswith(("/zwgk/zfxxgk/zfxxgknb/bmnb/", "/col/col2001/",
                                                   "/zwgk/zfxxgk/zfxxgknb/xzjd/")) and big.pages[p].role == "list"]
    assert len(lists) >= 15


def test_builds_are_deterministic(site, foreign):
    again = build_site(foreign_base=foreign.localhost_url)
    assert again.pages.keys() == site.pages.keys()
    assert all(again.pages[p].body == site.pages[p].body for p in site.pages)
    assert again.expected_reports == site.expected_reports


def test_no_scrapy_or_twisted_in_the_demo():
    for source in DEMO.glob("*.py"):
        assert not re.search(r"^\s*(import|from)\s+(scrapy|twisted)\b", source.read_text(), re.MULTILINE), source
