"""Helpers for the calendar and outbox tests: meetings made to order, reading .ics back
as clients do, and a real SMTP server (aiosmtpd) on 127.0.0.1."""

from __future__ import annotations

import socket
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time
from email import message_from_bytes, policy
from email.message import EmailMessage
from time import monotonic, sleep
from zoneinfo import ZoneInfo

import recurring_ical_events
from aiosmtpd.controller import Controller
from icalendar import Calendar
from sqlalchemy import select

from planner.calendar import feeds
from planner.extensions import db
from planner.models import (
    Dialogue,
    DialogueRole,
    InviteeRole,
    Meeting,
    MeetingInvitee,
    MeetingStatus,
)

INVITEE_ROLES = {"chair": InviteeRole.CHAIR, "delegate": InviteeRole.REQUIRED,
                 "observer": InviteeRole.OPTIONAL}


def dialogue(slug: str) -> Dialogue:
    return db.session.scalar(select(Dialogue).where(Dialogue.slug == slug))


def at(day: date, hour: int, minute: int, zone: str) -> datetime:
    return datetime.combine(day, time(hour, minute), ZoneInfo(zone)).astimezone(UTC)


def make_meeting(
    slug: str,
    *,
    title: str,
    day: date,
    zone: str = "Europe/Brussels",
    hours: tuple[tuple[int, int], tuple[int, int]] = ((9, 30), (17, 0)),
    city: str = "Brussels",
    venue: str = "",
    status: str = MeetingStatus.CONFIRMED,
    invite: bool = True,
    **values,
) -> Meeting:
    """A meeting of a demo dialogue, its people invited as the demo invites them."""
    owner = dialogue(slug)
    (start_h, start_m), (end_h, end_m) = hours
    meeting = Meeting(
        dialogue=owner, title=title, status=status, timezone=zone, city=city, venue=venue,
        starts_at=at(day, start_h, start_m, zone), ends_at=at(day, end_h, end_m, zone),
        **values,
    )
    db.session.add(meeting)
    if invite:
        for role in db.session.scalars(
            select(DialogueRole).where(DialogueRole.dialogue_id == owner.id)
            .order_by(DialogueRole.id)
        ):
            meeting.invitees.append(
                MeetingInvitee(person_id=role.person_id, role=INVITEE_ROLES[role.role])
            )
    db.session.commit()
    return meeting


def parse(body: bytes | str) -> Calendar:
    return Calendar.from_ical(body)


@dataclass(frozen=True, order=True)
class Occurrence:
    uid: str
    start: datetime
    end: datetime
    status: str


def occurrences(body: bytes | str, since: date, until: date) -> set[Occurrence]:
    """Expanded as a calendar client would (recurring-ical-events), in UTC."""
    found = set()
    for event in recurring_ical_events.of(parse(body)).between(since, until):
        found.add(Occurrence(
            str(event["UID"]),
            event.decoded("DTSTART").astimezone(UTC),
            event.decoded("DTEND").astimezone(UTC),
            str(event.get("STATUS", "")),
        ))
    return found


def expected(meetings) -> set[Occurrence]:
    status = {"proposed": "TENTATIVE", "confirmed": "CONFIRMED", "held": "CONFIRMED",
              "cancelled": "CANCELLED"}
    return {Occurrence(m.uid, m.starts_at, m.ends_at, status[m.status]) for m in meetings}


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@dataclass
class Inbox:
    """An aiosmtpd handler that keeps what it receives and can refuse addresses."""

    messages: list[EmailMessage] = field(default_factory=list)
    envelopes: list[tuple[str, list[str]]] = field(default_factory=list)
    refuse: dict[str, str] = field(default_factory=dict)  # address: the server's reply

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):  # noqa: N802
        if address in self.refuse:
            return self.refuse[address]
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):  # noqa: N802
        self.envelopes.append((envelope.mail_from, list(envelope.rcpt_tos)))
        self.messages.append(message_from_bytes(envelope.content, policy=policy.default))
        return "250 Message accepted for delivery"

    def to(self, address: str) -> list[EmailMessage]:
        return [m for m in self.messages if address in m["To"]]


@contextmanager
def smtp_server(port: int | None = None, handler: Inbox | None = None
                ) -> Iterator[tuple[Inbox, int]]:
    """A real SMTP server on 127.0.0.1, stopped when the block ends."""
    inbox = handler or Inbox()
    port = port or free_port()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        yield inbox, port
    finally:
        controller.stop()


def calendar_part(message: EmailMessage) -> tuple[EmailMessage, bytes]:
    part = next(p for p in message.walk() if p.get_content_type() == "text/calendar")
    return part, part.get_payload(decode=True)


def listening_for_feed_changes(client, feed_path: str, seconds: float = 10.0) -> None:
    """On PostgreSQL, poll once (which starts the process's listening thread) and wait
    until polls are answered from memory, so that counts of queries hold still; nothing
    to wait for on SQLite, where every poll reads its row."""
    client.get(feed_path)
    links = feeds._polling()[1]
    deadline = monotonic() + seconds
    while links is not None and not links.listening:
        assert monotonic() < deadline, "not listening for feed changes"
        sleep(0.02)
