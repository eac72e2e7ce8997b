"""``/DB/-/capture/ID``: one raw capture, decompressed, as a file download.

Captures hold what a government server sent, gzipped. They are offered as attachments
(``application/octet-stream``, ``Content-Disposition: attachment``, ``nosniff``, a sandboxing
CSP), so an archived page — its scripts, its trackers — is never rendered live from the archive.
Datasette's own ``/DB/captures/ID.blob?_blob_column=body_gzip`` (the gzip itself, served as
``application/binary`` attachment) stays available too.
"""

from __future__ import annotations

import gzip
import mimetypes
import re
from urllib.parse import unquote, urlsplit

from datasette import hookimpl
from datasette.utils.asgi import NotFound, Response

_UNSAFE = re.compile(r"[^A-Za-z0-9._-]+")
_EXTENSIONS = {"text/html": ".html", "application/pdf": ".pdf", "text/plain": ".txt",
               "application/vnd.openxmlformats-officedocument.wordprocessingml.document": ".docx"}


def download_name(capture_id: int, url: str | None, content_type: str | None) -> str:
    """capture-12-t20250120_123.html: the id, the URL's last segment (ASCII-safe), an extension."""
    segment = unquote(urlsplit(url or "").path.rstrip("/").rsplit("/", 1)[-1]) if url else ""
    stem = _UNSAFE.sub("_", segment).strip("._")[:80]
    name = f"capture-{capture_id}" + (f"-{stem}" if stem else "")
    if "." not in stem:
        mime = (content_type or "").split(";")[0].strip().lower()
        name += _EXTENSIONS.get(mime) or mimetypes.guess_extension(mime) or ".bin"
    return name


async def download_capture(request, datasette) -> Response:
    database = request.url_vars["database"]
    capture_id = int(request.url_vars["capture_id"])
    try:
        db = datasette.get_database(database)
    except KeyError as exc:
        raise NotFound(f"Database not found: {database}") from exc
    await datasette.ensure_permissions(
        request.actor, [("view-table", (database, "captures")), ("view-database", database), "view-instance"]
    )
    row = (await db.execute("select url, content_type, body_gzip from captures where id = ?", [capture_id])).first()
    if row is None:
        raise NotFound(f"No capture {capture_id}")
    body = gzip.decompress(row["body_gzip"]) if row["body_gzip"] else b""
    filename = download_name(capture_id, row["url"], row["content_type"])
    return Response(
        body,
        headers={
            "Content-Disposition": f'attachment; filename="{filename}"',
            "X-Content-Type-Options": "nosniff",
            "Content-Security-Policy": "sandbox",
            "X-Original-Content-Type": row["content_type"] or "",
        },
        content_type="application/octet-stream",
    )


@hookimpl
def register_routes(datasette):
    return [(r"^/(?P<database>[^/]+)/-/capture/(?P<capture_id>[0-9]+)$", download_capture)]
