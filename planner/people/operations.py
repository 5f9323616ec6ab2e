"""Managing people and memberships. Each change is audited; a new person gets a
one-time link to set a password, sent through the outbox in the same transaction."""

from __future__ import annotations

from flask import url_for
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from planner import audit
from planner.auth.operations import issue_password_link
from planner.dialogues.operations import require_open
from planner.extensions import db
from planner.models import (
    ActionItem,
    Attendance,
    Commitment,
    Dialogue,
    DialogueRole,
    DialogueRoleKind,
    HostRotation,
    Meeting,
    Membership,
    MembershipRole,
    Minutes,
    Participant,
    Person,
    commitment_lead,
)
from planner.models.people import normalise_email
from planner.outbox.operations import queue_message
from planner.validation import InvalidInput


def _check_seat(person: Person, dialogue: Dialogue, role: str) -> None:
    """A chair, delegate or observer speaks for a participant that has a seat."""
    if role not in tuple(DialogueRoleKind):
        raise InvalidInput.on("role", "Choose chair, delegate or observer.")
    if person.participant_id is None:
        raise InvalidInput.on(
            "role", f"{person.name} belongs to no delegation: give them one first."
        )
    seats = {m.participant_id: m.role for m in dialogue.memberships}
    if person.participant_id not in seats:
        raise InvalidInput.on(
            "dialogue", f"{person.participant.name} has no seat in {dialogue.short_name}."
        )
    observer = seats[person.participant_id] == MembershipRole.OBSERVER
    if role == DialogueRoleKind.DELEGATE and observer:
        raise InvalidInput.on(
            "role", f"{person.participant.short_name} observes {dialogue.short_name}: its people "
                    "are observers there."
        )


def send_password_link(person: Person, *, by: Person | None, welcome: bool) -> None:
    secret = issue_password_link(person, by=by)
    link = url_for("auth.set_password", token=secret, _external=True)
    greeting = (
        "An account has been opened for you in Dialogue Planner, where the secretariat "
        "schedules the meetings of your dialogues and circulates their papers."
        if welcome else
        "The secretariat has sent you a new link to set your Dialogue Planner password."
    )
    queue_message(
        kind="password_link",
        recipient=person.email,
        subject="Set your Dialogue Planner password",
        text_body=(
            f"Dear {person.name},\n\n{greeting}\n\nSet your password here (the link works once "
            f"and expires):\n{link}\n\nIf you did not expect this message, you can ignore it."
        ),
        person=person,
    )


def create_person(
    *, name: str, email: str, participant: Participant | None, is_secretariat: bool,
    timezone: str | None, by: Person | None,
) -> Person:
    email = normalise_email(email)
    if db.session.scalar(select(Person.id).where(Person.email == email)) is not None:
        raise InvalidInput.on("email", "Someone already has this e-mail address.")
    if not name.strip():
        raise InvalidInput.on("name", "Enter the person's name.")
    person = Person(name=name.strip(), email=email, participant=participant,
                    is_secretariat=is_secretariat, timezone=timezone or None)
    db.session.add(person)
    db.session.flush()
    audit.record("person.created", person, actor=by,
                 summary=f"{person.name} <{person.email}> added"
                         + (" to the secretariat" if is_secretariat else ""))
    send_password_link(person, by=by, welcome=True)
    return person


def update_person(person: Person, *, name: str, participant: Participant | None,
                  is_secretariat: bool, by: Person | None) -> None:
    before = {"name": person.name, "participant": person.participant_id,
              "secretariat": person.is_secretariat}
    if participant is None and person.dialogue_roles:
        raise InvalidInput.on("participant", "Remove the person's roles in dialogues first: "
                                             "they speak for their delegation.")
    person.name, person.participant, person.is_secretariat = name.strip(), participant, \
        is_secretariat
    if is_secretariat != before["secretariat"]:
        person.session_epoch += 1  # rights changed: sessions start again
    audit.record("person.updated", person, actor=by, summary=f"{person.name} updated",
                 details={"before": before, "after": {
                     "name": person.name, "participant": person.participant_id,
                     "secretariat": person.is_secretariat}})


def add_role(person: Person, dialogue: Dialogue, role: str, *, by: Person | None) -> DialogueRole:
    _check_seat(person, dialogue, role)
    if any(r.dialogue_id == dialogue.id for r in person.dialogue_roles):
        raise InvalidInput.on("dialogue", f"{person.name} already has a role in "
                                          f"{dialogue.short_name}; remove it first.")
    granted = DialogueRole(dialogue=dialogue, role=role)
    person.dialogue_roles.append(granted)
    audit.record("person.role_added", person, actor=by, dialogue_id=dialogue.id,
                 summary=f"{person.name}: {role} of {dialogue.short_name}")
    return granted


def remove_role(person: Person, role: DialogueRole, *, by: Person | None) -> None:
    person.dialogue_roles.remove(role)
    person.session_epoch += 1  # what they may see changed: their sessions start again
    audit.record("person.role_removed", person, actor=by, dialogue_id=role.dialogue_id,
                 summary=f"{person.name}: no longer {role.role} of {role.dialogue.short_name}")


def set_active(person: Person, active: bool, *, by: Person | None) -> None:
    if by is not None and person.id == by.id and not active:
        raise InvalidInput.on("active", "You cannot close your own account.")
    person.active = active
    person.session_epoch += 1
    audit.record("person.activated" if active else "person.deactivated", person, actor=by,
                 summary=f"{person.name}: account {'opened' if active else 'closed'}")


def add_membership(dialogue: Dialogue, participant: Participant | None, role: str, *,
                   by: Person | None) -> Membership:
    require_open(dialogue)
    errors: dict[str, str] = {}
    if participant is None:
        errors["participant"] = "Choose a participant from the register."
    elif any(m.participant_id == participant.id for m in dialogue.memberships):
        errors["participant"] = f"{participant.name} already has a seat."
    if role not in tuple(MembershipRole):
        errors["role"] = "Choose member or observer."
    if errors:
        raise InvalidInput(errors)
    membership = Membership(participant=participant, role=role)
    dialogue.memberships.append(membership)
    audit.record("dialogue.membership_added", dialogue, actor=by, dialogue_id=dialogue.id,
                 summary=f"{participant.name} joins {dialogue.short_name} as {role}")
    return membership


def change_membership_role(dialogue: Dialogue, membership: Membership, role: str, *,
                           by: Person | None) -> Membership:
    """Member to observer or back. An observer's people are observers there, so a
    delegation whose people are its delegates stays a member until they are not."""
    require_open(dialogue)
    if role not in tuple(MembershipRole):
        raise InvalidInput.on("role", "Choose member or observer.")
    if role == membership.role:
        return membership
    participant = membership.participant
    if role == MembershipRole.OBSERVER:
        delegates = db.session.scalars(
            select(Person.name).join(DialogueRole, DialogueRole.person_id == Person.id).where(
                DialogueRole.dialogue_id == dialogue.id,
                DialogueRole.role == DialogueRoleKind.DELEGATE,
                Person.participant_id == participant.id,
            ).order_by(Person.name)
        ).all()
        if delegates:
            raise InvalidInput.on(
                "role", f"{participant.short_name} has delegates in {dialogue.short_name} "
                        f"({', '.join(delegates)}): an observer's people are observers. "
                        "Make them observers first, then change the seat.")
    before = membership.role
    membership.role = role
    audit.record("dialogue.membership_changed", dialogue, actor=by, dialogue_id=dialogue.id,
                 summary=f"{participant.name}: {before} of {dialogue.short_name} "
                         f"becomes {role}",
                 details={"participant_id": participant.id, "before": before, "after": role})
    return membership


def remove_membership(dialogue: Dialogue, membership: Membership, *, by: Person | None) -> None:
    """Only a seat that nothing refers to: a participant with a history in the dialogue
    (hosting, owning, leading, attending) keeps its seat so that nothing is lost."""
    require_open(dialogue)
    participant = membership.participant
    uses = [
        (select(Meeting.id).where(Meeting.dialogue_id == dialogue.id,
                                  Meeting.host_participant_id == participant.id),
         "hosts one of its meetings"),
        (select(ActionItem.id).where(ActionItem.dialogue_id == dialogue.id,
                                     ActionItem.owner_participant_id == participant.id),
         "owns some of its action items"),
        (select(HostRotation.id).where(HostRotation.dialogue_id == dialogue.id,
                                       HostRotation.participant_id == participant.id),
         "is in its host rotation"),
        (select(commitment_lead.c.commitment_id)
         .join(Commitment, Commitment.id == commitment_lead.c.commitment_id)
         .where(Commitment.dialogue_id == dialogue.id,
                commitment_lead.c.participant_id == participant.id),
         "leads some of its commitments"),
        (select(Attendance.id).join(Minutes, Minutes.id == Attendance.minutes_id)
         .join(Meeting, Meeting.id == Minutes.meeting_id)
         .where(Meeting.dialogue_id == dialogue.id, Attendance.participant_id == participant.id),
         "is in the attendance of its minutes"),
    ]
    for query, what in uses:
        if db.session.scalar(query.limit(1)) is not None:
            raise InvalidInput.on("participant", f"{participant.name} {what}: it keeps its "
                                                 "seat so that nothing is lost.")
    people = db.session.scalars(select(DialogueRole).join(Person).where(
        DialogueRole.dialogue_id == dialogue.id, Person.participant_id == participant.id)).all()
    if people:
        raise InvalidInput.on("participant", "Remove the roles of its people in this dialogue "
                                             "first.")
    dialogue.memberships.remove(membership)
    try:
        db.session.flush()
    except IntegrityError as exc:
        raise InvalidInput.on("participant", f"{participant.name} is still referred to in "
                                             "this dialogue's papers.") from exc
    audit.record("dialogue.membership_removed", dialogue, actor=by, dialogue_id=dialogue.id,
                 summary=f"{participant.name} leaves {dialogue.short_name}")
