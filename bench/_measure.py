"""Shared by the crawl benchmarks: run a command, time it, sample the memory of its process tree."""

from __future__ import annotations

import os
import re
import subprocess
import sys
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests"))


def _tree_rss_kb(pid: int) -> int:
    """Resident memory of a process and all its descendants (crawler + parse workers), summed:
    psutil when installed, else /proc (Linux)."""
    try:
        import psutil
    except ImportError:
        return _proc_tree_rss_kb(pid)
    try:
        root = psutil.Process(pid)
        processes = [root, *root.children(recursive=True)]
    except psutil.Error:
        return 0
    total = 0
    for process in processes:
        try:
            total += process.memory_info().rss // 1024
        except psutil.Error:
            continue
    return total


def _proc_tree_rss_kb(pid: int) -> int:
    total, stack = 0, [pid]
    while stack:
        p = stack.pop()
        try:
            with open(f"/proc/{p}/status") as fh:
                for line in fh:
                    if line.startswith("VmRSS:"):
                        total += int(line.split()[1])
            for task in os.listdir(f"/proc/{p}/task"):
                with open(f"/proc/{p}/task/{task}/children") as fh:
                    stack.extend(int(c) for c in fh.read().split())
        except (FileNotFoundError, ProcessLookupError, PermissionError):
            continue
    return total


def _tree_size(pid: int) -> int:
    """How many processes the tree has (the crawler, its parse workers, their helper)."""
    count, stack = 0, [pid]
    while stack:
        p = stack.pop()
        try:
            for task in os.listdir(f"/proc/{p}/task"):
                with open(f"/proc/{p}/task/{task}/children") as fh:
                    stack.extend(int(c) for c in fh.read().split())
        except OSError:
            continue
        count += 1
    return count


def run(cmd: list[str]) -> dict:
    """Run a crawl command: wall time, peak tree RSS (MB), and the Scrapy stats it logged."""
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    started = time.monotonic()
    proc = subprocess.Popen(cmd, cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    peak = peak_processes = 0
    done = threading.Event()

    def sample():
        nonlocal peak, peak_processes
        while not done.is_set():
            rss = _tree_rss_kb(proc.pid)
            if rss > peak:
                peak, peak_processes = rss, _tree_size(proc.pid)
            time.sleep(0.05)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    out, err = proc.communicate()
    done.set()
    sampler.join()
    wall = time.monotonic() - started
    if proc.returncode != 0:
        raise SystemExit(f"{cmd[:4]} failed ({proc.returncode}):\n{err[-3000:]}")
    pages = int(re.search(r"'response_received_count': (\d+)", err).group(1))
    elapsed = float(re.search(r"'elapsed_time_seconds': ([\d.]+)", err).group(1))
    return {"wall_s": wall, "crawl_s": elapsed, "pages": pages, "pages_per_s": pages / elapsed, "peak_mb": peak / 1024,
            "peak_processes": peak_processes,
            "stderr": err}


FAST = ["-s", "DOWNLOAD_DELAY=0", "-s", "AUTOTHROTTLE_ENABLED=False", "-s", "RETRY_BACKOFF_BASE=0.01",
        "-s", "LOG_LEVEL=INFO", "-s", "CONCURRENT_REQUESTS_PER_DOMAIN=8", "-s", "GOVREPORTS_PROGRESS_INTERVAL=3600"]


def full_crawl(base_url: str, db: Path, *extra: str) -> dict:
    return run([sys.executable, "-m", "archive", "crawl", base_url + "/", "--db", str(db), *FAST, *extra])


def bare_crawl(base_url: str) -> dict:
    """The same spider following the same links, with no pipeline and no fetch log."""
    return run([sys.executable, "-m", "scrapy", "crawl", "reports", "-a", f"start_urls={base_url}/",
                "-s", "ITEM_PIPELINES={}", "-s", "GOVREPORTS_DB=", *FAST])
