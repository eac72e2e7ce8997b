"""The words of the demo portal: report prose, titles, look-alike pages and news headlines.

Written after real published reports: the same six sections, the same stock
phrases (先审后发, 三审三校, 5·15政务公开日 …), the totals restated in 一、总体情况 (so a soft
cross-check has something to find). Choices are drawn from a seeded generator, so each agency
and year reads a little differently but every build is identical.
"""

from __future__ import annotations

import random
from typing import Any

Paragraphs = list[str]

# --- Titles ------------------------------------------------------------------------------------
TITLE_STYLES = {
    "canonical": "{agency}{year}年政府信息公开工作年度报告",
    "nian_du": "{agency}{year}年度政府信息公开工作年度报告",
    "year_first": "{year}年{agency}政府信息公开工作年度报告",
    "short": "{agency}{year}年政府信息公开年度报告",
    "no_agency": "关于{year}年度政府信息公开情况的报告",
}


def report_title(agency: str, year: int, style: str = "canonical") -> str:
    return TITLE_STYLES[style].format(agency=agency, year=year)


# --- Report sections -------------------------------------------------------------------------
ACTIVE_PHRASES = [
    "坚持以公开为常态、不公开为例外，围绕中心工作做好主动公开",
    "聚焦群众关切，持续加大重点领域信息公开力度",
    "严格落实《中华人民共和国政府信息公开条例》，做好法定主动公开内容的发布和更新",
]
MANAGEMENT_PHRASES = [
    "严格执行“先审后发”和“谁发布、谁负责”的原则，落实“三审三校”制度",
    "规范公文公开属性源头认定，对拟公开信息逐条进行保密审查",
    "动态调整政府信息公开目录，及时清理过期失效信息",
]
PLATFORM_PHRASES = [
    "持续优化政府门户网站政府信息公开专栏，规范“法定主动公开内容”栏目设置",
    "依托政务新媒体矩阵，第一时间发布政策文件和解读信息",
    "在便民服务中心设置政府信息公开查阅点，方便群众就近查阅",
]
SUPERVISION_PHRASES = [
    "将政务公开工作纳入年度绩效考核，定期开展自查和通报",
    "组织开展政务公开业务培训，不断提升工作人员业务能力",
    "主动接受社会监督，全年未发生因政务公开工作引发的责任追究事件",
]
PROBLEMS = [
    "一是公开内容的深度和广度还需进一步拓展，政策解读形式较为单一；二是政务公开工作人员业务能力有待提升。",
    "一是部分栏目信息更新不够及时；二是依申请公开答复的规范化水平还需提高；三是基层政务公开标准化规范化建设仍需深化。",
    "一是主动公开信息的质量有待提高，图解、视频等解读形式运用不多；二是政务公开工作机制还需进一步健全。",
]
IMPROVEMENTS = [
    "下一步，将持续加强业务培训，严格落实信息发布审核制度，进一步提升政务公开工作质效。",
    "下一步，将聚焦群众关切，丰富政策解读形式，及时更新各栏目内容，不断提升公开实效。",
    "下一步，将完善依申请公开办理机制，加强答复文书规范化建设，依法保障群众知情权。",
]
REVISED_PROBLEMS = (
    "经复核，本年度存在的主要问题还包括：政府信息公开指南更新不及时，个别栏目存在空白栏目情况。"
    "针对上述问题，已于次年一季度完成整改，并建立栏目定期巡查机制。"
)


def _count_sentence(year: int, figures: dict[str, Any]) -> str:
    req = figures["requests"]
    new = req["new_requests"]["total"]
    if not new:
        return f"{year}年，本机关未收到政府信息公开申请。"
    opened = (req["granted"]["total"] or 0) + (req["partially_granted"]["total"] or 0)
    rl = figures["review_litigation"]
    return (
        f"{year}年共收到政府信息公开申请{new}件，上年结转{req['carried_over']['total']}件；"
        f"已办结{req['total_processed']['total']}件，其中予以公开及部分公开{opened}件；"
        f"结转下年度继续办理{req['carried_forward']['total']}件。"
        f"因政府信息公开工作被申请行政复议{rl['review']['total']}件，"
        f"提起行政诉讼{rl['litigation_direct']['total'] + rl['litigation_after_review']['total']}件。"
    )


def report_sections(
    rng: random.Random, agency: str, year: int, figures: dict[str, Any], revised_problems: bool = False
) -> dict[str, Paragraphs]:
    """Prose of sections 一, 五 and 六 (record keys overview / problems / other_matters)."""
    news = rng.randint(80, 2400)
    overview = [
        "（一）主动公开",
        (f"{rng.choice(ACTIVE_PHRASES)}。{year}年，通过政府门户网站主动公开各类政府信息{news}条，"
         f"开展第{year - 2006}届“5·15政务公开日”宣传活动。"),
        "（二）依申请公开",
        _count_sentence(year, figures) + "所有申请均在法定期限内答复。",
        "（三）政府信息管理",
        f"{rng.choice(MANAGEMENT_PHRASES)}，确保公开信息准确、规范、安全。",
        "（四）政府信息公开平台建设",
        f"{rng.choice(PLATFORM_PHRASES)}。",
        "（五）监督保障",
        f"{rng.choice(SUPERVISION_PHRASES)}。",
    ]
    problems = [rng.choice(PROBLEMS), rng.choice(IMPROVEMENTS)]
    if revised_problems:
        problems.append(REVISED_PROBLEMS)
    fee = rng.choice(
        [
            "本年度未收取信息处理费。",
            "按照《政府信息公开信息处理费管理办法》（国办函〔2020〕109号）规定，本年度没有产生信息处理费。",
            (f"本年度无收取信息处理费情况。本年度共办理人大代表建议{rng.randint(0, 30)}件、"
             f"政协委员提案{rng.randint(0, 40)}件，均已按时办结。"),
        ]
    )
    return {"overview": overview, "problems": problems, "other_matters": [fee]}


def intro(agency: str, year: int) -> str:
    return (
        f"本报告根据《中华人民共和国政府信息公开条例》（以下简称《条例》）和《国务院办公厅政府信息与政务公开办公室"
        f"关于印发〈中华人民共和国政府信息公开工作年度报告格式〉的通知》要求编制。报告所列数据的统计期限自{year}年1月1日起"
        f"至{year}年12月31日止。本报告电子版可在“清河市人民政府”门户网站（www.qinghe.gov.cn）查阅或下载。"
        f"如对本报告有疑问，请与{agency}联系。"
    )


# --- Look-alike pages (they live in the report columns and must not be archived as reports) ------
def interpretation(agency: str, year: int, figures: dict[str, Any]) -> Paragraphs:
    req = figures["requests"]["new_requests"]["total"]
    return [
        f"近日，{agency}发布了{year}年政府信息公开工作年度报告。为便于公众更好地了解报告内容，现就有关情况解读如下。",
        "一、编制依据",
        ("报告依据《中华人民共和国政府信息公开条例》和年度报告格式要求编制，全文包括总体情况、主动公开政府信息情况、"
         "收到和处理政府信息公开申请情况、政府信息公开行政复议和行政诉讼情况、存在的主要问题及改进情况、其他需要报告的事项六个部分。"),
        "二、主要内容",
        f"{year}年，{agency}共收到政府信息公开申请{req}件，均依法在法定期限内予以答复。",
        "三、下一步工作",
        "将持续深化政务公开，进一步提高政府工作透明度。",
    ]


def infographic(agency: str, year: int) -> Paragraphs:
    return [f"一图读懂{agency}{year}年政府信息公开工作年度报告", "（图片）", "来源：政务公开办"]


FORMAT_NOTICE = [
    "各区人民政府，市各委、办、局，市各直属单位：",
    ("为贯彻落实新修订的《中华人民共和国政府信息公开条例》，现将国务院办公厅政府信息与政务公开办公室《关于印发"
     "〈中华人民共和国政府信息公开工作年度报告格式〉的通知》（国办公开办函〔2021〕30号）转发给你们，请认真遵照执行。"),
    "各单位应当于每年1月31日前向本级政府信息公开工作主管部门提交本单位上一年度政府信息公开工作年度报告并向社会公布。",
    "附件：中华人民共和国政府信息公开工作年度报告格式",
]


def work_points(agency: str, year: int) -> Paragraphs:
    return [
        f"为深入贯彻落实党中央、国务院关于全面推进政务公开的决策部署，现将{agency}{year}年政务公开工作要点通知如下。",
        "一、围绕稳经济促发展加强政策发布解读",
        "二、围绕优化营商环境深化重点领域信息公开",
        "三、围绕提升政务服务效能强化平台建设",
        f"四、做好{year - 1}年政府信息公开工作年度报告编制发布工作，按时公开年度报告。",
    ]


def rule_of_law_report(agency: str, year: int) -> Paragraphs:
    return [
        f"{year}年，{agency}坚持以习近平新时代中国特色社会主义思想为指导，深入学习贯彻习近平法治思想，扎实推进法治政府建设。",
        "一、主要举措和成效",
        "（一）依法全面履行政府职能。（二）完善依法行政制度体系。（三）推进政务公开。",
        "二、存在的不足和原因",
        "三、党政主要负责人履行推进法治建设第一责任人职责情况",
        f"四、{year + 1}年推进法治政府建设的主要安排",
    ]


def final_accounts(agency: str, year: int) -> Paragraphs:
    return [
        f"{agency}{year}年部门决算",
        "第一部分 部门概况",
        "第二部分 部门决算表",
        "第三部分 部门决算情况说明",
        "第四部分 名词解释",
    ]


def work_report(city: str, year: int) -> Paragraphs:
    return [
        f"——{year}年1月在{city}第十七届人民代表大会第四次会议上",
        "各位代表：现在，我代表市人民政府，向大会报告工作，请予审议，并请市政协委员和其他列席人员提出意见。",
        f"一、{year - 1}年工作回顾",
        "过去一年，全市地区生产总值增长5.6%，一般公共预算收入增长3.2%，城乡居民人均可支配收入分别增长4.8%和6.7%。",
        f"二、{year}年工作总体要求和主要目标",
        "三、全力抓好重点工作",
    ]


# --- Sidebar news (the noise that changes between states) --------------------------------------
NEWS = [
    "市政府召开第{n}次常务会议",
    "我市开展政务公开进基层活动",
    "市政务服务中心推出“周末不打烊”服务",
    "全市优化营商环境推进会召开",
    "我市“12345”政务服务便民热线运行情况通报",
    "市领导调研重点项目建设",
    "清河市{n}项民生实事全部完成",
    "我市召开政府信息公开工作培训会",
]
