"""PDF → rows from pdfplumber's tables (and page text for title, year and prose).

A statistics table that runs across a page break arrives as two tables; since rows are
identified by their labels, reading the tables in page order rejoins it. A row cut by the
break (its label split over the two pages) is merged back: a continuation row whose own
label cells are fragments borrows the identifying cells of the row before it only when it
has no label of its own. Pages are capped so a hostile PDF cannot run forever.
"""

from __future__ import annotations

import io
import re
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
    positional: list[Row] | None = None  # rows from word positions, for pages without tables


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
        positional = positional_rows(pages) if not rows else None
    return PdfDocument(rows, "\n".join(texts), title if isinstance(title, str) else None, count, positional)


# --- pages without ruling lines: rows from the words' positions ----------------------------
CHAIN_GAP = 8.0  # points between the lines of one wrapped label


def _lines(words: list[dict]) -> list[list[dict]]:
    """Words grouped into printed lines (same baseline within 2.5 pt), top to bottom."""
    lines: list[list[dict]] = []
    for word in sorted(words, key=lambda w: (w["top"], w["x0"])):
        if lines and abs(lines[-1][0]["top"] - word["top"]) <= 2.5:
            lines[-1].append(word)
        else:
            lines.append([word])
    return [sorted(line, key=lambda w: w["x0"]) for line in lines]


def _columns(words: list[dict]) -> list[str]:
    """Label words in columns (overlapping x ranges), each column's text top to bottom: a
    rotated group label and a wrapped row label stay apart."""
    bands: list[list[dict]] = []
    for word in sorted(words, key=lambda w: w["x0"]):
        if bands and word["x0"] <= max(w["x1"] for w in bands[-1]):
            bands[-1].append(word)
        else:
            bands.append([word])
    return ["".join(w["text"] for w in sorted(band, key=lambda w: w["top"])) for band in bands]


_NUMBERED = re.compile(r"^([(（][一二三四五六七八九十]+[)）]|\d+[.．、]|[一二三四五六七八九十]+、)")


def _hand_numbered_lines_down(owner: dict[int, int], value_at: list[int], parts) -> None:
    """A label line that opens with its numbering ((二) / 2. / 四、) below a row's numbers
    starts the next row's label: it and the lines after it belong to the next row."""
    for k, v in enumerate(value_at[:-1]):
        below = sorted(j for j, o in owner.items() if o == v and j > v)
        for position, j in enumerate(below):
            text = "".join(w["text"] for w in parts[j][0])
            if _NUMBERED.match(text):
                for moved in below[position:]:
                    owner[moved] = value_at[k + 1]
                break


def positional_rows(pdf_pages) -> list[Row]:
    """Rows of a table printed without ruling lines: each line ending in numbers is a row, and
    the label lines wrapped above and below it (a chain of lines closer than CHAIN_GAP) join
    the row whose numbers they are nearest to. Other lines stay context (headings, prose)."""
    from .text import is_text_value

    rows: list[tuple[float, Row]] = []
    for page in pdf_pages:
        lines = _lines(page.extract_words(x_tolerance=1.5, y_tolerance=2))
        value_at: list[int] = []
        parts = []
        for i, line in enumerate(lines):
            split = len(line)
            while split > 0 and is_text_value(line[split - 1]["text"]):
                split -= 1
            parts.append((line[:split], line[split:]))
            if split < len(line):
                value_at.append(i)
        owner: dict[int, int] = {i: i for i in value_at}
        for v in value_at:
            for step in (-1, 1):
                j = v + step
                while 0 <= j < len(lines) and j not in owner and not parts[j][1]:
                    edge = lines[j - step][0]
                    gap = (edge["top"] - lines[j][0]["bottom"]) if step < 0 else (lines[j][0]["top"] - edge["bottom"])
                    if gap > CHAIN_GAP:
                        break
                    centre = (lines[j][0]["top"] + lines[j][0]["bottom"]) / 2
                    mine = abs(centre - (lines[v][0]["top"] + lines[v][0]["bottom"]) / 2)
                    others = [abs(centre - (lines[o][0]["top"] + lines[o][0]["bottom"]) / 2) for o in value_at if o != v]
                    if others and min(others) < mine:
                        break
                    owner[j] = v
                    j += step
        _hand_numbered_lines_down(owner, value_at, parts)
        grouped: dict[int, list[dict]] = {}
        for j, v in owner.items():
            grouped.setdefault(v, []).extend(parts[j][0])
        for i, (label_words, value_words) in enumerate(parts):
            top = page.page_number * 10_000 + lines[i][0]["top"]
            if i in grouped:
                rows.append((top, Row(_columns(grouped[i]), [w["text"] for w in value_words])))
            elif i not in owner:
                rows.append((top, Row(["".join(w["text"] for w in label_words)])))
    return [row for _, row in sorted(rows, key=lambda r: r[0])]
