"""The `govreports` command line: each command a few lines over the library."""

from __future__ import annotations

import json
import sys
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
    """Parse one saved document (.html/.htm, .txt, .pdf, .docx) and print its record as JSON."""
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise click.ClickException(f"cannot read {path}: {exc.strerror or exc}") from exc
    try:
        record = parse(data, url=None, content_type=content_type or CONTENT_TYPES.get(path.suffix.lower()))
    except ParseError as exc:
        raise click.ClickException(f"{path}: {exc}") from exc
    click.echo(json.dumps(record, ensure_ascii=False, indent=2))
