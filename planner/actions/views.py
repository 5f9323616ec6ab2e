"""Action item pages: the list, one item, and changing, closing, reopening or removing it.
Views parse, check access (planner.access), call an operation and render."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required
from sqlalchemy import select
from sqlalchemy.orm import joinedload

from planner.access import (
    MANAGERS_ONLY,
    can_manage,
    managed_dialogue_ids,
    require,
    restrict_to_visible,
    visible_dialogues,
)
from planner.actions import blueprint
from planner.actions import operations as ops
from planner.extensions import db
from planner.minutes import operations as minutes_ops
from planner.minutes.forms import base_from, encode_base, fields_from, version_from
from planner.minutes.versioning import EditConflict
from planner.models import ActionItem, ActionItemStatus, Meeting, Minutes, MinutesStatus, utcnow
from planner.validation import InvalidInput

EDIT_FIELDS = ("title", "description", "owner", "person", "due_on", "commitment",
               "agenda_item", "status")


def _actor():
    return current_user._get_current_object()


def action_item_or_404(action_item_id: int) -> ActionItem:
    item = db.session.scalar(
        ops.readable(current_user)
        .options(joinedload(ActionItem.dialogue), joinedload(ActionItem.owner),
                 joinedload(ActionItem.owner_person), joinedload(ActionItem.meeting),
                 joinedload(ActionItem.commitment), joinedload(ActionItem.agenda_item))
        .where(ActionItem.id == action_item_id)
    )
    if item is None:
        abort(404)
    return item


def _managing(action_item_id: int) -> ActionItem:
    item = action_item_or_404(action_item_id)
    require(can_manage(current_user, item.dialogue_id), MANAGERS_ONLY)
    return item


def _minutes_status(item: ActionItem) -> str | None:
    if item.meeting_id is None:
        return None
    minutes = db.session.scalar(
        select(Minutes.status).where(Minutes.meeting_id == item.meeting_id)
    )
    return minutes


def _chairs_any() -> bool:
    managed = managed_dialogue_ids(current_user)
    return managed is None or db.session.scalar(managed.limit(1)) is not None


def _to_item(item: ActionItem):
    return redirect(url_for(".show", action_item_id=item.id), code=303)


# --- the list ------------------------------------------------------------------------------


@blueprint.route("/actions")
@login_required
def index():
    dialogues = db.session.scalars(visible_dialogues(current_user)).all()
    dialogue_ids = {d.id for d in dialogues}
    owners = ops.owners_in([d.id for d in dialogues])
    owner_ids = {p.id for p in owners}
    notices = []

    dialogue_id = request.args.get("dialogue", type=int)
    if request.args.get("dialogue") and dialogue_id not in dialogue_ids:
        notices.append("That dialogue is not one of yours: showing all your dialogues.")
        dialogue_id = None
    meeting = None
    if request.args.get("meeting"):
        meeting = db.session.scalar(
            restrict_to_visible(select(Meeting), Meeting.dialogue_id, current_user)
            .where(Meeting.id == request.args.get("meeting", type=int))
        )
        if meeting is None:
            notices.append("That meeting is not one of yours: showing every meeting.")
    owner_arg = request.args.get("owner", "")
    if "owner" not in request.args and current_user.participant_id in owner_ids \
            and not _chairs_any():
        owner_arg = "mine"  # a delegate comes for their delegation's actions first
    owner_id = current_user.participant_id if owner_arg == "mine" else (
        int(owner_arg) if owner_arg.isdigit() else None)
    if owner_id is not None and owner_id not in owner_ids:
        notices.append("That owner has no seat in your dialogues: showing every owner.")
        owner_id, owner_arg = None, ""
    status = request.args.get("status", "still_open")
    if status not in ops.STATUS_FILTERS:
        notices.append("Unknown status: showing the actions still open.")
        status = "still_open"
    overdue = request.args.get("overdue") == "1"
    today = utcnow().date()
    listing = ops.list_action_items(
        current_user, dialogue_id=dialogue_id, owner_id=owner_id, status=status,
        meeting_id=meeting.id if meeting is not None else None,
        overdue=overdue, today=today, page=request.args.get("page", 1, type=int) or 1,
    )
    args = {k: v for k, v in request.args.items()
            if k != "page" and (k != "meeting" or meeting is not None)}
    args.setdefault("owner", owner_arg)
    return render_template(
        "actions/index.html", listing=listing, dialogues=dialogues, owners=owners,
        dialogue_id=dialogue_id, owner_arg=owner_arg, status=status, overdue=overdue,
        meeting=meeting,
        statuses=ops.STATUS_FILTERS, today=today, notices=notices, args=args,
        mine=current_user.participant_id if current_user.participant_id in owner_ids else None,
    )


# --- one action item -----------------------------------------------------------------------


@blueprint.route("/actions/<int:action_item_id>")
@login_required
def show(action_item_id: int):
    item = action_item_or_404(action_item_id)
    manages = can_manage(current_user, item.dialogue_id)
    return render_template(
        "actions/show.html", item=item, dialogue=item.dialogue, manages=manages,
        today=utcnow().date(), history=ops.history(item),
        reminders=ops.reminders(item) if manages else [],
        minutes_status=_minutes_status(item),
    )


@blueprint.route("/actions/<int:action_item_id>/edit", methods=["GET", "POST"])
@login_required
def edit(action_item_id: int):
    item = _managing(action_item_id)
    current = ops.item_values(item)
    if request.method == "GET":
        return _render_edit(item, current, current, item.version_id)
    values = fields_from(request.form, EDIT_FIELDS)
    reason = request.form.get("reason", "")
    try:
        ops.update_action_item(item, values=values, base=base_from(request.form),
                               expected_version=version_from(request.form), by=_actor(),
                               reason=reason)
    except InvalidInput as error:
        return _render_edit(item, values, base_from(request.form) or current,
                            version_from(request.form), errors=error.errors, reason=reason,
                            status=400)
    except EditConflict as error:
        item = action_item_or_404(action_item_id)
        return _render_edit(item, {**values, **error.values}, error.base or ops.item_values(item),
                            error.version or item.version_id, conflict=error, reason=reason,
                            status=409)
    flash("The action item is saved.", "success")
    return _to_item(item)


def _render_edit(item, values, base, version, *, errors=None, conflict=None, reason="",
                 status=200):
    meeting = item.meeting
    return render_template(
        "actions/edit.html", item=item, dialogue=item.dialogue, values=values,
        base=encode_base(base), version=version, errors=errors or {}, conflict=conflict,
        reason=reason, locked=_minutes_status(item) == MinutesStatus.APPROVED,
        items=minutes_ops.section_choices(meeting) if meeting else [],
        owners=ops.owner_choices(item.dialogue_id),
        people=ops.person_choices(item.dialogue_id),
        commitments=minutes_ops.commitment_choices(item.dialogue_id),
        earliest=meeting.local_start.date() if meeting else None,
        statuses=[ActionItemStatus.OPEN, ActionItemStatus.IN_PROGRESS],
        labels=ops.LABELS,
    ), status


@blueprint.route("/actions/<int:action_item_id>/close", methods=["GET", "POST"])
@login_required
def close(action_item_id: int):
    item = _managing(action_item_id)
    current = {"status": item.status, "outcome": item.outcome or ""}
    if request.method == "GET":
        values = {"status": item.status if not item.is_open else ActionItemStatus.DONE,
                  "outcome": item.outcome or ""}
        return _render_close(item, values, current, item.version_id)
    values = fields_from(request.form, ("status", "outcome"))
    try:
        ops.close_action_item(item, status=values["status"], outcome=values["outcome"],
                              base=base_from(request.form),
                              expected_version=version_from(request.form), by=_actor())
    except InvalidInput as error:
        return _render_close(item, values, base_from(request.form) or current,
                             version_from(request.form), errors=error.errors, status=400)
    except EditConflict as error:
        item = action_item_or_404(action_item_id)
        return _render_close(item, {**values, **error.values}, error.base, error.version,
                             conflict=error, status=409)
    flash(f"The action item is {item.status_label.lower()}; its outcome is recorded.",
          "success")
    return _to_item(item)


def _render_close(item, values, base, version, *, errors=None, conflict=None, status=200):
    return render_template(
        "actions/close.html", item=item, dialogue=item.dialogue, values=values,
        base=encode_base(base), version=version, errors=errors or {}, conflict=conflict,
    ), status


@blueprint.route("/actions/<int:action_item_id>/reopen", methods=["POST"])
@login_required
def reopen(action_item_id: int):
    item = _managing(action_item_id)
    try:
        ops.reopen_action_item(item, reason=request.form.get("reason", ""),
                               expected_version=version_from(request.form), by=_actor())
    except (InvalidInput, EditConflict) as error:
        message = next(iter(error.errors.values())) if isinstance(error, InvalidInput) \
            else error.message
        flash(message, "error")
        return _to_item(action_item_or_404(action_item_id))
    flash("The action item is open again.", "success")
    return _to_item(item)


@blueprint.route("/actions/<int:action_item_id>/remove", methods=["GET", "POST"])
@login_required
def remove(action_item_id: int):
    item = _managing(action_item_id)
    locked = _minutes_status(item) == MinutesStatus.APPROVED
    if request.method == "GET":
        return render_template("actions/remove.html", item=item, dialogue=item.dialogue,
                               version=item.version_id, errors={}, reason="", locked=locked)
    reason = request.form.get("reason", "")
    meeting_id = item.meeting_id
    try:
        ops.delete_action_item(item, expected_version=version_from(request.form), by=_actor(),
                               reason=reason)
    except InvalidInput as error:
        return render_template("actions/remove.html", item=item, dialogue=item.dialogue,
                               version=version_from(request.form), errors=error.errors,
                               reason=reason, locked=locked), 400
    except EditConflict as error:
        flash(error.message, "error")
        return _to_item(action_item_or_404(action_item_id))
    flash("The action item is removed.", "success")
    if meeting_id is not None:
        return redirect(url_for("minutes.show", meeting_id=meeting_id), code=303)
    return redirect(url_for(".index"), code=303)
