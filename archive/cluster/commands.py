"""The command-line edge of the distributed crawl: library errors become one-line click errors."""

from __future__ import annotations

import json
import signal
from pathlib import Path

import click

from ..sources import Source, SourcesError, load_sources, source_to_json, sources_from_urls
from .stream import QueueError, connect, lease_key


def _sources(sources_file: str | None, urls: tuple[str, ...], only: tuple[str, ...]) -> list[Source]:
    try:
        sources = (load_sources(sources_file) if sources_file else []) + sources_from_urls(list(urls))
    except SourcesError as exc:
        raise click.ClickException(str(exc)) from exc
    if only:
        unknown = set(only) - {s.name for s in sources}
        if unknown:
            raise click.ClickException(f"no source named {', '.join(sorted(unknown))} in {sources_file}")
        sources = [s for s in sources if s.name in only]
    if not sources:
        raise click.UsageError("give --sources FILE (and --only NAME …) or start URLs")
    return sources


def _connect(queue: str):
    try:
        return connect(queue)
    except QueueError as exc:
        raise click.ClickException(str(exc)) from exc


def crawl_to_queue(sources_file: str | None, urls: tuple[str, ...], queue: str, only: tuple[str, ...],
                   overrides: dict[str, str], db: Path | None) -> None:
    """Crawl each source as one job into the queue (this process is one crawl slot)."""
    from crawler.worker_run import run_worker

    if db is not None:
        raise click.UsageError("--queue sends documents to the writer: a worker has no --db")
    sources = _sources(sources_file, urls, only)
    _connect(queue)
    overrides = {"LOG_LEVEL": "WARNING", **overrides}

    def done(name, summary, error):
        if error:
            click.echo(f"{name}: failed: {error}", err=True)
        elif summary.get("govreports/lease_held"):
            click.echo(f"{name}: not crawled, another job holds it or its hosts", err=True)
        else:
            click.echo(f"{name}: {summary.pages} pages in {summary.seconds:.1f} s, "
                       f"{summary.get('govreports/sent_read')} documents read and queued, "
                       f"{summary.get('govreports/not_modified')} not modified", err=True)

    results = run_worker(sources, queue, overrides, on_done=done)
    if results and all(error for _, _, error in results):
        raise click.ClickException("no source could be crawled")


def ingest_queue(queue: str, db: Path, follow: bool, batch: int) -> None:
    from ..storage.db import Archive
    from ..storage.lock import ArchiveLocked, archive_lock
    from .writer import ingest

    client = _connect(queue)
    stopping = []
    previous = signal.signal(signal.SIGTERM, lambda *_: stopping.append(1))  # finish the batch, then stop
    try:
        with archive_lock(db):
            archive = Archive(db)
            try:
                summary = ingest(archive, client, follow=follow, batch=batch,
                                 progress=lambda line: click.echo(line, err=True), stop=lambda: bool(stopping))
            finally:
                archive.close()
    except ArchiveLocked as exc:
        raise click.ClickException(str(exc)) from exc
    except QueueError as exc:
        raise click.ClickException(str(exc)) from exc
    finally:
        signal.signal(signal.SIGTERM, previous)
    for line in summary.lines():
        click.echo(line, err=True)


def schedule_jobs(sources_file: str, nodes: list[str], queue: str, only: tuple[str, ...],
                  overrides: dict[str, str], deploy: bool = True) -> None:
    from .scrapyd import Node, ScrapydError, schedule_sources
    from .scrapyd import deploy as deploy_egg

    sources = _sources(sources_file, (), only)
    client = _connect(queue)
    busy = [s.name for s in sources if client.exists(lease_key("source", s.name))]
    for name in busy:
        click.echo(f"{name}: skipped, a job is crawling it now", err=True)
    todo = [(s.name, source_to_json(s)) for s in sources if s.name not in busy]
    scrapyd_nodes = [Node(url) for url in nodes]
    try:
        version = deploy_egg(scrapyd_nodes) if deploy else None
        if version:
            click.echo(f"deployed version {version} to {len(scrapyd_nodes)} node(s)", err=True)
        scheduled = schedule_sources(scrapyd_nodes, todo, {"GOVREPORTS_QUEUE": queue, **overrides}, version)
    except ScrapydError as exc:
        raise click.ClickException(str(exc)) from exc
    for job in scheduled:
        click.echo(f"{job.source}\t{job.node}\t{job.job}")
    click.echo(f"{len(scheduled)} jobs scheduled on {len(scrapyd_nodes)} node(s)", err=True)


def show_status(queue: str | None, nodes: list[str], fmt: str) -> None:
    from .status import node_status, queue_status, status_lines

    queue_info = queue_status(_connect(queue)) if queue else None
    node_info = [node_status(url) for url in nodes]
    if fmt == "json":
        click.echo(json.dumps({"queue": queue_info, "nodes": node_info}, ensure_ascii=False, indent=2))
        return
    for line in status_lines(queue_info, node_info):
        click.echo(line)
