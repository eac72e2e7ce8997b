"""Pages that answer 304 are read from the capture the archive kept of them.

A recrawl asks every page that is not a report (list and navigation pages, sitemaps,
documents read as not a report) conditionally, with the ETag / Last-Modified *of its last kept
capture* (archive.storage.db.Archive.replayable_validators). A 304 then says the page is still
that capture, so the spider reads the capture instead of the network: the same links, the same
pagination, the same "only archived reports here" that cuts a list walk short. A 304 carries no
body, so without the capture the crawl would lose every link behind an unchanged page.

Reports keep their own validators (the spider's ``known_validators``): a 304 there only says
"unchanged", which is all a recheck needs.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from scrapy.http import Response
from scrapy.responsetypes import responsetypes

Loader = Callable[[int], "tuple[bytes, dict[str, str]] | None"]


class StoredPages:
    """Validators of replayable pages ({url: {"etag", "last_modified", "capture_id"}}) and the
    function that loads a capture: both filled by the pipeline before the crawl starts."""

    def __init__(self) -> None:
        self.validators: dict[str, dict[str, Any]] = {}
        self.load: Loader | None = None

    def conditional(self, url: str) -> tuple[dict[str, str], int | None]:
        """(If-None-Match / If-Modified-Since headers, capture id) for a request of `url`."""
        found = self.validators.get(url)
        if not found or self.load is None:
            return {}, None
        headers = {}
        if found.get("etag"):
            headers["If-None-Match"] = found["etag"]
        if found.get("last_modified"):
            headers["If-Modified-Since"] = found["last_modified"]
        # A file (PDF, DOC …) has no links to follow: its 304 is final, no capture is read.
        content_type = (found.get("content_type") or "").lower()
        has_links = not content_type or "html" in content_type or "xml" in content_type
        return headers, found["capture_id"] if headers and has_links else None

    def response(self, not_modified: Response, capture_id: int) -> Response | None:
        """The 304's page as it was captured (status 200, its stored headers), or None when the
        capture cannot be read (the page is then asked for again in full)."""
        stored = self.load(capture_id) if self.load else None
        if stored is None:
            return None
        body, headers = stored
        headers = {k: v for k, v in headers.items() if k.lower() not in ("content-encoding", "content-length")}
        cls = responsetypes.from_args(headers=headers, url=not_modified.url, body=body)
        return cls(
            url=not_modified.url, status=200, headers=headers, body=body, request=not_modified.request,
            flags=["stored"],
        )
