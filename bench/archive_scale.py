"""The archive at national scale: build an N-report archive through the real storage code, then
time every page a user opens in a real Datasette and print bytes per report and insert rate.

    python bench/archive_scale.py --reports 10000 [--db /tmp/scale.db] [--keep]

Reports are made from real documents read by the project's reader (a few saved fixtures),
varied the way a national archive varies: ~3,000 places × ~25 departments, years 2019–2025,
numbers scaled per report (the format's arithmetic still holds), the agency's name in its text,
and 2% of reports revised once (a second version with changed numbers). Records go through the
batch store path (`store_batch`) in one transaction per 1,000.

Pages are fetched through Datasette's in-process client (the project's metadata, settings and
plugins), each twice, the best of the two kept: home, database, the reports table with its
default facets, full-text search (2-character and long words), every canned query in
metadata.yml, a report's row and report views, the dashboard with and without filters and the
data query behind each chart. Targets at 100,000 reports: every page ≤ 0.5 s, none > 1 s;
≤ 40 KB per report (no raw captures stored); ≥ 1,000 reports/s stored.
"""

from __future__ import annotations

import argparse
import asyncio
import copy
import multiprocessing
import os
import random
import sqlite3
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from archive.ingest import parse_in_worker  # noqa: E402
from archive.parsing import identity as ident  # noqa: E402
from archive.record.model import content_fingerprint  # noqa: E402
from archive.storage import versions  # noqa: E402
from archive.storage.db import Archive, stable_id  # noqa: E402

FILES = ROOT / "tests" / "files"
TEMPLATES = [
    "html-official-haizhou-2024.html",
    "html-trs-editor-shifanqu-2023.html",
    "html-word-pasted-guodongban-2024.html",
    "html-legacy-zhongzhan-2020.html",
    "html-mixed-typos-haizhou-2024.html",
    "text-2021-single-other.txt",
    "000_32c2d63033fa8ad9.txt",
    "001_993b10d7eafd07e2.txt",
]
PROVINCES = ["河北", "山西", "辽宁", "吉林", "江苏", "浙江", "安徽", "福建", "江西", "山东", "河南", "湖北", "湖南",
             "广东", "海南", "四川", "贵州", "云南", "陕西", "甘肃", "青海", "广西", "内蒙古", "西藏", "宁夏", "新疆",
             "黑龙江", "北京", "天津", "上海", "重庆"]
SYLLABLES = "安宁平阳城山江河东西南北新华兴昌德源泉丰永清和长宁武定远丽水云海"
DEPARTMENTS = ["人民政府办公室", "发展和改革局", "教育局", "科学技术局", "公安局", "民政局", "司法局", "财政局",
               "人力资源和社会保障局", "自然资源局", "生态环境局", "住房和城乡建设局", "交通运输局", "水利局",
               "农业农村局", "商务局", "文化和旅游局", "卫生健康委员会", "退役军人事务局", "应急管理局",
               "审计局", "市场监督管理局", "统计局", "医疗保障局", "人民政府"]
YEARS = list(range(2019, 2026))


def places(rng: random.Random):
    """Endless (city, county) names: 某某省某某市某某县 shapes, deterministic."""
    seen = set()
    while True:
        province = rng.choice(PROVINCES)
        city = province + "省" + rng.choice(SYLLABLES) + rng.choice(SYLLABLES) + "市"
        county = city + rng.choice(SYLLABLES) + rng.choice(SYLLABLES) + rng.choice("县区")
        if county not in seen:
            seen.add(county)
            yield county


def templates() -> list:
    out = []
    for name in TEMPLATES:
        path = FILES / name
        ctype = "text/html" if path.suffix == ".html" else "text/plain"
        parsed = parse_in_worker(path.read_bytes(), f"http://example.gov.cn/{name}", ctype, None)
        if parsed.record is not None:
            out.append(parsed)
    return out


def _scale(value, factor: int):
    if isinstance(value, bool) or value is None:
        return value
    if isinstance(value, int):
        return value * factor
    if isinstance(value, dict):
        return {k: _scale(v, factor) for k, v in value.items()}
    return value


def variant(template, agency: str, year: int, factor: int, n: int) -> tuple[dict, str]:
    """A report made from a template: its own agency, year, title, URL and numbers (the sections
    with numbers are rebuilt, the rest shared with the template: storing never changes a record)."""
    record = dict(template.record)
    record["agency"], record["year"] = agency, year
    record["title"] = f"{agency}{year}年政府信息公开工作年度报告"
    record["url"] = f"http://www{n % 997}.gov.cn/xxgk/{year}/t{n}.html"
    for key in ("requests", "review_litigation", "active_disclosure"):
        if isinstance(record.get(key), dict):
            record[key] = _scale(record[key], factor)
    return record, f"{record['title']}\n{template.text}"


def _prepared(args: tuple) -> tuple:
    """What a parse worker hands the writer with a record: its fingerprint and bigram text."""
    record, text = args
    return record, text, content_fingerprint(record), versions.search_text(record, text)


def build(path: Path, n: int, seed: int = 17) -> dict:
    rng = random.Random(seed)
    temps = templates()
    archive = Archive(path)
    names = places(rng)
    items, revised = [], []
    made = 0
    while made < n:
        county = next(names)
        for dept in rng.sample(DEPARTMENTS, k=rng.randint(3, 8)):
            agency = county + dept
            for year in YEARS:
                if made >= n:
                    break
                record, text = variant(rng.choice(temps), agency, year, rng.randint(1, 9), made)
                items.append((record, text))
                if rng.random() < 0.02:
                    revised.append(made)
                made += 1
            if made >= n:
                break
    stored = 0
    with multiprocessing.Pool(2) as pool:  # fingerprints and bigrams, as the parse workers make them
        for start in range(0, len(items), 1000):
            chunk = items[start:start + 1000]
            store(archive, chunk, when="2025-01-01T00:00:00+00:00", pool=pool)
            stored += len(chunk)
            if stored % 10000 == 0 or stored == len(items):
                print(f"  stored {stored}/{len(items)} ({stored / store.seconds:.0f} reports/s while storing)",
                      file=sys.stderr, flush=True)
    seconds, cpu = store.seconds, store.cpu
    # Revisions: a second version of 2% of the reports (numbers changed), as a later crawl finds.
    again = []
    for i in revised:
        record, text = copy.deepcopy(items[i][0]), items[i][1]
        row = record["requests"]["granted"]
        row["natural_person"] = (row.get("natural_person") or 0) + 1
        again.append((record, text))
    store(archive, again, when="2025-06-01T00:00:00+00:00")
    archive.db.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    archive.db.conn.execute("ANALYZE")
    archive.close()
    return {"reports": len(items), "revised": len(again), "store_seconds": seconds, "rate": len(items) / seconds,
            "store_cpu": cpu, "cpu_rate": len(items) / cpu}


def store(archive: Archive, chunk: list, when: str, pool=None) -> None:
    prepared = pool.map(_prepared, chunk, chunksize=50) if pool else map(_prepared, chunk)
    batch = [
        dict(record=record, body_text=text, document_id=stable_id(record["url"]), capture=lambda: None,
             captured_at=when, region=ident.region_of(record.get("agency")), fingerprint=fingerprint, search=search)
        for record, text, fingerprint, search in prepared
    ]
    started, cpu = time.perf_counter(), time.process_time()
    if hasattr(versions, "store_batch"):
        versions.store_batch(archive, batch)
    else:  # the release before the batch path: what import/reparse did, one transaction
        with archive.transaction():
            for item in batch:
                versions.store_record(archive, **item)
    store.seconds = getattr(store, "seconds", 0.0) + time.perf_counter() - started
    store.cpu = getattr(store, "cpu", 0.0) + time.process_time() - cpu


def size_report(path: Path, n: int) -> list[str]:
    conn = sqlite3.connect(str(path))
    page = conn.execute("pragma page_size").fetchone()[0]
    total = conn.execute("pragma page_count").fetchone()[0] * page
    rows = conn.execute("select name, sum(pgsize) from dbstat group by name order by 2 desc limit 12").fetchall()
    conn.close()
    lines = [f"file: {total / 1e6:.1f} MB = {total / n / 1024:.1f} KB per report"]
    lines += [f"  {name:<40} {size / n / 1024:7.2f} KB/report" for name, size in rows]
    return lines


async def time_pages(path: Path) -> list[tuple[str, float, int]]:
    from datasette.app import Datasette
    from datasette.plugins import pm
    from datasette_dashboards import replace_opts_in_query

    from archive.datasette.plugins import register_all
    from archive.datasette.server import SETTINGS, build_metadata

    register_all(pm)
    metadata = build_metadata(path)
    ds = Datasette([str(path)], metadata=metadata, settings=SETTINGS)
    await ds.invoke_startup()
    db = path.stem
    conn = sqlite3.connect(str(path))
    report_id, agency, year, region = conn.execute(
        "select id, agency, year, region from reports where version > 1 order by id limit 1").fetchone()
    conn.close()
    params = {"report_id": report_id, "agency": agency, "year": str(year), "q": "公开", "region": region or ""}
    pages = ["/", f"/{db}", f"/{db}/reports", f"/{db}/reports?_search=公开", f"/{db}/reports?_search=复议",
             f"/{db}/reports?_search=政府信息公开工作年度报告", f"/{db}/reports?year=2023&needs_review=1",
             f"/{db}/reports?year=2023", f"/{db}/reports?" + urlencode({"region": region or "", "year": 2022}),
             f"/{db}/reports?failed_checks__gt=0&year=2024",
             f"/{db}/reports?" + urlencode({"agency": agency}), f"/{db}/reports/{report_id}",
             f"/{db}/request_cells", f"/{db}/report_versions", f"/{db}/check_results", f"/{db}/check_results?passed=0",
             f"/{db}/cross_checks", f"/{db}/cross_checks?passed=0", f"/{db}/alerts"]
    queries = metadata["databases"][db].get("queries", {})
    for name, query in queries.items():
        wanted = query.get("params") or []
        pages.append(f"/{db}/{name}" + ("?" + urlencode({p: params.get(p, "") for p in wanted}) if wanted else ""))
    for q in ("政府信息公开", "行政复议决定书"):
        pages.append(f"/{db}/search_reports?" + urlencode({"q": q}))
    pages.append(f"/{db}/recent_alerts.atom")
    for name, dashboard in metadata.get("plugins", {}).get("datasette-dashboards", {}).items():
        for options in [{}] + [{key: params[key]} for key in dashboard.get("filters", {}) if params.get(key)]:
            pages.append(f"/-/dashboards/{name}" + ("?" + urlencode(options) if options else ""))
            for chart in dashboard.get("charts", {}).values():
                sql = replace_opts_in_query(chart["query"], options)
                pages.append(f"/{chart['db']}.json?" + urlencode({"sql": sql, "_shape": "array", **options}))
    results = []
    for page in pages:
        best, cpu, status = None, None, None
        for _ in range(2):
            started, cpu_started = time.perf_counter(), time.process_time()
            response = await ds.client.get(page)
            elapsed, used = time.perf_counter() - started, time.process_time() - cpu_started
            status = response.status_code
            if best is None or elapsed < best:
                best, cpu = elapsed, used
        results.append((page, best, cpu, status))
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--reports", type=int, default=10000)
    parser.add_argument("--db", type=Path, help="archive file to build (default: a temporary file)")
    parser.add_argument("--keep", action="store_true", help="keep the archive file")
    parser.add_argument("--pages-only", action="store_true", help="time the pages of an archive already built")
    args = parser.parse_args()
    tmp = None
    if args.db is None:
        tmp = tempfile.TemporaryDirectory(prefix="govreports-scale-")
        args.db = Path(tmp.name) / "scale.db"
    if not args.pages_only:
        for suffix in ("", "-wal", "-shm"):
            Path(f"{args.db}{suffix}").unlink(missing_ok=True)
        print(f"building {args.reports} reports in {args.db} …", file=sys.stderr, flush=True)
        built = build(args.db, args.reports)
        print(f"stored {built['reports']} reports in {built['store_seconds']:.1f} s: {built['rate']:.0f} reports/s "
              f"(batch store, one transaction per 1,000; {built['store_cpu']:.1f} s of CPU: {built['cpu_rate']:.0f} "
              f"reports per CPU-second); then {built['revised']} revisions")
    n = sqlite3.connect(str(args.db)).execute("select count(*) from reports").fetchone()[0]
    for line in size_report(args.db, n):
        print(line)
    results = asyncio.run(time_pages(args.db))
    print(f"load average when timing pages: {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")
    print(f"pages ({len(results)}), best of two: wall seconds, CPU seconds of that try (the time on an idle core):")
    for page, seconds, cpu, status in results:
        flag = "" if seconds <= 0.5 else ("  > 0.5 s" if seconds <= 1 else "  > 1 s")
        shown = page if len(page) <= 100 else page[:97] + "…"
        print(f"  {seconds:6.3f}  {cpu:6.3f}  {status}  {shown}{flag}")
    for label, index in (("wall", 1), ("CPU", 2)):
        times = [r[index] for r in results]
        print(f"{label}: slowest page {max(times):.3f} s; over 0.5 s: {sum(t > 0.5 for t in times)}; "
              f"over 1 s: {sum(t > 1 for t in times)}")
    print(f"not 200: {sum(r[3] != 200 for r in results)}")
    if tmp and not args.keep:
        tmp.cleanup()
    elif args.keep or tmp is None:
        print(f"archive kept: {args.db}", file=sys.stderr)
    os.environ.pop("_", None)


if __name__ == "__main__":
    main()
