"""Minutes: attendance, notes and decisions per agenda item; draft, circulated, approved."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import TYPE_CHECKING, Any

from sqlalchemy import JSON, CheckConstraint, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from planner.models.base import Base, UTCDateTime, one_of, utcnow
from planner.models.commitments import CommitmentStatus
from planner.models.participants import Participant

if TYPE_CHECKING:
    from planner.models.agendas import AgendaItem
    from planner.models.commitments import Commitment
    from planner.models.meetings import Meeting
    from planner.models.people import Person


class MinutesStatus(StrEnum):
    DRAFT = "draft"
    CIRCULATED = "circulated"
    APPROVED = "approved"

    @property
    def label(self) -> str:
        return self.value.capitalize()


class AttendanceStatus(StrEnum):
    PRESENT = "present"
    REPRESENTED = "represented"
    APOLOGIES = "apologies"

    @property
    def label(self) -> str:
        return self.value.capitalize()


class ApprovalMethod(StrEnum):
    NEXT_MEETING = "next_meeting"
    WRITTEN_PROCEDURE = "written_procedure"

    @property
    def label(self) -> str:
        return {"next_meeting": "At the next meeting",
                "written_procedure": "By written procedure"}[self.value]


class Minutes(Base):
    __tablename__ = "minutes"
    __table_args__ = (one_of("status", tuple(MinutesStatus)),)

    id: Mapped[int] = mapped_column(primary_key=True)
    meeting_id: Mapped[int] = mapped_column(
        ForeignKey("meeting.id", ondelete="CASCADE"), unique=True
    )
    # Indexed: the few draft minutes are looked up on every list of action items.
    status: Mapped[str] = mapped_column(String(16), default=MinutesStatus.DRAFT, index=True)
    summary: Mapped[str] = mapped_column(Text, default="")
    # Optimistic locking: a save over a newer version is refused, never silently lost.
    version_id: Mapped[int] = mapped_column(Integer, default=1)
    circulated_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    approved_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    approved_by_id: Mapped[int | None] = mapped_column(ForeignKey("person.id", ondelete="SET NULL"))
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)
    updated_by_id: Mapped[int | None] = mapped_column(ForeignKey("person.id", ondelete="SET NULL"))

    meeting: Mapped[Meeting] = relationship(back_populates="minutes")
    approved_by: Mapped[Person | None] = relationship(foreign_keys=[approved_by_id])
    updated_by: Mapped[Person | None] = relationship(foreign_keys=[updated_by_id])
    attendance: Mapped[list[Attendance]] = relationship(
        back_populates="minutes", cascade="all, delete-orphan", order_by="Attendance.id"
    )
    notes: Mapped[list[MinutesNote]] = relationship(
        back_populates="minutes", cascade="all, delete-orphan", order_by="MinutesNote.id"
    )
    decisions: Mapped[list[Decision]] = relationship(
        back_populates="minutes", cascade="all, delete-orphan", order_by="Decision.id"
    )
    amendments: Mapped[list[MinutesAmendment]] = relationship(
        back_populates="minutes", cascade="all, delete-orphan", order_by="MinutesAmendment.id"
    )
    approval: Mapped[MinutesApproval | None] = relationship(
        back_populates="minutes", cascade="all, delete-orphan"
    )

    __mapper_args__ = {"version_id_col": version_id}

    @property
    def status_label(self) -> str:
        return MinutesStatus(self.status).label


class Attendance(Base):
    """Whether a delegation came: present, represented or apologies."""

    __tablename__ = "attendance"
    __table_args__ = (
        UniqueConstraint("minutes_id", "participant_id"),
        one_of("status", tuple(AttendanceStatus)),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    minutes_id: Mapped[int] = mapped_column(ForeignKey("minutes.id", ondelete="CASCADE"))
    participant_id: Mapped[int] = mapped_column(
        ForeignKey("participant.id", ondelete="RESTRICT"), index=True
    )
    status: Mapped[str] = mapped_column(String(16))
    # Names and functions of those who attended, as the delegation gave them.
    delegates: Mapped[str] = mapped_column(Text, default="")
    # The delegation's name as the minutes were approved: a later renaming of the
    # participant does not change what approved minutes say.
    participant_name: Mapped[str | None] = mapped_column(String(200))

    minutes: Mapped[Minutes] = relationship(back_populates="attendance")
    participant: Mapped[Participant] = relationship()

    @property
    def delegation_name(self) -> str:
        return self.participant_name or self.participant.name


class MinutesNote(Base):
    """What was said under one agenda item (or in general, without an item)."""

    __tablename__ = "minutes_note"
    __table_args__ = (UniqueConstraint("minutes_id", "agenda_item_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    minutes_id: Mapped[int] = mapped_column(ForeignKey("minutes.id", ondelete="CASCADE"))
    agenda_item_id: Mapped[int | None] = mapped_column(
        ForeignKey("agenda_item.id", ondelete="SET NULL"), index=True
    )
    text: Mapped[str] = mapped_column(Text, default="")

    minutes: Mapped[Minutes] = relationship(back_populates="notes")
    agenda_item: Mapped[AgendaItem | None] = relationship()


class Decision(Base):
    __tablename__ = "decision"
    __table_args__ = (
        CheckConstraint("length(text) > 0", name="text_not_empty"),
        one_of("commitment_status", tuple(CommitmentStatus)),
        # A decision that moves a commitment names the commitment.
        CheckConstraint(
            "commitment_status IS NULL OR commitment_id IS NOT NULL",
            name="status_needs_commitment",
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    minutes_id: Mapped[int] = mapped_column(
        ForeignKey("minutes.id", ondelete="CASCADE"), index=True
    )
    agenda_item_id: Mapped[int | None] = mapped_column(
        ForeignKey("agenda_item.id", ondelete="SET NULL"), index=True
    )
    text: Mapped[str] = mapped_column(Text)
    commitment_id: Mapped[int | None] = mapped_column(
        ForeignKey("commitment.id", ondelete="SET NULL"), index=True
    )
    # The status the decision gave the commitment, if it changed it.
    commitment_status: Mapped[str | None] = mapped_column(String(16))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    minutes: Mapped[Minutes] = relationship(back_populates="decisions")
    agenda_item: Mapped[AgendaItem | None] = relationship()
    commitment: Mapped[Commitment | None] = relationship()


class MinutesAmendment(Base):
    """A recorded correction to approved minutes: who, when, why, and what changed."""

    __tablename__ = "minutes_amendment"
    __table_args__ = (CheckConstraint("length(reason) > 0", name="reason_not_empty"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    minutes_id: Mapped[int] = mapped_column(
        ForeignKey("minutes.id", ondelete="CASCADE"), index=True
    )
    amended_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    amended_by_id: Mapped[int | None] = mapped_column(ForeignKey("person.id", ondelete="SET NULL"))
    reason: Mapped[str] = mapped_column(Text)
    before: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    after: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)

    minutes: Mapped[Minutes] = relationship(back_populates="amendments")
    amended_by: Mapped[Person | None] = relationship()


class MinutesApproval(Base):
    """How approved minutes were approved: at a later meeting (which one), or by
    written procedure. Who and when are on the minutes (approved_by, approved_at)."""

    __tablename__ = "minutes_approval"
    __table_args__ = (one_of("method", tuple(ApprovalMethod)),)

    id: Mapped[int] = mapped_column(primary_key=True)
    minutes_id: Mapped[int] = mapped_column(
        ForeignKey("minutes.id", ondelete="CASCADE"), unique=True
    )
    method: Mapped[str] = mapped_column(String(24))
    # The meeting that approved them, when approved at a meeting.
    meeting_id: Mapped[int | None] = mapped_column(
        ForeignKey("meeting.id", ondelete="SET NULL"), index=True
    )
    note: Mapped[str] = mapped_column(Text, default="")

    minutes: Mapped[Minutes] = relationship(back_populates="approval")
    meeting: Mapped[Meeting | None] = relationship()

    @property
    def method_label(self) -> str:
        return ApprovalMethod(self.method).label
