"""Background jobs that failed for good: the dead letters the secretariat sees and can
run again. The queue itself (Huey's tables or keys) is not modelled: it holds only
what is still to run, and everything a job needs to redo its work is in our tables."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import TYPE_CHECKING

from sqlalchemy import ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from planner.models.base import Base, UTCDateTime, one_of, utcnow

if TYPE_CHECKING:
    from planner.models.people import Person


class FailedJobStatus(StrEnum):
    FAILED = "failed"  # waiting for someone to look
    RETRIED = "retried"  # queued again from the page
    DISMISSED = "dismissed"  # looked at, not to be run again


class FailedJob(Base):
    __tablename__ = "failed_job"
    __table_args__ = (
        one_of("status", tuple(FailedJobStatus)),
        Index("ix_failed_job_status_failed_at", "status", "failed_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    # The job's name in planner.jobs.tasks (e.g. "outbox.send") and its arguments (JSON).
    name: Mapped[str] = mapped_column(String(100))
    arguments: Mapped[str] = mapped_column(Text, default="{}")
    error: Mapped[str] = mapped_column(Text, default="")
    attempts: Mapped[int] = mapped_column(Integer, default=1)
    # The request that queued it, to find its log lines.
    request_id: Mapped[str | None] = mapped_column(String(64))
    failed_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    status: Mapped[str] = mapped_column(String(16), default=FailedJobStatus.FAILED)
    resolved_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    resolved_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("person.id", ondelete="SET NULL"), index=True
    )

    resolved_by: Mapped[Person | None] = relationship()
