"""Figures a report states in its own words: 收到政府信息公开申请12件，上年结转2件 …

Section 一 (总体情况) usually restates the tables' main totals in prose, and some reports state
their figures of section 二 there too. record/checks.py compares each figure read here with the
tables (`prose.<dotted key>` checks): a report that contradicts itself, or a table read wrong,
shows up. So a figure is read only when the record key it speaks of is unambiguous; a sentence
that could mean something else is ignored, never guessed at:

- a figure of another year: 2023年收到申请10件 in a report on 2024, 上年收到…, 去年…;
- a comparison or a share: 同比增长12件, 较上年减少3件, 占比12%;
- an approximate figure or a range: 约/近/超过/逾 N件, N余件, N件左右, 10-20件;
- a figure of several rows at once: 予以公开及部分公开8件, 被申请行政复议和提起行政诉讼3件;
- a figure of a wider scope than the report's own tables: 全市各级行政机关共收到…, 各部门…;
- a figure that includes another: 收到申请12件（含上年结转2件）;
- reviews and lawsuits not said to be about disclosure (全年办理行政复议案件120件: a 司法局's
  caseload): a 行政复议 / 行政诉讼 figure counts only after 公开 in its sentence;
- a figure with no key in the record: 主动公开政府信息Z条 (the format counts no such thing),
  信息处理费 (the fee for answering requests; section 二's 行政事业性收费 is another figure).

行政诉讼N件 counts both lawsuit groups of section 四 (未经复议直接起诉 + 复议后起诉): its key is
`review_litigation.litigation.total`, which record/checks.py compares with their sum.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from .labels import fold_traditional
from .numbers import MONEY_UNITS, normalize

LITIGATION_TOTAL = "review_litigation.litigation.total"  # both lawsuit groups (see above)

_NUM = r"(?P<num>\d+(?:,\d{3})*(?:\.\d+)?)"
_FILL = r"(?:共计|总计|合计|累计|共|为|达|有)?"  # words between a label and its number
_COUNT = r"(?:件|起|宗)"
_DOCS = r"(?:件|份|个|部)"
_MONEY = r"(?P<unit>亿元|万元|千元|元)"
_KINDS = r"(?:政府信息公开|信息公开|依申请公开)"


def _p(key: str, pattern: str) -> tuple[str, re.Pattern[str]]:
    return key, re.compile(pattern)


# key → the label and number of a statement of it (normalized text: NFKC, no spaces).
_STATEMENTS = [
    _p("requests.new_requests.total",
       rf"(?:收到|受理|新收|接收|接到)了?(?:各类)?的?{_KINDS}的?(?:申请)?(?:数量|事项)?{_FILL}{_NUM}件"),
    _p("requests.carried_over.total", rf"上(?:一)?年度?结转的?(?:{_KINDS})?(?:申请)?{_FILL}{_NUM}件"),
    _p("requests.carried_forward.total",
       rf"结转(?:至|到)?下(?:一)?年度?(?:继续)?(?:办理)?的?(?:{_KINDS})?(?:申请)?{_FILL}{_NUM}件"),
    # 按时办结 / 按期办结 may be a part of the requests answered: not the total
    _p("requests.total_processed.total", rf"(?<![时期])(?:已|全部)?办结(?:{_KINDS})?(?:申请)?{_FILL}{_NUM}件"),
    _p("requests.granted.total", rf"(?<!主动)予以公开的?(?:申请)?{_FILL}{_NUM}件"),
    _p("requests.partially_granted.total", rf"部分公开的?(?:申请)?{_FILL}{_NUM}件"),
    _p("review_litigation.review.total", rf"行政复议(?:案件|申请)?{_FILL}{_NUM}{_COUNT}"),
    _p(LITIGATION_TOTAL, rf"行政诉讼(?:案件)?{_FILL}{_NUM}{_COUNT}"),
    _p("active_disclosure.fees_wan_yuan", rf"行政事业性收费的?(?:收费)?(?:金额|总额|总金额)?{_FILL}{_NUM}{_MONEY}"),
    # rules and normative documents issued, repealed, in force (section 二's first table)
    *(_p(f"active_disclosure.{kind}_{state}", rf"{verb}{noun}{_FILL}{_NUM}{_DOCS}")
      for kind, noun in (("regulations", "(?:政府)?规章"), ("normative_documents", "(?:行政)?规范性文件"))
      for state, verb in (("issued", "(?:制发|制定|出台|印发)了?"), ("repealed", "废止了?"), ("in_force", "现行有效的?"))),
    # licensing, penalty and coercion decisions
    *(_p(f"active_disclosure.{kind}_decisions", rf"行政{word}(?:处理)?决定{_FILL}{_NUM}件")
      for kind, word in (("licensing", "许可"), ("penalty", "处罚"), ("coercion", "强制"))),
]
# "No request was received" states 0 as plainly as a number does.
_NONE_RECEIVED = re.compile(rf"(?:未|没有)(?:收到|受理|接到)(?:任何)?{_KINDS}的?申请")

_SENTENCE_END = re.compile(r"[。！？!?]")
_HEADING_LENGTH = 20
_PUNCTUATION = re.compile(r"[，。；！？,;!?]")
_CLAUSE_MARK = "，,；;：:（()）"
_YEAR = re.compile(r"((?:19|20)\d{2})年")
_OTHER_YEAR = re.compile(r"上一?年|去年|前年|上年度|前一年")
_COMPARISON = re.compile(r"同比|环比|相比|对比|较上|较去|比上|比去|增长|下降|增加|减少|上升|增幅|降幅|持平|百分点|%|倍")
_WIDER_SCOPE = re.compile(r"各级|各部门|各单位|各乡镇|各街道|各镇|各区县|各县区|所属|下属|系统内|全系统")
# 予以公开及|部分公开8件: one number for two rows (but 复议2件、提起|行政诉讼4件 are two figures)
_JOINED = re.compile(r"(?:^|[^件起宗份个部元])(?:及(?!时)|和|与|、|或)\D{0,8}$")
_APPROX_BEFORE = re.compile(r"(?:约|近|超过|逾|多达|不到|不足|将近|大约|\d[-~—至到])$")
_APPROX_AFTER = re.compile(r"^(?:左右|以上|以下|上下|之多|多|余)")
_INCLUDES = re.compile(r"^[(（]?(?:含|包括|包含|其中包括)")


@dataclass(frozen=True)
class Stated:
    """One figure a sentence states: its record key, its value in the record's unit (fees in
    万元), how far from it a tabled value may be and still agree (half the last digit stated:
    a fee of 172.8万元 agrees with 172.78), and the sentence as printed."""

    key: str
    value: int | float
    sentence: str
    tolerance: float = 0.0


def stated_figures(sections: dict[str, str] | str | None, year: int | None) -> list[Stated]:
    """Every unambiguous figure the report's prose states (its sections 一, 五, 六, or a text),
    in reading order. `year` is the year reported on: figures of other years are not read."""
    texts = sections.values() if isinstance(sections, dict) else [sections or ""]
    found = []
    for text in texts:
        for raw in _sentences(text or ""):
            sentence = fold_traditional(normalize(raw))
            if sentence:
                found += _read_sentence(sentence, " ".join(raw.split()), year)
    return found


def _sentences(text: str) -> list[str]:
    """Sentences, with the lines of one sentence joined (a PDF breaks sentences, and the year
    they speak of, over lines); a short line without punctuation is a heading of its own."""
    paragraphs, current = [], []
    for line in text.splitlines():
        if len(line.strip()) <= _HEADING_LENGTH and not _PUNCTUATION.search(line):
            paragraphs += ["".join(current), line]
            current = []
        else:
            current.append(line.strip())
    paragraphs.append("".join(current))
    return [s for p in paragraphs for s in _SENTENCE_END.split(p) if s.strip()]


def _read_sentence(sentence: str, printed: str, year: int | None) -> list[Stated]:
    found = []
    for key, pattern in _STATEMENTS:
        for m in pattern.finditer(sentence):
            if not _unambiguous(sentence, m.start(), m.start("num"), m.end(), year):
                continue
            if key.startswith("review_litigation.") and "公开" not in sentence[: m.start()]:
                continue  # reviews and lawsuits of any kind (a 司法局's caseload), not about disclosure
            value, tolerance = _value(m.group("num"), m.groupdict().get("unit"))
            found.append(Stated(key, value, printed, tolerance))
    for m in _NONE_RECEIVED.finditer(sentence):
        if _unambiguous(sentence, m.start(), m.end(), m.end(), year):
            found.append(Stated("requests.new_requests.total", 0, printed))
    return found


def _clause_start(sentence: str, at: int) -> int:
    return max(sentence.rfind(mark, 0, at) for mark in _CLAUSE_MARK) + 1


def _clause_end(sentence: str, at: int) -> int:
    ends = [i for i in (sentence.find(mark, at) for mark in _CLAUSE_MARK) if i >= 0]
    return min(ends) if ends else len(sentence)


def _unambiguous(sentence: str, start: int, number: int, end: int, year: int | None) -> bool:
    """Whether the statement at sentence[start:end] (its number at `number`) speaks of this
    report's own figure, for this year, exactly."""
    clause_start = _clause_start(sentence, start)
    lead, clause = sentence[clause_start:start], sentence[clause_start:_clause_end(sentence, end)]
    years = _YEAR.findall(sentence[:start])
    if years and (year is None or int(years[-1]) != year):
        return False  # the last year named before the figure is another year
    if _OTHER_YEAR.search(lead) or _COMPARISON.search(clause) or _JOINED.search(lead):
        return False
    if _WIDER_SCOPE.search(sentence[: start]):
        return False
    if _APPROX_BEFORE.search(sentence[:number]) or _APPROX_AFTER.match(sentence[end:]):
        return False
    return not _INCLUDES.match(sentence[end:])


def _value(number: str, unit: str | None) -> tuple[int | float, float]:
    text = number.replace(",", "")
    decimals = len(text.split(".")[1]) if "." in text else 0
    if unit is None:
        return (int(text) if not decimals else float(text)), 0.0
    factor = MONEY_UNITS[unit] / MONEY_UNITS["万元"]
    value = round(float(text) * factor, 6)
    return value, 0.5 * 10 ** -decimals * factor
