"""Commitments: what the participants undertook, traced to the sentence that says so."""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum
from typing import TYPE_CHECKING

from sqlalchemy import (
    Column,
    Date,
    ForeignKey,
    ForeignKeyConstraint,
    Index,
    Integer,
    String,
    Table,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from planner.models.base import Base, UTCDateTime, one_of, utcnow
from planner.models.dialogues import Dialogue, DocumentSection, Theme
from planner.models.participants import Participant

if TYPE_CHECKING:
    from planner.models.people import Person


class CommitmentStatus(StrEnum):
    OPEN = "open"
    IN_PROGRESS = "in_progress"
    MET = "met"
    DROPPED = "dropped"

    @property
    def label(self) -> str:
        return self.value.replace("_", " ").capitalize()

    @classmethod
    def still_open(cls) -> tuple[CommitmentStatus, ...]:
        return (cls.OPEN, cls.IN_PROGRESS)


commitment_lead = Table(
    "commitment_lead",
    Base.metadata,
    Column(
        "commitment_id", ForeignKey("commitment.id", ondelete="CASCADE"), primary_key=True
    ),
    Column(
        "participant_id",
        ForeignKey("participant.id", ondelete="RESTRICT"),
        primary_key=True,
        index=True,
    ),
)


class Commitment(Base):
    __tablename__ = "commitment"
    __table_args__ = (
        UniqueConstraint("dialogue_id", "reference"),
        one_of("status", tuple(CommitmentStatus)),
        # The theme must be one of the commitment's own dialogue.
        ForeignKeyConstraint(
            ["theme_id", "dialogue_id"],
            ["theme.id", "theme.dialogue_id"],
            name="fk_commitment_theme_same_dialogue",
        ),
        Index("ix_commitment_dialogue_status", "dialogue_id", "status"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    dialogue_id: Mapped[int] = mapped_column(ForeignKey("dialogue.id", ondelete="CASCADE"))
    section_id: Mapped[int] = mapped_column(
        ForeignKey("document_section.id", ondelete="RESTRICT"), index=True
    )
    theme_id: Mapped[int | None] = mapped_column(
        ForeignKey("theme.id", ondelete="RESTRICT"), index=True
    )
    # "I.1", "¶5.2": stable, short, what people quote in meetings.
    reference: Mapped[str] = mapped_column(String(20))
    position: Mapped[int] = mapped_column(Integer, default=0)
    title: Mapped[str] = mapped_column(String(200))
    # The exact sentence of the source document that makes the commitment.
    quote: Mapped[str] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(16), default=CommitmentStatus.OPEN)
    target_date: Mapped[date | None] = mapped_column(Date)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    dialogue: Mapped[Dialogue] = relationship(back_populates="commitments")
    section: Mapped[DocumentSection] = relationship()
    theme: Mapped[Theme | None] = relationship(foreign_keys=[theme_id])
    leads: Mapped[list[Participant]] = relationship(
        secondary=commitment_lead, order_by=Participant.short_name
    )
    status_changes: Mapped[list[CommitmentStatusChange]] = relationship(
        back_populates="commitment",
        cascade="all, delete-orphan",
        order_by="CommitmentStatusChange.changed_at",
    )

    @property
    def status_label(self) -> str:
        return CommitmentStatus(self.status).label

    @property
    def is_open(self) -> bool:
        return self.status in CommitmentStatus.still_open()


class CommitmentStatusChange(Base):
    """A commitment's status moving, recorded against the meeting that moved it."""

    __tablename__ = "commitment_status_change"
    __table_args__ = (
        one_of("old_status", tuple(CommitmentStatus)),
        one_of("new_status", tuple(CommitmentStatus)),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    commitment_id: Mapped[int] = mapped_column(
        ForeignKey("commitment.id", ondelete="CASCADE"), index=True
    )
    meeting_id: Mapped[int | None] = mapped_column(
        ForeignKey("meeting.id", ondelete="SET NULL"), index=True
    )
    decision_id: Mapped[int | None] = mapped_column(
        ForeignKey("decision.id", ondelete="SET NULL"), index=True
    )
    old_status: Mapped[str] = mapped_column(String(16))
    new_status: Mapped[str] = mapped_column(String(16))
    changed_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    changed_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("person.id", ondelete="SET NULL")
    )
    note: Mapped[str] = mapped_column(Text, default="")

    commitment: Mapped[Commitment] = relationship(back_populates="status_changes")
    changed_by: Mapped[Person | None] = relationship()
