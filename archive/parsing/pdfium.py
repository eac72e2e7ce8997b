"""A PDF's pages as PDFium reads them: characters with their boxes, and ruling lines.

PDFium (through pypdfium2) reads text layers that pdfminer gets wrong — a predefined CJK
CMap (UniGB-UCS2-H) with a ToUnicode map, where pdfminer looks the map up by CID instead of
by character code — and in a twentieth of the time (a 4-page report: ~20 ms, where pdfminer's
layout under pdfplumber took ~400 ms). It is C code: it is only handed a
file that pdfbounds.admit() has checked (what it would decode and interpret), only loads the
pages admitted, and a page with more characters and shapes than limits.py allows is dropped
before its characters are read one by one. PDFium is not thread-safe: every use holds one lock.

Coordinates are pdfplumber's: points from the page's top-left corner (`top` grows downwards),
so the table finder of pdfplumber and the word-position reader work on them unchanged.
"""

from __future__ import annotations

import ctypes
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

import pypdfium2 as pdfium
import pypdfium2.raw as raw

from .garbled import mend
from .limits import MAX_PDF_OBJECTS, MAX_PDF_PAGE_OBJECTS

_LOCK = threading.Lock()
_AXIS = 0.05  # points: a segment this close to horizontal or vertical is a ruling line
_THIN = 1.0  # points: the two long sides of a thinner rectangle are one rule (the table finder snaps them anyway)
_MAX_FORM_DEPTH = 8  # form XObjects inside form XObjects searched for ruling lines


class PdfiumError(ValueError):
    """PDFium cannot open the bytes."""


@dataclass(slots=True)
class Char:
    text: str
    x0: float
    top: float
    x1: float
    bottom: float
    baseline: float  # where the glyph stands: one line's characters share it, whatever their fonts


@dataclass
class Page:
    number: int  # 1-based
    width: float
    height: float
    chars: list[Char] = field(default_factory=list)
    edges: list[dict] | None = None  # ruling lines as pdfplumber edges; None when not searched
    skipped: str | None = None  # why the page was not read


@dataclass
class _Count:
    objects: int = 0  # characters and shapes of the whole document


@contextmanager
def opened(data: bytes) -> Iterator[pdfium.PdfDocument]:
    """The document open in PDFium, under the lock; closed (with its pages) on exit."""
    with _LOCK:
        try:
            document = pdfium.PdfDocument(data)
        except pdfium.PdfiumError as exc:
            raise PdfiumError(str(exc)) from exc
        try:
            yield document
        finally:
            document.close()


def read_pages(document: pdfium.PdfDocument, numbers: list[int], edges: bool = True) -> Iterator[Page]:
    """The given pages (1-based), each with its characters and (with `edges`) its ruling lines.
    A page past the document's or its own cap on characters and shapes comes back `skipped`."""
    count = _Count()
    for number in numbers:
        try:
            page = document[number - 1]
        except pdfium.PdfiumError as exc:
            yield Page(number, 0, 0, skipped=f"PDFium cannot load it ({exc})")
            continue
        try:
            yield _read_page(page, number, count, edges)
        except pdfium.PdfiumError as exc:
            yield Page(number, 0, 0, skipped=f"PDFium cannot read it ({exc})")
        finally:
            page.close()


@dataclass
class _Frame:
    """User space → the page as displayed: points from its top-left corner, the page's
    /Rotate applied (PDFium reports boxes unrotated; pdfminer, and so pdfplumber, rotated)."""

    x0: float
    y0: float
    x1: float
    y1: float
    rotation: int

    def size(self) -> tuple[float, float]:
        w, h = self.x1 - self.x0, self.y1 - self.y0
        return (h, w) if self.rotation in (90, 270) else (w, h)

    def box(self, left: float, bottom: float, right: float, top: float) -> tuple[float, float, float, float]:
        """(x0, top, x1, bottom) as displayed."""
        if self.rotation == 90:
            return bottom - self.y0, left - self.x0, top - self.y0, right - self.x0
        if self.rotation == 180:
            return self.x1 - right, bottom - self.y0, self.x1 - left, top - self.y0
        if self.rotation == 270:
            return self.y1 - top, self.x1 - right, self.y1 - bottom, self.x1 - left
        return left - self.x0, self.y1 - top, right - self.x0, self.y1 - bottom

    def point(self, u: float, v: float) -> tuple[float, float]:
        """(x, top) as displayed."""
        if self.rotation == 90:
            return v - self.y0, u - self.x0
        if self.rotation == 180:
            return self.x1 - u, v - self.y0
        if self.rotation == 270:
            return self.y1 - v, self.x1 - u
        return u - self.x0, self.y1 - v


def _read_page(page: pdfium.PdfPage, number: int, count: _Count, edges: bool) -> Page:
    left, bottom, right, top = page.get_bbox()  # the page tree inherits boxes; get_mediabox() does not
    frame = _Frame(left, bottom, right, top, page.get_rotation() % 360)
    result = Page(number, *frame.size())
    if raw.FPDFPage_CountObjects(page) > MAX_PDF_PAGE_OBJECTS:  # each a character or a shape at least
        result.skipped = f"the page lays out more than {MAX_PDF_PAGE_OBJECTS:,} characters and shapes"
        return result
    found, shapes = _edges(page, frame)
    if edges:
        result.edges = found
    textpage = page.get_textpage()
    try:
        laid_out = max(raw.FPDFText_CountChars(textpage), 0) + shapes
        if laid_out > MAX_PDF_PAGE_OBJECTS:
            result.skipped = f"the page lays out more than {MAX_PDF_PAGE_OBJECTS:,} characters and shapes"
            result.edges = None
            return result
        if count.objects + laid_out > MAX_PDF_OBJECTS:
            result.skipped = f"its pages lay out more than {MAX_PDF_OBJECTS:,} characters and shapes together"
            result.edges = None
            return result
        count.objects += laid_out
        result.chars = _chars(textpage, frame)
    finally:
        textpage.close()
    return result


def _chars(textpage, frame: _Frame) -> list[Char]:
    """Every character PDFium found (its generated spaces and line breaks left out), in its
    font's box: the loose box, so that every glyph of a line shares a top and a bottom."""
    count = raw.FPDFText_CountChars(textpage)
    box = raw.FS_RECTF()
    x, y = ctypes.c_double(), ctypes.c_double()
    out = []
    text = _text(textpage, count)
    for i in range(count):
        if text is not None:
            ch = text[i]
        else:  # characters beyond the BMP: the UTF-16 text does not line up with the indexes
            code = raw.FPDFText_GetUnicode(textpage, i)
            ch = chr(code) if 0 < code < 0x110000 else "\ufffd"
        if ch.isspace() or ch == "\x00" or not raw.FPDFText_GetLooseCharBox(textpage, i, box):
            continue
        if "\u2e80" <= ch <= "\u2fdf" or "\uf900" <= ch <= "\ufaff":
            ch = mend(ch)
        baseline = frame.point(x.value, y.value)[1] if raw.FPDFText_GetCharOrigin(textpage, i, x, y) else None
        x0, top, x1, bottom = frame.box(box.left, box.bottom, box.right, box.top)
        out.append(Char(ch, x0, top, x1, bottom, bottom if baseline is None else baseline))
    return out


def _text(textpage, count: int) -> str | None:
    """The page's characters as one string, one per index; None when a character outside the
    BMP takes two UTF-16 units (the indexes no longer line up)."""
    if count <= 0:
        return ""
    buffer = (ctypes.c_ushort * (count + 1))()
    written = raw.FPDFText_GetText(textpage, 0, count, buffer)
    units = bytes(buffer)[: max(written - 1, 0) * 2]
    text = units.decode("utf-16-le", errors="replace")
    return text if len(text) == count else None


def _edges(page: pdfium.PdfPage, frame: _Frame) -> tuple[list[dict], int]:
    """The horizontal and vertical segments of the page's paths (inside forms too), as
    pdfplumber's edges: what its table finder builds cells from; and the number of shapes
    (objects other than text). As in pdfplumber, every path counts, stroked or filled (a filled
    thin rectangle is how most generators draw a rule), and a rectangle gives its four sides.
    At most MAX_PDF_PAGE_OBJECTS objects are looked at (the shapes then say the page is over)."""
    edges: list[dict] = []
    seen = [0, 0]  # objects looked at, shapes among them

    def walk(parent, count_fn, get_fn, matrix: tuple, depth: int) -> None:
        for i in range(count_fn(parent)):
            if seen[0] > MAX_PDF_PAGE_OBJECTS:
                return
            seen[0] += 1
            obj = get_fn(parent, i)
            kind = raw.FPDFPageObj_GetType(obj)
            if kind == raw.FPDF_PAGEOBJ_TEXT:
                continue
            seen[1] += 1
            if kind == raw.FPDF_PAGEOBJ_PATH:
                if not _rectangle_edges(obj, matrix, frame, edges):
                    _path_edges(obj, matrix, frame, edges)
            elif kind == raw.FPDF_PAGEOBJ_FORM and depth < _MAX_FORM_DEPTH:
                own = raw.FS_MATRIX()
                if raw.FPDFPageObj_GetMatrix(obj, own):
                    inner = _compose((own.a, own.b, own.c, own.d, own.e, own.f), matrix)
                    walk(obj, raw.FPDFFormObj_CountObjects, raw.FPDFFormObj_GetObject, inner, depth + 1)

    walk(page, raw.FPDFPage_CountObjects, raw.FPDFPage_GetObject, _IDENTITY, 0)
    return edges, seen[1] if seen[0] <= MAX_PDF_PAGE_OBJECTS else MAX_PDF_PAGE_OBJECTS + 1


_IDENTITY = (1.0, 0.0, 0.0, 1.0, 0.0, 0.0)
_L, _B, _R, _T = ctypes.c_float(), ctypes.c_float(), ctypes.c_float(), ctypes.c_float()


def _rectangle_edges(obj, parent: tuple, frame: _Frame, edges: list[dict]) -> bool:
    """The common case, quickly: a line or a rectangle (up to five segments) drawn square to
    the page gives the sides of its box. False when the path needs a segment-by-segment look."""
    segments = raw.FPDFPath_CountSegments(obj)
    if segments > 5 or segments < 2 or parent[1] or parent[2]:
        return False
    own = raw.FS_MATRIX()
    if not raw.FPDFPageObj_GetMatrix(obj, own) or own.b or own.c:
        return False
    if not raw.FPDFPageObj_GetBounds(obj, _L, _B, _R, _T):
        return True
    a, d, e, f = parent[0], parent[3], parent[4], parent[5]
    u0, u1 = sorted((a * _L.value + e, a * _R.value + e))
    v0, v1 = sorted((d * _B.value + f, d * _T.value + f))
    x0, t, x1, b = frame.box(u0, v0, u1, v1)
    if segments == 2 and x1 - x0 > 2 and b - t > 2:
        return False  # a slanting line: no edge, as pdfplumber would find none
    edges.append({"x0": x0, "x1": x1, "top": t, "bottom": t, "width": x1 - x0, "height": 0, "orientation": "h"})
    if b - t > _THIN:
        edges.append({"x0": x0, "x1": x1, "top": b, "bottom": b, "width": x1 - x0, "height": 0, "orientation": "h"})
    edges.append({"x0": x0, "x1": x0, "top": t, "bottom": b, "width": 0, "height": b - t, "orientation": "v"})
    if x1 - x0 > _THIN:
        edges.append({"x0": x1, "x1": x1, "top": t, "bottom": b, "width": 0, "height": b - t, "orientation": "v"})
    return True


def _compose(inner: tuple, outer: tuple) -> tuple:
    """inner then outer (PDF matrices, row-vector convention)."""
    a, b, c, d, e, f = inner
    A, B, C, D, E, F = outer
    return (a * A + b * C, a * B + b * D, c * A + d * C, c * B + d * D, e * A + f * C + E, e * B + f * D + F)


def _path_edges(obj, parent: tuple, frame: _Frame, edges: list[dict]) -> None:
    own = raw.FS_MATRIX()
    if not raw.FPDFPageObj_GetMatrix(obj, own):
        return
    m = _compose((own.a, own.b, own.c, own.d, own.e, own.f), parent)
    x, y = ctypes.c_float(), ctypes.c_float()
    start = previous = None
    for i in range(raw.FPDFPath_CountSegments(obj)):
        segment = raw.FPDFPath_GetPathSegment(obj, i)
        if not segment or not raw.FPDFPathSegment_GetPoint(segment, x, y):
            continue
        point = frame.point(m[0] * x.value + m[2] * y.value + m[4], m[1] * x.value + m[3] * y.value + m[5])
        kind = raw.FPDFPathSegment_GetType(segment)
        if kind == raw.FPDF_SEGMENT_MOVETO:
            start = previous = point
            continue
        if kind == raw.FPDF_SEGMENT_LINETO and previous is not None:
            _edge(previous, point, edges)
        previous = point
        if raw.FPDFPathSegment_GetClose(segment) and start is not None:
            _edge(point, start, edges)
            previous = start


def _edge(p: tuple, q: tuple, edges: list[dict]) -> None:
    """A segment between two displayed points, when it is horizontal or vertical."""
    (x0, t0), (x1, t1) = p, q
    if abs(t0 - t1) <= _AXIS and abs(x1 - x0) > _AXIS:
        lo, hi = sorted((x0, x1))
        edges.append({"x0": lo, "x1": hi, "top": t0, "bottom": t0, "width": hi - lo, "height": 0, "orientation": "h"})
    elif abs(x0 - x1) <= _AXIS and abs(t1 - t0) > _AXIS:
        t, b = sorted((t0, t1))
        edges.append({"x0": x0, "x1": x0, "top": t, "bottom": b, "width": 0, "height": b - t, "orientation": "v"})
