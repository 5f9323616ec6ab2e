from flask import Blueprint

blueprint = Blueprint("dialogues", __name__)

from planner.dialogues import views  # noqa: E402,F401
