"""A commitment's page (its timeline across meetings), and the progress chart that the
dialogue page includes (templates/commitments/_progress.html)."""

from __future__ import annotations

from flask import abort, render_template
from flask_login import current_user, login_required

from planner.access import role_in
from planner.commitments import blueprint
from planner.commitments import operations as ops
from planner.models import Dialogue


@blueprint.app_template_global()
def commitment_progress(dialogue: Dialogue) -> ops.Chart:
    return ops.progress_by_theme(dialogue.id)


@blueprint.route("/commitments/<int:commitment_id>")
@login_required
def show(commitment_id: int):
    commitment = ops.commitment_for(current_user, commitment_id)
    if commitment is None:
        abort(404)
    return render_template(
        "commitments/show.html", commitment=commitment, dialogue=commitment.dialogue,
        stops=ops.timeline(commitment, current_user),
        role=role_in(current_user, commitment.dialogue_id),
    )
