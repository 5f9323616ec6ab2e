"""E-mailed invites: one message per invitee, each with the text, HTML and calendar
parts, queued in the outbox in the transaction of the change that causes it."""

from __future__ import annotations

from enum import StrEnum

from flask import render_template
from sqlalchemy import select
from sqlalchemy.orm import joinedload

from planner.calendar import ics
from planner.calendar.links import is_sensitive, meeting_url
from planner.extensions import db
from planner.models import (
    Meeting,
    MeetingChange,
    MeetingChangeKind,
    MeetingInvitee,
    OutboxMessage,
    utcnow,
)
from planner.outbox import queue_message
from planner.timefmt import format_day, in_zone


class InviteKind(StrEnum):
    INVITE = "invite"
    UPDATE = "update"
    CANCEL = "cancel"

    @property
    def message_kind(self) -> str:
        """The outbox row's `kind`."""
        return f"meeting.{self.value}"


SUBJECTS = {
    InviteKind.INVITE: "Invitation: {title} ({day})",
    InviteKind.UPDATE: "Updated invitation: {title} ({day})",
    InviteKind.CANCEL: "Cancelled: {title} ({day})",
}
# The changes after which those already invited hear of it.
UPDATES = {MeetingChangeKind.CONFIRMED, MeetingChangeKind.RESCHEDULED,
           MeetingChangeKind.UPDATED}


def invited_person_ids(meeting: Meeting) -> set[int]:
    """Who has been sent this meeting's invite (queued counts: it will go)."""
    kinds = (InviteKind.INVITE.message_kind, InviteKind.UPDATE.message_kind)
    return set(
        db.session.scalars(
            select(OutboxMessage.person_id).where(
                OutboxMessage.meeting_id == meeting.id,
                OutboxMessage.kind.in_(kinds),
                OutboxMessage.person_id.is_not(None),
            )
        )
    )


def queue_invites(
    meeting: Meeting, kind: InviteKind, *, person_ids: set[int] | None = None
) -> list[OutboxMessage]:
    """Queue the invite, update or cancellation for the meeting's invitees (those in
    `person_ids` if given). Adds to the session; the caller commits."""
    invitees = db.session.scalars(
        select(MeetingInvitee)
        .options(joinedload(MeetingInvitee.person))
        .where(MeetingInvitee.meeting_id == meeting.id)
        .order_by(MeetingInvitee.id)
    ).all()
    method = ics.Method.CANCEL if kind is InviteKind.CANCEL else ics.Method.REQUEST
    now = utcnow()
    messages = []
    for invitee in invitees:
        person = invitee.person
        if not person.active or (person_ids is not None and person.id not in person_ids):
            continue
        context = {
            "kind": kind.value,
            "meeting": meeting,
            "dialogue": meeting.dialogue,
            "person": person,
            "invitee": invitee,
            "sensitive": is_sensitive(meeting),
            "meeting_url": meeting_url(meeting),
            "reader_zone": _reader_zone(meeting, person),
        }
        messages.append(
            queue_message(
                kind=kind.message_kind,
                recipient=person.email,
                subject=SUBJECTS[kind].format(title=meeting.title,
                                              day=format_day(meeting.local_start)),
                text_body=render_template("calendar/email/invite.txt", **context),
                html_body=render_template("calendar/email/invite.html", **context),
                calendar=ics.invite(meeting, method=method, dtstamp=now,
                                    recipient=invitee).decode("utf-8"),
                calendar_method=str(method),
                meeting=meeting,
                person=person,
            )
        )
    return messages


def _reader_zone(meeting: Meeting, person) -> str | None:
    """The reader's own zone, if its clock differs from the venue's at the meeting."""
    zone = person.reading_timezone
    if in_zone(meeting.starts_at, zone).utcoffset() == meeting.local_start.utcoffset():
        return None
    return zone


def on_meeting_changed(meeting: Meeting, *, change: MeetingChange, **_extra) -> None:
    """Once invites have gone out, every change that a calendar shows goes out too: an
    update (REQUEST, higher SEQUENCE) or a cancellation (CANCEL, same UID). Before that
    the secretariat is still planning, and nobody is written to."""
    if change.kind not in UPDATES and change.kind != MeetingChangeKind.CANCELLED:
        return
    invited = invited_person_ids(meeting)
    if not invited:
        return
    if change.kind == MeetingChangeKind.CANCELLED:
        queue_invites(meeting, InviteKind.CANCEL, person_ids=invited)
    else:
        queue_invites(meeting, InviteKind.UPDATE)
