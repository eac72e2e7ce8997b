"""Re-read stored captures with the current reader: the archive outlives any version of it.

Each report's current record is read again from the capture it came from, on all cores (the
same parse workers as a crawl). What the newer reader reads differently is a re-reading, not a
revision: stored in place with a row per changed key in `rereadings`, never alerted. Running
it twice with the same reader changes nothing. A crawl holding the archive's lock stops it.
"""

from __future__ import annotations

import asyncio
import gzip
import time
from collections.abc import Callable
from dataclasses import dataclass

from .ingest import is_report
from .parse_pool import ParsePool
from .parsing import identity as ident
from .parsing.ocr import time_budget as ocr_time_budget
from .storage.db import Archive, now_iso, stable_id
from .storage.versions import identity_of, note_found, store_record, store_rereading


@dataclass
class ReparseSummary:
    reports: int = 0
    others: int = 0  # documents not read as reports before (not one, or unreadable)
    records_changed: int = 0
    cells_changed: int = 0
    checks_newly_passing: int = 0
    checks_newly_failing: int = 0
    unreadable: int = 0  # read before, unreadable now: kept as it was
    found: int = 0  # documents not read as reports before, read as reports now
    seconds: float = 0.0

    def lines(self) -> list[str]:
        rate = (self.reports + self.others) / self.seconds if self.seconds else 0.0
        return [
            f"reports re-read: {self.reports} (and {self.others} other documents) in {self.seconds:.1f} s "
            f"({rate:.1f} docs/s)",
            f"records changed: {self.records_changed}, cells changed: {self.cells_changed}, checks newly passing: "
            f"{self.checks_newly_passing}, newly failing: {self.checks_newly_failing}",
        ] + ([f"no longer readable (kept as they were): {self.unreadable}"] if self.unreadable else []) + (
            [f"documents now read as reports: {self.found}"] if self.found else [])


def reparse(
    archive: Archive,
    targets: list[dict],
    *,
    workers: int = 1,
    progress: Callable[[int], None] | None = None,
) -> ReparseSummary:
    """Re-read these captures (Archive.reread_targets, unread_report_candidates); `progress(n)`
    after each batch of n."""
    started = time.monotonic()
    reports = sum("report_id" in t for t in targets)
    summary = ReparseSummary(reports=reports, others=len(targets) - reports)
    # as in a crawl (GOVREPORTS_PARSE_TIME_BUDGET): twice the reader's own OCR budget, so a scan
    # stops at its OCR budget with the pages it read rather than being killed
    pool = ParsePool(workers, time_budget=2 * ocr_time_budget())
    batch_size = max(4, workers * 4)

    async def run() -> None:
        for start in range(0, len(targets), batch_size):
            batch = targets[start:start + batch_size]
            results = await asyncio.gather(*(
                pool.parse(gzip.decompress(t["body_gzip"]), t["url"], t["content_type"], t["parent_title"],
                           archive.capture_images(t["capture_id"]))
                for t in batch
            ))
            with archive.transaction():
                for target, parsed in zip(batch, results):
                    _store(archive, target, parsed, summary)
            if progress:
                progress(len(batch))

    try:
        asyncio.run(run())
    finally:
        pool.close()
    summary.seconds = time.monotonic() - started
    return summary


def _store(archive: Archive, target: dict, parsed, summary: ReparseSummary) -> None:
    if "report_id" not in target:
        _store_found(archive, target, parsed, summary)
        return
    if parsed.record is None or not is_report(parsed.record, parsed.text, target["link_text"], target["role"] or
                                              "candidate", parsed.known_numbers)[0]:
        summary.unreadable += 1  # a reader that reads less is not a reason to lose a record
        return
    old_checks = archive.check_results(target["report_id"])
    changes = store_rereading(
        archive, target["report_id"], parsed.record, body_text=parsed.text, fingerprint=parsed.fingerprint,
        search=parsed.search, at=now_iso(),
    )
    if changes is None:
        return
    summary.records_changed += 1
    summary.cells_changed += sum(c["kind"] == "number" for c in changes)
    for check in parsed.record.get("checks", []):
        before = old_checks.get(check["rule"])
        if check["passed"] and before is False:
            summary.checks_newly_passing += 1
        elif not check["passed"] and before is not False:
            summary.checks_newly_failing += 1



def _store_found(archive: Archive, target: dict, parsed, summary: ReparseSummary) -> None:
    """A page or file that an older reader did not read as a report: if the current one does,
    and no report of that agency and year is archived yet, it becomes one (version 1 of its
    capture) — found by re-reading, so recorded in `rereadings` and not alerted."""
    record = parsed.record
    if record is None or not is_report(record, parsed.text, target["link_text"], target["role"],
                                       parsed.known_numbers)[0]:
        return
    record["url"] = target["url"]
    if archive.report_row(stable_id(identity_of(record))) is not None:
        return  # another copy of a report the archive has: the crawl's alternate rule decides those
    outcome = store_record(
        archive, record, body_text=parsed.text, document_id=target["document_id"],
        capture=lambda: target["capture_id"], captured_at=target["fetched_at"],
        region=ident.region_of(record.get("agency")), fingerprint=parsed.fingerprint, search=parsed.search,
    )
    archive.set_outcome(target["document_id"], "new")
    note_found(archive, outcome.report_id, record, old_outcome=target["outcome"], at=now_iso())
    summary.found += 1
