"""The `reports` spider against the bundled sample portal, served on 127.0.0.1.

The real spider runs in a subprocess (``python -m scrapy crawl reports …`` from the repo root,
as a user would run it) with tests/collect_pipeline.py collecting what it yields; the portal
server's request log shows what it asked for. A second server plays the foreign host: the
portal links it as ``localhost:<port>`` (another host to the allowlist), so any leak shows in
that server's log. A few test pages are added to the portal for what it does not stage itself
(a GBK list with no charset anywhere, a robots-disallowed report link, a redirect off-site,
pagers that lie or never end).
"""

from __future__ import annotations

import itertools
import json
import os
import re
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from archive.demo import Page, build_foreign_site, build_site
from archive.demo.server import PortalServer
from archive.sources import SourcesError, host_key, load_sources, parse_sources, sources_from_urls

ROOT = Path(__file__).resolve().parents[1]
TESTS = Path(__file__).resolve().parent
CRAWL_TIMEOUT = 60

GBK_REPORT_TEXT = "测试县2024年政府信息公开工作年度报告"
GBK_WRONG_META_TEXT = "测试镇2024年政府信息公开工作年度报告"
DISALLOWED_REPORT = "/admin/2024/t20250101_1.html"
TRS_ROGUE_PAGE = "/test/nb/index_9.html"


# --- the extra test pages ---------------------------------------------------------------------
def _html(title: str, body: str, article_title: str | None = None, charset: str | None = "utf-8") -> str:
    meta = f'<meta charset="{charset}">' if charset else ""
    article = f'<meta name="ArticleTitle" content="{article_title}">' if article_title else ""
    return f"<!DOCTYPE html><html><head>{meta}{article}<title>{title}</title></head><body>{body}</body></html>"


def _page(html: str, content_type: str = "text/html; charset=utf-8", codec: str = "utf-8", **kw: Any) -> Page:
    return Page(html.encode(codec), content_type, encoding=codec, **kw)


def _report(title: str) -> Page:
    return _page(_html(title, f"<h1>{title}</h1><p>一、总体情况</p>", article_title=title), role="report")


def add_test_pages(site: Any, foreign_base: str) -> dict[str, str]:
    """Pages the demo portal does not have; returns {path: title} of the reports among them."""
    reports = {
        "/test/detail.html?id=7": GBK_REPORT_TEXT,
        "/test/detail.html?id=8": GBK_WRONG_META_TEXT,
        "/test/nb/202401/t20240110_101.html": "清河市测试局2023年政府信息公开工作年度报告",
        "/test/nb/202301/t20230110_102.html": "清河市测试局2022年政府信息公开工作年度报告",
        "/test/nb2/202401/t20240110_201.html": "清河市测试办2023年政府信息公开工作年度报告",
    }
    pages = site.pages
    links = "".join(f"<li>{x}</li>" for x in [
        f'<a href="{DISALLOWED_REPORT}">清河市内部局2024年政府信息公开工作年度报告</a>',
        f'<a href="{foreign_base}/xxgk-show-198952.html">清河市人民政府2023年政府信息公开工作年度报告（转载）</a>',
        '<a href="/test/go-away.html">清河市外链局2023年政府信息公开工作年度报告</a>',
        '<a href="/test/gbk/index.html">测试年报</a>',
        '<a href="/test/gbk2/index.html">测试镇年报</a>',
        '<a href="/test/nb/index.html">测试局年报</a>',
        '<a href="/test/nb2/index.html">测试办年报</a>',
    ])
    pages["/test/index.html"] = _page(_html("测试页", f"<ul>{links}</ul>"), role="test")
    pages[DISALLOWED_REPORT] = _report("清河市内部局2024年政府信息公开工作年度报告")
    pages["/test/go-away.html"] = Page(b"", "text/html", status=302, role="redirect", encoding=None,
                                       headers={"Location": f"{foreign_base}/xxgk-show-198952.html"})
    # GBK bytes, no charset in the header nor in the page: only the bytes tell.
    gbk_list = _html("测试年报", f'<ul><li><a href="/test/detail.html?id=7">{GBK_REPORT_TEXT}</a></li></ul>', charset=None)
    pages["/test/gbk/index.html"] = _page(gbk_list, "text/html", "gbk", role="list")
    # GBK bytes under a meta tag that says utf-8 (a template copied from another site).
    wrong_meta = _html("测试镇年报", f'<ul><li><a href="/test/detail.html?id=8">{GBK_WRONG_META_TEXT}</a></li></ul>')
    pages["/test/gbk2/index.html"] = _page(wrong_meta, "text/html", "gbk", role="list")
    for n in (7, 8):  # titles that say nothing: only the GBK link text makes them candidates
        pages[f"/test/detail.html?id={n}"] = _page(_html("信息详情", "<p>一、总体情况</p><p>本报告……</p>"), role="report")
    # A TRS list whose pages exist only in createPageHTML, plus a rogue link past its last page.
    pager = '<script>createPageHTML(2, {n}, "index", "html");</script>'
    pages["/test/nb/index.html"] = _page(_html("测试局年报", (
        '<ul><li><a href="./202401/t20240110_101.html">清河市测试局2023年政府信息公开工作年度报告</a></li></ul>'
        '<a href="index_9.html">9</a>' + pager.format(n=0))), role="list")
    pages["/test/nb/index_1.html"] = _page(_html("测试局年报", (
        '<ul><li><a href="./202301/t20230110_102.html">清河市测试局2022年政府信息公开工作年度报告</a></li></ul>'
        + pager.format(n=1))), role="list")
    pages[TRS_ROGUE_PAGE] = _page(_html("测试局年报", "<ul><li>空</li></ul>"), role="trap")
    # A pager that never ends: every page links the next one, only the first lists anything.
    pages["/test/nb2/index.html"] = _page(_html("测试办年报", (
        '<ul><li><a href="./202401/t20240110_201.html">清河市测试办2023年政府信息公开工作年度报告</a></li></ul>'
        '<a href="index_1.html">下一页</a>')), role="list")
    for n in range(1, 300):
        pages[f"/test/nb2/index_{n}.html"] = _page(_html("测试办年报", f'<a href="index_{n + 1}.html">下一页</a>'),
                                                   role="trap")
    for path, title in reports.items():
        if path not in pages:
            pages[path] = _report(title)
    return reports


# --- running the spider -------------------------------------------------------------------------
@dataclass
class Crawl:
    returncode: int
    log: str
    items: list[dict[str, Any]]
    stats: dict[str, Any]

    def by_path(self, base: str, role: str | None = None) -> dict[str, dict[str, Any]]:
        return {i["url"][len(base):]: i for i in self.items
                if i.get("url", "").startswith(base) and (role is None or i["role"] == role)}


def run_crawl(tmp: Path, *args: str, settings: dict[str, str] | None = None) -> Crawl:
    """`python -m scrapy crawl reports ARGS` from the repo root, items collected as JSON Lines."""
    out = tmp / "items.jsonl"
    overrides = {
        "ITEM_PIPELINES": '{"collect_pipeline.CollectPipeline": 1}',
        "COLLECT_PATH": str(out),
        "GOVREPORTS_DB": str(tmp / "fetchlog.db"),  # the fetch log still writes somewhere of the test's
        "DOWNLOAD_DELAY": "0",
        "AUTOTHROTTLE_ENABLED": "False",
        "RETRY_BACKOFF_BASE": "0.01",
        "CONCURRENT_REQUESTS_PER_DOMAIN": "8",
        "LOG_LEVEL": "INFO",
        **(settings or {}),
    }
    cmd = [sys.executable, "-m", "scrapy", "crawl", "reports"]
    for arg in args:
        cmd += ["-a", arg]
    for name, value in overrides.items():
        cmd += ["-s", f"{name}={value}"]
    env = dict(os.environ, PYTHONPATH=os.pathsep.join([str(TESTS), str(ROOT), os.environ.get("PYTHONPATH", "")]))
    proc = subprocess.run(cmd, check=False, cwd=ROOT, env=env, capture_output=True, text=True, timeout=CRAWL_TIMEOUT)
    items = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()] if out.exists() else []
    stats_file = Path(f"{out}.stats.json")
    stats = json.loads(stats_file.read_text(encoding="utf-8")) if stats_file.exists() else {}
    return Crawl(proc.returncode, proc.stderr, items, stats)


@dataclass
class Portal:
    site: Any
    server: PortalServer
    foreign: PortalServer
    crawl: Crawl
    test_reports: dict[str, str]

    @property
    def base(self) -> str:
        return self.server.base_url


@pytest.fixture(scope="module")
def portal(tmp_path_factory: pytest.TempPathFactory) -> Portal:
    """One crawl of the sample portal from its home page (and the test pages), shared by the tests."""
    with PortalServer(build_foreign_site()) as foreign:
        site = build_site(foreign_base=foreign.localhost_url)
        test_reports = add_test_pages(site, foreign.localhost_url)
        with PortalServer(site) as server:
            starts = f"{server.base_url}/,{server.base_url}/test/index.html"
            crawl = run_crawl(tmp_path_factory.mktemp("crawl"), f"start_urls={starts}")
            yield Portal(site, server, foreign, crawl, test_reports)


def fetched(portal: Portal) -> set[str]:
    """Paths of every candidate and attachment the crawl yielded."""
    return {path for path, item in portal.crawl.by_path(portal.base).items() if item["role"] in ("candidate", "attachment")}


# --- the crawl ------------------------------------------------------------------------------------
def test_crawl_finishes_cleanly(portal: Portal) -> None:
    assert portal.crawl.returncode == 0, portal.crawl.log[-3000:]
    assert "Traceback" not in portal.crawl.log, portal.crawl.log[-3000:]
    assert portal.crawl.stats.get("govreports/candidates", 0) > 0


def test_every_report_is_found(portal: Portal) -> None:
    found = fetched(portal)
    missing = [r["title"] for r in portal.site.expected_reports if r["page"] not in found and r["path"] not in found]
    assert not missing, missing
    assert set(portal.test_reports) <= found


def test_report_files_are_attachments_of_their_pages(portal: Portal) -> None:
    """Pages that only say 详见附件 / 附件 hand over to their file (docx, pdf) with the page as parent."""
    items = portal.crawl.by_path(portal.base)
    for page in portal.site.attachment_pages:
        assert items[page]["role"] == "candidate"
    files = [r for r in portal.site.expected_reports if r["path"] != r["page"]]
    assert files
    for report in files:
        item = items[report["path"]]
        assert item["role"] == "attachment" and item["body_length"] > 0
        assert item["parent_url"] == portal.base + report["page"]
        assert item["parent_title"]
    assert portal.crawl.stats["govreports/attachments"] >= len(files)


def test_no_lookalike_is_a_candidate(portal: Portal) -> None:
    candidates = set(portal.crawl.by_path(portal.base, "candidate"))
    assert not candidates & set(portal.site.lookalikes)
    assert portal.crawl.stats["govreports/lookalikes"] >= len(portal.site.lookalikes)


def test_list_pages_are_listings(portal: Portal) -> None:
    listings = portal.crawl.by_path(portal.base, "listing")
    assert {"/", "/zwgk/zfxxgk/zfxxgknb/index.html", "/zwgk/zfxxgk/zfxxgknb/sbj/index.html"} <= set(listings)
    assert portal.crawl.stats["govreports/listings"] == sum(1 for i in portal.crawl.items if i["role"] == "listing")


def test_candidates_carry_link_text_and_referer(portal: Portal) -> None:
    items = portal.crawl.by_path(portal.base, "candidate")
    for report in portal.site.expected_reports:
        item = items.get(report["page"])
        if item is None or item.get("request_url"):
            continue  # the redirected one is checked below
        assert item["source"] and item["referer"] and item["fetched_at"].endswith("+00:00")
    redirected = next(iter(portal.site.redirects.values()))
    assert items[redirected]["request_url"]


def test_robots_disallowed_paths_are_never_requested(portal: Portal) -> None:
    paths = portal.server.requested_paths()
    assert "/robots.txt" in paths
    assert not [p for p in paths if p.startswith("/admin/")]
    assert portal.crawl.stats.get("robotstxt/forbidden", 0) >= 1  # the link to DISALLOWED_REPORT


def test_nothing_is_requested_from_a_foreign_host(portal: Portal) -> None:
    assert portal.foreign.requested_paths() == []
    assert "/test/go-away.html" in portal.server.requested_paths()  # whose redirect goes off-site
    assert portal.crawl.stats["govreports/offsite_dropped"] >= 2  # the link, and the redirect target


def test_createpagehtml_only_pagination_is_followed(portal: Portal) -> None:
    paths = set(portal.server.requested_paths())
    sbj = [p for p in portal.site.pages if p.startswith("/zwgk/zfxxgk/zfxxgknb/sbj/index_")]
    assert sbj and set(sbj) <= paths  # the demo's TRS column links its pages only in the script
    assert "/test/nb/index_1.html" in paths
    assert TRS_ROGUE_PAGE not in paths  # past the page count the script states


def test_query_and_next_last_pagination_are_followed(portal: Portal) -> None:
    paths = set(portal.server.requested_paths())
    assert {"/col/col1229/index.html?page=2", "/col/col1229/index.html?page=3"} <= paths
    assert {p for p in portal.site.pages if p.startswith("/zwgk/zfxxgk/zfxxgknb/swjw/index_")} <= paths


def test_gbk_link_text_is_decoded(portal: Portal) -> None:
    """GBK list pages with no charset anywhere, or a meta tag that wrongly says utf-8."""
    candidates = portal.crawl.by_path(portal.base, "candidate")
    assert candidates["/test/detail.html?id=7"]["link_text"] == GBK_REPORT_TEXT
    assert candidates["/test/detail.html?id=8"]["link_text"] == GBK_WRONG_META_TEXT


def test_page_failing_twice_is_reached_after_retries(portal: Portal) -> None:
    paths = portal.server.requested_paths()
    candidates = portal.crawl.by_path(portal.base, "candidate")
    assert portal.site.flaky
    for path, failures in portal.site.flaky.items():
        assert paths.count(path) == failures + 1
        assert candidates[path]["status"] == 200
    assert portal.crawl.stats["retry/count"] >= 2


def test_traps_end(portal: Portal) -> None:
    paths = portal.server.requested_paths()
    assert not [p for p in paths if p.startswith("/calendar/")]
    assert len([p for p in paths if p.startswith("/test/nb2/index_")]) <= 2  # the empty pages of an endless pager
    assert portal.crawl.stats["govreports/trap_dropped"] >= 2  # the calendar and the rogue page link
    assert len(paths) < 200


def test_gone_report_yields_gone_item(tmp_path: Path) -> None:
    """A recheck of archived URLs: the one the portal removed answers 404 → GoneItem."""
    site = build_site(state=2)
    removed = next(c["path"] for c in site.changes if c["kind"] == "removed")
    kept = next(r["page"] for r in site.expected_reports if r["page"] != removed)
    with PortalServer(site) as server:
        urls = tmp_path / "recheck.txt"
        urls.write_text(f"# archived\n{server.base_url}{removed}\n{server.base_url}{kept}\n", encoding="utf-8")
        crawl = run_crawl(tmp_path, f"recheck={urls}", settings={"GOVREPORTS_SITEMAPS": "False"})
        paths = server.requested_paths()
    assert crawl.returncode == 0, crawl.log[-3000:]
    gone = [i for i in crawl.items if i["type"] == "GoneItem"]
    assert [g["url"] for g in gone] == [server.base_url + removed]
    assert gone[0]["status"] == 404
    assert crawl.by_path(server.base_url, "candidate")[kept]["status"] == 200
    assert crawl.stats["govreports/gone"] == 1
    assert removed in paths and kept in paths


def test_sources_file_and_retry_backoff(tmp_path: Path) -> None:
    """-a sources=FILE crawls its start URL; retries of a failing page wait base × 2^n seconds."""
    site = build_site()
    flaky, failures = next(iter(site.flaky.items()))
    with PortalServer(site) as server:
        sources = tmp_path / "sources.toml"
        sources.write_text(f'[[source]]\nname = "demo"\nagency = "清河市发展和改革委员会"\n'
                           f'start_urls = ["{server.base_url}{flaky}"]\n', encoding="utf-8")
        crawl = run_crawl(tmp_path, f"sources={sources}",
                          settings={"RETRY_BACKOFF_BASE": "0.3", "GOVREPORTS_SITEMAPS": "False"})
        times = [r["time"] for r in server.requests if r["path"] == flaky]
    assert crawl.returncode == 0, crawl.log[-3000:]
    assert len(times) == failures + 1
    gaps = [b - a for a, b in itertools.pairwise(times)]
    assert gaps[0] >= 0.3 and gaps[1] >= 0.6, gaps
    item = crawl.by_path(server.base_url, "candidate")[flaky]
    assert item["source"] == "demo" and item["status"] == 200


def test_page_budget_ends_a_source(tmp_path: Path) -> None:
    with PortalServer(build_site()) as server:
        crawl = run_crawl(tmp_path, f"start_urls={server.base_url}/", settings={"GOVREPORTS_MAX_PAGES_PER_SOURCE": "10"})
        pages = [p for p in server.requested_paths() if p != "/robots.txt"]
    assert crawl.returncode == 0, crawl.log[-3000:]
    assert len(pages) <= 10 + 2  # + retries and redirects, which are not new pages
    assert crawl.stats["govreports/budget_dropped"] > 0


# --- parts, without a crawl ---------------------------------------------------------------------
def test_sources_file_of_the_repo_loads() -> None:
    sources = load_sources(ROOT / "sources.toml")
    assert len(sources) >= 17
    assert len({s.name for s in sources}) == len(sources)
    for source in sources:
        assert source.start_urls and source.hosts
        assert all(source.allows(url) for url in source.start_urls)


@pytest.mark.parametrize("text, message", [
    ('[[source]]\nname = "a"\nstart_urls = ["ftp://x.gov.cn/"]', "http(s) URLs"),
    ('[[source]]\nname = "a"\nstart_url = ["http://x.gov.cn/"]', "unknown key"),
    ('[[source]]\nstart_urls = ["http://x.gov.cn/"]', "'name' is required"),
    ('[[source]\nname = "a"', "not valid TOML"),
    ('title = "no sources"', "no [[source]]"),
    ('[[source]]\nname = "a"\nstart_urls = ["http://x.gov.cn/"]\n[[source]]\nname = "a"\nstart_urls = ["http://y.gov.cn/"]',
     "used twice"),
])
def test_malformed_sources_file_is_a_clear_error(text: str, message: str) -> None:
    with pytest.raises(SourcesError, match=re.escape(message)):
        parse_sources(text, "bad.toml")


def test_hosts_are_exact_hosts_and_ports() -> None:
    source = parse_sources('[[source]]\nname = "a"\nstart_urls = ["https://www.x.gov.cn/zwgk/"]\n'
                           'hosts = ["WWW.X.GOV.CN:8443", "x.gov.cn"]')[0]
    assert source.hosts == ["www.x.gov.cn:8443", "x.gov.cn", "www.x.gov.cn"]
    assert source.allows("http://www.x.gov.cn/a") and source.allows("https://www.x.gov.cn:8443/b")
    assert not source.allows("http://news.x.gov.cn/") and not source.allows("http://www.x.gov.cn:8080/")
    assert host_key("http://127.0.0.1:8000/x") == "127.0.0.1:8000"
    assert [s.name for s in sources_from_urls(["http://a.gov.cn/", "http://a.gov.cn/b", "http://b.gov.cn/"])] == [
        "a.gov.cn", "b.gov.cn"]


def test_charset_fix_reads_gbk_without_a_declared_charset() -> None:
    from scrapy import Request
    from scrapy.http import HtmlResponse

    from crawler.middlewares import CharsetFixMiddleware

    body = _html("测试", f'<a href="/x">{GBK_REPORT_TEXT}</a>', charset=None).encode("gbk")
    wrong = HtmlResponse("http://a.gov.cn/", body=body, headers={"Content-Type": "text/html; charset=utf-8"})
    fixed = CharsetFixMiddleware().process_response(Request(wrong.url), wrong)
    assert fixed.encoding == "gb18030"
    assert GBK_REPORT_TEXT in fixed.text


def test_backoff_doubles_and_is_capped() -> None:
    from scrapy.settings import Settings

    from crawler.middlewares import BackoffRetryMiddleware

    mw = BackoffRetryMiddleware(Settings({"RETRY_BACKOFF_BASE": 2, "RETRY_BACKOFF_MAX": 5}))
    assert [mw.backoff_delay(n) for n in (1, 2, 3, 4)] == [2, 4, 5, 5]


def test_link_and_url_rules() -> None:
    from spiders.links import link_kind, page_number, script_pagination, trap_reason

    assert link_kind("清河市2024年政府信息公开工作年度报告") == "report"
    assert link_kind("政府信息公开年报") == "column"
    assert link_kind("政务公开") == "nav"
    assert link_kind("查看详情") is None
    for lookalike in ["关于2024年政府信息公开工作年度报告的解读", "图解：2024年政府信息公开工作年度报告",
                      "关于印发《中华人民共和国政府信息公开工作年度报告格式》的通知", "2024年政务公开工作要点",
                      "2023年法治政府建设年度报告", "2023年部门决算", "2024年政府工作报告"]:
        assert link_kind(lookalike) == "lookalike", lookalike
    assert script_pagination('createPageHTML(5, 0, "index", "shtml");') == (5, "index", "shtml")
    assert script_pagination("var countPage = 3;\ncreatePageHTML(countPage, 0, 'index', 'html');") == (3, "index", "html")
    assert page_number("http://a/zfxxgknb/index_4.html") == 4 and page_number("http://a/list?page=3") == 3
    assert trap_reason("http://a/calendar/?month=2024-01") and trap_reason("http://a/list?date=2024-01-01")
    assert trap_reason("http://a/x;jsessionid=ABC") and trap_reason("http://a/s?" + "x=1&" * 80)
    assert trap_reason("http://a/zwgk/zfxxgknb/index_2.html") is None
