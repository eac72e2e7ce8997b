"""Is a text layer garbage? A PDF's text can be drawn right and still read as nonsense.

A font whose ToUnicode map is wrong, missing or misread gives characters unrelated to the
glyphs on the page: control codes, accented Latin, Hebrew, Devanagari, Hangul, private-use
codes (pdfminer's reading of a predefined CJK CMap with a ToUnicode map is one such case). A
report is written in Chinese, with ASCII, CJK and full-width punctuation and a few symbols, so

- a page is garbled when at least GARBLED_SHARE of its characters (of at least MIN_CHARS) lie
  outside those scripts;
- a document is garbled when its text holds MIN_HAN Chinese characters or more and not one word
  of the vocabulary every Chinese report (every Chinese document, nearly) uses: a map that
  sends Chinese characters to other Chinese characters passes the first rule, not this one.

A garbled layer is read as no text (a scan without OCR reads the same), never as numbers.
Kangxi radicals and compatibility ideographs, which some generators map instead of the
ideographs they look like (⽂ for 文), are not garbage: `mend()` maps them to the ideographs.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

GARBLED_SHARE = 0.3
MIN_CHARS = 20
MIN_HAN = 200
# Words of any Chinese report (and of most Chinese prose): a garbled map that keeps characters
# Chinese scatters them, and does not spell two of them in a row.
VOCABULARY = (
    "公开", "信息", "政府", "工作", "情况", "年度", "申请", "报告", "进行", "根据", "按照", "我们",
    "以及", "通过", "关于", "有关", "部门", "单位", "管理", "服务", "问题", "要求", "规定", "人民",
    "社会", "发展", "建设", "国家", "主要", "加强", "推进", "落实", "本年", "其他", "情形", "处理",
)

# Code points a report uses: (first, last), inclusive.
_REPORT_RANGES = (
    (0x0009, 0x000D), (0x0020, 0x007E),  # ASCII
    (0x00A0, 0x00BF), (0x00D7, 0x00D7), (0x00F7, 0x00F7),  # Latin-1 signs, × ÷
    (0x2000, 0x206F),  # general punctuation (“ ” — …)
    (0x2100, 0x22FF),  # letterlike (℃ №), number forms (Ⅳ), arrows, mathematical operators
    (0x2460, 0x27BF),  # enclosed numbers (①), box drawing, shapes, symbols, dingbats (❶ ✔)
    (0x2E80, 0x2FDF),  # CJK and Kangxi radicals (mend() maps them)
    (0x3000, 0x303F),  # CJK punctuation
    (0x3200, 0x33FF),  # enclosed CJK (㈠), CJK compatibility (㎡)
    (0x3400, 0x4DBF), (0x4E00, 0x9FFF), (0xF900, 0xFAFF),  # ideographs
    (0xFE10, 0xFE1F), (0xFE30, 0xFE6F),  # vertical and small forms
    (0xFF01, 0xFFEF),  # full-width forms
    (0x20000, 0x3134F),  # ideographs beyond the BMP
)


_FOREIGN = re.compile("[^" + "".join(f"{re.escape(chr(lo))}-{re.escape(chr(hi))}" for lo, hi in _REPORT_RANGES) + "]")
_HAN = re.compile("[\u3400-\u9fff\uf900-\ufaff\U00020000-\U0003134f]")


@dataclass
class Verdict:
    garbled: bool
    reason: str = ""


def judge_page(text: str) -> Verdict:
    """The first rule, for the text of one page."""
    chars = "".join(text.split())
    if len(chars) < MIN_CHARS:
        return Verdict(False)
    share = len(_FOREIGN.findall(chars)) / len(chars)
    if share >= GARBLED_SHARE:
        return Verdict(True, f"{share:.0%} of its {len(chars):,} characters are outside the scripts a report uses")
    return Verdict(False)


def judge_document(text: str) -> Verdict:
    """The second rule, for the text of the whole document (its garbled pages left out)."""
    han = len(_HAN.findall(text))
    if han < MIN_HAN:
        return Verdict(False)
    joined = "".join(text.split())
    if any(word in joined for word in VOCABULARY):
        return Verdict(False)
    return Verdict(True, f"{han:,} Chinese characters and not one word of a report's vocabulary")


_RADICALS = {0x2E80 + i for i in range(0x2FE0 - 0x2E80)} | {0xF900 + i for i in range(0xFB00 - 0xF900)}


def mend(ch: str) -> str:
    """A Kangxi radical or compatibility ideograph as the ideograph it stands for (NFKC)."""
    if ord(ch) in _RADICALS:
        mended = unicodedata.normalize("NFKC", ch)
        if len(mended) == 1:
            return mended
    return ch
