"""Which reader read a record: the package version plus a hash of the reading code itself.

Any change to a reader, the label table or the number reader changes the version, with no one
having to remember to bump it; `govreports reparse` re-reads what an older reader read.
"""

from __future__ import annotations

import hashlib
from importlib import resources
from importlib.metadata import PackageNotFoundError, version
from pathlib import PurePosixPath


def _reader_version() -> str:
    digest = hashlib.sha256()
    # Through importlib.resources, so a zipped egg (a Scrapyd node's copy) hashes the same code.
    for relative, data in sorted(_python_files(resources.files(__package__)), key=lambda f: PurePosixPath(f[0])):
        digest.update(relative.encode())
        digest.update(data)
    try:
        package = version("govreports")
    except PackageNotFoundError:
        package = "0"
    return f"{package}+{digest.hexdigest()[:10]}"


def _python_files(folder, prefix: str = ""):
    for entry in folder.iterdir():
        if entry.is_dir():
            yield from _python_files(entry, f"{prefix}{entry.name}/")
        elif entry.name.endswith(".py"):
            yield f"{prefix}{entry.name}", entry.read_bytes()


READER_VERSION = _reader_version()
