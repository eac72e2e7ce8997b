"""The one table interpreter: rows of (label cells, value cells) → the record's numbers.

Every reader turns its document into `Row`s in reading order — an HTML grid row, a line of
tab-separated text, a pdfplumber row, one cell per line regrouped — and this module decides
what each row is by its labels, never by its position: section headings and table cues set
the section, labels.py names the row, and the values are assigned by count.

Rows are identified, not counted: a missing row leaves its numbers null, a row seen twice
keeps the first reading, and a row with the wrong number of values is left null with a
warning rather than guessed.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from ..record.model import (
    FORMAT_2021,
    FORMAT_LEGACY,
    REVIEW_COLUMNS,
    REVIEW_GROUPS,
    applicant_columns,
)
from . import labels as L
from .digits import row_total_holds, unique_split
from .numbers import Cell, as_count, is_value_cell, read_cell


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


@dataclass
class Reading:
    """What the interpreter found: numbers by section, plus the format cues it saw."""

    active: dict[str, list[Cell]] = field(default_factory=dict)
    requests: dict[str, list[Cell]] = field(default_factory=dict)
    review: list[Cell] = field(default_factory=list)
    other_processing: list[Cell] | None = None
    saw_2021: bool = False
    saw_2019: bool = False
    saw_old: bool = False
    sections_seen: set[str] = field(default_factory=set)
    warnings: list[str] = field(default_factory=list)


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
        while split > 0 and is_value_cell(cells[split - 1][0]):
            split -= 1
        labels = [t for t, _ in cells[:split] if t]
        values = [t for t, _ in cells[split:]]
        if all(not v.strip() for v in values):
            values = []  # a header row's empty cells, not a row of blank numbers
        rows.append(Row(labels, values, exact=True))
    return rows


def _fit(values: list[str], expected: int, exact: bool) -> list[str] | None:
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


def interpret(rows: list[Row], section: str | None = None) -> Reading:
    """Walk rows in order, tracking the section, and collect the cells of each known row."""
    reading = Reading()
    pending: list[str] = []
    review_done = False
    for index, row in enumerate(rows):
        cells = [c for c in (L.norm_label(x) for x in row.labels) if c]
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
        if section:
            reading.sections_seen.add(section)
        if not row.values:
            pending = (pending + cells)[-12:]
            continue
        context, pending = pending + cells, []
        if section == "二":
            _take_active(reading, context, row)
        elif section == "三":
            following = rows[index + 1].labels[:1] if index + 1 < len(rows) else []
            _take_request(reading, context, row, [L.norm_label(x) for x in following])
        elif section == "四" and not review_done:
            reading.review.extend(read_cell(v) for v in row.values if v.strip() or row.exact)
            if len(reading.review) >= 15:
                review_done = True
    return reading


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


def _take_request(reading: Reading, context: list[str], row: Row, following: list[str]) -> None:
    """One section 三 row. A label wrapped around its numbers (PDF text: '5.要求…重新出' /
    numbers / '具已获取信息') is matched with the fragment that follows the numbers."""
    key = L.match_request_row(context)
    single_other = key is None and L.is_single_other_processing(context)
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


def _split_run_together(reading: Reading, name: str, tokens: list[str]) -> list[str] | None:
    digits = [t.strip() for t in tokens]
    split = unique_split(digits, 7, row_total_holds)
    if split is None:
        return None
    reading.warnings.append(
        f"section 三: row {name} printed its numbers run together ({' '.join(digits)}); "
        f"the only split whose total adds up was used: {split}"
    )
    return [str(v) for v in split]


def merge_missing(reading: Reading, other: Reading) -> None:
    """Take from a second reading the sections the first did not find."""
    took = False
    if not reading.active and other.active:
        reading.active, took = other.active, True
    if not reading.requests and other.requests:
        reading.requests, reading.other_processing, took = other.requests, other.other_processing, True
    if not reading.review and len(other.review) == 15:
        reading.review, took = other.review, True
    if took:
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


def _number(cell: Cell, where: str, warnings: list[str], count: bool = True) -> Any:
    if cell.kind == "zero_mark":
        warnings.append(f"{where}: cell {cell.raw.strip()!r} read as 0")
        return 0
    value = as_count(cell) if count else cell.value
    if value is None:
        warnings.append(f"{where}: cell {cell.raw.strip()!r} is not a number; left null")
    return value


def fill_record(record: dict[str, Any], reading: Reading, fmt: str) -> None:
    """Write the interpreter's cells into the record, with a warning for each doubtful cell."""
    warnings = record["warnings"]
    warnings.extend(reading.warnings)
    columns = list(applicant_columns())
    for row, cells in reading.requests.items():
        if row in ("other_no_correction", "other_no_fee", "other") and fmt == FORMAT_LEGACY:
            continue
        for col, cell in zip(columns, cells):
            record["requests"][row][col] = _number(cell, f"requests.{row}.{col}", warnings)
    if fmt == FORMAT_2021:
        for row, cells in reading.active.items():
            for key, cell in zip(L.ACTIVE_2021.get(row, ()), cells):
                where = f"active_disclosure.{key}"
                record["active_disclosure"][key] = _number(cell, where, warnings, key != "fees_wan_yuan")
    elif fmt == FORMAT_LEGACY:
        legacy: dict[str, dict[str, Any]] = {}
        for row, cells in reading.active.items():
            legacy[row] = {
                key: _number(cell, f"legacy_active_disclosure.{row}.{key}", warnings, False)
                for key, cell in zip(L.ACTIVE_2019.get(row, ()), cells)
            }
        record["legacy_active_disclosure"] = legacy
        if reading.other_processing is not None:
            record["legacy_requests_other_processing"] = {
                col: _number(cell, f"legacy_requests_other_processing.{col}", warnings)
                for col, cell in zip(columns, reading.other_processing)
            }
        if reading.requests or reading.active:
            warnings.append(
                "legacy 2019 format: section 二 kept under legacy_active_disclosure, （六）其他处理 under "
                "legacy_requests_other_processing; active_disclosure and the three （六） sub-rows are null"
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
            record["review_litigation"][group][col] = _number(cells[i * 5 + j], where, warnings)
