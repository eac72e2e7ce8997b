"""Leases in Redis: a source is crawled by one job at a time, a host fetched by one job at a time.

A job takes its source's lease and the lease of every host the source may fetch from, all or
none, in one Lua script (no two jobs can each hold half and wait for each other). Each lease
expires (``GOVREPORTS_LEASE_TTL``) unless its holder renews it, which a thread does every third
of that time while the job lives: a job killed with -9 frees its source and hosts one TTL later.
One job per host keeps the politeness limits of the crawl settings (requests at a time and delay
per host) true cluster-wide when two sources share a host.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Iterable

from .stream import lease_key

log = logging.getLogger(__name__)

_ACQUIRE = """
for i, key in ipairs(KEYS) do
  local holder = redis.call('GET', key)
  if holder and holder ~= ARGV[1] then return i end
end
for i, key in ipairs(KEYS) do redis.call('SET', key, ARGV[1], 'PX', ARGV[2]) end
return 0
"""
_RENEW = """
local lost = 0
for i, key in ipairs(KEYS) do
  if redis.call('GET', key) == ARGV[1] then redis.call('PEXPIRE', key, ARGV[2]) else lost = lost + 1 end
end
return lost
"""
_RELEASE = """
local freed = 0
for i, key in ipairs(KEYS) do
  if redis.call('GET', key) == ARGV[1] then redis.call('DEL', key); freed = freed + 1 end
end
return freed
"""


class LeaseHeld(RuntimeError):
    """Another job holds the source, or one of its hosts."""


def lease_keys(source: str, hosts: Iterable[str]) -> list[str]:
    return [lease_key("source", source)] + [lease_key("host", h) for h in sorted(set(hosts))]


class Leases:
    """The leases of one job on one source and its hosts."""

    def __init__(self, client, source: str, hosts: Iterable[str], token: str, ttl: float = 60.0):
        self.client = client
        self.source = source
        self.keys = lease_keys(source, hosts)
        self.token = token
        self.ttl_ms = max(1000, int(ttl * 1000))
        self.lost = threading.Event()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def holder(self, key: str) -> str | None:
        value = self.client.get(key)
        return value.decode() if value else None

    def try_acquire(self) -> str | None:
        """Take every lease, or none: None when taken, else the key some other job holds."""
        blocked = int(self.client.eval(_ACQUIRE, len(self.keys), *self.keys, self.token, self.ttl_ms))
        return None if blocked == 0 else self.keys[blocked - 1]

    def acquire(self, wait: float = 0.0, poll: float = 1.0, on_wait: Callable[[str, str | None], None] | None = None) -> None:
        """Take the leases, waiting up to `wait` seconds for a busy host (a busy *source* is
        another job doing this job's work: LeaseHeld at once)."""
        deadline = time.monotonic() + wait
        told = False
        while True:
            blocked = self.try_acquire()
            if blocked is None:
                self._start_renewing()
                return
            holder = self.holder(blocked)
            if blocked == self.keys[0] or time.monotonic() >= deadline:
                raise LeaseHeld(f"{blocked} is held by {holder or 'a job that just ended'}")
            if on_wait and not told:
                on_wait(blocked, holder)
                told = True
            time.sleep(poll)

    def renew(self) -> bool:
        lost = int(self.client.eval(_RENEW, len(self.keys), *self.keys, self.token, self.ttl_ms))
        if lost:
            self.lost.set()
        return not lost

    def release(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=5)
        try:
            self.client.eval(_RELEASE, len(self.keys), *self.keys, self.token)
        except Exception:  # expiry frees them anyway
            log.warning("could not release leases %s (they expire by themselves)", self.keys, exc_info=True)

    def _start_renewing(self) -> None:
        def renew_loop() -> None:
            while not self._stop.wait(self.ttl_ms / 3000):
                try:
                    if not self.renew():
                        log.error("lease lost (held past its TTL without renewal?): %s", self.keys)
                        return
                except Exception:
                    log.warning("lease renewal failed; retrying", exc_info=True)

        self._thread = threading.Thread(target=renew_loop, name=f"lease-{self.source}", daemon=True)
        self._thread.start()


def held_leases(client) -> dict[str, str]:
    """Every lease now held: key → holder (for `govreports status`)."""
    out = {}
    for key in client.scan_iter(match=lease_key("*", "*"), count=500):
        value = client.get(key)
        if value:
            out[key.decode()] = value.decode()
    return out
