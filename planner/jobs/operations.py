"""Dead letters: jobs that failed after every retry, and what the secretariat does with
them. Failed e-mails are the outbox's own dead letters (status failed): both are shown
on one page and sent or run again from it."""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass

from sqlalchemy import func, select

from planner.extensions import db
from planner.models import FailedJob, FailedJobStatus, OutboxMessage, OutboxStatus, Person, utcnow
from planner.validation import InvalidInput

log = logging.getLogger(__name__)


def record_failure(*, name: str, arguments: str, error: str, attempts: int,
                   request_id: str | None) -> FailedJob:
    """Keep a job that failed for good. The same job failing the same way again (a
    periodic job while the database or mail settings are broken) counts on the row
    already shown instead of filling the page."""
    error = error[:4000]
    same = db.session.scalars(
        select(FailedJob).where(FailedJob.status == FailedJobStatus.FAILED,
                                FailedJob.name == name, FailedJob.arguments == arguments,
                                FailedJob.error == error)
    ).first()
    if same is not None:
        same.attempts += attempts
        same.failed_at = utcnow()
        same.request_id = request_id
        failed = same
    else:
        failed = FailedJob(name=name, arguments=arguments, error=error, attempts=attempts,
                           request_id=request_id)
        db.session.add(failed)
    db.session.commit()
    log.error("job %s failed after %d attempt(s): %s", name, attempts, error)
    return failed


def failed_jobs() -> list[FailedJob]:
    return list(db.session.scalars(
        select(FailedJob).where(FailedJob.status == FailedJobStatus.FAILED)
        .order_by(FailedJob.failed_at.desc(), FailedJob.id.desc())
    ))


def failed_messages(limit: int = 200) -> list[OutboxMessage]:
    return list(db.session.scalars(
        select(OutboxMessage).where(OutboxMessage.status == OutboxStatus.FAILED)
        .order_by(OutboxMessage.id.desc()).limit(limit)
    ))


@dataclass
class QueueState:
    waiting: int  # e-mails queued or being sent
    failed_messages: int
    failed_jobs: int
    oldest_waiting_minutes: int | None


def queue_state() -> QueueState:
    waiting, oldest = db.session.execute(
        select(func.count(), func.min(OutboxMessage.created_at)).where(
            OutboxMessage.status.in_([OutboxStatus.PENDING, OutboxStatus.SENDING]))
    ).one()
    failed = db.session.scalar(
        select(func.count()).where(OutboxMessage.status == OutboxStatus.FAILED)
    )
    jobs = db.session.scalar(
        select(func.count()).where(FailedJob.status == FailedJobStatus.FAILED)
    )
    minutes = None if oldest is None else int((utcnow() - oldest).total_seconds() // 60)
    return QueueState(waiting=waiting, failed_messages=failed, failed_jobs=jobs,
                      oldest_waiting_minutes=minutes)


def retry_job(failed: FailedJob, person: Person) -> dict:
    """Queue the job again with its arguments; the row stays as the record of it.
    The caller commits, then the job is queued (planner.jobs.enqueue_after_commit)."""
    if failed.status != FailedJobStatus.FAILED:
        raise InvalidInput.on("job", "This job was already run again or dismissed.")
    try:
        arguments = json.loads(failed.arguments or "{}")
    except ValueError as error:
        raise InvalidInput.on("job", f"Its arguments cannot be read back: {error}.") from error
    _resolve(failed, FailedJobStatus.RETRIED, person)
    return arguments


def dismiss_job(failed: FailedJob, person: Person) -> None:
    if failed.status != FailedJobStatus.FAILED:
        raise InvalidInput.on("job", "This job was already run again or dismissed.")
    _resolve(failed, FailedJobStatus.DISMISSED, person)


def _resolve(failed: FailedJob, status: FailedJobStatus, person: Person) -> None:
    failed.status = status
    failed.resolved_at = utcnow()
    failed.resolved_by = person
