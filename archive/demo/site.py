"""The demo portal: every page of a generated government site, and the truth about it.

``build_site(state, extra_reports, foreign_base)`` returns a ``Site``: pages by request target
(path, plus query where the portal links one), the reports a crawl should archive with their
numbers (``expected_reports``), the pages it must not archive (``lookalikes``), what robots.txt
forbids (``disallowed``), the traps, and — for ``state=2``, the same portal republished a year
later — the ``changes`` a change detector should report and nothing else.

Noise is deliberate. Every HTML page carries a visit counter and a "today" bar that change on
every request, and state 2 republishes every page with a new footer year, sidebar and script
version. None of that is a revision of a report: only ``changes`` are.

Conditional GET: a page's ETag and Last-Modified are computed from its template, i.e. the page
*without* the per-request counter and date. Real portals differ here (many ETags change with
the counter, so they never answer 304); the demo chooses stable validators so that a crawler's
If-None-Match / If-Modified-Since handling can be exercised. In state 2 every HTML page has new
validators (its chrome changed); the .docx and .pdf keep theirs.
"""

from __future__ import annotations

import hashlib
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta, timezone
from email.utils import format_datetime
from functools import cached_property
from html import escape
from typing import Any
from urllib.parse import parse_qs

from archive.record.model import active_keys

from . import attachments, chrome, layouts, plan, prose
from . import figures as fig
from .chrome import Article, Chrome, ListItem
from .plan import Agency, Column, ReportSpec

CST = timezone(timedelta(hours=8))
REPUBLISHED = datetime(2026, 2, 5, 10, 0, tzinfo=CST)  # when state 2's chrome went live
DEFAULT_FOREIGN = "http://localhost:9"  # the discard port: nothing answers unless a test serves it
WEEKDAYS = "一二三四五六日"

HTML_UTF8 = "text/html; charset=utf-8"
DOCX_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
# How a page's charset is declared: (meta charset in the HTML, HTTP Content-Type, Python codec).
CHARSETS = {
    "utf-8": ("utf-8", HTML_UTF8, "utf-8"),
    "gbk-header": (None, "text/html; charset=GBK", "gbk"),
    "gbk-meta": ("gbk", "text/html", "gbk"),
}


@dataclass
class Page:
    """One response. Text bodies are templates: the server fills the noise tokens per request."""

    body: bytes
    content_type: str = HTML_UTF8
    status: int = 200
    role: str = "page"
    encoding: str | None = "utf-8"  # codec of a text body; None for binary (served as is)
    headers: dict[str, str] = field(default_factory=dict)
    fail_first: int = 0  # answer 500 to the first N requests for this target
    modified: datetime = datetime(2025, 1, 1, tzinfo=CST)

    @cached_property
    def etag(self) -> str:
        """Hash of the template: stable while the page's content is, whatever the counter says."""
        digest = hashlib.sha1(self.content_type.encode() + b"\0" + self.body).hexdigest()
        return f'"{digest[:20]}"'

    @property
    def last_modified(self) -> str:
        return format_datetime(self.modified.astimezone(timezone.utc), usegmt=True)

    def render(self, visits: int, now: datetime, base_url: str) -> bytes:
        """The bytes of one answer: counter, date bar and base URL filled in, in the page's codec."""
        if self.encoding is None:
            return self.body
        local = now.astimezone(CST)
        today = f"{local:%Y年%m月%d日} 星期{WEEKDAYS[local.weekday()]} {local:%H:%M:%S}"
        return (
            self.body.replace(chrome.VISITS.encode(), str(visits).encode())
            .replace(chrome.TODAY.encode(), today.encode(self.encoding))
            .replace(chrome.BASE.encode(), base_url.encode())
        )

    def text(self) -> str:
        """The template decoded (tests and debugging)."""
        return self.body.decode(self.encoding or "latin-1")


@dataclass
class Site:
    """A whole portal in one state, and what a correct crawl of it must find."""

    state: int
    pages: dict[str, Page]
    expected_reports: list[dict[str, Any]]
    lookalikes: list[str]
    disallowed: list[str]
    changes: list[dict[str, Any]]
    redirects: dict[str, str]
    flaky: dict[str, int]
    dead_links: list[str]
    foreign_links: list[str]
    traps: list[str]
    attachment_pages: list[str]
    routes: dict[str, Callable[[str], Page]] = field(default_factory=dict)
    start_path: str = "/"

    def lookup(self, target: str) -> Page | None:
        """The page answering a request target ("/path?query"), or None for a 404.

        Exact targets first (list pages such as ``index.html?page=2`` are stored with their
        query), then dynamic routes (the calendar), then the bare path — a static server ignores
        query strings it does not know.
        """
        if target in self.pages:
            return self.pages[target]
        path, _, query = target.partition("?")
        if path in self.routes:
            return self.routes[path](query)
        return self.pages.get(path) if query else None

    def paths(self, role: str) -> list[str]:
        return [p for p, page in self.pages.items() if page.role == role]

    def report(self, path: str) -> dict[str, Any] | None:
        return next((r for r in self.expected_reports if r["path"] == path or r["page"] == path), None)


def stable_id(*parts: object, digits: int = 7) -> int:
    """A number that depends only on ``parts``: ids stay put when state 2 adds or drops pages."""
    h = int(hashlib.sha1(":".join(map(str, parts)).encode()).hexdigest(), 16)
    low = 10 ** (digits - 1)
    return low + h % (9 * low)


def fullwidth(text: str) -> str:
    return "".join(chr(ord(ch) + 0xFEE0) if "0" <= ch <= "9" else ch for ch in text)


def format_value(key: str, value: Any, thousands: bool) -> str:
    """A number as the report prints it (fees keep their decimals, 采购总金额 carries 元)."""
    if value is None:
        return ""
    if key.endswith("procurement.amount"):
        return f"{value:.2f}元"
    if isinstance(value, float):
        return format(value, "f").rstrip("0").rstrip(".")
    if thousands and abs(value) >= 1000:
        return f"{value:,}"
    return str(value)


ZERO_MARKS = {"/", "-", "－", "—", "无", ""}


class _Builder:
    """Builds one Site; each method adds one family of pages."""

    def __init__(self, state: int, foreign_base: str):
        if state not in (1, 2):
            raise ValueError("state must be 1 or 2")
        self.state = state
        self.foreign = foreign_base.rstrip("/")
        self.pages: dict[str, Page] = {}
        self.expected: list[dict[str, Any]] = []
        self.lookalikes: list[str] = []
        self.attachment_pages: list[str] = []
        self.changes: list[dict[str, Any]] = []
        self.items: dict[str, list[ListItem]] = defaultdict(list)
        self.news: list[chrome.NewsItem] = []
        self.extra_columns: list[Column] = []
        self.dead_links = [
            "/wzdt/index.html",
            "/zwgk/zfxxgk/zfxxgknb/sbj/201903/t20190315_1000318.html",
            "/art/2019/1/30/art_1229_4001835.html",
            "/zwgk/zfxxgk/zfxxgknb/sjyj/index.html",
        ]
        self.foreign_links = [f"{self.foreign}/", f"{self.foreign}/xxgk-show-198952.html"]
        self.redirects: dict[str, str] = {}
        self.flaky: dict[str, int] = {}
        self.figures_by: dict[tuple[str, int], fig.Figures] = {}
        self.revision: dict[str, list[Any]] = {}

    # --- chrome ---------------------------------------------------------------------------------
    @cached_property
    def city(self) -> Chrome:
        return Chrome(
            "清河市人民政府", "/",
            [("首页", "/"), ("政务公开", "/zwgk/index.html"), ("政府信息公开", "/zwgk/zfxxgk/index.html"),
             ("政府信息公开年报", "/zwgk/zfxxgk/zfxxgknb/index.html"), ("新闻中心", "/xwzx/index.html"),
             ("互动交流", "/hdjl/index.html")],
            self.news[:6], self.state,
            friends=[("中国政府网", self.foreign_links[0]), ("清河新闻网", self.foreign_links[1]),
                     ("河东区人民政府", "/hdq/index.html")],
            footer_links=[("网站地图", "/wzdt/index.html"), ("联系我们", "/lxwm/index.html")],
        )

    @cached_property
    def hdq(self) -> Chrome:
        return Chrome(
            "清河市河东区人民政府", "/hdq/index.html",
            [("首页", "/hdq/index.html"), ("政务公开", "/hdq/zwgk/index.html"),
             ("信息公开年报", "/hdq/zwgk/xxgknb/index.html"), ("市政府网站", "/")],
            self.news[:4], self.state,
            footer_links=[("联系我们", "/lxwm/index.html")],
        )

    def chrome_for(self, column: Column) -> Chrome:
        return self.hdq if column.site == "hdq" else self.city

    # --- registering pages ------------------------------------------------------------------------
    def add(self, path: str, page: Page) -> None:
        if path in self.pages:
            raise ValueError(f"two pages at {path}")
        self.pages[path] = page

    def add_html(self, path: str, html: str, role: str, charset: str = "utf-8",
                 modified: datetime | None = None) -> None:
        _, content_type, codec = CHARSETS[charset]
        body = html.encode(codec, errors="xmlcharrefreplace")  # © and the like become &#169; in GBK
        self.add(path, Page(body, content_type, role=role, encoding=codec, modified=self.modified(modified)))

    def modified(self, published: datetime | None) -> datetime:
        """State 1: the page's own date; state 2: the site-wide republication."""
        if self.state == 2:
            return REPUBLISHED
        return published or datetime(2025, 1, 20, 9, 30, tzinfo=CST)

    def add_article(self, path: str, article: Article, column: Column, role: str, charset: str | None = None) -> None:
        charset = charset or column.encoding
        article.meta_charset = CHARSETS[charset][0]
        html = chrome.ARTICLE_TEMPLATES[column.cms](article, self.chrome_for(column))
        stamp = datetime.combine(article.published, datetime.min.time(), CST) + timedelta(hours=9, minutes=30)
        self.add_html(path, html, role, charset, stamp)

    # --- paths in each CMS's style ------------------------------------------------------------
    def article_path(self, column: Column, key: str, day: date) -> str:
        if column.cms == "trs":
            return f"{column.folder}{day:%Y%m}/t{day:%Y%m%d}_{stable_id(column.key, key)}.html"
        if column.cms == "hanweb":
            col = column.index.split("/col/col")[1].split("/")[0]
            return f"/art/{day.year}/{day.month}/{day.day}/art_{col}_{stable_id(column.key, key)}.html"
        if column.cms == "gd":
            return f"{column.folder}content/post_{stable_id(column.key, key)}.html"
        if column.key == "dgjd":  # Shaanxi-style snowflake ids for the street office
            return f"{column.folder}{stable_id(column.key, key, digits=19)}.html"
        return f"{column.folder}content_{stable_id(column.key, key, digits=5)}"

    def index_no(self, agency: Agency, day: date, key: str) -> str:
        return f"{agency.code}/{day.year}-{stable_id(agency.key, key, digits=5)}"

    # --- reports --------------------------------------------------------------------------------
    def build_reports(self, specs: list[ReportSpec]) -> None:
        carried: dict[str, dict[str, int]] = {}
        for spec in specs:
            figures = fig.report_figures(spec.agency.key, spec.agency.kind, spec.agency.scale, spec.year,
                                         spec.legacy, fig.break_chain(carried.get(spec.agency.key), spec.chain_break))
            figures = self.adjust(spec, figures)
            carried[spec.agency.key] = fig.carried_forward_of(figures)
            self.figures_by[(spec.agency.key, spec.year)] = figures
            self.report(spec, figures)

    def adjust(self, spec: ReportSpec, figures: fig.Figures) -> fig.Figures:
        """The deliberate departures: a broken total, and state 2's revision."""
        key = (spec.agency.key, spec.year)
        if spec.fails_check:
            figures = fig.break_processed_total(figures)
        if key == plan.REVISED:
            # Both states: one pending review so that state 2 can close it as upheld.
            figures["review_litigation"]["review"] = {"upheld": 1, "corrected": 0, "other": 0, "pending": 1, "total": 2}
            if self.state == 2:
                revision = {
                    "active_disclosure.licensing_decisions": fig.get(figures, "active_disclosure.licensing_decisions") + 37,
                    "review_litigation.review.upheld": 2,
                    "review_litigation.review.pending": 0,
                }
                self.revision = {k: [fig.get(figures, k), v] for k, v in revision.items()}
                for k, v in revision.items():
                    fig.put(figures, k, v)
        return figures

    def show(self, spec: ReportSpec, figures: fig.Figures) -> Callable[[str], str]:
        def show(key: str) -> str:
            mark = spec.marks.get(key)
            value = fig.get(figures, key)
            text = format_value(key, value, spec.thousands)
            if mark == "full-width":
                return fullwidth(text)
            if mark is not None:
                assert value == 0 and mark in ZERO_MARKS, f"mark {mark!r} on non-zero {key}"
                return mark
            if spec.blank_zeros and value == 0:
                return ""
            return text
        return show

    def report(self, spec: ReportSpec, figures: fig.Figures) -> None:
        agency, year, column = spec.agency, spec.year, spec.column
        key = f"{agency.key}:{year}"
        title = "".join(spec.title_lines) if spec.title_lines else prose.report_title(agency.name, year, spec.title_style)
        published = spec.published
        path = self.article_path(column, key, published + timedelta(days=spec.url_lag))
        said = fig.misstated(figures, spec.prose_misstates)  # the figures its prose states (plan: may differ)
        sections = prose.report_sections(prose_rng(key), agency.name, year, said,
                                         revised_problems=self.state == 2 and (agency.key, year) == plan.TEXT_REVISED)
        image = f"{column.folder}images/{stable_id('img', key)}.png" if spec.active_image else None
        doc = layouts.ReportDoc(
            title_lines=spec.title_lines or [title], intro=prose.intro(agency.name, year), sections=sections,
            show=self.show(spec, figures), legacy=spec.legacy, active_image=image,
            signature=[agency.name, f"{published.year}年{published.month}月{published.day}日"],
        )
        layout = layouts.LAYOUTS[spec.layout]
        doc_path = path
        article_attachments: list[chrome.Link] = []
        if spec.media == "docx":
            doc_path = f"/hdq/uploadfiles/{published:%Y%m}/{published:%Y%m%d}{stable_id('docx', key, digits=9)}.docx"
            created = datetime.combine(published, datetime.min.time(), timezone.utc)
            self.add(doc_path, Page(attachments.report_docx(doc, agency.source, created), DOCX_TYPE, role="document",
                                    encoding=None, modified=created,
                                    headers={"Content-Disposition": f'attachment; filename="{stable_id("docx", key)}.docx"'}))
            body = layout.para("详见附件。")
            article_attachments = [(f"{title}.docx", doc_path)]
            self.attachment_pages.append(path)
        else:
            body = layouts.report_body(doc, layout)
        if image:
            self.add(image, Page(attachments.png(), "image/png", role="asset", encoding=None))
        article = Article(title, published, agency.source, agency.name, self.index_no(agency, published, key),
                          list(column.crumbs), body, column.name, title_lines=spec.title_lines,
                          attachments=article_attachments)
        charset = spec.charset if spec.charset != "utf-8" else column.encoding
        removed = self.state == 2 and (agency.key, year) == plan.REMOVED_IN_STATE_2
        if not removed:
            self.add_article(path, article, column, "report" if spec.media == "html" else "attachment_page", charset)
            self.expected.append(expected_entry(spec, figures, sections, title, path, doc_path, charset))
        # A removed report keeps its entry on the (stale, statically published) list page.
        self.items[column.key].append(ListItem(title, path, published))
        self.record_change(spec, path)
        if (agency.key, year) == plan.FLAKY:
            self.pages[path].fail_first = 2
            self.flaky[path] = 2
        if (agency.key, year) == plan.REDIRECTED:
            old = f"/zwgk/zfxxgknb/{published:%Y%m}/t{published:%Y%m%d}_{stable_id('old', key)}.html"
            self.add(old, Page(b"", "text/html", status=301, role="redirect", encoding=None, headers={"Location": path}))
            self.redirects[old] = path
        if spec.agency.key.startswith("x"):
            self.companions(spec, figures, title, path)

    def record_change(self, spec: ReportSpec, path: str) -> None:
        if self.state != 2:
            return
        key = (spec.agency.key, spec.year)
        if key == plan.REVISED:
            self.changes.append({"path": path, "kind": "revised", "fields": self.revision})
        elif key == plan.BOILERPLATE_ONLY:
            self.changes.append({"path": path, "kind": "none", "fields": {},
                                 "note": "republished: new sidebar news, footer year, script version, analytics"})
        elif key == plan.TEXT_REVISED:
            self.changes.append({"path": path, "kind": "text_revised", "fields": {}, "sections": ["problems"]})
        elif key == plan.NEW_IN_STATE_2:
            self.changes.append({"path": path, "kind": "new", "fields": {}})
        elif key == plan.REMOVED_IN_STATE_2:
            self.changes.append({"path": path, "kind": "removed", "fields": {},
                                 "note": "answers 404; the stale list page still links it"})

    def companions(self, spec: ReportSpec, figures: fig.Figures, title: str, path: str) -> None:
        """An extra report brings its 解读 (same column) and a news item, as real columns do."""
        agency, column = spec.agency, spec.column
        key = f"{agency.key}:{spec.year}"
        day = spec.published + timedelta(days=1)
        jd_title = f"{title}的解读"
        jd_path = self.article_path(column, key + ":jd", day)
        self.lookalike(jd_path, jd_title, prose.interpretation(agency.name, spec.year, figures), agency, day, column)
        news_title = f"{agency.name}召开{spec.year}年度政务公开工作总结会"
        news_path = f"/xwzx/bmdt/{day:%Y%m}/t{day:%Y%m%d}_{stable_id('news', key)}.html"
        body = f"<p>{escape(news_title)}。会议通报了{spec.year}年政府信息公开工作年度报告编制情况。</p>"
        self.add_article(news_path, self.article(news_title, day, agency, body, BMDT), BMDT, "news")
        self.items["bmdt"].append(ListItem(news_title, news_path, day))

    def article(self, title: str, day: date, agency: Agency, body: str, column: Column) -> Article:
        return Article(title, day, agency.source, agency.name, self.index_no(agency, day, title),
                       list(column.crumbs), body, column.name)

    # --- look-alikes ----------------------------------------------------------------------------
    def lookalike(self, path: str, title: str, paragraphs: list[str], agency: Agency, day: date,
                  column: Column, extra_html: str = "") -> None:
        layout = layouts.LAYOUTS["official"]
        body = "".join(layout.para(p) for p in paragraphs) + extra_html
        self.add_article(path, self.article(title, day, agency, body, column), column, "lookalike")
        self.lookalikes.append(path)
        self.items[column.key].append(ListItem(title, path, day))

    def build_lookalikes(self) -> None:
        c, A = plan.COLUMNS, plan
        official = layouts.LAYOUTS["official"]
        for agency, column, year in [(A.CITY, c["sbj"], y) for y in (2021, 2022, 2023, 2024)] + [
            (A.FGW, c["fgw"], 2023), (A.WJW, c["wjw"], 2023)
        ]:
            figures = self.figures_by[(agency.key, year)]
            day = plan.ReportSpec(agency, year, column).published + timedelta(days=1)
            self.lookalike(self.article_path(column, f"jd:{agency.key}:{year}", day),
                           f"{prose.report_title(agency.name, year)}的解读",
                           prose.interpretation(agency.name, year, figures), agency, day, column)
        for agency, column, year in [(A.CITY, c["sbj"], 2023), (A.WJW, c["wjw"], 2022)]:
            day = plan.ReportSpec(agency, year, column).published + timedelta(days=2)
            img = f"{column.folder}images/{stable_id('tj', agency.key, year)}.png"
            self.add(img, Page(attachments.png(16, 12, 120), "image/png", role="asset", encoding=None))
            self.lookalike(self.article_path(column, f"tj:{agency.key}:{year}", day),
                           f"图解：{prose.report_title(agency.name, year)}", prose.infographic(agency.name, year),
                           agency, day, column, official.image(img, "一图读懂"))
        notice = "关于印发《中华人民共和国政府信息公开工作年度报告格式》的通知"
        for agency, column, day in [(A.CITY, c["sbj"], date(2021, 10, 12)), (A.HDQ, c["hdq"], date(2021, 10, 20))]:
            self.lookalike(self.article_path(column, f"notice:{agency.key}", day), notice, prose.FORMAT_NOTICE,
                           agency, day, column, layouts.blank_format_tables(official))
        for agency, column, year in [(A.CITY, c["sbj"], 2023), (A.CITY, c["sbj"], 2024), (A.FGW, c["fgw"], 2024),
                                     (A.DGJD, c["dgjd"], 2024)]:
            day = date(year, 3, 18)
            self.lookalike(self.article_path(column, f"yd:{agency.key}:{year}", day),
                           f"{agency.name}{year}年政务公开工作要点", prose.work_points(agency.name, year),
                           agency, day, column)
        for agency, column, year in [(A.CITY, c["sbj"], 2023), (A.WJW, c["wjw"], 2023)]:
            day = date(year + 1, 3, 28)
            self.lookalike(self.article_path(column, f"fz:{agency.key}:{year}", day),
                           f"{agency.name}{year}年法治政府建设年度报告", prose.rule_of_law_report(agency.name, year),
                           agency, day, column)
        for agency, column, year in [(A.FGW, c["fgw"], 2022), (A.FGW, c["fgw"], 2023), (A.WJW, c["wjw"], 2023)]:
            day = date(year + 1, 7, 26)
            self.lookalike(self.article_path(column, f"js:{agency.key}:{year}", day),
                           f"{agency.name}{year}年部门决算", prose.final_accounts(agency.name, year),
                           agency, day, column, final_accounts_table(agency.key, year))
        for agency, column, year, city in [(A.CITY, c["sbj"], 2024, "清河市"), (A.HDQ, c["hdq"], 2024, "河东区")]:
            day = date(year, 1, 30)
            self.lookalike(self.article_path(column, f"gzbg:{agency.key}:{year}", day),
                           f"{year}年{agency.name}工作报告", prose.work_report(city, year), agency, day, column)

    def build_huaian(self) -> None:
        """The real 淮安 2024 report: a page that links its PDF (the numbers are in the PDF)."""
        column, agency = plan.COLUMNS["ssnb"], plan.HUAIAN
        truth = attachments.huaian_truth()
        day = date(2025, 1, 24)
        path = self.article_path(column, "huaian:2024", day)
        pdf = f"{column.folder}{day:%Y%m}/P0{day:%Y%m%d}{stable_id('pdf', 'huaian', digits=9)}.pdf"
        created = datetime(2025, 1, 24, 8, 0, tzinfo=CST)
        self.add(pdf, Page(attachments.huaian_pdf(), "application/pdf", role="document", encoding=None, modified=created))
        body = '<p style="text-indent:2em">附件：</p>'
        article = Article(truth["title"], day, "淮安市人民政府办公室（转载）", agency.name,
                          self.index_no(agency, day, "huaian"), list(column.crumbs), body, column.name,
                          attachments=[(f"{truth['title']}.pdf", pdf)])
        self.add_article(path, article, column, "attachment_page")
        self.attachment_pages.append(path)
        self.items[column.key].append(ListItem(truth["title"], path, day))
        entry = {k: truth[k] for k in ("agency", "year", "format", "title", "active_disclosure", "requests",
                                       "review_litigation")}
        entry.update(path=pdf, page=path, published=day.isoformat(), media="pdf", encoding=None, charset=None,
                     cms=column.cms, layout="pdf", column=column.key, sections=None, fails_check=False,
                     notes=["the real published PDF; its section 三 table runs across a page break"])
        self.expected.append(entry)

    # --- lists ----------------------------------------------------------------------------------
    def build_lists(self, columns: list[Column]) -> None:
        for column in columns:
            items = sorted(self.items[column.key], key=lambda i: (i.date, i.href), reverse=True)
            chunks = [items[i:i + column.per_page] for i in range(0, len(items), column.per_page)] or [[]]
            paths = column.page_paths(len(chunks))
            ch = self.chrome_for(column)
            for n, (target, chunk) in enumerate(zip(paths, chunks)):
                if column.style == "trs":  # TRS writes links relative to the column folder
                    chunk = [ListItem(i.title, "./" + i.href[len(column.folder):] if i.href.startswith(column.folder)
                                      else i.href, i.date) for i in chunk]
                pager = list_pager(column, paths, n)
                subs = [("街道年报", plan.COLUMNS["dgjd"].index)] if column.key == "hdq" else None
                html = chrome.list_page(column.name, list(column.crumbs), chunk, pager, ch,
                                        CHARSETS[column.encoding][0], subs)
                self.add_html(target, html, "list", column.encoding)
                if column.style == "query" and n == 0:  # the pager links page 1 as ?page=1 too
                    self.add_html(f"{column.index}?page=1", html, "list", column.encoding)

    # --- navigation, news and the rest ------------------------------------------------------------
    def build_news(self) -> None:
        titles = prose.NEWS
        days = [date(2024, 11, 8), date(2024, 11, 26), date(2024, 12, 10), date(2024, 12, 27),
                date(2025, 1, 9), date(2025, 1, 16), date(2025, 1, 23), date(2025, 2, 6)]
        if self.state == 2:
            days += [date(2025, 12, 19), date(2026, 1, 8), date(2026, 1, 22), date(2026, 2, 3)]
        for i, day in enumerate(days):
            title = titles[i % len(titles)].format(n=40 + i)
            path = f"/xwzx/zwyw/{day:%Y%m}/t{day:%Y%m%d}_{stable_id('zwyw', i)}.html"
            self.news.append((title, path, day))
        self.news.sort(key=lambda n: n[2], reverse=True)
        for title, path, day in self.news:
            body = f"<p>{escape(title)}。</p><p>（记者 王{'明亮静'[day.day % 3]}）</p>"
            self.add_article(path, self.article(title, day, plan.CITY, body, ZWYW), ZWYW, "news")
            self.items["zwyw"].append(ListItem(title, path, day))

    def build_navigation(self) -> None:
        ch = self.city
        nb = "/zwgk/zfxxgk/zfxxgknb/index.html"
        c = plan.COLUMNS
        hot = [(f"{prose.report_title('清河市人民政府', 2021)}", next(iter(self.redirects), "/")),
               ("政府信息公开年报", nb), ("政务日历", "/calendar/?month=2024-01")]
        home = (
            '<div class="w1200 home"><div class="banner"><img src="/images/logo.png" alt="清河市"></div>'
            f'<div class="box"><h3>政务要闻</h3>{chrome.list_items([ListItem(*n) for n in self.news[:6]])}'
            '<a href="/xwzx/index.html" class="more">更多</a></div>'
            f'<div class="box"><h3>热点专题</h3><ul>{"".join(f"<li>{chrome.links([h])}</li>" for h in hot)}</ul></div>'
            '<div class="box"><h3>政府信息公开</h3><ul>'
            f'<li><a href="/zwgk/zfxxgk/zfxxgkzn/index.html">政府信息公开指南</a></li>'
            f'<li><a href="/zwgk/zfxxgk/fdzdgknr/index.html">法定主动公开内容</a></li>'
            f'<li><a href="{nb}">政府信息公开年报</a></li></ul></div></div>'
        )
        self.add_html("/", chrome.page("清河市人民政府", "utf-8", ch, home + chrome.sidebar(ch),
                                       {"SiteName": "清河市人民政府"}), "home")
        crumbs = list(plan.CITY_CRUMBS)
        self.add_html("/zwgk/index.html", chrome.column_index("政务公开", crumbs[:2], [
            ("政府信息公开", "/zwgk/zfxxgk/index.html", "政府信息公开指南、制度、法定主动公开内容、年报"),
            ("政策文件", "/zwgk/zcwj/index.html", "市政府及办公室文件"),
        ], ch), "column")
        self.add_html("/zwgk/zfxxgk/index.html", chrome.column_index("政府信息公开", crumbs[:3], [
            ("政府信息公开指南", "/zwgk/zfxxgk/zfxxgkzn/index.html", "申请渠道、受理机构、处理流程"),
            ("政府信息公开制度", "/zwgk/zfxxgk/zfxxgkzd/index.html", "条例与本市规定"),
            ("法定主动公开内容", "/zwgk/zfxxgk/fdzdgknr/index.html", "条例第二十条规定的内容"),
            ("政府信息公开年报", nb, "政府信息公开工作年度报告"),
        ], ch, '<p class="internal"><a href="/admin/secret.html">内部管理入口</a></p>'), "column")
        subs = [
            ("市政府年报", c["sbj"].index, "清河市人民政府政府信息公开工作年度报告"),
            ("市级部门年报", "/zwgk/zfxxgk/zfxxgknb/bm/index.html", "市政府各部门年度报告"),
            ("区县年报", c["hdq"].index, "各区县人民政府年度报告"),
            ("省内设区市年报", c["ssnb"].index, "转载省内其他设区市年度报告"),
        ] + [(x.name, x.index, "") for x in self.extra_columns]
        self.add_html(nb, chrome.column_index("政府信息公开年报", crumbs, subs, ch), "column")
        self.add_html("/zwgk/zfxxgk/zfxxgknb/bm/index.html", chrome.column_index("市级部门年报", crumbs + [
            ("市级部门年报", "/zwgk/zfxxgk/zfxxgknb/bm/index.html")], [
            ("市发展改革委", c["fgw"].index, ""), ("市卫生健康委", c["wjw"].index, ""),
            ("市教育局", "/zwgk/zfxxgk/zfxxgknb/sjyj/index.html", "栏目调整中"),
        ], ch), "column")
        for path, title in [("/zwgk/zcwj/index.html", "政策文件"), ("/zwgk/zfxxgk/zfxxgkzn/index.html", "政府信息公开指南"),
                            ("/zwgk/zfxxgk/zfxxgkzd/index.html", "政府信息公开制度"),
                            ("/zwgk/zfxxgk/fdzdgknr/index.html", "法定主动公开内容"),
                            ("/lxwm/index.html", "联系我们"), ("/hdjl/index.html", "互动交流")]:
            self.add_html(path, chrome.simple_page(title, crumbs[:3] + [(title, path)], [
                f"{title}栏目内容维护中。", "联系电话：0517-12345678"], ch), "misc")
        self.add_html("/xwzx/index.html", chrome.column_index("新闻中心", [("首页", "/"), ("新闻中心", "/xwzx/index.html")], [
            ("政务要闻", ZWYW.index, ""), ("部门动态", BMDT.index, "")], ch), "column")
        self.build_hdq_navigation()

    def build_hdq_navigation(self) -> None:
        ch = self.hdq
        c = plan.COLUMNS
        home = (
            '<table width="980" align="center"><tr><td>'
            f'<h3>政务公开</h3><p><a href="/hdq/zwgk/index.html">政务公开</a> <a href="{c["hdq"].index}">信息公开年报</a> '
            f'<a href="{c["dgjd"].index}">街道年报</a></p></td></tr></table>'
        )
        self.add_html("/hdq/index.html", chrome.page("清河市河东区人民政府", "gbk", ch, home), "home", "gbk-meta")
        self.add_html("/hdq/zwgk/index.html", chrome.page("政务公开_清河市河东区人民政府", "gbk", ch,
                      f'<p><a href="{c["hdq"].index}">信息公开年报</a></p>'), "column", "gbk-meta")

    def build_assets(self) -> None:
        self.add("/css/style.css", Page(b"body{font:14px/1.8 SimSun,serif}.nav li{display:inline}\n", "text/css",
                                        role="asset", encoding=None))
        self.add("/js/common.js", Page(b"/* common */\nfunction setFont(s){document.getElementById('zoom').style.fontSize=s+'px';}\n",
                                       "application/javascript", role="asset", encoding=None))
        self.add("/js/jquery.min.js", Page(b"/*! jQuery stub for the demo portal */\n", "application/javascript",
                                           role="asset", encoding=None))
        self.add("/images/logo.png", Page(attachments.png(40, 10, 60), "image/png", role="asset", encoding=None))
        if self.state == 2:
            self.add("/js/stat.js", Page(b"/* stat */\n", "application/javascript", role="asset", encoding=None))
        self.add_html("/admin/secret.html", chrome.page("后台管理系统", "utf-8", self.city,
                      "<h1>后台管理系统</h1><p>内部资料，请勿外传。</p>"), "admin")

    def build_robots_and_sitemap(self, sitemap_paths: list[str]) -> None:
        robots = (
            "# robots.txt for www.qinghe.gov.cn\nUser-agent: *\nDisallow: /admin/\nDisallow: /search/\n\n"
            f"Sitemap: {chrome.BASE}/sitemap.xml\n"
        )
        self.add("/robots.txt", Page(robots.encode(), "text/plain; charset=utf-8", role="robots"))
        urls = "".join(
            f"<url><loc>{chrome.BASE}{escape(p)}</loc><lastmod>{self.pages[p].modified.date().isoformat()}</lastmod></url>"
            for p in sitemap_paths if p in self.pages
        )
        xml = ('<?xml version="1.0" encoding="UTF-8"?>\n'
               f'<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">{urls}</urlset>\n')
        self.add("/sitemap.xml", Page(xml.encode(), "application/xml", role="sitemap"))

    def calendar_route(self) -> Callable[[str], Page]:
        ch = self.city

        def route(query: str) -> Page:
            month = (parse_qs(query).get("month") or ["2024-01"])[0]
            try:
                y, m = (int(x) for x in month.split("-", 1))
                assert 1 <= m <= 12 and 1 <= y <= 9999
            except (ValueError, AssertionError):
                y, m = 2024, 1
            html = chrome.calendar_page(y, m, ch)
            return Page(html.encode(), HTML_UTF8, role="trap", modified=self.modified(None))

        return route

    # --- the whole site ---------------------------------------------------------------------------
    def build(self, extra_reports: int) -> Site:
        self.build_news()
        extras = plan.extra_reports(extra_reports)
        self.extra_columns = [c for c in plan.EXTRA_COLUMNS if any(s.column is c for s in extras)]
        self.build_assets()
        self.build_reports(plan.main_reports(self.state) + extras)
        self.build_lookalikes()
        self.build_huaian()
        self.items["sbj"].append(ListItem("清河市人民政府2018年政府信息公开工作年度报告", self.dead_links[1], date(2019, 3, 15)))
        self.items["fgw"].append(ListItem("清河市发展和改革委员会2018年政府信息公开工作年度报告", self.dead_links[2],
                                          date(2019, 1, 30)))
        self.build_lists(list(plan.COLUMNS.values()) + self.extra_columns + [ZWYW, BMDT])
        self.build_navigation()
        first_pages = [c.index for c in plan.COLUMNS.values()]
        reports_on_first_pages = [r["page"] for r in self.expected if r["column"] in ("fgw", "hdq", "dgjd")][:6]
        self.build_robots_and_sitemap(["/", "/zwgk/zfxxgk/zfxxgknb/index.html"] + first_pages + reports_on_first_pages
                                      + [n[1] for n in self.news[:3]])
        return Site(
            state=self.state, pages=self.pages, expected_reports=self.expected, lookalikes=self.lookalikes,
            disallowed=[p for p in self.pages if p.startswith("/admin/")], changes=self.changes,
            redirects=self.redirects, flaky=self.flaky, dead_links=self.dead_links,
            foreign_links=self.foreign_links, traps=["/calendar/"], attachment_pages=self.attachment_pages,
            routes={"/calendar/": self.calendar_route()},
        )


# News columns (not report columns): 政务要闻 for the sidebars, 部门动态 for the extra reports' news.
ZWYW = Column("zwyw", "政务要闻", "/xwzx/zwyw/index.html", "trs", "trs", 20,
              (("首页", "/"), ("新闻中心", "/xwzx/index.html"), ("政务要闻", "/xwzx/zwyw/index.html")))
BMDT = Column("bmdt", "部门动态", "/xwzx/bmdt/index.html", "query", "trs", 20,
              (("首页", "/"), ("新闻中心", "/xwzx/index.html"), ("部门动态", "/xwzx/bmdt/index.html")))


def list_pager(column: Column, paths: list[str], index: int) -> str:
    """The pagination block of list page ``index`` in the column's style."""
    if column.style == "trs":
        return chrome.trs_pager(len(paths), index)
    if column.style == "query":
        return chrome.query_pager(column.index, len(paths), index)
    if column.style == "next_last":
        return chrome.next_last_pager(paths, index)
    return ""


def prose_rng(key: str):
    return fig.rng_for("prose", key)


def final_accounts_table(agency_key: str, year: int) -> str:
    """部门决算's 收入支出决算总表: a table full of numbers that is not the report format."""
    rng = fig.rng_for("accounts", agency_key, year)
    rows = [("一般公共预算财政拨款收入", rng.randint(800, 9000)), ("政府性基金预算财政拨款收入", 0),
            ("事业收入", rng.randint(0, 300)), ("其他收入", rng.randint(0, 80))]
    total = sum(v for _, v in rows)
    body = "".join(f"<tr><td>{escape(k)}</td><td>{v:.2f}</td></tr>" for k, v in rows)
    return (
        '<table border="1" cellspacing="0"><tr><td colspan="2">收入支出决算总表（单位：万元）</td></tr>'
        f"<tr><td>项目</td><td>决算数</td></tr>{body}<tr><td>本年收入合计</td><td>{total:.2f}</td></tr></table>"
    )


def expected_entry(spec: ReportSpec, figures: fig.Figures, sections: dict[str, list[str]], title: str,
                   page_path: str, doc_path: str, charset: str) -> dict[str, Any]:
    """The truth about one report, in CONTRACT shape plus where and how it was published."""
    active = dict(figures["active_disclosure"])
    requests = figures["requests"]
    if spec.legacy:
        # As the record reads the 2019 format: its 处理决定数量 are the 2021 format's *_decisions,
        # its one （六）其他处理 row is requests.other (and legacy_requests_other_processing).
        decisions = {f"{row}_decisions": figures["legacy_active_disclosure"][row]["decisions"]
                     for row in ("licensing", "penalty", "coercion")}
        active.update(decisions)
        requests = {**requests, "other": dict(figures["legacy_requests_other_processing"])}
    if spec.active_image:
        active = {k: None for k in active_keys()}
    entry: dict[str, Any] = {
        "path": doc_path,
        "page": page_path,
        "agency": spec.agency.name,
        "year": spec.year,
        "format": "legacy" if spec.legacy else "2021",
        "title": title,
        "published": spec.published.isoformat(),
        "media": spec.media,
        "encoding": CHARSETS[charset][2] if spec.media == "html" else None,
        "charset": charset if spec.media == "html" else None,
        "cms": spec.column.cms,
        "layout": spec.layout if spec.media == "html" else spec.media,
        "column": spec.column.key,
        "active_disclosure": active,
        "requests": requests,
        "review_litigation": figures["review_litigation"],
        "sections": {k: "\n".join(v) for k, v in sections.items()},
        "fails_check": spec.fails_check,
        "notes": list(spec.notes),
    }
    if spec.legacy:
        entry["legacy_active_disclosure"] = figures["legacy_active_disclosure"]
        entry["legacy_requests_other_processing"] = figures["legacy_requests_other_processing"]
    return entry


def build_site(state: int = 1, extra_reports: int = 0, foreign_base: str = DEFAULT_FOREIGN) -> Site:
    """The demo portal in ``state`` 1 or 2, with ``extra_reports`` more generated reports.

    ``foreign_base`` is the base URL of another host (give it a second PortalServer serving
    ``build_foreign_site()``): every page's 友情链接 point there, so any request a crawler
    wrongly sends off-site shows in that server's log.
    """
    return _Builder(state, foreign_base).build(extra_reports)


def build_foreign_site() -> Site:
    """A spam mirror on another host that re-hosts a report (docs/PORTALS.md §6); nothing there is ours."""
    mirror = (
        '<!DOCTYPE html><html><head><meta charset="utf-8"><title>清河市人民政府2023年政府信息公开工作年度报告-资讯网</title>'
        '</head><body><h1>清河市人民政府2023年政府信息公开工作年度报告</h1><p>本文转载自网络，如有侵权请联系删除。</p>'
        '<p>一、总体情况……</p></body></html>'
    )
    home = '<!DOCTYPE html><html><head><meta charset="utf-8"><title>资讯网</title></head><body>资讯网</body></html>'
    pages = {
        "/": Page(home.encode(), role="foreign"),
        "/xxgk-show-198952.html": Page(mirror.encode(), role="foreign"),
        "/robots.txt": Page(b"User-agent: *\nAllow: /\n", "text/plain", role="robots"),
    }
    return Site(state=1, pages=pages, expected_reports=[], lookalikes=list(pages)[:2], disallowed=[], changes=[],
                redirects={}, flaky={}, dead_links=[], foreign_links=[], traps=[], attachment_pages=[])

