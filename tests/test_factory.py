"""The app factory and its settings."""

import os
import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy import text

from planner import create_app
from planner.config import ConfigurationError
from planner.extensions import db


def test_overrides_are_applied(tmp_path):
    app = create_app({"TESTING": True, "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path}/x.db"})
    assert app.testing
    assert app.config["SQLALCHEMY_DATABASE_URI"].endswith("/x.db")


def test_refuses_to_start_without_a_secret_key(monkeypatch, tmp_path):
    monkeypatch.delenv("PLANNER_SECRET_KEY", raising=False)
    monkeypatch.delenv("FLASK_DEBUG", raising=False)
    monkeypatch.setenv("PLANNER_INSTANCE_PATH", str(tmp_path))
    with pytest.raises(ConfigurationError, match="PLANNER_SECRET_KEY is not set") as refusal:
        create_app()
    # One line that says what to do, naming the file it would have read.
    assert "\n" not in str(refusal.value)
    assert str(tmp_path / "secret_key") in str(refusal.value)


def test_the_key_that_make_run_wrote_in_the_instance_folder_is_used(monkeypatch, tmp_path):
    monkeypatch.delenv("PLANNER_SECRET_KEY", raising=False)
    monkeypatch.setenv("PLANNER_INSTANCE_PATH", str(tmp_path))
    (tmp_path / "secret_key").write_text("from-the-instance-folder\n")
    assert create_app().config["SECRET_KEY"] == "from-the-instance-folder"
    # The environment still wins.
    monkeypatch.setenv("PLANNER_SECRET_KEY", "from-the-environment")
    assert create_app().config["SECRET_KEY"] == "from-the-environment"


def test_an_empty_key_file_is_refused_rather_than_used(monkeypatch, tmp_path):
    monkeypatch.delenv("PLANNER_SECRET_KEY", raising=False)
    monkeypatch.setenv("PLANNER_INSTANCE_PATH", str(tmp_path))
    (tmp_path / "secret_key").write_text("\n")
    with pytest.raises(ConfigurationError, match="is empty"):
        create_app()


def test_the_command_line_says_a_configuration_error_in_one_line(tmp_path):
    environment = {k: v for k, v in os.environ.items() if not k.startswith("PLANNER_")}
    environment["PLANNER_INSTANCE_PATH"] = str(tmp_path / "nowhere")
    planner = Path(sys.executable).parent / "planner"
    for command in (["token", "list"], ["db", "upgrade"], ["remind", "--dry-run"]):
        result = subprocess.run([str(planner), *command], env=environment, cwd=tmp_path,
                                capture_output=True, text=True, timeout=60)
        assert result.returncode == 2, command
        assert "Traceback" not in result.stderr
        assert result.stderr.strip().splitlines() == [
            "Error: PLANNER_SECRET_KEY is not set: set it to a long random value (python3 -c "
            "'import secrets; print(secrets.token_hex(32))'), or write one to "
            f"{tmp_path / 'nowhere' / 'secret_key'}."
        ], command


def test_secret_key_and_database_come_from_the_environment(monkeypatch, tmp_path):
    monkeypatch.setenv("PLANNER_SECRET_KEY", "from-the-environment")
    monkeypatch.setenv("PLANNER_DATABASE_URL", f"sqlite:///{tmp_path}/env.db")
    app = create_app()
    assert app.config["SECRET_KEY"] == "from-the-environment"
    assert app.config["SQLALCHEMY_DATABASE_URI"] == f"sqlite:///{tmp_path}/env.db"
    # Outside debug and testing, session cookies only travel over https.
    assert app.config["SESSION_COOKIE_SECURE"] is True
    assert app.config["SESSION_COOKIE_HTTPONLY"] is True


def test_default_database_is_a_sqlite_file_in_the_instance_folder(monkeypatch):
    monkeypatch.delenv("PLANNER_DATABASE_URL", raising=False)
    app = create_app({"TESTING": True})
    expected = Path(app.instance_path) / "planner.db"
    assert app.config["SQLALCHEMY_DATABASE_URI"] == f"sqlite:///{expected}"


def test_sqlite_runs_in_wal_mode_with_foreign_keys(tmp_path):
    app = create_app({"TESTING": True, "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path}/w.db"})
    with app.app_context():
        with db.engine.connect() as connection:
            assert connection.execute(text("PRAGMA journal_mode")).scalar() == "wal"
            assert connection.execute(text("PRAGMA foreign_keys")).scalar() == 1
        db.engine.dispose()


def test_health_check_needs_no_sign_in(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.get_data(as_text=True) == "ok"


def test_readiness_says_ready_when_database_schema_and_queue_answer(client):
    response = client.get("/healthz/ready")
    assert response.status_code == 200
    assert response.get_json() == {"status": "ready", "checks": {
        "database": "ok", "migrations": "ok", "queue": "ok"}}
    assert client.get("/healthz/live").get_data(as_text=True) == "ok"


def test_readiness_names_a_schema_behind_the_code(app, client):
    with db.engine.begin() as connection:
        (current,) = connection.execute(text("SELECT version_num FROM alembic_version")).one()
        connection.execute(text("UPDATE alembic_version SET version_num = '00c778fa50d1'"))
    try:
        response = client.get("/healthz/ready")
    finally:
        with db.engine.begin() as connection:
            connection.execute(text("UPDATE alembic_version SET version_num = :v"),
                               {"v": current})
    assert response.status_code == 503
    body = response.get_json()
    assert body["status"] == "not ready" and body["checks"]["database"] == "ok"
    assert body["checks"]["migrations"].startswith("the schema is at 00c778fa50d1")
    assert "run `planner db upgrade`" in body["checks"]["migrations"]


def test_readiness_names_a_queue_that_does_not_answer(app, client, tmp_path):
    from tests.jobs_support import use_queue

    use_queue(app, "redis://127.0.0.1:1/0")  # nothing listens on port 1
    try:
        response = client.get("/healthz/ready")
    finally:
        use_queue(app, "immediate")
    assert response.status_code == 503
    assert response.get_json()["checks"]["queue"] == "the job queue does not answer"


def test_a_bad_log_format_is_one_line_of_error(monkeypatch, tmp_path):
    monkeypatch.setenv("PLANNER_LOG_FORMAT", "xml")
    with pytest.raises(ConfigurationError, match="PLANNER_LOG_FORMAT='xml' is not a log format"):
        create_app({"TESTING": True, "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path}/l.db"})
