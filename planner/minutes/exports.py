"""Minutes as PDF (fpdf2) and DOCX (python-docx), as the agendas are made (the same
libraries and the same embedded font, see planner.agendas.exports).

Both are made from one plain dict (`minutes_content`), with the classification marking
at the top and bottom of every page. Both are repeatable: their dates are those of the
minutes' last change, so the same version of the minutes downloads the same bytes."""

from __future__ import annotations

import io
import zipfile
from datetime import UTC, datetime
from typing import Any

from docx import Document
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Mm, Pt, RGBColor
from fpdf.enums import XPos, YPos
from fpdf.fonts import FontFace

from planner.agendas.exports import DOCX_MIMETYPE, FONT, MarkedPDF
from planner.minutes import operations as ops
from planner.models import ActionItem, AttendanceStatus, CommitmentStatus, Meeting, Minutes
from planner.timefmt import format_date, format_span

__all__ = ["DOCX_MIMETYPE", "minutes_content", "minutes_docx", "minutes_pdf"]


def _status_line(minutes: Minutes) -> str:
    if minutes.status == "approved":
        how = minutes.approval.method_label.lower() if minutes.approval else "approved"
        line = f"Approved {how}"
        if minutes.approval and minutes.approval.meeting:
            line += f" ({minutes.approval.meeting.title})"
        return line + f" on {format_date(minutes.approved_at.date())}"
    if minutes.status == "circulated":
        day = format_date(minutes.circulated_at.date()) if minutes.circulated_at else ""
        return f"Circulated for comments{' on ' + day if day else ''}; not yet approved"
    return "Draft: not circulated"


def _decision(decision) -> str:
    text = decision.text
    if decision.commitment is not None:
        text += f" (commitment {decision.commitment.reference}"
        if decision.commitment_status:
            text += f": now {CommitmentStatus(decision.commitment_status).label.lower()}"
        text += ")"
    return text


def minutes_content(meeting: Meeting, minutes: Minutes,
                    action_items: list[ActionItem]) -> dict[str, Any]:
    parts = ops.sections(meeting, minutes, action_items)
    return {
        "classification": meeting.marking,
        "status": minutes.status,
        "status_label": minutes.status_label,
        "status_line": _status_line(minutes),
        "title": meeting.title,
        "dialogue": meeting.dialogue.name,
        "when": format_span(meeting.starts_at, meeting.ends_at, meeting.timezone),
        "place": meeting.place or "",
        "host": meeting.host.name if meeting.host else "",
        "updated_at": minutes.updated_at.astimezone(UTC).isoformat(),
        "attendance": [
            {"delegation": row.delegation_name,
             "status": AttendanceStatus(row.status).label,
             "delegates": row.delegates or ""}
            for row in minutes.attendance
        ],
        "summary": minutes.summary or "",
        "sections": [
            {
                "heading": section.label,
                "notes": section.note.text if section.note else "",
                "decisions": [_decision(d) for d in section.decisions],
                "actions": [
                    {"title": item.title,
                     "owner": item.owner.short_name
                     + (f" ({item.owner_person.name})" if item.owner_person else ""),
                     "due": format_date(item.due_on) if item.due_on else "—",
                     "status": item.status_label}
                    for item in section.action_items
                ],
            }
            for section in parts if not section.is_empty
        ],
        "amendments": [
            {"when": format_date(a.amended_at.date()),
             "by": a.amended_by.name if a.amended_by else "",
             "reason": a.reason}
            for a in minutes.amendments
        ],
    }


def _moment(content: dict[str, Any]) -> datetime:
    return datetime.fromisoformat(content["updated_at"]).astimezone(UTC)


def _running_title(content: dict[str, Any]) -> str:
    return f"Minutes ({content['status_label'].lower()}) · {content['title']}"


def _facts(content: dict[str, Any]) -> list[str]:
    lines = [content["dialogue"], content["when"]]
    if content["place"]:
        lines.append(content["place"])
    if content["host"]:
        lines.append(f"Host: {content['host']}")
    lines.append(content["status_line"])
    return lines


# --- PDF --------------------------------------------------------------------------------

HEADINGS = FontFace(emphasis="BOLD", fill_color=(235, 238, 242))


class _MinutesPDF(MarkedPDF):
    margin = 20.0
    bottom = 26.0
    footer_marking = 19.0

    def running_title(self) -> str:
        return _running_title(self.content)

    def heading(self, text: str, size: float = 13) -> None:
        self.ln(2)
        self.set_font(FONT, "B", size)
        self.multi_cell(0, size * 0.5, text, align="L", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        self.ln(1)

    def paragraph(self, text: str, style: str = "", size: float = 10.5) -> None:
        self.set_font(FONT, style, size)
        for block in text.split("\n\n"):
            self.multi_cell(0, 5.2, block, align="L", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
            self.ln(1.5)

    def rows(self, head: tuple[str, ...], rows: list[tuple[str, ...]],
             widths: tuple[int, ...]) -> None:
        self.set_font(FONT, "", 9.5)
        with self.table(col_widths=widths, text_align="LEFT", line_height=5,
                        headings_style=HEADINGS, repeat_headings=1) as table:
            heading = table.row()
            for label in head:
                heading.cell(label)
            for values in rows:
                row = table.row()
                for value in values:
                    row.cell(value)
        self.ln(2)


def minutes_pdf(content: dict[str, Any]) -> bytes:
    pdf = _MinutesPDF(content)
    pdf.set_creation_date(_moment(content))
    pdf.set_title(_running_title(content))
    pdf.set_subject(content["dialogue"])
    pdf.set_author("Dialogue Planner")
    pdf.set_creator("Dialogue Planner")
    pdf.set_keywords(content["classification"])
    pdf.set_lang("en-GB")
    pdf.add_page()

    pdf.set_font(FONT, "B", 20)
    label = "Minutes" if content["status"] != "draft" else "Draft minutes"
    pdf.multi_cell(0, 9, label, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.set_font(FONT, "B", 13)
    pdf.multi_cell(0, 6.5, content["title"], new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.ln(1)
    pdf.set_font(FONT, "", 10.5)
    for line in _facts(content):
        pdf.multi_cell(0, 5.2, line, new_x=XPos.LMARGIN, new_y=YPos.NEXT)

    if content["attendance"]:
        pdf.heading("Attendance")
        pdf.rows(("Delegation", "Attendance", "Names"),
                 [(a["delegation"], a["status"], a["delegates"]) for a in content["attendance"]],
                 (70, 28, 72))
    if content["summary"]:
        pdf.heading("Summary")
        pdf.paragraph(content["summary"])
    for section in content["sections"]:
        pdf.heading(section["heading"], size=12)
        if section["notes"]:
            pdf.paragraph(section["notes"])
        for number, decision in enumerate(section["decisions"], start=1):
            pdf.paragraph(f"Decision {number}: {decision}", style="B", size=10.5)
        if section["actions"]:
            pdf.rows(("Action", "Owner", "Due", "Status"),
                     [(a["title"], a["owner"], a["due"], a["status"])
                      for a in section["actions"]],
                     (86, 38, 26, 20))
    if content["amendments"]:
        pdf.heading("Amendments after approval")
        for amendment in content["amendments"]:
            pdf.paragraph(f"{amendment['when']}, {amendment['by']}: {amendment['reason']}",
                          size=9.5)
    return bytes(pdf.output())


# --- DOCX -------------------------------------------------------------------------------


def _run(paragraph, text: str, *, bold: bool = False, size: float | None = None,
         grey: bool = False):
    run = paragraph.add_run(text)
    run.bold = bold
    if size:
        run.font.size = Pt(size)
    if grey:
        run.font.color.rgb = RGBColor(0x50, 0x5A, 0x5F)
    return run


def _marking(paragraph, text: str) -> None:
    paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
    _run(paragraph, text, bold=True, size=10)


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


def _table(document, head: tuple[str, ...], rows: list[tuple[str, ...]]) -> None:
    table = document.add_table(rows=1, cols=len(head))
    table.style = "Table Grid"
    for cell, label in zip(table.rows[0].cells, head, strict=True):
        _run(cell.paragraphs[0], label, bold=True)
    for values in rows:
        for cell, value in zip(table.add_row().cells, values, strict=True):
            _run(cell.paragraphs[0], value, size=9.5)
    document.add_paragraph()


def minutes_docx(content: dict[str, Any]) -> bytes:
    document = Document()
    section = document.sections[0]
    section.page_width, section.page_height = Mm(210), Mm(297)
    section.left_margin = section.right_margin = Mm(20)
    section.top_margin = section.bottom_margin = Mm(22)
    document.styles["Normal"].font.size = Pt(10.5)

    _marking(section.header.paragraphs[0], content["classification"])
    _marking(section.footer.paragraphs[0], content["classification"])
    running = section.footer.add_paragraph()
    running.alignment = WD_ALIGN_PARAGRAPH.CENTER
    _run(running, f"{_running_title(content)} · page ", size=8, grey=True)
    _page_number(running)

    document.add_heading("Minutes" if content["status"] != "draft" else "Draft minutes", level=0)
    document.add_heading(content["title"], level=1)
    for line in _facts(content):
        document.add_paragraph(line)
    if content["attendance"]:
        document.add_heading("Attendance", level=2)
        _table(document, ("Delegation", "Attendance", "Names"),
               [(a["delegation"], a["status"], a["delegates"]) for a in content["attendance"]])
    if content["summary"]:
        document.add_heading("Summary", level=2)
        for block in content["summary"].split("\n\n"):
            document.add_paragraph(block)
    for part in content["sections"]:
        document.add_heading(part["heading"], level=2)
        for block in filter(None, part["notes"].split("\n\n")):
            document.add_paragraph(block)
        for number, decision in enumerate(part["decisions"], start=1):
            _run(document.add_paragraph(), f"Decision {number}: {decision}", bold=True)
        if part["actions"]:
            _table(document, ("Action", "Owner", "Due", "Status"),
                   [(a["title"], a["owner"], a["due"], a["status"]) for a in part["actions"]])
    if content["amendments"]:
        document.add_heading("Amendments after approval", level=2)
        for amendment in content["amendments"]:
            document.add_paragraph(
                f"{amendment['when']}, {amendment['by']}: {amendment['reason']}"
            )

    moment = _moment(content).replace(tzinfo=None)
    properties = document.core_properties
    properties.title = _running_title(content)
    properties.subject = content["dialogue"]
    properties.author = "Dialogue Planner"
    properties.category = content["classification"]
    properties.keywords = content["classification"]
    properties.created = properties.modified = moment
    buffer = io.BytesIO()
    document.save(buffer)
    return _stamped(buffer.getvalue(), moment)


def _stamped(data: bytes, moment: datetime) -> bytes:
    """The archive with every entry dated `moment` (python-docx dates them 'now')."""
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
