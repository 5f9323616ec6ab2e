"""Background work on a job queue (Huey): the outbox's sending and retries, the daily
reminders, and whatever else must not make a request wait. `planner worker` runs the
jobs; the page /jobs shows the secretariat what failed and runs it again.

Other areas queue a job with `enqueue_after_commit(name, **arguments)`: it is queued
only if the transaction that asked for it commits."""

from __future__ import annotations

import logging
from typing import Any

from flask import Blueprint, Flask, has_app_context
from sqlalchemy import event
from sqlalchemy.orm import Session

from planner.extensions import db
from planner.jobs.engine import Jobs, jobs_of

blueprint = Blueprint("jobs", __name__)
log = logging.getLogger(__name__)
_AFTER_COMMIT = "planner.jobs.after_commit"

__all__ = ["Jobs", "blueprint", "enqueue_after_commit", "jobs_of", "register"]


def register(app: Flask) -> None:
    from planner.jobs.cli import worker_command
    from planner.jobs.engine import build
    from planner.jobs.tasks import JOBS

    app.extensions["planner_jobs"] = build(app, JOBS)
    app.cli.add_command(worker_command)
    if not event.contains(db.session, "after_commit", _after_commit):
        event.listen(db.session, "after_commit", _after_commit)
        event.listen(db.session, "after_soft_rollback", _after_rollback)


def enqueue_after_commit(name: str, **arguments: Any) -> None:
    """Queue the job once the current transaction commits (never if it rolls back).
    The same job with the same arguments is queued once per transaction."""
    wanted = db.session.info.setdefault(_AFTER_COMMIT, [])
    if (name, arguments) not in wanted:
        wanted.append((name, arguments))


def _after_commit(session: Session) -> None:
    wanted = session.info.pop(_AFTER_COMMIT, None)
    if not wanted or not has_app_context():
        return
    jobs = jobs_of()
    for name, arguments in wanted:
        try:
            jobs.enqueue(name, **arguments)
        except Exception:  # the queue is down: the periodic turn picks the work up
            log.exception("Could not queue job %s; its periodic turn will do the work", name)


def _after_rollback(session: Session, previous_transaction: Any) -> None:
    if previous_transaction.parent is None:  # the outermost transaction: nothing happened
        session.info.pop(_AFTER_COMMIT, None)


from planner.jobs import views  # noqa: E402,F401
