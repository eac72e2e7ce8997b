"""The worker side of a distributed crawl: documents go to the Redis stream, not to an archive.

On when ``GOVREPORTS_QUEUE`` names a Redis (``redis://HOST:PORT/DB``); then ArchivePipeline is
off. A job crawls one source. Before the first request the pipeline takes the source's and its
hosts' leases (archive/cluster/leases.py; a source another job holds is not crawled, a busy host
is waited for), reads the source's state the writer published (archive/cluster/state.py) and
tells the spider what a local pipeline would tell it. Each document is read here, in parse
workers (archive/parse_pool.py: the CPU work stays on the worker machines), and appended to the
stream with its raw bytes; the single writer (`govreports ingest`) stores it.
"""

from __future__ import annotations

import asyncio
import dataclasses
import gzip
import hashlib
import logging
import os
import socket
import uuid

from scrapy import signals
from scrapy.exceptions import NotConfigured

from archive.cluster.leases import LeaseHeld, Leases
from archive.cluster.state import load_page, state_info, wait_for_state
from archive.cluster.stream import Producer, connect
from archive.ingest import parse_in_worker
from archive.parse_pool import ParsePool
from archive.storage.db import now_iso, split_by_age
from crawler.items import DocumentItem, GoneItem
from crawler.pipelines import tell_spider

log = logging.getLogger(__name__)

# Parse pools kept across the crawls of one worker process (`govreports crawl --queue` crawls its
# sources one after another): spawning workers and importing the readers costs seconds a source.
_KEPT_POOLS: dict[tuple[int, float, int], ParsePool] = {}


def close_kept_pools() -> None:
    while _KEPT_POOLS:
        _KEPT_POOLS.popitem()[1].close()


class StreamPipeline:
    def __init__(self, crawler, queue: str):
        self.crawler = crawler
        self.stats = crawler.stats
        self.queue = queue
        s = crawler.settings
        self.workers = s.getint("GOVREPORTS_PARSE_WORKERS", 1)
        self.time_budget = s.getfloat("GOVREPORTS_PARSE_TIME_BUDGET", 60.0)
        self.memory_mb = s.getint("GOVREPORTS_PARSE_MEMORY_MB", 2048)
        self.recheck_after_hours = s.getfloat("GOVREPORTS_RECHECK_AFTER_HOURS", 20.0)
        self.lease_ttl = s.getfloat("GOVREPORTS_LEASE_TTL", 60.0)
        self.lease_wait = s.getfloat("GOVREPORTS_LEASE_WAIT", 3600.0)
        self.state_wait = s.getfloat("GOVREPORTS_STATE_WAIT", 300.0)
        self.max_entries = s.getint("GOVREPORTS_STREAM_MAX_ENTRIES", 20_000)
        self.job = s.get("GOVREPORTS_JOB")
        self.keep_pool = s.getbool("GOVREPORTS_KEEP_PARSE_POOL", False)
        self.client = None
        self.producer: Producer | None = None
        self.leases: Leases | None = None
        self.pool: ParsePool | None = None
        self.raw_hashes: dict[str, str] = {}
        self.refused: str | None = None

    @classmethod
    def from_crawler(cls, crawler):
        queue = crawler.settings.get("GOVREPORTS_QUEUE")
        if not queue:
            raise NotConfigured("GOVREPORTS_QUEUE is not set: the crawl writes its own archive")
        pipeline = cls(crawler, queue)
        crawler.signals.connect(pipeline.spider_closed, signal=signals.spider_closed)
        return pipeline

    def open_spider(self, spider=None):
        spider = self.crawler.spider
        sources = list(getattr(spider, "sources_list", None) or [])
        if len(sources) != 1:
            raise ValueError(f"a queue job crawls one source, this one has {len(sources)}: give one (-a source=JSON)")
        source = sources[0]
        self.job = getattr(spider, "_job", None) or self.job or uuid.uuid4().hex
        self.client = connect(self.queue)
        token = f"{self.job}@{socket.gethostname()}:{os.getpid()}"
        self.leases = Leases(self.client, source.name, source.hosts, token, self.lease_ttl)
        try:
            self.leases.acquire(wait=self.lease_wait, on_wait=lambda key, holder: log.info(
                "waiting for %s (held by %s)", key, holder))
        except LeaseHeld as exc:
            self.refused = str(exc)
            self.leases = None
            log.warning("source %s not crawled: %s", source.name, exc)
            self.stats.set_value("govreports/lease_held", 1)
            spider.sources.clear()  # nothing to start from: the spider ends at once
            return
        self.producer = Producer(self.client, self.job, source.name, self.max_entries)
        self.crawler.govreports_stream = self.producer  # the fetch log goes through it too
        state, current = wait_for_state(self.client, source.name, self.state_wait)
        if not current:
            log.warning("the writer has not committed the previous job of %s yet: crawling from an older state",
                        source.name)
        log.info("state of %s: %s", source.name, state_info(state))
        self._tell_spider(spider, state)
        if self.workers > 0:
            key = (self.workers, self.time_budget, self.memory_mb)
            self.pool = _KEPT_POOLS.get(key) or ParsePool(*key)
            if self.keep_pool:
                _KEPT_POOLS[key] = self.pool
        self.producer.add("run_start", {
            "source_def": {"name": source.name, "agency": source.agency, "region": source.region,
                           "start_urls": list(source.start_urls), "hosts": list(source.hosts),
                           "agencies": list(getattr(source, "agencies", None) or [])},
            "host": socket.gethostname(), "pid": os.getpid(), "started_at": now_iso(),
        })

    def _tell_spider(self, spider, state) -> None:
        stale, fresh = split_by_age(state.known, self.recheck_after_hours)
        client, source = self.client, state.source
        tell_spider(
            spider, stale=stale, fresh=fresh, validators=state.validators, replayable=state.replayable,
            load=lambda capture_id: load_page(client, source, capture_id),  # replayed from Redis
            unsettled=state.unsettled, link_context=state.link_context,
            complete_lists=state.complete_lists if state.previous_finished else (),
        )
        if not state.previous_finished:
            self.stats.inc_value("govreports/interrupted_runs")
        self.raw_hashes = state.raw_hashes

    def spider_closed(self, spider, reason):
        if self.pool and not self.keep_pool:
            self.pool.close()
        if self.producer is None:
            return
        walks = getattr(spider, "list_walks", None)
        results = walks.results(finished=reason == "finished") if walks is not None else {}
        stats = {k: v for k, v in self.stats.get_stats().items() if isinstance(v, (int, float, str))}
        self.producer.end({"reason": reason, "stats": stats, "list_walks": results,
                           "list_sources": dict(walks.sources) if walks is not None else {},
                           "finished_at": now_iso()})
        if self.leases:
            self.leases.release()

    async def process_item(self, item, spider=None):
        if self.producer is None:
            return item
        if self.leases is not None and self.leases.lost.is_set() and not self.stats.get_value("govreports/lease_lost"):
            # Another job may hold the source now (this one stalled past the TTL): stop, and say why.
            log.error("the lease on %s was lost: the crawl stops", self.producer.source)
            self.stats.set_value("govreports/lease_lost", 1)
            self._closing = asyncio.ensure_future(self.crawler.engine.close_spider_async(reason="lease_lost"))
            return item  # (not awaited here: closing waits for the items under way, this one too)
        while not self.producer.room():  # the writer is behind: wait, do not fill Redis
            self.stats.inc_value("govreports/stream_waits")
            await asyncio.sleep(self.producer.wait)
        if isinstance(item, GoneItem):
            self.producer.add("gone", {"url": item.url, "status": item.status, "fetched_at": item.fetched_at})
            self.stats.inc_value("govreports/gone_sent")
        elif isinstance(item, DocumentItem):
            await self._document(item)
        return item

    async def _document(self, item: DocumentItem) -> None:
        meta = {
            "url": item.url, "status": item.status, "headers": item.headers, "fetched_at": item.fetched_at,
            "role": item.role, "link_text": item.link_text, "parent_url": item.parent_url,
            "parent_title": item.parent_title,
            "images": [{"url": image.url, "content_type": image.content_type} for image in item.images],
        }
        images = [image.body for image in item.images]
        if item.not_modified:
            self.producer.add("doc", {**meta, "not_modified": True})
            self.stats.inc_value("govreports/not_modified")
            return
        if item.role == "listing" or self.raw_hashes.get(item.url) == hashlib.sha256(item.body).hexdigest():
            # A list page is never read as a report; bytes read before need no second reading.
            self.producer.add("doc", meta, gzip.compress(item.body, compresslevel=6), images=images)
            self.stats.inc_value("govreports/sent_unread")
            return
        content_type = item.headers.get("Content-Type") or item.headers.get("content-type")
        args = (item.body, item.url, content_type, item.parent_title, images)
        parsed = await self.pool.parse(*args) if self.pool else parse_in_worker(*args)
        reading = {k: v for k, v in dataclasses.asdict(parsed).items() if k != "body_gzip"}
        body_gzip = parsed.body_gzip or gzip.compress(item.body, compresslevel=6)
        self.producer.add("doc", meta, body_gzip, reading, images)
        self.stats.inc_value("govreports/sent_read")
        if parsed.record is None:
            self.stats.inc_value("govreports/unreadable")
