"""Dialogues, their members and observers, themes and founding documents."""

from __future__ import annotations

from datetime import date, datetime, time
from enum import StrEnum
from typing import TYPE_CHECKING

from sqlalchemy import (
    JSON,
    CheckConstraint,
    Date,
    ForeignKey,
    ForeignKeyConstraint,
    Integer,
    String,
    Text,
    Time,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from planner.models.base import Base, UTCDateTime, one_of, utcnow
from planner.models.participants import Participant

if TYPE_CHECKING:
    from planner.models.agendas import StandingItem
    from planner.models.commitments import Commitment
    from planner.models.meetings import Meeting


class DialogueLevel(StrEnum):
    MINISTERIAL = "ministerial"
    SENIOR_OFFICIALS = "senior_officials"
    WORKING_GROUP = "working_group"


class Classification(StrEnum):
    OFFICIAL = "OFFICIAL"
    OFFICIAL_SENSITIVE = "OFFICIAL-SENSITIVE"


class MembershipRole(StrEnum):
    MEMBER = "member"
    OBSERVER = "observer"


class DocumentKind(StrEnum):
    STATEMENT = "statement"
    ACTION_PLAN = "action_plan"
    COMMUNIQUE = "communique"

    @property
    def label(self) -> str:
        return {"statement": "Statement", "action_plan": "Action plan",
                "communique": "Communiqué"}[self.value]


class CandidateStatus(StrEnum):
    PROPOSED = "proposed"
    ACCEPTED = "accepted"
    REJECTED = "rejected"
    MERGED = "merged"


LEVEL_LABELS = {
    DialogueLevel.MINISTERIAL: "Ministerial",
    DialogueLevel.SENIOR_OFFICIALS: "Senior officials",
    DialogueLevel.WORKING_GROUP: "Working group",
}


class Dialogue(Base):
    __tablename__ = "dialogue"
    __table_args__ = (
        one_of("level", tuple(DialogueLevel)),
        one_of("classification", tuple(Classification)),
        CheckConstraint(
            "(window_start_month IS NULL AND window_end_month IS NULL) OR "
            "(window_start_month BETWEEN 1 AND 12 AND window_end_month BETWEEN 1 AND 12)",
            name="window_months",
        ),
        CheckConstraint("meeting_days BETWEEN 1 AND 3", name="meeting_days_range"),
        CheckConstraint("horizon_months BETWEEN 1 AND 120", name="horizon_range"),
        CheckConstraint("default_end > default_start", name="default_hours_order"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200), unique=True)
    short_name: Mapped[str] = mapped_column(String(60), unique=True)
    slug: Mapped[str] = mapped_column(String(60), unique=True)
    description: Mapped[str] = mapped_column(Text, default="")
    level: Mapped[str] = mapped_column(String(20))
    # The cadence in the members' own words ("once a year") and as an RFC 5545 rule.
    cadence: Mapped[str] = mapped_column(String(200), default="")
    recurrence_rule: Mapped[str | None] = mapped_column(String(500))
    # The rule's first occurrence (its DTSTART); occurrences are dates in the venue's zone.
    series_start: Mapped[date | None] = mapped_column(Date)
    # The preferred window, as months (March to May: 3 and 5; may wrap over the new year).
    window_start_month: Mapped[int | None] = mapped_column(Integer)
    window_end_month: Mapped[int | None] = mapped_column(Integer)
    meeting_days: Mapped[int] = mapped_column(Integer, default=1)
    # Wall-clock hours of a meeting day, in the venue's time zone.
    default_start: Mapped[time] = mapped_column(Time, default=time(9, 30))
    default_end: Mapped[time] = mapped_column(Time, default=time(17, 0))
    # How far ahead the series exists as proposed meetings.
    horizon_months: Mapped[int] = mapped_column(Integer, default=24)
    classification: Mapped[str] = mapped_column(String(24), default=Classification.OFFICIAL)
    # Where its meetings are held when no host rotation says otherwise.
    venue_timezone: Mapped[str | None] = mapped_column(String(64))
    # An archived dialogue is read-only and out of dashboards and feeds; never deleted.
    archived_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # A new random number, set by database triggers, whenever anything its calendar shows
    # changes: its meetings, their hosts' names, its own name, level or marking. The
    # dialogue's .ics has its ETag from it (planner/calendar/feeds.py); the application
    # never writes it.
    calendar_revision: Mapped[int] = mapped_column(Integer, server_default="0", deferred=True)

    memberships: Mapped[list[Membership]] = relationship(
        back_populates="dialogue", cascade="all, delete-orphan", order_by="Membership.id"
    )
    themes: Mapped[list[Theme]] = relationship(
        back_populates="dialogue", cascade="all, delete-orphan", order_by="Theme.position"
    )
    documents: Mapped[list[SourceDocument]] = relationship(
        back_populates="dialogue", cascade="all, delete-orphan", order_by="SourceDocument.issued_on"
    )
    commitments: Mapped[list[Commitment]] = relationship(
        back_populates="dialogue", cascade="all, delete-orphan", order_by="Commitment.position"
    )
    meetings: Mapped[list[Meeting]] = relationship(
        back_populates="dialogue", cascade="all, delete-orphan", order_by="Meeting.starts_at"
    )
    host_rotation: Mapped[list[HostRotation]] = relationship(
        back_populates="dialogue", cascade="all, delete-orphan", order_by="HostRotation.position"
    )
    standing_items: Mapped[list[StandingItem]] = relationship(
        back_populates="dialogue",
        cascade="all, delete-orphan",
        order_by="(StandingItem.placement.desc(), StandingItem.position)",
    )

    @property
    def level_label(self) -> str:
        return LEVEL_LABELS.get(DialogueLevel(self.level), self.level)

    @property
    def is_archived(self) -> bool:
        return self.archived_at is not None

    def __repr__(self) -> str:
        return f"<Dialogue {self.slug}>"


class Membership(Base):
    """A participant's seat in a dialogue, as member or observer."""

    __tablename__ = "membership"
    __table_args__ = (
        UniqueConstraint("dialogue_id", "participant_id"),
        one_of("role", tuple(MembershipRole)),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    dialogue_id: Mapped[int] = mapped_column(ForeignKey("dialogue.id", ondelete="CASCADE"))
    participant_id: Mapped[int] = mapped_column(
        ForeignKey("participant.id", ondelete="RESTRICT"), index=True
    )
    role: Mapped[str] = mapped_column(String(16), default=MembershipRole.MEMBER)
    joined_on: Mapped[date | None] = mapped_column(Date)

    dialogue: Mapped[Dialogue] = relationship(back_populates="memberships")
    participant: Mapped[Participant] = relationship()

    @property
    def is_observer(self) -> bool:
        return self.role == MembershipRole.OBSERVER


class Theme(Base):
    """A priority area of a dialogue (illicit finance, ports and logistics hubs, ...)."""

    __tablename__ = "theme"
    __table_args__ = (
        UniqueConstraint("dialogue_id", "name"),
        # Lets commitments prove, in the database, that their theme is of their dialogue.
        UniqueConstraint("id", "dialogue_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    dialogue_id: Mapped[int] = mapped_column(ForeignKey("dialogue.id", ondelete="CASCADE"))
    code: Mapped[str | None] = mapped_column(String(16))
    name: Mapped[str] = mapped_column(String(120))
    position: Mapped[int] = mapped_column(Integer, default=0)

    dialogue: Mapped[Dialogue] = relationship(back_populates="themes")

    @property
    def label(self) -> str:
        return f"{self.code}. {self.name}" if self.code else self.name


class SourceDocument(Base):
    """A founding statement or action plan; it keeps its own date."""

    __tablename__ = "source_document"
    __table_args__ = (
        UniqueConstraint("dialogue_id", "title"),
        one_of("kind", tuple(DocumentKind)),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    dialogue_id: Mapped[int] = mapped_column(ForeignKey("dialogue.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(20))
    title: Mapped[str] = mapped_column(String(300))
    place: Mapped[str | None] = mapped_column(String(120))
    issued_on: Mapped[date] = mapped_column(Date)
    published_on: Mapped[date | None] = mapped_column(Date)
    # As the secretariat gave it: the uploaded file's name ("" when pasted), and the text
    # read from it, kept whole so that every section and quote can be checked against it.
    source_filename: Mapped[str] = mapped_column(String(200), default="")
    source_text: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    dialogue: Mapped[Dialogue] = relationship(back_populates="documents")
    sections: Mapped[list[DocumentSection]] = relationship(
        back_populates="document", cascade="all, delete-orphan", order_by="DocumentSection.position"
    )
    candidates: Mapped[list[CommitmentCandidate]] = relationship(
        back_populates="document", cascade="all, delete-orphan",
        order_by="CommitmentCandidate.position",
    )

    @property
    def kind_label(self) -> str:
        return DocumentKind(self.kind).label


class DocumentSection(Base):
    __tablename__ = "document_section"
    __table_args__ = (
        UniqueConstraint("document_id", "position"),
        UniqueConstraint("document_id", "label"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    document_id: Mapped[int] = mapped_column(ForeignKey("source_document.id", ondelete="CASCADE"))
    position: Mapped[int] = mapped_column(Integer)
    # "I", "V" for numbered sections; "¶3" where the text has no headings.
    label: Mapped[str] = mapped_column(String(16))
    heading: Mapped[str] = mapped_column(String(200), default="")
    text: Mapped[str] = mapped_column(Text)

    document: Mapped[SourceDocument] = relationship(back_populates="sections")

    @property
    def reference(self) -> str:
        return f"section {self.label}" + (f" ({self.heading})" if self.heading else "")


class CommitmentCandidate(Base):
    """A sentence of a founding document that the import proposes as a commitment.
    Nothing becomes a commitment until the secretariat accepts it."""

    __tablename__ = "commitment_candidate"
    __table_args__ = (
        UniqueConstraint("document_id", "position"),
        one_of("status", tuple(CandidateStatus)),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    document_id: Mapped[int] = mapped_column(
        ForeignKey("source_document.id", ondelete="CASCADE"), index=True
    )
    section_id: Mapped[int] = mapped_column(
        ForeignKey("document_section.id", ondelete="CASCADE"), index=True
    )
    position: Mapped[int] = mapped_column(Integer)
    # The document's own words, character for character (a substring of the section).
    quote: Mapped[str] = mapped_column(Text)
    title: Mapped[str] = mapped_column(String(200))
    # The proposed theme: an existing theme of the dialogue, or a new one's name.
    theme_id: Mapped[int | None] = mapped_column(ForeignKey("theme.id", ondelete="SET NULL"))
    theme_name: Mapped[str] = mapped_column(String(120), default="")
    # Participant ids named in the sentence (or all members for "the Participants").
    lead_ids: Mapped[list[int]] = mapped_column(JSON, default=list)
    status: Mapped[str] = mapped_column(String(16), default=CandidateStatus.PROPOSED)
    commitment_id: Mapped[int | None] = mapped_column(
        ForeignKey("commitment.id", ondelete="SET NULL"), index=True
    )
    merged_into_id: Mapped[int | None] = mapped_column(
        ForeignKey("commitment_candidate.id", ondelete="SET NULL")
    )

    document: Mapped[SourceDocument] = relationship(back_populates="candidates")
    section: Mapped[DocumentSection] = relationship()
    theme: Mapped[Theme | None] = relationship()


class HostRotation(Base):
    """One place in a dialogue's host rotation: who hosts, where, in which time zone."""

    __tablename__ = "host_rotation"
    __table_args__ = (
        UniqueConstraint("dialogue_id", "position"),
        # The host must hold a seat in the dialogue.
        ForeignKeyConstraint(
            ["dialogue_id", "participant_id"],
            ["membership.dialogue_id", "membership.participant_id"],
            name="fk_host_rotation_host_is_member",
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    dialogue_id: Mapped[int] = mapped_column(ForeignKey("dialogue.id", ondelete="CASCADE"))
    position: Mapped[int] = mapped_column(Integer)
    participant_id: Mapped[int] = mapped_column(
        ForeignKey("participant.id", ondelete="RESTRICT"), index=True
    )
    city: Mapped[str] = mapped_column(String(120), default="")
    venue: Mapped[str] = mapped_column(String(200), default="")
    timezone: Mapped[str] = mapped_column(String(64))

    dialogue: Mapped[Dialogue] = relationship(back_populates="host_rotation")
    participant: Mapped[Participant] = relationship(foreign_keys=[participant_id])
