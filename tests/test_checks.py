"""The format's arithmetic: a report that does not add up gets a failed check naming the numbers."""

from conftest import FILES

from archive.parsing import parse


def _seed_text() -> str:
    return (FILES / "003_c261cf9df1aa1cd4.txt").read_text(encoding="utf-8")


def test_clean_report_passes_every_check():
    record = parse(_seed_text().encode())
    rules = {c["rule"] for c in record["checks"]}
    assert "requests.balance.total" in rules
    assert "review_litigation.review.total" in rules
    assert len([c for c in record["checks"] if not c["rule"].startswith("prose.")]) == 7 + 7 + 25 + 3
    assert all(c["passed"] for c in record["checks"])
    # its prose, 2024 年，全区共受理政府信息公开申请 6 件, agrees with 一、本年新收 总计 6
    assert [c["rule"] for c in record["checks"] if c["rule"].startswith("prose.")] == ["prose.requests.new_requests.total"]


def test_broken_total_fails_with_detail():
    # 003 reports 3 granted to natural persons; make it 4 so the row, the column sum and the
    # balance of the natural_person column all stop adding up.
    text = _seed_text().replace("(一) 予以公开\t3\t0\t0\t0\t0\t0\t3", "(一) 予以公开\t4\t0\t0\t0\t0\t0\t3")
    record = parse(text.encode())
    assert record["requests"]["granted"]["natural_person"] == 4
    failed = {c["rule"]: c["detail"] for c in record["checks"] if not c["passed"]}
    assert set(failed) == {"requests.row_total.granted", "requests.results_sum.natural_person"}
    assert "4" in failed["requests.row_total.granted"]
