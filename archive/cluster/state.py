"""What a worker must know of the archive to crawl a source incrementally, published by the writer.

A local crawl asks its archive which URLs are archived (and when each was last checked), their
ETag / Last-Modified, which documents never settled, how each was linked, and which lists were
walked to their end. A worker has no archive: the writer publishes the same answers per source
to Redis (`govreports:state:NAME`, compressed JSON) after each job of that source is committed,
and a worker reads them before it starts. The state names the last job it includes; a job that
starts while the writer has not yet committed its predecessor waits for it (up to
``GOVREPORTS_STATE_WAIT`` seconds), so a recrawl sends the same conditional requests as a local
one would.
"""

from __future__ import annotations

import base64
import time
import zlib
from dataclasses import asdict, dataclass, field
from typing import Any

from ..storage.db import Archive, now_iso
from .stream import pack, pages_key, queued_key, state_key, unpack


@dataclass
class SourceState:
    source: str
    job: str | None = None  # the last job of the source the writer has committed (its run_end)
    previous_finished: bool = True  # the source's last run ended normally (else: walk every list)
    known: dict[str, str | None] = field(default_factory=dict)  # archived report URL → last checked
    validators: dict[str, dict[str, str]] = field(default_factory=dict)
    unsettled: list[str] = field(default_factory=list)
    link_context: dict[str, dict[str, str]] = field(default_factory=dict)
    complete_lists: list[str] = field(default_factory=list)
    raw_hashes: dict[str, str] = field(default_factory=dict)
    replayable: dict[str, dict[str, Any]] = field(default_factory=dict)  # list pages: validators + capture id
    published_at: str | None = None


def build_state(archive: Archive, source: str, job: str | None) -> SourceState:
    """The source's state, read with the same queries the local pipeline uses."""
    return SourceState(
        source=source,
        job=job,
        previous_finished=archive.source_last_run_finished(source),
        known=archive.known_last_seen(source),
        validators=archive.validators(source),
        unsettled=archive.unsettled_urls(source),
        link_context=archive.link_context(source),
        complete_lists=sorted(archive.complete_lists(source)),
        raw_hashes=archive.raw_hashes(source),
        replayable=archive.replayable_validators(source),
        published_at=now_iso(),
    )


def publish(client, state: SourceState, archive: Archive | None = None) -> None:
    """The state, and (given the archive) the captures of its replayable pages that Redis does
    not hold yet — each once, keyed by capture id, so a recrawl replays an unchanged list page
    from Redis as a local crawl replays it from the archive."""
    if archive is not None and state.replayable:
        key = pages_key(state.source)
        held = {int(k) for k in client.hkeys(key)}
        wanted = {v["capture_id"] for v in state.replayable.values()}
        for capture_id in sorted(wanted - held):
            stored = archive.capture_body(capture_id)
            if stored is not None:
                body, headers = stored
                client.hset(key, str(capture_id), pack({"body": base64.b64encode(body).decode(), "headers": headers}))
        stale = held - wanted
        if stale:
            client.hdel(key, *[str(c) for c in stale])
    client.set(state_key(state.source), pack(asdict(state)))


def load_page(client, source: str, capture_id: int) -> tuple[bytes, dict[str, str]] | None:
    """A replayable page's body and headers from Redis (None when it is not there)."""
    data = client.hget(pages_key(source), str(capture_id))
    if not data:
        return None
    try:
        page = unpack(data)
        return base64.b64decode(page["body"]), page.get("headers") or {}
    except (zlib.error, ValueError, KeyError, TypeError):
        return None


def read_state(client, source: str) -> SourceState | None:
    data = unpack(client.get(state_key(source)))
    if not isinstance(data, dict):
        return None
    fields = SourceState.__dataclass_fields__
    return SourceState(**{k: v for k, v in data.items() if k in fields})


def wait_for_state(client, source: str, timeout: float, poll: float = 0.5) -> tuple[SourceState, bool]:
    """The source's state once it includes the source's last queued job (or after `timeout`):
    (state, whether it is up to date). A source never crawled has an empty state."""
    deadline = time.monotonic() + timeout
    while True:
        queued = client.get(queued_key(source))
        queued = queued.decode() if queued else None
        state = read_state(client, source) or SourceState(source)
        if queued is None or state.job == queued:
            return state, True
        if time.monotonic() >= deadline:
            return state, False
        time.sleep(poll)


def state_info(state: SourceState) -> dict[str, Any]:
    """A one-line summary for logs."""
    return {"known": len(state.known), "validators": len(state.validators), "unsettled": len(state.unsettled),
            "complete_lists": len(state.complete_lists), "job": state.job}
