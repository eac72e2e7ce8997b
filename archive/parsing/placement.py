"""Placing a table's rows by the format's fixed order where labels drift from their numbers.

PDF-to-text and PDF-to-markdown converters separate a row's label from its numbers: the label
is printed on the line before or after them, split over two lines around them, interleaved
with header fragments (商业企 / 业), garbled, or missing. The national format fixes the order of
its rows, so the rows of numbers can be placed by that order instead — but only where the
placement is forced:

- **Anchors.** A label on the same line as the numbers (or wrapped around them) names its row:
  that row goes there. A label on a line of its own names a row next to it, before or after:
  its row is the last row of numbers before it or the first after it (or a row printed with
  no numbers between them).
- **Order.** Rows of numbers appear in the format's order; a placement maps them, in order, to
  the format's rows, leaving a format row empty where its numbers were not printed.
- **Uniqueness.** Every placement that the anchors allow is considered (a small dynamic
  programme over rows × format rows). A format row is filled only when every such placement
  gives it the same numbers; where two placements differ, it stays null.
- **Arithmetic.** In section 三 a placement counts only when the format's arithmetic holds
  under it (一 + 二 = （七） + 四, （七） = the sum of the result rows, in every column) and the
  prose total, where the report states one, agrees. When no placement adds up (the report
  itself may not), only rows that a readable label names are taken — the order then only
  says whether the label sits before or after its numbers.

Details that keep it honest: numbers on several lines are one row only when printed one per
line or when they add up as a row (zeros printed blank make short rows, not halves of one);
a grid row with a label and empty cells is a blank row (zeros) only where no placement gives
that row numbers; and a dump that prints every label on a line of its own, always on one
side of its numbers, is read with that side where a blank row leaves two placements.

Section 二 has no arithmetic: its rows are placed within each 第二十条 block, whose rows
the format fixes (规章 before 行政规范性文件, 行政处罚 before 行政强制), and only where the
count of rows printed leaves a single placement.

The first half of this module knows rows and labels, not records; place_by_order() at the end
applies it to the interpreter's reading (tables.py).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from ..record.model import applicant_columns
from ..record.review import SPLIT_DIGITS
from . import labels as L
from .digits import row_total_holds, unique_split
from .numbers import MONEY_UNITS, as_count, read_cell, stated_unit

ORDER = "order"  # reading.placed rule: a value placed by the format's row order, not by its label


@dataclass
class Line:
    """One printed line of a table section (a grid row is one line): its label cells
    (normalized) and value cells (raw), in order. `exact`: a grid row, whose value cells
    include its empty cells in place."""

    labels: list[str]
    values: list[str] = field(default_factory=list)
    exact: bool = False


@dataclass
class ValueRow:
    """One row of numbers: its raw cells (None when they could not be read as one row), the
    row that the label printed with them names (`key`: same line, or wrapped around them), and
    how its cells were read (`note`)."""

    cells: list[str] | None
    key: str | None = None
    note: str | None = None
    labels: list[str] = field(default_factory=list)  # the label cells of its own line
    before: list[str] = field(default_factory=list)  # the label line just above it, when that names no row


@dataclass
class Layout:
    """Rows of numbers in order, and the keys that label lines name in each gap: gap g lies
    before row g (gap len(rows) after the last)."""

    rows: list[ValueRow]
    gaps: list[list[str]]
    labels: list[str]  # every label cell seen, for evidence and units
    # Grid rows with a label and only empty cells: a row printed blank (its zeros), or the label
    # of numbers printed in a row above or below it. The placement decides which.
    blank: dict[str, list[str]] = field(default_factory=dict)
    blank_names: list[str] = field(default_factory=list)  # every row such a blank row's label could name
    # Per gap, the keys named by a grid row whose empty cells tables.py judged layout because
    # numbers with no label follow it: the label of those numbers (not a row printed blank), when
    # only labels can place rows and the table prints no label after its numbers.
    firm: list[set[str]] = field(default_factory=list)


@dataclass
class Placed:
    """The answer for one section: format row key → raw cells, and how each got there."""

    rows: dict[str, list[str]] = field(default_factory=dict)
    by_order: list[str] = field(default_factory=list)  # no readable label names them
    label_after: list[str] = field(default_factory=list)  # their label follows their numbers
    ambiguous: list[str] = field(default_factory=list)  # several placements: left null
    notes: dict[str, str] = field(default_factory=dict)  # how some rows' cells were read (digit splits)
    sides: dict[str, int] = field(default_factory=dict)  # rows named only by the label before / after


def fit_values(values: list[str], expected: int, exact: bool) -> list[str] | None:
    """Exactly `expected` values, trimming blank padding cells of exact grids; else None."""
    values = list(values)
    if exact:
        while len(values) > expected and not values[0].strip():
            values.pop(0)
        while len(values) > expected and not values[-1].strip():
            values.pop()
    if len(values) == expected:
        return values
    if exact and len(values) > expected and all(not v.strip() for v in values[expected:]):
        return values[:expected]
    return None


def joinable(parts: Sequence[Sequence[str]], width: int, check: Callable[[list[str]], bool] | None) -> bool:
    """Whether numbers printed on several lines are one row: `width` of them, and either one per
    line (a cell per line) or adding up as a row (`check`). Otherwise they are rows of their own
    whose blank cells the text lost ('115 117 232' / '123 126 127 376' is not one row)."""
    flat = [v for part in parts for v in part]
    if len(parts) <= 1 or len(flat) != width:
        return len(parts) <= 1
    return all(len(part) == 1 for part in parts) or (check is not None and check(flat))


def layout(
    lines: Sequence[Line],
    width: int,
    match: Callable[[list[str]], str | None],
    split: Callable[[list[str]], tuple[list[str], str] | None] | None = None,
    check: Callable[[list[str]], bool] | None = None,
) -> Layout:
    """Rows of `width` numbers and the label lines between them.

    A line with labels and numbers is a row named by its labels; lines holding only numbers
    continue the row above until it has `width` of them (a line of exactly `width` numbers is a
    row of its own), where joinable() allows (`check`: a row's own arithmetic). A label wrapped
    around its numbers ('1、…逾期不补' / '正、… 67 3 …', '5.要求…重新出 1 0 …' / '具已获取信息',
    '（七' / '492 652 …' / '）总计') is read joined, and so are two label lines that name a row
    only together. `split` reads a row of too few digit tokens (numbers run together) when one
    reading adds up."""
    rows: list[ValueRow] = []
    gaps: list[list[str]] = [[]]
    seen: list[str] = []
    blank: dict[str, list[str]] = {}
    blank_names: list[str] = []
    gap_lines: list[tuple[list[str], bool]] = []  # label-only lines of the current gap, and whether firm
    firm: list[set[str]] = [set()]
    group: list[list[str]] | None = None  # the numbers of the row being read, by line
    group_labels: list[str] = []
    group_before: list[str] = []

    def close() -> None:
        nonlocal group, group_labels, group_before
        if group is None:
            return
        parts = [[v for part in group for v in part]] if joinable(group, width, check) else group
        for j, part in enumerate(parts):
            rows.append(_value_row(part, group_labels if j == 0 else [], width, match, split, exact=False))
            rows[-1].before = group_before if j == 0 else []
            gaps.append([])
            firm.append(set())
        group, group_labels, group_before = None, [], []

    def flush_gap() -> None:
        i = 0
        while i < len(gap_lines):
            (labels, is_firm), key = gap_lines[i], _gap_key(gap_lines[i][0], match)
            if key is None and i + 1 < len(gap_lines) and _gap_key(gap_lines[i + 1][0], match) is None:
                joined = _gap_key(["".join(labels[-1:] + gap_lines[i + 1][0][:1])], match)
                if joined is not None:
                    key, is_firm = joined, is_firm and gap_lines[i + 1][1]
                    i += 1
            if key is not None:
                gaps[-1].append(key)
                if is_firm:
                    firm[-1].add(key)
            i += 1
        gap_lines.clear()

    for line in lines:
        seen.extend(line.labels)
        if line.exact and line.labels and line.values and not any(v.strip() for v in line.values):
            key = _gap_key(line.labels, match)
            if key is not None:
                blank.setdefault(key, list(line.values))
            if (named := match(line.labels)) is not None:
                blank_names.append(named)  # 其他 alone: a column header, or the row 3.其他
            line = Line(line.labels)
        if not line.values:
            close()
            if not line.labels:
                continue
            last = rows[-1] if rows else None
            grid_label = line.exact  # a grid row with no value cells (tables.py judged its empty cells layout)
            if last is not None and last.key is None and not gap_lines and not gaps[-1]:
                if _gap_key(line.labels, match) is None:
                    # the label goes on below its numbers: '5.要求…重新出 1 0 …' / '具已获取信息',
                    # or is printed around them: '（七' / '492 652 …' / '）总计'
                    head = last.labels[-1:] or last.before[-1:]
                    key = match(["".join(head + line.labels[:1])]) if head else None
                    if key is not None:
                        last.key = key
                        continue
            gap_lines.append((line.labels, grid_label))
            continue
        if line.exact or line.labels:
            close()
            labels = line.labels
            if labels and match(labels) is None and gap_lines and _gap_key(gap_lines[-1][0], match) is None:
                joined = "".join(gap_lines[-1][0][-1:] + labels[:1])
                if match([joined]) is not None:  # the label began on the line above
                    gap_lines.pop()
                    labels = [joined]
            flush_gap()
            if line.exact:
                rows.append(_value_row(line.values, labels, width, match, split, exact=True))
                gaps.append([])
                firm.append(set())
            else:
                group, group_labels = [list(line.values)], labels
            continue
        if group is not None and sum(map(len, group)) < width and len(line.values) != width:
            group.append(list(line.values))
            continue
        close()
        before = gap_lines[-1][0] if gap_lines and _gap_key(gap_lines[-1][0], match) is None else []
        flush_gap()
        group, group_labels, group_before = [list(line.values)], [], before
    close()
    flush_gap()
    return Layout(rows, gaps, seen, blank, blank_names, firm)


def _value_row(
    values: list[str],
    labels: list[str],
    width: int,
    match: Callable[[list[str]], str | None],
    split: Callable[[list[str]], tuple[list[str], str] | None] | None,
    exact: bool,
) -> ValueRow:
    key = match(labels) if labels else None
    cells = fit_values(values, width, exact)
    note = None
    if cells is None and not exact and split is not None and len(values) < width:
        found = split(values)
        if found is not None:
            cells, note = found
    return ValueRow(cells, key, note, labels)


# Header words that name no row although a row pattern matches them: the column headers 其他
# (法人或其他组织 › 其他) and 总计, printed among the rows by PDF text.
_HEADER_ONLY = {"其他", "总计"}


def _gap_key(labels: list[str], match: Callable[[list[str]], str | None]) -> str | None:
    cells = [c for c in labels if c not in _HEADER_ONLY]
    return match(cells) if cells else None


# --- The placement itself ---------------------------------------------------------------------


@dataclass
class _Solution:
    options: list[set[int]]  # per row: the format rows it can take
    empty: list[bool]  # per format row: whether some placement leaves it empty


def _solve(
    rows: list[ValueRow],
    gaps: list[list[int]],
    slots: int,
    allowed: Callable[[int, int], bool],
    side: str | None = None,
    firm: list[set[int]] | None = None,
) -> _Solution | None:
    """Every strictly increasing map of rows to format rows that `allowed` permits and under
    which each gap's labels lie between the format rows of its neighbours (with `side`
    "before" / "after": each label belongs to the row after / before it, or to a row printed
    with no numbers; a `firm` label to the row after it). None when there is no such map;
    else, per row, the format rows it takes in some map, and per format row, whether some map
    leaves it empty."""
    n = len(rows)
    if n == 0 or n > slots:
        return None
    bounds = [(min(g), max(g)) if g else None for g in gaps]
    low_open, high_open = side == "before", side == "after"

    def gap_ok(g: int, lo: int, hi: int) -> bool:
        b = bounds[g]
        if b is None:
            return True
        if firm is not None and any(k != hi for k in firm[g]):
            return False
        return (lo < b[0] if low_open else lo <= b[0]) and (b[1] < hi if high_open else b[1] <= hi)

    fwd = [[False] * slots for _ in range(n)]
    for s in range(slots):
        fwd[0][s] = allowed(0, s) and gap_ok(0, -1, s)
    for i in range(1, n):
        for s in range(slots):
            fwd[i][s] = allowed(i, s) and any(fwd[i - 1][t] and gap_ok(i, t, s) for t in range(s))
    back = [[False] * slots for _ in range(n)]
    for s in range(slots):
        back[n - 1][s] = allowed(n - 1, s) and gap_ok(n, s, slots)
    for i in range(n - 2, -1, -1):
        for s in range(slots):
            back[i][s] = allowed(i, s) and any(back[i + 1][u] and gap_ok(i + 1, s, u) for u in range(s + 1, slots))
    options = [{s for s in range(slots) if fwd[i][s] and back[i][s]} for i in range(n)]
    if not options[0]:
        return None
    empty = [False] * slots
    for s in range(max(options[0])):
        empty[s] = True  # some placement starts after it
    for s in range(min(options[n - 1]) + 1, slots):
        empty[s] = True  # some placement ends before it
    for i in range(n - 1):
        for t in options[i]:
            for u in options[i + 1]:
                if t < u and fwd[i][t] and back[i + 1][u] and gap_ok(i + 1, t, u):
                    for s in range(t + 1, u):
                        empty[s] = True
    return _Solution(options, empty)


def _supported(i: int, slot: str, rows: list[ValueRow], gaps: list[list[str]]) -> str | None:
    """How a readable label names row i as `slot`: "same" (its own line), "before", "after"."""
    if rows[i].key == slot:
        return "same"
    if slot in gaps[i]:
        return "before"
    if slot in gaps[i + 1]:
        return "after"
    return None


def _vector(cells: list[str] | None) -> list[int] | None:
    """A row's cells as whole numbers (a dash or blank is 0); None if any is no count."""
    if cells is None:
        return None
    out = []
    for raw in cells:
        cell = read_cell(raw)
        if cell.kind == "zero_mark":
            out.append(0)
            continue
        value = as_count(cell.value) if cell.kind == "number" and cell.unit not in MONEY_UNITS else None
        if value is None:
            return None
        out.append(value)
    return out


def _same(rows: list[ValueRow], takers: list[int]) -> bool:
    """Whether the rows hold the same numbers (so whichever a placement picks, the record is the same)."""
    if len(takers) == 1:
        return rows[takers[0]].cells is not None
    first = _vector(rows[takers[0]].cells)
    return first is not None and all(_vector(rows[i].cells) == first for i in takers[1:])


# --- Section 三 ------------------------------------------------------------------------------


def totals_confirm(rows: list[ValueRow], prose_totals: Sequence[int] = ()) -> bool:
    """Whether the rows, taken in order as 一, 二, the result rows, （七）总计, 四, obey the
    format's arithmetic in every column (一 + 二 = （七） + 四; （七） = the result rows), and
    the prose total (收到…申请N件), where the report states one, is 一's total or 一 + 二's.

    A result row that could not be read (zeros printed blank, digits run together) leaves
    （七） = the result rows unknowable: then the rows read must not exceed （七）, and 一、二、
    （七）、四 must still balance exactly."""
    if len(rows) < 4:
        return False
    vectors = [_vector(r.cells) for r in rows]
    new, carried, total, forward = vectors[0], vectors[1], vectors[-2], vectors[-1]
    if new is None or carried is None or total is None or forward is None:
        return False
    results = vectors[2:-2]
    known = [v for v in results if v is not None]
    for c in range(len(new)):
        if new[c] + carried[c] != total[c] + forward[c]:
            return False
        read = sum(v[c] for v in known)
        if read > total[c] or (len(known) == len(results) and read != total[c]):
            return False
    return not prose_totals or any(p in (new[-1], new[-1] + carried[-1]) for p in prose_totals)


def place_rows(
    found: Layout,
    templates: Sequence[Sequence[str]],
    confirm: Callable[[list[ValueRow]], bool] | None = None,
    fixed_ends: tuple[int, int] = (0, 0),
    order_alone: bool = False,
) -> Placed | None:
    """Place the rows of `found` into the format rows of one of `templates` (the row sets the
    table may have). `confirm` is the arithmetic the rows must satisfy when the first
    `fixed_ends[0]` and last `fixed_ends[1]` format rows take the first and last rows (section
    三: 一、二 and （七）、四; every row of numbers must then be one of the table's).

    The first of these that yields a placement is used:
    1. labels and arithmetic: a format row is filled where every placement agrees;
    2. arithmetic without the label lines (when those contradict the order, as when a converter
       prints the label column apart from the numbers): the same;
    3. labels alone (the report does not add up): only rows that a readable label names — or,
       with `order_alone` (a table with no arithmetic, whose row order is fixed: a section 二
       block), every format row that all placements fill alike.
    None when none does."""
    rows, gaps = found.rows, found.gaps
    if not rows:
        return None
    no_gaps: list[list[str]] = [[] for _ in gaps]
    no_firm: list[set[str]] = [set() for _ in gaps]
    modes = []
    if confirm is not None and confirm(rows):
        modes += [(gaps, True, False), (no_gaps, True, False)]
    modes.append((gaps, False, not order_alone))
    for mode_gaps, arithmetic, require_label in modes:
        ends = fixed_ends if arithmetic else (0, 0)
        placed = _place(rows, gaps, mode_gaps, no_firm, templates, ends, require_label, None)
        if placed is None:
            continue
        if placed.ambiguous and not arithmetic and any(found.firm) and not placed.sides.get("after"):
            # Only labels to go by, and no row's label follows its numbers: a grid label row
            # over numbers with no label of their own is their label (tables.py judged its empty
            # cells layout), not a row printed blank. Where the arithmetic speaks, a blank row
            # before unlabeled numbers stays the ambiguity it is.
            placed = _place(rows, gaps, gaps, found.firm, templates, ends, require_label, None) or placed
        side = _one_side(placed)
        if placed.ambiguous and side is not None and mode_gaps is gaps and not any(r.labels for r in rows):
            # A dump that prints every label on a line of its own (one cell per line, or all
            # numbers first) prints each on the same side of its numbers: a label between two
            # rows then belongs to the one on that side (or to a row printed with no numbers).
            # Text that sets some labels beside their numbers (PDF text) mixes sides: not there.
            placed = _place(rows, gaps, gaps, no_firm, templates, ends, require_label, side) or placed
        for key, cells in found.blank.items():
            if key not in placed.rows and key not in placed.ambiguous and any(key in t for t in templates):
                placed.rows[key] = cells  # no placement gives it numbers: the row is printed blank
        return placed
    return None


def _place(
    rows: list[ValueRow],
    gaps: list[list[str]],
    mode_gaps: list[list[str]],
    firm: list[set[str]],
    templates: Sequence[Sequence[str]],
    ends: tuple[int, int],
    require_label: bool,
    side: str | None,
) -> Placed | None:
    solutions = []
    for template in templates:
        sol = _solve_template(rows, mode_gaps, template, ends, side, firm)
        if sol is not None:
            solutions.append((list(template), sol))
    return _combine(solutions, rows, gaps, require_label) if solutions else None


# How many rows must show their label on one side (and none on the other) before a table is
# taken to print every label on that side.
MIN_SIDE_EVIDENCE = 3


def _one_side(placed: Placed) -> str | None:
    before, after = placed.sides.get("before", 0), placed.sides.get("after", 0)
    if before >= MIN_SIDE_EVIDENCE and not after:
        return "before"
    if after >= MIN_SIDE_EVIDENCE and not before:
        return "after"
    return None


def _solve_template(
    rows: list[ValueRow],
    gaps: list[list[str]],
    template: Sequence[str],
    fixed_ends: tuple[int, int],
    side: str | None = None,
    firm: list[set[str]] | None = None,
) -> _Solution | None:
    index = {key: s for s, key in enumerate(template)}
    if any(r.key is not None and r.key not in index for r in rows):
        return None  # a row is named as a format row this row set does not have
    n, m = len(rows), len(template)
    head, tail = fixed_ends
    if n < head + tail:
        return None

    def allowed(i: int, s: int) -> bool:
        key = rows[i].key
        if key is not None and index[key] != s:
            return False
        if i < head or s < head:
            return i == s
        if i >= n - tail or s >= m - tail:
            return n - i == m - s
        return True

    # a label line naming a row of another row set (a group title) says nothing here
    slot_gaps = [[index[k] for k in g if k in index] for g in gaps]
    slot_firm = [{index[k] for k in f if k in index} for f in firm] if firm else None
    return _solve(rows, slot_gaps, m, allowed, side, slot_firm)


def _combine(
    solutions: list[tuple[list[str], _Solution]], rows: list[ValueRow], gaps: list[list[str]], require_label: bool
) -> Placed:
    """Format rows that every placement (of every row set) fills with the same numbers."""
    placed = Placed()
    keys: list[str] = []
    for template, _ in solutions:
        keys += [k for k in template if k not in keys]
    for key in keys:
        takers: list[int] = []
        may_be_empty = False
        for template, sol in solutions:
            if key not in template:
                may_be_empty = True
                continue
            s = template.index(key)
            may_be_empty |= sol.empty[s]
            takers += [i for i, opts in enumerate(sol.options) if s in opts and i not in takers]
        if not takers:
            continue  # no placement puts numbers here: the row is not printed
        support = [_supported(i, key, rows, gaps) for i in takers]
        if may_be_empty or not _same(rows, takers) or (require_label and not all(support)):
            placed.ambiguous.append(key)
            continue
        i = takers[0]
        placed.rows[key] = list(rows[i].cells or [])
        if rows[i].note:
            placed.notes[key] = rows[i].note
        if not all(support):
            placed.by_order.append(key)
        elif all(s == "after" for s in support):
            placed.label_after.append(key)
        if len(set(support)) == 1 and support[0] in ("before", "after"):
            placed.sides[support[0]] = placed.sides.get(support[0], 0) + 1
    return placed


# --- Applying it to the interpreter's reading ----------------------------------------------------


@dataclass
class Walked:
    """A row as the interpreter walked it: its normalized label cells, the section each label
    cell was read in, and the section its values belong to."""

    row: Any  # tables.Row
    labels: list[str]
    sections: list[str | None]
    section: str | None


def section_lines(walked: Sequence[Walked], section: str) -> list[Line]:
    """The printed lines of one section: a text row split back into its lines, any other row
    (a grid row, a PDF row of words) as one line."""
    out: list[Line] = []
    for step in walked:
        row = step.row
        labels = [c for c, sec in zip(step.labels, step.sections) if sec == section]
        values = list(row.values) if step.section == section else []
        if not row.lines:
            if labels or values:
                out.append(Line(labels, values, row.exact))
            continue
        numbers = [n for x, n in zip(row.labels, row.lines) if L.norm_label(x)]
        cells = [(n, c, True) for c, n, sec in zip(step.labels, numbers, step.sections) if sec == section]
        cells += [(n, v, False) for v, n in zip(values, row.lines[len(row.labels):])]
        current, number = None, None
        for n, text, is_label in cells:
            if current is None or n != number:
                current, number = Line([]), n
                out.append(current)
            (current.labels if is_label else current.values).append(text)
    return out


def _request_key(labels: list[str]) -> str | None:
    cells = [c for c in labels if not L.is_prose(c)]
    if not cells:
        return None
    key = L.match_request_row(cells)
    if key is None and L.is_single_other_processing(cells):
        return "other_processing"
    return key


def _active_key(labels: list[str]) -> str | None:
    cells = [c for c in labels if not L.is_prose(c)]
    return L.match_active_row(cells) if cells else None


def adds_up(cells: list[str]) -> bool:
    """A section 三 row whose 总计 is the sum of its six applicant columns."""
    vector = _vector(cells)
    return vector is not None and row_total_holds(vector)


def _split_run(tokens: list[str]) -> tuple[list[str], str] | None:
    digits = [t.strip() for t in tokens]
    split = unique_split(digits, 7, row_total_holds)
    if split is None:
        return None
    return [str(v) for v in split], (
        f"printed its numbers run together ({' '.join(digits)}); the only split whose total adds up was used: {split}"
    )


def prose_totals(walked: Sequence[Walked]) -> list[int]:
    """Totals of requests that the report's prose states before its tables (收到…申请N件)."""
    found = []
    for step in walked:
        for cell, sec in zip(step.labels, step.sections):
            if sec in (None, "一"):
                m = L.PROSE_NEW_REQUESTS.search(cell)
                if m:
                    found.append(int(m.group(3)))
    return found[:1]


def _needs_placing(found: Layout) -> bool:
    """Whether the label reading may have missed or misplaced a row: a row of numbers no label
    names, two that one label names, one that could not be read, or a blank grid row whose
    label names a row that also has numbers (a header word such as 其他 among the rows)."""
    keys = [r.key for r in found.rows]
    return bool(found.rows) and (
        None in keys
        or len(set(keys)) < len(keys)
        or any(r.cells is None for r in found.rows)
        or bool(set(found.blank_names) & {"other" if k == "other_processing" else k for k in keys})
    )


def place_by_order(reading: Any, walked: Sequence[Walked], label_warnings: Sequence[tuple[int, str, str | None]]) -> None:
    """Where the label reading of sections 三 and 二 left rows unnamed, place them by the
    format's order (see the module's docstring). `label_warnings`: (index, section, row) of the
    warnings the label reading gave, dropped where the placement replaces that reading."""
    warnings = list(reading.warnings)
    replaced: set[tuple[str, str | None]] = set()
    if _place_requests(reading, section_lines(walked, "三"), prose_totals(walked)):
        replaced |= {("三", row) for _, section, row in label_warnings if section == "三"}
    replaced |= {("二", row) for row in _place_active(reading, section_lines(walked, "二"))}
    stale = {i for i, section, row in label_warnings if (section, row) in replaced}
    reading.warnings[: len(warnings)] = [w for i, w in enumerate(warnings) if i not in stale]


def _request_templates(reading: Any, found: Layout) -> list[list[tuple[str, ...]]]:
    """The row sets section 三 may have, to try in turn: the 2019 format has one （六） row; a
    2021-format report has three, or kept the one row (many 2022–2024 reports did). A label of
    a （六） sub-row settles it; so does the 2019 format's header. （六）其他处理 seen alone only
    suggests the one row (it is also the title of the three)."""
    named = {r.key for r in found.rows} | {k for g in found.gaps for k in g}
    single, three = L.REQUEST_ORDER_SINGLE_OTHER, L.REQUEST_ORDER
    if reading.saw_2019 and not reading.saw_2021:
        return [[single]]
    if named & set(L.SUB_OTHER_ROWS):
        return [[three]]
    if "other_processing" in named or any(L.is_single_other_processing([c]) for c in found.labels):
        return [[single], [three, single]]
    return [[three, single]]


def _place_requests(reading: Any, lines: list[Line], prose: list[int]) -> bool:
    """Section 三; True when the placement replaced the label reading."""
    found = layout(lines, 7, _request_key, _split_run, adds_up)
    if not _needs_placing(found):
        return False
    placed = None
    for templates in _request_templates(reading, found):
        placed = place_rows(found, templates, lambda rows: totals_confirm(rows, prose), fixed_ends=(2, 2))
        if placed is not None:
            break
    if placed is None:
        return False  # no placement fits at all: the label reading stands
    legacy = "legacy_requests_other_processing."
    reading.placed = {k: v for k, v in reading.placed.items() if not k.startswith(("requests.", legacy))}
    reading.requests, reading.other_processing = {}, None
    for key, cells in placed.rows.items():
        if key == "other_processing":
            reading.other_processing = [read_cell(c) for c in cells]
        else:
            reading.requests[key] = [read_cell(c) for c in cells]

    def paths(key: str) -> list[str]:
        prefixes = ["requests.other"] if key == "other_processing" else [f"requests.{key}"]
        if key == "other_processing" and not reading.saw_2021:
            prefixes.append(legacy.rstrip("."))
        return [f"{p}.{col}" for p in prefixes for col in applicant_columns()]

    for key in placed.by_order:
        reading.placed.update(dict.fromkeys(paths(key), ORDER))
    for key, note in placed.notes.items():
        reading.placed.update(dict.fromkeys(paths(key), SPLIT_DIGITS))
        reading.warnings.append(f"section 三: row {key} {note}")
    unread = [r for r in found.rows if r.cells is None]
    for r in unread:
        reading.warnings.append(
            f"section 三: a row of values ({'/'.join(r.labels[-2:]) or 'no label'}) is not 7 numbers; left null"
        )
    _placement_warnings(
        reading, "三", placed, "and the report's totals add up only this way", "the format's row order and its totals"
    )
    return True


def _placement_warnings(reading: Any, section: str, placed: Placed, why: str, basis: str) -> None:
    if placed.by_order:
        reading.warnings.append(
            f"section {section}: {_rows(placed.by_order)} placed by the format's row order (labels missing or "
            f"unreadable), {why}"
        )
    if placed.label_after:
        each = " each" if len(placed.label_after) > 1 else ""
        reading.warnings.append(
            f"section {section}: the numbers of {_rows(placed.label_after)}{each} come before its label in this "
            "text; read with the label that follows them"
        )
    if placed.ambiguous:
        reading.warnings.append(
            f"section {section}: {_rows(placed.ambiguous)} left null: the numbers printed could belong to more than "
            f"one of them (more than one placement fits {basis})"
        )


def _rows(keys: list[str]) -> str:
    return f"rows {', '.join(keys)}" if len(keys) > 1 else f"row {keys[0]}"


def _place_active(reading: Any, lines: list[Line]) -> list[str]:
    """Section 二, block by block (第二十条第（一）（五）（六）（八）项, 2019: and （九）); the
    rows whose label reading the placement replaced."""
    fmt = "2021" if reading.saw_2021 else "2019" if reading.saw_2019 else None
    if fmt is None:
        return []
    replaced: list[str] = []
    blocks: dict[str, list[Line]] = {}
    block = None
    for line in lines:
        cue = next((m.group(1) for c in line.labels if (m := L.ACTIVE_BLOCK.search(c))), None)
        if cue is not None:
            block = cue
            blocks.setdefault(block, [])
            rest = [c for c in line.labels if not L.ACTIVE_BLOCK.search(c)]
            line = Line(rest, line.values, line.exact)
        if block is not None and block in ACTIVE_BLOCKS_OF[fmt]:
            blocks[block].append(line)
    for block, block_lines in blocks.items():
        template, width = ACTIVE_BLOCKS_OF[fmt][block]
        found = layout(block_lines, width, _active_key)
        if not _needs_placing(found):
            continue
        placed = place_rows(found, [template], order_alone=True)
        if placed is None:
            continue
        replaced += template
        for key in template:
            if key in placed.rows:
                reading.active[key] = [read_cell(c) for c in placed.rows[key]]
                reading.active_units[key] = stated_unit(found.labels)
            else:
                reading.active.pop(key, None)
        for key in placed.by_order:
            reading.placed.update(dict.fromkeys(_active_paths(fmt, key), ORDER))
        where = f"第二十条第（{block}）项"
        _placement_warnings(reading, "二", placed, f"the only placement in block {where}", f"the rows of block {where}")
    return replaced


ACTIVE_BLOCKS_OF = L.ACTIVE_BLOCKS


def _active_paths(fmt: str, key: str) -> list[str]:
    if fmt == "2021":
        return [f"active_disclosure.{k}" for k in L.ACTIVE_2021.get(key, ())]
    return [f"legacy_active_disclosure.{key}.{k}" for k in L.ACTIVE_2019.get(key, ())]
