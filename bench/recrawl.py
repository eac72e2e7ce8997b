"""Recrawl cost: the first crawl of the sample portal, then unchanged recrawls, side by side.

Two recrawls are measured: with the default revisit policy (a report checked in the last
GOVREPORTS_RECHECK_AFTER_HOURS is not requested again; list pages are), and rechecking every
report (…=0: conditional requests, 304s, no reparse).
Target: the unchanged recrawl takes ≤ 15% of the first crawl's time.

    python bench/recrawl.py [--extra-reports N] [--rounds R] [--delay SECONDS]

--delay runs both crawls with that DOWNLOAD_DELAY and one request at a time per host, as a
polite crawl of a real portal would (time then follows the number of requests, not start-up).
"""

from __future__ import annotations

import re
import statistics
import sys
import tempfile
from pathlib import Path

from _measure import full_crawl
from portal import portal


def main() -> None:
    extra = int(sys.argv[sys.argv.index("--extra-reports") + 1]) if "--extra-reports" in sys.argv else 1000
    rounds = int(sys.argv[sys.argv.index("--rounds") + 1]) if "--rounds" in sys.argv else 2
    polite = []
    if "--delay" in sys.argv:
        delay = sys.argv[sys.argv.index("--delay") + 1]
        polite = ["-s", f"DOWNLOAD_DELAY={delay}", "-s", "CONCURRENT_REQUESTS_PER_DOMAIN=1"]
    ratios, all_ratios, firsts, recrawls = [], [], [], []
    with portal(extra_reports=extra) as (server, _foreign), tempfile.TemporaryDirectory() as tmp:
        for i in range(rounds):
            db = Path(tmp) / f"r{i}.db"
            first = full_crawl(server.base_url, db, *polite)
            again = full_crawl(server.base_url, db, *polite)
            everything = full_crawl(server.base_url, db, "-s", "GOVREPORTS_RECHECK_AFTER_HOURS=0", *polite)
            not_modified = re.search(r"'govreports/not_modified': (\d+)", everything["stderr"])
            firsts.append(first["wall_s"])
            recrawls.append(again["wall_s"])
            ratios.append(again["wall_s"] / first["wall_s"])
            all_ratios.append(everything["wall_s"] / first["wall_s"])
            print(f"  round {i + 1}: first crawl {first['wall_s']:.2f} s ({first['pages']} pages); "
                  f"recrawl {again['wall_s']:.2f} s ({again['pages']} pages), ratio {ratios[-1]:.1%}; "
                  f"rechecking every report {everything['wall_s']:.2f} s ({everything['pages']} pages, "
                  f"{not_modified.group(1) if not_modified else 0} answered 304), ratio {all_ratios[-1]:.1%}")
    print(f"first crawl {statistics.median(firsts):.2f} s, unchanged recrawl {statistics.median(recrawls):.2f} s, "
          f"ratio {statistics.median(ratios):.1%} (target ≤ 15%); rechecking every report (all 304): "
          f"ratio {statistics.median(all_ratios):.1%}")


if __name__ == "__main__":
    main()
