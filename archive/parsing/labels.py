"""The one label table: normalized Chinese labels → record keys.

Every reader (HTML grid, text, PDF, DOCX) hands rows of label cells to tables.py, which asks
this module what a label means. Patterns match on normalized text (NFKC, no spaces), so
full-width brackets, stray spaces inside words and 1./1． numbering all look the same. They
are written to be loose where real reports vary (typos such as 只计这一情况 or 三类内容事务
信息) and specific where rows could be confused (其他 under （六） vs 其他法律行政法规).
"""

from __future__ import annotations

import re
from functools import lru_cache

from .numbers import normalize

# Traditional characters → the simplified ones the patterns below are written in, so a report
# printed in traditional characters (a Big5 page, a portal's 繁體 version) reads like any other.
# Drawn from OpenCC's TSCharacters table for every character this package's patterns use.
_TRADITIONAL = (
    "佈係個傢億內別動務區厤問單噹國圖埰執報寀實審對屬廢強彆後復徵捲掃採擊據數於旂時曆會東査條業構標機權歷"
    "決沒況減測瀏獲現當發確祕穩穫箇範糾納組結統經維編縣總織繫繳繼續纍罰職與舉菓萬處號補製複覈見規覽計訟訪"
    "設許訴評詢認說説請議護讀負責費購踰輯轉辦這過錶鏈閉開間閤閱閲關隻韆頁預題額類體髮點齣"
)
_SIMPLIFIED = (
    "布系个家亿内别动务区历问单当国图采执报采实审对属废强别后复征卷扫采击据数于旗时历会东查条业构标机权历"
    "决没况减测浏获现当发确秘稳获个范纠纳组结统经维编县总织系缴继续累罚职与举果万处号补制复核见规览计讼访"
    "设许诉评询认说说请议护读负责费购逾辑转办这过表链闭开间合阅阅关只千页预题额类体发点出"
)
_LABEL_FOLD = str.maketrans("〔〕【】“”‘’" + _TRADITIONAL, "[][]\"\"''" + _SIMPLIFIED)


def fold_traditional(text: str) -> str:
    """Traditional characters of the format's vocabulary as their simplified forms (only for
    matching: the record keeps the text as printed)."""
    return text.translate(_LABEL_FOLD)


@lru_cache(maxsize=8192)
def norm_label(text: str) -> str:
    """Label text as patterns see it: NFKC, no whitespace, 〔〕【】 as brackets, traditional
    characters as simplified."""
    return normalize(text).translate(_LABEL_FOLD)


# --- Section 三: rows of the applicant matrix --------------------------------------------
# (row key, pattern); the first pattern that matches the *end* of a label run wins, so the
# most specific come first.
REQUEST_ROWS: list[tuple[str, re.Pattern[str]]] = [
    (key, re.compile(pattern))
    for key, pattern in [
        ("new_requests", r"本年(度)?新收"),
        ("carried_over", r"上年(度)?结转"),
        ("carried_forward", r"结转下(一)?年度?|结转下年"),
        ("partially_granted", r"部分公开"),
        ("granted", r"予以公开"),
        ("denied_state_secret", r"国家秘密"),
        ("denied_prohibited_by_law", r"法律行政法规禁止|法律、行政法规禁止|禁止公开"),
        ("denied_three_securities_one_stability", r"三安全|一稳定"),
        ("denied_third_party_rights", r"第三方"),
        ("denied_internal_affairs", r"三类内[部容]|内部事务"),
        ("denied_process_information", r"过程性"),
        ("denied_enforcement_files", r"执法案卷"),
        ("denied_administrative_query", r"行政查询"),
        ("unable_not_held", r"不掌握"),
        ("unable_needs_creation", r"另行制作|没有现成"),
        ("unable_unclear_after_correction", r"仍不明确|补正后"),
        ("not_processed_petition", r"信访|举报投诉"),
        ("not_processed_duplicate", r"重复申请"),
        ("not_processed_publication", r"出版物"),
        ("not_processed_excessive", r"大量反复|反复申请"),
        ("not_processed_confirmation", r"确认或重新出|重新出具"),
        ("other_no_correction", r"逾期不补正|不补正"),
        ("other_no_fee", r"收费通知|缴纳费用"),
        ("total_processed", r"\(七\)总计|^七?总计$|\(七\)合计"),
        ("other", r"^(\d+[.、]|\(\d+\))?其他(情形|情况)?$"),
    ]
]

# Group headings inside section 三 (they carry context for rows such as "3.其他").
REQUEST_GROUPS = {
    "results": re.compile(r"本年度?办理?结果"),
    "denied": re.compile(r"\(三\)不予公开"),
    "unable": re.compile(r"\(四\)无法提供"),
    "not_processed": re.compile(r"\(五\)不予处理"),
    "other_processing": re.compile(r"\(六\)其他处理"),
}

# Column headers of the applicant matrix, in order (used to recognise the header, not to
# place values: section 三 values are always the last seven cells of a row).
APPLICANT_HEADER = re.compile(r"申请人情况|自然人")


def _last_match(cells: list[str], table: list[tuple[str, re.Pattern[str]]]) -> str | None:
    """Key of the row label nearest the values: cells are read from the last one back, and
    inside a cell the match that ends last wins (a run such as 三、本年度办理结果 / （一）予以公开
    means 予以公开)."""
    for cell in reversed(cells):
        best: tuple[str, int] | None = None
        for key, pattern in table:
            for m in pattern.finditer(cell):
                if best is None or m.end() > best[1]:
                    best = (key, m.end())
        if best:
            return best[0]
    return None


def match_request_row(cells: list[str]) -> str | None:
    """Section 三 row key of a run of normalized label cells; a label split over two cells
    (PDF text wraps long labels) is tried joined."""
    return _last_match(cells, REQUEST_ROWS) or (_last_match(["".join(cells[-3:])], REQUEST_ROWS) if len(cells) > 1 else None)


_PROSE = re.compile(r"[。；;]|\d+(件|条|项|次|个)")


def is_prose(cell: str) -> bool:
    """A sentence of the report's text rather than a table cell (table cues ignore prose)."""
    return len(cell) > 60 or bool(_PROSE.search(cell))


def is_single_other_processing(cells: list[str]) -> bool:
    """The 2019 format's one-row （六）其他处理 (no sub-row label after it)."""
    return bool(cells) and bool(REQUEST_GROUPS["other_processing"].search(cells[-1]))


# The rows of section 三 in the format's order (2021: （六）其他处理 has three sub-rows). The
# 2019 layout, which many 2021-format reports kept, prints （六） as one row: "other_processing".
SUB_OTHER_ROWS = ("other_no_correction", "other_no_fee", "other")
REQUEST_ORDER = (
    "new_requests", "carried_over", "granted", "partially_granted",
    "denied_state_secret", "denied_prohibited_by_law", "denied_three_securities_one_stability",
    "denied_third_party_rights", "denied_internal_affairs", "denied_process_information",
    "denied_enforcement_files", "denied_administrative_query",
    "unable_not_held", "unable_needs_creation", "unable_unclear_after_correction",
    "not_processed_petition", "not_processed_duplicate", "not_processed_publication",
    "not_processed_excessive", "not_processed_confirmation",
    *SUB_OTHER_ROWS, "total_processed", "carried_forward",
)
REQUEST_ORDER_SINGLE_OTHER = tuple(
    k for k in REQUEST_ORDER[: REQUEST_ORDER.index("other_no_correction")]
) + ("other_processing", "total_processed", "carried_forward")

# The prose total of section 一: 共收到政府信息公开申请56件, 全市共受理…申请 3119 件.
PROSE_NEW_REQUESTS = re.compile(r"(收到|受理|新收)[^。；;，,]{0,16}?申请(共计|共|总计|合计)?(\d+)件")


# --- Section 二: rows of the 第二十条 blocks -----------------------------------------------
ACTIVE_ROWS: list[tuple[str, re.Pattern[str]]] = [
    ("normative_documents", re.compile(r"规范性文件")),
    ("regulations", re.compile(r"规章")),
    ("licensing", re.compile(r"行政许可")),
    ("other_services", re.compile(r"其他对外管理服务")),
    ("penalty", re.compile(r"行政处罚")),
    ("coercion", re.compile(r"行政强制")),
    ("fees", re.compile(r"行政事业性收费|事业性收费")),
    ("procurement", re.compile(r"政府集中采购|集中采购")),
    ("other_documents", re.compile(r"其他主动公开")),
]

# 2021-format keys per row, in column order.
ACTIVE_2021 = {
    "regulations": ("regulations_issued", "regulations_repealed", "regulations_in_force"),
    "normative_documents": (
        "normative_documents_issued",
        "normative_documents_repealed",
        "normative_documents_in_force",
    ),
    "licensing": ("licensing_decisions",),
    "penalty": ("penalty_decisions",),
    "coercion": ("coercion_decisions",),
    "fees": ("fees_wan_yuan",),
}

# 2019 (60号) section 二 columns per row, kept under record["legacy"]["active_disclosure"].
ACTIVE_2019 = {
    "regulations": ("new_made", "new_published", "total_published"),
    "normative_documents": ("new_made", "new_published", "total_published"),
    "other_documents": ("new_made", "new_published", "total_published"),
    "licensing": ("items_last_year", "change", "decisions"),
    "other_services": ("items_last_year", "change", "decisions"),
    "penalty": ("items_last_year", "change", "decisions"),
    "coercion": ("items_last_year", "change", "decisions"),
    "fees": ("items_last_year", "change"),
    "procurement": ("projects", "amount"),
}


def match_active_row(cells: list[str]) -> str | None:
    """Section 二 row of a run of normalized label cells; a label wrapped over two cells
    ('行政规范性' / '文件') is tried joined."""
    return _last_match(cells, ACTIVE_ROWS) or (_last_match(["".join(cells[-2:])], ACTIVE_ROWS) if len(cells) > 1 else None)


# The rows of each 第二十条 block of section 二, in the format's order, and how many numbers
# each row holds. 2019: Hubei adds 其他主动公开文件 to block (一).
ACTIVE_BLOCK = re.compile(r"第二十条第\(([一五六八九])\)项")
ACTIVE_BLOCKS = {
    "2021": {
        "一": (("regulations", "normative_documents"), 3),
        "五": (("licensing",), 1),
        "六": (("penalty", "coercion"), 1),
        "八": (("fees",), 1),
    },
    "2019": {
        "一": (("regulations", "normative_documents", "other_documents"), 3),
        "五": (("licensing", "other_services"), 3),
        "六": (("penalty", "coercion"), 3),
        "八": (("fees",), 2),
        "九": (("procurement",), 2),
    },
}


# --- Section headings and table headers ------------------------------------------------------
SECTION_HEADINGS: list[tuple[str, re.Pattern[str]]] = [
    ("一", re.compile(r"^[一1][、.．]?总体情况|^一[、.．]概述")),
    ("二", re.compile(r"^[二2][、.．]?主动公开政府信息情况")),
    ("三", re.compile(r"^[三3][、.．]?(行政机关)?收到和处理政府信息公开申请")),
    ("四", re.compile(r"^[四4][、.．]?.{0,12}(行政复议|复议).{0,6}(行政诉讼|诉讼)")),
    ("五", re.compile(r"^[五5][、.．]?.{0,12}存在的?主要问题")),
    ("六", re.compile(r"^[六6][、.．]?其他需要报告的事项")),
]


@lru_cache(maxsize=8192)
def section_heading(label: str) -> str | None:
    """Which of the six sections a heading line opens, if it is one."""
    text = norm_label(label).lstrip("#").lstrip("*")
    if len(text) > 60:
        return None
    for section, pattern in SECTION_HEADINGS:
        if pattern.search(text):
            return section
    return None


# Cues inside tables that say which section's table this is.
TABLE_CUES = {
    "二": re.compile(r"第二十条第|^信息内容$|本年制发件数|本年新制作数量"),
    "三": re.compile(r"申请人情况|勾稽关系|本年新收"),
    "四": re.compile(r"结果维持|未经复议|复议后起诉"),
}

# Format markers.
FORMAT_2021_CUES = re.compile(r"本年制发件数|本年废止件数|现行有效件数|本年收费金额")
FORMAT_2019_CUES = re.compile(r"本年新制作数量|本年新公开数量|对外公开总数量|上一年项目数量|第二十条第\(九\)项")
OLD_FORMAT_CUES = re.compile(r"统计指标|计量单位|历年累计|否决公开|收费及减免|需要说明的事项与附表")
