"""Queueing and sending: the rules of the outbox, testable without a mail server."""

from __future__ import annotations

import logging
import smtplib
import time
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from email.utils import make_msgid, parseaddr

from flask import current_app
from sqlalchemy import func, select, update

from planner.extensions import db
from planner.models import Meeting, OutboxMessage, OutboxStatus, Person, utcnow
from planner.outbox.smtp import Connection, Failure, SmtpSettings, build_email, classify
from planner.validation import InvalidInput

log = logging.getLogger(__name__)

LONGEST_WAIT = timedelta(hours=6)
# A message the server refused for a while (4xx) gives up after this many tries,
# about three days; one that could not be sent because the server was down never does.
MAX_ATTEMPTS = 20
# A claimed message whose sender died goes back in the queue after this long
# (PLANNER_OUTBOX_CLAIM_SECONDS; longer than a slow mail server takes to answer).
LEASE = timedelta(minutes=10)


def queue_message(
    *,
    kind: str,
    recipient: str,
    subject: str,
    text_body: str,
    html_body: str | None = None,
    calendar: str | None = None,
    calendar_method: str | None = None,
    meeting: Meeting | None = None,
    person: Person | None = None,
) -> OutboxMessage:
    """Add one e-mail to the outbox in the current transaction. The caller commits:
    the message exists exactly when the change that caused it does."""
    address = parseaddr(recipient)[1]
    if not address or "@" not in address or address != recipient.strip() or any(
        c in recipient for c in "\r\n"
    ):
        raise InvalidInput.on("recipient", f"“{recipient}” is not an e-mail address.")
    if not subject.strip() or any(c in subject for c in "\r\n"):
        raise InvalidInput.on("subject", "A message needs a subject on one line.")
    message = OutboxMessage(
        message_id=new_message_id(),
        kind=kind,
        recipient=address,
        subject=subject.strip()[:300],
        text_body=text_body,
        html_body=html_body,
        calendar=calendar,
        calendar_method=calendar_method,
        meeting=meeting,
        person=person,
        status=OutboxStatus.PENDING,
        next_attempt_at=utcnow(),
    )
    db.session.add(message)
    if current_app.config.get("OUTBOX_SEND_AFTER_COMMIT"):
        from planner.jobs import enqueue_after_commit

        enqueue_after_commit("outbox.send")
    return message


def new_message_id() -> str:
    domain = parseaddr(current_app.config.get("MAIL_FROM") or "")[1].rpartition("@")[2]
    return make_msgid(domain=domain or "dialogue-planner.invalid")


def backoff(attempts: int) -> timedelta:
    """1, 2, 4, ... minutes (PLANNER_OUTBOX_RETRY_SECONDS, then doubled) after each
    failed try, at most six hours."""
    first = timedelta(seconds=current_app.config.get("OUTBOX_RETRY_SECONDS", 60))
    return min(first * 2 ** max(attempts - 1, 0), LONGEST_WAIT)


def lease() -> timedelta:
    seconds = current_app.config.get("OUTBOX_CLAIM_SECONDS")
    return timedelta(seconds=seconds) if seconds else LEASE


@dataclass
class SendReport:
    sent: int = 0
    deferred: int = 0
    failed: int = 0
    errors: list[str] = field(default_factory=list)

    def __str__(self) -> str:
        return f"{self.sent} sent, {self.deferred} deferred, {self.failed} failed"


def send_due(*, now: datetime | None = None, limit: int = 200) -> SendReport:
    """Send what is due, oldest first. Each message is claimed (pending -> sending) by a
    guarded UPDATE and committed before it is sent, so that concurrent senders (cron,
    the after-commit thread, a second worker) never send one message twice."""
    settings = SmtpSettings.from_config(current_app.config)
    now = now or utcnow()
    started = time.monotonic()
    report = SendReport()
    _release_expired_claims(now)
    due = db.session.scalars(
        select(OutboxMessage.id)
        .where(OutboxMessage.status == OutboxStatus.PENDING, OutboxMessage.next_attempt_at <= now)
        .order_by(OutboxMessage.next_attempt_at, OutboxMessage.id)
        .limit(limit)
    ).all()
    db.session.commit()  # end the read before the claims begin
    connection = Connection(settings)
    try:
        for position, message_id in enumerate(due):
            # Each claim's lease runs from when it is made, not from the batch's start: a
            # batch slower than a lease must not hand its last claims to another sender.
            claimed_at = now + timedelta(seconds=time.monotonic() - started)
            if not _claim(message_id, now, claimed_at):
                continue  # another sender has it
            message = db.session.get(OutboxMessage, message_id)
            try:
                email = build_email(message, settings)
            except (ValueError, TypeError) as error:  # it would never go: say so, go on
                _finish(message_id, OutboxStatus.FAILED, now, error=f"Cannot build: {error}")
                report.failed += 1
                report.errors.append(f"message {message_id}: cannot build: {error}")
                continue
            try:
                connection.send(email, message.recipient)
            except (smtplib.SMTPException, OSError, ValueError) as error:
                kind = classify(error)
                text = f"{type(error).__name__}: {error}"
                report.errors.append(f"message {message_id}: {text}")
                if kind is Failure.PERMANENT or (
                    kind is Failure.RETRY and message.attempts >= MAX_ATTEMPTS
                ):
                    _finish(message_id, OutboxStatus.FAILED, now, error=text)
                    report.failed += 1
                    continue
                _defer(message_id, now, text, claimed=True)
                report.deferred += 1
                if kind is Failure.SERVER:
                    log.warning("outbox: mail server unavailable: %s", text)
                    for rest in due[position + 1:]:
                        report.deferred += _defer(rest, now, text, claimed=False)
                    connection.close()
                    break
                continue
            _finish(message_id, OutboxStatus.SENT, now)
            report.sent += 1
    finally:
        connection.close()
    return report


def _release_expired_claims(now: datetime) -> None:
    # A sender that died between claiming and finishing: try again (at least once is
    # better than never; the Message-ID stays the same, so mail systems can tell).
    db.session.execute(
        update(OutboxMessage)
        .where(OutboxMessage.status == OutboxStatus.SENDING,
               OutboxMessage.next_attempt_at <= now)
        .values(status=OutboxStatus.PENDING, last_error="The sender stopped while sending.")
        .execution_options(synchronize_session=False)
    )
    db.session.commit()


def _claim(message_id: int, now: datetime, claimed_at: datetime) -> bool:
    result = db.session.execute(
        update(OutboxMessage)
        .where(OutboxMessage.id == message_id, OutboxMessage.status == OutboxStatus.PENDING,
               OutboxMessage.next_attempt_at <= now)
        .values(status=OutboxStatus.SENDING, attempts=OutboxMessage.attempts + 1,
                next_attempt_at=claimed_at + lease())
        .execution_options(synchronize_session=False)
    )
    db.session.commit()
    return result.rowcount == 1


def _finish(message_id: int, status: OutboxStatus, now: datetime, *, error: str = "") -> None:
    db.session.execute(
        update(OutboxMessage)
        .where(OutboxMessage.id == message_id, OutboxMessage.status == OutboxStatus.SENDING)
        .values(status=status, last_error=error,
                sent_at=now if status == OutboxStatus.SENT else None)
        .execution_options(synchronize_session=False)
    )
    db.session.commit()


def _defer(message_id: int, now: datetime, error: str, *, claimed: bool) -> int:
    """Back to the queue with a later try. An unclaimed message that was due counts the
    try too, so that all of them back off alike while the server is down."""
    attempts = db.session.scalar(
        select(OutboxMessage.attempts).where(OutboxMessage.id == message_id)
    )
    if attempts is None:
        return 0
    if claimed:
        guard = OutboxMessage.status == OutboxStatus.SENDING
    else:
        attempts += 1
        guard = (OutboxMessage.status == OutboxStatus.PENDING) & (
            OutboxMessage.next_attempt_at <= now
        )
    result = db.session.execute(
        update(OutboxMessage)
        .where(OutboxMessage.id == message_id, guard)
        .values(status=OutboxStatus.PENDING, attempts=attempts, last_error=error[:2000],
                next_attempt_at=now + backoff(attempts))
        .execution_options(synchronize_session=False)
    )
    db.session.commit()
    return result.rowcount


def retry_failed(message_ids: list[int] | None = None) -> int:
    """Give failed messages another go (after fixing an address, say). The caller commits."""
    query = update(OutboxMessage).where(OutboxMessage.status == OutboxStatus.FAILED)
    if message_ids:
        query = query.where(OutboxMessage.id.in_(message_ids))
    result = db.session.execute(
        query.values(status=OutboxStatus.PENDING, attempts=0, next_attempt_at=utcnow())
        .execution_options(synchronize_session=False)
    )
    return result.rowcount


def counts() -> dict[str, int]:
    rows = db.session.execute(
        select(OutboxMessage.status, func.count()).group_by(OutboxMessage.status)
    ).all()
    return {status: 0 for status in OutboxStatus} | dict(rows)
