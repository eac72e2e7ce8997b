"""The `reports` spider: from a portal's home page or report column to every annual report.

    scrapy crawl reports -a start_urls=https://www.pingtan.gov.cn/zwgk/zfxxgk/zfxxgknb/
    scrapy crawl reports -a sources=sources.toml [-a allowed_hosts=file.example.gov.cn]
    scrapy crawl reports -a sources=sources.toml -a recheck=urls.txt

What it follows, only on the source's own hosts (docs/PORTALS.md has the evidence):

* navigation toward disclosure sections (政务公开 / 政府信息公开 …) and report columns
  (政府信息公开年报, 年度报告, paths with zfxxgknb / xxgknb / gknb / ndbg …) — not every news link;
* list pagination the way Chinese CMSs write it: index_1.html … (also when only a
  ``createPageHTML(pages, current, "index", "html")`` or ``var countPage = N`` script says so),
  ``?page=N``, 下一页 / 尾页 / 末页, and Hanweb's ``<script type="text/xml">`` record blocks;
* the Sitemap: lines of robots.txt (else /sitemap.xml), for column and article URLs;
* report links (judged by link text, then the page's ArticleTitle / h1 / <title>, then URL,
  through archive.parsing.detect.title_kind) and, from report pages, their attachments.

It yields DocumentItem(role="listing") for every list/navigation page it reads,
role="candidate" for every page or file that may be a report, role="attachment" for files
linked from a candidate, and GoneItem when a known (archived) URL answers 404/410. Look-alikes
(解读, 图解, 决算, 政府工作报告 …) are counted, never yielded. Whether a candidate really is a
report is the pipeline's decision: the spider only decides what to fetch.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Iterator
from datetime import datetime, timezone
from posixpath import dirname
from typing import Any
from urllib.parse import urlsplit

import scrapy
from scrapy.exceptions import IgnoreRequest
from scrapy.http import HtmlResponse, Response
from scrapy.spidermiddlewares.httperror import HttpError
from scrapy.utils.gz import gunzip
from scrapy.utils.sitemap import Sitemap, sitemap_urls_from_robots

from archive.parsing.detect import page_titles, title_kind, titles_verdict
from archive.parsing.numbers import normalize
from archive.sources import (
    Source,
    host_key,
    load_sources,
    normalize_host,
    source_from_json,
    sources_from_urls,
)
from crawler.items import DocumentItem, GoneItem, PageImage
from crawler.middlewares import CharsetFixMiddleware, RetryLater

from .links import (
    COLUMN_TEXT,
    NAV_TEXT_MAX,
    PAGE_TEXT,
    SHELL_TARGET,
    TOTAL_PAGES_TEXT,
    Link,
    dedupe_key,
    extract_links,
    http_headers,
    is_article_url,
    is_attachment,
    is_attachment_link,
    is_disclosure_root,
    is_index_url,
    is_report_column_url,
    link_kind,
    list_key,
    page_number,
    read_url_file,
    script_pagination,
    split_args,
    trap_reason,
)
from .list_walks import ListWalks
from .page_images import MAX_IMAGE_BYTES, MAX_IMAGES, table_images
from .release import release, releases_tree
from .stored_pages import StoredPages

logger = logging.getLogger(__name__)
_MAX_NEUTRAL_HOPS = 3  # neutral ("查看详情") links followed in a row from a report column
_PRIORITY = {"attachment": 30, "candidate": 20, "item": 10, "known": 10, "column": 5, "page": 0, "sitemap": -5}

def _now() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="seconds")


class ReportsSpider(scrapy.Spider):
    """Follow portal navigation to report columns, their pages, reports and attachments."""

    name = "reports"

    def __init__(
        self,
        start_urls: str | list[str] | None = None,
        sources: str | None = None,
        allowed_hosts: str | list[str] | None = None,
        recheck: str | None = None,
        source: str | None = None,
        *args: Any,
        **kwargs: Any,
    ):
        super().__init__(*args, **kwargs)
        self.sources: list[Source] = []
        if sources:
            self.sources += load_sources(sources)
        if source:  # one source as JSON (a Scrapyd job scheduled by `govreports schedule`)
            self.sources.append(source_from_json(source))
        self.sources += sources_from_urls(split_args(start_urls))
        extra_hosts = [normalize_host(h) for h in split_args(allowed_hosts)]
        for source in self.sources:
            source.hosts += [h for h in extra_hosts if h not in source.hosts]
        self.recheck_urls = read_url_file(recheck) if recheck else []
        if self.recheck_urls:
            self._add_recheck_source(extra_hosts)
        if not self.sources:
            raise ValueError("reports spider: give -a start_urls=URL[,URL…], -a sources=FILE or -a recheck=FILE")
        self.start_urls = [url for source in self.sources for url in source.start_urls]
        # Archived URLs checked recently (the pipeline fills it from GOVREPORTS_RECHECK_AFTER_HOURS):
        # not requested again in this run, even when a list page links them.
        self.fresh_urls: set[str] = set()
        self.known_urls: set[str] = set()  # archived URLs; the pipeline may add to it before the crawl
        # Validators of archived captures ({url: {"etag": …, "last_modified": …}}), also the
        # pipeline's to fill: a recheck then asks conditionally and an unchanged page answers 304.
        self.known_validators: dict[str, dict[str, str]] = {}
        # Pages that are not reports (lists, navigation, sitemaps) are asked for conditionally too,
        # with their last capture's validators: a 304 is read from that capture (stored_pages.py).
        self.stored_pages = StoredPages()
        # Documents fetched before whose reading never settled (a killed run, a crashed worker):
        # fetched again in full. And the lists walked to their end, which alone may be cut short.
        self.unsettled_urls: set[str] = set()
        self.link_context: dict[str, dict[str, str]] = {}  # url → link_text / parent_url / parent_title
        self.list_walks = ListWalks()
        self._by_name = {source.name: source for source in self.sources}
        self._requested: set[str] = set()
        self._archived: set[str] = set()  # dedupe keys of every URL the archive already holds
        self._budget_used: dict[str, int] = {}
        self._budget_logged: set[str] = set()
        self._list_last: dict[str, int] = {}  # list → highest page number it states
        self._lookalikes: set[str] = set()
        self._dropped: set[tuple[str, str]] = set()

    def _add_recheck_source(self, extra_hosts: list[str]) -> None:
        """URLs named with -a recheck are fetched even off the sources' hosts: they were asked for."""
        hosts = sorted({host_key(u) for u in self.recheck_urls if host_key(u)} | set(extra_hosts))
        self.sources.append(Source(name="recheck", start_urls=[], hosts=hosts))

    @property
    def sources_list(self) -> list[Source]:
        """The crawl's sources (the pipeline records them in the archive)."""
        return self.sources

    @property
    def allowed_hosts(self) -> set[str]:
        """Every host any source may fetch from (HostAllowlistMiddleware reads this)."""
        return {host for source in self.sources for host in source.hosts}

    # --- settings -----------------------------------------------------------------------
    @property
    def max_pages(self) -> int:
        """Requests per source at most: a portal that generates pages endlessly still ends."""
        return self.settings.getint("GOVREPORTS_MAX_PAGES_PER_SOURCE", 5000)

    @property
    def max_list_pages(self) -> int:
        return self.settings.getint("GOVREPORTS_MAX_LIST_PAGES", 200)

    @property
    def incremental_lists(self) -> bool:
        return self.settings.getbool("GOVREPORTS_INCREMENTAL_LISTS", True)

    @property
    def max_query(self) -> int:
        return self.settings.getint("GOVREPORTS_MAX_QUERY_LENGTH", 200)

    # --- start ----------------------------------------------------------------------------
    async def start(self) -> AsyncIterator[scrapy.Request]:
        for request in self._start_requests():
            yield request

    def _start_requests(self) -> Iterator[scrapy.Request]:
        """Known URLs first (rechecks are cheap and tell removals), then start pages, then sitemaps."""
        for url in self.fresh_urls:
            self._requested.add(dedupe_key(url))
        self._archived = {dedupe_key(url) for url in (*self.fresh_urls, *self.known_urls, *self.recheck_urls)}
        self.crawler.stats.set_value("govreports/fresh_skipped", len(self.fresh_urls))
        yield from self._known_requests()
        for source in self.sources:
            for url in source.start_urls:
                request = self._request(url, source, "page", {"column": is_report_column_url(url)})
                if request:
                    yield request
        if self.settings.getbool("GOVREPORTS_SITEMAPS", True):
            yield from self._robots_requests()

    def _known_requests(self) -> Iterator[scrapy.Request]:
        """Every known URL again, unfiltered: a 404/410 now means the report was removed; and
        every unsettled one, in full."""
        urls = list(dict.fromkeys([*self.recheck_urls, *sorted(self.known_urls)]))
        self.known_urls.update(urls)
        unsettled = sorted(set(self.unsettled_urls) - set(urls))
        self.crawler.stats.set_value("govreports/unsettled_retried", len(unsettled))
        for url in [*urls, *unsettled]:
            source = self._source_for(url)
            if source is None:
                logger.debug("Known URL outside this crawl's sources, not rechecked: %s", url)
                continue
            kind = "attachment" if is_attachment(url) else "known"
            yield scrapy.Request(
                url,
                callback=self.parse_page,
                errback=self.on_error,
                dont_filter=True,
                priority=_PRIORITY["known"],
                headers=self._conditional_headers(url) if url in self.known_urls else {},
                meta={"gr": {**self.link_context.get(url, {}), "source": source.name, "kind": kind, "recheck": True}},
            )
            self._requested.add(dedupe_key(url))

    def _conditional_headers(self, url: str) -> dict[str, str]:
        """If-None-Match / If-Modified-Since from the archived capture: unchanged pages cost a 304."""
        validators = self.known_validators.get(url) or {}
        headers = {}
        if validators.get("etag"):
            headers["If-None-Match"] = validators["etag"]
        if validators.get("last_modified"):
            headers["If-Modified-Since"] = validators["last_modified"]
        return headers

    def _robots_requests(self) -> Iterator[scrapy.Request]:
        """robots.txt of every start host, for its Sitemap: lines (RobotsTxtMiddleware keeps its own copy)."""
        seen: set[str] = set()
        for source in self.sources:
            for url in source.start_urls:
                parts = urlsplit(url)
                root = f"{parts.scheme}://{parts.netloc}"
                if root in seen:
                    continue
                seen.add(root)
                yield scrapy.Request(
                    root + "/robots.txt",
                    callback=self.parse_robots,
                    errback=self.on_error,
                    priority=_PRIORITY["sitemap"],
                    meta={"gr": {"source": source.name, "kind": "robots"}},
                )

    def _source_for(self, url: str) -> Source | None:
        return next((s for s in self.sources if s.allows(url)), None)

    # --- making requests ------------------------------------------------------------------
    def _request(self, url: str, source: Source, kind: str, info: dict[str, Any], **kwargs: Any) -> scrapy.Request | None:
        """A request on behalf of `source`, or None when it is a repeat, off-host or over budget."""
        if not source.allows(url):
            self._count_once("offsite_dropped", url)
            return None
        key = dedupe_key(url)
        if key in self._requested:
            return None
        used = self._budget_used.get(source.name, 0)
        if used >= self.max_pages:
            self.crawler.stats.inc_value("govreports/budget_dropped")
            self.list_walks.broken(info.get("referer"), source.name)
            if source.name not in self._budget_logged:
                self._budget_logged.add(source.name)
                logger.warning("Source %s reached its page budget (%d): crawl of it ends", source.name, used)
            return None
        self._budget_used[source.name] = used + 1
        self._requested.add(key)
        callback = self.parse_sitemap if kind == "sitemap" else self.parse_page
        meta = dict(kwargs.pop("meta", {}))
        meta["gr"] = {"source": source.name, "kind": kind, **info}
        headers, capture_id = self.stored_pages.conditional(url)
        if capture_id is not None:
            meta["gr"]["stored"] = capture_id
        return scrapy.Request(
            url, callback=callback, errback=self.on_error, priority=_PRIORITY.get(kind, 0), meta=meta,
            headers=headers or None, **kwargs
        )

    def _count_once(self, what: str, url: str) -> None:
        """Count a dropped link once per URL, however many pages repeat it (nav bars do)."""
        if (what, url) not in self._dropped:
            self._dropped.add((what, url))
            self.crawler.stats.inc_value(f"govreports/{what}")

    # --- callbacks --------------------------------------------------------------------------
    @releases_tree
    def parse_page(self, response: Response) -> Iterator[Any]:
        """Any fetched page or file: gone, unchanged, a file, or an HTML page to judge and follow."""
        info = response.meta.get("gr", {})
        if "list_depth" in info:
            response.meta["depth"] = info["list_depth"]  # list pages 2..N share page 1's depth
        if response.status in (404, 410):
            yield from self._gone(response, info)
            return
        if response.status == 304 and "stored" in info:
            yield from self._from_capture(response, info, self._read)
            return
        if response.status == 304:
            yield self._document(response, self._role_for_file(info), info, not_modified=True)
            return
        yield from self._read(response, info)

    def _read(self, response: Response, info: dict[str, Any]) -> Iterator[Any]:
        if info.get("kind") == "attachment" or not isinstance(response, HtmlResponse):
            yield from self._file(response, info)
            return
        yield from self._html(response, info)

    def _from_capture(self, response: Response, info: dict[str, Any], read: Any) -> Iterator[Any]:
        """A 304 to the validators of the page's last capture: read that capture as the page (its
        links are followed as before; the page's own item says "not modified"). A capture that
        cannot be read costs one request: the page is asked for again in full."""
        stored = self.stored_pages.response(response, info["stored"])
        if stored is None:
            headers = {k: v for k, v in response.request.headers.items()
                       if k.lower() not in (b"if-none-match", b"if-modified-since")}
            gr = {k: v for k, v in info.items() if k != "stored"}
            yield response.request.replace(headers=headers, dont_filter=True, meta={**response.meta, "gr": gr})
            return
        if self.settings.getbool("GOVREPORTS_CHARSET_FIX", True):
            stored = CharsetFixMiddleware().process_response(response.request, stored)
        self.crawler.stats.inc_value("govreports/read_from_capture")
        try:
            for out in read(stored, info):
                if isinstance(out, DocumentItem) and out.url == response.url:
                    yield self._document(response, out.role, info, not_modified=True)
                else:
                    yield out
        finally:
            release(stored)

    def _gone(self, response: Response, info: dict[str, Any]) -> Iterator[GoneItem]:
        """A 404/410 matters only for a URL the archive holds: its report was removed."""
        urls = {response.url, *response.meta.get("redirect_urls", [])}
        known = next((u for u in urls if u in self.known_urls), None)
        if known is None:
            logger.debug("%d for %s (not a known URL)", response.status, response.url)
            return
        self.crawler.stats.inc_value("govreports/gone")
        yield GoneItem(url=known, status=response.status, fetched_at=_now(), source=info.get("source"))

    @staticmethod
    def _role_for_file(info: dict[str, Any]) -> str:
        return "attachment" if info.get("kind") == "attachment" else "candidate"

    def _file(self, response: Response, info: dict[str, Any]) -> Iterator[DocumentItem]:
        """A PDF/DOC/WPS: an attachment of a report page, or itself a candidate (a column links it)."""
        kind = info.get("kind")
        if kind == "attachment":
            self.crawler.stats.inc_value("govreports/attachments")
            yield self._document(response, "attachment", info)
        elif kind in ("candidate", "item", "known") or info.get("column"):
            self.crawler.stats.inc_value("govreports/candidates")
            yield self._document(response, "candidate", info)
        else:
            logger.debug("Skipped a non-HTML page reached by navigation: %s", response.url)

    def _html(self, response: HtmlResponse, info: dict[str, Any]) -> Iterator[Any]:
        titles = page_titles(response.selector)
        links = extract_links(response)
        verdict = self._judge(response.url, info, titles, links)
        source = self._by_name.get(info.get("source", "")) or self._source_for(response.url)
        if source is None:
            logger.debug("Page of no source (redirected off every source's hosts?): %s", response.url)
            return
        if verdict == "lookalike":
            self._count_lookalike(response.url)
            yield from self._follow_reports(response, source, links)
        elif verdict == "report":
            title = self._best_title(titles)
            self.crawler.stats.inc_value("govreports/candidates")
            item = self._document(response, "candidate", info, extra={"title": title} if title else None)
            yield from self._with_images(response, source, item)
            yield from self._follow_attachments(response, source, links, title)
            yield from self._follow_reports(response, source, links)
        else:
            self.crawler.stats.inc_value("govreports/listings")
            yield self._document(response, "listing", info)
            yield from self._follow_listing(response, source, info, titles, links)

    # --- judging a page ----------------------------------------------------------------------
    def _judge(self, url: str, info: dict[str, Any], titles: dict[str, str], links: list[Link]) -> str | None:
        """'report', 'lookalike' or None (a list/navigation page).

        The link text decides first, then the page's own titles (ArticleTitle, h1, <title>),
        then the URL. A page with several report links and no article shape is a list even if
        its title names a year's reports ("2024年政府信息公开年报" sub-columns).
        """
        listish = self._looks_like_list(url, titles, links)
        kind = link_kind(info.get("link_text") or "")
        if kind == "lookalike":
            return "lookalike"
        if kind == "report" and not listish:
            return "report"
        verdict = titles_verdict(titles, listish)
        if verdict:
            return verdict
        if is_report_column_url(url) and is_article_url(url) and not listish:
            return "report"
        return None

    @staticmethod
    def _looks_like_list(url: str, titles: dict[str, str], links: list[Link]) -> bool:
        if titles["article"] or is_article_url(url):
            return False
        reports = sum(1 for link in links if link_kind(link.text) == "report")
        return reports >= 3

    @staticmethod
    def _best_title(titles: dict[str, str]) -> str | None:
        for name in ("article", "h1", "title"):
            if title_kind(titles[name]) == "report":
                return titles[name]
        return titles["article"] or titles["title"] or None

    def _is_report_column(self, url: str, info: dict[str, Any], titles: dict[str, str]) -> bool:
        """Whether this list page is (inside) a report column, whose neutral links are followed."""
        if info.get("column") or is_report_column_url(url):
            return True
        if link_kind(info.get("link_text") or "") == "column":
            return True
        return any(COLUMN_TEXT.search(normalize(titles[n])) for n in ("h1", "title", "column"))

    def _count_lookalike(self, url: str) -> None:
        if url not in self._lookalikes:
            self._lookalikes.add(url)
            self.crawler.stats.inc_value("govreports/lookalikes")

    # --- following links ----------------------------------------------------------------------
    def _follow_reports(self, response: HtmlResponse, source: Source, links: list[Link]) -> Iterator[scrapy.Request]:
        """From a report or look-alike page: links that name a report (上一篇/下一篇, 相关) and the
        column it sits in (its breadcrumbs), so a report reached first — from a sitemap or as a
        start URL — leads to its siblings."""
        for link in links:
            if trap_reason(link.url, link.text, self.max_query):
                continue
            kind = link_kind(link.text)
            if kind == "report":
                request = self._request(link.url, source, "candidate", self._link_info(response, link))
            elif kind == "column" or (is_report_column_url(link.url) and is_index_url(link.url)):
                request = self._request(link.url, source, "column", {**self._link_info(response, link), "column": True})
            else:
                continue
            if request:
                yield request

    def _follow_attachments(
        self, response: HtmlResponse, source: Source, links: list[Link], title: str | None
    ) -> Iterator[scrapy.Request]:
        """A report page's files: the PDF/DOC/WPS a page that says 详见附件 hands over to."""
        for link in links:
            if not is_attachment_link(link):
                continue
            info = self._link_info(response, link)
            info.update(parent_url=response.url, parent_title=title)
            request = self._request(link.url, source, "attachment", info)
            if request:
                yield request

    def _follow_listing(
        self, response: HtmlResponse, source: Source, info: dict[str, Any], titles: dict[str, str], links: list[Link]
    ) -> Iterator[scrapy.Request]:
        """From a list or navigation page: reports, columns, disclosure sections, pagination and,
        inside a report column, the neutral links of its list."""
        in_column = self._is_report_column(response.url, info, titles)
        hops = 0 if is_report_column_url(response.url) else info.get("hops", 0)
        new_items = archived_items = 0
        pagers: list[Link] = []
        for link in links:
            if trap := trap_reason(link.url, link.text, self.max_query):
                logger.debug("Trap (%s): %s", trap, link.url)
                self._count_once("trap_dropped", link.url)
                continue
            kind = link_kind(link.text)
            if kind == "lookalike":
                self._count_lookalike(link.url)
                continue
            if self._is_pager(link, response.url):
                pagers.append(link)
                continue
            archived_items += dedupe_key(link.url) in self._archived
            request = self._listing_link(response, source, link, kind, in_column, hops)
            if request is not None:
                new_items += request.meta["gr"]["kind"] in ("candidate", "item")
                yield request
        if in_column:
            self.list_walks.walked(response.url, source.name)
        if (in_column and archived_items and not new_items and self.incremental_lists
                and self.list_walks.may_cut_short(response.url)):
            # Lists run newest first: a page that shows only archived reports means the rest
            # of the list holds nothing new either — when the last walk of this list reached
            # its end (list_walks.py). The archived reports are rechecked directly.
            self.crawler.stats.inc_value("govreports/lists_cut_short")
        elif in_column:
            yield from self._follow_pagination(response, source, info, pagers, new_items)
        yield from self._follow_shell(response, source, info, links)

    def _listing_link(
        self, response: HtmlResponse, source: Source, link: Link, kind: str | None, in_column: bool, hops: int
    ) -> scrapy.Request | None:
        """The request for one link of a list page, or None when it is not worth fetching."""
        info = self._link_info(response, link)
        if kind == "report":
            return self._request(link.url, source, "candidate", info)
        if is_attachment(link.url, link.text):
            return self._request(link.url, source, "candidate", info) if in_column else None
        if kind == "column" or (is_report_column_url(link.url) and not is_article_url(link.url)):
            return self._request(link.url, source, "column", {**info, "column": True})
        if kind == "nav" or (is_disclosure_root(link.url) and len(normalize(link.text)) <= NAV_TEXT_MAX):
            return self._request(link.url, source, "page", info)
        if in_column and hops < _MAX_NEUTRAL_HOPS and not link.chrome and self._in_list(response.url, link.url):
            # "查看详情", "市发展改革委", "2024年": judged by the page's own title when fetched; a
            # list page below a report column is (part of) the column.
            return self._request(link.url, source, "item", {**info, "column": is_index_url(link.url), "hops": hops + 1})
        return None

    @staticmethod
    def _in_list(page_url: str, url: str) -> bool:
        """A neutral link that may belong to the column: an article, a page below the column,
        or another list page (a sub-column) — but not the column's parents or the home page."""
        page, target = urlsplit(page_url), urlsplit(url)
        if is_article_url(url):
            return True
        base = page.path if page.path.endswith("/") else dirname(page.path) + "/"
        target_dir = target.path if target.path.endswith("/") else dirname(target.path) + "/"
        if target_dir == "/" or base.startswith(target_dir):
            return False  # the home page, or a parent of this column (breadcrumbs)
        return target.path.startswith(base) or is_index_url(url)

    @staticmethod
    def _is_pager(link: Link, page_url: str) -> bool:
        """A pagination link: 下一页 / 尾页 / », or a page number that is this list's page N."""
        text = normalize(link.text)
        if PAGE_TEXT.match(text) and not text.isdigit():
            return True
        number = page_number(link.url)
        return number is not None and (text.isdigit() or list_key(link.url) == list_key(page_url))

    def _follow_pagination(
        self, response: HtmlResponse, source: Source, info: dict[str, Any], pagers: list[Link], new_items: int
    ) -> Iterator[scrapy.Request]:
        """The list's other pages, bounded by the page count the page states (script or 共N页)."""
        key = list_key(response.url)
        current = page_number(response.url) or 0
        scripts = "\n".join(response.xpath("//script/text()").getall())
        stated = script_pagination(scripts)
        last = stated[0] - 1 if stated else None  # TRS: index_1 … index_{count-1}
        text_total = TOTAL_PAGES_TEXT.search(" ".join(response.xpath("//body//text()").getall()[-400:]))
        if text_total:  # 共N页: ?page=1…N, or index_2 … index_N (政务云)
            last = max(last or 0, int(text_total.group(1)))
        if last is not None:
            self._list_last[key] = max(self._list_last.get(key, 0), last)
        last = self._list_last.get(key)
        urls = [link.url for link in pagers]
        if stated and is_index_url(response.url):
            _, prefix, suffix = stated
            base = response.urljoin("./")
            urls += [f"{base}{prefix}.{suffix}"] + [f"{base}{prefix}_{k}.{suffix}" for k in range(1, stated[0])]
        if current > 1 and not new_items and last is None:
            return  # an empty page of a pager with no stated end: the list is over
        depth = response.meta.get("depth", 0)
        for url in urls:
            number = page_number(url) or 0
            if last is not None and number > last:
                self._count_once("trap_dropped", url)  # beyond the stated last page
                continue
            if number > self.max_list_pages:
                self._count_once("trap_dropped", url)
                self.list_walks.broken(response.url, source.name)  # cut off: not walked to its end
                continue
            page_info = {k: v for k, v in info.items() if k in ("column", "hops", "link_text")}
            page_info.update(column=True, list_depth=depth, referer=response.url)
            request = self._request(url, source, "column", page_info, meta={"depth_reset": True})
            if request:
                yield request

    def _follow_shell(
        self, response: HtmlResponse, source: Source, info: dict[str, Any], links: list[Link]
    ) -> Iterator[scrapy.Request]:
        """A JS shell page (``location.replace('…')``) stands for its target: follow it as itself."""
        if len(links) > 2:
            return
        for script in response.xpath("//script/text()").getall():
            m = SHELL_TARGET.search(script)
            if m:
                url = response.urljoin(m.group(1))
                request = self._request(url, source, info.get("kind", "page"), {**info, "referer": response.url})
                if request:
                    yield request
                return

    def _link_info(self, response: Response, link: Link) -> dict[str, Any]:
        return {"link_text": link.text or None, "referer": response.url}

    # --- robots.txt and sitemaps ----------------------------------------------------------------
    def parse_robots(self, response: Response) -> Iterator[scrapy.Request]:
        """Sitemaps named in robots.txt, else the conventional /sitemap.xml."""
        source = self._by_name[response.meta["gr"]["source"]]
        urls: list[str] = []
        if response.status == 200:
            urls = list(sitemap_urls_from_robots(response.body, base_url=response.url))
        if not urls:
            urls = [response.urljoin("/sitemap.xml")]
        for url in urls:
            request = self._request(url, source, "sitemap", {})
            if request:
                yield request

    @releases_tree
    def parse_sitemap(self, response: Response) -> Iterator[Any]:
        """Column and article URLs from a sitemap (lxml, entities not resolved, no network)."""
        info = response.meta.get("gr", {})
        if response.status == 304 and "stored" in info:
            yield from self._from_capture(response, info, self._read_sitemap)
            return
        yield from self._read_sitemap(response, info)

    def _read_sitemap(self, response: Response, info: dict[str, Any]) -> Iterator[Any]:
        source = self._by_name[info["source"]]
        body = self._sitemap_body(response)
        if body is None:
            return
        sitemap = Sitemap(body)
        self.crawler.stats.inc_value("govreports/listings")
        yield self._document(response, "listing", info)
        for entry in sitemap:
            url = (entry.get("loc") or "").strip()
            if not url or trap_reason(url, "", self.max_query):
                continue
            if sitemap.type == "sitemapindex":
                request = self._request(url, source, "sitemap", {"referer": response.url})
            elif is_report_column_url(url) or is_disclosure_root(url):
                kind = "item" if is_article_url(url) else "column"
                request = self._request(url, source, kind, {"referer": response.url, "column": True})
            else:
                continue
            if request:
                yield request

    @staticmethod
    def _sitemap_body(response: Response) -> bytes | None:
        if response.status != 200 or not response.body:
            return None
        body = response.body
        if body[:2] == b"\x1f\x8b":
            try:
                body = gunzip(body, max_size=50 * 1024 * 1024)
            except OSError:
                return None
        return body if b"<urlset" in body[:2000] or b"<sitemapindex" in body[:2000] else None

    # --- a report page's table images ---------------------------------------------------------
    def _with_images(self, response: HtmlResponse, source: Source, item: DocumentItem) -> Iterator[Any]:
        """The report page's item — after its table images, when its text lacks a statistics
        table (page_images.py): they are fetched one after another, and the item goes to the
        pipeline with them once the last has answered (or failed)."""
        limit = self.settings.getint("GOVREPORTS_PAGE_IMAGES", MAX_IMAGES)
        urls = [u for u in table_images(response.selector, response.url, limit) if source.allows(u)] if limit > 0 else []
        if not urls:
            yield item
            return
        self.crawler.stats.inc_value("govreports/pages_with_table_images")
        yield self._image_request(item, urls, 0)

    def _image_request(self, item: DocumentItem, urls: list[str], index: int) -> scrapy.Request:
        return scrapy.Request(
            urls[index],
            callback=self._page_image,
            errback=self._page_image_failed,
            dont_filter=True,
            priority=_PRIORITY["attachment"],
            headers={"Referer": item.url},
            meta={
                "gr": {"source": item.source, "kind": "image", "referer": item.url},
                "download_maxsize": self.settings.getint("GOVREPORTS_PAGE_IMAGE_MAXSIZE", MAX_IMAGE_BYTES),
                "page_item": item,
                "page_images": (urls, index),
                "depth_reset": True,  # part of the page, not a hop: never cut by DEPTH_LIMIT
            },
        )

    def _page_image(self, response: Response) -> Iterator[Any]:
        item = response.meta["page_item"]
        maxsize = self.settings.getint("GOVREPORTS_PAGE_IMAGE_MAXSIZE", MAX_IMAGE_BYTES)
        if response.status == 200 and 0 < len(response.body) <= maxsize:
            headers = http_headers(response)
            content_type = headers.get("Content-Type") or headers.get("content-type")
            item.images.append(PageImage(response.url, content_type, response.body))
            self.crawler.stats.inc_value("govreports/table_images")
        yield from self._next_image(item, *response.meta["page_images"])

    def _page_image_failed(self, failure: Any) -> Iterator[Any]:
        """An image that cannot be fetched (refused, too large, gone): the page goes on without it.
        A retry put off for later (RetryLater) is no failure: the request comes back by itself."""
        if failure.check(RetryLater):
            return
        request = failure.request
        logger.info("Table image not fetched %s: %s", request.url, failure.getErrorMessage())
        self.crawler.stats.inc_value("govreports/table_images_failed")
        yield from self._next_image(request.meta["page_item"], *request.meta["page_images"])

    def _next_image(self, item: DocumentItem, urls: list[str], index: int) -> Iterator[Any]:
        if index + 1 < len(urls):
            yield self._image_request(item, urls, index + 1)
        else:
            yield item

    # --- items and errors ---------------------------------------------------------------------
    def _document(
        self,
        response: Response,
        role: str,
        info: dict[str, Any],
        *,
        not_modified: bool = False,
        extra: dict[str, str] | None = None,
    ) -> DocumentItem:
        redirects = response.meta.get("redirect_urls") or []
        referer = info.get("referer") or (response.request.headers.get("Referer") or b"").decode("latin-1") or None
        return DocumentItem(
            url=response.url,
            status=response.status,
            headers=http_headers(response),
            body=response.body,
            fetched_at=_now(),
            role=role,
            source=info.get("source"),
            link_text=info.get("link_text"),
            referer=referer,
            parent_url=info.get("parent_url"),
            parent_title=info.get("parent_title"),
            request_url=redirects[0] if redirects else None,
            not_modified=not_modified,
            extra={"depth": str(response.meta.get("depth", 0)), **(extra or {})},
        )

    def on_error(self, failure: Any) -> None:
        """A request that failed for good (after retries): log it; the crawl goes on, and the
        list it came from is not walked to its end (the next crawl walks it again). Requests
        dropped on purpose (robots.txt, off-site) and retries put off for later are not failures."""
        request = getattr(failure, "request", None)
        if failure.check(RetryLater) or (failure.check(IgnoreRequest) and not failure.check(HttpError)):
            return
        if failure.check(HttpError) and failure.value.response.status < 500 and failure.value.response.status not in (408, 429):
            logger.info("Refused %s: %s", request.url, failure.getErrorMessage())  # a 403 stays a 403
            return
        logger.info("Failed %s: %s", request.url if request else "?", failure.getErrorMessage())
        info = request.meta.get("gr", {}) if request else {}
        if info.get("kind") in ("column", "candidate", "item", "attachment", "page"):
            self.list_walks.broken(info.get("referer"), info.get("source"))
            if info.get("kind") == "column":
                self.list_walks.broken(request.url, info.get("source"))
