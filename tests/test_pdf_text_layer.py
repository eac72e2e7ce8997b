"""The PDF text layer as PDFium reads it: a predefined CJK font read right, a garbled layer
read as no text, PDFium's caps, and PDFium never handed a file that would take the process.

The fixtures are built by tests/files/make_pdf_fixtures.py (see tests/files/FIXTURES.md).
"""

from __future__ import annotations

import sys

import pdfplumber
import pytest
from conftest import FILES
from hostile import _pages_pdf, font_file_bomb_pdf, inline_image_bomb_pdf, read_fenced

from archive.parsing import parse, pdfium
from archive.parsing.garbled import judge_document, judge_page, mend
from archive.parsing.limits import MAX_PDF_PAGE_OBJECTS
from archive.parsing.pdf import positional_rows, read_pdf

sys.path.insert(0, str(FILES))
import make_pdf_fixtures as maker  # noqa: E402 - the fixtures' own generator

CJK = FILES / "pdf-predefined-cjk-font-2024.pdf"
GARBLED = FILES / "pdf-garbled-text-layer.pdf"
TITLE = "白沙县交通运输局2024年政府信息公开工作年度报告"


def test_the_fixture_writes_chinese_as_ucs2_codes_of_a_predefined_font():
    data = CJK.read_bytes()
    assert b"/Encoding /UniGB-UCS2-H" in data and b"/BaseFont /STSong-Light" in data
    assert b"/Subtype /CIDFontType0" in data and b"/ToUnicode" in data and b"/FontFile" not in data
    assert "政府".encode("utf-16-be").hex().upper().encode() in data  # codes are the characters' UCS-2 codes


def test_pdfminer_reads_unrelated_characters_and_pdfium_reads_the_report():
    with pdfplumber.open(CJK) as pdf:
        mined = "\n".join(page.extract_text() or "" for page in pdf.pages)
    assert "政府信息公开" not in mined and "申请" not in mined
    assert judge_page(mined).garbled
    document = read_pdf(CJK.read_bytes())
    assert not document.garbled and document.garbled_pages == []
    assert document.text.startswith(TITLE)
    assert "（二）部分公开（区分处理的，只计这一情形，不计其他情形" in document.text
    assert document.rows, "the ruled tables are read as tables"


def test_the_report_in_a_predefined_font_is_read_whole():
    record = parse(CJK.read_bytes())
    assert record["title"] == TITLE and record["format"] == "2021"
    assert record["requests"]["partially_granted"]["natural_person"] == 48
    assert record["active_disclosure"]["fees_wan_yuan"] == 3.1416
    assert record["review_litigation"]["litigation_after_review"]["total"] == 50
    assert all(check["passed"] for check in record["checks"])


def test_a_garbled_text_layer_is_read_as_no_text_and_flagged(monkeypatch):
    document = read_pdf(GARBLED.read_bytes(), ocr=False)
    assert document.garbled and document.garbled_pages == [1, 2, 3]
    assert document.text == "" and document.rows == [] and not document.positional
    assert sum("its text layer is garbled" in w for w in document.warnings) == 3
    # without OCR the numbers are null; with it, the pages are read as images (the golden's test)
    monkeypatch.setenv("GOVREPORTS_OCR", "0")
    record = parse(GARBLED.read_bytes())
    assert record["format"] == "unknown" and record["title"] is None
    assert record["requests"]["new_requests"]["total"] is None


def test_chinese_sent_to_other_chinese_fails_the_vocabulary_rule():
    """A map that keeps Chinese Chinese (each character three blocks on) passes the page rule:
    the document rule catches it, and the whole document is read as no text."""
    numbers = maker.report_numbers(51, 1.5)
    pages = maker.report_pages(numbers, TITLE, "白沙县交通运输局", 2024, "2025年1月16日")
    shift = {high: high + 3 if high < 0x9C else high - 0x40 for high in range(0x4E, 0xA0)}
    document = read_pdf(maker.write_pdf(pages, None, shift), ocr=False)
    assert document.garbled_pages == [1, 2, 3]
    assert any("not one word of a report's vocabulary" in w for w in document.warnings), document.warnings
    assert document.text == ""


def test_judging_text():
    assert not judge_page("一、本年新收政府信息公开申请数量 2 3 4 5 6 7 27 （一）①㈠ ℃ × “三安全一稳定”").garbled
    assert judge_page("\x13\x11\x13\x15୍ᆟکྐ༏܄ष۽ቔ୍؇Бۡ\x01၂aሹุ౦ঃ").garbled
    assert not judge_page("ÀÁÂ").garbled  # too short to judge
    assert judge_document("乙丙丁" * 100).garbled
    assert not judge_document("乙丙丁" * 100 + "政府").garbled
    assert not judge_document("2024 1 2 3").garbled
    assert mend("⽂") == "文" and mend("文") == "文" and mend("a") == "a"


def _text_pdf(lines: list[bytes]) -> bytes:
    content = b"BT /F1 1 Tf 10 800 Td " + b"".join(b"(%s) Tj 0 -1 Td " % line for line in lines) + b"ET"
    return _pages_pdf([content], extra=b"")


def test_a_page_with_too_many_characters_is_not_read():
    crowded = _text_pdf([b"2024" * 50] * (MAX_PDF_PAGE_OBJECTS // 200 + 5))
    with pytest.raises(Exception, match="lays out more than"):
        read_pdf(crowded)  # its only page skipped: nothing of the PDF could be read


def test_pdfium_is_never_handed_what_would_take_the_process():
    """PDFium inflates an inline image's data and a font file whole, and aborts the process
    when an allocation fails: pdfbounds refuses the page first. Read in the fence, so that a
    failure here is a failed test, not a killed test run."""
    results = {r.name: r for r in read_fenced(
        [("inline-image", inline_image_bomb_pdf(), "application/pdf"),
         ("font-file", font_file_bomb_pdf(), "application/pdf")], 1536, timeout=20)}
    inline = results["inline-image"]
    assert inline.outcome == "record", inline.detail
    assert any(w.startswith("page 2 not read: a stream inflates to more than") for w in inline.warnings)
    font = results["font-file"]
    assert font.outcome == "ParseError" and "inflates to more than" in font.detail, font.detail


def test_pdfium_and_pdfminer_must_agree_on_the_pages_of_a_bomb():
    """A page tree read two ways (pdfminer and PDFium count different pages) and a page over a
    cap: the page PDFium would load cannot be told, so the document is refused."""
    from archive.parsing.pdf import PdfError, _load
    from archive.parsing.pdfbounds import Admission

    class TwoPages:
        def __len__(self) -> int:
            return 2

    with pytest.raises(PdfError, match="page tree reads as 1 pages one way and 2 the other"):
        _load(TwoPages(), Admission(1, {1: "a stream inflates to more than 32 MB"}))


@pytest.mark.parametrize("rotate", [90, 180, 270])
def test_a_page_stored_turned_reads_as_displayed(rotate):
    """PDFium gives boxes in the page's own space; a page with /Rotate is read as it displays
    (as pdfminer and so pdfplumber read it): lines stay lines, columns stay columns."""
    numbers = maker.report_numbers(41, 3.1416)
    pages = maker.report_pages(numbers, TITLE, "白沙县交通运输局", 2024, "2025年1月16日")
    record = parse(maker.write_pdf(pages, None, rotate=rotate))
    assert record["title"] == TITLE
    assert record["requests"] == numbers["requests"]
    assert record["review_litigation"] == numbers["review_litigation"]


def _page(number: int, lines: list[tuple[float, list[tuple[float, str]]]]) -> pdfium.Page:
    """A page of 9 pt characters: (top, [(x, word), ...]) per printed line."""
    chars = []
    for top, words in lines:
        for x, word in words:
            for ch in word:
                width = 4.5 if ch.isascii() else 9.0
                chars.append(pdfium.Char(ch, x, top, x + width, top + 9, top + 8))
                x += width
    return pdfium.Page(number, 595, 842, chars)


NUMBERS = [(300 + 40 * i, str(11 + i)) for i in range(7)]


def test_a_label_cut_by_a_page_break_ends_on_the_next_page():
    first = _page(1, [(700, [(60, "1．申请人无正当理由")] + NUMBERS), (712, [(60, "逾期不补正")]),
                      (740, [(60, "2．申请人")] + [(x, str(int(v) + 10)) for x, v in NUMBERS])])
    second = _page(2, [(60, [(60, "逾期未按收费通知")]), (72, [(60, "要求缴纳费用")]),
                       (84, [(60, "3．其他")] + [(x, str(int(v) + 20)) for x, v in NUMBERS])])
    rows = [r for r in positional_rows([first, second]) if r.values]
    assert ["".join(r.labels) for r in rows] == [
        "1．申请人无正当理由逾期不补正", "2．申请人逾期未按收费通知要求缴纳费用", "3．其他"]


def test_a_header_repeated_at_the_top_of_a_page_is_not_the_end_of_a_label():
    first = _page(1, [(740, [(60, "8．属于行政查询事项")] + NUMBERS)])
    second = _page(2, [(60, [(60, "申请人情况")]), (72, [(60, "（四）无法提供")]),
                       (80, [(120, "1．本机关不掌握")] + [(x, str(int(v) + 10)) for x, v in NUMBERS])])
    rows = [r for r in positional_rows([first, second]) if r.values]
    assert "".join(rows[0].labels) == "8．属于行政查询事项"
