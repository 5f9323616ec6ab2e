"""The search page: a GET form (it changes nothing) and the results the reader may see."""

from __future__ import annotations

from flask import render_template, request
from flask_login import current_user, login_required

from planner.access import visible_dialogues
from planner.extensions import db
from planner.search import blueprint
from planner.search.operations import KINDS, MAX_QUERY, search


@blueprint.route("/search")
@login_required
def index():
    dialogues = db.session.scalars(visible_dialogues(current_user)).all()
    query = request.args.get("q", "").strip()
    errors = {}
    if len(query) > MAX_QUERY:
        errors["q"] = f"Search for at most {MAX_QUERY} characters."
    dialogue_id = request.args.get("dialogue", type=int)
    if dialogue_id is not None and dialogue_id not in {d.id for d in dialogues}:
        errors["dialogue"] = "Choose one of your dialogues, or all of them."
    kind = request.args.get("kind", "")
    if kind and kind not in KINDS:
        errors["kind"] = "Choose what to search, or everything."
    results = None
    if query and not errors:
        results = search(current_user, query, dialogue_id=dialogue_id, kind=kind or None)
    return render_template(
        "search/index.html", query=query, results=results, dialogues=dialogues,
        dialogue_id=dialogue_id, kind=kind, kinds=KINDS, errors=errors,
    ), 400 if errors else 200
