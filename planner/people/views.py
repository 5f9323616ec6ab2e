"""The secretariat's administration: people, roles, memberships, the audit log."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta

from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required
from sqlalchemy import func, select
from sqlalchemy.orm import joinedload, selectinload

from planner.access import (
    SECRETARIAT,
    can_schedule,
    dialogue_or_404,
    require,
    role_in,
    secretariat_only,
)
from planner.extensions import db
from planner.models import (
    AuditEvent,
    Dialogue,
    DialogueRole,
    Membership,
    Participant,
    Person,
)
from planner.people import blueprint, operations
from planner.people.forms import (
    AuditFilterForm,
    EditPersonForm,
    MembershipForm,
    PersonForm,
    RoleForm,
)
from planner.scheduling.forms import ConfirmForm
from planner.validation import InvalidInput, attach_to_form

AUDIT_PAGE_SIZE = 50
SEATS_ONLY = "Only the secretariat changes the seats of a dialogue."


def _secretariat_only() -> Person:
    return secretariat_only("Only the secretariat manages people and memberships.")


def _participants() -> list[Participant]:
    return list(db.session.scalars(select(Participant).order_by(Participant.name)))


def _dialogues() -> list[Dialogue]:
    return list(db.session.scalars(select(Dialogue).order_by(Dialogue.name)))


def _person_or_404(person_id: int) -> Person:
    person = db.session.scalar(
        select(Person).options(selectinload(Person.dialogue_roles)
                               .joinedload(DialogueRole.dialogue))
        .where(Person.id == person_id))
    if person is None:
        abort(404)
    return person


@blueprint.route("/people")
@login_required
def index():
    _secretariat_only()
    people = db.session.scalars(
        select(Person).options(joinedload(Person.participant),
                               selectinload(Person.dialogue_roles)
                               .joinedload(DialogueRole.dialogue))
        .order_by(Person.active.desc(), Person.name)).all()
    return render_template("people/index.html", people=people)


@blueprint.route("/people/new", methods=["GET", "POST"])
@login_required
def new():
    by = _secretariat_only()
    form = PersonForm(participants=_participants())
    if form.validate_on_submit():
        try:
            person = operations.create_person(
                name=form.name.data, email=form.email.data,
                participant=db.session.get(Participant, int(form.participant.data))
                if form.participant.data else None,
                is_secretariat=form.is_secretariat.data, timezone=form.timezone.data,
                by=by)
        except InvalidInput as error:
            db.session.rollback()
            attach_to_form(form, error)
        else:
            db.session.commit()
            flash(f"{person.name} is added. A link to set a password is on its way to "
                  f"{person.email}.", "success")
            return redirect(url_for(".show", person_id=person.id))
    return render_template("people/new.html", form=form), 400 if form.errors else 200


def _render_person(person: Person, *, edit_form=None, role_form=None, status=200):
    edit_form = edit_form or EditPersonForm(
        formdata=None, obj=person, participants=_participants(),
        participant=str(person.participant_id or ""), timezone=person.timezone or "")
    role_form = role_form or RoleForm(formdata=None, dialogues=_dialogues())
    return render_template("people/show.html", person=person, edit_form=edit_form,
                           role_form=role_form, button=ConfirmForm(formdata=None)), status


@blueprint.route("/people/<int:person_id>")
@login_required
def show(person_id: int):
    _secretariat_only()
    return _render_person(_person_or_404(person_id))


@blueprint.route("/people/<int:person_id>", methods=["POST"])
@login_required
def edit(person_id: int):
    by = _secretariat_only()
    person = _person_or_404(person_id)
    form = EditPersonForm(participants=_participants())
    if form.validate_on_submit():
        try:
            operations.update_person(
                person, name=form.name.data,
                participant=db.session.get(Participant, int(form.participant.data))
                if form.participant.data else None,
                is_secretariat=form.is_secretariat.data, by=by)
        except InvalidInput as error:
            db.session.rollback()
            attach_to_form(form, error)
        else:
            db.session.commit()
            flash("Saved.", "success")
            return redirect(url_for(".show", person_id=person.id))
    return _render_person(person, edit_form=form, status=400)


@blueprint.route("/people/<int:person_id>/roles", methods=["POST"])
@login_required
def add_role(person_id: int):
    by = _secretariat_only()
    person = _person_or_404(person_id)
    form = RoleForm(dialogues=_dialogues())
    if form.validate_on_submit():
        try:
            operations.add_role(person, db.session.get(Dialogue, int(form.dialogue.data)),
                                form.role.data, by=by)
        except InvalidInput as error:
            db.session.rollback()
            attach_to_form(form, error)
        else:
            db.session.commit()
            flash("The role is added.", "success")
            return redirect(url_for(".show", person_id=person.id))
    return _render_person(person, role_form=form, status=400)


@blueprint.route("/people/<int:person_id>/roles/<int:role_id>/remove", methods=["POST"])
@login_required
def remove_role(person_id: int, role_id: int):
    by = _secretariat_only()
    person = _person_or_404(person_id)
    role = next((r for r in person.dialogue_roles if r.id == role_id), None)
    if role is None:
        abort(404)
    if ConfirmForm().validate_on_submit():
        operations.remove_role(person, role, by=by)
        db.session.commit()
        flash("The role is removed.", "success")
    return redirect(url_for(".show", person_id=person.id))


@blueprint.route("/people/<int:person_id>/password-link", methods=["POST"])
@login_required
def password_link(person_id: int):
    by = _secretariat_only()
    person = _person_or_404(person_id)
    if ConfirmForm().validate_on_submit():
        operations.send_password_link(person, by=by, welcome=False)
        db.session.commit()
        flash(f"A new link to set a password is on its way to {person.email}. "
              "Earlier links no longer work.", "success")
    return redirect(url_for(".show", person_id=person.id))


@blueprint.route("/people/<int:person_id>/active", methods=["POST"])
@login_required
def set_active(person_id: int):
    by = _secretariat_only()
    person = _person_or_404(person_id)
    if ConfirmForm().validate_on_submit():
        try:
            operations.set_active(person, request.form.get("active") == "1", by=by)
        except InvalidInput as error:
            db.session.rollback()
            flash(next(iter(error.errors.values())), "error")
        else:
            db.session.commit()
            flash("Saved: the person's sessions are signed out.", "success")
    return redirect(url_for(".show", person_id=person.id))


# --- memberships of a dialogue -------------------------------------------------------


def _render_members(dialogue: Dialogue, *, form=None, status=200):
    memberships = db.session.scalars(
        select(Membership).options(joinedload(Membership.participant))
        .where(Membership.dialogue_id == dialogue.id).order_by(Membership.role, Membership.id)
    ).all()
    seated = {m.participant_id for m in memberships}
    form = form or MembershipForm(formdata=None, participants=[
        p for p in _participants() if p.id not in seated])
    return render_template("people/members.html", dialogue=dialogue, memberships=memberships,
                           form=form, button=ConfirmForm(formdata=None),
                           secretariat=role_in(current_user, dialogue.id) == SECRETARIAT,
                           manage=bool(can_schedule(current_user, dialogue.id))), status


def _seat_keeper(dialogue: Dialogue) -> Person:
    """The secretariat changes the seats, while the dialogue is not archived."""
    by = _secretariat_only()
    require(can_schedule(current_user, dialogue.id), SEATS_ONLY)
    return by


def _membership_or_404(dialogue: Dialogue, membership_id: int) -> Membership:
    membership = next((m for m in dialogue.memberships if m.id == membership_id), None)
    if membership is None:
        abort(404)
    return membership


@blueprint.route("/dialogues/<int:dialogue_id>/members")
@login_required
def members(dialogue_id: int):
    return _render_members(dialogue_or_404(current_user, dialogue_id))


@blueprint.route("/dialogues/<int:dialogue_id>/members", methods=["POST"])
@login_required
def add_member(dialogue_id: int):
    dialogue = dialogue_or_404(current_user, dialogue_id)
    by = _seat_keeper(dialogue)
    form = MembershipForm(participants=_participants())
    if form.validate_on_submit():
        try:
            operations.add_membership(
                dialogue, db.session.get(Participant, int(form.participant.data)),
                form.role.data, by=by)
        except InvalidInput as error:
            db.session.rollback()
            attach_to_form(form, error)
        else:
            db.session.commit()
            flash("The participant has its seat.", "success")
            return redirect(url_for(".members", dialogue_id=dialogue.id))
    return _render_members(dialogue, form=form, status=400)


@blueprint.route("/dialogues/<int:dialogue_id>/members/<int:membership_id>/remove",
                 methods=["POST"])
@login_required
def remove_member(dialogue_id: int, membership_id: int):
    dialogue = dialogue_or_404(current_user, dialogue_id)
    by = _seat_keeper(dialogue)
    membership = _membership_or_404(dialogue, membership_id)
    if ConfirmForm().validate_on_submit():
        try:
            operations.remove_membership(dialogue, membership, by=by)
        except InvalidInput as error:
            db.session.rollback()
            flash(next(iter(error.errors.values())), "error")
        else:
            db.session.commit()
            flash("The seat is removed.", "success")
    return redirect(url_for(".members", dialogue_id=dialogue.id))


@blueprint.route("/dialogues/<int:dialogue_id>/members/<int:membership_id>/role",
                 methods=["POST"])
@login_required
def change_member(dialogue_id: int, membership_id: int):
    """Member to observer or back: the button says which."""
    dialogue = dialogue_or_404(current_user, dialogue_id)
    by = _seat_keeper(dialogue)
    membership = _membership_or_404(dialogue, membership_id)
    if ConfirmForm().validate_on_submit():
        try:
            operations.change_membership_role(dialogue, membership,
                                              request.form.get("role", ""), by=by)
        except InvalidInput as error:
            db.session.rollback()
            flash(next(iter(error.errors.values())), "error")
        else:
            db.session.commit()
            flash(f"{membership.participant.name} is now {membership.role} of "
                  f"{dialogue.short_name}.", "success")
    return redirect(url_for(".members", dialogue_id=dialogue.id))


# --- the audit log -------------------------------------------------------------------


@blueprint.route("/audit")
@login_required
def audit_log():
    _secretariat_only()
    dialogues = _dialogues()
    form = AuditFilterForm(request.args, dialogues=dialogues)
    query = select(AuditEvent).options(joinedload(AuditEvent.actor))
    if form.validate():
        if form.dialogue.data:
            query = query.where(AuditEvent.dialogue_id == int(form.dialogue.data))
        if form.actor.data:
            query = query.where(AuditEvent.actor_email.ilike(f"%{form.actor.data.strip()}%"))
        if form.action.data:
            query = query.where(AuditEvent.action.ilike(f"%{form.action.data.strip()}%"))
        if form.since.data:
            query = query.where(AuditEvent.occurred_at >= datetime.combine(
                form.since.data, time(), UTC))
        if form.until.data:
            query = query.where(AuditEvent.occurred_at < datetime.combine(
                form.until.data + timedelta(days=1), time(), UTC))
    page = max(request.args.get("page", 1, type=int) or 1, 1)
    total = db.session.scalar(select(func.count()).select_from(query.subquery()))
    events = db.session.scalars(
        query.order_by(AuditEvent.occurred_at.desc(), AuditEvent.id.desc())
        .limit(AUDIT_PAGE_SIZE).offset((page - 1) * AUDIT_PAGE_SIZE)).all()
    names = {d.id: d.short_name for d in dialogues}
    args = {k: v for k, v in request.args.items() if k != "page"}
    return render_template(
        "people/audit.html", form=form, events=events, total=total, page=page,
        pages=max((total + AUDIT_PAGE_SIZE - 1) // AUDIT_PAGE_SIZE, 1), dialogue_names=names,
        args=args,
    ), 200 if not form.errors else 400
