"""E-mailed invites through the outbox, delivered to a real SMTP server (aiosmtpd) on
127.0.0.1: invite, update and cancel; nothing lost while the server is down; each
message delivered once even with two senders at work."""

from __future__ import annotations

import asyncio
import threading
from datetime import UTC, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import func, select

from planner.calendar.invites import InviteKind
from planner.calendar.operations import respond, send_invites
from planner.config import ConfigurationError
from planner.extensions import db
from planner.models import Dialogue, Meeting, OutboxMessage, Person, utcnow
from planner.outbox import send_due
from planner.outbox.operations import LEASE
from planner.scheduling.operations import cancel_meeting, reschedule_meeting
from planner.validation import InvalidInput
from tests.calendar_support import (
    calendar_part,
    expected,
    free_port,
    occurrences,
    parse,
    smtp_server,
)
from tests.conftest import (
    CHAIR_COALITION,
    DELEGATE_AL,
    DELEGATE_NL,
    OBSERVER_EUROPOL,
    SECRETARIAT,
    csrf_token,
)

SITE = "https://planner.example.org"
ORGANIZER = "secretariat@planner.example"


@pytest.fixture
def mail(app, demo):
    """Mail settings pointing at 127.0.0.1 (the test starts the server, or does not)."""
    app.config.update(
        SMTP_HOST="127.0.0.1", SMTP_PORT=str(free_port()), SMTP_TLS="none",
        MAIL_FROM=f"Dialogue Secretariat <{ORGANIZER}>", BASE_URL=SITE,
        OUTBOX_SEND_AFTER_COMMIT=False,
    )
    yield app.config


@pytest.fixture
def server(mail):
    with smtp_server(int(mail["SMTP_PORT"])) as (inbox, _port):
        yield inbox


def person(email: str) -> Person:
    return db.session.scalar(select(Person).where(Person.email == email))


def antwerp() -> Meeting:
    return db.session.scalar(select(Meeting).where(Meeting.city == "Antwerp")
                             .order_by(Meeting.starts_at).limit(1))


def rows(**where) -> list[OutboxMessage]:
    db.session.expire_all()
    query = select(OutboxMessage).order_by(OutboxMessage.id)
    for name, value in where.items():
        query = query.where(getattr(OutboxMessage, name) == value)
    return list(db.session.scalars(query))


def invite_everyone(meeting: Meeting) -> list[OutboxMessage]:
    messages = send_invites(meeting, by=person(SECRETARIAT))
    db.session.commit()
    return messages


def event_of(message) -> tuple[dict, object]:
    part, data = calendar_part(message)
    calendar = parse(data)
    return {"method": str(calendar["METHOD"]), "part": part, "bytes": data}, \
        calendar.walk("VEVENT")[0]


def test_invite_update_and_cancel_reach_a_real_smtp_server(server):
    meeting = antwerp()
    uid = meeting.uid
    invite_everyone(meeting)
    assert send_due().sent == 3
    assert {m["To"].addresses[0].addr_spec for m in server.messages} == {
        CHAIR_COALITION, DELEGATE_NL, OBSERVER_EUROPOL}
    assert server.envelopes[0][0] == ORGANIZER

    (invite,) = server.to(DELEGATE_NL)
    # (Python's parser keeps the space of a fold right after "Subject:"; mail clients don't.)
    assert invite["Subject"].strip().startswith(
        "Invitation: Coalition ministerial meeting, Antwerp (")
    assert invite["From"] == f"Dialogue Secretariat <{ORGANIZER}>"
    assert invite["Message-ID"] == rows(recipient=DELEGATE_NL)[0].message_id
    assert invite.get_content_type() == "multipart/alternative"
    assert invite["Content-Class"] == "urn:content-classes:calendarmessage"
    assert [p.get_content_type() for p in invite.iter_parts()] == [
        "text/plain", "text/html", "text/calendar"]
    text = invite.get_body(("plain",)).get_content()
    assert "You are invited" in text and f"{SITE}/meetings/{meeting.id}" in text
    assert "Antwerp" in text and "Your time (Europe/Amsterdam)" not in text  # same offset
    assert f'href="{SITE}/meetings/{meeting.id}"' in invite.get_body(("html",)).get_content()

    found, event = event_of(invite)
    assert found["part"].get_params()[1:] == [("method", "REQUEST"), ("charset", "UTF-8")]
    assert b"\r\n" in found["bytes"] and b"\n" not in found["bytes"].replace(b"\r\n", b"")
    assert found["method"] == "REQUEST"
    assert (str(event["UID"]), event["SEQUENCE"], str(event["STATUS"])) == (uid, 0, "TENTATIVE")
    assert str(event["ORGANIZER"]) == f"mailto:{ORGANIZER}"
    attendees = {str(a): a.params for a in event["ATTENDEE"]}
    assert attendees[f"mailto:{DELEGATE_NL}"]["RSVP"] == "TRUE"
    assert len(attendees) == 3

    # The delegate accepts on the page; then the meeting moves: an update, SEQUENCE 1.
    meeting = antwerp()
    respond(meeting, person(DELEGATE_NL), "accepted")
    new_start = meeting.starts_at + timedelta(days=7)
    reschedule_meeting(meeting, starts_at=new_start, ends_at=meeting.ends_at + timedelta(days=7),
                       by=person(SECRETARIAT), reason="The port authority's hall")
    db.session.commit()
    assert send_due().sent == 3
    (_, update) = server.to(DELEGATE_NL)
    assert update["Subject"].strip().startswith("Updated invitation: ")
    assert "has changed" in update.get_body(("plain",)).get_content()
    found, event = event_of(update)
    assert found["method"] == "REQUEST"
    assert (str(event["UID"]), event["SEQUENCE"]) == (uid, 1)
    assert event.decoded("DTSTART").astimezone(UTC) == new_start
    assert occurrences(found["bytes"], new_start.date() - timedelta(days=30),
                       new_start.date() + timedelta(days=30)) == expected([antwerp()])
    assert {str(a): a.params["PARTSTAT"] for a in event["ATTENDEE"]} == {
        f"mailto:{DELEGATE_NL}": "ACCEPTED", f"mailto:{CHAIR_COALITION}": "NEEDS-ACTION",
        f"mailto:{OBSERVER_EUROPOL}": "NEEDS-ACTION"}

    # Cancelled: CANCEL, same UID, higher SEQUENCE, STATUS:CANCELLED.
    cancel_meeting(antwerp(), by=person(SECRETARIAT), reason="Postponed to the autumn")
    db.session.commit()
    assert send_due().sent == 3
    (_, _, cancel) = server.to(DELEGATE_NL)
    assert cancel["Subject"].strip().startswith(
        "Cancelled: Coalition ministerial meeting, Antwerp")
    assert "Postponed to the autumn" in cancel.get_body(("plain",)).get_content()
    found, event = event_of(cancel)
    assert found["method"] == "CANCEL"
    assert found["part"].get_param("method") == "CANCEL"
    assert (str(event["UID"]), event["SEQUENCE"], str(event["STATUS"])) == (
        uid, 2, "CANCELLED")
    assert str(event["SUMMARY"]) == "Coalition ministerial meeting, Antwerp"
    assert len(server.messages) == 9
    assert len({m["Message-ID"] for m in server.messages}) == 9


def test_changes_before_the_invites_go_out_write_to_nobody(mail):
    meeting = antwerp()
    reschedule_meeting(meeting, starts_at=meeting.starts_at + timedelta(days=1),
                       ends_at=meeting.ends_at + timedelta(days=1), by=person(SECRETARIAT))
    db.session.commit()
    assert rows() == []


def test_messages_are_queued_in_the_transaction_of_the_change(mail):
    meeting = antwerp()
    send_invites(meeting, by=person(SECRETARIAT))
    db.session.rollback()
    assert rows() == []

    invite_everyone(antwerp())
    meeting = antwerp()
    with pytest.raises(InvalidInput):  # nothing changed: refused, and nothing queued
        reschedule_meeting(meeting, starts_at=meeting.starts_at, ends_at=meeting.ends_at,
                           by=person(SECRETARIAT))
    db.session.rollback()
    assert [m.kind for m in rows()] == [InviteKind.INVITE.message_kind] * 3

    meeting = antwerp()
    reschedule_meeting(meeting, starts_at=meeting.starts_at + timedelta(hours=1),
                       ends_at=meeting.ends_at + timedelta(hours=1), by=person(SECRETARIAT))
    db.session.rollback()  # the move is not saved, so neither is its update
    assert len(rows()) == 3 and antwerp().sequence == 0


def test_mail_queued_while_the_server_is_down_goes_once_it_is_up(mail):
    invite_everyone(antwerp())
    first_try = utcnow()
    report = send_due(now=first_try)
    assert (report.sent, report.deferred) == (0, 3)
    for row in rows():
        assert (row.status, row.attempts) == ("pending", 1)
        assert row.next_attempt_at == first_try + timedelta(minutes=1)
        assert "Connection refused" in row.last_error or "Errno" in row.last_error
    assert send_due(now=first_try + timedelta(seconds=30)).deferred == 0  # not due yet

    second_try = first_try + timedelta(minutes=1)
    assert send_due(now=second_try).deferred == 3
    assert {r.next_attempt_at for r in rows()} == {second_try + timedelta(minutes=2)}

    with smtp_server(int(mail["SMTP_PORT"])) as (inbox, _):
        later = second_try + timedelta(minutes=2)
        assert send_due(now=later).sent == 3
        assert send_due(now=later + timedelta(days=1)).sent == 0  # nothing twice
        assert len(inbox.messages) == 3
        assert sorted(m["Message-ID"] for m in inbox.messages) == sorted(
            r.message_id for r in rows())
    assert {(r.status, r.attempts) for r in rows()} == {("sent", 3)}


def test_two_senders_at_once_deliver_each_message_once(mail, app):
    coalition = db.session.scalar(select(Dialogue).where(Dialogue.slug == "coalition"))
    for meeting in db.session.scalars(select(Meeting).where(
            Meeting.dialogue_id == coalition.id, Meeting.starts_at > utcnow())):
        invite_everyone(meeting)
    queued = len(rows())
    assert queued >= 3

    with smtp_server(int(mail["SMTP_PORT"])) as (inbox, _):
        original = inbox.handle_DATA

        async def slow_data(*args):  # so that the two senders overlap
            await asyncio.sleep(0.05)
            return await original(*args)

        inbox.handle_DATA = slow_data
        start, errors = threading.Barrier(2), []

        def sender():
            try:
                with app.app_context():
                    start.wait()
                    send_due()
            except Exception as error:  # noqa: BLE001  (reported by the assert below)
                errors.append(error)

        threads = [threading.Thread(target=sender) for _ in range(2)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(60)
        assert errors == []
        assert len(inbox.messages) == queued
        assert len({m["Message-ID"] for m in inbox.messages}) == queued
    assert {r.status for r in rows()} == {"sent"}


def test_a_long_batch_keeps_each_claim_for_a_lease_from_when_it_was_claimed(mail, app,
                                                                          monkeypatch):
    # One sender's batch takes longer than a lease (a slow mail server); a second sender
    # starting then must not take the message the first one claimed last and is sending.
    monkeypatch.setitem(app.config, "OUTBOX_CLAIM_SECONDS", 1)
    invite_everyone(antwerp())
    queued = len(rows())
    assert queued == 3
    with smtp_server(int(mail["SMTP_PORT"])) as (inbox, _):
        original = inbox.handle_DATA

        async def slow_data(*args):
            await asyncio.sleep(0.45)
            return await original(*args)

        inbox.handle_DATA = slow_data
        errors = []

        def sender(wait: float):
            try:
                with app.app_context():
                    threading.Event().wait(wait)
                    send_due()
            except Exception as error:  # noqa: BLE001  (reported by the assert below)
                errors.append(error)

        # The second starts when the first has sent two (0.9 s) and claimed the third:
        # past a lease counted from the first one's start, within one from its claim.
        threads = [threading.Thread(target=sender, args=(wait,)) for wait in (0, 1.15)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(60)
        assert errors == []
        assert sorted(m["Message-ID"] for m in inbox.messages) == sorted(
            r.message_id for r in rows())  # each once
    assert {r.status for r in rows()} == {"sent"}


def test_a_claimed_message_waits_until_its_claim_expires(server):
    invite_everyone(antwerp())
    claimed = rows()[0]
    claimed.status, claimed.next_attempt_at = "sending", utcnow() + LEASE
    db.session.commit()
    assert send_due().sent == 2  # another sender holds the first one
    assert [r.status for r in rows()] == ["sending", "sent", "sent"]
    assert send_due(now=utcnow() + LEASE + timedelta(seconds=1)).sent == 1  # it died
    assert len(server.messages) == 3


def test_a_refused_address_fails_alone_and_can_be_retried(server, app):
    server.refuse[OBSERVER_EUROPOL] = "550 5.1.1 No such mailbox here"
    invite_everyone(antwerp())
    report = send_due()
    assert (report.sent, report.failed) == (2, 1)
    (failed,) = rows(status="failed")
    assert failed.recipient == OBSERVER_EUROPOL and "550" in failed.last_error

    runner = app.test_cli_runner()
    status = runner.invoke(args=["outbox", "status"])
    assert "2 sent, 1 failed" in status.output and OBSERVER_EUROPOL in status.output
    server.refuse.clear()
    assert "1 message(s) queued again" in runner.invoke(args=["outbox", "retry"]).output
    result = runner.invoke(args=["outbox", "send"])
    assert result.exit_code == 0 and "1 sent" in result.output
    assert len(server.to(OBSERVER_EUROPOL)) == 1


def test_a_mailbox_that_says_try_later_is_tried_later_the_others_go_now(server):
    server.refuse[DELEGATE_NL] = "451 4.2.1 Mailbox busy, try again later"
    invite_everyone(antwerp())
    now = utcnow()
    report = send_due(now=now)
    assert (report.sent, report.deferred, report.failed) == (2, 1, 0)
    (waiting,) = rows(status="pending")
    assert waiting.recipient == DELEGATE_NL and "451" in waiting.last_error
    assert waiting.next_attempt_at == now + timedelta(minutes=1)
    del server.refuse[DELEGATE_NL]
    assert send_due(now=now + timedelta(minutes=1)).sent == 1
    assert len(server.to(DELEGATE_NL)) == 1 and len(server.messages) == 3


def test_the_cli_refuses_to_send_without_a_mail_server_and_keeps_the_mail(mail, app):
    invite_everyone(antwerp())
    mail["SMTP_HOST"] = None
    result = app.test_cli_runner().invoke(args=["outbox", "send"])
    assert result.exit_code != 0
    assert "PLANNER_SMTP_HOST is not set" in result.output
    assert {r.status for r in rows()} == {"pending"}


@pytest.mark.parametrize(("setting", "value", "message"), [
    ("SMTP_TLS", "maybe", "PLANNER_SMTP_TLS='maybe' is not understood"),
    ("SMTP_PORT", "twenty-five", "PLANNER_SMTP_PORT='twenty-five' is not a port number"),
    ("MAIL_FROM", "the secretariat", "PLANNER_MAIL_FROM='the secretariat' is not an e-mail"),
])
def test_bad_mail_settings_get_a_clear_message(mail, setting, value, message):
    mail[setting] = value
    with pytest.raises(ConfigurationError, match=message):
        send_due()


def test_invites_go_out_by_the_job_their_commit_queues(mail, app, sign_in):
    # The tests' queue runs a job where it is queued (PLANNER_QUEUE_URL=immediate); a
    # worker runs it in tests/test_jobs.py and tests/test_deployment.py.
    mail["OUTBOX_SEND_AFTER_COMMIT"] = True
    with smtp_server(int(mail["SMTP_PORT"])) as (inbox, _):
        client = sign_in(CHAIR_COALITION)
        meeting_id = antwerp().id
        response = client.post(f"/meetings/{meeting_id}/invites", data={
            "csrf_token": csrf_token(client, f"/meetings/{meeting_id}")})
        assert response.status_code == 302
        assert len(inbox.messages) == 3
    assert {r.status for r in rows()} == {"sent"}


def test_a_sensitive_meetings_invite_names_only_title_time_link_and_the_reader(server):
    meeting = antwerp()
    meeting.classification = "OFFICIAL-SENSITIVE"
    meeting.venue = "Port House, Zaha Hadidplein 1"
    db.session.commit()
    invite_everyone(meeting)
    send_due()
    (invite,) = server.to(DELEGATE_NL)
    for body in (invite.get_body(("plain",)).get_content(),
                 invite.get_body(("html",)).get_content(), calendar_part(invite)[1].decode()):
        assert "Port House" not in body and "Coalition of European" not in body
        assert f"{SITE}/meetings/{meeting.id}" in body
        assert CHAIR_COALITION not in body and OBSERVER_EUROPOL not in body
    _, event = event_of(invite)
    assert str(event["ATTENDEE"]) == f"mailto:{DELEGATE_NL}"
    assert "LOCATION" not in event


def test_nothing_is_sent_twice_when_a_meeting_is_cancelled_twice(server):
    invite_everyone(antwerp())
    send_due()
    cancel_meeting(antwerp(), by=person(SECRETARIAT), reason="Postponed")
    db.session.commit()
    with pytest.raises(InvalidInput):
        cancel_meeting(antwerp(), by=person(SECRETARIAT), reason="Again")
    db.session.rollback()
    send_due()
    assert db.session.scalar(select(func.count()).select_from(OutboxMessage).where(
        OutboxMessage.kind == InviteKind.CANCEL.message_kind)) == 3
    assert len(server.messages) == 6


def test_an_invite_gives_the_time_in_the_readers_zone_when_it_differs(server):
    london = db.session.scalar(select(Meeting).where(Meeting.city == "London")
                               .order_by(Meeting.starts_at).limit(1))
    invite_everyone(london)
    send_due()
    local = london.starts_at.astimezone(ZoneInfo("Europe/Tirane"))
    (invite,) = server.to(DELEGATE_AL)  # reads in Tirana's time
    assert "Your time (Europe/Tirane): " in invite.get_body(("plain",)).get_content()
    assert f"{local:%H:%M}" in invite.get_body(("plain",)).get_content().split("Your time")[1]
    (chair,) = server.to("chair.ukal@example.org")  # reads in London's
    assert "Your time" not in chair.get_body(("plain",)).get_content()


def test_mail_settings_come_from_the_environment(monkeypatch, tmp_path):
    from planner import create_app
    from planner.outbox.smtp import SmtpSettings

    for name, value in {
        "PLANNER_SMTP_HOST": "smtp.example.org", "PLANNER_SMTP_TLS": "ssl",
        "PLANNER_SMTP_USERNAME": "planner", "PLANNER_SMTP_PASSWORD": "s3cret",
        "PLANNER_MAIL_FROM": "Secretariat <noreply@example.org>",
        "PLANNER_MAIL_ORGANIZER": "Secretariat <dialogues@example.org>",
    }.items():
        monkeypatch.setenv(name, value)
    monkeypatch.delenv("PLANNER_SMTP_PORT", raising=False)
    app = create_app({"TESTING": True, "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path}/m.db"})
    settings = SmtpSettings.from_config(app.config)
    assert (settings.host, settings.port, settings.tls) == ("smtp.example.org", 465, "ssl")
    assert (settings.username, settings.password) == ("planner", "s3cret")
    assert settings.envelope_from == "noreply@example.org"
    assert settings.organizer == "Secretariat <dialogues@example.org>"
    with app.app_context():
        from planner.calendar.ics import organizer

        assert str(organizer()) == "mailto:dialogues@example.org"
