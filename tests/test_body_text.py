"""The report's own text (stored, searched, diffed for text revisions) leaves page chrome out,
whether its headings delimit it or trafilatura has to find it."""

from conftest import FILES

from archive.parsing import parse_document

PAGE = (FILES / "html-official-haizhou-2024.html").read_bytes().decode("utf-8")
CHROME = ("浏览次数", "网站地图", "版权所有")


def _chrome_words_in_page():
    return [w for w in CHROME if w in PAGE]


def test_body_from_the_reports_own_container():
    parsed = parse_document(PAGE.encode())
    assert not parsed.timings.get("trafilatura")
    assert "政务公开工作中取得了一定成效" in parsed.text  # section 五's prose
    assert not [w for w in _chrome_words_in_page() if w in parsed.text]


def test_body_from_trafilatura_when_the_headings_do_not_mark_it():
    page = PAGE.replace("一、总体情况", "总体说明")  # no first heading: no container to trust
    parsed = parse_document(page.encode())
    assert parsed.timings.get("trafilatura", 0) > 0
    assert "政务公开工作中取得了一定成效" in parsed.text
    assert not [w for w in _chrome_words_in_page() if w in parsed.text]


def test_page_chrome_exists_in_the_fixture():
    assert _chrome_words_in_page(), "the fixture must carry chrome for these tests to mean anything"
