"""Cross-year consistency: 二、上年结转 of an agency's report on year Y against 四、结转下年度继续办理 of
its report on Y−1, per applicant column, stored as checks of the later report (`cross_checks`).

The archive is built from the sample portal's pages, read and stored through the crawl's own
ingest path: 清河市人民政府's reports chain from year to year, except 2023, whose 自然人 column
carries over 3 requests more than 2022 carried forward (plan.py: chain_break). The expected
values come from the portal's generated figures, never from the program's output.
"""

from __future__ import annotations

import copy
import json
import sqlite3

import pytest
from click.testing import CliRunner

from archive.cli import main
from archive.demo import plan
from archive.demo.site import build_site
from archive.ingest import ParseResult, parse_in_worker, store_parsed
from archive.record.model import applicant_columns
from archive.storage.db import MIGRATIONS, Archive, stable_id
from archive.storage.versions import store_rereading

CITY = plan.CITY.name
BASE = "http://127.0.0.1:8765"


@pytest.fixture(scope="module")
def site():
    return build_site(1)


def _truth(site, year: int, agency: str = CITY) -> dict:
    return next(r for r in site.expected_reports if r["agency"] == agency and r["year"] == year)


def _store(archive: Archive, site, year: int, *, record: dict | None = None, at: str = "2025-03-01T00:00:00+00:00",
           agency: str = CITY):
    truth = _truth(site, year, agency)
    page = site.pages[truth["path"]]
    url = BASE + truth["path"]
    body = page.body if record is None else page.body + at.encode()
    fetch = archive.record_fetch(url=url, status=200, headers={"Content-Type": page.content_type}, body=body,
                                 fetched_at=at, role="candidate", source="demo", link_text=None, parent_url=None)
    parsed = parse_in_worker(page.body, url, page.content_type, None)
    if record is not None:
        parsed = ParseResult(record, parsed.text)
    return store_parsed(archive, parsed, fetch, link_text=None, role="candidate"), parsed


def _report_id(year: int, agency: str = CITY) -> str:
    return stable_id(f"{agency}|{year}")


def _chain(archive: Archive, year: int, agency: str = CITY) -> dict[str, tuple[bool, str]]:
    rows = archive.db.execute(
        "select rule, passed, detail from cross_checks where report_id = ?", [_report_id(year, agency)]
    ).fetchall()
    return {rule: (bool(passed), detail) for rule, passed, detail in rows}


def _expected(site, year: int) -> dict[str, bool]:
    later, earlier = _truth(site, year), _truth(site, year - 1)
    return {f"cross_year.{c}": later["requests"]["carried_over"][c] == earlier["requests"]["carried_forward"][c]
            for c in applicant_columns()}


def test_the_portal_breaks_exactly_one_chain(site):
    """The sample portal's own figures: 2023's 自然人 and 总计 columns do not chain, the rest do."""
    assert {k for k, ok in _expected(site, 2023).items() if not ok} == {"cross_year.natural_person", "cross_year.total"}
    for year in (2020, 2021, 2022, 2024):
        assert all(_expected(site, year).values()), year


def test_a_chain_that_holds_and_one_that_breaks_in_any_order(site, tmp_path):
    archive = Archive(tmp_path / "a.db")
    # the later reports first: each chain is checked when its earlier report arrives
    for year in (2023, 2024, 2021, 2022):
        assert _store(archive, site, year)[0].kind == "new"
    assert _chain(archive, 2021) == {}  # no 2020 report archived
    for year in (2022, 2023, 2024):
        chain = _chain(archive, year)
        assert {rule: ok for rule, (ok, _) in chain.items()} == _expected(site, year), year
    later, earlier = _truth(site, 2023), _truth(site, 2022)
    ok, detail = _chain(archive, 2023)["cross_year.natural_person"]
    assert not ok
    assert str(later["requests"]["carried_over"]["natural_person"]) in detail
    assert str(earlier["requests"]["carried_forward"]["natural_person"]) in detail
    assert BASE + earlier["path"] in detail
    assert BASE + _truth(site, 2023)["path"] in _chain(archive, 2024)["cross_year.total"][1]
    failed = dict(archive.db.execute("select year, cross_year_failed from reports").fetchall())
    assert failed == {2021: 0, 2022: 0, 2023: 2, 2024: 0}


def test_another_agency_never_chains(site, tmp_path):
    archive = Archive(tmp_path / "a.db")
    _store(archive, site, 2022)
    _store(archive, site, 2023, agency=plan.HDQ.name)
    assert archive.db["cross_checks"].count == 0


def test_a_revision_of_the_earlier_report_changes_the_later_check(site, tmp_path):
    archive = Archive(tmp_path / "a.db")
    _, parsed_2022 = _store(archive, site, 2022)
    _store(archive, site, 2023)
    assert archive.report_row(_report_id(2023))["cross_year_failed"] == 2
    # 2022 is republished with the 四、结转下年度 that 2023 carried over
    carried = _truth(site, 2023)["requests"]["carried_over"]
    revised = copy.deepcopy(parsed_2022.record)
    revised["requests"]["carried_forward"] = dict(carried)
    result, _ = _store(archive, site, 2022, record=revised, at="2025-04-01T00:00:00+00:00")
    assert result.kind == "revised"
    assert all(ok for ok, _ in _chain(archive, 2023).values()) and len(_chain(archive, 2023)) == 7
    assert archive.report_row(_report_id(2023))["cross_year_failed"] == 0


def test_a_rereading_of_the_later_report_changes_its_check(site, tmp_path):
    archive = Archive(tmp_path / "a.db")
    _store(archive, site, 2022)
    _, parsed = _store(archive, site, 2023)
    reread = copy.deepcopy(parsed.record)
    reread["requests"]["carried_over"] = dict(_truth(site, 2022)["requests"]["carried_forward"])
    assert store_rereading(archive, _report_id(2023), reread, body_text=parsed.text)
    assert all(ok for ok, _ in _chain(archive, 2023).values())
    reread["requests"]["carried_over"]["total"] = None  # a value the reader no longer reads: no check
    store_rereading(archive, _report_id(2023), reread, body_text=parsed.text)
    assert "cross_year.total" not in _chain(archive, 2023) and len(_chain(archive, 2023)) == 6


def test_export_lists_the_cross_year_checks_with_the_records_own(site, tmp_path):
    db = tmp_path / "a.db"
    archive = Archive(db)
    for year in (2022, 2023):
        _store(archive, site, year)
    archive.close()
    result = CliRunner().invoke(main, ["export", "--db", str(db)])
    assert result.exit_code == 0, result.output
    records = {r["year"]: r for r in map(json.loads, result.output.splitlines())}
    rules = {c["rule"]: c for c in records[2023]["checks"]}
    assert {f"cross_year.{c}" for c in applicant_columns()} <= set(rules)
    assert rules["cross_year.total"]["passed"] is False
    assert BASE + _truth(site, 2022)["path"] in rules["cross_year.total"]["detail"]
    assert "requests.balance.total" in rules and "prose.requests.new_requests.total" in rules
    assert not any(c["rule"].startswith("cross_year.") for c in records[2022]["checks"])
    with sqlite3.connect(db) as conn:  # the stored record keeps only its own checks
        stored = json.loads(conn.execute("select record from reports where year = 2023").fetchone()[0])
    assert not any(c["rule"].startswith("cross_year.") for c in stored["checks"])


def test_an_archive_made_before_gets_its_chains(site, tmp_path):
    db = tmp_path / "a.db"
    archive = Archive(db)
    for year in (2022, 2023):
        _store(archive, site, year)
    number = next(i for i, m in enumerate(MIGRATIONS, 1) if m.__name__ == "_m009_cross_checks")
    with archive.transaction() as conn:  # as an archive written before the migration existed
        conn.execute("drop table cross_checks")
        conn.execute("drop index reports_cross_year_failed_year")  # its index today (_m015)
        conn.execute("alter table reports drop column cross_year_failed")
        conn.execute("delete from migrations where version = ?", [number])
    archive.close()
    archive = Archive(db)
    assert {rule: ok for rule, (ok, _) in _chain(archive, 2023).items()} == _expected(site, 2023)
    assert archive.report_row(_report_id(2023))["cross_year_failed"] == 2
