"""Scale-out: real redis-server, two real Scrapyd nodes, sample portals on their own ports.

Every report archived once; a job and the writer killed with -9 mid-run lose and duplicate
nothing; two jobs never hold the same source. The expected reports come from the numbers the
portal generator put into them (tests/cluster_portals.py).
"""

from __future__ import annotations

import importlib.util
import json
import os
import shutil
import signal
import socket
import sqlite3
import subprocess
import sys
import time
import urllib.request
from collections import Counter
from contextlib import ExitStack
from pathlib import Path

import pytest

from archive.demo.server import PortalServer

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(Path(__file__).parent))
from cluster_portals import build_city_portal, sources_toml  # noqa: E402

_missing = [name for name, ok in (("redis-server", shutil.which("redis-server")),
                                  ("scrapyd", importlib.util.find_spec("scrapyd")),
                                  ("redis (Python)", importlib.util.find_spec("redis"))) if not ok]
if _missing and os.environ.get("GOVREPORTS_CLUSTER_TESTS") != "1":
    pytest.skip(f"scale-out tests need {', '.join(_missing)} (GOVREPORTS_CLUSTER_TESTS=1 makes this a failure)",
                allow_module_level=True)

FAST = ["-s", "DOWNLOAD_DELAY=0", "-s", "AUTOTHROTTLE_ENABLED=False", "-s", "RETRY_BACKOFF_BASE=0.01",
        "-s", "GOVREPORTS_RECHECK_AFTER_HOURS=0", "-s", "GOVREPORTS_PARSE_WORKERS=0", "-s", "GOVREPORTS_LEASE_TTL=3",
        "-s", "LOG_LEVEL=INFO"]
PORTALS = 3


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_until(check, timeout: float, what: str, every: float = 0.2):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = check()
        if value:
            return value
        time.sleep(every)
    raise AssertionError(f"timed out after {timeout:g} s waiting for {what}")


def govreports(*args: str, timeout: int = 240, cwd: Path | None = None) -> subprocess.CompletedProcess:
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    return subprocess.run([sys.executable, "-m", "archive", *args], cwd=cwd or ROOT, env=env, capture_output=True,
                          text=True, timeout=timeout)


def start_writer(queue: str, db: Path, *extra: str) -> subprocess.Popen:
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    return subprocess.Popen([sys.executable, "-m", "archive", "ingest", "--queue", queue, "--db", str(db), *extra],
                            cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


class Scrapyd:
    """One Scrapyd node in its own folder, with its own port and config."""

    def __init__(self, folder: Path):
        folder.mkdir(parents=True)
        self.folder = folder
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        (folder / "scrapyd.conf").write_text(
            "[scrapyd]\neggs_dir = eggs\nlogs_dir = logs\nitems_dir =\ndbs_dir = dbs\n"
            f"http_port = {self.port}\nbind_address = 127.0.0.1\nmax_proc = 2\npoll_interval = 0.2\n",
            encoding="utf-8",
        )
        env = dict(os.environ, PYTHONPATH=str(ROOT))
        self.log = open(folder / "scrapyd.out", "w")  # noqa: SIM115 - closed in stop()
        self.process = subprocess.Popen([sys.executable, "-m", "scrapyd"], cwd=folder, env=env, stdout=self.log,
                                        stderr=subprocess.STDOUT)
        wait_until(self._up, 60, f"scrapyd on port {self.port}")

    def _up(self) -> bool:
        if self.process.poll() is not None:
            raise AssertionError(f"scrapyd exited: {(self.folder / 'scrapyd.out').read_text()[-2000:]}")
        try:
            return bool(self.call("daemonstatus.json"))
        except OSError:
            return False

    def call(self, endpoint: str) -> dict:
        with urllib.request.urlopen(f"{self.url}/{endpoint}", timeout=10) as response:
            return json.loads(response.read())

    def jobs(self) -> dict:
        return self.call("listjobs.json?project=govreports")

    def job_log(self, job: str) -> str:
        path = self.folder / "logs" / "govreports" / "reports" / f"{job}.log"
        return path.read_text(errors="replace") if path.exists() else ""

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            self.process.kill()
        self.log.close()


@pytest.fixture(scope="module")
def cluster(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("cluster")
    with ExitStack() as stack:
        port = free_port()
        redis_proc = subprocess.Popen(
            ["redis-server", "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no",
             "--dir", str(tmp)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )
        stack.callback(lambda: (redis_proc.kill(), redis_proc.wait()))
        nodes = [Scrapyd(tmp / f"node{i}") for i in range(2)]
        for node in nodes:
            stack.callback(node.stop)
        portals = [build_city_portal(i) for i in range(PORTALS)]
        servers = [stack.enter_context(PortalServer(site)) for site, _ in portals]
        sources = tmp / "sources.toml"
        sources.write_text(sources_toml(servers), encoding="utf-8")
        import redis

        from archive.cluster.scrapyd import Node, deploy

        wait_until(lambda: _ping(redis, port), 10, "redis-server")
        deploy([Node(node.url) for node in nodes])  # once: as `govreports schedule` does before scheduling
        yield {"tmp": tmp, "redis_port": port, "nodes": nodes, "servers": servers, "sources": sources,
               "truth": [t for _, truth in portals for t in truth], "redis": redis}


def _ping(redis, port: int) -> bool:
    try:
        return redis.Redis(port=port).ping()
    except redis.RedisError:
        return False


def queue_url(cluster, db: int) -> str:
    return f"redis://127.0.0.1:{cluster['redis_port']}/{db}"


def all_done(cluster, jobs: list[str]) -> bool:
    finished = {j["id"] for node in cluster["nodes"] for j in node.jobs()["finished"]}
    return set(jobs) <= finished


def schedule(cluster, queue: str, *extra: str) -> list[tuple[str, str, str]]:
    nodes = [a for node in cluster["nodes"] for a in ("--scrapyd", node.url)]
    result = govreports("schedule", "--sources", str(cluster["sources"]), *nodes, "--queue", queue, "--no-deploy",
                        *FAST, *extra)
    assert result.returncode == 0, result.stderr[-3000:]
    return [tuple(line.split("\t")) for line in result.stdout.splitlines() if line.count("\t") == 2]


def archive_rows(db: Path, sql: str) -> list[tuple]:
    with sqlite3.connect(db) as conn:
        return conn.execute(sql).fetchall()


def assert_every_report_once(cluster, db: Path) -> None:
    truth = {(t.agency, t.year): t for t in cluster["truth"]}
    rows = archive_rows(db, "select agency, year, record, version, url from reports")
    assert len(rows) == len(truth) == PORTALS * 6
    assert {(a, y) for a, y, *_ in rows} == set(truth)
    for agency, year, record, version, url in rows:
        record = json.loads(record)
        assert version == 1
        assert url.endswith(truth[(agency, year)].path)
        assert record["requests"]["new_requests"]["total"] == truth[(agency, year)].new_requests_total
        assert record["review_litigation"]["review"]["total"] == truth[(agency, year)].review_total
    assert archive_rows(db, "select count(*) from report_versions")[0][0] == len(truth)
    assert archive_rows(db, "select count(*) from alerts where kind = 'new'")[0][0] == len(truth)
    # One capture per report document: nothing stored twice.
    assert archive_rows(db, "select max(n) from (select count(*) as n from captures c join reports r"
                            " on r.document_id = c.document_id group by c.document_id)")[0][0] == 1
    assert archive_rows(db, "select count(*) from stream_rejects")[0][0] == 0


def test_scheduled_jobs_archive_every_report_once(cluster):
    queue = queue_url(cluster, 0)
    db = cluster["tmp"] / "archive.db"
    writer = start_writer(queue, db, "--follow")
    try:
        scheduled = schedule(cluster, queue)
        assert sorted(s[0] for s in scheduled) == [f"city{i}" for i in range(PORTALS)]
        assert {s[1] for s in scheduled} == {n.url for n in cluster["nodes"]}  # spread over both nodes
        jobs = [s[2] for s in scheduled]
        wait_until(lambda: all_done(cluster, jobs), 120, "every job to finish")
        client = cluster["redis"].Redis(port=cluster["redis_port"], db=0)
        wait_until(lambda: client.xlen("govreports:stream") == 0, 60, "the writer to drain the stream")
    finally:
        writer.send_signal(signal.SIGTERM)  # ends after its batch
        out, err = writer.communicate(timeout=60)
    assert writer.returncode == 0, err[-3000:]
    assert_every_report_once(cluster, db)
    runs = archive_rows(db, "select source, status, host from runs order by source")
    assert [(s, st) for s, st, _ in runs] == [(f"city{i}", "finished") for i in range(PORTALS)]
    assert archive_rows(db, "select count(*) from fetch_log where run_id is not null")[0][0] > 0

    # The writer published each source's state: a recrawl asks conditionally and gets 304s, for
    # the list pages too (replayed from the captures the writer published), as a local one does.
    for server in cluster["servers"]:
        server.clear_requests()
    scheduled = schedule(cluster, queue)
    wait_until(lambda: all_done(cluster, [s[2] for s in scheduled]), 120, "the recrawl jobs")
    result = govreports("ingest", "--queue", queue, "--db", str(db))
    assert result.returncode == 0, result.stderr
    # every report and list page (6 reports, a column and a home page per portal) answered 304
    assert "0 new, 0 revised, 0 text revised, 0 unchanged" in result.stderr
    assert f"{PORTALS * (6 + 2)} not modified" in result.stderr
    requests = [r for server in cluster["servers"] for r in server.requests if r["path"] != "/robots.txt"]
    statuses = Counter(r["status"] for r in requests)
    assert statuses[304] / len(requests) >= 0.8, statuses
    lists = [r for r in requests if r["path"].endswith("/index.html")]
    assert lists and all(r["status"] == 304 for r in lists), Counter(r["status"] for r in lists)
    assert_every_report_once(cluster, db)

    status = govreports("status", "--queue", queue, *[a for n in cluster["nodes"] for a in ("--scrapyd", n.url)],
                        "--format", "json")
    info = json.loads(status.stdout)
    assert info["queue"]["stream_depth"] == 0 and info["queue"]["writer_lag"] == 0
    assert sum(len(n["finished"]) for n in info["nodes"]) >= 2 * PORTALS


def test_kill_a_job_and_the_writer_mid_run_loses_and_duplicates_nothing(cluster):
    queue = queue_url(cluster, 1)
    db = cluster["tmp"] / "killed.db"
    client = cluster["redis"].Redis(port=cluster["redis_port"], db=1)
    writer = start_writer(queue, db, "--follow", "--batch", "1")
    for server in cluster["servers"]:
        server.clear_requests()
    # A slower crawl (0.4 s between requests) so that the kills land mid-run.
    scheduled = schedule(cluster, queue, "-s", "DOWNLOAD_DELAY=0.4", "-s", "CONCURRENT_REQUESTS_PER_DOMAIN=1")
    victim_source, victim_node, victim_job = scheduled[0]
    node = next(n for n in cluster["nodes"] if n.url == victim_node)

    def victim_pid():
        running = {j["id"]: j["pid"] for j in node.jobs()["running"]}
        return running.get(victim_job) if client.exists("govreports:lease:source:" + victim_source) else None

    pid = wait_until(victim_pid, 60, "the job to run")
    victim_server = cluster["servers"][int(victim_source.removeprefix("city"))]
    wait_until(lambda: len(victim_server.requests) >= 5, 60, "the job's first documents")
    os.kill(pid, signal.SIGKILL)
    wait_until(lambda: archive_rows(db, "select count(*) from reports")[0][0] >= 3 if db.exists() else False,
               60, "the writer to store some reports")
    writer.kill()  # -9, mid-run
    writer.wait()
    other_jobs = [s[2] for s in scheduled[1:]]
    wait_until(lambda: all_done(cluster, other_jobs + [victim_job]), 120, "the other jobs")
    assert archive_rows(db, "select count(*) from reports")[0][0] < PORTALS * 6  # really cut short

    # The dead job's lease expires by itself; the source is crawled again.
    wait_until(lambda: not client.exists("govreports:lease:source:" + victim_source), 30, "the lease to expire")
    again = schedule(cluster, queue, "--only", victim_source)
    wait_until(lambda: all_done(cluster, [again[0][2]]), 120, "the rerun job")
    result = govreports("ingest", "--queue", queue, "--db", str(db))
    assert result.returncode == 0, result.stderr
    assert client.xlen("govreports:stream") == 0
    assert_every_report_once(cluster, db)
    statuses = dict(archive_rows(db, "select job, status from runs"))
    assert statuses[victim_job] == "interrupted" and statuses[again[0][2]] == "finished"


def test_two_jobs_never_hold_the_same_source(cluster):
    from archive.cluster.scrapyd import Node
    from archive.sources import load_sources, source_to_json

    queue = queue_url(cluster, 2)
    source = load_sources(cluster["sources"])[2]
    server = cluster["servers"][2]
    server.clear_requests()
    settings = dict(pair.split("=", 1) for pair in FAST[1::2])
    settings.update({"GOVREPORTS_QUEUE": queue, "DOWNLOAD_DELAY": "0.6"})
    jobs = []
    for i, node in enumerate(cluster["nodes"]):
        job = f"twin-{i}-{int(time.time())}"
        Node(node.url).schedule(source_to_json(source), job, settings)
        jobs.append((node, job))
    wait_until(lambda: all_done(cluster, [j for _, j in jobs]), 120, "both jobs")
    logs = [node.job_log(job) for node, job in jobs]
    refused = [log for log in logs if "not crawled" in log and "lease:source:city2" in log]
    assert len(refused) == 1, [log[-1500:] for log in logs]
    home = [r for r in server.requests if r["path"] == "/"]
    assert len(home) == 1  # one job fetched the portal; the other never sent a request
    db = cluster["tmp"] / "twins.db"
    assert govreports("ingest", "--queue", queue, "--db", str(db)).returncode == 0
    assert archive_rows(db, "select count(*) from runs where source = 'city2'")[0][0] == 1


def test_leases_are_all_or_none_expire_and_renew(cluster):
    from archive.cluster.leases import LeaseHeld, Leases

    client = cluster["redis"].Redis(port=cluster["redis_port"], db=3)
    first = Leases(client, "a", ["shared.example.gov.cn"], "job-1", ttl=1.5)
    first.acquire()
    assert Leases(client, "a", [], "job-2", ttl=1.5).try_acquire() == "govreports:lease:source:a"
    other = Leases(client, "b", ["own.example.gov.cn", "shared.example.gov.cn"], "job-3", ttl=1.5)
    assert other.try_acquire() == "govreports:lease:host:shared.example.gov.cn"
    assert not client.exists("govreports:lease:source:b")  # none taken when one is busy
    with pytest.raises(LeaseHeld):
        other.acquire(wait=0.3, poll=0.1)
    time.sleep(2.0)  # past the TTL: the renewing thread kept job-1's leases
    assert client.get("govreports:lease:source:a") == b"job-1"
    first.release()
    other.acquire(wait=1)
    other._stop.set()  # a holder that stops renewing (killed) loses its leases after the TTL
    time.sleep(2.0)
    assert not client.exists("govreports:lease:source:b")


def test_writer_dying_between_commit_and_acknowledge_stores_nothing_twice(cluster, tmp_path):
    """The narrowest window: the batch is committed, the entries are not yet acknowledged."""
    from archive.cluster.stream import STREAM, Producer
    from archive.cluster.writer import Writer
    from archive.storage.db import Archive

    client = cluster["redis"].Redis(port=cluster["redis_port"], db=4)
    producer = Producer(client, "job-x", "solo")
    producer.add("run_start", {"source_def": {"name": "solo", "start_urls": ["http://127.0.0.1:9/"],
                                              "hosts": ["127.0.0.1:9"]}})
    rows = [{"url": f"http://127.0.0.1:9/{i}", "status": 200, "bytes": i, "elapsed_ms": 1, "fetched_at": "x",
             "error": None} for i in range(5)]
    for row in rows:
        producer.add("log", {"rows": [row]})
    producer.end({"reason": "finished", "stats": {}, "list_walks": {}, "list_sources": {}})

    class DiesBeforeAcknowledging(Writer):
        def _acknowledge(self, ids):
            raise KeyboardInterrupt  # killed right after the commit

    archive = Archive(tmp_path / "a.db")
    with pytest.raises(KeyboardInterrupt):
        DiesBeforeAcknowledging(archive, client, batch=10).run()
    assert archive_rows(tmp_path / "a.db", "select count(*) from fetch_log")[0][0] == 5
    summary = Writer(archive, client, batch=10).run()
    assert summary.redelivered == 7 and summary.entries == 0
    assert archive_rows(tmp_path / "a.db", "select count(*) from fetch_log")[0][0] == 5
    assert archive_rows(tmp_path / "a.db", "select count(*) from runs")[0][0] == 1
    assert client.xlen(STREAM) == 0
    archive.close()
