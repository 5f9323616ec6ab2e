"""Agendas: a draft the chair edits, and circulated versions that never change."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import TYPE_CHECKING, Any

from sqlalchemy import (
    JSON,
    Boolean,
    CheckConstraint,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from planner.models.base import Base, UTCDateTime, one_of, utcnow

if TYPE_CHECKING:
    from planner.models.action_items import ActionItem
    from planner.models.commitments import Commitment
    from planner.models.dialogues import Dialogue, Theme
    from planner.models.meetings import Meeting
    from planner.models.participants import Participant
    from planner.models.people import Person


class AgendaItemKind(StrEnum):
    STANDING = "standing"
    ACTION_REVIEW = "action_review"
    COMMITMENT = "commitment"
    THEME = "theme"
    OTHER_BUSINESS = "other_business"
    NEXT_MEETING = "next_meeting"
    CLOSE = "close"
    CUSTOM = "custom"


class StandingPlacement(StrEnum):
    OPENING = "opening"
    CLOSING = "closing"


class StandingItem(Base):
    """A dialogue's template item that every agenda opens or closes with."""

    __tablename__ = "standing_item"
    __table_args__ = (
        one_of("placement", tuple(StandingPlacement)),
        CheckConstraint("length(title) > 0", name="title_not_empty"),
        CheckConstraint(
            "duration_minutes IS NULL OR duration_minutes >= 0", name="duration_not_negative"
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    dialogue_id: Mapped[int] = mapped_column(
        ForeignKey("dialogue.id", ondelete="CASCADE"), index=True
    )
    placement: Mapped[str] = mapped_column(String(16), default=StandingPlacement.OPENING)
    position: Mapped[int] = mapped_column(Integer, default=0)
    title: Mapped[str] = mapped_column(String(300))
    duration_minutes: Mapped[int | None] = mapped_column(Integer)
    # Who usually presents it: "host" or "chair" of the meeting, or nobody in particular.
    presenter_role: Mapped[str | None] = mapped_column(String(16))

    dialogue: Mapped[Dialogue] = relationship(back_populates="standing_items")


class Agenda(Base):
    """The working draft of a meeting's agenda (one per meeting)."""

    __tablename__ = "agenda"

    id: Mapped[int] = mapped_column(primary_key=True)
    meeting_id: Mapped[int] = mapped_column(
        ForeignKey("meeting.id", ondelete="CASCADE"), unique=True
    )
    version_id: Mapped[int] = mapped_column(Integer, default=1)
    built_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    meeting: Mapped[Meeting] = relationship(back_populates="agenda")
    items: Mapped[list[AgendaItem]] = relationship(
        back_populates="agenda", cascade="all, delete-orphan", order_by="AgendaItem.position"
    )
    versions: Mapped[list[AgendaVersion]] = relationship(
        back_populates="agenda", cascade="all, delete-orphan", order_by="AgendaVersion.number"
    )

    __mapper_args__ = {"version_id_col": version_id}


class AgendaItem(Base):
    __tablename__ = "agenda_item"
    __table_args__ = (
        one_of("kind", tuple(AgendaItemKind)),
        CheckConstraint("length(title) > 0", name="title_not_empty"),
        CheckConstraint(
            "duration_minutes IS NULL OR duration_minutes >= 0", name="duration_not_negative"
        ),
        # An item presents either a delegation or a person, not both.
        CheckConstraint(
            "presenter_participant_id IS NULL OR presenter_person_id IS NULL",
            name="one_presenter",
        ),
        Index("ix_agenda_item_agenda_position", "agenda_id", "position"),
        # The items an edit wrote since a version: a worker's kept outline catches up by
        # them. Partial: a build's thousands of items are not in it.
        Index("ix_agenda_item_agenda_edited", "agenda_id", "edited_version",
              sqlite_where=text("edited_version IS NOT NULL"),
              postgresql_where=text("edited_version IS NOT NULL")),
        # What a generated item stands for ("commitment:12"), once per agenda, so that
        # building again adds only what is new and keeps the chair's edits.
        UniqueConstraint("agenda_id", "source_key"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    agenda_id: Mapped[int] = mapped_column(ForeignKey("agenda.id", ondelete="CASCADE"))
    position: Mapped[int] = mapped_column(Integer)
    kind: Mapped[str] = mapped_column(String(20), default=AgendaItemKind.CUSTOM)
    title: Mapped[str] = mapped_column(String(300))
    # Why the item is there ("open commitment, section III").
    reason: Mapped[str] = mapped_column(Text, default="")
    duration_minutes: Mapped[int | None] = mapped_column(Integer)
    presenter_participant_id: Mapped[int | None] = mapped_column(
        ForeignKey("participant.id", ondelete="SET NULL"), index=True
    )
    presenter_person_id: Mapped[int | None] = mapped_column(
        ForeignKey("person.id", ondelete="SET NULL"), index=True
    )
    commitment_id: Mapped[int | None] = mapped_column(
        ForeignKey("commitment.id", ondelete="SET NULL"), index=True
    )
    action_item_id: Mapped[int | None] = mapped_column(
        ForeignKey("action_item.id", ondelete="SET NULL"), index=True
    )
    theme_id: Mapped[int | None] = mapped_column(
        ForeignKey("theme.id", ondelete="SET NULL"), index=True
    )
    source_key: Mapped[str | None] = mapped_column(String(60))
    # The chair took a generated item out: building again must not bring it back.
    dismissed: Mapped[bool] = mapped_column(Boolean, default=False)
    notes: Mapped[str] = mapped_column(Text, default="")
    # The draft's version whose edit last wrote this item's title, time box, place or
    # removal (None: as a build wrote it). Items are never deleted from a draft.
    edited_version: Mapped[int | None] = mapped_column(Integer)

    agenda: Mapped[Agenda] = relationship(back_populates="items")
    theme: Mapped[Theme | None] = relationship()
    presenter_participant: Mapped[Participant | None] = relationship()
    presenter_person: Mapped[Person | None] = relationship()
    commitment: Mapped[Commitment | None] = relationship()
    action_item: Mapped[ActionItem | None] = relationship(foreign_keys=[action_item_id])


class AgendaVersion(Base):
    """A circulated, frozen and numbered copy of the agenda (v1, v2, ...)."""

    __tablename__ = "agenda_version"
    __table_args__ = (
        UniqueConstraint("agenda_id", "number"),
        CheckConstraint("number >= 1", name="number_positive"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    agenda_id: Mapped[int] = mapped_column(ForeignKey("agenda.id", ondelete="CASCADE"))
    number: Mapped[int] = mapped_column(Integer)
    # The items as circulated; written once, never updated.
    content: Mapped[dict[str, Any]] = mapped_column(JSON)
    circulated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # content["circulated_on"] ("2 March 2026", in the venue's zone), for the lists of
    # versions: a version of thousands of items is megabytes of JSON not to be read there.
    circulated_on: Mapped[str] = mapped_column(String(40), server_default="")
    circulated_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("person.id", ondelete="SET NULL")
    )

    agenda: Mapped[Agenda] = relationship(back_populates="versions")
    circulated_by: Mapped[Person | None] = relationship()
