"""`planner backup` and `planner restore`: the whole database in one file.

SQLite: SQLite's online backup API, a consistent copy while the app runs (then checked
with PRAGMA integrity_check). PostgreSQL: pg_dump's custom format, restored with
pg_restore. The job queue is not in the backup on SQLite (its own file holds only what
is still to run; everything a job needs is in the database)."""

from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
from contextlib import closing
from datetime import UTC, datetime
from pathlib import Path

import click
from flask import Flask, current_app
from flask.cli import with_appcontext
from sqlalchemy.engine import URL, make_url

from planner.config import ConfigurationError


class BackupError(click.ClickException):
    """A backup or restore that could not be made: one line that says why."""


def register(app: Flask) -> None:
    app.cli.add_command(backup_command)
    app.cli.add_command(restore_command)


def database_url() -> URL:
    return make_url(current_app.config["SQLALCHEMY_DATABASE_URI"])


def default_path(url: URL, instance_path: str) -> Path:
    stamp = datetime.now(UTC).strftime("%Y%m%d-%H%M%S")
    suffix = "sqlite" if url.get_backend_name() == "sqlite" else "dump"
    return Path(instance_path) / "backups" / f"planner-{stamp}.{suffix}"


def backup(target: Path) -> Path:
    url = database_url()
    target.parent.mkdir(parents=True, exist_ok=True)
    if target.exists():
        raise BackupError(f"{target} exists already: give another file name.")
    if url.get_backend_name() == "sqlite":
        _sqlite_copy(Path(url.database), target)
        _check_sqlite(target)
    elif url.get_backend_name() == "postgresql":
        _run("pg_dump", ["--format=custom", "--no-owner", "--no-privileges",
                         f"--file={target}", "--dbname", _libpq(url)], url)
    else:
        raise BackupError(f"Backups of {url.get_backend_name()} databases are not supported.")
    os.chmod(target, 0o600)  # ministers' calendars: readable by this account only
    return target


def restore(source: Path) -> None:
    url = database_url()
    if not source.is_file():
        raise BackupError(f"{source} is not a file.")
    from planner.extensions import db

    db.session.remove()
    db.engine.dispose()  # no connection of ours stands in the way
    if url.get_backend_name() == "sqlite":
        _check_sqlite(source)
        _sqlite_copy(source, Path(url.database))
    elif url.get_backend_name() == "postgresql":
        _run("pg_restore", ["--clean", "--if-exists", "--no-owner", "--no-privileges",
                            "--single-transaction", "--exit-on-error", "--dbname", _libpq(url),
                            str(source)], url)
    else:
        raise BackupError(f"Restoring {url.get_backend_name()} databases is not supported.")


def _sqlite_copy(source: Path, target: Path) -> None:
    if not source.is_file():
        raise BackupError(f"There is no SQLite database at {source}.")
    with closing(sqlite3.connect(source)) as reader, \
            closing(sqlite3.connect(target)) as writer:
        reader.backup(writer)


def _check_sqlite(path: Path) -> None:
    try:
        with closing(sqlite3.connect(f"file:{path}?mode=ro", uri=True)) as connection:
            verdict = connection.execute("PRAGMA integrity_check").fetchone()[0]
            tables = connection.execute(
                "SELECT count(*) FROM sqlite_master WHERE name = 'alembic_version'"
            ).fetchone()[0]
    except sqlite3.DatabaseError as error:
        raise BackupError(f"{path} is not a SQLite database: {error}.") from error
    if verdict != "ok":
        raise BackupError(f"{path} fails SQLite's integrity check: {verdict}.")
    if not tables:
        raise BackupError(f"{path} is not a Dialogue Planner database (no alembic_version).")


def _libpq(url: URL) -> str:
    """The connection string for pg_dump/pg_restore, without the password (which goes
    in PGPASSWORD, not on a command line other users can see)."""
    return url.set(drivername="postgresql", password=None).render_as_string(
        hide_password=False)


def _run(program: str, arguments: list[str], url: URL) -> None:
    executable = shutil.which(program)
    if executable is None:
        raise BackupError(f"{program} is not installed: install the PostgreSQL client "
                          "(Debian: apt-get install postgresql-client).")
    env = dict(os.environ)
    if url.password:
        env["PGPASSWORD"] = str(url.password)
    result = subprocess.run([executable, *arguments], env=env, capture_output=True,
                            text=True, check=False)
    if result.returncode != 0:
        message = " ".join(result.stderr.split()) or f"exit status {result.returncode}"
        raise BackupError(f"{program} failed: {message}")


@click.command("backup")
@click.argument("path", required=False, type=click.Path(dir_okay=False, path_type=Path))
@with_appcontext
def backup_command(path: Path | None) -> None:
    """Write the whole database to one file, while the app runs (default:
    instance/backups/planner-<UTC time>.sqlite or .dump). Restore with `planner restore`."""
    try:
        written = backup(path or default_path(database_url(), current_app.instance_path))
    except ConfigurationError as error:
        raise BackupError(str(error)) from error
    size = written.stat().st_size
    click.echo(f"Backed up to {written} ({size / 1024 / 1024:.1f} MB).")


@click.command("restore")
@click.argument("path", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--yes", is_flag=True, help="Do not ask for confirmation.")
@with_appcontext
def restore_command(path: Path, yes: bool) -> None:
    """Replace the whole database with a backup made by `planner backup`. Stop the app
    servers and workers first; run `planner db upgrade` after, if the backup is older
    than the code."""
    url = database_url()
    shown = url.render_as_string(hide_password=True)
    if not yes:
        click.confirm(f"Replace everything in {shown} with {path}?", abort=True)
    restore(path)
    click.echo(f"Restored {shown} from {path}.")
