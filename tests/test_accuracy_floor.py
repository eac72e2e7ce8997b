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


def test_floors_are_a_real_bar():
    assert min(FLOORS.values()) >= 0.9
    assert sum(FLOORS.values()) / len(FLOORS) >= 0.99
