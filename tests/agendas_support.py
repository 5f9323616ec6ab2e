"""Helpers for the agenda tests: the demo's meetings and people, a built draft, and
posting the draft's forms as a browser would (CSRF token and the draft's version_id)."""

from __future__ import annotations

import io
import re

from flask.testing import FlaskClient
from sqlalchemy import select

from planner.agendas import operations as ops
from planner.extensions import db
from planner.models import Agenda, AgendaItem, Commitment, Dialogue, Meeting, Person
from tests.conftest import csrf_token


def dialogue(slug: str) -> Dialogue:
    return db.session.scalar(select(Dialogue).where(Dialogue.slug == slug))


def first_meeting_in(city: str) -> Meeting:
    return db.session.scalar(
        select(Meeting).where(Meeting.city == city).order_by(Meeting.starts_at).limit(1)
    )


def antwerp() -> Meeting:
    return first_meeting_in("Antwerp")


def person(email: str) -> Person:
    return db.session.scalar(select(Person).where(Person.email == email))


def fresh_agenda(meeting_id: int) -> Agenda:
    """The draft as stored now (what a request made elsewhere left behind)."""
    db.session.expire_all()
    return ops.load_agenda(meeting_id)


def build(meeting: Meeting, **kwargs) -> Agenda:
    return ops.build_agenda(meeting, **kwargs).agenda


def item_by_key(agenda: Agenda, key: str) -> AgendaItem:
    (item,) = [i for i in agenda.items if i.source_key == key]
    return item


def numbered(agenda: Agenda) -> list[tuple[str, AgendaItem]]:
    plan = ops.schedule(agenda.meeting, ops.active_items(agenda))
    return [(slot.number, slot.item) for slot in plan.slots]


def commitment(reference: str, slug: str = "coalition") -> Commitment:
    return db.session.scalar(
        select(Commitment).where(
            Commitment.reference == reference, Commitment.dialogue.has(slug=slug)
        )
    )


def post(client: FlaskClient, path: str, data: dict | None = None, **kwargs):
    """A form post with the session's CSRF token, as the page's own form sends it."""
    token = csrf_token(client, "/")
    return client.post(path, data={"csrf_token": token, **(data or {})}, **kwargs)


def text_of(response) -> str:
    return response.get_data(as_text=True)


def squeeze(text: str) -> str:
    """Text with every run of white space made one space (extracted text wraps lines)."""
    return re.sub(r"\s+", " ", text).strip()


def pdf_text(data: bytes) -> list[str]:
    from pypdf import PdfReader

    return [squeeze(page.extract_text()) for page in PdfReader(io.BytesIO(data)).pages]


def docx_parts(data: bytes):
    from docx import Document

    return Document(io.BytesIO(data))


def in_order(text: str, parts: list[str]) -> bool:
    """Whether every part occurs in `text`, each after the one before."""
    position = 0
    for part in parts:
        found = text.find(part, position)
        if found < 0:
            return False
        position = found + len(part)
    return True
