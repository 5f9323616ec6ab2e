"""A dialogue's founding documents: the list, the import (pasted or uploaded), a document's
sections, and the review of the commitments it proposes. The secretariat sets them up;
everyone in the dialogue reads them."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required
from sqlalchemy import func, select
from sqlalchemy.orm import joinedload, selectinload

from planner.access import can_schedule, dialogue_or_404, require
from planner.documents import blueprint, operations
from planner.documents.forms import CandidateForm, DocumentForm
from planner.extensions import db
from planner.models import (
    CandidateStatus,
    Commitment,
    CommitmentCandidate,
    Dialogue,
    Membership,
    SourceDocument,
    Theme,
)
from planner.validation import InvalidInput, attach_to_form

SECRETARIAT_ONLY = "Only the secretariat sets up a dialogue's founding documents."


def _set_up_by_secretariat(dialogue: Dialogue):
    require(can_schedule(current_user, dialogue.id), SECRETARIAT_ONLY)
    return current_user._get_current_object()


def _document_or_404(document_id: int) -> SourceDocument:
    document = db.session.get(SourceDocument, document_id)
    if document is None:
        abort(404)
    dialogue_or_404(current_user, document.dialogue_id)
    return document


@blueprint.route("/dialogues/<int:dialogue_id>/documents")
@login_required
def index(dialogue_id: int):
    dialogue = dialogue_or_404(current_user, dialogue_id)
    documents = db.session.scalars(
        select(SourceDocument).options(selectinload(SourceDocument.sections))
        .where(SourceDocument.dialogue_id == dialogue.id)
        .order_by(SourceDocument.issued_on, SourceDocument.id)).all()
    counts = dict(db.session.execute(
        select(CommitmentCandidate.document_id, func.count())
        .join(SourceDocument, CommitmentCandidate.document_id == SourceDocument.id)
        .where(SourceDocument.dialogue_id == dialogue.id,
               CommitmentCandidate.status == CandidateStatus.PROPOSED)
        .group_by(CommitmentCandidate.document_id)).all())
    return render_template("documents/index.html", dialogue=dialogue, documents=documents,
                           to_review=counts, manage=can_schedule(current_user, dialogue.id))


@blueprint.route("/dialogues/<int:dialogue_id>/documents/new", methods=["GET", "POST"])
@login_required
def new(dialogue_id: int):
    dialogue = dialogue_or_404(current_user, dialogue_id)
    by = _set_up_by_secretariat(dialogue)
    form = DocumentForm()
    if form.validate_on_submit():
        upload = request.files.get(form.file.name)
        try:
            document = operations.import_document(
                dialogue,
                operations.DocumentDetails(
                    kind=form.kind.data, title=form.title.data or "",
                    place=form.place.data or "", issued_on=form.issued_on.data,
                    published_on=form.published_on.data),
                text=form.text.data or "",
                upload=operations.Upload(upload.filename or "", upload.read())
                if upload and upload.filename else None,
                by=by)
        except InvalidInput as error:
            db.session.rollback()
            attach_to_form(form, error)
        else:
            db.session.commit()
            proposed = len(document.candidates)
            flash(f"{document.title}: {len(document.sections)} sections and {proposed} "
                  f"proposed commitment{'s' if proposed != 1 else ''}. Review them below: "
                  "nothing is a commitment until you accept it.", "success")
            return redirect(url_for(".review", document_id=document.id))
    return render_template("documents/new.html", dialogue=dialogue, form=form), (
        400 if form.errors or form.form_errors else 200)


@blueprint.route("/documents/<int:document_id>")
@login_required
def show(document_id: int):
    document = _document_or_404(document_id)
    traced: dict[int, list[Commitment]] = {}
    for commitment in db.session.scalars(
            select(Commitment).where(Commitment.section_id.in_([s.id for s in
                                                                document.sections]))
            .order_by(Commitment.position)):
        traced.setdefault(commitment.section_id, []).append(commitment)
    return render_template("documents/show.html", document=document,
                           dialogue=document.dialogue, traced=traced,
                           manage=can_schedule(current_user, document.dialogue_id))


def _review_page(document: SourceDocument, failed: CandidateForm | None = None,
                 failed_id: int | None = None, status: int = 200):
    candidates = operations.candidates_of(document)
    dialogue = document.dialogue
    themes = list(db.session.scalars(select(Theme).where(Theme.dialogue_id == dialogue.id)
                                     .order_by(Theme.position, Theme.id)))
    seats = db.session.scalars(
        select(Membership).options(joinedload(Membership.participant))
        .where(Membership.dialogue_id == dialogue.id).order_by(Membership.role, Membership.id))
    members = [m.participant for m in seats]
    commitments = {c.id: c for c in db.session.scalars(select(Commitment).where(
        Commitment.id.in_([c.commitment_id for c in candidates if c.commitment_id])))}
    forms, proposed = {}, [c for c in candidates if c.status == CandidateStatus.PROPOSED]
    for index, candidate in enumerate(proposed):
        if candidate.id == failed_id and failed is not None:
            form = failed
        else:
            form = CandidateForm(formdata=None, prefix=f"c{candidate.id}", themes=themes,
                                 new_theme=candidate.theme_name, members=members,
                                 data={"title": candidate.title, "leads": candidate.lead_ids,
                                       "theme": _theme_value(candidate)})
        following = proposed[index + 1] if index + 1 < len(proposed) else None
        if following is not None and following.section_id == candidate.section_id:
            form.merge_with.data = str(following.id)
        forms[candidate.id] = form
    return render_template(
        "documents/review.html", document=document, dialogue=dialogue,
        candidates=candidates, forms=forms, commitments=commitments,
        counts={s: sum(c.status == s for c in candidates) for s in CandidateStatus},
        status_error=failed is not None,
    ), status


def _theme_value(candidate: CommitmentCandidate) -> str:
    if candidate.theme_id:
        return str(candidate.theme_id)
    return f"new:{candidate.theme_name}" if candidate.theme_name else ""


@blueprint.route("/documents/<int:document_id>/review")
@login_required
def review(document_id: int):
    document = _document_or_404(document_id)
    _set_up_by_secretariat(document.dialogue)
    return _review_page(document)


ACTIONS = ("accept", "save", "reject", "restore", "merge")


@blueprint.route("/candidates/<int:candidate_id>", methods=["POST"])
@login_required
def decide(candidate_id: int):
    """One button of the review page: accept, save the edits, reject, put back, merge."""
    candidate = db.session.get(CommitmentCandidate, candidate_id)
    if candidate is None:
        abort(404)
    document = _document_or_404(candidate.document_id)
    by = _set_up_by_secretariat(document.dialogue)
    themes = document.dialogue.themes
    members = [m.participant for m in document.dialogue.memberships]
    form = CandidateForm(prefix=f"c{candidate.id}", themes=themes,
                         new_theme=candidate.theme_name, members=members)
    action = request.form.get("action", "")
    if action not in ACTIONS:
        form.form_errors.append("Choose accept, save, reject or merge.")
    elif form.validate_on_submit() or action in ("reject", "restore", "merge"):
        try:
            message = _apply(action, candidate, form, by)
        except InvalidInput as error:
            db.session.rollback()
            attach_to_form(form, error)
        else:
            db.session.commit()
            flash(message, "success")
            return redirect(url_for(".review", document_id=document.id,
                                    _anchor=f"candidate-{candidate.id}"))
    db.session.rollback()
    return _review_page(document, failed=form, failed_id=candidate.id, status=400)


def _apply(action: str, candidate: CommitmentCandidate, form: CandidateForm, by) -> str:
    if action == "reject":
        operations.reject_candidate(candidate, by=by)
        return "Rejected: it will not become a commitment."
    if action == "restore":
        operations.restore_candidate(candidate, by=by)
        return "Back for review."
    if action == "merge":
        other = db.session.get(CommitmentCandidate, int(form.merge_with.data or 0)
                               if (form.merge_with.data or "").isdigit() else 0)
        if other is None or other.document_id != candidate.document_id:
            raise InvalidInput.on("merge_with", "There is no next candidate to merge with.")
        operations.merge_candidates(candidate, other, by=by)
        return "Merged: the two sentences are now one proposed commitment."
    theme = form.theme.data or ""
    terms = operations.CandidateTerms(
        title=form.title.data or "",
        theme_id=int(theme) if theme.isdigit() else None,
        theme_name=theme.removeprefix("new:") if theme.startswith("new:") else "",
        lead_ids=tuple(form.leads.data or ()))
    if action == "save":
        operations.update_candidate(candidate, terms, by=by)
        return "Saved. It is still a proposal."
    operations.accept_candidate(candidate, terms, by=by)
    commitment = db.session.get(Commitment, candidate.commitment_id)
    return f"Accepted as commitment {commitment.reference}: {commitment.title}."
