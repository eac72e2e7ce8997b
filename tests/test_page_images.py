"""A report page whose statistics tables are pictures: the crawl fetches its images with it,
the parse worker reads them by OCR as the page's tables, the archive keeps them with the page's
capture, and a re-read reads them again from there — no web.

The sample portal's server (archive/demo/server.py) serves a small portal built here: a report
column linking one report page whose sections 二, 三 and 四 are PNG images drawn with known
numbers (tests/scans.py, tests/files/fixture_numbers.py), plus a logo and a QR code in its
chrome, which are no tables and must not be fetched."""

from __future__ import annotations

import json
import sqlite3
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent / "files"))
from fixture_numbers import lookup, report_numbers  # noqa: E402
from portal import FAST, govreports  # noqa: E402
from scans import as_png, table_image  # noqa: E402

from archive.demo.server import PortalServer  # noqa: E402
from archive.demo.site import Page, Site  # noqa: E402
from archive.record.model import numbers_of  # noqa: E402

TITLE = "西山区人民政府办公室2024年政府信息公开工作年度报告"
COLUMN = "/zwgk/zfxxgknb/index.html"
REPORT = "/zwgk/zfxxgknb/202501/t20250120_7001.html"
IMAGES = {"二": "/zwgk/zfxxgknb/202501/W020250120_t2.png", "三": "/zwgk/zfxxgknb/202501/W020250120_t3.png",
          "四": "/zwgk/zfxxgknb/202501/W020250120_t4.png"}
CHROME_IMAGES = ("/images/logo.png", "/images/qrcode.png")
NUMBERS = report_numbers(7, 8.5)


def _report_page() -> str:
    image = {s: f'<p style="text-align:center"><img src="{p.rsplit("/", 1)[1]}" width="800" alt="表格"/></p>'
             for s, p in IMAGES.items()}
    return f"""<!DOCTYPE html><html><head><meta charset="utf-8"><title>{TITLE}</title></head><body>
<div class="header"><img src="/images/logo.png" alt="西山区人民政府"></div>
<div class="article"><h1>{TITLE}</h1><div class="info">发布时间：2025-01-20</div>
<p>本报告根据《中华人民共和国政府信息公开条例》编制。</p>
<p>一、总体情况</p><p>2024年，西山区人民政府办公室认真贯彻落实政府信息公开各项要求，主动公开政府信息。</p>
<p>二、主动公开政府信息情况</p>{image["二"]}
<p>三、收到和处理政府信息公开申请情况</p>{image["三"]}
<p>四、政府信息公开行政复议、行政诉讼情况</p>{image["四"]}
<p>五、存在的主要问题及改进情况</p><p>公开内容的针对性还需加强。下一步将加强培训。</p>
<p>六、其他需要报告的事项</p><p>本年度未收取信息处理费。</p></div>
<div class="footer"><img src="/images/qrcode.png" width="100" height="100" alt="扫一扫"></div></body></html>"""


def _site() -> Site:
    column = (f'<html><head><meta charset="utf-8"><title>政府信息公开年报</title></head><body><h1>政府信息公开年报</h1>'
              f'<ul><li><a href="{REPORT}">{TITLE}</a><span>2025-01-20</span></li></ul></body></html>')
    pages = {
        COLUMN: Page(column.encode(), role="column"),
        REPORT: Page(_report_page().encode(), role="report"),
        **{path: Page(as_png(table_image(NUMBERS, section, 0.8)), "image/png", role="asset", encoding=None)
           for section, path in IMAGES.items()},
        **{path: Page(as_png(table_image(NUMBERS, "四", 0.1)), "image/png", role="asset", encoding=None)
           for path in CHROME_IMAGES},
    }
    return Site(state=1, pages=pages, expected_reports=[], lookalikes=[], disallowed=[], changes=[], redirects={},
                flaky={}, dead_links=[], foreign_links=[], traps=[], attachment_pages=[])


@pytest.fixture(scope="module")
def crawled(tmp_path_factory):
    db = tmp_path_factory.mktemp("page-images") / "archive.db"
    # OCR takes 2–30 s an image as the machine is idle or busy: no budget cuts this test short
    budget = pytest.MonkeyPatch()
    budget.setenv("GOVREPORTS_OCR_TIME_BUDGET", "540")
    with PortalServer(_site()) as server:
        result = govreports("crawl", server.base_url + COLUMN, "--db", str(db), *FAST, "-s", "GOVREPORTS_SITEMAPS=False",
                            "-s", "GOVREPORTS_PARSE_TIME_BUDGET=600", timeout=900)
        paths = server.requested_paths()
    assert result.returncode == 0, result.stderr[-3000:]
    yield db, paths
    budget.undo()


def _record(db: Path) -> dict:
    with sqlite3.connect(db) as conn:
        (record,) = conn.execute("select record from reports").fetchone()
    return json.loads(record)


def test_the_crawl_fetches_the_table_images_and_not_the_chrome(crawled):
    _, paths = crawled
    assert all(paths.count(p) == 1 for p in IMAGES.values()), paths
    assert not set(CHROME_IMAGES) & set(paths)


def test_the_tables_are_read_from_the_images_with_ocr_provenance(crawled):
    db, _ = crawled
    record = _record(db)
    assert (record["title"], record["year"], record["format"]) == (TITLE, 2024, "2021")
    assert "overview" in record["sections"] and "problems" in record["sections"]  # the page's text
    numbers = numbers_of(record)
    wrong = {k: (v, lookup(NUMBERS, k)) for k, v in numbers.items() if v is not None and v != lookup(NUMBERS, k)}
    assert wrong == {}
    tables = [k for k in numbers if k.startswith(("requests.", "review_litigation."))]
    read = sorted(k for k in tables if numbers[k] is not None)
    assert len(read) >= 0.6 * len(tables), len(read)
    assert sorted(record["reading"]["rules"]["ocr"]) == read  # every OCR cell is marked
    assert any("images 1–3 read by OCR" in w for w in record["warnings"])
    # section 二 has no arithmetic: what OCR read there is shown, never kept
    assert all(numbers[k] is None for k in numbers if k.startswith("active_disclosure."))
    assert any(w.startswith("OCR: section 二") for w in record["warnings"])
    assert record["needs_review"]


def test_the_images_are_kept_with_the_capture_and_reread_without_the_web(crawled):
    db, _ = crawled
    with sqlite3.connect(db) as conn:
        rows = conn.execute(
            "select i.position, i.url, i.content_type, i.size from page_images i"
            " join reports r on r.capture_id = i.capture_id order by i.position"
        ).fetchall()
    assert [(p, u.split("/", 3)[3], t) for p, u, t, _ in rows] == [
        (1, IMAGES["二"].lstrip("/"), "image/png"), (2, IMAGES["三"].lstrip("/"), "image/png"),
        (3, IMAGES["四"].lstrip("/"), "image/png")]
    before = _record(db)
    result = govreports("reparse", "--db", str(db), timeout=900)  # the portal is down by now
    assert result.returncode == 0, result.stderr[-3000:]
    after = _record(db)
    assert numbers_of(after) == numbers_of(before)
    assert after["reading"]["rules"]["ocr"] == before["reading"]["rules"]["ocr"]
