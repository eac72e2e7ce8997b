"""A little CSS and JavaScript for the archive's pages, served by the plugin itself.

Kept as strings here (not static files) so they install with the package whatever its
package data says. ``extra_css_urls`` / ``extra_js_urls`` add them to every page.

- CSS: the report view's matrix keeps its Chinese row labels readable and its numbers aligned;
  a table's column descriptions sit in compact columns above it instead of a page-long list.
- JS, on the report-view pages (``?report_id=``): links marked ``same-report`` carry the
  report_id to the sibling queries (checks, versions, links), and a line under the heading
  names the report (agency, year, title, version), read from the reports row's JSON; a second
  line gives its reading summary (record["reading"]: cells read of those expected, failed
  checks, cells read by each rule) and whether it needs review.
"""

from __future__ import annotations

from datasette import hookimpl
from datasette.utils.asgi import NotFound, Response

CSS = """
body.query-report_view .rows-and-columns td:nth-child(2) { min-width: 22em; }
body.query-report_view .rows-and-columns td:nth-child(n+3),
body.query-year_across_agencies .rows-and-columns td:nth-child(n+2),
body.query-agency_years .rows-and-columns td { text-align: right; font-variant-numeric: tabular-nums; }
body.query-report_view .rows-and-columns th { vertical-align: bottom; white-space: normal; max-width: 8em; }
p.report-heading { font-size: 1.1em; font-weight: bold; }
p.report-reading.needs-review { color: #a33; font-weight: bold; }
body.table-reports td.col-title { min-width: 16em; }
body.table-reports td.col-body_text, body.table-reports td.col-record { min-width: 20em; font-size: 0.8em; }
td.col-url { min-width: 14em; max-width: 22em; word-break: break-all; }
dl.column-descriptions { column-width: 24em; column-gap: 2em; font-size: 0.8em; margin: 0.5em 0 1em 0; }
dl.column-descriptions dt { font-weight: bold; break-after: avoid; }
dl.column-descriptions dd { margin: 0 0 0.3em 1em; break-before: avoid; color: #555; }
"""

JS = r"""
document.addEventListener('DOMContentLoaded', function () {
  var id = new URLSearchParams(window.location.search).get('report_id');
  if (!id) { return; }
  document.querySelectorAll('a.same-report').forEach(function (a) {
    var url = new URL(a.getAttribute('href'), window.location.href);
    url.searchParams.set('report_id', id);
    a.href = url.toString();
  });
  var heading = document.querySelector('h1');
  var page = window.location.pathname;
  if (!heading || !/\/report_(view|checks|history|links)$/.test(page)) { return; }
  var rowUrl = page.replace(/\/[^\/]+$/, '/reports/') + encodeURIComponent(id) + '.json?_shape=objects';
  fetch(rowUrl).then(function (r) { return r.ok ? r.json() : null; }).then(function (data) {
    var row = data && data.rows && data.rows[0];
    if (!row) { return; }
    var line = document.createElement('p');
    line.className = 'report-heading';
    line.textContent = [row.agency, row.year, row.title, '第 ' + row.version + ' 版 version ' + row.version]
      .filter(function (part) { return part !== null && part !== undefined; }).join(' · ');
    heading.insertAdjacentElement('afterend', line);
    var record = null;
    try { record = JSON.parse(row.record); } catch (error) { return; }
    var reading = record && record.reading;
    if (!reading) { return; }
    var names = {blank_as_zero: '空白按 0 blank as 0', order: '按行序放置 placed by row order',
                 joined_lines: '分行数字合读 lines joined', split_digits: '连写数字拆分 digits split',
                 ocr: '图像识别 read by OCR'};
    var parts = [row.needs_review ? '需复核 needs review' : '无需复核 no review needed',
                 '读出 ' + reading.cells_read + ' / ' + reading.cells_expected + ' 格 cells read',
                 '校验未通过 ' + reading.checks_failed + ' failed checks'];
    Object.keys(reading.rules || {}).forEach(function (rule) {
      parts.push((names[rule] || rule) + ' ' + reading.rules[rule].length + ' 格 cells');
    });
    var summary = document.createElement('p');
    summary.className = 'report-reading' + (row.needs_review ? ' needs-review' : '');
    summary.textContent = parts.join(' · ');
    line.insertAdjacentElement('afterend', summary);
  }).catch(function () {});
});
"""

ASSETS = {"archive.css": (CSS, "text/css; charset=utf-8"), "archive.js": (JS, "text/javascript; charset=utf-8")}


async def serve_asset(request) -> Response:
    name = request.url_vars["name"]
    if name not in ASSETS:
        raise NotFound(name)
    body, content_type = ASSETS[name]
    return Response(body, content_type=content_type, headers={"Cache-Control": "max-age=3600"})


@hookimpl
def register_routes(datasette):
    return [(r"^/-/govreports/(?P<name>[a-z.]+)$", serve_asset)]


@hookimpl
def extra_css_urls(datasette):
    return [datasette.urls.path("/-/govreports/archive.css")]


@hookimpl
def extra_js_urls(datasette):
    return [datasette.urls.path("/-/govreports/archive.js")]
