"""HTML pages → rows from their real <table> grids, plus title, date and body text.

Tables are read as grids: rowspan/colspan are expanded and each grid cell remembers the
table cell it came from, so a label spanning rows is context for each of them while a value
spanning columns counts once. Only leaf tables (no table inside) whose text carries a
statistics header are read; the layout tables portals wrap around articles are skipped.
"""

from __future__ import annotations

import copy
import itertools
import re
from collections.abc import Callable
from dataclasses import dataclass

from lxml import etree

from . import labels as L
from .limits import (
    MAX_HTML_CHARS,
    MAX_HTML_TAGS,
    MAX_SPAN,
    MAX_TABLE_COLUMNS,
    MAX_TRAFILATURA_TAGS,
    GridBudget,
    cut_text,
)
from .tables import Row, grid_rows

_TABLE_HEADERS = re.compile(r"第二十条|申请人情况|勾稽关系|本年新收|行政复议|行政诉讼|信息内容")
_SPACES = re.compile(r"[\s\u00a0\u3000\u200b\ufeff]+")
_META_TITLE = ("ArticleTitle", "og:title", "title", "Title")
_META_DATE = ("PubDate", "pubdate", "publishdate", "firstpublishedtime", "article:published_time", "Maketime")
_META_SOURCE = ("ContentSource", "contentSource", "author", "SiteName")


@dataclass
class HtmlDocument:
    rows: list[Row]
    tables_found: int
    meta: dict[str, str]
    page_title: str | None
    tree: etree._Element
    warnings: list[str]


# Plain lxml elements (not lxml.html's): lxml.html looks up a Python element class for every
# node it touches, which costs more than the whole table reading on a large page.
_PARSER = etree.HTMLParser(no_network=True, huge_tree=False, remove_comments=True, remove_pis=True, encoding="utf-8")


# Control characters: libxml2 keeps them in text, but lxml refuses them in any string assigned
# back to the tree (visible_text() marks boundaries in element tails), so they go first.
_CONTROL_CHARS = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def parse_tree(text: str) -> etree._Element | None:
    if _CONTROL_CHARS.search(text):
        text = _CONTROL_CHARS.sub("", text)
    try:
        # Already decoded (encoding.py decided the charset): a stale meta charset must not win.
        tree = etree.fromstring(text.encode("utf-8", "replace"), parser=_PARSER)
    except (etree.ParserError, etree.XMLSyntaxError, ValueError):
        return None
    if tree is None:
        return None
    for bad in tree.xpath("//script|//style|//noscript|//template"):
        parent = bad.getparent()
        if parent is None:
            continue
        if bad.tail:  # keep the text that follows the dropped element
            previous = bad.getprevious()
            if previous is not None:
                previous.tail = (previous.tail or "") + bad.tail
            else:
                parent.text = (parent.text or "") + bad.tail
        parent.remove(bad)
    return tree


def cell_text(cell: etree._Element) -> str:
    text = "".join(cell.itertext())
    if "\u200b" in text or "\ufeff" in text:
        text = text.replace("\u200b", "").replace("\ufeff", "")
    return " ".join(text.split())  # str.split() also splits on NBSP and the ideographic space


_SOURCE_BREAKS = re.compile(r"[\r\n]+")
# Elements that start a new line inside a table cell.
_CELL_LINES = {"br", "p", "div", "li", "h1", "h2", "h3", "h4", "h5", "h6", "tr", "table"}
_HAS_CELL_LINES = etree.XPath("boolean(.//br | .//p | .//div | .//li)")


def grid_cell_text(cell: etree._Element) -> str:
    """A grid cell's text with its line breaks (<br>, one <p> or <div> per line) kept as "\n":
    "3<br>5" holds two numbers, not 35 (numbers.py), while "1<span>2</span>" is 12."""
    if not _HAS_CELL_LINES(cell):
        return cell_text(cell)
    pieces: list[str] = []
    for event, el in etree.iterwalk(cell, events=("start", "end")):
        breaks = el is not cell and isinstance(el.tag, str) and el.tag.lower() in _CELL_LINES
        # a line break in the page's source is a space (Word wraps its HTML between the spans
        # of one number: <span>6</span>⏎<span>221</span>); only elements start lines
        if event == "start":
            if breaks:
                pieces.append("\n")
            if el.text and isinstance(el.tag, str):
                pieces.append(_SOURCE_BREAKS.sub(" ", el.text))
        elif el is not cell:
            if breaks:
                pieces.append("\n")
            if el.tail:
                pieces.append(_SOURCE_BREAKS.sub(" ", el.tail))
    text = "".join(pieces).replace("\u200b", "").replace("\ufeff", "")
    return "\n".join(" ".join(line.split()) for line in text.split("\n") if line.split())


def table_grid(table: etree._Element, budget: GridBudget | None = None) -> list[list[tuple[str, int]]]:
    """The table as a grid of (text, id of the source cell); spans expanded.

    The grid is bounded before it is built: columns beyond MAX_TABLE_COLUMNS are dropped, and
    the rows that would take the table past its share of the budget (MAX_TABLE_CELLS, or what
    is left of the document's) are cut, with a warning in `budget`."""
    budget = budget if budget is not None else GridBudget()
    cap = budget.table_cap()
    if cap == 0:
        return []
    grid: dict[tuple[int, int], tuple[str, int]] = {}
    trs = table.xpath("./tr|./thead/tr|./tbody/tr|./tfoot/tr")
    serial = 0
    placed = 0  # positions written, span copies included: the work done
    rows_cut = columns_cut = False
    for r, tr in enumerate(trs):
        c = 0
        for cell in tr.xpath("./td|./th"):
            serial += 1
            while (r, c) in grid:
                c += 1
            if c >= MAX_TABLE_COLUMNS:
                columns_cut = True
                break
            rowspan = min(_span(cell.get("rowspan")), len(trs) - r)
            colspan = _span(cell.get("colspan"))
            if c + colspan > MAX_TABLE_COLUMNS:
                colspan, columns_cut = MAX_TABLE_COLUMNS - c, True
            if placed + rowspan * colspan > cap:
                rows_cut = True
                break
            placed += rowspan * colspan
            source = (grid_cell_text(cell), serial)
            for dr in range(rowspan):
                for dc in range(colspan):
                    grid[(r + dr, c + dc)] = source
            c += colspan
        if rows_cut:
            break
    if not grid:
        if rows_cut:
            budget.cut(cap, 0, len(trs), columns_cut)
        return []
    width = max(c for _, c in grid) + 1
    height = r if rows_cut else max(r for r, _ in grid) + 1
    if height * width > cap:  # many short rows under one wide row
        height, rows_cut = cap // width, True
    if rows_cut or columns_cut:
        budget.cut(cap, height, len(trs), columns_cut)
    budget.spend(height * width)
    return [[grid.get((r, c), ("", -1 - r * width - c)) for c in range(width)] for r in range(height)]


def _span(value: str | None) -> int:
    if value is None or value == "1":
        return 1
    try:
        return max(1, min(MAX_SPAN, int(str(value).strip())))
    except (TypeError, ValueError):
        return 1


def statistics_tables(tree: etree._Element) -> list[etree._Element]:
    """Leaf tables that carry one of the statistics tables' header words."""
    chosen = []
    for table in tree.iter("table"):
        if table.find(".//table") is not None:  # stops at the first: nested tables stay cheap
            continue
        if _TABLE_HEADERS.search(L.norm_label(cell_text(table)[:3000])):
            chosen.append(table)
    return chosen


# Tables and the elements of text holding 、 or ． (section headings are among them), in
# document order. Selecting text nodes is several times faster in lxml than testing elements.
_HEADINGS_AND_TABLES = etree.XPath("//table | //text()[contains(., '、') or contains(., '．')]/..")
_HEADING_TAGS = {"p", "h1", "h2", "h3", "h4", "h5", "h6", "div", "span", "strong", "b", "font", "section", "td"}


def rows_in_order(
    tree: etree._Element, tables: list[etree._Element], budget: GridBudget | None = None
) -> list[Row]:
    """The statistics tables' rows in document order, each preceded by the section headings
    printed between them (a table whose own cells name no section still gets one)."""
    budget = budget if budget is not None else GridBudget()
    chosen = {id(t) for t in tables}
    keep = tables  # holds the chosen elements so their ids stay theirs
    rows: list[Row] = []
    for el in _HEADINGS_AND_TABLES(tree):
        if el.tag == "table":
            if id(el) in chosen:
                rows.extend(grid_rows(table_grid(el, budget)))
            continue
        if el.tag not in _HEADING_TAGS:
            continue
        text = (el.text or "").strip()
        if 4 <= len(text) <= 40 and L.section_heading(text):
            if not any(id(a) in chosen for a in el.iterancestors("table")):
                rows.append(Row([text]))
    del keep
    return rows


def meta_tags(tree: etree._Element) -> dict[str, str]:
    meta = {}
    for el in tree.iter("meta"):
        name = el.get("name") or el.get("property") or el.get("itemprop")
        content = el.get("content")
        if name and content and name not in meta:
            meta[name] = content.strip()
    return meta


def first_meta(meta: dict[str, str], names: tuple[str, ...]) -> str | None:
    for name in names:
        for key, value in meta.items():
            if key.lower() == name.lower() and value:
                return value
    return None


def read_html(text: str) -> HtmlDocument | None:
    tree = parse_tree(text)
    if tree is None:
        return None
    tables = statistics_tables(tree)
    budget = GridBudget()
    rows = rows_in_order(tree, tables, budget)
    title_el = tree.find(".//title")
    page_title = cell_text(title_el) if title_el is not None else None
    return HtmlDocument(rows, len(tables), meta_tags(tree), page_title, tree, budget.warnings)


_BLOCKS = {"p", "div", "h1", "h2", "h3", "h4", "h5", "h6", "li", "tr", "table", "section", "article", "br", "ul", "ol"}


def visible_text(element: etree._Element) -> str:
    """An element's text with block boundaries as newlines and cells as tabs.

    Marks boundaries by appending to element tails, then lets lxml's C itertext do the walk:
    it changes the tree, so it is the last thing done with a page's tree."""
    body = element.find(".//body") if element.tag == "html" else element
    root = body if body is not None else element
    for el in root.iter():
        if not isinstance(el.tag, str) or el is root:
            continue
        tag = el.tag.lower()
        if tag in ("td", "th"):
            el.tail = "\t" + (el.tail or "")
        elif tag in _BLOCKS:
            el.tail = "\n" + (el.tail or "")
    return re.sub(r"\n\s*\n+", "\n", "".join(root.itertext()))


def report_container(tree: etree._Element) -> etree._Element | None:
    """The element holding the report itself: the nearest common ancestor of its first heading
    (总体情况) and its last (其他需要报告的事项 / 存在的主要问题). The report's own structure
    marks its body, so menus, sidebars and footers fall outside without a boilerplate model."""
    first = tree.xpath("//text()[contains(., '总体情况') or contains(., '概述')]/..")
    last = tree.xpath("//text()[contains(., '其他需要报告')]/..") or tree.xpath("//text()[contains(., '存在的主要问题')]/..")
    if not first or not last:
        return None
    ancestors = {id(a): a for a in first[0].iterancestors()}
    ancestors[id(first[0])] = first[0]
    node = last[-1]
    while node is not None and id(node) not in ancestors:
        node = node.getparent()
    if node is None or node.tag in ("html", "body"):
        return None
    return node


_TAGS = re.compile(r"<[^>]*>")
_TAG_OPEN = re.compile("<")
_PUBLISHER_LINE = re.compile(r"发布机构\s*[:：]\s*([^\s|，,]{2,40})")


def body_text(html_text: str, tree: etree._Element, warnings: list[str], timings: dict[str, float]) -> str:
    """The report's own text: from its container when its headings mark one, else trafilatura's
    (which drops menus, sidebars and footers but costs 20–50 ms a page)."""
    import time

    container = report_container(tree)
    if container is not None:
        return visible_text(container)
    import trafilatura

    started = time.perf_counter()
    text = None
    if len(html_text) <= 4 * 1024 * 1024 and html_text.count("<") <= MAX_TRAFILATURA_TAGS:
        try:
            text = trafilatura.extract(
                html_text, include_tables=False, include_comments=False, deduplicate=False, fast=True
            )
        except Exception as exc:  # trafilatura surfaces lxml/parsing errors from odd pages
            warnings.append(f"trafilatura failed ({exc.__class__.__name__}); the page's visible text is used")
    else:
        warnings.append("page too large for trafilatura; the page's visible text is used")
    timings["trafilatura"] = time.perf_counter() - started
    return text or visible_text(tree)


_DATE_CLASS = etree.XPath(
    "//*[contains(translate(concat(@class, ' ', @id), 'DATEIMPUBLSH', 'dateimpublsh'), 'date')"
    " or contains(translate(concat(@class, ' ', @id), 'DATEIMPUBLSH', 'dateimpublsh'), 'time')"
    " or contains(concat(@class, ' ', @id), 'fbsj') or contains(concat(@class, ' ', @id), 'fbrq')]"
)


def _lone_dated_element(tree: etree._Element) -> str | None:
    """A date printed alone in an element named for it (class="date", id="fbsj" …), when the
    page has exactly one such date: a sidebar of dated news has many and says nothing."""
    from . import identity

    dates = set()
    for el in _DATE_CLASS(tree):
        text = "".join(el.itertext()).strip()
        if 8 <= len(text) <= 40 and (date := identity.date_of(text)):
            dates.add(date)
    return dates.pop() if len(dates) == 1 else None


def read_page(
    data: bytes, content_type: str | None, warnings: list[str], timings: dict[str, float]
) -> tuple[list[Row], str, str | None, str | None, str | None, Callable[[], list[Row]] | None]:
    """(rows, body text, title, published date, agency hint, a text reading to fall back on)."""
    from . import identity
    from .encoding import decode
    from .text import rows_from_text

    html_text, _ = decode(data, content_type, warnings)
    if len(html_text) > MAX_HTML_CHARS:
        warnings.append(f"page cut to its first {MAX_HTML_CHARS:,} characters (of {len(html_text):,})")
        html_text = html_text[:MAX_HTML_CHARS]
    tags = html_text.count("<")
    if tags > MAX_HTML_TAGS:
        warnings.append(f"page cut to its first {MAX_HTML_TAGS:,} tags (of {tags:,})")
        html_text = html_text[: next(itertools.islice(_TAG_OPEN.finditer(html_text), MAX_HTML_TAGS, None)).start()]
    try:
        doc = read_html(html_text)
    except (RecursionError, etree.LxmlError, ValueError) as exc:
        warnings.append(f"the HTML tree could not be built ({exc.__class__.__name__})")
        doc = None
    if doc is None:
        warnings.append("the HTML could not be parsed; read as plain text")
        html_text, cut = cut_text(html_text)
        if cut:
            warnings.append(cut)
        title = identity.title_from_lines(html_text.splitlines())
        return rows_from_text(html_text), html_text, title, None, None, None
    warnings.extend(doc.warnings)
    title = first_meta(doc.meta, _META_TITLE)
    if not (title and identity.is_report_title(title)):
        candidates = ["".join(h.itertext()) for h in doc.tree.iter("h1", "h2", "h3")]
        candidates += re.split(r"[_|－\-—]+", doc.page_title or "")
        title = next((c.strip() for c in candidates if identity.is_report_title(c) and len(c.strip()) < 80), None)
    rows = doc.rows
    alternate = None
    if not doc.tables_found:
        # No statistics <table>: the numbers may still be printed as text (or only as images).
        rows = rows_from_text(visible_text(copy.deepcopy(doc.tree)))
    else:
        def alternate() -> list[Row]:
            tree = parse_tree(html_text)
            return rows_from_text(visible_text(tree)) if tree is not None else []
    text, cut = cut_text(body_text(html_text, doc.tree, warnings, timings))  # consumes the tree: last use
    if cut:
        warnings.append(cut)
    title = title or identity.title_from_lines(text.splitlines())
    # Dates and 发布机构 lines are looked up, only when needed, in the tag-stripped source.
    flat = None

    def flat_text() -> str:
        nonlocal flat
        if flat is None:
            flat = _TAGS.sub("", html_text[:300_000]).replace("&nbsp;", " ")
        return flat

    published = identity.date_of(first_meta(doc.meta, _META_DATE))
    if published is None:
        published = identity.published_from_text(flat_text()) or _lone_dated_element(doc.tree)
    agency = None
    if not identity.agency_from_title(title):
        m = _PUBLISHER_LINE.search(flat_text())
        agency = m.group(1) if m else first_meta(doc.meta, _META_SOURCE)
    return rows, text, title, published, agency, alternate
