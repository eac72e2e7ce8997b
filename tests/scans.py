"""Scanned reports for the OCR tests, drawn here (no binary copies of anyone's documents).

`scan_image(numbers)` draws a report's title and its section 三 and 四 tables in the national
format's layout (`scan_pages` a whole report: section 一 in words and section 二 on a first page) with the numbers given (tests/files/fixture_numbers.py), on an A4 page at
150 dpi in WenQuanYi Zen Hei (fonts-wqy-zenhei), then degrades it as a scanner does: a slight
turn, blur, noise and JPEG compression. `smudge` names record keys whose cells are scribbled
over (unreadable). `as_pdf` wraps images in an image-only PDF. Deterministic for given inputs.
"""

from __future__ import annotations

import io
import random
from typing import Any

from PIL import Image, ImageDraw, ImageFilter, ImageFont

FONT = "/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc"
DPI = 150
PAGE = (1240, 1754)  # A4 at 150 dpi
APPLICANTS = ("natural_person", "commercial_enterprise", "research_institution", "social_welfare_org",
              "legal_service_org", "other_org", "total")
# (label, record row or None for a group row), as the national format prints section 三
SECTION_3 = [
    ("一、本年新收政府信息公开申请数量", "new_requests"),
    ("二、上年结转政府信息公开申请数量", "carried_over"),
    ("三、本年度办理结果", None),
    ("（一）予以公开", "granted"),
    ("（二）部分公开（区分处理的，只计这一情形，不计其他情形）", "partially_granted"),
    ("（三）不予公开", None),
    ("1.属于国家秘密", "denied_state_secret"),
    ("2.其他法律行政法规禁止公开", "denied_prohibited_by_law"),
    ("3.危及“三安全一稳定”", "denied_three_securities_one_stability"),
    ("4.保护第三方合法权益", "denied_third_party_rights"),
    ("5.属于三类内部事务信息", "denied_internal_affairs"),
    ("6.属于四类过程性信息", "denied_process_information"),
    ("7.属于行政执法案卷", "denied_enforcement_files"),
    ("8.属于行政查询事项", "denied_administrative_query"),
    ("（四）无法提供", None),
    ("1.本机关不掌握相关政府信息", "unable_not_held"),
    ("2.没有现成信息需要另行制作", "unable_needs_creation"),
    ("3.补正后申请内容仍不明确", "unable_unclear_after_correction"),
    ("（五）不予处理", None),
    ("1.信访举报投诉类申请", "not_processed_petition"),
    ("2.重复申请", "not_processed_duplicate"),
    ("3.要求提供公开出版物", "not_processed_publication"),
    ("4.无正当理由大量反复申请", "not_processed_excessive"),
    ("5.要求行政机关确认或重新出具已获取信息", "not_processed_confirmation"),
    ("（六）其他处理", None),
    ("1.申请人无正当理由逾期不补正、行政机关不再处理其政府信息公开申请", "other_no_correction"),
    ("2.申请人逾期未按收费通知要求缴纳费用、行政机关不再处理其政府信息公开申请", "other_no_fee"),
    ("3.其他", "other"),
    ("（七）总计", "total_processed"),
    ("四、结转下年度继续办理", "carried_forward"),
]
REVIEW = ("review", "litigation_direct", "litigation_after_review")
REVIEW_COLUMNS = ("upheld", "corrected", "other", "pending", "total")
LEFT, LABEL_WIDTH, ROW = 22, 560, 34


def _font(size: int) -> ImageFont.FreeTypeFont:
    return ImageFont.truetype(FONT, size)


def _centred(draw: ImageDraw.ImageDraw, box: tuple[int, int, int, int], text: str, size: int) -> None:
    font = _font(size)
    while size > 8 and draw.textlength(text, font=font) > box[2] - box[0] - 6:
        size -= 1
        font = _font(size)
    x = (box[0] + box[2] - draw.textlength(text, font=font)) / 2
    draw.text((x, (box[1] + box[3]) / 2), text, font=font, fill=0, anchor="lm")
    draw.rectangle(box, outline=0, width=1)


def scan_pages(numbers: dict[str, Any], title: str, prose: str, smudge: tuple[str, ...] = (), seed: int = 1,
               angle: float = 0.4) -> list[Image.Image]:
    """A whole report on two scanned pages: the title, section 一 in words (`prose`) and section
    二's tables on the first; sections 三 and 四 on the second."""
    page = Image.new("L", PAGE, 255)
    draw = ImageDraw.Draw(page)
    draw.text((PAGE[0] / 2, 70), title, font=_font(30), fill=0, anchor="mm")
    draw.text((LEFT, 120), "一、总体情况", font=_font(22), fill=0)
    y, per_line = 160, (PAGE[0] - 2 * LEFT) // 21
    for start in range(0, len(prose), per_line):
        draw.text((LEFT, y), prose[start:start + per_line], font=_font(20), fill=0)
        y += 34
    draw.text((LEFT, y + 16), "二、主动公开政府信息情况", font=_font(22), fill=0)
    _, cells = draw_section_2(draw, numbers, y + 56)
    _smudge(draw, cells, tuple(k for k in smudge if k in cells), seed)
    return [degrade(page, seed, angle), scan_image(numbers, None, tuple(k for k in smudge if k not in cells), seed + 1,
                                                   angle)]


def scan_image(numbers: dict[str, Any], title: str | None, smudge: tuple[str, ...] = (), seed: int = 1,
               angle: float = 0.4) -> Image.Image:
    """One scanned page: the title (unless None) and the section 三 and 四 tables."""
    page = Image.new("L", PAGE, 255)
    draw = ImageDraw.Draw(page)
    if title:
        draw.text((PAGE[0] / 2, 70), title, font=_font(30), fill=0, anchor="mm")
    draw.text((LEFT, 120), "三、收到和处理政府信息公开申请情况", font=_font(22), fill=0)
    y, cells = draw_section_3(draw, numbers, 160)
    y += 30
    draw.text((LEFT, y), "四、政府信息公开行政复议、行政诉讼情况", font=_font(22), fill=0)
    _, more = draw_section_4(draw, numbers, y + 40)
    cells.update(more)
    _smudge(draw, cells, smudge, seed)
    return degrade(page, seed, angle)


def _smudge(draw: ImageDraw.ImageDraw, cells: dict[str, tuple[int, int, int, int]], keys: tuple[str, ...],
            seed: int) -> None:
    rng = random.Random(seed)
    for key in keys:  # scribbled over: strokes across the digits, then a grey blot
        x0, y0, x1, y1 = cells[key]
        for _ in range(14):
            draw.line((rng.randint(x0 + 4, x1 - 4), rng.randint(y0 + 4, y1 - 4),
                       rng.randint(x0 + 4, x1 - 4), rng.randint(y0 + 4, y1 - 4)), fill=40, width=3)
        draw.ellipse((x0 + 8, y0 + 6, x1 - 8, y1 - 6), fill=90)


def draw_section_3(draw: ImageDraw.ImageDraw, numbers: dict[str, Any], top: int) -> tuple[int, dict]:
    """Section 三's table in the national layout from `top`: (the y below it, cell boxes by key)."""
    column = (PAGE[0] - 2 * LEFT - LABEL_WIDTH) // 7
    xs = [LEFT + LABEL_WIDTH + i * column for i in range(8)]
    _centred(draw, (LEFT, top, xs[0], top + 3 * ROW), "（本列数据的勾稽关系为：第一项加第二项之和，等于第三项加第四项之和）", 14)
    _centred(draw, (xs[0], top, xs[7], top + ROW), "申请人情况", 16)
    _centred(draw, (xs[0], top + ROW, xs[1], top + 3 * ROW), "自然人", 15)
    _centred(draw, (xs[1], top + ROW, xs[6], top + 2 * ROW), "法人或其他组织", 15)
    _centred(draw, (xs[6], top + ROW, xs[7], top + 3 * ROW), "总计", 15)
    for i, word in enumerate(("商业企业", "科研机构", "社会公益组织", "法律服务机构", "其他")):
        _centred(draw, (xs[1 + i], top + 2 * ROW, xs[2 + i], top + 3 * ROW), word, 14)
    cells: dict[str, tuple[int, int, int, int]] = {}
    y = top + 3 * ROW
    for label, row in SECTION_3:
        if row is None:
            _centred(draw, (LEFT, y, xs[7], y + ROW), label, 18)
        else:
            _centred(draw, (LEFT, y, xs[0], y + ROW), label, 18)
            for i, col in enumerate(APPLICANTS):
                box = (xs[i], y, xs[i + 1], y + ROW)
                _centred(draw, box, str(numbers["requests"][row][col]), 18)
                cells[f"requests.{row}.{col}"] = box
        y += ROW
    return y, cells


def draw_section_4(draw: ImageDraw.ImageDraw, numbers: dict[str, Any], top: int) -> tuple[int, dict]:
    """Section 四's table (3 groups × 5 columns) from `top`."""
    y = top
    width = (PAGE[0] - 2 * LEFT) // 15
    xs = [LEFT + i * width for i in range(16)]
    _centred(draw, (xs[0], y, xs[5], y + ROW), "行政复议", 16)
    _centred(draw, (xs[5], y, xs[15], y + ROW), "行政诉讼", 16)
    _centred(draw, (xs[5], y + ROW, xs[10], y + 2 * ROW), "未经复议直接起诉", 15)
    _centred(draw, (xs[10], y + ROW, xs[15], y + 2 * ROW), "复议后起诉", 15)
    y += 2 * ROW
    cells: dict[str, tuple[int, int, int, int]] = {}
    for g, group in enumerate(REVIEW):
        for c, (col, word) in enumerate(zip(REVIEW_COLUMNS, ("结果维持", "结果纠正", "其他结果", "尚未审结", "总计"))):
            i = 5 * g + c
            _centred(draw, (xs[i], y, xs[i + 1], y + ROW), word, 14)
            box = (xs[i], y + ROW, xs[i + 1], y + 2 * ROW)
            _centred(draw, box, str(numbers["review_litigation"][group][col]), 18)
            cells[f"review_litigation.{group}.{col}"] = box
    return y + 2 * ROW, cells


# Section 二 as the national format prints it: four small tables (第二十条第（一）（五）（六）（八）项).
SECTION_2 = [
    ("第二十条第（一）项", ("本年制发件数", "本年废止件数", "现行有效件数"),
     [("规章", ("regulations_issued", "regulations_repealed", "regulations_in_force")),
      ("行政规范性文件", ("normative_documents_issued", "normative_documents_repealed", "normative_documents_in_force"))]),
    ("第二十条第（五）项", ("本年处理决定数量",), [("行政许可", ("licensing_decisions",))]),
    ("第二十条第（六）项", ("本年处理决定数量",), [("行政处罚", ("penalty_decisions",)), ("行政强制", ("coercion_decisions",))]),
    ("第二十条第（八）项", ("本年收费金额（单位：万元）",), [("行政事业性收费", ("fees_wan_yuan",))]),
]


def draw_section_2(draw: ImageDraw.ImageDraw, numbers: dict[str, Any], top: int) -> tuple[int, dict]:
    """Section 二's four small tables from `top`."""
    y = top
    cells: dict[str, tuple[int, int, int, int]] = {}
    right = PAGE[0] - LEFT
    for heading, columns, rows in SECTION_2:
        _centred(draw, (LEFT, y, right, y + ROW), heading, 16)
        y += ROW
        width = (right - LEFT - LABEL_WIDTH) // len(columns)
        xs = [LEFT + LABEL_WIDTH + i * width for i in range(len(columns) + 1)]
        _centred(draw, (LEFT, y, xs[0], y + ROW), "信息内容", 15)
        for i, word in enumerate(columns):
            _centred(draw, (xs[i], y, xs[i + 1], y + ROW), word, 15)
        y += ROW
        for label, keys in rows:
            _centred(draw, (LEFT, y, xs[0], y + ROW), label, 18)
            for i, key in enumerate(keys):
                box = (xs[i], y, xs[i + 1], y + ROW)
                _centred(draw, box, str(numbers["active_disclosure"][key]), 18)
                cells[f"active_disclosure.{key}"] = box
            y += ROW
    return y, cells


def table_image(numbers: dict[str, Any], section: str, scale: float = 1.0) -> Image.Image:
    """One section's table alone, as a report page pastes it (a clean screenshot, cropped to
    the table), scaled by `scale`."""
    page = Image.new("L", PAGE, 255)
    draw = ImageDraw.Draw(page)
    drawer = {"二": draw_section_2, "三": draw_section_3, "四": draw_section_4}[section]
    bottom, _ = drawer(draw, numbers, 10)
    image = page.crop((0, 0, PAGE[0], bottom + 10))
    if scale != 1.0:
        image = image.resize((round(image.size[0] * scale), round(image.size[1] * scale)), Image.LANCZOS)
    return image


def degrade(page: Image.Image, seed: int, angle: float) -> Image.Image:
    """A scanner's marks: turned by `angle` degrees, blurred, noisy, JPEG-compressed."""
    page = page.rotate(angle, resample=Image.BICUBIC, expand=False, fillcolor=255)
    page = page.filter(ImageFilter.GaussianBlur(0.7))
    rng = random.Random(seed)
    noise = Image.frombytes("L", page.size, bytes(rng.randint(0, 255) for _ in range(page.size[0] * page.size[1] // 16)) * 16)
    page = Image.blend(page, noise, 0.06)
    out = io.BytesIO()
    page.save(out, "JPEG", quality=70)
    return Image.open(io.BytesIO(out.getvalue()))


def as_pdf(images: list[Image.Image]) -> bytes:
    out = io.BytesIO()
    images[0].convert("RGB").save(out, "PDF", resolution=DPI, save_all=True,
                                  append_images=[i.convert("RGB") for i in images[1:]])
    return out.getvalue()


def as_png(image: Image.Image) -> bytes:
    out = io.BytesIO()
    image.save(out, "PNG")
    return out.getvalue()
