"""The section 三 figures an archive of 100,000 reports can add up quickly (migration _m012).

The 25 × 7 matrix is stored once, in each report's record JSON; `request_cells` is a view
that unfolds it (labels from the small `request_rows` / `request_columns` tables), so nothing
repeats its Chinese labels 175 times a report. What the dashboards and the cross-agency
queries add up over every report — new requests by applicant, outcomes by category — is one
narrow row per report in `request_totals`, written beside the record (one row of ~20 small
integers instead of 175 long ones), so a chart over every report reads 100,000 short rows.

Sums follow SQL's: nulls are left out, and a sum with nothing to add is null.
"""

from __future__ import annotations

from typing import Any

from ..record.model import applicant_columns, field_labels, request_rows

# The applicant columns of 一、本年新收 (new requests), each its own column of request_totals.
NEW_COLUMNS = ("natural_person", "commercial_enterprise", "research_institution", "social_welfare_org",
               "legal_service_org", "other_org", "total")

# Outcome categories of section 三（三）…（六）, as the dashboards and year_across_agencies name them:
# a row belongs to the first category whose prefix it has; what no prefix claims is 其他处理.
OUTCOME_PREFIXES = (("granted", "granted"), ("partially_granted", "partially_granted"), ("denied", "denied"),
                    ("unable", "unable"), ("not_processed", "not_processed"))
NOT_OUTCOMES = ("new_requests", "carried_over", "total_processed", "carried_forward")

TOTALS_COLUMNS = (
    "report_id", "agency", "year",
    *(f"new_{c}" for c in NEW_COLUMNS),
    "carried_over", "granted", "partially_granted", "denied", "unable", "not_processed", "other_processing",
    "total_processed", "carried_forward",
)


def _sum(values: list[Any]) -> int | None:
    known = [v for v in values if v is not None]
    return sum(known) if known else None


def _outcome(row_key: str) -> str:
    for prefix, name in OUTCOME_PREFIXES:
        if row_key == prefix or (prefix in ("denied", "unable", "not_processed") and row_key.startswith(prefix)):
            return name
    return "other_processing"


def totals_row(report_id: str, record: dict[str, Any]) -> tuple:
    """The request_totals row of a record, in TOTALS_COLUMNS order."""
    requests = record.get("requests") or {}
    new = requests.get("new_requests") or {}
    outcomes: dict[str, list[Any]] = {name: [] for _, name in OUTCOME_PREFIXES}
    outcomes["other_processing"] = []
    for row_key, cells in requests.items():
        if row_key not in NOT_OUTCOMES:
            outcomes[_outcome(row_key)].append((cells or {}).get("total"))

    def total(row: str) -> Any:
        return (requests.get(row) or {}).get("total")

    return (
        report_id, record.get("agency"), record.get("year"),
        *(new.get(c) for c in NEW_COLUMNS),
        total("carried_over"),
        *(_sum(outcomes[name]) for name in ("granted", "partially_granted", "denied", "unable", "not_processed",
                                            "other_processing")),
        total("total_processed"), total("carried_forward"),
    )


def label_rows() -> tuple[list[tuple], list[tuple]]:
    """(request_rows, request_columns) rows: (key, Chinese label, position in the format)."""
    labels = field_labels()
    rows = [(key, labels[f"requests.{key}"], pos) for pos, key in enumerate(request_rows(), start=1)]
    columns = [(key, label, pos) for pos, (key, label) in enumerate(applicant_columns().items(), start=1)]
    return rows, columns
