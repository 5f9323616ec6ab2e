"""A dialogue's series: its RFC 5545 rule, expanded with python-dateutil, the host
rotation, and the proposed meetings that fill the horizon.

An occurrence is a date of the rule (kept on the meeting as `series_date`, its
RECURRENCE-ID). The meeting itself may sit on another day: a rule date that falls on a
weekend or a member's public holiday is proposed on the next day that suits everyone,
and any meeting can be moved later without breaking the series."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from dateutil.relativedelta import relativedelta
from dateutil.rrule import rrule, rrulestr
from sqlalchemy import select

from planner.extensions import db
from planner.models import (
    Dialogue,
    HostRotation,
    Meeting,
    MeetingChangeKind,
    MeetingStatus,
    MembershipRole,
    Participant,
    Person,
)
from planner.scheduling.holidays import next_working_day
from planner.validation import InvalidInput

MAX_RULE_LENGTH = 500


def parse_rule(rule: str, start: date) -> rrule:
    """The rule as dateutil's rrule from `start`, or InvalidInput naming what is wrong."""
    text = (rule or "").strip().removeprefix("RRULE:")
    if not text:
        raise InvalidInput.on(
            "recurrence_rule", "Enter a rule, for example FREQ=YEARLY;BYMONTH=11."
        )
    if len(text) > MAX_RULE_LENGTH or "\n" in text:
        raise InvalidInput.on("recurrence_rule", "The rule must be one line of an RFC 5545 RRULE.")
    if any(part in text.upper() for part in ("BYHOUR", "BYMINUTE", "BYSECOND", "DTSTART")):
        raise InvalidInput.on(
            "recurrence_rule",
            "Give the days only (FREQ, INTERVAL, BYMONTH, BYDAY, ...); the meeting's hours are set "
            "separately.",
        )
    if "FREQ=" not in text.upper():
        raise InvalidInput.on("recurrence_rule", "The rule needs a FREQ, for example FREQ=YEARLY.")
    try:
        parsed = rrulestr(text, dtstart=datetime.combine(start, time()), forceset=False)
    except (ValueError, TypeError, KeyError) as exc:
        raise InvalidInput.on(
            "recurrence_rule", f"This is not an RFC 5545 rule we can read ({exc})."
        ) from exc
    if not isinstance(parsed, rrule):
        raise InvalidInput.on("recurrence_rule", "Give a single RRULE.")
    # dateutil numbers YEARLY 0, MONTHLY 1, WEEKLY 2, ...: weekly is not a dialogue's cadence.
    if parsed._freq > 1:
        raise InvalidInput.on(
            "recurrence_rule", "A dialogue meets at most monthly: use FREQ=YEARLY or MONTHLY."
        )
    if any(not 1 <= month <= 12 for month in parsed._bymonth or ()):
        raise InvalidInput.on("recurrence_rule", "BYMONTH takes months from 1 to 12.")
    first = datetime.combine(start, time())
    if not parsed.between(first, first + relativedelta(years=10), inc=True, count=1):
        raise InvalidInput.on(
            "recurrence_rule", "This rule gives no date in the next ten years."
        )
    return parsed


def rule_dates(dialogue: Dialogue, start: date, end: date) -> list[date]:
    """The rule's dates from `start` to `end` inclusive."""
    if not dialogue.recurrence_rule or dialogue.series_start is None:
        return []
    rule = parse_rule(dialogue.recurrence_rule, dialogue.series_start)
    found = rule.between(
        datetime.combine(start, time()), datetime.combine(end, time()), inc=True
    )
    return [moment.date() for moment in found]


def member_countries(dialogue: Dialogue) -> list[str]:
    """The members' holiday regions: "GB", "AL", or "DE-BY" for a German Land."""
    return sorted(
        {
            m.participant.holiday_region
            for m in dialogue.memberships
            if m.role == MembershipRole.MEMBER and m.participant.holiday_region
        }
    )


def in_window(dialogue: Dialogue, day: date) -> bool:
    """Inside the dialogue's preferred months (which may wrap over the new year)."""
    first, last = dialogue.window_start_month, dialogue.window_end_month
    if first is None or last is None:
        return True
    if first <= last:
        return first <= day.month <= last
    return day.month >= first or day.month <= last


def window_label(dialogue: Dialogue) -> str:
    first, last = dialogue.window_start_month, dialogue.window_end_month
    if first is None or last is None:
        return "any time of year"
    name = lambda month: date(2000, month, 1).strftime("%B")  # noqa: E731
    return name(first) if first == last else f"{name(first)} to {name(last)}"


@dataclass(frozen=True)
class HostSlot:
    participant: Participant
    city: str
    venue: str
    timezone: str


def next_host(dialogue: Dialogue, previous: Meeting | None) -> HostSlot | None:
    """Whose turn it is after `previous`: the next in the rotation after its host (so an
    overridden host moves the rotation on from there), or the first of the rotation."""
    rotation: list[HostRotation] = dialogue.host_rotation
    if not rotation:
        return None
    index = 0
    if previous is not None and previous.host_participant_id is not None:
        positions = [r.participant_id for r in rotation]
        if previous.host_participant_id in positions:
            index = (positions.index(previous.host_participant_id) + 1) % len(rotation)
    slot = rotation[index]
    return HostSlot(slot.participant, slot.city, slot.venue, slot.timezone)


def meeting_times(dialogue: Dialogue, day: date, zone: str) -> tuple[datetime, datetime]:
    """The default hours on `day` (and the following days of a multi-day meeting), in
    the venue's zone, as UTC instants."""
    tz = ZoneInfo(zone)
    last_day = day + timedelta(days=dialogue.meeting_days - 1)
    starts = datetime.combine(day, dialogue.default_start, tz)
    ends = datetime.combine(last_day, dialogue.default_end, tz)
    return starts.astimezone(UTC), ends.astimezone(UTC)


def _series_meetings(dialogue: Dialogue) -> list[Meeting]:
    return list(
        db.session.scalars(
            select(Meeting)
            .where(Meeting.dialogue_id == dialogue.id, Meeting.series_date.is_not(None))
            .order_by(Meeting.series_date)
        )
    )


def default_title(dialogue: Dialogue, day: date, slot: HostSlot | None) -> str:
    where = f", {slot.city}" if slot and slot.city else ""
    return f"{dialogue.short_name} meeting{where} {day.year}"


def extend_series(
    dialogue: Dialogue,
    *,
    today: date,
    by: Person | None,
    title_for: Callable[[Dialogue, date, HostSlot | None], str] = default_title,
) -> list[Meeting]:
    """Create a proposed meeting for each rule date from today to the horizon that has
    none yet. Idempotent. The caller commits."""
    from planner.scheduling.operations import record_change

    if not dialogue.recurrence_rule or dialogue.series_start is None:
        return []
    horizon = today + relativedelta(months=dialogue.horizon_months)
    existing = _series_meetings(dialogue)
    taken = {m.series_date for m in existing}
    countries = member_countries(dialogue)
    created = []
    for series_date in rule_dates(dialogue, max(today, dialogue.series_start), horizon):
        if series_date in taken:
            continue
        before = [m for m in existing if m.series_date < series_date
                  and m.status != MeetingStatus.CANCELLED]
        slot = next_host(dialogue, before[-1] if before else None)
        zone = slot.timezone if slot else (dialogue.venue_timezone or "UTC")
        day = next_working_day(series_date, countries)
        starts_at, ends_at = meeting_times(dialogue, day, zone)
        city = slot.city if slot else ""
        meeting = Meeting(
            dialogue=dialogue,
            title=title_for(dialogue, day, slot),
            status=MeetingStatus.PROPOSED,
            starts_at=starts_at,
            ends_at=ends_at,
            timezone=zone,
            city=city,
            venue=slot.venue if slot else "",
            host=slot.participant if slot else None,
            series_date=series_date,
            classification=dialogue.classification,
        )
        db.session.add(meeting)
        db.session.flush()
        record_change(meeting, MeetingChangeKind.CREATED, {}, by=by,
                      reason=f"Occurrence of the series on {series_date:%d %B %Y}")
        existing.append(meeting)
        existing.sort(key=lambda m: m.series_date)
        taken.add(series_date)
        created.append(meeting)
    return created


def change_rule(
    dialogue: Dialogue,
    *,
    rule: str,
    from_date: date,
    today: date,
    by: Person | None,
    reason: str,
) -> tuple[list[Meeting], list[Meeting]]:
    """Change the rule for the occurrence on `from_date` and those after it.

    Earlier meetings stay as they are. Later proposed meetings that the new rule no
    longer has are cancelled (recorded, so calendars drop them); confirmed or held ones
    are never touched. Returns (cancelled, created). The caller commits."""
    from planner.scheduling.operations import cancel_meeting

    parse_rule(rule, from_date)  # refuse a bad rule before anything changes
    if not reason.strip():
        raise InvalidInput.on("reason", "Say why the rule changes.")
    old_rule, old_start = dialogue.recurrence_rule, dialogue.series_start
    dialogue.recurrence_rule = rule.strip().removeprefix("RRULE:")
    dialogue.series_start = from_date
    horizon = today + relativedelta(months=dialogue.horizon_months)
    wanted = set(rule_dates(dialogue, from_date, horizon))
    cancelled = []
    for meeting in _series_meetings(dialogue):
        if (meeting.series_date >= from_date and meeting.series_date not in wanted
                and meeting.status == MeetingStatus.PROPOSED):
            cancel_meeting(meeting, by=by, reason=f"Series rule changed: {reason.strip()}")
            cancelled.append(meeting)
    from planner import audit

    audit.record(
        "dialogue.rule_changed", dialogue, dialogue_id=dialogue.id, actor=by,
        summary=reason.strip(),
        details={"before": {"rule": old_rule, "series_start": str(old_start)},
                 "after": {"rule": dialogue.recurrence_rule, "series_start": str(from_date)}},
    )
    created = extend_series(dialogue, today=today, by=by)
    return cancelled, created


def update_settings(
    dialogue: Dialogue,
    *,
    window_start_month: int | None,
    window_end_month: int | None,
    meeting_days: int,
    default_start: time,
    default_end: time,
    horizon_months: int,
    by: Person | None,
) -> None:
    """The series' window, length, usual hours and horizon. Existing meetings keep their
    dates; the settings apply to the occurrences created from now on. Caller commits."""
    from planner import audit

    errors = {}
    if (window_start_month is None) != (window_end_month is None):
        errors["window_end_month"] = "Choose both months of the window, or neither."
    if not 1 <= meeting_days <= 3:
        errors["meeting_days"] = "A meeting lasts 1, 2 or 3 days."
    if meeting_days == 1 and default_end <= default_start:
        errors["default_end"] = "The usual end must come after the usual start."
    if not 1 <= horizon_months <= 120:
        errors["horizon_months"] = "Plan between 1 and 120 months ahead."
    if errors:
        raise InvalidInput(errors)
    before = {
        "window": [dialogue.window_start_month, dialogue.window_end_month],
        "meeting_days": dialogue.meeting_days,
        "hours": [str(dialogue.default_start), str(dialogue.default_end)],
        "horizon_months": dialogue.horizon_months,
    }
    dialogue.window_start_month, dialogue.window_end_month = window_start_month, window_end_month
    dialogue.meeting_days = meeting_days
    dialogue.default_start, dialogue.default_end = default_start, default_end
    dialogue.horizon_months = horizon_months
    audit.record(
        "dialogue.series_settings", dialogue, dialogue_id=dialogue.id, actor=by,
        summary="Series settings changed",
        details={"before": before, "after": {
            "window": [window_start_month, window_end_month], "meeting_days": meeting_days,
            "hours": [str(default_start), str(default_end)], "horizon_months": horizon_months,
        }},
    )


def add_host(dialogue: Dialogue, *, participant: Participant, city: str, venue: str,
             timezone: str, by: Person | None) -> HostRotation:
    from planner import audit
    from planner.models.participants import check_timezone

    errors = {}
    if participant.id not in {m.participant_id for m in dialogue.memberships
                              if m.role == MembershipRole.MEMBER}:
        errors["participant"] = "The host must be a member of the dialogue."
    try:
        check_timezone(timezone)
    except ValueError:
        errors["timezone"] = f"“{timezone}” is not a time zone we know."
    if not city.strip():
        errors["city"] = "Enter the city."
    if errors:
        raise InvalidInput(errors)
    slot = HostRotation(
        position=max((r.position for r in dialogue.host_rotation), default=0) + 1,
        participant=participant, city=city.strip(), venue=venue.strip(), timezone=timezone,
    )
    dialogue.host_rotation.append(slot)
    audit.record("dialogue.rotation_changed", dialogue, dialogue_id=dialogue.id, actor=by,
                 summary=f"{participant.short_name} ({slot.city}) added to the host rotation")
    return slot


def move_host(dialogue: Dialogue, slot_id: int, direction: str, *, by: Person | None) -> None:
    from planner import audit

    rotation = list(dialogue.host_rotation)
    index = next((i for i, r in enumerate(rotation) if r.id == slot_id), None)
    if index is None:
        raise InvalidInput.on("slot", "That host is no longer in the rotation.")
    if direction == "remove":
        removed = rotation.pop(index)
        dialogue.host_rotation.remove(removed)
        db.session.flush()
    else:
        other = index - 1 if direction == "up" else index + 1
        if direction not in ("up", "down") or not 0 <= other < len(rotation):
            raise InvalidInput.on("direction", "That host cannot move further.")
        rotation[index], rotation[other] = rotation[other], rotation[index]
    # Positions are unique: park them out of the way before writing the new order.
    for offset, slot in enumerate(rotation, start=1):
        slot.position = -offset
    db.session.flush()
    for position, slot in enumerate(rotation, start=1):
        slot.position = position
    audit.record("dialogue.rotation_changed", dialogue, dialogue_id=dialogue.id, actor=by,
                 summary="Host rotation: " + ", ".join(r.participant.short_name for r in rotation))
