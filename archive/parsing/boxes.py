"""OCR text boxes → rows for the one table interpreter (tables.interpret).

An OCR engine gives lines of text, each with a box and a confidence. A table comes back as
boxes scattered over the page, a little turned when the page was scanned askew. Here:

1. the page's skew is measured from the boxes' own top edges and undone;
2. boxes are clustered into printed lines by their vertical centres;
3. the column headers (自然人 … 总计, 结果维持 … 总计, 本年制发件数 …) give the columns' positions, and
   each number of a line below them goes to the column it stands under (a header of fewer
   than three columns — section 二's 本年处理决定数量 — starts a table read in order); a column with no
   number under it is a cell not read (placeholder ILLEGIBLE, left null), never a blank 0.
   Header words OCR missed or ran together leave gaps in a regular grid: a gap of k spacings
   is k − 1 columns, and a number one spacing right of the last column (总计, often printed
   over two header rows) adds that column. Under known columns, a box that is not a number (a
   smudge read as a character) is that cell's text, left null by the interpreter — the other
   cells of its line keep their columns; a box that reaches over two columns' numbers (cells
   OCR ran together) leaves those cells not read;
4. a line of numbers takes the label boxes left of them, and the label-only lines just above
   or below it (a label wrapped around its numbers), as its label cells.

A number whose confidence is under MIN_SCORE is not taken at all: its cell is ILLEGIBLE. The
rows are text rows (`exact=False`): OCR cannot tell a blank cell from a number it missed.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from statistics import median

from .tables import Row

# The confidence a number's line must reach to be read (RapidOCR's recognition score, 0–1).
# Measured on the rendered fixtures (tests/test_ocr.py) and redteam2-pdf-scanned-image: right
# numbers score 0.95–1.0; wrong ones scored 0.55–0.99, most of them under 0.95. A score does not
# prove a reading (a 9 read as 6 scored 0.997): the arithmetic confirms every OCR number after
# this (ocr.confirm).
MIN_SCORE = 0.95
# PP-OCR's recognizer is unsure of any lone character: a clean, unmistakable "0" — the commonest
# cell of a real report — scores 0.27–0.75 on a scan (read as "o" one time in seven), a lone "6"
# 0.8. A one-digit cell (a lone o/O in a number's place is a 0) is taken from
# MIN_SCORE_ONE_DIGIT; a wrong one is then caught like any other by the arithmetic (a 0 that is
# really 8 breaks its row and column sums), which every OCR number must pass (ocr.confirm).
MIN_SCORE_ONE_DIGIT = 0.25
ILLEGIBLE = "(illegible)"  # a cell OCR could not read: interpret reads it as not a number (null)

# A number box: digits (and the letters OCR confuses with them, so that the box keeps its
# column and is read as not a number), separators, or a mark of zero.
_VALUE = re.compile(r"^[-—–/]$|^[0-9０-９OoIlSB.,，．]*[0-9０-９][0-9０-９OoIlSB.,，．]*$")
_HEADER_WORDS = ("自然人", "商业企业", "科研机构", "社会公益组织", "法律服务机构", "其他", "总计", "结果维持", "结果纠正",
                 "其他结果", "尚未审结", "本年制发件数", "本年废止件数", "现行有效件数", "本年处理决定数量")
_HEADER = re.compile(rf"^({'|'.join(_HEADER_WORDS)}|本年收费金额.*)$")


def _is_header(text: str) -> bool:
    """A column header word, or the first line of one printed over two (商业企 / 业, 法律服务机 / 构:
    all but at most its last two characters)."""
    text = text.replace(" ", "")
    return bool(_HEADER.match(text)) or any(
        len(text) >= max(2, len(word) - 2) and word.startswith(text) and text != word for word in _HEADER_WORDS)


@dataclass
class Box:
    text: str
    score: float
    x: float  # centre, after the skew is undone
    y: float
    height: float
    width: float = 0.0

    @property
    def is_value(self) -> bool:
        return bool(_VALUE.match(self.text.replace(" ", "")))


def boxes_from_ocr(result: list) -> list[Box]:
    """RapidOCR's [[4 corner points], text, score] lines as boxes, the page's skew undone."""
    if not result:
        return []
    angles = []
    for corners, _, _ in result:
        (x0, y0), (x1, y1) = corners[0], corners[1]
        height = math.dist(corners[0], corners[3])
        if x1 - x0 > 3 * max(height, 1):  # long boxes give the angle best
            angles.append(math.atan2(y1 - y0, x1 - x0))
    angle = median(angles) if angles else 0.0
    cos, sin = math.cos(-angle), math.sin(-angle)
    boxes = []
    for corners, text, score in result:
        cx = sum(p[0] for p in corners) / 4
        cy = sum(p[1] for p in corners) / 4
        height = math.dist(corners[0], corners[3])
        boxes.append(Box(str(text).strip(), float(score), cx * cos - cy * sin, cx * sin + cy * cos, height,
                         math.dist(corners[0], corners[1])))
    return [b for b in boxes if b.text]


def lines_of(boxes: list[Box]) -> list[list[Box]]:
    """Boxes clustered into printed lines (centres within half a line's height), top to bottom,
    each left to right."""
    if not boxes:
        return []
    tolerance = 0.5 * median(b.height for b in boxes)
    lines: list[list[Box]] = []
    for box in sorted(boxes, key=lambda b: b.y):
        if lines and abs(box.y - sum(b.y for b in lines[-1]) / len(lines[-1])) <= tolerance:
            lines[-1].append(box)
        else:
            lines.append([box])
    return [sorted(line, key=lambda b: b.x) for line in lines]


def page_text(lines: list[list[Box]]) -> str:
    return "\n".join(" ".join(b.text for b in line) for line in lines)


def rows_from_boxes(boxes: list[Box]) -> list[Row]:
    """The rows of one page, in reading order (see the module's docstring)."""
    lines = lines_of(boxes)
    if not lines:
        return []
    line_height = median(b.height for b in boxes)
    # A line of numbers: its trailing boxes are values (a label may hold digits: "3.其他").
    parts = []
    for line in lines:
        split = len(line)
        while split > 0 and line[split - 1].is_value:
            split -= 1
        parts.append((line[:split], line[split:]))
    value_at = [i for i, (_, values) in enumerate(parts) if values]
    owner = _wrapped_labels(lines, parts, value_at, line_height)
    rows: list[Row] = []
    columns: list[float] = []
    header: list[Box] = []
    for i, (labels, values) in enumerate(parts):
        if columns and labels:
            labels, values = _under_columns(lines[i], labels, values, columns)
        if not values:
            if i in owner:
                continue  # a wrapped label: taken by its row
            # header words since the last line of numbers: three or more set the columns; fewer
            # start a table of one or two columns (section 二's 本年处理决定数量), read in order
            named = [b for b in labels if _is_header(b.text)]
            header += named
            if len(header) >= 3:
                columns = _grid(sorted(b.x for b in header))
            elif named:
                columns = []
            rows.append(Row([b.text for b in labels]))
            continue
        header = []
        above = [b.text for j in sorted(owner) if owner[j] == i and j < i for b in parts[j][0]]
        below = [b.text for j in sorted(owner) if owner[j] == i and j > i for b in parts[j][0]]
        label_cells = above + [b.text for b in labels] + below
        rows.append(Row(label_cells, _placed(values, columns)))
    return rows


def _spacing(columns: list[float]) -> float:
    return min(b - a for a, b in zip(columns, columns[1:]))


def _grid(xs: list[float]) -> list[float]:
    """Header positions made a grid: near-equal positions merged, a gap of k spacings (within
    a fifth of one) filled with the k − 1 columns a missed header word leaves."""
    merged: list[float] = []
    for x in xs:
        if merged and x - merged[-1] < 8:
            continue
        merged.append(x)
    if len(merged) < 2:
        return merged
    spacing = _spacing(merged)
    grid = [merged[0]]
    for x in merged[1:]:
        gap = x - grid[-1]
        k = round(gap / spacing)
        if 2 <= k <= 4 and abs(gap - k * spacing) <= 0.2 * spacing:
            grid += [grid[-1] + gap * j / k for j in range(1, k)]
        grid.append(x)
    return grid


def _under_columns(line: list[Box], labels: list[Box], values: list[Box], columns: list[float]) -> tuple[list[Box], list[Box]]:
    """Under known columns, the boxes of a line that stand in them are its cells, numbers or
    not (a smudge read as 国), when the line has numbers among them; the rest are its label."""
    if len(columns) < 2:
        return labels, values
    edge = columns[0] - 0.5 * _spacing(columns)
    inside = [b for b in line if b.x >= edge]
    if not inside or not any(b.is_value for b in inside) or len(inside) > len(columns) + 1:
        return labels, values
    return [b for b in line if b.x < edge], inside


def _placed(values: list[Box], columns: list[float]) -> list[str]:
    """The value cells of a line: under the header's columns when the numbers stand under them
    (each number in its nearest column; a column without one ILLEGIBLE), else in order."""
    def text(box: Box) -> str:
        text = box.text.replace(" ", "")
        text = "0" if text in ("o", "O") else text
        floor = MIN_SCORE_ONE_DIGIT if len(text) == 1 and text.isdigit() else MIN_SCORE
        return text if box.score >= floor else ILLEGIBLE

    if len(columns) < 2 or not values or values[0].x < columns[0] - (columns[1] - columns[0]):
        return [text(b) for b in values]
    spacing = _spacing(columns)
    right = max(b.x for b in values) - columns[-1]
    k = round(right / spacing)
    if 1 <= k <= 2 and abs(right - k * spacing) <= 0.3 * spacing:
        columns += [columns[-1] + spacing * j for j in range(1, k + 1)]  # kept for the lines below
    cells = [ILLEGIBLE] * len(columns)
    taken = [False] * len(columns)
    for box in values:
        k = min(range(len(columns)), key=lambda c: abs(columns[c] - box.x))
        spanned = [c for c in range(len(columns)) if abs(columns[c] - box.x) <= box.width / 2]
        if len(spanned) >= 2 and not any(taken[c] for c in spanned):
            # one box over two columns' numbers (OCR ran neighbouring cells together): none of
            # them is read, and the rest of the line keeps its columns
            for c in spanned:
                taken[c] = True
            continue
        if abs(columns[k] - box.x) > 0.6 * max(spacing, 1) or taken[k]:
            return [text(b) for b in values]  # the numbers do not stand under this header
        cells[k], taken[k] = text(box), True
    return cells


def _wrapped_labels(lines, parts, value_at: list[int], line_height: float) -> dict[int, int]:
    """Label-only lines that belong to a line of numbers: within 1.2 lines of it, nearer to it
    than to any other line of numbers, with no header word and no section heading — and not a
    row label complete in itself next to numbers that have one (a row whose numbers OCR missed
    is no fragment of its neighbour's label: taken as one, the neighbour is read as that row)."""
    from .labels import match_request_row, norm_label, section_heading

    def complete(labels: list[Box]) -> bool:
        return any(match_request_row([norm_label(b.text)]) is not None for b in labels)

    owner: dict[int, int] = {}
    centre = [sum(b.y for b in line) / len(line) for line in lines]
    for j, (labels, values) in enumerate(parts):
        if values or not labels or not value_at:
            continue
        if any(_is_header(b.text) for b in labels):
            continue
        if any(section_heading(b.text) for b in labels):
            continue
        nearest = min(value_at, key=lambda v: abs(centre[v] - centre[j]))
        if abs(centre[nearest] - centre[j]) > 1.2 * line_height:
            continue
        if complete(labels) and complete(parts[nearest][0]):
            continue  # two rows, each with its own label: not one wrapped label
        owner[j] = nearest
    return owner
