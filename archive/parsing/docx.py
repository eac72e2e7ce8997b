"""DOCX → rows from python-docx tables (merged cells as real spans) and paragraph text.

A .docx is a zip, and a zip may inflate a millionfold, or to more than its entries declare
(Python's zipfile stops at the declared size only after inflating a whole read's worth). So
before python-docx opens it, every member is inflated here in bounded steps and checked
against its declared size and the caps in limits.py. python-docx's own XML parser does not
resolve entities.
"""

from __future__ import annotations

import io
import struct
import zipfile
import zlib
from dataclasses import dataclass, field

from .limits import (
    MAX_DOCX_MEMBERS,
    MAX_DOCX_UNCOMPRESSED,
    MAX_DOCX_XML_PART,
    MAX_SPAN,
    MAX_TABLE_COLUMNS,
    GridBudget,
    cut_text,
)
from .tables import Row, grid_rows

_INFLATE_STEP = 1024 * 1024


class DocxError(ValueError):
    """The bytes are not a DOCX that can be read safely."""


@dataclass
class DocxDocument:
    rows: list[Row]
    text: str
    warnings: list[str] = field(default_factory=list)


def _check_zip(data: bytes) -> None:
    """Refuse a zip whose members are too many, too large, or larger than they declare."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as zf:
            infos = zf.infolist()
            if len(infos) > MAX_DOCX_MEMBERS:
                raise DocxError(f"DOCX refused: {len(infos)} zip members (more than {MAX_DOCX_MEMBERS})")
            names = {info.filename for info in infos}
            if "word/document.xml" not in names:
                raise DocxError("not a DOCX (no word/document.xml)")
            total = sum(info.file_size for info in infos)
            if total > MAX_DOCX_UNCOMPRESSED:
                raise DocxError(f"DOCX too large once uncompressed ({total} bytes)")
            for info in infos:
                limit = MAX_DOCX_XML_PART if info.filename.endswith((".xml", ".rels")) else MAX_DOCX_UNCOMPRESSED
                if info.file_size > limit:
                    raise DocxError(f"DOCX refused: {info.filename} is {info.file_size} bytes once uncompressed")
                _check_member(data, info)
    except DocxError:
        raise
    except Exception as exc:  # zipfile and zlib on a damaged archive: BadZipFile, NotImplementedError …
        raise DocxError(f"not a DOCX (bad zip: {exc.__class__.__name__})") from exc


def _check_member(data: bytes, info: zipfile.ZipInfo) -> None:
    """Inflate one member in bounded steps: it must not yield more than it declares."""
    if info.compress_type == zipfile.ZIP_STORED:
        return
    if info.compress_type != zipfile.ZIP_DEFLATED:
        raise DocxError(f"DOCX refused: {info.filename} uses zip compression method {info.compress_type}")
    header = data[info.header_offset : info.header_offset + 30]
    if len(header) < 30 or header[:4] != b"PK\x03\x04":
        raise DocxError(f"not a DOCX (bad zip: no local header for {info.filename})")
    name_length, extra_length = struct.unpack("<HH", header[26:30])
    start = info.header_offset + 30 + name_length + extra_length
    pending = memoryview(data)[start : start + info.compress_size]
    inflater = zlib.decompressobj(-15)
    produced = 0
    while pending and not inflater.eof:
        produced += len(inflater.decompress(pending, _INFLATE_STEP))
        if produced > info.file_size:
            raise DocxError(f"DOCX refused: {info.filename} inflates beyond the {info.file_size} bytes it declares")
        pending = inflater.unconsumed_tail


W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"


def _leaf_tables(body) -> list:
    """w:tbl elements holding no other table, in document order (layout tables are skipped)."""
    return [t for t in body.iter(f"{W}tbl") if t.find(f".//{W}tbl") is None]


def _cell_text(tc) -> str:
    """A cell's visible text: its w:t runs (tracked deletions are w:delText, so they drop out),
    runs joined, paragraphs and line breaks (w:br) kept as line breaks: numbers.py must see
    "3" / "5" in two paragraphs as two lines, while runs "1" "2" of one paragraph are 12."""
    lines = []
    for p in tc.iter(f"{W}p"):
        line = "".join(t.text or "" if t.tag == f"{W}t" else "\n" for t in p.iter(f"{W}t", f"{W}br", f"{W}cr"))
        lines.extend("".join(part.split()) for part in line.split("\n"))
    return "\n".join(line for line in lines if line)


def table_grid(tbl, budget: GridBudget | None = None) -> list[list[tuple[str, int]]]:
    """A Word table as a grid of (text, source cell): gridSpan repeats a cell across columns,
    vMerge="continue" repeats the cell above. Read from the XML itself, so rows wrapped in
    content controls (w:sdt) and other valid but unusual markup read like any other row.

    Bounded like an HTML grid: columns beyond MAX_TABLE_COLUMNS are dropped and rows past the
    table's share of the budget are cut, with a warning in `budget`."""
    budget = budget if budget is not None else GridBudget()
    cap = budget.table_cap()
    if cap == 0:
        return []
    grid: list[list[tuple[str, int]]] = []
    serial = 0
    placed = 0
    rows = [tr for tr in tbl.iter(f"{W}tr") if tr.getparent() is None or _owning_table(tr) is tbl]
    rows_cut = columns_cut = False
    for tr in rows:
        line: list[tuple[str, int]] = []
        for tc in tr.iter(f"{W}tc"):
            if tc.getparent() is not tr and _owning_row(tc) is not tr:
                continue
            if len(line) >= MAX_TABLE_COLUMNS:
                columns_cut = True
                break
            props = tc.find(f"{W}tcPr")
            span, merge = 1, None
            if props is not None:
                grid_span = props.find(f"{W}gridSpan")
                if grid_span is not None:
                    try:
                        span = max(1, min(MAX_SPAN, int(grid_span.get(f"{W}val", "1"))))
                    except ValueError:
                        span = 1
                v_merge = props.find(f"{W}vMerge")
                if v_merge is not None:
                    merge = v_merge.get(f"{W}val", "continue")
            if len(line) + span > MAX_TABLE_COLUMNS:
                span, columns_cut = MAX_TABLE_COLUMNS - len(line), True
            column = len(line)
            if merge == "continue" and grid and column < len(grid[-1]):
                line.extend([grid[-1][column]] * span)
                continue
            serial += 1
            line.extend([(_cell_text(tc), serial)] * span)
        if placed + len(line) > cap:
            rows_cut = True
            break
        placed += len(line)
        grid.append(line)
    if rows_cut or columns_cut:
        budget.cut(cap, len(grid), len(rows), columns_cut)
    budget.spend(placed)
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
        body = document.element.body
        budget = GridBudget()
        rows: list[Row] = []
        for tbl in _leaf_tables(body):
            rows.extend(grid_rows(table_grid(tbl, budget)))
        text, cut = cut_text("\n".join(p.text for p in document.paragraphs))
    except Exception as exc:  # python-docx raises KeyError/ValueError/lxml errors on bad parts
        raise DocxError(f"not a readable DOCX: {exc.__class__.__name__}") from exc
    return DocxDocument(rows, text, budget.warnings + ([cut] if cut else []))
