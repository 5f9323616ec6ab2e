"""What the .ics files hold, read back by three independent parsers: icalendar with
recurring-ical-events, vobject, and ical.js (Thunderbird's engine)."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from datetime import UTC, date, datetime, timedelta
from io import StringIO
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
import vobject
from dateutil import tz as dateutil_tz
from icalendar import Timezone
from sqlalchemy import select

from planner.calendar import ics
from planner.extensions import db
from planner.models import Meeting, Person
from planner.scheduling.operations import cancel_meeting, reschedule_meeting
from tests.calendar_support import at, expected, make_meeting, occurrences, parse
from tests.conftest import DELEGATE_NL, SECRETARIAT

JS = Path(__file__).parent / "js"


# --- VTIMEZONE ---------------------------------------------------------------------------


def _zone_text(tzid: str, first: int, last: int) -> str:
    return ics.vtimezone(tzid, first, last).to_ical().decode()


def _as_dateutil(text: str):
    # dateutil refuses X- properties, which RFC 5545 allows; it needs only the rules.
    rules = "\r\n".join(line for line in text.split("\r\n") if not line.startswith("X-"))
    return dateutil_tz.tzical(StringIO(rules)).get()


def _assert_same_offsets(tzid: str, first: int, last: int) -> None:
    """Every 3 hours from the first to the last year, the VTIMEZONE read by dateutil
    gives the offset zoneinfo gives."""
    ours, truth = _as_dateutil(_zone_text(tzid, first, last)), ZoneInfo(tzid)
    moment = datetime(first, 1, 1, tzinfo=UTC)
    wrong = []
    while moment < datetime(last + 1, 1, 1, tzinfo=UTC):
        if moment.astimezone(ours).utcoffset() != moment.astimezone(truth).utcoffset():
            wrong.append(moment)
        moment += timedelta(hours=3)
    assert not wrong, f"{tzid}: wrong offset at {wrong[:3]} (and {len(wrong)} in all)"


@pytest.mark.parametrize(
    "tzid",
    ["Europe/Brussels", "Europe/London", "Europe/Tirane", "Europe/Madrid",
     "America/New_York", "Australia/Sydney"],
)
def test_each_zone_is_one_standard_and_one_daylight_with_yearly_rules(tzid):
    text = _zone_text(tzid, 2026, 2029)
    assert text.count("BEGIN:STANDARD") == 1 and text.count("BEGIN:DAYLIGHT") == 1
    assert "RDATE" not in text  # the list form that ical.js misreads
    for kind in ("STANDARD", "DAYLIGHT"):
        block = text.split(f"BEGIN:{kind}")[1].split(f"END:{kind}")[0]
        assert re.search(r"\r\nDTSTART:\d{8}T\d{6}\r\n", block)
        assert re.search(r"\r\nRRULE:FREQ=YEARLY;[^\r]*BYMONTH=\d+", block)
        assert "UNTIL" not in block
    _assert_same_offsets(tzid, 2026, 2029)


def test_brussels_changes_on_the_last_sundays_of_march_and_october():
    zone = Timezone.from_ical(ics.vtimezone("Europe/Brussels", 2026, 2027).to_ical())
    daylight, standard = zone.walk("DAYLIGHT")[0], zone.walk("STANDARD")[0]
    assert daylight["RRULE"]["BYMONTH"] == [3] and daylight["RRULE"]["BYDAY"] == ["-1SU"]
    assert standard["RRULE"]["BYMONTH"] == [10] and standard["RRULE"]["BYDAY"] == ["-1SU"]
    assert daylight.decoded("DTSTART") == datetime(2025, 3, 30, 2, 0)
    assert standard.decoded("DTSTART") == datetime(2025, 10, 26, 3, 0)
    assert daylight.decoded("TZOFFSETTO") == timedelta(hours=2)
    assert str(standard["TZNAME"]) == "CET"


@pytest.mark.parametrize("tzid", ["Asia/Tokyo", "Africa/Nairobi", "UTC"])
def test_a_zone_without_daylight_saving_gets_a_single_standard(tzid):
    text = _zone_text(tzid, 2026, 2028)
    assert text.count("BEGIN:STANDARD") == 1 and "DAYLIGHT" not in text
    _assert_same_offsets(tzid, 2026, 2028)


@pytest.mark.parametrize(
    ("tzid", "first", "last"),
    [("America/Sao_Paulo", 2016, 2021),  # daylight saving abolished in 2019
     ("Europe/Istanbul", 2014, 2018),  # permanent +03 from September 2016
     ("Africa/Casablanca", 2024, 2026)],  # an hour back each Ramadan
)
def test_zones_whose_rules_changed_are_still_right_in_every_year(tzid, first, last):
    _assert_same_offsets(tzid, first, last)


# --- one meeting, many parsers ---------------------------------------------------------

AWKWARD_TITLE = "Ports, hubs; Yeşilgöz-Zegerius\nand the follow-up"
AWKWARD_VENUE = "Ministria e Punëve të Brendshme; Sheshi Skënderbej"


@pytest.fixture
def awkward(app, demo):
    """A summer meeting in Brussels whose text has every character that needs escaping."""
    return make_meeting(
        "coalition", title=AWKWARD_TITLE, day=date(2027, 7, 1), zone="Europe/Brussels",
        city="Tiranë", venue=AWKWARD_VENUE,
    )


def test_text_with_commas_semicolons_new_lines_and_accents_round_trips(awkward):
    body = ics.meeting_file(awkward).body
    event = parse(body).walk("VEVENT")[0]
    assert str(event["SUMMARY"]) == AWKWARD_TITLE
    assert str(event["LOCATION"]) == f"{AWKWARD_VENUE}, Tiranë"
    assert f"Where: {AWKWARD_VENUE}, Tiranë (Europe/Brussels)" in str(event["DESCRIPTION"])
    assert [str(c) for c in event["CATEGORIES"].cats] == ["Coalition", "Ministerial"]
    assert "Yeşilgöz" in body.decode("utf-8")  # UTF-8 itself, not an escape

    parsed = vobject.readOne(body.decode("utf-8"))
    assert parsed.vevent.summary.value == AWKWARD_TITLE
    assert parsed.vevent.location.value == f"{AWKWARD_VENUE}, Tiranë"


def test_lines_end_in_crlf_and_are_folded_at_75_octets(awkward):
    awkward.title = "Ş" * 120  # two octets each: folding must not split one
    db.session.commit()
    body = ics.meeting_file(awkward).body
    assert body.endswith(b"\r\n")
    assert b"\n" not in body.replace(b"\r\n", b"")
    lines = body.split(b"\r\n")[:-1]
    assert max(len(line) for line in lines) <= 75
    assert any(len(line) > 70 for line in lines)  # something was long enough to fold
    for line in lines:
        line.decode("utf-8")  # no character cut in two
    unfolded = re.sub(rb"\r\n[ \t]", b"", body).decode("utf-8")
    assert f"SUMMARY:{'Ş' * 120}\r\n" in unfolded


def test_the_download_is_a_plain_calendar_with_every_property_a_client_needs(awkward):
    awkward.sequence = 3
    db.session.commit()
    calendar = parse(ics.meeting_file(awkward).body)
    assert "METHOD" not in calendar  # a download, not an iTIP message
    event = calendar.walk("VEVENT")[0]
    assert str(event["UID"]) == awkward.uid
    assert event["SEQUENCE"] == 3
    assert str(event["STATUS"]) == "CONFIRMED"
    changed = awkward.updated_at.replace(microsecond=0)
    assert event.decoded("DTSTAMP") == event.decoded("LAST-MODIFIED") == changed
    assert event["DTSTART"].params["TZID"] == "Europe/Brussels"
    assert event.decoded("DTSTART").astimezone(UTC) == datetime(2027, 7, 1, 7, 30, tzinfo=UTC)
    assert str(event["URL"]).endswith(f"/meetings/{awkward.id}")
    assert f"/meetings/{awkward.id}/agenda" in str(event["DESCRIPTION"])
    assert str(event["ORGANIZER"]).startswith("mailto:")
    attendees = {str(a).removeprefix("mailto:"): a.params for a in event["ATTENDEE"]}
    assert set(attendees) == {"chair.coalition@example.org", DELEGATE_NL,
                              "observer.europol@example.org"}
    chair = attendees["chair.coalition@example.org"]
    assert (chair["ROLE"], chair["PARTSTAT"], chair["RSVP"]) == ("CHAIR", "NEEDS-ACTION", "TRUE")


def test_vobject_reads_a_summer_meeting_in_brussels_at_the_right_instant(awkward):
    body = ics.meeting_file(awkward).body.decode("utf-8")
    # Renamed, so that vobject can only use the VTIMEZONE in the file.
    start = vobject.readOne(body.replace("Europe/Brussels", "Planner/Test")).vevent.dtstart.value
    assert start.astimezone(UTC) == datetime(2027, 7, 1, 7, 30, tzinfo=UTC)


def _ical_js(body: bytes) -> dict:
    if shutil.which("node") is None:
        pytest.skip("node is not installed: the ical.js check needs it (apt-get install nodejs)")
    assert (JS / "node_modules" / "ical.js").is_dir(), "run: npm ci --prefix tests/js"
    result = subprocess.run(
        ["node", str(JS / "parse_ics.mjs")], input=body, capture_output=True, timeout=60,
        check=False,
    )
    assert result.returncode == 0, result.stderr.decode()
    return json.loads(result.stdout)


def test_ical_js_reads_a_summer_meeting_in_brussels_at_the_right_instant(awkward):
    parsed = _ical_js(ics.meeting_file(awkward).body)
    (event,) = parsed["events"]
    assert event["tzid"] == "Europe/Brussels"
    assert event["start"] == "2027-07-01T07:30:00.000Z"
    assert event["end"] == "2027-07-01T15:00:00.000Z"
    assert event["summary"] == AWKWARD_TITLE
    assert event["location"] == f"{AWKWARD_VENUE}, Tiranë"


# --- a series across daylight saving, moved and cancelled --------------------------------


@pytest.fixture
def spring(app, demo):
    """Coalition meetings either side of the change to summer time (28 March 2027), in
    three zones; one moved across the change, one cancelled."""
    made = [
        make_meeting("coalition", title="Before the change", day=date(2027, 3, 26)),
        make_meeting("coalition", title="After the change", day=date(2027, 3, 29)),
        make_meeting("coalition", title="Madrid", day=date(2027, 11, 2), zone="Europe/Madrid",
                     city="Madrid"),
        make_meeting("coalition", title="Moved", day=date(2027, 3, 19)),
        make_meeting("coalition", title="Cancelled", day=date(2027, 4, 2)),
    ]
    boss = db.session.scalar(select(Person).where(Person.email == SECRETARIAT))
    reschedule_meeting(made[3], starts_at=at(date(2027, 4, 9), 10, 0, "Europe/Brussels"),
                       ends_at=at(date(2027, 4, 9), 12, 0, "Europe/Brussels"), by=boss,
                       reason="Hall unavailable")
    cancel_meeting(made[4], by=boss, reason="Clashes with a summit")
    db.session.commit()
    return made


def _dialogue_meetings(dialogue_id: int) -> list[Meeting]:
    return list(db.session.scalars(select(Meeting).where(Meeting.dialogue_id == dialogue_id)))


def test_dialogue_calendar_expands_to_exactly_its_meetings_across_daylight_saving(
    spring, sign_in
):
    body = sign_in(DELEGATE_NL).get(f"/dialogues/{spring[0].dialogue_id}/calendar.ics").data
    found = occurrences(body, date(2020, 1, 1), date(2035, 1, 1))
    assert found == expected(_dialogue_meetings(spring[0].dialogue_id))
    instants = {o.uid: o for o in found}
    # 09:30 in Brussels is 08:30 UTC in winter time, 07:30 UTC in summer time.
    assert instants[spring[0].uid].start == datetime(2027, 3, 26, 8, 30, tzinfo=UTC)
    assert instants[spring[1].uid].start == datetime(2027, 3, 29, 7, 30, tzinfo=UTC)
    assert instants[spring[2].uid].start == datetime(2027, 11, 2, 8, 30, tzinfo=UTC)  # CET
    assert instants[spring[3].uid].start == datetime(2027, 4, 9, 8, 0, tzinfo=UTC)
    assert instants[spring[4].uid].status == "CANCELLED"


def test_moved_and_cancelled_meetings_keep_their_uid_with_a_higher_sequence(spring, sign_in):
    body = sign_in(DELEGATE_NL).get(f"/dialogues/{spring[0].dialogue_id}/calendar.ics").data
    events = {str(e["UID"]): e for e in parse(body).walk("VEVENT")}
    assert events[spring[0].uid]["SEQUENCE"] == 0
    assert events[spring[3].uid]["SEQUENCE"] == 1  # moved
    cancelled = events[spring[4].uid]
    assert cancelled["SEQUENCE"] == 1 and str(cancelled["STATUS"]) == "CANCELLED"
    assert str(cancelled["SUMMARY"]) == "Cancelled: Cancelled"
    assert "Clashes with a summit" in str(cancelled["DESCRIPTION"])


def test_other_parsers_agree_on_every_instant_of_the_series(spring, sign_in):
    body = sign_in(DELEGATE_NL).get(f"/dialogues/{spring[0].dialogue_id}/calendar.ics").data
    truth = {m.uid: (m.starts_at, m.ends_at) for m in _dialogue_meetings(spring[0].dialogue_id)}

    renamed = re.sub(r"Europe/(Brussels|Madrid|Amsterdam)", r"Planner/\1", body.decode())
    by_vobject = {
        e.uid.value: (e.dtstart.value.astimezone(UTC), e.dtend.value.astimezone(UTC))
        for e in vobject.readOne(renamed).vevent_list
    }
    assert by_vobject == truth

    by_ical_js = {
        e["uid"]: (datetime.fromisoformat(e["start"]), datetime.fromisoformat(e["end"]))
        for e in _ical_js(body)["events"]
    }
    assert by_ical_js == truth


# --- feeds ----------------------------------------------------------------------------


def test_a_feed_names_itself_asks_to_be_refreshed_and_names_no_attendee(spring, sign_in):
    body = sign_in(DELEGATE_NL).get(f"/dialogues/{spring[0].dialogue_id}/calendar.ics").data
    calendar = parse(body)
    name = "Coalition of European countries against serious and organised crime"
    assert str(calendar["NAME"]) == str(calendar["X-WR-CALNAME"]) == name
    assert b"REFRESH-INTERVAL;VALUE=DURATION:PT1H\r\n" in body
    assert b"X-PUBLISHED-TTL:PT1H\r\n" in body
    assert "METHOD" not in calendar
    assert b"ATTENDEE" not in body and b"delegate.nl@example.org" not in body
    for event in calendar.walk("VEVENT"):
        meeting = db.session.scalar(select(Meeting).where(Meeting.uid == str(event["UID"])))
        # DTSTAMP is the meeting's last change: the feed's bytes change only with it.
        assert event.decoded("DTSTAMP") == meeting.updated_at.replace(microsecond=0)
    # One VTIMEZONE for each zone used, before the events.
    zones = {m.timezone for m in _dialogue_meetings(spring[0].dialogue_id)}
    assert {str(z["TZID"]) for z in calendar.walk("VTIMEZONE")} == zones
    assert body.count(b"BEGIN:VTIMEZONE") == len(zones) >= 2
    assert body.rindex(b"END:VTIMEZONE") < body.index(b"BEGIN:VEVENT")


def test_an_official_sensitive_meeting_shows_only_title_time_and_a_link(awkward, sign_in):
    awkward.classification = "OFFICIAL-SENSITIVE"
    db.session.commit()
    client = sign_in(DELEGATE_NL)
    for path in (f"/meetings/{awkward.id}/invite.ics",
                 f"/dialogues/{awkward.dialogue_id}/calendar.ics"):
        body = client.get(path).data
        event = next(e for e in parse(body).walk("VEVENT") if str(e["UID"]) == awkward.uid)
        assert str(event["SUMMARY"]) == AWKWARD_TITLE
        assert event.decoded("DTSTART").astimezone(UTC) == awkward.starts_at
        assert str(event["URL"]).endswith(f"/meetings/{awkward.id}")
        for hidden in ("LOCATION", "CATEGORIES"):
            assert hidden not in event
        assert str(event["CLASS"]) == "CONFIDENTIAL"
        assert "Tiranë" not in body.decode() and "Skënderbej" not in body.decode()
        assert str(event["DESCRIPTION"]).endswith(f"/meetings/{awkward.id}")
        # No one else's address: only the reader's own line, so their client can answer.
        attendees = event.get("ATTENDEE", [])
        attendees = attendees if isinstance(attendees, list) else [attendees]
        assert [str(a) for a in attendees] in ([], [f"mailto:{DELEGATE_NL}"])


def test_a_dialogue_marked_sensitive_makes_all_its_meetings_sensitive(awkward, sign_in):
    awkward.dialogue.classification = "OFFICIAL-SENSITIVE"
    db.session.commit()
    body = sign_in(DELEGATE_NL).get(f"/dialogues/{awkward.dialogue_id}/calendar.ics").data
    events = parse(body).walk("VEVENT")
    assert len(events) == len(_dialogue_meetings(awkward.dialogue_id))
    assert b"\r\nLOCATION" not in body and b"CATEGORIES" not in body
    for event in events:
        assert str(event["CLASS"]) == "CONFIDENTIAL"
        assert str(event["DESCRIPTION"]).startswith("OFFICIAL-SENSITIVE")
