from flask import render_template
from flask_login import current_user, login_required
from sqlalchemy import select
from sqlalchemy.orm import joinedload, selectinload

from planner.access import meeting_or_404, role_in
from planner.extensions import db
from planner.meetings import blueprint
from planner.models import (
    ActionItem,
    Attendance,
    Decision,
    Minutes,
    MinutesStatus,
    utcnow,
)


@blueprint.route("/meetings/<int:meeting_id>")
@login_required
def show(meeting_id: int):
    meeting = meeting_or_404(current_user, meeting_id)
    role = role_in(current_user, meeting.dialogue_id)
    minutes = db.session.scalar(
        select(Minutes)
        .options(
            selectinload(Minutes.attendance).joinedload(Attendance.participant),
            selectinload(Minutes.decisions).joinedload(Decision.commitment),
        )
        .where(Minutes.meeting_id == meeting.id)
    )
    # Drafts are for those who write them; members read circulated and approved minutes.
    if minutes is not None and minutes.status == MinutesStatus.DRAFT and role not in (
        "secretariat",
        "chair",
    ):
        minutes = None
    action_items = db.session.scalars(
        select(ActionItem)
        .options(joinedload(ActionItem.owner), joinedload(ActionItem.commitment))
        .where(ActionItem.meeting_id == meeting.id)
        .order_by(ActionItem.due_on, ActionItem.id)
    ).all()
    return render_template(
        "meetings/show.html",
        meeting=meeting,
        dialogue=meeting.dialogue,
        minutes=minutes,
        action_items=action_items,
        role=role,
        today=utcnow().date(),
    )
