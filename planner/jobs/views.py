"""The secretariat's page of background work: what is waiting, what failed for good
(e-mails and jobs), and running it again."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import login_required

from planner.access import secretariat_only
from planner.extensions import db
from planner.jobs import blueprint, enqueue_after_commit, jobs_of
from planner.jobs import operations as ops
from planner.jobs.cli import shown_url
from planner.models import FailedJob, Person
from planner.outbox.operations import retry_failed
from planner.validation import InvalidInput

SECRETARIAT_ONLY = "Only the secretariat sees and runs the background work."


def _secretariat() -> Person:
    return secretariat_only(SECRETARIAT_ONLY)


@blueprint.route("/jobs")
@login_required
def index():
    _secretariat()
    jobs = jobs_of()
    return render_template(
        "jobs/index.html", state=ops.queue_state(), messages=ops.failed_messages(),
        failed=ops.failed_jobs(), periodic=list(jobs.periodic.values()),
        queue=shown_url(jobs.url),
    )


@blueprint.route("/jobs/messages/retry", methods=["POST"])
@login_required
def retry_messages():
    _secretariat()
    message_id = request.form.get("message_id", type=int)
    count = retry_failed([message_id] if message_id else None)
    enqueue_after_commit("outbox.send")
    db.session.commit()
    if count:
        flash(f"{count} e-mail{'s' if count != 1 else ''} queued to be sent again.", "success")
    else:
        flash("Nothing to send again: it was sent or queued meanwhile.", "info")
    return redirect(url_for("jobs.index"))


@blueprint.route("/jobs/<int:job_id>/retry", methods=["POST"])
@login_required
def retry_job(job_id: int):
    person = _secretariat()
    failed = _failed_or_404(job_id)
    try:
        arguments = ops.retry_job(failed, person)
    except InvalidInput as error:
        db.session.rollback()
        flash(" ".join(error.errors.values()), "error")
        return redirect(url_for("jobs.index"))
    enqueue_after_commit(failed.name, **arguments)
    db.session.commit()
    flash(f"“{failed.name}” queued to run again.", "success")
    return redirect(url_for("jobs.index"))


@blueprint.route("/jobs/<int:job_id>/dismiss", methods=["POST"])
@login_required
def dismiss_job(job_id: int):
    person = _secretariat()
    failed = _failed_or_404(job_id)
    try:
        ops.dismiss_job(failed, person)
    except InvalidInput as error:
        db.session.rollback()
        flash(" ".join(error.errors.values()), "error")
        return redirect(url_for("jobs.index"))
    db.session.commit()
    flash(f"“{failed.name}” dismissed; it stays in the record.", "success")
    return redirect(url_for("jobs.index"))


def _failed_or_404(job_id: int) -> FailedJob:
    failed = db.session.get(FailedJob, job_id)
    if failed is None:
        abort(404)
    return failed
