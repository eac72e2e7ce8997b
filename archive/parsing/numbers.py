"""Reading one table cell as a number, the way people write them in these reports.

Full-width digits (０１２), thousands separators (12,085), stray and non-breaking spaces and
decimals for fees are all accepted. A dash, slash, 无 or empty cell is a present zero (the
caller warns). Anything else is unreadable: never a guessed number.

Units. A cell may carry one unit mark: a count unit (件, 个, 项 …) or a money unit (元, 千元,
万元 …, or a leading ¥). The cell keeps the mark it was written with; `value_in` turns it into
the field's unit by the table of factors below (15000元 in a 万元 field is 1.5), refuses a mark of
the wrong kind (元 in a count, 份 in a money field), and, for a bare number, uses the unit its
column header states (单位：元, （万元）) or else the one the format fixes for the field.

Lines. A reader keeps the line breaks inside a cell (<br>, <p>, Word paragraphs, PDF lines).
A cell whose lines each hold a complete number ("3\n5") is not 35: it reads as kind "lines",
unreadable until the format's arithmetic leaves exactly one reading of it (tables.py). Lines
that are not each a number ("1" / ".5", "3" / "件") are one number wrapped, and read joined.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from decimal import Decimal
from functools import lru_cache

# Cells that mean "nothing here" in a present row: read as 0 with a warning.
ZERO_MARKS = {"", "-", "—", "–", "--", "——", "─", "/", "\\", "无", "無"}

COUNT = "count"  # the unit of every count field: a whole number of things
# Money units → how many 元 each is. A money field converts by the ratio of its own unit's factor.
MONEY_UNITS: dict[str, int] = {"元": 1, "千元": 1_000, "万元": 10_000, "百万元": 1_000_000, "亿元": 100_000_000}
# Units a count may be written with; in a money field they make the cell unreadable.
COUNT_UNITS = ("人次", "件", "个", "項", "项", "次", "条", "人", "份", "家", "起", "宗", "篇")
_UNITS = sorted([*MONEY_UNITS, *COUNT_UNITS], key=len, reverse=True)  # 万元 before 元
_MONEY_MARK = "¥"  # NFKC of ￥; a leading ¥ says 元 unless the cell ends in a larger money unit
_NUMBER = re.compile(r"^[+-]?(\d{1,3}(,\d{3})+|\d+)(\.\d+)?$")
# A column header or label stating the money unit: 本年收费金额（单位：万元）, 采购总金额(元).
_STATED_UNIT = re.compile(r"单位[:：]?(百万元|千元|万元|亿元|元)|[(（](百万元|千元|万元|亿元|元)[)）]")
CONFLICT = "conflict"  # labels that state two different units


@dataclass(frozen=True)
class Cell:
    """The reading of one cell: value (None when unreadable) and how it was read.

    `unit` is the unit mark written in the cell (None for a bare number); `lines` are the
    numbers of a "lines" cell; `note` says how a cell was settled (tables.py), for the warning."""

    value: float | int | None
    kind: str  # "number", "zero_mark", "lines", "unreadable"
    raw: str
    unit: str | None = None
    lines: tuple[str, ...] = ()
    note: str | None = None


def normalize(text: str) -> str:
    """NFKC (full-width digits and punctuation to ASCII) and every kind of space removed."""
    text = unicodedata.normalize("NFKC", text or "")
    return re.sub(r"[\s\u200b\u3000\ufeff]+", "", text)


@lru_cache(maxsize=65536)
def read_cell(raw: str | None) -> Cell:
    raw = raw or ""
    if "\n" in raw:
        lines = [line for line in (normalize(x) for x in raw.split("\n")) if line]
        if len(lines) > 1:
            parts = [_read_text(line, line) for line in lines]
            if all(p.kind == "zero_mark" for p in parts):
                return Cell(0, "zero_mark", raw)
            if all(p.kind != "unreadable" for p in parts):
                return Cell(None, "lines", raw, lines=tuple(lines))
    return _read_text(normalize(raw), raw)


def _read_text(text: str, raw: str) -> Cell:
    if text in ZERO_MARKS:
        return Cell(0, "zero_mark", raw)
    money_mark = text.startswith(_MONEY_MARK)
    if money_mark:
        text = text[1:]
    unit = None
    for mark in _UNITS:
        if text.endswith(mark) and len(text) > len(mark):
            text, unit = text[: -len(mark)], mark
            break
    if money_mark:
        if unit is None:
            unit = "元"
        elif unit not in MONEY_UNITS:
            return Cell(None, "unreadable", raw)  # ¥ and a count unit contradict each other
    if _NUMBER.match(text):
        number = float(text.replace(",", ""))
        if number.is_integer() and "." not in text:
            return Cell(int(number), "number", raw, unit)
        return Cell(number, "number", raw, unit)
    return Cell(None, "unreadable", raw)


def stated_unit(labels: list[str]) -> str | None:
    """The money unit that header or label cells state (单位：元, （万元）); CONFLICT when they
    state two different ones; None when they state none."""
    found = {a or b for label in labels for a, b in _STATED_UNIT.findall(normalize(label))}
    if len(found) > 1:
        return CONFLICT
    return found.pop() if found else None


def value_in(cell: Cell, unit: str, column_unit: str | None = None) -> tuple[float | int | None, str | None]:
    """The value of a read number in the field's unit (COUNT or a key of MONEY_UNITS), and a
    note when it was converted or cannot be told. `column_unit` is the money unit the column
    states (or the format fixes); a unit written in the cell goes before it."""
    if cell.value is None:
        return None, None
    if unit == COUNT:
        if cell.unit in MONEY_UNITS:
            return None, f"is a money amount ({cell.unit}) where a count belongs; left null"
        return cell.value, None
    if cell.unit is not None and cell.unit not in MONEY_UNITS:
        return None, f"is written in {cell.unit}, not a money unit; left null"
    written = cell.unit or column_unit
    if written == CONFLICT:
        return None, "has no unit of its own and its header states two different units; left null"
    if written is None:
        return None, "has no unit and neither its header nor the format states one; left null"
    if written == unit:
        return cell.value, None
    converted = Decimal(repr(cell.value)) * MONEY_UNITS[written] / MONEY_UNITS[unit]
    value = int(converted) if converted == converted.to_integral_value() and isinstance(cell.value, int) else float(converted)
    where = "written" if cell.unit else "its header states"
    return value, f"{where} {written}: read as {value} {unit}"


_CJK = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]")
_NUMBERING = re.compile(r"^[(（]?[0-9一二三四五六七八九十]+[)）.、．]$")


def looks_numeric(raw: str | None) -> bool:
    """True when a cell is a value cell (a number or a zero mark), not a label."""
    return read_cell(raw).kind != "unreadable"


@lru_cache(maxsize=65536)
def is_value_cell(raw: str | None) -> bool:
    """A cell in a value position: a number, a zero mark, or short garbage with no Chinese in
    it (such as "six" or "1O") — labels always carry Chinese. Garbage reads as unreadable."""
    if looks_numeric(raw):
        return True
    text = normalize(raw or "")
    return (
        len(text) <= 12
        and bool(re.search(r"[0-9A-Za-z]", text))
        and not _CJK.search(text)
        and not _NUMBERING.match(text)
    )


# A number followed by a few characters that are no unit the reader knows (15000斤, 1.5万,
# 15000元万元): in a grid's value position it is a value cell that cannot be read — null with a
# warning, never a label. Years and dates (2024年, 12月) stay labels.
_UNKNOWN_UNIT = re.compile(r"^¥?[+-]?\d+(?:[,.]\d+)*(?![年月日号度期届])[\u3400-\u9fff]{1,3}$")


def is_amount_with_unknown_unit(raw: str | None) -> bool:
    return bool(_UNKNOWN_UNIT.match(normalize(raw or "")))


def as_count(value: float | int | None, signed: bool = False) -> int | None:
    """A count must be a whole number, non-negative unless `signed` (the 2019 format's 本年增/减);
    anything else is unreadable."""
    if value is None:
        return None
    if float(value).is_integer() and (signed or value >= 0):
        return int(value)
    return None
