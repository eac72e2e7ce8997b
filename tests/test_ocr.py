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
from scans import as_pdf, as_png, scan_image  # noqa: E402

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
