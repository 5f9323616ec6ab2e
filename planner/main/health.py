"""What readiness checks: the database, the schema's revision, the job queue."""

from __future__ import annotations

import logging
from functools import cache

from alembic.script import ScriptDirectory
from flask import current_app
from sqlalchemy import text

from planner.extensions import db

log = logging.getLogger(__name__)


def readiness() -> dict[str, str]:
    checks = {"database": _database(), "migrations": "not checked", "queue": _queue()}
    if checks["database"] == "ok":
        checks["migrations"] = _migrations()
    return checks


def _database() -> str:
    try:
        db.session.execute(text("SELECT 1"))
        return "ok"
    except Exception as error:
        log.warning("readiness: the database does not answer: %s", error)
        return "the database does not answer"
    finally:
        db.session.rollback()


def _migrations() -> str:
    try:
        current = set(db.session.scalars(text("SELECT version_num FROM alembic_version")))
    except Exception:
        return "the database has no schema yet: run `planner db upgrade`"
    finally:
        db.session.rollback()
    expected = heads(current_app.extensions["migrate"].directory)
    if current != expected:
        return (f"the schema is at {', '.join(sorted(current)) or 'nothing'}, this code "
                f"expects {', '.join(sorted(expected))}: run `planner db upgrade`")
    return "ok"


@cache
def heads(directory: str) -> frozenset[str]:
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", directory)
    return frozenset(ScriptDirectory.from_config(config).get_heads())


def _queue() -> str:
    from planner.jobs import jobs_of

    try:
        jobs_of().ping()
        return "ok"
    except Exception as error:
        log.warning("readiness: the job queue does not answer: %s", error)
        return "the job queue does not answer"
