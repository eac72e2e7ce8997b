"""The arithmetic the format itself implies (CONTRACT.md, FORMAT.md §5).

A failed check is data about the report, not an error: real reports do not always add up.
A check whose numbers are not all known is not run (a null is not a zero).
"""

from __future__ import annotations

from typing import Any

from .model import FORMAT_LEGACY, REVIEW_COLUMNS, REVIEW_GROUPS, applicant_columns, request_rows

_RESULT_ROWS_2021 = [
    r for r in request_rows() if r not in ("new_requests", "carried_over", "total_processed", "carried_forward")
]
_SUB_OTHER = ("other_no_correction", "other_no_fee", "other")
APPLICANTS = [c for c in applicant_columns() if c != "total"]


def _check(rule: str, left: Any, right: Any, detail: str) -> dict[str, Any]:
    passed = abs(left - right) < 1e-9
    return {"rule": rule, "passed": passed, "detail": detail if not passed else f"{left} = {right}"}


def _all_known(values: list[Any]) -> bool:
    return all(isinstance(v, (int, float)) for v in values)


def run_checks(record: dict[str, Any]) -> list[dict[str, Any]]:
    requests = record["requests"]
    legacy = record.get("format") == FORMAT_LEGACY
    other_row = (record.get("legacy_requests_other_processing") or {}) if legacy else None
    result_rows = [r for r in _RESULT_ROWS_2021 if not (legacy and r in _SUB_OTHER)]
    checks = []
    for col in applicant_columns():
        new, carried = requests["new_requests"][col], requests["carried_over"][col]
        total, forward = requests["total_processed"][col], requests["carried_forward"][col]
        if _all_known([new, carried, total, forward]):
            checks.append(
                _check(
                    f"requests.balance.{col}",
                    new + carried,
                    total + forward,
                    f"一 {new} + 二 {carried} = {new + carried}, but （七）总计 {total} + 四 {forward} = {total + forward}",
                )
            )
        parts = [requests[r][col] for r in result_rows]
        if legacy:
            parts.append(other_row.get(col) if other_row else None)
        if _all_known(parts + [total]):
            checks.append(
                _check(
                    f"requests.results_sum.{col}",
                    total,
                    sum(parts),
                    f"（七）总计 {total}, but the result rows sum to {sum(parts)}",
                )
            )
    rows = list(requests.items())
    if legacy and other_row:
        rows.append(("legacy_other_processing", other_row))
    for row, cells in rows:
        parts = [cells.get(c) for c in APPLICANTS]
        if _all_known(parts + [cells.get("total")]):
            checks.append(
                _check(
                    f"requests.row_total.{row}",
                    cells["total"],
                    sum(parts),
                    f"总计 {cells['total']}, but the six applicant columns sum to {sum(parts)}",
                )
            )
    for group in REVIEW_GROUPS:
        cells = record["review_litigation"][group]
        parts = [cells[c] for c in ("upheld", "corrected", "other", "pending")]
        if _all_known(parts + [cells["total"]]):
            checks.append(
                _check(
                    f"review_litigation.{group}.total",
                    cells["total"],
                    sum(parts),
                    f"总计 {cells['total']}, but 维持+纠正+其他+尚未审结 = {sum(parts)}",
                )
            )
    return checks


def check_paths(rule: str, record: dict[str, Any]) -> list[str]:
    """The dotted keys of the numbers one check of `run_checks` adds up (by its rule name)."""
    legacy = record.get("format") == FORMAT_LEGACY
    parts = rule.split(".")
    if rule.startswith("requests.balance."):
        col = parts[2]
        return [f"requests.{row}.{col}" for row in ("new_requests", "carried_over", "total_processed", "carried_forward")]
    if rule.startswith("requests.results_sum."):
        col = parts[2]
        rows = [f"requests.{r}.{col}" for r in _RESULT_ROWS_2021 if not (legacy and r in _SUB_OTHER)]
        if legacy:
            rows.append(f"legacy_requests_other_processing.{col}")
        return [*rows, f"requests.total_processed.{col}"]
    if rule.startswith("requests.row_total."):
        row = parts[2]
        prefix = "legacy_requests_other_processing" if row == "legacy_other_processing" else f"requests.{row}"
        return [f"{prefix}.{col}" for col in applicant_columns()]
    if rule.startswith("review_litigation.") and len(parts) == 3:
        return [f"review_litigation.{parts[1]}.{col}" for col in REVIEW_COLUMNS]
    return []
