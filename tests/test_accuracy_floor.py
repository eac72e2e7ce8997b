"""The field accuracy over every golden fixture never drops below the floor kept in the repo."""

import importlib.util
import json
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def _accuracy_module():
    spec = importlib.util.spec_from_file_location("accuracy", ROOT / "bench" / "accuracy.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


FLOORS = json.loads((ROOT / "tests" / "accuracy_floor.json").read_text())["files"]


def test_accuracy_is_at_least_each_files_floor():
    accuracy = _accuracy_module()
    _overall, per_file = accuracy.evaluate()
    assert len(per_file) >= 15
    missing = sorted(set(per_file) - set(FLOORS))
    assert not missing, f"fixtures without a floor (run python bench/accuracy.py --update): {missing}"
    below = {name: (acc, FLOORS[name]) for name, acc in per_file.items() if acc < FLOORS[name]}
    assert not below, f"field accuracy fell below the floor (measured, floor): {below}"


def _stretch() -> set[str]:
    """Fixtures marked stretch: beyond what the reader reads whole today (an ambiguous layout,
    scans read by OCR, where unconfirmed numbers stay null); their floors only rise too."""
    goldens = (ROOT / "tests" / "files").glob("*.expected.json")
    return {p.name.split(".")[0] for p in goldens if json.loads(p.read_text(encoding="utf-8")).get("stretch")}


def test_floors_are_a_real_bar():
    exact = {name: floor for name, floor in FLOORS.items() if name not in _stretch()}
    assert len(exact) >= len(FLOORS) - 4
    assert min(exact.values()) >= 0.9
    assert sum(exact.values()) / len(exact) >= 0.99
