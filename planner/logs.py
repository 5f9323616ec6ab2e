"""Logging: a request id on every line (from the X-Request-ID header a proxy sets, or made
here), carried into the jobs a request queues; one JSON object per line when
PLANNER_LOG_FORMAT=json, for a ministry's log collector."""

from __future__ import annotations

import logging
import re
import sys
import uuid
from contextvars import ContextVar

from flask import Flask, g, request
from pythonjsonlogger.json import JsonFormatter

from planner.config import ConfigurationError

HEADER = "X-Request-ID"
FORMATS = ("text", "json")
_ACCEPTED = re.compile(r"[A-Za-z0-9._:-]{1,64}")
_request_id: ContextVar[str | None] = ContextVar("request_id", default=None)
_HANDLER_NAME = "planner"


def current_request_id() -> str | None:
    return _request_id.get()


def set_request_id(value: str | None) -> None:
    _request_id.set(value)


class RequestIdFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        record.request_id = _request_id.get() or "-"
        return True


def configure(app: Flask) -> None:
    log_format = (app.config.get("LOG_FORMAT") or "text").strip().lower()
    if log_format not in FORMATS:
        raise ConfigurationError(
            f"PLANNER_LOG_FORMAT={app.config.get('LOG_FORMAT')!r} is not a log format: "
            "use 'text' (the default) or 'json'."
        )
    level = str(app.config.get("LOG_LEVEL") or "INFO").upper()
    if not isinstance(logging.getLevelName(level), int):
        raise ConfigurationError(
            f"PLANNER_LOG_LEVEL={level!r} is not a log level: use DEBUG, INFO, WARNING or ERROR."
        )
    root = logging.getLogger()
    for handler in [h for h in root.handlers if h.get_name() == _HANDLER_NAME]:
        root.removeHandler(handler)  # a second app in the same process replaces it
    if not app.testing or log_format == "json":
        handler = logging.StreamHandler(sys.stderr)
        handler.set_name(_HANDLER_NAME)
        handler.addFilter(RequestIdFilter())
        if log_format == "json":
            handler.setFormatter(JsonFormatter(
                "%(asctime)s %(levelname)s %(name)s %(message)s %(request_id)s",
                rename_fields={"asctime": "time", "levelname": "level", "name": "logger"},
            ))
        else:
            handler.setFormatter(logging.Formatter(
                "%(asctime)s %(levelname)s [%(request_id)s] %(name)s: %(message)s"
            ))
        root.addHandler(handler)
        root.setLevel(level)
        # Alembic says which plugins it loads at INFO, on every start of every process.
        logging.getLogger("alembic.runtime.plugins").setLevel(logging.WARNING)

    @app.before_request
    def take_request_id() -> None:
        given = request.headers.get(HEADER, "")
        g.request_id = given if _ACCEPTED.fullmatch(given) else uuid.uuid4().hex
        _request_id.set(g.request_id)

    @app.after_request
    def tell_request_id(response):
        if "request_id" in g:
            response.headers[HEADER] = g.request_id
        return response

    @app.teardown_request
    def forget_request_id(_error=None) -> None:
        _request_id.set(None)
