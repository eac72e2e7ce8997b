"""Notices, letters, plans and interpretations about reports are not reports.

The titles below are written in the forms real portals use (the notice every 政务公开办 sends
each winter, forwarded down the hierarchy; letters asking for reports; work plans; meetings;
interpretations and infographics), beside real report titles in their many forms, which must
still be read as reports with their agency and year.
"""

from __future__ import annotations

import json

import pytest
from portal import govreports

from archive.demo import layouts
from archive.ingest import is_report, parse_in_worker, store_parsed
from archive.parsing.detect import is_about_reports, title_kind
from archive.parsing.identity import agency_from_title, year_from_title
from archive.storage.db import Archive
from archive.storage.versions import store_record

NOT_REPORTS = [
    "关于做好2024年度政府信息公开工作年度报告编制发布工作的通知",
    "关于做好2023年度政府信息公开工作年度报告编制和发布工作的通知",
    "关于进一步做好政府信息公开工作年度报告编制发布工作的通知",
    "淮安市人民政府办公室关于做好2022年度政府信息公开工作年度报告编制发布工作的通知",
    "转发省政府办公厅关于做好2023年度政府信息公开工作年度报告编制发布工作的通知",
    "转发市政务公开办关于做好2023年度政府信息公开工作年度报告编制发布工作的通知",
    "关于报送2023年度政府信息公开工作年度报告的函",
    "关于提交2022年政府信息公开工作年度报告的函",
    "关于2023年度政府信息公开工作年度报告有关事项的函",
    "关于征求《2023年度政府信息公开工作年度报告（征求意见稿）》意见的函",
    "2023年度政府信息公开工作年度报告编制工作方案",
    "2023年政府信息公开工作年度报告审核工作方案",
    "清河市2024年政务公开工作要点",
    "2024年政府信息公开工作要点",
    "《清河市2023年政府信息公开工作年度报告》解读",
    "清河市2023年政府信息公开工作年度报告政策解读",
    "清河区2023年度政府信息公开工作年度报告解读",
    "清河市发展和改革委员会2023年政府信息公开工作年度报告的解读",
    "图解：清河市2023年政府信息公开工作年度报告",
    "一图读懂清河市人民政府2023年政府信息公开工作年度报告",
    "关于召开2023年度政府信息公开工作年度报告编制培训会议的通知",
    "2023年度政府信息公开工作年度报告编制工作会议召开",
    "清河市召开政府信息公开工作年度报告编制工作推进会",
    "政府信息公开工作年度报告编制工作培训会顺利召开",
    "关于2022年度政府信息公开工作年度报告评议情况的通报",
    "清河市政务公开办公室关于2023年度政府信息公开工作年度报告抽查情况的通报",
    "关于对2023年度政府信息公开工作年度报告进行检查的通知",
    "关于开展2023年度政府信息公开工作年度报告自查工作的通知",
    "关于组织开展政府信息公开工作年度报告质量评估的通知",
    "关于规范政府信息公开工作年度报告发布工作的通知",
    "关于印发《清河市2023年度政府信息公开工作年度报告》的通知",
    "关于印发《中华人民共和国政府信息公开工作年度报告格式》的通知",
    "国务院办公厅政府信息与政务公开办公室关于印发中华人民共和国政府信息公开工作年度报告和政府信息公开工作年度报告格式的通知",
    "关于清河市2023年政府信息公开工作年度报告的说明",
    "关于更正2023年政府信息公开工作年度报告相关数据的说明",
    "2023年度政府信息公开工作年度报告编制说明",
    "关于2023年度政府信息公开工作年度报告发布情况的报告",
    "2024年度政府信息公开工作年度报告模板",
    "清河市2023年政府信息公开工作年度报告发布会",
    "清河市2023年政府信息公开工作年度报告——政策解读",
]

REPORTS = {
    "清河市人民政府2023年政府信息公开工作年度报告": ("清河市人民政府", 2023),
    "清河市发展和改革委员会2023年度政府信息公开工作年度报告": ("清河市发展和改革委员会", 2023),
    "2023年清河市河东区东关街道办事处政府信息公开工作年度报告": ("清河市河东区东关街道办事处", 2023),
    "2023年度清河市住房和城乡建设局政府信息公开工作年度报告": ("清河市住房和城乡建设局", 2023),
    "清河市财政局二〇二三年政府信息公开工作年度报告": ("清河市财政局", 2023),
    "清河市教育局二零二二年度政府信息公开工作年度报告": ("清河市教育局", 2022),
    "清河市人民政府办公室2023年政府信息公开年报": ("清河市人民政府办公室", 2023),
    "关于清河市卫生健康委员会2023年政府信息公开工作年度报告": ("清河市卫生健康委员会", 2023),
    "关于XX县2023年政府信息公开工作年度报告": ("XX县", 2023),
    "清河市人民政府关于2023年度政府信息公开工作年度报告": ("清河市人民政府", 2023),
    "清河市生态环境局2023年度政府信息公开工作年度报告（全文）": ("清河市生态环境局", 2023),
    "清河县2023年度政府信息公开工作年度报告(文字版)": ("清河县", 2023),
    "《清河市水利局2023年政府信息公开工作年度报告》": ("清河市水利局", 2023),
    "清河市商务局政府信息公开工作年度报告（2023年度）": ("清河市商务局", 2023),
    "清河市交通运输局2023年政府信息公开工作年度报告_清河市人民政府门户网站": ("清河市交通运输局", 2023),
    "清河市市场监督管理局2020年政府信息公开工作年度报告.pdf": ("清河市市场监督管理局", 2020),
    "清河市审计局 2023 年政府信息公开工作年度报告": ("清河市审计局", 2023),
    "清河市自然资源和规划局2022年度政府信息公开工作报告": ("清河市自然资源和规划局", 2022),
    "清河市公安局2021年政府信息公开年度报告": ("清河市公安局", 2021),
    "清河市退役军人事务局2023年政府信息公开工作年度报告（更正版）": ("清河市退役军人事务局", 2023),
    "清河市民政局2023年政府信息公开工作年度报告 [2024-01-20]": ("清河市民政局", 2023),
    "清河市司法局2023年政府信息公开工作年度报告（点击下载）": ("清河市司法局", 2023),
    "2023年度清河市河东区人民政府政务信息公开工作年度报告": ("清河市河东区人民政府", 2023),
    "关于2023年度政府信息公开情况的报告": (None, 2023),
    "清河市人民政府2023年政府信息公开工作年度报告（转载）": ("清河市人民政府", 2023),
    "清河市统计局2023年政府信息公开工作年度报告 - 清河市统计局": ("清河市统计局", 2023),
    "对外贸易经济合作局2023年政府信息公开工作年度报告": ("对外贸易经济合作局", 2023),
}

# Never an agency: the words a notice puts where a report puts its agency.
VERBS = ("做好", "关于", "转发", "印发", "报送", "提交", "召开", "开展", "组织", "规范", "对", "更正", "征求", "一图", "图解")


def test_report_columns_are_still_report_columns():
    """Column names (no year) stay report-ish, so the crawl still walks into them."""
    for column in ("政府信息公开工作年度报告专栏", "政府信息公开年报", "部门政府信息公开年度报告", "年度报告"):
        assert not is_about_reports(column), column


def test_there_are_enough_look_alikes_and_reports():
    assert len(NOT_REPORTS) >= 30 and len(set(NOT_REPORTS)) == len(NOT_REPORTS)
    assert len(REPORTS) >= 20


@pytest.mark.parametrize("title", NOT_REPORTS)
def test_a_document_about_reports_is_no_report(title):
    assert title_kind(title) == "lookalike", title
    agency = agency_from_title(title)
    assert agency is None or not agency.startswith(VERBS), (title, agency)


@pytest.mark.parametrize("title", sorted(REPORTS))
def test_report_titles_in_their_many_forms_still_name_reports(title):
    assert title_kind(title) == "report", title
    assert not is_about_reports(title)
    assert (agency_from_title(title), year_from_title(title)) == REPORTS[title]


def _notice_page(title: str) -> bytes:
    """A notice as portals publish it: its text, then the format's tables left blank to fill in."""
    official = layouts.LAYOUTS["official"]
    paragraphs = "".join(f"<p>{p}</p>" for p in (
        "各区人民政府，市各委、办、局：",
        "请各单位于2025年1月31日前编制完成本单位2024年度政府信息公开工作年度报告，并在门户网站公开。",
        "附件：政府信息公开工作年度报告格式",
    ))
    return (f"<html><head><meta charset='utf-8'><title>{title}</title></head><body><h1>{title}</h1>"
            f"{paragraphs}{layouts.blank_format_tables(official)}</body></html>").encode()


def test_a_notice_with_the_blank_format_attached_is_not_stored_as_a_report(tmp_path):
    title = NOT_REPORTS[0]
    url = "http://127.0.0.1:9/zfxxgknb/t20241205_1.html"
    body = _notice_page(title)
    parsed = parse_in_worker(body, url, "text/html; charset=utf-8", None)
    assert parsed.record["title"] == title
    assert parsed.record["agency"] is None  # never "做好"
    assert is_report(parsed.record, parsed.text, title, "candidate", parsed.known_numbers) == (
        False, "a notice, letter, plan or interpretation about reports")
    archive = Archive(tmp_path / "a.db")
    try:
        fetch = archive.record_fetch(url=url, status=200, headers={"Content-Type": "text/html; charset=utf-8"},
                                     body=body, fetched_at="2024-12-05T00:00:00+00:00", role="candidate",
                                     source="portal", link_text=None, parent_url=None)
        result = store_parsed(archive, parsed, fetch, link_text=None, role="candidate")
        assert result.kind == "not_report"
        assert archive.db["reports"].count == 0
        assert archive.db.execute("select outcome from documents").fetchone()[0] == "not_report"
    finally:
        archive.close()


def test_export_leaves_out_notices_an_older_reader_archived_as_reports(tmp_path):
    """Archives made before this rule hold notices stored as reports (agency "做好"): export
    leaves them out; the real report beside them stays."""
    db = tmp_path / "a.db"
    archive = Archive(db)
    try:
        for n, (title, agency) in enumerate([(NOT_REPORTS[0], "做好"), ("清河市人民政府2023年政府信息公开工作年度报告", "清河市人民政府")]):
            url = f"http://127.0.0.1:9/zfxxgknb/{n}.html"
            parsed = parse_in_worker(_notice_page(title), url, "text/html; charset=utf-8", None)
            record = {**parsed.record, "agency": agency}  # as the older reader read it
            archive.record_fetch(url=url, status=200, headers={}, body=b"x", fetched_at="2024-12-05T00:00:00+00:00",
                                 role="candidate", source="portal", link_text=None, parent_url=None)
            store_record(archive, record, body_text=parsed.text, document_id=archive.document(url)["id"],
                         capture=lambda: None, captured_at="2024-12-05T00:00:00+00:00")
        assert archive.db["reports"].count == 2
    finally:
        archive.close()
    result = govreports("export", "--db", str(db))
    assert result.returncode == 0, result.stderr
    exported = [json.loads(line) for line in result.stdout.splitlines()]
    assert [(r["agency"], r["title"]) for r in exported] == [("清河市人民政府", "清河市人民政府2023年政府信息公开工作年度报告")]
    assert "1 notices about reports" in result.stderr
