"""Binary documents of the demo portal: a generated .docx report, the real Huai'an PDF, a PNG.

The .docx is written with python-docx from the same grids as the HTML layouts (tables.py),
merging cells where the format merges them. python-docx stamps the current time into the zip
entries, so the package is re-zipped with fixed timestamps: the same build gives the same
bytes, hence the same ETag and the same content hash across runs.
"""

from __future__ import annotations

import io
import json
import struct
import zipfile
import zlib
from datetime import datetime
from functools import lru_cache
from pathlib import Path

from . import tables
from .layouts import HEADINGS, SUBHEAD, ReportDoc

FILES = Path(__file__).parent / "files"
HUAIAN_PDF = "huaian-city-2024.pdf"
FIXED_ZIP_TIME = (2023, 1, 28, 9, 0, 0)


def _add_table(document, table: tables.Table) -> None:
    grid = tables.grid_positions(table)
    n_rows = len(table)
    n_cols = tables.width(table)
    out = document.add_table(rows=n_rows, cols=n_cols)
    out.style = "Table Grid"
    # Fetch every cell once: Table.cell() rescans the whole table on each call.
    cells = [row.cells for row in out.rows]
    for r, c, cell in grid:
        target = cells[r][c]
        if cell.rowspan > 1 or cell.colspan > 1:
            target = target.merge(cells[r + cell.rowspan - 1][c + cell.colspan - 1])
        target.text = cell.text.replace("|", "")


def report_docx(doc: ReportDoc, author: str, created: datetime) -> bytes:
    """The whole report as a Word document (headings, prose, the three tables with merges)."""
    from docx import Document  # imported here: only the docx attachment needs python-docx

    document = Document()
    props = document.core_properties
    props.author = props.last_modified_by = author
    props.created = props.modified = created
    props.revision = 1
    props.title = "".join(doc.title_lines)
    for line in doc.title_lines:
        document.add_heading(line, level=1)
    document.add_paragraph(doc.intro)

    def prose(paragraphs: list[str]) -> None:
        for p in paragraphs:
            para = document.add_paragraph()
            para.add_run(p).bold = bool(SUBHEAD.match(p))

    document.add_heading(HEADINGS["一"], level=2)
    prose(doc.sections["overview"])
    document.add_heading(HEADINGS["二"], level=2)
    blocks = tables.active_blocks_2019(doc.show) if doc.legacy else tables.active_blocks_2021(doc.show)
    _add_table(document, [row for block in blocks for row in block])
    document.add_heading(HEADINGS["三"], level=2)
    _add_table(document, tables.requests_table(doc.show, legacy=doc.legacy))
    document.add_heading(HEADINGS["四"], level=2)
    _add_table(document, tables.review_table(doc.show))
    document.add_heading(HEADINGS["五"], level=2)
    prose(doc.sections["problems"])
    document.add_heading(HEADINGS["六"], level=2)
    prose(doc.sections["other_matters"])
    for line in doc.signature:
        document.add_paragraph(line)
    buf = io.BytesIO()
    document.save(buf)
    return _fixed_zip(buf.getvalue())


def _fixed_zip(data: bytes) -> bytes:
    """Re-zip with fixed entry times so identical content gives identical bytes."""
    src = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            fixed = zipfile.ZipInfo(info.filename, date_time=FIXED_ZIP_TIME)
            fixed.compress_type = zipfile.ZIP_DEFLATED
            fixed.external_attr = info.external_attr
            dst.writestr(fixed, src.read(info.filename))
    return out.getvalue()


@lru_cache(maxsize=1)
def huaian_pdf() -> bytes:
    """The real 淮安市人民政府 2024 report (the published PDF, public in the GitHub repository zxj6827111-blip/govnianbao as szfgs2024.pdf, commit b2fbe3f5b912be2379852eac907e85657da8f238)."""
    return (FILES / HUAIAN_PDF).read_bytes()


@lru_cache(maxsize=1)
def huaian_truth() -> dict:
    """Its numbers, read off the PDF by hand (tests/files/huaian-city-2024.expected.json)."""
    return json.loads((FILES / "huaian-city-2024.expected.json").read_text(encoding="utf-8"))


def png(width: int = 8, height: int = 4, shade: int = 200) -> bytes:
    """A tiny valid grey PNG (the "table pasted as an image" and the 图解 pictures)."""

    def chunk(kind: bytes, payload: bytes) -> bytes:
        return struct.pack(">I", len(payload)) + kind + payload + struct.pack(">I", zlib.crc32(kind + payload))

    raw = b"".join(b"\x00" + bytes([shade]) * width for _ in range(height))
    header = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(raw, 9)) + chunk(b"IEND", b"")
