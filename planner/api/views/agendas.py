"""A meeting's agenda: the circulated versions for everyone who sees the meeting; the
draft, its build, its items and its circulation for the secretariat and the chair.
The rules are planner.agendas.operations."""

from __future__ import annotations

from flask import abort, request, url_for

from planner.access import can_manage, meeting_or_404, require
from planner.agendas import operations as ops
from planner.api import schemas as s
from planner.api import v1
from planner.api.etags import check_if_match, etag
from planner.api.problems import Problem, field_error, problem_response
from planner.api.spec import Reply, route
from planner.api.views.common import person
from planner.models import Agenda, AgendaItem, AgendaVersion, Meeting

MANAGERS_ONLY = "Only the secretariat and the dialogue's chair prepare its agenda."
ITEM_FIELDS = {"direction": "move", "item": "move"}


@v1.errorhandler(ops.AgendaConflict)
def _conflict(error: ops.AgendaConflict):
    return problem_response(Problem(409, "Someone else changed this agenda at the same "
                                         "moment, so nothing was saved. Read it again."))


def _drafting(meeting_id: int) -> Meeting:
    meeting = meeting_or_404(person(), meeting_id)
    require(can_manage(person(), meeting.dialogue_id), MANAGERS_ONLY)
    return meeting


def _draft(meeting: Meeting) -> Agenda:
    """The draft without its items: an edit touches one item."""
    agenda = ops.agenda_of(meeting.id)
    if agenda is None:
        raise Problem(404, "This meeting has no draft agenda yet: build it first "
                           "(POST .../agenda/build).")
    return agenda


def _item(agenda: Agenda, item_id: int) -> AgendaItem:
    item = ops.item_of(agenda, item_id)
    if item is None:
        abort(404)
    return item


def _expected(agenda: Agenda) -> int | None:
    """The version If-Match names (412 when it is not the current one), or None without
    If-Match: the change then applies to the draft as it is when it is made."""
    check_if_match(etag("agenda", agenda.version_id))
    return agenda.version_id if request.headers.get("If-Match", "").strip() else None


def _version(version: AgendaVersion) -> s.AgendaVersionOut:
    return s.AgendaVersionOut(number=version.number, circulated_at=version.circulated_at,
                              circulated_by=version.content.get("circulated_by", ""),
                              content=version.content)


def _presenter(item: AgendaItem) -> s.PresenterOut | None:
    if item.presenter_participant is not None:
        return s.PresenterOut(kind="participant", id=item.presenter_participant.id,
                              name=item.presenter_participant.name)
    if item.presenter_person is not None:
        return s.PresenterOut(kind="person", id=item.presenter_person.id,
                              name=item.presenter_person.name)
    return None


def _out(item: AgendaItem, slot: ops.Slot | None) -> s.AgendaItemOut:
    """An item, with its number and times when it is not removed."""
    return s.AgendaItemOut(
        id=item.id, number=slot.number if slot else None, kind=item.kind,
        title=item.title, reason=item.reason, notes=item.notes,
        duration_minutes=item.duration_minutes,
        local_start=f"{slot.starts:%H:%M}" if slot else None,
        local_end=f"{slot.ends:%H:%M}" if slot else None,
        presenter=_presenter(item), commitment_id=item.commitment_id,
        action_item_id=item.action_item_id, theme_id=item.theme_id, removed=item.dismissed,
    )


def _items(meeting: Meeting, agenda: Agenda) -> list[s.AgendaItemOut]:
    slots = {slot.item.id: slot for slot in ops.schedule(meeting, ops.active_items(agenda)).slots}
    return [_out(item, slots.get(item.id)) for item in ops.all_items(agenda)]


def _agenda(meeting: Meeting, model: type[s.AgendaOut] = s.AgendaOut, **extra) -> Reply:
    agenda = ops.load_agenda(meeting.id)
    draft, headers = None, {}
    if agenda is not None and can_manage(person(), meeting.dialogue_id):
        plan = ops.schedule(meeting, ops.active_items(agenda))
        draft = s.AgendaDraftOut(version=agenda.version_id, built_at=agenda.built_at,
                                 items=_items(meeting, agenda),
                                 overrun_minutes=plan.overrun_minutes)
        headers["ETag"] = etag("agenda", agenda.version_id)
    versions = ops.versions_of(agenda.id) if agenda is not None else []
    body = model(meeting_id=meeting.id, draft=draft, versions=[_version(v) for v in versions],
                 **extra)
    return Reply(body, headers=headers)


@route("GET", "/meetings/{meeting_id}/agenda", summary="A meeting's agenda", tag="Agendas",
       response=s.AgendaOut, etag=True)
def get_agenda(meeting_id: int):
    """The circulated versions, and for the secretariat and the chair the working
    draft, numbered and timed; its ETag is the draft's version."""
    return _agenda(meeting_or_404(person(), meeting_id))


@route("POST", "/meetings/{meeting_id}/agenda/build", summary="Build the draft agenda",
       tag="Agendas", response=s.BuildOut, etag=True, problems=(403, 409, 422),
       fields={"agenda": "meeting_id"})
def build_agenda(meeting_id: int):
    """From the standing items, the open commitments by theme and the open action
    items. Building again adds only what is new and keeps every edit."""
    meeting = _drafting(meeting_id)
    result = ops.build_agenda(meeting, actor=person())
    return _agenda(meeting, s.BuildOut, added=[item.id for item in result.added])


@route("POST", "/meetings/{meeting_id}/agenda/circulate", summary="Circulate the agenda",
       tag="Agendas", body=s.CirculateIn, body_required=False, response=s.AgendaVersionOut,
       status=201, if_match="optional", problems=(403, 409, 422))
def circulate_agenda(meeting_id: int, body: s.CirculateIn):
    """Freeze the draft as the next numbered version (v1, v2, ...)."""
    meeting = _drafting(meeting_id)
    agenda = _draft(meeting)
    version = ops.circulate_agenda(agenda, actor=person(), notify=body.notify,
                                   expected_version=_expected(agenda))
    location = url_for("api.v1.get_agenda_version", meeting_id=meeting.id,
                       number=version.number)
    return Reply(_version(version), headers={"Location": location})


@route("GET", "/meetings/{meeting_id}/agenda/versions/{number}",
       summary="One circulated version of the agenda", tag="Agendas",
       response=s.AgendaVersionOut)
def get_agenda_version(meeting_id: int, number: int):
    meeting = meeting_or_404(person(), meeting_id)
    for version in ops.circulated_versions(meeting.id):
        if version.number == number:
            return _version(version)
    abort(404)


@route("GET", "/meetings/{meeting_id}/agenda/items/{item_id}",
       summary="One item of the draft agenda", tag="Agendas", response=s.AgendaItemOut,
       etag=True, problems=(403,))
def get_agenda_item(meeting_id: int, item_id: int):
    meeting = _drafting(meeting_id)
    agenda = _draft(meeting)
    return _one(meeting, agenda, _item(agenda, item_id).id)


def _one(meeting: Meeting, agenda: Agenda, item_id: int) -> Reply:
    """One item, numbered and timed (not the whole draft)."""
    shown = _out(_item(agenda, item_id), ops.slot_of(agenda, item_id))
    return Reply(shown, headers={"ETag": etag("agenda", agenda.version_id)})


def _presenter_value(value: s.Presenter | None) -> str:
    """The operations' spelling: "participant:3", "person:7", or "" for none."""
    if value is None or (value.participant_id is None and value.person_id is None):
        return ""
    if value.participant_id is not None and value.person_id is not None:
        message = "Give a participant or a person as presenter, not both."
        raise Problem(400, message, errors=[field_error("presenter", message)])
    if value.participant_id is not None:
        return f"participant:{value.participant_id}"
    return f"person:{value.person_id}"


@route("POST", "/meetings/{meeting_id}/agenda/items", summary="Add an item to the draft",
       tag="Agendas", body=s.AgendaItemIn, response=s.AgendaItemOut, status=201,
       etag=True, if_match="optional", problems=(403, 409, 422))
def add_agenda_item(meeting_id: int, body: s.AgendaItemIn):
    meeting = _drafting(meeting_id)
    agenda = _draft(meeting)
    item = ops.add_item(
        agenda, title=body.title, duration_minutes=body.duration_minutes,
        presenter=_presenter_value(body.presenter), notes=body.notes,
        after=body.after, expected_version=_expected(agenda), actor=person(),
    )
    reply = _one(meeting, _draft(meeting), item.id)
    reply.headers["Location"] = url_for("api.v1.get_agenda_item", meeting_id=meeting.id,
                                        item_id=item.id)
    return reply


@route("PATCH", "/meetings/{meeting_id}/agenda/items/{item_id}",
       summary="Edit, remove, restore or move an item of the draft", tag="Agendas",
       body=s.AgendaItemPatchIn, response=s.AgendaItemOut, etag=True, if_match="optional",
       problems=(403, 409, 422), fields=ITEM_FIELDS)
def update_agenda_item(meeting_id: int, item_id: int, body: s.AgendaItemPatchIn):
    """One kind of change per request: new values for any of `title`,
    `duration_minutes`, `presenter`, `notes`; or `removed` (true takes the item off,
    where building again will not bring it back; false restores it); or `move`."""
    meeting = _drafting(meeting_id)
    agenda = _draft(meeting)
    item = _item(agenda, item_id)
    given = body.model_fields_set
    edits = given & {"title", "duration_minutes", "presenter", "notes"}
    kinds = [bool(edits), "removed" in given, "move" in given]
    if sum(kinds) != 1:
        message = ("Send one kind of change: new values (title, duration_minutes, presenter, "
                   "notes), or removed, or move.")
        raise Problem(400, message, errors=[field_error("body", message)])
    expected = _expected(agenda)
    if edits:
        ops.update_item(
            item,
            title=body.title if "title" in given else item.title,
            duration_minutes=body.duration_minutes if "duration_minutes" in given
            else item.duration_minutes,
            presenter=_presenter_value(body.presenter) if "presenter" in given
            else ops.presenter_value(item),
            notes=body.notes if "notes" in given and body.notes is not None else item.notes,
            expected_version=expected, actor=person(),
        )
    elif "removed" in given:
        if body.removed is None:
            raise Problem(400, "Say true or false.", errors=[field_error("removed", "Say "
                                                                     "true or false.")])
        change = ops.remove_item if body.removed else ops.restore_item
        change(item, expected_version=expected, actor=person())
    else:
        if body.move is None or not ops.move_item(item, body.move, expected_version=expected,
                                                  actor=person()):
            where = "first" if body.move == "up" else "last"
            message = f"The item is already {where}." if body.move else "Say up or down."
            raise Problem(422, message, errors=[field_error("move", message)])
    return _one(meeting, _draft(meeting), item_id)
