"""Cells that lead somewhere: original pages, raw-capture downloads, the report view.

- ``url`` holding an http(s) URL → the original page (rel=noreferrer: the archive does not tell
  a government site who sent the visitor).
- ``capture_id`` → ``/DB/-/capture/ID``, the raw capture as a download (never rendered).
- ``link`` in a canned query → an anchor; a value that is not an absolute URL is a path relative
  to the database (``report_view?report_id=…``, ``-/capture/12``).
- ``report_id`` in a canned query, and ``title`` in the reports table → the report view (the
  section 三 matrix of that report).
"""

from __future__ import annotations

from typing import Any

from datasette import hookimpl
from datasette.utils import is_url
from markupsafe import Markup, escape


def _anchor(href: str, text: Any, title: str | None = None, external: bool = False) -> Markup:
    attrs = f' title="{escape(title)}"' if title else ""
    if external:
        attrs += ' rel="noopener noreferrer nofollow"'
    return Markup(f'<a href="{escape(href)}"{attrs}>{escape(text)}</a>')


def _in_database(datasette, database: str, path: str) -> str:
    return datasette.urls.database(database) + "/" + path.lstrip("/")


@hookimpl
def render_cell(row, value, column, table, database, datasette):
    if value is None or database is None:
        return None
    if column == "url" and is_url(str(value).strip()):
        return _anchor(str(value).strip(), value, "原始页面 original page", external=True)
    if column == "capture_id" and isinstance(value, int):
        return _anchor(_in_database(datasette, database, f"-/capture/{value}"), f"↓ {value}",
                       "下载原始抓取 download the raw capture")
    if table is None and column == "link" and isinstance(value, str):
        if is_url(value):
            return _anchor(value, value, external=True)
        return _anchor(_in_database(datasette, database, value), value)
    if table is None and column == "report_id" and isinstance(value, str):
        return _anchor(_in_database(datasette, database, f"report_view?report_id={value}"), value,
                       "报告视图 report view")
    if table == "reports" and column == "title":
        report_id = row["id"] if "id" in row.keys() else None  # noqa: SIM118 - sqlite3.Row: `in` looks at values
        if report_id:
            return _anchor(_in_database(datasette, database, f"report_view?report_id={report_id}"), value,
                           "报告视图 report view")
    return None
