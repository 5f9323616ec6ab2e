"""Agenda pages: parse, check access (planner.access), call an operation, render.

Drafts and the standing-item template are for those who manage the dialogue (the
secretariat and its chair); anyone else gets 404, as if there were nothing there.
Circulated versions are for everyone who sees the meeting."""

from __future__ import annotations

import io
import re
import unicodedata

from flask import abort, flash, redirect, render_template, request, send_file, url_for
from flask_login import current_user, login_required
from sqlalchemy import select

from planner.access import (
    SECRETARIAT,
    can_manage,
    can_schedule,
    dialogue_or_404,
    meeting_or_404,
    require,
    require_or_hide,
    role_in,
)
from planner.agendas import blueprint, exports
from planner.agendas import operations as ops
from planner.agendas.forms import (
    AddItemForm,
    CirculateForm,
    ItemForm,
    LockedForm,
    StandingItemForm,
)
from planner.extensions import db
from planner.models import Agenda, AgendaItem, AgendaVersion, DialogueRoleKind, StandingItem
from planner.validation import InvalidInput, attach_to_form


@blueprint.app_template_global()
def agenda_summary(meeting_id: int) -> ops.AgendaSummary:
    """For the agenda panel on the meeting page."""
    return ops.agenda_summary(meeting_id)


EDIT_CONFLICT = (
    "Someone else changed this agenda after you opened this form, so nothing was saved. "
    "What is saved now is shown above your version: save again to keep yours."
)


# --- access -----------------------------------------------------------------------------


def _drafting(meeting_id: int):
    """The meeting, if the person may see and edit its draft agenda; else 404 (403 with
    the reason while the dialogue is archived)."""
    meeting = meeting_or_404(current_user, meeting_id)
    require_or_hide(can_manage(current_user, meeting.dialogue_id))
    return meeting


def _draft_of(meeting) -> Agenda:
    """The draft without its items: an edit touches one item, a page the items it shows."""
    agenda = ops.agenda_of(meeting.id)
    if agenda is None:
        abort(404)
    return agenda


def _item_of(agenda: Agenda, item_id: int) -> AgendaItem:
    item = ops.item_of(agenda, item_id)
    if item is None:
        abort(404)
    return item


def _version_of(meeting, number: int) -> AgendaVersion:
    version = db.session.scalar(
        select(AgendaVersion)
        .join(Agenda)
        .where(Agenda.meeting_id == meeting.id, AgendaVersion.number == number)
    )
    if version is None:
        abort(404)
    return version


def _to_draft(meeting, item_id: int | None = None):
    """The draft, at the item just changed (in its run of a long section)."""
    if item_id is None:
        return redirect(url_for("agendas.draft", meeting_id=meeting.id), code=303)
    return redirect(url_for("agendas.draft", meeting_id=meeting.id, show=item_id,
                            _anchor=f"item-{item_id}"), code=303)


def _actor():
    return current_user._get_current_object()


# --- circulated versions ----------------------------------------------------------------


@blueprint.route("/meetings/<int:meeting_id>/agenda")
@login_required
def show(meeting_id: int):
    """The latest circulated version, or word that none is circulated yet."""
    meeting = meeting_or_404(current_user, meeting_id)
    versions = ops.circulated_versions(meeting.id)
    if versions:
        return _render_version(meeting, versions[-1], versions)
    return render_template(
        "agendas/not_circulated.html",
        meeting=meeting,
        dialogue=meeting.dialogue,
        manages=can_manage(current_user, meeting.dialogue_id),
    )


@blueprint.route("/meetings/<int:meeting_id>/agenda/v<int:number>")
@login_required
def version(meeting_id: int, number: int):
    meeting = meeting_or_404(current_user, meeting_id)
    return _render_version(meeting, _version_of(meeting, number),
                           ops.circulated_versions(meeting.id))


def _render_version(meeting, version: AgendaVersion, versions: list[AgendaVersion]):
    earlier = [v for v in versions if v.number == version.number - 1]
    changes = ops.compare_versions(earlier[0].content, version.content) if earlier else None
    return render_template(
        "agendas/version.html",
        meeting=meeting,
        dialogue=meeting.dialogue,
        version=version,
        content=version.content,
        versions=versions,
        changes=changes,
        manages=can_manage(current_user, meeting.dialogue_id),
    )


def _filename(version: AgendaVersion, extension: str) -> str:
    title = unicodedata.normalize("NFKD", version.content["meeting"]["title"])
    slug = re.sub(r"[^a-z0-9]+", "-", title.encode("ascii", "ignore").decode().lower()).strip("-")
    return f"agenda-{slug or 'meeting'}-v{version.number}.{extension}"


def _download(version: AgendaVersion, data: bytes, mimetype: str, extension: str):
    response = send_file(io.BytesIO(data), mimetype=mimetype, as_attachment=True,
                         download_name=_filename(version, extension))
    # A version never changes, but it is not for shared caches.
    response.headers["Cache-Control"] = "private, max-age=0, must-revalidate"
    return response


@blueprint.route("/meetings/<int:meeting_id>/agenda/v<int:number>.pdf")
@login_required
def version_pdf(meeting_id: int, number: int):
    meeting = meeting_or_404(current_user, meeting_id)
    version = _version_of(meeting, number)
    return _download(version, exports.agenda_pdf(version.content), "application/pdf", "pdf")


@blueprint.route("/meetings/<int:meeting_id>/agenda/v<int:number>.docx")
@login_required
def version_docx(meeting_id: int, number: int):
    meeting = meeting_or_404(current_user, meeting_id)
    version = _version_of(meeting, number)
    return _download(version, exports.agenda_docx(version.content), exports.DOCX_MIMETYPE,
                     "docx")


# --- the draft --------------------------------------------------------------------------


def _places(agenda: Agenda, plan: ops.Schedule, rows: list,
            chosen: str | None) -> tuple[list[tuple[str, str]], str]:
    """Where a new item can go, and where it goes unless the chair says: after any item
    shown on the page (every numbered one is), after the default place, or after the
    one the chair chose (a form sent back with an error keeps it)."""
    default = ops.default_insertion_point(agenda, [slot.item for slot in plan.slots])
    places = [row for row in rows if not row.folded]
    also = {default.id if default is not None else None,
            int(chosen) if chosen and chosen.isdigit() else None} - {None}
    also -= {slot.item.id for slot in places}
    if also:
        places += [slot for slot in plan.slots if slot.item.id in also]
        places.sort(key=lambda slot: tuple(int(part) for part in slot.number.split(".")))
    choices = [("start", "At the start")]
    choices += [(str(slot.item.id), f"{slot.number}. {slot.item.title}") for slot in places]
    return choices, str(default.id) if default is not None else "start"


def _add_form(meeting, agenda: Agenda | None, formdata=None) -> AddItemForm:
    """The form to add an item; its places are set with the page (`_render_draft`)."""
    form = AddItemForm(
        formdata=formdata,
        presenters=ops.presenter_choices(meeting.dialogue_id),
    )
    if agenda is not None and formdata is None:
        form.version_id.data = str(agenda.version_id)
    return form


def _render_draft(meeting, agenda: Agenda | None, *, add_form: AddItemForm | None = None,
                  circulate_form: CirculateForm | None = None, status: int = 200):
    """The draft: every item numbered and timed, long sections a run at a time (the one
    holding the item `?show=` names), and only the items shown loaded."""
    add_form = add_form or _add_form(meeting, agenda)
    versions, plan, rows, removed, changes = [], None, [], [], None
    if agenda is not None:
        versions = ops.versions_of(agenda.id)
        outline, plan = ops.draft_outline(agenda)
        rows = ops.fold(plan, request.args.get("show", type=int))
        add_form.set_places(*_places(agenda, plan, rows, add_form.after.data))
        rows = ops.with_items(rows)
        if len(outline) > len(plan.slots):  # some items are removed
            removed = ops.dismissed_items(agenda.id)
        if versions and plan.slots:
            changes = ops.changes_since_circulated(agenda, versions[-1])
    if circulate_form is None:
        circulate_form = CirculateForm(formdata=None)
    if agenda is not None:
        circulate_form.version_id.data = str(agenda.version_id)
    return render_template(
        "agendas/draft.html",
        meeting=meeting,
        dialogue=meeting.dialogue,
        agenda=agenda,
        plan=plan,
        rows=rows,
        shown_at_once=ops.SHOWN_AT_ONCE,
        # An item's pages are under this (its edit page, /move, /remove): one url_for
        # for the page, not three for each of its rows.
        items_url=url_for("agendas.add", meeting_id=meeting.id),
        first_id=plan.slots[0].item.id if plan and plan.slots else None,
        last_id=plan.slots[-1].item.id if plan and plan.slots else None,
        removed=removed,
        versions=versions,
        changes=changes,
        add_form=add_form,
        circulate_form=circulate_form,
    ), status


@blueprint.route("/meetings/<int:meeting_id>/agenda/draft")
@login_required
def draft(meeting_id: int):
    meeting = _drafting(meeting_id)
    return _render_draft(meeting, ops.agenda_of(meeting.id))


@blueprint.route("/meetings/<int:meeting_id>/agenda/build", methods=["POST"])
@login_required
def build(meeting_id: int):
    meeting = _drafting(meeting_id)
    # Building only adds what is new and keeps every edit, so it needs no lock.
    try:
        result = ops.build_agenda(meeting, actor=_actor())
    except (InvalidInput, ops.AgendaConflict) as error:
        flash(_message(error), "error")
        return _to_draft(meeting)
    if result.created:
        flash(f"The draft agenda is built: {len(result.added)} items.", "success")
    elif result.added:
        flash(f"Built again: {len(result.added)} new item{'s' if len(result.added) != 1 else ''}"
              " added; your changes are kept.", "success")
    else:
        flash("Built again: nothing new to add; your changes are kept.", "info")
    return _to_draft(meeting)


def _message(error: Exception) -> str:
    if isinstance(error, InvalidInput):
        return " ".join(error.errors.values())
    return str(error)


@blueprint.route("/meetings/<int:meeting_id>/agenda/items", methods=["POST"])
@login_required
def add(meeting_id: int):
    meeting = _drafting(meeting_id)
    agenda = _draft_of(meeting)
    form = _add_form(meeting, agenda, formdata=request.form)
    if form.validate_on_submit():
        try:
            item = ops.add_item(
                agenda,
                title=form.title.data,
                duration_minutes=form.duration_minutes.data,
                presenter=form.presenter.data,
                notes=form.notes.data,
                after=form.after.data,
                expected_version=form.expected_version,
                actor=_actor(),
            )
        except InvalidInput as error:
            attach_to_form(form, error)
        except ops.AgendaConflict as error:
            # Keep what they typed, against the draft as it is now.
            agenda = _draft_of(meeting)
            form.form_errors.append(error.message)
            form.version_id.data = str(agenda.version_id)
        else:
            flash(f"Item added: {item.title}.", "success")
            return _to_draft(meeting, item.id)
    return _render_draft(meeting, agenda, add_form=form, status=409 if form.form_errors else 400)


@blueprint.route("/meetings/<int:meeting_id>/agenda/items/<int:item_id>", methods=["GET", "POST"])
@login_required
def edit(meeting_id: int, item_id: int):
    meeting = _drafting(meeting_id)
    agenda = _draft_of(meeting)
    item = _item_of(agenda, item_id)
    presenters = ops.presenter_choices(meeting.dialogue_id)
    if request.method == "GET":
        form = ItemForm(formdata=None, obj=item, presenters=presenters,
                        data={"presenter": ops.presenter_value(item)})
        form.version_id.data = str(agenda.version_id)
        return _render_edit(meeting, agenda, item, form)
    form = ItemForm(presenters=presenters)
    if form.validate_on_submit():
        try:
            changed = ops.update_item(
                item,
                title=form.title.data,
                duration_minutes=form.duration_minutes.data,
                presenter=form.presenter.data,
                notes=form.notes.data,
                expected_version=form.expected_version,
                actor=_actor(),
            )
        except InvalidInput as error:
            attach_to_form(form, error)
        except ops.AgendaConflict:
            db.session.rollback()
            agenda = _draft_of(meeting)
            item = _item_of(agenda, item_id)
            form.form_errors.append(EDIT_CONFLICT)
            form.version_id.data = str(agenda.version_id)
            return _render_edit(meeting, agenda, item, form, conflict=True, status=409)
        else:
            flash(f"Saved: {item.title}." if changed else "Nothing changed.",
                  "success" if changed else "info")
            return _to_draft(meeting, item.id)
    # Nothing was saved: show the item as stored, beside what was typed.
    db.session.rollback()
    agenda = _draft_of(meeting)
    return _render_edit(meeting, agenda, _item_of(agenda, item_id), form, status=400)


def _render_edit(meeting, agenda, item, form, *, conflict: bool = False, status: int = 200):
    return render_template(
        "agendas/edit_item.html",
        meeting=meeting,
        dialogue=meeting.dialogue,
        agenda=agenda,
        item=item,
        form=form,
        conflict=conflict,
        presenter_name=ops.presenter_name,
    ), status


def _expected_version() -> int:
    return LockedForm().expected_version


@blueprint.route("/meetings/<int:meeting_id>/agenda/items/<int:item_id>/move", methods=["POST"])
@login_required
def move(meeting_id: int, item_id: int):
    meeting = _drafting(meeting_id)
    agenda = _draft_of(meeting)
    item = _item_of(agenda, item_id)
    direction = request.form.get("direction", "")
    try:
        moved = ops.move_item(item, direction, expected_version=_expected_version(),
                              actor=_actor())
    except (InvalidInput, ops.AgendaConflict) as error:
        flash(_message(error), "error")
    else:
        if moved:
            flash(f"Moved {direction}: {item.title}.", "success")
        else:
            flash(f"“{item.title}” is already {'first' if direction == 'up' else 'last'}.",
                  "info")
    return _to_draft(meeting, item_id)


@blueprint.route("/meetings/<int:meeting_id>/agenda/items/<int:item_id>/remove",
                 methods=["POST"])
@login_required
def remove(meeting_id: int, item_id: int):
    meeting = _drafting(meeting_id)
    agenda = _draft_of(meeting)
    item = _item_of(agenda, item_id)
    try:
        ops.remove_item(item, expected_version=_expected_version(), actor=_actor())
    except ops.AgendaConflict as error:
        flash(error.message, "error")
        return _to_draft(meeting, item_id)
    flash(f"Removed: {item.title}. It is listed under “Removed items”, where you can "
          "restore it.", "success")
    return _to_draft(meeting)


@blueprint.route("/meetings/<int:meeting_id>/agenda/items/<int:item_id>/restore",
                 methods=["POST"])
@login_required
def restore(meeting_id: int, item_id: int):
    meeting = _drafting(meeting_id)
    agenda = _draft_of(meeting)
    item = _item_of(agenda, item_id)
    try:
        ops.restore_item(item, expected_version=_expected_version(), actor=_actor())
    except ops.AgendaConflict as error:
        flash(error.message, "error")
        return _to_draft(meeting)
    flash(f"Restored: {item.title}.", "success")
    return _to_draft(meeting, item_id)


@blueprint.route("/meetings/<int:meeting_id>/agenda/circulate", methods=["POST"])
@login_required
def circulate(meeting_id: int):
    meeting = _drafting(meeting_id)
    agenda = _draft_of(meeting)
    form = CirculateForm()
    try:
        version = ops.circulate_agenda(agenda, actor=_actor(), notify=bool(form.notify.data),
                                       expected_version=form.expected_version)
    except (InvalidInput, ops.AgendaConflict) as error:
        flash(_message(error), "error")
        return _to_draft(meeting)
    flash(f"Agenda v{version.number} is circulated"
          + (" and the members will get an e-mail notice." if form.notify.data else "."),
          "success")
    return redirect(url_for("agendas.version", meeting_id=meeting.id, number=version.number),
                    code=303)


# --- standing items ---------------------------------------------------------------------


def _template_dialogue(dialogue_id: int, *, edit: bool = False):
    """Secretariat and chair see the template; only the secretariat changes it."""
    dialogue = dialogue_or_404(current_user, dialogue_id)
    role = role_in(current_user, dialogue.id)
    if role not in (SECRETARIAT, DialogueRoleKind.CHAIR):
        abort(404)
    if edit and role != SECRETARIAT:
        abort(403, "Only the secretariat changes the standing items.")
    if edit:
        require(can_schedule(current_user, dialogue.id))  # refused while archived
    return dialogue, role


def _standing_item_of(dialogue, standing_id: int) -> StandingItem:
    item = db.session.get(StandingItem, standing_id)
    if item is None or item.dialogue_id != dialogue.id:
        abort(404)
    return item


def _to_standing(dialogue, standing_id: int | None = None):
    anchor = f"standing-{standing_id}" if standing_id else None
    return redirect(url_for("agendas.standing", dialogue_id=dialogue.id, _anchor=anchor),
                    code=303)


@blueprint.route("/dialogues/<int:dialogue_id>/standing-items", methods=["GET", "POST"])
@login_required
def standing(dialogue_id: int):
    dialogue, role = _template_dialogue(dialogue_id, edit=request.method == "POST")
    form = StandingItemForm(formdata=request.form if request.method == "POST" else None)
    status = 200
    if request.method == "POST":
        status = 400
        if form.validate_on_submit():
            try:
                item = ops.add_standing_item(
                    dialogue, title=form.title.data, placement=form.placement.data,
                    duration_minutes=form.duration_minutes.data,
                    presenter_role=form.presenter_role.data, actor=_actor(),
                )
            except InvalidInput as error:
                attach_to_form(form, error)
            else:
                flash(f"Standing item added: {item.title}.", "success")
                return _to_standing(dialogue, item.id)
    return render_template(
        "agendas/standing.html",
        dialogue=dialogue,
        items=ops.standing_items(dialogue.id),
        form=form,
        can_edit=role == SECRETARIAT,
        presenter_roles=ops.PRESENTER_ROLES,
    ), status


@blueprint.route("/dialogues/<int:dialogue_id>/standing-items/<int:standing_id>",
                 methods=["GET", "POST"])
@login_required
def edit_standing(dialogue_id: int, standing_id: int):
    dialogue, _role = _template_dialogue(dialogue_id, edit=True)
    item = _standing_item_of(dialogue, standing_id)
    if request.method == "GET":
        form = StandingItemForm(formdata=None, obj=item,
                                data={"presenter_role": item.presenter_role or ""})
        return render_template("agendas/edit_standing.html", dialogue=dialogue, item=item,
                               form=form)
    form = StandingItemForm()
    if form.validate_on_submit():
        try:
            ops.update_standing_item(
                item, title=form.title.data, placement=form.placement.data,
                duration_minutes=form.duration_minutes.data,
                presenter_role=form.presenter_role.data, actor=_actor(),
            )
        except InvalidInput as error:
            db.session.rollback()
            attach_to_form(form, error)
        else:
            flash(f"Saved: {item.title}.", "success")
            return _to_standing(dialogue, item.id)
    item = _standing_item_of(dialogue, standing_id)
    return render_template("agendas/edit_standing.html", dialogue=dialogue, item=item,
                           form=form), 400


@blueprint.route("/dialogues/<int:dialogue_id>/standing-items/<int:standing_id>/move",
                 methods=["POST"])
@login_required
def move_standing(dialogue_id: int, standing_id: int):
    dialogue, _role = _template_dialogue(dialogue_id, edit=True)
    item = _standing_item_of(dialogue, standing_id)
    direction = request.form.get("direction", "")
    try:
        moved = ops.move_standing_item(item, direction, actor=_actor())
    except InvalidInput as error:
        flash(_message(error), "error")
    else:
        if moved:
            flash(f"Moved {direction}: {item.title}.", "success")
        else:
            flash(f"“{item.title}” is already {'first' if direction == 'up' else 'last'}.",
                  "info")
    return _to_standing(dialogue, standing_id)


@blueprint.route("/dialogues/<int:dialogue_id>/standing-items/<int:standing_id>/remove",
                 methods=["POST"])
@login_required
def remove_standing(dialogue_id: int, standing_id: int):
    dialogue, _role = _template_dialogue(dialogue_id, edit=True)
    item = _standing_item_of(dialogue, standing_id)
    title = item.title
    ops.remove_standing_item(item, actor=_actor())
    flash(f"Standing item removed: {title}. Drafts already built keep their copy.", "success")
    return _to_standing(dialogue)
