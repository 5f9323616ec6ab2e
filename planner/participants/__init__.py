"""The register of participants (states' ministries and institutions) that dialogues
seat: the secretariat's pages. The rules are in operations.py."""

from flask import Blueprint

blueprint = Blueprint("participants", __name__)

from planner.participants import views  # noqa: E402,F401
