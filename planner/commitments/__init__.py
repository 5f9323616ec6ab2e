"""The commitment tracker: a commitment's timeline across meetings, and each dialogue's
progress by theme."""

from flask import Blueprint

blueprint = Blueprint("commitments", __name__)

from planner.commitments import views  # noqa: E402,F401
