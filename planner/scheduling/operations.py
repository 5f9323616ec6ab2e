"""Changing meetings: confirm, reschedule, cancel. Each change is recorded with who,
when and why, raises the meeting's SEQUENCE when date, time, place or status change
(RFC 5546 2.1.4), is written to the audit log, and is announced with `meeting_changed`
so that invites go out in the same transaction."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from planner import audit
from planner.extensions import db
from planner.models import (
    Classification,
    Dialogue,
    Meeting,
    MeetingChange,
    MeetingChangeKind,
    MeetingFormat,
    MeetingStatus,
    Participant,
    Person,
)
from planner.models.participants import check_timezone
from planner.signals import meeting_changed
from planner.validation import InvalidInput

# What a calendar shows of a meeting: a change to any of these is a new SEQUENCE.
SCHEDULE_FIELDS = ("starts_at", "ends_at", "timezone", "city", "venue", "status")
RECORDED_FIELDS = (*SCHEDULE_FIELDS, "host_participant_id", "title", "format", "classification")


def snapshot(meeting: Meeting) -> dict[str, Any]:
    values: dict[str, Any] = {}
    for name in RECORDED_FIELDS:
        value = getattr(meeting, name)
        values[name] = value.isoformat() if isinstance(value, datetime) else value
    return values


def record_change(
    meeting: Meeting,
    kind: MeetingChangeKind,
    before: dict[str, Any],
    *,
    by: Person | None,
    reason: str = "",
) -> MeetingChange:
    """Record what changed since `before`, raise SEQUENCE if the calendar would show it,
    log it and announce it. The caller commits."""
    after = snapshot(meeting)
    if kind != MeetingChangeKind.CREATED and any(
        before.get(name) != after[name] for name in SCHEDULE_FIELDS
    ):
        meeting.sequence += 1
    change = MeetingChange(
        kind=kind,
        changed_by=by,
        reason=reason.strip(),
        before={} if kind == MeetingChangeKind.CREATED else before,
        after=after,
        sequence=meeting.sequence,
    )
    meeting.changes.append(change)
    audit.record(
        f"meeting.{kind}",
        meeting,
        summary=reason.strip() or f"Meeting {kind}",
        details={"before": change.before, "after": after},
        dialogue_id=meeting.dialogue_id,
        actor=by,
    )
    meeting_changed.send(meeting, change=change)
    return change


def _check_open(meeting: Meeting) -> None:
    if meeting.status in (MeetingStatus.CANCELLED, MeetingStatus.HELD):
        raise InvalidInput.on(
            "status", f"This meeting is {meeting.status}; it can no longer be changed."
        )


def reschedule_meeting(
    meeting: Meeting,
    *,
    starts_at: datetime,
    ends_at: datetime,
    timezone: str | None = None,
    city: str | None = None,
    venue: str | None = None,
    host: Participant | None = None,
    by: Person | None,
    reason: str = "",
) -> MeetingChange:
    """Move one meeting (date, time, place, host) without touching the rest of its series."""
    _check_open(meeting)
    errors: dict[str, str] = {}
    if starts_at.tzinfo is None or ends_at.tzinfo is None:
        errors["starts_at"] = "Give the time with its time zone."
    elif ends_at <= starts_at:
        errors["ends_at"] = "The meeting must end after it starts."
    if timezone is not None:
        try:
            check_timezone(timezone)
        except ValueError:
            errors["timezone"] = f"“{timezone}” is not a time zone we know (e.g. Europe/Brussels)."
    if host is not None and host.id not in {m.participant_id for m in meeting.dialogue.memberships}:
        errors["host"] = "The host must be a member of the dialogue."
    if errors:
        raise InvalidInput(errors)

    before = snapshot(meeting)
    meeting.starts_at, meeting.ends_at = starts_at, ends_at
    if timezone is not None:
        meeting.timezone = timezone
    if city is not None:
        meeting.city = city.strip()
    if venue is not None:
        meeting.venue = venue.strip()
    if host is not None:
        meeting.host = host
    if snapshot(meeting) == before:
        raise InvalidInput.on("starts_at", "Nothing changed: give a new date, time or place.")
    return record_change(meeting, MeetingChangeKind.RESCHEDULED, before, by=by, reason=reason)


def confirm_meeting(meeting: Meeting, *, by: Person | None, reason: str = "") -> MeetingChange:
    if meeting.status != MeetingStatus.PROPOSED:
        raise InvalidInput.on("status", f"Only a proposed meeting can be confirmed; this one is "
                                        f"{meeting.status}.")
    before = snapshot(meeting)
    meeting.status = MeetingStatus.CONFIRMED
    return record_change(meeting, MeetingChangeKind.CONFIRMED, before, by=by, reason=reason)


def cancel_meeting(meeting: Meeting, *, by: Person | None, reason: str) -> MeetingChange:
    """Cancel one meeting; the series goes on. A reason is required: members will ask."""
    _check_open(meeting)
    if not reason.strip():
        raise InvalidInput.on("reason", "Say why the meeting is cancelled.")
    before = snapshot(meeting)
    meeting.status = MeetingStatus.CANCELLED
    meeting.cancel_reason = reason.strip()
    return record_change(meeting, MeetingChangeKind.CANCELLED, before, by=by, reason=reason)


def set_meeting_classification(meeting: Meeting, value: str, *, by: Person | None,
                               reason: str = "") -> MeetingChange:
    if value not in tuple(Classification):
        raise InvalidInput.on("classification", "Choose OFFICIAL or OFFICIAL-SENSITIVE.")
    if value == meeting.classification:
        raise InvalidInput.on("classification", f"The meeting is already marked {value}.")
    before = snapshot(meeting)
    meeting.classification = value
    return record_change(meeting, MeetingChangeKind.UPDATED, before, by=by,
                         reason=reason or f"Marked {value}")


def set_dialogue_classification(dialogue: Dialogue, value: str, *, by: Person | None) -> None:
    """The dialogue's marking; its meetings show the stricter of theirs and this one."""
    if value not in tuple(Classification):
        raise InvalidInput.on("classification", "Choose OFFICIAL or OFFICIAL-SENSITIVE.")
    before = dialogue.classification
    dialogue.classification = value
    audit.record("dialogue.classification", dialogue, dialogue_id=dialogue.id, actor=by,
                 summary=f"Marked {value} (was {before})")


def create_meeting(
    dialogue: Dialogue,
    *,
    title: str,
    starts_at: datetime,
    ends_at: datetime,
    timezone: str,
    city: str = "",
    venue: str = "",
    host: Participant | None = None,
    meeting_format: str = MeetingFormat.IN_PERSON,
    by: Person | None,
) -> Meeting:
    """A meeting outside the series (an extra or an ad hoc one), proposed until
    confirmed. Recorded and announced like any change. The caller commits."""
    errors: dict[str, str] = {}
    title = " ".join(title.split())
    if not title:
        errors["title"] = "Enter a title for the meeting."
    elif len(title) > 200:
        errors["title"] = "Keep the title to 200 characters or fewer."
    if starts_at.tzinfo is None or ends_at.tzinfo is None:
        errors["starts_at"] = "Give the time with its time zone."
    elif ends_at <= starts_at:
        errors["ends_at"] = "The meeting must end after it starts."
    try:
        check_timezone(timezone)
    except ValueError:
        errors["timezone"] = f"“{timezone}” is not a time zone we know (e.g. Europe/Brussels)."
    if host is not None and host.id not in {m.participant_id for m in dialogue.memberships}:
        errors["host"] = "The host must be a member of the dialogue."
    if meeting_format not in tuple(MeetingFormat):
        errors["format"] = "Choose in person, video or hybrid."
    if len(city.strip()) > 120:
        errors["city"] = "Keep the city to 120 characters or fewer."
    if len(venue.strip()) > 200:
        errors["venue"] = "Keep the venue to 200 characters or fewer."
    if errors:
        raise InvalidInput(errors)
    meeting = Meeting(
        dialogue=dialogue,
        title=title,
        status=MeetingStatus.PROPOSED,
        format=meeting_format,
        classification=dialogue.classification,
        starts_at=starts_at,
        ends_at=ends_at,
        timezone=timezone,
        city=city.strip(),
        venue=venue.strip(),
        host=host,
    )
    db.session.add(meeting)
    db.session.flush()
    record_change(meeting, MeetingChangeKind.CREATED, {}, by=by, reason="Meeting added")
    return meeting
