"""PDF → rows from pdfplumber's tables (and page text for title, year and prose).

A statistics table that runs across a page break arrives as two tables; since rows are
identified by their labels, reading the tables in page order rejoins it. A row cut by the
break (its label split over the two pages) is merged back: a continuation row whose own
label cells are fragments borrows the identifying cells of the row before it only when it
has no label of its own.

pdfminer runs under the budget of pdfbounds.py (decoded bytes, interpreted content, objects
per page) and pages, tables and ruling lines are capped (limits.py): a page that breaks a cap
or cannot be read is skipped with a warning, and a PDF of which no page could be read is
refused.
"""

from __future__ import annotations

import io
import re
from dataclasses import dataclass, field

import pdfplumber
from pdfminer.pdftypes import resolve1

from .limits import MAX_PDF_CROSSINGS, MAX_PDF_PAGE_CROSSINGS, MAX_PDF_PAGES, GridBudget, cut_text
from .pdfbounds import bounded, over_budget
from .tables import Row, grid_rows


class PdfError(ValueError):
    """The bytes are not a PDF pdfplumber can open."""


@dataclass
class PdfDocument:
    rows: list[Row]
    text: str
    title: str | None
    pages: int
    positional: list[Row] | None = None  # rows from word positions, for pages without tables
    warnings: list[str] = field(default_factory=list)


def _grid(table: list[list[str | None]], budget: GridBudget) -> list[list[tuple[str, int]]]:
    """pdfplumber marks a merged cell's covered positions as None: they take the id of the
    cell to their left (a column span) so a spanned value counts once. Bounded like every
    grid: rows past the table's share of the budget are cut."""
    cap = budget.table_cap()
    width = max((len(line) for line in table), default=0)
    keep = min(len(table), cap // width) if width else len(table)
    if keep < len(table):
        budget.cut(cap, keep, len(table), False)
    grid = []
    for r, line in enumerate(table[:keep]):
        row = []
        for c, text in enumerate(line):
            if text is None and row:
                row.append(row[-1])
            else:
                row.append(("".join((text or "").split()), hash((r, c, id(table)))))
        grid.append(row)
    budget.spend(keep * width)
    return grid


def _reason(exc: BaseException) -> str:
    """What stopped pdfminer: a cap's reason, or the class of the error pdfplumber wrapped."""
    found = over_budget(exc)
    if found:
        return found.reason
    inner = next((a for a in exc.args if isinstance(a, BaseException)), exc)
    return inner.__class__.__name__


def read_pdf(data: bytes) -> PdfDocument:
    with bounded() as budget:
        try:
            pdf = pdfplumber.open(io.BytesIO(data), pages=range(1, MAX_PDF_PAGES + 1))
        except Exception as exc:  # pdfminer raises many kinds on garbage (wrapped by pdfplumber)
            found = over_budget(exc)
            raise PdfError(f"PDF refused: {found.reason}" if found else f"not a readable PDF: {_reason(exc)}") from exc
        with pdf:
            return _read_pages(pdf, budget)


def _read_pages(pdf, budget) -> PdfDocument:
    warnings: list[str] = []
    grids = GridBudget(warnings)
    rows: list[Row] = []
    texts = []
    read = []
    crossings_left = MAX_PDF_CROSSINGS
    try:
        pages = pdf.pages
        count = _page_count(pdf, len(pages))
    except Exception as exc:
        raise PdfError(f"PDF refused: {_reason(exc)}" if over_budget(exc) else f"not a readable PDF: {_reason(exc)}") from exc
    if count > len(pages) == MAX_PDF_PAGES:
        warnings.append(f"pages {MAX_PDF_PAGES + 1}–{count} not read: only the first {MAX_PDF_PAGES} are")
    for page in pages:
        budget.new_page()
        try:
            texts.append(page.extract_text() or "")
        except Exception as exc:
            found = over_budget(exc)
            if found and found.document:
                rest = f"pages {page.page_number}–{len(pages)}" if page is not pages[-1] else f"page {page.page_number}"
                warnings.append(f"{rest} not read: {found.reason}")
                break
            warnings.append(f"page {page.page_number} not read: {_reason(exc)}")
            continue
        read.append(page)
        try:
            crossings = _crossings(page)
            if crossings > min(MAX_PDF_PAGE_CROSSINGS, crossings_left):
                warnings.append(
                    f"page {page.page_number}: tables not searched ({crossings:,} ruling-line crossings; "
                    f"{min(MAX_PDF_PAGE_CROSSINGS, crossings_left):,} allowed)"
                )
                continue
            crossings_left -= crossings
            tables = page.extract_tables()
        except Exception as exc:
            warnings.append(f"page {page.page_number}: tables not read ({_reason(exc)})")
            continue
        for table in tables:
            rows.extend(grid_rows(_grid(table, grids)))
    if pages and not read:
        raise PdfError(f"no page of the PDF could be read ({'; '.join(warnings[:3])})")
    title = (pdf.metadata or {}).get("Title")
    positional = None
    if not rows:
        try:
            positional = positional_rows(read)
        except Exception as exc:
            warnings.append(f"rows from word positions not read ({_reason(exc)})")
    text, cut = cut_text("\n".join(texts))
    if cut:
        warnings.append(cut)
    return PdfDocument(rows, text, title if isinstance(title, str) else None, count, positional, warnings)


def _page_count(pdf, listed: int) -> int:
    """Pages in the document (the page tree's /Count when more were listed than are read)."""
    if listed < MAX_PDF_PAGES:
        return listed
    try:
        count = resolve1(resolve1(pdf.doc.catalog.get("Pages")).get("Count"))
        return max(listed, int(count))
    except Exception:
        return listed


def _crossings(page) -> int:
    """Crossings of the merged horizontal and vertical ruling lines pdfplumber's table finder
    would examine (its default settings): the finder's work grows with their square."""
    from pdfplumber.table import TableSettings, merge_edges
    from pdfplumber.utils import filter_edges

    edges = page.edges
    settings = TableSettings.resolve(None)
    vertical = filter_edges(edges, "v", min_length=settings.edge_min_length_prefilter)
    horizontal = filter_edges(edges, "h", min_length=settings.edge_min_length_prefilter)
    if not vertical or not horizontal:
        return 0
    merged = filter_edges(
        merge_edges(
            vertical + horizontal,
            snap_x_tolerance=settings.snap_x_tolerance,
            snap_y_tolerance=settings.snap_y_tolerance,
            join_x_tolerance=settings.join_x_tolerance,
            join_y_tolerance=settings.join_y_tolerance,
        ),
        min_length=settings.edge_min_length,
    )
    v = sum(1 for e in merged if e["orientation"] == "v")
    return v * (len(merged) - v)


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
