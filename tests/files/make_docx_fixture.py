"""Build tests/files/docx-guodongban-2024.docx, the DOCX fixture, and its expected record.

The document's title and prose are those of a real 2024 annual report of a district 国动办
(the seed report 004_75fd27514a3859df.txt), laid out the way the national format's Word
template does it, with real merged cells (cell.merge) in the three statistics tables. Its
numbers are ours: fixture_numbers.report_numbers(K, FEE), written into both the document and
docx-guodongban-2024.expected.json.

The output is byte-for-byte deterministic: fixed core properties and fixed zip
timestamps, so re-running the script does not change the committed file.

    python tests/files/make_docx_fixture.py            # writes next to this script
    python tests/files/make_docx_fixture.py OUT.docx   # the document only
"""

from __future__ import annotations

import datetime as dt
import io
import sys
import zipfile
from pathlib import Path

from docx import Document
from docx.enum.table import WD_CELL_VERTICAL_ALIGNMENT, WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml.ns import qn
from docx.shared import Pt
from fixture_numbers import (
    COLUMNS,
    REVIEW_COLUMNS,
    REVIEW_GROUPS,
    expected_record,
    report_numbers,
    write_expected,
)

HERE = Path(__file__).resolve().parent
DEFAULT_OUT = HERE / "docx-guodongban-2024.docx"
FIXED_TIME = dt.datetime(2025, 1, 16, 9, 0, 0)
ZIP_TIME = (2025, 1, 16, 9, 0, 0)

TITLE = "2024年政府信息公开工作年度报告"

INTRO = [
    (0, "依据《中华人民共和国政府信息公开条例》(以下简称《政府信息公开条例》)第五十条规定，编制本报告。"),
    (1, "一、总体情况"),
    (
        0,
        (
            "1、强化组织领导。区国动办高度重视政务公开工作，按照各项任务，结合我办实际，细化工作任务。此外，依照我办信息公开制度，"
            "由“主要领导亲自抓、分管领导具体抓”，实行专人负责制，我办配备1名专兼职工作人员，对政府信息公开各项流程进行把关、审核，"
            "切实做到公正、公开、透明，保证信息公开工作顺利开展。"
        ),
    ),
    (
        0,
        (
            "2、加强沟通协调。积极对接区政务服务和数据管理局、区经信局等相关单位，严格按要求使用信息公开相关平台。建立定期内容更新机制，"
            "根据政府信息公开相关栏目及年度工作要点，及时更新政策文件、工作动态、领导信息等公开目录的内容，注重时效，突出重点，"
            "依法依规履行好信息公开应尽之责，切实发挥好信息公开应有的作用。"
        ),
    ),
    (
        0,
        "3、进一步规范国动办依申请公开工作，健全工作流程，明确答复标准，加强解释说明，完善申请与咨询等信息处理机制，依法公开政府信息。",
    ),
]
TAIL = [
    (1, "五、存在的主要问题及改进情况"),
    (
        0,
        (
            "存在问题：各科室工作人员对信息公开工作的认识程度不一，对部分信息内容是否符合公开、依申请公开回复要求把握不够准。"
            "如：新修订的《行政复议法》复议前置问题，需要按新要求答复。"
        ),
    ),
    (
        0,
        (
            "改进情况：一是进一步加强与各科室之间的沟通，深入了解重点工作及主要业务进展，确保信息及时、准确、全面公开。"
            "二是建立信息公开联络员队伍，充实人员力量、积极组织培训、及时学习贯彻相关文件精神，切实提高整体综合素质和业务能力。"
        ),
    ),
    (1, "六、其他需要报告的事项"),
    (
        0,
        (
            "根据《政府信息公开信息处理费管理办法》(国办函〔2020〕109号)，2024年度我单位收取信息处理费情况为："
            "发出收费通知的件数为0件，总金额为0元，实际收取的总金额为0元。"
        ),
    ),
]

K = 15  # this fixture's numbers: fixture_numbers.report_numbers(K, FEE)
FEE = 1.25
NUMBERS = report_numbers(K, FEE)
GOUJI = "（本列数据的勾稽关系为：第一项加第二项之和，等于第三项加第四项之和）"

# Section 三 as the Word template prints it: (group, sub-group, label, row key)
S3_LAYOUT = [
    (None, None, "一、本年新收政府信息公开申请数量", "new_requests"),
    (None, None, "二、上年结转政府信息公开申请数量", "carried_over"),
    ("G", None, "（一）予以公开", "granted"),
    ("G", None, "（二）部分公开（区分处理的，只计这一情形，不计其他情形）", "partially_granted"),
    ("G", "（三）不予公开", "1.属于国家秘密", "denied_state_secret"),
    ("G", "（三）不予公开", "2.其他法律行政法规禁止公开", "denied_prohibited_by_law"),
    ("G", "（三）不予公开", "3.危及“三安全一稳定”", "denied_three_securities_one_stability"),
    ("G", "（三）不予公开", "4.保护第三方合法权益", "denied_third_party_rights"),
    ("G", "（三）不予公开", "5.属于三类内部事务信息", "denied_internal_affairs"),
    ("G", "（三）不予公开", "6.属于四类过程性信息", "denied_process_information"),
    ("G", "（三）不予公开", "7.属于行政执法案卷", "denied_enforcement_files"),
    ("G", "（三）不予公开", "8.属于行政查询事项", "denied_administrative_query"),
    ("G", "（四）无法提供", "1.本机关不掌握相关政府信息", "unable_not_held"),
    ("G", "（四）无法提供", "2.没有现成信息需要另行制作", "unable_needs_creation"),
    ("G", "（四）无法提供", "3.补正后申请内容仍不明确", "unable_unclear_after_correction"),
    ("G", "（五）不予处理", "1.信访举报投诉类申请", "not_processed_petition"),
    ("G", "（五）不予处理", "2.重复申请", "not_processed_duplicate"),
    ("G", "（五）不予处理", "3.要求提供公开出版物", "not_processed_publication"),
    ("G", "（五）不予处理", "4.无正当理由大量反复申请", "not_processed_excessive"),
    ("G", "（五）不予处理", "5.要求行政机关确认或重新出具已获取信息", "not_processed_confirmation"),
    ("G", "（六）其他处理", "1.申请人无正当理由逾期不补正、行政机关不再处理其政府信息公开申请", "other_no_correction"),
    ("G", "（六）其他处理", "2.申请人逾期未按收费通知要求缴纳费用、行政机关不再处理其政府信息公开申请", "other_no_fee"),
    ("G", "（六）其他处理", "3.其他", "other"),
    ("G", None, "（七）总计", "total_processed"),
    (None, None, "四、结转下年度继续办理", "carried_forward"),
]


def printed(numbers: dict, show=repr) -> tuple[dict, list, list[str]]:
    """The three tables' cells as printed, from `numbers`; `show` writes one number. Section 二: (row label → values); section 三: (group, sub-group, label,
    7 values: 自然人, 商业企业, 科研机构, 社会公益组织, 法律服务机构, 其他, 总计); section 四: 行政复议 ×5,
    未经复议直接起诉 ×5, 复议后起诉 ×5."""
    active = numbers["active_disclosure"]
    s2 = {
        "规章": [show(active[f"regulations_{c}"]) for c in ("issued", "repealed", "in_force")],
        "行政规范性文件": [show(active[f"normative_documents_{c}"]) for c in ("issued", "repealed", "in_force")],
        "行政许可": show(active["licensing_decisions"]),
        "行政处罚": show(active["penalty_decisions"]),
        "行政强制": show(active["coercion_decisions"]),
        "行政事业性收费": show(active["fees_wan_yuan"]),
    }
    s3 = [(g, sub, label, [show(numbers["requests"][key][c]) for c in COLUMNS]) for g, sub, label, key in S3_LAYOUT]
    s4 = [show(numbers["review_litigation"][g][c]) for g in REVIEW_GROUPS for c in REVIEW_COLUMNS]
    return s2, s3, s4


S2, S3, S4 = printed(NUMBERS)
IDENTITY = {
    "source": DEFAULT_OUT.name,
    "title": TITLE,
    "agency": None,  # the title names no agency
    "year": 2024,
    "format": "2021",
    "published": None,  # a DOCX states no publication date
    "warnings_exclude": ["read as 0", "not found", "no statistics tables"],
}


def _font(run, name: str, size: float, bold: bool = False) -> None:
    run.font.name = name
    run.font.size = Pt(size)
    run.font.bold = bold
    run._element.get_or_add_rPr().get_or_add_rFonts().set(qn("w:eastAsia"), name)


def _para(doc, text: str, level: int) -> None:
    p = doc.add_paragraph()
    p.paragraph_format.first_line_indent = Pt(32)
    p.paragraph_format.line_spacing = Pt(28)
    _font(p.add_run(text), "黑体" if level else "仿宋_GB2312", 16)


def _set(cell, text: str) -> None:
    """Write text into a (possibly merged) cell; "\n" makes separate paragraphs, as Word users type them."""
    cell.vertical_alignment = WD_CELL_VERTICAL_ALIGNMENT.CENTER
    parts = text.split("\n")
    first = cell.paragraphs[0]
    for extra in cell.paragraphs[1:]:
        extra._element.getparent().remove(extra._element)
    for i, part in enumerate(parts):
        p = first if i == 0 else cell.add_paragraph()
        p.alignment = WD_ALIGN_PARAGRAPH.CENTER
        _font(p.add_run(part), "宋体", 10.5)


def _merge(table, r1: int, c1: int, r2: int, c2: int, text: str) -> None:
    cell = table.cell(r1, c1)
    if (r1, c1) != (r2, c2):
        cell = cell.merge(table.cell(r2, c2))
    _set(cell, text)


def _table(doc, rows: int, cols: int):
    t = doc.add_table(rows=rows, cols=cols)
    t.style = "Table Grid"
    t.alignment = WD_TABLE_ALIGNMENT.CENTER
    return t


def section2(doc, s2: dict = S2) -> None:
    t = _table(doc, 14, 4)
    r = 0
    blocks = [
        ("第二十条第（一）项", ["本年制发件数", "本年废止件数", "现行有效件数"], ["规章", "行政规范性文件"]),
        ("第二十条第（五）项", ["本年处理决定数量"], ["行政许可"]),
        ("第二十条第（六）项", ["本年处理决定数量"], ["行政处罚", "行政强制"]),
        ("第二十条第（八）项", ["本年收费金额（单位：万元）"], ["行政事业性收费"]),
    ]
    for title, heads, labels in blocks:
        _merge(t, r, 0, r, 3, title)
        r += 1
        _set(t.cell(r, 0), "信息内容")
        if len(heads) == 3:
            for j, h in enumerate(heads):
                _set(t.cell(r, 1 + j), h)
        else:
            _merge(t, r, 1, r, 3, heads[0])
        r += 1
        for label in labels:
            _set(t.cell(r, 0), label)
            vals = s2[label]
            if isinstance(vals, list):
                for j, v in enumerate(vals):
                    _set(t.cell(r, 1 + j), v)
            else:
                _merge(t, r, 1, r, 3, vals)
            r += 1
    assert r == 14


def section3(doc, s3: list = S3) -> None:
    t = _table(doc, 3 + len(s3), 10)
    _merge(t, 0, 0, 2, 2, GOUJI)
    _merge(t, 0, 3, 0, 9, "申请人情况")
    _merge(t, 1, 3, 2, 3, "自然人")
    _merge(t, 1, 4, 1, 8, "法人或其他组织")
    _merge(t, 1, 9, 2, 9, "总计")
    for j, h in enumerate(["商业\n企业", "科研\n机构", "社会公益组织", "法律服务机构", "其他"]):
        _set(t.cell(2, 4 + j), h)
    first = 3
    g_rows = [first + i for i, row in enumerate(s3) if row[0] == "G"]
    _merge(t, g_rows[0], 0, g_rows[-1], 0, "三、本年度办理结果")
    subgroups: dict[str, list[int]] = {}
    for i, (g, sub, label, vals) in enumerate(s3):
        r = first + i
        if g is None:
            _merge(t, r, 0, r, 2, label)
        elif sub is None:
            _merge(t, r, 1, r, 2, label)
        else:
            subgroups.setdefault(sub, []).append(r)
            _set(t.cell(r, 2), label)
        for j, v in enumerate(vals):
            _set(t.cell(r, 3 + j), v)
    for sub, rs in subgroups.items():
        _merge(t, rs[0], 1, rs[-1], 1, sub)


def section4(doc, s4: list = S4) -> None:
    t = _table(doc, 4, 15)
    _merge(t, 0, 0, 0, 4, "行政复议")
    _merge(t, 0, 5, 0, 14, "行政诉讼")
    heads = ["结果维持", "结果\n纠正", "其他\n结果", "尚未\n审结", "总计"]
    for j, h in enumerate(heads):
        _merge(t, 1, j, 2, j, h)
    _merge(t, 1, 5, 1, 9, "未经复议直接起诉")
    _merge(t, 1, 10, 1, 14, "复议后起诉")
    for j, h in enumerate(["结果\n维持", "结果\n纠正", "其他\n结果", "尚未\n审结", "总计"] * 2):
        _set(t.cell(2, 5 + j), h)
    for j, v in enumerate(s4):
        _set(t.cell(3, j), v)


def build(title: str = TITLE, tables: tuple = (S2, S3, S4), note: str | None = None) -> Document:
    """The document: title, prose, the three tables (`printed`), and `note` under section 三's table."""
    doc = Document()
    heading = doc.add_paragraph()
    heading.alignment = WD_ALIGN_PARAGRAPH.CENTER
    _font(heading.add_run(title), "方正小标宋简体", 22)
    for level, text in INTRO:
        _para(doc, text, level)
    _para(doc, "二、主动公开政府信息情况", 1)
    section2(doc, tables[0])
    _para(doc, "三、收到和处理政府信息公开申请情况", 1)
    section3(doc, tables[1])
    if note:
        _para(doc, note, 0)
    _para(doc, "四、政府信息公开行政复议、行政诉讼情况", 1)
    section4(doc, tables[2])
    for level, text in TAIL:
        _para(doc, text, level)
    cp = doc.core_properties
    cp.author = "Administrator"
    cp.last_modified_by = "Administrator"
    cp.title = ""
    cp.subject = ""
    cp.keywords = ""
    cp.comments = ""
    cp.created = FIXED_TIME
    cp.modified = FIXED_TIME
    cp.last_printed = FIXED_TIME
    cp.revision = 1
    return doc


def deterministic_bytes(doc: Document) -> bytes:
    """python-docx stamps zip entries with the current time; rewrite them with a fixed one."""
    raw = io.BytesIO()
    doc.save(raw)
    out = io.BytesIO()
    with zipfile.ZipFile(raw) as zin, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zout:
        for info in zin.infolist():
            fixed = zipfile.ZipInfo(info.filename, date_time=ZIP_TIME)
            fixed.compress_type = zipfile.ZIP_DEFLATED
            fixed.external_attr = 0o600 << 16
            zout.writestr(fixed, zin.read(info.filename))
    return out.getvalue()


def main(argv: list[str]) -> None:
    out = Path(argv[1]) if len(argv) > 1 else DEFAULT_OUT
    out.write_bytes(deterministic_bytes(build()))
    if len(argv) == 1:
        write_expected(HERE / "docx-guodongban-2024.expected.json", expected_record(IDENTITY, NUMBERS))


if __name__ == "__main__":
    main(sys.argv)
