"""A report's words against its tables: the figures its prose states, read only where their record
key is unambiguous, and compared with the tables as `prose.<key>` checks.

The sentences are written after the ones real reports print (受理政府信息公开申请 6 件 with the
spaces text extraction leaves, full-width digits, 被申请行政复议2件、提起行政诉讼4件 …), and beside
each kind of sentence that must be read stands one that must not: a figure of another year, a
comparison, a share, an approximation, one number for two rows, a wider scope.
"""

from __future__ import annotations

import pytest
from conftest import FILES

from archive.parsing import parse
from archive.parsing.prose import LITIGATION_TOTAL, stated_figures
from archive.record.checks import is_arithmetic, prose_checks
from archive.record.model import empty_record

NEW = "requests.new_requests.total"


def _read(sentence: str, year: int | None = 2024) -> dict[str, float]:
    found = stated_figures({"overview": sentence}, year)
    keys = [s.key for s in found]
    assert len(keys) == len(set(keys)), found
    return {s.key: s.value for s in found}


@pytest.mark.parametrize("sentence, expected", [
    ("2024 年，全区共受理政府信息公开申请 6 件。", {NEW: 6}),
    ("本年度共收到政府信息公开申请１２件，上年结转２件，办结１３件，结转下年度继续办理１件。",
     {NEW: 12, "requests.carried_over.total": 2, "requests.total_processed.total": 13,
      "requests.carried_forward.total": 1}),
    ("已办结19件，其中予以公开8件，部分公开2件，不予公开2件，无法提供5件。",
     {"requests.total_processed.total": 19, "requests.granted.total": 8, "requests.partially_granted.total": 2}),
    ("全年因政府信息公开工作被申请行政复议2件、提起行政诉讼4件。",
     {"review_litigation.review.total": 2, LITIGATION_TOTAL: 4}),
    ("2024年，本机关新收政府信息公开申请1,208件。", {NEW: 1208}),
    ("2024年，本机关未收到政府信息公开申请。", {NEW: 0}),
    ("全年行政事业性收费金额为172.8万元。", {"active_disclosure.fees_wan_yuan": 172.8}),
    ("本年度行政事业性收费1727800元。", {"active_disclosure.fees_wan_yuan": 172.78}),
    ("制发行政规范性文件3件，废止规范性文件1件，现行有效规范性文件25件。",
     {"active_disclosure.normative_documents_issued": 3, "active_disclosure.normative_documents_repealed": 1,
      "active_disclosure.normative_documents_in_force": 25}),
    ("共收到政府信息公开申请120件，同比增长12%。", {NEW: 120}),  # the figure's own clause has no comparison
    ("依法及时受理政府信息公开申请7件。", {NEW: 7}),  # 及时 is no conjunction
])
def test_stated_figures_are_read(sentence, expected):
    assert _read(sentence) == expected


@pytest.mark.parametrize("sentence", [
    "2023年收到政府信息公开申请10件。",  # another year
    "2023年共收到政府信息公开申请10件，上年结转1件。",  # both figures are 2023's
    "上年收到政府信息公开申请10件。",  # last year's
    "与上年相比，收到政府信息公开申请同比增长12件。",  # a comparison
    "收到政府信息公开申请较上年减少3件。",
    "同比多收到政府信息公开申请12件。",  # 12 is the increase
    "收到政府信息公开申请约30件。",  # approximate
    "收到政府信息公开申请30余件。",
    "共收到政府信息公开申请30件左右。",
    "收到政府信息公开申请10-20件。",  # a range
    "其中予以公开及部分公开8件。",  # one number for two rows
    "因政府信息公开被申请行政复议和提起行政诉讼3件。",
    "因政府信息公开行政复议、行政诉讼各0件。",
    "全年办理行政复议案件120件，行政应诉案件35件。",  # a 司法局's caseload, not about disclosure
    "其中按时办结18件。",  # a part of the requests answered
    "全市各级行政机关共收到政府信息公开申请5000件。",  # a wider scope than the report's tables
    "全年主动公开政府信息共计126条。",  # no record key
    "发出收费通知的件数为0件，总金额为0元，实际收取的信息处理费总金额为0元。",  # not 行政事业性收费
    "依申请公开办结率100%。",
    "申请答复率达到100%，群众满意度持续提升。",
])
def test_ambiguous_sentences_are_not_read(sentence):
    assert _read(sentence) == {}


def test_a_figure_that_includes_another_is_not_read_but_the_included_one_is():
    # 12 is 一 + 二 here, not 一、本年新收; the 2 carried over is stated as itself
    assert _read("收到政府信息公开申请12件（含上年结转申请2件）。") == {"requests.carried_over.total": 2}


def test_without_the_report_year_no_dated_sentence_is_read():
    assert _read("2024年收到政府信息公开申请6件。", year=None) == {}
    assert _read("共收到政府信息公开申请6件。", year=None) == {NEW: 6}


def test_a_sentence_broken_over_lines_keeps_its_year():
    text = "2023年，本机关\n共收到政府信息公开申请10件，\n办结10件。\n（二）依申请公开\n收到政府信息公开申请6件。"
    assert [(s.key, s.value) for s in stated_figures({"overview": text}, 2024)] == [(NEW, 6)]


def _record(**values) -> dict:
    record = empty_record()
    for key, value in values.items():
        row, col = key.split("__")
        record["requests"][row][col] = value
    return record


def test_prose_checks_compare_with_the_tables():
    stated = stated_figures({"overview": "2024年共收到政府信息公开申请12件，上年结转2件。"}, 2024)
    record = _record(new_requests__total=12, carried_over__total=3)
    checks = {c["rule"]: c for c in prose_checks(record, stated)}
    assert checks["prose.requests.new_requests.total"]["passed"] is True
    broken = checks["prose.requests.carried_over.total"]
    assert broken["passed"] is False
    assert "2024年共收到政府信息公开申请12件，上年结转2件" in broken["detail"]
    assert "states 2" in broken["detail"] and "table's 3" in broken["detail"]


def test_no_check_where_the_table_gives_no_number():
    stated = stated_figures({"overview": "共收到政府信息公开申请12件。"}, 2024)
    assert prose_checks(empty_record(), stated) == []


def test_lawsuits_are_both_groups_and_fees_agree_to_the_stated_precision():
    record = empty_record()
    record["review_litigation"]["litigation_direct"]["total"] = 3
    record["review_litigation"]["litigation_after_review"]["total"] = 1
    record["active_disclosure"]["fees_wan_yuan"] = 172.78
    said = "因政府信息公开被提起行政诉讼4件。行政事业性收费金额172.8万元。"
    checks = {c["rule"]: c["passed"] for c in prose_checks(record, stated_figures({"overview": said}, 2024))}
    assert checks == {f"prose.{LITIGATION_TOTAL}": True, "prose.active_disclosure.fees_wan_yuan": True}
    said = "因政府信息公开被提起行政诉讼3件。行政事业性收费金额172.9万元。"
    checks = {c["rule"]: c["passed"] for c in prose_checks(record, stated_figures({"overview": said}, 2024))}
    assert checks == {f"prose.{LITIGATION_TOTAL}": False, "prose.active_disclosure.fees_wan_yuan": False}


def test_a_key_stated_twice_passes_only_if_both_agree():
    record = _record(new_requests__total=12)
    said = "共收到政府信息公开申请12件。全年新收政府信息公开申请13件。"
    (check,) = prose_checks(record, stated_figures({"overview": said}, 2024))
    assert check["passed"] is False and "13" in check["detail"]


# --- in a parsed record ---------------------------------------------------------------------------
def _seed() -> str:
    return (FILES / "003_c261cf9df1aa1cd4.txt").read_text(encoding="utf-8")


def test_a_report_whose_prose_agrees():
    record = parse(_seed().encode())
    prose = [c for c in record["checks"] if c["rule"].startswith("prose.")]
    assert [(c["rule"], c["passed"]) for c in prose] == [("prose.requests.new_requests.total", True)]
    assert "全区共受理政府信息公开申请" in prose[0]["detail"]


def test_a_report_whose_prose_contradicts_its_table_fails_a_check_but_is_not_flagged():
    text = _seed().replace("共受理政府信息公开申请 6 件", "共受理政府信息公开申请 9 件")
    text = text.replace("2024年，未收取政府信息公开处理费。", "2024年，行政事业性收费 1727800 元，未收取政府信息公开处理费。")
    record = parse(text.encode())
    checks = {c["rule"]: c for c in record["checks"] if not is_arithmetic(c["rule"])}
    assert set(checks) == {"prose.requests.new_requests.total", "prose.active_disclosure.fees_wan_yuan"}
    new = checks["prose.requests.new_requests.total"]
    assert new["passed"] is False and "states 9" in new["detail"] and "table's 6" in new["detail"]
    assert checks["prose.active_disclosure.fees_wan_yuan"]["passed"] is True  # 1727800元 = 172.78万元
    # the tables add up and were read whole: the reading is not in doubt
    assert record["needs_review"] is False and record["reading"]["checks_failed"] == 0
