"""Plain text → rows, for every layout text extraction produces.

Seen in real extractions: tab-separated rows whose labels drift one cell left or right; one
cell per line (or per paragraph); `| a | b |` and `a | b |` pipe rows; PDF text with the
numbers space-separated after the label; labels printed one character per line (rotated
cells). All of them become one stream of cells in reading order, and a row is a run of
label cells followed by a run of value cells — so line breaks and column drift stop mattering.
"""

from __future__ import annotations

import re

from .labels import section_heading
from .limits import cut_text
from .numbers import is_value_cell, looks_numeric
from .tables import Row

_SPACES = re.compile(r"[\s\u00a0\u3000\u200b\ufeff]+")
_PIPE_RULE = re.compile(r"^\|?\s*:?-{2,}")
# Page furniture that PDF text carries between table rows: "- 4 -", "第 4 页", "4 / 6".
_PAGE_NUMBER = re.compile(r"^\s*([-—–]\s*\d{1,3}\s*[-—–]|第\s*\d{1,3}\s*页(\s*共\s*\d{1,3}\s*页)?|\d{1,3}\s*/\s*\d{1,3})\s*$")
# Markup that PDF-to-markdown converters leave inside cells (<br>, **bold**).
_INLINE_TAGS = re.compile(r"</?(br|b|strong|span|p)\b[^>]*>", re.I)
# Line breaks inside one converted cell ("3<br>5").
_CELL_BREAK = re.compile(r"<br\b[^>]*>|</p>\s*<p\b[^>]*>", re.I)
# Column placeholders such converters invent for empty header cells (Col2, Col10).
_WORDS = re.compile(r"[A-Za-z]{2,}")


def is_text_value(cell: str) -> bool:
    """A value token of plain text: a number, a zero mark, or short digit-like garbage (1O);
    a token with a word in it (Col2, six) is not — in text its column cannot be known."""
    return is_value_cell(cell) and (looks_numeric(cell) or not _WORDS.search(cell))


# A label with its digits glued on ("…申请数量6000006"): the label ends in Chinese.
_GLUED_DIGITS = re.compile(r"^(.*[\u3400-\u9fff）)])(\d{7,})$")


def _cells_of_line(line: str) -> list[str]:
    if _PAGE_NUMBER.match(line):
        return []
    if "|" in line:
        if _PIPE_RULE.match(line.strip()):
            return []
        parts = line.split("|")
    else:
        parts = line.split("\t")
    cells = []
    for part in parts:
        if _PAGE_NUMBER.match(part) and "/" not in part:
            continue  # a page footer a converter put inside a table row (|— 5 —|||…|); "1/2" may be a cell
        pieces = [_clean(piece) for piece in _CELL_BREAK.split(part)]
        pieces = [piece for piece in pieces if piece]
        if len(pieces) > 1 and all(looks_numeric(piece) for piece in pieces):
            # numbers on separate lines of one cell ("3<br>5"): the cell keeps its line break
            cells.append("\n".join(pieces))
            continue
        text = _clean(part)
        if text:
            cells.extend(_split_numbers(text))
    return cells


def _clean(part: str) -> str:
    return _SPACES.sub(" ", _INLINE_TAGS.sub("", part)).strip().strip("*").strip()


def _split_numbers(text: str) -> list[str]:
    """'一、本年新收… 6 0 0 0 0 0 6' → label and six values; '0 0 0' → three values."""
    tokens = text.split(" ")
    if len(tokens) > 1 and all(looks_numeric(t) for t in tokens):
        return tokens
    glued = _GLUED_DIGITS.match(text)
    if glued:
        return [glued.group(1), glued.group(2)]
    # The longest run of value tokens at the end ("6件 0 0"), after a label of two or more
    # characters that does not itself end in a digit.
    split = len(tokens)
    while split > 1 and looks_numeric(tokens[split - 1]):
        split -= 1
    label = " ".join(tokens[:split]).strip()
    if split < len(tokens) and len(label) >= 2 and not label[-1].isdigit():
        return [label, *tokens[split:]]
    return [text]


def _join_broken_labels(cells: list[tuple[str, bool, int]]) -> list[tuple[str, int]]:
    """Labels printed one or two characters per line (rotated cells) become one label (on the
    line where it starts). Each cell keeps the number of the line it was printed on."""
    out: list[tuple[str, int]] = []
    run: list[str] = []
    start = 0
    for cell, whole_line, line in cells:
        short = whole_line and len(cell) <= 2 and not looks_numeric(cell)
        if short:
            if not run:
                start = line
            run.append(cell)
            continue
        if run:
            out.append(("".join(run), start))
            run = []
        out.append((cell, line))
    if run:
        out.append(("".join(run), start))
    return out


def rows_from_text(text: str, values_first: bool = False) -> list[Row]:
    """Every line of the text as cells, regrouped into label-run + value-run rows (or, with
    `values_first`, value-run + label-run rows, for extractions that print numbers first).
    Text beyond limits.MAX_TEXT_CHARS / MAX_TEXT_LINES is not read (the callers warn)."""
    text, _ = cut_text(text)
    tagged: list[tuple[str, bool, int]] = []
    for number, line in enumerate(text.splitlines()):
        cells = _cells_of_line(line)
        for cell in cells:
            tagged.append((cell, len(cells) == 1, number))
    cells = _join_broken_labels(tagged)
    return _values_then_labels(cells) if values_first else _labels_then_values(cells)


def _row(labels: list[tuple[str, int]], values: list[tuple[str, int]]) -> Row:
    """A Row that remembers the line of each cell (placement.py reads a row's label on the
    line above or below its numbers)."""
    return Row([c for c, _ in labels], [c for c, _ in values], lines=[n for _, n in labels + values])


def _labels_then_values(cells: list[tuple[str, int]]) -> list[Row]:
    rows: list[Row] = []
    labels: list[tuple[str, int]] = []
    values: list[tuple[str, int]] = []
    for cell in cells:
        if is_text_value(cell[0]):
            values.append(cell)
            continue
        if values:
            rows.append(_row(labels, values))
            labels, values = [], []
        labels.append(cell)
    rows.append(_row(labels, values))
    return rows


def _values_then_labels(cells: list[tuple[str, int]]) -> list[Row]:
    """A run of values, then the labels after it, make one row; labels before any values
    (headings) stay context."""
    rows: list[Row] = []
    labels: list[tuple[str, int]] = []
    values: list[tuple[str, int]] = []
    for cell in cells:
        if not is_text_value(cell[0]):
            if values and labels and section_heading(cell[0]):
                # a section heading after a row's label starts the next section, not this row
                rows.append(_row(labels, values))
                labels, values = [], []
            labels.append(cell)
            continue
        if labels:
            rows.append(_row(labels, values))
            labels, values = [], []
        values.append(cell)
    rows.append(_row(labels, values))
    return rows
