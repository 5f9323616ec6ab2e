"""Action items: list them with filters, record one in a meeting's minutes, change,
close or reopen one. The rules are planner.actions.operations."""

from __future__ import annotations

from flask import abort, url_for
from sqlalchemy.orm import joinedload

from planner.access import MANAGERS_ONLY, can_manage, dialogue_or_404, meeting_or_404, require
from planner.actions import operations as ops
from planner.api import present
from planner.api import schemas as s
from planner.api.etags import check_if_match, etag
from planner.api.problems import Problem, field_error
from planner.api.spec import Reply, route
from planner.api.views.common import person
from planner.extensions import db
from planner.minutes import operations as minutes_ops
from planner.models import ActionItem, ActionItemStatus, by_due_date, utcnow

# The operations' field names, as the API spells them.
FIELDS = {"owner": "owner_id", "person": "person_id", "commitment": "commitment_id",
          "agenda_item": "agenda_item_id"}
TERMS = {"title": "title", "description": "description", "owner_id": "owner",
         "person_id": "person", "due_on": "due_on", "commitment_id": "commitment",
         "agenda_item_id": "agenda_item"}


def _item_out(item: ActionItem) -> s.ActionItemOut:
    return s.ActionItemOut(
        id=item.id, dialogue_id=item.dialogue_id, meeting_id=item.meeting_id,
        agenda_item_id=item.agenda_item_id, commitment_id=item.commitment_id,
        owner=present.participant_ref(item.owner),
        owner_person=s.PersonRef(id=item.owner_person.id, name=item.owner_person.name)
        if item.owner_person else None,
        title=item.title, description=item.description or "", due_on=item.due_on,
        status=item.status, overdue=item.is_overdue(utcnow().date()),
        outcome=item.outcome or "", closed_at=item.closed_at, version=item.version_id,
        created_at=item.created_at, updated_at=item.updated_at,
        url=url_for("actions.show", action_item_id=item.id, _external=True),
    )


def _readable():
    return ops.readable(person()).options(
        joinedload(ActionItem.owner), joinedload(ActionItem.owner_person)
    )


def _one(action_item_id: int) -> ActionItem:
    item = db.session.scalar(_readable().where(ActionItem.id == action_item_id))
    if item is None:
        abort(404)
    return item


def _reply(item: ActionItem) -> Reply:
    return Reply(_item_out(item), headers={"ETag": etag("action-item", item.version_id)})


@route("GET", "/action-items", summary="Action items, with filters", tag="Action items",
       query=s.ActionItemQuery, response=s.Page[s.ActionItemOut], problems=(404,))
def list_action_items(query: s.ActionItemQuery):
    """Of the dialogues you see (and of draft minutes only if you write them), by due
    date. `owner=mine`: your own delegation's."""
    rows = _readable().where(ActionItem.status.in_(ops.STATUS_FILTERS[query.status][1]))
    if query.dialogue is not None:
        rows = rows.where(ActionItem.dialogue_id == dialogue_or_404(person(), query.dialogue).id)
    if query.owner is not None:
        owner = person().participant_id if query.owner == "mine" else query.owner
        rows = rows.where(ActionItem.owner_participant_id == owner)
    if query.overdue:
        rows = rows.where(ActionItem.status.in_(ActionItemStatus.still_open()),
                          ActionItem.due_on < utcnow().date())
    rows = rows.order_by(*by_due_date())
    return present.page_of(rows, query, _item_out, s.Page[s.ActionItemOut])


@route("GET", "/action-items/{action_item_id}", summary="One action item",
       tag="Action items", response=s.ActionItemOut, etag=True)
def get_action_item(action_item_id: int):
    return _reply(_one(action_item_id))


@route("POST", "/action-items", summary="Record an action item in a meeting's minutes",
       tag="Action items", body=s.ActionItemIn, response=s.ActionItemOut, status=201,
       etag=True, problems=(403, 404, 409, 422), fields=FIELDS)
def create_action_item(body: s.ActionItemIn):
    """Agreed at `meeting_id`, whose minutes must be started. The secretariat's and
    the chair's."""
    meeting = meeting_or_404(person(), body.meeting_id)
    require(can_manage(person(), meeting.dialogue_id), MANAGERS_ONLY)
    minutes = minutes_ops.load_minutes(meeting.id)
    if minutes is None:
        message = "This meeting has no minutes yet: start them first."
        raise Problem(422, message, errors=[field_error("meeting_id", message)])
    values = {name: _text(getattr(body, api)) for api, name in TERMS.items()}
    item = ops.add_action_item(minutes, values=values, by=person(), reason=body.reason)
    reply = _reply(_one(item.id))
    reply.headers["Location"] = url_for("api.v1.get_action_item", action_item_id=item.id)
    return reply


def _text(value) -> str:
    """A value as the operations take it (they read form fields): "" for none."""
    if value is None:
        return ""
    return value.isoformat() if hasattr(value, "isoformat") else str(value)


@route("PATCH", "/action-items/{action_item_id}", summary="Change, close or reopen",
       tag="Action items", body=s.ActionItemPatchIn, response=s.ActionItemOut, etag=True,
       if_match="optional", problems=(403, 409, 422), fields=FIELDS)
def update_action_item(action_item_id: int, body: s.ActionItemPatchIn):
    """Close it with `status` done or dropped and its `outcome`. Reopen a closed one
    with `status` open and a `reason`. Otherwise change any of its terms (title,
    description, owner_id, person_id, due_on, commitment_id, agenda_item_id; null
    clears an optional one) or its progress (`status` open or in_progress); terms agreed
    in approved minutes change only with a `reason`, as an amendment. Send If-Match
    with its ETag to be sure nobody changed it since you read it."""
    item = _one(action_item_id)
    require(can_manage(person(), item.dialogue_id), MANAGERS_ONLY)
    check_if_match(etag("action-item", item.version_id))
    given = body.model_fields_set - {"reason"}
    if not given:
        message = "Say what to change."
        raise Problem(400, message, errors=[field_error("body", message)])
    expected = item.version_id
    closing = body.status in (ActionItemStatus.DONE, ActionItemStatus.DROPPED)
    if closing or "outcome" in given:
        if given - {"status", "outcome"}:
            message = "Close an action item on its own: status and outcome only."
            raise Problem(400, message, errors=[field_error("body", message)])
        ops.close_action_item(item, status=body.status or item.status,
                              outcome=body.outcome or "",
                              base={"status": item.status, "outcome": item.outcome or ""},
                              expected_version=expected, by=person())
    elif not item.is_open and body.status == ActionItemStatus.OPEN and given == {"status"}:
        ops.reopen_action_item(item, reason=body.reason, expected_version=expected,
                               by=person())
    else:
        current = ops.item_values(item)
        values = dict(current)
        for api, name in TERMS.items():
            if api in given:
                values[name] = _text(getattr(body, api))
        if "status" in given:
            values["status"] = body.status or ""
        ops.update_action_item(item, values=values, base=current, expected_version=expected,
                               by=person(), reason=body.reason)
    return _reply(_one(action_item_id))
