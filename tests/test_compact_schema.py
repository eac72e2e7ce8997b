"""The compact schema (migration _m012): an archive made by the release before it upgrades in
place, nothing lost, and every query and page shows what it showed.

The "release" archive is built as that release built it: its migrations (_m001.._m007, which are
unchanged) and its writes, copied below from its storage code (request_cells as a table with
labels in every row, a record in both reports and report_versions, a full-text index holding its
own copy of the bigram text). Its canned and chart queries are its metadata.yml, kept as
tests/files/release-m007-metadata.yml. Records come from real documents read by the reader.
"""

import asyncio
import copy
import json
import sqlite3

import pytest
import sqlite_utils
import yaml
from conftest import FILES

from archive.ingest import parse_in_worker
from archive.record.diff import diff_records
from archive.record.model import applicant_columns, canonical_json, content_fingerprint, field_labels
from archive.record.review import needs_review
from archive.storage.db import MIGRATIONS, Archive, now_iso, open_db, stable_id
from archive.storage.search import excerpt, fts_query
from archive.storage.versions import identity_of, search_text, store_batch, store_record

RELEASE_METADATA = FILES / "release-m007-metadata.yml"
DOCUMENTS = ["html-official-haizhou-2024.html", "html-trs-editor-shifanqu-2023.html",
             "html-word-pasted-guodongban-2024.html", "html-legacy-zhongzhan-2020.html", "text-2021-single-other.txt"]
# (document, agency, year): two agencies over three years, and one more agency in 2024.
PLAN = [(0, "甲市人民政府办公室", 2023), (1, "甲市人民政府办公室", 2024), (2, "乙县教育局", 2023),
        (4, "乙县教育局", 2024), (3, "乙县教育局", 2020), (0, "丙区司法局", 2024)]


def _records():
    out = []
    for n, (doc, agency, year) in enumerate(PLAN):
        path = FILES / DOCUMENTS[doc]
        parsed = parse_in_worker(path.read_bytes(), f"http://127.0.0.1/r{n}.html",
                                 "text/html" if path.suffix == ".html" else "text/plain", None)
        assert parsed.record is not None, path
        record = copy.deepcopy(parsed.record)
        record.update(agency=agency, year=year, url=f"http://127.0.0.1/r{n}.html", title=f"{agency}{year}年政府信息公开工作年度报告")
        out.append((record, f"{record['title']}\n{parsed.text}"))
    return out


def _write_as_release(conn, record, body_text, *, version, captured_at, changes=()):
    """What the release's store_record wrote for a new report or a new version (versions.py,
    db.py of the release): reports row, version row with its own record copy, changes,
    request_cells with labels, check_results, and the bigram text into reports_fts."""
    identity = identity_of(record)
    report_id = stable_id(identity)
    search = search_text(record, body_text)
    fingerprint = content_fingerprint(record)
    first = conn.execute("select first_seen from reports where id = ?", [report_id]).fetchone()
    conn.execute(
        "insert into report_versions (report_id, version, captured_at, fingerprint, url, capture_id, record)"
        " values (?, ?, ?, ?, ?, ?, ?)",
        [report_id, version, captured_at, fingerprint, record["url"], None, canonical_json(record)])
    for c in changes:
        conn.execute(
            "insert into changes (report_id, version, field, label_zh, kind, old_value, new_value) values (?,?,?,?,?,?,?)",
            [report_id, version, c["field"], c["label_zh"], c["kind"], json.dumps(c["old"], ensure_ascii=False),
             json.dumps(c["new"], ensure_ascii=False)])
    row = {
        "id": report_id, "identity": identity, "agency": record["agency"], "year": record["year"], "region": None,
        "format": record.get("format"), "url": record["url"], "title": record["title"],
        "published": record.get("published"), "body_text": body_text,
        "record": json.dumps(record, ensure_ascii=False), "fingerprint": fingerprint, "version": version,
        "failed_checks": sum(not c["passed"] for c in record.get("checks", [])),
        "needs_review": int(needs_review(record)), "parser_version": record.get("parser_version"),
        "warnings": len(record.get("warnings", [])), "first_seen": first[0] if first else captured_at,
        "updated_at": captured_at, "last_checked": captured_at, "removed": 0, "document_id": stable_id(record["url"]),
        "capture_id": None,
    }
    cols = list(row)
    conn.execute(f"insert into reports ({', '.join(cols)}) values ({', '.join('?' * len(cols))})"
                 f" on conflict(id) do update set {', '.join(f'{c} = excluded.{c}' for c in cols if c != 'id')}",
                 list(row.values()))
    rowid = conn.execute("select rowid from reports where id = ?", [report_id]).fetchone()[0]
    conn.execute("delete from reports_fts where rowid = ?", [rowid])
    conn.execute("insert into reports_fts(rowid, title, agency, body) values (?, ?, ?, ?)",
                 [rowid, search["title"], search["agency"], search["body"]])
    labels, columns = field_labels(), applicant_columns()
    conn.execute("delete from request_cells where report_id = ?", [report_id])
    conn.executemany(
        "insert into request_cells (report_id, row_key, row_label, column_key, column_label, value, agency, year)"
        " values (?, ?, ?, ?, ?, ?, ?, ?)",
        [(report_id, r, labels[f"requests.{r}"], c, columns[c], v, record["agency"], record["year"])
         for r, cells in record["requests"].items() for c, v in cells.items()])
    conn.execute("delete from check_results where report_id = ?", [report_id])
    conn.executemany("insert into check_results (report_id, rule, passed, detail) values (?, ?, ?, ?)",
                     [(report_id, c["rule"], int(c["passed"]), c["detail"]) for c in record.get("checks", [])])
    return report_id


def _release_archive(path):
    """An archive at the release's schema (its migrations only) with its writes."""
    conn = sqlite3.connect(str(path), isolation_level=None)
    db = sqlite_utils.Database(conn)
    db["migrations"].create({"version": int, "applied_at": str}, pk="version")
    for number, migration in enumerate(MIGRATIONS, start=1):
        if migration.__name__ >= "_m008":
            break
        with conn:
            conn.execute("BEGIN")
            migration(db)
            db["migrations"].insert({"version": number, "applied_at": now_iso()})
    records = _records()
    conn.execute("BEGIN")
    ids = [_write_as_release(conn, r, t, version=1, captured_at="2025-02-01T00:00:00+00:00") for r, t in records]
    revised = copy.deepcopy(records[1][0])  # the second report revised once: version 2
    revised["requests"]["granted"]["natural_person"] = (revised["requests"]["granted"]["natural_person"] or 0) + 3
    _write_as_release(conn, revised, records[1][1], version=2, captured_at="2025-03-01T00:00:00+00:00",
                      changes=diff_records(records[1][0], revised))
    conn.execute("COMMIT")
    conn.close()
    return ids, records


def _queries(metadata_path_or_dict, _label):
    metadata = metadata_path_or_dict
    if not isinstance(metadata, dict):
        metadata = yaml.safe_load(metadata.read_text(encoding="utf-8"))
    queries = {k: q["sql"] for k, q in metadata["databases"]["archive"].get("queries", {}).items()}
    for dashboard in metadata.get("plugins", {}).get("datasette-dashboards", {}).values():
        for chart_name, chart in dashboard.get("charts", {}).items():
            queries[f"chart:{chart_name}"] = chart["query"]
    return queries


def _run(conn, sql, params):
    from datasette_dashboards import replace_opts_in_query

    sql = replace_opts_in_query(sql, params)
    import re

    wanted = set(re.findall(r":([a-zA-Z_][a-zA-Z0-9_]*)", sql))
    cursor = conn.execute(sql, {k: params.get(k, "") for k in wanted})
    names = [d[0] for d in cursor.description]
    return names, sorted((tuple(row) for row in cursor), key=repr)


def _snapshot(path, report_ids):
    conn = sqlite3.connect(str(path))
    from archive.datasette.plugins.search import bigram_query
    from archive.storage.db import register_functions

    register_functions(conn)
    conn.create_function("bigram_query", 1, bigram_query)
    snap = {
        "records": {rid: conn.execute("select record from reports where id = ?", [rid]).fetchone()[0] for rid in report_ids},
        "versions": sorted(
            (r[0], r[1], r[2], r[3], r[4], r[5], json.loads(r[6]))
            for r in conn.execute("select report_id, version, captured_at, fingerprint, url, capture_id, record"
                                  " from report_versions")),
        "cells": sorted(conn.execute("select * from request_cells").fetchall(), key=repr),
        "checks": sorted(conn.execute("select report_id, rule, passed, detail from check_results").fetchall()),
        "changes": sorted(conn.execute("select * from version_changes").fetchall(), key=repr),
        "search": {
            q: conn.execute(
                "select r.id from reports_fts"
                " join reports r on r.rowid = reports_fts.rowid where reports_fts match bigram_query(?) order by r.id",
                [q]).fetchall()
            for q in ("公开", "复议", "政府信息公开", "甲市", "行政诉讼案件")
        },
    }
    return conn, snap


@pytest.fixture(scope="module")
def upgraded(tmp_path_factory):
    path = tmp_path_factory.mktemp("compact") / "archive.db"
    report_ids, records = _release_archive(path)
    old_conn, before = _snapshot(path, report_ids)
    params = [{}, {"agency": "乙县教育局"}, {"year": "2024"}, {"report_id": report_ids[1]}, {"q": "公开"},
              {"agency": "甲市人民政府办公室", "year": "2023"}]
    release_queries = _queries(RELEASE_METADATA, "release")
    old_results = {(name, json.dumps(p, ensure_ascii=False)): _run(old_conn, sql, p)
                   for name, sql in release_queries.items() for p in params}
    old_conn.close()
    open_db(path).conn.close()  # the upgrade: every migration after _m007
    new_conn, after = _snapshot(path, report_ids)
    return {"path": path, "ids": report_ids, "records": records, "before": before, "after": after,
            "conn": new_conn, "params": params, "old_results": old_results}


def test_upgrade_keeps_every_record_version_cell_check_and_change(upgraded):
    before, after = upgraded["before"], upgraded["after"]
    assert len(before["cells"]) == 6 * 25 * 7 and len(before["versions"]) == 7
    for key in ("records", "versions", "cells", "checks", "changes"):
        assert after[key] == before[key], key
    conn = upgraded["conn"]
    assert conn.execute("select count(*) from request_cells_unmatched").fetchone()[0] == 0
    # One copy of each record: only the superseded version keeps its own.
    stored = conn.execute("select report_id, version from report_versions_stored where record is not null").fetchall()
    assert stored == [(upgraded["ids"][1], 1)]
    assert {r[0] for r in conn.execute("select name from sqlite_master where type = 'view'")} >= {
        "request_cells", "report_versions", "reports_fts_text"}


def test_upgrade_keeps_full_text_search_and_its_snippets(upgraded):
    """The same reports match every search after the upgrade; snippets now come from the text."""
    before, after = upgraded["before"], upgraded["after"]
    assert after["search"] == before["search"]
    conn = upgraded["conn"]
    conn.create_function("excerpt", 2, excerpt)
    assert after["search"]["复议"]
    for (report_id,) in after["search"]["复议"]:
        text, snippet = conn.execute("select body_text, excerpt(body_text, '复议') from reports where id = ?",
                                     [report_id]).fetchone()
        assert "【复议】" in snippet and snippet.strip("…").replace("【", "").replace("】", "") in " ".join(text.split())
    assert len(after["search"]["公开"]) == 6 and [r[0] for r in after["search"]["甲市"]] == sorted(upgraded["ids"][:2])
    content = upgraded["conn"].execute(
        "select count(*) from sqlite_master where name = 'reports_fts_content'").fetchone()[0]
    assert content == 0  # no second copy of the text


# The queries _m012 rewrote to read request_totals instead of request_cells.
REWRITTEN = ("chart:requests_by_year", "chart:outcomes_by_agency", "chart:applicants_by_agency", "agency_years",
             "year_across_agencies")


def test_every_query_and_chart_answers_as_the_release_did(upgraded):
    """Every query of the release, on the upgraded archive (request_cells and report_versions are
    views by the old names), answers as on the release's archive; the rewritten ones answer the same
    in their new form; every query of today's metadata runs on the upgraded archive."""
    from archive.datasette.server import TEMPLATE

    conn = upgraded["conn"]
    release = _queries(RELEASE_METADATA, "release")
    now = _queries(TEMPLATE, "now")
    for (name, params), (names, rows) in upgraded["old_results"].items():
        assert _run(conn, release[name], json.loads(params)) == (names, rows), (name, params)
        if name in REWRITTEN:
            assert _run(conn, now[name], json.loads(params)) == (names, rows), (name, params)
    for name in REWRITTEN:
        assert any(rows for (n, _), (_, rows) in upgraded["old_results"].items() if n == name), name
    for sql in now.values():
        for params in upgraded["params"]:
            _run(conn, sql, params)


def test_a_version_after_the_upgrade_keeps_the_one_before(upgraded, tmp_path):
    path = tmp_path / "later.db"
    path.write_bytes(upgraded["path"].read_bytes())
    archive = Archive(path)
    record, text = copy.deepcopy(upgraded["records"][0][0]), upgraded["records"][0][1]
    record["requests"]["granted"]["total"] = (record["requests"]["granted"]["total"] or 0) + 1
    outcome = store_record(archive, record, body_text=text + "新增一句。", document_id="d", capture=lambda: None,
                           captured_at="2025-04-01T00:00:00+00:00")
    assert (outcome.kind, outcome.version) == ("revised", 2)
    versions = {v: json.loads(r) for v, r in archive.db.execute(
        "select version, record from report_versions where report_id = ? order by version", [outcome.report_id])}
    assert versions[1] == json.loads(upgraded["before"]["records"][outcome.report_id])
    assert versions[2] == record
    cells = dict(archive.db.execute(
        "select column_key, value from request_cells where report_id = ? and row_key = 'granted'", [outcome.report_id]))
    assert cells["total"] == record["requests"]["granted"]["total"]
    totals = archive.db.execute("select granted from request_totals where report_id = ?", [outcome.report_id]).fetchone()
    assert totals[0] == record["requests"]["granted"]["total"]
    hits = archive.db.execute("select count(*) from reports_fts where reports_fts match '\"新增\" AND \"一句\"'").fetchone()
    assert hits[0] == 1  # the new text is found; the old text's terms went with it
    assert archive.db.execute("insert into reports_fts(reports_fts) values ('integrity-check')").fetchall() == []
    archive.close()


def test_batch_store_writes_what_one_by_one_writes(tmp_path):
    """A batch of new reports, a revision of one of them in the same batch, then a second batch
    with a report already archived (unchanged), a revision and a new report: the batch path
    writes every table as store_record does, one record at a time."""
    records = _records()
    one, many = Archive(tmp_path / "one.db"), Archive(tmp_path / "many.db")

    def item(record, text, when):
        return dict(record=record, body_text=text, document_id=stable_id(record["url"]), capture=lambda: None,
                    captured_at=when)

    revised = copy.deepcopy(records[1][0])
    revised["requests"]["granted"]["total"] = (revised["requests"]["granted"]["total"] or 0) + 5
    first = [item(r, t, "2025-02-01T00:00:00+00:00") for r, t in records[:4]]
    first.append(item(revised, records[1][1] + "更正。", "2025-02-01T00:00:00+00:00"))
    again = copy.deepcopy(records[2][0])
    again["requests"]["denied_state_secret"]["total"] = 3
    second = [item(records[0][0], records[0][1], "2025-03-01T00:00:00+00:00"),
              item(again, records[2][1], "2025-03-01T00:00:00+00:00"),
              *(item(r, t, "2025-03-01T00:00:00+00:00") for r, t in records[4:])]
    kinds = []
    for batch in (first, second):
        for one_item in batch:
            store_record(one, **copy.deepcopy(one_item))
        kinds.append([o.kind for o in store_batch(many, [copy.deepcopy(i) for i in batch])])
    assert kinds == [["new"] * 4 + ["revised"], ["unchanged", "revised", "new", "new"]]
    for table in ("reports", "request_cells", "request_totals", "check_results", "report_versions", "changes",
                  "cross_checks"):
        query = f"select * from {table}"
        a = sorted(one.db.execute(query).fetchall(), key=repr)
        b = sorted(many.db.execute(query).fetchall(), key=repr)
        assert a == b and a, table
    assert many.db.execute("select count(*) from cross_checks").fetchone()[0] > 0  # 甲 2023→2024, 乙 2023→2024
    for query in ("公开", "政府信息公开", "更正", "甲市"):
        match = fts_query(query)
        found = [sorted(r for (r,) in archive.db.execute(
            "select r.id from reports_fts f join reports r on r.rowid = f.rowid where reports_fts match ?", [match]))
            for archive in (one, many)]
        assert found[0] == found[1] and found[0], query
    assert many.db.execute("insert into reports_fts(reports_fts) values ('integrity-check')").fetchall() == []


def test_datasette_serves_the_upgraded_archive(upgraded):
    """A real Datasette (in-process) with the project's metadata and plugins on the upgraded file."""
    from datasette.app import Datasette
    from datasette.plugins import pm

    from archive.datasette.plugins import register_all
    from archive.datasette.server import SETTINGS, build_metadata

    register_all(pm)
    path = upgraded["path"]
    name = path.stem
    report_id = upgraded["ids"][1]

    async def fetch():
        ds = Datasette([str(path)], metadata=build_metadata(path), settings=SETTINGS)
        pages = {
            "search": f"/{name}/reports.json?_search=公开&_shape=objects",
            "view": f"/{name}/report_view.json?report_id={report_id}&_shape=objects",
            "history": f"/{name}/report_history.json?report_id={report_id}&_shape=objects",
            "cells": f"/{name}/request_cells.json?report_id={report_id}&_size=200",
            "reports": f"/{name}/reports.json",
            "snippets": f"/{name}/search_reports.json?q=政府信息公开&_shape=objects",
        }
        return {k: await ds.client.get(v) for k, v in pages.items()}

    got = asyncio.run(fetch())
    assert all(r.status_code == 200 for r in got.values()), {k: r.status_code for k, r in got.items()}
    assert len(got["search"].json()["rows"]) == 6
    view = got["view"].json()["rows"]
    granted = next(r for r in view if r["row_key"] == "granted")
    record = json.loads(upgraded["before"]["records"][report_id])
    assert granted["自然人"] == record["requests"]["granted"]["natural_person"]
    assert len(view) == 25
    assert [r["version"] for r in got["history"].json()["rows"]][:1] == [2]
    assert len(got["cells"].json()["rows"]) == 175
    # The view unfolding every record is not counted (nocount: plugins/counts.py); reports are.
    assert got["cells"].json()["filtered_table_rows_count"] is None
    assert got["reports"].json()["filtered_table_rows_count"] == 6
    assert all("【" in r["snippet"] for r in got["snippets"].json()["rows"])
