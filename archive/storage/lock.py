"""One writer at a time: a lock file beside the archive, held by a crawl or an import.

A second run says who holds it and leaves, instead of interleaving its writes with the first.
"""

from __future__ import annotations

import fcntl
import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path


class ArchiveLocked(RuntimeError):
    """Another process holds the archive's lock."""


@contextmanager
def archive_lock(db: str | Path) -> Iterator[None]:
    """Hold `DB.lock` (flock) while writing; its content is the holder's PID, which a refused
    second run names."""
    path = Path(f"{db}.lock")
    with open(path, "a+") as handle:  # not "w": that would erase the holder's PID before we knew
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError as exc:
            handle.seek(0)
            holder = handle.read().strip() or "unknown"
            raise ArchiveLocked(f"another crawl (PID {holder}) is writing to {db} (lock {path} is held)") from exc
        handle.seek(0)
        handle.truncate()
        handle.write(str(os.getpid()))
        handle.flush()
        try:
            yield
        finally:
            handle.seek(0)
            handle.truncate()
            handle.flush()
            fcntl.flock(handle, fcntl.LOCK_UN)
