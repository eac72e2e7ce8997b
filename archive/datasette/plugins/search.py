"""Chinese full-text search in Datasette: split the user's words the way the index was split.

``reports_fts`` stores title, agency and text as overlapping Han bigrams (archive/storage/
search.py), because that is the one approach measured to find every word (TOOL-NOTES.md, 200
reports): unicode61 on raw text keeps a run of Han characters as one token (公开 found in 40 of
200, 复议 in none); trigram finds nothing shorter than three characters (公开, 复议: 0); jieba
needs a 1.75 s dictionary load and its precise mode misses 诉讼. Bigrams find 公开, 复议 and 诉讼
everywhere — but only if the query is split too: Datasette's ``?_search=`` hands the words to
FTS as they are (``escape_fts`` quotes each whitespace-separated word), so 政府信息公开 becomes
one token that no bigram index holds, and a single character matches nothing.

So this plugin, on every connection (``prepare_connection``):

- registers ``bigram_query(text)``: the FTS5 MATCH expression of ``search.fts_query`` — every
  bigram required and quoted (no FTS syntax injection), a lone character a prefix query. Canned
  queries use it: ``where reports_fts match bigram_query(:q)``.
- registers ``excerpt(text, q)``: a few words of a report's text around the query, in 【】
  (search.excerpt) — the snippet of ``search_reports`` (the index keeps no positions).
- re-registers Datasette's own ``escape_fts(text)`` as the same function. The table view builds
  ``rowid in (select rowid from reports_fts where reports_fts match escape_fts(:search))`` for
  ``/DB/reports?_search=…``; replacing the function rewrites ``_search`` into bigram terms right
  where Datasette uses it, while the search box, the "search matches …" line and the URL keep
  what the user typed. (Rewriting the query string in an ASGI wrapper would show the rewritten
  terms in the box; a real tokenizer would need a compiled SQLite extension.) ``reports_fts`` is
  the archive's only FTS table, so nothing else is affected; ``_searchmode=raw`` still passes
  raw FTS syntax through untouched.

The hook is ``trylast`` so it runs after Datasette's default ``escape_fts`` registration.
"""

from __future__ import annotations

from datasette import hookimpl

from archive.storage.db import register_functions
from archive.storage.search import excerpt, fts_query


def bigram_query(text: str | None) -> str:
    """FTS5 MATCH expression for a user's words: '政府信息公开' → "政府" AND "府信" AND … AND "公开"."""
    return fts_query(str(text) if text is not None else "")


@hookimpl(trylast=True)
def prepare_connection(conn) -> None:
    conn.create_function("bigram_query", 1, bigram_query, deterministic=True)
    conn.create_function("escape_fts", 1, bigram_query, deterministic=True)
    conn.create_function("excerpt", 2, excerpt, deterministic=True)
    register_functions(conn)  # bigram_text(): the index's text (a rebuild or a delete reads it)
