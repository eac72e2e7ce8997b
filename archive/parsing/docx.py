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


W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"


def _leaf_tables(body) -> list:
    """w:tbl elements holding no other table, in document order (layout tables are skipped)."""
    return [t for t in body.iter(f"{W}tbl") if t.find(f".//{W}tbl") is None]


def _cell_text(tc) -> str:
    """A cell's visible text: its w:t runs (tracked deletions are w:delText, so they drop out)."""
    return "".join("".join(t.text or "" for t in tc.iter(f"{W}t")).split())


def table_grid(tbl) -> list[list[tuple[str, int]]]:
    """A Word table as a grid of (text, source cell): gridSpan repeats a cell across columns,
    vMerge="continue" repeats the cell above. Read from the XML itself, so rows wrapped in
    content controls (w:sdt) and other valid but unusual markup read like any other row."""
    grid: list[list[tuple[str, int]]] = []
    serial = 0
    for tr in tbl.iter(f"{W}tr"):
        if tr.getparent() is not None and _owning_table(tr) is not tbl:
            continue  # a row of a nested table
        line: list[tuple[str, int]] = []
        for tc in tr.iter(f"{W}tc"):
            if tc.getparent() is not tr and _owning_row(tc) is not tr:
                continue
            props = tc.find(f"{W}tcPr")
            span, merge = 1, None
            if props is not None:
                grid_span = props.find(f"{W}gridSpan")
                if grid_span is not None:
                    try:
                        span = max(1, min(60, int(grid_span.get(f"{W}val", "1"))))
                    except ValueError:
                        span = 1
                v_merge = props.find(f"{W}vMerge")
                if v_merge is not None:
                    merge = v_merge.get(f"{W}val", "continue")
            column = sum(1 for _ in line)
            if merge == "continue" and grid and column < len(grid[-1]):
                above = grid[-1][column]
                line.extend([above] * span)
                continue
            serial += 1
            line.extend([(_cell_text(tc), serial)] * span)
        grid.append(line)
    return grid


def _owning_table(el):
    node = el.getparent()
    while node is not None and node.tag != f"{W}tbl":
        node = node.getparent()
    return node


def _owning_row(el):
    node = el.getparent()
    while node is not None and node.tag != f"{W}tr":
        node = node.getparent()
    return node


def read_docx(data: bytes) -> DocxDocument:
    _check_zip(data)
    import docx  # python-docx; imported here so text/HTML parsing does not pay for it

    try:
        document = docx.Document(io.BytesIO(data))
    except Exception as exc:  # python-docx raises KeyError/ValueError/lxml errors on bad parts
        raise DocxError(f"not a readable DOCX: {exc.__class__.__name__}") from exc
    body = document.element.body
    rows: list[Row] = []
    for tbl in _leaf_tables(body):
        rows.extend(grid_rows(table_grid(tbl)))
    text = "\n".join(p.text for p in document.paragraphs)
    return DocxDocument(rows, text)
