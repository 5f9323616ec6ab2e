from itertools import groupby

from flask import render_template
from flask_login import current_user, login_required
from sqlalchemy import func, select
from sqlalchemy.orm import joinedload, selectinload

from planner.access import dialogue_or_404, restrict_to_visible, role_in, visible_dialogues
from planner.dialogues import blueprint
from planner.extensions import db
from planner.models import (
    Commitment,
    Dialogue,
    DocumentSection,
    Meeting,
    MeetingStatus,
    Membership,
    Theme,
    utcnow,
)


@blueprint.route("/dialogues")
@login_required
def index():
    dialogues = db.session.scalars(
        visible_dialogues(current_user).options(
            selectinload(Dialogue.memberships).joinedload(Membership.participant)
        )
    ).all()
    next_meeting = dict(
        db.session.execute(
            restrict_to_visible(
                select(Meeting.dialogue_id, func.min(Meeting.starts_at)),
                Meeting.dialogue_id,
                current_user,
            )
            .where(Meeting.starts_at >= utcnow(), Meeting.status != MeetingStatus.CANCELLED)
            .group_by(Meeting.dialogue_id)
        ).all()
    )
    return render_template(
        "dialogues/index.html", dialogues=dialogues, next_meeting=next_meeting
    )


@blueprint.route("/dialogues/<int:dialogue_id>")
@login_required
def show(dialogue_id: int):
    dialogue = dialogue_or_404(current_user, dialogue_id)
    memberships = db.session.scalars(
        select(Membership)
        .options(joinedload(Membership.participant))
        .where(Membership.dialogue_id == dialogue.id)
        .order_by(Membership.role, Membership.id)
    ).all()
    themes = db.session.scalars(
        select(Theme).where(Theme.dialogue_id == dialogue.id).order_by(Theme.position)
    ).all()
    commitments = db.session.scalars(
        select(Commitment)
        .options(
            joinedload(Commitment.section).joinedload(DocumentSection.document),
            selectinload(Commitment.leads),
        )
        .where(Commitment.dialogue_id == dialogue.id)
        .order_by(Commitment.position, Commitment.id)
    ).all()
    by_theme = {
        theme_id: list(items)
        for theme_id, items in groupby(
            sorted(commitments, key=lambda c: (c.theme_id is None, c.theme_id or 0)),
            key=lambda c: c.theme_id,
        )
    }
    meetings = db.session.scalars(
        select(Meeting)
        .options(joinedload(Meeting.host))
        .where(Meeting.dialogue_id == dialogue.id)
        .order_by(Meeting.starts_at)
    ).all()
    now = utcnow()
    return render_template(
        "dialogues/show.html",
        dialogue=dialogue,
        members=[m for m in memberships if not m.is_observer],
        observers=[m for m in memberships if m.is_observer],
        themes=themes,
        by_theme=by_theme,
        past_meetings=[m for m in meetings if m.ends_at < now][::-1],
        upcoming_meetings=[m for m in meetings if m.ends_at >= now],
        role=role_in(current_user, dialogue.id),
    )
