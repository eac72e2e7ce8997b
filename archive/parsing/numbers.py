"""Reading one table cell as a number, the way people write them in these reports.

Full-width digits (０１２), thousands separators (12,085), stray and non-breaking spaces, units
(件, 万元) and decimals for fees are all accepted. A dash, slash, 无 or empty cell is a present
zero (the caller warns). Anything else is unreadable: never a guessed number.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache

# Cells that mean "nothing here" in a present row: read as 0 with a warning.
ZERO_MARKS = {"", "-", "—", "–", "--", "——", "─", "/", "\\", "无", "無"}

_UNITS = ("万元", "件", "个", "项", "次", "条", "元", "人", "份")
_NUMBER = re.compile(r"^[+-]?(\d{1,3}(,\d{3})+|\d+)(\.\d+)?$")


@dataclass(frozen=True)
class Cell:
    """The reading of one cell: value (None when unreadable) and how it was read."""

    value: float | int | None
    kind: str  # "number", "zero_mark", "unreadable"
    raw: str


def normalize(text: str) -> str:
    """NFKC (full-width digits and punctuation to ASCII) and every kind of space removed."""
    text = unicodedata.normalize("NFKC", text or "")
    return re.sub(r"[\s\u200b\u3000\ufeff]+", "", text)


@lru_cache(maxsize=65536)
def read_cell(raw: str | None) -> Cell:
    text = normalize(raw or "")
    if text in ZERO_MARKS:
        return Cell(0, "zero_mark", raw or "")
    for unit in _UNITS:
        if text.endswith(unit) and len(text) > len(unit):
            text = text[: -len(unit)]
            break
    text = text.replace("，", ",")
    if _NUMBER.match(text):
        number = float(text.replace(",", ""))
        if number.is_integer() and "." not in text:
            return Cell(int(number), "number", raw or "")
        return Cell(number, "number", raw or "")
    return Cell(None, "unreadable", raw or "")


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


def as_count(cell: Cell) -> int | None:
    """A count must be a whole, non-negative number; anything else is unreadable."""
    if cell.value is None:
        return None
    if float(cell.value).is_integer() and cell.value >= 0:
        return int(cell.value)
    return None
