"""Agendas: built from what is still open, edited and timed by the chair, circulated as
frozen, numbered versions, printed and exported."""

from flask import Blueprint

blueprint = Blueprint("agendas", __name__)

from planner.agendas import notify, views  # noqa: E402,F401
