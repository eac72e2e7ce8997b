"""A crawl killed with SIGKILL loses nothing: the next run closes it, ends its workers, catches up.

The sample portal with a few hundred extra reports is crawled by the real CLI in a subprocess,
which is killed (kill -9) once the archive holds a given number of reports; the next run must
archive every report the portal has, and later runs may then cut list walks short again.
"""

import json
import os
import re
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import urlparse

import pytest
from portal import FAST, ROOT, crawl, export, govreports, portal

from archive.demo.site import Page

EXTRA = 240  # extra reports in the portal: enough that a crawl takes several seconds


def _count(db: Path, sql: str) -> int:
    try:
        conn = sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=5)
        try:
            return conn.execute(sql).fetchone()[0]
        finally:
            conn.close()
    except sqlite3.OperationalError:
        return 0  # not created yet


def _alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return False
    return "\nState:\tZ" not in state  # a zombie has ended


def crawl_and_kill(server, db: Path, after_reports: int) -> list[int]:
    """Start a crawl, SIGKILL it once the archive holds `after_reports` reports; return the PIDs
    of the parse workers it had."""
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    cmd = [sys.executable, "-m", "archive", "crawl", server.base_url + "/", "--db", str(db), *FAST]
    process = subprocess.Popen(cmd, cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 240
    try:
        while _count(db, "select count(*) from reports") < after_reports:
            assert process.poll() is None, "the crawl ended before it could be killed"
            assert time.monotonic() < deadline, "the crawl did not archive enough reports in time"
            time.sleep(0.05)
    finally:
        process.send_signal(signal.SIGKILL)
        process.wait()
    conn = sqlite3.connect(db)
    row = conn.execute("select status, pid, worker_pids from runs order by id desc limit 1").fetchone()
    conn.close()
    assert row[0] == "running" and row[1] == process.pid  # SIGKILL leaves it so
    return json.loads(row[2] or "[]")


def _paths(records) -> set[str]:
    return {urlparse(r["url"]).path for r in records}


@pytest.fixture(scope="module")
def site_server():
    with portal(extra_reports=EXTRA) as (server, _foreign):
        yield server


@pytest.mark.parametrize("after_reports", [3, 60, 180])
def test_next_run_after_kill_archives_every_report(site_server, tmp_path, after_reports):
    db = tmp_path / "archive.db"
    expected = {r["path"] for r in site_server.site.expected_reports}
    workers = crawl_and_kill(site_server, db, after_reports)
    assert _count(db, "select count(*) from reports") < len(expected)  # killed before the end

    result = crawl(site_server, db)
    assert result.returncode == 0, result.stderr[-2000:]
    assert "an earlier run did not finish" in result.stderr
    assert _paths(export(db)) == expected
    conn = sqlite3.connect(db)
    statuses = [r[0] for r in conn.execute("select status from runs order by id")]
    assert statuses == ["interrupted", "finished"]
    assert not [pid for pid in workers if _alive(pid)], "parse workers of the killed run are still running"
    # every list was walked to its end by the catching-up run, so the next one may cut them short
    assert conn.execute("select count(*) from list_walks where complete = 0").fetchone()[0] == 0
    conn.close()


def test_after_catching_up_recrawls_cut_list_walks_short_again(site_server, tmp_path):
    """Lose nothing, but keep the incremental saving: once a run has walked every list to its
    end, an unchanged recrawl stops early in each list and finds nothing new."""
    db = tmp_path / "archive.db"
    crawl_and_kill(site_server, db, 60)
    assert crawl(site_server, db).returncode == 0
    quiet = crawl(site_server, db, "-s", "LOG_LEVEL=INFO")
    assert quiet.returncode == 0, quiet.stderr[-2000:]
    cut = re.search(r"'govreports/lists_cut_short': (\d+)", quiet.stderr)
    assert cut and int(cut.group(1)) > 0
    assert "reports: 0 new" in quiet.stderr


def test_readings_cut_off_are_read_again_by_the_next_run(tmp_path):
    """Every document's reading is cut off (a time budget no reader meets): each is recorded
    unreadable with its capture kept and the crawl finishes; the next run, with the normal
    budget, reads them all, though their bytes are unchanged."""
    db = tmp_path / "archive.db"
    with portal() as (server, _foreign):
        expected = {r["path"] for r in server.site.expected_reports}
        starved = crawl(server, db, "-s", "GOVREPORTS_PARSE_TIME_BUDGET=0.001")
        assert starved.returncode == 0, starved.stderr[-2000:]
        conn = sqlite3.connect(db)
        cut_off = conn.execute(
            "select count(*) from documents d where outcome = 'unreadable' and outcome_detail like '%time budget%'"
            " and exists (select 1 from captures c where c.document_id = d.id)"
        ).fetchone()[0]
        assert conn.execute("select count(*) from reports").fetchone()[0] == 0
        conn.close()
        assert cut_off >= len(expected)
        again = crawl(server, db, "-s", "LOG_LEVEL=INFO")
    assert again.returncode == 0, again.stderr[-2000:]
    assert _paths(export(db)) == expected
    retried = re.search(r"'govreports/unsettled_retried': (\d+)", again.stderr)
    assert retried and int(retried.group(1)) >= len(expected)


DOCX_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
SUFFIX = {"application/pdf": ".pdf", None: ".docx", "text/html": ".html", "text/plain": ".txt"}


def test_a_crawl_through_hostile_documents_archives_everything_else(tmp_path):
    """Bombs and damaged documents linked as reports beside the portal's real ones: the crawl
    finishes, every real report is archived, and every hostile document ends with an outcome."""
    from hostile import bombs, mutated_fixtures

    hostile = [(name, body, ctype) for name, (body, ctype) in bombs().items()]
    # (not the demo's own 淮安 report damaged: a copy that still reads would be that report)
    hostile += [d for d in mutated_fixtures(7, {".pdf": 1, ".docx": 1, ".html": 1})[::3] if not d[0].startswith("huaian")]
    column = "/zwgk/zfxxgk/zfxxgknb/hostile/"
    db = tmp_path / "archive.db"
    with portal() as (server, _foreign):
        site = server.site
        links = []
        for i, (name, body, ctype) in enumerate(hostile):
            path = f"{column}P2025{i:04d}{SUFFIX[ctype]}"
            site.pages[path] = Page(body, ctype or DOCX_TYPE, encoding=None, role="hostile")
            links.append(f'<li><a href="{path}">清河市测试{i}局2024年政府信息公开工作年度报告（{name[:20]}）</a></li>')
        listing = f'<html><head><meta charset="utf-8"><title>年报</title></head><body><ul>{"".join(links)}</ul></body></html>'
        site.pages[column + "index.html"] = Page(listing.encode(), role="list")
        expected = {r["path"] for r in site.expected_reports}
        result = govreports("crawl", server.base_url + "/", server.base_url + column + "index.html", "--db", str(db),
                            *FAST, "-s", "GOVREPORTS_PARSE_TIME_BUDGET=10", "-s", "GOVREPORTS_PARSE_MEMORY_MB=1536",
                            timeout=600)
    assert result.returncode == 0, result.stderr[-3000:]
    archived = _paths(export(db))
    assert expected <= archived
    assert not {p for p in archived - expected if not p.startswith(column)}
    conn = sqlite3.connect(db)
    outcomes = dict(conn.execute("select url, outcome from documents where url like ?", [f"%{column}P2025%"]))
    conn.close()
    assert len(outcomes) == len(hostile), "a hostile document was not fetched or not recorded"
    assert all(outcomes.values()), [u for u, o in outcomes.items() if not o]
