"""One set of migrations for SQLite and PostgreSQL: they round-trip, and the models
never drift from them."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask_migrate import downgrade, upgrade
from sqlalchemy import Column, MetaData, String, create_engine, inspect, text
from sqlalchemy.engine import make_url

from planner import create_app
from planner.database import include_name
from planner.extensions import db
from planner.models import Base
from tests.conftest import app_config

# The search migration's full-text indexes are not models (see planner.search.index).
COMPARE = {"compare_type": True, "include_name": include_name}


@pytest.fixture
def scratch_url(database_url: str, tmp_path) -> Iterator[str]:
    """An empty database of the same kind as the test database, for migrating freely."""
    url = make_url(database_url)
    if url.get_backend_name() == "sqlite":
        yield f"sqlite:///{tmp_path / 'migrations.db'}"
        return
    name = f"{url.database}_migrations"  # the worker's own database under pytest-xdist
    admin = create_engine(url, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield url.set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def tables() -> set[str]:
    names = set(inspect(db.engine).get_table_names()) - {"alembic_version"}
    return {name for name in names if include_name(name, "table", {})}


def drift() -> list:
    with db.engine.connect() as connection:
        context = MigrationContext.configure(connection, opts=COMPARE)
        return compare_metadata(context, Base.metadata)


def test_upgrade_downgrade_and_upgrade_again(scratch_url):
    app = create_app(app_config(scratch_url))
    with app.app_context():
        assert tables() == set()
        upgrade()
        assert tables() == set(Base.metadata.tables)
        downgrade(revision="base")
        assert tables() == set()
        upgrade()
        assert tables() == set(Base.metadata.tables)
        assert drift() == []
        db.engine.dispose()


def test_models_do_not_drift_from_the_migrations(app):
    # The shared test database was built by the migrations alone.
    assert drift() == []


def test_the_drift_check_notices_a_missing_migration(app):
    """Guards the test above: a column the migrations lack must show up as drift."""
    changed = MetaData(naming_convention=Base.metadata.naming_convention)
    for table in Base.metadata.tables.values():
        table.to_metadata(changed)
    changed.tables["meeting"].append_column(Column("dress_code", String(40)))
    with db.engine.connect() as connection:
        context = MigrationContext.configure(connection, opts=COMPARE)
        differences = compare_metadata(context, changed)
    assert any(d[0] == "add_column" and d[3].name == "dress_code" for d in differences)


def test_later_migrations_apply_to_a_database_with_data(scratch_url):
    """New NOT NULL columns get defaults, so a deployed database upgrades in place."""
    app = create_app(app_config(scratch_url))
    with app.app_context():
        upgrade(revision="e377e647587d")
        with db.engine.begin() as connection:
            connection.execute(text(
                "INSERT INTO participant (kind, name, short_name, country_code, timezone, "
                "created_at) VALUES ('state', 'Belgium', 'BE', 'BE', 'Europe/Brussels', "
                "'2026-01-01 00:00:00')"
            ))
            connection.execute(text(
                "INSERT INTO dialogue (name, short_name, slug, description, level, cadence, "
                "classification, created_at) VALUES ('D', 'D', 'd', '', 'ministerial', '', "
                "'OFFICIAL', '2026-01-01 00:00:00')"
            ))
            # A row that points to a table a later migration recreates (batch mode, SQLite).
            connection.execute(text(
                "INSERT INTO membership (dialogue_id, participant_id, role) SELECT d.id, p.id, "
                "'member' FROM dialogue d, participant p"
            ))
        upgrade()
        with db.engine.connect() as connection:
            row = connection.execute(text(
                "SELECT meeting_days, horizon_months FROM dialogue WHERE slug = 'd'"
            )).one()
            assert tuple(row) == (1, 24)
            hours = connection.execute(text(
                "SELECT working_hours_start FROM participant WHERE short_name = 'BE'"
            )).scalar()
            assert str(hours).startswith("09:00")
            assert connection.execute(text("SELECT count(*) FROM membership")).scalar() == 1
        db.engine.dispose()


def test_circulated_versions_keep_their_day_through_the_migration(scratch_url):
    """Versions circulated before `circulated_on` existed get the day their content says,
    on SQLite and PostgreSQL alike."""
    from datetime import date

    from sqlalchemy import select

    from planner.agendas import operations as ops
    from planner.demo.loader import load_demo
    from planner.models import AgendaVersion, Meeting, MeetingStatus

    app = create_app(app_config(scratch_url))
    with app.app_context():
        upgrade()
        load_demo(db.session, today=date.today(), password="a long demo password")
        meeting = db.session.scalars(
            select(Meeting).where(Meeting.status != MeetingStatus.CANCELLED)
            .order_by(Meeting.starts_at.desc())).first()
        ops.build_agenda(meeting)
        ops.circulate_agenda(ops.load_agenda(meeting.id), actor=None)
        said = db.session.scalars(select(AgendaVersion.content).order_by(AgendaVersion.id)).all()
        db.session.remove()
        downgrade(revision="4c2d71e671e6")  # before the column
        upgrade()
        days = db.session.scalars(
            select(AgendaVersion.circulated_on).order_by(AgendaVersion.id)).all()
        assert days and days == [content["circulated_on"] for content in said]
        assert all(days)
        db.session.remove()
        db.engine.dispose()
