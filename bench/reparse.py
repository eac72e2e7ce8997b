"""Re-parse speed: `govreports reparse` on a crawled sample archive, beside `govreports parse` of
the same captures, side by side in one run.

Three figures, docs/s: reparse (all cores, parse workers, writes included); `govreports parse`
run once per file (what a user scripting the CLI gets); and the reader called in one process on
one core (the floor of what a parse costs).

    python bench/reparse.py [--extra-reports N] [--jobs N]
"""

from __future__ import annotations

import contextlib
import gzip
import os
import re
import sqlite3
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from _measure import ROOT, full_crawl
from portal import portal

from archive.parsing import ParseError, parse_document


def main() -> None:
    extra = int(sys.argv[sys.argv.index("--extra-reports") + 1]) if "--extra-reports" in sys.argv else 200
    jobs = sys.argv[sys.argv.index("--jobs") + 1] if "--jobs" in sys.argv else str(os.cpu_count() or 1)
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    with portal(extra_reports=extra) as (server, _foreign), tempfile.TemporaryDirectory() as tmp:
        db = Path(tmp) / "archive.db"
        full_crawl(server.base_url, db)
        started = time.monotonic()
        result = subprocess.run([sys.executable, "-m", "archive", "reparse", "--db", str(db), "--jobs", jobs],
                                cwd=ROOT, env=env, capture_output=True, text=True, check=True)
        reparse_wall = time.monotonic() - started
        reports = int(re.search(r"reports re-read: (\d+)", result.stderr).group(1))
        conn = sqlite3.connect(db)
        rows = conn.execute("select c.url, c.content_type, c.body_gzip from reports r join captures c"
                            " on c.id = r.capture_id").fetchall()
        conn.close()
        files = []
        for i, (url, content_type, body) in enumerate(rows):
            suffix = ".pdf" if url.endswith(".pdf") else ".docx" if url.endswith(".docx") else ".html"
            path = Path(tmp) / f"{i}{suffix}"
            path.write_bytes(gzip.decompress(body))
            files.append((path, content_type))
        started = time.monotonic()
        for path, content_type in files:
            subprocess.run([sys.executable, "-m", "archive", "parse", str(path), "--content-type", content_type or ""],
                           cwd=ROOT, env=env, capture_output=True, check=True)
        cli_wall = time.monotonic() - started
        started = time.monotonic()
        for path, content_type in files:
            with contextlib.suppress(ParseError):
                parse_document(path.read_bytes(), content_type=content_type)
        inproc_wall = time.monotonic() - started
    print(f"{reports} reports of the sample portal (+{extra} extra)")
    print(f"govreports reparse --jobs {jobs}: {reports / reparse_wall:.1f} docs/s ({reparse_wall:.1f} s, start-up and writes included)")
    print(f"govreports parse, once per file:  {len(files) / cli_wall:.1f} docs/s ({cli_wall:.1f} s)")
    print(f"the reader in one process:        {len(files) / inproc_wall:.1f} docs/s ({inproc_wall:.1f} s)")
    print(f"reparse / per-file CLI: {cli_wall / reparse_wall:.1f}× faster")


if __name__ == "__main__":
    main()
