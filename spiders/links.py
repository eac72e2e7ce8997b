"""What links and URLs say on a government portal: report columns, articles, attachments,
pagers, traps — and how to pull the links out of a page.

Pure functions over URLs, link texts and parsed pages (docs/PORTALS.md has the evidence for each
rule), so the spider in reports.py only decides what to request.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import parse_qsl, unquote, urlencode, urlsplit, urlunsplit

from parsel import Selector
from scrapy.http import HtmlResponse, Response
from w3lib.url import canonicalize_url

from archive.parsing.detect import has_year, title_kind
from archive.parsing.numbers import normalize

# --- what links and URLs say ----------------------------------------------------------------
ATTACHMENT_EXTENSIONS = (".pdf", ".doc", ".docx", ".wps", ".ofd")
_DOWNLOAD_PATH = re.compile(r"/module/download/downfile\.jsp|/downfile\.|/download\.(jsp|do|action)", re.IGNORECASE)
_ATTACHMENT_TEXT = re.compile(r"附件|下载|全真版|文字版|\.(pdf|docx?|wps|ofd)$", re.IGNORECASE)

# A report column's name: 政府信息公开年报, 信息公开年度报告, 年度报告, 部门年报 … (no year: a year
# makes it a report's title).
COLUMN_TEXT = re.compile(r"年报|年度报告|信息公开(工作)?报告")
# Navigation toward the disclosure sections that hold the report column.
_NAV_TEXT = re.compile(r"政务公开|信息公开|公开目录|主动公开|公开专栏|公开平台")
NAV_TEXT_MAX = 12  # nav items are short; a longer text with 政务公开 in it is a news headline

# Pinyin-initial column names (docs/PORTALS.md §1): zfxxgknb, xxgknb_9490, bmnb2025, gknb, ndbg,
# xxgkndbg, txxgknb_17198, nianbao.
_REPORT_COLUMN_PATH = re.compile(r"(?<![a-z])[a-z]{0,10}(?:nb|ndbg|nianbao)(?![a-z])")
# Disclosure section roots: /zwgk/, /xxgk/, /zfxxgk/index.html … (the root only, not its news).
_DISCLOSURE_ROOT = re.compile(r"/(?:zwgk|zfxxgk|xxgk|zwxxgk|gkml|xxgkml|zfxxgkml|govxxgk|zfgk)/(?:index\.\w+)?$")
# Article URLs of the CMSs in docs/PORTALS.md §2 (TRS, Hanweb, 政务云, snowflake ids, content_N …).
_ARTICLE_PATH = re.compile(
    r"/t\d{8}_\d+\.s?html?$|/t\d{6,}\.s?html?$|/art_\d+_\d+\.html$|/post_\d+\.html$|/\d{15,20}\.html$"
    r"|/content_\d+$|/info/\d+/\d+\.htm$|/\d+\.jhtml$|/public/\d+/\d+\.html$|/[0-9a-f]{32}\.s?html$"
    r"|/article[0-9a-f]{32}\.html$|/contents/\d+/\d+\.html$|/\d{4}/\d{2}-?\d{2}/\d+\.s?html$",
    re.IGNORECASE,
)
_INDEX_NAME = re.compile(r"^(?:index|default|list|more)(?:_\d+)?\.\w+$|^$", re.IGNORECASE)

# --- pagination ------------------------------------------------------------------------------
PAGE_TEXT = re.compile(r"^(?:下一?页|下页|尾页|末页|最后一?页|next|>|>>|»|›|\d{1,4})$", re.IGNORECASE)
_PAGED_NAME = re.compile(r"(?:^|[_/])(index|list|default|more)_(\d+)\.(s?html?|jhtml|jsp|php)$", re.IGNORECASE)
_PAGE_PARAMS = ("page", "pageno", "pageindex", "pagenum", "curpage", "currentpage", "pn", "p")
_CREATE_PAGE = re.compile(r"createPageHTML\s*\(([^)]*)\)", re.IGNORECASE)
_PAGE_COUNT_VAR = re.compile(
    r"\b(countPage|pageCount|totalPage|totalPages|pageTotal|maxPage|allPage|page_count)\s*[=:]\s*[\"']?(\d+)", re.IGNORECASE
)
TOTAL_PAGES_TEXT = re.compile(r"共\s*(\d{1,4})\s*页")

# --- traps -----------------------------------------------------------------------------------
_TRAP_URL = re.compile(
    r"calendar|/rili|/search|search[._?/]|searchword|检索|jsessionid|printpage|/print(?:view)?[/.]"
    r"|[?&;](?:date|month|day|keyword|keywords|kw|q|query|wd|searchword|print|printable)=|[?&]view=print",
    re.IGNORECASE,
)
_TRAP_TEXT = re.compile(r"检索|搜索|日历|打印")
_MAX_URL_LENGTH = 2000
SHELL_TARGET = re.compile(r"""location(?:\.href)?\s*(?:=|\.replace\s*\(|\.assign\s*\()\s*["']([^"']+)["']""")
_DATASTORE_PART = re.compile(r"<(nextgroup|record)>\s*<!\[CDATA\[(.*?)\]\]>", re.DOTALL)
# class/id words of the containers that repeat on every page of a portal (导航 dh, 当前位置 dqwz …).
_CHROME_NAME = re.compile(
    r"(?:^|[\s_-])(?:nav|navbar|menu|header|head|top|topbar|top-bar|footer|foot|bottom|sidebar|side|aside|banner"
    r"|crumbs?|breadcrumbs?|position|location|dqwz|wz|dh|daohang|friends?|links?|yqlj|share|tools?|logo|search)"
    r"(?:[\s_-]|\d|$)",
    re.IGNORECASE,
)
_CHROME_TAGS = {"nav", "header", "footer", "aside"}

# Request priorities: reports before the lists that lead to them, so a page budget cut keeps them.


@dataclass(frozen=True)
class Link:
    """A link on a page: absolute URL, the text a reader sees (title attribute if fuller), and
    whether it sits in the page's chrome (header, nav bar, breadcrumbs, sidebar, footer)."""

    url: str
    text: str
    chrome: bool = False


# --- pure helpers ----------------------------------------------------------------------------
def split_args(value: str | Iterable[str] | None) -> list[str]:
    """A -a argument as a list: comma- or whitespace-separated (a list passes through)."""
    if not value:
        return []
    if not isinstance(value, str):
        return [v for v in value if v]
    return [v for v in re.split(r"[,\s]+", value) if v]


def dedupe_key(url: str) -> str:
    """The spider's notion of "same page": canonical URL, dir/ and dir/index.html as one."""
    url = canonicalize_url(url)
    return re.sub(r"/(?:index|default)\.(?:s?html?|jsp|php)$", "/", url, flags=re.IGNORECASE)


def trap_reason(url: str, text: str = "", max_query: int = 200) -> str | None:
    """Why a link leads into an endless or useless URL space, or None."""
    if len(url) > _MAX_URL_LENGTH:
        return "long url"
    parts = urlsplit(url)
    if len(parts.query) > max_query:
        return "long query"
    if _TRAP_URL.search(unquote(url)):
        return "trap url"
    if text and _TRAP_TEXT.search(text) and len(text) <= NAV_TEXT_MAX:
        return "trap text"
    segments = [s for s in parts.path.split("/") if s]
    if segments and max(segments.count(s) for s in segments) >= 3:
        return "repeated path"  # relative links resolving into /a/b/a/b/a/…
    return None


def is_attachment(url: str, text: str = "") -> bool:
    """A downloadable document: by extension, a download endpoint, or a file-name link text."""
    path = urlsplit(url).path.lower()
    if path.endswith(ATTACHMENT_EXTENSIONS) or _DOWNLOAD_PATH.search(url):
        return True
    return bool(text) and bool(re.search(r"\.(pdf|docx?|wps|ofd)$", text.strip(), re.IGNORECASE))


def is_attachment_link(link: Link) -> bool:
    """A file a report page hands over to: by extension or download endpoint, or a link saying
    附件 / 下载 / 全真版 / 文字版 that does not lead to another HTML page."""
    if is_attachment(link.url, link.text):
        return True
    if not _ATTACHMENT_TEXT.search(link.text or ""):
        return False
    path = urlsplit(link.url).path.lower()
    return not (is_index_url(link.url) or is_article_url(link.url) or path.endswith((".html", ".htm", ".shtml")))


def link_kind(text: str) -> str | None:
    """What a link text says: 'report', 'lookalike', 'column', 'nav' or None (nothing)."""
    if not text:
        return None
    kind = title_kind(text)
    if kind == "lookalike":
        return "lookalike"
    if kind == "report" and has_year(text):
        return "report"
    short = normalize(text)
    if COLUMN_TEXT.search(short) and len(short) <= 20 and not has_year(short):
        return "column"
    if kind == "report":
        return "report"  # a year-less report title ("政府信息公开工作年度报告" of a PDF)
    if _NAV_TEXT.search(short) and len(short) <= NAV_TEXT_MAX:
        return "nav"
    return None


def is_report_column_url(url: str) -> bool:
    """The path names a report column in pinyin initials (zfxxgknb, ndbg, bmnb2025 …)."""
    return bool(_REPORT_COLUMN_PATH.search(urlsplit(url).path.lower()))


def is_article_url(url: str) -> bool:
    """The URL has the shape of a CMS article (not a list page)."""
    path = urlsplit(url).path
    return bool(_ARTICLE_PATH.search(path)) or "xxgkAnnualReport.jsp" in path


def is_index_url(url: str) -> bool:
    """The URL has the shape of a list page: a directory, index.html, index_3.html, list.shtml."""
    name = urlsplit(url).path.rsplit("/", 1)[-1]
    return bool(_INDEX_NAME.match(name)) or bool(_PAGED_NAME.search(name))


def is_disclosure_root(url: str) -> bool:
    return bool(_DISCLOSURE_ROOT.search(urlsplit(url).path.lower()))


def page_number(url: str) -> int | None:
    """The list page number a URL asks for (index_3.html → 3, ?page=3 → 3), or None."""
    parts = urlsplit(url)
    m = _PAGED_NAME.search(parts.path)
    if m:
        return int(m.group(2))
    for key, value in parse_qsl(parts.query):
        if key.lower() in _PAGE_PARAMS and value.isdigit():
            return int(value)
    return None


def list_key(url: str) -> str:
    """The list a page belongs to: its URL without the page number."""
    parts = urlsplit(url)
    path = _PAGED_NAME.sub(lambda m: m.group(0)[0] if m.group(0)[0] in "_/" else "", parts.path)
    path = re.sub(r"(?:index|default)(?:_\d+)?\.\w+$", "", path, flags=re.IGNORECASE)
    query = urlencode([(k, v) for k, v in parse_qsl(parts.query) if k.lower() not in _PAGE_PARAMS])
    return urlunsplit((parts.scheme, parts.netloc.lower(), path, query, ""))


def script_pagination(scripts: str) -> tuple[int, str, str] | None:
    """(page count, file prefix, suffix) from a TRS-style pager script, or None.

    TRS writes ``createPageHTML(5, 0, "index", "html")`` (or with a div id first and a record
    count last, or with ``var countPage = 5`` feeding it); the page often defines the function
    too, so the call with values is the one read. Page 0 is index.html, page k is
    index_k.html, k < count.
    """
    variables = {m.group(1).lower(): int(m.group(2)) for m in _PAGE_COUNT_VAR.finditer(scripts)}
    for call in _CREATE_PAGE.finditer(scripts):
        if re.search(r"function\s*$", scripts[max(0, call.start() - 12):call.start()]):
            continue  # the definition, not a call
        args = [a.strip().strip("\"'") for a in call.group(1).split(",")]
        numbers = [int(a) if a.isdigit() else variables[a.lower()] for a in args
                   if a.isdigit() or a.lower() in variables]
        if not numbers:
            continue
        words = [a for a in args if re.fullmatch(r"[A-Za-z_]\w*", a) and a.lower() not in variables]
        prefix, suffix = "index", "html"
        if len(words) >= 2 and words[-1].lower() in ("html", "htm", "shtml", "jhtml"):
            prefix, suffix = words[-2], words[-1]
        return (numbers[0], prefix, suffix) if numbers[0] >= 1 else None
    if variables:
        return max(variables.values()), "index", "html"
    return None


_ROW_DATE = re.compile(r"[\[(（【]?\d{4}[-/.年]\d{1,2}[-/.月]\d{1,2}日?[\])）】]?")
_GENERIC_TEXT = re.compile(r"^(详细|详情|查看详情|查看|点击查看|更多|more|>>|»)$", re.IGNORECASE)


def _link_text(anchor: Selector) -> str:
    """What the link says: its text, or its title attribute when the text is cut (列表截断 …)."""
    text = anchor.xpath("normalize-space(string(.))").get(default="")
    if not text:
        text = " ".join(anchor.xpath(".//img/@alt").getall()).strip()
    title = (anchor.xpath("@title").get() or "").strip()
    stem = text.rstrip(".…").strip()
    if title and len(title) > len(stem) and (not stem or title.startswith(stem[:4]) or text != stem):
        return title
    if _GENERIC_TEXT.match(text):
        # "详细" / "查看详情": the list row names the item in a sibling cell or span
        row = anchor.xpath("ancestor::*[self::li or self::tr or self::dd or self::div][1]")
        sibling = row.xpath("normalize-space(string(.))").get(default="") if row else ""
        sibling = _ROW_DATE.sub("", sibling.replace(text, "")).strip()
        if 6 <= len(sibling) <= 120:
            return sibling
    return text


def _in_chrome(anchor: Selector, cache: dict[int, tuple[object, bool]]) -> bool:
    """Whether a link sits in a container every page repeats (nav bar, breadcrumbs, footer …).

    Walks the lxml ancestors directly and remembers each container's verdict for the page:
    a list page has hundreds of links under the same few containers."""
    chain = []
    verdict = False
    for ancestor in anchor.root.iterancestors():
        key = id(ancestor)
        if key in cache:
            verdict = cache[key][1]
            break
        chain.append(ancestor)
        tag = ancestor.tag.lower() if isinstance(ancestor.tag, str) else ""
        names = f"{ancestor.get('class') or ''} {ancestor.get('id') or ''}".strip()
        if tag in _CHROME_TAGS or (names and _CHROME_NAME.search(names)):
            verdict = True
            break
    for ancestor in chain:
        cache[id(ancestor)] = (ancestor, verdict)  # the element is kept so its id stays unique
    return verdict


def extract_links(response: HtmlResponse) -> list[Link]:
    """Every http(s) link on the page, one per URL, the most telling text kept.

    Includes Hanweb's ``<script type="text/xml">`` datastore records, whose list items are
    HTML inside CDATA and invisible to an HTML parser. A URL linked both from the chrome and
    from the content counts as content.
    """
    selectors = [(response.selector, False)]
    blocks = response.xpath("//script[@type='text/xml']/text()").getall()
    if not blocks and b"<datastore" in response.body[:4096]:
        blocks = [response.text]  # a Hanweb dataproxy.jsp answer: the datastore itself
    for block in blocks:
        for group, fragment in _DATASTORE_PART.findall(block):
            # <nextgroup> holds the link to the column's next records (dataproxy.jsp): a pager
            selectors.append((Selector(text=fragment), group == "nextgroup"))
    found: dict[str, Link] = {}
    for selector, is_next_group in selectors:
        chrome_cache: dict[int, tuple[object, bool]] = {}
        for anchor in selector.xpath("//a[@href] | //area[@href]"):
            href = (anchor.xpath("@href").get() or "").strip()
            if not href or href.startswith(("#", "javascript:", "mailto:", "tel:")):
                continue
            url = response.urljoin(href).split("#", 1)[0]
            if urlsplit(url).scheme not in ("http", "https"):
                continue
            text = "下一页" if is_next_group else _link_text(anchor)
            key = dedupe_key(url)
            chrome = _in_chrome(anchor, chrome_cache)
            old = found.get(key)
            if old is None:
                found[key] = Link(url, text, chrome)
            else:
                best = text if _text_rank(text) > _text_rank(old.text) else old.text
                found[key] = Link(old.url, best, old.chrome and chrome)
    return list(found.values())


def _text_rank(text: str) -> int:
    """Which of two texts for the same URL to keep: one that names a report wins."""
    return {"report": 4, "lookalike": 3, "column": 2, "nav": 1}.get(link_kind(text) or "", 0) * 1000 + len(text)


def http_headers(response: Response) -> dict[str, str]:
    """Response headers as plain str → str (last value wins; UTF-8, else Latin-1)."""
    headers: dict[str, str] = {}
    for key, values in response.headers.items():
        if not values:
            continue
        raw = values[-1]
        try:
            value = raw.decode("utf-8")
        except UnicodeDecodeError:
            value = raw.decode("latin-1")
        headers[key.decode("latin-1")] = value
    return headers


def read_url_file(path: str | Path) -> list[str]:
    """URLs from a file, one a line; blank lines and # comments skipped."""
    lines = Path(path).read_text(encoding="utf-8").splitlines()
    return [line.strip() for line in lines if line.strip() and not line.lstrip().startswith("#")]




# --- the spider ------------------------------------------------------------------------------
