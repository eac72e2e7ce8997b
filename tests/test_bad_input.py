"""Bad input gets a record with warnings or a clean ParseError — never a traceback."""

import json
import random
import zipfile
from io import BytesIO

import pytest
from conftest import FILES

from archive.parsing import ParseError, parse

SEED = (FILES / "003_c261cf9df1aa1cd4.txt").read_text(encoding="utf-8")


def _html_page() -> bytes:
    rows = "".join(
        f"<tr><td>{line.split(chr(9))[0]}</td>" + "".join(f"<td>{c}</td>" for c in line.split("\t")[1:]) + "</tr>"
        for line in SEED.splitlines()
        if "\t" in line
    )
    return f"<html><head><title>阜新市海州区2024年政府信息公开工作年度报告</title></head><body><table>{rows}</table></body></html>".encode()


def _docx_bomb() -> bytes:
    buf = BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("[Content_Types].xml", "<Types/>")
        zf.writestr("word/document.xml", b"<w:document>" + b" " * (80 * 1024 * 1024) + b"</w:document>")
    return buf.getvalue()


CASES = {
    "empty": (b"", "error"),
    "whitespace": (b"  \n\t ", "error"),
    "binary_garbage": (random.Random(1).randbytes(4096), "error"),
    "fake_pdf": (b"%PDF-1.7\n" + random.Random(2).randbytes(2000), "error"),
    "zip_not_docx": (b"PK\x03\x04" + random.Random(3).randbytes(500), "error"),
    "docx_zip_bomb": (_docx_bomb(), "error"),
    "truncated_html": (_html_page()[: len(_html_page()) // 2], "record"),
    "huge_html_20mb": (
        _html_page().replace(b"<body>", b"<body>" + b"<div>" + "浏览次数 ".encode() * 2_000_000 + b"</div>"),
        "record",
    ),
    "letters_in_numbers": (SEED.replace("\t6\t0\t0\t0\t0\t0\t6", "\tsix\t0\t0\t0\t0\t0\t6", 1).encode(), "record"),
    "row_missing": ("\n".join(line for line in SEED.splitlines() if "予以公开" not in line).encode(), "record"),
    "dash_cells": (SEED.replace("行政强制\t45", "行政强制\t—").encode(), "record"),
    "entity_bomb": (
        b'<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;">]>'
        + "<html><body><p>一、总体情况</p><p>本年度&lol2;公开</p><p>二、主动公开政府信息情况</p></body></html>".encode(),
        "record",
    ),
    "absurd_spans": (b"<html><body><table><tr><td rowspan=99999 colspan=99999>\xe7\xac\xac\xe4\xba\x8c\xe5\x8d\x81\xe6\x9d\xa1</td></tr></table></body></html>", "record"),
}


@pytest.mark.parametrize("name", list(CASES))
def test_bad_input_is_answered_cleanly(name):
    data, outcome = CASES[name]
    if outcome == "error":
        with pytest.raises(ParseError):
            parse(data)
        return
    record = parse(data)
    assert record["format"] in ("2021", "legacy", "unknown")
    assert record["warnings"], "bad input must be flagged"


def test_letters_in_a_text_row_leave_the_row_null():
    # In plain text a word among the numbers hides which column is which: the row is null.
    record = parse(CASES["letters_in_numbers"][0])
    assert all(v is None for v in record["requests"]["new_requests"].values())
    assert any("new_requests" in w for w in record["warnings"])
    assert record["requests"]["carried_over"]["total"] == 0


def test_letters_in_a_grid_cell_leave_only_that_cell_null():
    page = _html_page().replace(b"<td>6</td><td>0</td>", b"<td>six</td><td>0</td>", 1)
    record = parse(page)
    assert record["requests"]["new_requests"]["natural_person"] is None
    assert record["requests"]["new_requests"]["total"] == 6
    assert any("new_requests.natural_person" in w for w in record["warnings"])


def test_missing_row_is_null_with_warning():
    record = parse(CASES["row_missing"][0])
    assert all(v is None for v in record["requests"]["granted"].values())
    assert record["requests"]["partially_granted"]["total"] == 2
    assert any("granted" in w and "not found" in w for w in record["warnings"])


def test_dash_is_zero_with_warning():
    record = parse(CASES["dash_cells"][0])
    assert record["active_disclosure"]["coercion_decisions"] == 0
    assert any("coercion_decisions" in w and "read as 0" in w for w in record["warnings"])


def test_entities_are_not_expanded():
    record = parse(CASES["entity_bomb"][0])
    overview = record["sections"]["overview"]  # the paragraph holding the entity is read …
    assert "本年度" in overview and "公开" in overview
    assert "lollol" not in json.dumps(record, ensure_ascii=False)  # … but the entity is not expanded


def test_truncated_html_keeps_what_it_read():
    record = parse(CASES["truncated_html"][0])
    assert record["requests"]["new_requests"]["total"] == 6
