"""Minutes of a meeting: attendance, notes and decisions per agenda item, action items;
draft, circulated, approved (then amended only on the record); PDF and DOCX."""

from flask import Blueprint

blueprint = Blueprint("minutes", __name__)

from planner.minutes import views  # noqa: E402,F401
