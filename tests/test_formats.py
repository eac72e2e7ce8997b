"""Format detection across the eras: 2021, the 2019 (legacy) format, free-form pre-2019 reports."""

from archive.parsing import parse
from archive.record.model import numbers_of

OLD_REPORT = """舒兰市人民政府2016年政务信息公开年度报告
一、概述
2016年，我市认真贯彻落实《中华人民共和国政府信息公开条例》。
二、主动公开政府信息情况
附表：政府信息公开情况统计表
统计指标\t单位\t统计数
一、主动公开情况\t\t
（一）主动公开政府信息数\t条\t1024
（二）回应解读情况\t\t
三、依申请公开情况\t\t
（一）收到申请数\t件\t12
（二）申请办结数\t件\t12
四、行政复议数量\t件\t0
五、行政诉讼数量\t件\t0
六、存在的主要问题和改进措施
七、需要说明的事项与附表
"""


def test_pre_2019_free_form_is_legacy_with_no_numbers():
    record = parse(OLD_REPORT.encode())
    assert record["format"] == "legacy"
    assert record["year"] == 2016
    assert record["agency"] == "舒兰市人民政府"
    assert all(v is None for v in numbers_of(record).values())
    assert any("pre-2019" in w for w in record["warnings"])


def test_nothing_readable_is_unknown_with_a_warning():
    record = parse("<html><body><h1>某某局2024年政府信息公开工作年度报告</h1><p>详见图片。</p></body></html>".encode())
    assert record["format"] == "unknown"
    assert record["year"] == 2024
    assert all(v is None for v in numbers_of(record).values())
    assert record["warnings"]


def test_identity_from_titles_as_they_are_written():
    from archive.parsing.identity import agency_from_title, year_from_title

    cases = {
        "中站区人民政府办公室2024年政府信息公开工作年度报告": ("中站区人民政府办公室", 2024),
        "2024年南关区永吉街道办事处政府信息公开工作年度报告": ("南关区永吉街道办事处", 2024),
        "2024年度螅镇政府信息公开工作年度报告": ("螅镇", 2024),
        "关于2023年度政府信息公开情况的报告": (None, 2023),
        "某某区人民政府二〇二四年政府信息公开工作年度报告": ("某某区人民政府", 2024),
        "某某局关于2022年政府信息公开工作年度报告": ("某某局", 2022),
    }
    for title, (agency, year) in cases.items():
        assert (agency_from_title(title), year_from_title(title)) == (agency, year), title


def test_year_reported_on_comes_from_the_statistics_period_when_the_title_has_none():
    text = "政府信息公开工作年度报告\n本报告中所列数据的统计期限自2024年1月1日起至2024年12月31日止。\n"
    assert parse(text.encode())["year"] == 2024
