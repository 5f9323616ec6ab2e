"""Background work in a real `planner worker` process: invites sent by the job their
commit queues, retried with back-off while the mail server is down and delivered once
when it is back, jobs that fail for good shown on /jobs and run again from there, and
the request id that queued a job in the job's log lines."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest
from sqlalchemy import func, select

from planner.extensions import db
from planner.jobs import jobs_of
from planner.jobs.engine import PERIODIC
from planner.models import FailedJob, FailedJobStatus, Meeting, OutboxMessage, utcnow
from tests.calendar_support import free_port, smtp_server
from tests.conftest import CHAIR_COALITION, SECRETARIAT, csrf_token, login
from tests.jobs_support import redis_server, use_queue, wait_until, worker

ORGANIZER = "secretariat@planner.example"


@pytest.fixture
def queued(app, demo, tmp_path):
    """The app's jobs on a queue in a file (as `make run` has), mail to 127.0.0.1."""
    app.config.update(SMTP_HOST="127.0.0.1", SMTP_PORT=str(free_port()), SMTP_TLS="none",
                      MAIL_FROM=f"Dialogue Secretariat <{ORGANIZER}>",
                      BASE_URL="https://planner.example.org", OUTBOX_SEND_AFTER_COMMIT=True)
    use_queue(app, f"sqlite:///{tmp_path / 'queue.db'}")
    yield app
    use_queue(app, "immediate")


def antwerp_id() -> int:
    return db.session.scalar(select(Meeting.id).where(Meeting.city == "Antwerp")
                             .order_by(Meeting.starts_at).limit(1))


def send_invites(client, meeting_id: int, request_id: str | None = None) -> None:
    headers = {"X-Request-ID": request_id} if request_id else {}
    response = client.post(f"/meetings/{meeting_id}/invites", headers=headers, data={
        "csrf_token": csrf_token(client, f"/meetings/{meeting_id}")})
    assert response.status_code == 302
    if request_id:
        assert response.headers["X-Request-ID"] == request_id


def statuses() -> dict[str, int]:
    db.session.expire_all()
    rows = db.session.execute(select(OutboxMessage.status, func.count())
                              .group_by(OutboxMessage.status)).all()
    db.session.rollback()
    return dict(rows)


def test_the_worker_sends_what_a_request_queued_and_logs_it_under_its_request_id(
        queued, sign_in, tmp_path):
    log = tmp_path / "worker.log"
    with smtp_server(int(queued.config["SMTP_PORT"])) as (inbox, _):
        client = sign_in(CHAIR_COALITION)
        send_invites(client, antwerp_id(), request_id="req-invites-42")
        # Nothing was sent by the request itself: the job waits for a worker.
        assert statuses() == {"pending": 3} and inbox.messages == []
        with worker(queued, log, PLANNER_LOG_FORMAT="json"):
            wait_until(lambda: statuses() == {"sent": 3}, what="the worker to send")
        assert len(inbox.messages) == 3
        assert len({m["Message-ID"] for m in inbox.messages}) == 3
    lines = [json.loads(line) for line in log.read_text().splitlines()
             if line.startswith("{")]
    # The job the request queued logs under the request's id (the minute's turn, which
    # may take some of the messages first, under a job id of its own).
    sent = [line for line in lines if line["logger"] == "planner.jobs.tasks"
            and line["request_id"] == "req-invites-42"]
    assert sent and " sent, " in sent[0]["message"]
    assert {"time", "level", "logger", "message"} <= set(sent[0])


@pytest.fixture
def redis_url():
    with redis_server() as port:
        yield f"redis://127.0.0.1:{port}/1"


def test_the_queue_can_live_in_redis(queued, sign_in, tmp_path, redis_url):
    use_queue(queued, redis_url)
    with smtp_server(int(queued.config["SMTP_PORT"])) as (inbox, _):
        client = sign_in(CHAIR_COALITION)
        send_invites(client, antwerp_id())
        assert statuses() == {"pending": 3}
        with worker(queued, tmp_path / "worker.log"):
            wait_until(lambda: statuses() == {"sent": 3}, what="the worker to send")
        assert len(inbox.messages) == 3
    assert client.get("/healthz/ready").get_json()["checks"]["queue"] == "ok"


def test_mail_server_down_then_back_every_message_once_none_lost(queued, sign_in, tmp_path):
    port = int(queued.config["SMTP_PORT"])  # nothing listens there yet
    client = sign_in(CHAIR_COALITION)
    send_invites(client, antwerp_id())
    with worker(queued, tmp_path / "worker.log", PLANNER_OUTBOX_RETRY_SECONDS="1"):
        # Refused, then tried again by the job's own follow-ups (1 s, 2 s, ...).
        def retried_twice():
            db.session.expire_all()
            tries = db.session.scalars(select(OutboxMessage.attempts)).all()
            db.session.rollback()
            return tries and min(tries) >= 2
        wait_until(retried_twice, what="two refused tries of each message")
        assert statuses() == {"pending": 3}
        with smtp_server(port) as (inbox, _):
            wait_until(lambda: statuses() == {"sent": 3}, seconds=40,
                       what="delivery once the server is back")
            recipients = sorted(to for _, tos in inbox.envelopes for to in tos)
    assert len(recipients) == 3 and len(set(recipients)) == 3  # each exactly once
    secretariat = queued.test_client()
    login(secretariat, SECRETARIAT)
    page = secretariat.get("/jobs").get_data(as_text=True)
    assert "None: every e-mail was sent or is still being tried." in page
    assert db.session.scalar(select(func.count()).select_from(FailedJob)) == 0


def test_a_job_that_fails_for_good_is_shown_and_run_again_from_the_page(
        queued, sign_in, tmp_path):
    queued.config["SMTP_TLS"] = "carrier-pigeon"  # every try of outbox.send fails
    queued.config["JOB_RETRY_SECONDS"] = 0  # retries at once (a job carries its settings)
    use_queue(queued, queued.config["QUEUE_URL"])
    client = sign_in(CHAIR_COALITION)
    send_invites(client, antwerp_id())
    with worker(queued, tmp_path / "worker.log"):
        sending = select(FailedJob).where(FailedJob.name == "outbox.send")
        failed = wait_until(lambda: db.session.scalar(sending), what="the dead letter")
        assert failed.attempts == 6  # 1 + 5 retries
        # The minute's turn (no retries of its own: the next turn is one) failed too.
        assert db.session.scalar(select(FailedJob.name).where(
            FailedJob.name == "outbox.retry")) == "outbox.retry"
        assert "PLANNER_SMTP_TLS='carrier-pigeon' is not understood" in failed.error
        secretariat = queued.test_client()
        login(secretariat, SECRETARIAT)
        page = secretariat.get("/jobs").get_data(as_text=True)
        assert "outbox.send" in page and "carrier-pigeon" in page
        assert statuses() == {"pending": 3}  # nothing lost: the e-mails wait
        response = secretariat.post(f"/jobs/{failed.id}/retry",
                                    data={"csrf_token": csrf_token(secretariat, "/jobs")})
        assert response.status_code == 302
        db.session.expire_all()
        assert db.session.get(FailedJob, failed.id).status == FailedJobStatus.RETRIED
        # Run again, it fails again (the setting is still wrong): shown anew.
        wait_until(lambda: db.session.scalar(
            sending.where(FailedJob.status == "failed").execution_options(
                populate_existing=True)), what="the second failure")


def test_dismissing_a_failed_job_keeps_it_in_the_record(app, demo, sign_in):
    failed = FailedJob(name="actions.remind", arguments="{}", error="OperationalError: down")
    db.session.add(failed)
    db.session.commit()
    client = sign_in(SECRETARIAT)
    token = csrf_token(client, "/jobs")
    assert client.post(f"/jobs/{failed.id}/dismiss", data={"csrf_token": token}).status_code == 302
    assert "OperationalError" not in client.get("/jobs").get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(FailedJob, failed.id).status == FailedJobStatus.DISMISSED
    # A second press (another tab) says so instead of failing.
    response = client.post(f"/jobs/{failed.id}/dismiss", data={"csrf_token": token},
                           follow_redirects=True)
    assert "already run again or dismissed" in response.get_data(as_text=True)


def test_failed_emails_are_sent_again_from_the_page(app, demo, sign_in):
    from planner.outbox import queue_message

    message = queue_message(kind="test", recipient="nobody@example.org", subject="Hello",
                            text_body="Hi")
    message.status, message.attempts = "failed", 20
    message.last_error = "SMTPRecipientsRefused: 550 no such user"
    db.session.commit()
    client = sign_in(SECRETARIAT)
    page = client.get("/jobs").get_data(as_text=True)
    assert "550 no such user" in page and "nobody@example.org" in page
    response = client.post("/jobs/messages/retry", follow_redirects=True, data={
        "csrf_token": csrf_token(client, "/jobs"), "message_id": message.id})
    assert "1 e-mail queued to be sent again." in response.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(OutboxMessage, message.id).status == "pending"


def test_reminders_run_hourly_from_the_reminder_hour_without_cron(app, demo):
    jobs = jobs_of(app)
    task = jobs.huey._registry.string_to_task(
        f"planner.jobs.engine.{'actions.remind' + PERIODIC}")
    at = [datetime(2026, 12, 7, hour, minute, tzinfo=UTC)
          for hour in (0, 6, 23) for minute in (0, 5, 6)]
    assert [task().validate_datetime(moment) for moment in at] == [False, True, False] * 3
    app.config["REMINDER_HOUR"] = utcnow().hour + 1 if utcnow().hour < 23 else 24
    assert "Not yet" in app.extensions["planner_jobs"].huey.execute(
        jobs.tasks["actions.remind"].s())
