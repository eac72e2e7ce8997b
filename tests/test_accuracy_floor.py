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


def test_accuracy_is_at_least_the_floor():
    accuracy = _accuracy_module()
    overall, per_file = accuracy.evaluate()
    floor = json.loads((ROOT / "tests" / "accuracy_floor.json").read_text())["overall"]
    assert len(per_file) >= 15
    assert overall >= floor, f"field accuracy {overall:.4%} fell below the floor {floor:.4%}: {per_file}"


def test_floor_is_a_real_bar():
    floor = json.loads((ROOT / "tests" / "accuracy_floor.json").read_text())["overall"]
    assert 0.9 <= floor <= 1.0
