"""pdfminer under a budget: what one PDF may make it decode, interpret and lay out.

pdfminer (under pdfplumber) inflates every stream whole and interprets every content stream as
often as it is drawn, so a 1.5 MB PDF can ask for gigabytes. Inside `bounded()`:

- a stream is decoded by `_decode` (pdfminer's own filters and their error tolerance, in
  bounded steps): a stream beyond MAX_PDF_STREAM_BYTES, or past MAX_PDF_DECODED_BYTES for the
  document, raises `OverBudget` after inflating no more than the cap; the pure-Python filters
  (LZW, RunLength, predictors) take at most MAX_PDF_SLOW_FILTER_BYTES per document;
- content streams are charged before they are interpreted (a form XObject each time it is
  drawn) against MAX_PDF_PAGE_CONTENT and MAX_PDF_CONTENT;
- objects laid out (characters, paths, images, forms) are counted against
  MAX_PDF_PAGE_OBJECTS and MAX_PDF_OBJECTS.

The hooks are installed on pdfminer's classes once and do nothing outside `bounded()`: the
budget lives in a context variable, so other threads and other users of pdfminer are untouched.
`OverBudget` travels up through pdfminer and pdfplumber (which wrap it); `over_budget(exc)`
finds it again, and `OverBudget.document` says whether the rest of the document is over too.
Installing also replaces pdfminer's quadratic RC4 with a linear one (same output) and sets the
pdfminer and pdfplumber loggers, when nobody configured them, to errors only: a broken PDF
makes pdfminer warn at every object.
"""

from __future__ import annotations

import io
import logging
import zlib
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass

from pdfminer.arcfour import Arcfour
from pdfminer.ascii85 import ascii85decode, asciihexdecode
from pdfminer.layout import LTContainer
from pdfminer.lzw import LZWDecoder
from pdfminer.pdfexceptions import PDFNotImplementedError, PDFValueError
from pdfminer.pdfinterp import PDFPageInterpreter
from pdfminer.pdftypes import (
    LITERAL_CRYPT,
    LITERALS_ASCII85_DECODE,
    LITERALS_ASCIIHEX_DECODE,
    LITERALS_CCITTFAX_DECODE,
    LITERALS_DCT_DECODE,
    LITERALS_FLATE_DECODE,
    LITERALS_JBIG2_DECODE,
    LITERALS_JPX_DECODE,
    LITERALS_LZW_DECODE,
    LITERALS_RUNLENGTH_DECODE,
    PDFStream,
    int_value,
    list_value,
    stream_value,
)
from pdfminer.utils import MATRIX_IDENTITY, apply_png_predictor, apply_tiff_predictor

from .limits import (
    MAX_PDF_CONTENT,
    MAX_PDF_DECODED_BYTES,
    MAX_PDF_OBJECTS,
    MAX_PDF_PAGE_CONTENT,
    MAX_PDF_PAGE_OBJECTS,
    MAX_PDF_SLOW_FILTER_BYTES,
    MAX_PDF_STREAM_BYTES,
)

_MB = 1024 * 1024
_IN_STEP = 64 * 1024  # compressed bytes fed to zlib at a time (a corrupt chunk is re-read bytewise)
_OUT_STEP = 1024 * 1024  # inflated bytes taken from zlib at a time


class OverBudget(Exception):
    """A cap of limits.py was reached; `document` says whether the whole document's budget is spent."""

    def __init__(self, reason: str, document: bool = False) -> None:
        super().__init__(reason)
        self.reason = reason
        self.document = document


@dataclass
class Budget:
    decoded: int = 0  # bytes decoded from streams, all stages, whole document
    slow: int = 0  # bytes put through pure-Python filters, whole document
    content: int = 0  # content-stream bytes interpreted, whole document
    objects: int = 0  # objects laid out, whole document
    page_content: int = 0
    page_objects: int = 0

    def new_page(self) -> None:
        self.page_content = self.page_objects = 0

    def charge_decoded(self, size: int) -> None:
        self.decoded += size
        if self.decoded > MAX_PDF_DECODED_BYTES:
            raise OverBudget(f"its streams inflate to more than {_size(MAX_PDF_DECODED_BYTES)} together", True)

    def charge_slow(self, size: int) -> None:
        self.slow += size
        if self.slow > MAX_PDF_SLOW_FILTER_BYTES:
            raise OverBudget(
                f"its streams need more than {_size(MAX_PDF_SLOW_FILTER_BYTES)} of slow decoding "
                "(LZW, RunLength, predictors)",
                True,
            )

    def charge_content(self, size: int) -> None:
        self.page_content += size
        self.content += size
        if self.content > MAX_PDF_CONTENT:
            raise OverBudget(f"its pages draw more than {_size(MAX_PDF_CONTENT)} of content together", True)
        if self.page_content > MAX_PDF_PAGE_CONTENT:
            raise OverBudget(f"the page draws more than {_size(MAX_PDF_PAGE_CONTENT)} of content")

    def count_object(self) -> None:
        self.page_objects += 1
        self.objects += 1
        if self.objects > MAX_PDF_OBJECTS:
            raise OverBudget(f"its pages lay out more than {MAX_PDF_OBJECTS:,} characters and shapes together", True)
        if self.page_objects > MAX_PDF_PAGE_OBJECTS:
            raise OverBudget(f"the page lays out more than {MAX_PDF_PAGE_OBJECTS:,} characters and shapes")


def _size(n: int) -> str:
    return f"{n // _MB} MB" if n >= _MB else f"{n // 1024} KB"


_active: ContextVar[Budget | None] = ContextVar("pdf_budget", default=None)
_original: dict[str, object] = {}


@contextmanager
def bounded() -> Iterator[Budget]:
    """Run pdfminer under a fresh budget for one document."""
    _install()
    budget = Budget()
    token = _active.set(budget)
    try:
        yield budget
    finally:
        _active.reset(token)


def over_budget(exc: BaseException) -> OverBudget | None:
    """The OverBudget behind an exception, through pdfplumber's and pdfminer's wrapping."""
    seen = 0
    while exc is not None and seen < 10:
        if isinstance(exc, OverBudget):
            return exc
        inner = next((a for a in exc.args if isinstance(a, BaseException)), None)
        exc = inner or exc.__cause__ or exc.__context__
        seen += 1
    return None


def _install() -> None:
    if _original:
        return
    _original["decode"] = PDFStream.decode
    _original["render_contents"] = PDFPageInterpreter.render_contents
    _original["add"] = LTContainer.add
    PDFStream.decode = _decode
    PDFPageInterpreter.render_contents = _render_contents
    LTContainer.add = _add
    # pdfminer's RC4 builds its output by bytes concatenation: quadratic, ~50 s for 1 MB of an
    # encrypted PDF's streams. The same cipher, linear (~4 MB/s), everywhere: output is identical.
    Arcfour.process = Arcfour.encrypt = Arcfour.decrypt = _arcfour_process
    for name in ("pdfminer", "pdfplumber"):  # pdfminer warns about every oddity of a broken PDF
        logger = logging.getLogger(name)
        if logger.level == logging.NOTSET:
            logger.setLevel(logging.ERROR)


# --- hooks -------------------------------------------------------------------------------


def _arcfour_process(self: Arcfour, data: bytes) -> bytes:
    i, j, s = self.i, self.j, self.s
    out = bytearray(len(data))
    for n, c in enumerate(data):
        i = (i + 1) & 255
        si = s[i]
        j = (j + si) & 255
        sj = s[j]
        s[i], s[j] = sj, si
        out[n] = c ^ s[(si + sj) & 255]
    self.i, self.j = i, j
    return bytes(out)


def _add(self, obj) -> None:
    budget = _active.get()
    if budget is not None:
        budget.count_object()
    _original["add"](self, obj)


def _render_contents(self, resources, streams, ctm=MATRIX_IDENTITY):
    budget = _active.get()
    if budget is not None:
        size = 0
        for obj in list_value(streams):
            try:
                size += len(stream_value(obj).get_data())
            except OverBudget:
                raise
            except Exception:  # noqa: S112 - the interpreter meets (and handles) the same error
                continue
        budget.charge_content(size)
    return _original["render_contents"](self, resources, streams, ctm=ctm)


def _decode(self: PDFStream) -> None:
    """PDFStream.decode with every filter bounded (pdfminer's own filters and predictors)."""
    budget = _active.get()
    if budget is None:
        return _original["decode"](self)
    data = self.rawdata
    if self.decipher:
        data = self.decipher(self.objid, self.genno, data, self.attrs)
    for f, params in self.get_filters():
        limit = min(MAX_PDF_STREAM_BYTES, MAX_PDF_DECODED_BYTES - budget.decoded)
        if f in LITERALS_FLATE_DECODE:
            data = _inflate(data, limit, budget)
        elif f in LITERALS_LZW_DECODE:
            budget.charge_slow(len(data))
            data = _lzw(data, limit, budget)
        elif f in LITERALS_ASCII85_DECODE:
            _check(len(data) + 4 * data.count(b"z"), limit, budget)  # 'z' is four zero bytes
            data = ascii85decode(data)
        elif f in LITERALS_ASCIIHEX_DECODE:
            data = asciihexdecode(data)
        elif f in LITERALS_RUNLENGTH_DECODE:
            budget.charge_slow(len(data))
            data = _run_length(data, limit, budget)
        elif f in LITERALS_CCITTFAX_DECODE or f in LITERALS_DCT_DECODE or f in LITERALS_JBIG2_DECODE or f in LITERALS_JPX_DECODE:
            pass  # image data: reading text never needs its pixels (pdfminer passes all but CCITT too)
        elif f == LITERAL_CRYPT:
            raise PDFNotImplementedError("/Crypt filter is unsupported")
        else:
            raise PDFNotImplementedError(f"Unsupported filter: {f!r}")
        if params and "Predictor" in params:
            data = _predict(data, params, budget)
        budget.charge_decoded(len(data))
    self.data = data
    self.rawdata = None


def _check(size: int, limit: int, budget: Budget) -> None:
    if size > limit:
        budget.charge_decoded(size)
        raise OverBudget(f"a stream inflates to more than {_size(limit)}")


def _inflate(data: bytes, limit: int, budget: Budget) -> bytes:
    """zlib data inflated in bounded steps, with pdfminer's tolerance of corrupt data: an error
    in the last three bytes (the checksum) keeps what was inflated, an earlier one empties the
    stream (pdfminer's `decompress_corrupted`, without its byte-at-a-time pace)."""
    inflater = zlib.decompressobj()
    out = bytearray()
    for start in range(0, len(data), _IN_STEP):
        if inflater.eof:
            break
        chunk = data[start : start + _IN_STEP]
        saved, size = inflater.copy(), len(out)
        try:
            _feed(inflater, chunk, out, limit, budget)
        except zlib.error:
            inflater = saved
            del out[size:]
            for i in range(len(chunk)):
                try:
                    _feed(inflater, chunk[i : i + 1], out, limit, budget)
                except zlib.error:
                    return bytes(out) if start + i >= len(data) - 3 else b""
    return bytes(out)


def _feed(inflater, chunk: bytes, out: bytearray, limit: int, budget: Budget) -> None:
    pending = chunk
    while True:
        piece = inflater.decompress(pending, _OUT_STEP)
        out += piece
        _check(len(out), limit, budget)
        pending = inflater.unconsumed_tail
        if inflater.eof or (not pending and len(piece) < _OUT_STEP):
            return


def _lzw(data: bytes, limit: int, budget: Budget) -> bytes:
    out = bytearray()
    for piece in LZWDecoder(io.BytesIO(data)).run():
        out += piece
        _check(len(out), limit, budget)
    return bytes(out)


def _run_length(data: bytes, limit: int, budget: Budget) -> bytes:
    """RunLengthDecode (PDF 1.7, 7.4.5), as pdfminer's rldecode reads it, bounded."""
    out = bytearray()
    i = 0
    while i < len(data):
        length = data[i]
        if length == 128:
            break
        if length < 128:
            literal = data[i + 1 : i + 2 + length]
            if len(literal) < length + 1:
                raise PDFValueError("RunLengthDecode data ends inside a run")
            out += literal
            i += 2 + length
        else:
            if i + 1 >= len(data):
                raise PDFValueError("RunLengthDecode data ends inside a run")
            out += data[i + 1 : i + 2] * (257 - length)
            i += 2
        _check(len(out), limit, budget)
    return bytes(out)


def _predict(data: bytes, params: dict, budget: Budget) -> bytes:
    pred = int_value(params["Predictor"])
    if pred == 1:
        return data
    budget.charge_slow(len(data))
    colors = int_value(params.get("Colors", 1))
    columns = int_value(params.get("Columns", 1))
    bits = int_value(params.get("BitsPerComponent", 8))
    if pred == 2:
        return apply_tiff_predictor(colors, columns, bits, data)
    if pred >= 10:
        return apply_png_predictor(pred, colors, columns, bits, data)
    raise PDFNotImplementedError(f"Unsupported predictor: {pred!r}")
