"""Build the fixtures whose zero cells are printed blank, and their expected records.

Many reports leave a zero cell empty (some say so under the table: 注：表中空白单元格表示数量为0).
A blank cell of a printed table is 0 (docs/CONTRACT.md): these fixtures put zeros into sections 二, 三
and 四 (`fixture_numbers.zero_numbers`) and print every zero as an empty cell:

- HTML from the layout templates of make_layout_fixtures.py (`templates/`), each placeholder whose
  number is 0 written as nothing;
- DOCX with make_docx_fixture.py's tables (the national Word template's merges), zero cells empty.

The expected record is written from the same numbers, a blank being 0. One fixture prints a cell
blank whose number is not 0 (the report forgot it): the record reads 0 there, so the report's
arithmetic fails through that blank and the record needs review. Deterministic: rerun it and
nothing changes.

    python tests/files/make_blank_fixtures.py
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import make_docx_fixture as docx_fixture
from fixture_numbers import expected_record, lookup, write_expected, zero_numbers
from make_layout_fixtures import FIXTURES as LAYOUTS
from make_layout_fixtures import PLACEHOLDER, TEMPLATES, render_number

HERE = Path(__file__).resolve().parent
NOTE = "注：表中空白单元格表示数量为0。"
SECTIONS = {"二": ("active_disclosure.",), "三": ("requests.",), "四": ("review_litigation.",)}
# Warnings that a fixture whose blanks all mean 0 (its arithmetic holds) may not carry.
CLEAN = ["not found", "no statistics tables", "may not mean 0", "' read as 0"]

# name: the layout (a template of make_layout_fixtures, or "docx"), numbers, and what differs
FIXTURES: dict[str, dict[str, Any]] = {
    "blank-zeros-note-trs-editor-2023": {
        "layout": "html-trs-editor-shifanqu-2023", "k": 41, "fee": 0.85, "note": True,
    },
    "blank-all-zero-official-2024": {
        "layout": "html-official-haizhou-2024", "k": 43, "fee": 1.75, "all_zero": True,
    },
    "blank-cell-fails-check-mixed-typos-2024": {
        "layout": "html-mixed-typos-haizhou-2024", "k": 45, "fee": 3.5,
        # printed blank although the report's totals count it: read as 0, and the checks fail
        "forgotten": ["requests.partially_granted.natural_person"],
    },
    "blank-zeros-docx-2024": {
        "layout": "docx", "k": 47, "fee": 0.6,
        "identity": {"title": "长沙市天心区国防动员办公室2024年政府信息公开工作年度报告",
                     "agency": "长沙市天心区国防动员办公室", "year": 2024, "format": "2021", "published": None},
    },
    "blank-all-zero-docx-2024": {
        "layout": "docx", "k": 49, "fee": 1.2, "all_zero": True, "note": True,
        "identity": {"title": "长沙市天心区人民防空办公室2024年政府信息公开工作年度报告",
                     "agency": "长沙市天心区人民防空办公室", "year": 2024, "format": "2021", "published": None},
    },
}


def blank_keys(numbers: dict[str, Any], forgotten: list[str]) -> dict[str, list[str]]:
    """Section → dotted keys of the cells printed blank (every 0, and the forgotten cells)."""
    keys = [
        f"{section}.{key}" if not isinstance(value, dict) else f"{section}.{key}.{column}"
        for section in ("active_disclosure", "requests", "review_litigation")
        for key, value in numbers[section].items()
        for column in (value if isinstance(value, dict) else [None])
    ]
    keys = [k.removesuffix(".None") for k in keys]
    keys = [k for k in keys if lookup(numbers, k) == 0 or k in forgotten]
    return {s: [k for k in keys if k.startswith(prefixes)] for s, prefixes in SECTIONS.items()}


def render_html(template: str, numbers: dict[str, Any], forgotten: list[str]) -> str:
    def one(match) -> str:
        value = lookup(numbers, match.group(1))
        return "" if value == 0 or match.group(1) in forgotten else render_number(value, match.group(2))

    return PLACEHOLDER.sub(one, template)


def with_note(html: str) -> str:
    """The note under section 三's table, as reports print it."""
    end = html.index("</table>", html.index("申请人情况")) + len("</table>")
    return html[:end] + f"<p>{NOTE}</p>" + html[end:]


def build(name: str, spec: dict[str, Any]) -> None:
    numbers = zero_numbers(spec["k"], spec["fee"], all_zero=spec.get("all_zero", False))
    forgotten = spec.get("forgotten", [])
    if spec["layout"] == "docx":
        source = f"{name}.docx"
        show = lambda value: "" if value == 0 else repr(value)  # noqa: E731
        document = docx_fixture.build(spec["identity"]["title"], docx_fixture.printed(numbers, show),
                                      NOTE if spec.get("note") else None)
        (HERE / source).write_bytes(docx_fixture.deterministic_bytes(document))
        identity = {"source": source, **spec["identity"]}
    else:
        layout = LAYOUTS[spec["layout"]]
        encoding = layout.get("encoding", "utf-8")
        source = f"{name}.html"
        html = render_html((TEMPLATES / layout["file"]).read_bytes().decode(encoding), numbers, forgotten)
        if spec.get("note"):
            html = with_note(html)
        (HERE / source).write_bytes(html.encode(encoding))
        identity = {"source": source, **({"content_type": layout["content_type"]} if "content_type" in layout else {}),
                    **layout["identity"]}
    for key in forgotten:  # the document prints nothing there: the record says 0
        row = numbers
        *path, last = key.split(".")
        for part in path:
            row = row[part]
        row[last] = 0
    blanks = blank_keys(numbers, forgotten)
    why = "as the report's note says" if spec.get("note") else "a blank cell of a printed table is 0"
    identity["warnings_include"] = [
        f"section {section}: {len(keys)} blank cell{'s' if len(keys) > 1 else ''} read as 0 ({why})"
        for section, keys in blanks.items() if keys
    ]
    if forgotten:
        identity["fails_check"] = True
        identity["warnings_include"].append("the blanks may not mean 0")
    else:
        identity["warnings_exclude"] = CLEAN
    identity["needs_review"] = bool(forgotten)
    write_expected(HERE / f"{name}.expected.json", expected_record(identity, numbers))


def main() -> None:
    for name, spec in FIXTURES.items():
        build(name, spec)


if __name__ == "__main__":
    main()
