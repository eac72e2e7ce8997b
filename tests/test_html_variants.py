"""HTML layouts built from a real report's rows (the layout of seed 003, filled with the
distinct numbers of the 003-* text fixtures, so that a number under the wrong column or row
shows): every variant must read to those numbers exactly — the reader depends on labels, not
on one page's markup."""

import json
import sys

import pytest
from conftest import FILES

from archive.parsing import parse
from archive.record.model import numbers_of

sys.path.insert(0, str(FILES))
from fixture_numbers import report_numbers  # noqa: E402
from make_layout_fixtures import TEMPLATES, render  # noqa: E402
from make_text_variants import FEE, K  # noqa: E402

SEED = render((TEMPLATES / "003-seed-layout.txt").read_text(encoding="utf-8"), report_numbers(K, FEE))
GOLDEN = json.loads((FILES / "003-pipes-full.expected.json").read_text(encoding="utf-8"))
TITLE = "阜新市海州区2024年政府信息公开工作年度报告"


def _sections() -> dict[str, list[list[str]]]:
    """The seed's table rows (tab-separated lines) grouped by the section they sit in."""
    out: dict[str, list[list[str]]] = {"二": [], "三": [], "四": []}
    current = None
    for line in SEED.splitlines():
        stripped = line.lstrip("# ").strip()
        for key, head in (("二", "二、主动公开"), ("三", "三、收到和处理"), ("四", "四、政府信息公开行政复议")):
            if stripped.startswith(head):
                current = key
        if stripped.startswith("五、"):
            current = None
        if current and "\t" in line:
            out[current].append(line.split("\t"))
    return out


def _tr(cells: list[str], cell: str = "td", unit: str = "") -> str:
    return "<tr>" + "".join(
        f"<{cell}>{c}{unit if c.strip().isdigit() else ''}</{cell}>" for c in cells
    ) + "</tr>"


def _page(body: str) -> bytes:
    return (
        f"<html><head><meta charset='utf-8'><title>{TITLE}_海州区人民政府</title></head><body>"
        f"<div class='nav'><a href='/'>首页</a></div><h1>{TITLE}</h1>{body}"
        "<div class='footer'>浏览次数：1234</div></body></html>"
    ).encode()


def headings_outside_tables() -> bytes:
    """Section titles in <p>s, 第二十条 titles outside the small tables, no matrix header rows."""
    s = _sections()
    body = ""
    for key, title in (("二", "二、主动公开政府信息情况"), ("三", "三、收到和处理政府信息公开申请情况"),
                       ("四", "四、政府信息公开行政复议、行政诉讼情况")):
        body += f"<p><strong>{title}</strong></p>"
        rows = s[key]
        if key == "二":
            for row in rows:
                if row[0].startswith("第二十条"):
                    body += f"</table><p>{row[0]}</p><table border=1>"
                else:
                    body += _tr(row)
            body = body.replace("<p><strong>二、主动公开政府信息情况</strong></p></table>",
                                "<p><strong>二、主动公开政府信息情况</strong></p>") + "</table>"
        elif key == "三":
            body += "<table>" + "".join(_tr(r) for r in rows[3:]) + "</table>"
        else:
            body += "<table>" + "".join(_tr(r) for r in rows) + "</table>"
    return _page(body)


def one_big_table() -> bytes:
    """All three statistics tables as one table, with the section titles as full-width rows."""
    s = _sections()
    body = "<table border=1>"
    for key, title in (("二", "二、主动公开政府信息情况"), ("三", "三、收到和处理政府信息公开申请情况"),
                       ("四", "四、政府信息公开行政复议、行政诉讼情况")):
        body += f"<tr><td colspan=15>{title}</td></tr>" + "".join(_tr(r) for r in s[key])
    return _page(body + "</table>")


def th_labels_and_units() -> bytes:
    """Header cells as <th>, counts written with their unit (6件)."""
    s = _sections()
    body = "".join(
        "<table>" + "".join(_tr(r, "th" if not any(c.strip().isdigit() for c in r) else "td", "件") for r in s[k])
        + "</table>"
        for k in ("二", "三", "四")
    )
    return _page(body)


def layout_table_around() -> bytes:
    """The statistics tables inside a portal's layout table with a sidebar table of news."""
    s = _sections()
    tables = "".join("<table>" + "".join(_tr(r) for r in s[k]) + "</table>" for k in ("二", "三", "四"))
    sidebar = "<table><tr><td>2025-01-02</td><td>区政府召开常务会议</td></tr><tr><td>2025-01-03</td><td>12</td></tr></table>"
    return _page(f"<table><tr><td>{sidebar}</td><td><div class='TRS_Editor'>{tables}</div></td></tr></table>")


def matrix_as_paragraphs() -> bytes:
    """Sections 二 and 四 as tables, but the section 三 matrix pasted as one line per row."""
    s = _sections()
    matrix = "".join(f"<p>{' '.join(c for c in r if c.strip())}</p>" for r in s["三"])
    return _page(
        "<p>二、主动公开政府信息情况</p><table>" + "".join(_tr(r) for r in s["二"]) + "</table>"
        f"<p>三、收到和处理政府信息公开申请情况</p>{matrix}"
        "<p>四、政府信息公开行政复议、行政诉讼情况</p><table>" + "".join(_tr(r) for r in s["四"]) + "</table>"
    )


VARIANTS = [headings_outside_tables, one_big_table, th_labels_and_units, layout_table_around, matrix_as_paragraphs]


@pytest.mark.parametrize("variant", VARIANTS, ids=[v.__name__ for v in VARIANTS])
def test_variant_reads_the_golden_numbers(variant):
    record = parse(variant())
    want, got = numbers_of(GOLDEN), numbers_of(record)
    wrong = {k: (want[k], got[k]) for k in want if want[k] != got[k]}
    assert not wrong, list(wrong.items())[:8]
    assert (record["title"], record["agency"], record["year"], record["format"]) == (TITLE, "阜新市海州区", 2024, "2021")


def test_text_rows_with_units_after_each_number():
    text = "\n".join(
        line if "\t" not in line else " ".join(c + ("件" if c.strip().isdigit() else "") for c in line.split("\t") if c.strip())
        for line in SEED.splitlines()
    )
    record = parse(text.encode())
    want, got = numbers_of(GOLDEN), numbers_of(record)
    assert {k: (want[k], got[k]) for k in want if want[k] != got[k]} == {}
