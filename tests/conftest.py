"""Shared fixtures: an app on a migrated database (SQLite by default, PostgreSQL when
PLANNER_TEST_DATABASE_URL is set), the demo data, and signed-in clients."""

from __future__ import annotations

import contextlib
import contextvars
import os
import re
import sqlite3
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient
from flask_migrate import upgrade
from sqlalchemy import create_engine, inspect, text
from sqlalchemy.engine import make_url

from planner import create_app
from planner.extensions import db, limiter
from planner.models import Base

DEMO_PASSWORD = "demo-password-for-tests"

SECRETARIAT = "secretariat@example.org"
CHAIR_UKAL = "chair.ukal@example.org"
CHAIR_COALITION = "chair.coalition@example.org"
DELEGATE_AL = "delegate.al@example.org"
DELEGATE_NL = "delegate.nl@example.org"
OBSERVER_EUROPOL = "observer.europol@example.org"


def app_config(database_url: str, **overrides) -> dict:
    return {
        "TESTING": True,
        "SECRET_KEY": "test-secret-key",
        "SQLALCHEMY_DATABASE_URI": database_url,
        "DEMO_PASSWORD": DEMO_PASSWORD,
        **overrides,
    }


WORKER = os.environ.get("PYTEST_XDIST_WORKER", "")


@pytest.fixture(scope="session")
def database_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """SQLite in a temporary folder, or PLANNER_TEST_DATABASE_URL. With pytest-xdist each
    worker gets a database of its own beside that one, created and dropped here."""
    url = os.environ.get("PLANNER_TEST_DATABASE_URL")
    if not url:
        yield "sqlite:///" + str(tmp_path_factory.mktemp("db") / "planner-test.db")
        return
    if not WORKER:
        yield url
        return
    base = make_url(url)
    name = f"{base.database}_{WORKER}"
    admin = create_engine(base, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield base.set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def drop_everything() -> None:
    """Leave the database empty, whatever a previous run left in it."""
    with db.engine.begin() as connection:
        if connection.dialect.name == "postgresql":
            connection.execute(text("DROP SCHEMA public CASCADE"))
            connection.execute(text(f"DROP SCHEMA IF EXISTS {PG_COPY} CASCADE"))
            connection.execute(text("CREATE SCHEMA public"))
        else:
            connection.execute(text("PRAGMA foreign_keys = OFF"))
            for table in inspect(connection).get_table_names():
                connection.execute(text(f'DROP TABLE "{table}"'))


@pytest.fixture(scope="session")
def migrated_url(database_url: str) -> str:
    """The test database, migrated to head once per run (the migrations are the schema)."""
    app = create_app(app_config(database_url))
    with app.app_context():
        drop_everything()
        upgrade()
        db.engine.dispose()
    return database_url


def empty_tables() -> None:
    with db.engine.begin() as connection:
        tables = [t.name for t in Base.metadata.sorted_tables]
        if connection.dialect.name == "postgresql":
            # DELETE, children first, is many times faster than TRUNCATE on small tables.
            for name in reversed(tables):
                connection.execute(text(f'DELETE FROM "{name}"'))
        else:
            connection.execute(text("PRAGMA foreign_keys = OFF"))
            for name in reversed(tables):
                connection.execute(text(f'DELETE FROM "{name}"'))
            connection.execute(text("PRAGMA foreign_keys = ON"))


class IsolatedClient(FlaskClient):
    """Runs each request outside the test's own app context, as a server would:
    with its own `g` and its own database session, so that nothing leaks between
    the test and the request (or between two requests)."""

    def open(self, *args, **kwargs):
        context = contextvars.Context()
        response = context.run(super().open, *args, **kwargs)
        if response.is_streamed:
            # Written out in the request's own context, as a server writes it (a body
            # streamed with its context pushes and pops it while it is read).
            context.run(response.get_data)
        return response


@pytest.fixture
def app(migrated_url: str) -> Iterator[Flask]:
    app = create_app(app_config(migrated_url))
    app.test_client_class = IsolatedClient
    with app.app_context():
        limiter.reset()  # the sign-in counters live in memory, shared by every app
        yield app
        db.session.remove()
        empty_tables()
        db.engine.dispose()


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()


# (database URL, day) → (the SQLite copy's path or None on PostgreSQL, the loader's result)
_DEMO_COPIES: dict[tuple[str, date], tuple[Path | None, object]] = {}
PG_COPY = "demo_copy"  # the schema that keeps PostgreSQL's copy, beside public


@pytest.fixture
def demo(app: Flask, tmp_path_factory: pytest.TempPathFactory):
    """The demo, loaded by `planner demo`'s loader once per worker and day, and copied
    back for each test that asks for it: the same rows, in a fraction of the time. SQLite
    copies the whole file with its backup API; PostgreSQL copies the tables' rows from a
    schema of their own, with triggers off (the rows are copies: nothing is new)."""
    from planner.demo.loader import load_demo

    url = app.config["SQLALCHEMY_DATABASE_URI"]
    key = (url, date.today())
    sqlite = url.startswith("sqlite:///")
    if key not in _DEMO_COPIES:
        result = load_demo(db.session, today=key[1], password=DEMO_PASSWORD)
        if sqlite:
            copy = tmp_path_factory.mktemp("demo") / "demo.db"
            _sqlite_copy(url.removeprefix("sqlite:///"), copy)
        else:
            copy = None
            _pg_copy("public", PG_COPY)
        _DEMO_COPIES[key] = (copy, result)
        return result
    copy, result = _DEMO_COPIES[key]
    db.session.remove()
    if sqlite:
        db.engine.dispose()
        _sqlite_copy(copy, url.removeprefix("sqlite:///"))
    else:
        _pg_copy(PG_COPY, "public")
    return result


def _sqlite_copy(source: str | Path, target: str | Path) -> None:
    with contextlib.closing(sqlite3.connect(source)) as origin, \
            contextlib.closing(sqlite3.connect(target)) as destination:
        origin.backup(destination)


def _pg_copy(source: str, target: str) -> None:
    """Every table's rows from schema `source` to `target` (made when it is missing), and
    the id sequences after them. As a replica, so that no trigger or foreign key fires."""
    tables = [t.name for t in Base.metadata.sorted_tables]
    with db.engine.begin() as connection:
        connection.execute(text("SET LOCAL session_replication_role = replica"))
        if target != "public":
            connection.execute(text(f"DROP SCHEMA IF EXISTS {target} CASCADE"))
            connection.execute(text(f"CREATE SCHEMA {target}"))
            for name in tables:
                connection.execute(text(
                    f'CREATE TABLE {target}."{name}" AS TABLE {source}."{name}"'))
            return
        for table in Base.metadata.sorted_tables:
            # The models' columns: PostgreSQL computes the search vectors itself.
            columns = ", ".join(f'"{column.name}"' for column in table.columns)
            connection.execute(text(f'DELETE FROM public."{table.name}"'))
            connection.execute(text(f'INSERT INTO public."{table.name}" ({columns}) '
                                    f'SELECT {columns} FROM {source}."{table.name}"'))
        for name, column in connection.execute(text(
                "SELECT table_name, column_name FROM information_schema.columns "
                "WHERE table_schema = 'public' AND column_default LIKE 'nextval(%'")):
            connection.execute(text(
                f"SELECT setval(pg_get_serial_sequence('public.\"{name}\"', '{column}'), "
                f'COALESCE((SELECT max("{column}") FROM public."{name}"), 0) + 1, false)'))


CSRF_FIELD = re.compile(r'name="csrf_token"[^>]*?value="([^"]+)"')


def csrf_token(client: FlaskClient, path: str) -> str:
    page = client.get(path)
    match = CSRF_FIELD.search(page.get_data(as_text=True))
    assert match, f"no CSRF token on {path}"
    return match.group(1)


def login(client: FlaskClient, email: str, password: str = DEMO_PASSWORD):
    token = csrf_token(client, "/login")
    return client.post(
        "/login", data={"email": email, "password": password, "csrf_token": token}
    )


@pytest.fixture
def sign_in(client: FlaskClient, demo):
    """sign_in(email) signs the test client in as that demo account."""

    def _sign_in(email: str) -> FlaskClient:
        response = login(client, email)
        assert response.status_code == 302, response.get_data(as_text=True)
        return client

    return _sign_in
