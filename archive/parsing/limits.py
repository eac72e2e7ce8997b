"""Bounds on the work one document can cause, in one place.

A crawl reads whatever portals serve, and a few bytes can ask for a lot of work: a colspan
row that spans a huge grid, a PDF stream that inflates a thousandfold, a zip that inflates a
millionfold. Each reader checks its input against the caps below, cuts or skips what lies
beyond them, and says so in the record's warnings. Every cap sits far above any real report
(the national format's tables are at most 30 rows × 15 columns; the measured figures are in
the comments) so that only hostile or broken documents ever reach one.
"""

from __future__ import annotations

import itertools
import re
from dataclasses import dataclass, field

# --- grids (HTML <table>, DOCX w:tbl, PDF tables) -------------------------------------------
MAX_SPAN = 60  # one cell's rowspan/colspan/gridSpan; the widest real table has 17 columns
# Grid positions (rows × columns, spans expanded) of one table. The largest statistics table
# in tests/files is 28 × 11 = 308 positions; a report printing all three tables as one grid
# is ~60 × 17 ≈ 1,000. A table beyond the cap is cut to the rows that fit.
MAX_TABLE_CELLS = 20_000
MAX_TABLE_COLUMNS = 200  # columns beyond this are cut (a real grid has ≤ 17; Word/Excel ≤ ~50)
# Grid positions of all the tables of one document together; tables beyond are skipped.
MAX_DOCUMENT_CELLS = 200_000

# --- HTML ------------------------------------------------------------------------------
# Decoded characters of a page that are parsed. Real report pages are 10–150 KB; pages with
# inline (base64) images reach a few MB. Beyond the cap the page is read up to it.
MAX_HTML_CHARS = 24 * 1024 * 1024
# Tags ('<') of a page that are parsed: every element costs lxml, the table search and the text
# walk. The fixtures hold 800–2,700; a portal page with large menus ~10,000.
MAX_HTML_TAGS = 100_000
# trafilatura (used when the report's headings do not mark its container) costs ~40 µs an
# element: above this many tags the page's own visible text is used instead.
MAX_TRAFILATURA_TAGS = 20_000

# --- text (plain-text documents, and the text of every reader) -------------------------------
# Characters and lines of text read into rows, sections and titles: the text reader and the
# interpreter cost ~5 µs a cell and ~50 µs a line all told. A report's text is 20–60K
# characters in ~1–3K lines; a whole portal page's visible text ~200K characters.
MAX_TEXT_CHARS = 1_000_000
MAX_TEXT_LINES = 20_000


_LINE_BREAK = re.compile("\r\n|[\n\r\x0b\x0c\x1c-\x1e\x85\u2028\u2029]")  # where str.splitlines() splits


def cut_text(text: str) -> tuple[str, str | None]:
    """The text within MAX_TEXT_CHARS and MAX_TEXT_LINES, and a warning when it was cut."""
    cut = text[:MAX_TEXT_CHARS]
    last = next(itertools.islice(_LINE_BREAK.finditer(cut), MAX_TEXT_LINES - 1, None), None)
    if last is not None:
        cut = cut[: last.end()]
    if len(cut) == len(text):
        return text, None
    return cut, f"text cut to its first {len(cut):,} characters (of {len(text):,}; at most {MAX_TEXT_LINES:,} lines are read)"


# --- DOCX ------------------------------------------------------------------------------
MAX_DOCX_MEMBERS = 1_000  # zip members; a real .docx has 15–40, a few hundred with images
MAX_DOCX_UNCOMPRESSED = 60 * 1024 * 1024  # all members together, once inflated (images included)
# One XML part, once inflated: lxml holds ~10× the text as a tree. The fixtures' document.xml
# is 94 KB and their largest part (stylesWithEffects.xml) 438 KB.
MAX_DOCX_XML_PART = 16 * 1024 * 1024

# --- PDF -------------------------------------------------------------------------------
# pdfbounds.admit() checks these before PDFium (pdfium.py) is handed the file: PDFium inflates
# whole streams and aborts the process when an allocation fails.
MAX_PDF_PAGES = 120  # pages read; annual reports run 5–40 pages
# One stream once decoded (every filter applied). The largest real ones are embedded fonts: a
# full CJK TrueType font is 10–20 MB. Images are never decoded (the fixtures' largest stream,
# a 9.7 MB scanned image, included).
MAX_PDF_STREAM_BYTES = 32 * 1024 * 1024
MAX_PDF_DECODED_BYTES = 128 * 1024 * 1024  # all streams of one document, decoded
# Bytes put through the filters pdfminer runs in pure Python (LZW, RunLength, PNG/TIFF
# predictors: 1–4 MB/s), per document. Real reports use them only for cross-reference streams
# (tens of KB); text extraction never decodes the images that also use them.
MAX_PDF_SLOW_FILTER_BYTES = 4 * 1024 * 1024
# Content-stream bytes PDFium interprets for one page, counting a form XObject each time it is
# drawn (PDFium lays out 2–15 MB/s of content, but a few KB of nested forms draw a form 10¹²
# times). The fixtures' pages hold 0.2–47 KB, a 6-page report 140 KB in all; a 40-page one ~1.2 MB.
MAX_PDF_PAGE_CONTENT = 512 * 1024
MAX_PDF_CONTENT = 3 * 1024 * 1024  # the same, for all pages of one document
# Objects (dictionaries, arrays, streams) reached from the pages' resources while checking them:
# pdfminer parses each (0.1–0.4 ms; each page's are counted). The fixtures reach 12–170.
MAX_PDF_RESOURCE_OBJECTS = 20_000
# Characters and shapes PDFium lays out on a page, read one by one into Python (~5 µs a
# character, ~4 µs a path). The fixtures' busiest page holds 1,761 characters (PDFium's count,
# its generated spaces included) and 746 paths; a dense real page ~5,000 objects, a 40-page
# report ~40,000.
MAX_PDF_PAGE_OBJECTS = 10_000
MAX_PDF_OBJECTS = 50_000  # the same, for all pages of one document
# Ruling-line crossings pdfplumber's table finder may examine on one page (merged horizontal ×
# vertical edges): its cell search is quadratic in them (5,000 take ~1 s, 15,000 ~8 s). A
# 60-row × 18-column ruled table has ~1,100.
MAX_PDF_PAGE_CROSSINGS = 4_000
MAX_PDF_CROSSINGS = 20_000  # the same, for all pages of one document


@dataclass
class GridBudget:
    """Grid positions left for one document's tables, and warnings saying what was cut."""

    warnings: list[str] = field(default_factory=list)
    left: int = MAX_DOCUMENT_CELLS
    tables: int = 0
    exhausted: bool = False

    def table_cap(self) -> int:
        """Positions the next table may take; 0 when the document's budget is spent (the
        table is skipped, and the first one skipped says so)."""
        self.tables += 1
        if self.left > 0:
            return min(MAX_TABLE_CELLS, self.left)
        if not self.exhausted:
            self.exhausted = True
            self.warnings.append(
                f"table {self.tables} and any after it not read: the document's tables already "
                f"span {MAX_DOCUMENT_CELLS:,} grid cells"
            )
        return 0

    def spend(self, cells: int) -> None:
        self.left -= cells

    def cut(self, cap: int, kept_rows: int, rows: int, columns_cut: bool) -> None:
        """Say that the current table was cut to `kept_rows` rows (and MAX_TABLE_COLUMNS columns).
        A table cut by what was left of the document's budget spends the rest of it."""
        if cap < MAX_TABLE_CELLS and kept_rows < rows:
            self.left = 0
        parts = [f"its first {kept_rows} of {rows} rows"] if kept_rows < rows else []
        if columns_cut:
            parts.append(f"its first {MAX_TABLE_COLUMNS} columns")
        self.warnings.append(
            f"table {self.tables} cut to {' and '.join(parts)} (a table may span {MAX_TABLE_COLUMNS} "
            f"columns and {cap:,} grid cells)"
        )
