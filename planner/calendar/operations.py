"""Calendar operations: personal feed links, answers to invitations, sending invites.
Each one changes the records and writes the audit log; the caller commits."""

from __future__ import annotations

import hashlib
import re
import secrets
from dataclasses import dataclass

from sqlalchemy import func, select, update
from sqlalchemy.orm import joinedload

from planner import audit
from planner.access import Reader, leave_out_archived, restrict_to_visible
from planner.calendar.invites import InviteKind, queue_invites
from planner.extensions import db
from planner.models import (
    CalendarToken,
    Dialogue,
    Meeting,
    MeetingInvitee,
    MeetingStatus,
    OutboxMessage,
    Person,
    Response,
    utcnow,
)
from planner.validation import InvalidInput

# 32 random bytes: 256 bits, well above the 128 a guess must beat.
TOKEN_BYTES = 32
TOKEN_SHAPE = re.compile(r"[A-Za-z0-9_-]{43}")

ANSWERS = {
    "accepted": Response.ACCEPTED,
    "declined": Response.DECLINED,
    "tentative": Response.TENTATIVE,
}


# --- personal feed links ----------------------------------------------------------------


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode("ascii")).hexdigest()


def active_feed(person: Person) -> CalendarToken | None:
    return db.session.scalar(
        select(CalendarToken)
        .where(CalendarToken.person_id == person.id, CalendarToken.revoked_at.is_(None))
        .order_by(CalendarToken.created_at.desc())
        .limit(1)
    )


def new_feed_link(person: Person) -> str:
    """A new secret for the person's feed; any older one stops working. Returns the
    token, which is shown once: only its SHA-256 is kept."""
    revoked = revoke_feed_links(person, audit_it=False)
    token = secrets.token_urlsafe(TOKEN_BYTES)
    record = CalendarToken(person_id=person.id, token_hash=hash_token(token))
    db.session.add(record)
    audit.record("calendar_token.created", record,
                 summary="New calendar feed link" + (" (the old one revoked)" if revoked else ""),
                 actor=person)
    return token


def revoke_feed_links(person: Person, *, audit_it: bool = True) -> int:
    result = db.session.execute(
        update(CalendarToken)
        .where(CalendarToken.person_id == person.id, CalendarToken.revoked_at.is_(None))
        .values(revoked_at=utcnow())
        .execution_options(synchronize_session=False)
    )
    if result.rowcount and audit_it:
        audit.record("calendar_token.revoked", person, summary="Calendar feed link revoked",
                     actor=person)
    return result.rowcount


# --- what the calendars hold ------------------------------------------------------------


def _meetings():
    return select(Meeting).options(joinedload(Meeting.dialogue), joinedload(Meeting.host))


def feed_meetings(person: Reader) -> list[Meeting]:
    """Every meeting of every dialogue the person can see (access decides, as for pages),
    but an archived dialogue's: archiving moves the dialogue's calendar revision, and so
    its readers' (a trigger), so their feeds change on the next poll."""
    query = leave_out_archived(restrict_to_visible(_meetings(), Meeting.dialogue_id, person),
                               Meeting.dialogue_id)
    return list(db.session.scalars(query.order_by(Meeting.starts_at, Meeting.id)))


def dialogue_meetings(dialogue: Dialogue) -> list[Meeting]:
    query = _meetings().where(Meeting.dialogue_id == dialogue.id)
    return list(db.session.scalars(query.order_by(Meeting.starts_at, Meeting.id)))


def invitation(meeting: Meeting, person: Person) -> MeetingInvitee | None:
    return db.session.scalar(
        select(MeetingInvitee).where(
            MeetingInvitee.meeting_id == meeting.id, MeetingInvitee.person_id == person.id
        )
    )


# --- answering and sending invitations ------------------------------------------------


def _check_open(meeting: Meeting, field: str) -> None:
    if meeting.status == MeetingStatus.CANCELLED:
        raise InvalidInput.on(field, "This meeting is cancelled.")
    if meeting.status == MeetingStatus.HELD or meeting.ends_at <= utcnow():
        raise InvalidInput.on(field, "This meeting is over.")


COMMENT_LENGTH = 2000


def respond(
    meeting: Meeting, person: Person, answer: str | None, *, comment: str | None = "",
    via: str = "website", details: dict | None = None,
) -> MeetingInvitee:
    """The person's answer to the invitation (accepted, declined, tentative), with what
    they wrote with it; the next invite or update carries it as their PARTSTAT. On the
    website or by a calendar reply (`via`, with the reply's `details`), the same record
    and the same audit entry."""
    if answer not in ANSWERS:
        raise InvalidInput.on("response", "Choose whether you accept, decline or may attend.")
    comment = (comment or "").strip()
    if len(comment) > COMMENT_LENGTH:
        raise InvalidInput.on("comment", f"Keep the comment under {COMMENT_LENGTH} characters.")
    _check_open(meeting, "response")
    invitee = invitation(meeting, person)
    if invitee is None:
        raise InvalidInput.on("response", "You are not on the list of invitees of this "
                                          "meeting; ask the secretariat to invite you.")
    before = invitee.response
    invitee.response = ANSWERS[answer]
    invitee.response_comment = comment
    invitee.responded_at = utcnow()
    audit.record("meeting.responded", meeting, summary=f"{person.name}: {answer}",
                 details={"before": before, "after": invitee.response, "comment": comment,
                          "via": via, **(details or {})},
                 dialogue_id=meeting.dialogue_id, actor=person)
    return invitee


def send_invites(meeting: Meeting, *, by: Person) -> list[OutboxMessage]:
    """Queue the invite for every invitee (again, if they had it). Later changes to the
    meeting then go out to them by themselves."""
    _check_open(meeting, "invites")
    messages = queue_invites(meeting, InviteKind.INVITE)
    if not messages:
        raise InvalidInput.on("invites", "No one is invited to this meeting yet.")
    audit.record("meeting.invites_sent", meeting,
                 summary=f"Invites queued for {len(messages)} people",
                 details={"recipients": [m.recipient for m in messages],
                          "sequence": meeting.sequence},
                 dialogue_id=meeting.dialogue_id, actor=by)
    return messages


@dataclass(frozen=True)
class Answers:
    """The invitees' answers to a meeting: counts, and who said what by delegation."""

    counts: dict[str, int]
    delegations: list[tuple[str, list[MeetingInvitee]]]

    @property
    def total(self) -> int:
        return sum(self.counts.values())


def meeting_answers(meeting: Meeting) -> Answers:
    invitees = db.session.scalars(
        select(MeetingInvitee)
        .options(joinedload(MeetingInvitee.person).joinedload(Person.participant))
        .where(MeetingInvitee.meeting_id == meeting.id)
    ).all()
    counts = {str(response): 0 for response in Response}
    groups: dict[str, list[MeetingInvitee]] = {}
    for invitee in invitees:
        counts[invitee.response] += 1
        participant = invitee.person.participant
        groups.setdefault(participant.name if participant else "Secretariat and others",
                          []).append(invitee)
    delegations = [(name, sorted(people, key=lambda i: i.person.name))
                   for name, people in sorted(groups.items())]
    return Answers(counts, delegations)


def answer_counts(meeting: Meeting) -> dict[str, int]:
    """How many invitees accepted, may attend, declined or have not answered: one
    grouped count (the chair's draft agenda shows only these)."""
    counts = {str(response): 0 for response in Response}
    counts.update(db.session.execute(
        select(MeetingInvitee.response, func.count())
        .where(MeetingInvitee.meeting_id == meeting.id)
        .group_by(MeetingInvitee.response)
    ).all())
    return counts


def invite_counts(meeting: Meeting) -> dict[str, int]:
    """Outbox messages of this meeting by status: pending, sending, sent, failed."""
    rows = db.session.execute(
        select(OutboxMessage.status, func.count())
        .where(OutboxMessage.meeting_id == meeting.id)
        .group_by(OutboxMessage.status)
    ).all()
    return dict(rows)
