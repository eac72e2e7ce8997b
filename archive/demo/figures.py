"""The numbers of the demo portal's reports: generated, deterministic, and consistent.

Every report's figures are drawn from a random generator seeded by (agency, year), so the same
portal is built byte for byte on every run. The figures obey the arithmetic the format implies
(docs/CONTRACT.md "Checks the format implies"): for every applicant column 一 + 二 = （七） + 四 and
（七） = the sum of the result rows; every row's 总计 is the sum of its six applicant columns;
each section-四 group's 总计 is the sum of its four results. Consecutive years of one agency
also chain (二、上年结转 of year N = 四、结转下年度 of year N−1), as real reports mostly do — except
where the plan breaks a chain (plan.ReportSpec.chain_break).

A figures dict has the record's own shape (``active_disclosure``, ``requests``,
``review_litigation``), so it is the truth a crawl is compared with. Reports in the 2019
(60号) format: section 二 goes under ``legacy_active_disclosure`` (row → column → value, the
names of labels.py ACTIVE_2019) and the 2021 section-二 keys are null; the format's single
（六）其他处理 row goes under ``legacy_requests_other_processing`` (column → value) and the three
2021 sub-rows are null. The truth of a page (site.expected_entry) then reads them as the parser
does: 处理决定数量 as the 2021 ``*_decisions`` keys and the one （六） row as ``requests.other``.
"""

from __future__ import annotations

import copy
import random
from typing import Any

from archive.record.model import REVIEW_COLUMNS, REVIEW_GROUPS, active_keys, applicant_columns, request_rows

Figures = dict[str, Any]

# The six applicant columns (总计 is derived) and their usual shares of the requests.
COLUMN_SHARES = {
    "natural_person": 0.78,
    "commercial_enterprise": 0.10,
    "research_institution": 0.005,
    "social_welfare_org": 0.01,
    "legal_service_org": 0.07,
    "other_org": 0.035,
}

# How requests end, roughly as real reports show it (予以公开 and 不掌握 dominate).
RESULT_WEIGHTS = {
    "granted": 30,
    "partially_granted": 8,
    "denied_state_secret": 0.3,
    "denied_prohibited_by_law": 0.6,
    "denied_three_securities_one_stability": 0.4,
    "denied_third_party_rights": 1.2,
    "denied_internal_affairs": 1.0,
    "denied_process_information": 1.5,
    "denied_enforcement_files": 0.5,
    "denied_administrative_query": 3,
    "unable_not_held": 25,
    "unable_needs_creation": 3,
    "unable_unclear_after_correction": 2,
    "not_processed_petition": 4,
    "not_processed_duplicate": 4,
    "not_processed_publication": 0.5,
    "not_processed_excessive": 0.5,
    "not_processed_confirmation": 0.8,
    "other_no_correction": 4,
    "other_no_fee": 0.3,
    "other": 6,
}
RESULT_ROWS = tuple(RESULT_WEIGHTS)
# The 2019 format prints （六）其他处理 as one row: these three collapse into it.
OTHER_PROCESSING = ("other_no_correction", "other_no_fee", "other")
REVIEW_WEIGHTS = (0.5, 0.1, 0.25, 0.15)  # upheld, corrected, other, pending


def rng_for(*parts: object) -> random.Random:
    """A generator seeded by readable parts; str seeds hash deterministically (not by PYTHONHASHSEED)."""
    return random.Random(":".join(str(p) for p in parts))


def _split(rng: random.Random, total: int, weights: dict[str, float] | tuple[float, ...]) -> list[int]:
    """``total`` items spread over the weighted bins (a multinomial draw)."""
    keys = list(range(len(weights)))
    w = list(weights.values()) if isinstance(weights, dict) else list(weights)
    counts = [0] * len(keys)
    for i in rng.choices(keys, weights=w, k=total):
        counts[i] += 1
    return counts


def _column_sizes(rng: random.Random, scale: int) -> dict[str, int]:
    sizes = {}
    for col, share in COLUMN_SHARES.items():
        mean = scale * share
        sizes[col] = max(0, round(mean * rng.uniform(0.6, 1.4))) if mean >= 0.5 else int(rng.random() < mean)
    return sizes


def request_matrix(
    rng: random.Random, scale: int, carried_over: dict[str, int] | None
) -> dict[str, dict[str, int | None]]:
    """Section 三: 25 rows × 7 columns obeying R1–R3; ``carried_over`` chains from last year."""
    cols = list(COLUMN_SHARES)
    rows: dict[str, dict[str, int | None]] = {r: {} for r in request_rows()}
    sizes = _column_sizes(rng, scale)
    for col in cols:
        processed = sizes[col]
        results = dict(zip(RESULT_ROWS, _split(rng, processed, RESULT_WEIGHTS)))
        co = (carried_over or {}).get(col)
        if co is None:
            co = rng.choice((0, 0, 0, 1)) if processed > 5 else 0
        cf = rng.choice((0, 0, 1, 2)) if processed > 8 else 0
        new = processed + cf - co
        if new < 0:  # last year's backlog exceeds this year's work: all of it was granted
            results["granted"] += -new
            new = 0
        for key in RESULT_ROWS:
            rows[key][col] = results[key]
        rows["new_requests"][col] = new
        rows["carried_over"][col] = co
        rows["carried_forward"][col] = cf
        rows["total_processed"][col] = sum(results.values())
    for row in rows.values():
        row["total"] = sum(row[c] for c in cols)
    return {r: {c: rows[r][c] for c in applicant_columns()} for r in request_rows()}


def collapse_other_processing(requests: dict[str, dict[str, int | None]]) -> dict[str, int]:
    """The 2019 format's one （六）其他处理 row: the three 2021 sub-rows summed, and nulled."""
    single = {c: sum(requests[k][c] for k in OTHER_PROCESSING) for c in applicant_columns()}
    for key in OTHER_PROCESSING:
        requests[key] = {c: None for c in applicant_columns()}
    return single


def review_litigation(rng: random.Random, scale: int) -> dict[str, dict[str, int]]:
    """Section 四: three groups of four results and their 总计 (R4)."""
    out = {}
    for group, per in zip(REVIEW_GROUPS, (40, 60, 110)):
        n = rng.randint(0, max(0, scale // per)) if scale >= per // 2 else 0
        parts = _split(rng, n, REVIEW_WEIGHTS)
        out[group] = dict(zip(REVIEW_COLUMNS, parts + [n]))
    return out


# Section 二 ranges by kind of agency: (low, high) per 2021 key; fees are 万元.
ACTIVE_RANGES = {
    "government": {
        "regulations_issued": (0, 3), "regulations_repealed": (0, 2), "regulations_in_force": (15, 40),
        "normative_documents_issued": (8, 30), "normative_documents_repealed": (0, 15),
        "normative_documents_in_force": (60, 180), "licensing_decisions": (20000, 400000),
        "penalty_decisions": (30000, 900000), "coercion_decisions": (1000, 90000),
        "fees_wan_yuan": (5000, 90000),
    },
    "district": {
        "regulations_issued": (0, 0), "regulations_repealed": (0, 0), "regulations_in_force": (0, 0),
        "normative_documents_issued": (2, 12), "normative_documents_repealed": (0, 6),
        "normative_documents_in_force": (20, 60), "licensing_decisions": (3000, 30000),
        "penalty_decisions": (500, 8000), "coercion_decisions": (10, 500), "fees_wan_yuan": (100, 3000),
    },
    "department": {
        "regulations_issued": (0, 0), "regulations_repealed": (0, 0), "regulations_in_force": (0, 0),
        "normative_documents_issued": (0, 5), "normative_documents_repealed": (0, 3),
        "normative_documents_in_force": (3, 25), "licensing_decisions": (100, 8000),
        "penalty_decisions": (10, 2000), "coercion_decisions": (0, 100), "fees_wan_yuan": (0, 500),
    },
    "street": {
        "regulations_issued": (0, 0), "regulations_repealed": (0, 0), "regulations_in_force": (0, 0),
        "normative_documents_issued": (0, 0), "normative_documents_repealed": (0, 0),
        "normative_documents_in_force": (0, 0), "licensing_decisions": (0, 0),
        "penalty_decisions": (0, 30), "coercion_decisions": (0, 0), "fees_wan_yuan": (0, 0),
    },
}


def active_2021(rng: random.Random, kind: str) -> dict[str, int | float]:
    out: dict[str, int | float] = {}
    for key in active_keys():
        low, high = ACTIVE_RANGES[kind][key]
        if key == "fees_wan_yuan":
            out[key] = round(rng.uniform(low, high), rng.choice((2, 2, 4))) if high else 0
        else:
            out[key] = rng.randint(low, high)
    return out


def active_2019(rng: random.Random, kind: str) -> dict[str, dict[str, int | float]]:
    """Section 二 of the 60号 format: stocks, yearly changes (may be negative), procurement."""
    r = ACTIVE_RANGES[kind]

    def docs(prefix: str) -> dict[str, int]:
        made = rng.randint(*r[f"{prefix}_issued"])
        return {"new_made": made, "new_published": made, "total_published": rng.randint(*r[f"{prefix}_in_force"])}

    def items(key: str, scale: float = 1.0) -> dict[str, int]:
        low, high = r[key]
        last = rng.randint(int(low * scale), int(high * scale)) // 100 if high else 0
        return {"items_last_year": last, "change": rng.randint(-last // 4, last // 8) if last else 0,
                "decisions": rng.randint(low, high)}

    fees_last = rng.randint(0, 40) if kind != "street" else 0
    big = kind in ("government", "district")
    return {
        "regulations": docs("regulations"),
        "normative_documents": docs("normative_documents"),
        "licensing": items("licensing_decisions"),
        "other_services": items("licensing_decisions", 0.3),
        "penalty": items("penalty_decisions"),
        "coercion": items("coercion_decisions"),
        "fees": {"items_last_year": fees_last, "change": -rng.randint(0, fees_last // 5) if fees_last else 0},
        "procurement": {
            "projects": rng.randint(20, 300) if big else rng.randint(0, 12),
            "amount": round(rng.uniform(2e6, 9e7) if big else rng.uniform(0, 9e5), 2),
        },
    }


def report_figures(
    agency_key: str, kind: str, scale: int, year: int, legacy: bool, carried_over: dict[str, int] | None
) -> Figures:
    """All numbers of one report, seeded by (agency, year)."""
    rng = rng_for("figures", agency_key, year)
    figures: Figures = {
        "active_disclosure": {k: None for k in active_keys()} if legacy else active_2021(rng, kind),
        "requests": request_matrix(rng, scale, carried_over),
        "review_litigation": review_litigation(rng, scale),
    }
    if legacy:
        figures["legacy_active_disclosure"] = active_2019(rng, kind)
        figures["legacy_requests_other_processing"] = collapse_other_processing(figures["requests"])
    return figures


def carried_forward_of(figures: Figures) -> dict[str, int]:
    """Next year's 二、上年结转, per applicant column."""
    row = figures["requests"]["carried_forward"]
    return {c: row[c] for c in COLUMN_SHARES}


def break_chain(carried_over: dict[str, int] | None, extra: int) -> dict[str, int] | None:
    """Last year's 四、结转下年度 as this year's 二、上年结转, ``extra`` more in the 自然人 column: a
    report whose chain with the year before is broken (its own arithmetic still holds: 一、本年新收
    is drawn from 二 and the year's work)."""
    if not extra or carried_over is None:
        return carried_over
    return {**carried_over, "natural_person": carried_over["natural_person"] + extra}


def misstated(figures: Figures, extra: int) -> Figures:
    """The figures as a report's prose restates them, 一、本年新收 总计 ``extra`` above the table's
    (a report whose words and tables disagree); the figures themselves when ``extra`` is 0."""
    if not extra:
        return figures
    said = copy.deepcopy(figures)
    said["requests"]["new_requests"]["total"] += extra
    return said


def break_processed_total(figures: Figures, extra: int = 6) -> Figures:
    """Make R3 fail the way a real 2020 report did (its 自然人 rows sum past its （七）总计).

    予以公开 gains ``extra`` requests in the 自然人 column (and, to keep the row total honest, in
    its 总计 cell); （七）总计 and everything else stay. Only the （七） = Σ results rule
    breaks, in the 自然人 and 总计 columns; R1, R2 and R4 still hold.
    """
    broken = copy.deepcopy(figures)
    granted = broken["requests"]["granted"]
    granted["natural_person"] += extra
    granted["total"] += extra
    return broken


def get(figures: Figures, dotted: str) -> Any:
    node: Any = figures
    for part in dotted.split("."):
        node = node[part]
    return node


def put(figures: Figures, dotted: str, value: Any) -> None:
    *head, last = dotted.split(".")
    node = figures
    for part in head:
        node = node[part]
    node[last] = value
