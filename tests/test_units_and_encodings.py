"""A number read with the wrong unit, from a cell holding two numbers, or from a page decoded
with the wrong charset is a wrong number: each is read right or left null with a warning.

The pages are built here from numbers written by hand (`ACTIVE`, `REQUESTS`, `REVIEW`, which
obey the format's arithmetic), laid out as the national format's HTML tables; one cell is
replaced per test. The Big5 and Shift-JIS fixtures are made from the same page by
tests/files/make_encoding_fixtures.py.
"""

import pytest
from conftest import FILES

from archive.parsing import encoding, parse
from archive.parsing.numbers import read_cell, value_in

# --- a report page built from hand-written numbers -------------------------------------------
ACTIVE = {  # section 二: (label, values)
    "regulations": ("规章", ["0", "0", "3"]),
    "normative_documents": ("行政规范性文件", ["2", "1", "15"]),
    "licensing": ("行政许可", ["120"]),
    "penalty": ("行政处罚", ["35"]),
    "coercion": ("行政强制", ["4"]),
    "fees": ("行政事业性收费", ["1.5"]),
}
# Section 三: the six applicant columns of each row; 总计 is printed as their sum.
REQUESTS = [
    ("new_requests", ["一、本年新收政府信息公开申请数量"], [13, 2, 0, 0, 0, 1]),
    ("carried_over", ["二、上年结转政府信息公开申请数量"], [1, 0, 0, 0, 0, 0]),
    ("granted", ["三、本年度办理结果", "（一）予以公开"], [5, 1, 0, 0, 0, 0]),
    ("partially_granted", ["三、本年度办理结果", "（二）部分公开（区分处理的，只计这一情形，不计其他情形）"], [2, 0, 0, 0, 0, 0]),
    ("denied_state_secret", ["（三）不予公开", "1．属于国家秘密"], [0] * 6),
    ("denied_prohibited_by_law", ["（三）不予公开", "2．其他法律行政法规禁止公开"], [0] * 6),
    ("denied_three_securities_one_stability", ["（三）不予公开", "3．危及“三安全一稳定”"], [0] * 6),
    ("denied_third_party_rights", ["（三）不予公开", "4．保护第三方合法权益"], [1, 0, 0, 0, 0, 0]),
    ("denied_internal_affairs", ["（三）不予公开", "5．属于三类内部事务信息"], [0] * 6),
    ("denied_process_information", ["（三）不予公开", "6．属于四类过程性信息"], [0] * 6),
    ("denied_enforcement_files", ["（三）不予公开", "7．属于行政执法案卷"], [0] * 6),
    ("denied_administrative_query", ["（三）不予公开", "8．属于行政查询事项"], [0] * 6),
    ("unable_not_held", ["（四）无法提供", "1．本机关不掌握相关政府信息"], [3, 1, 0, 0, 0, 1]),
    ("unable_needs_creation", ["（四）无法提供", "2．没有现成信息需要另行制作"], [0] * 6),
    ("unable_unclear_after_correction", ["（四）无法提供", "3．补正后申请内容仍不明确"], [0] * 6),
    ("not_processed_petition", ["（五）不予处理", "1．信访举报投诉类申请"], [0] * 6),
    ("not_processed_duplicate", ["（五）不予处理", "2．重复申请"], [1, 0, 0, 0, 0, 0]),
    ("not_processed_publication", ["（五）不予处理", "3．要求提供公开出版物"], [0] * 6),
    ("not_processed_excessive", ["（五）不予处理", "4．无正当理由大量反复申请"], [0] * 6),
    ("not_processed_confirmation", ["（五）不予处理", "5．要求行政机关确认或重新出具已获取信息"], [0] * 6),
    ("other_no_correction", ["（六）其他处理", "1．申请人无正当理由逾期不补正、行政机关不再处理其政府信息公开申请"], [0] * 6),
    ("other_no_fee", ["（六）其他处理", "2．申请人逾期未按收费通知要求缴纳费用、行政机关不再处理其政府信息公开申请"], [0] * 6),
    ("other", ["（六）其他处理", "3．其他"], [0] * 6),
    ("total_processed", ["（七）总计"], [12, 2, 0, 0, 0, 1]),
    ("carried_forward", ["四、结转下年度继续办理"], [2, 0, 0, 0, 0, 0]),
]
REVIEW = ["1", "0", "0", "1", "2", "0", "1", "0", "0", "1", "0", "0", "0", "0", "0"]
TITLE = "某某县人民政府办公室2024年政府信息公开工作年度报告"
FEE_HEADER = "本年收费金额（单位：万元）"


def _tr(cells: list[str]) -> str:
    return "<tr>" + "".join(f"<td>{c}</td>" for c in cells) + "</tr>"


def report_page(
    active: dict | None = None, requests: dict | None = None, fee_header: str = FEE_HEADER, title: str = TITLE
) -> str:
    """The report as an HTML page; `active` / `requests` replace rows' printed cells
    (requests: row key → the 7 cells as printed, 总计 included)."""
    act = {key: list(values) for key, (_, values) in ACTIVE.items()}
    act.update(active or {})
    printed = {key: [str(v) for v in cells] + [str(sum(cells))] for key, _, cells in REQUESTS}
    printed.update(requests or {})
    label = {key: lab for key, (lab, _) in ACTIVE.items()}
    two = [
        _tr(["第二十条第（一）项"]),
        _tr(["信息内容", "本年制发件数", "本年废止件数", "现行有效件数"]),
        _tr([label["regulations"], *act["regulations"]]),
        _tr([label["normative_documents"], *act["normative_documents"]]),
        _tr(["第二十条第（五）项"]),
        _tr(["信息内容", "本年处理决定数量"]),
        _tr([label["licensing"], *act["licensing"]]),
        _tr(["第二十条第（六）项"]),
        _tr(["信息内容", "本年处理决定数量"]),
        _tr([label["penalty"], *act["penalty"]]),
        _tr([label["coercion"], *act["coercion"]]),
        _tr(["第二十条第（八）项"]),
        _tr(["信息内容", fee_header]),
        _tr([label["fees"], *act["fees"]]),
    ]
    three = [
        _tr(["（本列数据的勾稽关系为：第一项加第二项之和，等于第三项加第四项之和）", "申请人情况"]),
        _tr(["", "自然人", "法人或其他组织", "总计"]),
        _tr(["", "", "商业企业", "科研机构", "社会公益组织", "法律服务机构", "其他", ""]),
    ]
    three += [_tr([*labels, *printed[key]]) for key, labels, _ in REQUESTS]
    four = [
        _tr(["行政复议", "行政诉讼"]),
        _tr(["结果维持", "结果纠正", "其他结果", "尚未审结", "总计", "未经复议直接起诉", "复议后起诉"]),
        _tr(["", "", "", "", "", *["结果维持", "结果纠正", "其他结果", "尚未审结", "总计"] * 2]),
        _tr(REVIEW),
    ]
    return f"""<html><head><title>{title}</title></head><body>
<h1>{title}</h1>
<p>本报告根据《中华人民共和国政府信息公开条例》编制。</p>
<p>一、总体情况</p>
<p>本年度共主动公开政府信息一千余条，办理政府信息公开申请，无行政复议纠错情形。</p>
<p>二、主动公开政府信息情况</p>
<table>{"".join(two)}</table>
<p>三、收到和处理政府信息公开申请情况</p>
<table>{"".join(three)}</table>
<p>四、政府信息公开行政复议、行政诉讼情况</p>
<table>{"".join(four)}</table>
<p>五、存在的主要问题及改进情况</p>
<p>公开内容还不够全面。</p>
<p>六、其他需要报告的事项</p>
<p>本年度未收取信息处理费。</p>
</body></html>"""


def _parse_page(html: str) -> dict:
    return parse(html.encode("utf-8"), content_type="text/html; charset=utf-8")


def _warned(record: dict, *words: str) -> bool:
    return any(all(w in x for w in words) for x in record["warnings"])


def test_the_built_page_reads_exactly():
    record = _parse_page(report_page())
    assert record["format"] == "2021"
    assert record["active_disclosure"]["fees_wan_yuan"] == 1.5
    assert record["active_disclosure"]["licensing_decisions"] == 120
    assert record["requests"]["new_requests"] == {
        "natural_person": 13, "commercial_enterprise": 2, "research_institution": 0, "social_welfare_org": 0,
        "legal_service_org": 0, "other_org": 1, "total": 16,
    }
    assert record["review_litigation"]["review"]["total"] == 2
    assert all(c["passed"] for c in record["checks"])


# --- units -------------------------------------------------------------------------------------
def _fee(cell: str, header: str = FEE_HEADER) -> tuple[object, dict]:
    record = _parse_page(report_page(active={"fees": [cell]}, fee_header=header))
    return record["active_disclosure"]["fees_wan_yuan"], record


def test_fee_written_in_yuan_is_converted_to_wan_yuan():
    value, record = _fee("15000元")
    assert value == 1.5
    assert _warned(record, "fees_wan_yuan", "15000元", "1.5")


def test_fee_written_in_wan_yuan_or_bare_is_kept():
    assert _fee("1.5万元")[0] == 1.5
    assert _fee("1.5")[0] == 1.5
    assert _fee("１.５")[0] == 1.5
    assert _fee("172.78")[0] == 172.78


def test_fee_in_other_money_units_converts():
    assert _fee("15千元")[0] == 1.5
    assert _fee("0.02亿元")[0] == 200
    assert _fee("￥15000")[0] == 1.5  # a leading ￥ says 元


def test_fee_under_a_header_in_yuan_converts_a_bare_number():
    value, record = _fee("15000", header="本年收费金额（单位：元）")
    assert value == 1.5
    assert _warned(record, "fees_wan_yuan", "header states 元")
    # the cell's own unit goes before the header's
    assert _fee("1.5万元", header="本年收费金额（单位：元）")[0] == 1.5


def test_fee_with_no_unit_anywhere_is_read_in_the_formats_unit_with_a_warning():
    value, record = _fee("2.5", header="本年收费金额")
    assert value == 2.5
    assert _warned(record, "fees_wan_yuan", "no unit")


@pytest.mark.parametrize("cell", ["15000份", "15000斤", "￥15件", "15000元万元", "1.5万"])
def test_fee_with_an_unknown_or_contradictory_unit_is_null_with_a_warning(cell):
    value, record = _fee(cell)
    assert value is None
    assert _warned(record, "fees_wan_yuan", cell)


def test_fee_under_a_header_stating_two_units_is_null():
    value, record = _fee("15000", header="本年收费金额（单位：万元）（元）")
    assert value is None
    assert _warned(record, "fees_wan_yuan", "two different units")


@pytest.mark.parametrize("cell", ["3元", "3万元", "￥3"])
def test_a_count_written_as_money_is_null_with_a_warning(cell):
    record = _parse_page(report_page(active={"licensing": [cell]}))
    assert record["active_disclosure"]["licensing_decisions"] is None
    assert _warned(record, "licensing_decisions", "money")


def test_counts_keep_their_count_units_and_must_be_whole():
    record = _parse_page(report_page(active={"licensing": ["120件"], "penalty": ["3.5"]}))
    assert record["active_disclosure"]["licensing_decisions"] == 120
    assert record["active_disclosure"]["penalty_decisions"] is None
    assert _warned(record, "penalty_decisions", "whole number")


def test_unit_table_directly():
    assert value_in(read_cell("15000元"), "万元", "万元") == (1.5, "written 元: read as 1.5 万元")
    assert value_in(read_cell("416.352万元"), "元", None)[0] == 4163520
    assert value_in(read_cell("4163520.00元"), "元", None) == (4163520.0, None)
    assert value_in(read_cell("4163520"), "元", None)[0] is None  # 采购总金额 names no unit


LEGACY_PROCUREMENT = """某某县2020年政府信息公开工作年度报告
二、主动公开政府信息情况
第二十条第（一）项
信息内容\t本年新制作数量\t本年新公开数量\t对外公开总数量
规章\t0\t0\t0
第二十条第（九）项
信息内容\t采购项目数量\t采购总金额{header}
政府集中采购\t8\t{amount}
"""


@pytest.mark.parametrize(
    ("amount", "header", "expected"),
    [
        ("1265300.00元", "", 1265300.0),  # the record keeps 采购总金额 in 元
        ("126.53万元", "", 1265300),
        ("1265300", "（元）", 1265300),
        ("126.53", "（单位：万元）", 1265300),
        ("1265300", "", None),  # the 2019 format's header names no unit: not told, not guessed
        ("8件", "", None),
    ],
)
def test_legacy_procurement_amount_is_kept_in_yuan(amount, header, expected):
    text = LEGACY_PROCUREMENT.format(amount=amount, header=header)
    record = parse(text.encode("utf-8"), content_type="text/plain; charset=utf-8")
    assert record["format"] == "legacy"
    procurement = record["legacy_active_disclosure"]["procurement"]
    assert procurement["projects"] == 8
    assert procurement["amount"] == expected
    if expected is None:
        assert _warned(record, "procurement.amount")


# --- two numbers on two lines in one cell ---------------------------------------------------------
def _granted(cells: list[str]) -> dict:
    return _parse_page(report_page(requests={"granted": cells}))


@pytest.mark.parametrize("split", ["3<br>5", "3<br/>5", "<p>3</p><p>5</p>", "<div>3</div><div>5</div>"])
def test_a_count_cell_with_two_numbers_on_two_lines_is_null(split):
    # 35 + 1 = 36, 3 + 1 = 4, 5 + 1 = 6: the printed total 9 fits no reading of the cell
    record = _granted([split, "1", "0", "0", "0", "0", "9"])
    assert record["requests"]["granted"]["natural_person"] is None
    assert _warned(record, "requests.granted.natural_person", "separate lines")
    assert record["requests"]["granted"]["commercial_enterprise"] == 1


def test_two_numbers_are_null_even_when_one_line_alone_would_add_up():
    # 5 + 1 = 6 holds, but that drops a printed number: the cell is not read as 5, nor as 35
    record = _granted(["3<br>5", "1", "0", "0", "0", "0", "6"])
    assert record["requests"]["granted"]["natural_person"] is None


def test_two_lines_are_one_number_when_the_row_total_leaves_no_other_reading():
    record = _granted(["3<br>5", "1", "0", "0", "0", "0", "36"])
    assert record["requests"]["granted"]["natural_person"] == 35
    assert _warned(record, "requests.granted.natural_person", "read as 35")


def test_digits_split_over_inline_runs_are_one_number():
    record = _granted(["<span>3</span><span>5</span>", "1", "0", "0", "0", "0", "3<font>6</font>"])
    assert record["requests"]["granted"]["natural_person"] == 35
    assert record["requests"]["granted"]["total"] == 36
    assert not _warned(record, "separate lines")


def test_a_number_and_its_unit_on_two_lines_is_one_number():
    record = _granted(["5<br>件", "1", "0", "0", "0", "0", "6"])
    assert record["requests"]["granted"]["natural_person"] == 5


def test_split_cells_the_arithmetic_cannot_tell_apart_stay_null():
    # 13 + 2 + 1 = 16 and 3 + 2 + 1 = 6 (each cell read as its last line) both add up
    record = _parse_page(report_page(requests={"new_requests": ["1<br>3", "2", "0", "0", "0", "1", "1<br>6"]}))
    assert record["requests"]["new_requests"]["natural_person"] is None
    assert record["requests"]["new_requests"]["total"] is None


def test_section_two_has_no_arithmetic_so_two_lines_stay_null():
    record = _parse_page(report_page(active={"licensing": ["1<br>20"]}))
    assert record["active_disclosure"]["licensing_decisions"] is None
    assert _warned(record, "licensing_decisions", "separate lines")


def test_a_document_whose_totals_confirm_its_split_digits_is_read_joined_throughout():
    # Two section 三 rows confirm that this page prints numbers one digit per line, and none
    # refutes it: its section 二 cell (no arithmetic there) is read the same way, with a warning.
    record = _parse_page(
        report_page(
            active={"licensing": ["1<br>2<br>0"]},
            requests={
                "new_requests": ["1<br>3", "2", "0", "0", "0", "1", "16"],
                "total_processed": ["<p>1</p><p>2</p>", "2", "0", "0", "0", "1", "15"],
            },
        )
    )
    assert record["requests"]["new_requests"]["natural_person"] == 13
    assert record["requests"]["total_processed"]["natural_person"] == 12
    assert record["active_disclosure"]["licensing_decisions"] == 120
    assert _warned(record, "licensing_decisions", "read as 120")


def test_text_cells_with_br_keep_their_line_break():
    # a PDF-to-markdown cell "3<br>5" in a pipe row
    text = (
        f"{TITLE}\n三、收到和处理政府信息公开申请情况\n申请人情况\n"
        "|一、本年新收政府信息公开申请数量|13|2|0|0|0|1|16|\n"
        "|三、本年度办理结果|（一）予以公开|3<br>5|1|0|0|0|0|9|\n"
    )
    record = parse(text.encode("utf-8"), content_type="text/plain; charset=utf-8")
    assert record["requests"]["new_requests"]["total"] == 16
    assert record["requests"]["granted"]["natural_person"] is None


def test_read_cell_kinds():
    assert read_cell("3\n5").kind == "lines"
    assert read_cell("3\n5").lines == ("3", "5")
    assert read_cell("1\n.5").value == 1.5  # a number wrapped: its lines are not each a number
    assert read_cell("—\n—").kind == "zero_mark"
    assert read_cell("-\n5").kind == "lines"  # not -5
    assert read_cell("3 5").value == 35  # a stray space inside a number is no line break


# --- encodings ---------------------------------------------------------------------------------
NUMBERS_READ = {"licensing_decisions": 120, "fees_wan_yuan": 1.5}


def test_big5_page_without_a_declaration_is_decoded_as_big5_and_read():
    data = (FILES / "encoding-big5-report.html").read_bytes()
    text, charset = encoding.decode(data)
    assert charset == "big5"
    assert "政府信息公開工作年度報告" in text
    record = parse(data)
    assert record["title"] == "某某縣人民政府辦公室2024年政府信息公開工作年度報告"
    assert record["year"] == 2024
    assert record["format"] == "2021"
    for key, value in NUMBERS_READ.items():
        assert record["active_disclosure"][key] == value
    assert record["requests"]["new_requests"]["total"] == 16
    assert record["requests"]["unable_not_held"]["other_org"] == 1
    assert record["review_litigation"]["litigation_direct"]["corrected"] == 1
    assert all(c["passed"] for c in record["checks"])
    assert not _warned(record, "none of a report's words")


def test_big5_page_declared_big5_is_read_the_same():
    data = (FILES / "encoding-big5-report.html").read_bytes()
    record = parse(data, content_type="text/html; charset=big5")
    assert record["requests"]["new_requests"]["total"] == 16


def test_big5_page_wrongly_declared_gbk_is_flagged():
    # A declared GBK that decodes cleanly is believed (the common, fast case), so Big5 bytes
    # declared GBK come out as mojibake: the record says so.
    data = (FILES / "encoding-big5-report.html").read_bytes()
    record = parse(data, content_type="text/html; charset=gbk")
    assert _warned(record, "gb18030", "none of a report's words")


def test_shift_jis_page_is_decoded_as_shift_jis_and_flagged():
    data = (FILES / "encoding-shift-jis-notice.html").read_bytes()
    text, charset = encoding.decode(data)
    assert charset in ("shift_jis", "cp932")
    assert "お知らせ" in text
    record = parse(data)
    assert record["format"] == "unknown"
    assert _warned(record, "none of a report's words")


def test_gbk_page_with_a_correct_declaration_is_believed_without_guessing(monkeypatch):
    def no_guessing(*args, **kwargs):
        raise AssertionError("charset-normalizer asked for a correctly declared page")

    monkeypatch.setattr(encoding, "from_bytes", no_guessing)
    data = (FILES / "html-gbk-meta-zhongzhan-2024.html").read_bytes()
    text, charset = encoding.decode(data)
    assert charset == "gb18030"
    assert "政府信息公开" in text
    record = parse(data)
    assert record["format"] == "2021"
    assert not _warned(record, "none of a report's words")


def test_undeclared_gbk_page_is_still_gbk():
    data = report_page().encode("gbk")
    text, charset = encoding.decode(data)
    assert charset == "gb18030"
    assert TITLE in text
    assert parse(data)["requests"]["new_requests"]["total"] == 16
