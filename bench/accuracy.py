"""Field accuracy of the parser over every fixture with a golden record (tests/files).

Fields scored per file: the 200 numbers, plus title, agency, year and format (and the
publication date where the golden file gives one). Prints per-file and overall accuracy.
`--update` records today's figures as floors in tests/accuracy_floor.json — per file and overall
— never lowering one that is there; a new fixture gets its first floor.

    python bench/accuracy.py [--update]
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
FILES = ROOT / "tests" / "files"
FLOOR = ROOT / "tests" / "accuracy_floor.json"
sys.path.insert(0, str(ROOT))

from archive.parsing import parse
from archive.record.model import numbers_of

IDENTITY_FIELDS = ("title", "agency", "year", "format", "published")


def golden_files() -> list[Path]:
    return sorted(FILES.glob("*.expected.json"))


def score(expected_path: Path) -> tuple[int, int, list[str]]:
    """(fields right, fields scored, names of the wrong ones) for one fixture."""
    expected = json.loads(expected_path.read_text(encoding="utf-8"))
    data = (FILES / expected["source"]).read_bytes()
    record = parse(data, content_type=expected.get("content_type"))
    want, got = numbers_of(expected), numbers_of(record)
    wrong = [k for k in want if want[k] != got[k]]
    total = len(want)
    for field in IDENTITY_FIELDS:
        if field in expected:
            total += 1
            if expected[field] != record.get(field):
                wrong.append(field)
    return total - len(wrong), total, wrong


def evaluate() -> tuple[float, dict[str, float]]:
    right = total = 0
    per_file = {}
    for path in golden_files():
        r, t, _ = score(path)
        per_file[path.name.replace(".expected.json", "")] = r / t
        right, total = right + r, total + t
    return (right / total if total else 0.0), per_file


def main() -> None:
    overall, per_file = evaluate()
    for name, acc in per_file.items():
        print(f"{acc:8.2%}  {name}")
    print(f"{overall:8.2%}  overall over {len(per_file)} files")
    if "--update" in sys.argv:
        old = json.loads(FLOOR.read_text()) if FLOOR.exists() else {}
        files = dict(old.get("files", {}))
        for name, acc in per_file.items():
            files[name] = max(files.get(name, 0.0), round(acc - 0.00005, 4))
        floors = {"files": dict(sorted(files.items()))}
        FLOOR.write_text(json.dumps(floors, indent=2) + "\n")
        print(f"floors recorded for {len(files)} files")


if __name__ == "__main__":
    main()
