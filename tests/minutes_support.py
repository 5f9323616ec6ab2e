"""Helpers for the minutes, action item, commitment and search tests: the demo's records,
and forms posted as the browser sends them (CSRF token, version and base from the page)."""

from __future__ import annotations

import html
import io
import re

from flask.testing import FlaskClient
from sqlalchemy import func, select

from planner.extensions import db
from planner.models import (
    ActionItem,
    Commitment,
    Decision,
    Dialogue,
    Meeting,
    Minutes,
    MinutesStatus,
    Participant,
    Person,
)
from tests.conftest import csrf_token


def amsterdam() -> Meeting:
    return db.session.scalar(select(Meeting).where(Meeting.city == "Amsterdam"))


def antwerp() -> Meeting:
    return db.session.scalar(
        select(Meeting).where(Meeting.city == "Antwerp").order_by(Meeting.starts_at).limit(1)
    )


def dialogue(slug: str) -> Dialogue:
    return db.session.scalar(select(Dialogue).where(Dialogue.slug == slug))


def person(email: str) -> Person:
    return db.session.scalar(select(Person).where(Person.email == email))


def participant(short_name: str) -> Participant:
    return db.session.scalar(select(Participant).where(Participant.short_name == short_name))


def commitment(reference: str, slug: str = "coalition") -> Commitment:
    return db.session.scalar(
        select(Commitment).where(Commitment.reference == reference,
                                 Commitment.dialogue.has(slug=slug))
    )


def fresh_minutes(meeting_id: int) -> Minutes:
    """The minutes as stored now (what requests made elsewhere left behind)."""
    db.session.expire_all()
    return db.session.scalar(select(Minutes).where(Minutes.meeting_id == meeting_id))


def action(title_start: str) -> ActionItem:
    db.session.expire_all()
    return db.session.scalar(select(ActionItem).where(ActionItem.title.startswith(title_start)))


def decision_count() -> int:
    return db.session.scalar(select(func.count()).select_from(Decision))


def set_status(meeting: Meeting, status: MinutesStatus) -> Minutes:
    minutes = fresh_minutes(meeting.id)
    minutes.status = status
    db.session.commit()
    return minutes


def text_of(response) -> str:
    return response.get_data(as_text=True)


def post(client: FlaskClient, path: str, data: dict | None = None, **kwargs):
    token = csrf_token(client, "/")
    return client.post(path, data={"csrf_token": token, **(data or {})}, **kwargs)


def form_state(page: str) -> dict[str, str]:
    """The version and base a page's form carries, as the browser would send them back."""
    version = re.search(r'name="version" value="(\d*)"', page)
    base = re.search(r'name="base" value="([^"]*)"', page)
    state = {"version": version.group(1) if version else ""}
    if base:
        state["base"] = html.unescape(base.group(1))
    return state


def textarea(page: str, name: str) -> str:
    match = re.search(rf'<textarea[^>]*name="{re.escape(name)}"[^>]*>(.*?)</textarea>', page,
                      re.S)
    assert match, f"no textarea {name}"
    return html.unescape(match.group(1))


def open_form(client: FlaskClient, path: str) -> tuple[str, dict[str, str]]:
    page = text_of(client.get(path))
    return page, form_state(page)


def squeeze(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()


def pdf_pages(data: bytes) -> list[str]:
    from pypdf import PdfReader

    return [squeeze(page.extract_text()) for page in PdfReader(io.BytesIO(data)).pages]


def docx_parts(data: bytes) -> tuple[list[str], list[str], str]:
    """(header paragraphs, footer paragraphs, body text incl. tables) of a DOCX."""
    from docx import Document

    document = Document(io.BytesIO(data))
    section = document.sections[0]
    body = [p.text for p in document.paragraphs]
    for table in document.tables:
        for row in table.rows:
            body.extend(cell.text for cell in row.cells)
    return ([p.text for p in section.header.paragraphs],
            [p.text for p in section.footer.paragraphs], "\n".join(body))


def words(response) -> str:
    """The page's text as a reader sees it: tags out, white space squeezed."""
    page = response if isinstance(response, str) else text_of(response)
    page = re.sub(r"</?mark>", "", page)  # marked words are part of the sentence
    return squeeze(html.unescape(re.sub(r"<[^>]+>", " ", page)))
