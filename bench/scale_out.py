"""Scale-out: N sample portals, politeness-bound, crawled by 1, 2 and 4 worker processes into one archive.

Each portal is its own host (port) and is crawled one request at a time with DOWNLOAD_DELAY
between requests, as a real portal is: one worker's crawl time is the sum of the portals'
delays, and more workers (machines) divide it. Workers are `govreports crawl --queue` processes
(one source at a time each, like a Scrapyd slot), the sources split among them; one writer
(`govreports ingest --follow`) stores everything. Printed: wall time of each (until the last
worker is done and the writer has drained the stream), the speed-up (goal ≥ 3× at 4 workers),
and — from a backlog the workers queued with the writer stopped — the writer's items/s and its
peak memory (RSS of the writer process).

    python bench/scale_out.py [--portals N] [--agencies A] [--delay SECONDS] [--workers 1,2,4]

Needs redis-server on PATH (started on a free loopback port, no persistence).
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

from _measure import ROOT, _tree_rss_kb
from cluster_portals import build_city_portal, sources_toml

from archive.demo.server import PortalServer

ENV = dict(os.environ, PYTHONPATH=str(ROOT))


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def cli(*args: str) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-m", "archive", *args], cwd=ROOT, env=ENV, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True)


def stream_depth(port: int, db: int) -> int:
    import redis

    return redis.Redis(port=port, db=db).xlen("govreports:stream")


def crawl(workers: int, names: list[str], sources: Path, queue: str, settings: list[str]) -> float:
    """Start the workers (sources dealt round-robin), wait for all; returns seconds."""
    started = time.monotonic()
    procs = []
    for w in range(workers):
        only = [a for name in names[w::workers] for a in ("--only", name)]
        procs.append(cli("crawl", "--sources", str(sources), "--queue", queue, *only, *settings))
    for proc in procs:
        _, err = proc.communicate()
        if proc.returncode != 0:
            raise SystemExit(f"worker failed:\n{err[-3000:]}")
    return time.monotonic() - started


def sample_peak(proc: subprocess.Popen, box: list[int], done: threading.Event) -> None:
    while not done.is_set():
        box[0] = max(box[0], _tree_rss_kb(proc.pid))
        time.sleep(0.05)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--portals", type=int, default=8)
    parser.add_argument("--delay", type=float, default=1.0, help="DOWNLOAD_DELAY per host (seconds)")
    parser.add_argument("--workers", default="1,2,4")
    parser.add_argument("--agencies", type=int, default=6, help="agencies per portal (each reports on 4 years)")
    args = parser.parse_args()
    if not shutil.which("redis-server"):
        raise SystemExit("redis-server is not on PATH")
    counts = [int(n) for n in args.workers.split(",")]
    settings = ["-s", f"DOWNLOAD_DELAY={args.delay}", "-s", "CONCURRENT_REQUESTS_PER_DOMAIN=1",
                "-s", "AUTOTHROTTLE_ENABLED=False", "-s", "GOVREPORTS_PARSE_WORKERS=1"]
    with tempfile.TemporaryDirectory() as tmp:
        tmp_path = Path(tmp)
        port = free_port()
        redis_proc = subprocess.Popen(["redis-server", "--port", str(port), "--bind", "127.0.0.1", "--save", "",
                                       "--appendonly", "no", "--dir", tmp], stdout=subprocess.DEVNULL)
        servers = []
        try:
            time.sleep(0.5)
            for i in range(args.portals):
                site, _ = build_city_portal(i, agencies=args.agencies, years=(2021, 2022, 2023, 2024))
                servers.append(PortalServer(site).start())
            sources = tmp_path / "sources.toml"
            sources.write_text(sources_toml(servers), encoding="utf-8")
            names = [f"city{i}" for i in range(args.portals)]
            pages = sum(len(s.site.pages) for s in servers)
            print(f"{args.portals} portals ({pages} pages), DOWNLOAD_DELAY={args.delay} s, one request at a time per host")
            walls = {}
            for n, workers in enumerate(counts):
                queue = f"redis://127.0.0.1:{port}/{n}"
                writer = cli("ingest", "--queue", queue, "--db", str(tmp_path / f"w{workers}.db"), "--follow")
                started = time.monotonic()
                crawl(workers, names, sources, queue, settings)
                while stream_depth(port, n) > 0:
                    time.sleep(0.1)
                walls[workers] = time.monotonic() - started
                writer.send_signal(signal.SIGTERM)
                _, err = writer.communicate()
                reports = re.search(r"reports: (\d+) new", err)
                print(f"  {workers} worker(s): {walls[workers]:.1f} s, {reports.group(1) if reports else '?'} new reports, "
                      f"speed-up {walls[counts[0]] / walls[workers]:.2f}×")
            # The writer alone, on a backlog: the workers queue with no writer running.
            n = len(counts)
            queue = f"redis://127.0.0.1:{port}/{n}"
            crawl(max(counts), names, sources, queue, settings)
            entries = stream_depth(port, n)
            writer = cli("ingest", "--queue", queue, "--db", str(tmp_path / "backlog.db"))
            peak, done = [0], threading.Event()
            sampler = threading.Thread(target=sample_peak, args=(writer, peak, done), daemon=True)
            sampler.start()
            _, err = writer.communicate()
            done.set()
            sampler.join()
            rate = re.search(r"entries written: (\d+) in \d+ batches, ([\d.]+) s", err)
            if writer.returncode != 0 or not rate:
                raise SystemExit(f"writer failed:\n{err[-3000:]}")
            written, seconds = int(rate.group(1)), float(rate.group(2))
            print(f"writer on a backlog of {entries} entries: {written} written in {seconds:.1f} s = "
                  f"{written / seconds:.0f} items/s, peak memory {peak[0] / 1024:.0f} MB")
            best = max(counts)
            print(f"speed-up at {best} workers: {walls[counts[0]] / walls[best]:.2f}× (goal ≥ 3×)")
        finally:
            for server in servers:
                server.stop()
            redis_proc.terminate()
            redis_proc.wait()


if __name__ == "__main__":
    main()
