import re

from flask import render_template, request
from flask_login import current_user, login_required
from sqlalchemy import func, select
from sqlalchemy.orm import joinedload, selectinload

from planner.access import dialogue_or_404, restrict_to_visible, role_in, visible_dialogues
from planner.commitments import operations as commitments_ops
from planner.dialogues import blueprint
from planner.extensions import db
from planner.models import (
    CommitmentStatus,
    Dialogue,
    Meeting,
    MeetingStatus,
    Membership,
    MembershipRole,
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
    themes = _themes(dialogue.id)
    # A few of each theme, however many the dialogue has; the full list is a page of its own.
    groups = commitments_ops.first_by_theme(dialogue.id, themes)
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
        groups=groups,
        cut=any(group.is_cut for group in groups),
        first_per_theme=commitments_ops.FIRST_PER_THEME,
        past_meetings=[m for m in meetings if m.ends_at < now][::-1],
        upcoming_meetings=[m for m in meetings if m.ends_at >= now],
        role=role_in(current_user, dialogue.id),
    )


def _themes(dialogue_id: int) -> list[Theme]:
    return list(db.session.scalars(
        select(Theme).where(Theme.dialogue_id == dialogue_id).order_by(Theme.position, Theme.id)
    ))


PAGE_NUMBER = re.compile(r"0*[1-9][0-9]{0,8}")


@blueprint.route("/dialogues/<int:dialogue_id>/commitments")
@login_required
def commitments(dialogue_id: int):
    """A dialogue's commitments page by page, filtered by theme and status. A filter that
    makes no sense here is dropped with a word on the page, never an error."""
    dialogue = dialogue_or_404(current_user, dialogue_id)
    themes = _themes(dialogue.id)
    notices = []

    theme_arg = request.args.get("theme", "")
    theme: int | str | None = None
    if theme_arg == commitments_ops.NO_THEME:
        theme = commitments_ops.NO_THEME
    elif theme_arg:
        theme = next((t.id for t in themes if str(t.id) == theme_arg), None)
        if theme is None:
            notices.append("That theme is not one of this dialogue's: showing every theme.")
            theme_arg = ""
    status_arg = request.args.get("status", "")
    if status_arg and status_arg not in tuple(CommitmentStatus):
        notices.append("Unknown status: showing every status.")
        status_arg = ""
    page_arg = request.args.get("page", "1")
    page = 1
    if PAGE_NUMBER.fullmatch(page_arg):
        page = int(page_arg)
    else:
        notices.append("That is not a page number: showing the first page.")

    listing = commitments_ops.list_commitments(
        dialogue.id, theme=theme, status=status_arg or None, page=page
    )
    if page > listing.pages:
        notices.append(f"Page {page} is past the end: showing the last page ({listing.pages}).")
    members = db.session.scalar(
        select(func.count()).select_from(Membership).where(
            Membership.dialogue_id == dialogue.id, Membership.role != MembershipRole.OBSERVER
        )
    )
    theme_label = None
    if theme == commitments_ops.NO_THEME:
        theme_label = commitments_ops.GENERAL_THEME
    elif theme is not None:
        theme_label = next(t.label for t in themes if t.id == theme)
    return render_template(
        "dialogues/commitments.html",
        dialogue=dialogue,
        themes=themes,
        listing=listing,
        theme_arg=theme_arg,
        theme_label=theme_label,
        status_arg=status_arg,
        statuses=[(s.value, s.label) for s in CommitmentStatus],
        general=(commitments_ops.NO_THEME, commitments_ops.GENERAL_THEME),
        member_count=members or 0,
        notices=notices,
        args={k: v for k, v in (("theme", theme_arg), ("status", status_arg)) if v},
    )
