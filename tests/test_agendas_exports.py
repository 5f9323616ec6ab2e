"""PDF and DOCX of a circulated version, read back: every item in order, times,
presenters, the classification marking, non-ASCII names, identical bytes."""

from __future__ import annotations

import copy
import re
import time

import pytest
from sqlalchemy import select

from planner.agendas import exports
from planner.agendas import operations as ops
from planner.extensions import db
from planner.models import AgendaVersion, DialogueRole, Meeting, Participant, Person
from tests.agendas_support import (
    antwerp,
    build,
    docx_parts,
    fresh_agenda,
    in_order,
    pdf_text,
    person,
    squeeze,
    text_of,
)
from tests.conftest import CHAIR_COALITION, DELEGATE_NL

MINISTER = "Dilan Yeşilgöz-Zegerius"


@pytest.fixture
def version(demo) -> AgendaVersion:
    """Antwerp's agenda v1, with a presenter whose name needs more than Latin-1, a title
    with an en dash, notes, and a time box long enough to overrun the meeting."""
    meeting = antwerp()
    nl = db.session.scalar(select(Participant).where(Participant.short_name == "NL"))
    minister = Person(email="minister.nl@example.org", name=MINISTER, participant=nl)
    minister.dialogue_roles.append(DialogueRole(dialogue_id=meeting.dialogue_id, role="delegate"))
    db.session.add(minister)
    db.session.commit()
    agenda = build(meeting)
    ops.add_item(agenda, title="Ports – state of play after Rotterdam", duration_minutes=400,
                 presenter=f"person:{minister.id}", notes="Slides in Dutch and French")
    return ops.circulate_agenda(fresh_agenda(meeting.id), actor=person(CHAIR_COALITION))


def expected_rows(content) -> list[str]:
    return [f"{entry['number']} {entry['starts']}" for entry in content["items"]]


def test_pdf_holds_every_item_in_order_with_times_presenters_and_marking(version):
    content = version.content
    pages = pdf_text(exports.agenda_pdf(content))
    text = " ".join(pages)
    assert in_order(text, [squeeze(entry["title"]) for entry in content["items"]])
    assert in_order(text, expected_rows(content))
    assert MINISTER in text and "Ports – state of play after Rotterdam" in text
    assert "Belgium (justice and interior ministries)" in text  # the host welcomes
    assert "Tuesday" in text and "09:30–17:00" in text
    assert f"past the meeting's end at {content['meeting']['ends']}" in text
    assert len(pages) >= 2
    for number, page in enumerate(pages, start=1):
        # The marking heads and foots every page.
        assert page.startswith("OFFICIAL"), page[:40]
        assert page.count("OFFICIAL") >= 2
        assert f"Page {number} of {len(pages)}" in page


def test_docx_holds_every_item_in_order_with_times_presenters_and_marking(version):
    content = version.content
    document = docx_parts(exports.agenda_docx(content))
    (table,) = document.tables
    rows = [[squeeze(cell.text) for cell in row.cells] for row in table.rows]
    assert rows[0] == ["No.", "Time", "Item", "Presenter"]
    assert [row[0] for row in rows[1:]] == [entry["number"] for entry in content["items"]]
    assert [row[2].startswith(squeeze(entry["title"])) for row, entry in
            zip(rows[1:], content["items"], strict=True)] == [True] * len(content["items"])
    assert [row[1].split(" ")[0].split("–")[0] for row in rows[1:]] == [
        entry["starts"] for entry in content["items"]]
    assert MINISTER in [row[3] for row in rows[1:]]
    section = document.sections[0]
    assert section.header.paragraphs[0].text == "OFFICIAL"
    assert section.footer.paragraphs[0].text == "OFFICIAL"
    body = " ".join(p.text for p in document.paragraphs)
    assert "Coalition ministerial meeting, Antwerp" in body and "Version 1" in body


def test_a_sensitive_meeting_is_marked_so_in_both(version):
    meeting = db.session.get(Meeting, version.content["meeting"]["id"])
    meeting.classification = "OFFICIAL-SENSITIVE"
    db.session.commit()
    ops.add_item(fresh_agenda(meeting.id), title="Operational briefing")
    v2 = ops.circulate_agenda(fresh_agenda(meeting.id), actor=person(CHAIR_COALITION))
    for page in pdf_text(exports.agenda_pdf(v2.content)):
        assert page.startswith("OFFICIAL-SENSITIVE") and page.count("OFFICIAL-SENSITIVE") >= 2
    document = docx_parts(exports.agenda_docx(v2.content))
    assert document.sections[0].header.paragraphs[0].text == "OFFICIAL-SENSITIVE"
    # The earlier version keeps the marking it was circulated with.
    assert pdf_text(exports.agenda_pdf(version.content))[0].startswith("OFFICIAL ")


def test_the_same_version_gives_the_same_bytes_every_time(version):
    pdf, docx = exports.agenda_pdf(version.content), exports.agenda_docx(version.content)
    time.sleep(1.1)  # a timestamp taken at rendering would now differ
    assert exports.agenda_pdf(version.content) == pdf
    assert exports.agenda_docx(version.content) == docx


def test_downloads_are_named_and_typed(sign_in, version):
    client = sign_in(DELEGATE_NL)
    meeting_id = version.content["meeting"]["id"]
    pdf = client.get(f"/meetings/{meeting_id}/agenda/v1.pdf")
    assert pdf.mimetype == "application/pdf"
    assert pdf.headers["Content-Disposition"] == (
        "attachment; filename=agenda-coalition-ministerial-meeting-antwerp-v1.pdf")
    assert pdf.get_data()[:5] == b"%PDF-"
    docx = client.get(f"/meetings/{meeting_id}/agenda/v1.docx")
    assert docx.mimetype == exports.DOCX_MIMETYPE
    assert docx.get_data() == exports.agenda_docx(version.content)


def test_the_version_page_prints_as_the_paper(sign_in, version):
    meeting_id = version.content["meeting"]["id"]
    page = text_of(sign_in(DELEGATE_NL).get(f"/meetings/{meeting_id}/agenda"))
    # The marking tops and tails the paper (the print stylesheet repeats it on each page).
    for end in ("top", "bottom"):
        assert re.search(rf'agenda-paper__marking--{end}">.*?OFFICIAL</p>', page), end
    # Its class names the printed page that carries the marking in every page's margin
    # (static/css/planner.css; tests/e2e prints it in Chromium).
    assert 'class="agenda-paper agenda-paper--official"' in page
    assert "<style" not in page
    assert MINISTER in page
    assert in_order(page, [entry["title"] for entry in version.content["items"]])


def large_content(version: AgendaVersion, count: int) -> dict:
    """`version`'s content with `count` items, made from its own (so in the shape that
    circulating writes), each with a number, title and start of its own."""
    content = copy.deepcopy(version.content)
    models = content["items"]
    items = []
    for index in range(count):
        entry = dict(models[index % len(models)])
        minute = 9 * 60 + index
        entry.update(number=f"{index // 10 + 1}.{index % 10}",
                     title=f"{entry['title']} ({index + 1})",
                     starts=f"{minute // 60 % 24:02d}:{minute % 60:02d}")
        items.append(entry)
    content["items"] = items
    return content


def test_a_large_version_holds_every_item_in_order_in_both(version):
    content = large_content(version, 3000)
    items = content["items"]
    text = " ".join(pdf_text(exports.agenda_pdf(content)))
    assert in_order(text, [f"{squeeze(entry['title'])}" for entry in items])
    assert in_order(text, expected_rows(content))
    assert MINISTER in text
    (table,) = docx_parts(exports.agenda_docx(content)).tables
    rows = [[squeeze(cell.text) for cell in row.cells] for row in table.rows[1:]]
    assert [row[0] for row in rows] == [entry["number"] for entry in items]
    assert [row[1].split(" ")[0].split("–")[0] for row in rows] == [
        entry["starts"] for entry in items]
    assert [row[2].startswith(squeeze(entry["title"])) for row, entry in
            zip(rows, items, strict=True)] == [True] * len(items)
    assert [row[3] for row in rows] == [squeeze(entry["presenter"] or "") for entry in items]
