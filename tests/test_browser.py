"""The archive as a person sees it: real headless Chromium on real Datasette, end to end.

Debian's ``chromium`` and ``chromium-driver`` (and ``fonts-wqy-zenhei`` so that Chinese is not
drawn as boxes) are needed. On a machine without them these tests are skipped with a one-line
reason (the README's test command passes on a fresh clone); with ``GOVREPORTS_BROWSER_TESTS=1``,
which CI's .ci/run sets after installing them, a missing browser fails them instead, naming the
command that installs it. ``GOVREPORTS_CHROMIUM`` / ``GOVREPORTS_CHROMEDRIVER`` name the binaries
when they live elsewhere. Each page must load without a SEVERE
console message, with every script and stylesheet it asks for answered, and with the elements
that prove it rendered (facets, search results, the matrix, chart marks). Screenshots go to
the test's temporary directory.
"""

from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
import urllib.parse
from collections.abc import Iterator
from pathlib import Path

import pytest
from test_datasette import REVISED, Server, make_demo_archive, report_id, running_datasette

CHROMIUM = Path(os.environ.get("GOVREPORTS_CHROMIUM") or shutil.which("chromium") or "/usr/bin/chromium")
CHROMEDRIVER = Path(os.environ.get("GOVREPORTS_CHROMEDRIVER") or shutil.which("chromedriver") or "/usr/bin/chromedriver")
INSTALL = "apt-get install -y chromium chromium-driver fonts-wqy-zenhei"
FLAGS = [
    "--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
    "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run",
    "--disable-extensions", "--disable-default-apps", "--hide-scrollbars", "--window-size=1400,1000",
    "--lang=zh-CN",
]


def _missing_browser() -> str | None:
    """Why the browser tests cannot run here, or None."""
    missing = [str(p) for p in (CHROMIUM, CHROMEDRIVER) if not p.exists()]
    if missing:
        return f"headless Chromium not installed (missing {', '.join(missing)}): `{INSTALL}`"
    if shutil.which("fc-list"):
        fonts = subprocess.run(["fc-list", ":lang=zh", "family"], capture_output=True, text=True).stdout
        if not fonts.strip():
            return f"no Chinese font installed (pages would show boxes): `{INSTALL}`"
    return None


@pytest.fixture(scope="module", autouse=True)
def _require_browser() -> None:
    """First of the module's fixtures: skip (or, when CI asks for them, fail) before any archive
    or server is built."""
    reason = _missing_browser()
    if reason is None:
        return
    if os.environ.get("GOVREPORTS_BROWSER_TESTS") == "1":
        pytest.fail(f"GOVREPORTS_BROWSER_TESTS=1 but {reason}")
    pytest.skip(reason)


@pytest.fixture(scope="module")
def server(tmp_path_factory) -> Iterator[Server]:
    workdir = tmp_path_factory.mktemp("browser-archive")
    db = workdir / "browser-archive.db"
    make_demo_archive(db)
    with running_datasette(db, workdir) as running:
        yield running


@pytest.fixture(scope="module")
def screenshots(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("screenshots")


@pytest.fixture(scope="module")
def browser(tmp_path_factory):
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = str(CHROMIUM)
    for flag in FLAGS:
        options.add_argument(flag)
    options.add_argument(f"--user-data-dir={tmp_path_factory.mktemp('chromium-profile')}")
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    driver = webdriver.Chrome(service=Service(executable_path=str(CHROMEDRIVER)), options=options)
    driver.set_page_load_timeout(30)
    try:
        yield driver
    finally:
        driver.quit()


# --- what every page must satisfy -------------------------------------------------------------
RESOURCES_JS = """
const loaded = {};
for (const entry of performance.getEntriesByType('resource')) {
  loaded[entry.name] = entry.responseStatus || 0;
}
const wanted = [];
document.querySelectorAll('script[src]').forEach(s => wanted.push(s.src));
document.querySelectorAll('link[rel=stylesheet]').forEach(l => wanted.push(l.href));
return {wanted: wanted, loaded: loaded};
"""


def visit(driver, server: Server, path: str, shots: Path, name: str, ready=None, **params) -> None:
    """Open a page, wait until ``ready(driver)`` holds, screenshot it, and check its health."""
    from selenium.webdriver.support.ui import WebDriverWait

    driver.get_log("browser")  # drop what earlier pages left
    driver.get(server.url(path, **params))
    WebDriverWait(driver, 10).until(lambda d: d.execute_script("return document.readyState") == "complete")
    if ready is not None:
        WebDriverWait(driver, 15).until(ready, message=f"{name}: the page did not render what it should")
    driver.save_screenshot(str(shots / f"{name}.png"))
    assert_healthy(driver, name)


def assert_healthy(driver, name: str) -> None:
    severe = [e for e in driver.get_log("browser") if e["level"] == "SEVERE"]
    assert not severe, f"{name}: console errors {severe}"
    resources = driver.execute_script(RESOURCES_JS)
    assert resources["wanted"], f"{name}: no scripts or stylesheets at all?"
    for url in resources["wanted"]:
        assert url in resources["loaded"], f"{name}: {url} was never loaded"
        assert resources["loaded"][url] in (200, 304), f"{name}: {url} answered {resources['loaded'][url]}"
        assert urllib.parse.urlsplit(url).hostname == "127.0.0.1", f"{name}: loads {url} from off the machine"


def _count(driver, css: str) -> int:
    return driver.execute_script("return document.querySelectorAll(arguments[0]).length", css)


# --- the pages --------------------------------------------------------------------------------
def test_home_page(browser, server, screenshots):
    visit(browser, server, "/", screenshots, "home", lambda d: _count(d, "h1") > 0)
    assert "政府信息公开工作年度报告档案" in browser.title
    assert _count(browser, f'a[href="{server.name}/latest_reports"]') == 1
    assert _count(browser, 'a[href="-/dashboards/overview"]') == 1


def test_reports_table_with_facets(browser, server, screenshots):
    visit(browser, server, "/DB/reports", screenshots, "reports-facets",
          lambda d: _count(d, ".facet-info") >= 4 and _count(d, "table.rows-and-columns tbody tr") > 0)
    facets = browser.execute_script(
        "return [...document.querySelectorAll('.facet-info')].map(f => f.getAttribute('data-column'))")
    assert {"year", "agency", "format", "failed_checks"} <= set(facets)
    assert _count(browser, "table.rows-and-columns tbody tr") == 28
    assert _count(browser, "td.col-title a[href*='report_view?report_id=']") == 28
    assert _count(browser, "td.col-capture_id a[href*='/-/capture/']") == 28


def test_search_for_a_two_character_word(browser, server, screenshots):
    from selenium.webdriver.common.by import By

    visit(browser, server, "/DB/reports", screenshots, "search-form", lambda d: _count(d, "input#_search") == 1)
    box = browser.find_element(By.CSS_SELECTOR, "input#_search")
    box.send_keys("公开")
    box.submit()
    from selenium.webdriver.support.ui import WebDriverWait

    # submit() returns before the navigation starts: wait for the search URL first
    WebDriverWait(browser, 15).until(lambda d: "_search=" in d.current_url)
    visit(browser, server, browser.current_url.replace(server.base, ""), screenshots, "search-公开",
          lambda d: "_search=" in d.current_url and _count(d, "table.rows-and-columns tbody tr") > 0)
    assert urllib.parse.parse_qs(urllib.parse.urlsplit(browser.current_url).query)["_search"] == ["公开"]
    assert "search matches" in browser.find_element(By.CSS_SELECTOR, "h3").text
    assert _count(browser, "table.rows-and-columns tbody tr") == 28


def test_report_view_matrix(browser, server, screenshots):
    rid = report_id(server.db, *REVISED)
    visit(browser, server, "/DB/report_view", screenshots, "report-view",
          lambda d: _count(d, "table.rows-and-columns tbody tr") == 25, report_id=rid)
    headings = browser.execute_script(
        "return [...document.querySelectorAll('table.rows-and-columns th')].map(th => th.innerText.trim())")
    assert headings[:3] == ["序号", "项目", "自然人"] and "总计" in headings
    assert "一、本年新收政府信息公开申请数量" in browser.find_element("css selector", "table.rows-and-columns").text
    # the sibling links carry this report's id (archive.js)
    hrefs = browser.execute_script("return [...document.querySelectorAll('a.same-report')].map(a => a.href)")
    assert len(hrefs) == 3 and all(f"report_id={rid}" in h for h in hrefs)
    # and the page says which report it is (archive.js)
    from selenium.webdriver.support.ui import WebDriverWait

    WebDriverWait(browser, 10).until(lambda d: _count(d, "p.report-heading") == 1)
    heading = browser.find_element("css selector", "p.report-heading").text
    assert heading.startswith(f"{REVISED[0]} · {REVISED[1]} · ")
    # and how it was read: the reading summary and the review flag (archive.js, record["reading"])
    WebDriverWait(browser, 10).until(lambda d: _count(d, "p.report-reading") == 1)
    summary = browser.find_element("css selector", "p.report-reading").text
    assert "格 cells read" in summary and ("需复核 needs review" in summary or "无需复核" in summary)
    assert_healthy(browser, "report-view heading")


def test_dashboard_draws_its_charts(browser, server, screenshots):
    def drawn(d) -> bool:
        return (_count(d, "#chart-requests_by_year svg .mark-symbol.role-mark path") > 0
                and _count(d, "#chart-outcomes_by_agency svg .mark-rect.role-mark path") > 0
                and _count(d, "#chart-applicants_by_agency svg .mark-rect.role-mark path") > 0)

    browser.set_window_size(1400, 1900)
    try:
        visit(browser, server, "/-/dashboards/overview", screenshots, "dashboard", drawn)
        assert browser.find_element("css selector", "#chart-reports_count").text.strip() == "28 份"
        with sqlite3.connect(server.db) as conn:
            years = conn.execute("select count(distinct year) from request_cells").fetchone()[0]
        assert years >= 6
        assert _count(browser, "#chart-requests_by_year svg .mark-symbol.role-mark path") == 4 * years  # a point per year and measure
        visit(browser, server, "/-/dashboards/overview", screenshots, "dashboard-2023", drawn, year="2023")
        agencies = browser.execute_script(
            "return [...document.querySelectorAll('#chart-outcomes_by_agency svg .role-axis-label text')]"
            ".map(t => t.textContent)")
        assert "清河市发展和改革委员会" in agencies
    finally:
        browser.set_window_size(1400, 1000)
