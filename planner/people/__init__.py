"""People, their roles in dialogues, and the dialogues' memberships: the secretariat's
administration pages; and the audit log."""

from flask import Blueprint

blueprint = Blueprint("people", __name__)

from planner.people import views  # noqa: E402,F401
