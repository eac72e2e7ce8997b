"""The archive on a real SQLite file: reports, versions, changes, alerts and Chinese search."""

import copy
import json

from conftest import FILES

from archive.ingest import ParseResult, store_parsed
from archive.parsing import parse_document
from archive.storage.db import Archive
from archive.storage.search import fts_query, index_text


def _ingest(archive, name, url, record=None, text=None, at="2025-02-01T00:00:00+00:00"):
    data = (FILES / name).read_bytes()
    parsed = parse_document(data, url=url)
    record = record or parsed.record
    record["url"] = url
    fetch = archive.record_fetch(
        url=url, status=200, headers={"Content-Type": "text/html"}, body=data + at.encode(), fetched_at=at,
        role="candidate", source="test", link_text=None, parent_url=None,
    )
    result = store_parsed(
        archive, ParseResult(record, text if text is not None else parsed.text), fetch, link_text=None, role="candidate"
    )
    return result, parsed


def test_new_unchanged_revised_and_text_revised(tmp_path):
    archive = Archive(tmp_path / "a.db")
    url = "http://127.0.0.1/zfxxgknb/t20250120_1.html"
    first, parsed = _ingest(archive, "html-official-haizhou-2024.html", url)
    assert first.kind == "new"
    again, _ = _ingest(archive, "html-official-haizhou-2024.html", url, at="2025-02-02T00:00:00+00:00")
    assert again.kind == "unchanged"
    granted = json.loads((FILES / "html-official-haizhou-2024.expected.json").read_text(encoding="utf-8"))[
        "requests"]["granted"]
    person, total = granted["natural_person"], granted["total"]
    revised = copy.deepcopy(parsed.record)
    revised["requests"]["granted"]["natural_person"] = person + 1
    revised["requests"]["granted"]["total"] = total + 1
    result, _ = _ingest(archive, "html-official-haizhou-2024.html", url, record=revised)
    assert result.kind == "revised" and result.version == 2
    changes = {c["field"]: (c["old"], c["new"]) for c in result.changes}
    assert changes == {
        "requests.granted.natural_person": (person, person + 1),
        "requests.granted.total": (total, total + 1),
    }
    prose = copy.deepcopy(revised)
    prose["sections"]["problems"] = prose["sections"].get("problems", "") + "新增一句。"
    result, _ = _ingest(archive, "html-official-haizhou-2024.html", url, record=prose)
    assert result.kind == "text_revised"
    kinds = [r["kind"] for r in archive.db["alerts"].rows]
    assert kinds == ["new", "revised", "text_revised"]
    assert archive.db["report_versions"].count == 3
    view = archive.db.execute(
        "select version, field, old_value, new_value from version_changes where kind = 'number' order by field"
    ).fetchall()
    assert view == [
        (2, "requests.granted.natural_person", str(person), str(person + 1)),
        (2, "requests.granted.total", str(total), str(total + 1)),
    ]
    cells = archive.db.execute(
        "select value from request_cells where row_key='granted' and column_key='natural_person'"
    ).fetchone()
    assert cells[0] == person + 1


def test_same_report_at_a_new_url_is_the_same_report(tmp_path):
    archive = Archive(tmp_path / "a.db")
    _ingest(archive, "003_c261cf9df1aa1cd4.txt", "http://127.0.0.1/old/1.html")
    archive.mark_gone("http://127.0.0.1/old/1.html", 404, "2025-03-01T00:00:00+00:00")
    moved, _ = _ingest(archive, "003_c261cf9df1aa1cd4.txt", "http://127.0.0.1/new/1.html")
    assert archive.db["reports"].count == 1
    assert moved.kind == "unchanged"  # same content: not a revision


def test_chinese_search_finds_two_character_words(tmp_path):
    archive = Archive(tmp_path / "a.db")
    for i, name in enumerate(["003_c261cf9df1aa1cd4.txt", "001_993b10d7eafd07e2.txt", "huaian-city-2024.pdf"]):
        _ingest(archive, name, f"http://127.0.0.1/{i}.html")
    def hits(q):
        sql = "select count(*) from reports_fts where reports_fts match ?"
        return archive.db.execute(sql, [fts_query(q)]).fetchone()[0]
    assert hits("公开") == 3
    assert hits("复议") == 3
    assert hits("政府信息公开") == 3
    assert hits("淮安") == 1
    assert hits("海州") == 1
    assert hits("不存在的词语") == 0


def test_index_text_splits_han_runs_into_bigrams():
    assert index_text("政府信息公开 2024年") == "政府 府信 信息 息公 公开 2024 年"
