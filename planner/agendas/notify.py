"""E-mail the dialogue's people when an agenda version is circulated with a notice.

Connected to `agenda_circulated`; it only queues messages in the outbox, in the same
transaction as the circulation. An OFFICIAL-SENSITIVE meeting's notice carries the
title, the time and a link, never the items."""

from __future__ import annotations

from sqlalchemy import select

from planner.calendar.links import external_url
from planner.extensions import db
from planner.models import AgendaVersion, DialogueRole, Person
from planner.outbox.operations import queue_message
from planner.signals import agenda_circulated


@agenda_circulated.connect
def email_members(version: AgendaVersion, *, notify: bool = False, **_extra) -> None:
    if not notify:
        return
    meeting = version.agenda.meeting
    link = external_url("agendas.version", meeting_id=meeting.id, number=version.number)
    content = version.content
    lines = [
        f"Agenda v{version.number} of {content['meeting']['title']} is circulated.",
        f"When: {content['meeting']['when']}",
    ]
    if not meeting.is_sensitive:
        if content["meeting"].get("place"):
            lines.append(f"Where: {content['meeting']['place']}")
        lines.append("")
        for item in content["items"]:
            lines.append(f"{item['number']:>5}  {item['starts']}  {item['title']}")
    lines += ["", f"Read it, print it or download it: {link}"]
    people = db.session.scalars(
        select(Person).join(DialogueRole).where(
            DialogueRole.dialogue_id == meeting.dialogue_id, Person.active.is_(True))
        .order_by(Person.id)
    )
    for person in people:
        queue_message(
            kind="agenda_circulated",
            recipient=person.email,
            subject=f"[{meeting.marking}] Agenda v{version.number}: {meeting.title}",
            text_body=f"Dear {person.name},\n\n" + "\n".join(lines) + "\n",
            meeting=meeting,
            person=person,
        )
