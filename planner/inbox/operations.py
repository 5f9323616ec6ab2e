"""Answers that come back by e-mail: each one kept as a `CalendarReply`, matched to a
meeting and an invitee, and recorded by the same `respond` as an answer on the website.
Each operation changes the records and writes the audit log; the caller commits.

A reply counts only when its UID is a meeting's, its ATTENDEE is invited to it and the
message comes from that attendee's address (or the secretariat confirms that it does).
An answer to a cancelled meeting or to an older SEQUENCE is kept, not applied. A COUNTER
(another time proposed) is kept as a proposal and never applied."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import joinedload

from planner import audit
from planner.calendar.operations import respond
from planner.extensions import db
from planner.inbox.reading import (
    MAX_MESSAGE_BYTES,
    Answer,
    Envelope,
    Unreadable,
    calendar_text,
    envelope,
    read_answer,
)
from planner.models import (
    CalendarReply,
    Meeting,
    MeetingInvitee,
    MeetingStatus,
    Person,
    ReplyProblem,
    ReplySource,
    ReplyStatus,
    utcnow,
)
from planner.validation import InvalidInput

ANSWERS = {"ACCEPTED": "accepted", "TENTATIVE": "tentative", "DECLINED": "declined"}
VIA = "calendar reply"
WAITING = (ReplyStatus.UNMATCHED, ReplyStatus.PROPOSAL)


def reply_by_digest(digest: str) -> CalendarReply | None:
    return db.session.scalar(select(CalendarReply).where(CalendarReply.digest == digest))


def receive(
    raw: bytes | None, *, source: ReplySource, headers: bytes | None = None,
    size: int | None = None, uploaded_by: Person | None = None,
) -> CalendarReply:
    """Keep one message and do what it says, if it may. `raw` is the whole message, or
    None when it was too large to fetch (then `headers` and `size` say what it was).
    Returns the row already kept when the same message comes again."""
    raw = raw or b""
    size = len(raw) if size is None else size
    found = envelope(raw, headers=headers)
    existing = reply_by_digest(found.digest)
    if existing is not None:
        return existing
    reply = CalendarReply(
        digest=found.digest, source=source, sender=found.sender, subject=found.subject,
        message_id=found.message_id, headers=found.headers, size=size,
        uploaded_by_id=uploaded_by.id if uploaded_by is not None else None,
        received_at=utcnow(), status=ReplyStatus.UNMATCHED,  # until matched, below
    )
    db.session.add(reply)
    if size > MAX_MESSAGE_BYTES or not raw:
        _unmatched(reply, ReplyProblem.TOO_LARGE,
                   f"The message is {size / 1024 / 1024:.1f} MB; answers over "
                   f"{MAX_MESSAGE_BYTES // 1024 // 1024} MB are not read. Only its headers "
                   "are kept: open it in the mailbox to see what it says.")
        return reply
    reply.raw = raw
    try:
        answer = read_answer(calendar_text(raw))
    except Unreadable as error:
        _unmatched(reply, ReplyProblem(error.problem), error.detail)
        return reply
    _match(reply, answer, found)
    return reply


def unreadable(raw: bytes | None, *, headers: bytes | None, size: int, error: Exception,
               source: ReplySource = ReplySource.MAILBOX) -> CalendarReply:
    """Keep a message that `receive` failed on, with the error, so that it is listed
    (and not read again on every poll)."""
    found = envelope(raw or b"", headers=headers)
    reply = reply_by_digest(found.digest) or CalendarReply(
        digest=found.digest, source=source, sender=found.sender, subject=found.subject,
        message_id=found.message_id, headers=found.headers, size=size,
        raw=raw if raw and size <= MAX_MESSAGE_BYTES else None, received_at=utcnow(),
    )
    db.session.add(reply)
    _unmatched(reply, ReplyProblem.UNREADABLE,
               f"The planner could not read this message ({type(error).__name__}: {error}).")
    return reply


def _unmatched(reply: CalendarReply, problem: ReplyProblem, detail: str) -> None:
    reply.status = ReplyStatus.UNMATCHED
    reply.problem = problem
    reply.detail = detail


def _match(reply: CalendarReply, answer: Answer, found: Envelope) -> None:
    reply.method = answer.method
    reply.uid = answer.uid
    reply.sequence = answer.sequence
    reply.proposed_start, reply.proposed_end = answer.proposed_start, answer.proposed_end
    meeting = db.session.scalar(select(Meeting).where(Meeting.uid == answer.uid))
    if meeting is None:
        reply.attendee, reply.partstat = answer.attendees[0]
        _unmatched(reply, ReplyProblem.UNKNOWN_UID,
                   f"No meeting has the UID {answer.uid}: the invite did not come from this "
                   "planner, or its meeting was deleted.")
        return
    reply.meeting = meeting
    reply.comment = _comment(answer, meeting)
    invitees = {
        invitee.person.email: invitee for invitee in db.session.scalars(
            select(MeetingInvitee).options(joinedload(MeetingInvitee.person))
            .where(MeetingInvitee.meeting_id == meeting.id))
    }
    named = [(address, partstat) for address, partstat in answer.attendees
             if address in invitees]
    if not named:
        reply.attendee, reply.partstat = answer.attendees[0]
        _unmatched(reply, ReplyProblem.UNKNOWN_ATTENDEE,
                   f"{reply.attendee} is not invited to {meeting.title}.")
        return
    # A REPLY names one attendee (RFC 5546 §3.2.3); if a client names more, the sender's.
    reply.attendee, reply.partstat = next(
        (pair for pair in named if pair[0] == found.sender), named[0])
    reply.person = invitees[reply.attendee].person
    if answer.method == "COUNTER":
        reply.status = ReplyStatus.PROPOSAL
        reply.problem = None
        reply.detail = "" if found.sender == reply.attendee else _sender_text(reply)
        return
    if found.sender != reply.attendee:
        _unmatched(reply, ReplyProblem.SENDER_MISMATCH, _sender_text(reply))
        return
    _apply(reply)


def _sender_text(reply: CalendarReply) -> str:
    sent_by = (f"came from {reply.sender}" if reply.sender
               else "has no sender (a calendar file on its own)")
    return (f"The answer is for {reply.attendee} ({reply.person.name}), but the message "
            f"{sent_by}. Confirm it only if you know that {reply.person.name} sent it.")


def _comment(answer: Answer, meeting: Meeting) -> str:
    """What the person typed. Outlook sends it as the event's DESCRIPTION; other clients
    echo our own description there, which always holds the meeting's link."""
    if answer.comment:
        return answer.comment[:2000]
    description = answer.description
    if answer.method == "REPLY" and description and f"/meetings/{meeting.id}" not in description:
        return description[:2000]
    return ""


def _apply(reply: CalendarReply, *, confirmed_by: Person | None = None) -> None:
    meeting, person = reply.meeting, reply.person
    if meeting.status == MeetingStatus.CANCELLED:
        _unmatched(reply, ReplyProblem.CANCELLED_MEETING,
                   f"{person.name} answered {reply.partstat.lower()}, but the meeting is "
                   "cancelled: the answer is kept, not recorded.")
        return
    if (reply.sequence or 0) < meeting.sequence:
        _unmatched(reply, ReplyProblem.OLD_SEQUENCE,
                   f"{person.name} answered {reply.partstat.lower()} to version "
                   f"{reply.sequence or 0} of the invite (SEQUENCE); the meeting has changed "
                   f"since (version {meeting.sequence}), and their calendar asks them again.")
        return
    answer = ANSWERS.get(reply.partstat)
    if answer is None:
        _unmatched(reply, ReplyProblem.UNSUPPORTED_ANSWER,
                   f"PARTSTAT={reply.partstat} is not an answer the planner records "
                   "(accepted, tentative or declined).")
        return
    db.session.flush()  # the reply's id, for the audit entry
    details = {"reply_id": reply.id, "message_id": reply.message_id}
    if confirmed_by is not None:
        details["confirmed_by"] = confirmed_by.email
    try:
        respond(meeting, person, answer, comment=reply.comment, via=VIA, details=details)
    except InvalidInput as error:
        _unmatched(reply, ReplyProblem.MEETING_OVER, " ".join(error.errors.values()))
        return
    reply.status = ReplyStatus.APPLIED
    reply.problem = None
    reply.detail = ""


# --- the secretariat's actions ----------------------------------------------------------


def upload(data: bytes | None, *, by: Person) -> CalendarReply:
    """A message pasted or uploaded on the page (an .eml, or an .ics on its own). What is
    not an answer at all is refused next to the field, and nothing is kept."""
    if not data or not data.strip():
        raise InvalidInput.on("message", "Paste the message, or choose an .eml or .ics file.")
    found = envelope(data)
    existing = reply_by_digest(found.digest)
    if existing is not None:
        raise InvalidInput.on("message", f"This message was already received, on "
                                         f"{existing.received_at:%d %B %Y at %H:%M} UTC.")
    reply = receive(data, source=ReplySource.UPLOAD, uploaded_by=by)
    if reply.problem in (ReplyProblem.NOT_A_REPLY, ReplyProblem.MALFORMED):
        raise InvalidInput.on("message", reply.detail)
    return reply


def waiting_reply(reply_id: int) -> CalendarReply | None:
    return db.session.get(CalendarReply, reply_id)


def confirm(reply: CalendarReply, *, by: Person) -> CalendarReply:
    """The secretariat vouches for the sender of an answer whose From did not match its
    attendee: it is then applied as if it had (or kept, if the meeting does not allow it)."""
    if reply.status != ReplyStatus.UNMATCHED or reply.problem != ReplyProblem.SENDER_MISMATCH:
        raise InvalidInput.on("reply", "Only an answer whose sender did not match its "
                                       "attendee can be confirmed.")
    reply.handled_by_id, reply.handled_at = by.id, utcnow()
    audit.record("calendar_reply.confirmed", reply,
                 summary=f"Sender confirmed for {reply.attendee}'s answer",
                 details={"sender": reply.sender, "attendee": reply.attendee},
                 dialogue_id=reply.meeting.dialogue_id if reply.meeting else None, actor=by)
    _apply(reply, confirmed_by=by)
    return reply


def dismiss(reply: CalendarReply, *, by: Person) -> CalendarReply:
    """Set aside an answer or a proposal that waits; the next poll moves its message."""
    if reply.status not in WAITING:
        raise InvalidInput.on("reply", "This answer is not waiting for the secretariat.")
    reply.status = ReplyStatus.DISMISSED
    reply.handled_by_id, reply.handled_at = by.id, utcnow()
    audit.record("calendar_reply.dismissed", reply,
                 summary=f"Answer from {reply.sender or reply.attendee or 'unknown'} set aside",
                 details={"problem": reply.problem, "method": reply.method},
                 dialogue_id=reply.meeting.dialogue_id if reply.meeting else None, actor=by)
    return reply


def waiting_replies() -> list[CalendarReply]:
    return list(db.session.scalars(
        select(CalendarReply)
        .options(joinedload(CalendarReply.meeting), joinedload(CalendarReply.person))
        .where(CalendarReply.status.in_(WAITING))
        .order_by(CalendarReply.received_at.desc(), CalendarReply.id.desc())
    ).unique())


def recent_replies(limit: int = 20) -> list[CalendarReply]:
    return list(db.session.scalars(
        select(CalendarReply)
        .options(joinedload(CalendarReply.meeting), joinedload(CalendarReply.person))
        .where(CalendarReply.status.not_in(WAITING))
        .order_by(CalendarReply.received_at.desc(), CalendarReply.id.desc()).limit(limit)
    ).unique())
