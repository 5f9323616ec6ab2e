"""Circulating an agenda with a notice e-mails the dialogue's people through the outbox;
an OFFICIAL-SENSITIVE meeting's notice carries no item."""

from __future__ import annotations

from sqlalchemy import select

from planner.agendas.operations import build_agenda, circulate_agenda
from planner.extensions import db
from planner.models import Meeting, OutboxMessage


def antwerp() -> Meeting:
    return db.session.scalar(select(Meeting).where(Meeting.city == "Antwerp"))


def circulate(meeting: Meeting, *, notify: bool):
    agenda = build_agenda(meeting, actor=None).agenda
    version = circulate_agenda(agenda, actor=None, notify=notify)
    db.session.commit()
    return version


def notices() -> list[OutboxMessage]:
    return list(db.session.scalars(select(OutboxMessage).where(
        OutboxMessage.kind == "agenda_circulated").order_by(OutboxMessage.recipient)))


def test_members_get_the_items_by_email(demo):
    version = circulate(antwerp(), notify=True)
    sent = notices()
    assert [m.recipient for m in sent] == sorted([
        "chair.coalition@example.org", "delegate.nl@example.org",
        "observer.europol@example.org"])
    body = sent[0].text_body
    assert f"Agenda v{version.number}" in sent[0].subject
    assert "Platform for ports, airports and transport corridors" in body
    assert f"/meetings/{version.agenda.meeting_id}/agenda/v{version.number}" in body


def test_no_notice_unless_asked(demo):
    circulate(antwerp(), notify=False)
    assert notices() == []


def test_a_sensitive_meetings_notice_has_no_items(demo):
    meeting = antwerp()
    meeting.classification = "OFFICIAL-SENSITIVE"
    db.session.commit()
    circulate(meeting, notify=True)
    body = notices()[0].text_body
    assert "Platform for ports" not in body and "Antwerp" in body
    assert notices()[0].subject.startswith("[OFFICIAL-SENSITIVE]")
