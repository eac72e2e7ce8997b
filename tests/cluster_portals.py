"""Small sample portals of distinct fictional cities, for the scale-out tests and bench.

Each portal is its own host (its own port on 127.0.0.1) with a home page, a report column and
one 2021-format report per (agency, year); every city's agencies have their own names, so each
report has its own identity in the archive. `Truth` holds what each report says, from the
numbers the generator put into it (archive/demo/figures.py), not from any reading of it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta, timezone

from archive.demo import chrome, figures, layouts, prose
from archive.demo.site import Page, Site, format_value

CITIES = ["白石市", "青松市", "金川市", "云岭市", "玉泉市", "临江市", "长宁市", "安平市", "丰源市", "德阳湖市",
          "北辰市", "南溪市", "东岳市", "西岭市", "嘉禾市", "宁远市"]
DEPARTMENTS = ["人民政府", "教育局", "民政局", "财政局", "交通运输局", "卫生健康委员会"]
CST = timezone(timedelta(hours=8))


@dataclass
class Truth:
    path: str
    agency: str
    year: int
    new_requests_total: int
    review_total: int


def build_city_portal(index: int, agencies: int = 2, years: tuple[int, ...] = (2022, 2023, 2024)) -> tuple[Site, list[Truth]]:
    city = CITIES[index]
    column = [("首页", "/"), ("政府信息公开年报", "/zwgk/zfxxgknb/index.html")]
    look = chrome.Chrome(f"{city}人民政府", "/", column, [])
    pages: dict[str, Page] = {}
    items: list[chrome.ListItem] = []
    truth: list[Truth] = []
    for a in range(agencies):
        agency = f"{city}{DEPARTMENTS[a]}"
        for year in years:
            numbers = figures.report_figures(f"{city}:{a}", "government", 40 + 30 * a, year, False, None)
            title = prose.report_title(agency, year)
            published = date(year + 1, 1, 20 + a)
            path = f"/zwgk/zfxxgknb/{published:%Y%m}/t{published:%Y%m%d}_{index}{a}{year}.html"
            doc = layouts.ReportDoc(
                title_lines=[title], intro=prose.intro(agency, year),
                sections=prose.report_sections(figures.rng_for("prose", city, a, year), agency, year, numbers),
                show=lambda key, n=numbers: format_value(key, figures.get(n, key), False),
                signature=[agency, f"{published.year}年{published.month}月{published.day}日"],
            )
            article = chrome.Article(title, published, agency, agency, f"{index}{a}/{year}", column,
                                     layouts.report_body(doc, layouts.OfficialLayout()))
            modified = datetime.combine(published, datetime.min.time(), CST)
            pages[path] = Page(chrome.trs_article(article, look).encode("utf-8"), role="report", modified=modified)
            items.append(chrome.ListItem(title, path, published))
            truth.append(Truth(path, agency, year, numbers["requests"]["new_requests"]["total"],
                               numbers["review_litigation"]["review"]["total"]))
    items.sort(key=lambda i: i.date, reverse=True)
    pages["/zwgk/zfxxgknb/index.html"] = Page(
        chrome.list_page("政府信息公开年报", column, items, "", look).encode("utf-8"), role="list"
    )
    home = chrome.page(f"{city}人民政府", "utf-8", look, '<div class="w1200">欢迎访问</div>')
    pages["/"] = Page(home.encode("utf-8"), role="home")
    pages["/robots.txt"] = Page(b"User-agent: *\nAllow: /\n", "text/plain", role="robots")
    site = Site(state=1, pages=pages, expected_reports=[], lookalikes=[], disallowed=[], changes=[], redirects={},
                flaky={}, dead_links=[], foreign_links=[], traps=[], attachment_pages=[])
    return site, truth


def sources_toml(servers: list) -> str:
    """A sources file with one [[source]] per served portal (named city0, city1 …)."""
    return "\n".join(
        f'[[source]]\nname = "city{i}"\nagency = "{CITIES[i]}人民政府"\nstart_urls = ["{s.base_url}/"]\n'
        for i, s in enumerate(servers)
    )
