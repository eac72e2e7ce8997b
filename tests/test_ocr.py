"""OCR of scanned reports: pages drawn here with known numbers (tests/scans.py), degraded as a
scanner degrades them, read back through the one interpreter. A number read by OCR stands only
where the report's arithmetic confirms it: never a wrong number, and a smudged cell is null."""

from __future__ import annotations

import struct
import sys
import zlib
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent / "files"))
from fixture_numbers import lookup, report_numbers  # noqa: E402
from scans import as_pdf, as_png, scan_image, scan_pages, table_image  # noqa: E402

from archive.parsing import ParseError, parse  # noqa: E402
from archive.parsing.detect import DocumentKind, sniff  # noqa: E402
from archive.parsing.ocr import read_pages  # noqa: E402
from archive.record.model import numbers_of  # noqa: E402

TITLE = "东山区人民政府办公室2024年政府信息公开工作年度报告"
SMUDGED = "requests.granted.commercial_enterprise"


def _wrong(record, numbers):
    return {k: (lookup(numbers, k), v) for k, v in numbers_of(record).items() if v is not None and v != lookup(numbers, k)}


@pytest.fixture(scope="module")
def scanned():
    numbers = report_numbers(3, 12.5)
    image = scan_image(numbers, TITLE, smudge=(SMUDGED,))
    return numbers, parse(as_pdf([image]))


def test_a_scanned_pdf_is_read_and_never_wrong(scanned):
    numbers, record = scanned
    assert _wrong(record, numbers) == {}
    assert (record["title"], record["year"], record["format"]) == (TITLE, 2024, "2021")
    table = [k for k in numbers_of(record) if k.startswith(("requests.", "review_litigation."))]
    read = [k for k in table if numbers_of(record)[k] is not None]
    assert len(read) >= 0.6 * len(table), len(read)
    assert sorted(record["reading"]["rules"]["ocr"]) == sorted(read)  # every OCR cell is marked
    assert all(c["passed"] for c in record["checks"])
    assert record["needs_review"]  # some numbers are null
    assert any("read by OCR" in w for w in record["warnings"])


def test_a_smudged_cell_is_null_not_guessed(scanned):
    _, record = scanned
    assert numbers_of(record)[SMUDGED] is None


def test_section_2_stands_where_the_report_states_it_in_words():
    """Section 二 has no arithmetic: a number of it read by OCR stands only when the report's text
    states the same figure (another print of it, read alike); one the text does not state, or
    states otherwise, stays null with a warning."""
    numbers = report_numbers(5, 7.5)
    active = numbers["active_disclosure"]
    said = {"normative_documents_issued": active["normative_documents_issued"],
            "penalty_decisions": active["penalty_decisions"]}
    misquoted = active["licensing_decisions"] + 3  # the text says otherwise than the table
    prose = (f"本年度，本机关认真贯彻落实政府信息公开条例，制发行政规范性文件{said['normative_documents_issued']}件，"
             f"作出行政许可决定{misquoted}件，作出行政处罚决定{said['penalty_decisions']}件。"
             f"全年共收到政府信息公开申请{numbers['requests']['new_requests']['total']}件。")
    record = parse(as_pdf(scan_pages(numbers, TITLE, prose)))
    got = numbers_of(record)
    assert _wrong(record, numbers) == {}
    for key, value in said.items():
        assert got[f"active_disclosure.{key}"] == value, key
        assert f"active_disclosure.{key}" in record["reading"]["rules"]["ocr"]
    assert got["active_disclosure.licensing_decisions"] is None  # stated otherwise: not confirmed
    assert got["active_disclosure.regulations_issued"] is None  # not stated at all
    assert any("confirmed by the report's own words" in w for w in record["warnings"])
    assert any("section 二" in w and "licensing_decisions" in w for w in record["warnings"])


def test_an_image_document_is_read(tmp_path):
    numbers = report_numbers(5, 3.25)
    data = as_png(scan_image(numbers, TITLE, seed=2, angle=-0.3))
    assert sniff(data) is DocumentKind.IMAGE
    record = parse(data)
    assert _wrong(record, numbers) == {}
    assert record["reading"]["rules"].get("ocr")


def test_image_kinds_are_sniffed():
    for head in (b"\x89PNG\r\n\x1a\n", b"\xff\xd8\xff\xe0", b"GIF89a", b"II*\x00", b"MM\x00*",
                 b"BM" + b"\x00" * 12 + b"\x28\x00\x00\x00"):
        assert sniff(head + b"\x00" * 64) is DocumentKind.IMAGE
    assert sniff(b"BMW cars and more text") is DocumentKind.TEXT


def test_an_image_bomb_is_refused_before_decoding():
    def chunk(kind, body):
        return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))
    header = struct.pack(">IIBBBBB", 100_000, 100_000, 8, 0, 0, 0, 0)
    data = b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(b"\x00" * 1000)) + chunk(b"IEND", b"")
    with pytest.raises(ParseError, match="refused"):
        parse(data)


def test_pages_past_the_budget_or_cap_are_named():
    pages = ((n, None) for n in (1, 2, 3))
    reading = read_pages(pages, 3, budget=-1.0)
    assert reading.pages == [] and any("pages 1–3 not read by OCR" in w and "budget" in w for w in reading.warnings)
    reading = read_pages(((n, None) for n in (4, 5)), 2, cap=0)
    assert any("pages 4–5 not read by OCR" in w and "at most 0 pages" in w for w in reading.warnings)


# --- one cell, not its row; what the arithmetic cannot confirm -------------------------------


def _box(x: float, y: float, text: str, score: float = 0.99, width: float = 40) -> list:
    return [[[x - width / 2, y - 10], [x + width / 2, y - 10], [x + width / 2, y + 10], [x - width / 2, y + 10]], text, score]


def test_a_smudge_in_a_row_leaves_the_other_cells_in_their_columns():
    """Header words OCR ran together (社会公益组织法律服务机构) or missed (总计) leave a regular grid
    with gaps; a smudge read as a character stays that cell's text, the rest keep their columns."""
    from archive.parsing.boxes import boxes_from_ocr, rows_from_boxes

    xs = [500 + 72 * i for i in range(7)]
    result = [_box(500, 100, "自然人"), _box(572, 130, "商业企业"), _box(644, 130, "科研机构"),
              _box(752, 130, "社会公益组织法律服务机构", width=200), _box(860, 130, "其他")]
    result += [_box(240, 170, "（一）予以公开", width=150)] + [
        _box(x, 170, text) for x, text in zip(xs, ("3", "国", "5", "6", "7", "8", "33"))]
    result += [_box(240, 200, "（二）部分公开", width=150)] + [
        _box(x, 200, text, score) for x, text, score in zip(xs, ("9", "10", "11", "12", "13", "14", "69"),
                                                            (1, 1, 1, 0.7, 1, 1, 1))]
    rows = [r for r in rows_from_boxes(boxes_from_ocr(result)) if r.values]
    assert rows[0].labels == ["（一）予以公开"] and rows[0].values == ["3", "国", "5", "6", "7", "8", "33"]
    assert rows[1].values == ["9", "10", "11", "(illegible)", "13", "14", "69"]  # a low score: not read


def test_header_words_over_two_lines_and_cells_run_together_keep_the_columns():
    """A header printed over two lines (自然 / 人, 商业企 / 业, 法律服务机 / 构) still gives the columns; a box
    OCR made of two neighbouring cells (33 and 34 read as 3334) leaves both not read, and every
    other number of its line stays in its column."""
    from archive.parsing.boxes import boxes_from_ocr, rows_from_boxes

    xs = [500 + 80 * i for i in range(7)]
    result = [_box(500, 100, "自然"), _box(580, 100, "商业企"), _box(660, 100, "科研机"), _box(740, 100, "社会公益组"),
              _box(820, 100, "法律服务机"), _box(900, 100, "其他"), _box(980, 100, "总计")]
    result += [_box(500, 120, "人"), _box(580, 120, "业"), _box(660, 120, "构"), _box(740, 120, "织"),
               _box(820, 120, "构")]
    result += [_box(240, 170, "3.危及“三安全一稳定”", width=150)] + [
        _box(x, 170, text) for x, text in zip(xs[:4], ("29", "30", "31", "32"))]
    result += [_box(860, 170, "3334", 0.97, width=110), _box(980, 170, "189")]  # 33 and 34 as one
    rows = [r for r in rows_from_boxes(boxes_from_ocr(result)) if r.values]
    assert rows[0].values == ["29", "30", "31", "32", "(illegible)", "(illegible)", "189"]


def _as_read(numbers, change) -> dict:
    from archive.record.model import empty_record

    record = empty_record()
    record.update(format="2021", year=2024, active_disclosure=dict(numbers["active_disclosure"]),
                  requests={r: dict(c) for r, c in numbers["requests"].items()},
                  review_litigation={g: dict(c) for g, c in numbers["review_litigation"].items()})
    change(record)
    return record


def _confirmed(record) -> dict[str, str]:
    from archive.parsing.ocr import confirm
    from archive.record.model import get_path, numeric_paths

    placed: dict[str, str] = {}
    confirm(record, {k for k in numeric_paths() if get_path(record, k) is not None}, placed)
    return placed


@pytest.mark.parametrize("slip", ["smudged", "misread"])
def test_one_bad_cell_is_null_alone_and_its_implied_value_only_said(slip):
    numbers = report_numbers(4, 2.5)
    bad = "requests.granted.commercial_enterprise"
    truth = lookup(numbers, bad)

    def change(record):
        row = record["requests"]["granted"]
        row["commercial_enterprise"] = None if slip == "smudged" else truth + 30  # a 6 read as 36

    record = _as_read(numbers, change)
    placed = _confirmed(record)
    got = numbers_of(record)
    assert _wrong(record, numbers) == {}
    table = [k for k in got if k.startswith(("requests.", "review_litigation."))]
    assert [k for k in table if got[k] is None] == [bad]  # the rest of its row and column stands
    assert all(placed[k] == "ocr" for k in table if k != bad)
    hint = next(w for w in record["warnings"] if "would determine" in w)
    assert f"{bad} = {truth} (2 checks)" in hint
    # section 二 has no arithmetic: null, with what OCR read shown
    assert all(got[k] is None for k in got if k.startswith("active_disclosure."))
    assert any(w.startswith("OCR: section 二") and "regulations_issued (read" in w for w in record["warnings"])


def test_a_failing_check_no_single_cell_explains_drops_all_its_cells():
    """Two slips that cancel in a row pass the row, fail both columns: no cell is the one
    suspect of those columns, so every OCR cell of both columns goes."""
    numbers = report_numbers(6, 1.5)

    def change(record):
        record["requests"]["granted"]["natural_person"] += 10
        record["requests"]["granted"]["commercial_enterprise"] -= 10

    record = _as_read(numbers, change)
    _confirmed(record)
    assert _wrong(record, numbers) == {}
    assert all(record["requests"][row]["natural_person"] is None for row in ("granted", "denied_state_secret"))
    assert record["requests"]["new_requests"]["total"] == numbers["requests"]["new_requests"]["total"]


@pytest.mark.parametrize("agree", [True, False])
def test_a_cell_its_row_and_column_pin_down_confirms_the_rest_of_both(agree):
    """A cell not read (A) whose row and column each give it the same value shows the rest of
    both right: B, in A's row, stands though B's column fails (C, below B, was misread, and C's
    own row has a cell not read, so nothing else vouches for B). With another slip in A's row
    (D) its row and column give A different values: B is not confirmed, and nothing wrong stands."""
    numbers = report_numbers(4, 2.5)
    a, b = "requests.granted.natural_person", "requests.granted.commercial_enterprise"
    c, d = "requests.partially_granted.commercial_enterprise", "requests.granted.research_institution"

    def change(record):
        record["requests"]["granted"]["natural_person"] = None  # A: not read
        record["requests"]["partially_granted"]["commercial_enterprise"] += 60  # C: a 9 read as 69
        record["requests"]["partially_granted"]["social_welfare_org"] = None  # not read either
        if not agree:
            record["requests"]["granted"]["research_institution"] += 8  # D: a 0 read as 8

    record = _as_read(numbers, change)
    placed = _confirmed(record)
    got = numbers_of(record)
    assert _wrong(record, numbers) == {}
    assert got[a] is None and got[c] is None
    if agree:
        assert got[b] == lookup(numbers, b) and placed[b] == "ocr"
    else:
        assert got[b] is None and got[d] is None


# --- images of unknown resolution -------------------------------------------------------------


def test_photos_and_thumbnails_are_scaled_to_the_text_size_ocr_reads_best():
    from archive.parsing.ocr import TEXT_HEIGHT_BAND, to_ocr_scale

    numbers = report_numbers(2, 4.5)
    table = table_image(numbers, "四")  # 18 px digits: lines about 26 px high, as at 120 dpi
    assert to_ocr_scale(table.convert("RGB")).size == table.size
    for scale in (0.4, 3.0):  # a thumbnail, a phone photo
        image = table_image(numbers, "四", scale).convert("RGB")
        scaled = to_ocr_scale(image)
        factor = scaled.size[0] / image.size[0]
        line = 26 * scale * factor  # the drawn lines' height after scaling
        assert TEXT_HEIGHT_BAND[0] <= line <= TEXT_HEIGHT_BAND[1], (scale, factor)


def test_a_thumbnail_table_is_read_and_its_slips_caught():
    """Section 四 as a 744 px thumbnail (11 px digits), scaled up before OCR: at this size
    OCR still slips (a 9 read as 6), and the group's total catches it."""
    numbers = report_numbers(2, 4.5)
    record = parse(as_png(table_image(numbers, "四", 0.6)))
    assert _wrong(record, numbers) == {}
    read = [k for k, v in numbers_of(record).items() if v is not None]
    assert len(read) >= 5 and all(k.startswith("review_litigation.") for k in read)
    assert sorted(record["reading"]["rules"]["ocr"]) == sorted(read)


def test_a_page_image_that_is_a_bomb_or_no_image_is_named_not_read():
    from archive.parsing.ocr import read_page_images

    def chunk(kind, body):
        return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))
    header = struct.pack(">IIBBBBB", 100_000, 100_000, 8, 0, 0, 0, 0)
    bomb = b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(b"\x00" * 1000)) + chunk(b"IEND", b"")
    reading = read_page_images([bomb, b"<html>not an image</html>"])
    assert reading.pages == [] and reading.rows == []
    assert any(w.startswith("image 1: image refused") for w in reading.warnings)
    assert any(w.startswith("image 2: not a readable image") for w in reading.warnings)
