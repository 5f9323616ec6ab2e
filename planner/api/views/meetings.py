"""One meeting: read it; move, confirm or cancel it (the scheduling operations)."""

from __future__ import annotations

from planner.access import can_schedule, meeting_or_404, require
from planner.api import present
from planner.api import schemas as s
from planner.api.problems import Problem, field_error
from planner.api.spec import route
from planner.api.views.common import person
from planner.api.views.dialogues import MEETING_FIELDS, _host
from planner.extensions import db
from planner.models import MeetingStatus
from planner.scheduling import operations

MOVE_FIELDS = ("start", "end", "timezone", "city", "venue", "host_id")


@route("GET", "/meetings/{meeting_id}", summary="One meeting", tag="Meetings",
       response=s.MeetingOut)
def get_meeting(meeting_id: int):
    return present.meeting(meeting_or_404(person(), meeting_id))


@route("PATCH", "/meetings/{meeting_id}", summary="Move, confirm or cancel a meeting",
       tag="Meetings", body=s.MeetingPatchIn, response=s.MeetingOut, problems=(403, 422),
       fields=MEETING_FIELDS)
def update_meeting(meeting_id: int, body: s.MeetingPatchIn):
    """Move it with any of `start`, `end` (ISO 8601 with offset; give one and the
    meeting keeps its length or its start), `timezone`, `city`, `venue`, `host_id`;
    confirm it with `"status": "confirmed"`; cancel it with `"status": "cancelled"` and
    a `reason`. A move and a new status in one request are made together, or neither.
    Invites already sent are updated. The secretariat's."""
    meeting = meeting_or_404(person(), meeting_id)
    require(can_schedule(person(), meeting.dialogue_id))
    moving = [name for name in MOVE_FIELDS if getattr(body, name) is not None]
    if not moving and body.status is None:
        message = "Say what to change: a new time or place, or a new status."
        raise Problem(400, message, errors=[field_error("body", message)])
    if moving:
        start, end = body.start, body.end
        if start is not None and end is None:
            end = start + (meeting.ends_at - meeting.starts_at)
        elif end is not None and start is None:
            start = meeting.starts_at
        operations.reschedule_meeting(
            meeting, starts_at=start or meeting.starts_at, ends_at=end or meeting.ends_at,
            timezone=body.timezone, city=body.city, venue=body.venue,
            host=_host(body.host_id), by=person(), reason=body.reason,
        )
    if body.status == MeetingStatus.CONFIRMED:
        operations.confirm_meeting(meeting, by=person(), reason=body.reason)
    elif body.status == MeetingStatus.CANCELLED:
        operations.cancel_meeting(meeting, by=person(), reason=body.reason)
    db.session.commit()
    return present.meeting(meeting)
