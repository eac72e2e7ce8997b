"""The `govreports` command line: each command a few lines over the library."""

from __future__ import annotations

import json
import os
from contextlib import ExitStack
from pathlib import Path

import click

from .parsing import ParseError, parse

CONTENT_TYPES = {".html": "text/html", ".htm": "text/html", ".txt": "text/plain"}


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="govreports")
def main() -> None:
    """Crawl, parse, version and browse 政府信息公开工作年度报告 (annual disclosure reports)."""


@main.command("parse")
@click.argument("path", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--content-type", help="The HTTP Content-Type the document was served with (for its charset).")
def parse_command(path: Path, content_type: str | None) -> None:
    """Parse one saved document (.html/.htm, .txt, .pdf, .docx, or an image: .png/.jpg/.gif/.bmp/.tif, read by OCR) and print its record as JSON."""
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise click.ClickException(f"cannot read {path}: {exc.strerror or exc}") from exc
    try:
        record = parse(data, url=None, content_type=content_type or CONTENT_TYPES.get(path.suffix.lower()))
    except ParseError as exc:
        raise click.ClickException(f"{path}: {exc}") from exc
    click.echo(json.dumps(record, ensure_ascii=False, indent=2))


def _settings_overrides(pairs: tuple[str, ...]) -> dict[str, str]:
    overrides = {}
    for pair in pairs:
        name, sep, value = pair.partition("=")
        if not sep or not name:
            raise click.BadParameter(f"expected NAME=VALUE, got {pair!r}", param_hint="-s")
        overrides[name.strip()] = value
    return overrides


def _crawl(db: Path, urls: list[str], sources: str | None, overrides: dict[str, str], notify=(), notify_config=()):
    """Crawl, then deliver pending alerts, both under the archive's lock."""
    from crawler.run import run_crawl

    from .storage.lock import ArchiveLocked, archive_lock

    # Scrapy's INFO log is for debugging a crawl; the command prints progress and a summary.
    overrides = {"LOG_LEVEL": "WARNING", **overrides}
    try:
        with archive_lock(db):
            summary = run_crawl(db, urls, sources, overrides)
            for line in summary.lines():
                click.echo(line, err=True)
            _judge_compliance(db, overrides.get("GOVREPORTS_TODAY"))
            _deliver(db, notify, notify_config)
    except ArchiveLocked as exc:
        raise click.ClickException(str(exc)) from exc
    return summary


@main.command()
@click.argument("urls", nargs=-1)
@click.option("--sources", type=click.Path(exists=True, dir_okay=False), help="A sources file (TOML) of portals.")
@click.option("--db", type=click.Path(dir_okay=False, path_type=Path), help="The archive (SQLite).")
@click.option("-s", "settings", multiple=True, metavar="NAME=VALUE", help="Override a Scrapy setting.")
@click.option("--notify", multiple=True, metavar="URL",
              help="Apprise URL to deliver alerts to (repeatable): json://, mailto://, slack://, wecombot:// …")
@click.option("--notify-config", multiple=True, type=click.Path(exists=True, dir_okay=False),
              help="An Apprise configuration file (TEXT or YAML) listing notification targets.")
@click.option("--queue", metavar="redis://HOST:PORT/DB",
              help="Run as a worker: send documents to this Redis for `govreports ingest` (no --db).")
@click.option("--only", multiple=True, metavar="NAME", help="With --queue: crawl only this source (repeatable).")
def crawl(urls: tuple[str, ...], sources: str | None, db: Path | None, settings: tuple[str, ...], notify,
          notify_config, queue: str | None, only: tuple[str, ...]) -> None:
    """Crawl start URLs and/or a sources file into the archive, then deliver pending alerts.

    Alerts that cannot be delivered stay pending and are retried on the next run.
    With --queue, crawl each source as one job into the queue instead (see `govreports ingest`)."""
    if queue:
        from .cluster.commands import crawl_to_queue

        crawl_to_queue(sources, urls, queue, only, _settings_overrides(settings), db)
        return
    if db is None:
        raise click.UsageError("give --db PATH (or --queue URL to crawl as a worker)")
    if not urls and not sources:
        raise click.UsageError("give start URLs or --sources FILE")
    summary = _crawl(db, list(urls), sources, _settings_overrides(settings), notify, notify_config)
    if summary.pages == 0:
        raise click.ClickException("nothing could be crawled: no page answered (see the fetch_log table)")


def _today(value: str | None):
    """GOVREPORTS_TODAY (-s or the environment): the date compliance is judged at, for tests and
    replays; else today in Beijing."""
    from datetime import date

    value = value or os.environ.get("GOVREPORTS_TODAY")
    try:
        return date.fromisoformat(value) if value else None
    except ValueError as exc:
        raise click.BadParameter(f"GOVREPORTS_TODAY must be YYYY-MM-DD, got {value!r}") from exc


def _judge_compliance(db: Path | None, today: str | None = None, archive=None) -> None:
    """Rewrite the compliance table and the regional figures and raise `missing` alerts (after a
    crawl, an import or a re-read). A failure here is reported, never fails the crawl before it."""
    import sqlite3

    from .compliance import refresh
    from .storage.db import Archive

    when = _today(today)
    own = archive is None
    archive = archive or Archive(db)
    try:
        result = refresh(archive, when)
    except sqlite3.Error as exc:
        click.echo(f"publication compliance not judged: {exc}", err=True)
        return
    finally:
        if own:
            archive.close()
    click.echo(result.line(), err=True)


def _deliver(db: Path, targets: tuple[str, ...], configs: tuple[str, ...] = ()) -> None:
    from .storage.alerts import deliver_pending
    from .storage.db import Archive

    if not targets and not configs:
        return
    archive = Archive(db)
    try:
        sent, pending = deliver_pending(archive, targets, configs)
    finally:
        archive.close()
    click.echo(f"alerts: {sent} delivered, {pending} waiting for the next run", err=True)


def _open_existing(db: Path):
    from .storage.db import Archive

    if not db.exists():
        raise click.ClickException(f"no archive at {db}")
    return Archive(db)


@main.command()
@click.option("--db", type=click.Path(dir_okay=False, path_type=Path), required=True)
@click.option("--warc", type=click.Path(dir_okay=False, path_type=Path),
              help="Write every capture to this WARC file (.warc.gz compressed) instead of printing records.")
@click.option("--wacz", type=click.Path(dir_okay=False, path_type=Path),
              help="Write every capture to this WACZ package (WARC, index and report pages) for replay.")
def export(db: Path, warc: Path | None, wacz: Path | None) -> None:
    """Print the latest record of every archived report as JSON Lines (with url), or write the
    raw captures as a WARC or WACZ web archive."""
    from .parsing.detect import is_about_reports
    from .storage.versions import latest_records

    archive = _open_existing(db)
    try:
        if warc:
            from .webarchive import export_warc

            with open(warc, "wb") as handle:
                summary = export_warc(archive, handle, compress=warc.suffix == ".gz")
            click.echo(f"{summary.responses} response records (with their request records) written to {warc}", err=True)
        if wacz:
            from .webarchive import export_wacz

            summary = export_wacz(archive, wacz)
            click.echo(f"{summary.responses} captures and {summary.pages} report pages written to {wacz}", err=True)
        if not warc and not wacz:
            notices = 0
            for record in latest_records(archive):
                if is_about_reports(record.get("title")):
                    notices += 1  # a notice about reports that an older reader archived as one
                    continue
                click.echo(json.dumps(record, ensure_ascii=False))
            if notices:
                click.echo(f"{notices} notices about reports (archived as reports by an older reader) left out",
                           err=True)
    finally:
        archive.close()


@main.command()
@click.option("--db", type=click.Path(dir_okay=False, path_type=Path), required=True, help="The archive (SQLite).")
@click.option("--jobs", type=click.IntRange(1), default=os.cpu_count() or 1, show_default=True,
              help="Parse workers.")
@click.option("--since", help="Only reports whose capture was fetched on or after this date (YYYY-MM-DD).")
@click.option("--report", "report_ids", multiple=True, metavar="ID", help="Only this report (repeatable).")
def reparse(db: Path, jobs: int, since: str | None, report_ids: tuple[str, ...]) -> None:
    """Re-read every stored report with the current reader, without fetching anything.

    What the reader now reads differently is a re-reading (table `rereadings`), never a revision:
    no alert is raised. Refused while a crawl holds the archive's lock."""
    from .reparse import reparse as reparse_archive
    from .storage.lock import ArchiveLocked, archive_lock

    archive = _open_existing(db)
    try:
        with archive_lock(db):
            targets = archive.reread_targets(since, list(report_ids) or None)
            if not report_ids:
                targets += archive.unread_report_candidates(since)
            with click.progressbar(length=len(targets), label="re-reading", file=click.get_text_stream("stderr")) as bar:
                summary = reparse_archive(archive, targets, workers=jobs, progress=bar.update)
            _judge_compliance(None, archive=archive)
    except ArchiveLocked as exc:
        raise click.ClickException(str(exc)) from exc
    finally:
        archive.close()
    for line in summary.lines():
        click.echo(line, err=True)


@main.command("import")
@click.argument("files", nargs=-1, required=True, type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--db", type=click.Path(dir_okay=False, path_type=Path), required=True, help="The archive (SQLite).")
@click.option("--jobs", type=click.IntRange(1), default=os.cpu_count() or 1, show_default=True,
              help="Parse workers.")
def import_command(files: tuple[Path, ...], db: Path, jobs: int) -> None:
    """Archive the reports in WARC/WACZ files made by any tool, as if crawled (offline)."""
    from .storage.db import Archive
    from .storage.lock import ArchiveLocked, archive_lock
    from .webarchive import import_web_archives

    try:
        with archive_lock(db):
            archive = Archive(db)
            try:
                summary = import_web_archives(archive, list(files), workers=jobs,
                                              progress=lambda line: click.echo(line, err=True))
                _judge_compliance(None, archive=archive)
            finally:
                archive.close()
    except ArchiveLocked as exc:
        raise click.ClickException(str(exc)) from exc
    for line in summary.lines():
        click.echo(line, err=True)


@main.command()
@click.option("--db", type=click.Path(dir_okay=False, path_type=Path), required=True)
@click.option("--since", help="Only alerts detected on or after this date (YYYY-MM-DD).")
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text")
def alerts(db: Path, since: str | None, fmt: str) -> None:
    """List change alerts: new, revised, text_revised, moved and removed reports, with what changed,
    and missing ones (not published by their deadline)."""
    from .storage.alerts import list_alerts

    archive = _open_existing(db)
    try:
        rows = list_alerts(archive, since)
    finally:
        archive.close()
    if fmt == "json":
        click.echo(json.dumps(rows, ensure_ascii=False, indent=2))
        return
    for row in rows:
        where = row["url"] or row["title"] or ""  # a missing report has no URL: its title says what is due
        click.echo(f"{row['detected_at']}  {row['kind']:<12} {row['agency'] or ''} {row['year'] or ''}  {where}")
        for change in row["changes"]:
            old, new = (_short(change[k]) for k in ("old", "new"))
            click.echo(f"    {change['field']} ({change['label_zh']}): {old} → {new}")


@main.command()
@click.option("--db", type=click.Path(dir_okay=False, path_type=Path), required=True, help="The archive (SQLite).")
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True)
@click.option("--today", type=click.DateTime(formats=["%Y-%m-%d"]),
              help="Judge as of this date (YYYY-MM-DD); default: today in Beijing.")
def compliance(db: Path, fmt: str, today) -> None:
    """Publication compliance (条例 art. 49): per expected agency and year, on_time, late or missing.

    A people's government (name ending in 人民政府, a township's …镇/乡人民政府 excepted) is due by
    31 March of the next year, every other agency by 31 January. An agency is expected every
    year from its first archived report (or its source's, when sources.toml lists it under
    `agencies`) to the latest year whose deadline has passed. `undated`: archived without a publication date, first seen after the
    deadline. Read-only: the crawl keeps the `compliance` table for Datasette."""
    from .compliance import assess_archive

    archive = _open_existing(db)
    try:
        found = assess_archive(archive, today.date() if today else None)
    finally:
        archive.close()
    if fmt == "json":
        click.echo(json.dumps([a.as_json() for a in found], ensure_ascii=False, indent=2))
        return
    click.echo(f"{'year':<5} {'status':<8} {'due':<10} {'published':<10} {'late':>5}  agency")
    for a in found:
        published = a.published.isoformat() if a.published else "—"
        late = "" if a.days_late is None else str(a.days_late)
        click.echo(f"{a.year:<5} {a.status:<8} {a.due.isoformat():<10} {published:<10} {late:>5}  {a.agency}")


def _short(value, width: int = 60) -> str:
    text = " ".join(str(value).split())
    return text if len(text) <= width else text[: width - 1] + "…"


@main.command()
@click.option("--db", type=click.Path(dir_okay=False, path_type=Path), default=Path("demo.db"), show_default=True)
@click.option("-s", "settings", multiple=True, metavar="NAME=VALUE", help="Override a Scrapy setting.")
@click.option("--state", type=click.IntRange(1, 2), default=1, show_default=True,
              help="Which state of the sample portal to serve (2 = revised reports, for alerts).")
@click.option("--port", type=int, default=8765, show_default=True,
              help="Port of the sample portal. Keep it the same across runs: report URLs include it.")
def demo(db: Path, settings: tuple[str, ...], state: int, port: int) -> None:
    """The whole pipeline offline: serve the bundled sample portal on localhost and crawl it.

    Run it again with --state 2 on the same --db to see revisions and alerts; once more with
    --state 2 to see a removal (a report is removed by the second crawl in a row that cannot
    fetch it)."""
    from .demo.server import serve_demo

    with ExitStack() as stack:
        try:
            base_url = stack.enter_context(serve_demo(state=state, port=port))
        except OSError as exc:
            raise click.ClickException(f"cannot serve the sample portal on port {port}: {exc.strerror}; try --port") from exc
        click.echo(f"sample portal at {base_url}", err=True)
        overrides = {
            "DOWNLOAD_DELAY": "0",
            "AUTOTHROTTLE_ENABLED": "False",
            "RETRY_BACKOFF_BASE": "0.05",
            "GOVREPORTS_RECHECK_AFTER_HOURS": "0",  # a demo rerun rechecks every report
        }
        overrides.update(_settings_overrides(settings))
        summary = _crawl(db, [base_url + "/"], None, overrides)
    if summary.pages == 0:
        raise click.ClickException("the demo crawl fetched nothing")
    from .next_command import next_command

    click.echo(f"archive written to {db}; browse it with:  {next_command('serve', '--db', str(db))}")


@main.command()
@click.option("--queue", required=True, metavar="redis://HOST:PORT/DB", help="The Redis the workers send to.")
@click.option("--db", type=click.Path(dir_okay=False, path_type=Path), required=True, help="The archive (SQLite).")
@click.option("--follow", is_flag=True, help="Keep writing as entries arrive (else stop when the stream is drained).")
@click.option("--batch", type=click.IntRange(1), default=100, show_default=True, help="Entries per transaction.")
@click.option("--notify", multiple=True, metavar="URL", help="Apprise URL to deliver alerts to when done (repeatable).")
def ingest(queue: str, db: Path, follow: bool, batch: int, notify: tuple[str, ...]) -> None:
    """The archive's single writer: store what workers queued, once each, in batches.

    Entries are acknowledged only after they are committed; killed at any moment, a rerun
    loses nothing and stores nothing twice. Holds the archive's lock (one writer)."""
    from .cluster.commands import ingest_queue

    ingest_queue(queue, db, follow, batch)
    _judge_compliance(db)
    _deliver(db, notify)


@main.command()
@click.option("--sources", required=True, type=click.Path(exists=True, dir_okay=False), help="A sources file (TOML).")
@click.option("--scrapyd", "nodes", multiple=True, required=True, metavar="URL",
              help="A Scrapyd node, http://HOST:6800 (repeatable).")
@click.option("--queue", required=True, metavar="redis://HOST:PORT/DB", help="The Redis the jobs send to.")
@click.option("--only", multiple=True, metavar="NAME", help="Schedule only this source (repeatable).")
@click.option("-s", "settings", multiple=True, metavar="NAME=VALUE", help="A Scrapy setting for every job.")
@click.option("--no-deploy", is_flag=True, help="Use the egg already deployed instead of adding a new version.")
def schedule(sources: str, nodes: tuple[str, ...], queue: str, only: tuple[str, ...], settings: tuple[str, ...],
             no_deploy: bool) -> None:
    """Deploy the project to each Scrapyd node (an egg via addversion.json) and schedule one
    job per source, spread over the nodes; a source another job is crawling is skipped."""
    from .cluster.commands import schedule_jobs

    schedule_jobs(sources, list(nodes), queue, only, _settings_overrides(settings), deploy=not no_deploy)


@main.command()
@click.option("--queue", metavar="redis://HOST:PORT/DB", help="The Redis of the crawl.")
@click.option("--scrapyd", "nodes", multiple=True, metavar="URL", help="A Scrapyd node (repeatable).")
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text")
def status(queue: str | None, nodes: tuple[str, ...], fmt: str) -> None:
    """Jobs running / pending / finished per Scrapyd node, the stream's depth and the writer's lag."""
    from .cluster.commands import show_status

    if not queue and not nodes:
        raise click.UsageError("give --queue URL and/or --scrapyd URL")
    show_status(queue, list(nodes), fmt)


@main.command()
@click.option("--db", type=click.Path(dir_okay=False, path_type=Path), required=True)
@click.option("--port", type=int, default=8001, show_default=True)
@click.option("--host", default="127.0.0.1", show_default=True)
def serve(db: Path, port: int, host: str) -> None:
    """Browse the archive in Datasette, with the project's metadata, queries and plugins."""
    from .datasette.server import serve_archive

    if not db.exists():
        raise click.ClickException(f"no archive at {db}")
    serve_archive(db, host=host, port=port)
