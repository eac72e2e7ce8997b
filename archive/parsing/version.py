"""Which reader read a record: the package version plus a hash of the reading code itself.

Any change to a reader, the label table or the number reader changes the version, with no one
having to remember to bump it; `govreports reparse` re-reads what an older reader read.
"""

from __future__ import annotations

import hashlib
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path


def _reader_version() -> str:
    digest = hashlib.sha256()
    here = Path(__file__).resolve().parent
    for path in sorted(here.rglob("*.py")):
        digest.update(path.relative_to(here).as_posix().encode())
        digest.update(path.read_bytes())
    try:
        package = version("govreports")
    except PackageNotFoundError:
        package = "0"
    return f"{package}+{digest.hexdigest()[:10]}"


READER_VERSION = _reader_version()
