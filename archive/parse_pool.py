"""Parse workers that one hostile document cannot take down with it.

Reading documents is CPU work done in worker processes (spawned, not forked: a forked child
would inherit the reactor's threads and sockets). Each worker runs under a memory limit
(RLIMIT_AS) and each document under a time budget: SIGALRM in the worker interrupts Python
code; a worker stuck in C code past budget + grace is killed by the parent. A worker that dies
— killed, out of memory, a crash in a C extension — breaks a ProcessPoolExecutor for every
document in it (BrokenProcessPool): the pool is rebuilt, and the documents it held are read
again one at a time in a quarantine worker, so only the document that kills a worker there is
recorded unreadable. Whatever happens, `parse` answers with a ParseResult and never raises.

Memory: workers start with the first document (a crawl that only meets 304s starts none), and
are recycled after `recycle_after` documents — a reader's caches and a heap fragmented by big
PDFs go with the old worker, which finishes what it holds and exits.
"""

from __future__ import annotations

import asyncio
import contextlib
import importlib
import logging
import multiprocessing
import os
import signal
import sys
from collections.abc import Callable, Iterable
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from typing import Any

from .ingest import ParseResult, ResourceLimit, parse_in_worker, unreadable

log = logging.getLogger(__name__)

GRACE_SECONDS = 10.0  # beyond the budget, before the parent kills a worker stuck in C code
RECYCLE_AFTER = 500  # documents a pool of workers reads before fresh workers take over (0: never)
# Imported when a worker starts, so a document's time budget is spent reading, not importing.
READER_MODULES = ("archive.parsing.html", "archive.parsing.pdf", "archive.parsing.docx", "archive.parsing.text")


class _WorkerLost(Exception):
    """The worker reading a document died or was killed."""


class ParsePool:
    """`await pool.parse(body, url, content_type, parent_title)` → ParseResult, in workers."""

    def __init__(
        self,
        workers: int,
        time_budget: float = 60.0,
        memory_mb: int = 2048,
        target: Callable[..., ParseResult] = parse_in_worker,
        on_workers: Callable[[set[int]], None] | None = None,
        grace: float = GRACE_SECONDS,
        recycle_after: int = RECYCLE_AFTER,
    ):
        self.workers = max(1, workers)
        self.time_budget = time_budget
        self.memory_mb = memory_mb
        self.grace = grace
        self.target = target
        self.on_workers = on_workers  # told the worker PIDs whenever they change (for orphan cleanup)
        self.rebuilds = 0
        self.recycle_after = recycle_after
        self.recycles = 0
        self._served = 0  # documents given to the current pool
        self._pool: ProcessPoolExecutor | None = None
        self._slots = asyncio.Semaphore(self.workers)  # a submitted document starts at once: its clock is fair
        self._quarantine = asyncio.Lock()
        self._pids: set[int] = set()

    async def parse(self, body: bytes, *args: Any) -> ParseResult:
        async with self._slots:
            pool = self._main_pool()
            try:
                return await self._run(pool, body, args)
            except _WorkerLost as exc:
                self._replace(pool)
                first = str(exc)
        # Read it again alone: if it was another document that broke the pool, this one is fine.
        async with self._quarantine:
            alone = self._new_pool(1)
            try:
                return await self._run(alone, body, args)
            except _WorkerLost as exc:
                log.warning("parse worker lost twice on one document (%s; %s): recorded unreadable", first, exc)
                return unreadable(body, f"the parse worker {exc}", retry=True)
            finally:
                _kill(alone)

    def pids(self) -> set[int]:
        return set(self._pids)

    def close(self) -> None:
        if self._pool is not None:
            self._pool.shutdown(wait=True, cancel_futures=True)
            self._pool = None

    # --- internals ----------------------------------------------------------------------
    async def _run(self, pool: ProcessPoolExecutor, body: bytes, args: tuple[Any, ...]) -> ParseResult:
        try:
            future = pool.submit(_read_within_budget, self.time_budget, self.target, body, *args)
        except (BrokenProcessPool, RuntimeError) as exc:  # broken already, or shut down by a rebuild
            raise _WorkerLost(f"was not available ({type(exc).__name__})") from exc
        self._note_workers(pool)
        try:
            # The clock starts at submit, so the grace also covers a new worker's start-up.
            return await asyncio.wait_for(asyncio.wrap_future(future), self.time_budget + self.grace)
        except asyncio.TimeoutError:
            _kill(pool)
            raise _WorkerLost(f"did not come back within {self.time_budget + self.grace:g} s and was killed") from None
        except BrokenProcessPool as exc:
            raise _WorkerLost("died while reading") from exc
        except Exception as exc:  # raised past the reader's own edge (e.g. the budget's alarm)
            return unreadable(body, f"{type(exc).__name__}: {exc}"[:500], retry=isinstance(exc, (ResourceLimit, MemoryError)))

    def _main_pool(self) -> ProcessPoolExecutor:
        if self._pool is not None and self.recycle_after and self._served >= self.recycle_after:
            # (Not ProcessPoolExecutor's max_tasks_per_child: on Python 3.11 it can hang when a
            # worker retires with documents queued.) The old pool finishes what it holds, then its
            # workers exit; the next document starts fresh ones.
            self._pool.shutdown(wait=False)
            self._pool = None
            self.recycles += 1
        if self._pool is None:
            self._pool = self._new_pool(self.workers)
            self._served = 0
        self._served += 1
        return self._pool

    def _replace(self, broken: ProcessPoolExecutor) -> None:
        """Rebuild the pool once per break, however many documents report it."""
        if self._pool is broken:
            _kill(broken)
            self._pool = None
            self.rebuilds += 1

    def _new_pool(self, workers: int) -> ProcessPoolExecutor:
        return ProcessPoolExecutor(
            max_workers=workers,
            mp_context=multiprocessing.get_context("spawn"),
            initializer=_start_worker,
            initargs=(self.memory_mb, os.getpid()),
        )

    def _note_workers(self, pool: ProcessPoolExecutor) -> None:
        pids = set((getattr(pool, "_processes", None) or {}).keys())
        if pool is self._pool and pids and pids != self._pids:
            self._pids = pids
            if self.on_workers:
                self.on_workers(pids)


def _kill(pool: ProcessPoolExecutor) -> None:
    """End a pool's workers now (ProcessPoolExecutor only waits for them; Python 3.14 adds kill_workers)."""
    for process in list((getattr(pool, "_processes", None) or {}).values()):
        with contextlib.suppress(Exception):
            process.kill()
    with contextlib.suppress(Exception):
        pool.shutdown(wait=False, cancel_futures=True)


def _start_worker(memory_mb: int, parent: int) -> None:
    """In each worker: a memory limit, and death with the parent (no orphans after kill -9)."""
    if memory_mb > 0:
        import resource

        limit = memory_mb * 1024 * 1024
        _, hard = resource.getrlimit(resource.RLIMIT_AS)
        if hard == resource.RLIM_INFINITY or hard > limit:
            resource.setrlimit(resource.RLIMIT_AS, (limit, hard))
    if sys.platform.startswith("linux"):
        import ctypes

        PR_SET_PDEATHSIG = 1
        with contextlib.suppress(Exception):
            ctypes.CDLL(None, use_errno=True).prctl(PR_SET_PDEATHSIG, signal.SIGKILL)
    if os.getppid() != parent:  # the parent died before the line above took effect
        os._exit(1)
    for module in READER_MODULES:
        importlib.import_module(module)


def _read_within_budget(budget: float, target: Callable[..., ParseResult], *args: Any) -> ParseResult:
    """Run `target` with an alarm at `budget` seconds that raises ResourceLimit inside it. A
    library may catch that and answer "unreadable" in its own words: the answer then still
    says the budget ran out, so the document is tried again."""
    message = f"time budget of {budget:g} s exceeded: the document was not read"
    rang = False

    def alarm(signum, frame):
        nonlocal rang
        rang = True
        raise ResourceLimit(message)

    previous = signal.signal(signal.SIGALRM, alarm)
    signal.setitimer(signal.ITIMER_REAL, budget)
    try:
        result = target(*args)
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)
    if rang and result.record is None:
        result.error, result.retry = f"ResourceLimit: {message}", True
    return result


def end_orphans(pids: Iterable[int]) -> list[int]:
    """Kill parse workers left behind by a run that died (Linux: found by their command line;
    elsewhere, and for PIDs now used by other programs, nothing is done). Returns those ended."""
    ended = []
    for pid in pids:
        try:
            with open(f"/proc/{pid}/cmdline", "rb") as handle:
                cmdline = handle.read()
        except OSError:
            continue
        if b"multiprocessing" not in cmdline or b"spawn_main" not in cmdline:
            continue
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.kill(pid, signal.SIGKILL)
            ended.append(pid)
    return ended


def process_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True
