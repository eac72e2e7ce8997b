"""Bytes → text for pages whose declared charset is missing or wrong.

Chinese portals serve GBK/GB2312/GB18030 with the charset in the HTTP header only, in the
meta tag only, in neither, or wrong in one of them. A declared charset is believed only if the
bytes decode cleanly with it; GB2312 and GBK are read as GB18030 (their superset), so a
rare character outside GB2312 does not turn the page into mojibake.
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


def decode(data: bytes, content_type: str | None = None) -> tuple[str, str]:
    """(text, encoding used). Never raises: the last resort replaces undecodable bytes."""
    if data.startswith(codecs.BOM_UTF8):
        return data[3:].decode("utf-8", "replace"), "utf-8"
    candidates = declared_charsets(data, content_type)
    candidates += [c for c in ("utf-8", "gb18030") if c not in candidates]
    for charset in candidates:
        try:
            return data.decode(charset), charset
        except (UnicodeDecodeError, LookupError):
            continue
    best = from_bytes(data[:200_000]).best()
    if best is not None and best.encoding:
        charset = _canonical(best.encoding) or best.encoding
        return data.decode(charset, "replace"), charset
    return data.decode("utf-8", "replace"), "utf-8"
