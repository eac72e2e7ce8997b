"""The crawl's own machinery: retries that wait without holding the downloader, and the lock."""

import fcntl
import json
import os
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

from portal import crawl, govreports, portal

from archive.demo.server import PortalServer
from archive.demo.site import Page, Site
from archive.storage.lock import archive_lock

BACKOFF = 4.0  # seconds before a first retry: long beside everything else this crawl does


def _html(title: str, body: str) -> bytes:
    return (f'<!DOCTYPE html><html><head><meta charset="utf-8"><meta name="ArticleTitle" content="{title}">'
            f"<title>{title}</title></head><body><h1>{title}</h1>{body}</body></html>").encode()


def _list(items: list[tuple[str, str]], extra: str = "") -> bytes:
    links = "".join(f'<li><a href="{href}">{text}</a></li>' for href, text in items)
    return (f'<!DOCTYPE html><html><head><meta charset="utf-8"><title>年报</title></head>'
            f"<body><ul>{links}</ul>{extra}</body></html>").encode()


def _retry_site() -> tuple[Site, list[str], list[str]]:
    """A report column: page 1 lists eight reports that answer 500 once; page 2, twelve that work."""
    column = "/zfxxgknb/"
    flaky = [f"{column}t2025010{n}_{n}.html" for n in range(8)]
    good = [f"{column}t2025020{n}_{n}.html" for n in range(12)]
    title = "测试{}局2024年政府信息公开工作年度报告"
    pages = {"/robots.txt": Page(b"User-agent: *\nAllow: /\n", "text/plain")}
    pages[column + "index.html"] = Page(_list([(p, title.format(i)) for i, p in enumerate(flaky)],
                                              '<a href="index_1.html">下一页</a>'))
    pages[column + "index_1.html"] = Page(_list([(p, title.format(100 + i)) for i, p in enumerate(good)]))
    for i, path in enumerate(flaky):
        pages[path] = Page(_html(title.format(i), "<p>一、总体情况</p>"), fail_first=1)
    for i, path in enumerate(good):
        pages[path] = Page(_html(title.format(100 + i), "<p>一、总体情况</p>"))
    site = Site(state=1, pages=pages, expected_reports=[], lookalikes=[], disallowed=[], changes=[], redirects={},
                flaky={p: 1 for p in flaky}, dead_links=[], foreign_links=[], traps=[], attachment_pages=[])
    return site, flaky, good


def test_waiting_retries_do_not_stall_other_requests(tmp_path):
    """Eight retries waiting their backoff (as many as CONCURRENT_REQUESTS) must not hold the
    downloader: the list's second page and its reports are fetched meanwhile."""
    site, flaky, good = _retry_site()
    with PortalServer(site) as server:
        result = govreports(
            "crawl", f"{server.base_url}/zfxxgknb/index.html", "--db", str(tmp_path / "a.db"),
            "-s", "DOWNLOAD_DELAY=0", "-s", "AUTOTHROTTLE_ENABLED=False", "-s", "CONCURRENT_REQUESTS=8",
            "-s", "CONCURRENT_REQUESTS_PER_DOMAIN=8", "-s", f"RETRY_BACKOFF_BASE={BACKOFF}",
            "-s", "GOVREPORTS_SITEMAPS=False",
        )
        log = server.requests
    assert result.returncode == 0, result.stderr[-2000:]
    first_failure = min(r["time"] for r in log if r["status"] == 500)
    good_times = [r["time"] for r in log if r["path"] in good]
    assert len(good_times) == len(good)
    assert max(good_times) - first_failure < BACKOFF / 2, "other requests waited for the retries"
    for path in flaky:
        times = sorted(r["time"] for r in log if r["path"] == path)
        assert len(times) == 2 and times[1] - times[0] >= BACKOFF * 0.9  # retried, after its backoff
    assert "reports: 20 new" in result.stderr


def test_a_refused_crawl_names_the_holder_and_keeps_its_pid(tmp_path):
    db = tmp_path / "a.db"
    with archive_lock(db):
        result = govreports("crawl", "http://127.0.0.1:9/", "--db", str(db))
        assert Path(f"{db}.lock").read_text() == str(os.getpid())
    assert result.returncode != 0
    assert f"another crawl (PID {os.getpid()})" in result.stderr


class _LockProbe(BaseHTTPRequestHandler):
    """An alert endpoint that checks, as each alert arrives, whether the archive is still locked."""

    lock_path: Path
    held: list[bool] = []

    def do_POST(self):  # noqa: N802 - http.server API
        self.rfile.read(int(self.headers.get("Content-Length", 0)))
        with open(self.lock_path, "a+") as handle:
            try:
                fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                type(self).held.append(True)
            else:
                type(self).held.append(False)
                fcntl.flock(handle, fcntl.LOCK_UN)
        self.send_response(200)
        self.end_headers()

    def log_message(self, *args):
        pass


def test_alerts_are_delivered_while_the_crawl_holds_the_lock(tmp_path):
    db = tmp_path / "a.db"
    _LockProbe.lock_path = Path(f"{db}.lock")
    endpoint = ThreadingHTTPServer(("127.0.0.1", 0), _LockProbe)
    threading.Thread(target=endpoint.serve_forever, daemon=True).start()
    try:
        with portal() as (server, _foreign):
            result = crawl(server, db, "--notify", f"json://127.0.0.1:{endpoint.server_address[1]}/hook")
    finally:
        endpoint.shutdown()
    assert result.returncode == 0, result.stderr[-2000:]
    alerts = json.loads(govreports("alerts", "--db", str(db), "--format", "json").stdout)
    assert _LockProbe.held and len(_LockProbe.held) == len(alerts)
    assert all(_LockProbe.held), "an alert was delivered after the lock was released"
