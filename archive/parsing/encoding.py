"""Bytes → text for pages whose declared charset is missing or wrong.

Chinese portals serve GBK/GB2312/GB18030 with the charset in the HTTP header only, in the
meta tag only, in neither, or wrong in one of them. The order:

1. a UTF-8 byte-order mark;
2. a declared charset (HTTP header, then meta tag) that decodes the bytes cleanly — GB2312 and
   GBK are read as GB18030 (their superset), so a rare character outside GB2312 does not turn
   the page into mojibake; a correctly declared GBK page stops here;
3. UTF-8, when it decodes cleanly;
4. charset-normalizer's guess, when it decodes cleanly. GB18030 decodes almost any bytes, so it
   cannot come before the guess: a Big5 or Shift-JIS page would come out as silent mojibake.
   When the guess is not GB18030 but GB18030 also decodes cleanly, the one whose text holds
   the report's vocabulary wins (a short GBK page can be guessed wrong);
5. GB18030, then the guess with undecodable bytes replaced.

Whatever was chosen, a text with none of the report's vocabulary (政府信息公开, 年度报告,
主动公开, 申请, 行政复议 …, simplified or traditional) gets a warning: it is the sign of a
page decoded wrongly (or of a page that is no report).
"""

from __future__ import annotations

import codecs
import re

from charset_normalizer import from_bytes

_META_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([A-Za-z0-9_\-]+)""", re.IGNORECASE)
_HEADER_CHARSET = re.compile(r"charset\s*=\s*[\"']?([A-Za-z0-9_\-]+)", re.IGNORECASE)
_SUPERSETS = {"gb2312": "gb18030", "gbk": "gb18030", "x-gbk": "gb18030", "gb_2312-80": "gb18030"}


def _canonical(name: str | None) -> str | None:
    if not name:
        return None
    try:
        codec = codecs.lookup(name.strip().lower()).name
    except LookupError:
        return None
    return _SUPERSETS.get(codec, codec)


def declared_charsets(data: bytes, content_type: str | None) -> list[str]:
    """Charsets the response claims, HTTP header first, then the page's own meta tag."""
    found = []
    if content_type:
        m = _HEADER_CHARSET.search(content_type)
        if m:
            found.append(m.group(1))
    m = _META_CHARSET.search(data[:4096])
    if m:
        found.append(m.group(1).decode("ascii", "ignore"))
    return [c for c in (_canonical(x) for x in found) if c]


# The report's own words, simplified and traditional (資訊 is Taiwan's word for 信息).
REPORT_VOCABULARY = re.compile(
    "政府[信资資][息讯訊]公[开開]|[信资資][息讯訊]公[开開]|年度[报報]告|主[动動]公[开開]|依申[请請]|申[请請]"
    "|行政[复復複覆][议議]|行政[诉訴][讼訟]|政[务務]公[开開]"
)
GUESS_BYTES = 200_000  # charset-normalizer reads this much of a page


def _strict(data: bytes, charset: str) -> str | None:
    try:
        return data.decode(charset)
    except (UnicodeDecodeError, LookupError):
        return None


def _vocabulary(text: str) -> int:
    return len(REPORT_VOCABULARY.findall(text[:GUESS_BYTES]))


def decode(data: bytes, content_type: str | None = None, warnings: list[str] | None = None) -> tuple[str, str]:
    """(text, encoding used). Never raises: the last resort replaces undecodable bytes.
    With `warnings`, the record's list, a doubtful decoding is reported there."""
    text, charset = _decode(data, content_type)
    if warnings is not None and not REPORT_VOCABULARY.search(text):
        warnings.append(
            f"the text decoded as {charset} holds none of a report's words (政府信息公开, 年度报告, 申请 …): "
            "the charset may be wrong, or this is no report"
        )
    return text, charset


def _decode(data: bytes, content_type: str | None) -> tuple[str, str]:
    if data.startswith(codecs.BOM_UTF8):
        return data[3:].decode("utf-8", "replace"), "utf-8"
    candidates = declared_charsets(data, content_type)
    candidates += [c for c in ("utf-8",) if c not in candidates]
    for charset in candidates:
        text = _strict(data, charset)
        if text is not None:
            return text, charset
    best = from_bytes(data[:GUESS_BYTES]).best()
    guess = (_canonical(best.encoding) or best.encoding) if best is not None and best.encoding else None
    if guess and guess != "gb18030":
        text = _strict(data, guess)
        if text is not None:
            fallback = _strict(data, "gb18030")
            if fallback is not None and _vocabulary(fallback) > _vocabulary(text):
                return fallback, "gb18030"
            return text, guess
    text = _strict(data, "gb18030")
    if text is not None:
        return text, "gb18030"
    if guess:
        return data.decode(guess, "replace"), guess
    return data.decode("utf-8", "replace"), "utf-8"
