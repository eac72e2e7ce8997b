"""OCR of pages that have no usable text: scanned PDF pages and image documents.

RapidOCR on ONNX Runtime (`rapidocr_onnxruntime`: its wheel ships the Chinese PP-OCR detection,
direction and recognition models, so nothing is fetched at run time) reads each page into text
lines with boxes and confidences; boxes.py turns them into rows for the one table interpreter.
It runs where every reader runs — in the parse workers (parse_pool.py), never on the crawl's
reactor — within a per-document time budget and page cap: pages past either are not read, and
a warning names them.

An OCR number is a claim, not a reading: 0/8/6/9, 1/7, 一/- and dropped digits are the engine's
usual slips, and its confidence does not catch them all. `confirm()` keeps a number read by OCR
only where every check of the format's arithmetic it takes part in (record/checks.py) passes —
and at least one does; the others go back to null, with a warning, and the record needs review.
Every OCR cell that stands is noted as rule "ocr" in the reading summary (record/review.py).
"""

from __future__ import annotations

import io
import logging
import time
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

from .boxes import boxes_from_ocr, lines_of, page_text, rows_from_boxes
from .tables import Row

log = logging.getLogger(__name__)

OCR = "ocr"  # the reading summary's rule for a cell read by OCR
# Seconds of OCR for one document, and pages OCR'd: a 300-page scan must not stall a crawl. The
# parse pool's own hard budget (crawler/settings.py) is larger, so that the page under way ends.
OCR_TIME_BUDGET = 60.0
OCR_PAGE_CAP = 30
# Pages are rendered at this resolution. Measured on a busy 2-core machine (bench/parse_speed.py,
# tests/test_ocr.py): 100 dpi ~2.5 s a page, 150 dpi ~5–10 s; at 100–120 dpi a report's 9–11 pt
# table digits are still read right, and below 100 dpi single digits start to go.
RENDER_DPI = 120
# Pixels of one page handed to OCR (an A4 page at 150 dpi is 2.2 M): a larger page or image is
# scaled down to fit, so one page costs a bounded time and memory.
MAX_OCR_PIXELS = 6_000_000
# Pixels an image document may declare in its header before anything is decoded (image bombs).
MAX_IMAGE_PIXELS = 60_000_000



def enabled() -> bool:
    """OCR is on unless GOVREPORTS_OCR=0: then pages without text are read as no text (nulls, a
    warning). The fuzz test turns it off to measure the readers' own bounds; OCR's own bounds
    are tested in tests/test_ocr.py."""
    import os

    return os.environ.get("GOVREPORTS_OCR", "1") != "0"

_engine: Any = None


def engine() -> Any:
    """One RapidOCR engine per process (loading it takes ~0.3–0.5 s)."""
    global _engine
    if _engine is None:
        from rapidocr_onnxruntime import RapidOCR

        _engine = RapidOCR()
    return _engine


@dataclass
class OcrReading:
    rows: list[Row] = field(default_factory=list)
    text: str = ""
    warnings: list[str] = field(default_factory=list)
    pages: list[int] = field(default_factory=list)  # pages read by OCR
    seconds: float = 0.0


def read_pages(images: Iterable[tuple[int, Any]], total: int, budget: float = OCR_TIME_BUDGET,
               cap: int = OCR_PAGE_CAP) -> OcrReading:
    """OCR of (page number, PIL image) pairs, in order, within the time budget and page cap.
    `images` is consumed lazily: a page past the budget is not even rendered."""
    import numpy as np

    reading = OcrReading()
    texts = []
    unread: list[int] = []
    why = ""
    started = time.perf_counter()
    for number, image in images:
        if len(reading.pages) >= cap:
            unread.append(number)
            why = f"OCR reads at most {cap} pages of a document"
            continue
        if time.perf_counter() - started > budget:
            unread.append(number)
            why = f"past the document's OCR time budget ({budget:.0f} s)"
            continue
        try:
            result, _ = engine()(np.asarray(_fit(image).convert("RGB")))
        except Exception as exc:  # ONNX Runtime out of memory, a model that cannot load: no OCR
            log.warning("OCR failed on page %d", number, exc_info=True)
            unread.append(number)
            why = f"OCR failed ({exc.__class__.__name__})"
            continue
        boxes = boxes_from_ocr(result or [])
        reading.rows.extend(rows_from_boxes(boxes))
        texts.append(page_text(lines_of(boxes)))
        reading.pages.append(number)
    reading.seconds = time.perf_counter() - started
    reading.text = "\n".join(texts)
    if unread:
        reading.warnings.append(f"{_pages(unread)} not read by OCR: {why}")
    if reading.pages:
        reading.warnings.append(
            f"{_pages(reading.pages)} read by OCR (no text layer): its numbers stand only where the "
            "report's arithmetic confirms them"
        )
    return reading


def _pages(numbers: list[int]) -> str:
    if len(numbers) == 1:
        return f"page {numbers[0]}"
    if numbers == list(range(numbers[0], numbers[-1] + 1)):
        return f"pages {numbers[0]}–{numbers[-1]}"
    return "pages " + ", ".join(map(str, numbers))


def _fit(image: Any) -> Any:
    """The image within MAX_OCR_PIXELS (scaled down, aspect kept)."""
    width, height = image.size
    if width * height <= MAX_OCR_PIXELS:
        return image
    scale = (MAX_OCR_PIXELS / (width * height)) ** 0.5
    return image.resize((max(1, int(width * scale)), max(1, int(height * scale))))


# --- PDF pages ------------------------------------------------------------------------------


def render_pages(data: bytes, numbers: list[int], sizes: dict[int, tuple[float, float]]) -> Iterator[tuple[int, Any]]:
    """The given pages rendered at RENDER_DPI (scaled down to MAX_OCR_PIXELS), one at a time,
    each rendered under PDFium's lock and OCR'd outside it."""
    from . import pdfium

    for number in numbers:
        width, height = sizes[number]
        scale = RENDER_DPI / 72
        if width * height * scale * scale > MAX_OCR_PIXELS:
            scale = (MAX_OCR_PIXELS / max(width * height, 1)) ** 0.5
        try:
            with pdfium.opened(data) as document:
                page = document[number - 1]
                try:
                    image = page.render(scale=scale, may_draw_forms=False).to_pil()
                finally:
                    page.close()
        except Exception as exc:  # a page PDFium cannot draw: not read, said by the caller's count
            log.info("page %d not rendered for OCR: %s", number, exc)
            continue
        yield number, image


# --- image documents ------------------------------------------------------------------------


class ImageError(ValueError):
    """The bytes are no image that can be read."""


def read_image(data: bytes) -> OcrReading:
    """OCR of an image document (PNG, JPEG, GIF, BMP, TIFF; each frame a page). The size its
    header declares is checked before any pixel is decoded."""
    from PIL import Image

    if not enabled():
        raise ImageError("an image document, and OCR is off (GOVREPORTS_OCR=0)")
    try:
        image = Image.open(io.BytesIO(data))
    except Image.DecompressionBombError as exc:  # Pillow's own check of the header's size
        raise ImageError(f"image refused: {exc}") from exc
    except Exception as exc:
        raise ImageError(f"not a readable image: {exc.__class__.__name__}") from exc
    width, height = image.size
    if width * height > MAX_IMAGE_PIXELS:
        raise ImageError(f"image refused: {width}×{height} pixels (at most {MAX_IMAGE_PIXELS:,})")
    frames = getattr(image, "n_frames", 1)

    def pages() -> Iterator[tuple[int, Any]]:
        for index in range(frames):
            try:
                image.seek(index)
                if image.size[0] * image.size[1] > MAX_IMAGE_PIXELS:
                    return
                if image.format == "JPEG":
                    image.draft("RGB", (image.size[0] // 2, image.size[1] // 2)
                                if image.size[0] * image.size[1] > 4 * MAX_OCR_PIXELS else image.size)
                frame = image.copy()
                frame.load()
            except Exception as exc:  # a damaged frame: the frames before it are read
                log.info("image frame %d not decoded: %s", index + 1, exc)
                return
            yield index + 1, frame

    return read_pages(pages(), frames)


# --- the arithmetic confirms -----------------------------------------------------------------


def confirm(record: dict[str, Any], keys: set[str], placed: dict[str, str]) -> None:
    """Keep each number read by OCR (`keys`) only where every check it takes part in passes and
    at least one does; set the others to null, until what stands is confirmed by checks among
    standing numbers. The cells that stand are noted as OCR in `placed`; a warning lists the rest."""
    from ..record.checks import check_paths, run_checks
    from ..record.model import get_path

    standing = {k for k in keys if get_path(record, k) is not None}
    dropped: dict[str, Any] = {}
    while True:
        record["checks"] = run_checks(record)
        involved: dict[str, list[bool]] = {}
        for check in record["checks"]:
            for path in check_paths(check["rule"], record):
                involved.setdefault(path, []).append(check["passed"])
        doubtful = [k for k in standing if not involved.get(k) or not all(involved[k])]
        if not doubtful:
            break
        for key in doubtful:
            dropped[key] = get_path(record, key)
            _set_null(record, key)
            standing.discard(key)
    for key in standing:
        placed[key] = OCR
    if dropped:
        shown = ", ".join(f"{k} (read {v})" for k, v in list(dropped.items())[:40])
        more = f" and {len(dropped) - 40} more" if len(dropped) > 40 else ""
        record["warnings"].append(
            f"OCR: {len(dropped)} numbers not confirmed by the report's arithmetic (no check, or a check "
            f"that fails), left null: {shown}{more}"
        )


def _set_null(record: dict[str, Any], path: str) -> None:
    *parents, last = path.split(".")
    node = record
    for part in parents:
        node = node[part]
    node[last] = None
