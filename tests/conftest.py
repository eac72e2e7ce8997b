import json
import os
from pathlib import Path

import pytest

# Publication compliance (and its `missing` alerts) is judged against today's date; the tests,
# and the crawls they start in subprocesses, judge it on one fixed day so they mean the same
# thing whenever they run.
os.environ.setdefault("GOVREPORTS_TODAY", "2026-12-01")

FILES = Path(__file__).parent / "files"


def golden_paths() -> list[Path]:
    return sorted(FILES.glob("*.expected.json"))


def load_golden(path: Path) -> dict:
    return json.loads(path.read_text(encoding="utf-8"))


@pytest.fixture
def files_dir() -> Path:
    return FILES
