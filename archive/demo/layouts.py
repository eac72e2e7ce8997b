"""Report bodies in the HTML dialects real CMSs produce — one renderer class per layout.

* ``OfficialLayout`` — the format's grid as gov.cn templates print it: plain ``<td>`` cells with
  the exact rowspan/colspan of the format, section 二 as one four-block table.
* ``WordLayout`` — a Word document pasted into the editor: ``MsoNormalTable``, unquoted
  attributes, every cell a ``<p class=MsoNormal><span>…</span></p>``, header words broken over
  two paragraphs (商业</p><p>企业), ``&nbsp;`` and ``<o:p>`` debris, digits in their own runs,
  section 二 as four separate tables.
* ``EditorLayout`` — TRS/UEditor output: ``data-sort="sortDisabled"`` tables, ``firstRow``,
  inline styles, ``<br/>`` inside header cells.

All three draw the same grids from tables.py, so the numbers a parser reads off any of them
are the same; only the markup around them differs. ``report_body`` composes a whole report.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from html import escape

from . import tables
from .tables import Cell, Table

HEADINGS = {
    "一": "一、总体情况",
    "二": "二、主动公开政府信息情况",
    "三": "三、收到和处理政府信息公开申请情况",
    "四": "四、政府信息公开行政复议、行政诉讼情况",
    "五": "五、存在的主要问题及改进情况",
    "六": "六、其他需要报告的事项",
}
SUBHEAD = re.compile(r"^（[一二三四五六七八九十]）")


@dataclass
class ReportDoc:
    """What a report says, independent of markup."""

    title_lines: list[str]
    intro: str
    sections: dict[str, list[str]]  # overview / problems / other_matters
    show: Callable[[str], str]
    legacy: bool = False
    active_image: str | None = None  # src of an image standing in for the section-二 tables
    signature: list[str] = field(default_factory=list)


class OfficialLayout:
    name = "official"

    def title(self, lines: list[str]) -> str:
        return f'<p style="text-align:center"><strong>{"<br/>".join(map(escape, lines))}</strong></p>'

    def heading(self, text: str) -> str:
        return f"<p><strong>{escape(text)}</strong></p>"

    def subheading(self, text: str) -> str:
        return f'<p style="text-indent:2em"><strong>{escape(text)}</strong></p>'

    def para(self, text: str) -> str:
        return f'<p style="text-indent:2em">{escape(text)}</p>'

    def right(self, text: str) -> str:
        return f'<p style="text-align:right">{escape(text)}</p>'

    def cell(self, cell: Cell) -> str:
        spans = _spans(cell)
        return f'<td{spans} align="center" valign="middle">{escape(cell.text.replace("|", ""))}</td>'

    def table(self, table: Table) -> str:
        rows = "".join("<tr>" + "".join(self.cell(c) for c in row) + "</tr>" for row in table)
        return (
            '<table border="1" cellspacing="0" cellpadding="0" width="100%" '
            f'style="border-collapse:collapse" class="xxgk-table"><tbody>{rows}</tbody></table>'
        )

    def active_section(self, blocks: list[Table]) -> str:
        return self.table([row for block in blocks for row in block])

    def image(self, src: str, alt: str) -> str:
        return f'<p style="text-align:center"><img src="{src}" alt="{escape(alt)}" width="600"/></p>'


class WordLayout(OfficialLayout):
    name = "word"
    P = "<p class=MsoNormal align=center style='text-align:center'>"
    LABEL_SPAN = "<span style='font-size:10.0pt;font-family:宋体;mso-bidi-font-family:宋体'>"
    VALUE_SPAN = "<span lang=EN-US style='font-size:10.0pt;font-family:\"Times New Roman\"'>"

    def title(self, lines: list[str]) -> str:
        return "".join(
            "<p class=MsoNormal align=center style='text-align:center;line-height:28.0pt'><b>"
            f"<span style='font-size:22.0pt;font-family:方正小标宋简体'>{escape(line)}<span lang=EN-US>"
            "<o:p></o:p></span></span></b></p>"
            for line in lines
        )

    def _runs(self, text: str) -> str:
        """Word puts digits in their own EN-US runs: 共收到申请</span><span lang=EN-US>12</span><span>件."""
        parts = re.split(r"(\d+(?:\.\d+)?)", escape(text))
        return "".join(
            f"<span lang=EN-US style='font-size:16.0pt;font-family:仿宋_GB2312'>{p}</span>" if i % 2 else
            f"<span style='font-size:16.0pt;font-family:仿宋_GB2312'>{p}</span>"
            for i, p in enumerate(parts) if p
        )

    def heading(self, text: str) -> str:
        return (
            "<p class=MsoNormal style='text-indent:32.0pt;mso-char-indent-count:2.0;line-height:28.0pt'>"
            f"<b><span style='font-size:16.0pt;font-family:黑体'>{escape(text)}</span></b></p>"
        )

    def subheading(self, text: str) -> str:
        return (
            "<p class=MsoNormal style='text-indent:32.0pt;line-height:28.0pt'>"
            f"<span style='font-size:16.0pt;font-family:楷体_GB2312'>{escape(text)}</span></p>"
        )

    def para(self, text: str) -> str:
        return f"<p class=MsoNormal style='text-indent:32.0pt;line-height:28.0pt'>{self._runs(text)}</p>"

    def right(self, text: str) -> str:
        return f"<p class=MsoNormal align=right style='text-align:right'>{self._runs(text)}</p>"

    def cell(self, cell: Cell) -> str:
        if cell.value:
            inner = f"{self.P}{self.VALUE_SPAN}{escape(cell.text)}<o:p></o:p></span></p>"
        else:
            pieces = [escape(p) for p in cell.text.split("|")]
            inner = "".join(f"{self.P}{self.LABEL_SPAN}{p}</span></p>" for p in pieces[:-1])
            inner += f"{self.P}{self.LABEL_SPAN}{pieces[-1]}<span lang=EN-US>&nbsp;</span></span></p>"
        width = 57 * cell.colspan
        return (
            f"<td width={width}{_spans(cell, quote=False)} style='width:{width * 0.75:.1f}pt;"
            f"border:solid windowtext 1.0pt;padding:0cm 5.4pt 0cm 5.4pt'>{inner}</td>"
        )

    def table(self, table: Table) -> str:
        rows = "".join(
            f"<tr style='mso-yfti-irow:{i};height:20.25pt'>" + "".join(self.cell(c) for c in row) + "</tr>"
            for i, row in enumerate(table)
        )
        return (
            "<table class=MsoNormalTable border=1 cellspacing=0 cellpadding=0 width=614 "
            "style='width:460.6pt;border-collapse:collapse;border:none;mso-border-alt:solid windowtext .5pt;"
            f"mso-yfti-tbllook:1184'>{rows}</table>"
        )

    def active_section(self, blocks: list[Table]) -> str:
        gap = "<p class=MsoNormal><span lang=EN-US>&nbsp;</span></p>"
        return gap.join(self.table(block) for block in blocks)


class EditorLayout(OfficialLayout):
    name = "editor"

    def heading(self, text: str) -> str:
        return f'<p style="text-indent: 2em; text-align: justify;"><strong>{escape(text)}</strong></p>'

    def para(self, text: str) -> str:
        return f'<p style="text-indent: 2em; text-align: justify;">{escape(text)}</p>'

    def cell(self, cell: Cell) -> str:
        text = "<br/>".join(escape(p) for p in cell.text.split("|"))
        return (
            f'<td valign="middle" align="center"{_spans(cell)} '
            f'style="word-break: break-all; border-width: 1px; border-style: solid;">{text}</td>'
        )

    def table(self, table: Table) -> str:
        rows = "".join(
            ('<tr class="firstRow">' if i == 0 else "<tr>") + "".join(self.cell(c) for c in row) + "</tr>"
            for i, row in enumerate(table)
        )
        return f'<table data-sort="sortDisabled" width="100%" border="1" align="center"><tbody>{rows}</tbody></table>'


LAYOUTS = {cls.name: cls() for cls in (OfficialLayout, WordLayout, EditorLayout)}


def _spans(cell: Cell, quote: bool = True) -> str:
    q = '"' if quote else ""
    out = ""
    if cell.rowspan > 1:
        out += f" rowspan={q}{cell.rowspan}{q}"
    if cell.colspan > 1:
        out += f" colspan={q}{cell.colspan}{q}"
    return out


def _prose(layout: OfficialLayout, paragraphs: list[str]) -> str:
    return "".join(layout.subheading(p) if SUBHEAD.match(p) else layout.para(p) for p in paragraphs)


def report_body(doc: ReportDoc, layout: OfficialLayout) -> str:
    """The six sections of a report, dressed by ``layout``."""
    blocks = tables.active_blocks_2019(doc.show) if doc.legacy else tables.active_blocks_2021(doc.show)
    if doc.active_image:
        active = layout.image(doc.active_image, "主动公开政府信息情况")
    else:
        active = layout.active_section(blocks)
    parts = [
        layout.title(doc.title_lines),
        layout.para(doc.intro),
        layout.heading(HEADINGS["一"]),
        _prose(layout, doc.sections["overview"]),
        layout.heading(HEADINGS["二"]),
        active,
        layout.heading(HEADINGS["三"]),
        layout.table(tables.requests_table(doc.show, legacy=doc.legacy)),
        layout.heading(HEADINGS["四"]),
        layout.table(tables.review_table(doc.show)),
        layout.heading(HEADINGS["五"]),
        _prose(layout, doc.sections["problems"]),
        layout.heading(HEADINGS["六"]),
        _prose(layout, doc.sections["other_matters"]),
        *(layout.right(line) for line in doc.signature),
    ]
    return "\n".join(parts)


def blank_format_tables(layout: OfficialLayout) -> str:
    """The three tables with empty value cells, as the format notice attaches them (a look-alike)."""
    def show(key):
        return ""
    return "\n".join(
        [
            layout.heading(HEADINGS["二"]),
            layout.active_section(tables.active_blocks_2021(show)),
            layout.heading(HEADINGS["三"]),
            layout.table(tables.requests_table(show)),
            layout.heading(HEADINGS["四"]),
            layout.table(tables.review_table(show)),
        ]
    )
