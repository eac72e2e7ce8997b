"""What changed between two records: numbers by dotted key, prose by section."""

from __future__ import annotations

from typing import Any

from .model import label_of, numbers_of

SECTION_LABELS = {
    "overview": "一、总体情况",
    "problems": "五、存在的主要问题及改进情况",
    "other_matters": "六、其他需要报告的事项",
}
IDENTITY_FIELDS = {"title": "标题", "agency": "机关", "year": "年度", "format": "格式"}


def diff_records(old: dict[str, Any], new: dict[str, Any]) -> list[dict[str, Any]]:
    """Changes as rows: field (dotted key), label_zh, kind ('number'/'text'/'identity'), old, new."""
    changes = []
    old_numbers, new_numbers = numbers_of(old), numbers_of(new)
    for key, before in old_numbers.items():
        after = new_numbers.get(key)
        if before != after:
            changes.append({"field": key, "label_zh": label_of(key), "kind": "number", "old": before, "new": after})
    for key, label in IDENTITY_FIELDS.items():
        if old.get(key) != new.get(key):
            changes.append({"field": key, "label_zh": label, "kind": "identity", "old": old.get(key), "new": new.get(key)})
    old_sections, new_sections = old.get("sections") or {}, new.get("sections") or {}
    for key in sorted(set(old_sections) | set(new_sections)):
        before, after = old_sections.get(key), new_sections.get(key)
        if before != after:
            changes.append(
                {
                    "field": f"sections.{key}",
                    "label_zh": SECTION_LABELS.get(key, key),
                    "kind": "text",
                    "old": before,
                    "new": after,
                }
            )
    return changes
