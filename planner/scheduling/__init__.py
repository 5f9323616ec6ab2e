"""Scheduling: the series, host rotation, date proposals, moves and cancellations."""

from flask import Blueprint

blueprint = Blueprint("scheduling", __name__)

from planner.scheduling import views  # noqa: E402,F401
