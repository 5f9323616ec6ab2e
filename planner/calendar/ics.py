"""The one iCalendar builder: every .ics that leaves planner is written here.

Three kinds of output, one event writer:

- `invite`: an e-mailed iTIP message (RFC 5546), METHOD:REQUEST or METHOD:CANCEL,
  with ATTENDEEs; DTSTAMP is when the message was made.
- `meeting_file`: the single-meeting download, no METHOD, with ATTENDEEs.
- `feed`: a dialogue's or a person's meetings, no METHOD and never an ATTENDEE (feeds
  end up on third-party servers); DTSTAMP is each meeting's last change, so the bytes
  and the ETag stay the same until something changes.

Every TZID used gets its VTIMEZONE in the compact form Outlook writes and requires (one
STANDARD and one DAYLIGHT, each a DTSTART with a yearly RRULE), derived from zoneinfo.
icalendar's `add_missing_timezones()` writes a list of RDATEs instead, of which ical.js
(Thunderbird) reads only the first: summer meetings would land an hour off.
"""

from __future__ import annotations

import calendar as gregorian
import hashlib
from collections import OrderedDict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, time, timedelta
from email.utils import parseaddr
from enum import StrEnum
from functools import lru_cache
from zoneinfo import ZoneInfo

from flask import current_app
from icalendar import (
    Calendar,
    Event,
    Timezone,
    TimezoneDaylight,
    TimezoneStandard,
    vCalAddress,
    vDuration,
)

from planner.calendar.links import agenda_url, base_url, is_sensitive, meeting_url
from planner.models import InviteeRole, Meeting, MeetingFormat, MeetingInvitee, MeetingStatus

PRODID = "-//Dialogue Planner//Calendar invites//EN"
# How often a subscribed calendar should look again (RFC 7986 and Outlook's own).
FEED_REFRESH = timedelta(hours=1)


class Method(StrEnum):
    REQUEST = "REQUEST"
    CANCEL = "CANCEL"


STATUS = {
    MeetingStatus.PROPOSED: "TENTATIVE",
    MeetingStatus.CONFIRMED: "CONFIRMED",
    MeetingStatus.HELD: "CONFIRMED",
    MeetingStatus.CANCELLED: "CANCELLED",
}

FORMAT_LABELS = {MeetingFormat.VIDEO: "Video conference", MeetingFormat.HYBRID: "Hybrid"}


@dataclass(frozen=True)
class Document:
    """Serialised calendar, with what HTTP caching needs."""

    body: bytes
    last_modified: datetime
    # Feeds are tagged by their calendar revisions (feeds.py), known before any byte is
    # made; anything else by a digest of its bytes.
    tag: str | None = None

    @property
    def etag(self) -> str:
        return self.tag or hashlib.sha256(self.body).hexdigest()[:32]


def last_changed(meeting: Meeting) -> datetime:
    return meeting.updated_at or meeting.created_at


# --- the three outputs ------------------------------------------------------------------


def invite(
    meeting: Meeting,
    *,
    method: Method,
    dtstamp: datetime,
    recipient: MeetingInvitee | None = None,
) -> bytes:
    """The text/calendar part of an e-mailed invite, update or cancellation."""
    calendar = _calendar(method=method)
    attendees = _attendees(meeting, recipient)
    _add(calendar, [meeting], dtstamp=lambda _m: dtstamp, attendees=lambda _m: attendees,
         method=method)
    return calendar.to_ical()


def meeting_file(meeting: Meeting, *, viewer_id: int | None = None) -> Document:
    """One meeting to download, with its invitees and their answers."""
    viewer = next((i for i in meeting.invitees if i.person_id == viewer_id), None)
    changed = max(
        [last_changed(meeting), *(i.responded_at for i in meeting.invitees if i.responded_at)]
    )
    calendar = _calendar()
    attendees = _attendees(meeting, viewer)
    _add(calendar, [meeting], dtstamp=lambda _m: changed, attendees=lambda _m: attendees)
    return Document(calendar.to_ical(), changed)


def feed(
    meetings: Sequence[Meeting], *, name: str, description: str, empty_since: datetime,
    tag: str,
) -> Document:
    """A subscribable calendar of meetings (RFC 5546 PUBLISH semantics, without METHOD).

    A feed is its header and time zones, then one event per meeting. Each event's bytes
    are kept under everything they are made from, so that after one meeting changes,
    every feed that shows it is rebuilt from the events already written but that one."""
    settings = event_settings()
    return feed_of_events([feed_event(meeting, settings) for meeting in meetings], name=name,
                          description=description, empty_since=empty_since, tag=tag)


@dataclass(frozen=True, slots=True)
class FeedEvent:
    """A meeting's event in a feed, with what the feed's order, time zones and
    Last-Modified take from it: a feed is assembled from these without the meetings."""

    starts_at: datetime
    meeting_id: int
    body: bytes
    changed: datetime
    timezone: str
    first_year: int
    last_year: int


def feed_of_events(
    events: Iterable[FeedEvent], *, name: str, description: str, empty_since: datetime,
    tag: str,
) -> Document:
    """The feed of these events: header, the time zones they use, the events by start."""
    events = sorted(events, key=event_order)
    years: dict[str, tuple[int, int]] = {}
    for event in events:
        add_years(years, event.timezone, event.first_year, event.last_year)
    body = b"".join([feed_head(name, description, years), *(event.body for event in events),
                     END_CALENDAR])
    changed = max((event.changed for event in events), default=empty_since)
    return Document(body, changed, tag)


def event_order(event: FeedEvent) -> tuple[datetime, int]:
    return event.starts_at, event.meeting_id


def add_years(years: dict[str, tuple[int, int]], tzid: str, first: int, last: int) -> None:
    """Widen the years a zone's VTIMEZONE must cover to take in `first` to `last`."""
    known = years.get(tzid)
    years[tzid] = (first, last) if known is None else (min(known[0], first),
                                                         max(known[1], last))


def feed_head(name: str, description: str, years: dict[str, tuple[int, int]]) -> bytes:
    """A feed's calendar up to its first event: its properties, then the VTIMEZONE of
    each zone over its years (time zones first: some clients read in one pass)."""
    calendar = _calendar(name=name, description=description)
    for tzid, (first, last) in sorted(years.items()):
        calendar.add_component(vtimezone(tzid, first, last))
    head = calendar.to_ical()
    assert head.endswith(END_CALENDAR)
    return head[:-len(END_CALENDAR)]


END_CALENDAR = b"END:VCALENDAR\r\n"
# Per process; an event is about 750 bytes.
EVENTS_KEPT = 20_000
_events: OrderedDict[tuple, bytes] = OrderedDict()
_MEETING_COLUMNS = tuple(c.key for c in Meeting.__table__.columns)


def event_settings() -> tuple:
    """What an event takes from the settings and the request: its links and ORGANIZER."""
    address = organizer()
    return (base_url(), str(address), address.params.get("CN"))


def feed_event(meeting: Meeting, settings: tuple) -> FeedEvent:
    return FeedEvent(meeting.starts_at, meeting.id, _feed_event(meeting, settings),
                     last_changed(meeting), meeting.timezone, meeting.local_start.year,
                     meeting.local_end.year)


def _feed_event(meeting: Meeting, settings: tuple) -> bytes:
    dialogue, host = meeting.dialogue, meeting.host
    key = (tuple(getattr(meeting, column) for column in _MEETING_COLUMNS),
           dialogue.name, dialogue.short_name, dialogue.level, dialogue.classification,
           host.name if host is not None else None, settings)
    event = _events.get(key)
    if event is None:
        event = _event(meeting, dtstamp=last_changed(meeting), attendees=[], method=None,
                       organizer_address=_organizer_of(settings)).to_ical()
        _events[key] = event
        if len(_events) > EVENTS_KEPT:
            _events.popitem(last=False)
    else:
        _events.move_to_end(key)
    return event


@dataclass(frozen=True, slots=True)
class OwnAnswer:
    """The reader's own invitation to a meeting, for their line in their feed."""

    email: str
    name: str
    role: str
    response: str


END_EVENT = b"END:VEVENT\r\n"


def with_own_answer(event: FeedEvent, answers: dict[int, OwnAnswer]) -> FeedEvent:
    """The event, if the reader is invited to its meeting with their ATTENDEE line (as
    an invite has it, PARTSTAT included) before its END:VEVENT."""
    answer = answers.get(event.meeting_id)
    if answer is None or not event.body.endswith(END_EVENT):
        return event
    body = event.body[:-len(END_EVENT)] + _own_line(answer) + END_EVENT
    return FeedEvent(event.starts_at, event.meeting_id, body, event.changed,
                     event.timezone, event.first_year, event.last_year)


@lru_cache(maxsize=4096)
def _own_line(answer: OwnAnswer) -> bytes:
    """The ATTENDEE property, folded, exactly as icalendar writes it in an invite."""
    address = vCalAddress(f"mailto:{answer.email}")
    address.params["CN"] = answer.name
    address.params["CUTYPE"] = "INDIVIDUAL"
    address.params["ROLE"] = answer.role
    address.params["PARTSTAT"] = answer.response
    address.params["RSVP"] = "FALSE"  # a feed cannot be answered: the invite or the site
    probe = Event()
    probe.add("attendee", address)
    lines = probe.to_ical()
    start = lines.index(b"ATTENDEE")
    return lines[start:lines.index(END_EVENT)]


def forget_events() -> None:
    """For tests that compare a feed made from kept events with one made from none."""
    _events.clear()


# --- building blocks --------------------------------------------------------------------


def _calendar(
    *, method: Method | None = None, name: str | None = None, description: str | None = None
) -> Calendar:
    calendar = Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    if method is not None:
        calendar.add("method", str(method))
    if name is not None:
        # NAME is RFC 7986; X-WR-CALNAME is what Apple, Google and Outlook read.
        calendar.add("name", name)
        calendar.add("x-wr-calname", name)
        if description:
            calendar.add("description", description)
            calendar.add("x-wr-caldesc", description)
        calendar.add("refresh-interval", FEED_REFRESH, parameters={"VALUE": "DURATION"})
        calendar.add("x-published-ttl", vDuration(FEED_REFRESH).to_ical().decode())
    return calendar


def _add(
    calendar: Calendar,
    meetings: Iterable[Meeting],
    *,
    dtstamp: Callable[[Meeting], datetime],
    attendees: Callable[[Meeting], list[MeetingInvitee]],
    method: Method | None = None,
) -> None:
    for meeting in _in_order_with_zones(calendar, meetings):
        calendar.add_component(_event(meeting, dtstamp=dtstamp(meeting),
                                      attendees=attendees(meeting), method=method))


def _in_order_with_zones(calendar: Calendar, meetings: Iterable[Meeting]) -> list[Meeting]:
    """Add the VTIMEZONE of every zone the meetings use, and return them in the order
    their events go in. Time zones first: some clients read the file in one pass."""
    meetings = sorted(meetings, key=lambda m: (m.starts_at, m.id))
    for tzid, (first, last) in sorted(_years_by_zone(meetings).items()):
        calendar.add_component(vtimezone(tzid, first, last))
    return meetings


def _years_by_zone(meetings: Iterable[Meeting]) -> dict[str, tuple[int, int]]:
    years: dict[str, tuple[int, int]] = {}
    for meeting in meetings:
        add_years(years, meeting.timezone, meeting.local_start.year, meeting.local_end.year)
    return years


@lru_cache(maxsize=16)
def _organizer_of(settings: tuple) -> vCalAddress:
    """The ORGANIZER of event_settings(), made once for all the events of a feed (not
    changed by anyone: icalendar writes it as it is)."""
    address = vCalAddress(settings[1])
    address.params["CN"] = settings[2]
    return address


def organizer() -> vCalAddress:
    """The secretariat's mailbox, which receives the replies."""
    config = current_app.config
    name, address = parseaddr(config.get("MAIL_ORGANIZER") or config.get("MAIL_FROM") or "")
    address = vCalAddress(f"mailto:{address or 'secretariat@localhost'}")
    address.params["CN"] = name or "Dialogue Secretariat"
    return address


def _attendees(meeting: Meeting, recipient: MeetingInvitee | None) -> list[MeetingInvitee]:
    # A sensitive meeting names no one but the reader (their client needs their own line).
    if is_sensitive(meeting):
        return [recipient] if recipient is not None else []
    return list(meeting.invitees)


def _attendee(invitee: MeetingInvitee) -> vCalAddress:
    address = vCalAddress(f"mailto:{invitee.person.email}")
    address.params["CN"] = invitee.person.name
    address.params["CUTYPE"] = "INDIVIDUAL"
    address.params["ROLE"] = invitee.role
    address.params["PARTSTAT"] = invitee.response
    address.params["RSVP"] = "FALSE" if invitee.role == InviteeRole.NON_PARTICIPANT else "TRUE"
    return address


def summary(meeting: Meeting, *, method: Method | None = None) -> str:
    # Some clients ignore STATUS in a feed; the title then says it. A CANCEL removes the
    # event anyway, and Outlook adds its own prefix to it.
    if meeting.status == MeetingStatus.CANCELLED and method != Method.CANCEL:
        return f"Cancelled: {meeting.title}"
    return meeting.title


def description(meeting: Meeting, url: str | None = None) -> str:
    url = url or meeting_url(meeting)
    if is_sensitive(meeting):
        return f"OFFICIAL-SENSITIVE: the details are on the meeting page.\n{url}"
    lines = [meeting.dialogue.name, f"Status: {meeting.status_label}"]
    if meeting.status == MeetingStatus.CANCELLED and meeting.cancel_reason:
        lines[-1] += f" ({meeting.cancel_reason})"
    lines.append(f"Where: {meeting.place or 'to be confirmed'} ({meeting.timezone})")
    if meeting.format in FORMAT_LABELS:
        lines.append(f"Format: {FORMAT_LABELS[MeetingFormat(meeting.format)]}")
    if meeting.host is not None:
        lines.append(f"Host: {meeting.host.name}")
    lines += ["", f"Meeting page: {url}", f"Agenda: {agenda_url(meeting)}"]
    return "\n".join(lines)


def _event(
    meeting: Meeting, *, dtstamp: datetime, attendees: list[MeetingInvitee],
    method: Method | None, organizer_address: vCalAddress | None = None,
) -> Event:
    url = meeting_url(meeting)
    event = Event()
    event.add("uid", meeting.uid)
    event.add("dtstamp", dtstamp.astimezone(UTC))
    event.add("sequence", meeting.sequence)
    event.add("created", meeting.created_at.astimezone(UTC))
    event.add("last-modified", last_changed(meeting).astimezone(UTC))
    event.add("dtstart", meeting.local_start)
    event.add("dtend", meeting.local_end)
    event.add("summary", summary(meeting, method=method))
    event.add("status", STATUS[MeetingStatus(meeting.status)])
    event.add("transp", "OPAQUE")
    event.add("url", url)
    event.add("description", description(meeting, url))
    if is_sensitive(meeting):
        event.add("class", "CONFIDENTIAL")
    else:
        if meeting.place:
            event.add("location", meeting.place)
        event.add("categories", [meeting.dialogue.short_name, meeting.dialogue.level_label])
    event.add("organizer", organizer_address or organizer())
    for invitee in attendees:
        event.add("attendee", _attendee(invitee))
    return event


# --- VTIMEZONE from zoneinfo ------------------------------------------------------------

WEEKDAYS = ("MO", "TU", "WE", "TH", "FR", "SA", "SU")


@dataclass(frozen=True)
class Onset:
    """One change of a zone's offset or name: an observance's DTSTART."""

    utc: datetime
    offset_from: timedelta
    offset_to: timedelta
    name: str

    @property
    def local(self) -> datetime:
        # RFC 5545: an observance starts at the wall-clock time before the change.
        return (self.utc + self.offset_from).replace(tzinfo=None)

    @property
    def daylight(self) -> bool:
        return self.offset_to > self.offset_from

    @property
    def shape(self) -> tuple[int, int, time, timedelta, timedelta, str]:
        """What must stay the same for a yearly rule to describe this onset."""
        local = self.local
        return (local.month, local.weekday(), local.time(), self.offset_from,
                self.offset_to, self.name)

    @property
    def weeks(self) -> frozenset[int]:
        """The BYDAY week numbers that name this day: 2 (second Sunday), -1 (last)..."""
        local = self.local
        weeks = {(local.day - 1) // 7 + 1}
        if local.day + 7 > gregorian.monthrange(local.year, local.month)[1]:
            weeks.add(-1)
        return frozenset(weeks)


def _state(zone: ZoneInfo, seconds: int) -> tuple[timedelta, str]:
    local = datetime.fromtimestamp(seconds, UTC).astimezone(zone)
    return local.utcoffset(), local.tzname() or ""


@lru_cache(maxsize=1024)
def onsets(tzid: str, year: int) -> tuple[Onset, ...]:
    """The zone's changes in `year` (UTC), found by stepping a day at a time and then
    bisecting to the second: zoneinfo knows every rule, but does not list them."""
    zone = ZoneInfo(tzid)
    day = 86_400
    start = int(datetime(year, 1, 1, tzinfo=UTC).timestamp())
    end = int(datetime(year + 1, 1, 1, tzinfo=UTC).timestamp())
    found = []
    before = _state(zone, start)
    for low in range(start, end, day):
        high = min(low + day, end)
        after = _state(zone, high)
        if after == before:
            continue
        lo, hi = low, high
        while hi - lo > 1:
            middle = (lo + hi) // 2
            if _state(zone, middle) == before:
                lo = middle
            else:
                hi = middle
        found.append(Onset(datetime.fromtimestamp(hi, UTC), before[0], after[0], after[1]))
        before = after
    return tuple(found)


@dataclass
class _Period:
    """Consecutive years whose changes follow one yearly rule."""

    years: list[int]
    onsets: list[tuple[Onset, ...]]
    weeks: list[frozenset[int]] = field(default_factory=list)

    def takes(self, changes: tuple[Onset, ...]) -> bool:
        first = self.onsets[0]
        if len(changes) != len(first):
            return False
        return all(
            new.shape == old.shape and (weeks & new.weeks)
            for new, old, weeks in zip(changes, first, self.weeks, strict=True)
        )

    def add(self, year: int, changes: tuple[Onset, ...]) -> None:
        self.years.append(year)
        self.onsets.append(changes)
        self.weeks = [weeks & onset.weeks for weeks, onset in zip(self.weeks, changes,
                                                                   strict=True)]


def _periods(tzid: str, first_year: int, last_year: int) -> list[_Period]:
    periods: list[_Period] = []
    for year in range(first_year, last_year + 1):
        changes = onsets(tzid, year)
        if periods and periods[-1].takes(changes):
            periods[-1].add(year, changes)
        else:
            periods.append(_Period([year], [changes], [o.weeks for o in changes]))
    return periods


def vtimezone(tzid: str, first_year: int, last_year: int) -> Timezone:
    """The zone's VTIMEZONE, right at every instant from `first_year` to `last_year`.

    In the usual case, one STANDARD and one DAYLIGHT with yearly RRULEs (Outlook's form);
    a zone without daylight saving gets a single STANDARD. Only if the rules changed
    within those years does each period get its own pair, ended by UNTIL."""
    zone = Timezone()
    zone.add("tzid", tzid)
    zone.add("x-lic-location", tzid)
    # From the year before: the first of January lies after an onset (in the south, it
    # is summer time then, begun the October before).
    periods = _periods(tzid, first_year - 1, last_year)
    for index, period in enumerate(periods):
        last_period = index == len(periods) - 1
        if not period.onsets[0]:
            # No change in these years: one observance from the period's first midnight.
            new_year = datetime(period.years[0], 1, 1, tzinfo=UTC)
            offset, name = _state(ZoneInfo(tzid), int(new_year.timestamp()))
            zone.add_component(_observance(Onset(new_year - offset, offset, offset, name)))
            continue
        for position, onset in enumerate(period.onsets[0]):
            rule = None
            if len(period.years) > 1:
                weeks = period.weeks[position]
                week = -1 if -1 in weeks else min(weeks)
                rule = {
                    "freq": "yearly",
                    "bymonth": onset.local.month,
                    "byday": f"{week}{WEEKDAYS[onset.local.weekday()]}",
                }
                if not last_period:
                    rule["until"] = period.onsets[-1][position].utc
            zone.add_component(_observance(onset, rule))
    return zone


def _observance(onset: Onset, rule: dict | None = None) -> TimezoneStandard | TimezoneDaylight:
    observance = TimezoneDaylight() if onset.daylight else TimezoneStandard()
    observance.add("dtstart", onset.local)
    if rule is not None:
        observance.add("rrule", rule)
    observance.add("tzname", onset.name)
    observance.add("tzoffsetfrom", onset.offset_from)
    observance.add("tzoffsetto", onset.offset_to)
    return observance
