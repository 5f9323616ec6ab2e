"""The calendar URLs as users and calendar apps meet them: access, caching, feed links,
the meeting page's calendar panel and RSVP."""

from __future__ import annotations

import hashlib
import re
from contextlib import contextmanager
from datetime import UTC, date, timedelta
from urllib.parse import parse_qs, urlsplit

import pytest
from sqlalchemy import event, func, select

from planner.calendar import feeds
from planner.calendar.operations import hash_token
from planner.calendar.views import FEED_ABOUT, FEED_NAME
from planner.extensions import db
from planner.models import (
    AuditEvent,
    CalendarToken,
    Dialogue,
    Meeting,
    MeetingInvitee,
    OutboxMessage,
    Person,
    utcnow,
)
from planner.scheduling.operations import cancel_meeting, reschedule_meeting
from tests.calendar_support import expected, make_meeting, occurrences, parse
from tests.conftest import (
    CHAIR_COALITION,
    DELEGATE_AL,
    DELEGATE_NL,
    OBSERVER_EUROPOL,
    SECRETARIAT,
    csrf_token,
)

CALENDAR_TYPE = "text/calendar; charset=utf-8"


def person(email: str) -> Person:
    return db.session.scalar(select(Person).where(Person.email == email))


def meeting_in(slug: str) -> Meeting:
    """The dialogue's next meeting (the demo always has one ahead)."""
    return db.session.scalar(
        select(Meeting).join(Dialogue).where(Dialogue.slug == slug,
                                             Meeting.starts_at > utcnow())
        .order_by(Meeting.starts_at).limit(1)
    )


# --- access --------------------------------------------------------------------------


def test_meeting_and_dialogue_files_need_sign_in(client, demo):
    antwerp = meeting_in("coalition")
    for path in (f"/meetings/{antwerp.id}/invite.ics",
                 f"/dialogues/{antwerp.dialogue_id}/calendar.ics"):
        response = client.get(path)
        assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_files_follow_the_same_access_rules_as_the_pages(sign_in):
    client = sign_in(DELEGATE_AL)  # UK–Albania only
    antwerp, tirana = meeting_in("coalition"), meeting_in("uk-albania")
    assert client.get(f"/meetings/{antwerp.id}/invite.ics").status_code == 404
    assert client.get(f"/dialogues/{antwerp.dialogue_id}/calendar.ics").status_code == 404
    assert client.get("/meetings/999999/invite.ics").status_code == 404
    response = client.get(f"/meetings/{tirana.id}/invite.ics")
    assert response.status_code == 200
    assert response.headers["Content-Type"] == CALENDAR_TYPE
    assert response.headers["Content-Disposition"].startswith("attachment;")
    assert str(parse(response.data).walk("VEVENT")[0]["UID"]) == tirana.uid


# --- caching -------------------------------------------------------------------------


def test_conditional_get_answers_304_until_the_meeting_changes(sign_in):
    client = sign_in(DELEGATE_NL)
    antwerp = meeting_in("coalition")
    path = f"/dialogues/{antwerp.dialogue_id}/calendar.ics"
    first = client.get(path)
    etag, modified = first.headers["ETag"], first.headers["Last-Modified"]
    assert first.status_code == 200 and etag and modified
    assert client.get(path).data == first.data  # the same bytes until something changes

    assert client.get(path, headers={"If-None-Match": etag}).status_code == 304
    assert client.get(path, headers={"If-Modified-Since": modified}).status_code == 304

    db.session.add(antwerp)
    reschedule_meeting(antwerp, starts_at=antwerp.starts_at + timedelta(days=1),
                       ends_at=antwerp.ends_at + timedelta(days=1),
                       by=person(SECRETARIAT), reason="Port strike")
    db.session.commit()
    changed = client.get(path, headers={"If-None-Match": etag})
    assert changed.status_code == 200 and changed.headers["ETag"] != etag
    event = next(e for e in parse(changed.data).walk("VEVENT") if str(e["UID"]) == antwerp.uid)
    assert event["SEQUENCE"] == 1
    assert event.decoded("DTSTART").astimezone(UTC) == antwerp.starts_at


def test_an_answer_changes_the_download_but_not_the_feed(sign_in):
    client = sign_in(DELEGATE_NL)
    antwerp = meeting_in("coalition")
    download = client.get(f"/meetings/{antwerp.id}/invite.ics")
    feed = client.get(f"/dialogues/{antwerp.dialogue_id}/calendar.ics")
    client.post(f"/meetings/{antwerp.id}/rsvp",
                data={"response": "accepted",
                      "csrf_token": csrf_token(client, f"/meetings/{antwerp.id}")})
    after = client.get(f"/meetings/{antwerp.id}/invite.ics",
                       headers={"If-None-Match": download.headers["ETag"]})
    assert after.status_code == 200
    assert client.get(f"/dialogues/{antwerp.dialogue_id}/calendar.ics", headers={
        "If-None-Match": feed.headers["ETag"]}).status_code == 304


# --- personal feed -------------------------------------------------------------------

FEED_LINK = re.compile(r'id="feed-link"[^>]*>(https?://[^<]+)</textarea>')


def make_feed_link(client) -> str:
    response = client.post("/account/calendar/new",
                           data={"csrf_token": csrf_token(client, "/account/calendar")})
    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "no-store"
    page = response.get_data(as_text=True)
    link = FEED_LINK.search(page).group(1)
    assert f'href="webcal://{link.split("://", 1)[1]}"' in page
    return link


def test_a_feed_link_works_without_sign_in_and_is_stored_only_as_a_hash(sign_in, app):
    link = make_feed_link(sign_in(DELEGATE_NL))
    token = re.fullmatch(r"http://localhost/calendar/([A-Za-z0-9_-]+)\.ics", link).group(1)
    assert len(token) * 6 >= 128
    stored = db.session.scalar(select(CalendarToken))
    assert stored.token_hash == hashlib.sha256(token.encode()).hexdigest()
    assert token not in str([getattr(stored, c.key) for c in CalendarToken.__table__.c])

    anonymous = app.test_client()
    response = anonymous.get(f"/calendar/{token}.ics")
    assert response.status_code == 200
    assert response.headers["Content-Type"] == CALENDAR_TYPE
    assert "Set-Cookie" not in response.headers
    coalition = db.session.scalar(select(Dialogue).where(Dialogue.slug == "coalition"))
    # Exactly the meetings of the delegate's dialogue, at their instants; nothing else.
    assert occurrences(response.data, date(2000, 1, 1), date(2100, 1, 1)) == expected(
        db.session.scalars(select(Meeting).where(Meeting.dialogue_id == coalition.id)))
    assert str(parse(response.data)["X-WR-CALNAME"]) == "Dialogue Planner: my meetings"
    # Nobody's address but the reader's own (their answer: see the test below).
    assert set(re.findall(rb"mailto:([^\r\n]+)", response.data.replace(b"\r\n ", b""))) <= {
        DELEGATE_NL.encode(), b"secretariat@localhost"}
    db.session.expire_all()
    assert db.session.scalar(select(CalendarToken)).last_used_at is not None
    etag = response.headers["ETag"]
    assert anonymous.get(f"/calendar/{token}.ics",
                         headers={"If-None-Match": etag}).status_code == 304


def test_a_feed_not_kept_is_sent_as_it_is_written_and_kept_only_once_whole(sign_in, app,
                                                                          monkeypatch):
    token = urlsplit(make_feed_link(sign_in(SECRETARIAT))).path
    anonymous = app.test_client()
    monkeypatch.setattr(feeds, "CHUNK_BYTES", 2000)
    feeds.forget_all()
    streamed = anonymous.get(token)
    # Sent as it is written (chunked), then kept whole: the same bytes and headers after.
    assert streamed.status_code == 200 and "Content-Length" not in streamed.headers
    body = streamed.data
    kept = anonymous.get(token)
    assert kept.headers["Content-Length"] == str(len(body)) and kept.data == body
    for header in ("ETag", "Last-Modified", "Content-Type", "Cache-Control"):
        assert kept.headers[header] == streamed.headers[header]
    every = db.session.scalars(select(Meeting)).all()
    assert occurrences(body, date(2000, 1, 1), date(2100, 1, 1)) == expected(every)
    assert anonymous.get(token, headers={"If-None-Match": kept.headers["ETag"]}
                         ).status_code == 304
    assert anonymous.get(token, headers={"If-Modified-Since": kept.headers["Last-Modified"]}
                         ).status_code == 304

    feeds.forget_all()
    with app.test_request_context(token):
        reader, tag = feeds.open_feed(hash_token(token.rsplit("/", 1)[1].removesuffix(".ics")))
        pieces = feeds.person_feed(reader, tag, name=FEED_NAME, description=FEED_ABOUT).chunks()
        first = next(pieces)
        # The first piece is out before the rest is written: header, time zones, events.
        assert first.startswith(b"BEGIN:VCALENDAR") and b"BEGIN:VTIMEZONE" in first
        assert len(first) < 4000 and feeds.kept_document(tag) is None
        assert first + b"".join(pieces) == body and feeds.kept_document(tag).body == body
        # A calendar app that hangs up after the first piece: nothing half-written kept.
        feeds.forget_all()
        pieces = feeds.person_feed(reader, tag, name=FEED_NAME, description=FEED_ABOUT).chunks()
        next(pieces)
        pieces.close()
    assert feeds.kept_document(tag) is None


def test_a_personal_feed_carries_the_readers_own_answer_and_nobody_elses(sign_in, app):
    client = sign_in(DELEGATE_NL)
    antwerp = meeting_in("coalition")
    invitees = {i.person.email: i for i in antwerp.invitees}
    assert invitees[DELEGATE_NL].response == "NEEDS-ACTION"
    invitees[CHAIR_COALITION].response = "DECLINED"
    db.session.commit()
    path = "/calendar/" + make_feed_link(client).rsplit("/", 1)[1]
    anonymous = app.test_client()

    def own_line(response) -> list[str]:
        event = next(e for e in parse(response.data).walk("VEVENT")
                     if str(e["UID"]) == antwerp.uid)
        attendees = event.get("ATTENDEE")
        attendees = attendees if isinstance(attendees, list) else [attendees]
        return [(str(a), a.params["PARTSTAT"]) for a in attendees if a is not None]

    before = anonymous.get(path)
    assert own_line(before) == [(f"mailto:{DELEGATE_NL}", "NEEDS-ACTION")]
    client.post(f"/meetings/{antwerp.id}/rsvp", data={
        "response": "accepted", "csrf_token": csrf_token(client, f"/meetings/{antwerp.id}")})
    # Uninvited from another meeting: its event goes back to no ATTENDEE at all.
    other = db.session.scalar(select(MeetingInvitee).where(
        MeetingInvitee.person_id == person(DELEGATE_NL).id,
        MeetingInvitee.meeting_id != antwerp.id).limit(1))
    db.session.delete(other)
    db.session.commit()
    # The answer moves the feed's ETag: the calendar app fetches it and shows "accepted";
    # the chair's answer (declined) is never in someone else's feed.
    after = anonymous.get(path, headers={"If-None-Match": before.headers["ETag"]})
    assert after.status_code == 200
    assert own_line(after) == [(f"mailto:{DELEGATE_NL}", "ACCEPTED")]
    assert b"chair.coalition" not in after.data
    assert anonymous.get(path, headers={
        "If-None-Match": after.headers["ETag"]}).status_code == 304
    # Exactly the meetings they are invited to carry the line.
    invited = set(db.session.scalars(select(Meeting.uid).join(MeetingInvitee).where(
        MeetingInvitee.person_id == person(DELEGATE_NL).id)))
    events = list(parse(after.data).walk("VEVENT"))
    assert len(events) > len(invited) >= 1  # the one uninvited from is still in the feed
    assert {str(e["UID"]) for e in events if e.get("ATTENDEE") is not None} == invited


def test_a_revoked_or_replaced_feed_link_answers_404(sign_in, app):
    client = sign_in(DELEGATE_NL)
    anonymous = app.test_client()
    old = make_feed_link(client)
    new = make_feed_link(client)  # making a new link revokes the old one
    assert anonymous.get(urlsplit(old).path).status_code == 404
    assert anonymous.get(urlsplit(new).path).status_code == 200

    response = client.post("/account/calendar/revoke",
                           data={"csrf_token": csrf_token(client, "/account/calendar")})
    assert response.status_code == 302
    assert anonymous.get(urlsplit(new).path).status_code == 404
    assert "no longer works" in client.get("/account/calendar").get_data(as_text=True)
    assert db.session.scalar(
        select(func.count()).select_from(AuditEvent).where(
            AuditEvent.action == "calendar_token.revoked")) == 1


@pytest.mark.parametrize("token", ["nope", "A" * 43, "../../etc/passwd", "x" * 500])
def test_unknown_feed_links_answer_404(client, demo, token):
    assert client.get(f"/calendar/{token}.ics").status_code == 404


def test_a_deactivated_persons_feed_answers_404(sign_in, app):
    link = make_feed_link(sign_in(DELEGATE_NL))
    person(DELEGATE_NL).active = False
    db.session.commit()
    assert app.test_client().get(urlsplit(link).path).status_code == 404


def test_feed_forms_need_their_csrf_token(sign_in):
    client = sign_in(DELEGATE_NL)
    assert client.post("/account/calendar/new").status_code == 400
    assert db.session.scalar(select(func.count()).select_from(CalendarToken)) == 0


def test_the_account_page_shows_the_feed_panel(sign_in):
    client = sign_in(DELEGATE_NL)
    assert "Set up your calendar feed" in client.get("/account").get_data(as_text=True)
    link = make_feed_link(client)
    page = client.get("/account").get_data(as_text=True)
    assert "Manage your calendar feed" in page
    assert urlsplit(link).path not in page  # the secret is shown once, not on every visit
    assert urlsplit(link).path not in client.get("/account/calendar").get_data(as_text=True)


# --- the meeting page ----------------------------------------------------------------


def test_meeting_page_offers_download_subscribe_google_and_outlook(sign_in):
    client = sign_in(DELEGATE_NL)
    antwerp = meeting_in("coalition")
    page = client.get(f"/meetings/{antwerp.id}").get_data(as_text=True)
    assert f'href="/meetings/{antwerp.id}/invite.ics"' in page
    assert 'href="/account/calendar"' in page and "webcal" in page
    google = re.search(r'href="(https://calendar\.google\.com/[^"]+)"', page).group(1)
    query = parse_qs(urlsplit(google.replace("&amp;", "&")).query)
    start, end = (antwerp.starts_at.strftime("%Y%m%dT%H%M%SZ"),
                  antwerp.ends_at.strftime("%Y%m%dT%H%M%SZ"))
    assert query["dates"] == [f"{start}/{end}"]
    assert query["text"] == [antwerp.title] and query["ctz"] == ["Europe/Brussels"]
    assert query["location"] == [antwerp.place]
    outlook = re.search(r'href="(https://outlook\.office\.com/[^"]+)"', page).group(1)
    query = parse_qs(urlsplit(outlook.replace("&amp;", "&")).query)
    assert query["startdt"] == [antwerp.starts_at.strftime("%Y-%m-%dT%H:%M:%SZ")]
    assert query["subject"] == [antwerp.title]


def test_links_for_a_sensitive_meeting_carry_no_place_or_details(sign_in):
    antwerp = meeting_in("coalition")
    antwerp.classification = "OFFICIAL-SENSITIVE"
    db.session.commit()
    page = sign_in(DELEGATE_NL).get(f"/meetings/{antwerp.id}").get_data(as_text=True)
    google = re.search(r'href="(https://calendar\.google\.com/[^"]+)"', page).group(1)
    query = parse_qs(urlsplit(google.replace("&amp;", "&")).query)
    assert "location" not in query
    assert query["details"][0].endswith(f"/meetings/{antwerp.id}")
    assert "Coalition of European" not in query["details"][0]


# --- RSVP ----------------------------------------------------------------------------


def rsvp(client, meeting_id: int, answer: str | None):
    data = {"csrf_token": csrf_token(client, f"/meetings/{meeting_id}")}
    if answer is not None:
        data["response"] = answer
    return client.post(f"/meetings/{meeting_id}/rsvp", data=data)


def invitee(meeting_id: int, email: str) -> MeetingInvitee:
    db.session.expire_all()
    return db.session.scalar(select(MeetingInvitee).join(Person).where(
        MeetingInvitee.meeting_id == meeting_id, Person.email == email))


def test_an_invitee_answers_and_the_invite_carries_it(sign_in):
    client = sign_in(DELEGATE_NL)
    antwerp = meeting_in("coalition")
    assert "Will you attend?" in client.get(f"/meetings/{antwerp.id}").get_data(as_text=True)
    response = rsvp(client, antwerp.id, "tentative")
    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"/meetings/{antwerp.id}#calendar")
    assert invitee(antwerp.id, DELEGATE_NL).response == "TENTATIVE"
    page = client.get(f"/meetings/{antwerp.id}").get_data(as_text=True)
    assert "Your answer is saved: I may attend." in page

    event = parse(client.get(f"/meetings/{antwerp.id}/invite.ics").data).walk("VEVENT")[0]
    partstat = {str(a): a.params["PARTSTAT"] for a in event["ATTENDEE"]}
    assert partstat[f"mailto:{DELEGATE_NL}"] == "TENTATIVE"
    assert partstat[f"mailto:{OBSERVER_EUROPOL}"] == "NEEDS-ACTION"

    rsvp(client, antwerp.id, "declined")
    assert invitee(antwerp.id, DELEGATE_NL).response == "DECLINED"


@pytest.mark.parametrize(("answer", "message"), [
    (None, "Choose whether you accept, decline or may attend."),
    ("maybe-later", "Choose whether you accept, decline or may attend."),
])
def test_a_bad_answer_is_refused_and_nothing_saved(sign_in, answer, message):
    client = sign_in(DELEGATE_NL)
    antwerp = meeting_in("coalition")
    response = rsvp(client, antwerp.id, answer)
    assert response.status_code == 400
    assert message in response.get_data(as_text=True)
    assert invitee(antwerp.id, DELEGATE_NL).response == "NEEDS-ACTION"


def test_someone_not_invited_cannot_answer(sign_in):
    client = sign_in(SECRETARIAT)  # sees everything, invited to nothing
    antwerp = meeting_in("coalition")
    assert "Will you attend?" not in client.get(f"/meetings/{antwerp.id}").get_data(
        as_text=True)
    response = rsvp(client, antwerp.id, "accepted")
    assert response.status_code == 400
    assert "not on the list of invitees" in response.get_data(as_text=True)


def test_no_answers_to_a_cancelled_meeting(sign_in):
    client = sign_in(DELEGATE_NL)
    antwerp = meeting_in("coalition")
    token = csrf_token(client, f"/meetings/{antwerp.id}")
    cancel_meeting(antwerp, by=person(SECRETARIAT), reason="Postponed sine die")
    db.session.commit()
    response = client.post(f"/meetings/{antwerp.id}/rsvp",
                           data={"csrf_token": token, "response": "accepted"})
    assert response.status_code == 400 and "cancelled" in response.get_data(as_text=True)
    assert invitee(antwerp.id, DELEGATE_NL).response == "NEEDS-ACTION"


def test_answering_a_meeting_one_cannot_see_is_404(sign_in):
    client = sign_in(DELEGATE_AL)
    token = csrf_token(client, "/account")
    antwerp = meeting_in("coalition")
    response = client.post(f"/meetings/{antwerp.id}/rsvp",
                           data={"csrf_token": token, "response": "accepted"})
    assert response.status_code == 404


# --- sending the invites from the meeting page ----------------------------------------


def send(client, meeting_id: int):
    return client.post(f"/meetings/{meeting_id}/invites",
                       data={"csrf_token": csrf_token(client, f"/meetings/{meeting_id}")})


def outbox_count() -> int:
    return db.session.scalar(select(func.count()).select_from(OutboxMessage))


def test_the_chair_sends_the_invites_one_message_per_invitee(sign_in):
    client = sign_in(CHAIR_COALITION)
    antwerp = meeting_in("coalition")
    page = client.get(f"/meetings/{antwerp.id}").get_data(as_text=True)
    assert "Send the invites" in page
    response = send(client, antwerp.id)
    assert response.status_code == 302
    recipients = set(db.session.scalars(select(OutboxMessage.recipient)))
    assert recipients == {CHAIR_COALITION, DELEGATE_NL, OBSERVER_EUROPOL}
    page = client.get(f"/meetings/{antwerp.id}").get_data(as_text=True)
    assert "Invites are on their way to 3 people." in page
    assert "0 sent, 3 waiting to go" in page and "Send the invites again" in page


def test_delegates_cannot_send_invites(sign_in):
    client = sign_in(DELEGATE_NL)
    antwerp = meeting_in("coalition")
    assert "Send the invites" not in client.get(f"/meetings/{antwerp.id}").get_data(
        as_text=True)
    assert send(client, antwerp.id).status_code == 403
    assert outbox_count() == 0


def test_invites_for_a_meeting_without_invitees_are_refused(sign_in):
    lonely = make_meeting("coalition", title="Nobody yet", day=date.today() + timedelta(days=40),
                          invite=False)
    response = send(sign_in(SECRETARIAT), lonely.id)
    assert response.status_code == 400
    assert "No one is invited to this meeting yet." in response.get_data(as_text=True)
    assert outbox_count() == 0


# --- cost ---------------------------------------------------------------------------


@contextmanager
def counted_queries():
    statements: list[str] = []

    def count(_conn, _cursor, statement, *_args):
        statements.append(statement)

    event.listen(db.engine, "before_cursor_execute", count)
    try:
        yield statements
    finally:
        event.remove(db.engine, "before_cursor_execute", count)


def test_feeds_cost_the_same_few_queries_however_many_meetings(sign_in, app):
    client = sign_in(DELEGATE_NL)
    coalition_id = meeting_in("coalition").dialogue_id
    token = urlsplit(make_feed_link(client)).path
    anonymous = app.test_client()

    def cost() -> tuple[int, int]:
        feeds.forget_all()  # each feed built from nothing, not served from what is kept
        with counted_queries() as feed:
            assert anonymous.get(token).status_code == 200
        with counted_queries() as dialogue_file:
            assert client.get(f"/dialogues/{coalition_id}/calendar.ics").status_code == 200
        return len(feed), len(dialogue_file)

    anonymous.get(token)  # the first use of a link also notes when it was used
    few = cost()
    for week in range(12):
        make_meeting("coalition", title=f"Working group {week}",
                     day=date(2027, 1, 4) + timedelta(weeks=week * 3),
                     zone=("Europe/Rome", "Europe/Paris", "Europe/Berlin")[week % 3])
    assert cost() == few
    assert max(few) <= 8
