"""A circulated agenda version as PDF (fpdf2) and DOCX (python-docx).

Both are made from the version's frozen content only, never from the live draft, so a
version downloads the same today and next year. Both are byte-for-byte repeatable: the
creation dates are the circulation time, and the DOCX zip carries fixed timestamps.
The PDF embeds Source Sans Pro (from the font-source-sans-pro package), which has the
accents and dashes of names like "Yeşilgöz-Zegerius"; PDF core fonts do not."""

from __future__ import annotations

import io
import re
import zipfile
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape

import font_source_sans_pro
from docx import Document
from docx.enum.section import WD_ORIENT
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement, parse_xml
from docx.oxml.ns import nsdecls, qn
from docx.shared import Length, Mm, Pt, RGBColor
from fpdf import FPDF
from fpdf.enums import PDFResourceType, XPos, YPos

DOCX_MIMETYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"

FONT_DIR = Path(font_source_sans_pro.font_directory)
FONT_FILES = {
    "": "SourceSansPro-Regular.ttf",
    "B": "SourceSansPro-Bold.ttf",
    "I": "SourceSansPro-It.ttf",
}
FONT = "SourceSans"


def _circulated_at(content: dict[str, Any]) -> datetime:
    return datetime.fromisoformat(content["circulated_at"]).astimezone(UTC)


def _details(content: dict[str, Any]) -> list[str]:
    meeting = content["meeting"]
    lines = [meeting["dialogue"], meeting["when"]]
    where = meeting["place"] or "Place to be confirmed"
    lines.append(f"{where} (times are local: {meeting['timezone']})")
    if meeting["host"]:
        lines.append(f"Host: {meeting['host']}")
    by = f" by {content['circulated_by']}" if content["circulated_by"] else ""
    lines.append(f"Version {content['number']}, circulated {content['circulated_on']}{by}")
    return lines


def _overrun(content: dict[str, Any]) -> str | None:
    minutes = content.get("overrun_minutes") or 0
    if not minutes:
        return None
    return (f"The items run to {content['ends']}, {minutes} minutes past the meeting's "
            f"end at {content['meeting']['ends']}.")


def _time(entry: dict[str, Any]) -> str:
    """'09:30–09:40'; only the start for an item with no time of its own (a heading)."""
    return f"{entry['starts']}–{entry['ends']}" if entry["minutes"] else entry["starts"]


def _minutes(entry: dict[str, Any]) -> str:
    return f"{entry['minutes']} min" if entry["minutes"] else ""


def _running_title(content: dict[str, Any]) -> str:
    return f"Agenda v{content['number']} · {content['meeting']['title']}"


# --- PDF --------------------------------------------------------------------------------

# Column widths in mm on A4 with 18 mm margins: number, time, item, presenter.
COLUMNS = (14.0, 27.0, 91.0, 42.0)
PAD = 1.5
MM_PER_PT = 25.4 / 72


def _line_height(size: float) -> float:
    return size * MM_PER_PT * 1.3


class MarkedPDF(FPDF):
    """An A4 paper with its classification marking at the head and foot of every page,
    a running title and "Page n of N": the shared frame of agendas and minutes."""

    margin = 18.0
    bottom = 24.0
    footer_marking = 18.0

    def __init__(self, content: dict[str, Any]):
        super().__init__(orientation="P", unit="mm", format="A4")
        self.content = content
        for style, name in FONT_FILES.items():
            self.add_font(FONT, style, str(FONT_DIR / name))
        self.set_margins(self.margin, 24, self.margin)
        self.set_auto_page_break(True, margin=self.bottom)
        self.alias_nb_pages()

    def running_title(self) -> str:
        raise NotImplementedError

    def _marking(self, y: float) -> None:
        text = self.content["classification"]
        self.set_font(FONT, "B", 10)
        self.set_text_color(0)
        self.set_draw_color(0)
        self.set_line_width(0.5)
        width = self.get_string_width(text) + 6
        self.set_xy((self.w - width) / 2, y)
        self.cell(width, 6, text, border=1, align="C")

    def header(self) -> None:
        self._marking(8)
        self.set_xy(self.l_margin, self.t_margin)

    def footer(self) -> None:
        self._marking(self.h - self.footer_marking)
        self.set_font(FONT, "", 8)
        self.set_text_color(80)
        self.set_xy(self.l_margin, self.h - 11)
        self.cell(self.epw * 0.75, 4, self.running_title())
        self.cell(self.epw * 0.25, 4, f"Page {self.page_no()} of {{nb}}", align="R")
        self.set_text_color(0)


Part = tuple[str, float, str]  # font style, size in points, text
Block = tuple[str, float, list[str]]  # font style, size in points, wrapped lines


@dataclass(frozen=True)
class _Row:
    """An item laid out: per column, its blocks of wrapped text."""

    blocks: list[list[Block]]
    indent: float
    grey: set[int]
    height: float


class _AgendaPDF(MarkedPDF):
    """The agenda's table, laid out here rather than by `multi_cell`, whose line
    breaking measures the line again for every character it adds (7 ms an item on a big
    agenda). Rows are wrapped with the fonts' own widths, a word at a time, and each
    column's lines drawn as one text object where `multi_cell` would have put them: the
    same page as before for a fraction of the time.

    The text objects use fpdf2's page stream (`_out`), resource catalogue and font
    subsets directly (pinned in pyproject.toml); the head, foot, details and table head
    stay with fpdf2's public calls."""

    def __init__(self, content: dict[str, Any]):
        super().__init__(content)
        self._widths: dict[str, dict[str, float]] = {style: {} for style in FONT_FILES}
        self._codes: dict[str, dict[str, str]] = {style: {} for style in FONT_FILES}
        self._wrapped: dict[tuple[float, str, float, str], list[str]] = {}

    def running_title(self) -> str:
        return _running_title(self.content)

    def table_head(self) -> None:
        self.set_font(FONT, "B", 9.5)
        self.set_fill_color(235, 238, 242)
        y = self.get_y()
        x = self.l_margin
        for width, label in zip(COLUMNS, ("No.", "Time", "Item", "Presenter"), strict=True):
            self.set_xy(x, y)
            self.cell(width, 7, f" {label}", fill=True)
            x += width
        self.set_draw_color(0)
        self.set_line_width(0.4)
        self.line(self.l_margin, y + 7, self.l_margin + sum(COLUMNS), y + 7)
        self.set_xy(self.l_margin, y + 7.5)

    def _width(self, style: str, text: str) -> float:
        """`text`'s width at 1 pt in thousandths of a point; words recur on an agenda,
        so each is measured once."""
        known = self._widths[style]
        width = known.get(text)
        if width is None:
            advances = self.fonts[f"{FONT.lower()}{style}"].cw
            width = known[text] = sum(advances[ord(char)] for char in text)
        return width

    def _wrap(self, width: float, style: str, size: float, text: str) -> list[str]:
        """`text` in the lines `multi_cell(width, ...)` would make: broken at spaces
        (a word wider than the line, between characters) and at line feeds, within the
        cell's margins; empty text still takes one line."""
        room = (width - 2 * self.c_margin) * self.k * 1000 / size
        space = self._width(style, " ")
        lines: list[str] = []
        for paragraph in self.normalize_text(text).replace("\r", "").split("\n"):
            line: list[str] = []
            used = 0.0
            for word in paragraph.split(" "):
                wide = self._width(style, word)
                if line and used + space + wide <= room:
                    line.append(word)
                    used += space + wide
                    continue
                if line:
                    lines.append(" ".join(line))
                line, used = [word], wide
                while used > room and len(line[0]) > 1:
                    head, rest = self._split_word(style, line[0], room)
                    lines.append(head)
                    line, used = [rest], self._width(style, rest)
            lines.append(" ".join(line))
        return lines

    def _split_word(self, style: str, word: str, room: float) -> tuple[str, str]:
        """The longest start of `word` that fits `room` (at least one character)."""
        advances = self.fonts[f"{FONT.lower()}{style}"].cw
        used = 0.0
        for index, char in enumerate(word):
            used += advances[ord(char)]
            if used > room and index:
                return word[:index], word[index:]
        return word, ""

    def _layout(self, width: float, parts: list[Part]) -> list[Block]:
        """Each part wrapped; times, durations and presenters recur, so each text is
        wrapped once per width, style and size."""
        blocks = []
        for style, size, text in parts:
            key = (width, style, size, text)
            lines = self._wrapped.get(key)
            if lines is None:
                lines = self._wrapped[key] = self._wrap(width, style, size, text)
            blocks.append((style, size, lines))
        return blocks

    def _draw(self, x: float, y: float, blocks: list[Block],
              grey: set[int]) -> None:
        """A column's lines as one text object, each where `multi_cell` puts it: after
        the cell margin, its baseline 0.3 font sizes below the middle of its line."""
        ops = ["q BT"]
        left = (x + self.c_margin) * self.k
        for index, (style, size, lines) in enumerate(blocks):
            font = self.fonts[f"{FONT.lower()}{style}"]
            self._resource_catalog.add(PDFResourceType.FONT, font.i, self.page)
            ops.append(f"/F{font.i} {size:.2f} Tf {85 / 255 if index in grey else 0:.3f} g")
            height = _line_height(size)
            baseline = 0.5 * height + 0.3 * size / self.k
            for line in lines:
                if line:
                    ops.append(f"1 0 0 1 {left:.2f} {(self.h - y - baseline) * self.k:.2f} Tm "
                               f"({self._encoded(style, line)}) Tj")
                y += height
        ops.append("ET Q")
        self._out(" ".join(ops))

    def _encoded(self, style: str, text: str) -> str:
        """`text` as the codes of its glyphs in the font's subset, escaped for a PDF
        string: what fpdf2's `encode_text` does, with each character looked up once."""
        codes = self._codes[style]
        missing = [char for char in dict.fromkeys(text) if char not in codes]
        if missing:
            font = self.fonts[f"{FONT.lower()}{style}"]
            for char in missing:
                glyph = font.subset.pick(ord(char))
                codes[char] = "" if glyph is None else font.escape_text(chr(glyph))
        return "".join([codes[char] for char in text])

    def layout(self, entry: dict[str, Any]) -> _Row:
        """An item's row, wrapped and measured (drawn by `row`)."""
        indent = 4.0 if entry["level"] == 2 else 0.0
        number = [("B" if entry["level"] == 1 else "", 10.5, entry["number"])]
        time = [("", 9.5, _time(entry))]
        if entry["minutes"]:
            time.append(("", 8.5, _minutes(entry)))
        item = [("B" if entry["level"] == 1 else "", 10.5, entry["title"])]
        grey = set()
        if entry["reason"]:
            grey.add(len(item))
            item.append(("I", 8.5, entry["reason"]))
        if entry["notes"]:
            item.append(("", 9, f"Notes: {entry['notes']}"))
        presenter = [("", 9.5, entry["presenter"] or "")]
        widths = [w - 2 * PAD for w in COLUMNS]
        widths[2] -= indent
        blocks = [self._layout(width, parts) for width, parts
                  in zip(widths, (number, time, item, presenter), strict=True)]
        height = max(sum(len(lines) * _line_height(size) for _style, size, lines in column)
                     for column in blocks)
        return _Row(blocks, indent, grey, height + 2 * PAD)

    def row(self, row: _Row, keep_with: float = 0.0) -> None:
        """One item; `keep_with`: the height of the next row, which must not be left
        alone on the next page (a heading stays with its first sub-item)."""
        if self.get_y() + row.height + keep_with > self.page_break_trigger:
            self.add_page()
            self.table_head()
        y = self.get_y()
        x = self.l_margin
        for column, blocks in enumerate(row.blocks):
            left = x + PAD + (row.indent if column == 2 else 0)
            self._draw(left, y + PAD, blocks, row.grey if column == 2 else set())
            x += COLUMNS[column]
        self.set_draw_color(177, 180, 182)
        self.set_line_width(0.2)
        bottom = y + row.height
        self.line(self.l_margin, bottom, self.l_margin + sum(COLUMNS), bottom)
        self.set_xy(self.l_margin, bottom)


def agenda_pdf(content: dict[str, Any]) -> bytes:
    pdf = _AgendaPDF(content)
    meeting = content["meeting"]
    pdf.set_creation_date(_circulated_at(content))
    pdf.set_title(_running_title(content))
    pdf.set_subject(meeting["dialogue"])
    pdf.set_author("Dialogue Planner")
    pdf.set_creator("Dialogue Planner")
    pdf.set_keywords(content["classification"])
    pdf.set_lang("en-GB")
    pdf.add_page()

    pdf.set_font(FONT, "B", 20)
    pdf.multi_cell(0, 9, "Agenda", align="L", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.set_font(FONT, "B", 13)
    pdf.multi_cell(0, 6.5, meeting["title"], align="L", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.ln(1)
    pdf.set_font(FONT, "", 10.5)
    for line in _details(content):
        pdf.multi_cell(0, 5.2, line, align="L", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    warning = _overrun(content)
    if warning:
        pdf.ln(2)
        pdf.set_font(FONT, "B", 10.5)
        pdf.multi_cell(0, 5.2, f"Note: {warning}", align="L", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.ln(4)

    pdf.table_head()
    items = content["items"]
    rows = [pdf.layout(entry) for entry in items]
    for index, (entry, row) in enumerate(zip(items, rows, strict=True)):
        following = items[index + 1] if index + 1 < len(items) else None
        heading = following is not None and entry["level"] == 1 and following["level"] == 2
        pdf.row(row, keep_with=rows[index + 1].height if heading else 0.0)
    return bytes(pdf.output())


# --- DOCX -------------------------------------------------------------------------------

DOCX_WIDTHS = (Mm(14), Mm(28), Mm(88), Mm(40))
GREY = "505A5F"


def _paragraph_text(paragraph, text: str, *, bold: bool = False, italic: bool = False,
                    size: float | None = None, grey: bool = False):
    run = paragraph.add_run(text)
    run.bold = bold
    run.italic = italic
    if size:
        run.font.size = Pt(size)
    if grey:
        run.font.color.rgb = RGBColor.from_string(GREY)
    return run


def _marking(paragraph, text: str) -> None:
    paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
    _paragraph_text(paragraph, text, bold=True, size=10)


def _page_number(paragraph) -> None:
    run = paragraph.add_run()
    for kind, instruction in (("begin", None), (None, "PAGE"), ("end", None)):
        if kind:
            element = OxmlElement("w:fldChar")
            element.set(qn("w:fldCharType"), kind)
        else:
            element = OxmlElement("w:instrText")
            element.set(qn("xml:space"), "preserve")
            element.text = instruction
        run._r.append(element)


def _repeat_as_header(row) -> None:
    properties = row._tr.get_or_add_trPr()
    marker = OxmlElement("w:tblHeader")
    marker.set(qn("w:val"), "true")
    properties.append(marker)


def agenda_docx(content: dict[str, Any]) -> bytes:
    meeting = content["meeting"]
    document = Document()
    section = document.sections[0]
    section.orientation = WD_ORIENT.PORTRAIT
    section.page_width, section.page_height = Mm(210), Mm(297)
    section.left_margin = section.right_margin = Mm(20)
    section.top_margin = section.bottom_margin = Mm(22)
    document.styles["Normal"].font.size = Pt(10.5)

    _marking(section.header.paragraphs[0], content["classification"])
    _marking(section.footer.paragraphs[0], content["classification"])
    running = section.footer.add_paragraph()
    running.alignment = WD_ALIGN_PARAGRAPH.CENTER
    _paragraph_text(running, f"{_running_title(content)} · page ", size=8, grey=True)
    _page_number(running)

    document.add_heading("Agenda", level=0)
    document.add_heading(meeting["title"], level=1)
    for line in _details(content):
        document.add_paragraph(line).paragraph_format.space_after = Pt(2)
    warning = _overrun(content)
    if warning:
        _paragraph_text(document.add_paragraph(), f"Note: {warning}", bold=True)

    table = document.add_table(rows=1, cols=4)
    table.style = "Table Grid"
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    # Fixed widths: Word reads the cells' widths, LibreOffice the grid's.
    table.autofit = False
    for column, width in zip(table.columns, DOCX_WIDTHS, strict=True):
        column.width = width
    head = table.rows[0]
    _repeat_as_header(head)
    for cell, label, width in zip(head.cells, ("No.", "Time", "Item", "Presenter"),
                                  DOCX_WIDTHS, strict=True):
        cell.width = width
        _paragraph_text(cell.paragraphs[0], label, bold=True)
    table._tbl.extend(_item_rows(content["items"]))

    circulated_at = _circulated_at(content).replace(tzinfo=None)
    properties = document.core_properties
    properties.title = _running_title(content)
    properties.subject = meeting["dialogue"]
    properties.author = "Dialogue Planner"
    properties.last_modified_by = content["circulated_by"] or "Dialogue Planner"
    properties.category = content["classification"]
    properties.keywords = content["classification"]
    properties.revision = content["number"]
    properties.created = properties.modified = circulated_at

    buffer = io.BytesIO()
    document.save(buffer)
    return _fixed_zip(buffer.getvalue(), circulated_at)


# The item rows are written as WordprocessingML, as python-docx would write them
# (run properties in schema order, off switches explicit) but in one parse rather than
# python-docx's object calls per cell, paragraph and run (4.5 ms an item).

INDENT = Mm(4)


def _item_rows(items: list[dict[str, Any]]) -> list[Any]:
    """The table's rows for the items, one `w:tr` element each."""
    rows = "".join(_row_xml(entry) for entry in items)
    return list(parse_xml(f"<w:tbl {nsdecls('w')}>{rows}</w:tbl>"))


def _row_xml(entry: dict[str, Any]) -> str:
    level_one = entry["level"] == 1
    indent = None if level_one else INDENT
    time = [_paragraph_xml(_run_xml(_time(entry), size=9.5))]
    if entry["minutes"]:
        time.append(_paragraph_xml(_run_xml(_minutes(entry), size=8.5, grey=True)))
    item = [_paragraph_xml(_run_xml(entry["title"], bold=level_one), indent)]
    if entry["reason"]:
        # An empty w:pPr under a heading's reason, where python-docx wrote one: a version
        # circulated before this code downloads the same bytes as it did then.
        item.append(_paragraph_xml(
            _run_xml(entry["reason"], italic=True, size=8.5, grey=True), indent,
            bare_properties=True))
    if entry["notes"]:
        item.append(_paragraph_xml(_run_xml(f"Notes: {entry['notes']}", size=9)))
    cells = ([_paragraph_xml(_run_xml(entry["number"], bold=level_one))], time, item,
             [_paragraph_xml(_run_xml(entry["presenter"] or "", size=9.5))])
    return "<w:tr>" + "".join(
        _cell_xml(width, paragraphs) for width, paragraphs
        in zip(DOCX_WIDTHS, cells, strict=True)) + "</w:tr>"


def _cell_xml(width: Length, paragraphs: list[str]) -> str:
    return (f'<w:tc><w:tcPr><w:tcW w:type="dxa" w:w="{width.twips}"/></w:tcPr>'
            f'{"".join(paragraphs)}</w:tc>')


def _paragraph_xml(run: str, indent: Length | None = None, *,
                   bare_properties: bool = False) -> str:
    if indent is not None:
        return f'<w:p><w:pPr><w:ind w:left="{indent.twips}"/></w:pPr>{run}</w:p>'
    return f"<w:p>{'<w:pPr/>' if bare_properties else ''}{run}</w:p>"


def _run_xml(text: str, *, bold: bool = False, italic: bool = False,
             size: float | None = None, grey: bool = False) -> str:
    """A run as `_paragraph_text` makes it; tabs and line breaks as python-docx writes
    them (`w:tab`, `w:br`), text with spaces at either end kept as it is."""
    properties = ("<w:b/>" if bold else '<w:b w:val="0"/>') + (
        "<w:i/>" if italic else '<w:i w:val="0"/>')
    if grey:
        properties += f'<w:color w:val="{GREY}"/>'
    if size:
        properties += f'<w:sz w:val="{round(size * 2)}"/>'
    body = []
    for piece in re.split(r"([\t\r\n])", text):
        if piece == "\t":
            body.append("<w:tab/>")
        elif piece in ("\r", "\n"):
            body.append("<w:br/>")
        elif piece:
            space = ' xml:space="preserve"' if piece.strip() != piece else ""
            body.append(f"<w:t{space}>{escape(piece)}</w:t>")
    return f"<w:r><w:rPr>{properties}</w:rPr>{''.join(body)}</w:r>"


def _fixed_zip(data: bytes, moment: datetime) -> bytes:
    """The same archive with every entry stamped `moment`: python-docx stamps each
    entry with the time of saving, which would make every download differ."""
    stamp = (max(moment.year, 1980), moment.month, moment.day, moment.hour, moment.minute,
             moment.second)
    source = zipfile.ZipFile(io.BytesIO(data))
    output = io.BytesIO()
    with zipfile.ZipFile(output, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            entry = zipfile.ZipInfo(info.filename, date_time=stamp)
            entry.compress_type = zipfile.ZIP_DEFLATED
            entry.external_attr = 0o644 << 16
            target.writestr(entry, source.read(info.filename))
    return output.getvalue()
