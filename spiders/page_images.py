"""The pictures a report page stands on: its statistics tables pasted as images.

Many county and street offices publish the report's prose as HTML and its tables as pictures
(a screenshot of the Word or Excel table). The page alone gives nulls; the images, read by OCR
in the parse workers (archive/parsing/ocr.py), give the tables. The spider fetches a page's
images only when its text lacks a statistics table the format has (section 三's applicant
columns or section 四's result columns), and then at most GOVREPORTS_PAGE_IMAGES of them,
each at most GOVREPORTS_PAGE_IMAGE_MAXSIZE bytes once decompressed. Images in the page's
chrome (header, navigation, footer, logos, QR codes, icons) are not the report's.

Image URLs are only ever requested: nothing taken from the network (a name, a path) is used
as a file path; the bytes go to the archive (table `page_images`) and the parse worker.
"""

from __future__ import annotations

import re
from urllib.parse import urljoin

from parsel import Selector

from archive.parsing.numbers import normalize

MAX_IMAGES = 12
MAX_IMAGE_BYTES = 5 * 1024 * 1024
# A section's table is in the page's text when its header words are (prose does not use them).
_TABLE_WORDS = {
    "三": re.compile(r"申请人情况|商业企业.{0,40}科研机构|科研机构.{0,40}社会公益组织"),
    "四": re.compile(r"结果维持.{0,40}结果纠正|结果纠正.{0,40}其他结果"),
}
# Chrome: an image inside these elements, or whose src / class / id names one of these, is not a table.
_CHROME_ANCESTORS = (
    "ancestor::header or ancestor::nav or ancestor::footer"
    " or ancestor::*[contains(translate(@class, 'HEADRFOTNV', 'headrfotnv'), 'header')"
    " or contains(translate(@class, 'HEADRFOTNV', 'headrfotnv'), 'footer')"
    " or contains(translate(@class, 'HEADRFOTNV', 'headrfotnv'), 'nav')"
    " or contains(translate(@id, 'HEADRFOTNV', 'headrfotnv'), 'header')"
    " or contains(translate(@id, 'HEADRFOTNV', 'headrfotnv'), 'footer')]"
)
_CHROME_NAME = re.compile(
    r"logo|icon|qr|ewm|erweima|weixin|wechat|weibo|banner|share|print|close|arrow|btn|button|"
    r"search|jiucuo|gongan|beian|dzjg|blank|spacer|loading|pixel",
    re.IGNORECASE,
)
_SMALLEST = 80  # px: an image declared narrower or lower than this is an icon


def missing_tables(text: str) -> list[str]:
    """The sections (三, 四) whose statistics table the page's text does not hold."""
    flat = normalize(text)
    return [section for section, words in _TABLE_WORDS.items() if not words.search(flat)]


def table_images(selector: Selector, base_url: str, limit: int = MAX_IMAGES) -> list[str]:
    """The URLs of the page's content images, in page order, without repeats or chrome, at most
    `limit` — or none when the page's text holds both statistics tables."""
    text = " ".join(selector.xpath("//body//text()[not(ancestor::script) and not(ancestor::style)]").getall())
    if not missing_tables(text):
        return []
    urls: list[str] = []
    for image in selector.xpath(f"//body//img[not({_CHROME_ANCESTORS})]"):
        src = (image.attrib.get("src") or image.attrib.get("data-src") or "").strip()
        if not src or src.startswith("data:"):
            continue
        names = " ".join((src, image.attrib.get("class", ""), image.attrib.get("id", ""), image.attrib.get("alt", "")))
        if _CHROME_NAME.search(names) and not re.search(r"表|情况|统计", image.attrib.get("alt", "")):
            continue
        if any(_too_small(image.attrib.get(side)) for side in ("width", "height")):
            continue
        url = urljoin(base_url, src)
        if url.startswith(("http://", "https://")) and url not in urls:
            urls.append(url)
        if len(urls) >= limit:
            break
    return urls


def _too_small(size: str | None) -> bool:
    digits = re.match(r"\s*(\d+)\s*(px)?\s*$", size or "")
    return bool(digits) and int(digits.group(1)) < _SMALLEST
