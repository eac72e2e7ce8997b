"""The archive on a real SQLite file: reports, versions, changes, alerts and Chinese search."""

import copy
import json

from conftest import FILES

from archive.ingest import ParseResult, store_parsed
from archive.parsing import parse_document
from archive.storage.db import Archive
from archive.storage.search import excerpt, fts_query, index_text


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
    assert moved.kind == "moved" and moved.moved_from == "http://127.0.0.1/old/1.html"  # same content: no revision
    assert archive.report_row(moved.report_id)["url"] == "http://127.0.0.1/new/1.html"
    assert [r["url"] for r in archive.db["report_aliases"].rows] == ["http://127.0.0.1/old/1.html"]
    assert [r["kind"] for r in archive.db["alerts"].rows] == ["new", "moved"]


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
    # each term once, in the order it first appears (the index keeps no positions)
    assert index_text("公开公开，信息公开 Open open") == "公开 开公 信息 息公 open"


def test_a_snippet_shows_the_words_found_in_the_reports_own_text():
    text = "一、总体情况\n本机关全年收到政府信息公开申请12件，被申请行政复议1件。"
    assert excerpt(text, "政府信息公开", around=4) == "…全年收到【政府信息公开】申请12…"
    assert excerpt(text, "行政复议 决定书", around=3) == "…被申请【行政复议】1件。"  # the first word found
    assert excerpt(text, "复议机关", around=2) == "…行政【复议】1件…"  # else the first bigram found
    assert excerpt(text, "量子", around=5) == "一、总体情况 本机关…"  # nothing found: the text's start


def test_needs_review_is_a_column_and_not_a_new_version(tmp_path):
    archive = Archive(tmp_path / "a.db")
    url = "http://127.0.0.1/zfxxgknb/t20250120_9.html"
    first, parsed = _ingest(archive, "blank-cell-fails-check-mixed-typos-2024.html", url)
    assert parsed.record["needs_review"] is True and parsed.record["reading"]["checks_failed"] == 2
    row = archive.report_row(first.report_id)
    assert row["needs_review"] == 1 and json.loads(row["record"])["reading"] == parsed.record["reading"]
    # the same numbers read another way (the summary and flag differ) are the same version
    again = copy.deepcopy(parsed.record)
    again["needs_review"], again["reading"] = False, {**again["reading"], "rules": {}}
    result, _ = _ingest(archive, "blank-cell-fails-check-mixed-typos-2024.html", url, record=again,
                        at="2025-02-02T00:00:00+00:00")
    assert result.kind == "unchanged" and archive.db["report_versions"].count == 1
    clean, _ = _ingest(archive, "blank-zeros-note-trs-editor-2023.html", "http://127.0.0.1/zfxxgknb/t2.html")
    assert archive.report_row(clean.report_id)["needs_review"] == 0


def test_an_archive_from_before_the_review_flag_gets_it_from_its_records(tmp_path):
    import sqlite3

    path = tmp_path / "old.db"
    archive = Archive(path)
    failing, _ = _ingest(archive, "redteam-blank-total-column.html", "http://127.0.0.1/zfxxgknb/t7.html")
    adds_up, _ = _ingest(archive, "html-official-haizhou-2024.html", "http://127.0.0.1/zfxxgknb/t8.html")
    archive.close()
    with sqlite3.connect(path) as conn:  # the archive as schema version 5 left it, records without the flag
        conn.execute("drop index reports_needs_review_year")  # the index on needs_review today (_m015)
        conn.execute("alter table reports drop column needs_review")
        conn.execute("delete from migrations where version = 6")
        for report_id, record in conn.execute("select id, record from reports").fetchall():
            record = json.loads(record)
            del record["needs_review"], record["reading"]
            conn.execute("update reports set record = ? where id = ?", [json.dumps(record), report_id])
    archive = Archive(path)
    assert "needs_review" in archive.db["reports"].columns_dict
    assert archive.report_row(failing.report_id)["needs_review"] == 1  # its checks fail
    assert archive.report_row(adds_up.report_id)["needs_review"] == 0
    assert 6 in {r["version"] for r in archive.db["migrations"].rows}
