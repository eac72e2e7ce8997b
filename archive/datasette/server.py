"""Serve an archive in Datasette 0.65 with the project's metadata, canned queries, charts and plugins.

Datasette keys metadata by database name, the file's stem, so the template (metadata.yml, whose
database is the placeholder ``archive``) is made concrete for each file at serve time and
written to a temporary file for ``datasette serve``. The server is Datasette's own command run
as a child process (``python -m archive.datasette serve``, which adds the govreports plugins),
so ``govreports serve`` and the tests start exactly the same thing.

The archive is opened as a mutable file (Datasette's read connections use ``mode=ro``), never
``--immutable``: the file is in WAL mode, so a crawl can write to it while Datasette reads and
every page shows the latest committed state.
"""

from __future__ import annotations

import json
import signal
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

import yaml

TEMPLATE = Path(__file__).with_name("metadata.yml")
PLACEHOLDER = "archive"

# Datasette settings for an archive: long cells (body_text, record JSON) cut short in HTML
# tables, room for the heavier canned queries, and 50 rows a page. At national scale (100,000
# reports, bench/archive_scale.py) a page must not wait on what it can do without: no
# suggested facets (a query per column on every table page), a facet that takes longer than
# 200 ms is left out rather than holding the page, and a count stops at 10,000 rows
# ("10,000+"; the reports count comes from an index and stays exact). Pages stay keyset-paginated
# (Datasette's `_next`), never by offset.
SETTINGS = {
    "truncate_cells_html": 160,
    "sql_time_limit_ms": 5000,
    "facet_time_limit_ms": 60,
    "default_page_size": 50,
    "suggest_facets": False,
}


class ServeError(Exception):
    """Datasette could not be started or stopped with an error."""


def database_name(db_path: str | Path) -> str:
    """The name Datasette gives the file: its stem."""
    return Path(db_path).stem


def _fill_links(value: Any, name: str) -> Any:
    """Replace ``{db}`` in every description_html by the database's name."""
    if isinstance(value, dict):
        return {
            k: (v.replace("{db}", name) if k == "description_html" and isinstance(v, str) else _fill_links(v, name))
            for k, v in value.items()
        }
    if isinstance(value, list):
        return [_fill_links(v, name) for v in value]
    return value


def build_metadata(db_path: str | Path) -> dict[str, Any]:
    """The template metadata with its placeholder database renamed to this file's name."""
    name = database_name(db_path)
    metadata = yaml.safe_load(TEMPLATE.read_text(encoding="utf-8"))
    metadata["databases"] = {name: metadata["databases"].pop(PLACEHOLDER)}
    for dashboard in metadata.get("plugins", {}).get("datasette-dashboards", {}).values():
        for part in [*dashboard.get("filters", {}).values(), *dashboard.get("charts", {}).values()]:
            if part.get("db") == PLACEHOLDER:
                part["db"] = name
    return _fill_links(metadata, name)


def write_metadata(db_path: str | Path, directory: str | Path) -> Path:
    """Write this file's metadata as JSON into ``directory``; returns its path."""
    path = Path(directory) / f"{database_name(db_path)}-metadata.json"
    path.write_text(json.dumps(build_metadata(db_path), ensure_ascii=False, indent=2), encoding="utf-8")
    return path


def datasette_command(
    db_path: str | Path, *, port: int, host: str = "127.0.0.1", metadata_path: str | Path
) -> list[str]:
    """The ``datasette serve`` command line for an archive (plugins loaded, read-only, not immutable)."""
    command = [
        sys.executable, "-m", "archive.datasette", "serve", str(db_path),
        "--metadata", str(metadata_path),
        "--host", host,
        "--port", str(port),
    ]
    for setting, value in SETTINGS.items():
        command += ["--setting", setting, str(value)]
    return command


def serve_archive(db: str | Path, host: str = "127.0.0.1", port: int = 8001) -> None:
    """Run Datasette on the archive until it is stopped (Ctrl-C, or SIGTERM, which is passed on)."""
    if not Path(db).exists():
        raise ServeError(f"no archive at {db}")
    with tempfile.TemporaryDirectory(prefix="govreports-datasette-") as tmp:
        command = datasette_command(db, port=port, host=host, metadata_path=write_metadata(db, tmp))
        try:
            process = subprocess.Popen(command)
        except OSError as exc:
            raise ServeError(f"cannot start datasette: {exc}") from exc
        previous = _forward_sigterm(process)
        try:
            returncode = process.wait()
        except KeyboardInterrupt:  # Ctrl-C reached Datasette too (same process group): let it finish
            returncode = process.wait()
        finally:
            if previous is not None:
                signal.signal(signal.SIGTERM, previous)
    if returncode not in (0, -signal.SIGINT, -signal.SIGTERM, 130):
        raise ServeError(f"datasette exited with status {returncode}")


def _forward_sigterm(process: subprocess.Popen):
    """Pass SIGTERM on to Datasette, so stopping `govreports serve` never leaves it running."""
    try:
        return signal.signal(signal.SIGTERM, lambda signum, frame: process.send_signal(signum))
    except ValueError:  # not the main thread: nothing to forward
        return None
