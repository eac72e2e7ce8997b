"""Crawl speed: the full pipeline (capture → parse in workers → store) beside a bare spider
that only follows the same links, on a sample portal of ≥1,000 pages, run side by side.

Targets: full ≥ 0.7 × bare pages/s; peak memory (crawler + parse workers) ≤ 400 MB.

    python bench/crawl_speed.py [--extra-reports N] [--rounds R]
"""

from __future__ import annotations

import statistics
import sys
import tempfile
from pathlib import Path

from _measure import bare_crawl, full_crawl
from portal import portal


def main() -> None:
    extra = int(sys.argv[sys.argv.index("--extra-reports") + 1]) if "--extra-reports" in sys.argv else 1000
    rounds = int(sys.argv[sys.argv.index("--rounds") + 1]) if "--rounds" in sys.argv else 2
    full, bare = [], []
    with portal(extra_reports=extra) as (server, _foreign), tempfile.TemporaryDirectory() as tmp:
        print(f"sample portal: {len(server.site.pages)} pages, {len(server.site.expected_reports)} reports")
        for i in range(rounds):
            # Alternate the order so neither run always gets the warmer machine.
            order = [("bare", None), ("full", Path(tmp) / f"full{i}.db")]
            for name, db in order if i % 2 == 0 else order[::-1]:
                result = bare_crawl(server.base_url) if name == "bare" else full_crawl(server.base_url, db)
                (bare if name == "bare" else full).append(result)
                print(f"  round {i + 1} {name:<4} {result['pages']:5d} pages in {result['crawl_s']:6.2f} s = "
                      f"{result['pages_per_s']:7.1f} pages/s, peak {result['peak_mb']:6.1f} MB "
                      f"over {result['peak_processes']} processes")
    f = statistics.median(r["pages_per_s"] for r in full)
    b = statistics.median(r["pages_per_s"] for r in bare)
    print(f"full pipeline {f:.1f} pages/s, bare spider {b:.1f} pages/s, ratio {f / b:.2f} (target ≥ 0.70)")
    print(f"peak memory of the full crawl, summed over its process tree (crawler + parse workers): "
          f"{max(r['peak_mb'] for r in full):.0f} MB (target ≤ 400 MB)")


if __name__ == "__main__":
    main()
