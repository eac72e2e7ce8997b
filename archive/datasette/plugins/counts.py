"""Counts that do not scan: tables and views whose metadata says ``nocount: true`` are shown
without their total row count.

Datasette 0.65 counts every table page (``select count(*)`` over the filtered rows, bounded
only by sql_time_limit_ms). For a view that unfolds 175 cells from each of 100,000 records
(``request_cells``) or a table of three million check rows, that count alone takes seconds —
longer than the whole page should. Datasette skips it when the request says ``_nocount=1``;
this ASGI wrapper adds that to requests for the tables metadata.yml marks, so the page lists
its rows at once (paginated with ``_next`` as before) and simply says nothing of the total.
A request that asks for a count of its own (``_nocount=0``) gets one.

Tables marked ``light_search: true`` (reports) get the same on a full-text search, and no
default facets either: a common word (公开) matches every report, and each facet would look
up 100,000 report rows again. The search lists its matches at once; a facet asked for by
name (``_facet=year``) is still computed, within facet_time_limit_ms.
"""

from __future__ import annotations

from urllib.parse import parse_qsl, unquote, urlencode

from datasette import hookimpl

_FORMATS = (".json", ".csv")


def _table_of(path: str) -> tuple[str, str] | None:
    """('db', 'table') for a table page path /db/table[.json|.csv], else None."""
    parts = path.strip("/").split("/")
    if len(parts) != 2 or not parts[0] or parts[0].startswith("-") or not parts[1]:
        return None
    table = parts[1]
    for suffix in _FORMATS:
        if table.endswith(suffix):
            table = table[: -len(suffix)]
    return unquote(parts[0]), unquote(table)


@hookimpl
def asgi_wrapper(datasette):
    def wrap(app):
        async def counted(scope, receive, send):
            if scope.get("type") == "http" and scope.get("method") == "GET":
                found = _table_of(scope.get("path", ""))
                metadata = datasette.table_metadata(*found) if found else {}
                if metadata.get("nocount") or metadata.get("light_search"):
                    query = parse_qsl(scope.get("query_string", b"").decode("latin-1"), keep_blank_values=True)
                    keys = {key for key, value in query if value}
                    searching = any(key == "_search" or key.startswith("_search_") for key in keys)
                    added = []
                    if "_nocount" not in keys and (metadata.get("nocount") or searching):
                        added.append(("_nocount", "1"))
                    if searching and metadata.get("light_search") and not keys & {"_nofacet", "_facet"}:
                        added.append(("_nofacet", "1"))
                    if added:
                        scope = dict(scope, query_string=urlencode(query + added).encode("latin-1"))
            await app(scope, receive, send)

        return counted

    return wrap
