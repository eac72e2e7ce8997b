"""OCR of pages that have no usable text: scanned PDF pages, image documents, and the table
images of an HTML report page (fetched with it: spiders/page_images.py).

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

Section 二 (主动公开: rules, documents, licensing, penalties, fees) has no arithmetic. A second
rendering of the same pixels is no confirmation — the same engine repeats the same slip (a 9
read as 6 scored 0.997). What does confirm a number is the report printing it twice: section 一
often states 制发规范性文件3件 or 收到申请12件 in words, in other pixels. A number the text states
alike stands (prose.py reads those sentences; a warning lists the numbers kept so); the rest of
section 二 stays null with a warning that shows what OCR read, and the record needs review.

A cell OCR could not read (smudged, under the confidence floor) is null on its own: the other
cells of its row keep their columns (boxes.py) and stand by the checks that still run. Where the
arithmetic would determine such a cell, a warning says the value — never the record.
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
# Pixels an image document may declare in its header before anything is decoded (image bombs);
# also Pillow's own MAX_IMAGE_PIXELS in the workers (it refuses twice that, warns above it).
MAX_IMAGE_PIXELS = 60_000_000
# The height, in pixels, of a text line's box (RapidOCR's detection) on a report page rendered at
# RENDER_DPI — 10.5–12 pt table text gives 22–30 px boxes, and digits are read right from 18 px
# up. Images of unknown resolution are scaled so that their median line is TEXT_HEIGHT high,
# unless it already falls within TEXT_HEIGHT_BAND (a resampling costs a little sharpness).
TEXT_HEIGHT = 26
TEXT_HEIGHT_BAND = (19, 38)
MEASURE_PIXELS = 1_500_000  # the copy the line height is measured on
# RapidOCR's own limits (its config.yaml): an image's long side is shrunk to 2000 px, and the
# detector scales the short side up to 736 px (see _for_engine).
ENGINE_MAX_SIDE = 2000
DET_MIN_SIDE = 736
# Every line the engine finds comes back (text_score 0: boxes.py sets its own floors, by length),
# and the detector keeps fainter boxes (box_thresh 0.3, RapidOCR's default 0.5): a lone "0" in a
# table cell is the box it misses most. Measured on a scanned all-zero report (bench/ocr_accuracy.py):
# 186 of its 190 zeros found, against about 100 with the defaults.
ENGINE_OPTIONS = {"text_score": 0.0, "box_thresh": 0.3}



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


def time_budget() -> float:
    """OCR seconds a document may use: OCR_TIME_BUDGET, or GOVREPORTS_OCR_TIME_BUDGET (a slow or
    busy machine; keep the parse pool's GOVREPORTS_PARSE_TIME_BUDGET above it)."""
    import os

    try:
        return float(os.environ.get("GOVREPORTS_OCR_TIME_BUDGET") or OCR_TIME_BUDGET)
    except ValueError:
        return OCR_TIME_BUDGET


def read_pages(images: Iterable[tuple[int, Any]], total: int, budget: float | None = None,
               cap: int = OCR_PAGE_CAP, unit: str = "page", rescale: bool = False) -> OcrReading:
    """OCR of (page number, PIL image) pairs, in order, within the time budget and page cap.
    `images` is consumed lazily: a page past the budget is not even rendered. `unit` names what
    is numbered in warnings ("page", "image"); `rescale` brings images of unknown resolution
    (photos, thumbnails) to the text size OCR reads best (`to_ocr_scale`)."""
    import numpy as np

    budget = time_budget() if budget is None else budget
    reading = OcrReading()
    texts = []
    unread: list[int] = []
    why = ""
    started = time.perf_counter()
    for number, image in images:
        if len(reading.pages) >= cap:
            unread.append(number)
            why = f"OCR reads at most {cap} {unit}s of a document"
            continue
        if time.perf_counter() - started > budget:
            unread.append(number)
            why = f"past the document's OCR time budget ({budget:.0f} s)"
            continue
        try:
            fitted = _fit(image.convert("RGB"))
            if rescale:
                fitted = to_ocr_scale(fitted)
            result, _ = engine()(np.asarray(_for_engine(fitted)), **ENGINE_OPTIONS)
        except Exception as exc:  # ONNX Runtime out of memory, a model that cannot load: no OCR
            log.warning("OCR failed on %s %d", unit, number, exc_info=True)
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
        reading.warnings.append(f"{_pages(unread, unit)} not read by OCR: {why}")
    if reading.pages:
        source = "no text layer" if unit == "page" else "the page's tables are images"
        reading.warnings.append(
            f"{_pages(reading.pages, unit)} read by OCR ({source}): its numbers stand only where the "
            "report's arithmetic confirms them"
        )
    return reading


def _pages(numbers: list[int], unit: str = "page") -> str:
    if len(numbers) == 1:
        return f"{unit} {numbers[0]}"
    if numbers == list(range(numbers[0], numbers[-1] + 1)):
        return f"{unit}s {numbers[0]}–{numbers[-1]}"
    return f"{unit}s " + ", ".join(map(str, numbers))


def _fit(image: Any) -> Any:
    """The image within MAX_OCR_PIXELS (scaled down, aspect kept)."""
    width, height = image.size
    if width * height <= MAX_OCR_PIXELS:
        return image
    scale = (MAX_OCR_PIXELS / (width * height)) ** 0.5
    return image.resize((max(1, int(width * scale)), max(1, int(height * scale))))


def _for_engine(image: Any) -> Any:
    """The image as RapidOCR's detector takes it without resampling it again: its long side
    within ENGINE_MAX_SIDE (the engine would shrink it itself), and its short side padded with
    white to DET_MIN_SIDE — the detector scales the short side up to that, so a table strip
    992×125 px would become 5,800×736 px (seconds, and a bad_alloc under the worker's memory
    limit). Padding at the right and bottom keeps every box where it was."""
    from PIL import Image

    width, height = image.size
    if max(width, height) > ENGINE_MAX_SIDE:
        scale = ENGINE_MAX_SIDE / max(width, height)
        image = image.resize((max(1, int(width * scale)), max(1, int(height * scale))), Image.Resampling.LANCZOS)
        width, height = image.size
    if min(width, height) >= DET_MIN_SIDE:
        return image
    canvas = Image.new("RGB", (max(width, DET_MIN_SIDE), max(height, DET_MIN_SIDE)), (255, 255, 255))
    canvas.paste(image, (0, 0))
    return canvas


def to_ocr_scale(image: Any) -> Any:
    """An image of unknown resolution scaled so that its text lines are about TEXT_HEIGHT pixels
    high, as on a PDF page rendered at RENDER_DPI: a phone photo is scaled down (fewer pixels to
    read, and PP-OCR's detector misses very large glyphs), a thumbnail up (its digits too small
    to tell apart). The lines' height is measured by the detection model alone, on a copy of at
    most MEASURE_PIXELS (~0.5 s); an image whose lines are already within TEXT_HEIGHT_BAND, or
    that has no text, is left as it is. The result stays within MAX_OCR_PIXELS."""
    import numpy as np
    from PIL import Image

    width, height = image.size
    shrink = min(1.0, (MEASURE_PIXELS / max(width * height, 1)) ** 0.5, ENGINE_MAX_SIDE / max(width, height))
    probe = image if shrink == 1.0 else image.resize((max(1, int(width * shrink)), max(1, int(height * shrink))))
    boxes, _ = engine()(np.asarray(_for_engine(probe)), use_cls=False, use_rec=False, **ENGINE_OPTIONS)
    heights = sorted(abs(b[3][1] - b[0][1]) for b in (boxes or []) if abs(b[3][1] - b[0][1]) > 0)
    if len(heights) < 3:
        return image
    line = heights[len(heights) // 2] / shrink
    low, high = TEXT_HEIGHT_BAND
    if low <= line <= high:
        return image
    scale = min(max(TEXT_HEIGHT / line, 0.2), 4.0, ENGINE_MAX_SIDE / max(width, height))
    if width * height * scale * scale > MAX_OCR_PIXELS:
        scale = (MAX_OCR_PIXELS / (width * height)) ** 0.5
    return image.resize((max(1, int(width * scale)), max(1, int(height * scale))), resample=Image.Resampling.LANCZOS)


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


def _open(data: bytes) -> Any:
    """An image opened (header only) and its declared size checked against MAX_IMAGE_PIXELS
    before any pixel is decoded."""
    from PIL import Image

    Image.MAX_IMAGE_PIXELS = MAX_IMAGE_PIXELS
    try:
        image = Image.open(io.BytesIO(data))
    except Image.DecompressionBombError as exc:  # Pillow's own check of the header's size
        raise ImageError(f"image refused: {exc}") from exc
    except Exception as exc:
        raise ImageError(f"not a readable image: {exc.__class__.__name__}") from exc
    width, height = image.size
    if width * height > MAX_IMAGE_PIXELS:
        raise ImageError(f"image refused: {width}×{height} pixels (at most {MAX_IMAGE_PIXELS:,})")
    return image


def _frames(image: Any, limit: int) -> Iterator[Any]:
    """The first `limit` frames of an opened image, each decoded (a large JPEG at half size:
    its draft mode decodes fewer pixels)."""
    for index in range(min(getattr(image, "n_frames", 1), limit)):
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
        yield frame


def read_image(data: bytes) -> OcrReading:
    """OCR of an image document (PNG, JPEG, GIF, BMP, TIFF; each frame a page), rescaled to the
    text size OCR reads best."""
    if not enabled():
        raise ImageError("an image document, and OCR is off (GOVREPORTS_OCR=0)")
    image = _open(data)
    frames = getattr(image, "n_frames", 1)
    pages = ((i + 1, frame) for i, frame in enumerate(_frames(image, frames)))
    return read_pages(pages, frames, rescale=True)


def read_page_images(images: list[bytes]) -> OcrReading:
    """OCR of the images of an HTML report page (its tables pasted as pictures), in page order:
    each image's first frame, rescaled like an image document. An image that cannot be opened
    or is refused is named in a warning; the others are read."""
    refused: list[str] = []

    def pages() -> Iterator[tuple[int, Any]]:
        for number, data in enumerate(images, start=1):
            try:
                image = _open(data)
            except ImageError as exc:
                refused.append(f"image {number}: {exc}")
                continue
            for frame in _frames(image, 1):
                yield number, frame

    if not enabled():
        return OcrReading(warnings=[f"{len(images)} images of the page not read: OCR is off (GOVREPORTS_OCR=0)"])
    reading = read_pages(pages(), len(images), unit="image", rescale=True)
    reading.warnings[:0] = [f"{r} (not read)" for r in refused]
    return reading


# --- the arithmetic confirms -----------------------------------------------------------------


def confirm(record: dict[str, Any], keys: set[str], placed: dict[str, str], stated: Iterable[Any] = ()) -> None:
    """Keep each number read by OCR (`keys`) only where a check of the format's arithmetic it
    takes part in passes, or the report's own words state it (`stated`: prose.py's figures of
    section 一 — the same number printed a second time, in another place, read alike from
    both), and no check it takes part in fails unexplained. A failing check is
    explained by a cell of it that no check confirms (the one slip: in a matrix, a misread cell
    fails both its row and its column, and every other cell of that row or column is confirmed
    by its own column or row); a failing check with no such cell drops every OCR cell of it.
    The cells that stand are noted as OCR in `placed`; warnings list the rest,
    section 二's apart (no arithmetic can confirm them), and what the arithmetic implies for
    each cell left null (`implied`) — said, never filled in."""
    from ..record.checks import check_paths, run_checks
    from ..record.model import get_path

    standing = {k for k in keys if get_path(record, k) is not None}
    record["checks"] = run_checks(record)
    passing: dict[str, int] = {}
    failing: list[list[str]] = []
    for check in record["checks"]:
        paths = check_paths(check["rule"], record)
        if check["passed"]:
            for path in paths:
                passing[path] = passing.get(path, 0) + 1
        else:
            failing.append(paths)
    said = _said_alike(record, standing, stated)
    for key in said:
        passing[key] = passing.get(key, 0) + 1
    # No check confirms it (none runs, or every one fails): the cell is the suspect.
    suspects = {k for k in standing if not passing.get(k)}
    # …unless a slip or a gap that two sums pin down shows that the rest of both sums is right.
    for cells in _pinned_slips(record, suspects).values():
        for path in cells:
            passing[path] = passing.get(path, 0) + 1
    suspects = {k for k in standing if not passing.get(k)}
    # A failing check none of whose cells is a suspect: two slips that cancel out elsewhere, say —
    # which of its cells is wrong is unknown, so none of its OCR cells stands.
    for paths in failing:
        if not suspects.intersection(paths):
            suspects.update(p for p in paths if p in standing)
    dropped = {k: get_path(record, k) for k in sorted(suspects)}
    for key in suspects:
        _set_null(record, key)
        standing.discard(key)
    record["checks"] = run_checks(record)
    for key in standing:
        placed[key] = OCR
    kept_by_words = sorted(k for k in said if k in standing)
    if kept_by_words:
        record["warnings"].append(
            f"OCR: {len(kept_by_words)} numbers confirmed by the report's own words (the same figure stated in its "
            f"text): {', '.join(kept_by_words)}"
        )
    unconfirmable = {k: v for k, v in dropped.items() if k.startswith(_NO_ARITHMETIC)}
    if unconfirmable:
        record["warnings"].append(
            f"OCR: section 二 (主动公开) has no arithmetic to confirm a number, OCR's confidence does not prove "
            f"one, and the report's text does not state it: {len(unconfirmable)} numbers left null: "
            f"{_shown(unconfirmable)}"
        )
    unconfirmed = {k: v for k, v in dropped.items() if k not in unconfirmable}
    if unconfirmed:
        record["warnings"].append(
            f"OCR: {len(unconfirmed)} numbers not confirmed by the report's arithmetic (no check, or a check "
            f"that fails), left null: {_shown(unconfirmed)}"
        )
    hints = implied(record)
    if hints and (standing or dropped):
        shown = ", ".join(f"{k} = {v} ({n} check{'s' if n > 1 else ''})" for k, (v, n) in list(hints.items())[:40])
        record["warnings"].append(
            f"OCR: {len(hints)} cells not read (illegible, or not confirmed) that the report's arithmetic would "
            f"determine — not filled in, a number OCR did not read is no reading: {shown}"
        )


def _said_alike(record: dict[str, Any], keys: set[str], stated: Iterable[Any]) -> set[str]:
    """The keys among `keys` whose value every statement of the report's text agrees with: the
    prose checks (record/checks.py) that pass, each over one of these keys."""
    from ..record.checks import PROSE_PREFIX, prose_checks

    passing = {c["rule"].removeprefix(PROSE_PREFIX) for c in prose_checks(record, list(stated)) if c["passed"]}
    return passing & keys


# Keys whose numbers the format gives no arithmetic for (section 二, in both formats).
_NO_ARITHMETIC = ("active_disclosure.", "legacy_active_disclosure.")


def _shown(values: dict[str, Any], most: int = 40) -> str:
    shown = ", ".join(f"{k} (read {v})" for k, v in list(values.items())[:most])
    return shown + (f" and {len(values) - most} more" if len(values) > most else "")


def implied(record: dict[str, Any]) -> dict[str, tuple[int, int]]:
    """Null cells that one of the format's sums determines — the only unknown of a row total,
    a column sum, the 一 + 二 = 三 + 四 balance or a section 四 group — as {key: (value, checks
    that give it)}; a cell two sums give differently, or a value that is no count, is left out."""
    found: dict[str, list[float]] = {}
    for _, paths, unknown, value in _sums(record):
        found.setdefault(paths[unknown], []).append(value)
    return {
        k: (int(v[0]), len(v)) for k, v in found.items()
        if len(set(v)) == 1 and v[0] >= 0 and float(v[0]).is_integer()
    }


def _sums(record: dict[str, Any]) -> Iterator[tuple[str, list[str], int, float]]:
    """Each of the format's sums with exactly one unknown cell: (rule, its cells, the unknown's
    index, the value the sum gives it)."""
    from ..record.checks import check_paths
    from ..record.model import REVIEW_GROUPS, applicant_columns, get_path

    rules = [f"requests.{kind}.{col}" for kind in ("balance", "results_sum") for col in applicant_columns()]
    rules += [f"requests.row_total.{row}" for row in record["requests"]]
    rules += [f"review_litigation.{group}.total" for group in REVIEW_GROUPS]
    for rule in rules:
        paths = check_paths(rule, record)
        signs = [1, 1, -1, -1] if ".balance." in rule else [1] * (len(paths) - 1) + [-1]
        values = [get_path(record, p) for p in paths]
        unknown = [i for i, v in enumerate(values) if v is None]
        if len(unknown) != 1 or not all(isinstance(v, (int, float)) for v in values if v is not None):
            continue
        i = unknown[0]
        yield rule, paths, i, -sum(s * v for s, v in zip(signs, values) if v is not None) / signs[i]


def _pinned_slips(record: dict[str, Any], suspects: set[str]) -> dict[str, set[str]]:
    """A cell OCR misread or could not read, that two sums (its row and its column, say) each
    determine — set aside, each of them gives it the same count (other than OCR's reading).
    Then the other cells of both sums are right — an error among them would make the two
    disagree — and are confirmed by them. The cell itself stays as it was: null, or a suspect
    that goes back to null. {that cell: the cells its sums confirm}."""
    import copy

    from ..record.model import get_path

    def pinned(trial: dict[str, Any], key: str) -> set[str]:
        sums = [(paths, value) for _, paths, i, value in _sums(trial) if paths[i] == key]
        values = {value for _, value in sums}
        if len(sums) < 2 or len(values) != 1 or values == {get_path(record, key)}:
            return set()
        value = next(iter(values))
        if value < 0 or not float(value).is_integer():
            return set()
        return {p for paths, _ in sums for p in paths if p != key}

    confirmed: dict[str, set[str]] = {}
    for key in sorted(suspects):
        if get_path(record, key) is not None:
            trial = copy.deepcopy(record)
            _set_null(trial, key)
            confirmed[key] = pinned(trial, key)
    for key in sorted({paths[i] for _, paths, i, _ in _sums(record)}):  # cells not read
        confirmed[key] = pinned(record, key)
    return {k: v for k, v in confirmed.items() if v}


def _set_null(record: dict[str, Any], path: str) -> None:
    *parents, last = path.split(".")
    node = record
    for part in parents:
        node = node[part]
    node[last] = None
