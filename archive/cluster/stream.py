"""The stream between the workers and the writer: Redis keys, entries and their encoding.

One entry per event of a job, in the job's order:

* ``run_start`` — a job began a source (its definition, the worker's host and PID);
* ``doc`` — one fetched document: its metadata, its raw bytes (gzip, as the archive keeps
  them) and, when the worker read it, the reading (a ParseResult without the bytes);
* ``gone`` — an archived URL answered 404/410;
* ``log`` — a batch of fetch-log rows;
* ``run_end`` — the job ended: how, its stats and its list walks.

Entries hold JSON and gzip only (never pickle: the writer does not run what a worker sends).
Documents are already bounded by the crawl (DOWNLOAD_MAXSIZE) and travel compressed; a writer
that falls behind makes workers wait (``GOVREPORTS_STREAM_MAX_ENTRIES``) rather than fill
Redis's memory.
"""

from __future__ import annotations

import json
import time
import zlib
from dataclasses import dataclass, field
from typing import Any

PREFIX = "govreports"
STREAM = f"{PREFIX}:stream"
GROUP = "writers"
WRITER_KEY = f"{PREFIX}:writer"  # the writer's heartbeat (hash, expires)


def state_key(source: str) -> str:
    return f"{PREFIX}:state:{source}"


def pages_key(source: str) -> str:
    """The source's replayable pages (capture id → packed body and headers): what a worker reads
    when a list page answers 304 (spiders/stored_pages.py), having no archive of its own."""
    return f"{PREFIX}:pages:{source}"


def queued_key(source: str) -> str:
    """The last job of a source whose run_end was queued: a next job waits until the writer's
    published state includes it (else it would crawl from an older state)."""
    return f"{PREFIX}:queued:{source}"


def lease_key(kind: str, name: str) -> str:
    return f"{PREFIX}:lease:{kind}:{name}"


class QueueError(RuntimeError):
    """The queue cannot be reached or holds something unexpected."""


def connect(url: str):
    """A Redis client for ``redis://HOST:PORT/DB`` (bytes in, bytes out), checked with a PING."""
    import redis

    try:
        client = redis.Redis.from_url(url, socket_timeout=60, socket_connect_timeout=10, health_check_interval=30)
        client.ping()
    except (redis.RedisError, ValueError) as exc:
        raise QueueError(f"cannot reach the queue at {url}: {exc}") from exc
    return client


def pack(value: Any) -> bytes:
    return zlib.compress(json.dumps(value, ensure_ascii=False, separators=(",", ":")).encode("utf-8"), 6)


def unpack(data: bytes | None) -> Any:
    return json.loads(zlib.decompress(data)) if data else None


@dataclass
class Entry:
    """One stream entry, decoded."""

    id: str
    kind: str
    job: str
    source: str
    meta: dict[str, Any]
    body_gzip: bytes | None = None
    parsed: dict[str, Any] | None = None
    images: list[bytes] = field(default_factory=list)  # a report page's table images (meta["images"] names them)

    @classmethod
    def decode(cls, entry_id: bytes | str, fields: dict[bytes, bytes]) -> Entry:
        text = entry_id.decode() if isinstance(entry_id, bytes) else entry_id
        try:
            return cls(
                text,
                fields[b"k"].decode(),
                fields.get(b"job", b"").decode(),
                fields.get(b"src", b"").decode(),
                unpack(fields.get(b"m")) or {},
                fields.get(b"b") or None,
                unpack(fields.get(b"p")),
                [fields[f"i{n}".encode()] for n in range(len(fields)) if f"i{n}".encode() in fields],
            )
        except (KeyError, ValueError, zlib.error, UnicodeDecodeError) as exc:
            raise QueueError(f"entry {text} cannot be decoded: {exc}") from exc


def encode(kind: str, job: str, source: str, meta: dict[str, Any], body_gzip: bytes | None = None,
           parsed: dict[str, Any] | None = None, images: list[bytes] | None = None) -> dict[str, bytes]:
    fields = {"k": kind.encode(), "job": job.encode(), "src": source.encode(), "m": pack(meta)}
    if body_gzip is not None:
        fields["b"] = body_gzip
    if parsed is not None:
        fields["p"] = pack(parsed)
    for n, image in enumerate(images or []):
        fields[f"i{n}"] = image
    return fields


def id_key(entry_id: str) -> tuple[int, int]:
    """Stream IDs ("ms-seq") in their order."""
    ms, _, seq = entry_id.partition("-")
    return int(ms), int(seq or 0)


class Producer:
    """Appends a job's entries to the stream; waits while the writer is too far behind."""

    def __init__(self, client, job: str, source: str, max_entries: int = 20_000, wait: float = 0.5):
        self.client = client
        self.job = job
        self.source = source
        self.max_entries = max_entries
        self.wait = wait
        self.sent = 0

    def room(self) -> bool:
        """Whether the stream has room for more (entries the writer has not yet taken out)."""
        return self.max_entries <= 0 or self.client.xlen(STREAM) < self.max_entries

    def add(self, kind: str, meta: dict[str, Any], body_gzip: bytes | None = None,
            parsed: dict[str, Any] | None = None, images: list[bytes] | None = None) -> str:
        entry_id = self.client.xadd(STREAM, encode(kind, self.job, self.source, meta, body_gzip, parsed, images))
        self.sent += 1
        return entry_id.decode() if isinstance(entry_id, bytes) else entry_id

    def end(self, meta: dict[str, Any]) -> None:
        """run_end, and note it as the source's last queued job, in one MULTI."""
        pipe = self.client.pipeline(transaction=True)
        pipe.xadd(STREAM, encode("run_end", self.job, self.source, meta))
        pipe.set(queued_key(self.source), self.job)
        pipe.execute()
        self.sent += 1

    def wait_for_room(self, timeout: float = 3600.0) -> None:
        """Blocking form of `room` (outside the reactor)."""
        deadline = time.monotonic() + timeout
        while not self.room() and time.monotonic() < deadline:
            time.sleep(self.wait)
