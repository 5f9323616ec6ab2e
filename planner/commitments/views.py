"""A commitment's page (its timeline across meetings), the pages that add one by hand,
edit its terms and change its status, and the progress chart that the dialogue page
includes (templates/commitments/_progress.html)."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from planner.access import can_manage, dialogue_or_404, require, role_in
from planner.commitments import blueprint
from planner.commitments import operations as ops
from planner.commitments.forms import (
    EditCommitmentForm,
    NewCommitmentForm,
    StatusForm,
    choice_id,
    row_id,
)
from planner.extensions import db
from planner.models import Commitment, Dialogue, DocumentSection, SourceDocument, Theme
from planner.validation import InvalidInput, attach_to_form

EDIT_CONFLICT = (
    "Someone else changed this commitment after you opened this form, so nothing was "
    "saved. What is saved now is shown above your version: save again to keep yours."
)


@blueprint.app_template_global()
def commitment_progress(dialogue: Dialogue) -> ops.Chart:
    return ops.progress_by_theme(dialogue.id)


@blueprint.app_template_global()
def may_change_commitments(dialogue: Dialogue) -> bool:
    """Whether the reader adds and edits this dialogue's commitments (for links)."""
    return bool(can_manage(current_user, dialogue.id))


def _changing(dialogue: Dialogue) -> None:
    # 403 with the reason: not the chair or the secretariat, or the dialogue is archived.
    require(can_manage(current_user, dialogue.id), ops.MANAGERS_ONLY)


def _commitment_or_404(commitment_id: int) -> Commitment:
    commitment = ops.commitment_for(current_user, commitment_id)
    if commitment is None:
        abort(404)
    return commitment


def _actor():
    return current_user._get_current_object()


def _themes(dialogue_id: int) -> list[Theme]:
    return list(db.session.scalars(
        select(Theme).where(Theme.dialogue_id == dialogue_id).order_by(Theme.position, Theme.id)))


def _documents(dialogue_id: int) -> list[SourceDocument]:
    return list(db.session.scalars(
        select(SourceDocument).options(selectinload(SourceDocument.sections))
        .where(SourceDocument.dialogue_id == dialogue_id)
        .order_by(SourceDocument.issued_on, SourceDocument.id)))


def _terms(form) -> ops.CommitmentTerms:
    return ops.CommitmentTerms(
        title=form.title.data or "",
        theme_id=choice_id(form.theme.data),
        lead_ids=tuple(choice_id(value) or 0 for value in form.leads.data or ()),
        target_date=form.target_date.data,
    )


def _form_values(commitment: Commitment) -> dict:
    return {"title": commitment.title, "theme": str(commitment.theme_id or ""),
            "leads": [str(p.id) for p in commitment.leads],
            "target_date": commitment.target_date,
            "updated_at": commitment.updated_at.isoformat()}


@blueprint.route("/commitments/<int:commitment_id>")
@login_required
def show(commitment_id: int):
    commitment = _commitment_or_404(commitment_id)
    return render_template(
        "commitments/show.html", commitment=commitment, dialogue=commitment.dialogue,
        stops=ops.timeline(commitment, current_user),
        role=role_in(current_user, commitment.dialogue_id),
        may_change=may_change_commitments(commitment.dialogue),
    )


@blueprint.route("/dialogues/<int:dialogue_id>/commitments/new", methods=["GET", "POST"])
@login_required
def new(dialogue_id: int):
    dialogue = dialogue_or_404(current_user, dialogue_id)
    _changing(dialogue)
    documents = _documents(dialogue.id)
    form = NewCommitmentForm(dialogue=dialogue, themes=_themes(dialogue.id),
                             documents=documents)
    if form.validate_on_submit():
        section_id = row_id(form.section.data)
        try:
            commitment = ops.create_commitment(
                dialogue, section=db.session.get(DocumentSection, section_id)
                if section_id else None,
                quote=form.quote.data or "", terms=_terms(form), by=_actor())
        except InvalidInput as error:
            db.session.rollback()
            attach_to_form(form, error)
        else:
            db.session.commit()
            flash(f"Commitment {commitment.reference} is added: {commitment.title}.",
                  "success")
            return redirect(url_for(".show", commitment_id=commitment.id), code=303)
    return render_template(
        "commitments/new.html", dialogue=dialogue, form=form, documents=documents,
    ), 400 if form.errors else 200


@blueprint.route("/commitments/<int:commitment_id>/edit", methods=["GET", "POST"])
@login_required
def edit(commitment_id: int):
    commitment = _commitment_or_404(commitment_id)
    dialogue = commitment.dialogue
    _changing(dialogue)
    themes = _themes(dialogue.id)
    if request.method == "GET":
        form = EditCommitmentForm(formdata=None, dialogue=dialogue, themes=themes,
                                  data=_form_values(commitment))
        return _render_edit(commitment, form)
    form = EditCommitmentForm(dialogue=dialogue, themes=themes)
    if form.validate_on_submit():
        try:
            ops.update_commitment(commitment, _terms(form), by=_actor(),
                                  expected_updated_at=form.seen)
        except InvalidInput as error:
            db.session.rollback()
            attach_to_form(form, error)
        except ops.CommitmentConflict:
            return _render_edit(_saved_meanwhile(commitment_id, form), form, conflict=True,
                                status=409)
        else:
            db.session.commit()
            flash(f"Commitment {commitment.reference} is saved.", "success")
            return redirect(url_for(".show", commitment_id=commitment.id), code=303)
    return _render_edit(commitment, form, status=400)


def _saved_meanwhile(commitment_id: int, form):
    """The commitment as someone else saved it meanwhile. The form keeps what this person
    typed, now against that save: sending it again keeps theirs."""
    db.session.rollback()
    commitment = _commitment_or_404(commitment_id)
    form.form_errors.append(EDIT_CONFLICT)
    form.updated_at.data = commitment.updated_at.isoformat()
    return commitment


def _render_edit(commitment, form, *, conflict: bool = False, status: int = 200):
    return render_template(
        "commitments/edit.html", commitment=commitment, dialogue=commitment.dialogue,
        form=form, conflict=conflict, general=ops.GENERAL_THEME,
    ), status


@blueprint.route("/commitments/<int:commitment_id>/status", methods=["GET", "POST"])
@login_required
def status(commitment_id: int):
    commitment = _commitment_or_404(commitment_id)
    _changing(commitment.dialogue)
    if request.method == "GET":
        form = StatusForm(formdata=None,
                          data={"updated_at": commitment.updated_at.isoformat()})
        return _render_status(commitment, form)
    form = StatusForm()
    if form.validate_on_submit():
        try:
            ops.change_status(commitment, status=form.status.data or "",
                              note=form.note.data or "", by=_actor(),
                              expected_updated_at=form.seen)
        except InvalidInput as error:
            db.session.rollback()
            attach_to_form(form, error)
        except ops.CommitmentConflict:
            return _render_status(_saved_meanwhile(commitment_id, form), form,
                                  conflict=True, status=409)
        else:
            db.session.commit()
            flash(f"Commitment {commitment.reference} is "
                  f"{commitment.status_label.lower()} now.", "success")
            return redirect(url_for(".show", commitment_id=commitment.id), code=303)
    return _render_status(commitment, form, status=400)


def _render_status(commitment, form, *, conflict: bool = False, status: int = 200):
    return render_template(
        "commitments/status.html", commitment=commitment, dialogue=commitment.dialogue,
        form=form, conflict=conflict,
    ), status
