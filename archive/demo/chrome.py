"""Page chrome of the demo portal: headers, menus, sidebars, footers, and one template per CMS.

Real report pages carry far more chrome than report: a "today is" bar, menus, breadcrumbs, an
索引号/发布机构/成文日期 block, a visit counter, dated news in a sidebar, a footer with ICP
numbers and scripts. All of it is here so a crawler and a parser meet it as they will in the
wild — and so that the noise (counter, date, republished footers and sidebars) can be shown
never to count as a revision of the report itself.

Per-request noise is written as tokens that the server fills in at serve time (``VISITS``,
``TODAY``, ``BASE``); see site.Page.render. Article templates: ``trs_article`` (TRS WCM),
``hanweb_article`` (大汉 JCMS), ``gd_article`` (Guangdong 政务云), ``classic_article`` (an old
table-layout county CMS). List templates: ``trs_list`` (pages only in a createPageHTML script),
``query_list`` (?page=N links), ``next_last_list`` (下一页 / 尾页 links), ``plain_list``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from html import escape

VISITS = "{{VISITS}}"
TODAY = "{{TODAY}}"
BASE = "{{BASE}}"

Link = tuple[str, str]  # (label, href)
NewsItem = tuple[str, str, date]  # (title, href, date)


@dataclass
class Chrome:
    """What every page of one (sub-)portal shares; ``state`` 2 is the same portal republished."""

    site_name: str
    home: str
    nav: list[Link]
    news: list[NewsItem]
    state: int = 1
    friends: list[Link] = field(default_factory=list)
    footer_links: list[Link] = field(default_factory=list)

    @property
    def copyright_year(self) -> int:
        return 2025 if self.state == 1 else 2026

    @property
    def script_version(self) -> str:
        return "20250110" if self.state == 1 else "20260205"


@dataclass
class Article:
    title: str
    published: date
    source: str
    publisher: str
    index_no: str
    breadcrumbs: list[Link]
    body: str
    column_name: str = "政府信息公开年报"
    title_lines: list[str] | None = None
    attachments: list[Link] = field(default_factory=list)
    related: list[Link] = field(default_factory=list)
    meta_charset: str | None = "utf-8"


@dataclass
class ListItem:
    title: str
    href: str
    date: date


def meta_charset(charset: str | None) -> str:
    """The charset declaration in <head>; None writes none (the HTTP header alone must tell)."""
    if charset is None:
        return ""
    if charset == "utf-8":
        return '<meta charset="utf-8">'
    return f'<meta http-equiv="Content-Type" content="text/html; charset={charset}">'


def links(items: list[Link], sep: str = "") -> str:
    return sep.join(f'<a href="{href}">{escape(label)}</a>' for label, href in items)


def head(title: str, charset: str | None, metas: dict[str, str] | None = None, chrome: Chrome | None = None) -> str:
    meta_tags = "".join(f'<meta name="{k}" content="{escape(v)}">' for k, v in (metas or {}).items())
    version = chrome.script_version if chrome else "20250110"
    return (
        f"<head>{meta_charset(charset)}<title>{escape(title)}</title>{meta_tags}"
        f'<meta name="viewport" content="width=1200">'
        f'<link rel="stylesheet" href="/css/style.css?v={version}">'
        f'<script src="/js/jquery.min.js"></script></head>'
    )


def top(chrome: Chrome) -> str:
    """Date bar, logo, search box and the main menu (首页 / 政务公开 / 政府信息公开 / 年报 …)."""
    return (
        f'<div class="top-bar"><div class="w1200"><span class="today">今天是：{TODAY}</span>'
        f'<span class="links"><a href="{chrome.home}">{escape(chrome.site_name)}</a> | '
        '<a href="/lxwm/index.html">联系我们</a></span></div></div>'
        f'<div class="header"><a href="{chrome.home}" class="logo"><img src="/images/logo.png" '
        f'alt="{escape(chrome.site_name)}"></a><form action="/search/" method="get" class="search">'
        '<input type="text" name="q" placeholder="请输入关键字"><button type="submit">搜索</button></form></div>'
        f'<div class="nav"><ul>{"".join(f"<li>{links([n])}</li>" for n in chrome.nav)}</ul></div>'
    )


def sidebar(chrome: Chrome) -> str:
    items = "".join(
        f'<li><a href="{href}" title="{escape(t)}">{escape(t)}</a><span>{d.isoformat()}</span></li>'
        for t, href, d in chrome.news
    )
    return f'<div class="sidebar"><div class="box"><h3>最新动态</h3><ul class="news">{items}</ul></div></div>'


def footer(chrome: Chrome) -> str:
    analytics = (
        '<script>var _hmt = _hmt || [];(function(){var hm=document.createElement("script");'
        'hm.src="/js/stat.js?id=7f3a";document.body.appendChild(hm);})();</script>'
        if chrome.state == 2
        else ""
    )
    friends = (
        f'<div class="friends">友情链接：{links(chrome.friends, " ")}</div>' if chrome.friends else ""
    )
    return (
        f'<div class="footer">{friends}<p>{links(chrome.footer_links, " | ")}</p>'
        f"<p>主办：{escape(chrome.site_name)}办公室　承办：清河市大数据管理中心</p>"
        "<p>网站标识码：3213000001　苏ICP备05012345号-1　苏公网安备 32130202000123号</p>"
        f"<p>Copyright © {chrome.copyright_year} {escape(chrome.site_name)} 版权所有</p></div>"
        f'<script src="/js/common.js?v={chrome.script_version}"></script>{analytics}'
    )


def breadcrumbs(items: list[Link]) -> str:
    return f'<div class="position">当前位置：{links(items, " &gt; ")}</div>'


def page(title: str, charset: str | None, chrome: Chrome, body: str, metas: dict[str, str] | None = None) -> str:
    return (
        '<!DOCTYPE html PUBLIC "-//W3C//DTD XHTML 1.0 Transitional//EN" '
        '"http://www.w3.org/TR/xhtml1/DTD/xhtml1-transitional.dtd">\n'
        f'<html xmlns="http://www.w3.org/1999/xhtml">{head(title, charset, metas, chrome)}'
        f"<body>{top(chrome)}{body}{footer(chrome)}</body></html>"
    )


def article_metas(a: Article, chrome: Chrome) -> dict[str, str]:
    return {
        "SiteName": chrome.site_name,
        "SiteDomain": "www.qinghe.gov.cn",
        "ColumnName": a.column_name,
        "ArticleTitle": a.title,
        "PubDate": f"{a.published.isoformat()} 09:30",
        "ContentSource": a.source,
        "Keywords": "政府信息公开,年度报告",
    }


def attachments(a: Article) -> str:
    if not a.attachments:
        return ""
    return f'<div class="appendix"><p>附件：</p><ul>{"".join(f"<li>{links([x])}</li>" for x in a.attachments)}</ul></div>'


def related(a: Article) -> str:
    return f'<div class="related">相关链接：{links(a.related, " ")}</div>' if a.related else ""


def title_html(a: Article) -> str:
    return "<br/>".join(escape(line) for line in (a.title_lines or [a.title]))


# --- Article templates, one per CMS ------------------------------------------------------------
def trs_article(a: Article, chrome: Chrome) -> str:
    """TRS WCM: a layout table, the 信息公开 metadata table, TRS_Editor > TRS_UEDITOR body."""
    meta_block = (
        '<table class="xxgk-info" width="100%" border="0"><tr>'
        f'<td class="t">索引号：</td><td>{escape(a.index_no)}</td><td class="t">发布机构：</td><td>{escape(a.publisher)}</td></tr>'
        f'<tr><td class="t">成文日期：</td><td>{a.published.isoformat()}</td><td class="t">发布日期：</td>'
        f"<td>{a.published.isoformat()}</td></tr>"
        '<tr><td class="t">文号：</td><td></td><td class="t">有效性：</td><td>有效</td></tr>'
        f'<tr><td class="t">主题分类：</td><td>政务公开</td><td class="t">名称：</td><td>{escape(a.title)}</td></tr></table>'
    )
    main = (
        f"{breadcrumbs(a.breadcrumbs)}{meta_block}"
        f'<h1 class="article-title">{title_html(a)}</h1>'
        f'<div class="article-info">发布时间：{a.published.isoformat()}　来源：{escape(a.source)}　'
        f'浏览次数：<span id="ReadCount">{VISITS}</span>　【字体：<a href="javascript:;">大</a> '
        '<a href="javascript:;">中</a> <a href="javascript:;">小</a>】</div>'
        f'<div class="TRS_Editor"><div class="TRS_UEDITOR trs_paper_default trs_web">{a.body}</div></div>'
        f"{attachments(a)}{related(a)}"
        '<div class="tools"><a href="javascript:window.print()">【打印本页】</a>'
        '<a href="javascript:window.close()">【关闭窗口】</a></div>'
    )
    body = (
        '<table width="1200" align="center" cellpadding="0" cellspacing="0" class="layout"><tr>'
        f'<td valign="top" class="main">{main}</td><td valign="top" width="280">{sidebar(chrome)}</td></tr></table>'
    )
    return page(f"{a.title}_{a.column_name}_{chrome.site_name}", a.meta_charset, chrome, body, article_metas(a, chrome))


def hanweb_article(a: Article, chrome: Chrome) -> str:
    """大汉 JCMS: div layout, <!--<$[信息内容]>begin--> markers, #zoom body."""
    main = (
        f'<div class="main-wrap">{breadcrumbs(a.breadcrumbs)}<div class="article">'
        f'<div class="art-title"><p id="ivs_title">{title_html(a)}</p></div>'
        f'<div class="art-info"><span>发布日期：{a.published.isoformat()}</span>'
        f"<span>信息来源：{escape(a.source)}</span>"
        f'<span>浏览次数：<span id="art_hits">{VISITS}</span></span></div>'
        f'<div id="zoom" class="art-content"><!--<$[信息内容]>begin-->{a.body}<!--<$[信息内容]>end--></div>'
        f"{attachments(a)}{related(a)}</div></div>"
    )
    metas = article_metas(a, chrome) | {"ColumnType": "年度报告"}
    return page(a.title, a.meta_charset, chrome, main + sidebar(chrome), metas)


def gd_article(a: Article, chrome: Chrome) -> str:
    """Guangdong 政务云 (content/post_NNNNNNN.html): a classify table above the title."""
    classify = (
        '<div class="classify"><table><tr>'
        f"<td>索引号：{escape(a.index_no)}</td><td>分类：政府信息公开年报</td></tr>"
        f"<tr><td>发布机构：{escape(a.publisher)}</td><td>成文日期：{a.published.isoformat()}</td></tr>"
        f"<tr><td>名称：{escape(a.title)}</td><td>发布日期：{a.published.isoformat()}</td></tr></table></div>"
    )
    main = (
        f'<div class="content-wrap">{breadcrumbs(a.breadcrumbs)}<div class="article-box">{classify}'
        f'<h1 class="article-title">{title_html(a)}</h1>'
        f'<div class="article-info"><span>发布时间：{a.published.isoformat()}</span>'
        f"<span>来源：{escape(a.source)}</span><span>浏览量：<em>{VISITS}</em></span></div>"
        f'<div class="article-content" id="zoomcon">{a.body}</div>{attachments(a)}{related(a)}</div></div>'
    )
    return page(a.title, a.meta_charset, chrome, main + sidebar(chrome), article_metas(a, chrome))


def classic_article(a: Article, chrome: Chrome) -> str:
    """An old county CMS: nested tables, 点击数, body in #Zoom (often GBK, http only)."""
    main = (
        '<table width="980" align="center" border="0" cellspacing="0" cellpadding="0"><tr><td>'
        f"{breadcrumbs(a.breadcrumbs)}</td></tr>"
        f'<tr><td class="bt" align="center">{title_html(a)}</td></tr>'
        f'<tr><td align="center" class="xx">发布时间：{a.published.isoformat()}　'
        f"发布机构：{escape(a.publisher)}　点击数：{VISITS}</td></tr>"
        f'<tr><td><div id="Zoom">{a.body}</div>{attachments(a)}{related(a)}</td></tr></table>'
    )
    return page(a.title, a.meta_charset, chrome, main + sidebar(chrome), article_metas(a, chrome))


ARTICLE_TEMPLATES = {
    "trs": trs_article,
    "hanweb": hanweb_article,
    "gd": gd_article,
    "classic": classic_article,
}


# --- List pages -----------------------------------------------------------------------------
CREATE_PAGE_JS = """<script type="text/javascript">
function createPageHTML(_nPageCount, _nCurrIndex, _sPageName, _sPageExt){
  if(_nPageCount == null || _nPageCount <= 1){ return; }
  var nCurrIndex = _nCurrIndex || 0;
  if(nCurrIndex == 0){ document.write("<span>首页</span>&nbsp;<span>上一页</span>&nbsp;"); }
  else {
    document.write("<a href=\\"" + _sPageName + "." + _sPageExt + "\\">首页</a>&nbsp;");
    var prev = nCurrIndex == 1 ? _sPageName + "." + _sPageExt : _sPageName + "_" + (nCurrIndex - 1) + "." + _sPageExt;
    document.write("<a href=\\"" + prev + "\\">上一页</a>&nbsp;");
  }
  if(nCurrIndex + 1 < _nPageCount){
    document.write("<a href=\\"" + _sPageName + "_" + (nCurrIndex + 1) + "." + _sPageExt + "\\">下一页</a>&nbsp;");
    document.write("<a href=\\"" + _sPageName + "_" + (_nPageCount - 1) + "." + _sPageExt + "\\">尾页</a>");
  } else { document.write("<span>下一页</span>&nbsp;<span>尾页</span>"); }
}
</script>"""


def list_items(items: list[ListItem]) -> str:
    rows = "".join(
        f'<li><a href="{i.href}" target="_blank" title="{escape(i.title)}">{escape(i.title)}</a>'
        f'<span class="date">{i.date.isoformat()}</span></li>'
        for i in items
    )
    return f'<ul class="list">{rows}</ul>'


def list_page(title: str, crumbs: list[Link], items: list[ListItem], pager: str, chrome: Chrome,
              charset: str | None = "utf-8", subcolumns: list[Link] | None = None) -> str:
    subs = f'<div class="sub-columns">{links(subcolumns, " ")}</div>' if subcolumns else ""
    body = (
        f'<div class="w1200 list-wrap">{breadcrumbs(crumbs)}<div class="column-title">{escape(title)}</div>'
        f'{subs}{list_items(items)}<div class="page">{pager}</div></div>{sidebar(chrome)}'
    )
    return page(f"{title}_{chrome.site_name}", charset, chrome, body, {"ColumnName": title})


def trs_pager(count: int, index: int) -> str:
    """TRS: the page count lives only in this call; there are no plain links to other pages."""
    return f'{CREATE_PAGE_JS}<script type="text/javascript">createPageHTML({count}, {index}, "index", "html");</script>'


def query_pager(base: str, count: int, index: int) -> str:
    """?page=N links (numbers plus 下一页)."""
    parts = [
        f"<span class=\"current\">{n}</span>" if n == index + 1 else f'<a href="{base}?page={n}">{n}</a>'
        for n in range(1, count + 1)
    ]
    if index + 1 < count:
        parts.append(f'<a href="{base}?page={index + 2}" class="next">下一页</a>')
    return " ".join(parts)


def next_last_pager(paths: list[str], index: int) -> str:
    """首页 / 上一页 / 下一页 / 尾页 links and "共N页", no page numbers."""
    count = len(paths)
    out = [f"共{count}页　当前第{index + 1}页"]
    if index > 0:
        out += [f'<a href="{paths[0]}">首页</a>', f'<a href="{paths[index - 1]}">上一页</a>']
    if index + 1 < count:
        out += [f'<a href="{paths[index + 1]}">下一页</a>', f'<a href="{paths[-1]}">尾页</a>']
    return " ".join(out)


# --- Other pages ------------------------------------------------------------------------------
def simple_page(title: str, crumbs: list[Link], paragraphs: list[str], chrome: Chrome,
                extra_html: str = "", charset: str | None = "utf-8") -> str:
    text = "".join(f"<p>{escape(p)}</p>" for p in paragraphs)
    body = (
        f'<div class="w1200">{breadcrumbs(crumbs)}<h1>{escape(title)}</h1>'
        f'<div class="content">{text}{extra_html}</div></div>{sidebar(chrome)}'
    )
    return page(f"{title}_{chrome.site_name}", charset, chrome, body)


def column_index(title: str, crumbs: list[Link], columns: list[tuple[str, str, str]], chrome: Chrome,
                 extra_html: str = "") -> str:
    """A menu page of sub-columns: (name, href, one-line description)."""
    boxes = "".join(
        f'<div class="col-box"><h3><a href="{href}">{escape(name)}</a></h3><p>{escape(desc)}</p></div>'
        for name, href, desc in columns
    )
    body = f'<div class="w1200">{breadcrumbs(crumbs)}<h1>{escape(title)}</h1>{boxes}{extra_html}</div>{sidebar(chrome)}'
    return page(f"{title}_{chrome.site_name}", "utf-8", chrome, body, {"ColumnName": title})


def calendar_page(year: int, month: int, chrome: Chrome) -> str:
    """政务日历: each month links the previous and the next one, forever (a crawler trap)."""
    prev_y, prev_m = (year, month - 1) if month > 1 else (year - 1, 12)
    next_y, next_m = (year, month + 1) if month < 12 else (year + 1, 1)
    days = "".join(
        f'<td><a href="/calendar/?month={year:04d}-{month:02d}&amp;day={d:02d}">{d}</a></td>'
        + ("</tr><tr>" if d % 7 == 0 else "")
        for d in range(1, 29)
    )
    body = (
        f'<div class="w1200"><h1>政务日历 {year}年{month}月</h1>'
        f'<p><a href="/calendar/?month={prev_y:04d}-{prev_m:02d}">上一月</a> '
        f'<a href="/calendar/?month={next_y:04d}-{next_m:02d}">下一月</a></p>'
        f'<table class="calendar"><tr>{days}</tr></table><p>本月暂无政务活动安排。</p></div>'
    )
    return page(f"政务日历_{chrome.site_name}", "utf-8", chrome, body)


def not_found_page() -> str:
    return (
        '<!DOCTYPE html><html><head><meta charset="utf-8"><title>404 页面不存在</title></head>'
        '<body><div class="error"><h1>404</h1><p>抱歉，您访问的页面不存在或已被删除！</p>'
        '<p><a href="/">返回首页</a></p></div></body></html>'
    )
