"""Meetings: one occurrence of a dialogue, in its venue's time zone, and who is invited."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from enum import StrEnum
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

from sqlalchemy import (
    JSON,
    CheckConstraint,
    Date,
    ForeignKey,
    ForeignKeyConstraint,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship, validates

from planner.models.base import Base, UTCDateTime, one_of, utcnow
from planner.models.dialogues import Classification, Dialogue
from planner.models.participants import Participant, check_timezone

if TYPE_CHECKING:
    from planner.models.agendas import Agenda
    from planner.models.minutes import Minutes
    from planner.models.people import Person


class MeetingStatus(StrEnum):
    PROPOSED = "proposed"
    CONFIRMED = "confirmed"
    HELD = "held"
    CANCELLED = "cancelled"

    @property
    def label(self) -> str:
        return self.value.capitalize()


class MeetingFormat(StrEnum):
    IN_PERSON = "in_person"
    VIDEO = "video"
    HYBRID = "hybrid"


class InviteeRole(StrEnum):
    """RFC 5545 ROLE of an attendee."""

    CHAIR = "CHAIR"
    REQUIRED = "REQ-PARTICIPANT"
    OPTIONAL = "OPT-PARTICIPANT"
    NON_PARTICIPANT = "NON-PARTICIPANT"


class Response(StrEnum):
    """RFC 5545 PARTSTAT of an attendee."""

    NEEDS_ACTION = "NEEDS-ACTION"
    ACCEPTED = "ACCEPTED"
    DECLINED = "DECLINED"
    TENTATIVE = "TENTATIVE"


def new_uid() -> str:
    return f"{uuid.uuid4()}@dialogue-planner"


class Meeting(Base):
    __tablename__ = "meeting"
    __table_args__ = (
        one_of("status", tuple(MeetingStatus)),
        one_of("format", tuple(MeetingFormat)),
        one_of("classification", tuple(Classification)),
        CheckConstraint("ends_at > starts_at", name="ends_after_start"),
        CheckConstraint("sequence >= 0", name="sequence_not_negative"),
        # The host must hold a seat in the meeting's dialogue.
        ForeignKeyConstraint(
            ["dialogue_id", "host_participant_id"],
            ["membership.dialogue_id", "membership.participant_id"],
            name="fk_meeting_host_is_member",
        ),
        Index("ix_meeting_dialogue_starts_at", "dialogue_id", "starts_at"),
        # One meeting per occurrence of the series rule.
        UniqueConstraint("dialogue_id", "series_date"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    dialogue_id: Mapped[int] = mapped_column(ForeignKey("dialogue.id", ondelete="CASCADE"))
    # The iCalendar UID: set once, never changed, so calendars update in place.
    uid: Mapped[str] = mapped_column(String(255), unique=True, default=new_uid)
    # RFC 5546 SEQUENCE: goes up when date, time, place or status changes.
    sequence: Mapped[int] = mapped_column(Integer, default=0)
    title: Mapped[str] = mapped_column(String(200))
    status: Mapped[str] = mapped_column(String(16), default=MeetingStatus.PROPOSED)
    format: Mapped[str] = mapped_column(String(16), default=MeetingFormat.IN_PERSON)
    classification: Mapped[str] = mapped_column(String(24), default=Classification.OFFICIAL)
    # Instants in UTC; `timezone` is the venue's IANA zone, in which they are shown.
    starts_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    ends_at: Mapped[datetime] = mapped_column(UTCDateTime)
    timezone: Mapped[str] = mapped_column(String(64))
    city: Mapped[str] = mapped_column(String(120), default="")
    venue: Mapped[str] = mapped_column(String(200), default="")
    host_participant_id: Mapped[int | None] = mapped_column(
        ForeignKey("participant.id", ondelete="RESTRICT"), index=True
    )
    notes: Mapped[str] = mapped_column(Text, default="")
    # The occurrence of the dialogue's rule this meeting stands for (its RECURRENCE-ID);
    # it stays when the meeting moves. None for a meeting outside the series.
    series_date: Mapped[date | None] = mapped_column(Date)
    cancel_reason: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    dialogue: Mapped[Dialogue] = relationship(back_populates="meetings")
    host: Mapped[Participant | None] = relationship(foreign_keys=[host_participant_id])
    invitees: Mapped[list[MeetingInvitee]] = relationship(
        back_populates="meeting", cascade="all, delete-orphan", order_by="MeetingInvitee.id"
    )
    agenda: Mapped[Agenda | None] = relationship(
        back_populates="meeting", cascade="all, delete-orphan"
    )
    minutes: Mapped[Minutes | None] = relationship(
        back_populates="meeting", cascade="all, delete-orphan"
    )
    changes: Mapped[list[MeetingChange]] = relationship(
        back_populates="meeting", cascade="all, delete-orphan", order_by="MeetingChange.id"
    )

    @validates("timezone")
    def _valid_timezone(self, _key: str, value: str) -> str:
        return check_timezone(value)

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    @property
    def local_start(self) -> datetime:
        return self.starts_at.astimezone(self.zone)

    @property
    def local_end(self) -> datetime:
        return self.ends_at.astimezone(self.zone)

    @property
    def place(self) -> str:
        return ", ".join(part for part in (self.venue, self.city) if part)

    @property
    def status_label(self) -> str:
        return MeetingStatus(self.status).label

    @property
    def is_sensitive(self) -> bool:
        """OFFICIAL-SENSITIVE, by its own marking or its dialogue's: feeds and e-mails
        then carry only the title, the time and a link."""
        return Classification.OFFICIAL_SENSITIVE in (
            self.classification, self.dialogue.classification
        )

    @property
    def marking(self) -> str:
        return (Classification.OFFICIAL_SENSITIVE if self.is_sensitive
                else Classification.OFFICIAL).value

    def __repr__(self) -> str:
        return f"<Meeting {self.id} {self.title!r} {self.starts_at:%Y-%m-%d}>"


class MeetingInvitee(Base):
    __tablename__ = "meeting_invitee"
    __table_args__ = (
        UniqueConstraint("meeting_id", "person_id"),
        one_of("role", tuple(InviteeRole)),
        one_of("response", tuple(Response)),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    meeting_id: Mapped[int] = mapped_column(ForeignKey("meeting.id", ondelete="CASCADE"))
    person_id: Mapped[int] = mapped_column(
        ForeignKey("person.id", ondelete="CASCADE"), index=True
    )
    role: Mapped[str] = mapped_column(String(20), default=InviteeRole.REQUIRED)
    response: Mapped[str] = mapped_column(String(16), default=Response.NEEDS_ACTION)
    responded_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # What they wrote with their answer (a calendar reply's COMMENT), if anything.
    response_comment: Mapped[str] = mapped_column(Text, default="")

    meeting: Mapped[Meeting] = relationship(back_populates="invitees")
    person: Mapped[Person] = relationship()


class MeetingChangeKind(StrEnum):
    CREATED = "created"
    CONFIRMED = "confirmed"
    RESCHEDULED = "rescheduled"
    UPDATED = "updated"
    CANCELLED = "cancelled"
    HELD = "held"


class MeetingChange(Base):
    """One change to a meeting: who, when, why, and what it was before and after.

    Invites read these to send updates (METHOD:REQUEST) and cancellations (METHOD:CANCEL)."""

    __tablename__ = "meeting_change"
    __table_args__ = (one_of("kind", tuple(MeetingChangeKind)),)

    id: Mapped[int] = mapped_column(primary_key=True)
    meeting_id: Mapped[int] = mapped_column(
        ForeignKey("meeting.id", ondelete="CASCADE"), index=True
    )
    kind: Mapped[str] = mapped_column(String(16))
    changed_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    changed_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("person.id", ondelete="SET NULL"), index=True
    )
    reason: Mapped[str] = mapped_column(Text, default="")
    before: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    after: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    # The meeting's SEQUENCE once this change was made.
    sequence: Mapped[int] = mapped_column(Integer, default=0)

    meeting: Mapped[Meeting] = relationship(back_populates="changes")
    changed_by: Mapped[Person | None] = relationship()
