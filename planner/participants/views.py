"""The register of participants: list, add, change. The secretariat's."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import login_required
from sqlalchemy import select
from sqlalchemy.orm import joinedload

from planner.access import secretariat_only
from planner.extensions import db
from planner.models import Dialogue, Membership, Participant, Person
from planner.participants import blueprint, operations
from planner.participants.forms import ParticipantForm
from planner.validation import InvalidInput, attach_to_form

REGISTER_ONLY = "Only the secretariat keeps the register of participants."


def _keeper() -> Person:
    return secretariat_only(REGISTER_ONLY)


def _participant_or_404(participant_id: int) -> Participant:
    participant = db.session.get(Participant, participant_id)
    if participant is None:
        abort(404)
    return participant


def _details(form: ParticipantForm) -> operations.ParticipantDetails:
    return operations.ParticipantDetails(
        kind=form.kind.data or "", name=form.name.data or "",
        short_name=form.short_name.data or "", timezone=form.timezone.data or "",
        country_code=form.country_code.data or "", subdivision=form.subdivision.data or "",
        working_hours_start=form.working_hours_start.data,
        working_hours_end=form.working_hours_end.data,
    )


def _subdivision_hint(code: str | None) -> str:
    """The regions the holidays package knows for the country given, or how to choose."""
    code = (code or "").strip().upper()
    known = operations.subdivisions(code) if operations.country_name(code) else ()
    if known:
        return (f"Only where holidays differ by region. For {operations.country_name(code)}: "
                f"{', '.join(known)}. Leave it empty for the whole country.")
    if code and operations.country_name(code):
        return (f"{operations.country_name(code)} has the same public holidays everywhere: "
                "leave it empty.")
    return ("Only where holidays differ by region, such as a German Land (BY, NW …). "
            "Leave it empty for the whole country, and for an institution.")


def _back_to_dialogue() -> Dialogue | None:
    """The dialogue whose members page sent the secretariat here (?dialogue_id=), to go
    back to once the participant is added. An id, never an address: no open redirect."""
    dialogue_id = request.args.get("dialogue_id", type=int)
    return db.session.get(Dialogue, dialogue_id) if dialogue_id else None


@blueprint.route("/participants")
@login_required
def index():
    _keeper()
    participants = db.session.scalars(
        select(Participant).order_by(Participant.kind.desc(), Participant.name)).all()
    seats: dict[int, list[Membership]] = {}
    for membership in db.session.scalars(
            select(Membership).options(joinedload(Membership.dialogue))
            .join(Dialogue).order_by(Dialogue.name)):
        seats.setdefault(membership.participant_id, []).append(membership)
    return render_template("participants/index.html", participants=participants, seats=seats,
                           country_name=operations.country_name)


@blueprint.route("/participants/new", methods=["GET", "POST"])
@login_required
def new():
    by = _keeper()
    back_to = _back_to_dialogue()
    form = ParticipantForm(data={} if request.method == "POST" else {
        "kind": "state", "working_hours_start": operations.ParticipantDetails.working_hours_start,
        "working_hours_end": operations.ParticipantDetails.working_hours_end})
    if form.validate_on_submit():
        try:
            participant = operations.create_participant(_details(form), by=by)
        except InvalidInput as error:
            db.session.rollback()
            attach_to_form(form, error)
        else:
            db.session.commit()
            flash(f"{participant.name} is in the register.", "success")
            if back_to is not None:
                flash("Give it its seat below.", "success")
                return redirect(url_for("people.members", dialogue_id=back_to.id))
            return redirect(url_for(".index"))
    return render_template(
        "participants/new.html", form=form, back_to=back_to,
        subdivision_hint=_subdivision_hint(form.country_code.data),
    ), 400 if form.errors else 200


@blueprint.route("/participants/<int:participant_id>", methods=["GET", "POST"])
@login_required
def edit(participant_id: int):
    by = _keeper()
    participant = _participant_or_404(participant_id)
    form = ParticipantForm(obj=participant if request.method == "GET" else None)
    if request.method == "GET":
        form.country_code.data = participant.country_code or ""
        form.subdivision.data = participant.subdivision or ""
    if form.validate_on_submit():
        try:
            operations.update_participant(participant, _details(form), by=by)
        except InvalidInput as error:
            db.session.rollback()
            attach_to_form(form, error)
        else:
            db.session.commit()
            flash("Saved.", "success")
            return redirect(url_for(".edit", participant_id=participant.id))
    seats = db.session.scalars(
        select(Membership).options(joinedload(Membership.dialogue))
        .where(Membership.participant_id == participant.id)).all()
    return render_template(
        "participants/edit.html", form=form, participant=participant, seats=seats,
        subdivision_hint=_subdivision_hint(form.country_code.data),
    ), 400 if form.errors else 200
