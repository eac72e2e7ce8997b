"""How a record was read, in a form a user can filter on: the reading summary and the review flag.

    record["reading"] = {"cells_read": 198, "cells_expected": 200, "checks_failed": 1,
                         "rules": {"blank_as_zero": ["requests.granted.total", …], "order": […]}}
    record["needs_review"] = True

`cells_expected` are the numbers the record's format has (200 for the 2021 format, and for a
report whose tables could not be read; the 2019 format's rows for a 2019/2020 report; none for
a pre-2019 free-form one), `cells_read` those of them that are not null. `rules` lists, by
dotted key, the cells that got their value other than by plain reading under their own label:

- ``blank_as_zero``: an empty cell of a printed grid table, read as 0 (docs/CONTRACT.md);
- ``joined_lines`` / ``split_digits``: digits printed on separate lines of a cell, or run
  together in a row, read the one way under which the report's totals add up;
- ``order`` (and any other placement rule of the interpreter): a value placed by the format's
  row order rather than by its label;
- ``ocr``: a number read by OCR from a page image (parsing/ocr.py). Like ``order`` it is not a
  reading rule: it needs every check it takes part in to pass (the reader keeps it only then).

A report needs review when a cell was placed (by order or another placement rule) without every
check it takes part in passing, when an expected number is null, or when a check of the format's
arithmetic fails — a failed check that a blank-as-zero cell takes part in included (the report
may not mean 0 by the blank). `checks_failed` counts those arithmetic checks. A `prose.*` check
(the report's words against its tables) is data about the report, like a failed sum, but it
does not flag the reading: reports restate figures loosely (rounded, of a wider scope), and a
reading the arithmetic confirms is not in doubt because the prose says otherwise. Neither key is part of the content fingerprint (model.py): reading a report better
does not make it a new version.
"""

from __future__ import annotations

from typing import Any

from .checks import check_paths, is_arithmetic
from .model import FORMAT_2021, FORMAT_LEGACY, FORMAT_UNKNOWN, applicant_columns, get_path, numeric_paths

BLANK_AS_ZERO = "blank_as_zero"
JOINED_LINES = "joined_lines"
SPLIT_DIGITS = "split_digits"
# Rules that decide a cell's value, not where a value goes: no check needs to confirm them.
READING_RULES = frozenset({BLANK_AS_ZERO, JOINED_LINES, SPLIT_DIGITS})
_SUB_OTHER = ("other_no_correction", "other_no_fee", "other")


def expected_paths(record: dict[str, Any]) -> list[str]:
    """The dotted keys of the numbers a record of its format has."""
    fmt = record.get("format")
    if fmt in (FORMAT_2021, FORMAT_UNKNOWN):
        return numeric_paths()
    if fmt != FORMAT_LEGACY or "legacy_active_disclosure" not in record:
        return []  # a pre-2019 free-form report: no table of the national formats to read
    # the 2019 format's own rows; a 2021 key it also fills (read, so expected) counts too
    paths = [
        p for p in numeric_paths()
        if not (p.startswith("active_disclosure.") or p.startswith("requests.") and p.split(".")[1] in _SUB_OTHER)
        or get_path(record, p) is not None
    ]
    paths += [f"legacy_requests_other_processing.{col}" for col in applicant_columns()]
    for row, cells in (record.get("legacy_active_disclosure") or {}).items():
        paths += [f"legacy_active_disclosure.{row}.{key}" for key in cells]
    return paths


def _confirmed(path: str, record: dict[str, Any]) -> bool:
    """A placed cell takes part in at least one check, and every check it takes part in passed."""
    involved = [c for c in record.get("checks", []) if path in check_paths(c["rule"], record)]
    return bool(involved) and all(c["passed"] for c in involved)


def summarize(record: dict[str, Any], placed: dict[str, str]) -> None:
    """Set record["reading"] and record["needs_review"] from the record and how its cells were
    placed (dotted key → rule, as the interpreter noted it)."""
    expected = expected_paths(record)
    order = {path: i for i, path in enumerate(expected)}
    cells_read = sum(get_path(record, path) is not None for path in expected)
    failed = sum(not c["passed"] for c in record.get("checks", []) if is_arithmetic(c["rule"]))
    rules: dict[str, list[str]] = {}
    for path in sorted(placed, key=lambda p: (order.get(p, len(order)), p)):
        rules.setdefault(placed[path], []).append(path)
    unconfirmed = [p for p, rule in placed.items() if rule not in READING_RULES and not _confirmed(p, record)]
    record["reading"] = {
        "cells_read": cells_read,
        "cells_expected": len(expected),
        "checks_failed": failed,
        "rules": rules,
    }
    record["needs_review"] = bool(unconfirmed or cells_read < len(expected) or failed)


def blank_failures(record: dict[str, Any], placed: dict[str, str]) -> dict[str, list[str]]:
    """Failed checks that blank-as-zero cells take part in: rule → those cells."""
    blanks = {p for p, rule in placed.items() if rule == BLANK_AS_ZERO}
    failures = {}
    for check in record.get("checks", []):
        if not check["passed"] and blanks:
            involved = [p for p in check_paths(check["rule"], record) if p in blanks]
            if involved:
                failures[check["rule"]] = involved
    return failures


def needs_review(record: dict[str, Any]) -> bool:
    """The record's review flag; for a record stored before records carried one, derived from
    what it holds (how its cells were placed is not known then)."""
    if "needs_review" in record:
        return bool(record["needs_review"])
    derived = {**record}
    summarize(derived, {})
    return derived["needs_review"]
