"""PDF → rows: tables from ruling lines, else rows from word positions; text for title, year, prose.

pdfbounds.admit() first checks, under a budget, what the file would make PDFium decode and
interpret, and names the pages PDFium may load (a bomb page is skipped with a warning; a bomb in
the file's own structure refuses it). PDFium (pdfium.py) then gives each page's characters with
their boxes and its ruling lines. A page whose text layer is garbled (garbled.py) is read as no
text, with a warning, and listed in `garbled_pages`.

Ruling lines become cells through pdfplumber's table finder (its functions, fed PDFium's lines,
with its default settings) and each cell's text is the characters whose centre lies in it, as
pdfplumber takes them. A statistics table that runs across a page break arrives as two tables;
since rows are identified by their labels, reading the tables in page order rejoins it. Pages,
characters, ruling-line crossings and grid cells are capped (limits.py): a page that breaks a
cap is skipped with a warning, and a PDF of which no page could be read is refused.
"""

from __future__ import annotations

import re
from bisect import bisect_left
from dataclasses import dataclass, field

from pdfplumber.table import (
    Table,
    TableSettings,
    cells_to_tables,
    edges_to_intersections,
    merge_edges,
)
from pdfplumber.utils import filter_edges

from . import garbled, pdfium
from .labels import section_heading
from .limits import MAX_PDF_CROSSINGS, MAX_PDF_PAGE_CROSSINGS, MAX_PDF_PAGES, GridBudget, cut_text
from .ocr import OcrReading
from .pdfbounds import Admission, admit, over_budget
from .tables import Row, grid_rows

_TABLE_SETTINGS = TableSettings.resolve(None)  # pdfplumber's defaults, as page.extract_tables() used
TEXT_TOLERANCE = (3.0, 3.0)  # x, y: pdfplumber's extract_text(): words apart beyond 3 pt, lines beyond 3 pt
WORD_TOLERANCE = (1.5, 2.0)  # x, y: the words of a borderless table (numbers 2 pt apart stay two)


class PdfError(ValueError):
    """The bytes are not a PDF that can be read."""


@dataclass
class PdfDocument:
    rows: list[Row]
    text: str
    title: str | None
    pages: int
    positional: list[Row] | None = None  # rows from word positions, for pages without tables
    warnings: list[str] = field(default_factory=list)
    garbled_pages: list[int] = field(default_factory=list)  # pages whose text layer is garbage (read as none)
    ocr: OcrReading | None = None  # the pages without usable text, read by OCR (ocr.py)

    @property
    def garbled(self) -> bool:
        """The text layer of some page is garbage: OCR of those pages would read what the file does not."""
        return bool(self.garbled_pages)


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
    """What stopped the reading: a cap's reason, or the class of the error."""
    found = over_budget(exc)
    if found:
        return found.reason
    inner = next((a for a in exc.args if isinstance(a, BaseException)), exc)
    return inner.__class__.__name__


def read_pdf(data: bytes, ocr: bool = True) -> PdfDocument:
    """Rows, text and title of a PDF. Raises PdfError when it cannot be read at all (not a PDF,
    a bomb in its structure, no page readable). With `ocr`, the pages read that have no usable
    text (none, or a garbled layer) are read by OCR (ocr.py), within its budget and page cap."""
    try:
        admission = admit(data)
    except Exception as exc:  # pdfminer raises many kinds on garbage
        found = over_budget(exc)
        raise PdfError(f"PDF refused: {found.reason}" if found else f"not a readable PDF: {_reason(exc)}") from exc
    try:
        with pdfium.opened(data) as document:  # PDFium's lock is held only while it reads
            count, title, pages, warnings = _load(document, admission)
    except pdfium.PdfiumError as exc:
        raise PdfError(f"not a readable PDF: {exc}") from exc
    document = _read(count, title, pages, warnings)
    textless = [page.number for page in pages if not page.chars]
    from . import ocr as scans

    if ocr and textless and scans.enabled():
        from .ocr import read_pages, render_pages

        sizes = {page.number: (page.width, page.height) for page in pages}
        document.ocr = read_pages(render_pages(data, textless, sizes), len(textless))
        document.warnings.extend(document.ocr.warnings)
    return document


def _load(document, admission: Admission) -> tuple[int, str | None, list[pdfium.Page], list[str]]:
    """The admitted pages of the document open in PDFium: page count, title, pages, warnings."""
    warnings: list[str] = []
    count = len(document)
    readable = min(count, MAX_PDF_PAGES)
    if admission.listed != readable:
        if admission.refused:
            number, reason = next(iter(admission.refused.items()))
            raise PdfError(
                f"PDF refused: its page tree reads as {admission.listed} pages one way and {count} the other, "
                f"and page {number} is over a cap ({reason})"
            )
        readable = min(readable, admission.listed)
        if readable < count:
            pages = f"pages {readable + 1}–{count}" if count > readable + 1 else f"page {count}"
            warnings.append(f"{pages} not read: its page tree is damaged")
    elif count > MAX_PDF_PAGES:
        warnings.append(f"pages {MAX_PDF_PAGES + 1}–{count} not read: only the first {MAX_PDF_PAGES} are")
    wanted = _admitted(admission, readable, warnings)
    pages = []
    for page in pdfium.read_pages(document, wanted):
        if page.skipped:
            warnings.append(f"page {page.number} not read: {page.skipped}")
        else:
            pages.append(page)
    if readable and not pages:
        raise PdfError(f"no page of the PDF could be read ({'; '.join(warnings[:3])})")
    return count, _title(document), pages, warnings


def _read(count: int, title: str | None, pages: list[pdfium.Page], warnings: list[str]) -> PdfDocument:
    """Rows and text of the pages read."""
    garbled_pages = _drop_garbled(pages, warnings)
    grids = GridBudget(warnings)
    rows: list[Row] = []
    crossings_left = MAX_PDF_CROSSINGS
    for page in pages:
        if not page.chars or not page.edges:
            continue
        tables, crossings = _tables(page.edges, min(MAX_PDF_PAGE_CROSSINGS, crossings_left))
        if tables is None:
            warnings.append(
                f"page {page.number}: tables not searched ({crossings:,} ruling-line crossings; "
                f"{min(MAX_PDF_PAGE_CROSSINGS, crossings_left):,} allowed)"
            )
            continue
        crossings_left -= crossings
        for table in tables:
            rows.extend(grid_rows(_grid(_cells_text(table, page.chars), grids)))
    positional = None if rows else positional_rows(pages)
    text, cut = cut_text("\n".join(filter(None, (page_text(page.chars) for page in pages))))
    if cut:
        warnings.append(cut)
    return PdfDocument(rows, text, title, count, positional, warnings, garbled_pages)


def _admitted(admission: Admission, readable: int, warnings: list[str]) -> list[int]:
    """The page numbers PDFium may load, with a warning for the others (a run of pages refused
    for the same reason, as the document's budget runs out, is one warning)."""
    wanted = []
    number = 1
    while number <= readable:
        reason = admission.refused.get(number)
        if reason is None:
            wanted.append(number)
            number += 1
            continue
        last = number
        while last + 1 <= readable and admission.refused.get(last + 1) == reason:
            last += 1
        warnings.append(f"pages {number}–{last} not read: {reason}" if last > number else f"page {number} not read: {reason}")
        number = last + 1
    return wanted


def _drop_garbled(pages: list[pdfium.Page], warnings: list[str]) -> list[int]:
    """Pages whose text layer is garbage lose their characters (read as no text), each with a
    warning; a document whose whole text fails the vocabulary rule loses all of them."""
    dropped = []
    for page in pages:
        verdict = garbled.judge_page("".join(c.text for c in page.chars))
        if verdict.garbled:
            warnings.append(f"page {page.number}: its text layer is garbled ({verdict.reason}); read as no text")
            page.chars, page.edges = [], None
            dropped.append(page.number)
    verdict = garbled.judge_document("".join(c.text for page in pages for c in page.chars))
    if verdict.garbled:
        warnings.append(f"the text layer is garbled ({verdict.reason}); read as no text")
        dropped = sorted(set(dropped) | {page.number for page in pages if page.chars})
        for page in pages:
            page.chars, page.edges = [], None
    return dropped


def _title(document) -> str | None:
    try:
        title = document.get_metadata_value("Title")
    except Exception:
        return None
    return (title.strip() or None) if isinstance(title, str) else None


# --- ruled tables: pdfplumber's table finder on PDFium's lines ------------------------------


def _tables(edges: list[dict], allowed: int) -> tuple[list[list[tuple]] | None, int]:
    """The tables of a page (each a list of rows of cell boxes, None where a merged cell covers
    the position) and the ruling-line crossings examined; None when those are over `allowed`
    (the finder's cell search is quadratic in them)."""
    s = _TABLE_SETTINGS
    merged = filter_edges(
        merge_edges(
            filter_edges(edges, min_length=s.edge_min_length_prefilter),
            snap_x_tolerance=s.snap_x_tolerance,
            snap_y_tolerance=s.snap_y_tolerance,
            join_x_tolerance=s.join_x_tolerance,
            join_y_tolerance=s.join_y_tolerance,
        ),
        min_length=s.edge_min_length,
    )
    merged += _cut_borders(merged, s.snap_y_tolerance)
    vertical = sum(1 for e in merged if e["orientation"] == "v")
    crossings = vertical * (len(merged) - vertical)
    if crossings > allowed:
        return None, crossings
    if not crossings:
        return [], 0
    intersections = edges_to_intersections(merged, s.intersection_x_tolerance, s.intersection_y_tolerance)
    cells = _intersections_to_cells(intersections)
    return [[row.cells for row in Table(None, group).rows] for group in cells_to_tables(cells)], crossings


def _intersections_to_cells(intersections: dict) -> list[tuple]:
    """pdfplumber's intersections_to_cells, step for step (the smallest cell from each
    crossing, right and down along ruling lines that join them), with each crossing's lines
    gathered once instead of at every comparison: the same cells, several times faster."""
    def lines(point: tuple, orientation: str) -> set:
        return {(e["x0"], e["top"], e["x1"], e["bottom"]) for e in intersections[point][orientation]}

    vertical = {p: lines(p, "v") for p in intersections}
    horizontal = {p: lines(p, "h") for p in intersections}

    def connects(a: tuple, b: tuple) -> bool:
        return (a[0] == b[0] and not vertical[a].isdisjoint(vertical[b])) or (
            a[1] == b[1] and not horizontal[a].isdisjoint(horizontal[b]))

    points = sorted(intersections)
    same_x: dict[float, list[tuple]] = {}
    same_y: dict[float, list[tuple]] = {}
    for point in points:
        same_x.setdefault(point[0], []).append(point)
        same_y.setdefault(point[1], []).append(point)
    cells = []
    for point in points:
        below = [p for p in same_x[point[0]] if p > point]
        right = [p for p in same_y[point[1]] if p > point]
        cell = next((
            (point[0], point[1], r[0], b[1])
            for b in below if connects(point, b)
            for r in right if connects(point, r)
            if (r[0], b[1]) in intersections and connects((r[0], b[1]), r) and connects((r[0], b[1]), b)
        ), None)
        if cell:
            cells.append(cell)
    return cells


def _cut_borders(edges: list[dict], tolerance: float) -> list[dict]:
    """The borders a page break cut away: where a table runs over a page break a browser draws
    no border at the cut (the row continues from the page before), so the first row of the
    page (or the last) has no ruling line on one side and pdfplumber's finder makes no cell of
    it. Where two or more vertical lines end at one height with no horizontal line across
    their ends, the line between those ends is drawn."""
    horizontal = [e for e in edges if e["orientation"] == "h"]
    vertical = [e for e in edges if e["orientation"] == "v"]
    drawn = []
    for end in ("top", "bottom"):
        loose = sorted(
            (v for v in vertical if not any(
                abs(h["top"] - v[end]) <= tolerance and h["x0"] - tolerance <= v["x0"] <= h["x1"] + tolerance
                for h in horizontal)),
            key=lambda v: v[end],
        )
        group: list[dict] = []
        for v in [*loose, None]:
            if v is not None and (not group or v[end] - group[-1][end] <= tolerance):
                group.append(v)
                continue
            if len(group) >= 2:
                y = group[0][end]
                x0, x1 = min(g["x0"] for g in group), max(g["x0"] for g in group)
                drawn.append({"x0": x0, "x1": x1, "top": y, "bottom": y, "width": x1 - x0, "height": 0, "orientation": "h"})
            group = [v] if v is not None else []
    return drawn


def _cells_text(table: list[list[tuple | None]], chars: list[pdfium.Char]) -> list[list[str | None]]:
    """Each cell's text: the characters whose centre lies in its box (pdfplumber's rule),
    line by line (the grid drops the spaces and line breaks between them)."""
    by_middle = sorted(chars, key=lambda ch: ch.top + ch.bottom)
    middles = [ch.top + ch.bottom for ch in by_middle]
    out = []
    for row in table:
        boxes = [c for c in row if c is not None]
        top, bottom = min(b[1] for b in boxes), max(b[3] for b in boxes)
        inside = by_middle[bisect_left(middles, 2 * top) : bisect_left(middles, 2 * bottom)]
        line = []
        for box in row:
            if box is None:
                line.append(None)
                continue
            x0, t, x1, b = box
            mine = [ch for ch in inside if x0 <= (ch.x0 + ch.x1) / 2 < x1 and t <= (ch.top + ch.bottom) / 2 < b]
            line.append("".join(ch.text for ch in _reading_order(mine)))
        out.append(line)
    return out


# --- characters → words → lines -------------------------------------------------------------


def lines_of(chars: list[pdfium.Char], x_tolerance: float, y_tolerance: float) -> list[list[dict]]:
    """Printed lines, top to bottom (characters whose baselines lie within `y_tolerance` of the
    previous one's, chained as pdfplumber clusters them; a baseline rather than a top, since
    a bold heading's font and the text's font have tops of their own), each a list of words
    left to right (a word ends where the next character starts more than `x_tolerance` to the
    right)."""
    clusters: list[list[pdfium.Char]] = []
    last = None
    for ch in sorted(chars, key=lambda c: c.baseline):
        if last is not None and ch.baseline - last <= y_tolerance:
            clusters[-1].append(ch)
        else:
            clusters.append([ch])
        last = ch.baseline
    lines = []
    for cluster in clusters:
        words: list[list[pdfium.Char]] = []
        for ch in sorted(cluster, key=lambda c: c.x0):
            if words and ch.x0 <= words[-1][-1].x1 + x_tolerance and ch.x1 >= words[-1][-1].x0 - x_tolerance:
                words[-1].append(ch)
            else:
                words.append([ch])
        lines.append([_word(w) for w in words])
    return lines


def _reading_order(chars: list[pdfium.Char]) -> list[pdfium.Char]:
    """Characters line by line (as lines_of() clusters them), left to right."""
    out: list[pdfium.Char] = []
    cluster: list[pdfium.Char] = []
    last = None
    for ch in sorted(chars, key=lambda c: c.baseline):
        if last is not None and ch.baseline - last > TEXT_TOLERANCE[1]:
            out.extend(sorted(cluster, key=lambda c: c.x0))
            cluster = []
        cluster.append(ch)
        last = ch.baseline
    out.extend(sorted(cluster, key=lambda c: c.x0))
    return out


def _word(chars: list[pdfium.Char]) -> dict:
    return {
        "text": "".join(c.text for c in chars),
        "x0": min(c.x0 for c in chars),
        "x1": max(c.x1 for c in chars),
        "top": min(c.top for c in chars),
        "bottom": max(c.bottom for c in chars),
        "baseline": chars[0].baseline,
    }


def page_text(chars: list[pdfium.Char]) -> str:
    """A page's text as pdfplumber's extract_text() lays it out: words joined by a space, lines
    by a line break."""
    return "\n".join(" ".join(w["text"] for w in line) for line in lines_of(chars, *TEXT_TOLERANCE))


# --- pages without ruling lines: rows from the words' positions ----------------------------
CHAIN_GAP = 8.0  # points between the lines of one wrapped label


def _lines(words: list[dict]) -> list[list[dict]]:
    """Words grouped into printed lines (same baseline within 2.5 pt), top to bottom."""
    lines: list[list[dict]] = []
    for word in sorted(words, key=lambda w: (w["baseline"], w["x0"])):
        if lines and abs(lines[-1][0]["baseline"] - word["baseline"]) <= 2.5:
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


def _label_text(words: list[dict]) -> str:
    return "".join(w["text"] for w in words)


def _opens_label(words: list[dict]) -> bool:
    """The line's label part opens a row label with its numbering ((二) / 2. / 四、): the word
    nearest the numbers does (group labels stand further left, in columns of their own)."""
    return bool(words) and bool(_NUMBERED.match(words[-1]["text"]))


def _hand_numbered_lines_down(owner: dict[int, int], value_at: list[int], parts) -> None:
    """A label line that opens with its numbering ((二) / 2. / 四、) below a row's numbers
    starts the next row's label: it and the lines after it belong to the next row."""
    for k, v in enumerate(value_at[:-1]):
        below = sorted(j for j, o in owner.items() if o == v and j > v)
        for position, j in enumerate(below):
            if _opens_label(parts[j][0]):
                for moved in below[position:]:
                    owner[moved] = value_at[k + 1]
                break


def _hand_lines_before_numbering_up(owner: dict[int, int], value_at: list[int], lines, parts) -> list[int]:
    """A row whose label opens with its numbering on a line below the top of its chain: the
    lines above that opening are not its label. When they continue the chain of the row before
    (wrapped past its numbers, and nearer to this row's), they end that row's label; when this
    is the page's first row, they may end the label of the previous page's last row, and are
    returned; otherwise they are column headers or notes, and stay context."""
    orphans: list[int] = []
    for k, v in enumerate(value_at):
        mine = sorted(j for j, o in owner.items() if o == v and j <= v)
        start = next((j for j in mine if _opens_label(parts[j][0])), None)
        above = [j for j in mine if start is not None and j < start]
        if not above:
            continue
        first = above[0]
        joined = (
            k > 0 and first > 0 and owner.get(first - 1) == value_at[k - 1]
            and lines[first][0]["top"] - lines[first - 1][0]["bottom"] <= CHAIN_GAP
        )
        for j in above:
            if joined:
                owner[j] = value_at[k - 1]
            else:
                del owner[j]
        if k == 0:
            orphans = above
    return orphans


# Words of a table's header or a section's heading: a page that opens with them opens with a
# (repeated) header, not with the end of the label the page break cut.
_NOT_A_LABEL = re.compile(r"申请人情况|自然人|法人或其他组织|勾稽关系|信息内容|行政复议|行政诉讼|结果维持|第二十条")


def _continues_label(orphans: list[int], parts, value_at: list[int]) -> bool:
    """Whether the lines that open a page, above its first row's label, can end the label of
    the previous page's last row: label words only (none over the numbers' columns), and no
    header or heading among them."""
    left = parts[value_at[0]][1][0]["x0"] - 1
    words = [w for j in orphans for w in parts[j][0]]
    text = "".join(w["text"] for w in words)
    return (
        all(w["x0"] < left for w in words)
        and not _NOT_A_LABEL.search(text)
        and not any(section_heading(w["text"]) for w in words)
    )


def positional_rows(pages: list[pdfium.Page]) -> list[Row]:
    """Rows of a table printed without ruling lines: each line ending in numbers is a row, and
    the label lines wrapped above and below it (a chain of lines closer than CHAIN_GAP) join
    the row whose numbers they are nearest to — unless the numbering that opens a label says
    where one row's label ends and the next one's begins, on the page or across a page break.
    Words of those lines that stand over the numbers' columns are column headers, not label:
    they stay context, as do all other lines (headings, prose)."""
    from .text import is_text_value

    rows: list[tuple[float, Row]] = []
    last_row: list[dict] | None = None  # the label words of the previous page's last row, if it ends the page
    for page in pages:
        offset = page.number * 10_000  # one vertical axis for the whole document
        words = [dict(w, top=w["top"] + offset, bottom=w["bottom"] + offset, baseline=w["baseline"] + offset)
                 for line in lines_of(page.chars, *WORD_TOLERANCE) for w in line]
        lines = _lines(words)
        value_at: list[int] = []
        parts = []
        for i, line in enumerate(lines):
            split = len(line)
            while split > 0 and is_text_value(line[split - 1]["text"]):
                split -= 1
            parts.append((line[:split], line[split:]))
            if split < len(line):
                value_at.append(i)
        owner = _chains(lines, parts, value_at)
        _hand_numbered_lines_down(owner, value_at, parts)
        orphans = _hand_lines_before_numbering_up(owner, value_at, lines, parts)
        taken: set[int] = set()
        if orphans and last_row is not None and _continues_label(orphans, parts, value_at):
            for j in orphans:  # the label the page break cut, ended
                last_row.extend(parts[j][0])
            taken.update(orphans)
        grouped: dict[int, list[dict]] = {}
        for j, v in owner.items():
            left = parts[v][1][0]["x0"] - 1
            label = [w for w in parts[j][0] if j == v or w["x0"] < left]
            header = [w for w in parts[j][0] if j != v and w["x0"] >= left]
            grouped.setdefault(v, []).extend(label)
            if header:  # column headers over the numbers: context, in reading order
                rows.append((lines[j][0]["top"], Row([_label_text(header)])))
        last_row = None
        for i, (label_words, value_words) in enumerate(parts):
            top = lines[i][0]["top"]
            if i in grouped:
                words_of_row = grouped[i]
                rows.append((top, _PendingRow(words_of_row, [w["text"] for w in value_words])))
                last_row = words_of_row
            elif i not in owner and i not in taken:
                rows.append((top, Row([_label_text(label_words)])))
                last_row = None
    return [row.done() if isinstance(row, _PendingRow) else row for _, row in sorted(rows, key=lambda r: r[0])]


@dataclass
class _PendingRow:
    """A row whose label words may still grow (the next page can end its label)."""

    words: list[dict]
    values: list[str]

    def done(self) -> Row:
        return Row(_columns(self.words), self.values)


def _chains(lines: list[list[dict]], parts, value_at: list[int]) -> dict[int, int]:
    """Line → the value line it belongs to: each value line, and the label lines chained to it
    above and below (gaps under CHAIN_GAP), as long as no other value line is nearer."""
    owner: dict[int, int] = {i: i for i in value_at}
    centres = {i: (lines[i][0]["top"] + lines[i][0]["bottom"]) / 2 for i in range(len(lines))}
    for v in value_at:
        for step in (-1, 1):
            j = v + step
            while 0 <= j < len(lines) and j not in owner and not parts[j][1]:
                edge = lines[j - step][0]
                gap = (edge["top"] - lines[j][0]["bottom"]) if step < 0 else (lines[j][0]["top"] - edge["bottom"])
                if gap > CHAIN_GAP:
                    break
                mine = abs(centres[j] - centres[v])
                if any(abs(centres[j] - centres[o]) < mine for o in value_at if o != v):
                    break
                owner[j] = v
                j += step
    return owner
