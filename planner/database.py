"""Database connection settings that must hold on every connection."""

from __future__ import annotations

import sqlite3
from typing import Any

from sqlalchemy import event
from sqlalchemy.engine import Engine


@event.listens_for(Engine, "connect")
def _configure_sqlite(dbapi_connection: Any, _record: Any) -> None:
    """SQLite enforces foreign keys only when asked, per connection; WAL lets readers
    go on while one writer writes, and the busy timeout makes a writer wait its turn
    instead of failing at once."""
    if not isinstance(dbapi_connection, sqlite3.Connection):
        return
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys = ON")
    cursor.execute("PRAGMA busy_timeout = 5000")
    cursor.execute("PRAGMA journal_mode = WAL")
    cursor.execute("PRAGMA synchronous = NORMAL")
    cursor.close()


def include_name(name: str | None, type_: str, parent_names: Any) -> bool:
    """For Alembic (migrations/env.py and the drift test): what the models describe. The
    search indexes (planner.search.index) and the job queue's tables, which Huey makes
    for itself in the app's PostgreSQL database (planner.jobs.engine), are left out."""
    from planner.jobs.engine import TABLE_PREFIX
    from planner.search.index import include_name as include_search

    if name is not None and type_ in {"table", "index"} and name.startswith(TABLE_PREFIX + "_"):
        return False
    return include_search(name, type_, parent_names)
