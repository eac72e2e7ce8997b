"""The numbers put into the generated fixtures, and the expected records written from them.

Every generated fixture gets its own table of numbers from `report_numbers(k, …)`: non-zero,
distinct within each row and each column (no two applicant columns, no two rows of section 三,
no two section 四 groups alike, so a reader that swaps any two of them fails the golden test),
and obeying the format's arithmetic (docs/FORMAT.md §5): each row's 总计 is the sum of its six
applicant columns, （七）总计 is the sum of the result rows, 一 + 二 = （七）总计 + 四 in every
column, and each section 四 group's 总计 is 维持 + 纠正 + 其他 + 尚未审结.

The expected record is written from this table, never from what the parser prints.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

APPLICANTS = (
    "natural_person",
    "commercial_enterprise",
    "research_institution",
    "social_welfare_org",
    "legal_service_org",
    "other_org",
)
COLUMNS = (*APPLICANTS, "total")
ACTIVE = (
    "regulations_issued",
    "regulations_repealed",
    "regulations_in_force",
    "normative_documents_issued",
    "normative_documents_repealed",
    "normative_documents_in_force",
    "licensing_decisions",
    "penalty_decisions",
    "coercion_decisions",
    "fees_wan_yuan",
)
OTHER_2021 = ("other_no_correction", "other_no_fee", "other")
RESULT_ROWS = (
    "granted",
    "partially_granted",
    "denied_state_secret",
    "denied_prohibited_by_law",
    "denied_three_securities_one_stability",
    "denied_third_party_rights",
    "denied_internal_affairs",
    "denied_process_information",
    "denied_enforcement_files",
    "denied_administrative_query",
    "unable_not_held",
    "unable_needs_creation",
    "unable_unclear_after_correction",
    "not_processed_petition",
    "not_processed_duplicate",
    "not_processed_publication",
    "not_processed_excessive",
    "not_processed_confirmation",
    *OTHER_2021,
)
REQUEST_ROWS = ("new_requests", "carried_over", *RESULT_ROWS, "total_processed", "carried_forward")
REVIEW_GROUPS = ("review", "litigation_direct", "litigation_after_review")
REVIEW_COLUMNS = ("upheld", "corrected", "other", "pending", "total")
# The 2019 format's one-row （六）其他处理, kept under its own key in the record.
LEGACY_OTHER = "legacy_requests_other_processing"


def _with_total(values: list[int]) -> dict[str, int]:
    return {**dict(zip(APPLICANTS, values)), "total": sum(values)}


def report_numbers(
    k: int, fee: float, *, legacy: bool = False, single_other: bool = False, blank: tuple[str, ...] = ()
) -> dict[str, Any]:
    """The numbers of one fixture: result-row cell (row i, column j) is k + 7i + j, the rest follows
    from the arithmetic. `fee` is section 二's 本年收费金额（万元）.

    `legacy`: the 2019 format. Section 二 is kept under legacy_active_disclosure, with its 处理决定数量
    of 行政许可/行政处罚/行政强制 also as the 2021 keys *_decisions (the same figure); section 三's one
    （六）其他处理 row is requests.other and legacy_requests_other_processing. `single_other`: a
    2021-format report that kept that one row: requests.other, the two other （六） rows null.
    `blank`: result rows the document prints empty (0 in the record)."""
    one_row = legacy or single_other
    result_rows = [r for r in RESULT_ROWS if not (one_row and r in OTHER_2021[:2])]
    cells = {row: [k + 7 * i + j for j in range(6)] for i, row in enumerate(result_rows)}
    for row in blank:
        cells[row] = [0] * 6
    processed = [sum(cells[row][j] for row in result_rows) for j in range(6)]
    carried_over = [k % 5 + 1 + 2 * j for j in range(6)]
    carried_forward = [k % 4 + 2 + 3 * j for j in range(6)]
    new = [processed[j] + carried_forward[j] - carried_over[j] for j in range(6)]
    requests = {"new_requests": _with_total(new), "carried_over": _with_total(carried_over)}
    for row in RESULT_ROWS:
        if row not in cells:
            requests[row] = dict.fromkeys(COLUMNS)
        else:
            requests[row] = _with_total(cells[row])
    requests["total_processed"] = _with_total(processed)
    requests["carried_forward"] = _with_total(carried_forward)

    r = 1 + k % 3
    review = {}
    for g, group in enumerate(REVIEW_GROUPS):
        values = [r + 4 * g + c for c in range(4)]
        review[group] = {**dict(zip(REVIEW_COLUMNS, values)), "total": sum(values)}

    base = k % 4
    active = [base + 1, base + 2, base + 30, base + 5, base + 3, base + 60, 1000 + 37 * k, 200 + k, 70 + k, fee]
    numbers: dict[str, Any] = {
        "active_disclosure": dict(zip(ACTIVE, active)),
        "requests": requests,
        "review_litigation": review,
    }
    if legacy:
        legacy_active = legacy_active_numbers(k)
        numbers["active_disclosure"] = dict.fromkeys(ACTIVE)
        for row in ("licensing", "penalty", "coercion"):
            numbers["active_disclosure"][f"{row}_decisions"] = legacy_active[row]["decisions"]
        numbers["legacy_active_disclosure"] = legacy_active
        numbers[LEGACY_OTHER] = _with_total(cells["other"])
    return numbers


def zero_numbers(k: int, fee: float, *, all_zero: bool = False) -> dict[str, Any]:
    """Numbers with zeros where real reports have them (a report prints them blank), the format's
    arithmetic kept: `report_numbers(k, fee)` with result-row cell (row i, column j) 0 where
    i + j is a multiple of 3, the whole of 三（三）1 (属于国家秘密) 0, two columns of 二、上年结转
    and one of 四、结转下年 0, and the totals recomputed; in section 四, 结果纠正 and 其他结果 of
    行政复议 and the whole 复议后起诉 group 0; in section 二, the two 规章 counts of the year, the
    废止 of 行政规范性文件, 行政强制 and the fee 0. Rows and columns stay distinct (test_parse_golden).

    `all_zero`: a report that received no request at all — every section 三 and 四 number 0, and
    section 二 as above."""
    numbers = report_numbers(k, fee)
    requests = numbers["requests"]
    for i, row in enumerate(RESULT_ROWS):
        values = [requests[row][c] for c in APPLICANTS]
        zero = all_zero or row == "denied_state_secret"
        requests[row] = _with_total([0 if zero or (i + j) % 3 == 0 else v for j, v in enumerate(values)])
    over = [0 if all_zero or j in (1, 4) else requests["carried_over"][c] for j, c in enumerate(APPLICANTS)]
    forward = [0 if all_zero or j == 2 else requests["carried_forward"][c] for j, c in enumerate(APPLICANTS)]
    processed = [sum(requests[row][c] for row in RESULT_ROWS) for c in APPLICANTS]
    requests["carried_over"], requests["carried_forward"] = _with_total(over), _with_total(forward)
    requests["total_processed"] = _with_total(processed)
    requests["new_requests"] = _with_total([p + f - o for p, f, o in zip(processed, forward, over)])
    review = numbers["review_litigation"]
    for group, columns in (("review", ("corrected", "other")), ("litigation_after_review", REVIEW_COLUMNS[:4])):
        for column in columns:
            review[group][column] = 0
    for group in REVIEW_GROUPS:
        review[group]["total"] = 0 if all_zero else sum(review[group][c] for c in REVIEW_COLUMNS[:4])
        if all_zero:
            review[group].update(dict.fromkeys(REVIEW_COLUMNS, 0))
    active = numbers["active_disclosure"]
    for key in ("regulations_issued", "regulations_repealed", "normative_documents_repealed", "coercion_decisions",
                "fees_wan_yuan"):
        active[key] = 0
    return numbers


def legacy_active_numbers(k: int) -> dict[str, dict[str, Any]]:
    """Section 二 of the 2019 format: stocks, yearly changes (some negative), procurement in 元."""
    return {
        "regulations": {"new_made": k % 3 + 2, "new_published": k % 3 + 1, "total_published": k % 3 + 12},
        "normative_documents": {"new_made": k % 3 + 5, "new_published": k % 3 + 4, "total_published": k % 3 + 33},
        "licensing": {"items_last_year": 300 + k, "change": -(k % 5 + 12), "decisions": 6000 + 13 * k},
        "other_services": {"items_last_year": 90 + k, "change": k % 4 + 3, "decisions": 1400 + k},
        "penalty": {"items_last_year": 1200 + k, "change": k % 3 + 8, "decisions": 400 + k},
        "coercion": {"items_last_year": 40 + k, "change": -(k % 2 + 3), "decisions": 20 + k},
        "fees": {"items_last_year": 30 + k, "change": -(k % 3 + 1)},
        # integer cents / 100 is the float nearest the printed amount ("…00.37元")
        "procurement": {"projects": 50 + k, "amount": (400_000_000 + 1_234_567 * k) / 100},
    }


def lookup(numbers: dict[str, Any], path: str) -> Any:
    node: Any = numbers
    for part in path.split("."):
        node = node[part]
    return node


def expected_record(identity: dict[str, Any], numbers: dict[str, Any]) -> dict[str, Any]:
    """The golden record: identity keys first (source, title, …, warnings_*), then the numbers."""
    record = dict(identity)
    for key in ("active_disclosure", "requests", "review_litigation", "legacy_active_disclosure", LEGACY_OTHER):
        if key in numbers:
            record[key] = numbers[key]
    return record


def write_expected(path: Path, record: dict[str, Any]) -> None:
    path.write_text(json.dumps(record, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
