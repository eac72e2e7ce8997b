"""`govreports crawl --queue URL`: crawl sources one after another as queue jobs, in this process.

Each source is one job (its own leases, run and state, as a Scrapyd job would be); one process
crawls them in turn, so N such processes are N crawl slots, like a Scrapyd node's max_proc.
"""

from __future__ import annotations

import logging
import time
import uuid
from typing import Any

from scrapy.crawler import CrawlerProcess
from scrapy.settings import Settings

from archive.sources import Source, source_to_json
from crawler.run import CrawlSummary

log = logging.getLogger(__name__)


def worker_settings(queue: str, overrides: dict[str, str] | None = None) -> Settings:
    settings = Settings()
    settings.setmodule("crawler.settings", priority="project")
    settings.set("GOVREPORTS_QUEUE", queue, priority="cmdline")
    settings.set("GOVREPORTS_KEEP_PARSE_POOL", True, priority="cmdline")  # one pool for every source in turn
    for name, value in (overrides or {}).items():
        settings.set(name, value, priority="cmdline")
    return settings


def run_worker(sources: list[Source], queue: str, overrides: dict[str, str] | None = None,
               on_done: Any = None) -> list[tuple[str, CrawlSummary | None, str | None]]:
    """Crawl each source as one queue job; returns (source, summary or None, error or None)."""
    from twisted.internet import defer

    from spiders.reports import ReportsSpider

    process = CrawlerProcess(worker_settings(queue, overrides))
    results: list[tuple[str, CrawlSummary | None, str | None]] = []

    @defer.inlineCallbacks
    def crawl_all():
        for source in sources:
            crawler = process.create_crawler(ReportsSpider)
            started = time.monotonic()
            error = None
            try:
                yield process.crawl(crawler, source=source_to_json(source), _job=f"{source.name}-{uuid.uuid4().hex[:10]}")
            except Exception as exc:  # one source's failure does not stop the others
                log.exception("crawl of %s failed", source.name)
                error = f"{type(exc).__name__}: {exc}"
            summary = CrawlSummary(dict(crawler.stats.get_stats() if crawler.stats else {}), time.monotonic() - started)
            results.append((source.name, summary, error))
            if on_done:
                on_done(source.name, summary, error)

    def stop(_):
        from twisted.internet import reactor

        if reactor.running:
            reactor.stop()

    crawl_all().addBoth(stop)
    try:
        process.start(stop_after_crawl=False)
    finally:
        from crawler.stream_pipeline import close_kept_pools

        close_kept_pools()
    return results
