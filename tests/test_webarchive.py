"""WARC and WACZ out and in: checked with warcio itself and by round trips through the CLI."""

import gzip
import hashlib
import io
import json
import sqlite3
import subprocess
import sys
import zipfile
from base64 import b32encode

import pytest
from conftest import FILES
from portal import crawl, export, govreports, portal
from warcio.archiveiterator import ArchiveIterator
from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter


@pytest.fixture(scope="module")
def crawled(tmp_path_factory):
    """The sample portal crawled, then exported as WARC and WACZ."""
    tmp = tmp_path_factory.mktemp("webarchive")
    db = tmp / "archive.db"
    with portal() as (server, _foreign):
        assert crawl(server, db).returncode == 0
    warc, wacz = tmp / "out.warc.gz", tmp / "out.wacz"
    result = govreports("export", "--db", str(db), "--warc", str(warc), "--wacz", str(wacz))
    assert result.returncode == 0, result.stderr[-2000:]
    return {"db": db, "warc": warc, "wacz": wacz, "tmp": tmp, "records": export(db)}


def _sha1_b32(data: bytes) -> str:
    return "sha1:" + b32encode(hashlib.sha1(data).digest()).decode()


def test_every_capture_is_one_response_record_that_reads_back(crawled):
    conn = sqlite3.connect(crawled["db"])
    captures = {(url, gzip.decompress(body)) for url, body in conn.execute("select url, body_gzip from captures")}
    conn.close()
    responses, requests = [], 0
    with open(crawled["warc"], "rb") as handle:
        for record in ArchiveIterator(handle, check_digests="raise"):
            if record.rec_type == "response":
                body = record.content_stream().read()
                assert record.rec_headers.get_header("WARC-Payload-Digest") == _sha1_b32(body)
                assert record.rec_headers.get_header("WARC-Date").endswith("Z")
                assert record.http_headers.get_statuscode() == "200"
                responses.append((record.rec_headers.get_header("WARC-Target-URI"), body))
            elif record.rec_type == "request":
                requests += 1
    assert len(responses) == len(captures) == requests
    assert set(responses) == captures


def test_wacz_holds_the_warc_its_index_and_the_report_pages(crawled):
    with zipfile.ZipFile(crawled["wacz"]) as wacz:
        names = set(wacz.namelist())
        assert {"datapackage.json", "pages/pages.jsonl"} <= names
        assert any(n.startswith("archive/") and ".warc" in n for n in names)
        assert any(n.startswith("indexes/") for n in names)
        pages = [json.loads(line) for line in wacz.read("pages/pages.jsonl").decode().splitlines()[1:]]
    assert {p["url"] for p in pages} == {r["url"] for r in crawled["records"]}
    validate = subprocess.run([sys.executable, "-m", "wacz", "validate", "-f", str(crawled["wacz"])],
                              capture_output=True, text=True)
    assert validate.returncode == 0, validate.stdout[-2000:] + validate.stderr[-2000:]


@pytest.mark.parametrize("kind", ["warc", "wacz"])
def test_round_trip_gives_the_same_records(crawled, kind, tmp_path):
    db = tmp_path / "imported.db"
    result = govreports("import", str(crawled[kind]), "--db", str(db))
    assert result.returncode == 0, result.stderr[-2000:]
    assert _by_url(export(db)) == _by_url(crawled["records"])
    again = govreports("import", str(crawled[kind]), "--db", str(db))
    assert again.returncode == 0
    assert "new" not in again.stderr.split("records skipped")[0].replace("documents:", "")
    conn = sqlite3.connect(db)
    assert conn.execute("select count(*) from report_versions").fetchone()[0] == len(crawled["records"])
    assert conn.execute("select count(*) from alerts where kind = 'new'").fetchone()[0] == len(crawled["records"])


def _by_url(records):
    return {r["url"]: r for r in records}


def _response(writer, url, body, status="200 OK", content_type="text/html; charset=utf-8", date="2025-01-21T02:03:04Z",
              extra=None):
    headers = StatusAndHeaders(status, [("Content-Type", content_type)], protocol="HTTP/1.1")
    return writer.create_warc_record(url, "response", payload=io.BytesIO(body), length=len(body), http_headers=headers,
                                     warc_headers_dict={"WARC-Date": date, **(extra or {})})


def test_a_warc_of_another_tool_with_revisits_errors_truncation_and_damage(tmp_path):
    page = (FILES / "html-official-haizhou-2024.html").read_bytes()
    expected = json.loads((FILES / "html-official-haizhou-2024.expected.json").read_text(encoding="utf-8"))
    docx = (FILES / "docx-guodongban-2024.docx").read_bytes()
    site = "http://www.example.gov.cn/zfxxgknb/"
    listing = (f'<html><head><meta charset="utf-8"><title>年报</title></head><body>'
               f'<a href="{site}t1.html">报告</a></body></html>').encode()
    linking = ('<html><head><meta charset="utf-8"><title>海州区人民政府办公室2023年政府信息公开工作年度报告</title></head>'
               '<body><h1>海州区人民政府办公室2023年政府信息公开工作年度报告</h1><p>详见附件</p>'
               '<a href="/files/report.docx">附件：报告.docx</a></body></html>').encode()
    out = io.BytesIO()
    writer = WARCWriter(out, gzip=True)
    writer.write_record(_response(writer, site + "index.html", listing))
    writer.write_record(_response(writer, site + "t1.html", page))
    writer.write_record(_response(writer, site + "t2.html", linking))
    writer.write_record(_response(writer, "http://www.example.gov.cn/files/report.docx", docx,
                                  content_type="application/vnd.openxmlformats-officedocument.wordprocessingml.document"))
    writer.write_record(_response(writer, site + "gone.html", b"not found", status="404 Not Found"))
    writer.write_record(_response(writer, site + "cut.html", page[:5000], extra={"WARC-Truncated": "length"}))
    writer.write_record(writer.create_revisit_record(site + "t1.html", digest=_sha1_b32(page),
                                                     refers_to_uri=site + "t1.html", refers_to_date="2025-01-21T02:03:04Z"))
    path = tmp_path / "other.warc.gz"
    path.write_bytes(out.getvalue() + b"\x1f\x8b\x08\x00garbage that is no gzip member")
    db = tmp_path / "a.db"
    result = govreports("import", str(path), "--db", str(db))
    assert result.returncode == 0, result.stderr[-2000:]
    for said in ("1 revisit", "1 truncated", "1 status 404", "1 malformed record"):
        assert said in result.stderr, result.stderr[-1500:]
    records = _by_url(export(db))
    report = records[site + "t1.html"]
    numbers = {k: report["requests"][k] for k in expected["requests"]}
    assert numbers == expected["requests"]
    docx_expected = json.loads((FILES / "docx-guodongban-2024.expected.json").read_text(encoding="utf-8"))
    docx_record = records["http://www.example.gov.cn/files/report.docx"]
    assert docx_record["requests"] == docx_expected["requests"]
    assert set(records) == {site + "t1.html", "http://www.example.gov.cn/files/report.docx"}
    conn = sqlite3.connect(db)
    parent = conn.execute("select role, parent_url, parent_title from documents where url like '%report.docx'").fetchone()
    assert parent == ("attachment", site + "t2.html", "海州区人民政府办公室2023年政府信息公开工作年度报告")
    fetched = conn.execute("select fetched_at from captures where url = ?", [site + "t1.html"]).fetchone()[0]
    assert fetched.startswith("2025-01-21T02:03:04")
    assert conn.execute("select count(*) from documents where url = ?", [site + "index.html"]).fetchone()[0] == 0
