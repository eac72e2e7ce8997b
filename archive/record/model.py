"""The report record of docs/CONTRACT.md: its keys, an empty record, canonical JSON and fingerprints.

The field lists come from the contract's own TSV files (shipped beside this module), so the
record shape is defined in exactly one place.
"""

from __future__ import annotations

import csv
import hashlib
import json
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any

HERE = Path(__file__).parent

FORMAT_2021 = "2021"
FORMAT_LEGACY = "legacy"
FORMAT_UNKNOWN = "unknown"

REVIEW_GROUPS = ("review", "litigation_direct", "litigation_after_review")
REVIEW_COLUMNS = ("upheld", "corrected", "other", "pending", "total")

# Keys of the sections of prose a record keeps (section number → key).
TEXT_SECTIONS = {
    "一": "overview",
    "五": "problems",
    "六": "other_matters",
}


def _read_tsv(name: str) -> list[dict[str, str]]:
    # Through importlib.resources: also read from inside a zipped egg (a Scrapyd node's copy).
    with (resources.files(__package__) / name).open("r", encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh, delimiter="\t"))


@cache
def field_labels() -> dict[str, str]:
    """Dotted key → Chinese label, for every numeric field of fields.tsv, in contract order."""
    return {row["key"]: row["label_zh"] for row in _read_tsv("fields.tsv")}


@cache
def applicant_columns() -> dict[str, str]:
    """Column key → Chinese label of the 7 applicant columns of section 三."""
    return {row["key"]: row["label_zh"] for row in _read_tsv("applicant_columns.tsv")}


def active_keys() -> list[str]:
    return [k.split(".", 1)[1] for k in field_labels() if k.startswith("active_disclosure.")]


def request_rows() -> list[str]:
    return [k.split(".", 1)[1] for k in field_labels() if k.startswith("requests.")]


def numeric_paths() -> list[str]:
    """All 200 dotted paths of numbers in a record (requests rows expanded per column)."""
    paths = []
    for key in field_labels():
        if key.startswith("requests."):
            paths.extend(f"{key}.{col}" for col in applicant_columns())
        else:
            paths.append(key)
    return paths


def label_of(path: str) -> str:
    """Chinese label of a dotted numeric path (a requests cell gets its column label appended)."""
    labels = field_labels()
    if path in labels:
        return labels[path]
    row, _, col = path.rpartition(".")
    if row in labels:
        return f"{labels[row]} · {applicant_columns().get(col, col)}"
    return path


def empty_record() -> dict[str, Any]:
    """A record with every number null, in contract key order."""
    return {
        "url": None,
        "title": None,
        "agency": None,
        "year": None,
        "format": FORMAT_UNKNOWN,
        "published": None,
        "active_disclosure": {k: None for k in active_keys()},
        "requests": {r: {c: None for c in applicant_columns()} for r in request_rows()},
        "review_litigation": {g: {c: None for c in REVIEW_COLUMNS} for g in REVIEW_GROUPS},
        "checks": [],
        "warnings": [],
    }


def get_path(record: dict[str, Any], path: str) -> Any:
    node: Any = record
    for part in path.split("."):
        if not isinstance(node, dict):
            return None
        node = node.get(part)
    return node


def numbers_of(record: dict[str, Any]) -> dict[str, Any]:
    """Flat dotted path → value for all 200 numbers."""
    return {p: get_path(record, p) for p in numeric_paths()}


def known_count(record: dict[str, Any]) -> int:
    """How many of the 200 numbers a record gives."""
    return sum(v is not None for v in numbers_of(record).values())


def canonical_json(value: Any) -> str:
    """Deterministic JSON (sorted keys, no whitespace, Chinese kept) for hashing and storage."""
    return json.dumps(value, ensure_ascii=False, sort_keys=True, separators=(",", ":"))


def content_fingerprint(record: dict[str, Any]) -> str:
    """Hash of what a report says: its numbers, identity and own prose — never page chrome."""
    payload = {
        "numbers": numbers_of(record),
        "format": record.get("format"),
        "year": record.get("year"),
        "agency": record.get("agency"),
        "title": record.get("title"),
        "sections": record.get("sections") or {},
    }
    return hashlib.sha256(canonical_json(payload).encode("utf-8")).hexdigest()
