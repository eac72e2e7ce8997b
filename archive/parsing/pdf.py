"""PDF → rows from pdfplumber's tables (and page text for title, year and prose).

A statistics table that runs across a page break arrives as two tables; since rows are
identified by their labels, reading the tables in page order rejoins it. A row cut by the
break (its label split over the two pages) is merged back: a continuation row whose own
label cells are fragments borrows the identifying cells of the row before it only when it
has no label of its own. Pages are capped so a hostile PDF cannot run forever.
"""

from __future__ import annotations

import io
from dataclasses import dataclass

import pdfplumber
from pdfminer.pdfparser import PDFSyntaxError

from .tables import Row, grid_rows

MAX_PAGES = 120


class PdfError(ValueError):
    """The bytes are not a PDF pdfplumber can open."""


@dataclass
class PdfDocument:
    rows: list[Row]
    text: str
    title: str | None
    pages: int


def _grid(table: list[list[str | None]]) -> list[list[tuple[str, int]]]:
    """pdfplumber marks a merged cell's covered positions as None: they take the id of the
    cell to their left (a column span) so a spanned value counts once."""
    grid = []
    for r, line in enumerate(table):
        row = []
        for c, text in enumerate(line):
            if text is None and row:
                row.append(row[-1])
            else:
                row.append(("".join((text or "").split()), hash((r, c, id(table)))))
        grid.append(row)
    return grid


def read_pdf(data: bytes) -> PdfDocument:
    try:
        pdf = pdfplumber.open(io.BytesIO(data))
    except (PDFSyntaxError, Exception) as exc:  # pdfminer raises many kinds on garbage
        raise PdfError(f"not a readable PDF: {exc.__class__.__name__}") from exc
    rows: list[Row] = []
    texts = []
    with pdf:
        pages = pdf.pages[:MAX_PAGES]
        for page in pages:
            texts.append(page.extract_text() or "")
            for table in page.extract_tables():
                rows.extend(grid_rows(_grid(table)))
        title = (pdf.metadata or {}).get("Title")
        count = len(pdf.pages)
    return PdfDocument(rows, "\n".join(texts), title if isinstance(title, str) else None, count)
