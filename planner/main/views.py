from flask import jsonify, render_template
from flask_login import current_user, login_required
from sqlalchemy import select
from sqlalchemy.orm import joinedload

from planner.access import leave_out_archived, restrict_to_visible
from planner.actions.operations import readable as readable_action_items
from planner.extensions import db
from planner.main import blueprint
from planner.models import ActionItem, ActionItemStatus, Meeting, MeetingStatus, by_due_date, utcnow

UPCOMING_LIMIT = 10
ACTION_ITEM_LIMIT = 25


@blueprint.route("/healthz")
@blueprint.route("/healthz/live")
def health():
    """Liveness, for load balancers and the benchmark's ceiling: the process answers.
    No session, no database."""
    return "ok", 200, {"Content-Type": "text/plain; charset=utf-8"}


@blueprint.route("/healthz/ready")
def ready():
    """Readiness: send this server traffic only if its database answers, its schema is
    the one this code expects (`planner db upgrade` has run) and the job queue answers.
    503 names what is not ready; nothing secret is said."""
    from planner.main.health import readiness

    checks = readiness()
    ok = all(check == "ok" for check in checks.values())
    return jsonify(status="ready" if ok else "not ready", checks=checks), 200 if ok else 503


@blueprint.route("/")
@login_required
def dashboard():
    person = current_user
    # Archived dialogues leave the dashboard; their pages stay readable.
    upcoming = db.session.scalars(
        leave_out_archived(restrict_to_visible(select(Meeting), Meeting.dialogue_id, person),
                           Meeting.dialogue_id)
        .options(joinedload(Meeting.dialogue), joinedload(Meeting.host))
        .where(Meeting.ends_at >= utcnow(), Meeting.status != MeetingStatus.CANCELLED)
        .order_by(Meeting.starts_at)
        .limit(UPCOMING_LIMIT)
    ).all()

    # Those of draft minutes only for whoever writes them, as on every other page.
    actions = leave_out_archived(readable_action_items(person), ActionItem.dialogue_id).where(
        ActionItem.status.in_(ActionItemStatus.still_open())
    )
    if person.participant_id is not None:
        actions = actions.where(ActionItem.owner_participant_id == person.participant_id)
    # The first few picked from the narrow rows, then joined to what the page shows:
    # joined before the limit, every one of a delegation's open items would be.
    first = actions.with_only_columns(ActionItem.id).order_by(*by_due_date()).limit(
        ACTION_ITEM_LIMIT
    )
    action_items = db.session.scalars(
        select(ActionItem)
        .options(
            joinedload(ActionItem.dialogue),
            joinedload(ActionItem.owner),
            joinedload(ActionItem.meeting),
        )
        .where(ActionItem.id.in_(first))
        .order_by(*by_due_date())
    ).all()
    return render_template(
        "main/dashboard.html",
        upcoming=upcoming,
        action_items=action_items,
        today=utcnow().date(),
    )
