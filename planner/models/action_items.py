"""Action items: who does what by when, and where it came from."""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum
from typing import TYPE_CHECKING, Any

from sqlalchemy import (
    CheckConstraint,
    Date,
    ForeignKey,
    ForeignKeyConstraint,
    Index,
    Integer,
    String,
    Text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from planner.models.base import Base, UTCDateTime, one_of, utcnow
from planner.models.participants import Participant

if TYPE_CHECKING:
    from planner.models.agendas import AgendaItem
    from planner.models.commitments import Commitment
    from planner.models.dialogues import Dialogue
    from planner.models.meetings import Meeting
    from planner.models.people import Person


class ActionItemStatus(StrEnum):
    OPEN = "open"
    IN_PROGRESS = "in_progress"
    DONE = "done"
    DROPPED = "dropped"

    @property
    def label(self) -> str:
        return self.value.replace("_", " ").capitalize()

    @classmethod
    def still_open(cls) -> tuple[ActionItemStatus, ...]:
        return (cls.OPEN, cls.IN_PROGRESS)


class ActionItem(Base):
    __tablename__ = "action_item"
    __table_args__ = (
        one_of("status", tuple(ActionItemStatus)),
        CheckConstraint("length(title) > 0", name="title_not_empty"),
        # The owner must hold a seat in the dialogue.
        ForeignKeyConstraint(
            ["dialogue_id", "owner_participant_id"],
            ["membership.dialogue_id", "membership.participant_id"],
            name="fk_action_item_owner_is_member",
        ),
        # With meeting_id, the lists can count a person's readable items (not those of
        # draft minutes they do not write) from the index alone.
        Index("ix_action_item_dialogue_status_meeting", "dialogue_id", "status", "meeting_id"),
        Index("ix_action_item_owner_status", "owner_participant_id", "status"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    dialogue_id: Mapped[int] = mapped_column(ForeignKey("dialogue.id", ondelete="CASCADE"))
    # Where it came from: the meeting, and the agenda item it was agreed under.
    meeting_id: Mapped[int | None] = mapped_column(
        ForeignKey("meeting.id", ondelete="SET NULL"), index=True
    )
    agenda_item_id: Mapped[int | None] = mapped_column(
        # agenda_item also points here (items that review an action): a cycle, added after.
        ForeignKey("agenda_item.id", ondelete="SET NULL", use_alter=True),
        index=True,
    )
    commitment_id: Mapped[int | None] = mapped_column(
        ForeignKey("commitment.id", ondelete="SET NULL"), index=True
    )
    owner_participant_id: Mapped[int] = mapped_column(
        ForeignKey("participant.id", ondelete="RESTRICT")
    )
    owner_person_id: Mapped[int | None] = mapped_column(
        ForeignKey("person.id", ondelete="SET NULL"), index=True
    )
    title: Mapped[str] = mapped_column(String(300))
    description: Mapped[str] = mapped_column(Text, default="")
    due_on: Mapped[date | None] = mapped_column(Date, index=True)
    status: Mapped[str] = mapped_column(String(16), default=ActionItemStatus.OPEN)
    outcome: Mapped[str] = mapped_column(Text, default="")
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    version_id: Mapped[int] = mapped_column(Integer, default=1)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    dialogue: Mapped[Dialogue] = relationship()
    meeting: Mapped[Meeting | None] = relationship()
    agenda_item: Mapped[AgendaItem | None] = relationship(foreign_keys=[agenda_item_id])
    commitment: Mapped[Commitment | None] = relationship()
    owner: Mapped[Participant] = relationship(foreign_keys=[owner_participant_id])
    owner_person: Mapped[Person | None] = relationship()

    __mapper_args__ = {"version_id_col": version_id}

    @property
    def is_open(self) -> bool:
        return self.status in ActionItemStatus.still_open()

    @property
    def status_label(self) -> str:
        return ActionItemStatus(self.status).label

    def is_overdue(self, today: date) -> bool:
        return self.is_open and self.due_on is not None and self.due_on < today


def by_due_date() -> tuple[Any, ...]:
    """The order of every list of action items: soonest due first, undated last. (NULLS
    LAST rather than `due_on IS NULL` first, so that an index on the date serves it.)"""
    return (ActionItem.due_on.asc().nulls_last(), ActionItem.id)


class ActionItemReminder(Base):
    """An e-mail reminder sent about an action item: at most one per item and day, so
    that `planner remind` can run as often as cron likes."""

    __tablename__ = "action_item_reminder"

    action_item_id: Mapped[int] = mapped_column(
        ForeignKey("action_item.id", ondelete="CASCADE"), primary_key=True
    )
    reminded_on: Mapped[date] = mapped_column(Date, primary_key=True)
    # The addresses written to, as they were on the day.
    recipients: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    action_item: Mapped[ActionItem] = relationship()
