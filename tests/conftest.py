import json
from pathlib import Path

import pytest

FILES = Path(__file__).parent / "files"


def golden_paths() -> list[Path]:
    return sorted(FILES.glob("*.expected.json"))


def load_golden(path: Path) -> dict:
    return json.loads(path.read_text(encoding="utf-8"))


@pytest.fixture
def files_dir() -> Path:
    return FILES
