"""Run the reports spider in this process: the `govreports crawl` and `demo` commands use it,
under the archive's lock (archive.storage.lock), so two scheduled crawls never interleave."""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from scrapy.crawler import CrawlerProcess
from scrapy.settings import Settings


@dataclass
class CrawlSummary:
    stats: dict[str, Any] = field(default_factory=dict)
    seconds: float = 0.0

    def get(self, key: str) -> int:
        value = self.stats.get(key, 0)
        return value if isinstance(value, int) else 0

    @property
    def pages(self) -> int:
        return self.get("response_received_count")

    @property
    def errors(self) -> int:
        return self.get("downloader/exception_count") + self.get("govreports/unreadable")

    def lines(self) -> list[str]:
        g = self.get
        caught_up = (
            [f"an earlier run did not finish (marked interrupted; {g('govreports/orphans_ended')} orphaned workers "
             f"ended): every list was walked again, {g('govreports/unsettled_retried')} unsettled documents retried"]
            if g("govreports/interrupted_runs") else []
        )
        return caught_up + [
            f"pages fetched: {self.pages} in {self.seconds:.1f} s "
            f"({g('govreports/not_modified')} not modified, {g('downloader/response_status_count/404')} not found, "
            f"{g('govreports/fresh_skipped')} reports checked recently and skipped)",
            f"reports: {g('govreports/new')} new, {g('govreports/revised')} revised, "
            f"{g('govreports/text_revised')} text revised, {g('govreports/unchanged') + g('govreports/unchanged_bytes')} "
            f"unchanged, {g('govreports/moved')} moved, {g('govreports/removed')} removed"
            + (f", {g('govreports/vanished')} not found (removed if the next crawl cannot fetch them either)"
               if g("govreports/vanished") else ""),
            f"documents that are not reports: {g('govreports/not_report')}; look-alikes skipped: "
            f"{g('govreports/lookalikes')}; unreadable: {g('govreports/unreadable')}",
            f"errors: {g('downloader/exception_count')} download errors, "
            f"{g('retry/count')} retries, {g('govreports/offsite_dropped')} off-site links dropped",
        ]


def project_settings(db: str | Path, overrides: dict[str, str] | None = None) -> Settings:
    settings = Settings()
    settings.setmodule("crawler.settings", priority="project")
    settings.set("GOVREPORTS_DB", str(db), priority="cmdline")
    for name, value in (overrides or {}).items():
        settings.set(name, value, priority="cmdline")
    return settings


def run_crawl(
    db: str | Path,
    start_urls: list[str] | None = None,
    sources_file: str | None = None,
    overrides: dict[str, str] | None = None,
) -> CrawlSummary:
    """Crawl into the archive and return the crawl's stats (blocks until the crawl ends).
    The caller holds `archive.storage.lock.archive_lock(db)`."""
    from spiders.reports import ReportsSpider

    process = CrawlerProcess(project_settings(db, overrides))
    kwargs: dict[str, Any] = {}
    if start_urls:
        kwargs["start_urls"] = ",".join(start_urls)
    if sources_file:
        kwargs["sources"] = str(sources_file)
    crawler = process.create_crawler(ReportsSpider)
    started = time.monotonic()
    process.crawl(crawler, **kwargs)
    process.start()
    return CrawlSummary(dict(crawler.stats.get_stats()), time.monotonic() - started)
