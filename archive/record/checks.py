"""The arithmetic the format itself implies (docs/CONTRACT.md, docs/FORMAT.md §5), and two comparisons
beyond one report's tables: its prose against them (`prose.<key>`, in the record's own checks)
and the chain between consecutive years of one agency (`cross_year.<column>`, stored apart by
the archive because it depends on two reports).

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


PROSE_PREFIX = "prose."  # the report's words against its tables (prose_checks)


def is_arithmetic(rule: str) -> bool:
    """Whether a check of record["checks"] is the format's own arithmetic (run_checks), not a
    comparison of the prose with the tables."""
    return not rule.startswith(PROSE_PREFIX)


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


# --- beyond the format's own arithmetic -------------------------------------------------------
# A figure the prose states that the tables give as the sum of several keys.
_DERIVED = {
    "review_litigation.litigation.total": (
        "review_litigation.litigation_direct.total",
        "review_litigation.litigation_after_review.total",
    ),
}


def tabled_value(record: dict[str, Any], key: str) -> Any:
    """The tables' value of a key the prose may state (a derived key: the sum of its parts);
    None when any part is unknown."""
    from .model import get_path

    parts = [get_path(record, k) for k in _DERIVED.get(key, (key,))]
    return sum(parts) if _all_known(parts) else None


def _shown(value: Any) -> str:
    return f"{value:g}" if isinstance(value, float) else str(value)


def prose_checks(record: dict[str, Any], stated: list[Any]) -> list[dict[str, Any]]:
    """One check per record key the report's prose states (parsing/prose.py `Stated`: key,
    value, sentence, tolerance), rule `prose.<key>`: the stated figure against the table's,
    where the table gives it. A key stated twice passes only if every statement agrees; the
    detail quotes the sentence (a disagreeing one first) with both values."""
    by_key: dict[str, list[Any]] = {}
    for statement in stated:
        by_key.setdefault(statement.key, []).append(statement)
    checks = []
    for key, statements in by_key.items():
        tabled = tabled_value(record, key)
        if tabled is None:
            continue
        wrong = [s for s in statements if abs(s.value - tabled) > s.tolerance + 1e-9]
        shown = (wrong or statements)[0]
        relation = "≠" if wrong else "="
        checks.append({
            "rule": f"{PROSE_PREFIX}{key}",
            "passed": not wrong,
            "detail": f"「{shown.sentence}」 states {_shown(shown.value)} {relation} the table's {_shown(tabled)}",
        })
    return checks


def cross_year_checks(later: dict[str, Any], earlier: dict[str, Any], earlier_url: str | None) -> list[dict[str, Any]]:
    """The chain between two consecutive reports of one agency, per applicant column, rule
    `cross_year.<column>`: 二、上年结转 of the later report = 四、结转下年度继续办理 of the earlier
    one; only where both are known."""
    checks = []
    for col in applicant_columns():
        carried = (later.get("requests") or {}).get("carried_over", {}).get(col)
        forward = (earlier.get("requests") or {}).get("carried_forward", {}).get(col)
        if not _all_known([carried, forward]):
            continue
        passed = abs(carried - forward) < 1e-9
        checks.append({
            "rule": f"cross_year.{col}",
            "passed": passed,
            "detail": (f"二、上年结转 {carried} {'=' if passed else '≠'} 四、结转下年度继续办理 {forward} of the "
                       f"{earlier.get('year')} report {earlier_url or '(no URL)'}"),
        })
    return checks
