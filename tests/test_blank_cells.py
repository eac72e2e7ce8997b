"""A blank cell of a table that is there is 0 — in every section and every grid reader — named
in one warning per table; a text row with fewer printed values is not blank cells; a table that
is not there stays null. The fixtures are made by tests/files/make_blank_fixtures.py."""

from __future__ import annotations

import pytest
from conftest import FILES, load_golden

from archive.parsing import parse
from archive.parsing.tables import grid_rows, interpret
from archive.record.checks import is_arithmetic
from archive.record.model import content_fingerprint, numbers_of

BLANK_FIXTURES = sorted(p for p in FILES.glob("blank-*.expected.json"))
SECTIONS = {"二": "active_disclosure.", "三": "requests.", "四": "review_litigation."}


def _parse(expected: dict) -> dict:
    return parse((FILES / expected["source"]).read_bytes(), content_type=expected.get("content_type"))


def test_blank_fixtures_are_html_and_docx_and_cover_the_cases():
    sources = [load_golden(p)["source"] for p in BLANK_FIXTURES]
    assert {s.rsplit(".", 1)[1] for s in sources} == {"html", "docx"}
    goldens = [load_golden(p) for p in BLANK_FIXTURES]
    all_zero = [g for g in goldens if all(v == 0 for k, v in numbers_of(g).items() if k.startswith("requests."))]
    assert {g["source"].rsplit(".", 1)[1] for g in all_zero} == {"html", "docx"}
    assert any(g.get("fails_check") and g["needs_review"] for g in goldens)
    assert any("note says" in " ".join(g.get("warnings_include", [])) for g in goldens)


@pytest.mark.parametrize("path", BLANK_FIXTURES, ids=[p.name.split(".")[0] for p in BLANK_FIXTURES])
def test_one_warning_per_table_names_every_blank_cell(path):
    expected = load_golden(path)
    record = _parse(expected)
    zeros = [k for k, v in numbers_of(expected).items() if v == 0]  # every 0 is printed blank here
    assert record["reading"]["rules"]["blank_as_zero"] == zeros
    for section, prefix in SECTIONS.items():
        warnings = [w for w in record["warnings"] if w.startswith(f"section {section}:") and "blank cell" in w]
        blanks = [k for k in zeros if k.startswith(prefix)]
        assert len(warnings) == (1 if blanks else 0), section
        if blanks:
            named = warnings[0].split("): ", 1)[1].split(";")[0].split(", ")
            assert named == blanks
    assert not [w for w in record["warnings"] if "' read as 0" in w]  # no warning per blank cell


def test_a_blank_that_breaks_the_arithmetic_is_said_in_the_check_and_flags_the_report():
    expected = load_golden(FILES / "blank-cell-fails-check-mixed-typos-2024.expected.json")
    record = _parse(expected)
    failed = [c for c in record["checks"] if not c["passed"] and is_arithmetic(c["rule"])]
    assert {c["rule"] for c in failed} == {"requests.row_total.partially_granted", "requests.results_sum.natural_person"}
    assert all("blank cells read as 0 take part: " in c["detail"] and "requests.partially_granted.natural_person"
               in c["detail"] for c in failed)
    assert record["needs_review"] is True and record["reading"]["checks_failed"] == 2
    warning = next(w for w in record["warnings"] if w.startswith("section 三:"))
    assert "requests.row_total.partially_granted" in warning and "needs review" in warning


def test_a_report_whose_blanks_add_up_needs_no_review():
    record = _parse(load_golden(FILES / "blank-all-zero-official-2024.expected.json"))
    assert record["needs_review"] is False
    assert record["reading"]["cells_read"] == record["reading"]["cells_expected"] == 200
    arithmetic = [c for c in record["checks"] if is_arithmetic(c["rule"])]
    assert all(c["passed"] for c in arithmetic) and len(arithmetic) == 7 * 2 + 25 + 3
    assert not [w for w in record["warnings"] if "not found" in w]


def _grid(*rows: list[str]) -> list:
    """A grid of distinct cells (no spans)."""
    return [[(text, i * 100 + j) for j, text in enumerate(row)] for i, row in enumerate(rows)]


HEADER = [["（本列数据的勾稽关系为：第一项加第二项之和，等于第三项加第四项之和）", "申请人情况", "", "", "", "", "", ""],
          ["", "自然人", "法人或其他组织", "", "", "", "", "总计"],
          ["", "", "商业企业", "科研机构", "社会公益组织", "法律服务机构", "其他", ""]]


def test_header_and_group_rows_with_empty_cells_are_not_rows_of_zeros():
    rows = grid_rows(_grid(
        ["三、收到和处理政府信息公开申请情况"],
        *HEADER,
        ["一、本年新收政府信息公开申请数量", "1", "2", "3", "4", "5", "6", "21"],
        ["（三）不予公开", "", "", "", "", "", "", ""],
        ["1.属于国家秘密", "", "", "", "", "", "", ""],
        ["（六）其他处理", "", "", "", "", "", "", ""],
        ["1.申请人无正当理由逾期不补正、行政机关不再处理其政府信息公开申请", "", "", "1", "", "", "", "1"],
    ))
    reading = interpret(rows)
    assert set(reading.requests) == {"new_requests", "denied_state_secret", "other_no_correction"}
    assert reading.other_processing is None  # （六）其他处理 with its sub-rows after it is a group row
    assert [c.value for c in reading.requests["denied_state_secret"]] == [0] * 7
    assert not reading.warnings


def test_a_row_label_above_its_numbers_is_a_label_not_a_row_of_zeros():
    rows = grid_rows(_grid(
        ["三、收到和处理政府信息公开申请情况"],
        *HEADER,
        ["一、本年新收政府信息公开申请数量", "", "", "", "", "", "", ""],
        ["", "1", "2", "3", "4", "5", "6", "21"],
    ))
    reading = interpret(rows)
    assert [c.value for c in reading.requests["new_requests"]] == [1, 2, 3, 4, 5, 6, 21]


def test_fewer_printed_values_in_text_are_not_blank_cells():
    text = ("三、收到和处理政府信息公开申请情况\n申请人情况\n自然人\n"
            "一、本年新收政府信息公开申请数量 1 2 3\n")
    record = parse(text.encode("utf-8"), content_type="text/plain; charset=utf-8")
    assert set(record["requests"]["new_requests"].values()) == {None}
    assert "blank_as_zero" not in record["reading"]["rules"]
    assert record["needs_review"] is True


def test_a_table_that_is_not_there_stays_null():
    record = _parse(load_golden(FILES / "html-table-images-haizhou-2024.expected.json"))
    assert set(numbers_of(record).values()) == {None}
    assert record["reading"] == {"cells_read": 0, "cells_expected": 200, "checks_failed": 0, "rules": {}}
    assert record["needs_review"] is True


def test_the_summary_is_not_part_of_the_content_fingerprint():
    record = _parse(load_golden(FILES / "blank-cell-fails-check-mixed-typos-2024.expected.json"))
    bare = {k: v for k, v in record.items() if k not in ("reading", "needs_review", "checks", "warnings")}
    assert content_fingerprint(record) == content_fingerprint(bare)
    assert content_fingerprint({**record, "needs_review": False, "reading": {}}) == content_fingerprint(record)


def test_legacy_format_expects_its_own_rows():
    record = _parse(load_golden(FILES / "html-legacy-zhongzhan-2020.expected.json"))
    own = 22 * 7 + 7 + 15 + 22  # 三 without （六）1–3, its one row, 四, and its section 二
    assert record["reading"]["cells_expected"] >= own  # and any 2021 key the 2019 figures fill
    assert record["reading"]["cells_read"] == record["reading"]["cells_expected"]
    assert record["needs_review"] is False


def test_section_four_empty_data_row_is_zeros_but_its_header_is_not():
    rows = grid_rows(_grid(
        ["四、政府信息公开行政复议、行政诉讼情况"],
        ["行政复议", "", "", "", "", "行政诉讼", "", "", "", "", "", "", "", "", ""],
        ["结果维持", "结果纠正", "其他结果", "尚未审结", "总计", "未经复议直接起诉", "", "", "", "", "复议后起诉", "", "", "", ""],
        ["", "", "", "", "", "结果维持", "结果纠正", "其他结果", "尚未审结", "总计", "结果维持", "结果纠正", "其他结果",
         "尚未审结", "总计"],
        [""] * 15,
    ))
    reading = interpret(rows)
    assert [c.value for c in reading.review] == [0] * 15


def test_a_blank_row_of_the_2019_format_is_zeros():
    rows = grid_rows(_grid(
        ["二、主动公开政府信息情况"],
        ["第二十条第（一）项"],
        ["信息内容", "本年新制作数量", "本年新公开数量", "对外公开总数量"],
        ["规范性文件", "3", "2", "41"],
        ["第二十条第（九）项"],
        ["信息内容", "采购项目数量", "采购总金额"],
        ["政府集中采购", "", ""],
    ))
    reading = interpret(rows)
    assert [c.value for c in reading.active["procurement"]] == [0, 0]
    assert [c.value for c in reading.active["normative_documents"]] == [3, 2, 41]
    assert set(reading.active) == {"normative_documents", "procurement"}  # header rows are not rows
