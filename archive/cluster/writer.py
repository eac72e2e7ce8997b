"""The archive's single writer: the stream's entries into SQLite, once each, whatever happens.

`govreports ingest --queue URL --db FILE [--follow]` reads the stream through the consumer
group ``writers`` and stores every entry with the local crawl's own storage steps
(archive/ingest.py: note the fetch, store the reading — versions, changes, alerts). A batch of
entries is one SQLite transaction that also records the last entry's ID (`stream_positions`);
entries are acknowledged (and deleted from the stream) only after that commit. Killed at any
moment, the writer loses nothing (unacknowledged entries are delivered again: first its own
pending ones, then any other consumer's) and duplicates nothing (an entry at or below the
committed position is acknowledged without being applied again). Entries are applied in stream
order, so the committed entries are always exactly those up to the position.

An entry that cannot be applied is kept in `stream_rejects` with the reason, never dropped.
After a job's last entry (run_end) is committed, the writer publishes its source's state
(state.py) for the next job.
"""

from __future__ import annotations

import gzip
import logging
import os
import socket
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from ..ingest import ParseResult, note_fetch, record_gone, settle_vanished, store_safely
from ..storage.db import Archive, now_iso
from .state import build_state, publish, read_state
from .stream import GROUP, STREAM, WRITER_KEY, Entry, QueueError, id_key, queued_key

log = logging.getLogger(__name__)

_PARSED_FIELDS = set(ParseResult.__dataclass_fields__) - {"body_gzip"}


@dataclass
class WriterSummary:
    entries: int = 0  # applied
    redelivered: int = 0  # delivered again after a crash, already committed: skipped
    rejected: int = 0
    batches: int = 0
    seconds: float = 0.0
    outcomes: Counter = field(default_factory=Counter)

    def lines(self) -> list[str]:
        o = self.outcomes
        rate = self.entries / self.seconds if self.seconds else 0.0
        return [
            f"entries written: {self.entries} in {self.batches} batches, {self.seconds:.1f} s ({rate:.0f}/s); "
            f"{self.redelivered} delivered again and skipped, {self.rejected} rejected (table stream_rejects)",
            f"reports: {o['new']} new, {o['revised']} revised, {o['text_revised']} text revised, "
            f"{o['unchanged'] + o['unchanged_bytes']} unchanged, {o['removed']} removed; "
            f"{o['not_modified']} not modified; jobs: {o['run_start']} started, {o['run_end']} ended",
        ]


class Writer:
    def __init__(self, archive: Archive, client, consumer: str = "writer", batch: int = 100, block_ms: int = 1000,
                 progress: Callable[[str], None] | None = None, progress_interval: float = 5.0):
        self.archive = archive
        self.client = client
        self.consumer = consumer
        self.batch = batch
        self.block_ms = block_ms
        self.progress = progress
        self.progress_interval = progress_interval
        self.summary = WriterSummary()
        self._runs: dict[str, int] = {}
        self._regions: dict[str, str] = {
            row["name"]: row["region"] for row in archive.db["sources"].rows if row.get("region")
        }
        self._last_progress = time.monotonic()

    # --- the loop -------------------------------------------------------------------------
    def run(self, follow: bool = False, stop: Callable[[], bool] | None = None) -> WriterSummary:
        """Apply entries until the stream is drained (or, with `follow`, until `stop()`)."""
        started = time.monotonic()
        self._ensure_group()
        self._claim_others()
        self._publish_missing_states()
        pending = True  # first what this consumer was given before and never acknowledged
        while not (stop and stop()):
            if pending:
                entries = self._read("0", block=None)
                if not entries:
                    pending = False
                    continue
            else:
                entries = self._read(">", block=self.block_ms if follow else 100)
                if not entries:
                    self._heartbeat()
                    if not follow:
                        break
                    continue
            self._apply_batch(entries)
            self._heartbeat()
            self._tell_progress()
        self.summary.seconds = time.monotonic() - started
        return self.summary

    def _ensure_group(self) -> None:
        import redis

        try:
            self.client.xgroup_create(STREAM, GROUP, id="0", mkstream=True)
        except redis.ResponseError as exc:
            if "BUSYGROUP" not in str(exc):
                raise QueueError(f"cannot create the consumer group: {exc}") from exc

    def _claim_others(self) -> None:
        """Entries another consumer name was given and never acknowledged become ours (there is
        one writer: another name is an earlier writer, renamed or on another machine)."""
        cursor = "0-0"
        while True:
            reply = self.client.xautoclaim(STREAM, GROUP, self.consumer, min_idle_time=0, start_id=cursor, count=50)
            cursor = reply[0].decode() if isinstance(reply[0], bytes) else reply[0]
            if cursor in ("0-0", "0"):
                return

    def _read(self, start: str, block: int | None) -> list[Entry]:
        reply = self.client.xreadgroup(GROUP, self.consumer, {STREAM: start}, count=self.batch, block=block)
        entries = []
        for _stream, items in reply or []:
            for entry_id, fields in items:
                if not fields:  # deleted while pending: nothing to apply, acknowledge it
                    self._acknowledge([entry_id.decode()])
                    continue
                try:
                    entries.append(Entry.decode(entry_id, fields))
                except QueueError as exc:
                    entries.append(Entry(entry_id.decode(), "undecodable", "", "", {"error": str(exc)}))
        return entries

    # --- one batch: one transaction, then acknowledge ---------------------------------------
    def _apply_batch(self, entries: list[Entry]) -> None:
        entries.sort(key=lambda e: id_key(e.id))
        position = self.archive.stream_position(STREAM)
        done = id_key(position) if position else (-1, -1)
        ended: dict[str, str] = {}
        self.archive.begin_batch()
        try:
            for entry in entries:
                if id_key(entry.id) <= done:
                    self.summary.redelivered += 1
                    continue
                try:
                    with self.archive.savepoint():
                        self._apply(entry)
                except Exception as exc:
                    log.exception("stream entry %s (%s of %s) could not be applied", entry.id, entry.kind, entry.job)
                    self._reject(entry, f"{type(exc).__name__}: {exc}")
                if entry.kind == "run_end":
                    ended[entry.source] = entry.job
                self.summary.entries += 1
                done = id_key(entry.id)
                self.archive.set_stream_position(STREAM, entry.id)
            self.archive.commit_batch(reopen=False)
        except BaseException:
            if self.archive.db.conn.in_transaction:
                self.archive.db.conn.execute("ROLLBACK")
            raise
        self._acknowledge([e.id for e in entries])
        self.summary.batches += 1
        for source, job in ended.items():
            publish(self.client, build_state(self.archive, source, job), self.archive)

    def _acknowledge(self, ids: list[str]) -> None:
        pipe = self.client.pipeline(transaction=True)
        pipe.xack(STREAM, GROUP, *ids)
        pipe.xdel(STREAM, *ids)
        pipe.execute()

    def _reject(self, entry: Entry, error: str) -> None:
        import json

        self.summary.rejected += 1
        self.archive.reject_entry({
            "entry_id": entry.id, "kind": entry.kind, "job": entry.job, "source": entry.source, "error": error[:2000],
            "meta": json.dumps(entry.meta, ensure_ascii=False, default=str)[:20000], "rejected_at": now_iso(),
        })

    # --- applying one entry ---------------------------------------------------------------------
    def _apply(self, entry: Entry) -> None:
        handler = getattr(self, f"_on_{entry.kind}", None)
        if handler is None:
            raise QueueError(f"unknown entry kind {entry.kind!r}: {entry.meta.get('error', '')}")
        handler(entry)
        self.summary.outcomes[entry.kind] += 1

    def _run_id(self, entry: Entry) -> int:
        run_id = self._runs.get(entry.job)
        if run_id is None:
            run_id = self.archive.job_run_id(entry.job) or self.archive.start_job_run(
                entry.job, entry.source, None, None, now_iso()
            )
            self._runs[entry.job] = run_id
        return run_id

    def _on_run_start(self, entry: Entry) -> None:
        m = entry.meta
        definition = m.get("source_def") or {}
        if definition:
            self.archive.upsert_source_row(definition)
            if definition.get("region"):
                self._regions[entry.source] = definition["region"]
        self._runs[entry.job] = self.archive.start_job_run(
            entry.job, entry.source, m.get("pid"), m.get("host"), m.get("started_at") or now_iso()
        )

    def _on_run_end(self, entry: Entry) -> None:
        m = entry.meta
        run_id = self._run_id(entry)
        walks = m.get("list_walks") or {}
        if walks:
            self.archive.save_list_walks(walks, m.get("list_sources") or {}, run_id)
        # reports this job could not fetch: removed after the second crawl in a row, unless they moved
        settle_vanished(self.archive, run_id, finished=(m.get("reason") or "finished") == "finished")
        self.archive.finish_job_run(run_id, m.get("reason") or "finished", m.get("stats") or {},
                                    m.get("finished_at") or now_iso())

    def _on_log(self, entry: Entry) -> None:
        run_id = self._run_id(entry)
        self.archive.add_fetch_log_rows([{**row, "run_id": run_id} for row in entry.meta.get("rows", [])])

    def _on_gone(self, entry: Entry) -> None:
        m = entry.meta
        result = record_gone(self.archive, m["url"], m["status"], m["fetched_at"], run_id=self._run_id(entry))
        self.summary.outcomes[result.kind] += 1

    def _on_doc(self, entry: Entry) -> None:
        m = entry.meta
        run_id = self._run_id(entry)
        if m.get("not_modified"):
            self.archive.touch_document(m["url"], m["status"], m["fetched_at"])
            self.summary.outcomes["not_modified"] += 1
            return
        body = gzip.decompress(entry.body_gzip) if entry.body_gzip else b""
        step, fetch = note_fetch(
            self.archive, url=m["url"], status=m["status"], headers=m.get("headers") or {}, body=body,
            fetched_at=m["fetched_at"], role=m.get("role") or "candidate", source=entry.source or None,
            link_text=m.get("link_text"), parent_url=m.get("parent_url"), parent_title=m.get("parent_title"),
            run_id=run_id, body_gzip=entry.body_gzip,
            images=[(i.get("url"), i.get("content_type"), body)
                    for i, body in zip(m.get("images") or [], entry.images)] or None,
        )
        if step != "read":
            self.summary.outcomes[step] += 1
            return
        if entry.parsed is None:
            # The worker skipped reading bytes it took for already read; the archive says they are
            # not (its state was older): keep them, unsettled, so the next crawl reads them again.
            self.archive.add_capture(fetch, run_id)
            self.archive.settle(fetch, "unreadable", "not read by its worker (stale state)", retry=True)
            self.summary.outcomes["unsettled"] += 1
            return
        parsed = ParseResult(**{k: v for k, v in entry.parsed.items() if k in _PARSED_FIELDS},
                             body_gzip=entry.body_gzip)
        result = store_safely(self.archive, parsed, fetch, link_text=m.get("link_text"),
                              role=m.get("role") or "candidate", run_id=run_id,
                              region=self._regions.get(entry.source))
        self.summary.outcomes[result.kind] += 1

    # --- around the loop ----------------------------------------------------------------------
    def _publish_missing_states(self) -> None:
        """Sources the archive knows whose state Redis lacks (a new Redis, or an archive first
        crawled locally) get one, so their next job is incremental too."""
        for source in self.archive.source_names():
            if read_state(self.client, source) is not None:
                continue
            queued = self.client.get(queued_key(source))
            job = queued.decode() if queued else None
            publish(self.client, build_state(self.archive, source, job if job and self.archive.job_run_id(job) else None),
                    self.archive)

    def _heartbeat(self) -> None:
        try:
            self.client.hset(WRITER_KEY, mapping={
                "consumer": self.consumer, "host": socket.gethostname(), "pid": os.getpid(), "at": time.time(),
                "entries": self.summary.entries, "db": str(self.archive.path),
            })
            self.client.expire(WRITER_KEY, 120)
        except Exception:  # the heartbeat is for `status`; writing goes on without it
            log.debug("heartbeat failed", exc_info=True)

    def _tell_progress(self) -> None:
        now = time.monotonic()
        if self.progress and now - self._last_progress >= self.progress_interval:
            self._last_progress = now
            o = self.summary.outcomes
            self.progress(f"  … {self.summary.entries} entries written ({o['doc']} documents, {o['new']} new reports, "
                          f"{o['run_end']} jobs ended)")


def ingest(archive: Archive, client, follow: bool = False, batch: int = 100, consumer: str = "writer",
           progress: Callable[[str], None] | None = None, stop: Callable[[], bool] | None = None) -> WriterSummary:
    return Writer(archive, client, consumer=consumer, batch=batch, progress=progress).run(follow=follow, stop=stop)


def entry_fields(entry: Entry) -> dict[str, Any]:
    """For debugging: an entry as a plain dict, without its bytes."""
    return {"id": entry.id, "kind": entry.kind, "job": entry.job, "source": entry.source, "meta": entry.meta}
