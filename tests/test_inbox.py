"""Answers to invites that come back by e-mail: replies in the shapes Outlook, Google
Calendar, Apple Calendar and Thunderbird send, read from a real IMAP server (Dovecot on
127.0.0.1, one per module), matched and recorded as an answer on the website; what
cannot be matched listed with its reason; the next update carries the PARTSTAT."""

from __future__ import annotations

import io
import subprocess
import uuid
from datetime import UTC, timedelta
from email.message import EmailMessage
from email.utils import format_datetime

import pytest
import vobject
from sqlalchemy import select

from planner.calendar.operations import invitation, send_invites
from planner.config import ConfigurationError
from planner.extensions import db
from planner.inbox import MailboxUnavailable, poll_inbox
from planner.inbox.operations import receive
from planner.models import (
    AuditEvent,
    CalendarReply,
    Meeting,
    OutboxMessage,
    Person,
    ReplyProblem,
    ReplySource,
    ReplyStatus,
    utcnow,
)
from planner.scheduling.operations import cancel_meeting, reschedule_meeting
from tests.calendar_support import free_port, parse
from tests.conftest import CHAIR_COALITION, DELEGATE_NL, OBSERVER_EUROPOL, SECRETARIAT, csrf_token
from tests.inbox_support import dovecot, fixture

SITE = "https://planner.example.org"
ORGANIZER = "secretariat@planner.example"


@pytest.fixture(scope="module")
def imap():
    with dovecot() as server:
        yield server


@pytest.fixture
def inbox(app, demo, imap):
    imap.empty()
    app.config.update(MAIL_INBOX_URL=imap.url(), MAIL_FROM=f"Dialogue Secretariat <{ORGANIZER}>",
                      BASE_URL=SITE, OUTBOX_SEND_AFTER_COMMIT=False)
    return imap


def person(email: str) -> Person:
    return db.session.scalar(select(Person).where(Person.email == email))


def antwerp() -> Meeting:
    return db.session.scalar(select(Meeting).where(Meeting.city == "Antwerp")
                             .order_by(Meeting.starts_at).limit(1))


def invite_everyone(meeting: Meeting) -> None:
    send_invites(meeting, by=person(SECRETARIAT))
    db.session.commit()


def values(meeting: Meeting, who: Person, **overrides) -> dict:
    now = utcnow()
    proposed = meeting.starts_at + timedelta(days=7)
    return {
        "UID": meeting.uid, "SEQUENCE": meeting.sequence, "TITLE": meeting.title,
        "ATTENDEE": who.email, "ATTENDEE_UPPER": who.email.upper(), "NAME": who.name,
        "FROM": who.email, "ORGANIZER": ORGANIZER,
        "LOCAL_START": meeting.local_start.strftime("%Y%m%dT%H%M%S"),
        "LOCAL_END": meeting.local_end.strftime("%Y%m%dT%H%M%S"),
        "UTC_START": meeting.starts_at.strftime("%Y%m%dT%H%M%SZ"),
        "UTC_END": meeting.ends_at.strftime("%Y%m%dT%H%M%SZ"),
        "PROPOSED_START": proposed.strftime("%Y%m%dT%H%M%SZ"),
        "PROPOSED_END": (proposed + (meeting.ends_at - meeting.starts_at)).strftime(
            "%Y%m%dT%H%M%SZ"),
        "DTSTAMP": now.strftime("%Y%m%dT%H%M%SZ"), "DATE": format_datetime(now),
        "MESSAGE_ID": uuid.uuid4().hex, **overrides,
    }


def replies() -> list[CalendarReply]:
    db.session.expire_all()
    return list(db.session.scalars(select(CalendarReply).order_by(CalendarReply.id)))


def answer_of(meeting: Meeting, email: str):
    db.session.expire_all()
    invitee = invitation(meeting, person(email))
    return invitee.response, invitee.response_comment


@pytest.mark.parametrize(("shape", "partstat", "comment"), [
    ("outlook-reply.eml", "ACCEPTED", "I will bring the port authority's figures."),
    ("google-reply.eml", "TENTATIVE", "Only for the morning session"),
    ("apple-reply.eml", "DECLINED", "Our minister travels that week; our deputy will write "
                                    "to you."),
    ("thunderbird-reply.eml", "ACCEPTED", "Count me in, with one adviser (Hélène Martin)."),
])
def test_each_calendar_apps_reply_is_recorded_as_an_answer_on_the_website(
        inbox, shape, partstat, comment):
    meeting = antwerp()
    invite_everyone(meeting)
    inbox.deliver(fixture(shape, **values(meeting, person(DELEGATE_NL))))

    report = poll_inbox()

    assert (report.read, report.applied, report.unmatched, report.moved) == (1, 1, 0, 1)
    assert report.errors == []
    assert answer_of(meeting, DELEGATE_NL) == (partstat, comment)
    assert answer_of(meeting, CHAIR_COALITION)[0] == "NEEDS-ACTION"
    # The same audit entry as an answer on the website, by the delegate, saying how.
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "meeting.responded"))
    assert event.actor_email == DELEGATE_NL
    assert event.details["via"] == "calendar reply"
    assert event.details["after"] == partstat and event.details["comment"] == comment
    # Done with: moved to the processed folder, still unread for whoever reads the mailbox.
    assert inbox.messages("INBOX") == []
    assert len(inbox.messages("Processed")) == 1
    assert inbox.seen("Processed") == 0
    assert poll_inbox().read == 0


def test_what_cannot_be_matched_stays_in_the_mailbox_and_is_listed_with_its_reason(
        inbox, sign_in):
    meeting = antwerp()
    invite_everyone(meeting)
    delegate = person(DELEGATE_NL)
    good = fixture("outlook-reply.eml", **values(meeting, delegate))
    forged = fixture("apple-reply.eml", **values(meeting, delegate,
                                                 FROM="delegate.nl@attacker.example"))
    unknown = fixture("google-reply.eml", **values(meeting, delegate,
                                                   UID="0123-not-ours@calendar.google.com"))
    # The calendar part cut short: its event never ends.
    broken = fixture("thunderbird-reply.eml", **values(meeting, delegate)).replace(
        b"END:VEVENT\r\n", b"", 1)
    large = _large_reply(meeting, delegate)
    not_an_answer = (b"From: Someone <someone@example.net>\r\nSubject: Lunch?\r\n"
                     b"Message-ID: <lunch@example.net>\r\n\r\nAre you free on Friday?\r\n")
    inbox.deliver(good, forged, unknown, broken, large, not_an_answer)

    report = poll_inbox()

    assert (report.read, report.applied, report.unmatched, report.moved) == (6, 1, 5, 1)
    assert report.errors == []
    assert answer_of(meeting, DELEGATE_NL)[0] == "ACCEPTED"  # the forged DECLINED is not
    waiting = {r.problem: r for r in replies() if r.status == ReplyStatus.UNMATCHED}
    assert set(waiting) == {ReplyProblem.SENDER_MISMATCH, ReplyProblem.UNKNOWN_UID,
                            ReplyProblem.MALFORMED, ReplyProblem.TOO_LARGE,
                            ReplyProblem.NOT_A_REPLY}
    assert waiting[ReplyProblem.SENDER_MISMATCH].sender == "delegate.nl@attacker.example"
    too_large = waiting[ReplyProblem.TOO_LARGE]
    assert too_large.raw is None and too_large.size > 10 * 1024 * 1024
    assert "Subject: Minutes and annexes" in too_large.headers
    assert len(inbox.messages("INBOX")) == 5 and len(inbox.messages("Processed")) == 1

    # Read once: the next poll adds nothing.
    again = poll_inbox()
    assert (again.read, again.moved, len(replies())) == (0, 0, 6)

    page = sign_in(SECRETARIAT).get("/answers").get_data(as_text=True)
    for label in ("Sender does not match the attendee", "Unknown meeting (UID)",
                  "Malformed calendar part", "Too large", "Not a calendar answer"):
        assert label in page
    assert "delegate.nl@attacker.example" in page and "0123-not-ours@calendar.google.com" in page


def _large_reply(meeting: Meeting, who: Person) -> bytes:
    """A real answer, but with 10.5 MB of annexes attached."""
    message = EmailMessage()
    message["From"] = who.email
    message["To"] = ORGANIZER
    message["Subject"] = "Minutes and annexes"
    message["Message-ID"] = f"<{uuid.uuid4().hex}@example.org>"
    message.set_content("Accepted, and the annexes.")
    message.add_attachment(fixture("outlook-reply.ics", **values(meeting, who)),
                           maintype="text", subtype="calendar", params={"method": "REPLY"})
    message.add_attachment(b"\0" * (10 * 1024 * 1024 + 512 * 1024), maintype="application",
                           subtype="octet-stream", filename="annexes.bin")
    return message.as_bytes()


def test_the_secretariat_confirms_a_sender_and_the_next_poll_moves_the_message(inbox, sign_in):
    meeting = antwerp()
    invite_everyone(meeting)
    # Sent from the delegate's private address: not the one the invite went to.
    inbox.deliver(fixture("apple-reply.eml", **values(meeting, person(DELEGATE_NL),
                                                      FROM="jan.private@example.net")))
    assert poll_inbox().unmatched == 1
    (reply,) = replies()
    assert reply.problem == ReplyProblem.SENDER_MISMATCH

    client = sign_in(SECRETARIAT)
    token = csrf_token(client, "/answers")
    response = client.post(f"/answers/{reply.id}/confirm", data={"csrf_token": token})
    assert response.status_code == 302
    assert answer_of(meeting, DELEGATE_NL)[0] == "DECLINED"
    assert replies()[0].status == ReplyStatus.APPLIED
    confirmed = db.session.scalar(select(AuditEvent).where(
        AuditEvent.action == "meeting.responded"))
    assert confirmed.details["confirmed_by"] == SECRETARIAT
    # Confirming twice is refused with a message, not a 500.
    again = client.post(f"/answers/{reply.id}/confirm", data={"csrf_token": token})
    assert again.status_code == 400
    assert "can be confirmed" in again.get_data(as_text=True)

    report = poll_inbox()
    assert (report.read, report.moved) == (0, 1)
    assert inbox.messages("INBOX") == []


def test_round_trip_invite_reply_and_the_update_carries_the_partstat(inbox):
    meeting = antwerp()
    invite_everyone(meeting)
    sent = db.session.scalar(select(OutboxMessage).where(OutboxMessage.recipient == DELEGATE_NL))
    # The delegate's calendar app answers the invite it got, as RFC 5546 says: METHOD:REPLY,
    # the same UID and SEQUENCE, only their own ATTENDEE line, with their PARTSTAT.
    calendar = parse(sent.calendar)
    calendar["METHOD"] = "REPLY"
    event = calendar.walk("VEVENT")[0]
    own = [a for a in event["ATTENDEE"] if str(a).lower() == f"mailto:{DELEGATE_NL}"]
    own[0].params["PARTSTAT"] = "ACCEPTED"
    event.pop("ATTENDEE")
    event.add("ATTENDEE", own[0])
    reply = EmailMessage()
    reply["From"] = f"Delegate <{DELEGATE_NL}>"
    reply["To"] = ORGANIZER
    reply["Subject"] = f"Accepted: {meeting.title}"
    reply["Message-ID"] = f"<{uuid.uuid4().hex}@example.org>"
    reply.set_content("Accepted")
    reply.add_alternative(calendar.to_ical(), maintype="text", subtype="calendar",
                          params={"method": "REPLY"})
    inbox.deliver(reply.as_bytes())
    assert poll_inbox().applied == 1

    meeting = antwerp()
    reschedule_meeting(meeting, starts_at=meeting.starts_at + timedelta(days=7),
                       ends_at=meeting.ends_at + timedelta(days=7), by=person(SECRETARIAT),
                       reason="The port authority's hall")
    db.session.commit()
    update = db.session.scalars(select(OutboxMessage).where(
        OutboxMessage.recipient == DELEGATE_NL).order_by(OutboxMessage.id.desc())).first()
    assert update.kind == "meeting.update"
    # Read back with two independent parsers: icalendar and vobject.
    event = parse(update.calendar).walk("VEVENT")[0]
    assert event["SEQUENCE"] == 1
    assert {str(a).lower(): a.params["PARTSTAT"] for a in event["ATTENDEE"]} == {
        f"mailto:{DELEGATE_NL}": "ACCEPTED", f"mailto:{CHAIR_COALITION}": "NEEDS-ACTION",
        f"mailto:{OBSERVER_EUROPOL}": "NEEDS-ACTION"}
    second = vobject.readOne(update.calendar)
    partstats = {a.value.lower(): a.params["PARTSTAT"][0]
                 for a in second.vevent.contents["attendee"]}
    assert partstats[f"mailto:{DELEGATE_NL}"] == "ACCEPTED"

    # An answer to the first invite (SEQUENCE 0) that arrives now is kept, not applied.
    late = fixture("google-reply.eml", **values(meeting, person(CHAIR_COALITION), SEQUENCE=0))
    inbox.deliver(late)
    assert poll_inbox().unmatched == 1
    assert replies()[-1].problem == ReplyProblem.OLD_SEQUENCE
    assert answer_of(meeting, CHAIR_COALITION)[0] == "NEEDS-ACTION"


def _receive(name: str, meeting: Meeting, who: Person, **overrides) -> CalendarReply:
    reply = receive(fixture(name, **values(meeting, who, **overrides)),
                    source=ReplySource.MAILBOX)
    db.session.commit()
    return reply


def test_a_counter_is_a_proposal_never_applied(app, demo):
    meeting = antwerp()
    reply = _receive("counter.eml", meeting, person(DELEGATE_NL))
    assert reply.status == ReplyStatus.PROPOSAL
    assert reply.proposed_start == (meeting.starts_at + timedelta(days=7)).astimezone(UTC)
    assert reply.comment == "Could we start a week later?"
    assert answer_of(meeting, DELEGATE_NL)[0] == "NEEDS-ACTION"
    db.session.refresh(meeting)
    assert meeting.sequence == 0


def test_an_answer_for_a_cancelled_meeting_is_kept_not_applied(app, demo):
    meeting = antwerp()
    cancel_meeting(meeting, by=person(SECRETARIAT), reason="Postponed to the autumn")
    db.session.commit()
    reply = _receive("thunderbird-reply.eml", meeting, person(DELEGATE_NL))
    assert (reply.status, reply.problem) == (ReplyStatus.UNMATCHED,
                                             ReplyProblem.CANCELLED_MEETING)
    assert answer_of(meeting, DELEGATE_NL)[0] == "NEEDS-ACTION"


def test_an_attendee_not_invited_is_not_recorded(app, demo):
    meeting = antwerp()
    stranger = person(SECRETARIAT)
    reply = _receive("outlook-reply.eml", meeting, stranger)
    assert reply.problem == ReplyProblem.UNKNOWN_ATTENDEE
    assert stranger.email in reply.detail


def test_upload_on_the_page(inbox, sign_in):
    meeting = antwerp()
    client = sign_in(SECRETARIAT)
    token = csrf_token(client, "/answers")
    ics = fixture("apple-reply.ics", **values(meeting, person(DELEGATE_NL))).decode()
    # A calendar file on its own has no sender: kept until the secretariat confirms it.
    response = client.post("/answers", data={"csrf_token": token, "message": ics})
    assert response.status_code == 302
    (reply,) = replies()
    assert (reply.source, reply.problem) == (ReplySource.UPLOAD, ReplyProblem.SENDER_MISMATCH)
    assert "has no sender" in reply.detail
    # The same again is refused next to the field, as is something that is no answer.
    again = client.post("/answers", data={"csrf_token": token, "message": ics})
    assert again.status_code == 400
    assert "already received" in again.get_data(as_text=True)
    wrong = client.post("/answers", data={"csrf_token": token, "message": "Hello, world"})
    assert wrong.status_code == 400
    assert "no calendar part" in wrong.get_data(as_text=True)
    empty = client.post("/answers", data={"csrf_token": token})
    assert empty.status_code == 400
    assert "Paste the message" in empty.get_data(as_text=True)
    assert len(replies()) == 1
    # An .eml file from the right sender is recorded straight away.
    eml = fixture("google-reply.eml", **values(meeting, person(CHAIR_COALITION)))
    response = client.post("/answers", data={"csrf_token": token,
                                             "file": (io.BytesIO(eml), "a.eml")},
                           content_type="multipart/form-data")
    assert response.status_code == 302
    assert answer_of(meeting, CHAIR_COALITION) == ("TENTATIVE", "Only for the morning session")


def test_the_meeting_page_and_the_draft_agenda_show_who_answered(inbox, sign_in):
    meeting = antwerp()
    invite_everyone(meeting)
    inbox.deliver(fixture("outlook-reply.eml", **values(meeting, person(DELEGATE_NL))),
                  fixture("apple-reply.eml", **values(meeting, person(OBSERVER_EUROPOL))))
    assert poll_inbox().applied == 2
    client = sign_in(CHAIR_COALITION)
    page = client.get(f"/meetings/{meeting.id}").get_data(as_text=True)
    assert "1 accepted, 0 may attend, 1 declined, 1 not answered" in page
    assert "Europol" in page and "I will bring the port authority&#39;s figures." in page
    client.post(f"/meetings/{meeting.id}/agenda/build",
                data={"csrf_token": csrf_token(client, f"/meetings/{meeting.id}")})
    draft = client.get(f"/meetings/{meeting.id}/agenda/draft").get_data(as_text=True)
    assert "1 accepted, 0 may attend, 1 declined, 1 not answered" in draft


def test_settings_and_a_server_out_of_reach_get_a_one_line_message(app, demo, imap):
    app.config["MAIL_INBOX_URL"] = None
    with pytest.raises(ConfigurationError, match="PLANNER_MAIL_INBOX_URL is not set"):
        poll_inbox()
    app.config["MAIL_INBOX_URL"] = "pop3://user:pw@127.0.0.1/INBOX"
    with pytest.raises(ConfigurationError, match="imaps:// or imap://"):
        poll_inbox()
    app.config["MAIL_INBOX_URL"] = imap.url().replace("imap-test-password", "wrong")
    with pytest.raises(ConfigurationError, match="refused the user name or password"):
        poll_inbox()
    app.config["MAIL_INBOX_URL"] = imap.url(folder="Nowhere")
    with pytest.raises(ConfigurationError, match="no folder 'Nowhere'"):
        poll_inbox()
    app.config["MAIL_INBOX_URL"] = f"imap://u:p@127.0.0.1:{free_port()}/INBOX"
    with pytest.raises(MailboxUnavailable, match="cannot be reached"):
        poll_inbox()
    result = app.test_cli_runner().invoke(args=["inbox", "poll"])
    assert result.exit_code == 1
    assert "cannot be reached" in result.output


def test_the_cli_polls_once_and_prints_the_report(inbox, app):
    meeting = antwerp()
    invite_everyone(meeting)
    inbox.deliver(fixture("thunderbird-reply.eml", **values(meeting, person(DELEGATE_NL))))
    result = app.test_cli_runner().invoke(args=["inbox", "poll"])
    assert result.exit_code == 0, result.output
    assert ("Inbox: 1 read, 1 answers recorded, 0 proposals, 0 not matched, 1 moved."
            in result.output)


def test_the_worker_job_polls_the_mailbox_one_worker_at_a_time(inbox, app):
    from planner.jobs import jobs_of
    from planner.models import FailedJob

    meeting = antwerp()
    invite_everyone(meeting)
    inbox.deliver(fixture("outlook-reply.eml", **values(meeting, person(DELEGATE_NL))))
    jobs = jobs_of(app)
    # Another worker is polling: this turn is skipped, nothing read, nothing failed.
    with jobs.exclusive("inbox.poll", seconds=60):
        assert jobs.huey.execute(jobs.tasks["inbox.poll"].s()) is None
    assert len(inbox.messages("INBOX")) == 1
    assert db.session.scalar(select(FailedJob)) is None
    # Its lease given back, the next turn reads the answer.
    assert jobs.huey.execute(jobs.tasks["inbox.poll"].s()).startswith("1 read, 1 answers")
    assert answer_of(meeting, DELEGATE_NL)[0] == "ACCEPTED"
    # A lease whose holder died (expired) does not block the poll for ever.
    jobs.huey.put("lease:inbox.poll", 0.0)
    assert jobs.huey.execute(jobs.tasks["inbox.poll"].s()).startswith("0 read")


def test_imaps_and_starttls_verify_the_servers_certificate(app, demo, tmp_path, monkeypatch):
    """imaps:// speaks TLS from the start, imap:// upgrades with STARTTLS where offered;
    both check the certificate against the system's trust store (here SSL_CERT_FILE)."""
    cert, key = tmp_path / "cert.pem", tmp_path / "key.pem"
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1",
                    "-keyout", str(key), "-out", str(cert), "-subj", "/CN=127.0.0.1",
                    "-addext", "subjectAltName=IP:127.0.0.1"], check=True, capture_output=True)
    key.chmod(0o644)  # Dovecot reads it after dropping privileges
    with dovecot(certificate=(cert, key)) as server:
        meeting = antwerp()
        invite_everyone(meeting)
        server.deliver(fixture("outlook-reply.eml", **values(meeting, person(DELEGATE_NL))))
        for scheme in ("imaps", "imap"):
            app.config["MAIL_INBOX_URL"] = server.url(scheme)
            monkeypatch.delenv("SSL_CERT_FILE", raising=False)
            with pytest.raises(MailboxUnavailable, match="CERTIFICATE_VERIFY_FAILED"):
                poll_inbox()
        monkeypatch.setenv("SSL_CERT_FILE", str(cert))
        app.config["MAIL_INBOX_URL"] = server.url("imap")
        assert poll_inbox().applied == 1
        app.config["MAIL_INBOX_URL"] = server.url("imaps")
        assert poll_inbox().read == 0
    assert answer_of(meeting, DELEGATE_NL)[0] == "ACCEPTED"
