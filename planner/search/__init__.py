"""Search across commitments, minutes, decisions and action items, showing only what
the reader may see."""

from flask import Blueprint

blueprint = Blueprint("search", __name__)

from planner.search import views  # noqa: E402,F401
