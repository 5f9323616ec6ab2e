"""Feeds answer a poll from their calendar revisions: the ETag moves with every change a
subscriber would see (whatever wrote it: a page, an operation, plain SQL) and with
nothing else, and a poll that already holds the feed costs two small queries."""

from __future__ import annotations

from datetime import date, timedelta
from urllib.parse import urlsplit

import pytest
from sqlalchemy import select, text

from planner.calendar import feeds, ics
from planner.extensions import db
from planner.models import DialogueRoleKind, Meeting, MembershipRole, MinutesStatus, Person
from planner.people.operations import add_membership, add_role, remove_role
from planner.scheduling.operations import reschedule_meeting
from tests.calendar_support import dialogue, make_meeting, parse
from tests.conftest import DELEGATE_NL, SECRETARIAT, csrf_token
from tests.test_calendar_views import FEED_LINK, counted_queries


def feed_path(client) -> str:
    response = client.post("/account/calendar/new",
                           data={"csrf_token": csrf_token(client, "/account/calendar")})
    return urlsplit(FEED_LINK.search(response.get_data(as_text=True)).group(1)).path


def delegate_nl() -> Person:
    return db.session.scalar(select(Person).where(Person.email == DELEGATE_NL))


def next_coalition_meeting() -> Meeting:
    return db.session.scalar(
        select(Meeting).where(Meeting.dialogue_id == dialogue("coalition").id,
                              Meeting.status != "cancelled", Meeting.ends_at > db.func.now())
        .order_by(Meeting.starts_at)
    )


@pytest.fixture
def feed(sign_in, app):
    """The Dutch delegate's feed (the coalition only), and a client without a session."""
    path = feed_path(sign_in(DELEGATE_NL))
    anonymous = app.test_client()

    def etag() -> str:
        response = anonymous.get(path)
        assert response.status_code == 200
        return response.headers["ETag"]

    return path, anonymous, etag


def test_a_poll_holding_the_feed_gets_304_without_loading_a_meeting(feed):
    path, anonymous, etag = feed
    tag = etag()
    with counted_queries() as seen:
        response = anonymous.get(path, headers={"If-None-Match": tag})
    assert response.status_code == 304 and response.headers["ETag"] == tag
    assert response.headers["Cache-Control"] in ("private, no-cache", "no-cache, private")
    assert len(seen) <= 2
    assert not any("FROM meeting" in s for s in seen)


def test_moving_a_meeting_changes_the_feed_and_its_etag(feed):
    path, anonymous, etag = feed
    before = etag()
    meeting = next_coalition_meeting()
    reschedule_meeting(meeting, starts_at=meeting.starts_at + timedelta(days=1),
                       ends_at=meeting.ends_at + timedelta(days=1), by=None, reason="Venue")
    db.session.commit()
    changed = anonymous.get(path, headers={"If-None-Match": before})
    assert changed.status_code == 200 and changed.headers["ETag"] != before
    assert f"SEQUENCE:{meeting.sequence}" in changed.get_data(as_text=True)


@pytest.mark.parametrize("change", [
    # Plain SQL, as a script or a bulk load would write it: triggers see it all the same.
    "UPDATE meeting SET city = 'Rotterdam' WHERE dialogue_id = :coalition",
    "DELETE FROM meeting WHERE id = (SELECT max(id) FROM meeting WHERE dialogue_id = :coalition)",
    "UPDATE participant SET name = name || ' (renamed)' WHERE id IN "
    "(SELECT host_participant_id FROM meeting WHERE dialogue_id = :coalition)",
    "UPDATE dialogue SET name = 'Coalition (renamed)' WHERE id = :coalition",
    "UPDATE dialogue SET classification = 'OFFICIAL-SENSITIVE' WHERE id = :coalition",
])
def test_every_change_a_subscriber_would_see_changes_the_etag(feed, change):
    _path, _anonymous, etag = feed
    before = etag()
    db.session.execute(text(change), {"coalition": dialogue("coalition").id})
    db.session.commit()
    assert etag() != before


def test_a_new_meeting_appears_with_a_new_etag(feed):
    path, anonymous, etag = feed
    before = etag()
    make_meeting("coalition", title="Extra working group", day=date.today() + timedelta(days=90))
    assert etag() != before
    assert "Extra working group" in anonymous.get(path).get_data(as_text=True)


def test_a_new_seat_or_a_lost_one_changes_what_the_feed_holds(feed):
    path, anonymous, etag = feed
    before = etag()
    person, ukal = delegate_nl(), dialogue("uk-albania")
    add_membership(ukal, person.participant, MembershipRole.OBSERVER, by=None)
    role = add_role(person, ukal, DialogueRoleKind.OBSERVER, by=None)
    db.session.commit()
    with_ukal = etag()
    assert with_ukal != before and ukal.name in anonymous.get(path).get_data(as_text=True)
    remove_role(person, role, by=None)
    db.session.commit()
    without_ukal = anonymous.get(path)
    assert without_ukal.headers["ETag"] not in (before, with_ukal)
    assert ukal.name not in without_ukal.get_data(as_text=True)


def test_joining_the_secretariat_shows_every_dialogue_and_their_changes(feed):
    path, anonymous, etag = feed
    before = etag()
    person = delegate_nl()
    person.is_secretariat = True
    db.session.commit()
    assert etag() != before
    assert dialogue("uk-albania").name in anonymous.get(path).get_data(as_text=True)
    seeing_all = etag()
    make_meeting("uk-albania", title="Seen by the secretariat",
                 day=date.today() + timedelta(days=45))
    assert etag() != seeing_all


def test_changes_a_subscriber_cannot_see_leave_the_etag_alone(feed):
    _path, _anonymous, etag = feed
    before = etag()
    # Another dialogue's meeting, and the minutes of one of theirs: not in the feed.
    make_meeting("uk-albania", title="Not theirs", day=date.today() + timedelta(days=60))
    db.session.execute(text("UPDATE minutes SET status = :status"),
                       {"status": MinutesStatus.CIRCULATED.value})
    db.session.commit()
    assert etag() == before


def test_what_is_kept_is_what_a_fresh_build_makes(feed):
    path, anonymous, _etag = feed
    kept = anonymous.get(path)
    feeds.forget_all()
    ics.forget_events()
    fresh = anonymous.get(path)
    assert fresh.get_data() == kept.get_data()
    assert fresh.headers["ETag"] == kept.headers["ETag"]
    assert fresh.headers["Last-Modified"] == kept.headers["Last-Modified"]


def test_a_feed_rebuilt_from_kept_events_after_a_move_is_right(feed):
    path, anonymous, _etag = feed
    anonymous.get(path)  # every event written once, and kept
    meeting = next_coalition_meeting()
    reschedule_meeting(meeting, starts_at=meeting.starts_at + timedelta(hours=2),
                       ends_at=meeting.ends_at + timedelta(hours=2), by=None, reason="Later")
    db.session.commit()
    rebuilt = anonymous.get(path).get_data()
    feeds.forget_all()
    ics.forget_events()
    assert anonymous.get(path).get_data() == rebuilt
    moved = [e for e in parse(rebuilt).walk("VEVENT") if str(e["UID"]) == meeting.uid]
    assert moved[0].decoded("DTSTART") == meeting.local_start


def test_the_dialogue_file_answers_304_until_its_dialogue_changes(sign_in):
    client = sign_in(SECRETARIAT)
    path = f"/dialogues/{dialogue('coalition').id}/calendar.ics"
    tag = client.get(path).headers["ETag"]
    other = f"/dialogues/{dialogue('uk-albania').id}/calendar.ics"
    other_tag = client.get(other).headers["ETag"]
    assert client.get(path, headers={"If-None-Match": tag}).status_code == 304
    make_meeting("coalition", title="Extra", day=date.today() + timedelta(days=100))
    assert client.get(path, headers={"If-None-Match": tag}).status_code == 200
    assert client.get(other, headers={"If-None-Match": other_tag}).status_code == 304
