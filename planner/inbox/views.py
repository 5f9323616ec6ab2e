"""The secretariat's page of answers that came back by e-mail: those that could not be
matched (with the reason), proposals of another time, an upload form, confirm and
dismiss."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, url_for
from flask_login import login_required

from planner.access import secretariat_only
from planner.extensions import db
from planner.inbox import blueprint
from planner.inbox import operations as ops
from planner.inbox.forms import UploadForm
from planner.models import CalendarReply, Person, ReplyStatus
from planner.validation import InvalidInput, attach_to_form

ONLY = "Only the secretariat reads the answers that come back by e-mail."
OUTCOMES = {
    ReplyStatus.APPLIED: "The answer is recorded: {name}, {answer}.",
    ReplyStatus.PROPOSAL: "{name} proposes another time; it is listed below.",
    ReplyStatus.UNMATCHED: "The answer is kept but not recorded: {reason}.",
}


def _secretariat_only() -> Person:
    return secretariat_only(ONLY)


def _reply_or_404(reply_id: int) -> CalendarReply:
    reply = ops.waiting_reply(reply_id)
    if reply is None:
        abort(404)
    return reply


def _page(form: UploadForm | None = None, status: int = 200):
    return render_template(
        "inbox/index.html",
        form=form or UploadForm(formdata=None),
        waiting=ops.waiting_replies(),
        recent=ops.recent_replies(),
    ), status


@blueprint.route("/answers")
@login_required
def index():
    _secretariat_only()
    return _page()


@blueprint.post("/answers")
@login_required
def upload():
    by = _secretariat_only()
    form = UploadForm()
    if not form.validate_on_submit():
        return _page(form, 400)
    data = form.file.data.read() if form.file.data else (form.message.data or "").encode()
    try:
        reply = ops.upload(data, by=by)
    except InvalidInput as error:
        db.session.rollback()
        attach_to_form(form, error)
        return _page(form, 400)
    db.session.commit()
    _say(reply)
    return redirect(url_for(".index"))


def _say(reply: CalendarReply) -> None:
    text = OUTCOMES[ReplyStatus(reply.status)].format(
        name=reply.person.name if reply.person else reply.attendee,
        answer=reply.partstat.lower(), reason=reply.problem_label.lower())
    flash(text, "success" if reply.status == ReplyStatus.APPLIED else "info")


@blueprint.post("/answers/<int:reply_id>/confirm")
@login_required
def confirm(reply_id: int):
    by = _secretariat_only()
    reply = _reply_or_404(reply_id)
    try:
        ops.confirm(reply, by=by)
    except InvalidInput as error:
        db.session.rollback()
        flash(" ".join(error.errors.values()), "error")
        return _page(status=400)
    db.session.commit()
    _say(reply)
    return redirect(url_for(".index"))


@blueprint.post("/answers/<int:reply_id>/dismiss")
@login_required
def dismiss(reply_id: int):
    by = _secretariat_only()
    reply = _reply_or_404(reply_id)
    try:
        ops.dismiss(reply, by=by)
    except InvalidInput as error:
        db.session.rollback()
        flash(" ".join(error.errors.values()), "error")
        return _page(status=400)
    db.session.commit()
    flash("The answer is set aside; its message moves to the processed folder on the next "
          "poll of the mailbox.", "success")
    return redirect(url_for(".index"))
