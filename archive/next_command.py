"""The govreports command as the user can type it from where they stand.

A hint such as "browse it with: govreports serve --db demo.db" must run as printed. After the
README's first command the console script lives in .venv/bin, which is not on PATH: then the
hint names the script by its path relative to the current directory (".venv/bin/govreports").
"""

from __future__ import annotations

import os
import shlex
import shutil
import sys
from pathlib import Path


def _script() -> Path | None:
    """The govreports console script this process runs as (or the one beside its Python)."""
    argv0 = Path(sys.argv[0]) if sys.argv and sys.argv[0] else None
    if argv0 is not None and argv0.name == "govreports" and argv0.exists():
        return argv0.absolute()
    beside = Path(sys.executable).parent / "govreports"
    return beside if beside.exists() else None


def govreports_command() -> str:
    """`govreports` when that name on PATH is this program, else a path to it (relative to the
    current directory when below it), else `python -m archive` with this Python."""
    script = _script()
    if script is None:
        return f"{shlex.quote(_shown(Path(sys.executable)))} -m archive"
    found = shutil.which("govreports")
    if found and Path(found).resolve() == script.resolve():
        return "govreports"
    return shlex.quote(_shown(script))


def next_command(*args: str) -> str:
    """A whole command line, e.g. next_command("serve", "--db", "demo.db")."""
    return " ".join([govreports_command(), *(shlex.quote(a) for a in args)])


def _shown(path: Path) -> str:
    """The path relative to the current directory when it is below it, else absolute."""
    absolute = path.absolute()
    try:
        relative = absolute.relative_to(Path.cwd())
    except ValueError:
        return os.fspath(absolute)
    text = os.fspath(relative)
    return text if os.sep in text else f".{os.sep}{text}"
