"""Action items: the list (by dialogue, owner, status, overdue), one item's page, closing
with its outcome, and `planner remind`."""

from flask import Blueprint

blueprint = Blueprint("actions", __name__)

from planner.actions import views  # noqa: E402,F401
