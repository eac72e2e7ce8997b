"""Downloader middlewares: stay on the source's hosts, back off before retries, read GBK right.

Each is built in ``from_crawler`` and raises NotConfigured when its setting switches it off.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from scrapy import signals
from scrapy.downloadermiddlewares.retry import RetryMiddleware
from scrapy.exceptions import DontCloseSpider, IgnoreRequest, NotConfigured
from scrapy.http import HtmlResponse, TextResponse

from archive.parsing.detect import DocumentKind, sniff
from archive.parsing.encoding import decode
from archive.sources import host_key

if TYPE_CHECKING:
    from scrapy import Request
    from scrapy.crawler import Crawler
    from scrapy.http import Response

logger = logging.getLogger(__name__)


class HostAllowlistMiddleware:
    """Drop every request whose host:port is not one the spider's sources list.

    Scrapy's own OffsiteMiddleware admits sub-domains and only sees what the spider yields;
    this one checks exact hosts and sits in the downloader, so it also stops redirect targets
    (RedirectMiddleware's new requests come back through here) and robots.txt fetches for
    foreign hosts. The spider exposes ``allowed_hosts`` (a set of ``archive.sources.host_key``
    spellings); a spider without it is not restricted.
    """

    def __init__(self, crawler: Crawler):
        self.crawler = crawler
        self.stats = crawler.stats
        self._logged: set[str] = set()

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> HostAllowlistMiddleware:
        if not crawler.settings.getbool("GOVREPORTS_HOST_ALLOWLIST", True):
            raise NotConfigured
        return cls(crawler)

    def process_request(self, request: Request) -> None:
        allowed = getattr(self.crawler.spider, "allowed_hosts", None)
        if allowed is None:
            return
        key = host_key(request.url)
        if key in allowed:
            return
        self.stats.inc_value("govreports/offsite_dropped")
        if key not in self._logged:  # once per host, or a portal full of outbound links floods the log
            self._logged.add(key)
            logger.info("Dropped request to a host outside the sources: %s", request.url)
        raise IgnoreRequest(f"host {key} is not in the sources' hosts")


class RetryLater(IgnoreRequest):
    """This try failed and its retry is put off: the request comes back later by itself."""


class BackoffRetryMiddleware(RetryMiddleware):
    """RetryMiddleware that puts each retry off by RETRY_BACKOFF_BASE × 2^n seconds, capped.

    Scrapy retries at once; a portal that answers 503 under load answers 503 again a second
    later. Waiting inside the downloader would hold one of CONCURRENT_REQUESTS places for every
    sleeping retry (eight of them stall every host), so nothing waits there: the failed try ends
    as RetryLater (the spider ignores it), a timer hands the retry request back to the engine
    when its time comes, and the spider is kept open while retries are waiting.
    """

    def __init__(self, settings):
        super().__init__(settings)
        self.backoff_base = settings.getfloat("RETRY_BACKOFF_BASE", 2.0)
        self.backoff_max = settings.getfloat("RETRY_BACKOFF_MAX", 60.0)
        self.waiting: set[Request] = set()

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> BackoffRetryMiddleware:
        middleware = super().from_crawler(crawler)
        crawler.signals.connect(middleware.keep_open, signal=signals.spider_idle)
        return middleware

    def backoff_delay(self, retry_times: int) -> float:
        """Seconds to wait before try number `retry_times` + 1 (retry_times ≥ 1)."""
        return min(self.backoff_max, self.backoff_base * 2 ** max(0, retry_times - 1))

    def _retry(self, request: Request, reason) -> Request | None:
        retry = super()._retry(request, reason)
        if retry is None or self.backoff_base <= 0:
            return retry
        delay = self.backoff_delay(retry.meta["retry_times"])
        self.waiting.add(retry)
        from twisted.internet import reactor

        reactor.callLater(delay, self._resume, retry)
        raise RetryLater(f"retry {retry.meta['retry_times']} of {request.url} in {delay:g} s ({reason})")

    def _resume(self, retry: Request) -> None:
        self.waiting.discard(retry)
        engine = self.crawler.engine
        if engine is not None and engine.running:
            engine.crawl(retry)

    def keep_open(self) -> None:
        if self.waiting:
            raise DontCloseSpider("retries are waiting for their time")


class CharsetFixMiddleware:
    """Re-decide an HTML response's charset with archive.parsing.encoding.decode.

    Portals serve GBK with the charset in the header only, the meta only, neither, or wrong;
    Scrapy then falls back to cp1252 and every link text becomes mojibake. The archive's one
    charset decision is applied here so the spider reads what the parser will read.
    """

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> CharsetFixMiddleware:
        if not crawler.settings.getbool("GOVREPORTS_CHARSET_FIX", True):
            raise NotConfigured
        return cls()

    def process_response(self, request: Request, response: Response) -> Response:
        if not self._is_html(response):
            return response
        content_type = response.headers.get(b"Content-Type", b"").decode("latin-1")
        _, encoding = decode(response.body, content_type)
        if isinstance(response, HtmlResponse) and response.encoding == encoding:
            return response
        return response.replace(cls=HtmlResponse, encoding=encoding)

    @staticmethod
    def _is_html(response: Response) -> bool:
        """HTML by Scrapy's guess, or a text/binary response whose bytes are HTML."""
        if isinstance(response, HtmlResponse):
            return True
        if isinstance(response, TextResponse) and response.__class__ is not TextResponse:
            return False  # XmlResponse: sitemaps, feeds
        return bool(response.body) and sniff(response.body[:4096]) is DocumentKind.HTML \
            and not response.headers.get(b"Content-Disposition", b"").lower().startswith(b"attachment")


class FetchLogMiddleware:
    """Every request's outcome (url, status, bytes, time, error) into the archive's fetch_log.

    It sits next to the downloader, so it sees each attempt — the 500s that are retried, the
    redirects, the timeouts — not only the final answers. Rows are written in batches.
    """

    BATCH = 200

    def __init__(self, crawler: Crawler, db_path: str):
        self.crawler = crawler
        self.db_path = db_path
        self.own_archive = None
        self.rows: list[dict] = []
        crawler.signals.connect(self.flush, signal=signals.spider_closed)

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> FetchLogMiddleware:
        db_path = crawler.settings.get("GOVREPORTS_DB")
        if crawler.settings.get("GOVREPORTS_QUEUE"):
            return cls(crawler, None)  # a worker: rows go to the stream (crawler/stream_pipeline.py)
        if not db_path:
            raise NotConfigured("GOVREPORTS_DB is not set")
        return cls(crawler, db_path)

    def _log(self, request: Request, status: int | None, size: int, error: str | None) -> None:
        from archive.storage.db import now_iso

        latency = request.meta.get("download_latency")
        self.rows.append(
            {
                "run_id": getattr(self.crawler.spider, "govreports_run_id", None),
                "url": request.url,
                "status": status,
                "bytes": size,
                "elapsed_ms": int(latency * 1000) if latency is not None else None,
                "fetched_at": now_iso(),
                "error": error,
            }
        )
        if len(self.rows) >= self.BATCH:
            self.flush()

    def process_response(self, request: Request, response: Response) -> Response:
        self._log(request, response.status, len(response.body), None)
        return response

    def process_exception(self, request: Request, exception: Exception) -> None:
        self._log(request, None, 0, f"{exception.__class__.__name__}: {exception}"[:500])

    def flush(self, *args, **kwargs) -> None:
        """Through the pipeline's archive connection when there is one (same thread, no lock
        contention with its batched writes), else through a connection of its own."""
        rows, self.rows = self.rows, []
        if self.db_path is None:
            stream = getattr(self.crawler, "govreports_stream", None)
            if stream is not None and rows:
                stream.add("log", {"rows": rows})
            return
        archive = getattr(self.crawler, "govreports_archive", None)
        if archive is None or not archive.is_open:
            if self.own_archive is None:
                from archive.storage.db import Archive

                self.own_archive = Archive(self.db_path)
            archive = self.own_archive
        archive.log_fetches(rows)
