"""The series: holidays, daylight saving, rule expansion, host rotation, proposals,
and moving or cancelling one meeting with its history."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

import pytest
from sqlalchemy import func, select

from planner.extensions import db
from planner.models import (
    AuditEvent,
    Dialogue,
    Meeting,
    MeetingChange,
    MeetingStatus,
    Membership,
    Participant,
)
from planner.scheduling import series
from planner.scheduling.holidays import describe_holidays, holidays_on
from planner.scheduling.operations import cancel_meeting, reschedule_meeting
from planner.scheduling.proposals import propose
from planner.scheduling.times import local_to_utc
from planner.validation import InvalidInput
from tests.conftest import CHAIR_COALITION, DELEGATE_AL, DELEGATE_NL, SECRETARIAT, csrf_token

SIX = ["BE", "DE", "FR", "IT", "ES", "NL"]


def dialogue(slug: str) -> Dialogue:
    return db.session.scalar(select(Dialogue).where(Dialogue.slug == slug))


def meeting_in(city: str) -> Meeting:
    return db.session.scalar(select(Meeting).where(Meeting.city == city))


# --- public holidays -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("day", "code", "name"),
    [
        (date(2026, 3, 14), "AL", "Summer Day"),
        (date(2027, 4, 27), "NL", "King's Day"),
        (date(2027, 7, 21), "BE", "National Day"),
        (date(2026, 12, 26), "GB", "Boxing Day"),
    ],
)
def test_known_public_holidays_of_the_members(day, code, name):
    assert holidays_on(day, [code]) == {code: name}
    others = [c for c in ("GB", "AL", *SIX) if c != code]
    assert name not in holidays_on(day, others).values()


def test_a_shared_holiday_is_named_once_with_every_country():
    day = date(2027, 5, 1)
    assert describe_holidays(day, holidays_on(day, SIX)) == (
        "1 May: Labour Day in BE, DE, ES, FR, IT"
    )


# --- daylight saving -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("day", "utc"),
    [(date(2027, 3, 26), time(8, 30)), (date(2027, 3, 29), time(7, 30)),
     (date(2027, 10, 29), time(7, 30)), (date(2027, 11, 1), time(8, 30))],
)
def test_half_past_nine_in_brussels_on_both_sides_of_each_change(day, utc):
    moment = local_to_utc(day, time(9, 30), "Europe/Brussels", field="start_time")
    assert moment == datetime.combine(day, utc, UTC)


def test_a_time_skipped_by_the_clocks_is_refused():
    with pytest.raises(InvalidInput, match="does not exist"):
        local_to_utc(date(2027, 3, 28), time(2, 30), "Europe/Brussels", field="start_time")


def test_a_moved_meeting_keeps_its_wall_clock_across_the_change(demo):
    antwerp = meeting_in("Antwerp")
    day = date(2027, 3, 26)  # Friday before the change: CET
    reschedule_meeting(
        antwerp, by=None, reason="test",
        starts_at=local_to_utc(day, time(9, 30), "Europe/Brussels", field="start_time"),
        ends_at=local_to_utc(day, time(17, 0), "Europe/Brussels", field="end_time"),
    )
    db.session.commit()
    assert antwerp.local_start.strftime("%H:%M %Z") == "09:30 CET"
    day = date(2027, 3, 30)  # after the change: CEST, one hour less to UTC
    reschedule_meeting(
        antwerp, by=None, reason="test",
        starts_at=local_to_utc(day, time(9, 30), "Europe/Brussels", field="start_time"),
        ends_at=local_to_utc(day, time(17, 0), "Europe/Brussels", field="end_time"),
    )
    db.session.commit()
    db.session.expire_all()
    assert antwerp.local_start.strftime("%H:%M %Z") == "09:30 CEST"
    assert antwerp.starts_at.hour == 7


# --- the rule ------------------------------------------------------------------------


def test_rule_expansion_from_the_series_start(demo):
    coalition = dialogue("coalition")
    start = coalition.series_start
    dates = series.rule_dates(coalition, start, start + timedelta(days=365 * 3))
    assert dates == [start, start.replace(year=start.year + 1),
                     start.replace(year=start.year + 2)]
    every_other = series.parse_rule("FREQ=YEARLY;INTERVAL=2;BYMONTH=11", date(2027, 11, 8))
    assert [d.year for d in every_other[:3]] == [2027, 2029, 2031]


@pytest.mark.parametrize(
    ("rule", "message"),
    [("", "Enter a rule"), ("FREQ=FORTNIGHTLY", "not an RFC 5545 rule"),
     ("BYMONTH=4", "needs a FREQ"), ("FREQ=DAILY", "at most monthly"),
     ("FREQ=YEARLY;BYMONTH=13", "1 to 12"), ("FREQ=YEARLY;BYMONTH=2;BYMONTHDAY=30", "no date"),
     ("FREQ=YEARLY;BYHOUR=9", "days only")],
)
def test_malformed_rules_are_refused_with_a_reason(rule, message):
    with pytest.raises(InvalidInput, match=message):
        series.parse_rule(rule, date(2027, 1, 1))


def test_the_series_fills_the_horizon_once(demo):
    coalition = dialogue("coalition")
    count = len(coalition.meetings)
    assert series.extend_series(coalition, today=date.today(), by=None) == []
    coalition.horizon_months = 60
    created = series.extend_series(coalition, today=date.today(), by=None)
    db.session.commit()
    assert len(created) >= 2 and len(coalition.meetings) == count + len(created)
    for meeting in created:
        assert meeting.status == MeetingStatus.PROPOSED
        assert meeting.local_start.weekday() < 5
        assert not holidays_on(meeting.local_start.date(), SIX)
        assert meeting.local_start.time() == time(9, 30)


# --- host rotation -------------------------------------------------------------------


def test_coalition_hosts_follow_the_rotation_in_their_own_time_zones(demo):
    coalition = dialogue("coalition")
    coalition.horizon_months = 60
    series.extend_series(coalition, today=date.today(), by=None)
    db.session.commit()
    upcoming = [m for m in coalition.meetings if m.series_date]
    assert [(m.host.country_code, m.city, m.timezone) for m in upcoming[:4]] == [
        ("BE", "Antwerp", "Europe/Brussels"), ("DE", "Berlin", "Europe/Berlin"),
        ("FR", "Paris", "Europe/Paris"), ("IT", "Rome", "Europe/Rome"),
    ]


def test_an_overridden_host_moves_the_rotation_on_from_there(demo):
    ukal = dialogue("uk-albania")
    first, second = [m for m in ukal.meetings if m.series_date]
    # The second meeting is hosted by the other member; override it back to the first's.
    reschedule_meeting(second, starts_at=second.starts_at, ends_at=second.ends_at,
                       host=first.host, timezone=first.timezone, city=first.city,
                       by=None, reason="Hosted again by the same member")
    assert second.host_participant_id == first.host_participant_id
    ukal.horizon_months = 40
    (third,) = series.extend_series(ukal, today=date.today(), by=None)
    # After the overriding host comes the other member, as after any of its turns.
    rotation = [slot.participant_id for slot in ukal.host_rotation]
    expected = rotation[(rotation.index(second.host_participant_id) + 1) % len(rotation)]
    assert third.host_participant_id == expected != second.host_participant_id


def test_changing_the_rule_for_this_and_the_following_occurrences(demo):
    coalition = dialogue("coalition")
    antwerp, berlin = [m for m in coalition.meetings if m.series_date]
    cancelled, created = series.change_rule(
        coalition, rule="FREQ=YEARLY;BYMONTH=5", from_date=berlin.series_date.replace(day=1),
        today=date.today(), by=None, reason="The coalition prefers May",
    )
    db.session.commit()
    assert cancelled == [berlin] and berlin.status == MeetingStatus.CANCELLED
    assert "prefers May" in berlin.cancel_reason
    assert [m.local_start.month for m in created] == [5]
    assert antwerp.status == MeetingStatus.PROPOSED  # before the change: untouched
    assert db.session.scalar(select(func.count()).select_from(AuditEvent).where(
        AuditEvent.action == "dialogue.rule_changed")) == 1


# --- proposals -----------------------------------------------------------------------


def test_spring_proposals_exclude_every_public_holiday_of_the_six_and_say_which(demo):
    coalition = dialogue("coalition")
    year = coalition.series_start.year
    window = (date(year, 3, 1), date(year, 5, 31))
    result = propose(coalition, start=window[0], end=window[1], days=1)
    offered = {c.start for c in result.candidates}
    rejected = {r.start: r.reasons for r in result.rejected}
    day, holidays_seen = window[0], 0
    while day <= window[1]:
        found = holidays_on(day, SIX)
        if found:
            holidays_seen += 1
            assert day not in offered
            assert describe_holidays(day, found) in rejected[day]
        day += timedelta(days=1)
    assert holidays_seen >= 5  # Easter Monday, Labour Day, Ascension, Whit Monday, King's Day
    assert all(c.start.weekday() < 5 for c in result.candidates)
    assert result.candidates[0].score >= result.candidates[-1].score
    assert any("inside the preferred window" in reason for reason in
               result.candidates[0].reasons)


def test_proposals_reject_clashes_with_dialogues_sharing_members(demo):
    coalition = dialogue("coalition")
    belgium = db.session.scalar(select(Participant).where(Participant.short_name == "BE"))
    other = Dialogue(name="Benelux ports dialogue", short_name="Ports", slug="ports",
                     level="working_group")
    other.memberships.append(Membership(participant=belgium, role="member"))
    day = date(coalition.series_start.year, 3, 10)
    other.meetings.append(Meeting(
        title="Ports working group", timezone="Europe/Brussels",
        starts_at=local_to_utc(day, time(10), "Europe/Brussels", field="s"),
        ends_at=local_to_utc(day, time(12), "Europe/Brussels", field="e")))
    db.session.add(other)
    db.session.commit()
    result = propose(coalition, start=day - timedelta(days=1), end=day + timedelta(days=1),
                     days=1)
    (clash,) = [r for r in result.rejected if r.start == day]
    assert any("Ports working group (Ports)" in reason for reason in clash.reasons)
    assert day - timedelta(days=1) in {c.start for c in result.candidates}


def test_video_meetings_start_inside_every_members_working_hours(demo):
    ukal = dialogue("uk-albania")
    ukal.default_start = time(8, 30)  # 08:30 in London is 09:30 in Tirana
    db.session.commit()
    day = date(2027, 6, 8)
    video = propose(ukal, start=day, end=day, days=1, meeting_format="video",
                    venue_timezone="Europe/London")
    assert not video.candidates
    (reason,) = video.rejected[0].reasons
    assert "08:30 in Europe/London is 08:30 for UK, outside its working hours" in reason
    in_person = propose(ukal, start=day, end=day, days=1, venue_timezone="Europe/London")
    assert [c.start for c in in_person.candidates] == [day]


@pytest.mark.parametrize(
    ("start", "end", "days", "field", "message"),
    [(date(2027, 5, 1), date(2027, 4, 1), 1, "end", "must end on or after"),
     (date(2027, 1, 1), date(2028, 6, 1), 1, "end", "at most a year"),
     (date(2027, 4, 1), date(2027, 4, 30), 4, "days", "1, 2 or 3 days")],
)
def test_bad_windows_are_refused_by_field(demo, start, end, days, field, message):
    with pytest.raises(InvalidInput) as error:
        propose(dialogue("coalition"), start=start, end=end, days=days)
    assert message in error.value.errors[field]


# --- pages ---------------------------------------------------------------------------


def test_secretariat_picks_a_proposed_date_in_one_click(sign_in):
    client = sign_in(SECRETARIAT)
    antwerp = meeting_in("Antwerp")
    page = client.get(f"/dialogues/{antwerp.dialogue_id}/proposals?meeting={antwerp.id}")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert "Labour Day in BE, DE, ES, FR, IT" in html  # the window opens on spring
    day = date(antwerp.series_date.year, 4, 14)
    response = client.post(f"/dialogues/{antwerp.dialogue_id}/proposals/schedule", data={
        "csrf_token": csrf_token(client, f"/meetings/{antwerp.id}"),
        "day": day.isoformat(), "days": "1", "meeting": str(antwerp.id)})
    assert response.status_code == 302
    db.session.expire_all()
    moved = db.session.get(Meeting, antwerp.id)
    assert moved.local_start.date() == day
    assert moved.local_start.strftime("%H:%M") == "09:30" and moved.sequence == 1
    assert moved.series_date != day  # the occurrence it stands for does not change
    # Then confirm it.
    response = client.post(f"/meetings/{antwerp.id}/confirm",
                           data={"csrf_token": csrf_token(client, f"/meetings/{antwerp.id}")})
    db.session.expire_all()
    assert db.session.get(Meeting, antwerp.id).status == MeetingStatus.CONFIRMED


def test_reschedule_form_records_who_when_and_why(sign_in):
    client = sign_in(SECRETARIAT)
    antwerp = meeting_in("Antwerp")
    day = antwerp.local_start.date() + timedelta(days=1)
    response = client.post(f"/meetings/{antwerp.id}/reschedule", data={
        "csrf_token": csrf_token(client, f"/meetings/{antwerp.id}/reschedule"),
        "start_date": day.isoformat(), "start_time": "10:00", "end_date": day.isoformat(),
        "end_time": "16:00", "timezone": "Europe/Brussels", "city": "Antwerp",
        "venue": "Port House", "host": str(antwerp.host_participant_id),
        "reason": "The port authority offered its building"})
    assert response.status_code == 302
    db.session.expire_all()
    change = db.session.scalar(select(MeetingChange).where(
        MeetingChange.meeting_id == antwerp.id, MeetingChange.kind == "rescheduled"))
    assert change.changed_by.email == SECRETARIAT
    assert change.reason == "The port authority offered its building"
    assert change.before["venue"] == "" and change.after["venue"] == "Port House"
    assert change.sequence == 1
    page = client.get(f"/meetings/{antwerp.id}").get_data(as_text=True)
    assert "The port authority offered its building" in page and "Port House" in page


@pytest.mark.parametrize(
    ("changes", "field_message"),
    [({"end_date": "2027-04-01", "end_time": "09:00"}, "must end after it starts"),
     ({"timezone": "Europe/Atlantis"}, "time zone from the list, for example Europe/Brussels"),
     ({"start_time": "02:30", "start_date": "2027-03-28", "end_date": "2027-03-28"},
      "does not exist"),
     ({"reason": ""}, "Say why the meeting moves"),
     ({"start_date": "not a date"}, "Not a valid date value")],
)
def test_reschedule_refuses_bad_input_and_saves_nothing(sign_in, changes, field_message):
    client = sign_in(SECRETARIAT)
    antwerp = meeting_in("Antwerp")
    before = (antwerp.starts_at, antwerp.ends_at, antwerp.timezone, antwerp.sequence)
    data = {"csrf_token": csrf_token(client, f"/meetings/{antwerp.id}/reschedule"),
            "start_date": "2027-04-21", "start_time": "09:30", "end_date": "2027-04-21",
            "end_time": "17:00", "timezone": "Europe/Brussels", "city": "Antwerp", "venue": "",
            "host": str(antwerp.host_participant_id), "reason": "Testing", **changes}
    response = client.post(f"/meetings/{antwerp.id}/reschedule", data=data)
    assert response.status_code == 400
    assert field_message in response.get_data(as_text=True)
    db.session.expire_all()
    again = db.session.get(Meeting, antwerp.id)
    assert (again.starts_at, again.ends_at, again.timezone, again.sequence) == before
    assert not db.session.scalar(select(MeetingChange).where(
        MeetingChange.meeting_id == antwerp.id, MeetingChange.kind == "rescheduled"))


def test_cancel_one_occurrence_keeps_the_series(sign_in):
    client = sign_in(SECRETARIAT)
    antwerp, berlin = meeting_in("Antwerp"), meeting_in("Berlin")
    url = f"/meetings/{antwerp.id}/cancel"
    empty = client.post(url, data={"csrf_token": csrf_token(client, url), "reason": " "})
    assert empty.status_code == 400
    assert "Say why the meeting is cancelled." in empty.get_data(as_text=True)
    response = client.post(url, data={"csrf_token": csrf_token(client, url),
                                      "reason": "Belgian presidency moved the date"})
    assert response.status_code == 302
    db.session.expire_all()
    antwerp, berlin = db.session.get(Meeting, antwerp.id), db.session.get(Meeting, berlin.id)
    assert antwerp.status == MeetingStatus.CANCELLED and antwerp.sequence == 1
    assert berlin.status == MeetingStatus.PROPOSED and berlin.sequence == 0
    assert "Belgian presidency moved the date" in client.get(
        f"/dialogues/{antwerp.dialogue_id}/series").get_data(as_text=True)
    with pytest.raises(InvalidInput, match="no longer be changed"):
        cancel_meeting(antwerp, by=None, reason="again")


def test_rule_form_refuses_a_malformed_rule_and_keeps_the_old_one(sign_in):
    client = sign_in(SECRETARIAT)
    coalition = dialogue("coalition")
    url = f"/dialogues/{coalition.id}/series"
    response = client.post(url + "/rule", data={
        "csrf_token": csrf_token(client, url), "recurrence_rule": "FREQ=YEARLY;BYMONTH=13",
        "from_date": "2028-01-01", "reason": "Try"})
    assert response.status_code == 400
    assert "BYMONTH takes months from 1 to 12." in response.get_data(as_text=True)
    db.session.expire_all()
    assert dialogue("coalition").recurrence_rule == "FREQ=YEARLY;BYMONTH=4"


def test_proposals_page_names_the_window_error(sign_in):
    client = sign_in(SECRETARIAT)
    coalition = dialogue("coalition")
    response = client.get(f"/dialogues/{coalition.id}/proposals?start=2027-05-01"
                          "&end=2027-04-01&days=1")
    assert response.status_code == 400
    assert "The window must end on or after the day it starts." in response.get_data(
        as_text=True)


def test_rotation_can_be_reordered_without_javascript(sign_in):
    client = sign_in(SECRETARIAT)
    coalition = dialogue("coalition")
    url = f"/dialogues/{coalition.id}/series"
    second = coalition.host_rotation[1]
    client.post(url + "/rotation/move", data={"csrf_token": csrf_token(client, url),
                                              "slot": str(second.id), "direction": "up"})
    db.session.expire_all()
    assert [r.participant.short_name for r in dialogue("coalition").host_rotation][:2] == [
        "DE", "BE"]


@pytest.mark.parametrize("email", [DELEGATE_NL, CHAIR_COALITION])
def test_members_see_the_schedule_not_the_controls(sign_in, email):
    client = sign_in(email)
    antwerp = meeting_in("Antwerp")
    series_page = client.get(f"/dialogues/{antwerp.dialogue_id}/series")
    assert series_page.status_code == 200
    html = series_page.get_data(as_text=True)
    assert "Coalition ministerial meeting, Berlin" in html
    assert "Change the rule" not in html and "Move up" not in html
    assert "Move this meeting" not in client.get(f"/meetings/{antwerp.id}").get_data(
        as_text=True)
    token = csrf_token(client, f"/meetings/{antwerp.id}")
    assert client.post(f"/meetings/{antwerp.id}/cancel",
                       data={"csrf_token": token, "reason": "x"}).status_code == 403
    assert client.get(f"/dialogues/{antwerp.dialogue_id}/proposals").status_code == 403
    db.session.expire_all()
    assert db.session.get(Meeting, antwerp.id).status == MeetingStatus.PROPOSED


def test_another_dialogues_schedule_is_not_found(sign_in):
    client = sign_in(DELEGATE_AL)
    antwerp = meeting_in("Antwerp")
    assert client.get(f"/dialogues/{antwerp.dialogue_id}/series").status_code == 404
    assert client.get(f"/meetings/{antwerp.id}/reschedule").status_code == 404


def test_proposals_mark_the_meetings_current_date_instead_of_offering_it(sign_in):
    client = sign_in(SECRETARIAT)
    antwerp = meeting_in("Antwerp")
    current = antwerp.local_start.date()
    html = client.get(f"/dialogues/{antwerp.dialogue_id}/proposals?meeting={antwerp.id}"
                      f"&start={current}&end={current}&days=1").get_data(as_text=True)
    assert "The meeting's date now" in html
    assert "Schedule<span" not in html
