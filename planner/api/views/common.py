"""Small helpers the API views share."""

from __future__ import annotations

from flask_login import current_user

from planner.models import Person


def person() -> Person:
    """The person the request acts as (the token's, or the signed-in reader's)."""
    return current_user._get_current_object()
