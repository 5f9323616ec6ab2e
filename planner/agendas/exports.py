"""A circulated agenda version as PDF (fpdf2) and DOCX (python-docx).

Both are made from the version's frozen content only, never from the live draft, so a
version downloads the same today and next year. Both are byte-for-byte repeatable: the
creation dates are the circulation time, and the DOCX zip carries fixed timestamps.
The PDF embeds Source Sans Pro (from the font-source-sans-pro package), which has the
accents and dashes of names like "Yeşilgöz-Zegerius"; PDF core fonts do not."""

from __future__ import annotations

import io
import zipfile
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import font_source_sans_pro
from docx import Document
from docx.enum.section import WD_ORIENT
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Mm, Pt, RGBColor
from fpdf import FPDF
from fpdf.enums import XPos, YPos

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


class _AgendaPDF(MarkedPDF):
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

    def _block_height(self, width: float, parts: list[tuple[str, float, str]]) -> float:
        height = 0.0
        for style, size, text in parts:
            self.set_font(FONT, style, size)
            lines = self.multi_cell(width, _line_height(size), text, align="L", dry_run=True,
                                    output="LINES")
            height += len(lines) * _line_height(size)
        return height

    def _block(self, x: float, y: float, width: float,
               parts: list[tuple[str, float, str]], grey: set[int] | None = None) -> None:
        self.set_xy(x, y)
        for index, (style, size, text) in enumerate(parts):
            self.set_font(FONT, style, size)
            self.set_text_color(85 if grey and index in grey else 0)
            self.set_x(x)
            self.multi_cell(width, _line_height(size), text, align="L",
                            new_x=XPos.LEFT, new_y=YPos.NEXT)
        self.set_text_color(0)

    def _cells(self, entry: dict[str, Any]):
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
        cells = (number, time, item, presenter)
        height = max(self._block_height(w, parts) for w, parts in zip(widths, cells, strict=True))
        return cells, widths, indent, grey, height + 2 * PAD

    def row_height(self, entry: dict[str, Any]) -> float:
        return self._cells(entry)[4]

    def row(self, entry: dict[str, Any], keep_with: float = 0.0) -> None:
        """One item; `keep_with`: the height of the next row, which must not be left
        alone on the next page (a heading stays with its first sub-item)."""
        cells, widths, indent, grey, height = self._cells(entry)
        if self.get_y() + height + keep_with > self.page_break_trigger:
            self.add_page()
            self.table_head()
        y = self.get_y()
        x = self.l_margin
        for column, (width, parts) in enumerate(zip(widths, cells, strict=True)):
            left = x + PAD + (indent if column == 2 else 0)
            self._block(left, y + PAD, width, parts, grey if column == 2 else None)
            x += COLUMNS[column]
        self.set_draw_color(177, 180, 182)
        self.set_line_width(0.2)
        self.line(self.l_margin, y + height, self.l_margin + sum(COLUMNS), y + height)
        self.set_xy(self.l_margin, y + height)


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
    for index, entry in enumerate(items):
        following = items[index + 1] if index + 1 < len(items) else None
        heading = following is not None and entry["level"] == 1 and following["level"] == 2
        pdf.row(entry, keep_with=pdf.row_height(following) if heading else 0.0)
    return bytes(pdf.output())


# --- DOCX -------------------------------------------------------------------------------

DOCX_WIDTHS = (Mm(14), Mm(28), Mm(88), Mm(40))


def _paragraph_text(paragraph, text: str, *, bold: bool = False, italic: bool = False,
                    size: float | None = None, grey: bool = False):
    run = paragraph.add_run(text)
    run.bold = bold
    run.italic = italic
    if size:
        run.font.size = Pt(size)
    if grey:
        run.font.color.rgb = RGBColor(0x50, 0x5A, 0x5F)
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
    for entry in content["items"]:
        cells = table.add_row().cells
        for cell, width in zip(cells, DOCX_WIDTHS, strict=True):
            cell.width = width
        level_one = entry["level"] == 1
        _paragraph_text(cells[0].paragraphs[0], entry["number"], bold=level_one)
        _paragraph_text(cells[1].paragraphs[0], _time(entry), size=9.5)
        if entry["minutes"]:
            _paragraph_text(cells[1].add_paragraph(), _minutes(entry), size=8.5, grey=True)
        title = cells[2].paragraphs[0]
        if not level_one:
            title.paragraph_format.left_indent = Mm(4)
        _paragraph_text(title, entry["title"], bold=level_one)
        if entry["reason"]:
            reason = cells[2].add_paragraph()
            reason.paragraph_format.left_indent = title.paragraph_format.left_indent
            _paragraph_text(reason, entry["reason"], italic=True, size=8.5, grey=True)
        if entry["notes"]:
            _paragraph_text(cells[2].add_paragraph(), f"Notes: {entry['notes']}", size=9)
        _paragraph_text(cells[3].paragraphs[0], entry["presenter"] or "", size=9.5)

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
