"""Hostile documents, built from code, and a fence to read any document in.

The generators return bytes: pages and files that cost far more to read than their size (a
wide colspan row, a deflate bomb, zip bombs, deep nesting, entity expansion). Nothing is
committed as a binary; tests/test_fuzz_documents.py and bench/hostile_documents.py build them.

`read_fenced` parses documents in a child process that has the parser imported and forks once
per document under an address-space limit and a time limit, so a document that escapes the
readers' bounds fails a test (or a bench line) instead of the machine. Each answer carries the
outcome, the wall time and the child's peak RSS above the parent it was forked from.
"""

from __future__ import annotations

import functools
import io
import json
import os
import pickle
import random
import struct
import subprocess
import sys
import tempfile
import zipfile
import zlib
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
MB = 1024 * 1024

# --- HTML --------------------------------------------------------------------------------


def wide_colspan_html(cells: int = 1000, rows: int = 1000) -> bytes:
    """~40 KB: a statistics table whose first row is `cells` cells of colspan=60, then `rows`
    short rows. Spans capped one by one still make a grid of rows × cells × 60 positions."""
    wide = "<td colspan=60>0</td>" * cells
    short = "<tr><td>1</td></tr>" * rows
    page = f"<html><body><table><tr><td>第二十条</td>{wide}</tr>{short}</table></body></html>"
    return page.encode()


def square_spans_html(tables: int = 12, rows: int = 60) -> bytes:
    """Tables of `rows` rows, each row one cell of rowspan=60 colspan=60: every cell covers
    3600 positions, and each sits right of the one above."""
    row = "<tr><td rowspan=60 colspan=60>申请人情况</td></tr>"
    table = "<table>" + row * rows + "</table>"
    return ("<html><body>" + table * tables + "</body></html>").encode()


def deep_nesting_html(depth: int = 100_000) -> bytes:
    """Elements nested `depth` deep (recursive tree walkers hit RecursionError)."""
    return ("<html><body>" + "<div><span>" * depth + "第二十条 本年新收 1" + "</span></div>" * depth + "</body></html>").encode()


def deep_tables_html(depth: int = 3000) -> bytes:
    """Tables nested in table cells `depth` deep, the innermost holding a statistics header."""
    return (
        "<html><body>" + "<table><tr><td>" * depth + "第二十条<table><tr><td>本年新收</td><td>1</td></tr></table>"
        + "</td></tr></table>" * depth + "</body></html>"
    ).encode()


def large_page_html(mb: int = 30) -> bytes:
    """A statistics table followed by `mb` MB of page furniture (one long run of short divs)."""
    table = "<table><tr><td>第二十条</td><td>本年新收</td><td>1</td></tr></table>"
    filler = "<div>浏览次数 </div>" * (mb * MB // 26)
    return f"<html><body>{table}{filler}</body></html>".encode()


# --- text ------------------------------------------------------------------------------


def many_lines_text(mb: int = 8) -> bytes:
    """`mb` MB of short statistics-like lines."""
    line = "本年新收 1 2 3\n".encode()
    return line * (mb * MB // len(line))


def one_line_of_cells_text(mb: int = 8) -> bytes:
    """One line of `mb` MB of tab-separated numbers."""
    return b"1\t" * (mb * MB // 2)


# --- PDF ---------------------------------------------------------------------------------


def _pdf(objects: list[bytes]) -> bytes:
    """A PDF from object bodies (object n is objects[n-1]; 1 is the catalog), with a correct xref."""
    out = bytearray(b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    return bytes(out)


def _stream(data: bytes, extra: bytes = b"") -> bytes:
    return b"<< /Length %d %s >>\nstream\n" % (len(data), extra) + data + b"\nendstream"


def _pages_pdf(contents: list[bytes], extra: bytes = b"/Filter /FlateDecode", pages: int = 0) -> bytes:
    """One page per content stream (already encoded as `extra` says), Helvetica as /F1; with
    `pages`, that many pages all drawing the first stream."""
    n = pages or len(contents)
    first_page = 4 + len(contents)
    kids = b" ".join(b"%d 0 R" % (first_page + i) for i in range(n))
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [%s] /Count %d >>" % (kids, n),
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    objects += [_stream(content, extra) for content in contents]
    for i in range(n):
        objects.append(
            b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Resources << /Font << /F1 3 0 R >> >>"
            b" /Contents %d 0 R >>" % (4 + (i if not pages else 0))
        )
    return _pdf(objects)


_ADLER_BASE = 65521


def _adler32_combine(first: int, second: int, second_length: int) -> int:
    """adler32(A + B) from adler32(A), adler32(B) and len(B) (zlib's adler32_combine)."""
    rem = second_length % _ADLER_BASE
    low = ((first & 0xFFFF) + (second & 0xFFFF) - 1) % _ADLER_BASE
    high = (rem * (first & 0xFFFF) + (first >> 16) + (second >> 16) - rem) % _ADLER_BASE
    return low | (high << 16)


def _adler32_repeated(chunk: bytes, repeats: int) -> int:
    """adler32(chunk * repeats) by doubling, without touching GBs."""
    result, result_length = 1, 0  # adler32 of nothing
    power, power_length = zlib.adler32(chunk), len(chunk)
    while repeats:
        if repeats & 1:
            result, result_length = _adler32_combine(result, power, power_length), result_length + power_length
        power, power_length = _adler32_combine(power, power, power_length), power_length * 2
        repeats >>= 1
    return result


@functools.lru_cache(maxsize=8)
def _deflate_repeated(head: bytes, chunk: bytes, repeats: int) -> bytes:
    """zlib data of head + chunk × repeats, built in milliseconds: after a full flush the
    compressor starts afresh, so the compressed form of one more chunk is always the same
    bytes. The checksum is the real one, so the stream is valid to the end."""
    c = zlib.compressobj(9)
    out = c.compress(head) + c.compress(chunk) + c.flush(zlib.Z_FULL_FLUSH)
    block = c.compress(chunk) + c.flush(zlib.Z_FULL_FLUSH)
    out += block * (repeats - 1)
    adler = _adler32_combine(zlib.adler32(head), _adler32_repeated(chunk, repeats), len(chunk) * repeats)
    # the final (empty) block, then the checksum of everything
    end = zlib.compressobj(9, zlib.DEFLATED, -15)
    return out + end.flush(zlib.Z_FINISH) + struct.pack(">I", adler)


TEXT_OPS = b"BT /F1 12 Tf 72 760 Td (2024 annual report) Tj ET\n"


def deflate_bomb_pdf(inflated_mb: int = 1500, fill: bytes = b" ") -> bytes:
    """~1.5 MB: one page whose FlateDecode content stream inflates to `inflated_mb` MB of
    `fill` (whitespace here; zeros compress the same) after a line of real text."""
    return _pages_pdf([_deflate_repeated(TEXT_OPS, fill * MB, inflated_mb)])


def deflate_chain_bomb_pdf(inflated_mb: int = 4000) -> bytes:
    """A few KB: a [/FlateDecode /FlateDecode] content stream, deflate of a deflate bomb (the
    ratios multiply: ~1000 × ~1000)."""
    inner = _deflate_repeated(TEXT_OPS, b" " * MB, inflated_mb)
    return _pages_pdf([zlib.compress(inner, 9)], b"/Filter [/FlateDecode /FlateDecode]")


def many_pages_pdf(pages: int = 400, ops_kb: int = 480) -> bytes:
    """`pages` pages, each a small FlateDecode stream of `ops_kb` KB of drawing operators (a
    line each): small once compressed, much work for a PDF interpreter."""
    ops = b"".join(b"%d %d m %d %d l S\n" % (i % 500, i % 700, i % 500 + 1, i % 700 + 1) for i in range(3500))
    content = TEXT_OPS + ops * max(1, ops_kb * 1024 // len(ops))
    return _pages_pdf([zlib.compress(content, 9)], pages=pages)


def xref_stream_bomb_pdf(inflated_mb: int = 1500) -> bytes:
    """A PDF whose only cross-reference is a stream that inflates to GBs: the reader meets it
    before any page."""
    body = b"%PDF-1.7\n1 0 obj\n<< /Type /Catalog /Pages 2 0 R >>\nendobj\n"
    bomb = _deflate_repeated(b"", b"\0" * MB, inflated_mb)
    xref_at = len(body)
    body += (
        b"3 0 obj\n<< /Type /XRef /Size 4 /W [1 4 2] /Root 1 0 R /Filter /FlateDecode /Length %d >>\nstream\n"
        % len(bomb)
    )
    body += bomb + b"\nendstream\nendobj\nstartxref\n%d\n%%%%EOF\n" % xref_at
    return body


# --- DOCX --------------------------------------------------------------------------------

W_NS = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
_CONTENT_TYPES = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
    '<Default Extension="xml" ContentType="application/xml"/>'
    '<Override PartName="/word/document.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/>'
    "</Types>"
)
_RELS = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" '
    'Target="word/document.xml"/></Relationships>'
)


def _zip(members: list[tuple[str, bytes, int, int, int]]) -> bytes:
    """A zip from (name, stored bytes, method, crc32, declared uncompressed size): written by
    hand so a member can be a pre-built deflate bomb, or declare a size it does not have."""
    out = bytearray()
    central = bytearray()
    for name, stored, method, crc, size in members:
        raw = name.encode()
        offset = len(out)
        out += struct.pack("<IHHHHHIIIHH", 0x04034B50, 20, 0, method, 0, 0x21, crc, len(stored), size, len(raw), 0)
        out += raw + stored
        central += struct.pack(
            "<IHHHHHHIIIHHHHHII", 0x02014B50, 20, 20, 0, method, 0, 0x21, crc, len(stored), size, len(raw), 0, 0, 0, 0, 0, offset
        )
        central += raw
    end = struct.pack("<IHHHHIIH", 0x06054B50, 0, 0, len(members), len(members), len(central), len(out), 0)
    return bytes(out + central + end)


def _member(name: str, data: bytes) -> tuple[str, bytes, int, int, int]:
    c = zlib.compressobj(6, zlib.DEFLATED, -15)
    return name, c.compress(data) + c.flush(), 8, zlib.crc32(data), len(data)


def docx(document_xml: str | bytes, extra: list[tuple[str, bytes, int, int, int]] = ()) -> bytes:
    """A minimal DOCX around a word/document.xml."""
    xml = document_xml.encode() if isinstance(document_xml, str) else document_xml
    members = [_member("[Content_Types].xml", _CONTENT_TYPES.encode()), _member("_rels/.rels", _RELS.encode())]
    return _zip([*members, _member("word/document.xml", xml), *extra])


def _document(body: str, doctype: str = "") -> str:
    return f'<?xml version="1.0" encoding="UTF-8"?>{doctype}<w:document xmlns:w="{W_NS}"><w:body>{body}</w:body></w:document>'


def _cell(text: str, props: str = "") -> str:
    return f"<w:tc>{props}<w:p><w:r><w:t>{text}</w:t></w:r></w:p></w:tc>"


def docx_zip_bomb(inflated_mb: int = 2000) -> bytes:
    """~2 MB: a DOCX whose word/media member inflates to GBs (declared honestly)."""
    raw = _deflate_repeated(b"", b"\0" * MB, inflated_mb)[2:-4]  # the raw deflate blocks
    size = inflated_mb * MB
    bomb = ("word/media/image1.png", raw, 8, 0, size & 0xFFFFFFFF if size < 2**32 else 0xFFFFFFFF)
    return docx(_document("<w:p><w:r><w:t>2024年政府信息公开工作年度报告</w:t></w:r></w:p>"), [bomb])


def docx_lying_zip_bomb(inflated_mb: int = 2000) -> bytes:
    """The document part itself inflates to GBs while its zip entry declares 100 KB."""
    raw = _deflate_repeated(b"", b" " * MB, inflated_mb)[2:-4]
    members = [_member("[Content_Types].xml", _CONTENT_TYPES.encode()), _member("_rels/.rels", _RELS.encode())]
    return _zip([*members, ("word/document.xml", raw, 8, 0, 100_000)])


def docx_many_members(count: int = 20_000) -> bytes:
    """A DOCX with `count` empty members."""
    extra = [_member(f"word/media/m{i}.bin", b"") for i in range(count)]
    return docx(_document("<w:p><w:r><w:t>x</w:t></w:r></w:p>"), extra)


def docx_billion_laughs(levels: int = 9) -> bytes:
    """Nested XML entities in word/document.xml: 10**levels copies of 'lol' if expanded."""
    entities = '<!ENTITY lol0 "lol">' + "".join(
        f'<!ENTITY lol{i} "{f"&lol{i - 1};" * 10}">' for i in range(1, levels + 1)
    )
    doctype = f"<!DOCTYPE w:document [{entities}]>"
    table = "<w:tbl>" + "<w:tr>" + _cell("第二十条") + _cell(f"&lol{levels};") + "</w:tr></w:tbl>"
    return docx(_document(f"<w:p><w:r><w:t>&lol{levels};</w:t></w:r></w:p>{table}", doctype))


def docx_wide_grid(cells: int = 300, rows: int = 300) -> bytes:
    """A table whose first row is `cells` cells of gridSpan=60, then `rows` rows that continue
    every one of them (vMerge): each row copies the whole wide row."""
    span = '<w:tcPr><w:gridSpan w:val="60"/><w:vMerge w:val="restart"/></w:tcPr>'
    cont = '<w:tcPr><w:gridSpan w:val="60"/><w:vMerge/></w:tcPr>'
    first = "<w:tr>" + _cell("第二十条") + _cell("0", span) * cells + "</w:tr>"
    rest = ("<w:tr>" + _cell("本年新收") + f"<w:tc>{cont}<w:p/></w:tc>" * cells + "</w:tr>") * rows
    return docx(_document(f"<w:tbl>{first}{rest}</w:tbl>"))


def nested_forms_pdf(levels: int = 12, fanout: int = 10) -> bytes:
    """A few KB: a page drawing form 1 `fanout` times, which draws form 2 `fanout` times, and so
    on `levels` deep (fanout ** levels draws of the last form, which prints a line of text)."""
    first_form = 4
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [%d 0 R] /Count 1 >>" % (first_form + levels),
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    for level in range(levels):
        if level + 1 < levels:
            body = b"q /Fm Do Q\n" * fanout
            resources = b"/Resources << /XObject << /Fm %d 0 R >> >>" % (first_form + level + 1)
        else:
            body, resources = TEXT_OPS, b"/Resources << /Font << /F1 3 0 R >> >>"
        objects.append(_stream(body, b"/Type /XObject /Subtype /Form /BBox [0 0 595 842] " + resources))
    objects.append(
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Resources << /XObject << /Fm %d 0 R >> >>"
        b" /Contents %d 0 R >>" % (first_form, first_form + levels + 1)
    )
    objects.append(_stream(b"q /Fm Do Q\n" * fanout))
    return _pdf(objects)


def bomb_page_among_pages_pdf() -> bytes:
    """Two pages: one of plain text, then one whose content stream is a deflate bomb."""
    bomb = _deflate_repeated(TEXT_OPS, b" " * MB, 1500)
    return _pages_pdf([zlib.compress(TEXT_OPS), bomb])


def inline_image_bomb_pdf(inflated_mb: int = 400) -> bytes:
    """~0.4 MB: two pages, the second drawing an inline image whose compressed data inflates to
    `inflated_mb` MB (PDFium inflates inline images while it parses the page)."""
    payload = _deflate_repeated(b"", b"\0" * MB, inflated_mb)
    content = TEXT_OPS + b"q 9 0 0 9 0 0 cm BI /W 20000 /H 20000 /CS /G /BPC 8 /F /Fl ID " + payload + b" EI Q\n"
    return _pages_pdf([TEXT_OPS, content], extra=b"")


def font_file_bomb_pdf(inflated_mb: int = 1500) -> bytes:
    """~1.5 MB: a page whose TrueType font's embedded font file inflates to `inflated_mb` MB."""
    return _pdf([
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [4 0 R] /Count 1 >>",
        b"<< /Type /Font /Subtype /TrueType /BaseFont /Bomb /FirstChar 32 /LastChar 126 /Widths [%s] "
        b"/FontDescriptor 6 0 R >>" % (b"500 " * 95),
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Resources << /Font << /F1 3 0 R >> >> "
        b"/Contents 5 0 R >>",
        _stream(TEXT_OPS),
        b"<< /Type /FontDescriptor /FontName /Bomb /Flags 32 /FontBBox [0 0 1000 1000] /ItalicAngle 0 "
        b"/Ascent 800 /Descent -200 /CapHeight 700 /StemV 80 /FontFile2 7 0 R >>",
        _stream(_deflate_repeated(b"", b"\0" * MB, inflated_mb), b"/Filter /FlateDecode"),
    ])


def bombs() -> dict[str, tuple[bytes, str | None]]:
    """Every constructed hostile document: name → (bytes, content type)."""
    return {
        "html-wide-colspan": (wide_colspan_html(), "text/html"),
        "html-square-spans": (square_spans_html(), "text/html"),
        "html-deep-nesting": (deep_nesting_html(), "text/html"),
        "html-deep-tables": (deep_tables_html(), "text/html"),
        "html-30mb-page": (large_page_html(), "text/html"),
        "text-many-lines": (many_lines_text(), "text/plain"),
        "text-one-line-of-cells": (one_line_of_cells_text(), "text/plain"),
        "pdf-deflate-bomb": (deflate_bomb_pdf(), "application/pdf"),
        "pdf-deflate-chain-bomb": (deflate_chain_bomb_pdf(), "application/pdf"),
        "pdf-xref-stream-bomb": (xref_stream_bomb_pdf(), "application/pdf"),
        "pdf-bomb-page-among-pages": (bomb_page_among_pages_pdf(), "application/pdf"),
        "pdf-many-dense-pages": (many_pages_pdf(), "application/pdf"),
        "pdf-nested-forms": (nested_forms_pdf(), "application/pdf"),
        "pdf-inline-image-bomb": (inline_image_bomb_pdf(), "application/pdf"),
        "pdf-font-file-bomb": (font_file_bomb_pdf(), "application/pdf"),
        "docx-zip-bomb": (docx_zip_bomb(), None),
        "docx-lying-zip-bomb": (docx_lying_zip_bomb(), None),
        "docx-many-members": (docx_many_members(), None),
        "docx-billion-laughs": (docx_billion_laughs(), None),
        "docx-wide-grid": (docx_wide_grid(), None),
    }


# --- mutated fixtures --------------------------------------------------------------------

FILES = ROOT / "tests" / "files"
CONTENT_TYPES = {".pdf": "application/pdf", ".docx": None, ".html": "text/html", ".txt": "text/plain"}


def mutate(data: bytes, rng: random.Random, donor: bytes = b"") -> tuple[str, bytes]:
    """One random damage: bit flips, a truncation, a duplicated byte range, or a splice of
    another document's bytes (or random bytes). Returns (what was done, the damaged bytes)."""
    kind = rng.choice(("flip", "truncate", "duplicate", "splice"))
    n = len(data)
    if kind == "flip":
        out = bytearray(data)
        for _ in range(rng.randint(1, 24)):
            i = rng.randrange(n)
            out[i] ^= 1 << rng.randrange(8)
        return kind, bytes(out)
    if kind == "truncate":
        return kind, data[: rng.randrange(1, n)]
    a = rng.randrange(n)
    b = min(n, a + rng.randint(1, max(1, n // 4)))
    if kind == "duplicate":
        at = rng.randrange(n)
        return kind, data[:at] + data[a:b] + data[at:]
    source = donor or rng.randbytes(4096)
    s = rng.randrange(len(source))
    piece = source[s : s + rng.randint(1, 4096)]
    return kind, data[:a] + piece + data[b:]


def _rezip_with(data: bytes, name: str, replace) -> bytes:
    """The same zip with one member's content replaced by replace(old content)."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            content = src.read(info)
            dst.writestr(info.filename, replace(content) if info.filename == name else content)
    return out.getvalue()


def mutated_fixtures(seed: int, per_kind: dict[str, int]) -> list[tuple[str, bytes, str | None]]:
    """`per_kind[suffix]` damaged copies of each fixture with that suffix, from a fixed seed. A
    DOCX is damaged twice as often through its word/document.xml re-zipped whole (so the damage
    reaches the XML and not only the zip's checksums) as through its bytes."""
    rng = random.Random(seed)
    paths = sorted(p for p in FILES.iterdir() if p.suffix in per_kind)
    documents = []
    for path in paths:
        data = path.read_bytes()
        for i in range(per_kind[path.suffix]):
            donor = rng.choice(paths).read_bytes()
            if path.suffix == ".docx" and i % 3:
                holder: list[str] = []

                def damage(xml: bytes, holder=holder, donor=donor) -> bytes:
                    kind, out = mutate(xml, rng, donor)
                    holder.append(kind)
                    return out

                out = _rezip_with(data, "word/document.xml", damage)
                kind = f"xml-{holder[0]}"
            else:
                kind, out = mutate(data, rng, donor)
            documents.append((f"{path.name}#{i}-{kind}", out, CONTENT_TYPES[path.suffix]))
    return documents


# --- the fence ---------------------------------------------------------------------------


@dataclass
class Fenced:
    """How one document fared in the fence."""

    name: str
    outcome: str  # "record", "ParseError", another exception's name, "timeout", "killed (signal N)"
    seconds: float
    peak_mb: float  # the child's peak RSS above its RSS right after the fork
    detail: str = ""
    warnings: tuple[str, ...] = ()


_CHILD = r"""
import json, os, pickle, resource, signal, sys, time, traceback
from archive.parsing import ParseError, parse_document

jobs, limit_mb, timeout, out_dir = pickle.load(open(sys.argv[1], "rb"))
import pdfplumber, pypdfium2, docx, trafilatura  # noqa: the readers' imports, paid once before forking
for warm in (b"<html><body><p>x</p></body></html>", b"x"):
    parse_document(warm)

def rss_kb():
    with open("/proc/self/statm") as fh:
        return int(fh.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") // 1024

for index, (name, data, content_type) in enumerate(jobs):
    base = rss_kb()
    started = time.monotonic()
    pid = os.fork()
    if pid == 0:
        with open(os.path.join(out_dir, f"{index}.start"), "w") as fh:
            fh.write(str(rss_kb()))  # a forked child maps its parent's pages lazily: its own start
        vm = int(open("/proc/self/statm").read().split()[0]) * os.sysconf("SC_PAGE_SIZE")
        resource.setrlimit(resource.RLIMIT_AS, (vm + limit_mb * 1024 * 1024,) * 2)
        try:
            parsed = parse_document(data, None, content_type)
            answer = {"outcome": "record", "warnings": parsed.record["warnings"]}
        except ParseError as exc:
            answer = {"outcome": "ParseError", "detail": str(exc)}
        except BaseException as exc:
            answer = {"outcome": type(exc).__name__, "detail": traceback.format_exc()[-2000:]}
        with open(os.path.join(out_dir, f"{index}.json"), "w") as fh:
            json.dump(answer, fh)
        os._exit(0)
    status = None
    while status is None:
        done, code, usage = os.wait4(pid, os.WNOHANG)
        if done:
            status = (code, usage)
        elif time.monotonic() - started > timeout:
            os.kill(pid, signal.SIGKILL)
            _, code, usage = os.wait4(pid, 0)
            status = ("timeout", usage)
        else:
            time.sleep(0.005)
    seconds = time.monotonic() - started
    code, usage = status
    try:
        answer = json.load(open(os.path.join(out_dir, f"{index}.json")))
    except (OSError, ValueError):
        answer = {"outcome": "timeout" if code == "timeout" else f"killed (status {code})"}
    try:
        base = int(open(os.path.join(out_dir, f"{index}.start")).read())
    except (OSError, ValueError):
        pass
    answer.update(name=name, seconds=seconds, peak_mb=max(0, usage.ru_maxrss - base) / 1024)
    print(json.dumps(answer, ensure_ascii=False), flush=True)
"""


def read_fenced(
    documents: list[tuple[str, bytes, str | None]], memory_mb: int = 1024, timeout: float = 20.0
) -> list[Fenced]:
    """Parse each (name, bytes, content type) in a forked child limited to `memory_mb` MB of
    address space beyond its start and `timeout` seconds; the children run one at a time."""
    with tempfile.TemporaryDirectory() as tmp:
        jobs = Path(tmp) / "jobs.pickle"
        jobs.write_bytes(pickle.dumps((documents, memory_mb, timeout, tmp)))
        env = dict(os.environ, PYTHONPATH=str(ROOT))
        done = subprocess.run(
            [sys.executable, "-c", _CHILD, str(jobs)], cwd=ROOT, env=env, capture_output=True, text=True, check=False
        )
    answers = [json.loads(line) for line in done.stdout.splitlines() if line.startswith("{")]
    if len(answers) != len(documents):
        raise RuntimeError(f"the fence stopped after {len(answers)} of {len(documents)} documents:\n{done.stderr[-3000:]}")
    return [
        Fenced(a["name"], a["outcome"], a["seconds"], a["peak_mb"], a.get("detail", ""), tuple(a.get("warnings", ())))
        for a in answers
    ]
