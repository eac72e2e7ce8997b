"""Splitting numbers that text extraction ran together ("6300036" for 6 3 0 0 0 3 6 …).

Only splits under which the format's own arithmetic holds are candidates: a section 三 row
whose last value is the sum of the six before it. A split is accepted only when exactly one
candidate exists; an ambiguous run stays unread (null, with a warning) — never guessed.
Digits already separated by the extraction stay separated.

The same rule settles a cell that holds numbers on separate lines ("1" / "5" in one cell):
`unique_reading` tries every reading of each such cell (the lines as one wrapped number, or
one line alone) and accepts a row only when exactly one combination adds up.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from itertools import product

MAX_CANDIDATES = 200_000  # enough for any real row; a pathological run gives up, not hangs


def _splits(tokens: list[str], parts: int) -> Iterator[list[int]]:
    """Every way to cut the tokens into `parts` numbers, cutting only inside tokens, with no
    leading zeros (a lone 0 is fine)."""

    def cuts(token: str, k: int) -> Iterator[list[str]]:
        if k == 1:
            if token == "0" or not token.startswith("0"):
                yield [token]
            return
        for i in range(1, len(token) - k + 2):
            head = token[:i]
            if head != "0" and head.startswith("0"):
                break
            for rest in cuts(token[i:], k - 1):
                yield [head, *rest]

    def walk(index: int, left: int) -> Iterator[list[str]]:
        if index == len(tokens):
            if left == 0:
                yield []
            return
        remaining_tokens = len(tokens) - index - 1
        token = tokens[index]
        for k in range(1, min(len(token), left - remaining_tokens) + 1):
            for head in cuts(token, k):
                for rest in walk(index + 1, left - k):
                    yield head + rest

    for split in walk(0, parts):
        yield [int(x) for x in split]


def unique_split(tokens: list[str], parts: int, valid: Callable[[list[int]], bool]) -> list[int] | None:
    """The one split of run-together digit tokens into `parts` numbers that `valid` accepts."""
    if not tokens or not all(t.isdigit() for t in tokens) or sum(map(len, tokens)) < parts:
        return None
    found = None
    for tried, candidate in enumerate(_splits(tokens, parts)):
        if tried > MAX_CANDIDATES:
            return None
        if valid(candidate):
            if found is not None:
                return None
            found = candidate
    return found


def unique_reading(options: list[list[int]], valid: Callable[[list[int]], bool]) -> list[int] | None:
    """The one choice of a value per cell (each cell's possible readings in `options`) that
    `valid` accepts; None when none or several do."""
    found = None
    for tried, candidate in enumerate(product(*options)):
        if tried > MAX_CANDIDATES:
            return None
        if valid(list(candidate)):
            if found is not None:
                return None
            found = list(candidate)
    return found


def row_total_holds(values: list[int]) -> bool:
    """Section 三 row: 总计 (the 7th value) is the sum of the six applicant columns."""
    return sum(values[:6]) == values[6]


def group_total_holds(values: list[int]) -> bool:
    """Section 四 group: 总计 (the 5th value) is 维持 + 纠正 + 其他 + 尚未审结."""
    return sum(values[:4]) == values[4]
