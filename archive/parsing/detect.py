"""What is this document: its kind (HTML, text, PDF, DOCX, image, binary) and, for discovery,
whether a title names an annual report or one of its look-alikes.
"""

from __future__ import annotations

import enum
import io
import re
import zipfile
from typing import Any

from .numbers import normalize

OLE2_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # .doc / .wps / .xls (Word 97-2003, WPS)


class DocumentKind(enum.Enum):
    HTML = "html"
    TEXT = "text"
    PDF = "pdf"
    DOCX = "docx"
    IMAGE = "image"  # PNG, JPEG, GIF, BMP, TIFF: read by OCR (ocr.py)
    BINARY = "binary"
    OLE2 = "ole2"


_IMAGE_MAGIC = (b"\x89PNG\r\n\x1a\n", b"\xff\xd8\xff", b"GIF87a", b"GIF89a", b"II*\x00", b"MM\x00*")
_BMP_HEADERS = {12, 40, 52, 56, 64, 108, 124}  # the sizes a BMP's info header can have


def is_image(head: bytes) -> bool:
    """PNG, JPEG, GIF, TIFF by their signatures; BMP by 'BM' and a valid info-header size."""
    if head.startswith(_IMAGE_MAGIC):
        return True
    return head[:2] == b"BM" and len(head) >= 18 and int.from_bytes(head[14:18], "little") in _BMP_HEADERS


_HTML_MARKERS = re.compile(rb"<\s*(!doctype\s+html|html|head|body|table|div|meta|p)[\s>/]", re.IGNORECASE)


def sniff(data: bytes, url: str | None = None, content_type: str | None = None) -> DocumentKind:
    """The document's kind from its bytes first (servers mislabel), then its declared type."""
    head = data[:4096]
    if head.lstrip().startswith(b"%PDF"):
        return DocumentKind.PDF
    if is_image(head):
        return DocumentKind.IMAGE
    if head.startswith(OLE2_MAGIC):
        return DocumentKind.OLE2
    if head.startswith(b"PK\x03\x04"):
        try:
            with zipfile.ZipFile(io.BytesIO(data)) as zf:
                if "word/document.xml" in zf.namelist():
                    return DocumentKind.DOCX
        except (zipfile.BadZipFile, NotImplementedError, UnicodeDecodeError, ValueError, EOFError):
            pass  # a damaged zip directory (multi-disk, bad names …): no DOCX we can read
        return DocumentKind.BINARY
    sample = head[:2048]
    controls = sum(1 for b in sample if b < 9 or 13 < b < 32 or b == 127)
    if controls > len(sample) * 0.05:
        return DocumentKind.BINARY  # before any markup test: random bytes may hold "<p "
    if _HTML_MARKERS.search(head) or (content_type or "").lower().startswith(("text/html", "application/xhtml")):
        return DocumentKind.HTML
    return DocumentKind.TEXT


# --- titles, for discovery ----------------------------------------------------------------
_REPORT = re.compile(
    r"(政府|政务)?信息公开(工作)?(年度)?(工作)?(年度)?(报告|年报)"
    r"|信息公开情况的?报告"
)
_LOOKALIKE = re.compile(
    r"解读|图解|一图|读懂|格式的?通知|印发|要点|法治政府|决算|预算|政府工作报告|统计公报|述职|考核|测评|评估"
    r"|上半年|季度|数据统计|工作总结|实施方案|征求意见|落实情况"
)
# Documents of other kinds whose names sound like a report but never say 信息公开: for discovery
# they are look-alikes (never followed as a report), not titles that "say nothing".
_OTHER_DOCUMENT = re.compile(r"政府工作报告|法治政府建设|工作要点|决算|预算")
_YEAR = re.compile(r"(?:19|20)\d{2}")


def title_kind(title: str | None) -> str | None:
    """'report', 'lookalike' or None (says nothing) for a link text or page title."""
    if not title:
        return None
    text = normalize(title)
    if not _REPORT.search(text) and "年报" not in text:
        if _OTHER_DOCUMENT.search(text):
            return "lookalike"
        # other disclosure documents: 2022年上半年政府信息公开数据统计, …工作要点落实情况
        return "lookalike" if "公开" in text and _LOOKALIKE.search(text) else None
    if _LOOKALIKE.search(text) or is_about_reports(text):
        return "lookalike"
    if "年报" in text and not _REPORT.search(text) and "信息公开" not in text:
        return None
    return "report"


# --- a report, or a document about reports ---------------------------------------------------
# A title names a report when the report is its subject: [issuer 关于][《]agency year[》] 报告
# [（全文）…]. Notices, letters, plans, meetings and interpretations name the report as the
# object of a verb (做好…编制发布工作, 印发, 转发, 报送 …) or go on after it to another kind of
# document (…的通知, …的函, …方案, …解读, …会议): they are about reports, not reports.
_VERBS = (
    "做好|做实|印发|转发|报送|上报|提交|报请|开展|组织|编制|编写|撰写|发布|公布|规范|加强|进一步|部署|召开|举办"
    "|审议|审核|审定|学习|征求|征集|评议|评查|评估|检查|督查|抽查|核查|通报|填报|推进|落实|完善|明确|调整|更正"
    "|修改|修订|补充|统筹|指导|配合|督促|要求|对(?!外)"  # 对外…局 is a name
)
_VERB_HEAD = re.compile(rf"^(?:{_VERBS})")
_ISSUER_ABOUT = re.compile(r"^(.*?)关于")
# What follows a report's name in a title about it: another kind of document, or work on it.
# (Editions such as （全文）（转载）（更正版）, a year, a column's 专栏 are no such words.)
_ABOUT_TAIL = re.compile(
    r"的|通知|函|方案|要点|解读|说明|通报|会议|推进会|座谈会|发布会|培训|部署会|调度会|讲话|模板|样表|样本|格式|意见|征求"
    r"|稿|编制|编写|报送|审核|审查|检查|自查|抽查|评议|评估|考核|测评|情况|有关事项|问答|答记者问|图解|工作"
)
_SITE_SEPARATOR = re.compile(r"[_|｜]|-{1,2}|－")  # not ——: a subtitle (——政策解读) says what it is
# What lists print beside a link: its date, 点击查看, NEW, an ellipsis.
_LIST_DECOR = re.compile(
    r"[\[(【]?(?:19|20)\d{2}[-/.年]\d{1,2}[-/.月]\d{1,2}日?[\])】]?|点击查看|查看详情|点击下载|下载|置顶|new|NEW|热|(?:\.{3}|…)+$"
)


def is_about_reports(title: str | None) -> bool:
    """True when the title mentions a report but is about it (a notice, letter, plan, meeting,
    interpretation …) rather than being one. Never true for a title that says nothing of reports."""
    text = normalize(title or "")
    m = _REPORT.search(text) or re.search("年报", text)
    if not m:
        return False
    head, tail = text[: m.start()], _LIST_DECOR.sub("", text[m.end():])
    tail = _SITE_SEPARATOR.split(tail, maxsplit=1)[0]  # "…报告_XX市人民政府门户网站"
    if _ABOUT_TAIL.search(tail):
        return True
    about = _ISSUER_ABOUT.match(head)
    subject = head[about.end():] if about else head
    subject = subject.lstrip("《\"“:：")
    return bool(_VERB_HEAD.match(subject) or re.match(r"^(?:图解|一图|读懂|解读)", subject))


def has_year(title: str) -> bool:
    return bool(_YEAR.search(title or ""))


# --- pages, for discovery: the crawl and an import judge a page by the same names ------------
TITLE_NAMES = ("article", "h1", "title")  # the page's names, most trusted first


def page_titles(selector: Any) -> dict[str, str]:
    """The page's own names for itself (a parsel Selector over it): meta ArticleTitle, first h1,
    <title>, meta ColumnName."""

    def meta(name: str) -> str:
        lowered = "translate(@name,'ABCDEFGHIJKLMNOPQRSTUVWXYZ','abcdefghijklmnopqrstuvwxyz')"
        return selector.xpath(f"//meta[{lowered}='{name}']/@content").get(default="").strip()

    h1 = selector.xpath("normalize-space(string((//h1)[1]))").get(default="")
    if not h1:
        # CMS templates without an <h1> print the title in a div named for it
        for text in selector.xpath(
            "//body//*[contains(@class, 'title') or contains(@id, 'title')][not(self::a)]"
            "/descendant-or-self::*[1]"
        ):
            candidate = text.xpath("normalize-space(string(.))").get(default="")
            if 6 <= len(candidate) <= 80 and title_kind(candidate) is not None:
                h1 = candidate
                break
    return {
        "article": meta("articletitle"),
        "h1": h1,
        "title": selector.xpath("normalize-space(string((//title)[1]))").get(default=""),
        "column": meta("columnname"),
    }


def titles_verdict(titles: dict[str, str], listish: bool) -> str | None:
    """'report', 'lookalike' or None from the page's names: an h1 or <title> names a report only
    with a year (an ArticleTitle always does), and a page that looks like a list is no report."""
    for name in TITLE_NAMES:
        kind = title_kind(titles[name])
        if kind == "lookalike":
            return "lookalike"
        if kind == "report" and (has_year(titles[name]) or name == "article") and not listish:
            return "report"
    return None
