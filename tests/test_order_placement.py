"""Rows placed by the format's order where their labels drift (issue 11): a row is filled only
where every placement the labels allow, and the report's arithmetic confirms, agrees — never a
number under the wrong row. Also the 2019 layout's one （六） row and the 2019 format's 处理决定数量."""

import json

import pytest
from conftest import FILES
from drift_layouts import LAYOUTS, render

from archive.parsing import parse
from archive.parsing.html import grid_cell_text, parse_tree
from archive.parsing.placement import Layout, ValueRow, place_rows, totals_confirm
from archive.record.model import applicant_columns, numbers_of

COLUMNS = list(applicant_columns())


def _golden(name: str) -> tuple[dict, dict]:
    expected = json.loads((FILES / f"{name}.expected.json").read_text(encoding="utf-8"))
    return expected, parse((FILES / expected["source"]).read_bytes(), content_type=expected.get("content_type"))


# --- The placement on rows and labels ---------------------------------------------------------

TEMPLATE = ("new_requests", "carried_over", "granted", "partially_granted", "total_processed", "carried_forward")


def _row(values: list[int], key: str | None = None) -> ValueRow:
    return ValueRow([str(v) for v in values] + [str(sum(values))], key)


# 一 6+0 = （七） 5 + 四 1: granted 3, partially_granted 2.
NEW, OVER, GRANTED, PARTIAL, TOTAL, FORWARD = (
    [4, 1, 0, 0, 0, 1], [0, 0, 1, 0, 0, 0], [2, 1, 0, 0, 0, 0], [1, 0, 1, 0, 0, 0], [3, 1, 1, 0, 0, 0], [1, 0, 0, 0, 0, 1],
)


def _confirm(rows):
    return totals_confirm(rows)


def test_unnamed_rows_are_placed_by_order_when_the_totals_confirm():
    rows = [_row(NEW), _row(OVER), _row(GRANTED), _row(PARTIAL, "partially_granted"), _row(TOTAL), _row(FORWARD)]
    placed = place_rows(Layout(rows, [[] for _ in range(7)], []), [TEMPLATE], _confirm, fixed_ends=(2, 2))
    assert placed.rows["granted"][:6] == [str(v) for v in GRANTED]
    assert placed.rows["total_processed"][:6] == [str(v) for v in TOTAL]
    assert set(placed.by_order) == set(TEMPLATE) - {"partially_granted"}


def test_a_label_between_two_rows_names_the_one_the_order_allows():
    # numbers of 一, then its label, then the numbers of 二, then its label …: labels after
    rows = [_row(v) for v in (NEW, OVER, GRANTED, PARTIAL, TOTAL, FORWARD)]
    gaps = [[]] + [[k] for k in TEMPLATE]
    placed = place_rows(Layout(rows, gaps, []), [TEMPLATE], _confirm, fixed_ends=(2, 2))
    assert not placed.by_order and placed.label_after == list(TEMPLATE)


def test_two_placements_that_both_add_up_leave_the_rows_null():
    # a result row printed blank (only its label), the next one's label unreadable: the row of
    # numbers after the label 予以公开 may be 予以公开's or 部分公开's; both add up (the blank is 0)
    rows = [_row(NEW), _row(OVER), _row([3, 1, 1, 0, 0, 0]), _row(TOTAL), _row(FORWARD)]
    gaps = [[], [], ["granted"], [], [], []]
    placed = place_rows(Layout(rows, gaps, []), [TEMPLATE], _confirm, fixed_ends=(2, 2))
    assert {"granted", "partially_granted"} <= set(placed.ambiguous)
    assert "granted" not in placed.rows and "partially_granted" not in placed.rows
    assert placed.rows["total_processed"][:6] == [str(v) for v in TOTAL]


def test_rows_that_do_not_add_up_are_taken_only_where_a_label_names_them():
    wrong_total = [9, 9, 9, 0, 0, 0]
    rows = [_row(NEW, "new_requests"), _row(OVER), _row(GRANTED), _row(PARTIAL), _row(wrong_total), _row(FORWARD)]
    gaps = [[], [], [], ["partially_granted"], [], [], []]  # 部分公开's label before its numbers
    placed = place_rows(Layout(rows, gaps, []), [TEMPLATE], _confirm, fixed_ends=(2, 2))
    assert set(placed.rows) == {"new_requests", "partially_granted"}


def test_the_prose_total_must_agree():
    rows = [_row(v) for v in (NEW, OVER, GRANTED, PARTIAL, TOTAL, FORWARD)]
    assert totals_confirm(rows, [6]) and totals_confirm(rows, [7])  # 一, or 一 + 二
    assert not totals_confirm(rows, [60])


# --- Fixtures -----------------------------------------------------------------------------------


def test_ambiguous_fixture_leaves_exactly_the_two_rows_null():
    expected, record = _golden("drift-pdftext-ambiguous")
    want, got = numbers_of(expected), numbers_of(record)
    nulls = {k.rsplit(".", 1)[0] for k in want if got[k] is None}
    assert nulls == {"requests.denied_three_securities_one_stability", "requests.denied_third_party_rights"}
    assert all(got[k] == want[k] for k in want if got[k] is not None)
    assert record["needs_review"]


def test_garbled_labels_are_placed_by_order_and_said_so():
    expected, record = _golden("drift-pdftext-garbled-labels")
    assert numbers_of(record) == numbers_of(expected)
    order = set(record["reading"]["rules"]["order"])
    assert {f"requests.new_requests.{c}" for c in COLUMNS} <= order  # 一、本年新攸…申清数量
    assert {f"requests.denied_three_securities_one_stability.{c}" for c in COLUMNS} <= order  # no label
    assert not any(k.startswith("requests.granted.") for k in order)  # read by its own label
    assert not record["needs_review"]  # every check it takes part in passes


@pytest.mark.parametrize("name", ["html-2021-single-other-haizhou-2024", "text-2021-single-other"])
def test_2021_report_with_the_one_row_other_processing(name):
    expected, record = _golden(name)
    assert record["format"] == "2021"
    assert record["requests"]["other"] == expected["requests"]["other"] and None not in record["requests"]["other"].values()
    assert set(record["requests"]["other_no_correction"].values()) == {None}
    assert set(record["requests"]["other_no_fee"].values()) == {None}
    assert "legacy_requests_other_processing" not in record


@pytest.mark.parametrize("name", ["html-legacy-zhongzhan-2020", "html-legacy-split-digits-zhongzhan-2020",
                                  "redteam-legacy-2019-plain", "redteam3-legacy-2020-hubei-variant"])
def test_2019_format_decisions_and_other_processing_in_the_2021_keys(name):
    expected, record = _golden(name)
    legacy = record["legacy_active_disclosure"]
    for row in ("licensing", "penalty", "coercion"):
        assert record["active_disclosure"][f"{row}_decisions"] == legacy[row]["decisions"] is not None
    assert record["requests"]["other"] == record["legacy_requests_other_processing"] == expected["requests"]["other"]
    others = {k: v for k, v in record["active_disclosure"].items() if not k.endswith("_decisions")}
    assert set(others.values()) == {None}


def test_digits_of_one_number_in_several_spans_are_one_number():
    tree = parse_tree("<table><tr><td><p class=MsoNormal><span>6</span>\n<span>2</span><span>21</span></p></td>"
                      "<td><p>3</p><p>5</p></td></tr></table>")
    assert [grid_cell_text(td) for td in tree.iter("td")] == ["6 221", "3\n5"]  # 6221; 3 and 5 on two lines


# --- Generated drifts: never a wrong number -----------------------------------------------------


@pytest.mark.parametrize("layout", LAYOUTS)
def test_drifted_layouts_never_read_a_wrong_number(layout):
    """Labels before, after, beside, around, garbled or missing, header fragments and footers among
    the rows, blank rows and blank cells, both row sets of （六）, dense and mostly-zero numbers."""
    cells = filled = 0
    for seed in range(12):
        for single_other in (False, True):
            for dense in (True, False):
                document, numbers, unshown = render(seed, single_other=single_other, dense=dense, layout=layout)
                record = parse(document.encode())
                want, got = numbers_of(numbers), numbers_of(record)
                keys = [k for k in want if k.startswith("requests.") and want[k] is not None]
                wrong = [(k, want[k], got[k]) for k in keys if got[k] is not None and got[k] != want[k]]
                assert not wrong, (seed, single_other, dense, wrong[:3])
                shown = [k for k in keys if k.split(".")[1] not in unshown]
                cells += len(shown)
                filled += sum(got[k] is not None for k in shown)
    assert filled / cells > 0.9, filled / cells
