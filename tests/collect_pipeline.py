"""A test-only item pipeline: every item as one JSON line, and the crawl's stats at the end.

Crawl tests run the real spider in a subprocess with
``-s ITEM_PIPELINES='{"collect_pipeline.CollectPipeline": 1}' -s COLLECT_PATH=items.jsonl``
and read back what it yielded; the stats land in ``<COLLECT_PATH>.stats.json``.
"""

from __future__ import annotations

import json
from dataclasses import asdict, is_dataclass
from pathlib import Path

from scrapy.exceptions import NotConfigured


class CollectPipeline:
    """Append {url, role, link_text, status, parent_url, body_length, …} per item to COLLECT_PATH."""

    def __init__(self, path: Path, stats):
        self.path = path
        self.stats = stats

    @classmethod
    def from_crawler(cls, crawler):
        path = crawler.settings.get("COLLECT_PATH")
        if not path:
            raise NotConfigured("COLLECT_PATH is not set")
        return cls(Path(path), crawler.stats)

    def process_item(self, item):
        data = asdict(item) if is_dataclass(item) else dict(item)
        record = {
            "type": type(item).__name__,
            "url": data.get("url"),
            "role": data.get("role"),
            "link_text": data.get("link_text"),
            "status": data.get("status"),
            "parent_url": data.get("parent_url"),
            "parent_title": data.get("parent_title"),
            "source": data.get("source"),
            "referer": data.get("referer"),
            "request_url": data.get("request_url"),
            "body_length": len(data.get("body") or b""),
            "content_type": (data.get("headers") or {}).get("Content-Type"),
            "fetched_at": data.get("fetched_at"),
        }
        with self.path.open("a", encoding="utf-8") as out:
            out.write(json.dumps(record, ensure_ascii=False) + "\n")
        return item

    def close_spider(self):
        stats = {k: v for k, v in self.stats.get_stats().items() if isinstance(v, (int, float, str))}
        Path(f"{self.path}.stats.json").write_text(json.dumps(stats, ensure_ascii=False, indent=1), encoding="utf-8")
