"""People who sign in, and what they are in each dialogue."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import TYPE_CHECKING

from flask_login import UserMixin
from sqlalchemy import Boolean, ForeignKey, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship, validates
from werkzeug.security import check_password_hash, generate_password_hash

from planner.models.base import Base, UTCDateTime, one_of, utcnow
from planner.models.participants import Participant, check_timezone

if TYPE_CHECKING:
    from planner.models.dialogues import Dialogue


class DialogueRoleKind(StrEnum):
    CHAIR = "chair"
    DELEGATE = "delegate"
    OBSERVER = "observer"


def normalise_email(email: str) -> str:
    return email.strip().lower()


class Person(UserMixin, Base):
    __tablename__ = "person"

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    password_hash: Mapped[str | None] = mapped_column(String(255))
    # The delegation the person belongs to; the secretariat may have none.
    participant_id: Mapped[int | None] = mapped_column(
        ForeignKey("participant.id", ondelete="RESTRICT"), index=True
    )
    is_secretariat: Mapped[bool] = mapped_column(Boolean, default=False)
    # The reader's own time zone; falls back to the delegation's.
    timezone: Mapped[str | None] = mapped_column(String(64))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_login_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # Part of the session's identity: raising it signs the person out everywhere.
    session_epoch: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    # A new random number, set by database triggers, whenever this person's feed would
    # change: a
    # dialogue they see changed its calendar, or they got or lost a seat or the
    # secretariat's view (planner/calendar/feeds.py). The application never writes it.
    calendar_revision: Mapped[int] = mapped_column(Integer, server_default="0", deferred=True)

    participant: Mapped[Participant | None] = relationship()
    dialogue_roles: Mapped[list[DialogueRole]] = relationship(
        back_populates="person", cascade="all, delete-orphan"
    )

    @validates("email")
    def _normalise_email(self, _key: str, value: str) -> str:
        return normalise_email(value)

    @validates("timezone")
    def _valid_timezone(self, _key: str, value: str | None) -> str | None:
        return check_timezone(value) if value else None

    @property
    def is_active(self) -> bool:  # Flask-Login: an inactive person cannot sign in
        return self.active

    def get_id(self) -> str:
        """The session's identity: id and epoch, so that raising the epoch (sign out
        everywhere, a new password) ends every session made before."""
        return f"{self.id}:{self.session_epoch}"

    def set_password(self, password: str) -> None:
        self.password_hash = generate_password_hash(password)

    def check_password(self, password: str) -> bool:
        return bool(self.password_hash) and check_password_hash(self.password_hash, password)

    @property
    def reading_timezone(self) -> str:
        if self.timezone:
            return self.timezone
        if self.participant is not None:
            return self.participant.timezone
        return "UTC"

    def __repr__(self) -> str:
        return f"<Person {self.email}>"


class DialogueRole(Base):
    """A person's part in one dialogue: chair, delegate or observer."""

    __tablename__ = "dialogue_role"
    __table_args__ = (
        UniqueConstraint("person_id", "dialogue_id"),
        one_of("role", tuple(DialogueRoleKind)),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("person.id", ondelete="CASCADE"))
    dialogue_id: Mapped[int] = mapped_column(
        ForeignKey("dialogue.id", ondelete="CASCADE"), index=True
    )
    role: Mapped[str] = mapped_column(String(16))

    person: Mapped[Person] = relationship(back_populates="dialogue_roles")
    dialogue: Mapped[Dialogue] = relationship()
