"""Every fixture with a golden record (written by reading the document) parses to it exactly."""

import pytest
from conftest import FILES, golden_paths, load_golden

from archive.parsing import parse
from archive.record.model import numbers_of

GOLDEN = golden_paths()


def _parse(expected: dict) -> dict:
    return parse((FILES / expected["source"]).read_bytes(), content_type=expected.get("content_type"))


EXACT = [p for p in GOLDEN if not load_golden(p).get("stretch")]


@pytest.mark.parametrize("path", EXACT, ids=[p.name.split(".")[0] for p in EXACT])
def test_all_numbers_match_golden(path):
    expected = load_golden(path)
    record = _parse(expected)
    want, got = numbers_of(expected), numbers_of(record)
    wrong = {k: (want[k], got[k]) for k in want if want[k] != got[k]}
    assert not wrong, f"{len(wrong)} numbers differ (expected, parsed): {dict(list(wrong.items())[:10])}"


@pytest.mark.parametrize("path", GOLDEN, ids=[p.name.split(".")[0] for p in GOLDEN])
def test_identity_matches_golden(path):
    expected = load_golden(path)
    record = _parse(expected)
    for field in ("title", "agency", "year", "format", "published"):
        if field in expected:
            assert record[field] == expected[field], field


@pytest.mark.parametrize("path", GOLDEN, ids=[p.name.split(".")[0] for p in GOLDEN])
def test_invariants(path):
    """No null where the document prints a number, and the format's arithmetic holds where the
    golden record says the report itself adds up."""
    expected = load_golden(path)
    record = _parse(expected)
    got = numbers_of(record)
    printed = [k for k, v in numbers_of(expected).items() if v is not None]
    if not expected.get("stretch"):
        assert all(got[k] is not None for k in printed)
    if not expected.get("fails_check") and not expected.get("stretch"):
        failed = [c for c in record["checks"] if not c["passed"]]
        assert not failed, failed[:3]
    for extra in ("legacy_requests_other_processing",):
        if extra in expected:
            assert record.get(extra) == expected[extra]


@pytest.mark.parametrize("path", GOLDEN, ids=[p.name.split(".")[0] for p in GOLDEN])
def test_never_a_wrong_number(path):
    """On every fixture, stretch ones included: a number read is the document's number; a
    number the reader could not place is null, never another row's."""
    expected = load_golden(path)
    record = _parse(expected)
    want, got = numbers_of(expected), numbers_of(record)
    wrong = {k: (want[k], got[k]) for k in want if got[k] is not None and want[k] != got[k]}
    assert not wrong, list(wrong.items())[:10]


def test_stretch_fixtures_are_few():
    assert len(GOLDEN) - len(EXACT) <= 2


def test_six_real_documents_have_goldens():
    names = {load_golden(p)["source"] for p in GOLDEN}
    for seed in ("000_32c2d63033fa8ad9.txt", "004_75fd27514a3859df.txt", "huaian-city-2024.pdf"):
        assert seed in names
