"""Which report is this: title, agency, year reported on, publication date.

The year is the year reported on (title, else the 统计期限 sentence), never the publication
year or a URL date. The agency is the text the title puts before the year (or after it, in
titles such as 2024年XX街道办事处政府信息公开工作年度报告); when the title names none, a meta
tag or 发布机构 line may.
"""

from __future__ import annotations

import re

from .labels import fold_traditional
from .numbers import normalize

_YEAR_IN_TITLE = re.compile(r"((?:19|20)\d{2})\s*年度?")
_PERIOD = re.compile(
    r"统计期限.{0,12}?((?:19|20)\d{2})\s*年\s*1\s*月\s*1\s*日"
    r"|((?:19|20)\d{2})\s*年\s*1\s*月\s*1\s*日\s*(?:起)?\s*(?:至|到|—|-|～|~)\s*(?:(?:19|20)\d{2}\s*年\s*)?12\s*月\s*31\s*日"
)
_REPORT_WORDS = re.compile(r"(政府|政务)?信息公开.{0,6}(年度)?(工作)?(年度)?(报告|年报)|年度报告")
_TITLE_TAIL = re.compile(r"(政府|政务)?信息公开.*$")
_DATE = re.compile(r"((?:19|20)\d{2})\s*[-/年.]\s*(\d{1,2})\s*[-/月.]\s*(\d{1,2})")
_PUBLISHED_LINE = re.compile(r"(发布时间|发布日期|发文日期|公开日期|时间)\s*[:：]\s*([0-9０-９]{4}[^\s]{0,12})")


def clean_title(text: str) -> str:
    """Whitespace between Chinese characters removed (titles wrap and pad in every layout)."""
    text = re.sub(r"^[#\s*]+|[\s*]+$", "", text or "").strip()
    return re.sub(r"\s+", "", text)


def is_report_title(text: str) -> bool:
    return bool(_REPORT_WORDS.search(fold_traditional(normalize(text))))


def _agency_line(line: str) -> bool:
    """A short line with no digits or sentence punctuation: the agency half of a split title."""
    return 2 <= len(line) <= 30 and not re.search(r"[0-9０-９。，,；;：:]", line) and not is_report_title(line)


def title_from_lines(lines: list[str]) -> str | None:
    """The report title among the opening lines; a title wrapped onto two lines is joined
    (agency / year+rest, or …年度政府 / 信息公开工作年度报告)."""
    opening = [clean_title(line) for line in lines if line.strip()][:12]
    for i, line in enumerate(opening):
        prev = opening[i - 1] if i > 0 else ""
        nxt = opening[i + 1] if i + 1 < len(opening) else ""
        if len(line) <= 80 and is_report_title(line) and (_YEAR_IN_TITLE.search(line) or i < 3):
            if _YEAR_IN_TITLE.match(line) and _agency_line(prev):
                return prev + line
            if not _YEAR_IN_TITLE.search(line) and prev and _YEAR_IN_TITLE.search(prev) and len(prev) < 40:
                return prev + line
            return line
        if nxt and len(line) < 40 and len(nxt) < 40 and _YEAR_IN_TITLE.search(line + nxt):
            if is_report_title(line + nxt) and not is_report_title(nxt):
                return line + nxt
    return None


_CN_DIGITS = str.maketrans("〇零○一二三四五六七八九", "00012345678 9".replace(" ", ""))
_CN_YEAR = re.compile(r"[二][〇零○][〇零○一二三四五六七八九]{2}(?=年)")


def arabic_years(text: str) -> str:
    """二〇二四年 / 二零二四年 → 2024年 (some titles write the year in Chinese numerals)."""
    return _CN_YEAR.sub(lambda m: m.group(0).translate(_CN_DIGITS), text)


def year_from_title(title: str | None) -> int | None:
    if not title:
        return None
    m = _YEAR_IN_TITLE.search(normalize(arabic_years(title)))
    return int(m.group(1)) if m else None


def year_from_text(text: str) -> int | None:
    """The year of the 统计期限 (statistics period) sentence."""
    m = _PERIOD.search(normalize(text[:6000]))
    if not m:
        return None
    return int(m.group(1) or m.group(2))


def agency_from_title(title: str | None) -> str | None:
    if not title:
        return None
    title = normalize(arabic_years(title))
    m = _YEAR_IN_TITLE.search(title)
    if not m:
        return None
    named = _TITLE_TAIL.search(title[: m.start()])
    if named:  # 某某局政府信息公开工作年度报告（2023年度）: the year comes after the report's name
        return _agency_in(title[: named.start()])
    before = title[: m.start()]
    if before.strip("《》\"“”：: ") and not before.endswith("关于"):
        return _agency_in(before)
    after = _TITLE_TAIL.sub("", title[m.end() :]).strip("《》\"“”：: ")
    after = re.sub(r"^度", "", after)
    if after:
        return _agency_in(after)
    return _agency_in(before)


# Words a notice puts before the report it is about: never an agency (关于做好…, 转发…, 印发…).
_NOT_AGENCY = re.compile(
    r"^(?:做好|做实|印发|转发|报送|上报|提交|开展|组织|编制|编写|发布|公布|规范|加强|进一步|部署|召开|审议|审核"
    r"|征求|评议|检查|通报|填报|推进|落实|更正|修改|对(?!外)|一图|图解|解读|读懂)"
)


def _agency_in(text: str) -> str | None:
    """The agency a title names before (or after) its year: 'X关于' → X, '关于X' → X; None
    when the words there are a verb of a notice rather than a name."""
    text = text.strip("《》\"“”：: ")
    issuer, about, subject = text.partition("关于")
    if about:
        subject = subject.strip("《》\"“”：: ")
        if subject:
            return None if _NOT_AGENCY.match(subject) else subject
        text = issuer.strip("《》\"“”：: ")
    if not text or _NOT_AGENCY.match(text) or "关于" in text:
        return None
    return text


_COMPILED_BY = re.compile(r"本报告由\s*([^\s，,。（(]{2,30}?)\s*(?:根据|依据|按照|依照|编制|负责)")


def agency_from_opening(text: str) -> str | None:
    """'本报告由XX区人民政府办公室根据《条例》…编制' → the body that compiled the report."""
    m = _COMPILED_BY.search(normalize(text[:3000]))
    return m.group(1) if m else None


def date_of(text: str | None) -> str | None:
    """'2025-01-20 10:00', '2025年1月20日' … → '2025-01-20'."""
    if not text:
        return None
    m = _DATE.search(normalize(text))
    if not m:
        return None
    year, month, day = (int(g) for g in m.groups())
    if not (1 <= month <= 12 and 1 <= day <= 31):
        return None
    return f"{year:04d}-{month:02d}-{day:02d}"


def published_from_text(text: str) -> str | None:
    m = _PUBLISHED_LINE.search(text[:20000])
    return date_of(m.group(2)) if m else None


_PLACE = re.compile(r"^(.{1,8}?(?:自治区|特别行政区|省|自治州|地区|盟|市|县|区|旗))")


def region_of(agency: str | None) -> str | None:
    """The administrative place an agency's name starts with: 淮安市人民政府 → 淮安市,
    阜新市海州区 → 阜新市 (the first division named), 河东区东关街道办事处 → 河东区."""
    if not agency:
        return None
    m = _PLACE.match(normalize(agency))
    return m.group(1) if m and len(m.group(1)) >= 2 else None
