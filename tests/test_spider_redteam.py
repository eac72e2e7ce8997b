"""Red-team discovery tests: small portals in CMS shapes the demo portal does not stage.

Each scenario is its own little site on 127.0.0.1 (docs/PORTALS.md has the evidence for each shape),
crawled from its home page by the real spider in a subprocess, as tests/test_spider.py does.
A second server named ``localhost`` plays other government hosts: nothing may reach it.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from archive.demo import Page
from archive.demo.server import PortalServer
from archive.demo.site import Site

ROOT = Path(__file__).resolve().parents[1]
TESTS = Path(__file__).resolve().parent
CRAWL_TIMEOUT = 90

NAV = '<div class="nav"><ul><li><a href="/">首页</a></li><li><a href="{gk}">{gk_text}</a></li>' \
      '<li><a href="/news/">新闻中心</a></li><li><a href="/hdjl/">互动交流</a></li></ul></div>'


# --- building pages ---------------------------------------------------------------------------
def html(title: str, body: str, head: str = "", nav: str = "") -> str:
    return (f'<!DOCTYPE html><html><head><meta charset="utf-8">{head}<title>{title}</title></head>'
            f'<body>{nav}<div class="main">{body}</div><div class="footer">清河县人民政府 版权所有</div></body></html>')


def page(text: str, content_type: str = "text/html; charset=utf-8", role: str = "page", **kw: Any) -> Page:
    return Page(text.encode("utf-8"), content_type, role=role, encoding="utf-8", **kw)


def report_page(title: str, *, meta: bool = False, h1: bool = True, page_title: str | None = None) -> Page:
    """An article page; `h1=False` puts the title in a <div class="article-title"> (JEECMS, many others)."""
    head = f'<meta name="ArticleTitle" content="{title}">' if meta else ""
    heading = f"<h1>{title}</h1>" if h1 else f'<div class="article-title">{title}</div>'
    body = (f'{heading}<div class="info">发布时间：2025-01-20 来源：清河县人民政府办公室</div>'
            '<div class="content"><p>本报告根据《中华人民共和国政府信息公开条例》要求编制。</p>'
            '<p>一、总体情况</p><p>二、主动公开政府信息情况</p><table><tr><td>信息内容</td><td>本年制发件数</td></tr></table></div>')
    return page(html(page_title if page_title is not None else f"{title}_清河县人民政府", body, head), role="report")


PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def pdf_page() -> Page:
    return Page(PDF, "application/pdf", role="report", encoding=None)


def new_site(pages: dict[str, Page]) -> Site:
    return Site(state=1, pages=pages, expected_reports=[], lookalikes=[], disallowed=[], changes=[], redirects={},
                flaky={}, dead_links=[], foreign_links=[], traps=[], attachment_pages=[])


# --- running the spider -------------------------------------------------------------------------
@dataclass
class Result:
    returncode: int
    log: str
    items: list[dict[str, Any]]
    stats: dict[str, Any]
    paths: list[str]
    foreign_paths: list[str]
    base: str

    def roles(self) -> dict[str, str]:
        """path → role of every item the crawl yielded from the portal."""
        return {i["url"][len(self.base):]: i["role"] for i in self.items if (i.get("url") or "").startswith(self.base)}

    def candidates(self) -> set[str]:
        return {p for p, r in self.roles().items() if r == "candidate"}

    def explain(self, wanted: list[str]) -> str:
        roles = self.roles()
        lines = [f"{p}: requested={p in self.paths} yielded_as={roles.get(p)}" for p in wanted]
        return "\n".join(lines) + "\n--- requested:\n" + "\n".join(self.paths) + "\n--- items:\n" + "\n".join(
            f"{p} {r}" for p, r in roles.items())


def crawl(tmp: Path, build, start: str = "/") -> Result:
    """Serve build(foreign_base) as a portal, crawl it from `start`, return what happened."""
    with PortalServer(new_site({"/": page("<html><body>其他政府网站</body></html>")})) as foreign:
        pages = build(foreign.localhost_url)
        with PortalServer(new_site(pages)) as server:
            out = tmp / "items.jsonl"
            settings = {
                "ITEM_PIPELINES": '{"collect_pipeline.CollectPipeline": 1}',
                "COLLECT_PATH": str(out),
                "GOVREPORTS_DB": str(tmp / "fetchlog.db"),
                "DOWNLOAD_DELAY": "0",
                "AUTOTHROTTLE_ENABLED": "False",
                "RETRY_BACKOFF_BASE": "0.01",
                "CONCURRENT_REQUESTS_PER_DOMAIN": "8",
                "LOG_LEVEL": "INFO",
            }
            cmd = [sys.executable, "-m", "scrapy", "crawl", "reports", "-a", f"start_urls={server.base_url}{start}"]
            for name, value in settings.items():
                cmd += ["-s", f"{name}={value}"]
            env = dict(os.environ, PYTHONPATH=os.pathsep.join([str(TESTS), str(ROOT), os.environ.get("PYTHONPATH", "")]))
            proc = subprocess.run(cmd, check=False, cwd=ROOT, env=env, capture_output=True, text=True,
                                  timeout=CRAWL_TIMEOUT)
            items = [json.loads(x) for x in out.read_text(encoding="utf-8").splitlines()] if out.exists() else []
            stats_file = Path(f"{out}.stats.json")
            stats = json.loads(stats_file.read_text(encoding="utf-8")) if stats_file.exists() else {}
            return Result(proc.returncode, proc.stderr, items, stats, server.requested_paths(),
                          foreign.requested_paths(), server.base_url)


def assert_clean(result: Result) -> None:
    assert result.returncode == 0, result.log[-3000:]
    assert "Traceback" not in result.log, result.log[-3000:]
    assert result.foreign_paths == [], result.foreign_paths


def assert_candidates(result: Result, wanted: list[str]) -> None:
    missing = [p for p in wanted if p not in result.candidates()]
    assert not missing, result.explain(missing)


# --- 1. Hanweb (大汉) column: records only in a <script type="text/xml"> datastore, more via dataproxy.jsp ---
HANWEB_STATIC = {
    "/art/2025/1/20/art_123_456.html": "清河县人民政府2024年政府信息公开工作年度报告",
    "/art/2024/1/18/art_123_455.html": "清河县人民政府2023年政府信息公开工作年度报告",
}
HANWEB_PROXY = {
    "/art/2023/1/19/art_123_404.html": "清河县人民政府2022年政府信息公开工作年度报告",
    "/art/2022/1/20/art_123_403.html": "清河县人民政府2021年政府信息公开工作年度报告",
}
HANWEB_PROXY_PATH = "/module/web/jpage/dataproxy.jsp"


def _records(reports: dict[str, str]) -> str:
    return "".join(
        f'<record><![CDATA[<li><a href="{path}" title="{title}" target="_blank">{title}</a>'
        f'<span class="bt_time">2025-01-20</span></li>]]></record>' for path, title in reports.items())


def build_hanweb(foreign: str) -> dict[str, Page]:
    nextgroup = (f'<a href="{HANWEB_PROXY_PATH}?page=1&appid=1&webid=1&path=/&columnid=123&unitid=5001'
                 '&webname=%E6%B8%85%E6%B2%B3%E5%8E%BF&permissiontype=0"></a>')
    column = (
        '<div class="dqwz">当前位置：<a href="/">首页</a> &gt; <a href="/col/col100/index.html">政务公开</a>'
        ' &gt; 政府信息公开年报</div><div id="5001">'
        f'<script type="text/xml"><datastore><nextgroup><![CDATA[{nextgroup}]]></nextgroup>'
        f'<recordset>{_records(HANWEB_STATIC)}</recordset></datastore></script></div>'
        '<script type="text/javascript" src="/module/web/jpage/jquery.page.min.js"></script>'
        '<script type="text/javascript">$(document).ready(function(){ $("#5001").jpage({ '
        f'proxyUrl: "{HANWEB_PROXY_PATH}", perPage: 2, groupSize: 1, totalRecord: 4, barPosition: "bottom", '
        'dataBefore: "<ul>", dataAfter: "</ul>", showMode: "full"}); });</script>'
    )
    proxy = ('<?xml version="1.0" encoding="UTF-8"?><datastore><nextgroup><![CDATA[]]></nextgroup>'
             f'<recordset>{_records(HANWEB_PROXY)}</recordset></datastore>')
    pages = {
        "/": page(html("清河县人民政府", "<p>欢迎</p>", nav=NAV.format(gk="/col/col100/index.html", gk_text="政务公开"))),
        "/col/col100/index.html": page(html("政务公开_清河县人民政府", (
            '<div class="xxgk-tree"><ul><li><a href="/col/col101/index.html">政府信息公开指南</a></li>'
            '<li><a href="/col/col123/index.html">政府信息公开年报</a></li></ul></div>'))),
        "/col/col101/index.html": page(html("政府信息公开指南", "<p>指南</p>")),
        "/col/col123/index.html": page(html("政府信息公开年报_清河县人民政府", column), role="list"),
        HANWEB_PROXY_PATH: page(proxy, "text/html;charset=UTF-8", role="list"),
    }
    for path, title in {**HANWEB_STATIC, **HANWEB_PROXY}.items():
        pages[path] = report_page(title, meta=True)
    return pages


@pytest.fixture(scope="module")
def hanweb(tmp_path_factory: pytest.TempPathFactory) -> Result:
    return crawl(tmp_path_factory.mktemp("hanweb"), build_hanweb)


def test_hanweb_datastore_records_are_candidates(hanweb: Result) -> None:
    assert_clean(hanweb)
    assert_candidates(hanweb, list(HANWEB_STATIC))


def test_hanweb_dataproxy_pages_are_followed(hanweb: Result) -> None:
    """totalRecord 4 / perPage 2: the older records come only from dataproxy.jsp (the nextgroup link)."""
    assert any(p.startswith(HANWEB_PROXY_PATH) for p in hanweb.paths), hanweb.explain(list(HANWEB_PROXY))
    assert_candidates(hanweb, list(HANWEB_PROXY))


# --- 2. JEECMS list: truncated text with @title, "查看详情" with the title in a sibling <span>, 下一页 ---
JEECMS_TITLED = {
    "/c/www/bmnb/166938.jhtml": "清河县卫生健康局2024年政府信息公开工作年度报告",
    "/c/www/bmnb/150021.jhtml": "清河县教育局2023年政府信息公开工作年度报告",  # on page 2
}
JEECMS_DETAIL = "/c/www/bmnb/166940.jhtml"
JEECMS_DETAIL_TITLE = "清河县民政局2024年政府信息公开工作年度报告"


def build_jeecms(foreign: str) -> dict[str, Page]:
    def item(path: str, title: str) -> str:
        return f'<li><a href="{path}" title="{title}">{title[:18]}…</a><span class="date">2025-01-20</span></li>'

    page1 = ('<div class="list"><ul>' + item("/c/www/bmnb/166938.jhtml", JEECMS_TITLED["/c/www/bmnb/166938.jhtml"])
             + f'<li><span class="bt">{JEECMS_DETAIL_TITLE}</span><span class="date">2025-01-21</span>'
               f'<a href="{JEECMS_DETAIL}" class="more">查看详情</a></li></ul></div>'
             '<div class="page">共2页 <a href="/c/www/bmnb_2.jhtml">下一页</a> <a href="/c/www/bmnb_2.jhtml">尾页</a></div>')
    page2 = ('<div class="list"><ul>' + item("/c/www/bmnb/150021.jhtml", JEECMS_TITLED["/c/www/bmnb/150021.jhtml"])
             + '</ul></div><div class="page">共2页 <a href="/c/www/bmnb.jhtml">首页</a> <a href="/c/www/bmnb.jhtml">上一页</a></div>')
    pages = {
        "/": page(html("清河县人民政府", "<p>欢迎</p>", nav=NAV.format(gk="/c/www/xxgk.jhtml", gk_text="信息公开"))),
        "/c/www/xxgk.jhtml": page(html("信息公开_清河县人民政府",
                                       '<div class="gkml"><a href="/c/www/bmnb.jhtml">部门年报</a>'
                                       '<a href="/c/www/zfwj.jhtml">政府文件</a></div>')),
        "/c/www/bmnb.jhtml": page(html("部门年报_清河县人民政府", page1), role="list"),
        "/c/www/bmnb_2.jhtml": page(html("部门年报_清河县人民政府", page2), role="list"),
    }
    for path, title in JEECMS_TITLED.items():
        pages[path] = report_page(title, h1=False, page_title="清河县人民政府门户网站")
    pages[JEECMS_DETAIL] = report_page(JEECMS_DETAIL_TITLE, h1=False, page_title="清河县人民政府门户网站")
    return pages


@pytest.fixture(scope="module")
def jeecms(tmp_path_factory: pytest.TempPathFactory) -> Result:
    return crawl(tmp_path_factory.mktemp("jeecms"), build_jeecms)


def test_jeecms_truncated_titles_and_next_page(jeecms: Result) -> None:
    assert_clean(jeecms)
    assert_candidates(jeecms, list(JEECMS_TITLED))
    texts = {i["url"][len(jeecms.base):]: i["link_text"] for i in jeecms.items if i["role"] == "candidate"}
    assert texts.get("/c/www/bmnb/166938.jhtml") == JEECMS_TITLED["/c/www/bmnb/166938.jhtml"]


def test_jeecms_view_details_link_takes_the_sibling_title(jeecms: Result) -> None:
    """'查看详情' beside <span class="bt">title</span>; the page itself has no h1 / ArticleTitle."""
    assert_candidates(jeecms, [JEECMS_DETAIL])


# --- 3. VSB/博达: /info/<col>/<id>.htm, lists xxgknb.htm → xxgknb/2.htm → xxgknb/1.htm (counting down) ---
VSB = {
    "/info/2381/644672.htm": "清河县卫生健康局2024年政府信息公开工作年度报告",  # page 1
    "/info/2381/600001.htm": "清河县卫生健康局2023年政府信息公开工作年度报告",  # page 2 (xxgknb/2.htm)
    "/info/2381/550017.htm": "清河县卫生健康局2022年政府信息公开工作年度报告",  # page 3 (xxgknb/1.htm)
}


def build_vsb(foreign: str) -> dict[str, Page]:
    def pager(current: int) -> str:
        names = {1: "xxgknb.htm", 2: "xxgknb/2.htm", 3: "xxgknb/1.htm"}
        prefix = "" if current == 1 else "../"
        spans = "".join(f'<span class="p_no_d">{n}</span>' if n == current else
                        f'<span class="p_no"><a href="{prefix}{names[n]}">{n}</a></span>' for n in (1, 2, 3))
        nxt = f'<span class="p_next"><a href="{prefix}{names[current + 1]}">下页</a></span>' if current < 3 else ""
        return f'<div class="pb_sys_common"><span class="p_t">共3条 1/3</span><span class="p_pages">{spans}{nxt}</span></div>'

    def lst(path: str, title: str, current: int) -> str:
        href = ("../" if current == 1 else "../../") + path.lstrip("/")
        return html("信息公开年报-清河县卫生健康局",
                    f'<ul class="list"><li><a href="{href}" title="{title}">{title}</a><span>2025-01-20</span></li></ul>'
                    + pager(current))

    paths = list(VSB)
    pages = {
        "/": page(html("清河县卫生健康局", "<p>欢迎</p>", nav=NAV.format(gk="/xxgk.htm", gk_text="信息公开"))),
        "/xxgk.htm": page(html("信息公开-清河县卫生健康局", '<div class="leftnav"><a href="xxgk/xxgknb.htm">信息公开年报</a></div>')),
        "/xxgk/xxgknb.htm": page(lst(paths[0], VSB[paths[0]], 1), role="list"),
        "/xxgk/xxgknb/2.htm": page(lst(paths[1], VSB[paths[1]], 2), role="list"),
        "/xxgk/xxgknb/1.htm": page(lst(paths[2], VSB[paths[2]], 3), role="list"),
    }
    for path, title in VSB.items():
        pages[path] = report_page(title)
    return pages


def test_vsb_info_articles_and_countdown_pages(tmp_path: Path) -> None:
    result = crawl(tmp_path, build_vsb)
    assert_clean(result)
    assert_candidates(result, list(VSB))


# --- 4. extension-less content_N, ?pageIndex=N paging (endless), agency / year split by <br> ---
CONTENT = {
    "/zwgk/xxgknb/content_70172": ("清河县审计局", "2024年政府信息公开工作年度报告"),  # page 1
    "/zwgk/xxgknb/content_66370": ("清河县统计局", "2023年政府信息公开工作年度报告"),  # page 2
}


def build_content(foreign: str) -> dict[str, Page]:
    def lst(path: str, n: int) -> str:
        agency, rest = CONTENT[path] if path else ("", "")
        items = (f'<li><a href="{path}"><span class="dw">{agency}</span><br/><span>{rest}</span></a></li>'
                 if path else "")
        return html("信息公开年报-清河县人民政府",
                    f'<ul class="news-list">{items}</ul><div class="pagination"><a href="?pageIndex={n - 1}">上一页</a>'
                    f'<span>第{n}页</span><a href="?pageIndex={n + 1}">下一页</a></div>')

    paths = list(CONTENT)
    pages = {
        "/": page(html("清河县人民政府", "<p>欢迎</p>", nav=NAV.format(gk="/zwgk/index.html", gk_text="政务公开"))),
        "/zwgk/index.html": page(html("政务公开-清河县人民政府",
                                      '<div class="tree"><a href="/zwgk/xxgknb/">信息公开年报</a></div>')),
        "/zwgk/xxgknb/": page(lst(paths[0], 1), role="list"),
        "/zwgk/xxgknb/?pageIndex=1": page(lst(paths[0], 1), role="list"),
        "/zwgk/xxgknb/?pageIndex=2": page(lst(paths[1], 2), role="list"),
    }
    for n in range(3, 120):  # the platform answers any pageIndex with an empty list and another 下一页
        pages[f"/zwgk/xxgknb/?pageIndex={n}"] = page(lst("", n), role="trap")
    for path, (agency, rest) in CONTENT.items():
        pages[path] = report_page(agency + rest)
    return pages


def test_content_id_articles_and_pageindex_paging(tmp_path: Path) -> None:
    result = crawl(tmp_path, build_content)
    assert_clean(result)
    assert_candidates(result, list(CONTENT))
    texts = {i["url"][len(result.base):]: i["link_text"] for i in result.items if i["role"] == "candidate"}
    assert texts.get("/zwgk/xxgknb/content_70172") == "".join(CONTENT["/zwgk/xxgknb/content_70172"])
    empty = [p for p in result.paths if p.startswith("/zwgk/xxgknb/?pageIndex=") and int(p.rsplit("=", 1)[1]) >= 3]
    assert len(empty) <= 2, empty  # the endless pager of empty pages is cut


# --- 5. home nav 政务公开 → disclosure index → left-tree opaque column → year sub-columns; traps ---
YEARS = {
    "/zwgk/c100245/c100246/202501/t20250120_1001.html": ("清河区发展和改革委员会", "清河区发展和改革委员会2024年政府信息公开工作年度报告"),
    "/zwgk/c100245/c100246/202501/t20250121_1002.html": ("清河区西城街道办事处", "清河区西城街道办事处2024年政府信息公开工作年度报告"),
    "/zwgk/c100245/c100247/202401/t20240119_901.html": ("清河区发展和改革委员会", "清河区发展和改革委员会2023年政府信息公开工作年度报告"),
}

TREE_DETAIL = "/zwgk/c100245/c100246/202501/t20250122_1003.html"
TREE_DETAIL_TITLE = "清河区教育委员会2024年政府信息公开工作年度报告"


def build_tree(foreign: str) -> dict[str, Page]:
    nav = NAV.format(gk="/zwgk/", gk_text="政务公开")
    search = '<div class="search"><form action="/search/index.html"><input name="keyword"><button>搜索</button></form></div>'
    home = html("清河区人民政府", (
        '<div class="hot"><a href="/so/list.html?keyword=%E5%B9%B4%E6%8A%A5">年报</a>'
        '<a href="/so/list.html?keyword=%E6%94%BF%E5%8A%A1%E5%85%AC%E5%BC%80">政务公开</a></div>'
        f'<div class="links"><a href="{foreign}/zwgk/zfxxgknb/">清河市政府信息公开年报</a></div>'), nav=nav + search)
    tree = ('<div class="gk-tree"><ul><li><a href="/zwgk/c100200/">政府信息公开指南</a></li>'
            '<li><a href="/zwgk/c100202/">法定主动公开内容</a></li>'
            '<li><a href="/zwgk/c100245/">政府信息公开年报</a></li></ul></div>')

    def year_list(folder: str) -> str:
        rows = "".join(f'<li><a href="{p}">{agency}</a><span>2025-01-20</span></li>'
                       for p, (agency, _) in YEARS.items() if p.startswith(folder))
        if folder == "/zwgk/c100245/c100246/":
            rows += (f'<li><span class="bt">{TREE_DETAIL_TITLE}</span><span>2025-01-22</span>'
                     f'<a href="{TREE_DETAIL}">详细</a></li>')
        return f'<ul class="list">{rows}</ul>'

    pages = {
        "/": page(home),
        "/zwgk/": page(html("政务公开_清河区人民政府", tree, nav=nav)),
        "/zwgk/c100200/": page(html("政府信息公开指南_清河区人民政府", "<p>指南</p>", nav=nav)),
        "/zwgk/c100245/": page(html("政府信息公开年报_清河区人民政府", (
            tree + '<ul class="list"><li><a href="/zwgk/c100245/c100246/">2024年</a></li>'
                   '<li><a href="/zwgk/c100245/c100247/">2023年</a></li></ul>'), nav=nav), role="list"),
        "/zwgk/c100245/c100246/": page(html("2024年_清河区人民政府", tree + year_list("/zwgk/c100245/c100246/"), nav=nav),
                                       role="list"),
        "/zwgk/c100245/c100247/": page(html("2023年_清河区人民政府", tree + year_list("/zwgk/c100245/c100247/"), nav=nav),
                                       role="list"),
    }
    # 法定主动公开内容: a news-like column whose 下一页 never ends and lists new items on every page.
    for n in range(0, 200):
        path = "/zwgk/c100202/" if n == 0 else f"/zwgk/c100202/?page={n}"
        rows = "".join(f'<li><a href="/zwgk/c100202/2025{n:04d}{k}.html">关于第{n}批第{k}项的公示</a></li>' for k in range(3))
        pages[path] = page(html("法定主动公开内容_清河区人民政府",
                                f'{tree}<ul class="list">{rows}</ul><a href="/zwgk/c100202/?page={n + 1}">下一页</a>', nav=nav),
                           role="trap")
    for path, (_, title) in YEARS.items():
        pages[path] = report_page(title, meta=True, page_title="清河区人民政府")
    pages[TREE_DETAIL] = report_page(TREE_DETAIL_TITLE, h1=False, page_title="清河区人民政府")
    pages["/so/list.html"] = page(html("搜索结果", '<a href="/zwgk/c100245/">政府信息公开年报</a>'), role="trap")
    pages["/search/index.html"] = page(html("搜索结果", "<p>无</p>"), role="trap")
    return pages


@pytest.fixture(scope="module")
def tree(tmp_path_factory: pytest.TempPathFactory) -> Result:
    return crawl(tmp_path_factory.mktemp("tree"), build_tree)


def test_nav_tree_year_subcolumns_agency_only_links(tree: Result) -> None:
    assert_clean(tree)
    assert_candidates(tree, list(YEARS))


def test_nav_tree_details_link_takes_the_sibling_title(tree: Result) -> None:
    """Opaque column path (c100245), link text '详细', title only in a sibling <span>; the page has
    neither h1 nor ArticleTitle (its title sits in <div class="article-title">)."""
    assert_candidates(tree, [TREE_DETAIL])
    item = next(i for i in tree.items if i["url"] == tree.base + TREE_DETAIL)
    assert item["link_text"] == TREE_DETAIL_TITLE


def test_nav_tree_traps(tree: Result) -> None:
    assert not [p for p in tree.paths if p.startswith(("/so/", "/search/"))], tree.paths
    news_pages = [p for p in tree.paths if p.startswith("/zwgk/c100202/?page=")]
    assert len(news_pages) <= 3, news_pages
    assert len(tree.paths) < 60, len(tree.paths)


# --- 6. shells: meta refresh home, location.href disclosure page, location.replace column ---
SHELL_REPORTS = {
    "/qhx/xxgk/zfxxgknb/202501/t20250120_88.html": "清河县人民政府2024年政府信息公开工作年度报告",
    "/qhx/xxgk/zfxxgknb/202401/t20240122_77.html": "清河县人民政府2023年政府信息公开工作年度报告",
}


def build_shells(foreign: str) -> dict[str, Page]:
    nav = NAV.format(gk="/qhx/xxgk/index.html", gk_text="信息公开")
    rows = "".join(f'<li><a href="./{p.split("/zfxxgknb/", 1)[1]}">{t}</a></li>' for p, t in SHELL_REPORTS.items())
    pages = {
        "/": page('<html><head><meta http-equiv="refresh" content="0;url=/qhx/index.html"></head><body></body></html>'),
        "/qhx/index.html": page(html("清河县人民政府", "<p>欢迎</p>", nav=nav)),
        "/qhx/xxgk/index.html": page('<html><head><title>信息公开</title><script type="text/javascript">'
                                     'window.location.href = "main.html";</script></head><body></body></html>'),
        "/qhx/xxgk/main.html": page(html("信息公开_清河县人民政府",
                                         '<div class="tree"><a href="/qhx/xxgk/nb.html">政府信息公开年报</a></div>', nav=nav)),
        "/qhx/xxgk/nb.html": page('<html><head><script>window.location.replace("/qhx/xxgk/zfxxgknb/list.html");'
                                  '</script></head><body>正在跳转…</body></html>'),
        "/qhx/xxgk/zfxxgknb/list.html": page(html("政府信息公开年报", f'<ul>{rows}</ul>', nav=nav), role="list"),
    }
    for path, title in SHELL_REPORTS.items():
        pages[path] = report_page(title)
    return pages


def test_meta_refresh_and_js_shells_are_followed(tmp_path: Path) -> None:
    result = crawl(tmp_path, build_shells)
    assert_clean(result)
    assert_candidates(result, list(SHELL_REPORTS))


# --- 7. a TRS column linking PDFs/DOCX directly, look-alikes beside them, other gov hosts ---
FILES = {
    "/zwgk/zfxxgk/zfxxgknb/202501/P020250124512345678901.pdf": "清河县水利局2024年政府信息公开工作年度报告",
    "/zwgk/zfxxgk/zfxxgknb/202501/P020250124598765432100.pdf": "清河县林业局2024年政府信息公开工作年度报告.pdf",
    "/upload/files/2025/1/nb2024.docx": "清河县人民政府办公室2024年政府信息公开工作年度报告",
}
LOOKALIKES = {
    "/zwgk/zfxxgk/zfxxgknb/201503/t20150310_11.html": "关于2014年政府信息公开工作要点落实情况的函",
    "/zwgk/zfxxgk/zfxxgknb/202207/t20220710_12.html": "2022年上半年政府信息公开数据统计",
    "/zwgk/zfxxgk/zfxxgknb/202501/t20250125_13.html": "清河县2024年政府信息公开工作年度报告解读",
    "/zwgk/zfxxgk/zfxxgknb/202501/t20250126_14.html": "图解：清河县2024年政府信息公开工作年度报告",
}


def build_files(foreign: str) -> dict[str, Page]:
    rows = "".join(f'<li><a href="{p}" target="_blank">{t}</a><span>2025-01-24</span></li>' for p, t in FILES.items())
    rows += "".join(f'<li><a href="{p}">{t}</a></li>' for p, t in LOOKALIKES.items())
    rows += (f'<li><a href="{foreign}/zwgk/zfxxgknb/202501/t20250120_5.html">清河市人民政府2024年政府信息公开工作年度报告</a></li>'
             f'<li><a href="{foreign}/art/2025/1/20/art_9_9.html" title="邻县人民政府2024年政府信息公开工作年度报告">邻县人民政府2024年…</a></li>')
    pages = {
        "/": page(html("清河县人民政府", "<p>欢迎</p>", nav=NAV.format(gk="/zwgk/", gk_text="政务公开"))),
        "/zwgk/": page(html("政务公开", '<a href="/zwgk/zfxxgk/zfxxgknb/">政府信息公开年报</a>')),
        "/zwgk/zfxxgk/zfxxgknb/": page(html("政府信息公开年报", f'<ul>{rows}</ul>'), role="list"),
    }
    for path in FILES:
        if path.endswith(".pdf"):
            pages[path] = pdf_page()
        else:
            pages[path] = Page(b"PK\x03\x04fake-docx", "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
                               role="report", encoding=None)
    for path, title in LOOKALIKES.items():
        pages[path] = report_page(title)
    return pages


def test_column_files_are_candidates_and_lookalikes_are_not(tmp_path: Path) -> None:
    result = crawl(tmp_path, build_files)
    assert_clean(result)
    assert_candidates(result, list(FILES))
    assert not result.candidates() & set(LOOKALIKES), result.explain(list(LOOKALIKES))
