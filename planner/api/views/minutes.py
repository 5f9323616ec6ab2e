"""A meeting's minutes: read them (drafts only for those who write them), start them,
and replace their text and attendance with If-Match, so that nobody overwrites a change
they have not seen. The rules are planner.minutes.operations."""

from __future__ import annotations

from flask import abort, url_for

from planner.access import MANAGERS_ONLY, can_manage, can_read_minutes, meeting_or_404, require
from planner.api import schemas as s
from planner.api import v1
from planner.api.etags import check_if_match, etag
from planner.api.present import participant_ref
from planner.api.problems import Problem, field_error, problem_response
from planner.api.spec import Reply, route
from planner.api.views.common import person
from planner.minutes import operations as ops
from planner.minutes.versioning import EditConflict
from planner.models import Meeting, Minutes
from planner.validation import InvalidInput


@v1.errorhandler(EditConflict)
def _conflict(error: EditConflict):
    errors = [field_error(_api_field(c.name), f"Changed meanwhile by someone else: “{c.label}”.")
              for c in error.conflicts]
    return problem_response(Problem(409, error.message, errors=errors or None))


def _api_field(name: str) -> str:
    """The operations' form field names ("note-12", "status-3") as the API's."""
    if name.startswith("note-"):
        return "notes"
    if name.startswith(("status-", "delegates-")):
        return "attendance"
    return name


def minutes_etag(minutes: Minutes) -> str:
    return etag("minutes", minutes.version_id)


def _show(meeting: Meeting, minutes: Minutes) -> Reply:
    seats = ops.members(meeting.dialogue_id)
    rows = {row.participant_id: row for row in minutes.attendance}
    approval = minutes.approval
    body = s.MinutesOut(
        meeting_id=meeting.id, status=minutes.status, version=minutes.version_id,
        summary=minutes.summary or "",
        notes=[
            s.NoteOut(agenda_item_id=section.item.id if section.item else None,
                      number=section.number, title=section.title,
                      text=section.note.text if section.note else "")
            for section in ops.sections(meeting, minutes, action_items=[])
        ],
        attendance=[
            s.AttendanceOut(
                **participant_ref(seat.participant).model_dump(exclude={"id"}),
                participant_id=seat.participant_id,
                status=rows[seat.participant_id].status if seat.participant_id in rows else None,
                delegates=rows[seat.participant_id].delegates if seat.participant_id in rows
                else "",
            )
            for seat in seats
        ],
        decisions=[
            s.DecisionOut(id=d.id, text=d.text, agenda_item_id=d.agenda_item_id,
                          commitment_id=d.commitment_id, commitment_status=d.commitment_status)
            for d in minutes.decisions
        ],
        circulated_at=minutes.circulated_at, approved_at=minutes.approved_at,
        approval=s.ApprovalOut(method=approval.method, meeting_id=approval.meeting_id,
                               note=approval.note) if approval else None,
        updated_at=minutes.updated_at,
        url=url_for("minutes.show", meeting_id=meeting.id, _external=True),
    )
    return Reply(body, headers={"ETag": minutes_etag(minutes)})


def _readable(meeting_id: int) -> tuple[Meeting, Minutes]:
    meeting = meeting_or_404(person(), meeting_id)
    minutes = ops.load_minutes(meeting.id)
    if minutes is None or not can_read_minutes(person(), minutes, meeting.dialogue_id):
        abort(404)
    return meeting, minutes


@route("GET", "/meetings/{meeting_id}/minutes", summary="A meeting's minutes", tag="Minutes",
       response=s.MinutesOut, etag=True)
def get_minutes(meeting_id: int):
    """Circulated and approved minutes for everyone who sees the meeting; a draft only
    for the secretariat and the chair. The ETag is the version: send it back in
    If-Match to change them."""
    return _show(*_readable(meeting_id))


@route("POST", "/meetings/{meeting_id}/minutes", summary="Start the minutes", tag="Minutes",
       response=s.MinutesOut, status=201, etag=True, problems=(403, 409, 422),
       fields={"minutes": "meeting_id"})
def start_minutes(meeting_id: int):
    """A draft, once the meeting has begun."""
    meeting = meeting_or_404(person(), meeting_id)
    require(can_manage(person(), meeting.dialogue_id), MANAGERS_ONLY)
    if ops.load_minutes(meeting.id) is not None:
        raise Problem(409, "This meeting's minutes are started already.")
    minutes = ops.start_minutes(meeting, by=person())
    reply = _show(meeting, minutes)
    reply.headers["Location"] = url_for("api.v1.get_minutes", meeting_id=meeting.id)
    return reply


@route("PUT", "/meetings/{meeting_id}/minutes", summary="Replace the text and attendance",
       tag="Minutes", body=s.MinutesIn, response=s.MinutesOut, etag=True,
       if_match="required", problems=(403, 409, 422))
def replace_minutes(meeting_id: int, body: s.MinutesIn):
    """The summary, the notes per agenda item (`agenda_item_id` null: other matters) and
    the attendance per delegation, whole: a note or a delegation not listed is cleared.
    Needs If-Match with the ETag you read: 412 when the minutes changed since, 428
    without it. Approved minutes change only as an amendment, with a `reason`."""
    meeting = meeting_or_404(person(), meeting_id)
    require(can_manage(person(), meeting.dialogue_id), MANAGERS_ONLY)
    minutes = ops.load_minutes(meeting.id)
    if minutes is None:
        raise Problem(404, "This meeting has no minutes yet: start them first (POST).")
    check_if_match(minutes_etag(minutes), required=True)

    errors = []
    parts = ops.sections(meeting, minutes, action_items=[])
    names = {(p.item.id if p.item else None): p.field_name for p in parts}
    text = {"summary": body.summary}
    for index, note in enumerate(body.notes):
        name = names.get(note.agenda_item_id)
        if name is None or name in text:
            errors.append(field_error(f"notes.{index}.agenda_item_id",
                                      "Not an item of this meeting's agenda, or listed twice."))
        else:
            text[name] = note.text
    seats = ops.members(meeting.dialogue_id)
    attendance: dict[str, str] = {}
    for index, row in enumerate(body.attendance):
        key = f"status-{row.participant_id}"
        if row.participant_id not in {seat.participant_id for seat in seats} or key in attendance:
            errors.append(field_error(f"attendance.{index}.participant_id",
                                      "Not a delegation with a seat here, or listed twice."))
            continue
        attendance[key] = row.status or ""
        attendance[f"delegates-{row.participant_id}"] = row.delegates
    if errors:
        raise Problem(422, "Some notes or attendance rows name what is not there.",
                      errors=errors)
    for name in names.values():
        text.setdefault(name, "")
    for seat in seats:
        attendance.setdefault(f"status-{seat.participant_id}", "")
        attendance.setdefault(f"delegates-{seat.participant_id}", "")

    # The values as read are the base: a change committed between here and our write
    # is merged field by field, or refused (409), never overwritten.
    text_base = ops.text_values(minutes, parts)
    attendance_base = ops.attendance_values(minutes, seats)
    try:
        # One transaction: the text and the attendance are saved together, or neither.
        ops.save_minutes(minutes, parts=parts, seats=seats, text=text, text_base=text_base,
                         attendance=attendance, attendance_base=attendance_base,
                         expected_version=minutes.version_id, by=person(),
                         reason=body.reason)
    except InvalidInput as error:
        raise Problem(422, " ".join(error.errors.values()), errors=[
            field_error(_api_field(name), message) for name, message in error.errors.items()
        ]) from None
    return _show(meeting, ops.load_minutes(meeting.id))
