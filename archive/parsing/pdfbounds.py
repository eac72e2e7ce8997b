"""What one PDF may make the readers decode and interpret, checked before PDFium sees it.

PDFium (pdfium.py) reads the text; it is C code that inflates every stream whole and aborts the
process when an allocation fails, and it interprets a form XObject each time it is drawn. So
`admit(data)` first walks the file with pdfminer's object parser — never its interpreter —
under a budget, and says which pages PDFium may load:

- every stream a page reaches (contents, forms, fonts and font files, ToUnicode and CMaps,
  patterns, shadings, colour profiles; not images, whose pixels reading text never decodes) is
  decoded by `_decode` (pdfminer's own filters and their error tolerance, in bounded steps): a
  stream beyond MAX_PDF_STREAM_BYTES, or past MAX_PDF_DECODED_BYTES for the document, stops
  after inflating no more than the cap; the pure-Python filters (LZW, RunLength, predictors)
  take at most MAX_PDF_SLOW_FILTER_BYTES per document; the compressed data of an inline image
  is inflated under the same caps (PDFium inflates it while parsing the page);
- the content a page draws is counted before it is interpreted — a form XObject each time it
  is drawn, and a Type 3 font's glyph procedures — against MAX_PDF_PAGE_CONTENT and
  MAX_PDF_CONTENT;
- the objects a page's resources reach are counted against MAX_PDF_RESOURCE_OBJECTS.

A page over a page cap is skipped; over a document cap, it and the pages after it are. The
cross-reference streams and object streams are decoded under the same budget while pdfminer
parses the file: a bomb there refuses the document. The budget lives in a context variable, so
other threads and other users of pdfminer are untouched. Installing the hook also replaces
pdfminer's quadratic RC4 with a linear one (same output) and sets the pdfminer logger, when
nobody configured it, to errors only: a broken PDF makes pdfminer warn at every object.

PDFium and pdfminer find pages through the same page tree; when they count the pages of a file
differently (a damaged tree each mends its own way), a document with any page over a cap is
refused, since the page that PDFium would load cannot be told apart.
"""

from __future__ import annotations

import io
import itertools
import logging
import re
import zlib
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field

from pdfminer.arcfour import Arcfour
from pdfminer.ascii85 import ascii85decode, asciihexdecode
from pdfminer.lzw import LZWDecoder
from pdfminer.pdfdocument import PDFDocument
from pdfminer.pdfexceptions import PDFNotImplementedError, PDFValueError
from pdfminer.pdfpage import PDFPage
from pdfminer.pdfparser import PDFParser
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
    PDFObjRef,
    PDFStream,
    int_value,
    resolve1,
)
from pdfminer.psparser import LIT
from pdfminer.utils import apply_png_predictor, apply_tiff_predictor

from .limits import (
    MAX_PDF_CONTENT,
    MAX_PDF_DECODED_BYTES,
    MAX_PDF_PAGE_CONTENT,
    MAX_PDF_PAGES,
    MAX_PDF_RESOURCE_OBJECTS,
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
    content: int = 0  # content-stream bytes to interpret, whole document
    resources: int = 0  # objects reached from the pages' resources, whole document
    page_content: int = 0

    def new_page(self) -> None:
        self.page_content = 0

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
        """A page's content, charged before it is interpreted: a page over its own cap is not
        interpreted, and so spends none of the document's."""
        if self.page_content + size > MAX_PDF_PAGE_CONTENT:
            raise OverBudget(f"the page draws more than {_size(MAX_PDF_PAGE_CONTENT)} of content")
        self.page_content += size
        self.content += size
        if self.content > MAX_PDF_CONTENT:
            raise OverBudget(f"its pages draw more than {_size(MAX_PDF_CONTENT)} of content together", True)

    def count_resource(self) -> None:
        self.resources += 1
        if self.resources > MAX_PDF_RESOURCE_OBJECTS:
            raise OverBudget(f"its pages' resources reach more than {MAX_PDF_RESOURCE_OBJECTS:,} objects", True)


def _size(n: int) -> str:
    return f"{n // _MB} MB" if n >= _MB else f"{n // 1024} KB"


_active: ContextVar[Budget | None] = ContextVar("pdf_budget", default=None)
_original: dict[str, object] = {}


@contextmanager
def bounded() -> Iterator[Budget]:
    """Run pdfminer's parser under a fresh budget for one document."""
    _install()
    budget = Budget()
    token = _active.set(budget)
    try:
        yield budget
    finally:
        _active.reset(token)


def over_budget(exc: BaseException) -> OverBudget | None:
    """The OverBudget behind an exception, through pdfminer's wrapping."""
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
    PDFStream.decode = _decode
    # pdfminer's RC4 builds its output by bytes concatenation: quadratic, ~50 s for 1 MB of an
    # encrypted PDF's streams. The same cipher, linear (~4 MB/s), everywhere: output is identical.
    Arcfour.process = Arcfour.encrypt = Arcfour.decrypt = _arcfour_process
    logger = logging.getLogger("pdfminer")  # pdfminer warns about every oddity of a broken PDF
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


# --- admission: what PDFium may load -----------------------------------------------------

_IMAGE = LIT("Image")
_FORM = LIT("Form")
_TYPE3 = LIT("Type3")
_NOT_DECODED = {LIT("Metadata"), LIT("EmbeddedFile"), LIT("XRef")}  # types reading text never decodes
_NOT_FOLLOWED = {"Parent", "P", "Annots", "B", "Thumb"}  # page tree and structure links, not resources
_DO = re.compile(rb"/([^\s/\[\]()<>{}%]+)\s*Do\b")
_INLINE_IMAGE = re.compile(rb"\bBI\b(.{0,2000}?)\bID\s", re.S)
_INLINE_COMPRESSED = re.compile(rb"/(Fl|FlateDecode|LZW|LZWDecode)\b")
_NAME_ESCAPE = re.compile(rb"#([0-9A-Fa-f]{2})")
MAX_FORM_DEPTH = 40  # forms inside forms PDFium interprets (its kMaxFormLevel); deeper ones are not drawn


@dataclass
class Admission:
    """The pages PDFium may load: the first `listed` pages of the document as pdfminer finds
    them, less those in `refused` (page number → why)."""

    listed: int
    refused: dict[int, str] = field(default_factory=dict)


def admit(data: bytes) -> Admission:
    """Walk the file's pages under a budget (module docstring). Raises OverBudget when the
    file's own structure is over a document cap, and pdfminer's errors when it cannot parse the
    file at all."""
    with bounded() as budget:
        document = PDFDocument(PDFParser(io.BytesIO(data)))
        walker = _Walker(budget)
        admission = Admission(0)
        stop = None
        try:
            for number, page in enumerate(itertools.islice(PDFPage.create_pages(document), MAX_PDF_PAGES), 1):
                admission.listed = number
                if stop:
                    admission.refused[number] = stop
                    continue
                budget.new_page()
                try:
                    walker.page(page)
                except OverBudget as exc:
                    admission.refused[number] = exc.reason
                    stop = exc.reason if exc.document else None
        except OverBudget as exc:  # the page tree itself (a node in a bomb object stream)
            if not admission.listed:
                raise
            admission.refused[admission.listed + 1] = exc.reason
        except Exception:  # noqa: S110 - a broken page tree ends the listing; PDFium is held to it
            pass
        return admission


class _Walker:
    """One document's streams, decoded once each, and the content each page draws."""

    def __init__(self, budget: Budget) -> None:
        self.budget = budget
        self.failed: dict[int, str] = {}  # objid → why its stream is over a cap
        self.decoded: set[int] = set()
        self.form_cost: dict[int, int] = {}
        self.drawing: set[int] = set()

    def page(self, page: PDFPage) -> None:
        resources = _dict(page.resources)
        contents = page.attrs.get("Contents")
        self._reach([resources, contents])
        cost = self._draw(_list(contents), resources, 0)
        cost += self._type3_procs(resources, set())
        self.budget.charge_content(cost)

    # every stream the page reaches, decoded under the budget
    def _reach(self, roots: list) -> None:
        stack = list(roots)
        seen: set[int] = set()
        while stack:
            obj = stack.pop()
            if isinstance(obj, PDFObjRef):
                if obj.objid in seen:
                    continue
                seen.add(obj.objid)
                if obj.objid in self.failed:
                    raise OverBudget(self.failed[obj.objid])
                self.budget.count_resource()
                try:
                    target = obj.resolve()
                except OverBudget:
                    raise
                except Exception:  # noqa: S112 - an unreadable object: PDFium meets it broken too
                    continue
                if isinstance(target, PDFStream):
                    self._decode(obj.objid, target)
                obj = target
            if isinstance(obj, PDFStream):
                if obj.attrs.get("Subtype") is _IMAGE:
                    continue
                obj = obj.attrs
            if isinstance(obj, dict):
                stack.extend(v for k, v in obj.items() if k not in _NOT_FOLLOWED and isinstance(v, (PDFObjRef, dict, list, PDFStream)))
            elif isinstance(obj, list):
                stack.extend(v for v in obj if isinstance(v, (PDFObjRef, dict, list, PDFStream)))

    def _decode(self, objid: int, stream: PDFStream) -> None:
        if objid in self.decoded or stream.attrs.get("Subtype") is _IMAGE or stream.attrs.get("Type") in _NOT_DECODED:
            return
        self.decoded.add(objid)
        try:
            stream.get_data()
        except OverBudget as exc:
            if not exc.document:
                self.failed[objid] = exc.reason
            raise
        except Exception:  # noqa: S110 - undecodable: PDFium reads it as broken data too
            pass

    # the content the page draws, forms counted each time they are drawn
    def _draw(self, streams: list, resources: dict, depth: int) -> int:
        total = 0
        for item in streams:
            stream = _resolve(item)
            if not isinstance(stream, PDFStream):
                continue
            data = _data(stream)
            total += len(data)
            self._inline_images(data)
            if depth < MAX_FORM_DEPTH:
                for name in _DO.findall(data):
                    total += self._form(_name(name), resources, depth)
            if total > MAX_PDF_CONTENT:
                break
        return min(total, MAX_PDF_CONTENT + 1)

    def _form(self, name: str, resources: dict, depth: int) -> int:
        ref = _dict(resources.get("XObject")).get(name)
        stream = _resolve(ref)
        if not isinstance(stream, PDFStream) or stream.attrs.get("Subtype") is not _FORM:
            return 0
        key = ref.objid if isinstance(ref, PDFObjRef) else id(stream)
        if key in self.form_cost:
            return self.form_cost[key]
        if key in self.drawing:
            return 0  # a form that draws itself: PDFium breaks the cycle
        self.drawing.add(key)
        own = _dict(stream.attrs.get("Resources")) or resources
        cost = self._draw([stream], own, depth + 1) + self._type3_procs(own, set())
        self.drawing.discard(key)
        self.form_cost[key] = cost
        return cost

    def _type3_procs(self, resources: dict, seen: set[int]) -> int:
        """A Type 3 font's glyphs are content streams PDFium interprets (once per glyph)."""
        total = 0
        for ref in _dict(resources.get("Font")).values():
            font = _resolve(ref)
            if not isinstance(font, dict) or font.get("Subtype") is not _TYPE3 or id(font) in seen:
                continue
            seen.add(id(font))
            procs = _dict(font.get("CharProcs"))
            own = _dict(font.get("Resources")) or resources
            total += self._draw(list(procs.values()), own, MAX_FORM_DEPTH - 1)
        return total

    def _inline_images(self, data: bytes) -> None:
        """PDFium inflates an inline image's data while it parses the page: inflate it here first."""
        if b"ID" not in data:
            return
        for found in _INLINE_IMAGE.finditer(data):
            filters = _INLINE_COMPRESSED.findall(found.group(1))
            payload = data[found.end() :]
            for name in filters:
                limit = min(MAX_PDF_STREAM_BYTES, MAX_PDF_DECODED_BYTES - self.budget.decoded)
                if name.startswith(b"Fl"):
                    payload = _inflate(payload, limit, self.budget)
                else:
                    self.budget.charge_slow(len(payload))
                    payload = _lzw(payload, limit, self.budget)
                self.budget.charge_decoded(len(payload))


def _resolve(obj):
    try:
        return resolve1(obj)
    except OverBudget:
        raise
    except Exception:
        return None


def _dict(obj) -> dict:
    obj = _resolve(obj)
    return obj if isinstance(obj, dict) else {}


def _list(obj) -> list:
    obj = _resolve(obj)
    if isinstance(obj, list):
        return obj
    return [] if obj is None else [obj]


def _data(stream: PDFStream) -> bytes:
    try:
        return stream.get_data() or b""
    except OverBudget:
        raise
    except Exception:
        return b""


def _name(raw: bytes) -> str:
    return _NAME_ESCAPE.sub(lambda m: bytes([int(m.group(1), 16)]), raw).decode("latin-1")
