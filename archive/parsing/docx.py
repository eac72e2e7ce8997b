"""DOCX → rows from python-docx tables (merged cells as real spans) and paragraph text.

A .docx is a zip: its uncompressed size is checked before python-docx opens it (a zip bomb
must not fill memory), and python-docx's own XML parser does not resolve entities.
"""

from __future__ import annotations

import io
import zipfile
from dataclasses import dataclass

from .tables import Row, grid_rows

MAX_UNCOMPRESSED = 60 * 1024 * 1024


class DocxError(ValueError):
    """The bytes are not a DOCX that can be read safely."""


@dataclass
class DocxDocument:
    rows: list[Row]
    text: str


def _check_zip(data: bytes) -> None:
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as zf:
            total = sum(info.file_size for info in zf.infolist())
            names = set(zf.namelist())
    except zipfile.BadZipFile as exc:
        raise DocxError("not a DOCX (bad zip)") from exc
    if "word/document.xml" not in names:
        raise DocxError("not a DOCX (no word/document.xml)")
    if total > MAX_UNCOMPRESSED:
        raise DocxError(f"DOCX too large once uncompressed ({total} bytes)")


def _all_tables(tables, depth: int = 0):
    """Tables in document order, including tables nested in cells (layout tables)."""
    for table in tables:
        nested = [t for row in table.rows for cell in row.cells for t in cell.tables] if depth < 3 else []
        if nested:
            yield from _all_tables(nested, depth + 1)
        else:
            yield table


def read_docx(data: bytes) -> DocxDocument:
    _check_zip(data)
    import docx  # python-docx; imported here so text/HTML parsing does not pay for it

    try:
        document = docx.Document(io.BytesIO(data))
    except Exception as exc:  # python-docx raises KeyError/ValueError/lxml errors on bad parts
        raise DocxError(f"not a readable DOCX: {exc.__class__.__name__}") from exc
    rows: list[Row] = []
    alive = []  # keeps each cell's XML proxy alive so id() stays unique while grids are built
    for table in _all_tables(document.tables):
        grid = []
        for tr in table.rows:
            # row.cells repeats a merged cell once per grid column it covers; its _tc is shared
            cells = tr.cells
            alive.extend(cells)
            grid.append([("".join(cell.text.split()), id(cell._tc)) for cell in cells])
        rows.extend(grid_rows(grid))
    text = "\n".join(p.text for p in document.paragraphs)
    return DocxDocument(rows, text)
