"""Participants: a state's ministry (with its ISO 3166 code) or an institution."""

from __future__ import annotations

from datetime import datetime, time
from enum import StrEnum
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from sqlalchemy import CheckConstraint, String, Time
from sqlalchemy.orm import Mapped, mapped_column, validates

from planner.models.base import Base, UTCDateTime, one_of, utcnow


class ParticipantKind(StrEnum):
    STATE = "state"
    INSTITUTION = "institution"


def check_timezone(name: str) -> str:
    """Return `name` if it is an IANA time zone, else raise ValueError."""
    try:
        ZoneInfo(name)
    # A folder of the zone database ("Europe") is a directory, not a zone: OSError.
    except (ZoneInfoNotFoundError, ValueError, OSError) as exc:
        raise ValueError(f"unknown time zone {name!r}") from exc
    return name


class Participant(Base):
    __tablename__ = "participant"
    __table_args__ = (
        one_of("kind", tuple(ParticipantKind)),
        # A state carries its ISO 3166-1 alpha-2 code (it decides the public holidays);
        # an institution has none.
        CheckConstraint(
            "(kind = 'state' AND country_code IS NOT NULL AND length(country_code) = 2)"
            " OR (kind = 'institution' AND country_code IS NULL)",
            name="country_code_for_states",
        ),
        CheckConstraint("working_hours_end > working_hours_start", name="working_hours_order"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(16))
    name: Mapped[str] = mapped_column(String(200), unique=True)
    short_name: Mapped[str] = mapped_column(String(40), unique=True)
    country_code: Mapped[str | None] = mapped_column(String(2), index=True)
    # A region with holidays of its own (a German Land: "BY"), as the `holidays` package
    # names its subdivisions; None for the whole country.
    subdivision: Mapped[str | None] = mapped_column(String(10))
    # The default for meetings it hosts and for its delegates' reading of times.
    timezone: Mapped[str] = mapped_column(String(64))
    # Office hours in its own time zone: a video meeting should start inside everyone's.
    working_hours_start: Mapped[time] = mapped_column(Time, default=time(9, 0))
    working_hours_end: Mapped[time] = mapped_column(Time, default=time(17, 30))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    @validates("timezone")
    def _valid_timezone(self, _key: str, value: str) -> str:
        return check_timezone(value)

    @validates("country_code")
    def _upper_code(self, _key: str, value: str | None) -> str | None:
        return value.upper() if value else None

    @property
    def holiday_region(self) -> str | None:
        """What decides its public holidays: "DE-BY", "GB", or None for an institution."""
        if not self.country_code:
            return None
        return f"{self.country_code}-{self.subdivision}" if self.subdivision else self.country_code

    @property
    def is_state(self) -> bool:
        return self.kind == ParticipantKind.STATE

    def __repr__(self) -> str:
        return f"<Participant {self.short_name}>"
