"""Numbers run together by text extraction are split only when the arithmetic allows exactly
one reading; any other row stays null. Never a wrong number."""

import json
import re

from conftest import FILES

from archive.parsing import parse
from archive.parsing.digits import row_total_holds, unique_split


def test_unique_split_uses_the_row_total():
    assert unique_split(["300153006143119"], 7, row_total_holds) == [3001, 53, 0, 0, 61, 4, 3119]
    assert unique_split(["0000000"], 7, row_total_holds) == [0] * 7
    # 1 1 0 0 0 0 2 and 11 0 0 0 0 0 ... : '1100002' has one reading that adds up.
    assert unique_split(["1100002"], 7, row_total_holds) == [1, 1, 0, 0, 0, 0, 2]


def test_ambiguous_runs_are_refused():
    # 1 0 3 0 12 12 28 and 10 3 0 1 2 12 28 both add up: no reading is chosen.
    assert unique_split(["1030121228"], 7, row_total_holds) is None
    # Spaces the extraction kept are respected: only cuts inside tokens are tried.
    assert unique_split(["1", "0", "30", "121228"], 7, row_total_holds) == [1, 0, 3, 0, 12, 12, 28]
    assert unique_split(["10", "30121228"], 7, row_total_holds) is None
    assert unique_split(["9" * 40], 7, row_total_holds) is None


def test_glued_pdf_text_never_reads_a_wrong_number():
    text = (FILES / "huaian-city-2024-pdftext.txt").read_text(encoding="utf-8")
    start, end = text.index("一、本年新收"), text.index("四、政府信息公开行政复议")
    section = re.sub(r"(\d) (?=\d)", r"\1", text[start:end])  # the cells lose their spaces
    record = parse((text[:start] + section + text[end:]).encode())
    truth = json.loads((FILES / "huaian-city-2024.expected.json").read_text(encoding="utf-8"))["requests"]
    filled = 0
    for row, cells in record["requests"].items():
        for col, value in cells.items():
            if value is not None:
                assert value == truth[row][col], (row, col)
                filled += 1
    assert filled >= 7 * 18
    assert any("run together" in w for w in record["warnings"])
