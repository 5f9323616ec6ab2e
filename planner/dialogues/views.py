import re
from dataclasses import dataclass

from flask import abort, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required
from sqlalchemy import func, select
from sqlalchemy.orm import joinedload, selectinload

from planner.access import (
    can_manage,
    can_schedule,
    dialogue_or_404,
    require,
    restrict_to_visible,
    role_in,
    secretariat_only,
    visible_dialogues,
)
from planner.commitments import operations as commitments_ops
from planner.dialogues import blueprint
from planner.dialogues import operations as setup_ops
from planner.dialogues.forms import ArchiveForm, DialogueForm, ThemeForm
from planner.extensions import db
from planner.models import (
    AuditEvent,
    Classification,
    CommitmentStatus,
    Dialogue,
    DialogueLevel,
    DialogueRole,
    Meeting,
    MeetingStatus,
    Membership,
    MembershipRole,
    Person,
    SourceDocument,
    Theme,
    utcnow,
)
from planner.scheduling.forms import ConfirmForm
from planner.validation import InvalidInput, attach_to_form


@blueprint.route("/dialogues")
@login_required
def index():
    dialogues = db.session.scalars(
        visible_dialogues(current_user).options(
            selectinload(Dialogue.memberships).joinedload(Membership.participant)
        )
    ).all()
    # Archived ones in a list of their own, below: still readable, no longer active.
    archived = [d for d in dialogues if d.is_archived]
    dialogues = [d for d in dialogues if not d.is_archived]
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
        "dialogues/index.html", dialogues=dialogues, archived=archived,
        next_meeting=next_meeting,
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


# --- setting a dialogue up: the secretariat's; themes also the chair's ------------------


SET_UP_ONLY = "Only the secretariat sets up a dialogue: its settings, seats and archive."
THEMES_ONLY = "Only the secretariat and the dialogue's chair change its themes."


def _secretariat() -> Person:
    return secretariat_only(SET_UP_ONLY)


def _settings(form: DialogueForm) -> setup_ops.DialogueSettings:
    return setup_ops.DialogueSettings(
        name=form.name.data or "", short_name=form.short_name.data or "",
        level=form.level.data or "", cadence=form.cadence.data or "",
        classification=form.classification.data or "",
        venue_timezone=form.venue_timezone.data or "", description=form.description.data or "",
    )


@blueprint.route("/dialogues/new", methods=["GET", "POST"])
@login_required
def new():
    by = _secretariat()
    form = DialogueForm(data={} if request.method == "POST" else {
        "level": DialogueLevel.SENIOR_OFFICIALS, "classification": Classification.OFFICIAL})
    if form.validate_on_submit():
        try:
            dialogue = setup_ops.create_dialogue(_settings(form), by=by)
        except InvalidInput as error:
            db.session.rollback()
            attach_to_form(form, error)
        else:
            db.session.commit()
            flash(f"{dialogue.short_name} is set up. Next: its members, founding documents, "
                  "themes and series.", "success")
            return redirect(url_for(".setup", dialogue_id=dialogue.id))
    return render_template("dialogues/new.html", form=form), 400 if form.errors else 200


@dataclass(frozen=True)
class Step:
    """One line of the set-up checklist: what to do, where, and how far it is."""

    title: str
    url: str | None
    done: bool
    status: str


def _checklist(dialogue: Dialogue) -> list[Step]:
    def count(model, *where) -> int:
        return db.session.scalar(select(func.count()).select_from(model).where(*where)) or 0

    members = count(Membership, Membership.dialogue_id == dialogue.id,
                    Membership.role == MembershipRole.MEMBER)
    observers = count(Membership, Membership.dialogue_id == dialogue.id,
                      Membership.role == MembershipRole.OBSERVER)
    roles = count(DialogueRole, DialogueRole.dialogue_id == dialogue.id)
    documents = count(SourceDocument, SourceDocument.dialogue_id == dialogue.id)
    themes = count(Theme, Theme.dialogue_id == dialogue.id)
    meetings = count(Meeting, Meeting.dialogue_id == dialogue.id)
    # The documents pages come with the import; until then the step says where to wait.
    documents_url = (url_for("documents.index", dialogue_id=dialogue.id)
                     if "documents.index" in current_app.view_functions else None)
    return [
        Step("Members and observers", url_for("people.members", dialogue_id=dialogue.id),
             members > 0, f"{members} member{'s' if members != 1 else ''}, {observers} "
                          f"observer{'s' if observers != 1 else ''}"),
        Step("Chair and delegates", url_for("people.index"), roles > 0,
             f"{roles} {'people' if roles != 1 else 'person'} with a role"
             if roles else "Nobody has a role yet: give people theirs on their page"),
        Step("Founding documents", documents_url, documents > 0,
             f"{documents} document{'s' if documents != 1 else ''}" if documents
             else "None yet" if documents_url else "None yet (the import is not available)"),
        Step("Themes", url_for(".themes", dialogue_id=dialogue.id), themes > 0,
             f"{themes} theme{'s' if themes != 1 else ''}" if themes else "None yet"),
        Step("The series", url_for("scheduling.series_page", dialogue_id=dialogue.id),
             bool(dialogue.recurrence_rule) or meetings > 0,
             (f"{dialogue.recurrence_rule}; " if dialogue.recurrence_rule else "No rule; ")
             + f"{meetings} meeting{'s' if meetings != 1 else ''}"),
    ]


def _render_setup(dialogue: Dialogue, *, form: DialogueForm | None = None,
                  archive_form: ArchiveForm | None = None, status: int = 200):
    form = form or DialogueForm(formdata=None, data={
        "name": dialogue.name, "short_name": dialogue.short_name, "level": dialogue.level,
        "cadence": dialogue.cadence, "classification": dialogue.classification,
        "venue_timezone": dialogue.venue_timezone or "",
        "description": dialogue.description or "",
    })
    archived_event = None
    if dialogue.is_archived:
        archived_event = db.session.scalar(
            select(AuditEvent).where(AuditEvent.dialogue_id == dialogue.id,
                                     AuditEvent.action == "dialogue.archived")
            .order_by(AuditEvent.occurred_at.desc()).limit(1))
    return render_template(
        "dialogues/setup.html", dialogue=dialogue, form=form,
        archive_form=archive_form or ArchiveForm(formdata=None),
        restore_form=ConfirmForm(formdata=None), steps=_checklist(dialogue),
        archived_event=archived_event,
    ), status


@blueprint.route("/dialogues/<int:dialogue_id>/setup", methods=["GET"])
@login_required
def setup(dialogue_id: int):
    dialogue = dialogue_or_404(current_user, dialogue_id)
    _secretariat()
    return _render_setup(dialogue)


@blueprint.route("/dialogues/<int:dialogue_id>/setup", methods=["POST"])
@login_required
def save_settings(dialogue_id: int):
    dialogue = dialogue_or_404(current_user, dialogue_id)
    by = _secretariat()
    require(can_schedule(by, dialogue.id), SET_UP_ONLY)
    form = DialogueForm()
    if form.validate_on_submit():
        try:
            setup_ops.update_dialogue(dialogue, _settings(form), by=by)
        except InvalidInput as error:
            db.session.rollback()
            attach_to_form(form, error)
        else:
            db.session.commit()
            flash("The settings are saved.", "success")
            return redirect(url_for(".setup", dialogue_id=dialogue.id))
    return _render_setup(dialogue, form=form, status=400)


@blueprint.route("/dialogues/<int:dialogue_id>/archive", methods=["POST"])
@login_required
def archive(dialogue_id: int):
    dialogue = dialogue_or_404(current_user, dialogue_id)
    by = _secretariat()
    form = ArchiveForm()
    if form.validate_on_submit():
        try:
            setup_ops.archive_dialogue(dialogue, reason=form.reason.data or "", by=by)
        except InvalidInput as error:
            db.session.rollback()
            attach_to_form(form, error)
        else:
            db.session.commit()
            flash(f"{dialogue.short_name} is archived: read-only, out of dashboards and "
                  "calendar feeds. Nothing is deleted; you can restore it here.", "success")
            return redirect(url_for(".setup", dialogue_id=dialogue.id))
    return _render_setup(dialogue, archive_form=form, status=400)


@blueprint.route("/dialogues/<int:dialogue_id>/restore", methods=["POST"])
@login_required
def restore(dialogue_id: int):
    dialogue = dialogue_or_404(current_user, dialogue_id)
    by = _secretariat()
    if ConfirmForm().validate_on_submit():
        try:
            setup_ops.restore_dialogue(dialogue, by=by)
        except InvalidInput as error:
            db.session.rollback()
            flash(next(iter(error.errors.values())), "error")
        else:
            db.session.commit()
            flash(f"{dialogue.short_name} is restored: it is back in dashboards and "
                  "calendar feeds.", "success")
    return redirect(url_for(".setup", dialogue_id=dialogue.id))


# --- themes ----------------------------------------------------------------------------


def _theme_forms(themes: list[Theme], failed: tuple[int, ThemeForm] | None = None):
    """A rename form per theme (prefixed, so that ids stay unique on the page); the one
    sent back with an error keeps what was typed."""
    forms = {t.id: ThemeForm(formdata=None, prefix=f"theme-{t.id}",
                             data={"name": t.name, "code": t.code or ""}) for t in themes}
    if failed is not None:
        forms[failed[0]] = failed[1]
    return forms


def _render_themes(dialogue: Dialogue, *, form: ThemeForm | None = None,
                   failed: tuple[int, ThemeForm] | None = None, status: int = 200):
    themes = _themes(dialogue.id)
    return render_template(
        "dialogues/themes.html", dialogue=dialogue, themes=themes,
        counts=setup_ops.theme_counts(dialogue.id),
        manage=bool(can_manage(current_user, dialogue.id)),
        form=form or ThemeForm(formdata=None), rename_forms=_theme_forms(themes, failed),
    ), status


@blueprint.route("/dialogues/<int:dialogue_id>/themes", methods=["GET"])
@login_required
def themes(dialogue_id: int):
    return _render_themes(dialogue_or_404(current_user, dialogue_id))


@blueprint.route("/dialogues/<int:dialogue_id>/themes", methods=["POST"])
@login_required
def add_theme(dialogue_id: int):
    dialogue = dialogue_or_404(current_user, dialogue_id)
    require(can_manage(current_user, dialogue.id), THEMES_ONLY)
    form = ThemeForm()
    if form.validate_on_submit():
        try:
            theme = setup_ops.create_theme(dialogue, name=form.name.data or "",
                                           code=form.code.data or "",
                                           by=current_user._get_current_object())
        except InvalidInput as error:
            db.session.rollback()
            attach_to_form(form, error)
        else:
            db.session.commit()
            flash(f"Theme {theme.label} is added.", "success")
            return redirect(url_for(".themes", dialogue_id=dialogue.id))
    return _render_themes(dialogue, form=form, status=400)


@blueprint.route("/dialogues/<int:dialogue_id>/themes/<int:theme_id>", methods=["POST"])
@login_required
def rename_theme(dialogue_id: int, theme_id: int):
    dialogue = dialogue_or_404(current_user, dialogue_id)
    require(can_manage(current_user, dialogue.id), THEMES_ONLY)
    theme = db.session.scalar(
        select(Theme).where(Theme.id == theme_id, Theme.dialogue_id == dialogue.id))
    if theme is None:
        abort(404)
    form = ThemeForm(prefix=f"theme-{theme.id}")
    if form.validate_on_submit():
        try:
            setup_ops.rename_theme(theme, name=form.name.data or "",
                                   code=form.code.data or "",
                                   by=current_user._get_current_object())
        except InvalidInput as error:
            db.session.rollback()
            attach_to_form(form, error)
        else:
            db.session.commit()
            flash(f"Saved: {theme.label}.", "success")
            return redirect(url_for(".themes", dialogue_id=dialogue.id))
    return _render_themes(dialogue, failed=(theme_id, form), status=400)
