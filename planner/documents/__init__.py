"""Founding documents: reading a statement a secretariat pastes or uploads, splitting it
into sections and proposing the commitments it makes (importer.py), and the review that
turns the accepted candidates into commitments (operations.py)."""

from flask import Blueprint

blueprint = Blueprint("documents", __name__)

from planner.documents import views  # noqa: E402,F401
