"""Hostile documents: peak memory and wall time of reading each one.

Every constructed bomb of tests/hostile.py (wide colspan rows, deflate bombs, zip bombs, deep
nesting, entity expansion …) and a sample of damaged fixtures is parsed in a forked child
under an address-space limit; the child's peak RSS (ru_maxrss, above its RSS at the fork) and
wall time are printed with the outcome.

    python bench/hostile_documents.py [--sample N] [--seed S] [--limit-mb MB]
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))

from hostile import bombs, mutated_fixtures, read_fenced  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sample", type=int, default=30, help="damaged fixtures to read as well")
    parser.add_argument("--seed", type=int, default=20240610)
    parser.add_argument("--limit-mb", type=int, default=2048, help="address space a child may add")
    parser.add_argument("--timeout", type=float, default=60.0)
    args = parser.parse_args()

    documents = [(name, data, ct) for name, (data, ct) in bombs().items()]
    damaged = mutated_fixtures(args.seed, {".pdf": 4, ".docx": 2, ".html": 1, ".txt": 1})
    step = max(1, len(damaged) // args.sample) if args.sample else 0
    documents += damaged[::step][: args.sample] if step else []
    sizes = {name: len(data) for name, data, _ in documents}

    print(f"{'document':46} {'size':>9} {'peak MB':>8} {'seconds':>8}  outcome")
    for answer in read_fenced(documents, args.limit_mb, args.timeout):
        outcome = answer.outcome
        if answer.outcome == "ParseError":
            outcome += f": {answer.detail[:90]}"
        elif answer.outcome == "record":
            caps = [w for w in answer.warnings if any(k in w for k in ("cut", "not read", "not searched"))]
            outcome += f" ({caps[0][:90]}{' …' if len(caps) > 1 else ''})" if caps else ""
        size = sizes[answer.name]
        shown = f"{size / 1024:.0f} KB" if size < 1024 * 1024 else f"{size / 1024 / 1024:.1f} MB"
        print(f"{answer.name[:46]:46} {shown:>9} {answer.peak_mb:8.1f} {answer.seconds:8.2f}  {outcome}")


if __name__ == "__main__":
    main()
