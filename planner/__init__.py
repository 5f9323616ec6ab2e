"""Dialogue Planner: the app factory.

`create_app` reads as a checklist; each step is a small function below.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from flask import Flask

from planner import config as settings

ROOT = Path(__file__).resolve().parent.parent


def create_app(config: Mapping[str, Any] | None = None) -> Flask:
    app = Flask(
        __name__,
        instance_path=settings.instance_path_from_environment(),
        instance_relative_config=True,
        template_folder=str(ROOT / "templates"),
        static_folder=str(ROOT / "static"),
    )
    configure(app, config)
    register_logging(app)
    register_extensions(app)
    register_blueprints(app)
    register_errorhandlers(app)
    register_security(app)
    register_template_helpers(app)
    register_commands(app)
    return app


def configure(app: Flask, overrides: Mapping[str, Any] | None) -> None:
    values = settings.from_environment(app.instance_path)
    values.update(overrides or {})
    app.config.update(values)
    settings.check(app.config, debug=app.debug, instance_path=app.instance_path)
    if app.config["SQLALCHEMY_DATABASE_URI"].startswith("sqlite:///"):
        Path(app.instance_path).mkdir(parents=True, exist_ok=True)
    if proxies := app.config["PROXY_COUNT"]:
        from werkzeug.middleware.proxy_fix import ProxyFix

        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=proxies, x_proto=proxies,
                                x_host=proxies)


def register_logging(app: Flask) -> None:
    from planner import logs

    logs.configure(app)


def register_extensions(app: Flask) -> None:
    from planner import database  # noqa: F401  (connection settings for SQLite)
    from planner.extensions import csrf, db, limiter, login_manager, migrate

    db.init_app(app)
    migrate.init_app(app, db, directory=str(ROOT / "migrations"), render_as_batch=True)
    csrf.init_app(app)
    limiter.init_app(app)
    login_manager.init_app(app)
    login_manager.login_view = "auth.login"
    login_manager.login_message = "Please sign in to see this page."
    login_manager.login_message_category = "info"
    login_manager.session_protection = "strong"

    from planner.auth.operations import load_person

    login_manager.user_loader(load_person)


def register_blueprints(app: Flask) -> None:
    from planner.actions import blueprint as actions
    from planner.agendas import blueprint as agendas
    from planner.api import blueprint as api
    from planner.auth import blueprint as auth
    from planner.calendar import blueprint as calendar
    from planner.commitments import blueprint as commitments
    from planner.dialogues import blueprint as dialogues
    from planner.documents import blueprint as documents
    from planner.inbox import blueprint as inbox
    from planner.jobs import blueprint as jobs
    from planner.main import blueprint as main
    from planner.meetings import blueprint as meetings
    from planner.minutes import blueprint as minutes
    from planner.participants import blueprint as participants
    from planner.people import blueprint as people
    from planner.scheduling import blueprint as scheduling
    from planner.search import blueprint as search

    for blueprint in (auth, main, dialogues, meetings, people, scheduling, agendas, calendar,
                      minutes, actions, commitments, search, participants, documents, jobs,
                      inbox):
        app.register_blueprint(blueprint)
    app.register_blueprint(api)  # /api/v1 and the account page's API tokens


def register_errorhandlers(app: Flask) -> None:
    from planner.errors import register

    register(app)


def register_security(app: Flask) -> None:
    from planner.security import register

    register(app)


def register_template_helpers(app: Flask) -> None:
    from planner.timefmt import register

    register(app)


def register_commands(app: Flask) -> None:
    from planner.actions.cli import register as register_remind
    from planner.cli import register
    from planner.inbox import register as register_inbox
    from planner.jobs import register as register_jobs
    from planner.outbox import register as register_outbox

    register(app)
    register_jobs(app)
    register_outbox(app)
    register_inbox(app)
    register_remind(app)
