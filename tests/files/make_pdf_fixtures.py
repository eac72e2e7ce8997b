"""Build the PDF fixtures of the PDFium reader, with numbers we choose.

- `pdf-predefined-cjk-font-2024.pdf` is written by hand, object by object, the way iText and
  other report generators write Chinese without embedding a font: a Type0 font with
  /Encoding /UniGB-UCS2-H over the CIDFontType0 STSong-Light (one of the Adobe fonts every
  reader knows), each character's code its UCS-2 code, and a ToUnicode CMap that maps every
  code to itself. PDFium reads it right; pdfminer (and so pdfplumber) looks the ToUnicode map
  up by CID instead of by code and reads unrelated characters (tests/test_pdf_text_layer.py
  checks both). A whole report, ruled tables and all, deterministic to the byte.
- `pdf-garbled-text-layer.pdf` is the same report whose ToUnicode map sends every code to an
  unrelated one (Hangul, Latin letters): the page shows the report, the text layer is garbage,
  and the reader must read it as no text rather than as numbers.
- `pdf-borderless-label-around-numbers.pdf` and `pdf-single-other-processing-row.pdf` are
  printed from HTML by headless Chromium (`chromium` and `fonts-wqy-zenhei` must be installed;
  the PDF bytes carry Chromium's dates, so a rebuild is a new file with the same content):
  a borderless section 三 whose narrow label column wraps each label over up to five lines with
  the numbers in the middle (two lines of label above them and two below), and a 2021-format
  report (ruled tables) whose section 三 still prints the 2019 layout's single （六）其他处理 row.

Each fixture's expected record is written from the numbers put in
(`fixture_numbers.report_numbers`), never from what the parser reads.

    python tests/files/make_pdf_fixtures.py [--only NAME]
"""

from __future__ import annotations

import html
import subprocess
import sys
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from fixture_numbers import (
    COLUMNS,
    LEGACY_OTHER,
    REVIEW_COLUMNS,
    REVIEW_GROUPS,
    expected_record,
    report_numbers,
    write_expected,
)

HERE = Path(__file__).resolve().parent
CHROMIUM = "/usr/bin/chromium"
CLEAN = ["read as 0", "not found", "no statistics tables", "garbled"]

# --- the report's words ------------------------------------------------------------------

REQUEST_LABELS = {
    "new_requests": "一、本年新收政府信息公开申请数量",
    "carried_over": "二、上年结转政府信息公开申请数量",
    "granted": "（一）予以公开",
    "partially_granted": "（二）部分公开（区分处理的，只计这一情形，不计其他情形）",
    "denied_state_secret": "1．属于国家秘密",
    "denied_prohibited_by_law": "2．其他法律行政法规禁止公开",
    "denied_three_securities_one_stability": "3．危及“三安全一稳定”",
    "denied_third_party_rights": "4．保护第三方合法权益",
    "denied_internal_affairs": "5．属于三类内部事务信息",
    "denied_process_information": "6．属于四类过程性信息",
    "denied_enforcement_files": "7．属于行政执法案卷",
    "denied_administrative_query": "8．属于行政查询事项",
    "unable_not_held": "1．本机关不掌握相关政府信息",
    "unable_needs_creation": "2．没有现成信息需要另行制作",
    "unable_unclear_after_correction": "3．补正后申请内容仍不明确",
    "not_processed_petition": "1．信访举报投诉类申请",
    "not_processed_duplicate": "2．重复申请",
    "not_processed_publication": "3．要求提供公开出版物",
    "not_processed_excessive": "4．无正当理由大量反复申请",
    "not_processed_confirmation": "5．要求行政机关确认或重新出具已获取信息",
    "other_no_correction": "1．申请人无正当理由逾期不补正、行政机关不再处理其政府信息公开申请",
    "other_no_fee": "2．申请人逾期未按收费通知要求缴纳费用、行政机关不再处理其政府信息公开申请",
    "other": "3．其他",
    "total_processed": "（七）总计",
    "carried_forward": "四、结转下年度继续办理",
}
# (group label, its rows) of 三、本年度办理结果; a group of one row is the row itself
RESULT_GROUPS = [
    (None, ["granted"]),
    (None, ["partially_granted"]),
    ("（三）不予公开", ["denied_state_secret", "denied_prohibited_by_law", "denied_three_securities_one_stability",
                   "denied_third_party_rights", "denied_internal_affairs", "denied_process_information",
                   "denied_enforcement_files", "denied_administrative_query"]),
    ("（四）无法提供", ["unable_not_held", "unable_needs_creation", "unable_unclear_after_correction"]),
    ("（五）不予处理", ["not_processed_petition", "not_processed_duplicate", "not_processed_publication",
                   "not_processed_excessive", "not_processed_confirmation"]),
    ("（六）其他处理", ["other_no_correction", "other_no_fee", "other"]),
    (None, ["total_processed"]),
]
RULE = "（本列数据的勾稽关系为：第一项加第二项之和，等于第三项加第四项之和）"
APPLICANT_HEADERS = ["商业企业", "科研机构", "社会公益组织", "法律服务机构", "其他"]
REVIEW_HEADERS = ["结果维持", "结果纠正", "其他结果", "尚未审结", "总计"]
ACTIVE_BLOCKS = [
    ("第二十条第（一）项", ["本年制发件数", "本年废止件数", "现行有效件数"],
     [("规章", ["regulations_issued", "regulations_repealed", "regulations_in_force"]),
      ("行政规范性文件", ["normative_documents_issued", "normative_documents_repealed",
                   "normative_documents_in_force"])]),
    ("第二十条第（五）项", ["本年处理决定数量"], [("行政许可", ["licensing_decisions"])]),
    ("第二十条第（六）项", ["本年处理决定数量"], [("行政处罚", ["penalty_decisions"]),
                                      ("行政强制", ["coercion_decisions"])]),
    ("第二十条第（八）项", ["本年收费金额（单位：万元）"], [("行政事业性收费", ["fees_wan_yuan"])]),
]


def prose(agency: str, year: int) -> dict[str, list[str]]:
    return {
        "opening": [
            f"本报告根据《中华人民共和国政府信息公开条例》（以下简称《条例》）和国务院办公厅政府信息与政务公开办公室"
            f"有关要求编制。报告所列数据的统计期限自{year}年1月1日至{year}年12月31日。本报告电子版可在本机关门户网站"
            "“政府信息公开”专栏查阅或下载。",
        ],
        "一": [
            f"{year}年，{agency}坚持以习近平新时代中国特色社会主义思想为指导，认真贯彻落实《条例》，"
            "围绕中心工作持续深化政务公开，不断提升政府信息公开质量和实效。",
            "（一）主动公开。全年通过门户网站主动公开政府信息，及时发布规范性文件、重点领域信息和政策解读材料。",
            "（二）依申请公开。严格按照法定程序和时限办理政府信息公开申请，规范答复格式，做到依法依规、便民高效。",
            "（三）政府信息管理。健全公开前保密审查机制，动态更新政府信息公开指南和目录。",
            "（四）平台建设。优化门户网站栏目设置，推进政务新媒体规范运行。",
            "（五）监督保障。将政务公开纳入年度绩效考核，开展业务培训，全年未发生责任追究情况。",
        ],
        "五": [
            "存在的主要问题：政策解读形式较为单一，部分栏目更新不够及时。改进情况：丰富图解、视频等解读形式，"
            "建立栏目更新提醒机制，确保信息发布及时准确。",
        ],
        "六": [
            "本机关本年度未收取信息处理费。本年度无其他需要报告的事项。",
        ],
    }


HEADINGS = {
    "一": "一、总体情况",
    "二": "二、主动公开政府信息情况",
    "三": "三、收到和处理政府信息公开申请情况",
    "四": "四、政府信息公开行政复议、行政诉讼情况",
    "五": "五、存在的主要问题及改进情况",
    "六": "六、其他需要报告的事项",
}


def number_text(value: Any) -> str:
    return repr(value) if isinstance(value, float) else str(value)


# --- a PDF written by hand: STSong-Light with UniGB-UCS2-H ---------------------------------

PAGE_W, PAGE_H, MARGIN = 595.0, 842.0, 40.0


def char_width(ch: str) -> float:
    """Advance in em: STSong-Light's half-width CIDs 1–95 for ASCII, full width for the rest."""
    return 0.5 if " " <= ch <= "~" else 1.0


def text_width(text: str, size: float) -> float:
    return sum(char_width(c) for c in text) * size


def wrap(text: str, size: float, width: float) -> list[str]:
    lines, line = [], ""
    for ch in text:
        if line and text_width(line + ch, size) > width:
            lines.append(line)
            line = ""
        line += ch
    return [*lines, line] if line else lines or [""]


@dataclass
class Page:
    ops: list[str] = field(default_factory=list)

    def text(self, x: float, top: float, text: str, size: float) -> None:
        """`text` with its top-left corner at (x, top), top measured from the page's top."""
        baseline = PAGE_H - top - size * 0.88
        codes = text.encode("utf-16-be").hex().upper()
        self.ops.append(f"BT /F1 {size:g} Tf {x:.2f} {baseline:.2f} Td <{codes}> Tj ET")

    def box(self, x: float, top: float, w: float, h: float) -> None:
        self.ops.append(f"{x:.2f} {PAGE_H - top - h:.2f} {w:.2f} {h:.2f} re S")


@dataclass
class Cell:
    row: int
    col: int
    text: str
    rowspan: int = 1
    colspan: int = 1
    align: str = "left"


def draw_table(page: Page, top: float, widths: list[float], cells: list[Cell], size: float) -> float:
    """A ruled table (every cell boxed, spans as larger boxes), text wrapped and centred
    vertically; returns the table's bottom."""
    leading, pad = size * 1.25, 2.5
    rows = max(c.row + c.rowspan for c in cells)
    xs = [MARGIN]
    for w in widths:
        xs.append(xs[-1] + w)
    heights = [size + 2 * pad] * rows
    wrapped = {}
    for c in cells:
        w = xs[c.col + c.colspan] - xs[c.col] - 2 * pad
        wrapped[id(c)] = wrap(c.text, size, w)
    for c in sorted(cells, key=lambda c: c.rowspan):
        need = len(wrapped[id(c)]) * leading + 2 * pad
        have = sum(heights[c.row : c.row + c.rowspan])
        if need > have:
            heights[c.row + c.rowspan - 1] += need - have
    ys = [top]
    for h in heights:
        ys.append(ys[-1] + h)
    page.ops.append("0.6 w")
    for c in cells:
        x0, x1, y0, y1 = xs[c.col], xs[c.col + c.colspan], ys[c.row], ys[c.row + c.rowspan]
        page.box(x0, y0, x1 - x0, y1 - y0)
        lines = wrapped[id(c)]
        y = y0 + (y1 - y0 - len(lines) * leading) / 2 + (leading - size) / 2
        for line in lines:
            w = text_width(line, size)
            x = x0 + pad if c.align == "left" else (x0 + x1 - w) / 2
            page.text(x, y, line, size)
            y += leading
    return ys[-1]


def paragraphs(page: Page, top: float, texts: list[str], size: float, indent: bool = True) -> float:
    width = PAGE_W - 2 * MARGIN
    for text in texts:
        for line in wrap(("　　" if indent else "") + text, size, width):
            page.text(MARGIN, top, line, size)
            top += size * 1.6
    return top


def active_cells(numbers: dict[str, Any]) -> list[Cell]:
    cells, r = [], 0
    for title, headers, rows in ACTIVE_BLOCKS:
        cells.append(Cell(r, 0, title, colspan=4, align="center"))
        cells.append(Cell(r + 1, 0, "信息内容", align="center"))
        span = 3 // len(headers)
        for i, header in enumerate(headers):
            cells.append(Cell(r + 1, 1 + i * span, header, colspan=span, align="center"))
        for j, (label, keys) in enumerate(rows):
            cells.append(Cell(r + 2 + j, 0, label))
            for i, key in enumerate(keys):
                value = numbers["active_disclosure"][key]
                cells.append(Cell(r + 2 + j, 1 + i * span, number_text(value), colspan=span, align="center"))
        r += 2 + len(rows)
    return cells


def request_cells(numbers: dict[str, Any], single_other: bool = False) -> list[Cell]:
    """Section 三 as the national Word template merges it: label columns A (三、本年度办理结果),
    B (the groups) and C (the rows), then the seven applicant columns."""
    requests = numbers["requests"]
    cells = [
        Cell(0, 0, RULE, rowspan=3, colspan=3, align="center"),
        Cell(0, 3, "申请人情况", colspan=7, align="center"),
        Cell(1, 3, "自然人", rowspan=2, align="center"),
        Cell(1, 4, "法人或其他组织", colspan=5, align="center"),
        Cell(1, 9, "总计", rowspan=2, align="center"),
    ]
    cells += [Cell(2, 4 + i, h, align="center") for i, h in enumerate(APPLICANT_HEADERS)]

    def values(r: int, row: dict[str, Any]) -> None:
        cells.extend(Cell(r, 3 + j, number_text(row[c]), align="center") for j, c in enumerate(COLUMNS))

    r = 3
    for key in ("new_requests", "carried_over"):
        cells.append(Cell(r, 0, REQUEST_LABELS[key], colspan=3))
        values(r, requests[key])
        r += 1
    first = r
    for group, keys in RESULT_GROUPS:
        if group == "（六）其他处理" and single_other:
            cells.append(Cell(r, 1, group, colspan=2))
            values(r, numbers[LEGACY_OTHER])
            r += 1
            continue
        if group is None:
            cells.append(Cell(r, 1, REQUEST_LABELS[keys[0]], colspan=2))
            values(r, requests[keys[0]])
            r += 1
            continue
        cells.append(Cell(r, 1, group, rowspan=len(keys), align="center"))
        for key in keys:
            cells.append(Cell(r, 2, REQUEST_LABELS[key]))
            values(r, requests[key])
            r += 1
    cells.append(Cell(first, 0, "三、本年度办理结果", rowspan=r - first, align="center"))
    cells.append(Cell(r, 0, REQUEST_LABELS["carried_forward"], colspan=3))
    values(r, requests["carried_forward"])
    return cells


def review_cells(numbers: dict[str, Any]) -> list[Cell]:
    cells = [
        Cell(0, 0, "行政复议", rowspan=2, colspan=5, align="center"),
        Cell(0, 5, "行政诉讼", colspan=10, align="center"),
        Cell(1, 5, "未经复议直接起诉", colspan=5, align="center"),
        Cell(1, 10, "复议后起诉", colspan=5, align="center"),
    ]
    for g, group in enumerate(REVIEW_GROUPS):
        for c, column in enumerate(REVIEW_COLUMNS):
            cells.append(Cell(2, g * 5 + c, REVIEW_HEADERS[c], align="center"))
            cells.append(Cell(3, g * 5 + c, number_text(numbers["review_litigation"][group][column]), align="center"))
    return cells


def report_pages(numbers: dict[str, Any], title: str, agency: str, year: int, signed: str) -> list[Page]:
    words = prose(agency, year)
    width = PAGE_W - 2 * MARGIN
    first, second, third = Page(), Page(), Page()
    top = 50.0
    for line in wrap(title, 16, width):
        first.text((PAGE_W - text_width(line, 16)) / 2, top, line, 16)
        top += 26
    top = paragraphs(first, top + 6, words["opening"], 10.5)
    first.text(MARGIN, top + 4, HEADINGS["一"], 12)
    top = paragraphs(first, top + 24, words["一"], 10.5)
    first.text(MARGIN, top + 4, HEADINGS["二"], 12)
    draw_table(first, top + 24, [175, 113, 113, 114], active_cells(numbers), 9)

    second.text(MARGIN, 50, HEADINGS["三"], 12)
    draw_table(second, 72, [40, 62, 161] + [36] * 7, request_cells(numbers), 8)

    third.text(MARGIN, 50, HEADINGS["四"], 12)
    top = draw_table(third, 72, [width / 15] * 15, review_cells(numbers), 7.5)
    third.text(MARGIN, top + 20, HEADINGS["五"], 12)
    top = paragraphs(third, top + 40, words["五"], 10.5)
    third.text(MARGIN, top + 4, HEADINGS["六"], 12)
    top = paragraphs(third, top + 24, words["六"], 10.5)
    for line in (agency, signed):
        third.text(PAGE_W - MARGIN - text_width(line, 10.5), top + 24, line, 10.5)
        top += 18
    return [first, second, third]


def to_unicode(shift: dict[int, int] | None) -> bytes:
    """A ToUnicode CMap over two-byte codes: every code to itself (bfrange per high byte, the
    way a UCS-2 writer maps its codes), or through `shift` (high byte → high byte of the
    character written instead) for a garbled layer."""
    ranges = []
    for high in range(256):
        if 0xD8 <= high <= 0xDF:
            continue  # surrogates are no characters
        target = (shift or {}).get(high, high)
        ranges.append(f"<{high:02X}00> <{high:02X}FF> <{target:02X}00>")
    body = [
        "/CIDInit /ProcSet findresource begin",
        "12 dict begin",
        "begincmap",
        "/CIDSystemInfo << /Registry (Adobe) /Ordering (UCS) /Supplement 0 >> def",
        "/CMapName /Adobe-Identity-UCS def",
        "/CMapType 2 def",
        "1 begincodespacerange",
        "<0000> <FFFF>",
        "endcodespacerange",
    ]
    for start in range(0, len(ranges), 100):
        chunk = ranges[start : start + 100]
        body += [f"{len(chunk)} beginbfrange", *chunk, "endbfrange"]
    body += ["endcmap", "CMapName currentdict /CMap defineresource pop", "end", "end"]
    return "\n".join(body).encode("ascii")


def write_pdf(pages: list[Page], title: str | None, shift: dict[int, int] | None = None, rotate: int = 0) -> bytes:
    """The PDF: catalog, pages, one Type0 font (STSong-Light, UniGB-UCS2-H, ToUnicode), no
    compression (so the fixture reads as what it is), a correct xref; deterministic. With
    `rotate` (90, 180 or 270) each page is stored turned a quarter (a landscape MediaBox, content
    drawn turned; 180: upside down) and /Rotate turns it back: it displays as the same page."""
    objects: list[bytes] = []

    def add(body: bytes) -> int:
        objects.append(body)
        return len(objects)

    def stream(data: bytes) -> bytes:
        return b"<< /Length %d >>\nstream\n" % len(data) + data + b"\nendstream"

    catalog = add(b"")
    tree = add(b"")
    descriptor = add(
        b"<< /Type /FontDescriptor /FontName /STSong-Light /Flags 6 /FontBBox [-25 -254 1000 880] "
        b"/ItalicAngle 0 /Ascent 880 /Descent -120 /CapHeight 880 /StemV 93 >>"
    )
    cid_font = add(
        b"<< /Type /Font /Subtype /CIDFontType0 /BaseFont /STSong-Light "
        b"/CIDSystemInfo << /Registry (Adobe) /Ordering (GB1) /Supplement 4 >> "
        b"/FontDescriptor %d 0 R /DW 1000 /W [1 95 500] >>" % descriptor
    )
    cmap = add(stream(to_unicode(shift)))
    font = add(
        b"<< /Type /Font /Subtype /Type0 /BaseFont /STSong-Light-UniGB-UCS2-H /Encoding /UniGB-UCS2-H "
        b"/DescendantFonts [%d 0 R] /ToUnicode %d 0 R >>" % (cid_font, cmap)
    )
    kids = []
    turn = {0: "", 90: f"0 1 -1 0 {PAGE_H:g} 0 cm", 180: f"-1 0 0 -1 {PAGE_W:g} {PAGE_H:g} cm",
            270: f"0 -1 1 0 0 {PAGE_W:g} cm"}[rotate]
    box = (PAGE_H, PAGE_W) if rotate in (90, 270) else (PAGE_W, PAGE_H)
    for page in pages:
        ops = [f"q {turn}", *page.ops, "Q"] if turn else page.ops
        content = add(stream("\n".join(ops).encode("ascii")))
        kids.append(add(
            b"<< /Type /Page /Parent %d 0 R /MediaBox [0 0 %g %g]%s /Resources << /Font << /F1 %d 0 R >> >> "
            b"/Contents %d 0 R >>" % (tree, box[0], box[1], b" /Rotate %d" % rotate if rotate else b"", font, content)
        ))
    info = b""
    if title is not None:
        info_id = add(b"<< /Title <FEFF%s> /Producer (govreports make_pdf_fixtures.py) >>"
                      % title.encode("utf-16-be").hex().upper().encode())
        info = b" /Info %d 0 R" % info_id
    objects[catalog - 1] = b"<< /Type /Catalog /Pages %d 0 R >>" % tree
    objects[tree - 1] = b"<< /Type /Pages /Kids [%s] /Count %d >>" % (
        b" ".join(b"%d 0 R" % k for k in kids), len(kids))
    out = bytearray(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<< /Size %d /Root %d 0 R%s >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, catalog, info, xref)
    return bytes(out)


# Garbled: Chinese to Hangul and beyond (0x4E–0x9F → 0xAC–0xFD), ASCII and punctuation to Latin
# letters and symbols that no report prints.
GARBLE = {high: 0xAC + (high - 0x4E) for high in range(0x4E, 0xA0)} | {0x00: 0x01, 0x30: 0x05, 0xFF: 0x04, 0x20: 0x02}


def build_cjk_font(name: str, k: int, fee: float, garbled: bool = False) -> None:
    numbers = report_numbers(k, fee)
    agency, year = "白沙县交通运输局", 2024
    title = f"{agency}{year}年政府信息公开工作年度报告"
    pages = report_pages(numbers, title, agency, year, "2025年1月16日")
    (HERE / f"{name}.pdf").write_bytes(write_pdf(pages, None if garbled else title, GARBLE if garbled else None))
    if garbled:
        # the garbled layer is read as no text; the pages are read by OCR, whose numbers stand only
        # where the arithmetic confirms them (stretch: the others stay null, never wrong)
        identity = {"source": f"{name}.pdf", "title": title, "agency": agency, "year": year, "format": "2021",
                    "published": None, "stretch": True, "warnings_include": ["text layer is garbled", "read by OCR"]}
    else:
        identity = {"source": f"{name}.pdf", "title": title, "agency": agency, "year": year, "format": "2021",
                    "published": None, "warnings_exclude": CLEAN}
    write_expected(HERE / f"{name}.expected.json", expected_record(identity, numbers))


def _nulls(tree: Any) -> Any:
    return {k: _nulls(v) for k, v in tree.items()} if isinstance(tree, dict) else None


# --- PDFs printed from HTML by headless Chromium --------------------------------------------

PAGE_CSS = """
@page { size: A4; margin: 18mm 16mm; }
body { font-family: "WenQuanYi Zen Hei", sans-serif; font-size: 10.5pt; line-height: 1.5; }
h1 { font-size: 16pt; text-align: center; font-weight: normal; margin: 0 0 10pt; }
h2 { font-size: 12pt; font-weight: normal; margin: 10pt 0 4pt; }
p { margin: 0 0 3pt; text-indent: 2em; }
p.sign { text-align: right; text-indent: 0; margin: 0; }
table { border-collapse: collapse; width: 100%; margin: 4pt 0; }
td { text-align: center; vertical-align: middle; }
td.label { text-align: left; }
"""
RULED_CSS = "td { border: 0.75pt solid #000; padding: 2pt 3pt; font-size: 9pt; line-height: 1.3; }"
# No ruling lines; a label column six characters wide, no padding between rows: every long label
# wraps around its numbers, two lines above them and two below (vertical-align: middle).
BORDERLESS_CSS = """
td { border: none; padding: 0 2pt; font-size: 9pt; line-height: 1.25; }
table.requests td.group { width: 2.2em; }
table.requests td.sub { width: 4.4em; }
table.requests td.label { width: 6.2em; }
"""


def _td(text: Any, cls: str = "", rowspan: int = 1, colspan: int = 1) -> str:
    attrs = (f' class="{cls}"' if cls else "") + (f" rowspan={rowspan}" if rowspan > 1 else "") + (
        f" colspan={colspan}" if colspan > 1 else "")
    return f"<td{attrs}>{html.escape(str(text))}</td>"


def active_html(numbers: dict[str, Any]) -> str:
    rows = []
    for title, headers, items in ACTIVE_BLOCKS:
        span = 3 // len(headers)
        rows.append("<tr>" + _td(title, colspan=4) + "</tr>")
        rows.append("<tr>" + _td("信息内容") + "".join(_td(h, colspan=span) for h in headers) + "</tr>")
        for label, keys in items:
            cells = "".join(_td(number_text(numbers["active_disclosure"][k]), colspan=span) for k in keys)
            rows.append("<tr>" + _td(label, "label") + cells + "</tr>")
    return "<table>" + "".join(rows) + "</table>"


def requests_html(numbers: dict[str, Any], single_other: bool = False) -> str:
    """Section 三 merged as the national Word template merges it (see request_cells)."""
    requests = numbers["requests"]

    def values(row: dict[str, Any]) -> str:
        return "".join(_td(number_text(row[c])) for c in COLUMNS)

    rows = [
        "<tr>" + _td(RULE, rowspan=3, colspan=3) + _td("申请人情况", colspan=7) + "</tr>",
        "<tr>" + _td("自然人", rowspan=2) + _td("法人或其他组织", colspan=5) + _td("总计", rowspan=2) + "</tr>",
        "<tr>" + "".join(_td(h) for h in APPLICANT_HEADERS) + "</tr>",
    ]
    for key in ("new_requests", "carried_over"):
        rows.append("<tr>" + _td(REQUEST_LABELS[key], "label", colspan=3) + values(requests[key]) + "</tr>")
    result_rows = sum(1 if (g == "（六）其他处理" and single_other) else len(k) for g, k in RESULT_GROUPS)
    first = True
    for group, keys in RESULT_GROUPS:
        lead = _td("三、本年度办理结果", "group", rowspan=result_rows) if first else ""
        first = False
        if group is None or (group == "（六）其他处理" and single_other):
            label = group or REQUEST_LABELS[keys[0]]
            row = numbers[LEGACY_OTHER] if group else requests[keys[0]]
            rows.append("<tr>" + lead + _td(label, "label", colspan=2) + values(row) + "</tr>")
            continue
        for i, key in enumerate(keys):
            head = lead + _td(group, "sub", rowspan=len(keys)) if i == 0 else ""
            rows.append("<tr>" + head + _td(REQUEST_LABELS[key], "label") + values(requests[key]) + "</tr>")
    rows.append("<tr>" + _td(REQUEST_LABELS["carried_forward"], "label", colspan=3)
                + values(requests["carried_forward"]) + "</tr>")
    return '<table class="requests">' + "".join(rows) + "</table>"


def review_html(numbers: dict[str, Any]) -> str:
    review = numbers["review_litigation"]
    rows = [
        "<tr>" + _td("行政复议", rowspan=2, colspan=5) + _td("行政诉讼", colspan=10) + "</tr>",
        "<tr>" + _td("未经复议直接起诉", colspan=5) + _td("复议后起诉", colspan=5) + "</tr>",
        "<tr>" + "".join(_td(h) for h in REVIEW_HEADERS * 3) + "</tr>",
        "<tr>" + "".join(_td(number_text(review[g][c])) for g in REVIEW_GROUPS for c in REVIEW_COLUMNS) + "</tr>",
    ]
    return "<table>" + "".join(rows) + "</table>"


def report_html(numbers: dict[str, Any], title: str, agency: str, year: int, signed: str, css: str,
                single_other: bool = False) -> str:
    words = prose(agency, year)

    def paras(key: str) -> str:
        return "".join(f"<p>{html.escape(t)}</p>" for t in words[key])

    body = [
        f"<h1>{html.escape(title)}</h1>", paras("opening"),
        f"<h2>{HEADINGS['一']}</h2>", paras("一"),
        f"<h2>{HEADINGS['二']}</h2>", active_html(numbers),
        f"<h2>{HEADINGS['三']}</h2>", requests_html(numbers, single_other),
        f"<h2>{HEADINGS['四']}</h2>", review_html(numbers),
        f"<h2>{HEADINGS['五']}</h2>", paras("五"),
        f"<h2>{HEADINGS['六']}</h2>", paras("六"),
        f'<p class="sign">{html.escape(agency)}</p><p class="sign">{html.escape(signed)}</p>',
    ]
    return (f'<!DOCTYPE html><html lang="zh-CN"><head><meta charset="utf-8"><title>{html.escape(title)}</title>'
            f"<style>{PAGE_CSS}{css}</style></head><body>{''.join(body)}</body></html>")


def print_pdf(page: str, out: Path) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        source = Path(tmp) / "report.html"
        source.write_text(page, encoding="utf-8")
        subprocess.run(
            [CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", "--no-pdf-header-footer",
             f"--user-data-dir={tmp}/profile", f"--print-to-pdf={out}", source.as_uri()],
            check=True, capture_output=True, timeout=120,
        )


def build_borderless(name: str, k: int, fee: float) -> None:
    numbers = report_numbers(k, fee)
    agency, year = "青石镇人民政府", 2024
    title = f"{agency}{year}年政府信息公开工作年度报告"
    print_pdf(report_html(numbers, title, agency, year, "2025年1月20日", BORDERLESS_CSS), HERE / f"{name}.pdf")
    identity = {"source": f"{name}.pdf", "title": title, "agency": agency, "year": year, "format": "2021",
                "published": None, "warnings_exclude": CLEAN}
    write_expected(HERE / f"{name}.expected.json", expected_record(identity, numbers))


def build_single_other(name: str, k: int, fee: float) -> None:
    """A 2021-format report whose section 三 prints the 2019 layout's one （六）其他处理 row: the
    record takes that row as requests.other (the three sub-rows' sum is all it says), and
    leaves the two sub-rows it does not print null."""
    numbers = report_numbers(k, fee)  # section 二 and 四 in the 2021 format
    legacy = report_numbers(k, fee, legacy=True)  # section 三 with its one （六） row
    agency, year = "东湖区市场监督管理局", 2022
    title = f"{agency}{year}年政府信息公开工作年度报告"
    page = report_html({**numbers, "requests": legacy["requests"], LEGACY_OTHER: legacy[LEGACY_OTHER]},
                       title, agency, year, "2023年1月18日", RULED_CSS, single_other=True)
    print_pdf(page, HERE / f"{name}.pdf")
    requests = legacy["requests"]
    requests["other"] = legacy[LEGACY_OTHER]
    identity = {"source": f"{name}.pdf", "title": title, "agency": agency, "year": year, "format": "2021",
                "published": None, "warnings_exclude": ["read as 0", "no statistics tables", "garbled"]}
    write_expected(HERE / f"{name}.expected.json", expected_record(identity, {**numbers, "requests": requests}))


def main() -> None:
    only = sys.argv[sys.argv.index("--only") + 1] if "--only" in sys.argv else None
    builders = {
        "pdf-predefined-cjk-font-2024": lambda n: build_cjk_font(n, 41, 3.1416),
        "pdf-garbled-text-layer": lambda n: build_cjk_font(n, 43, 2.7183, garbled=True),
        "pdf-borderless-label-around-numbers": lambda n: build_borderless(n, 45, 0.618),
        "pdf-single-other-processing-row": lambda n: build_single_other(n, 47, 1.4142),
    }
    for name, build in builders.items():
        if only in (None, name):
            build(name)


if __name__ == "__main__":
    main()
