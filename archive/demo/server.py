"""Serve a demo Site on 127.0.0.1 from a daemon thread, logging every request it receives.

``with PortalServer(build_site()) as srv: fetch(srv.base_url + "/")`` — the port is chosen by
the OS unless given. The server speaks HTTP/1.1 with keep-alive (as Scrapy does), answers
HEAD, honours If-None-Match / If-Modified-Since with 304, plays each page's special behaviour
(500s before success, redirects) and fills the per-request noise (visit counter, date bar) in.
``srv.requests`` is what a test asserts on: which targets were asked for, with which headers,
and what was answered. ``set_site`` swaps the portal's state under a running server.
"""

from __future__ import annotations

import threading
import time
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime, timezone
from email.utils import formatdate, parsedate_to_datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from .chrome import not_found_page
from .site import Page, Site, build_foreign_site, build_site, stable_id

NOT_FOUND = not_found_page().encode("utf-8")
SERVER_ERROR = b"<html><body><h1>500 Internal Server Error</h1></body></html>"


class PortalServer:
    """A Site on http://127.0.0.1:<port>, in a daemon thread; a context manager."""

    def __init__(self, site: Site, port: int = 0, host: str = "127.0.0.1"):
        self._site = site
        self._lock = threading.Lock()
        self._log: list[dict[str, Any]] = []
        self._hits: Counter[str] = Counter()
        self._httpd = ThreadingHTTPServer((host, port), _handler_for(self))
        self._httpd.daemon_threads = True
        self._thread: threading.Thread | None = None
        self.host, self.port = self._httpd.server_address[:2]

    @property
    def base_url(self) -> str:
        return f"http://{self.host}:{self.port}"

    @property
    def localhost_url(self) -> str:
        """The same server named ``localhost``: another host to an offsite rule (give it as foreign_base)."""
        return f"http://localhost:{self.port}"

    @property
    def site(self) -> Site:
        return self._site

    # --- lifecycle ------------------------------------------------------------------------------
    def start(self) -> PortalServer:
        if self._thread is None:
            self._thread = threading.Thread(target=self._httpd.serve_forever, kwargs={"poll_interval": 0.05}, name=f"portal-{self.port}", daemon=True)
            self._thread.start()
        return self

    def stop(self) -> None:
        if self._thread is not None:
            self._httpd.shutdown()
            self._thread.join(timeout=5)
            self._thread = None
        self._httpd.server_close()

    def __enter__(self) -> PortalServer:  # noqa: PYI034 - typing.Self needs Python 3.11
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    # --- state ----------------------------------------------------------------------------------
    def set_site(self, site: Site) -> None:
        """Serve another state of the portal from the next request on.

        Request counts carry over (a page that already answered its 500s stays healthy, and the
        visit counter keeps climbing); call ``reset_counts`` to start them afresh.
        """
        with self._lock:
            self._site = site

    def reset_counts(self) -> None:
        with self._lock:
            self._hits.clear()

    @property
    def requests(self) -> list[dict[str, Any]]:
        """A snapshot of the request log: dicts with method, path, host, status, headers, time."""
        with self._lock:
            return list(self._log)

    def clear_requests(self) -> None:
        with self._lock:
            self._log.clear()

    def requested_paths(self) -> list[str]:
        return [r["path"] for r in self.requests]

    # --- answering ------------------------------------------------------------------------------
    def _count(self, target: str) -> tuple[Site, int]:
        with self._lock:
            self._hits[target] += 1
            return self._site, self._hits[target]

    def _record(self, entry: dict[str, Any]) -> None:
        with self._lock:
            self._log.append(entry)

    def answer(self, target: str, headers: dict[str, str]) -> tuple[int, dict[str, str], bytes]:
        """Status, headers and body for one request (the handler only does I/O)."""
        site, hits = self._count(target)
        page = site.lookup(target)
        if page is None:
            return 404, {"Content-Type": "text/html; charset=utf-8"}, NOT_FOUND
        if hits <= page.fail_first:
            return 500, {"Content-Type": "text/html"}, SERVER_ERROR
        out = {"Content-Type": page.content_type, **page.headers}
        if page.status != 200:
            return page.status, out, page.body
        out["ETag"] = page.etag
        out["Last-Modified"] = page.last_modified
        if not_modified(page, headers):
            return 304, {"ETag": page.etag, "Last-Modified": page.last_modified}, b""
        host = headers.get("host") or f"{self.host}:{self.port}"
        visits = 1000 + stable_id(target, digits=4) % 5000 + hits
        return 200, out, page.render(visits, datetime.now(timezone.utc), f"http://{host}")


def not_modified(page: Page, headers: dict[str, str]) -> bool:
    """RFC 9110: If-None-Match decides when present; otherwise If-Modified-Since."""
    inm = headers.get("if-none-match")
    if inm is not None:
        tags = [t.strip().removeprefix("W/") for t in inm.split(",")]
        return "*" in tags or page.etag in tags
    ims = headers.get("if-modified-since")
    if ims:
        try:
            since = parsedate_to_datetime(ims)
        except (TypeError, ValueError):
            return False
        if since.tzinfo is None:
            since = since.replace(tzinfo=timezone.utc)
        return page.modified.replace(microsecond=0) <= since
    return False


def _handler_for(server: PortalServer) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"
        server_version = "nginx"
        sys_version = ""
        timeout = 10  # idle keep-alive connections are closed, so stopped servers free their threads

        def do_GET(self) -> None:
            self._serve(head=False)

        def do_HEAD(self) -> None:
            self._serve(head=True)

        def _serve(self, head: bool) -> None:
            received = {k.lower(): v for k, v in self.headers.items()}
            status, headers, body = server.answer(self.path, received)
            # Logged before answering, so a client that has its response always finds it in the log.
            server._record({
                "method": self.command, "path": self.path, "host": received.get("host"), "status": status,
                "headers": dict(self.headers.items()), "time": time.time(),
            })
            self.send_response(status)
            for name, value in headers.items():
                self.send_header(name, value)
            self.send_header("Date", formatdate(usegmt=True))
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            if not head and body:
                self.wfile.write(body)

        def log_message(self, format: str, *args: object) -> None:
            pass  # quiet: the request log is srv.requests

    return Handler


@contextmanager
def serve_demo(state: int = 1, extra_reports: int = 0, port: int = 0) -> Iterator[str]:
    """The demo portal and its foreign mirror host, served until the block ends; yields the base URL.

    The portal's off-site links point at the mirror under the name ``localhost``, so a crawl
    that strays off 127.0.0.1 reaches a real server (and stays offline) instead of timing out.
    """
    with PortalServer(build_foreign_site()) as foreign:
        site = build_site(state=state, extra_reports=extra_reports, foreign_base=foreign.localhost_url)
        with PortalServer(site, port=port) as portal:
            yield portal.base_url
