"""Minutes pages: parse, check access (planner.access), call an operation, render.

Everyone who sees the meeting reads circulated and approved minutes; drafts, and every
change, are for those who write them (the secretariat and the dialogue's chair). A
reader who may not see a draft is told the minutes are not circulated yet."""

from __future__ import annotations

import io
import re
import unicodedata
from typing import Any

from flask import abort, flash, redirect, render_template, request, send_file, url_for
from flask_login import current_user, login_required
from sqlalchemy import Select, func, select
from sqlalchemy.orm import selectinload

from planner.access import (
    MANAGERS_ONLY,
    can_manage,
    can_read_minutes,
    meeting_or_404,
    require,
    restrict_to_readable_by_meeting,
)
from planner.actions import operations as actions
from planner.extensions import db
from planner.minutes import blueprint, exports
from planner.minutes import operations as ops
from planner.minutes.forms import base_from, encode_base, fields_from, prefixed, version_from
from planner.minutes.versioning import EditConflict
from planner.models import (
    ActionItem,
    ApprovalMethod,
    AttendanceStatus,
    CommitmentStatus,
    Decision,
    Meeting,
    Minutes,
    utcnow,
)
from planner.validation import InvalidInput

DECISION_FIELDS = ("text", "agenda_item", "commitment", "commitment_status")
ACTION_FIELDS = ("title", "description", "owner", "person", "due_on", "commitment",
                 "agenda_item")


def _actor():
    return current_user._get_current_object()


def _writing(meeting_id: int) -> tuple[Meeting, Minutes]:
    """The meeting and its minutes, for one who writes them; 403 for other readers."""
    meeting = meeting_or_404(current_user, meeting_id)
    require(can_manage(current_user, meeting.dialogue_id), MANAGERS_ONLY)
    minutes = ops.load_minutes(meeting.id)
    if minutes is None:
        abort(404)
    return meeting, minutes


def _to_minutes(meeting: Meeting, anchor: str | None = None):
    return redirect(url_for(".show", meeting_id=meeting.id, _anchor=anchor), code=303)


# --- template globals for the meeting page -------------------------------------------------


@blueprint.app_template_global()
def readable_minutes(meeting: Meeting) -> Minutes | None:
    """The meeting's minutes if the reader may read them (drafts: those who write them),
    with what the meeting page's panel shows of them: status, summary, attendance, decisions."""
    minutes = db.session.scalar(
        select(Minutes)
        .options(selectinload(Minutes.attendance),
                 selectinload(Minutes.decisions).joinedload(Decision.commitment))
        .where(Minutes.meeting_id == meeting.id)
    )
    if minutes is None or not can_read_minutes(current_user, minutes, meeting.dialogue_id):
        return None
    return minutes


def _readable_action_items_query(meeting: Meeting) -> Select[Any]:
    """The meeting's action items, unless they sit in minutes the reader may not read
    (planner.access decides, as for every list of action items)."""
    return restrict_to_readable_by_meeting(
        ops.action_items_query(meeting.id), ActionItem.meeting_id, ActionItem.dialogue_id,
        current_user,
    )


@blueprint.app_template_global()
def readable_action_items(meeting: Meeting) -> list[ActionItem]:
    return list(db.session.scalars(_readable_action_items_query(meeting)))


# The meeting page lists this many of the meeting's action items (soonest due first),
# and links to the list of them all: a meeting may agree hundreds.
ACTIONS_ON_MEETING_PAGE = 25


@blueprint.app_template_global()
def meeting_page_action_items(meeting: Meeting) -> tuple[list[ActionItem], int]:
    """The first of the meeting's readable action items, and how many there are."""
    query = _readable_action_items_query(meeting)
    # The first picked from narrow rows, then loaded with their owners and commitments.
    first = query.with_only_columns(ActionItem.id).limit(ACTIONS_ON_MEETING_PAGE)
    items = list(db.session.scalars(
        ops.action_items_query(meeting.id).where(ActionItem.id.in_(first))
    ))
    total = db.session.scalar(
        select(func.count()).select_from(query.order_by(None).subquery())
    )
    return items, total or 0


@blueprint.app_template_global()
def minutes_today():
    return utcnow().date()


@blueprint.app_template_global()
def minutes_may_start(meeting: Meeting) -> bool:
    return meeting.status != "cancelled" and (
        meeting.status == "held" or meeting.starts_at <= utcnow()
    ) and can_manage(current_user, meeting.dialogue_id)


# --- reading -------------------------------------------------------------------------------


@blueprint.route("/meetings/<int:meeting_id>/minutes")
@login_required
def show(meeting_id: int):
    meeting = meeting_or_404(current_user, meeting_id)
    manages = can_manage(current_user, meeting.dialogue_id)
    minutes = ops.load_minutes(meeting.id)
    if minutes is None or not can_read_minutes(current_user, minutes, meeting.dialogue_id):
        return render_template("minutes/none.html", meeting=meeting, dialogue=meeting.dialogue,
                               manages=manages, may_start=minutes_may_start(meeting))
    items = readable_action_items(meeting)
    return render_template(
        "minutes/show.html",
        meeting=meeting,
        dialogue=meeting.dialogue,
        minutes=minutes,
        sections=ops.sections(meeting, minutes, items),
        manages=manages,
        today=ops.today_in(meeting),
        history=ops.history(minutes) if manages else [],
    )


def _filename(meeting: Meeting, extension: str) -> str:
    title = unicodedata.normalize("NFKD", meeting.title)
    slug = re.sub(r"[^a-z0-9]+", "-", title.encode("ascii", "ignore").decode().lower()).strip("-")
    return f"minutes-{slug or 'meeting'}.{extension}"


def _export(meeting_id: int, render, mimetype: str, extension: str):
    meeting = meeting_or_404(current_user, meeting_id)
    minutes = ops.load_minutes(meeting.id)
    if minutes is None or not can_read_minutes(current_user, minutes, meeting.dialogue_id):
        abort(404)
    content = exports.minutes_content(meeting, minutes, readable_action_items(meeting))
    response = send_file(io.BytesIO(render(content)), mimetype=mimetype, as_attachment=True,
                         download_name=_filename(meeting, extension))
    # Minutes change until approved (and by amendment after): never from a shared cache.
    response.headers["Cache-Control"] = "private, no-cache"
    return response


@blueprint.route("/meetings/<int:meeting_id>/minutes.pdf")
@login_required
def pdf(meeting_id: int):
    return _export(meeting_id, exports.minutes_pdf, "application/pdf", "pdf")


@blueprint.route("/meetings/<int:meeting_id>/minutes.docx")
@login_required
def docx(meeting_id: int):
    return _export(meeting_id, exports.minutes_docx, exports.DOCX_MIMETYPE, "docx")


# --- starting and the workflow -------------------------------------------------------------


@blueprint.route("/meetings/<int:meeting_id>/minutes", methods=["POST"])
@login_required
def start(meeting_id: int):
    meeting = meeting_or_404(current_user, meeting_id)
    require(can_manage(current_user, meeting.dialogue_id), MANAGERS_ONLY)
    try:
        ops.start_minutes(meeting, by=_actor())
    except InvalidInput as error:
        db.session.rollback()
        flash(next(iter(error.errors.values())), "error")
        return redirect(url_for(".show", meeting_id=meeting.id), code=303)
    flash("The draft minutes are started. Record the attendance, then the notes, decisions "
          "and action items.", "success")
    return _to_minutes(meeting)


@blueprint.route("/meetings/<int:meeting_id>/minutes/circulate", methods=["POST"])
@login_required
def circulate(meeting_id: int):
    meeting, minutes = _writing(meeting_id)
    try:
        sent = ops.circulate_minutes(minutes, expected_version=version_from(request.form),
                                     by=_actor(), notify=bool(request.form.get("notify")))
    except (InvalidInput, EditConflict) as error:
        flash(_message(error), "error")
        return _to_minutes(meeting)
    flash("The minutes are circulated for comments"
          + (f"; {sent} member{'s' if sent != 1 else ''} will get an e-mail." if sent else "."),
          "success")
    return _to_minutes(meeting)


def _message(error: Exception) -> str:
    if isinstance(error, InvalidInput):
        return next(iter(error.errors.values()))
    return str(error)


@blueprint.route("/meetings/<int:meeting_id>/minutes/approve", methods=["GET", "POST"])
@login_required
def approve(meeting_id: int):
    meeting, minutes = _writing(meeting_id)
    choices = ops.approving_meetings(meeting)
    if request.method == "GET":
        method, chosen = ops.approval_default(meeting)
        values = {"method": method, "meeting": str(chosen or ""), "note": ""}
        return _render_approve(meeting, minutes, choices, values, {}, minutes.version_id)
    values = fields_from(request.form, ("method", "meeting", "note"))
    try:
        ops.approve_minutes(minutes, method=values["method"], meeting_id=values["meeting"],
                            note=values["note"], expected_version=version_from(request.form),
                            by=_actor())
    except InvalidInput as error:
        return _render_approve(meeting, minutes, choices, values, error.errors,
                               version_from(request.form), status=400)
    except EditConflict as error:
        flash(error.message, "error")
        return _to_minutes(meeting)
    flash("The minutes are approved. From now on they change only by a recorded amendment.",
          "success")
    return _to_minutes(meeting)


def _render_approve(meeting, minutes, choices, values, errors, version, status=200):
    return render_template(
        "minutes/approve.html", meeting=meeting, dialogue=meeting.dialogue, minutes=minutes,
        choices=choices, values=values, errors=errors, version=version,
        methods=list(ApprovalMethod),
    ), status


# --- the text ------------------------------------------------------------------------------


@blueprint.route("/meetings/<int:meeting_id>/minutes/text", methods=["GET", "POST"])
@login_required
def edit_text(meeting_id: int):
    meeting, minutes = _writing(meeting_id)
    parts = ops.sections(meeting, minutes, action_items=[])
    current = ops.text_values(minutes, parts)
    if request.method == "GET":
        return _render_text(meeting, minutes, parts, current, current, minutes.version_id)
    values = fields_from(request.form, list(current))
    reason = request.form.get("reason", "")
    try:
        ops.save_text(minutes, values=values, base=base_from(request.form),
                      expected_version=version_from(request.form), by=_actor(), reason=reason)
    except InvalidInput as error:
        return _render_text(meeting, minutes, parts, values, base_from(request.form) or current,
                            version_from(request.form), errors=error.errors, reason=reason,
                            status=400)
    except EditConflict as error:
        minutes = ops.load_minutes(meeting.id)
        parts = ops.sections(meeting, minutes, action_items=[])
        return _render_text(meeting, minutes, parts, {**values, **error.values}, error.base,
                            error.version, conflict=error, reason=reason, status=409)
    flash("The minutes' text is saved.", "success")
    return _to_minutes(meeting)


def _render_text(meeting, minutes, parts, values, base, version, *, errors=None,
                 conflict=None, reason="", status=200):
    return render_template(
        "minutes/text.html", meeting=meeting, dialogue=meeting.dialogue, minutes=minutes,
        sections=parts, values=values, base=encode_base(base), version=version,
        errors=errors or {}, conflict=conflict, reason=reason, labels=ops.text_labels(parts),
    ), status


# --- attendance ----------------------------------------------------------------------------


@blueprint.route("/meetings/<int:meeting_id>/minutes/attendance", methods=["GET", "POST"])
@login_required
def attendance(meeting_id: int):
    meeting, minutes = _writing(meeting_id)
    seats = ops.members(meeting.dialogue_id)
    current = ops.attendance_values(minutes, seats)
    if request.method == "GET":
        return _render_attendance(meeting, minutes, seats, current, current, minutes.version_id)
    values = prefixed(request.form, "status-", "delegates-")
    reason = request.form.get("reason", "")
    try:
        ops.save_attendance(minutes, values=values, base=base_from(request.form),
                            expected_version=version_from(request.form), by=_actor(),
                            reason=reason)
    except InvalidInput as error:
        return _render_attendance(meeting, minutes, seats, {**current, **values},
                                  base_from(request.form) or current, version_from(request.form),
                                  errors=error.errors, reason=reason, status=400)
    except EditConflict as error:
        minutes = ops.load_minutes(meeting.id)
        return _render_attendance(meeting, minutes, seats, {**current, **values, **error.values},
                                  error.base, error.version, conflict=error, reason=reason,
                                  status=409)
    flash("The attendance is saved.", "success")
    return _to_minutes(meeting, "attendance")


def _render_attendance(meeting, minutes, seats, values, base, version, *, errors=None,
                       conflict=None, reason="", status=200):
    return render_template(
        "minutes/attendance.html", meeting=meeting, dialogue=meeting.dialogue, minutes=minutes,
        seats=seats, values=values, base=encode_base(base), version=version,
        errors=errors or {}, conflict=conflict, reason=reason,
        statuses=list(AttendanceStatus),
    ), status


# --- decisions -----------------------------------------------------------------------------


def _decision_of(minutes: Minutes, decision_id: int) -> Decision:
    for decision in minutes.decisions:
        if decision.id == decision_id:
            return decision
    abort(404)


@blueprint.route("/meetings/<int:meeting_id>/minutes/decisions/new", methods=["GET", "POST"])
@login_required
def new_decision(meeting_id: int):
    meeting, minutes = _writing(meeting_id)
    if request.method == "GET":
        values = ops.decision_values(None) | {"agenda_item": request.args.get("item", "")}
        return _render_decision(meeting, minutes, None, values, values, minutes.version_id)
    values = fields_from(request.form, DECISION_FIELDS)
    reason = request.form.get("reason", "")
    try:
        decision = ops.add_decision(minutes, values=values,
                                    expected_version=version_from(request.form), by=_actor(),
                                    reason=reason)
    except InvalidInput as error:
        return _render_decision(meeting, minutes, None, values, values,
                                version_from(request.form), errors=error.errors, reason=reason,
                                status=400)
    flash("The decision is recorded.", "success")
    return _to_minutes(meeting, f"decision-{decision.id}")


@blueprint.route("/meetings/<int:meeting_id>/minutes/decisions/<int:decision_id>",
                 methods=["GET", "POST"])
@login_required
def edit_decision(meeting_id: int, decision_id: int):
    meeting, minutes = _writing(meeting_id)
    decision = _decision_of(minutes, decision_id)
    current = ops.decision_values(decision)
    if request.method == "GET":
        return _render_decision(meeting, minutes, decision, current, current, minutes.version_id)
    values = fields_from(request.form, DECISION_FIELDS)
    reason = request.form.get("reason", "")
    try:
        ops.update_decision(decision, values=values, base=base_from(request.form),
                            expected_version=version_from(request.form), by=_actor(),
                            reason=reason)
    except InvalidInput as error:
        return _render_decision(meeting, minutes, decision, values,
                                base_from(request.form) or current, version_from(request.form),
                                errors=error.errors, reason=reason, status=400)
    except EditConflict as error:
        minutes = ops.load_minutes(meeting.id)
        decision = _decision_of(minutes, decision_id)
        return _render_decision(meeting, minutes, decision, {**values, **error.values},
                                error.base, error.version, conflict=error, reason=reason,
                                status=409)
    flash("The decision is saved.", "success")
    return _to_minutes(meeting, f"decision-{decision.id}")


def _render_decision(meeting, minutes, decision, values, base, version, *, errors=None,
                     conflict=None, reason="", status=200):
    return render_template(
        "minutes/decision.html", meeting=meeting, dialogue=meeting.dialogue, minutes=minutes,
        decision=decision, values=values, base=encode_base(base), version=version,
        errors=errors or {}, conflict=conflict, reason=reason,
        items=ops.section_choices(meeting),
        commitments=ops.commitment_choices(meeting.dialogue_id),
        statuses=list(CommitmentStatus),
    ), status


@blueprint.route("/meetings/<int:meeting_id>/minutes/decisions/<int:decision_id>/remove",
                 methods=["GET", "POST"])
@login_required
def remove_decision(meeting_id: int, decision_id: int):
    meeting, minutes = _writing(meeting_id)
    decision = _decision_of(minutes, decision_id)
    current = ops.decision_values(decision)
    if request.method == "GET":
        return _render_remove(meeting, minutes, decision, current, minutes.version_id)
    reason = request.form.get("reason", "")
    try:
        ops.delete_decision(decision, base=base_from(request.form),
                            expected_version=version_from(request.form), by=_actor(),
                            reason=reason)
    except InvalidInput as error:
        return _render_remove(meeting, minutes, decision, base_from(request.form) or current,
                              version_from(request.form), errors=error.errors, reason=reason,
                              status=400)
    except EditConflict as error:
        flash(error.message, "error")
        return _to_minutes(meeting, f"decision-{decision_id}")
    flash("The decision is removed from the minutes.", "success")
    return _to_minutes(meeting)


def _render_remove(meeting, minutes, decision, base, version, *, errors=None, reason="",
                   status=200):
    return render_template(
        "minutes/remove_decision.html", meeting=meeting, dialogue=meeting.dialogue,
        minutes=minutes, decision=decision, base=encode_base(base), version=version,
        errors=errors or {}, reason=reason,
    ), status


# --- action items recorded in the minutes --------------------------------------------------


@blueprint.route("/meetings/<int:meeting_id>/minutes/actions/new", methods=["GET", "POST"])
@login_required
def new_action(meeting_id: int):
    meeting, minutes = _writing(meeting_id)
    if request.method == "GET":
        values = actions.item_values(None) | {"agenda_item": request.args.get("item", "")}
        return _render_action(meeting, minutes, values)
    values = fields_from(request.form, ACTION_FIELDS)
    reason = request.form.get("reason", "")
    try:
        item = actions.add_action_item(minutes, values=values, by=_actor(), reason=reason)
    except InvalidInput as error:
        return _render_action(meeting, minutes, values, errors=error.errors, reason=reason,
                              status=400)
    flash("The action item is recorded.", "success")
    return _to_minutes(meeting, f"action-{item.id}")


def _render_action(meeting, minutes, values, *, errors=None, reason="", status=200):
    return render_template(
        "minutes/new_action.html", meeting=meeting, dialogue=meeting.dialogue, minutes=minutes,
        values=values, errors=errors or {}, reason=reason,
        items=ops.section_choices(meeting),
        owners=actions.owner_choices(meeting.dialogue_id),
        people=actions.person_choices(meeting.dialogue_id),
        commitments=ops.commitment_choices(meeting.dialogue_id),
        earliest=meeting.local_start.date(),
    ), status

