"""Chinese full-text search in SQLite FTS5: overlapping bigrams, for text and query alike.

unicode61 keeps a run of Han characters as one token (公开 is found only between
punctuation) and trigram cannot find two-character words (公开, 复议). Indexing every
overlapping pair of Han characters — and splitting the query the same way — finds words of
any length ≥ 2, needs no dictionary, and costs ~0.2 s for 200 reports (TOOL-NOTES.md). A
one-character query becomes a prefix query on the bigrams. A match needs every bigram of the
query in the report, so the index holds each term once and no positions; `excerpt` shows
where the words are, from the report's own text.
"""

from __future__ import annotations

import operator
import re

_HAN_RUN = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]+")
_WORD = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]+|[A-Za-z0-9]+")
_TOKENS = re.compile(r"([\u3400-\u9fff\uf900-\ufaff]+)|([A-Za-z0-9]+)")


def bigrams(run: str) -> list[str]:
    if len(run) < 2:
        return [run] if run else []
    return [run[i : i + 2] for i in range(len(run) - 1)]


def index_text(text: str | None) -> str:
    """Text as FTS5 will store it: each Han bigram and lowercased word once, in the order they
    first appear. A search requires every bigram of the query (fts_query), anywhere in the
    report, so where and how often a term occurs is never asked: the index keeps no positions
    (detail=none) and each term once — about a sixth of the index and a third of the time to
    build it. (Written for speed: it runs for every report stored.)"""
    tokens: list[str] = []
    for han, word in _TOKENS.findall(text or ""):
        if not han:
            tokens.append(word.lower())
        elif len(han) == 1:
            tokens.append(han)
        else:
            tokens.extend(map(operator.add, han[:-1], han[1:]))
    return " ".join(dict.fromkeys(tokens))


def excerpt(text: str | None, query: str | None, around: int = 24) -> str:
    """A few words of `text` around the first place it holds the query — the whole query, else
    its first word, else the first of the query's bigrams found — that place in 【】. The index
    keeps no positions, so this is where a search's snippet comes from: the report's own text."""
    text = " ".join((text or "").split())
    words = [m.group(0) for m in _WORD.finditer(query or "")]
    candidates = ["".join(words)] + words + [t.rstrip("*") for t in query_terms(query or "")]
    for term in candidates:
        at = text.lower().find(term.lower()) if term else -1
        if at >= 0:
            start, end = max(0, at - around), min(len(text), at + len(term) + around)
            return (("…" if start else "") + text[start:at] + "【" + text[at:at + len(term)] + "】"
                    + text[at + len(term):end] + ("…" if end < len(text) else ""))
    return text[: 2 * around] + ("…" if len(text) > 2 * around else "")


def query_terms(query: str) -> list[str]:
    """A user's search split like the text: '政府信息公开' → 政府 府信 信息 息公 公开."""
    terms: list[str] = []
    for m in _WORD.finditer(query or ""):
        word = m.group(0)
        if _HAN_RUN.fullmatch(word):
            terms.extend(bigrams(word) if len(word) > 1 else [word + "*"])
        else:
            terms.append(word.lower())
    return terms


def fts_query(query: str) -> str:
    """An FTS5 MATCH expression: every term required, each quoted (no FTS syntax injection)."""
    parts = []
    for term in query_terms(query):
        if term.endswith("*"):
            parts.append(f'"{term[:-1]}"*')
        else:
            parts.append('"' + term.replace('"', '""') + '"')
    return " AND ".join(parts) if parts else '""'
