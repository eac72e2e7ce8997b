"""Parse workers contain a hostile document: a crash, a loop, a stuck worker or a memory hog costs
that one document (recorded unreadable, to be retried), never the others or the pool."""

import asyncio
import time

import pytest
from conftest import FILES
from hostile_reader import read

from archive.parse_pool import ParsePool

GOOD = (FILES / "html-official-haizhou-2024.html").read_bytes()


def _parse_all(pool: ParsePool, bodies: list[bytes]):
    async def run():
        try:
            return await asyncio.gather(*(pool.parse(b, f"http://127.0.0.1/{i}.html", "text/html", None)
                                          for i, b in enumerate(bodies)))
        finally:
            pool.close()

    return asyncio.run(run())


def test_a_worker_that_dies_costs_only_its_document():
    pool = ParsePool(2, time_budget=30, memory_mb=2048, target=read)
    results = _parse_all(pool, [GOOD, b"CRASH", GOOD, GOOD, b"CRASH too", GOOD])
    good = [r for i, r in enumerate(results) if i not in (1, 4)]
    assert all(r.record is not None and r.record["year"] == 2024 for r in good)
    for crashed in (results[1], results[4]):
        assert crashed.record is None and crashed.retry
        assert "died" in crashed.error
        assert crashed.body_gzip  # the capture is still kept
    assert pool.rebuilds >= 1


def test_time_budget_interrupts_a_reader_and_the_next_document_is_read():
    pool = ParsePool(1, time_budget=1.0, memory_mb=2048, target=read)
    started = time.monotonic()
    spin, good = _parse_all(pool, [b"SPIN", GOOD])
    assert spin.record is None and spin.retry and "time budget of 1 s exceeded" in spin.error
    assert good.record is not None
    assert time.monotonic() - started < 20


def test_a_stuck_worker_is_killed_after_budget_and_grace():
    pool = ParsePool(1, time_budget=0.5, memory_mb=2048, target=read, grace=4.0)
    started = time.monotonic()
    stuck, good = _parse_all(pool, [b"STUCK", GOOD])
    assert stuck.record is None and stuck.retry and "killed" in stuck.error
    assert good.record is not None
    assert time.monotonic() - started < 30


def test_memory_limit_stops_a_hog():
    pool = ParsePool(1, time_budget=30, memory_mb=1024, target=read)
    greedy, good = _parse_all(pool, [b"GREEDY", GOOD])
    assert greedy.record is None and greedy.retry and "MemoryError" in greedy.error
    assert good.record is not None


@pytest.mark.parametrize("body", [b"\x00garbage", b"%PDF-1.4\n1 0 obj<<>>\nstartxref\n0\n%%EOF"])
def test_unreadable_bytes_are_an_answer_not_an_exception(body):
    (result,) = _parse_all(ParsePool(1, target=read), [body])
    assert result.record is None and not result.retry and result.error


def test_workers_start_with_the_first_document_and_are_recycled():
    """No worker before a document needs one; after `recycle_after` documents fresh workers read
    the next ones (the old ones finish and exit), and every document is read."""
    pool = ParsePool(1, time_budget=30, memory_mb=2048, target=read, recycle_after=2)
    assert pool.pids() == set()

    async def run():
        seen = []
        try:
            for i in range(5):
                result = await pool.parse(GOOD, f"http://127.0.0.1/{i}.html", "text/html", None)
                assert result.record is not None and result.record["year"] == 2024
                seen.append(pool.pids())
        finally:
            pool.close()
        return seen

    seen = asyncio.run(run())
    assert seen[0] == seen[1] and seen[2] == seen[3]  # two documents per set of workers
    assert len({frozenset(s) for s in seen}) == 3 and pool.recycles == 2
