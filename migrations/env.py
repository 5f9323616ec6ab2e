"""Alembic environment: one set of migrations for SQLite and PostgreSQL.

Run through the app (`planner db upgrade`), which supplies the engine and the models'
metadata. Batch mode lets the same migration alter tables on SQLite, which has no
ALTER for constraints.
"""

import logging
from logging.config import fileConfig

from alembic import context
from flask import current_app

from planner.database import include_name
from planner.models.base import UTCDateTime

config = context.config
if config.config_file_name is not None:
    # Keep the app's own loggers working after Alembic configures logging.
    fileConfig(config.config_file_name, disable_existing_loggers=False)
logger = logging.getLogger("alembic.env")

target_db = current_app.extensions["migrate"].db


def render_item(type_, obj, autogen_context):
    """Write our column types as plain SQLAlchemy ones, so migrations never import
    application code that may change later."""
    if type_ == "type" and isinstance(obj, UTCDateTime):
        return "sa.DateTime(timezone=True)"
    return False


def run_migrations_online() -> None:
    def skip_empty_revision(context, revision, directives):
        if getattr(config.cmd_opts, "autogenerate", False) and directives[0].upgrade_ops.is_empty():
            directives[:] = []
            logger.info("No changes in schema detected.")

    options = dict(current_app.extensions["migrate"].configure_args)
    options.setdefault("process_revision_directives", skip_empty_revision)
    options.setdefault("render_as_batch", True)
    options.setdefault("compare_type", True)
    options["render_item"] = render_item
    # The full-text search indexes are written by hand for each database, not modelled.
    options["include_name"] = include_name

    with target_db.engine.connect() as connection:
        sqlite = connection.dialect.name == "sqlite"
        if sqlite:
            # Batch mode recreates a table on SQLite (copy, drop, rename): with foreign keys
            # enforced, dropping the old table would cascade-delete the rows that point to it.
            # The pragma only takes effect outside a transaction, hence before the migrations.
            connection.exec_driver_sql("PRAGMA foreign_keys = OFF")
            # And the rename that ends the copy checks every trigger of the schema: one
            # that names the table being recreated (the calendar revisions' triggers name
            # `dialogue`) would fail it, though the table is back by the end.
            connection.exec_driver_sql("PRAGMA legacy_alter_table = ON")
            connection.commit()
        context.configure(connection=connection, target_metadata=target_db.metadata, **options)
        with context.begin_transaction():
            context.run_migrations()
        if sqlite:
            broken = connection.exec_driver_sql("PRAGMA foreign_key_check").fetchall()
            connection.exec_driver_sql("PRAGMA foreign_keys = ON")
            connection.exec_driver_sql("PRAGMA legacy_alter_table = OFF")
            connection.commit()
            if broken:
                raise RuntimeError(f"The migrations left rows without their parents: {broken[:5]}")


if context.is_offline_mode():
    raise SystemExit("planner migrations run online only: use `planner db upgrade`.")
run_migrations_online()
