"""The plan of the demo portal: who publishes, in which column, with which CMS, layout and trap.

清河市 is a fictional prefecture-level city (its 河东区 district and 东关街道 street office too):
every report of it is generated, so no real agency is credited with made-up numbers. The one
real report on the portal, 淮安市人民政府's 2024 PDF, sits in a column that re-hosts other
cities' reports, as provincial compilations and mirrors do (docs/PORTALS.md §6).

Reading this file top to bottom tells where every feature of the portal lives; site.py only
turns the plan into pages.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta

from .figures import rng_for


@dataclass(frozen=True)
class Agency:
    key: str
    name: str
    source: str  # what pages print as 来源 / 发布机构
    kind: str  # government / department / district / street
    scale: int  # typical requests a year
    code: str  # 统一社会信用代码, embedded in 索引号


@dataclass(frozen=True)
class Column:
    """A report column (栏目): where its list pages live and how they paginate."""

    key: str
    name: str
    index: str  # path of the first list page
    style: str  # trs (index_N.html via script) / query (?page=N) / next_last / plain
    cms: str  # article template: trs / hanweb / gd / classic
    per_page: int
    crumbs: tuple[tuple[str, str], ...]
    site: str = "city"  # which chrome: the city portal or the 河东区 sub-portal
    encoding: str = "utf-8"  # utf-8 or gbk-meta (charset only in <meta>)

    @property
    def folder(self) -> str:
        return self.index.rsplit("/", 1)[0] + "/"

    def page_paths(self, count: int) -> list[str]:
        """Paths of the list pages, page 1 first."""
        if self.style in ("trs", "next_last"):  # TRS counts index_1, index_2 …; 政务云 starts at index_2
            first = 1 if self.style == "trs" else 2
            return [self.index] + [f"{self.folder}index_{n}.html" for n in range(first, first + count - 1)]
        if self.style == "query":
            return [self.index] + [f"{self.index}?page={n}" for n in range(2, count + 1)]
        return [self.index]


@dataclass
class ReportSpec:
    agency: Agency
    year: int
    column: Column
    layout: str = "official"  # official / word / editor
    legacy: bool = False  # printed in the 2019 (60号) format
    title_style: str = "canonical"
    title_lines: list[str] | None = None  # the title as broken over lines on the page
    media: str = "html"  # html / docx / pdf
    charset: str = "utf-8"  # utf-8 / gbk-header / gbk-meta
    active_image: bool = False  # section 二 pasted as an image: its numbers are not on the page
    thousands: bool = False  # big numbers printed with thousands separators
    marks: dict[str, str] = field(default_factory=dict)  # dotted key → cell text ("/", "－", full-width)
    blank_zeros: bool = False  # every 0 printed as an empty cell, as many reports print them
    fails_check: bool = False
    url_lag: int = 0  # the URL date lags the 发布时间 (docs/PORTALS.md §6: don't trust URL dates)
    notes: list[str] = field(default_factory=list)
    published_on: date | None = None  # a fixed 发布日期 (a late report); else drawn before the deadline
    chain_break: int = 0  # 二、上年结转 (自然人) this much above last year's 四、结转下年度: a broken chain
    prose_misstates: int = 0  # 一、总体情况 states 一、本年新收 总计 this much above the table's

    @property
    def published(self) -> date:
        if self.published_on is not None:
            return self.published_on
        rng = rng_for("published", self.agency.key, self.year)
        if self.agency.kind in ("government", "district"):
            return date(self.year + 1, 2, 1) + timedelta(days=rng.randint(0, 52))
        return date(self.year + 1, 1, 6) + timedelta(days=rng.randint(0, 24))


CITY_NAME = "清河市"
CITY_CRUMBS = (("首页", "/"), ("政务公开", "/zwgk/index.html"), ("政府信息公开", "/zwgk/zfxxgk/index.html"),
               ("政府信息公开年报", "/zwgk/zfxxgk/zfxxgknb/index.html"))
HDQ_CRUMBS = (("首页", "/hdq/index.html"), ("政务公开", "/hdq/zwgk/index.html"),
              ("信息公开年报", "/hdq/zwgk/xxgknb/index.html"))

CITY = Agency("city", "清河市人民政府", "清河市人民政府办公室", "government", 260, "11321300014123456X")
FGW = Agency("fgw", "清河市发展和改革委员会", "市发展改革委", "department", 30, "113213000141234571")
WJW = Agency("wjw", "清河市卫生健康委员会", "市卫生健康委", "department", 70, "11321300MB1234567Y")
HDQ = Agency("hdq", "清河市河东区人民政府", "河东区人民政府办公室", "district", 110, "11321302014567890A")
DGJD = Agency("dgjd", "河东区东关街道办事处", "东关街道办事处", "street", 3, "11321302014567912B")
HUAIAN = Agency("huaian", "淮安市人民政府", "淮安市人民政府办公室", "government", 3000, "11320800014135858K")

COLUMNS = {
    "sbj": Column("sbj", "市政府年报", "/zwgk/zfxxgk/zfxxgknb/sbj/index.html", "trs", "trs", 7,
                  CITY_CRUMBS + (("市政府年报", "/zwgk/zfxxgk/zfxxgknb/sbj/index.html"),)),
    "fgw": Column("fgw", "市发展改革委年报", "/col/col1229/index.html", "query", "hanweb", 4,
                  CITY_CRUMBS + (("市级部门年报", "/zwgk/zfxxgk/zfxxgknb/bm/index.html"),
                                 ("市发展改革委", "/col/col1229/index.html"))),
    "wjw": Column("wjw", "市卫生健康委年报", "/zwgk/zfxxgk/zfxxgknb/swjw/index.html", "next_last", "gd", 4,
                  CITY_CRUMBS + (("市级部门年报", "/zwgk/zfxxgk/zfxxgknb/bm/index.html"),
                                 ("市卫生健康委", "/zwgk/zfxxgk/zfxxgknb/swjw/index.html"))),
    "hdq": Column("hdq", "区政府信息公开年报", "/hdq/zwgk/xxgknb/index.html", "plain", "classic", 20,
                  HDQ_CRUMBS, site="hdq", encoding="gbk-meta"),
    "dgjd": Column("dgjd", "街道信息公开年报", "/hdq/zwgk/xxgknb/jdnb/index.html", "plain", "classic", 20,
                   HDQ_CRUMBS + (("街道年报", "/hdq/zwgk/xxgknb/jdnb/index.html"),), site="hdq", encoding="gbk-meta"),
    "ssnb": Column("ssnb", "省内设区市年报", "/zwgk/zfxxgk/zfxxgknb/ssnb/index.html", "plain", "trs", 20,
                   CITY_CRUMBS + (("省内设区市年报", "/zwgk/zfxxgk/zfxxgknb/ssnb/index.html"),)),
}

# The extra columns that extra_reports fills, one per pagination style.
EXTRA_COLUMNS = [
    Column("x_bm", "市级部门年报汇总", "/zwgk/zfxxgk/zfxxgknb/bmnb/index.html", "trs", "trs", 15,
           CITY_CRUMBS + (("市级部门年报汇总", "/zwgk/zfxxgk/zfxxgknb/bmnb/index.html"),)),
    Column("x_qx", "区县部门年报", "/col/col2001/index.html", "query", "hanweb", 15,
           CITY_CRUMBS + (("区县部门年报", "/col/col2001/index.html"),)),
    Column("x_jd", "乡镇（街道）年报", "/zwgk/zfxxgk/zfxxgknb/xzjd/index.html", "next_last", "gd", 15,
           CITY_CRUMBS + (("乡镇（街道）年报", "/zwgk/zfxxgk/zfxxgknb/xzjd/index.html"),)),
]

# (agency, year) of the reports that state 2 changes, and how.
REVISED = ("fgw", 2023)  # two or three numbers corrected
BOILERPLATE_ONLY = ("city", 2022)  # republished with new chrome only
TEXT_REVISED = ("wjw", 2023)  # 五、存在的主要问题及改进情况 rewritten
NEW_IN_STATE_2 = ("dgjd", 2025)
REMOVED_IN_STATE_2 = ("wjw", 2021)
FLAKY = ("fgw", 2022)  # answers 500 twice, then 200
REDIRECTED = ("city", 2021)  # an old URL of it answers 301


def _street_marks(legacy: bool) -> dict[str, str]:
    """A street office has no 规章 or 规范性文件: its section-二 cells print "/"."""
    if legacy:
        return {}
    keys = ["regulations_issued", "regulations_repealed", "regulations_in_force",
            "normative_documents_issued", "normative_documents_repealed", "normative_documents_in_force"]
    return {f"active_disclosure.{k}": "/" for k in keys}


def main_reports(state: int) -> list[ReportSpec]:
    """Every report of the portal proper, oldest first per agency (figures chain in this order)."""
    c = COLUMNS
    specs = [
        ReportSpec(CITY, 2019, c["sbj"], "word", legacy=True, title_style="nian_du"),
        ReportSpec(CITY, 2020, c["sbj"], "word", legacy=True),
        ReportSpec(CITY, 2021, c["sbj"], "editor", notes=["also reachable through a 301 from an old URL"]),
        ReportSpec(CITY, 2022, c["sbj"], "editor", url_lag=5),
        ReportSpec(CITY, 2023, c["sbj"], "official", thousands=True, chain_break=3,
                   notes=["二、上年结转 of 自然人 is 3 more than the 2022 report's 四、结转下年度: a broken chain"]),
        ReportSpec(CITY, 2024, c["sbj"], "editor", thousands=True),
        ReportSpec(FGW, 2019, c["fgw"], "official", legacy=True),
        ReportSpec(FGW, 2020, c["fgw"], "official", legacy=True, title_style="short"),
        ReportSpec(FGW, 2021, c["fgw"], "official"),
        ReportSpec(FGW, 2022, c["fgw"], "official", published_on=date(2023, 2, 1),
                   notes=["answers 500 twice before 200",
                          "published 2023-02-01: one day after a department's deadline (31 January)"]),
        ReportSpec(FGW, 2023, c["fgw"], "official"),
        ReportSpec(FGW, 2024, c["fgw"], "word", prose_misstates=10,
                   notes=["its prose states 10 more new requests than its table (a prose check fails)"]),
        ReportSpec(WJW, 2019, c["wjw"], "word", legacy=True, title_style="nian_du"),
        ReportSpec(WJW, 2020, c["wjw"], "word", legacy=True, title_style="nian_du", fails_check=True,
                   notes=[("（七）总计 of the 自然人 column is 6 less than its result rows (R3 fails in the "
                           "自然人 and 总计 columns); R1, R2, R4 hold")]),
        ReportSpec(WJW, 2021, c["wjw"], "word", title_style="nian_du"),
        ReportSpec(WJW, 2022, c["wjw"], "word", title_style="nian_du", charset="gbk-header",
                   notes=["GBK bytes; charset only in the HTTP Content-Type header, none in the HTML"]),
        ReportSpec(WJW, 2023, c["wjw"], "word", title_style="nian_du"),
        ReportSpec(WJW, 2024, c["wjw"], "word", title_style="nian_du",
                   marks={"requests.new_requests.natural_person": "full-width"},
                   notes=["one cell printed in full-width digits"]),
        ReportSpec(HDQ, 2020, c["hdq"], "official", legacy=True),
        ReportSpec(HDQ, 2021, c["hdq"], "official",
                   title_lines=["清河市河东区人民政府2021年政府", "信息公开工作年度报告"],
                   notes=["title broken mid-word over two lines"]),
        ReportSpec(HDQ, 2022, c["hdq"], "official", media="docx",
                   notes=["the page only says 详见附件; the numbers are in the .docx"]),
        ReportSpec(HDQ, 2023, c["hdq"], "word", title_style="year_first", published_on=date(2024, 4, 18),
                   notes=["published 2024-04-18: 18 days after a government's deadline (31 March)"]),
        ReportSpec(HDQ, 2024, c["hdq"], "editor", thousands=True, blank_zeros=True,
                   notes=["every zero cell printed empty"]),
        ReportSpec(DGJD, 2021, c["dgjd"], "official", legacy=True,
                   notes=["a straggler: a 2021 report still printed in the 2019 (60号) format"]),
        ReportSpec(DGJD, 2022, c["dgjd"], "editor", active_image=True, marks=_street_marks(False),
                   notes=["section 二 is an image: its ten numbers are null"]),
        ReportSpec(DGJD, 2023, c["dgjd"], "editor", title_style="no_agency", marks=_street_marks(False),
                   notes=["title without the agency (关于2023年度政府信息公开情况的报告)"]),
        ReportSpec(DGJD, 2024, c["dgjd"], "editor", marks=_street_marks(False),
                   title_lines=["河东区东关街道办事处", "2024年政府信息公开工作年度报告"]),
    ]
    if state == 2:
        specs.append(ReportSpec(DGJD, 2025, c["dgjd"], "editor", marks=_street_marks(False)))
    return specs


# --- Extra agencies for benchmarks ------------------------------------------------------------
DEPARTMENTS = [
    "教育局", "科学技术局", "工业和信息化局", "公安局", "民政局", "司法局", "财政局", "人力资源和社会保障局",
    "自然资源和规划局", "生态环境局", "住房和城乡建设局", "交通运输局", "水利局", "农业农村局", "商务局",
    "文化广电和旅游局", "退役军人事务局", "应急管理局", "审计局", "市场监督管理局", "统计局", "医疗保障局",
    "城市管理局", "信访局", "行政审批局", "数据局", "体育局", "林业局", "民族宗教事务局", "机关事务管理局",
    "人民防空办公室", "档案局", "粮食和物资储备局", "乡村振兴局", "外事办公室", "地方金融管理局",
]
DISTRICTS = ["河东区", "河西区", "清河县", "临河县"]
TOWNS = [
    "城关镇", "新集镇", "柳堡镇", "双沟镇", "王集镇", "高庄镇", "李口镇", "张圩镇", "马厂镇", "杨庄镇",
    "周集镇", "黄河街道", "淮河街道", "运河街道", "文昌街道", "永安街道", "新华街道", "人民街道", "朝阳街道",
    "幸福街道",
]
EXTRA_YEARS = (2021, 2022, 2023, 2024)


def extra_agencies() -> list[Agency]:
    """City departments, district departments, then towns and streets (260 agencies)."""
    out = []
    for i, dept in enumerate(DEPARTMENTS):
        out.append(Agency(f"x{len(out)}", f"清河市{dept}", f"市{dept}", "department", 5 + (i * 7) % 40,
                          f"1132130001{4200 + i:04d}00X"))
    for d, district in enumerate(DISTRICTS):
        for i, dept in enumerate(DEPARTMENTS):
            out.append(Agency(f"x{len(out)}", f"{district}{dept}", f"{district}{dept}", "department",
                              (i * 3 + d) % 15, f"113213{d:02d}01{4300 + i:04d}0Y"))
    for d, district in enumerate(DISTRICTS):
        for i, town in enumerate(TOWNS):
            suffix = "人民政府" if town.endswith("镇") else "办事处"
            out.append(Agency(f"x{len(out)}", f"{district}{town}{suffix}", f"{town}{suffix}", "street",
                              (i + d) % 6, f"113213{d:02d}02{4400 + i:04d}0Z"))
    return out


def extra_reports(n: int) -> list[ReportSpec]:
    """``n`` generated reports: four years per agency, agencies spread over the extra columns."""
    agencies = extra_agencies()
    capacity = len(agencies) * len(EXTRA_YEARS)
    if n > capacity:
        raise ValueError(f"extra_reports={n}: the demo portal has room for at most {capacity}")
    layouts = ("official", "word", "editor")
    specs = []
    for k in range(n):
        i, y = divmod(k, len(EXTRA_YEARS))
        agency = agencies[i]
        specs.append(ReportSpec(agency, EXTRA_YEARS[y], EXTRA_COLUMNS[i % 3], layouts[(i + y) % 3],
                                marks=_street_marks(False) if agency.kind == "street" else {}))
    return specs
