"""Build the HTML and text layout fixtures from their templates, with numbers we choose.

Each template in templates/ is a fixture's page with every statistics cell's number replaced by
a placeholder naming its field: `{{requests.granted.natural_person}}`, optionally with a style
that keeps the way the page writes that number: `|fw` full-width digits, `|sep` a thousands
separator, `|d2` two decimals, `|attr` a plain copy in an attribute (Excel's x:num), `|spans` the
digits in several Word spans with the page's source wrapped between them. Everything
else — encoding, markup, spans, typos, page chrome, prose — is the page as it was written.

For each fixture the script fills the placeholders from `fixture_numbers.report_numbers(k, fee)`
and writes `X.html` / `X.txt` and `X.expected.json` from the same numbers. Deterministic: rerun it
and nothing changes.

    python tests/files/make_layout_fixtures.py
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from fixture_numbers import RESULT_ROWS, expected_record, lookup, report_numbers, write_expected

HERE = Path(__file__).resolve().parent
TEMPLATES = HERE / "templates"
PLACEHOLDER = re.compile(r"\{\{([a-z_.]+)(?:\|([a-z0-9,]+))?\}\}")
FULL_WIDTH = str.maketrans("0123456789", "０１２３４５６７８９")
# Warnings that no fixture filled with non-zero numbers may carry.
CLEAN = ["read as 0", "not found", "no statistics tables"]

# name: (template and output file, its encoding, k, fee, what the golden record says besides the numbers)
FIXTURES: dict[str, dict[str, Any]] = {
    "html-official-haizhou-2024": {
        "file": "html-official-haizhou-2024.html", "k": 3, "fee": 86.45,
        "identity": {"title": "阜新市海州区2024年政府信息公开工作年度报告", "agency": "阜新市海州区", "year": 2024,
                     "format": "2021", "published": "2025-01-20"},
    },
    "html-mixed-typos-haizhou-2024": {
        "file": "html-mixed-typos-haizhou-2024.html", "k": 4, "fee": 172.78,
        "identity": {"title": "阜新市海州区2024年政府信息公开工作年度报告", "agency": "阜新市海州区", "year": 2024,
                     "format": "2021", "published": "2025-01-20"},
    },
    "html-word-pasted-guodongban-2024": {
        "file": "html-word-pasted-guodongban-2024.html", "k": 5, "fee": 1.6,
        "identity": {"title": "2024年政府信息公开工作年度报告", "agency": None, "year": 2024, "format": "2021",
                     "published": "2025-01-17"},
    },
    "html-trs-editor-shifanqu-2023": {
        "file": "html-trs-editor-shifanqu-2023.html", "k": 7, "fee": 0.85,
        "identity": {"title": "示范区党政办2023年政府信息公开工作年度报告", "agency": "示范区党政办", "year": 2023,
                     "format": "2021", "published": "2024-01-19"},
    },
    "html-gbk-meta-zhongzhan-2024": {
        "file": "html-gbk-meta-zhongzhan-2024.html", "encoding": "gbk", "k": 11, "fee": 2.35,
        "identity": {"title": "中站区人民政府办公室2024年政府信息公开工作年度报告", "agency": "中站区人民政府办公室",
                     "year": 2024, "format": "2021", "published": "2025-01-24"},
    },
    "html-gbk-header-only-huayuan-2024": {
        "file": "html-gbk-header-only-huayuan-2024.html", "encoding": "gbk", "k": 13, "fee": 0.4,
        "content_type": "text/html; charset=GBK",
        "identity": {"title": "牧野区花园街道办事处2024年政府信息公开工作年度报告", "agency": "牧野区花园街道办事处",
                     "year": 2024, "format": "2021", "published": "2025-01-15"},
    },
    "html-legacy-zhongzhan-2020": {
        "file": "html-legacy-zhongzhan-2020.html", "k": 17, "fee": None, "legacy": True,
        "identity": {"title": "中站区人民政府2020年政府信息公开工作年度报告", "agency": "中站区人民政府", "year": 2020,
                     "format": "legacy", "published": "2021-01-29"},
    },
    "redteam-blank-total-column": {
        "file": "redteam-blank-total-column.html", "k": 19, "fee": 5.1234, "blank_result_totals": True,
        "identity": {"title": "新乡市红旗区住房和城乡建设局2024年政府信息公开工作年度报告",
                     "agency": "新乡市红旗区住房和城乡建设局", "year": 2024, "format": "2021",
                     "published": "2025-01-27", "fails_check": True},
    },
    "redteam-gb18030-wrong-meta": {
        "file": "redteam-gb18030-wrong-meta.html", "encoding": "gb18030", "k": 21, "fee": 2.0875,
        "content_type": "text/html; charset=GBK",
        "identity": {"title": "焦作市马村区㙟口镇人民政府2024年政府信息公开工作年度报告",
                     "agency": "焦作市马村区㙟口镇人民政府", "year": 2024, "format": "2021", "published": "2025-01-24"},
    },
    "redteam-review-rows-media-table": {
        "file": "redteam-review-rows-media-table.html", "k": 23, "fee": 7.0416,
        "identity": {"title": "鹤壁市淇滨区教育局2024年政府信息公开工作年度报告", "agency": "鹤壁市淇滨区教育局",
                     "year": 2024, "format": "2021", "published": "2025-01-16"},
    },
    "redteam-title-tag-only": {
        "file": "redteam-title-tag-only.html", "k": 25, "fee": 3.9182,
        "identity": {"title": "清河县卫生健康局2024年政府信息公开工作年度报告", "agency": "清河县卫生健康局",
                     "year": 2024, "format": "2021", "published": "2025-01-21"},
    },
    "redteam-trs-result-row": {
        "file": "redteam-trs-result-row.html", "k": 27, "fee": 1.2345,
        "identity": {"title": "漯河市源汇区商务局2024年政府信息公开工作年度报告", "agency": "漯河市源汇区商务局",
                     "year": 2024, "format": "2021", "published": "2025-01-22"},
    },
    "redteam-word-excel-xnum": {
        "file": "redteam-word-excel-xnum.html", "k": 29, "fee": 6.5432,
        "identity": {"title": "信阳市平桥区市场监督管理局2024年政府信息公开工作年度报告",
                     "agency": "信阳市平桥区市场监督管理局", "year": 2024, "format": "2021", "published": None},
    },
    "redteam-numbers-before-label": {
        "file": "redteam-numbers-before-label.txt", "k": 31, "fee": 4.3216,
        "identity": {"title": "南阳市宛城区人力资源和社会保障局2024年政府信息公开工作年度报告",
                     "agency": "南阳市宛城区人力资源和社会保障局", "year": 2024, "format": "2021", "published": None,
                     "warnings_include": ["come before its label"]},
    },
    "redteam-pdf-markdown-wrapped": {
        "file": "redteam-pdf-markdown-wrapped.txt", "k": 33, "fee": 8.7654,
        "identity": {"title": "许昌市建安区财政局2024年政府信息公开工作年度报告", "agency": "许昌市建安区财政局",
                     "year": 2024, "format": "2021", "published": None},
    },
    "redteam-legacy-2019-plain": {
        "file": "redteam-legacy-2019-plain.txt", "k": 35, "fee": None, "legacy": True,
        "identity": {"title": "周口市川汇区自然资源局2019年政府信息公开工作年度报告", "agency": "周口市川汇区自然资源局",
                     "year": 2019, "format": "legacy", "published": None},
    },
    # Labels that drift from their numbers (issue 11): PDF-to-text and PDF-to-markdown layouts.
    "drift-pdftext-labels-around": {
        "file": "drift-pdftext-labels-around.txt", "k": 37, "fee": 3.2109,
        "identity": {"title": "鹤壁市浚县交通运输局2024年政府信息公开工作年度报告", "agency": "鹤壁市浚县交通运输局",
                     "year": 2024, "format": "2021", "published": None,
                     "warnings_include": ["come before its label"]},
    },
    "drift-markdown-split-tables": {
        "file": "drift-markdown-split-tables.txt", "k": 39, "fee": 5.6789,
        "identity": {"title": "许昌市禹州市林业局2024年政府信息公开工作年度报告", "agency": "许昌市禹州市林业局",
                     "year": 2024, "format": "2021", "published": None},
    },
    "drift-pdftext-garbled-labels": {
        "file": "drift-pdftext-garbled-labels.txt", "k": 41, "fee": 2.4682,
        "identity": {"title": "平顶山市叶县民政局2024年政府信息公开工作年度报告", "agency": "平顶山市叶县民政局",
                     "year": 2024, "format": "2021", "published": None,
                     "warnings_include": ["placed by the format's row order"]},
    },
    "drift-pdftext-ambiguous": {
        "file": "drift-pdftext-ambiguous.txt", "k": 43, "fee": 1.3579,
        "blank": ("denied_three_securities_one_stability",),
        "warnings_exclude": ["read as 0", "no statistics tables"],
        "identity": {"title": "周口市项城市审计局2024年政府信息公开工作年度报告", "agency": "周口市项城市审计局",
                     "year": 2024, "format": "2021", "published": None, "stretch": True,
                     "warnings_include": ["more than one placement"]},
    },
    # A 2021-format report that kept the 2019 layout's one （六）其他处理 row.
    "html-2021-single-other-haizhou-2024": {
        "file": "html-2021-single-other-haizhou-2024.html", "k": 45, "fee": 12.34, "single_other": True,
        "warnings_exclude": ["read as 0", "no statistics tables"],
        "identity": {"title": "阜新市海州区2024年政府信息公开工作年度报告", "agency": "阜新市海州区", "year": 2024,
                     "format": "2021", "published": "2025-01-20",
                     "warnings_include": ["printed as one row"]},
    },
    "text-2021-single-other": {
        "file": "text-2021-single-other.txt", "k": 47, "fee": 9.87, "single_other": True,
        "warnings_exclude": ["read as 0", "no statistics tables"],
        "identity": {"title": "阜新市海州区2024年政府信息公开工作年度报告", "agency": "阜新市海州区", "year": 2024,
                     "format": "2021", "published": None,
                     "warnings_include": ["printed as one row"]},
    },
    # The 2019 format with the digits of 处理决定数量 in several Word spans.
    "html-legacy-split-digits-zhongzhan-2020": {
        "file": "html-legacy-split-digits-zhongzhan-2020.html", "k": 49, "fee": None, "legacy": True,
        "identity": {"title": "中站区人民政府2020年政府信息公开工作年度报告", "agency": "中站区人民政府", "year": 2020,
                     "format": "legacy", "published": "2021-01-29"},
    },
}


def render_number(value: Any, style: str | None) -> str:
    styles = set(style.split(",")) if style else set()
    decimals = next((int(s[1:]) for s in styles if s.startswith("d")), None)
    if decimals is not None:
        text = f"{value:.{decimals}f}"
    elif "sep" in styles:
        text = f"{value:,}"
    else:
        text = repr(value) if isinstance(value, float) else str(value)
    assert float(text.replace(",", "")) == value, (value, style, text)
    text = text.translate(FULL_WIDTH) if "fw" in styles else text
    if "spans" in styles:
        # as Word saves it: one digit, then pairs, each in its own span, the source wrapped between
        pieces = [text[:1]] + [text[i : i + 2] for i in range(1, len(text), 2)]
        spans = "\n".join(f"<span lang=EN-US style='font-size:12.0pt'>{p}</span>" for p in pieces)
        text = f"<p class=MsoNormal align=center>{spans}<o:p></o:p></p>"
    return text


def render(template: str, numbers: dict[str, Any]) -> str:
    return PLACEHOLDER.sub(lambda m: render_number(lookup(numbers, m.group(1)), m.group(2)), template)


def build(name: str, spec: dict[str, Any]) -> None:
    numbers = report_numbers(spec["k"], spec["fee"], legacy=spec.get("legacy", False),
                             single_other=spec.get("single_other", False), blank=spec.get("blank", ()))
    encoding = spec.get("encoding", "utf-8")
    template = (TEMPLATES / spec["file"]).read_bytes().decode(encoding)
    (HERE / spec["file"]).write_bytes(render(template, numbers).encode(encoding))

    if spec.get("blank_result_totals"):
        # the page leaves these 总计 cells empty: the record reads them as 0 (with a warning)
        for row in RESULT_ROWS:
            numbers["requests"][row]["total"] = 0
    identity: dict[str, Any] = {"source": spec["file"]}
    if "content_type" in spec:
        identity["content_type"] = spec["content_type"]
    identity.update(spec["identity"])
    if spec.get("blank_result_totals"):
        identity["warnings_include"] = [f"requests.{row}.total" for row in RESULT_ROWS]
        identity["warnings_exclude"] = ["not found", "no statistics tables"]
    else:
        identity["warnings_exclude"] = spec.get("warnings_exclude", CLEAN)
    write_expected(HERE / f"{name}.expected.json", expected_record(identity, numbers))


def main() -> None:
    for name, spec in FIXTURES.items():
        build(name, spec)


if __name__ == "__main__":
    main()
