"""Damaged and hostile documents are read or refused with ParseError — in bounded time and memory.

The fixtures under tests/files are damaged from a fixed seed (bit flips, truncations, duplicated
byte ranges, splices; a DOCX also through its document.xml), and the bombs of hostile.py are
built fresh. Each is parsed in a forked child under an address-space limit (hostile.read_fenced),
so a document that escapes the readers' bounds fails here instead of taking the machine.
"""

from __future__ import annotations

import pytest
from hostile import bombs, mutated_fixtures, read_fenced, wide_colspan_html

from archive.parsing import parse
from archive.parsing.limits import MAX_TABLE_CELLS, MAX_TABLE_COLUMNS


@pytest.fixture(autouse=True, scope="module")
def _no_ocr():
    """OCR (archive/parsing/ocr.py) is off here: its engine alone takes ~600 MB and seconds a page,
    bounded by its own time budget, page cap and pixel caps (tests/test_ocr.py)."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("GOVREPORTS_OCR", "0")
        yield

SEED = 20240610
PER_FIXTURE = {".pdf": 10, ".docx": 5, ".html": 2, ".txt": 1}  # ~150 documents from today's fixtures
SECONDS = 10  # per document
PEAK_MB = 300  # peak RSS above the child's start, per document
FENCE_MB = 1536  # address space a child may add before its allocations fail


def _problems(results) -> list[str]:
    problems = []
    for r in results:
        if r.outcome not in ("record", "ParseError"):
            problems.append(f"{r.name}: {r.outcome} {r.detail[-800:]}")
        elif r.detail.startswith("internal error"):
            problems.append(f"{r.name}: an exception escaped the reader: {r.detail}")
        if r.seconds > SECONDS:
            problems.append(f"{r.name}: {r.seconds:.1f} s")
        if r.peak_mb > PEAK_MB:
            problems.append(f"{r.name}: {r.peak_mb:.0f} MB")
    return problems


def test_damaged_fixtures_are_read_or_refused():
    documents = mutated_fixtures(SEED, PER_FIXTURE)
    assert 80 <= len(documents) <= 250, len(documents)
    results = read_fenced(documents, FENCE_MB, timeout=SECONDS + 5)
    problems = _problems(results)
    assert not problems, "\n".join(problems)
    assert sum(r.outcome == "record" for r in results) > len(results) // 4  # damage is not all fatal


@pytest.fixture(scope="module")
def bombed():
    built = bombs()
    results = read_fenced([(name, data, ct) for name, (data, ct) in built.items()], FENCE_MB, timeout=SECONDS + 5)
    return {r.name: r for r in results}


def test_bombs_are_read_or_refused_within_bounds(bombed):
    problems = _problems(bombed.values())
    assert not problems, "\n".join(problems)


def test_wide_tables_are_cut_with_a_warning(bombed):
    for name in ("html-wide-colspan", "docx-wide-grid"):
        answer = bombed[name]
        assert answer.outcome == "record", answer.detail
        assert any(w.startswith("table 1 cut") for w in answer.warnings), answer.warnings


def test_pdf_streams_that_inflate_to_gigabytes_are_refused(bombed):
    for name in ("pdf-deflate-bomb", "pdf-deflate-chain-bomb", "pdf-xref-stream-bomb"):
        assert bombed[name].outcome == "ParseError", name
        assert "inflates to more than" in bombed[name].detail, bombed[name].detail


def test_a_bomb_page_is_skipped_and_the_other_pages_read(bombed):
    answer = bombed["pdf-bomb-page-among-pages"]
    assert answer.outcome == "record", answer.detail
    assert any(w.startswith("page 2 not read: a stream inflates") for w in answer.warnings), answer.warnings


def test_zip_bombs_are_refused(bombed):
    assert "too large once uncompressed" in bombed["docx-zip-bomb"].detail
    assert "inflates beyond" in bombed["docx-lying-zip-bomb"].detail
    assert "zip members" in bombed["docx-many-members"].detail


def test_xml_entities_in_a_docx_are_not_expanded(bombed):
    answer = bombed["docx-billion-laughs"]
    assert answer.outcome == "ParseError" or not any("lollol" in w for w in answer.warnings)


def test_a_grid_never_exceeds_its_caps():
    from lxml import etree

    from archive.parsing.html import table_grid
    from archive.parsing.limits import GridBudget

    table = etree.fromstring(wide_colspan_html(cells=50, rows=5000), etree.HTMLParser()).find(".//table")
    budget = GridBudget()
    grid = table_grid(table, budget)
    assert len(grid) * len(grid[0]) <= MAX_TABLE_CELLS
    assert len(grid[0]) == MAX_TABLE_COLUMNS
    assert budget.warnings == [
        f"table 1 cut to its first {MAX_TABLE_CELLS // MAX_TABLE_COLUMNS} of 5001 rows and its first "
        f"{MAX_TABLE_COLUMNS} columns (a table may span {MAX_TABLE_COLUMNS} columns and {MAX_TABLE_CELLS:,} grid cells)"
    ]


def test_tables_past_the_documents_budget_are_skipped_with_one_warning():
    from archive.parsing.limits import MAX_DOCUMENT_CELLS

    row = "<tr><td>第二十条</td>" + "<td colspan=60>0</td>" * 3 + "</tr>"
    table = "<table>" + row * 100 + "</table>"  # 181 × 100 positions each
    tables = MAX_DOCUMENT_CELLS // (181 * 100) + 3
    record = parse(f"<html><body>{table * tables}</body></html>".encode())
    skipped = [w for w in record["warnings"] if "any after it not read" in w]
    assert len(skipped) == 1, record["warnings"]
