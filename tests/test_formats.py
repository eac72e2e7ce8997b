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
