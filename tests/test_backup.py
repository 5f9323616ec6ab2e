"""`planner backup` and `planner restore`: a round trip on the test's own database
(SQLite's online backup API, or pg_dump/pg_restore on PostgreSQL)."""

from __future__ import annotations

import sqlite3

from sqlalchemy import func, select

from planner.extensions import db
from planner.models import Commitment, Dialogue, Person


def snapshot() -> tuple:
    db.session.expire_all()
    names = tuple(db.session.scalars(select(Dialogue.name).order_by(Dialogue.id)))
    people = db.session.scalar(select(func.count()).select_from(Person))
    commitments = tuple(db.session.execute(
        select(Commitment.id, Commitment.title, Commitment.status).order_by(Commitment.id)))
    db.session.rollback()
    return names, people, commitments


def test_backup_then_restore_brings_back_what_was_there(app, demo, tmp_path):
    runner = app.test_cli_runner()
    before = snapshot()
    target = tmp_path / "nightly" / "planner.backup"
    result = runner.invoke(args=["backup", str(target)])
    assert result.exit_code == 0, result.output
    assert f"Backed up to {target}" in result.output
    assert target.stat().st_mode & 0o077 == 0  # not readable by other accounts

    # After the backup, someone renames a dialogue and removes a person.
    dialogue = db.session.scalar(select(Dialogue).order_by(Dialogue.id).limit(1))
    dialogue.name = "Renamed after the backup"
    db.session.add(Person(email="late@example.org", name="Came later"))
    db.session.commit()
    assert snapshot() != before

    result = runner.invoke(args=["restore", "--yes", str(target)])
    assert result.exit_code == 0, result.output
    assert snapshot() == before
    # The app goes on working on the restored database.
    assert db.session.scalar(select(Person).where(Person.email == "late@example.org")) is None


def test_a_backup_never_overwrites_a_file(app, tmp_path):
    target = tmp_path / "exists.backup"
    target.write_text("yesterday's")
    result = app.test_cli_runner().invoke(args=["backup", str(target)])
    assert result.exit_code == 1
    assert result.output.strip() == f"Error: {target} exists already: give another file name."
    assert target.read_text() == "yesterday's"


def test_restoring_something_that_is_not_a_backup_changes_nothing(app, demo, tmp_path):
    before = snapshot()
    if app.config["SQLALCHEMY_DATABASE_URI"].startswith("sqlite"):
        bogus = tmp_path / "notes.sqlite"
        sqlite3.connect(bogus).execute("CREATE TABLE notes (x)").connection.commit()
        message = "is not a Dialogue Planner database"
    else:
        bogus = tmp_path / "notes.dump"
        bogus.write_text("not a dump")
        message = "pg_restore failed"
    result = app.test_cli_runner().invoke(args=["restore", "--yes", str(bogus)])
    assert result.exit_code == 1
    assert message in result.output and "Traceback" not in result.output
    assert snapshot() == before
