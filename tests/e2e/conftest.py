"""End-to-end fixtures: the app served over HTTP on 127.0.0.1, each server on its own
copy of a database migrated and loaded with `planner demo`, and Debian's Chromium
driven by Playwright.

SQLite by default; with PLANNER_TEST_DATABASE_URL these tests create (and drop) their
own PostgreSQL databases on that server, so they never touch the shared test database.
"""

from __future__ import annotations

import contextlib
import os
import secrets
import sqlite3
import threading
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from flask import Flask, got_request_exception
from playwright.sync_api import expect, sync_playwright
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url
from werkzeug.serving import make_server

from planner import create_app
from planner.extensions import db

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"]
AXE = Path(__file__).parent / "js" / "node_modules" / "axe-core" / "axe.min.js"
SCREENSHOTS = Path(__file__).resolve().parent.parent / "screenshots"

PASSWORD = "e2e-demo-password"
SECRETARIAT = "secretariat@example.org"
CHAIR_COALITION = "chair.coalition@example.org"
DELEGATE_AL = "delegate.al@example.org"
DELEGATE_NL = "delegate.nl@example.org"
OBSERVER_EUROPOL = "observer.europol@example.org"
COALITION = "Coalition of European countries against serious and organised crime"
ANTWERP = "Coalition ministerial meeting, Antwerp"
AMSTERDAM = "Coalition ministerial meeting, Amsterdam"

# Every wait is bounded: a step that has not happened in this time has failed.
TIMEOUT_MS = 15_000


def server_config(database_url: str) -> dict:
    """Settings as in a deployment (not TESTING: errors render the real error pages),
    except plain http on 127.0.0.1 and no mail server."""
    return {
        "SECRET_KEY": secrets.token_hex(32),
        "SQLALCHEMY_DATABASE_URI": database_url,
        "SECURE_COOKIES": False,
        "DEMO_PASSWORD": PASSWORD,
        "OUTBOX_SEND_AFTER_COMMIT": False,
    }


class DemoDatabases:
    """A database migrated and loaded with `planner demo` once, then copied for each
    server, so that each journey starts from the same demo data in a few milliseconds."""

    def __init__(self, workdir: Path, postgres_url: str | None):
        self.workdir = workdir
        self.postgres_url = postgres_url
        self.prefix = f"planner_e2e_{os.getpid()}_{secrets.token_hex(3)}"
        self.created: list[str] = []
        self.admin = None
        if postgres_url:
            # Connected to the shared test database only to create and drop our own.
            self.admin = create_engine(postgres_url, isolation_level="AUTOCOMMIT")
        self.template = ""

    def load_demo(self) -> None:
        """The template: migrated with `planner db upgrade`, loaded with `planner demo`."""
        self.template = self._new_url("demo")
        app = create_app(server_config(self.template))
        runner = app.test_cli_runner()
        for command in (["db", "upgrade"], ["demo"]):
            result = runner.invoke(args=command)
            assert result.exit_code == 0, (command, result.output, result.exception)
        with app.app_context():
            db.engine.dispose()

    def _new_url(self, suffix: str) -> str:
        name = f"{self.prefix}_{suffix}"
        if self.admin is None:
            return "sqlite:///" + str(self.workdir / f"{name}.db")
        with self.admin.connect() as connection:
            template = f' TEMPLATE "{self.prefix}_demo"' if suffix != "demo" else ""
            connection.execute(text(f'CREATE DATABASE "{name}"{template}'))
        self.created.append(name)
        return make_url(self.postgres_url).set(database=name).render_as_string(
            hide_password=False
        )

    def fresh(self, suffix: str) -> str:
        """The URL of a new copy of the demo database."""
        if self.admin is not None:
            return self._new_url(suffix)
        url = self._new_url(suffix)
        with contextlib.closing(sqlite3.connect(self.template[len("sqlite:///"):])) as source, \
                contextlib.closing(sqlite3.connect(url[len("sqlite:///"):])) as copy:
            source.backup(copy)
        return url

    def drop(self, url: str) -> None:
        if self.admin is None:
            path = Path(url[len("sqlite:///"):])
            for leftover in (path, path.with_name(path.name + "-wal"),
                             path.with_name(path.name + "-shm")):
                leftover.unlink(missing_ok=True)
            return
        name = make_url(url).database
        with self.admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        self.created.remove(name)

    def close(self) -> None:
        if self.admin is None:
            if self.template:
                self.drop(self.template)
            return
        for name in reversed(list(self.created)):
            with self.admin.connect() as connection:
                connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        self.created.clear()
        self.admin.dispose()


class LiveServer:
    """The app served by werkzeug in a thread, on a free port of 127.0.0.1."""

    def __init__(self, app: Flask):
        self.app = app
        self.errors: list[BaseException] = []
        got_request_exception.connect(self._record_error, app)
        self.server = make_server("127.0.0.1", 0, buffered(app), threaded=True)
        self.url = f"http://127.0.0.1:{self.server.server_port}"
        self.thread = threading.Thread(
            target=self.server.serve_forever, name=f"e2e server {self.url}", daemon=True
        )
        self.thread.start()

    def _record_error(self, sender, exception: BaseException, **extra) -> None:
        self.errors.append(exception)

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()
        self.thread.join(timeout=10)
        got_request_exception.disconnect(self._record_error, self.app)
        with self.app.app_context():
            db.engine.dispose()
        assert not self.thread.is_alive(), "the e2e server did not stop"


@pytest.fixture(scope="package")
def demo_databases(tmp_path_factory: pytest.TempPathFactory) -> Iterator[DemoDatabases]:
    databases = DemoDatabases(
        tmp_path_factory.mktemp("e2e"), os.environ.get("PLANNER_TEST_DATABASE_URL")
    )
    try:
        databases.load_demo()
        yield databases
    finally:
        databases.close()


def buffered(app):
    """Read each response whole, and close it, before the server writes it: a browser that
    drops a connection (as Chromium does with favicons) must not leave a static file open
    in the server thread, which pytest would report as an unraisable ResourceWarning."""

    def application(environ, start_response):
        iterable = app(environ, start_response)
        try:
            body = b"".join(iterable)
        finally:
            close = getattr(iterable, "close", None)
            if close is not None:
                close()
        return [body]

    return application


@contextlib.contextmanager
def serving(databases: DemoDatabases, name: str) -> Iterator[LiveServer]:
    url = databases.fresh(name)
    try:
        server = LiveServer(create_app(server_config(url)))
        try:
            yield server
        finally:
            server.stop()
        assert not server.errors, f"the server failed on a request: {server.errors!r}"
    finally:
        databases.drop(url)


@pytest.fixture
def live_server(demo_databases: DemoDatabases) -> Iterator[LiveServer]:
    """A server of the test's own, on a fresh copy of the demo data."""
    with serving(demo_databases, secrets.token_hex(4)) as server:
        yield server


@pytest.fixture(scope="package")
def browser():
    if not CHROMIUM.exists():
        pytest.skip(f"{CHROMIUM} is missing: `make test` installs it (apt-get install chromium)")
    expect.set_options(timeout=TIMEOUT_MS)
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            yield chromium
        finally:
            chromium.close()


def open_context(browser, base_url: str, **options):
    context = browser.new_context(
        base_url=base_url,
        viewport=options.pop("viewport", {"width": 1280, "height": 900}),
        locale="en-GB",
        **options,
    )
    context.set_default_timeout(TIMEOUT_MS)
    context.set_default_navigation_timeout(TIMEOUT_MS)
    return context


@pytest.fixture
def new_page(browser, live_server: LiveServer) -> Iterator[Callable]:
    """new_page(email=None, **context_options): a page in a browser of its own (its own
    cookies), signed in as that demo account when one is given."""
    contexts = []
    blocked: list[str] = []

    def _new_page(email: str | None = None, **options):
        context = open_context(browser, live_server.url, **options)
        contexts.append(context)
        page = context.new_page()
        # A style or script the Content-Security-Policy blocks is a page that half works.
        page.on("console", lambda message: "Content Security Policy" in message.text
                and blocked.append(f"{page.url}: {message.text}"))
        if email:
            sign_in(page, email)
        return page

    yield _new_page
    for context in contexts:
        context.close()
    assert blocked == [], "the Content-Security-Policy blocked part of a page"


def sign_in(page, email: str, password: str = PASSWORD) -> None:
    page.goto("/login")
    page.get_by_label("E-mail").fill(email)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("button", name="Sign out")).to_be_visible()
