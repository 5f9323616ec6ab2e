from flask import Blueprint

blueprint = Blueprint("main", __name__)

from planner.main import views  # noqa: E402,F401
