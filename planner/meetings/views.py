from flask import render_template
from flask_login import current_user, login_required

from planner.access import meeting_or_404, role_in
from planner.meetings import blueprint
from planner.models import utcnow


@blueprint.route("/meetings/<int:meeting_id>")
@login_required
def show(meeting_id: int):
    meeting = meeting_or_404(current_user, meeting_id)
    role = role_in(current_user, meeting.dialogue_id)
    # The minutes and action items panels come from the minutes area's template globals.
    return render_template(
        "meetings/show.html",
        meeting=meeting,
        dialogue=meeting.dialogue,
        role=role,
        today=utcnow().date(),
    )
