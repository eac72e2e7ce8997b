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

The database page counts every table, and its time limit cannot stop a ``count(*)``: SQLite
counts a b-tree in one step of its program, which the limit never interrupts (at 100,000
reports, 0.3 s for the full-text index's data, 0.2 s for check_results). Tables marked
``nocount`` and full-text search's own tables are listed there without a count, as a count
that ran out of time is.
"""

from __future__ import annotations

import sqlite3
from urllib.parse import parse_qsl, unquote, urlencode

from datasette import hookimpl
from datasette.database import QueryInterrupted

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


_FTS_PARTS = ("_data", "_idx", "_docsize", "_config", "_content")


@hookimpl
def startup(datasette):
    """Each database counts its tables for the database page without the uncountable ones."""
    for name, database in datasette.databases.items():
        if not database.is_mutable:
            continue  # an immutable database counts once and keeps the counts

        async def table_counts(limit=10, database=database, name=name):
            names = await database.table_names()
            fts = {t for t in names if any(t == f + part for f in names for part in _FTS_PARTS)}
            counts = {}
            for table in names:
                if table in fts or datasette.table_metadata(name, table).get("nocount"):
                    counts[table] = None
                    continue
                try:
                    counts[table] = (await database.execute(f"select count(*) from [{table}]",
                                                            custom_time_limit=limit)).rows[0][0]
                except (QueryInterrupted, sqlite3.DatabaseError):  # as Datasette's own count: unknown
                    counts[table] = None
            return counts

        database.table_counts = table_counts
