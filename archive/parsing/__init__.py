"""Document → record: `parse(data, url=None, content_type=None)`.

One entry point for every input the crawl meets (HTML in any encoding, plain text, PDF,
DOCX). Each reader turns its document into rows; tables.py reads the rows; identity.py names
the report; record/checks.py runs the format's arithmetic. A document that is read but not
understood still yields a record (format "unknown", nulls, warnings); only bytes that are no
document at all raise `ParseError`.
"""

from __future__ import annotations

import logging
import re
import time
from dataclasses import dataclass, field
from typing import Any

from ..record.checks import prose_checks, run_checks
from ..record.model import FORMAT_LEGACY, FORMAT_UNKNOWN, TEXT_SECTIONS, empty_record
from ..record.review import BLANK_AS_ZERO, blank_failures, summarize
from . import identity
from .detect import DocumentKind, sniff
from .prose import stated_figures
from .tables import Row, detect_format, fill_record, interpret, merge_missing

log = logging.getLogger(__name__)

MAX_DOCUMENT_BYTES = 64 * 1024 * 1024
TRAFILATURA_MAX_BYTES = 4 * 1024 * 1024  # beyond this, our own text extraction is used


class ParseError(ValueError):
    """The input is not a document at all (empty, binary garbage, a corrupt PDF/DOCX)."""


@dataclass
class Parsed:
    """A record plus what the archive keeps beside it (body text) and timing for benchmarks."""

    record: dict[str, Any]
    text: str
    kind: str
    timings: dict[str, float] = field(default_factory=dict)


def parse(data: bytes, url: str | None = None, content_type: str | None = None,
          images: list[bytes] | None = None) -> dict[str, Any]:
    return parse_document(data, url, content_type, images).record


def parse_document(data: bytes, url: str | None = None, content_type: str | None = None,
                   images: list[bytes] | None = None) -> Parsed:
    """Read any bytes. Raises ParseError, and nothing else, when they are no readable document.

    `images` are the pictures of an HTML report page, in page order, fetched with it because
    its statistics tables are images (spiders/page_images.py): the page gives the text and
    sections, the images are read by OCR as its tables (ocr.read_page_images).

    Each reader bounds its own work (limits.py) and turns its libraries' failures into ParseError
    or warnings; an exception that still escapes is a bug in this package: it is logged with its
    traceback and reported as an internal error."""
    try:
        return _read_document(data, url, content_type, images or [])
    except ParseError:
        raise
    except Exception as exc:
        log.warning("internal error reading %s", url or "a document", exc_info=True)
        raise ParseError(f"internal error while reading: {exc.__class__.__name__}") from exc


def _read_document(data: bytes, url: str | None, content_type: str | None, images: list[bytes]) -> Parsed:
    if not data or not data.strip():
        raise ParseError("empty document")
    if len(data) > MAX_DOCUMENT_BYTES:
        raise ParseError(f"document too large ({len(data)} bytes > {MAX_DOCUMENT_BYTES})")
    kind = sniff(data, url, content_type)
    if kind is DocumentKind.BINARY:
        raise ParseError("not a document (binary data that is neither PDF nor DOCX)")
    if kind is DocumentKind.OLE2:
        raise ParseError("a Word 97-2003 / WPS binary document (.doc/.wps): not read; the capture is kept")
    record = empty_record()
    record["url"] = url
    timings: dict[str, float] = {}
    alternate = None  # a second reading of the same document (its text), used where tables miss
    flipped = None  # the text read as numbers-then-label, tried when the arithmetic fails
    ocr_rows: list[Row] = []  # rows read by OCR: their numbers stand only where the arithmetic confirms them
    started = time.perf_counter()
    if kind is DocumentKind.HTML:
        from .html import read_page

        rows, text, title, published, agency_hint, alternate = read_page(
            data, content_type, record["warnings"], timings
        )
        if images:
            from .ocr import read_page_images

            scan = read_page_images(images)
            record["warnings"].extend(scan.warnings)
            ocr_rows = scan.rows
            rows = rows + ocr_rows
            timings["ocr"] = scan.seconds
    elif kind is DocumentKind.PDF:
        from .pdf import PdfError, read_pdf

        try:
            pdf = read_pdf(data)
        except PdfError as exc:
            raise ParseError(str(exc)) from exc
        from .text import rows_from_text

        record["warnings"].extend(pdf.warnings)
        rows, text = pdf.rows, pdf.text
        alternate = lambda: rows_from_text(pdf.text)  # noqa: E731 - deferred: rarely needed
        if not rows:
            # No ruled tables: rows from the words' positions or from the plain text, whichever
            # reading the report's own arithmetic agrees with more.
            rows = _best_rows([r for r in (pdf.positional, rows_from_text(text)) if r])
            flipped = lambda: rows_from_text(pdf.text, values_first=True)  # noqa: E731
        if pdf.ocr is not None:  # pages without usable text, read by OCR after the others
            ocr_rows = pdf.ocr.rows
            rows = rows + ocr_rows
            text = "\n".join(filter(None, (text, pdf.ocr.text)))
            timings["ocr"] = pdf.ocr.seconds
        title = identity.title_from_lines(text.splitlines()) or (
            pdf.title if pdf.title and identity.is_report_title(pdf.title) else None  # not a file name
        )
        published, agency_hint = identity.published_from_text(text), None
    elif kind is DocumentKind.IMAGE:
        from .ocr import ImageError, read_image

        try:
            scan = read_image(data)
        except ImageError as exc:
            raise ParseError(str(exc)) from exc
        record["warnings"].extend(scan.warnings)
        rows = ocr_rows = scan.rows
        text, timings["ocr"] = scan.text, scan.seconds
        title = identity.title_from_lines(text.splitlines())
        published, agency_hint = identity.published_from_text(text), None
    elif kind is DocumentKind.DOCX:
        from .docx import DocxError, read_docx

        try:
            doc = read_docx(data)
        except DocxError as exc:
            raise ParseError(str(exc)) from exc
        record["warnings"].extend(doc.warnings)
        rows, text = doc.rows, doc.text
        title = identity.title_from_lines(text.splitlines())
        published, agency_hint = identity.published_from_text(text), None
    else:
        from .encoding import decode
        from .limits import cut_text
        from .text import rows_from_text

        text, _ = decode(data, content_type, record["warnings"])
        text, cut = cut_text(text)
        if cut:
            record["warnings"].append(cut)
        rows = rows_from_text(text)
        flipped = lambda: rows_from_text(text, values_first=True)  # noqa: E731 - deferred
        title = identity.title_from_lines(text.splitlines())
        published, agency_hint = identity.published_from_text(text), None
    timings["read"] = time.perf_counter() - started - timings.get("trafilatura", 0.0)
    started = time.perf_counter()
    _fill(record, rows, text, title, published, agency_hint, alternate, flipped, ocr_rows)
    timings["interpret"] = time.perf_counter() - started
    return Parsed(record, text, kind.value, timings)


def _fill(
    record: dict[str, Any],
    rows: list[Row],
    text: str,
    title: str | None,
    published: str | None,
    agency_hint: str | None,
    alternate=None,
    flipped=None,
    ocr_rows: list[Row] | None = None,
) -> None:
    reading = interpret(rows)
    if alternate is not None and not (reading.active and reading.requests and reading.review):
        # A section the tables did not give may still be printed as text (a table without
        # ruling lines in a PDF, a section laid out in paragraphs): read the text too.
        merge_missing(reading, interpret(alternate()))
    title = identity.clean_title(title) if title else None
    record["title"] = title
    record["year"] = identity.year_from_title(title) or identity.year_from_text(text)
    agency = identity.agency_from_title(title) or agency_hint or identity.agency_from_opening(text)
    record["agency"] = agency if agency and len(agency) <= 40 else None
    record["published"] = published
    record["sections"] = sections_of(text)
    _fill_numbers(record, reading)
    placed = dict(reading.placed)
    if flipped is not None and any(not c["passed"] for c in record["checks"]):
        # Some extractions print each row's numbers before its label. Read that way too, and
        # take a section from that reading only where the format's own arithmetic then holds
        # better (per section: a document may print its tables differently).
        trial = empty_record()
        trial["year"] = record["year"]
        trial_reading = interpret(flipped())
        _fill_numbers(trial, trial_reading)
        taken = []
        for section, prefix in (("requests", "requests."), ("review_litigation", "review_litigation.")):
            if _arithmetic_score(trial, prefix) > _arithmetic_score(record, prefix):
                record[section] = trial[section]
                if section == "requests" and "legacy_requests_other_processing" in trial:
                    record["legacy_requests_other_processing"] = trial["legacy_requests_other_processing"]
                taken.append(section)
        if taken:
            record["checks"] = run_checks(record)
            record["warnings"] = [w for w in record["warnings"] if not w.startswith(("section 三", "section 四"))]
            record["warnings"].append(
                f"{', '.join(taken)}: the numbers of each row come before its label in this text; read "
                "that way, because only then does the report's arithmetic hold"
            )
            prefixes = tuple(p for section in taken for p in _KEYS_OF[section])
            placed = {k: v for k, v in placed.items() if not k.startswith(prefixes)}
            placed.update({k: v for k, v in trial_reading.placed.items() if k.startswith(prefixes)})
    if ocr_rows:
        _confirm_ocr(record, rows, ocr_rows, alternate, placed)
    # The figures the report's own prose states, against its tables (prose.py, checks.py).
    record["checks"] += prose_checks(record, stated_figures(record["sections"], record["year"]))
    _finish_reading(record, placed, text)


def _confirm_ocr(record: dict[str, Any], rows: list[Row], ocr_rows: list[Row], alternate, placed: dict[str, str]) -> None:
    """The numbers the OCR rows gave (those a reading without them does not) stand only where
    the report's arithmetic confirms them (ocr.confirm)."""
    from ..record.model import get_path
    from ..record.review import expected_paths
    from .ocr import confirm

    scanned = {id(row) for row in ocr_rows}
    trial = empty_record()
    trial["year"] = record["year"]
    without = interpret([row for row in rows if id(row) not in scanned])
    if alternate is not None:
        merge_missing(without, interpret(alternate()))
    _fill_numbers(trial, without)
    keys = {p for p in expected_paths(record) if get_path(record, p) is not None and get_path(trial, p) is None}
    confirm(record, keys, placed, stated_figures(record["sections"], record["year"]))


def _best_rows(options: list[list[Row]]) -> list[Row]:
    def score(rows: list[Row]) -> tuple[int, int]:
        trial = empty_record()
        _fill_numbers(trial, interpret(rows))
        return _arithmetic_score(trial, "")

    return max(options, key=score) if len(options) > 1 else (options[0] if options else [])


def _arithmetic_score(record: dict[str, Any], prefix: str) -> tuple[int, int]:
    """(checks passed − failed, numbers known) for one section's checks and numbers."""
    from ..record.model import numbers_of

    balance = sum(1 if c["passed"] else -1 for c in record["checks"] if c["rule"].startswith(prefix))
    known = sum(v is not None for k, v in numbers_of(record).items() if k.startswith(prefix))
    return balance, known


def _fill_numbers(record: dict[str, Any], reading: Any) -> None:
    fmt = detect_format(reading)
    if fmt is None:
        if reading.saw_old or (record["year"] and record["year"] < 2019):
            record["format"] = FORMAT_LEGACY
            record["warnings"].append("pre-2019 free-form statistics: no numbers are read from this format")
        else:
            record["format"] = FORMAT_UNKNOWN
            record["warnings"].append(
                "no statistics tables could be read (tables may be images or missing): all numbers are null"
            )
    else:
        record["format"] = fmt
        fill_record(record, reading, fmt)
        _warn_missing(record, reading)
    record["checks"] = run_checks(record)


# The record keys each section's numbers are kept under.
_KEYS_OF = {
    "active_disclosure": ("active_disclosure.", "legacy_active_disclosure."),
    "requests": ("requests.", "legacy_requests_other_processing."),
    "review_litigation": ("review_litigation.",),
}
_TABLE_OF = {"二": "active_disclosure", "三": "requests", "四": "review_litigation"}
# A report's own note that its blank cells are zeros: 注：表中空白单元格表示数量为0.
_BLANK_NOTE = re.compile(r"空白(单元格|格|处)?[^。；;\n]{0,10}?(表示|为|即|代表)[^。；;\n]{0,6}?(0|零|无)")


def _finish_reading(record: dict[str, Any], placed: dict[str, str], text: str) -> None:
    """The last step of a reading: one warning per table naming its blank cells read as 0 (and
    the failing checks they take part in, said in each such check's detail too), then the
    reading summary and review flag (record/review.py)."""
    summarize(record, placed)
    failures = blank_failures(record, placed)
    for check in record["checks"]:
        if check["rule"] in failures:
            check["detail"] += f" (blank cells read as 0 take part: {', '.join(failures[check['rule']])})"
    why = "as the report's note says" if _BLANK_NOTE.search(text) else "a blank cell of a printed table is 0"
    in_order = record["reading"]["rules"].get(BLANK_AS_ZERO, [])
    for section, table in _TABLE_OF.items():
        blanks = [k for k in in_order if k.startswith(_KEYS_OF[table])]
        if not blanks:
            continue
        cells = f"{len(blanks)} blank cell{'s' if len(blanks) > 1 else ''}"
        warning = f"section {section}: {cells} read as 0 ({why}): {', '.join(blanks)}"
        failing = [rule for rule, involved in failures.items() if set(involved) & set(blanks)]
        if failing:
            warning += (f"; checks that fail with these zeros: {', '.join(failing)} — the blanks may not mean 0: "
                        "needs review")
        record["warnings"].append(warning)


def _warn_missing(record: dict[str, Any], reading: Any) -> None:
    expected = {"二": "section 二 (主动公开)", "三": "section 三 (申请)", "四": "section 四 (复议诉讼)"}
    found = {"二": reading.active, "三": reading.requests, "四": reading.review}
    for section, label in expected.items():
        if not found[section]:
            record["warnings"].append(f"{label} table not found: its numbers are null")
    if reading.requests:
        legacy_skip = {"other_no_correction", "other_no_fee", "other"} if record["format"] == FORMAT_LEGACY else set()
        missing = [r for r in record["requests"] if r not in reading.requests and r not in legacy_skip]
        if missing:
            record["warnings"].append(f"section 三 rows not found (null): {', '.join(missing)}")


_HEADING_LINE = re.compile(r"^\s*[#*\s]*([一二三四五六])\s*[、.．]")
# Page furniture that can sit inside an article's container: never part of the report's prose.
_NOISE_LINE = re.compile(
    r"浏览次数|访问次数|访问量|阅读次数|点击数|点击量|上一篇|下一篇|【打印|打印本页|关闭窗口|分享到|字体[:：]|"
    r"扫一扫|相关链接|责任编辑|当前位置|^\s*(打印|关闭|收藏|\[?(大|中|小)\]?)\s*$"
)


def sections_of(text: str) -> dict[str, str]:
    """The report's own prose by section (一 总体情况, 五 问题, 六 其他), for text diffs."""
    from .labels import section_heading

    sections: dict[str, list[str]] = {}
    current = None
    for line in text.splitlines():
        heading = section_heading(line) if _HEADING_LINE.match(line) or len(line) < 40 else None
        if heading:
            current = heading
            continue
        if current in TEXT_SECTIONS and line.strip() and not _NOISE_LINE.search(line):
            sections.setdefault(TEXT_SECTIONS[current], []).append(line.strip())
    return {key: "\n".join(lines) for key, lines in sections.items()}
