"""Date proposals: for a window and a length, which dates suit every member, ranked,
each with the reasons for its rank; and every date turned down, with why, by name."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import and_, select
from sqlalchemy.orm import joinedload

from planner.extensions import db
from planner.models import (
    Dialogue,
    Meeting,
    MeetingFormat,
    MeetingStatus,
    Membership,
    MembershipRole,
)
from planner.scheduling.holidays import describe_holidays, holidays_on, is_weekend
from planner.scheduling.series import in_window, member_countries, rule_dates, window_label
from planner.validation import InvalidInput

MAX_WINDOW_DAYS = 366
# Tuesday to Thursday let delegations travel on Monday and Friday.
_MIDWEEK = {1, 2, 3}


@dataclass
class Candidate:
    start: date
    end: date
    score: int
    reasons: list[str] = field(default_factory=list)


@dataclass
class Rejected:
    start: date
    reasons: list[str]


@dataclass
class Proposals:
    candidates: list[Candidate]
    rejected: list[Rejected]


def check_window(start: date | None, end: date | None, days: int | None) -> None:
    errors = {}
    if start is None:
        errors["start"] = "Enter the first day of the window."
    if end is None:
        errors["end"] = "Enter the last day of the window."
    if start and end and end < start:
        errors["end"] = "The window must end on or after the day it starts."
    elif start and end and (end - start).days > MAX_WINDOW_DAYS:
        errors["end"] = "Choose a window of at most a year."
    if days is None or not 1 <= days <= 3:
        errors["days"] = "A meeting lasts 1, 2 or 3 days."
    if errors:
        raise InvalidInput(errors)


def _clashes(dialogue: Dialogue, start: date, end: date, exclude: int | None) -> list[Meeting]:
    """Meetings of this dialogue, or of a dialogue sharing a member, that are not
    cancelled and touch the window (by UTC day, with a day's margin for time zones)."""
    members = select(Membership.participant_id).where(
        Membership.dialogue_id == dialogue.id, Membership.role == MembershipRole.MEMBER
    )
    sharing = select(Membership.dialogue_id).where(Membership.participant_id.in_(members))
    query = (
        select(Meeting)
        .options(joinedload(Meeting.dialogue))
        .where(
            Meeting.dialogue_id.in_(sharing),
            Meeting.status != MeetingStatus.CANCELLED,
            and_(
                Meeting.starts_at < datetime.combine(end + timedelta(days=2), datetime.min.time(),
                                                     UTC),
                Meeting.ends_at > datetime.combine(start - timedelta(days=1), datetime.min.time(),
                                                   UTC),
            ),
        )
    )
    if exclude is not None:
        query = query.where(Meeting.id != exclude)
    return list(db.session.scalars(query))


def _local_days(meeting: Meeting) -> set[date]:
    first, last = meeting.local_start.date(), meeting.local_end.date()
    return {first + timedelta(days=n) for n in range((last - first).days + 1)}


def propose(
    dialogue: Dialogue,
    *,
    start: date,
    end: date,
    days: int,
    allow_weekends: bool = False,
    meeting_format: str = MeetingFormat.IN_PERSON,
    venue_timezone: str | None = None,
    exclude_meeting: int | None = None,
) -> Proposals:
    """Rank each start date from `start` so that the meeting ends by `end`."""
    check_window(start, end, days)
    countries = member_countries(dialogue)
    busy: dict[date, list[Meeting]] = {}
    for meeting in _clashes(dialogue, start, end, exclude_meeting):
        for day in _local_days(meeting):
            busy.setdefault(day, []).append(meeting)
    targets = rule_dates(dialogue, start - timedelta(days=60), end + timedelta(days=60))
    zone = venue_timezone or _default_zone(dialogue)
    members = [m.participant for m in dialogue.memberships if m.role == MembershipRole.MEMBER]

    candidates, rejected = [], []
    day = start
    while day + timedelta(days=days - 1) <= end:
        meeting_days = [day + timedelta(days=n) for n in range(days)]
        reasons = []
        for d in meeting_days:
            if is_weekend(d) and not allow_weekends:
                reasons.append(f"{d.day} {d:%B}: {d:%A}")
            found = holidays_on(d, countries)
            if found:
                reasons.append(describe_holidays(d, found))
            for other in busy.get(d, ()):
                reasons.append(
                    f"{d.day} {d:%B}: clashes with {other.title} ({other.dialogue.short_name})"
                )
        if meeting_format != MeetingFormat.IN_PERSON:
            reasons.extend(_outside_working_hours(dialogue, day, zone, members))
        if reasons:
            rejected.append(Rejected(day, list(dict.fromkeys(reasons))))
        else:
            candidates.append(_rank(dialogue, meeting_days, targets, countries))
        day += timedelta(days=1)
    candidates.sort(key=lambda c: (-c.score, c.start))
    return Proposals(candidates, rejected)


def _default_zone(dialogue: Dialogue) -> str:
    if dialogue.host_rotation:
        return dialogue.host_rotation[0].timezone
    return dialogue.venue_timezone or "UTC"


def _outside_working_hours(dialogue, day, zone, members) -> list[str]:
    """For a video meeting: the start must fall in every member's office hours, which
    depends on the date when daylight-saving differs between the zones."""
    starts = datetime.combine(day, dialogue.default_start, ZoneInfo(zone))
    reasons = []
    for participant in members:
        local = starts.astimezone(ZoneInfo(participant.timezone))
        if not participant.working_hours_start <= local.time() < participant.working_hours_end:
            reasons.append(
                f"{day.day} {day:%B}: {starts:%H:%M} in {zone} is {local:%H:%M} for "
                f"{participant.short_name}, outside its working hours "
                f"({participant.working_hours_start:%H:%M}–{participant.working_hours_end:%H:%M})"
            )
    return reasons


def _rank(dialogue: Dialogue, meeting_days: list[date], targets: list[date],
          countries: list[str]) -> Candidate:
    first, last = meeting_days[0], meeting_days[-1]
    score, reasons = 100, []
    if in_window(dialogue, first) and in_window(dialogue, last):
        score += 30
        reasons.append(f"inside the preferred window ({window_label(dialogue)})")
    else:
        reasons.append(f"outside the preferred window ({window_label(dialogue)})")
    if first.weekday() in _MIDWEEK:
        score += 10
        reasons.append(f"starts on a {first:%A}, leaving Monday and Friday for travel")
    else:
        reasons.append(f"starts on a {first:%A}")
    if targets:
        nearest = min(targets, key=lambda t: abs((t - first).days))
        distance = abs((nearest - first).days)
        score -= min(distance, 60)
        reasons.append(
            "on the series date" if distance == 0
            else f"{distance} day{'s' if distance != 1 else ''} from the series date "
                 f"({nearest.day} {nearest:%B %Y})"
        )
    # A day beside a public holiday is often taken off: a "bridge" day.
    for neighbour in (first - timedelta(days=1), last + timedelta(days=1)):
        found = holidays_on(neighbour, countries)
        if found and not is_weekend(neighbour):
            score -= 15
            reasons.append(f"next to a public holiday ({describe_holidays(neighbour, found)})")
    return Candidate(first, last, score, reasons)
