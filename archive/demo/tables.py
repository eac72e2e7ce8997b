"""The report format's three statistics tables as cell grids, the way the format prints them.

A table is a list of rows; a row is a list of ``Cell`` in HTML order (cells covered by an
earlier rowspan are simply absent, as in HTML). Every layout renderer (layouts.py) and the docx
writer (attachments.py) draws the same grids, so all of them show the same merged headers and
the same numbers; they differ only in how cells are dressed.

Values come from a ``show(dotted_key) -> str`` callback, so a filled report, a revised one and
the blank template of the format notice (a look-alike) share one definition. A ``|`` inside a
header label marks where Word-pasted pages break it into two paragraphs (商业|企业).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from archive.record.model import REVIEW_COLUMNS, REVIEW_GROUPS, applicant_columns

Show = Callable[[str], str]


@dataclass(frozen=True)
class Cell:
    text: str
    rowspan: int = 1
    colspan: int = 1
    value: bool = False  # a number cell (layouts dress numbers differently from labels)


Row = list[Cell]
Table = list[Row]

RULE_TEXT = "（本列数据的勾稽关系为：第一项加第二项之和，等于第三项加第四项之和）"


def _values(show: Show, prefix: str, keys: list[str] | tuple[str, ...]) -> Row:
    return [Cell(show(f"{prefix}.{k}"), value=True) for k in keys]


# --- Section 二 ------------------------------------------------------------------------------
def _block_title(text: str) -> Row:
    return [Cell(text, colspan=4)]


def active_blocks_2021(show: Show) -> list[Table]:
    """Section 二 of the 2021 format: four blocks, one per 第二十条 item (10 numbers)."""
    a = "active_disclosure"
    def one_col(label, key):
        return [Cell(label), Cell(show(f"{a}.{key}"), colspan=3, value=True)]
    return [
        [
            _block_title("第二十条第（一）项"),
            [Cell("信息内容"), Cell("本年制发件数"), Cell("本年废止件数"), Cell("现行有效件数")],
            [Cell("规章")] + _values(show, a, ("regulations_issued", "regulations_repealed", "regulations_in_force")),
            [Cell("行政规范性文件")]
            + _values(show, a, ("normative_documents_issued", "normative_documents_repealed",
                                "normative_documents_in_force")),
        ],
        [
            _block_title("第二十条第（五）项"),
            [Cell("信息内容"), Cell("本年处理决定数量", colspan=3)],
            one_col("行政许可", "licensing_decisions"),
        ],
        [
            _block_title("第二十条第（六）项"),
            [Cell("信息内容"), Cell("本年处理决定数量", colspan=3)],
            one_col("行政处罚", "penalty_decisions"),
            one_col("行政强制", "coercion_decisions"),
        ],
        [
            _block_title("第二十条第（八）项"),
            [Cell("信息内容"), Cell("本年收费金额（单位：万元）", colspan=3)],
            one_col("行政事业性收费", "fees_wan_yuan"),
        ],
    ]


def active_blocks_2019(show: Show) -> list[Table]:
    """Section 二 of the 2019 (60号) format, with its （九）项 政府集中采购 block."""
    p = "legacy_active_disclosure"
    docs = ("new_made", "new_published", "total_published")
    items = ("items_last_year", "change", "decisions")
    header3 = [Cell("信息内容"), Cell("上一年|项目数量"), Cell("本年增/减"), Cell("处理决定|数量")]
    return [
        [
            _block_title("第二十条第（一）项"),
            [Cell("信息内容"), Cell("本年新|制作数量"), Cell("本年新|公开数量"), Cell("对外公开|总数量")],
            [Cell("规章")] + _values(show, f"{p}.regulations", docs),
            [Cell("规范性文件")] + _values(show, f"{p}.normative_documents", docs),
        ],
        [
            _block_title("第二十条第（五）项"),
            header3,
            [Cell("行政许可")] + _values(show, f"{p}.licensing", items),
            [Cell("其他对外管理服务事项")] + _values(show, f"{p}.other_services", items),
        ],
        [
            _block_title("第二十条第（六）项"),
            header3,
            [Cell("行政处罚")] + _values(show, f"{p}.penalty", items),
            [Cell("行政强制")] + _values(show, f"{p}.coercion", items),
        ],
        [
            _block_title("第二十条第（八）项"),
            [Cell("信息内容"), Cell("上一年|项目数量"), Cell("本年增/减", colspan=2)],
            [Cell("行政事业性收费"), Cell(show(f"{p}.fees.items_last_year"), value=True),
             Cell(show(f"{p}.fees.change"), colspan=2, value=True)],
        ],
        [
            _block_title("第二十条第（九）项"),
            [Cell("信息内容"), Cell("采购项目数量"), Cell("采购总金额", colspan=2)],
            [Cell("政府集中采购"), Cell(show(f"{p}.procurement.projects"), value=True),
             Cell(show(f"{p}.procurement.amount"), colspan=2, value=True)],
        ],
    ]


# --- Section 三 ------------------------------------------------------------------------------
DENIED = [
    ("denied_state_secret", "1．属于国家秘密"),
    ("denied_prohibited_by_law", "2．其他法律行政法规禁止公开"),
    ("denied_three_securities_one_stability", "3．危及“三安全一稳定”"),
    ("denied_third_party_rights", "4．保护第三方合法权益"),
    ("denied_internal_affairs", "5．属于三类内部事务信息"),
    ("denied_process_information", "6．属于四类过程性信息"),
    ("denied_enforcement_files", "7．属于行政执法案卷"),
    ("denied_administrative_query", "8．属于行政查询事项"),
]
UNABLE = [
    ("unable_not_held", "1．本机关不掌握相关政府信息"),
    ("unable_needs_creation", "2．没有现成信息需要另行制作"),
    ("unable_unclear_after_correction", "3．补正后申请内容仍不明确"),
]
NOT_PROCESSED = [
    ("not_processed_petition", "1．信访举报投诉类申请"),
    ("not_processed_duplicate", "2．重复申请"),
    ("not_processed_publication", "3．要求提供公开出版物"),
    ("not_processed_excessive", "4．无正当理由大量反复申请"),
    ("not_processed_confirmation", "5．要求行政机关确认或重新出具已获取信息"),
]
OTHER_2021 = [
    ("other_no_correction", "1．申请人无正当理由逾期不补正、行政机关不再处理其政府信息公开申请"),
    ("other_no_fee", "2．申请人逾期未按收费通知要求缴纳费用、行政机关不再处理其政府信息公开申请"),
    ("other", "3．其他"),
]
PARTIAL_LABEL = "（二）部分公开（区分处理的，只计这一情形，不计其他情形）"


def requests_table(show: Show, legacy: bool = False) -> Table:
    """Section 三: the applicant × outcome matrix with its two header rows and merged groups."""
    cols = list(applicant_columns())

    def vals(key: str) -> Row:
        return _values(show, f"requests.{key}", cols)

    def group(label: str, members: list[tuple[str, str]]) -> list[Row]:
        first, *rest = members
        rows = [[Cell(label, rowspan=len(members)), Cell(first[1])] + vals(first[0])]
        return rows + [[Cell(text)] + vals(key) for key, text in rest]

    results: list[Row] = [
        [Cell("（一）予以公开", colspan=2)] + vals("granted"),
        [Cell(PARTIAL_LABEL, colspan=2)] + vals("partially_granted"),
        *group("（三）不予公开", DENIED),
        *group("（四）无法提供", UNABLE),
        *group("（五）不予处理", NOT_PROCESSED),
        *([[Cell("（六）其他处理", colspan=2)] + _values(show, "legacy_requests_other_processing", cols)]
          if legacy else group("（六）其他处理", OTHER_2021)),
        [Cell("（七）总计", colspan=2)] + vals("total_processed"),
    ]
    results[0] = [Cell("三、本年度办理结果", rowspan=len(results))] + results[0]
    return [
        [Cell(RULE_TEXT, rowspan=3, colspan=3), Cell("申请人情况", colspan=7)],
        [Cell("自然人", rowspan=2), Cell("法人或其他组织", colspan=5), Cell("总计", rowspan=2)],
        [Cell("商业|企业"), Cell("科研|机构"), Cell("社会公益|组织"), Cell("法律服务|机构"), Cell("其他")],
        [Cell("一、本年新收政府信息公开申请数量", colspan=3)] + vals("new_requests"),
        [Cell("二、上年结转政府信息公开申请数量", colspan=3)] + vals("carried_over"),
        *results,
        [Cell("四、结转下年度继续办理", colspan=3)] + vals("carried_forward"),
    ]


# --- Section 四 ------------------------------------------------------------------------------
RESULT_HEADERS = [Cell("结果|维持"), Cell("结果|纠正"), Cell("其他|结果"), Cell("尚未|审结"), Cell("总计")]


def review_table(show: Show) -> Table:
    """Section 四: 行政复议 and the two 行政诉讼 groups, 15 numbers in one data row."""
    spanned = [Cell(c.text, rowspan=2) for c in RESULT_HEADERS]
    values: Row = []
    for group in REVIEW_GROUPS:
        values += _values(show, f"review_litigation.{group}", REVIEW_COLUMNS)
    return [
        [Cell("行政复议", colspan=5), Cell("行政诉讼", colspan=10)],
        spanned + [Cell("未经复议直接起诉", colspan=5), Cell("复议后起诉", colspan=5)],
        RESULT_HEADERS + RESULT_HEADERS,
        values,
    ]


def grid_positions(table: Table) -> list[tuple[int, int, Cell]]:
    """(row, column, cell) of every cell, resolving rowspans as an HTML table does."""
    taken: set[tuple[int, int]] = set()
    out = []
    for r, row in enumerate(table):
        c = 0
        for cell in row:
            while (r, c) in taken:
                c += 1
            out.append((r, c, cell))
            for dr in range(cell.rowspan):
                for dc in range(cell.colspan):
                    taken.add((r + dr, c + dc))
            c += cell.colspan
    return out


def width(table: Table) -> int:
    return max(c + cell.colspan for _, c, cell in grid_positions(table))
