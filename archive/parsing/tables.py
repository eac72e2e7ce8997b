"""The one table interpreter: rows of (label cells, value cells) → the record's numbers.

Every reader turns its document into `Row`s in reading order — an HTML grid row, a line of
tab-separated text, a pdfplumber row, one cell per line regrouped — and this module decides
what each row is by its labels, never by its position: section headings and table cues set
the section, labels.py names the row, and the values are assigned by count.

Rows are identified, not counted: a missing row leaves its numbers null, a row seen twice
keeps the first reading, and a row with the wrong number of values is left null with a
warning rather than guessed. An empty cell of a grid (`Row.exact`) is 0 — a data row whose
every cell is empty too, unlike a header's empty cells — and noted in `Reading.placed` as
blank_as_zero; a text row with fewer values than columns is not blank cells, and stays null.

Here each cell meets its field, so units are settled here (numbers.value_in): counts refuse
money units, fees_wan_yuan converts to 万元 from the cell's unit or its header's, the 2019
format's 采购总金额 is kept in 元. A cell holding numbers on separate lines is settled by the
arithmetic of its row (settle_line_cells) or left null.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from ..record.model import (
    FORMAT_2021,
    FORMAT_LEGACY,
    REVIEW_COLUMNS,
    REVIEW_GROUPS,
    applicant_columns,
)
from ..record.review import BLANK_AS_ZERO, JOINED_LINES, SPLIT_DIGITS
from . import labels as L
from .digits import group_total_holds, row_total_holds, unique_reading, unique_split
from .numbers import (
    COUNT,
    MONEY_UNITS,
    Cell,
    as_count,
    is_amount_with_unknown_unit,
    is_value_cell,
    normalize,
    read_cell,
    stated_unit,
    value_in,
)
from .placement import Walked as _Walked
from .placement import adds_up as _adds_up
from .placement import fit_values as _fit
from .placement import joinable as _joinable
from .placement import place_by_order as _place_by_order

FEES_UNIT = "万元"  # the 2021 format's 本年收费金额（单位：万元）: the record's fees_wan_yuan
# 2019-format money columns and the unit the record keeps them in. The format's 采购总金额
# header names no unit, so a bare amount needs its header or its cell to say one.
LEGACY_MONEY = {("procurement", "amount"): "元"}


@dataclass
class Row:
    """One row of a table as a reader saw it.

    `values` are the raw value cells in order. `exact` says the reader knows each cell's
    position (an HTML/DOCX/PDF grid, where a blank cell is a real empty cell); text readers
    only see the values that are printed.
    """

    labels: list[str]
    values: list[str] = field(default_factory=list)
    exact: bool = False
    # Text readers: the line each label and then each value was printed on (a row's label may
    # sit on the line above or below its numbers). Empty: the whole row is one line.
    lines: list[int] = field(default_factory=list)


@dataclass
class Reading:
    """What the interpreter found: numbers by section, plus the format cues it saw."""

    active: dict[str, list[Cell]] = field(default_factory=dict)
    active_units: dict[str, str | None] = field(default_factory=dict)  # money unit a row's header states
    requests: dict[str, list[Cell]] = field(default_factory=dict)
    review: list[Cell] = field(default_factory=list)
    other_processing: list[Cell] | None = None
    saw_2021: bool = False
    saw_2019: bool = False
    saw_old: bool = False
    sections_seen: set[str] = field(default_factory=set)
    warnings: list[str] = field(default_factory=list)
    # How cells that were not simply read under their own label got their value: dotted record
    # key → rule ("blank_as_zero", "order", …). The record's reading summary is built from it.
    placed: dict[str, str] = field(default_factory=dict)


def grid_rows(grid: list[list[tuple[str, int]]]) -> list[Row]:
    """Rows of a real grid (HTML, DOCX, PDF): each cell is (text, id of its source cell).

    Each grid row → label cells, then the trailing run of value cells (colspan copies once)."""
    rows = []
    for line in grid:
        cells: list[tuple[str, int]] = []
        for text, source in line:
            if cells and cells[-1][1] == source:
                continue  # the same cell spanning columns
            cells.append((text, source))
        split = len(cells)
        while split > 0 and (is_value_cell(cells[split - 1][0]) or is_amount_with_unknown_unit(cells[split - 1][0])):
            split -= 1
        labels = [t for t, _ in cells[:split] if t]
        values = [t for t, _ in cells[split:]]  # all blank: a header's empty cells or a row of
        rows.append(Row(labels, values, exact=True))  # zeros left blank (interpret tells which)
    return rows


def interpret(rows: list[Row], section: str | None = None) -> Reading:
    """Walk rows in order, tracking the section, and collect the cells of each known row."""
    reading = Reading()
    pending: list[str] = []
    review_done = False
    walked: list[_Walked] = []  # every row, with the section of each label cell, for placement
    label_warnings: list[tuple[int, str, str | None]] = []  # (index, section, row) of the label reading's warnings
    for index, row in enumerate(rows):
        cells = [c for c in (L.norm_label(x) for x in row.labels) if c]
        cell_sections: list[str | None] = []
        for cell in cells:
            heading = L.section_heading(cell)
            if heading:
                section = heading
            elif not L.is_prose(cell):
                for cue_section, cue in L.TABLE_CUES.items():
                    if cue.search(cell) and not (cue_section == "三" and section == "四"):
                        section = cue_section
            if L.FORMAT_2021_CUES.search(cell):
                reading.saw_2021 = True
            if L.FORMAT_2019_CUES.search(cell):
                reading.saw_2019 = True
            if L.OLD_FORMAT_CUES.search(cell):
                reading.saw_old = True
            cell_sections.append(section)
        if section:
            reading.sections_seen.add(section)
        if row.values and _blank_header(row, section, pending + cells, rows[index + 1 : index + 2], len(reading.review)):
            row = Row(row.labels, exact=True)  # a header or group row's empty cells, not blank numbers
        walked.append(_Walked(row, cells, cell_sections, section))
        if not row.values:
            pending = (pending + cells)[-12:]
            continue
        context, pending = pending + cells, []
        if section == "二":
            before = len(reading.warnings)
            _take_active(reading, context, row)
            label_warnings += [(i, "二", L.match_active_row(context)) for i in range(before, len(reading.warnings))]
        elif section == "三":
            following = rows[index + 1].labels[:1] if index + 1 < len(rows) else []
            before = len(reading.warnings)
            _take_request(reading, context, row, [L.norm_label(x) for x in following])
            label_warnings += [(i, "三", None) for i in range(before, len(reading.warnings))]
        elif section == "四" and not review_done:
            reading.review.extend(read_cell(v) for v in row.values if v.strip() or row.exact)
            if len(reading.review) >= 15:
                review_done = True
    _place_by_order(reading, walked, label_warnings)
    settle_line_cells(reading)
    _single_other_row(reading)
    return reading


# Words of the tables' column headers: a row of empty cells that carries one is a header row.
_HEADER_WORDS = re.compile(
    r"申请人情况|自然人|商业企业|科研机构|社会公益|法律服务|结果维持|结果纠正|其他结果|尚未审结|"
    r"信息内容|本年制发|本年废止|现行有效|处理决定|收费金额|本年新制作|本年新公开|对外公开总|上一年项目|本年增|采购项目|采购总金额"
)
_REVIEW_GROUP = re.compile(r"复议|诉讼|起诉")
_SUB_OTHER = ("other_no_correction", "other_no_fee", "other")


def _blank_header(row: Row, section: str | None, context: list[str], following: list[Row], reviewed: int) -> bool:
    """Whether a grid row whose value cells are all empty is a header or group row (its empty
    cells are layout) rather than a data row whose zeros were left blank.

    A data row is one the interpreter would take with numbers in it: in section 二 and 三 a
    row label of its own, no header word, as many cells as the row has values, and not the
    label of a next row that holds numbers; in section 四, 5 or 15 cells that the section's
    15 values still lack."""
    if not row.exact or any(v.strip() for v in row.values):
        return False
    own = [c for c in (L.norm_label(x) for x in row.labels) if c]
    if any(_HEADER_WORDS.search(c) for c in own):
        return True
    if section == "四":
        return len(row.values) not in (5, 15) or reviewed + len(row.values) > 15 or (
            len(row.values) == 5 and not any(_REVIEW_GROUP.search(c) for c in own))
    if not own or section not in ("二", "三"):
        return True
    nxt = following[0] if following else None
    if nxt is not None and any(v.strip() for v in nxt.values):
        # the next row holds numbers but names no row itself: this row is its label
        nxt_own = [c for c in (L.norm_label(x) for x in nxt.labels) if c]
        named = L.match_active_row(nxt_own) if section == "二" else L.match_request_row(nxt_own)
        if named is None:
            return True
    if section == "二":
        return L.match_active_row(context) is None
    if len(row.values) < 7:
        return True
    if L.match_request_row(context) is not None:
        return False
    following_key = L.match_request_row([L.norm_label(x) for x in nxt.labels]) if nxt is not None else None
    # （六）其他处理 alone is the 2019 format's one row, unless the 2021 format's sub-rows follow
    return not L.is_single_other_processing(context) or following_key in _SUB_OTHER


def _single_other_row(reading: Reading) -> None:
    """The 2019 layout's one （六）其他处理 row is requests.other (as the 2021 format's （六）3.其他
    would hold it), whichever format the report is in; it stays under its legacy key too."""
    if not reading.other_processing or "other" in reading.requests:
        return
    reading.requests["other"] = list(reading.other_processing)
    legacy = "legacy_requests_other_processing."
    for path, rule in list(reading.placed.items()):
        if path.startswith(legacy):
            reading.placed[f"requests.other.{path.removeprefix(legacy)}"] = rule
            if reading.saw_2021:
                del reading.placed[path]  # a 2021-format record has no legacy keys
    if reading.saw_2021:
        reading.warnings.append(
            "section 三: （六）其他处理 is printed as one row (the 2019 layout): read as requests.other; "
            "other_no_correction and other_no_fee are not printed (null)"
        )


def _take_active(reading: Reading, context: list[str], row: Row) -> None:
    key = L.match_active_row(context)
    if key is None:
        return
    if reading.active.get(key):
        reading.warnings.append(f"section 二: row {key} appears twice; the first reading is kept")
        return
    width = 3 if key in ("regulations", "normative_documents", "other_documents") else None
    if width is None:
        width = len(L.ACTIVE_2019.get(key, ())) if reading.saw_2019 and not reading.saw_2021 else 1
    values = _fit(row.values, width, row.exact)
    if values is None:
        reading.warnings.append(
            f"section 二: row {key} has {len(row.values)} values where {width} were expected; left null"
        )
        reading.active[key] = []
        return
    reading.active[key] = [read_cell(v) for v in values]
    reading.active_units[key] = stated_unit(context)


def _take_request(reading: Reading, context: list[str], row: Row, following: list[str]) -> None:
    """One section 三 row. A label wrapped around its numbers (PDF text: '5.要求…重新出' /
    numbers / '具已获取信息') is matched with the fragment that follows the numbers."""
    key = L.match_request_row(context)
    # （六）其他处理 nearest the numbers, naming no sub-row: the one-row （六）, whatever label is above it
    single_other = L.is_single_other_processing(context) and L.match_request_row(context[-1:]) is None
    key = None if single_other else key
    if key is None and not single_other and following and L.match_request_row(following) is None:
        # only a fragment that is no row label of its own can be the rest of this one
        key = L.match_request_row(["".join(context[-2:] + following)])
    if key is None and not single_other:
        reading.warnings.append(f"section 三: a row of values with no known label ({'/'.join(context[-2:])})")
        return
    name = "other_processing" if single_other else key
    if (single_other and reading.other_processing) or reading.requests.get(name):
        reading.warnings.append(f"section 三: row {name} appears twice; the first reading is kept")
        return
    values = _fit(row.values, 7, row.exact)
    if values is not None and not _one_row(row):
        reading.warnings.append(f"section 三: row {name} has its 7 values on lines that are no one row; left null")
        reading.requests[name] = []
        return
    if values is None and not row.exact and len(row.values) < 7:
        values = _split_run_together(reading, name, row.values)
    cells = [read_cell(v) for v in values] if values else []
    if values is None:
        reading.warnings.append(
            f"section 三: row {name} has {len(row.values)} values where 7 were expected; left null"
        )
    if single_other:
        reading.other_processing = cells
    else:
        reading.requests[name] = cells


def _one_row(row: Row) -> bool:
    """Whether a text row's values, printed over several lines, are one row (placement.joinable)."""
    if row.exact or not row.lines:
        return True
    parts: dict[int, list[str]] = {}
    for value, line in zip(row.values, row.lines[len(row.labels) :]):
        parts.setdefault(line, []).append(value)
    return _joinable(list(parts.values()), 7, _adds_up)


def _split_run_together(reading: Reading, name: str, tokens: list[str]) -> list[str] | None:
    digits = [t.strip() for t in tokens]
    split = unique_split(digits, 7, row_total_holds)
    if split is None:
        return None
    reading.warnings.append(
        f"section 三: row {name} printed its numbers run together ({' '.join(digits)}); "
        f"the only split whose total adds up was used: {split}"
    )
    prefix = "legacy_requests_other_processing" if name == "other_processing" else f"requests.{name}"
    reading.placed.update({f"{prefix}.{col}": SPLIT_DIGITS for col in applicant_columns()})
    return [str(v) for v in split]


def _joined(cell: Cell) -> int | None:
    """A "lines" cell read as one number wrapped over its lines: plain digits only, and no
    leading zero in the whole ("0" / "5" is not 05)."""
    text = "".join(cell.lines)
    if text.isascii() and text.isdigit() and (text == "0" or not text.startswith("0")):
        return int(text)
    return None


def _readings(cell: Cell) -> list[int] | None:
    """The whole-number values a cell may hold: one for a number, the joined number and each
    line alone for a "lines" cell; None when the cell cannot take part in a sum."""
    if cell.kind == "zero_mark":
        return [0]
    if cell.kind == "number":
        value = as_count(cell.value) if cell.unit not in MONEY_UNITS else None
        return None if value is None else [value]
    if cell.kind == "lines":
        options = [] if _joined(cell) is None else [_joined(cell)]
        for line in cell.lines:
            part = _readings(read_cell(line))
            options += [v for v in part or () if v not in options]
        return options or None
    return None


def _settle(cells: list[Cell], valid: Callable[[list[int]], bool]) -> str | None:
    """Settle the "lines" cells of one group of cells the format's arithmetic ties together:
    the lines are one number only when that is the one reading under which the arithmetic
    holds. Returns "confirmed", "refuted" or None (no such cell, or nothing to check with)."""
    if not any(c.kind == "lines" for c in cells):
        return None
    options = [_readings(c) for c in cells]
    if any(o is None for o in options) or any(c.kind == "lines" and _joined(c) is None for c in cells):
        return None
    joined = [_joined(c) if c.kind == "lines" else o[0] for c, o in zip(cells, options)]
    choice = unique_reading(options, valid)
    if choice is None and valid(joined):
        return None  # the joined reading adds up, but so does another: no reading is chosen
    if choice != joined:
        return "refuted"
    for i, cell in enumerate(cells):
        if cell.kind == "lines":
            cells[i] = Cell(
                joined[i], "number", cell.raw, note=f"cell {cell.raw.strip()!r} prints its digits on separate "
                f"lines; read as {joined[i]}, the only reading under which the table's totals add up",
            )
    return "confirmed"


def settle_line_cells(reading: Reading) -> None:
    """Cells holding numbers on separate lines: each is settled by the arithmetic of its row
    (section 三 row totals, section 四 group totals) where that leaves exactly one reading.
    A document that splits its numbers over lines does so throughout: when at least two such
    cells were confirmed and none refuted, its remaining ones (section 二 has no arithmetic)
    are read joined too, with a warning. Otherwise they stay unreadable (null, warned)."""
    outcomes = []
    groups = [c for c in reading.requests.values() if len(c) == 7]
    if reading.other_processing and len(reading.other_processing) == 7:
        groups.append(reading.other_processing)
    outcomes += [_settle(cells, row_total_holds) for cells in groups]
    if len(reading.review) == 15:
        for start in (0, 5, 10):
            group = reading.review[start : start + 5]
            outcomes.append(_settle(group, group_total_holds))
            reading.review[start : start + 5] = group
    confirmed, refuted = outcomes.count("confirmed"), outcomes.count("refuted")
    if confirmed < 2 or refuted:
        return
    every = [*reading.active.values(), *reading.requests.values(), reading.review, reading.other_processing or []]
    for cells in every:
        for i, cell in enumerate(cells):
            if cell.kind == "lines" and (joined := _joined(cell)) is not None:
                cells[i] = Cell(
                    joined, "number", cell.raw, note=f"cell {cell.raw.strip()!r} prints its digits on separate "
                    f"lines; read as {joined}, as in the {confirmed} rows where this document's totals confirm it",
                )


def merge_missing(reading: Reading, other: Reading) -> None:
    """Take from a second reading the sections the first did not find."""
    took = False
    keys: list[str] = []  # record keys of the sections taken: how the other reading placed them comes too
    if not reading.active and other.active:
        reading.active, took = other.active, True
        keys += ["active_disclosure.", "legacy_active_disclosure."]
    if not reading.requests and other.requests:
        reading.requests, reading.other_processing, took = other.requests, other.other_processing, True
        keys += ["requests.", "legacy_requests_other_processing."]
    if not reading.review and len(other.review) == 15:
        reading.review, took = other.review, True
        keys += ["review_litigation."]
    if took:
        reading.placed.update({k: rule for k, rule in other.placed.items() if k.startswith(tuple(keys))})
        reading.saw_2021 |= other.saw_2021
        reading.saw_2019 |= other.saw_2019
        reading.warnings.extend(other.warnings)
        reading.warnings.append("some statistics were read from the document's text, not its tables")


def detect_format(reading: Reading) -> str | None:
    """"2021", "legacy" or None (nothing readable) from what the tables showed."""
    if reading.saw_2021:
        return FORMAT_2021
    if reading.saw_2019 or reading.other_processing is not None:
        return FORMAT_LEGACY
    if reading.requests or reading.review:
        # Section 三/四 tables without a section 二 header: the 2021 row set says which.
        sub_rows = {"other_no_correction", "other_no_fee", "other"}
        return FORMAT_2021 if sub_rows & set(reading.requests) else FORMAT_LEGACY
    return None  # nothing read: the caller tells pre-2019 free-form reports from unreadable ones


def _number(
    cell: Cell,
    where: str,
    warnings: list[str],
    unit: str = COUNT,
    column_unit: str | None = None,
    signed: bool = False,
    placed: dict[str, str] | None = None,
) -> Any:
    """A cell's value in the field's unit (COUNT or a money unit), with a warning for each doubt.

    An empty cell of a grid is 0 without a warning of its own: it is noted in `placed` as
    blank_as_zero, and the caller names a table's blank cells in one warning."""
    raw = cell.raw.strip()
    if cell.kind == "zero_mark":
        if placed is not None and not normalize(cell.raw):
            placed.setdefault(where, BLANK_AS_ZERO)
        else:
            warnings.append(f"{where}: cell {raw!r} read as 0")
        return 0
    if cell.kind == "lines":
        warnings.append(f"{where}: cell {raw!r} holds {len(cell.lines)} numbers on separate lines; left null")
        return None
    if cell.note:
        warnings.append(f"{where}: {cell.note}")
        if placed is not None:
            placed.setdefault(where, JOINED_LINES)
    value, note = value_in(cell, unit, column_unit)
    if note:
        warnings.append(f"{where}: cell {raw!r} {note}")
    if value is None:
        if cell.value is None:
            warnings.append(f"{where}: cell {raw!r} is not a number; left null")
        return None
    if unit == COUNT:
        value = as_count(value, signed)
        if value is None:
            warnings.append(f"{where}: cell {raw!r} is not a whole number; left null")
    return value


def _fee(cell: Cell, where: str, warnings: list[str], stated: str | None, placed: dict[str, str]) -> Any:
    """本年收费金额: the format fixes 万元; a header or cell that states another unit converts."""
    if stated is None and cell.kind == "number" and cell.unit is None:
        warnings.append(f"{where}: cell {cell.raw.strip()!r} has no unit and its header states none; read in "
                        f"the format's {FEES_UNIT}")
    return _number(cell, where, warnings, FEES_UNIT, stated or FEES_UNIT, placed=placed)


def fill_record(record: dict[str, Any], reading: Reading, fmt: str) -> None:
    """Write the interpreter's cells into the record, with a warning for each doubtful cell.
    Cells read other than plainly are noted in `reading.placed` (blank_as_zero, joined_lines)."""
    warnings, placed = record["warnings"], reading.placed
    warnings.extend(reading.warnings)
    columns = list(applicant_columns())
    for row, cells in reading.requests.items():
        if row in _SUB_OTHER[:2] and fmt == FORMAT_LEGACY:
            continue  # the 2019 format's （六） is one row: requests.other
        for col, cell in zip(columns, cells):
            record["requests"][row][col] = _number(cell, f"requests.{row}.{col}", warnings, placed=placed)
    if fmt == FORMAT_2021:
        for row, cells in reading.active.items():
            for key, cell in zip(L.ACTIVE_2021.get(row, ()), cells):
                where = f"active_disclosure.{key}"
                if key == "fees_wan_yuan":
                    value = _fee(cell, where, warnings, reading.active_units.get(row), placed)
                else:
                    value = _number(cell, where, warnings, placed=placed)
                record["active_disclosure"][key] = value
    elif fmt == FORMAT_LEGACY:
        # every row of the 2019 format's section 二 (Hubei's 其他主动公开文件 when printed): null until read
        legacy: dict[str, dict[str, Any]] = {
            row: dict.fromkeys(keys) for row, keys in L.ACTIVE_2019.items() if row != "other_documents"
        }
        for row, cells in reading.active.items():
            legacy[row] = dict.fromkeys(L.ACTIVE_2019.get(row, ()))
            for key, cell in zip(L.ACTIVE_2019.get(row, ()), cells):
                where = f"legacy_active_disclosure.{row}.{key}"
                if (row, key) in LEGACY_MONEY:
                    value = _number(cell, where, warnings, LEGACY_MONEY[row, key], reading.active_units.get(row),
                                    placed=placed)
                else:
                    value = _number(cell, where, warnings, signed=True, placed=placed)
                legacy[row][key] = value
        record["legacy_active_disclosure"] = legacy
        for row in ("licensing", "penalty", "coercion"):
            # its 处理决定数量 is the figure the 2021 format asks as 本年处理决定数量
            value, path = legacy.get(row, {}).get("decisions"), f"legacy_active_disclosure.{row}.decisions"
            record["active_disclosure"][f"{row}_decisions"] = value if value is None or value >= 0 else None
            if path in placed and value is not None and value >= 0:
                placed[f"active_disclosure.{row}_decisions"] = placed[path]
        if reading.other_processing is not None:
            record["legacy_requests_other_processing"] = {
                col: _number(cell, f"legacy_requests_other_processing.{col}", warnings, placed=placed)
                for col, cell in zip(columns, reading.other_processing)
            }
        if reading.requests or reading.active:
            warnings.append(
                "legacy 2019 format: section 二 kept under legacy_active_disclosure (its 处理决定数量 also as "
                "active_disclosure.*_decisions), （六）其他处理 as requests.other and under "
                "legacy_requests_other_processing; the other active_disclosure fields and （六） sub-rows are null"
            )
    _fill_review(record, reading, warnings)


def _fill_review(record: dict[str, Any], reading: Reading, warnings: list[str]) -> None:
    cells = reading.review
    if not cells:
        return
    if len(cells) != 15:
        warnings.append(f"section 四: {len(cells)} values where 15 were expected; left null")
        return
    for i, group in enumerate(REVIEW_GROUPS):
        for j, col in enumerate(REVIEW_COLUMNS):
            where = f"review_litigation.{group}.{col}"
            record["review_litigation"][group][col] = _number(cells[i * 5 + j], where, warnings, placed=reading.placed)
