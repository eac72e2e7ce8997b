"""OCR accuracy on scanned reports: every distinct golden record of tests/files in the 2021 format
(the real reports' numbers, mostly zeros, and the generated fixtures' distinct non-zero numbers)
drawn as a scanned page in the national layout (tests/scans.py: title and the section 三 and 四
tables, 150 dpi, a slight turn, blur, noise, JPEG), wrapped in an image-only PDF and read back
through `parse` — plus the fixture that is itself a scan (redteam2-pdf-scanned-image.pdf).

Printed, over all reports: fields right (the 200 numbers — section 二 is not on the scanned page,
so its 10 fields count as not right; with --whole it is, beside the report's own section 一, and
OCR keeps a number of it only where those words state it — and title, year, format), the same
over the 190 numbers of sections 三 and 四, non-zero cells right, fields answered with a wrong
number, and OCR seconds per page. Run by hand (minutes: OCR is 4–20 s a page):

    python bench/ocr_accuracy.py [--limit N] [--angle DEG]
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
FILES = ROOT / "tests" / "files"
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests"))

from scans import as_pdf, scan_image, scan_pages  # noqa: E402

from archive.parsing import parse_document  # noqa: E402
from archive.record.model import numbers_of  # noqa: E402

SCANNED_FIXTURE = "redteam2-pdf-scanned-image"


def goldens() -> list[tuple[str, dict]]:
    """(name, golden) for each distinct set of 2021-format numbers with every table number given."""
    seen: set[str] = set()
    out = []
    for path in sorted(FILES.glob("*.expected.json")):
        golden = json.loads(path.read_text(encoding="utf-8"))
        if golden.get("format") != "2021" or not golden.get("title") or path.name.startswith(SCANNED_FIXTURE):
            continue
        tables = {k: v for k, v in numbers_of(golden).items() if k.startswith(("requests.", "review_litigation."))}
        if any(v is None for v in tables.values()):
            continue
        key = json.dumps(tables, sort_keys=True)
        if key not in seen:
            seen.add(key)
            out.append((path.name.removesuffix(".expected.json"), golden))
    return out


def own_words(name: str, most: int = 900) -> str:
    """The source report's section 一 as its text reader reads it (the first `most` characters),
    to be drawn on the scan: whatever figures the report itself states there."""
    source = next(p for p in sorted(FILES.glob(f"{name}.*")) if not p.name.endswith(".expected.json"))
    sections = parse_document(source.read_bytes(), source.name).record.get("sections") or {}
    text = sections.get("overview") or ""
    return "".join(text.split())[:most]


def score(golden: dict, record: dict, tally: dict) -> str:
    want, got = numbers_of(golden), numbers_of(record)
    right = sum(want[k] == got[k] for k in want)
    table = [k for k in want if k.startswith(("requests.", "review_litigation."))]
    nonzero = [k for k in table if want[k]]
    ident = sum(golden[f] == record[f] for f in ("title", "year", "format"))
    wrong = [k for k in want if got[k] is not None and got[k] != want[k]]
    tally["fields"] += len(want) + 3
    tally["fields_right"] += right + ident
    tally["table"] += len(table)
    tally["table_right"] += sum(want[k] == got[k] for k in table)
    tally["nonzero"] += len(nonzero)
    tally["nonzero_right"] += sum(want[k] == got[k] for k in nonzero)
    tally["wrong"] += len(wrong)
    tally["year_format"] += (golden["year"], golden["format"]) == (record["year"], record["format"])
    tally["reports"] += 1
    return (f"fields {right + ident}/{len(want) + 3}, tables {sum(want[k] == got[k] for k in table)}/{len(table)}, "
            f"non-zero {sum(want[k] == got[k] for k in nonzero)}/{len(nonzero)}, wrong {len(wrong)}"
            + (f" {wrong[:5]}" if wrong else ""))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--limit", type=int, default=0, help="read at most N rendered reports (0: all)")
    parser.add_argument("--angle", type=float, default=0.4, help="degrees the scanned page is turned")
    parser.add_argument("--whole", action="store_true",
                        help="draw whole reports on two pages: section 一 in the source report's own words and "
                             "section 二 on the first, sections 三 and 四 on the second")
    args = parser.parse_args()
    from archive.parsing.ocr import engine

    engine()
    tally = dict.fromkeys(("fields", "fields_right", "table", "table_right", "nonzero", "nonzero_right", "wrong",
                           "year_format", "reports"), 0)
    pages, seconds = 0, 0.0
    chosen = goldens()[: args.limit or None]
    print(f"{len(chosen)} distinct golden reports rendered as scans, and {SCANNED_FIXTURE}.pdf", flush=True)
    for i, (name, golden) in enumerate(chosen):
        started = time.perf_counter()
        angle = args.angle * (1 if i % 2 else -1)
        if args.whole:
            images = scan_pages(golden, golden["title"], own_words(name), seed=i + 1, angle=angle)
        else:
            images = [scan_image(golden, golden["title"], seed=i + 1, angle=angle)]
        parsed = parse_document(as_pdf(images))
        pages += len(images)
        seconds += parsed.timings.get("ocr", 0.0)
        print(f"{name:<48} {score(golden, parsed.record, tally)} ({time.perf_counter() - started:.0f} s)", flush=True)
    golden = json.loads((FILES / f"{SCANNED_FIXTURE}.expected.json").read_text(encoding="utf-8"))
    parsed = parse_document((FILES / f"{SCANNED_FIXTURE}.pdf").read_bytes())
    pages += sum(1 for w in parsed.record["warnings"] if "read by OCR" in w)
    seconds += parsed.timings.get("ocr", 0.0)
    print(f"{SCANNED_FIXTURE:<48} {score(golden, parsed.record, tally)}")
    t = tally
    print(f"reports {t['reports']}: year and format right {t['year_format']}/{t['reports']}")
    print(f"fields right {t['fields_right']}/{t['fields']} = {100 * t['fields_right'] / t['fields']:.1f}% "
          + ("" if args.whole else " (section 二 is not on these scans: 10 fields a report)"))
    print(f"section 三/四 numbers right {t['table_right']}/{t['table']} = {100 * t['table_right'] / t['table']:.1f}%")
    print(f"non-zero cells right {t['nonzero_right']}/{t['nonzero']} = "
          f"{100 * t['nonzero_right'] / max(t['nonzero'], 1):.1f}%")
    print(f"fields answered with a wrong number {t['wrong']}/{t['fields']} = {100 * t['wrong'] / t['fields']:.2f}%")
    print(f"OCR {seconds / max(pages, 1):.1f} s/page over {pages} pages")


if __name__ == "__main__":
    main()
