"""A deployment as a ministry runs it: two gunicorn servers on one PostgreSQL database
and one Redis, a `planner worker` beside each, and a real SMTP server. Sign-in
throttling counts across both servers; every invite arrives exactly once, even when a
worker is killed (kill -9) in the middle of sending one.

PostgreSQL only (CI runs it there): on the embedded default, one machine runs one server."""

from __future__ import annotations

import asyncio
import http.cookiejar
import os
import re
import signal
import subprocess
import sys
import threading
import urllib.error
import urllib.parse
import urllib.request
from contextlib import ExitStack
from pathlib import Path

import pytest
from sqlalchemy import select

from planner.extensions import db
from planner.models import Meeting, MeetingStatus, OutboxMessage, utcnow
from tests.calendar_support import Inbox, free_port, smtp_server
from tests.conftest import CHAIR_COALITION, DELEGATE_NL, DEMO_PASSWORD
from tests.jobs_support import redis_server, wait_until

BIN = Path(sys.executable).parent
pytestmark = pytest.mark.skipif(
    not os.environ.get("PLANNER_TEST_DATABASE_URL", "").startswith("postgresql"),
    reason="two servers share one PostgreSQL database (CI's PostgreSQL run)")


class StallingInbox(Inbox):
    """Holds the first recipient of the first message without an answer until the test
    says so: the sender is then mid-conversation, nothing delivered yet."""

    def __init__(self) -> None:
        super().__init__()
        self.stalled_peer: tuple[str, int] | None = None
        self.release = threading.Event()

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):  # noqa: N802
        if self.stalled_peer is None:
            self.stalled_peer = session.peer
            while not self.release.is_set():
                await asyncio.sleep(0.05)
        return await super().handle_RCPT(server, session, envelope, address, rcpt_options)


class Browser:
    """A client with cookies, sending each request to the server it is told to, as a
    load balancer would; redirects are not followed."""

    class _Stay(urllib.request.HTTPRedirectHandler):
        def redirect_request(self, *args, **kwargs):
            return None

    def __init__(self) -> None:
        self.opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar()), self._Stay())

    def request(self, url: str, data: dict | None = None) -> tuple[int, str]:
        body = urllib.parse.urlencode(data).encode() if data is not None else None
        try:
            with self.opener.open(url, data=body, timeout=30) as response:
                return response.status, response.read().decode()
        except urllib.error.HTTPError as answer:
            return answer.code, answer.read().decode()

    def csrf(self, url: str) -> str:
        status, page = self.request(url)
        assert status == 200, (url, status)
        return re.search(r'name="csrf_token"[^>]*?value="([^"]+)"', page).group(1)

    def sign_in(self, base: str, email: str, password: str) -> int:
        token = self.csrf(base + "/login")
        return self.request(base + "/login", {"email": email, "password": password,
                                              "csrf_token": token})[0]


def process(command: list[str], env: dict[str, str], log: Path) -> subprocess.Popen:
    with log.open("ab") as out:
        return subprocess.Popen(command, env=env, stdout=out, stderr=subprocess.STDOUT,
                                start_new_session=True)


def stop(proc: subprocess.Popen) -> None:
    if proc.poll() is None:
        os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(20)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait(5)


def answers(url: str) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=2) as response:
            return response.status == 200
    except OSError:
        return False


def owner_of_connection(peer_port: int) -> int:
    """The process whose socket has this local port (the sender talking to our server)."""
    out = subprocess.run(["ss", "-Htnp", "state", "established", f"( sport = :{peer_port} )"],
                         capture_output=True, text=True, check=True).stdout
    return int(re.search(r"pid=(\d+)", out).group(1))


@pytest.fixture
def deployment(app, demo, tmp_path):
    with ExitStack() as stack:
        redis_port, smtp_port = stack.enter_context(redis_server()), free_port()
        env = {k: v for k, v in os.environ.items() if not k.startswith(("PLANNER_", "FLASK_"))}
        env.update({
            "PLANNER_DATABASE_URL": app.config["SQLALCHEMY_DATABASE_URI"],
            "PLANNER_SECRET_KEY": "two-servers-one-key",
            "PLANNER_SECURE_COOKIES": "0",
            "PLANNER_RATELIMIT_STORAGE_URL": f"redis://127.0.0.1:{redis_port}/0",
            "PLANNER_SMTP_HOST": "127.0.0.1", "PLANNER_SMTP_PORT": str(smtp_port),
            "PLANNER_SMTP_TLS": "none",
            "PLANNER_MAIL_FROM": "Dialogue Secretariat <secretariat@planner.example>",
            "PLANNER_BASE_URL": "https://planner.example.org",
            # A sender killed mid-send loses its claim after 5 s (10 minutes by default).
            "PLANNER_OUTBOX_CLAIM_SECONDS": "5", "PLANNER_OUTBOX_RETRY_SECONDS": "1",
            "PLANNER_LOG_FORMAT": "json",
        })

        def start(name: str, command: list[str]) -> subprocess.Popen:
            proc = process(command, env, tmp_path / f"{name}.log")
            stack.callback(stop, proc)
            return proc

        servers = []
        for name in ("server-a", "server-b"):
            port = free_port()
            start(name, [str(BIN / "gunicorn"), "-c", "python:planner.gunicorn_conf",
                         "--workers", "2", "--bind", f"127.0.0.1:{port}",
                         "planner:create_app()"])
            servers.append(f"http://127.0.0.1:{port}")
        for base in servers:
            wait_until(lambda base=base: answers(base + "/healthz/ready"), seconds=60,
                       what=f"{base} to be ready")
        workers = {}

        def start_worker(name: str) -> subprocess.Popen:
            workers[name] = start(name, [str(BIN / "planner"), "worker", "--threads", "2"])
            return workers[name]

        yield servers, start_worker, smtp_port, workers


def test_sign_in_throttling_counts_failures_across_both_servers(deployment):
    (a, b), _start_worker, _smtp, _workers = deployment
    browser = Browser()
    for base in (a, b, a, b, a):  # five failures in all, never five on one server
        assert browser.sign_in(base, DELEGATE_NL, "not the password") == 400
    # The right password, now: refused on either server until the window has passed.
    for base in (b, a):
        assert browser.sign_in(base, DELEGATE_NL, DEMO_PASSWORD) == 429
    # Another account is not affected.
    assert Browser().sign_in(b, CHAIR_COALITION, DEMO_PASSWORD) == 302


def test_each_invite_arrives_once_with_a_worker_killed_mid_send(deployment):
    (a, b), start_worker, smtp_port, workers = deployment
    inbox = StallingInbox()
    coalition_meetings = db.session.scalars(
        select(Meeting).where(Meeting.starts_at > utcnow(),
                              Meeting.status != MeetingStatus.CANCELLED)
        .join(Meeting.dialogue).where(Meeting.dialogue.has(slug="coalition"))
        .order_by(Meeting.starts_at).limit(2)).all()
    assert len(coalition_meetings) == 2
    with smtp_server(smtp_port, handler=inbox):
        first, second = start_worker("worker-1"), start_worker("worker-2")
        browser = Browser()
        assert browser.sign_in(a, CHAIR_COALITION, DEMO_PASSWORD) == 302
        for base, meeting in zip((a, b), coalition_meetings, strict=True):
            page = f"{base}/meetings/{meeting.id}"
            status, _ = browser.request(page + "/invites", {"csrf_token": browser.csrf(page)})
            assert status == 302
        queued = set(db.session.scalars(select(OutboxMessage.message_id)))
        db.session.rollback()
        assert len(queued) >= 4
        # The first message is held mid-conversation: kill -9 the worker sending it.
        wait_until(lambda: inbox.stalled_peer, what="a sender to start")
        sender = owner_of_connection(inbox.stalled_peer[1])
        assert sender in {first.pid, second.pid}
        os.kill(sender, signal.SIGKILL)
        inbox.release.set()
        survivor = second if sender == first.pid else first
        assert survivor.poll() is None

        def all_sent():
            db.session.expire_all()
            statuses = set(db.session.scalars(select(OutboxMessage.status)))
            db.session.rollback()
            return statuses == {"sent"}
        wait_until(all_sent, seconds=90, what="every message sent by the surviving worker")
        delivered = [m["Message-ID"] for m in inbox.messages]
    assert sorted(delivered) == sorted(queued)  # every one, and each exactly once
