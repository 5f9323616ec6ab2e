"""Setting dialogues up: the dialogue and its settings, archiving, the register of
participants, seats (memberships) and themes. The rules are the operations' (planner.
dialogues, planner.participants, planner.people); who may is planner.access's."""

from __future__ import annotations

from flask import abort, url_for
from sqlalchemy import select
from sqlalchemy.orm import joinedload

from planner.access import (
    can_manage,
    can_schedule,
    dialogue_or_404,
    require,
    restrict_to_visible,
    role_in,
)
from planner.api import present
from planner.api import schemas as s
from planner.api.problems import Problem, field_error
from planner.api.spec import Reply, route
from planner.api.views.common import person
from planner.dialogues import operations as setup_ops
from planner.extensions import db
from planner.models import Dialogue, Membership, Participant, Theme
from planner.participants import operations as register_ops
from planner.people import operations as seat_ops

SET_UP_ONLY = "Only the secretariat sets up a dialogue: its settings, seats and archive."
REGISTER_ONLY = "Only the secretariat keeps the register of participants."
THEMES_ONLY = "Only the secretariat and the dialogue's chair change its themes."
DIALOGUE_FIELDS = {"reason": "archive_reason", "dialogue": "archived"}
SEAT_FIELDS = {"participant": "participant_id"}


def _nothing_to_change() -> Problem:
    message = "Say what to change."
    return Problem(400, message, errors=[field_error("body", message)])


# --- dialogues ----------------------------------------------------------------------------


def _settings(values: dict[str, str | None]) -> setup_ops.DialogueSettings:
    return setup_ops.DialogueSettings(**{k: v or "" for k, v in values.items()})


@route("POST", "/dialogues", summary="Set up a new dialogue", tag="Set-up",
       body=s.DialogueIn, response=s.DialogueOut, status=201, problems=(403, 422))
def create_dialogue(body: s.DialogueIn):
    """The secretariat's. Its members, themes and series come next."""
    require(person().is_secretariat, SET_UP_ONLY)
    dialogue = setup_ops.create_dialogue(_settings(body.model_dump()), by=person())
    db.session.commit()
    return Reply(present.dialogue(dialogue, role_in(person(), dialogue.id)),
                 headers={"Location": url_for("api.v1.get_dialogue", dialogue_id=dialogue.id)})


SETTINGS = ("name", "short_name", "level", "cadence", "classification", "venue_timezone",
            "description")


@route("PATCH", "/dialogues/{dialogue_id}", summary="Change, archive or restore a dialogue",
       tag="Set-up", body=s.DialoguePatchIn, response=s.DialogueOut, problems=(403, 422),
       fields=DIALOGUE_FIELDS)
def update_dialogue(dialogue_id: int, body: s.DialoguePatchIn):
    """The secretariat's. An archived dialogue changes nothing but `archived: false`
    (which may come with new settings)."""
    dialogue = dialogue_or_404(person(), dialogue_id)
    require(person().is_secretariat, SET_UP_ONLY)
    given = body.model_fields_set
    if not given:
        raise _nothing_to_change()
    if "archive_reason" in given and body.archived is not True:
        message = "Give archive_reason only with archived: true."
        raise Problem(400, message, errors=[field_error("archive_reason", message)])
    if "archived" in given and body.archived is None:
        message = "archived is true or false."
        raise Problem(400, message, errors=[field_error("archived", message)])
    for name in ("name", "short_name", "level", "classification"):
        if name in given and getattr(body, name) is None:
            message = "This setting cannot be empty."
            raise Problem(400, message, errors=[field_error(name, message)])
    if body.archived is False:
        setup_ops.restore_dialogue(dialogue, by=person())
    changed = given & set(SETTINGS)
    if changed:
        require(can_schedule(person(), dialogue.id), SET_UP_ONLY)  # not while archived
        values = {name: getattr(dialogue, name) for name in SETTINGS}
        values.update({name: getattr(body, name) for name in changed})
        setup_ops.update_dialogue(dialogue, _settings(values), by=person())
    if body.archived is True:
        setup_ops.archive_dialogue(dialogue, reason=body.archive_reason or "", by=person())
    db.session.commit()
    return present.dialogue(dialogue, role_in(person(), dialogue.id))


# --- the register of participants ------------------------------------------------------


def _participant_or_404(participant_id: int) -> Participant:
    """A participant the person may see: any, for the secretariat; else one seated in a
    dialogue they see (as the list of participants)."""
    query = select(Participant).where(Participant.id == participant_id)
    if not person().is_secretariat:
        seats = restrict_to_visible(select(Membership.participant_id),
                                    Membership.dialogue_id, person())
        query = query.where(Participant.id.in_(seats))
    participant = db.session.scalar(query)
    if participant is None:
        abort(404)
    return participant


DETAILS = ("kind", "name", "short_name", "country_code", "subdivision", "timezone",
           "working_hours_start", "working_hours_end")


def _details(values: dict) -> register_ops.ParticipantDetails:
    return register_ops.ParticipantDetails(**{
        name: value if name.startswith("working_hours") else (value or "")
        for name, value in values.items()})


@route("GET", "/participants/{participant_id}", summary="One participant", tag="Dialogues",
       response=s.ParticipantOut)
def get_participant(participant_id: int):
    return present.participant(_participant_or_404(participant_id))


@route("POST", "/participants", summary="Add a participant to the register", tag="Set-up",
       body=s.ParticipantIn, response=s.ParticipantOut, status=201, problems=(403, 422))
def create_participant(body: s.ParticipantIn):
    """The secretariat's. A state needs its ISO 3166-1 code (it decides the public
    holidays); an institution has none."""
    require(person().is_secretariat, REGISTER_ONLY)
    participant = register_ops.create_participant(_details(body.model_dump()), by=person())
    db.session.commit()
    return Reply(present.participant(participant), headers={
        "Location": url_for("api.v1.get_participant", participant_id=participant.id)})


@route("PATCH", "/participants/{participant_id}", summary="Change a participant",
       tag="Set-up", body=s.ParticipantPatchIn, response=s.ParticipantOut,
       problems=(403, 422))
def update_participant(participant_id: int, body: s.ParticipantPatchIn):
    """The secretariat's. A new name shows everywhere, but in approved minutes, which
    keep the name they were approved with."""
    participant = _participant_or_404(participant_id)
    require(person().is_secretariat, REGISTER_ONLY)
    given = body.model_fields_set
    if not given:
        raise _nothing_to_change()
    for name in ("kind", "name", "short_name", "timezone", "working_hours_start",
                 "working_hours_end"):
        if name in given and getattr(body, name) is None:
            message = "This detail cannot be empty."
            raise Problem(400, message, errors=[field_error(name, message)])
    values = {name: getattr(participant, name) for name in DETAILS}
    values.update({name: getattr(body, name) for name in given})
    register_ops.update_participant(participant, _details(values), by=person())
    db.session.commit()
    return present.participant(participant)


# --- seats ---------------------------------------------------------------------------------


def _membership_out(membership: Membership) -> s.MembershipOut:
    return s.MembershipOut(id=membership.id, dialogue_id=membership.dialogue_id,
                           participant=present.participant_ref(membership.participant),
                           role=membership.role)


def _membership_or_404(dialogue: Dialogue, membership_id: int) -> Membership:
    membership = db.session.scalar(
        select(Membership).options(joinedload(Membership.participant))
        .where(Membership.id == membership_id, Membership.dialogue_id == dialogue.id))
    if membership is None:
        abort(404)
    return membership


def _seat_keeper(dialogue_id: int) -> Dialogue:
    dialogue = dialogue_or_404(person(), dialogue_id)
    require(can_schedule(person(), dialogue.id), SET_UP_ONLY)
    return dialogue


@route("GET", "/dialogues/{dialogue_id}/memberships/{membership_id}",
       summary="One seat in a dialogue", tag="Set-up", response=s.MembershipOut)
def get_membership(dialogue_id: int, membership_id: int):
    dialogue = dialogue_or_404(person(), dialogue_id)
    return _membership_out(_membership_or_404(dialogue, membership_id))


@route("POST", "/dialogues/{dialogue_id}/memberships", summary="Give a participant a seat",
       tag="Set-up", body=s.MembershipIn, response=s.MembershipOut, status=201,
       problems=(403, 422), fields=SEAT_FIELDS)
def create_membership(dialogue_id: int, body: s.MembershipIn):
    """The secretariat's: a participant of the register joins as member or observer."""
    dialogue = _seat_keeper(dialogue_id)
    participant = db.session.get(Participant, body.participant_id)
    membership = seat_ops.add_membership(dialogue, participant, body.role, by=person())
    db.session.commit()
    return Reply(_membership_out(membership), headers={"Location": url_for(
        "api.v1.get_membership", dialogue_id=dialogue.id, membership_id=membership.id)})


@route("PATCH", "/dialogues/{dialogue_id}/memberships/{membership_id}",
       summary="Make a member an observer, or back", tag="Set-up",
       body=s.MembershipPatchIn, response=s.MembershipOut, problems=(403, 422))
def update_membership(dialogue_id: int, membership_id: int, body: s.MembershipPatchIn):
    """The secretariat's. A participant whose people are delegates in the dialogue
    stays a member until they are observers."""
    dialogue = _seat_keeper(dialogue_id)
    membership = _membership_or_404(dialogue, membership_id)
    seat_ops.change_membership_role(dialogue, membership, body.role, by=person())
    db.session.commit()
    return _membership_out(membership)


@route("DELETE", "/dialogues/{dialogue_id}/memberships/{membership_id}",
       summary="Remove a seat", tag="Set-up", problems=(403, 422),
       fields={"participant": "membership_id"})
def delete_membership(dialogue_id: int, membership_id: int):
    """The secretariat's; only a seat with no history in the dialogue (no meetings
    hosted, action items owned, commitments led, attendance) and no people in roles."""
    dialogue = _seat_keeper(dialogue_id)
    membership = _membership_or_404(dialogue, membership_id)
    seat_ops.remove_membership(dialogue, membership, by=person())
    db.session.commit()
    return None


# --- themes --------------------------------------------------------------------------------


def _theme_out(theme: Theme) -> s.DialogueThemeOut:
    count = setup_ops.theme_counts(theme.dialogue_id).get(theme.id, 0)
    return s.DialogueThemeOut(id=theme.id, code=theme.code, name=theme.name,
                              dialogue_id=theme.dialogue_id, commitments=count)


def _theme_or_404(theme_id: int) -> Theme:
    theme = db.session.scalar(
        restrict_to_visible(select(Theme), Theme.dialogue_id, person())
        .where(Theme.id == theme_id))
    if theme is None:
        abort(404)
    return theme


@route("GET", "/themes/{theme_id}", summary="One theme of a dialogue", tag="Set-up",
       response=s.DialogueThemeOut)
def get_theme(theme_id: int):
    return _theme_out(_theme_or_404(theme_id))


@route("POST", "/dialogues/{dialogue_id}/themes", summary="Add a theme", tag="Set-up",
       body=s.ThemeIn, response=s.DialogueThemeOut, status=201, problems=(403, 422))
def create_theme(dialogue_id: int, body: s.ThemeIn):
    """The secretariat's and the dialogue's chair's; names and numbers are unique in
    the dialogue."""
    dialogue = dialogue_or_404(person(), dialogue_id)
    require(can_manage(person(), dialogue.id), THEMES_ONLY)
    theme = setup_ops.create_theme(dialogue, name=body.name, code=body.code or "",
                                   by=person())
    db.session.commit()
    return Reply(_theme_out(theme),
                 headers={"Location": url_for("api.v1.get_theme", theme_id=theme.id)})


@route("PATCH", "/themes/{theme_id}", summary="Rename or renumber a theme", tag="Set-up",
       body=s.ThemePatchIn, response=s.DialogueThemeOut, problems=(403, 422))
def update_theme(theme_id: int, body: s.ThemePatchIn):
    """The secretariat's and the dialogue's chair's."""
    theme = _theme_or_404(theme_id)
    require(can_manage(person(), theme.dialogue_id), THEMES_ONLY)
    given = body.model_fields_set
    if not given:
        raise _nothing_to_change()
    if "name" in given and body.name is None:
        message = "A theme has a name."
        raise Problem(400, message, errors=[field_error("name", message)])
    setup_ops.rename_theme(
        theme, name=body.name if "name" in given else theme.name,
        code=(body.code or "") if "code" in given else None, by=person())
    db.session.commit()
    return _theme_out(theme)
