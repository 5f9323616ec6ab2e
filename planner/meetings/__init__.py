from flask import Blueprint

blueprint = Blueprint("meetings", __name__)

from planner.meetings import views  # noqa: E402,F401
