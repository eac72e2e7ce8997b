"""Item pipelines: thin adapters that hand fetched documents to archive/.

Parsing (trafilatura, lxml, PDFium) is CPU work: it runs in parse workers
(archive.parse_pool) so the reactor thread keeps fetching while both cores parse, and so a
hostile document costs one worker, never the crawl. Capture and storage stay on the reactor
thread, which owns the SQLite connection.
"""

from __future__ import annotations

import json
import logging
import os
import socket
import sys
import time

from scrapy import signals
from scrapy.exceptions import NotConfigured

from archive.ingest import (
    IngestResult,
    note_fetch,
    parse_in_worker,
    record_gone,
    settle_vanished,
    store_safely,
)
from archive.parse_pool import ParsePool, end_orphans, process_alive
from archive.storage.db import Archive
from crawler.items import DocumentItem, GoneItem

log = logging.getLogger(__name__)


def tell_spider(spider, *, stale, fresh, validators, replayable, load, unsettled, link_context, complete_lists) -> None:
    """What the archive knows that decides what to fetch — archived URLs by age, their
    validators, pages replayed from their capture on a 304 (spiders/stored_pages.py), documents
    whose reading never settled, how each was linked, and the lists walked to their end (none
    after a run that did not finish: then every list is walked again). The local pipeline reads
    it from the archive, a queue worker from the state the writer published."""
    for name, values in (("known_urls", stale), ("fresh_urls", fresh), ("unsettled_urls", unsettled)):
        if isinstance(getattr(spider, name, None), set):
            getattr(spider, name).update(values)
    for name, values in (("known_validators", validators), ("link_context", link_context)):
        if isinstance(getattr(spider, name, None), dict):
            getattr(spider, name).update(values)
    stored = getattr(spider, "stored_pages", None)
    if stored is not None:
        stored.validators.update(replayable)
        stored.load = load
    walks = getattr(spider, "list_walks", None)
    if walks is not None:
        walks.previously_complete.update(complete_lists)


class ArchivePipeline:
    """capture → parse (worker process) → store → version → alert, for every DocumentItem."""

    def __init__(self, crawler, db_path: str, workers: int, progress_interval: float):
        self.crawler = crawler
        self.stats = crawler.stats
        self.db_path = db_path
        self.workers = workers
        self.progress_interval = progress_interval
        self.archive: Archive | None = None
        self.pool: ParsePool | None = None
        self.run_id: int | None = None
        self.regions: dict[str, str] = {}
        self._last_progress = 0.0
        self.recheck_after_hours = crawler.settings.getfloat("GOVREPORTS_RECHECK_AFTER_HOURS", 20.0)
        self.commit_interval = crawler.settings.getfloat("GOVREPORTS_COMMIT_INTERVAL", 1.0)
        self.time_budget = crawler.settings.getfloat("GOVREPORTS_PARSE_TIME_BUDGET", 60.0)
        self.memory_mb = crawler.settings.getint("GOVREPORTS_PARSE_MEMORY_MB", 2048)
        self._last_commit = time.monotonic()

    @classmethod
    def from_crawler(cls, crawler):
        db_path = crawler.settings.get("GOVREPORTS_DB")
        if not db_path:
            raise NotConfigured("GOVREPORTS_DB is not set: no archive to write to")
        if crawler.settings.get("GOVREPORTS_QUEUE"):
            raise NotConfigured("GOVREPORTS_QUEUE is set: documents go to the queue (crawler/stream_pipeline.py)")
        pipeline = cls(
            crawler,
            db_path,
            crawler.settings.getint("GOVREPORTS_PARSE_WORKERS", 2),
            crawler.settings.getfloat("GOVREPORTS_PROGRESS_INTERVAL", 5.0),
        )
        crawler.signals.connect(pipeline.spider_closed, signal=signals.spider_closed)
        return pipeline

    def open_spider(self):
        spider = self.crawler.spider
        self.archive = Archive(self.db_path)
        self.crawler.govreports_archive = self.archive  # the fetch log writes through it too
        self.run_id, interrupted = self.archive.start_run(os.getpid(), socket.gethostname(), process_alive)
        spider.govreports_run_id = self.run_id
        for run in interrupted:
            ended = end_orphans(json.loads(run["worker_pids"] or "[]"))
            self.stats.inc_value("govreports/interrupted_runs")
            self.stats.inc_value("govreports/orphans_ended", len(ended))
            log.warning("run %s did not finish (marked interrupted)%s: every list is walked again",
                        run["id"], f"; ended {len(ended)} orphaned parse workers" if ended else "")
        self._tell_spider(spider)
        if self.workers > 0:
            self.pool = ParsePool(
                self.workers, self.time_budget, self.memory_mb,
                on_workers=lambda pids: self.archive.note_workers(self.run_id, pids),
                recycle_after=self.crawler.settings.getint("GOVREPORTS_PARSE_RECYCLE_AFTER", 500),
            )
        sources = getattr(spider, "sources_list", None) or []
        self.regions = {s.name: s.region for s in sources if getattr(s, "region", None)}
        self.archive.save_sources(
            [
                {"name": s.name, "agency": s.agency, "region": s.region, "start_urls": list(s.start_urls),
                 "hosts": list(s.hosts), "agencies": list(getattr(s, "agencies", None) or [])}
                for s in sources
            ]
        )
        self.archive.begin_batch()

    def _tell_spider(self, spider) -> None:
        stale, fresh = self.archive.known_urls_by_age(self.recheck_after_hours)
        finished = self.archive.last_run_finished(self.run_id)
        tell_spider(
            spider, stale=stale, fresh=fresh, validators=self.archive.validators(),
            replayable=self.archive.replayable_validators(), load=self.archive.capture_body,
            unsettled=self.archive.unsettled_urls(), link_context=self.archive.link_context(),
            complete_lists=self.archive.complete_lists() if finished else (),
        )

    def spider_closed(self, spider, reason):
        if self.pool:
            self.pool.close()
        if self.archive:
            walks = getattr(spider, "list_walks", None)
            if walks is not None:
                self.archive.save_list_walks(walks.results(finished=reason == "finished"), walks.sources, self.run_id)
            # reports this crawl could not fetch: removed after the second crawl in a row, unless they moved
            removed, vanished = settle_vanished(self.archive, self.run_id, finished=reason == "finished")
            self.stats.set_value("govreports/removed", removed)
            self.stats.set_value("govreports/vanished", vanished)
            self.archive.commit_batch(reopen=False)
            stats = {k: v for k, v in self.stats.get_stats().items() if isinstance(v, (int, float, str))}
            self.archive.finish_run(self.run_id, reason, stats)
            self.archive.close()

    async def process_item(self, item, spider=None):
        try:
            return await self._process(item)
        finally:
            self._commit_if_due()

    async def _process(self, item):
        if isinstance(item, GoneItem):
            result = record_gone(self.archive, item.url, item.status, item.fetched_at, run_id=self.run_id)
            self.stats.inc_value(f"govreports/{result.kind}")
            if result.moved_from and result.kind != "moved":
                self.stats.inc_value("govreports/moved")
            return item
        if not isinstance(item, DocumentItem):
            return item
        if item.not_modified:
            self.archive.touch_document(item.url, item.status, item.fetched_at)
            self.stats.inc_value("govreports/not_modified")
            return item
        step, fetch = note_fetch(
            self.archive, url=item.url, status=item.status, headers=item.headers, body=item.body,
            fetched_at=item.fetched_at, role=item.role, source=item.source, link_text=item.link_text,
            parent_url=item.parent_url, parent_title=item.parent_title, run_id=self.run_id,
            images=[(image.url, image.content_type, image.body) for image in item.images],
        )
        if step != "read":
            if step != "listing":
                self.stats.inc_value(f"govreports/{step}")
            return item
        content_type = item.headers.get("Content-Type") or item.headers.get("content-type")
        args = (item.body, item.url, content_type, item.parent_title, [image.body for image in item.images])
        parsed = await self.pool.parse(*args) if self.pool else parse_in_worker(*args)
        result = self._store(parsed, fetch, item)
        self.stats.inc_value(f"govreports/{result.kind}")
        if result.moved_from and result.kind != "moved":
            self.stats.inc_value("govreports/moved")
        if result.kind == "unreadable":
            log.warning("unreadable document %s: %s", item.url, result.reason)
        self._progress()
        return item

    def _store(self, parsed, fetch, item) -> IngestResult:
        return store_safely(
            self.archive, parsed, fetch, link_text=item.link_text, role=item.role, run_id=self.run_id,
            region=self.regions.get(item.source or ""),
        )

    def _commit_if_due(self) -> None:
        """Writes are held in one transaction and committed about once a second: a commit per
        document costs more than the document's writes (Datasette sees them a second later)."""
        now = time.monotonic()
        if now - self._last_commit >= self.commit_interval:
            self.archive.commit_batch()
            self._last_commit = now

    def _progress(self) -> None:
        now = time.monotonic()
        if now - self._last_progress < self.progress_interval:
            return
        self._last_progress = now
        s = self.stats.get_stats()
        print(
            f"  … {s.get('response_received_count', 0)} pages fetched, "
            f"{s.get('govreports/new', 0)} new reports, {s.get('govreports/revised', 0)} revised, "
            f"{s.get('downloader/exception_count', 0)} errors",
            file=sys.stderr,
            flush=True,
        )
