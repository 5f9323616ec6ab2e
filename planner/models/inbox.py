"""Answers to invitations that arrive by e-mail: each iTIP REPLY or COUNTER (RFC 5546)
read from the organizer's mailbox or uploaded by the secretariat, kept with what became
of it, so that nothing a delegate sent is lost."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import TYPE_CHECKING

from sqlalchemy import ForeignKey, Index, Integer, LargeBinary, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from planner.models.base import Base, UTCDateTime, one_of, utcnow

if TYPE_CHECKING:
    from planner.models.meetings import Meeting
    from planner.models.people import Person


class ReplySource(StrEnum):
    MAILBOX = "mailbox"  # read from PLANNER_MAIL_INBOX_URL
    UPLOAD = "upload"  # pasted or uploaded by the secretariat


class ReplyStatus(StrEnum):
    APPLIED = "applied"  # recorded as the person's answer
    UNMATCHED = "unmatched"  # waits for the secretariat, with its reason
    PROPOSAL = "proposal"  # a COUNTER: another time proposed, never applied by itself
    DISMISSED = "dismissed"  # the secretariat set it aside


class ReplyProblem(StrEnum):
    """Why an answer was not applied."""

    NOT_A_REPLY = "not_a_reply"
    MALFORMED = "malformed"
    TOO_LARGE = "too_large"
    UNKNOWN_UID = "unknown_uid"
    UNKNOWN_ATTENDEE = "unknown_attendee"
    SENDER_MISMATCH = "sender_mismatch"
    CANCELLED_MEETING = "cancelled_meeting"
    OLD_SEQUENCE = "old_sequence"
    MEETING_OVER = "meeting_over"
    UNSUPPORTED_ANSWER = "unsupported_answer"
    UNREADABLE = "unreadable"

    @property
    def label(self) -> str:
        return PROBLEM_LABELS[self]


PROBLEM_LABELS = {
    ReplyProblem.NOT_A_REPLY: "Not a calendar answer",
    ReplyProblem.MALFORMED: "Malformed calendar part",
    ReplyProblem.TOO_LARGE: "Too large",
    ReplyProblem.UNKNOWN_UID: "Unknown meeting (UID)",
    ReplyProblem.UNKNOWN_ATTENDEE: "Not an invitee",
    ReplyProblem.SENDER_MISMATCH: "Sender does not match the attendee",
    ReplyProblem.CANCELLED_MEETING: "Meeting cancelled",
    ReplyProblem.OLD_SEQUENCE: "Answer to an older version of the invite",
    ReplyProblem.MEETING_OVER: "Meeting over",
    ReplyProblem.UNSUPPORTED_ANSWER: "Answer not understood",
    ReplyProblem.UNREADABLE: "Could not be read",
}


class CalendarReply(Base):
    __tablename__ = "calendar_reply"
    __table_args__ = (
        one_of("source", tuple(ReplySource)),
        one_of("status", tuple(ReplyStatus)),
        Index("ix_calendar_reply_status_received_at", "status", "received_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    # SHA-256 of the message's header block (of the whole text for a bare .ics): the same
    # message read twice, or read and uploaded, is the same row.
    digest: Mapped[str] = mapped_column(String(64), unique=True)
    source: Mapped[str] = mapped_column(String(16))
    status: Mapped[str] = mapped_column(String(16))
    problem: Mapped[str | None] = mapped_column(String(32))
    detail: Mapped[str] = mapped_column(Text, default="")
    received_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # From the e-mail's headers (empty for a bare .ics).
    message_id: Mapped[str] = mapped_column(String(255), default="")
    sender: Mapped[str] = mapped_column(String(254), default="")
    subject: Mapped[str] = mapped_column(String(300), default="")
    headers: Mapped[str] = mapped_column(Text, default="")
    size: Mapped[int] = mapped_column(Integer, default=0)
    # The message as received; None when it was too large to keep.
    raw: Mapped[bytes | None] = mapped_column(LargeBinary)
    # From the calendar part.
    method: Mapped[str] = mapped_column(String(16), default="")
    uid: Mapped[str] = mapped_column(String(255), default="")
    sequence: Mapped[int | None] = mapped_column(Integer)
    attendee: Mapped[str] = mapped_column(String(254), default="")
    partstat: Mapped[str] = mapped_column(String(32), default="")
    comment: Mapped[str] = mapped_column(Text, default="")
    proposed_start: Mapped[datetime | None] = mapped_column(UTCDateTime)
    proposed_end: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # What it was matched to, as far as it went.
    meeting_id: Mapped[int | None] = mapped_column(
        ForeignKey("meeting.id", ondelete="SET NULL"), index=True
    )
    person_id: Mapped[int | None] = mapped_column(
        ForeignKey("person.id", ondelete="SET NULL"), index=True
    )
    # Who uploaded it, and who confirmed or dismissed it.
    uploaded_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("person.id", ondelete="SET NULL"), index=True
    )
    handled_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("person.id", ondelete="SET NULL"), index=True
    )
    handled_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    meeting: Mapped[Meeting | None] = relationship()
    person: Mapped[Person | None] = relationship(foreign_keys=[person_id])
    uploaded_by: Mapped[Person | None] = relationship(foreign_keys=[uploaded_by_id])
    handled_by: Mapped[Person | None] = relationship(foreign_keys=[handled_by_id])

    @property
    def problem_label(self) -> str:
        return ReplyProblem(self.problem).label if self.problem else ""

    def __repr__(self) -> str:
        return f"<CalendarReply {self.id} {self.status} {self.problem or ''}>"
