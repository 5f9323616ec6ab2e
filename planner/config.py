"""Settings, read from the environment once when the app is created."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any


class ConfigurationError(RuntimeError):
    """The app was started with settings it cannot run with."""


def default_database_url(instance_path: str) -> str:
    return "sqlite:///" + str(Path(instance_path) / "planner.db")


SECRET_KEY_FILE = "secret_key"


def instance_path_from_environment() -> str | None:
    """PLANNER_INSTANCE_PATH: where the SQLite file, the secret key file and the local
    queue live (default: Flask's instance folder, `instance/` in a checkout)."""
    path = os.environ.get("PLANNER_INSTANCE_PATH")
    return os.path.abspath(path) if path else None


def from_environment(instance_path: str) -> dict[str, Any]:
    env = os.environ
    return {
        "SQLALCHEMY_DATABASE_URI": env.get("PLANNER_DATABASE_URL")
        or default_database_url(instance_path),
        # The environment's key, else the one kept in the instance folder (`make run`
        # writes it there), as Flask apps read their instance configuration.
        "SECRET_KEY": env.get("PLANNER_SECRET_KEY") or read_secret_key_file(instance_path),
        "DEMO_PASSWORD": env.get("PLANNER_DEMO_PASSWORD", "demo"),
        # Cookies are Secure outside debug and testing unless this says otherwise
        # (`make run` serves plain http on 127.0.0.1 and sets it to 0).
        "SECURE_COOKIES": _flag(env.get("PLANNER_SECURE_COOKIES")),
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        "REMEMBER_COOKIE_HTTPONLY": True,
        "REMEMBER_COOKIE_SAMESITE": "Lax",
        "SQLALCHEMY_TRACK_MODIFICATIONS": False,
        # A founding document may be uploaded up to 10 MB (the importer says so next to the
        # field); a request far beyond that is refused before it is read. A pasted
        # statement's text is a form field: room for a long one.
        "MAX_CONTENT_LENGTH": 32 * 1024 * 1024,
        "MAX_FORM_MEMORY_SIZE": 4 * 1024 * 1024,
        # Sign-in throttling: counters in memory by default; give a Redis URL
        # (redis://host:6379/0) when several workers or servers must share them.
        "RATELIMIT_STORAGE_URI": env.get("PLANNER_RATELIMIT_STORAGE_URL") or "memory://",
        "RATELIMIT_HEADERS_ENABLED": False,
        # Redis down: count in each process's memory meanwhile rather than refuse sign-ins.
        "RATELIMIT_IN_MEMORY_FALLBACK_ENABLED": True,
        # Behind a reverse proxy: how many proxies set X-Forwarded-For/-Proto/-Host, so
        # that throttling sees the client's address and links use https (0: no proxy).
        "PROXY_COUNT": _number(env, "PLANNER_PROXY_COUNT", 0, upper=5),
        # Requests per token (or address) to /api/v1, in flask-limiter's notation.
        "API_RATE_LIMIT": env.get("PLANNER_API_RATE_LIMIT") or "600 per minute",
        # How long a set-password link works.
        "PASSWORD_LINK_HOURS": int(env.get("PLANNER_PASSWORD_LINK_HOURS") or 72),
        # Links in e-mails and calendar files; needed where no request gives the host (CLI).
        "BASE_URL": env.get("PLANNER_BASE_URL") or None,
        # Outgoing mail (planner.outbox reads and checks these when it sends).
        "SMTP_HOST": env.get("PLANNER_SMTP_HOST") or None,
        "SMTP_PORT": env.get("PLANNER_SMTP_PORT") or None,
        "SMTP_TLS": env.get("PLANNER_SMTP_TLS", "starttls"),
        "SMTP_USERNAME": env.get("PLANNER_SMTP_USERNAME") or None,
        "SMTP_PASSWORD": env.get("PLANNER_SMTP_PASSWORD") or None,
        "MAIL_FROM": env.get("PLANNER_MAIL_FROM", "Dialogue Secretariat <secretariat@localhost>"),
        # The ORGANIZER of invites, whose mailbox receives the replies (default: MAIL_FROM).
        "MAIL_ORGANIZER": env.get("PLANNER_MAIL_ORGANIZER") or None,
        # The organizer's mailbox, read for the answers to invites (planner.inbox), e.g.
        # imaps://user:password@mail.example.org/INBOX; what is done moves to PROCESSED.
        "MAIL_INBOX_URL": env.get("PLANNER_MAIL_INBOX_URL") or None,
        "MAIL_INBOX_PROCESSED": env.get("PLANNER_MAIL_INBOX_PROCESSED") or "Processed",
        # Queue the sending job right after the commit that queued a message (otherwise
        # the worker's turn every minute sends it).
        "OUTBOX_SEND_AFTER_COMMIT": _flag(env.get("PLANNER_OUTBOX_SEND_AFTER_COMMIT")) is not False,
        # The first retry of an e-mail the mail server did not take waits this long; each
        # later one twice as long as the one before, up to six hours.
        "OUTBOX_RETRY_SECONDS": _number(env, "PLANNER_OUTBOX_RETRY_SECONDS", 60),
        # How long a sender holds a message it is sending before another may try it.
        "OUTBOX_CLAIM_SECONDS": _number(env, "PLANNER_OUTBOX_CLAIM_SECONDS", 600),
        # The background jobs' queue (planner.jobs.engine): unset = the app's database
        # (a file beside the SQLite one); or redis://host:6379/1, postgresql://...
        "QUEUE_URL": env.get("PLANNER_QUEUE_URL") or None,
        # A job that failed waits this long before its first retry (then twice as long
        # each time, five retries) before it is shown on /jobs as failed.
        "JOB_RETRY_SECONDS": _number(env, "PLANNER_JOB_RETRY_SECONDS", 30),
        # The hour (UTC) from which the day's action item reminders are sent.
        "REMINDER_HOUR": _number(env, "PLANNER_REMINDER_HOUR", 6, upper=23),
        # Logs: text lines, or one JSON object per line ("json"); and their level.
        "LOG_FORMAT": env.get("PLANNER_LOG_FORMAT") or "text",
        "LOG_LEVEL": env.get("PLANNER_LOG_LEVEL") or "INFO",
    }


def read_secret_key_file(instance_path: str) -> str | None:
    path = Path(instance_path) / SECRET_KEY_FILE
    try:
        key = path.read_text(encoding="utf-8").strip()
    except FileNotFoundError:
        return None
    except (OSError, UnicodeDecodeError) as error:
        raise ConfigurationError(f"Cannot read the secret key in {path}: {error}.") from error
    if not key:
        raise ConfigurationError(f"{path} is empty: put a long random value in it, or remove "
                                 "it and set PLANNER_SECRET_KEY.")
    return key


def check(config: dict[str, Any], *, debug: bool, instance_path: str = "instance") -> None:
    """Refuse to start with settings that would be unsafe or cannot work. Each refusal is
    one line that says what to do."""
    relaxed = debug or config.get("TESTING")
    if not config.get("SECRET_KEY"):
        if not relaxed:
            raise ConfigurationError(
                "PLANNER_SECRET_KEY is not set: set it to a long random value (python3 -c "
                "'import secrets; print(secrets.token_hex(32))'), or write one to "
                f"{Path(instance_path) / SECRET_KEY_FILE}."
            )
        # A throwaway key: sessions do not survive a restart, which is fine for debug.
        config["SECRET_KEY"] = os.urandom(32).hex()
    secure = config.get("SECURE_COOKIES")
    if secure is None:
        secure = not relaxed
    config["SESSION_COOKIE_SECURE"] = config["REMEMBER_COOKIE_SECURE"] = bool(secure)


def _number(env: Any, name: str, default: int, *, upper: int | None = None) -> int:
    value = env.get(name)
    if value is None or value.strip() == "":
        return default
    try:
        number = int(value)
    except ValueError:
        number = -1
    if number < 0 or (upper is not None and number > upper):
        bound = f"0 to {upper}" if upper is not None else "0 or more"
        raise ConfigurationError(f"{name}={value!r} is not a whole number from {bound}.")
    return number


def _flag(value: str | None) -> bool | None:
    if value is None or value == "":
        return None
    return value.strip().lower() in {"1", "true", "yes", "on"}


def check_environment() -> None:
    """The checks create_app makes, for a process that does not build the app (gunicorn's
    arbiter before it starts workers)."""
    from planner import create_app

    create_app()
