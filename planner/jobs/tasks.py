"""The background jobs: what runs in `planner worker`, queued by the app or by the clock.

Each job is safe to run twice and alongside itself: the outbox claims each message before
it sends it, the reminders note each action as reminded that day. So a job lost with a
worker killed mid-way is simply done by the next turn."""

from __future__ import annotations

import logging
from datetime import timedelta

from flask import current_app
from sqlalchemy import func, select

from planner.extensions import db
from planner.jobs.engine import Job, every_hour, every_minute, every_minutes, jobs_of
from planner.models import OutboxMessage, OutboxStatus, utcnow

log = logging.getLogger(__name__)

# The time of the next e-mail retry a job is already scheduled for (in the queue's own
# store), so that a burst of failures schedules one follow-up, not one each.
FOLLOW_UP_KEY = "outbox.follow-up"
FOLLOW_UP_WITHIN = timedelta(hours=1)  # later retries are the minute's turn's
# A poll of the mailbox holds its lease this long at most (a worker that died mid-poll
# lets the next turn in after it).
INBOX_LEASE_SECONDS = 600


def send_outbox() -> str:
    """Send the e-mails that are due (queued right after the commit that wrote them, and
    every minute), then schedule itself for the next retry the outbox's back-off set."""
    from planner.outbox import send_due

    if not current_app.config.get("SMTP_HOST"):
        return "PLANNER_SMTP_HOST is not set: the messages stay queued."
    report = send_due()
    if report.errors:
        log.warning("outbox: %s; will retry: %s", report, "; ".join(report.errors))
    elif report.sent:
        log.info("outbox: %s", report)
    _schedule_follow_up()
    return str(report)


def _schedule_follow_up() -> None:
    # A message being sent counts at the end of its claim: if its sender died mid-send,
    # the follow-up takes it back then.
    due = db.session.scalar(select(func.min(OutboxMessage.next_attempt_at)).where(
        OutboxMessage.status.in_([OutboxStatus.PENDING, OutboxStatus.SENDING])))
    db.session.rollback()  # end the read
    now = utcnow()
    if due is None or due - now > FOLLOW_UP_WITHIN:
        return
    jobs = jobs_of()
    planned = jobs.huey.get(FOLLOW_UP_KEY, peek=True)
    if planned is not None and now < planned <= due:
        return  # a follow-up is already on its way for that time or sooner
    jobs.huey.put(FOLLOW_UP_KEY, due)
    delay = max((due - now).total_seconds(), 0) + 0.5
    jobs.tasks["outbox.send"].schedule(delay=delay)


def remind_owners() -> str:
    """Once a day, from PLANNER_REMINDER_HOUR (UTC): e-mail the owners of overdue and
    soon-due action items. Runs every hour so a worker that was down at that hour still
    reminds that day; an action is reminded at most once a day."""
    from planner.actions.operations import remind_owners as remind

    now = utcnow()
    if now.hour < current_app.config["REMINDER_HOUR"]:
        return "Not yet the hour of reminders."
    report = remind(today=now.date())  # commits
    if report.busy:
        return "Another worker was reminding; it finishes the day's reminders."
    return f"{len(report.queued)} people reminded."


def poll_inbox() -> str:
    """Every two minutes, when PLANNER_MAIL_INBOX_URL is set: read delegates' answers to
    invites from the organizer's mailbox (planner.inbox), in one worker at a time."""
    from planner.inbox import poll_inbox as poll

    if not current_app.config.get("MAIL_INBOX_URL"):
        return "PLANNER_MAIL_INBOX_URL is not set: nothing to read."
    with jobs_of().exclusive("inbox.poll", seconds=INBOX_LEASE_SECONDS):
        report = poll()
    if report.errors:
        log.warning("inbox: %s: %s", report, "; ".join(report.errors))
    elif report.read:
        log.info("inbox: %s", report)
    return str(report)


JOBS: list[Job] = [
    Job("outbox.send", send_outbox, summary="Sends queued e-mails right after they are queued"),
    Job("outbox.retry", send_outbox, every=every_minute(),
        summary="Sends e-mails due for another try, every minute"),
    Job("actions.remind", remind_owners, every=every_hour(),
        summary="Reminds the owners of overdue and soon-due action items, daily"),
    Job("inbox.poll", poll_inbox, every=every_minutes(2),
        summary="Reads delegates' answers to invites from the organizer's mailbox "
                "(PLANNER_MAIL_INBOX_URL), every two minutes"),
]
