"""Parse speed: documents per second for HTML, text and PDF, and where the time goes.

For each HTML fixture: the whole parse, trafilatura's share, and our own table work (decode,
grid, interpretation). Target: our own table reading under 10 ms for a typical 100 KB page.
PDF: the fixture PDFs that have a usable text layer; target ≥ 10 docs/s on one core. OCR: the
PDFs without one (a scan, a garbled layer), read once each: OCR seconds per page and per report.

    python bench/parse_speed.py [--rounds N]
"""

from __future__ import annotations

import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from archive.parsing import parse_document

FILES = ROOT / "tests" / "files"


def _pad_to(data: bytes, size: int, encoding: str = "utf-8") -> bytes:
    """A typical portal page is ~100 KB, mostly chrome: pad the fixture with sidebar news."""
    if len(data) >= size or b"</body>" not in data:
        return data
    item = "<li><a href='/xwzx/t20250101_1.html'>市政府召开常务会议研究部署近期重点工作</a><span>2025-01-01</span></li>"
    filler = ("<div class='sidebar'><ul>" + item * ((size - len(data)) // len(item.encode()) + 1) + "</ul></div>").encode(
        encoding
    )
    return data.replace(b"</body>", filler + b"</body>", 1)


def measure(paths: list[Path], rounds: int, pad: int | None = None) -> dict[str, float]:
    totals, traf, own = [], [], []
    sizes = []
    for path in paths:
        data = path.read_bytes()
        if pad:
            data = _pad_to(data, pad, "gbk" if "gbk" in path.name else "utf-8")  # in the page's own encoding
        sizes.append(len(data))
        ct = "text/html; charset=GBK" if "header-only" in path.name else None
        parse_document(data, content_type=ct)  # warm-up (imports, regex compilation)
        for _ in range(rounds):
            started = time.perf_counter()
            parsed = parse_document(data, content_type=ct)
            total = time.perf_counter() - started
            totals.append(total)
            traf.append(parsed.timings.get("trafilatura", 0.0))
            own.append(total - parsed.timings.get("trafilatura", 0.0))
    return {
        "docs_per_s": len(totals) / sum(totals),
        "median_total_ms": statistics.median(totals) * 1000,
        "median_trafilatura_ms": statistics.median(traf) * 1000,
        "median_own_ms": statistics.median(own) * 1000,
        "mean_kb": statistics.mean(sizes) / 1024,
    }


def main() -> None:
    rounds = int(sys.argv[sys.argv.index("--rounds") + 1]) if "--rounds" in sys.argv else 5
    html = sorted(FILES.glob("html-*.html"))
    text = sorted(FILES.glob("0*.txt"))
    scans = sorted(p for p in FILES.glob("*.pdf") if "scanned" in p.name or "garbled" in p.name)
    pdf = sorted(p for p in FILES.glob("*.pdf") if p not in scans)
    runs = (("HTML as saved", html, None), ("HTML padded to 100 KB", html, 100_000), ("text", text, None), ("PDF (text layer)", pdf, None))
    for name, paths, pad in runs:
        m = measure(paths, rounds, pad)
        print(
            f"{name:<22} {m['docs_per_s']:7.1f} docs/s  median {m['median_total_ms']:6.1f} ms "
            f"(trafilatura {m['median_trafilatura_ms']:6.1f} ms, our own reading {m['median_own_ms']:5.1f} ms) "
            f"mean size {m['mean_kb']:.0f} KB"
        )
    ocr_pages(scans)


def ocr_pages(paths: list[Path]) -> None:
    """OCR seconds per page and per report (the engine loaded first, as a worker keeps it)."""
    from archive.parsing.ocr import engine

    started = time.perf_counter()
    engine()
    print(f"OCR engine load {time.perf_counter() - started:.2f} s")
    pages = seconds = 0.0
    for path in paths:
        parsed = parse_document(path.read_bytes())
        read = next((w for w in parsed.record["warnings"] if "read by OCR" in w), "")
        count = read.split(" read by OCR")[0].replace("pages ", "").replace("page ", "")
        n = (int(count.split("–")[1]) - int(count.split("–")[0]) + 1) if "–" in count else (1 if count else 0)
        ocr = parsed.timings.get("ocr", 0.0)
        pages, seconds = pages + n, seconds + ocr
        print(f"OCR {path.name:<36} {n} pages {ocr:6.1f} s ({ocr / max(n, 1):5.1f} s/page) "
              f"{parsed.record['reading']['cells_read']} of {parsed.record['reading']['cells_expected']} cells stand")
    if pages:
        print(f"OCR {pages:.0f} pages: {seconds / pages:.1f} s/page, {seconds / len(paths):.1f} s/report")


if __name__ == "__main__":
    main()
