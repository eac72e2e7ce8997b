"""Helpers for crawl tests: the sample portal on 127.0.0.1 and the CLI run as a subprocess."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from contextlib import contextmanager
from pathlib import Path

from archive.demo.server import PortalServer
from archive.demo.site import build_foreign_site, build_site

ROOT = Path(__file__).resolve().parent.parent
FAST = [
    "-s", "DOWNLOAD_DELAY=0", "-s", "AUTOTHROTTLE_ENABLED=False", "-s", "RETRY_BACKOFF_BASE=0.01",
    "-s", "GOVREPORTS_RECHECK_AFTER_HOURS=0",  # tests recrawl at once: recheck every report
]


@contextmanager
def portal(state: int = 1, extra_reports: int = 0):
    """(portal server, foreign server): the foreign one answers under the name localhost."""
    with PortalServer(build_foreign_site()) as foreign:
        site = build_site(state=state, extra_reports=extra_reports, foreign_base=foreign.localhost_url)
        with PortalServer(site) as server:
            yield server, foreign


def govreports(*args: str, timeout: int = 300) -> subprocess.CompletedProcess:
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    return subprocess.run(
        [sys.executable, "-m", "archive", *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=timeout
    )


def crawl(server: PortalServer, db: Path, *extra: str) -> subprocess.CompletedProcess:
    return govreports("crawl", server.base_url + "/", "--db", str(db), *FAST, *extra)


def export(db: Path) -> list[dict]:
    result = govreports("export", "--db", str(db))
    assert result.returncode == 0, result.stderr
    return [json.loads(line) for line in result.stdout.splitlines() if line.strip()]
