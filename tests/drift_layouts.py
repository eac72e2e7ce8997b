"""Reports whose section 三 labels drift from their numbers, generated from a seed.

Each document is one report with numbers from tests/files/fixture_numbers.py (dense: every
cell non-zero and distinct; sparse: mostly zeros, as real reports are), printed the way
PDF-to-text, PDF-to-markdown and PDF-to-HTML converters print tables: a row's label on its
own line before or after its numbers, on the same line, split around them, garbled or missing;
column-header fragments (商业企 / 业, 其他, 总计) and page footers among the rows; rows printed
blank (zeros, so text shows only the label); rows whose zero cells are printed blank (text
cannot tell which cell is which: such a row is unreadable); `|---|` rules and `Col1…` headers
mid-table. `render(seed, …)` returns the document and the numbers put in.
"""

from __future__ import annotations

import random
import sys
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).parent / "files"))
from fixture_numbers import COLUMNS, REQUEST_ROWS, RESULT_ROWS, report_numbers  # noqa: E402

APPLICANTS = COLUMNS[:6]
TOP_ROWS = ("new_requests", "carried_over", "total_processed", "carried_forward")
LABELS = {
    "new_requests": "一、本年新收政府信息公开申请数量",
    "carried_over": "二、上年结转政府信息公开申请数量",
    "granted": "（一）予以公开",
    "partially_granted": "（二）部分公开（区分处理的，只计这一情形，不计其他情形）",
    "denied_state_secret": "1.属于国家秘密",
    "denied_prohibited_by_law": "2.其他法律行政法规禁止公开",
    "denied_three_securities_one_stability": "3.危及“三安全一稳定”",
    "denied_third_party_rights": "4.保护第三方合法权益",
    "denied_internal_affairs": "5.属于三类内部事务信息",
    "denied_process_information": "6.属于四类过程性信息",
    "denied_enforcement_files": "7.属于行政执法案卷",
    "denied_administrative_query": "8.属于行政查询事项",
    "unable_not_held": "1.本机关不掌握相关政府信息",
    "unable_needs_creation": "2.没有现成信息需要另行制作",
    "unable_unclear_after_correction": "3.补正后申请内容仍不明确",
    "not_processed_petition": "1.信访举报投诉类申请",
    "not_processed_duplicate": "2.重复申请",
    "not_processed_publication": "3.要求提供公开出版物",
    "not_processed_excessive": "4.无正当理由大量反复申请",
    "not_processed_confirmation": "5.要求行政机关确认或重新出具已获取信息",
    "other_no_correction": "1.申请人无正当理由逾期不补正、行政机关不再处理其政府信息公开申请",
    "other_no_fee": "2.申请人逾期未按收费通知要求缴纳费用、行政机关不再处理其政府信息公开申请",
    "other": "3.其他",
    "total_processed": "（七）总计",
    "carried_forward": "四、结转下年度继续办理",
}
SINGLE_OTHER_LABEL = "（六）其他处理"
GROUPS = {
    "granted": "三、本年度办理结果",
    "denied_state_secret": "（三）不予公开",
    "unable_not_held": "（四）无法提供",
    "not_processed_petition": "（五）不予处理",
    "other_no_correction": "（六）其他处理",
}
FRAGMENTS = ("商业企 科研机 社会公益 法律服务", "其他", "业 构 组织 机构", "自然人 总计", "- 4 -", "— 5 —")
REVIEW = [(g, c) for g in ("review", "litigation_direct", "litigation_after_review")
          for c in ("upheld", "corrected", "other", "pending", "total")]
LAYOUTS = ("text", "markdown", "html")


def _garble(label: str, rnd: random.Random) -> str:
    """OCR-like damage: three characters replaced (numbering kept)."""
    chars = list(label)
    for _ in range(3):
        i = rnd.randrange(len(chars))
        if chars[i] not in "（）.、0123456789一二三四七":
            chars[i] = rnd.choice("口日曰囗亻丶乂")
    return "".join(chars)


def _sparse(numbers: dict[str, Any], rnd: random.Random) -> None:
    """Mostly zeros, the arithmetic kept."""
    req = numbers["requests"]
    rows = [r for r in RESULT_ROWS if req[r]["natural_person"] is not None]
    for row in rows:
        values = [req[row][c] if rnd.random() < 0.15 else 0 for c in APPLICANTS]
        req[row] = {**dict(zip(APPLICANTS, values)), "total": sum(values)}
    processed = [sum(req[r][c] for r in rows) for c in APPLICANTS]
    over = [rnd.choice([0, 0, 1, 2]) for _ in APPLICANTS]
    forward = [rnd.choice([0, 0, 1]) for _ in APPLICANTS]
    if any(p + f - o < 0 for p, f, o in zip(processed, forward, over)):
        over = [0] * 6
    for key, values in (("total_processed", processed), ("carried_over", over), ("carried_forward", forward),
                        ("new_requests", [p + f - o for p, f, o in zip(processed, forward, over)])):
        req[key] = {**dict(zip(APPLICANTS, values)), "total": sum(values)}


def render(seed: int, *, single_other: bool, dense: bool, layout: str) -> tuple[str, dict[str, Any], set[str]]:
    """One document, the numbers put in, and the rows whose numbers the document does not show
    as a row of 7 (printed blank, or with blank cells that text cannot place): null is right there."""
    rnd = random.Random(f"{seed}-{single_other}-{dense}-{layout}")
    blank_rows = tuple(r for r in RESULT_ROWS if rnd.random() < 0.04
                       and not (single_other and r in ("other_no_correction", "other_no_fee")))
    numbers = report_numbers(3 + seed % 40, 1.5, single_other=single_other, blank=blank_rows)
    if not dense:
        _sparse(numbers, rnd)
    blank_cells = not dense and layout != "html" and rnd.random() < 0.3
    req = numbers["requests"]
    style = rnd.choice(["mixed", "after", "before", "same"])
    unshown: set[str] = set(blank_rows)
    table: list[tuple[str, list[str]]] = []  # (label, numbers) per printed line
    if rnd.random() < 0.5:
        table += [(f, []) for f in FRAGMENTS[:4]]
    for row in (r for r in REQUEST_ROWS if req[r]["natural_person"] is not None):
        single = single_other and row == "other"
        label: str | None = SINGLE_OTHER_LABEL if single else LABELS[row]
        if row in GROUPS and not single and rnd.random() < 0.5:
            table.append((GROUPS[row], []))
        cells = [str(req[row][c]) for c in COLUMNS]
        if row in blank_rows:
            table.append((label, []))
            continue
        if blank_cells:
            cells = [v for v in cells if v != "0"]
            if len(cells) < 7:
                unshown.add(row)
        pick = rnd.random()
        if pick < 0.12:
            label = _garble(label, rnd)
        elif pick < 0.17:
            label = None
        side = style if style != "mixed" else rnd.choice(["after", "before", "same", "split"])
        if label is None:
            table.append(("", cells))
        elif side == "after":
            table += [("", cells), (label, [])]
        elif side == "before":
            table += [(label, []), ("", cells)]
        elif side == "same":
            table.append((label, cells))
        else:
            cut = max(2, len(label) // 2)
            table += [(label[:cut], []), ("", cells), (label[cut:], [])]
        if rnd.random() < 0.1:
            table.append((rnd.choice(FRAGMENTS), []))
    head = [
        "某县某局2024年政府信息公开工作年度报告", "一、总体情况",
        f"本年度共收到政府信息公开申请{req['new_requests']['total']}件。" if rnd.random() < 0.5 else "全年工作有序开展。",
        "二、主动公开政府信息情况", "第二十条第（一）项", "信息内容 本年制发件数 本年废止件数 现行有效件数",
        "规章 1 2 3", "行政规范性文件 4 5 6", "三、收到和处理政府信息公开申请情况",
        "（本列数据的勾稽关系为：第一项加第二项之和，", "等于第三项加第四项之和）",
    ]
    review = [str(numbers["review_litigation"][g][c]) for g, c in REVIEW]
    tail = ["四、政府信息公开行政复议、行政诉讼情况", "行政复议 行政诉讼", " ".join(review), "五、存在的主要问题及改进情况", "无。"]
    if layout == "html":
        return _html(head, table, review), numbers, unshown
    if layout == "markdown":
        lines = []
        for label, cells in table:
            if label in ("- 4 -", "— 5 —"):
                lines.append(f"|{label}||||||||||" if rnd.random() < 0.5 else f"\n{label}\n")
                continue
            lines.append(f"|||{label}|" + "|".join(cells) + "|" * (8 - len(cells)))
            if rnd.random() < 0.08:
                lines.append("|---|---|---|---|---|---|---|---|---|---|")
                if rnd.random() < 0.5:
                    lines.append("|Col1|Col2|Col3|Col4|Col5|Col6|Col7|Col8|Col9|Col10|")
        return "\n".join(head + lines + tail), numbers, unshown
    lines = [" ".join([label, *cells]).strip() for label, cells in table]
    return "\n".join(head + lines + tail), numbers, unshown


def _html(head: list[str], table: list[tuple[str, list[str]]], review: list[str]) -> str:
    """A PDF-to-HTML table: one <tr> per printed line, a label row's number cells empty."""
    rows = "".join(
        f"<tr><td>{label}</td>" + "".join(f"<td>{c}</td>" for c in cells + [""] * (7 - len(cells))) + "</tr>"
        for label, cells in table if label not in ("- 4 -", "— 5 —")
    )
    return (
        f"<html><head><meta charset='utf-8'><title>{head[0]}</title></head><body><h1>{head[0]}</h1>"
        + "".join(f"<p>{line}</p>" for line in head[1:-3])
        + f"<p>{head[-3]}</p><table><tr><td>{head[-2]}{head[-1]}</td><td>申请人情况</td></tr>{rows}</table>"
        + "<p>四、政府信息公开行政复议、行政诉讼情况</p><table><tr><td>行政复议</td><td>行政诉讼</td></tr>"
        + "<tr><td>结果维持</td></tr><tr>" + "".join(f"<td>{v}</td>" for v in review) + "</tr></table>"
        + "<p>五、存在的主要问题及改进情况</p></body></html>"
    )
