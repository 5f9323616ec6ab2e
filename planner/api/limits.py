"""A rate limit on the API, per token (or per address without one): a runaway script
slows down alone, with 429 and Retry-After, and guessing tokens gets nowhere fast."""

from __future__ import annotations

import hashlib

from flask import current_app, request
from flask_limiter.util import get_remote_address

from planner.api import v1
from planner.extensions import limiter

DEFAULT = "600 per minute"


def _limit() -> str:
    return current_app.config.get("API_RATE_LIMIT", DEFAULT)


def _key() -> str:
    header = request.headers.get("Authorization", "")
    if header:
        return "api-token:" + hashlib.sha256(header.encode()).hexdigest()
    return "api-address:" + get_remote_address()


limiter.limit(_limit, key_func=_key)(v1)
