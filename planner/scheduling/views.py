"""The secretariat's scheduling pages. Views parse, check access, call an operation and
render; the rules are in operations.py, series.py and proposals.py."""

from __future__ import annotations

from datetime import date, timedelta

from flask import flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required
from sqlalchemy import select
from sqlalchemy.orm import joinedload

from planner.access import (
    can_schedule,
    dialogue_or_404,
    meeting_or_404,
    require,
    role_in,
)
from planner.extensions import db
from planner.models import (
    Meeting,
    MeetingChange,
    MeetingStatus,
    MembershipRole,
    Participant,
    utcnow,
)
from planner.scheduling import blueprint, operations, series
from planner.scheduling.forms import (
    CancelForm,
    ClassificationForm,
    ConfirmForm,
    ProposalForm,
    RescheduleForm,
    RotationForm,
    RotationMoveForm,
    RuleForm,
    ScheduleForm,
    SeriesSettingsForm,
)
from planner.scheduling.proposals import propose
from planner.scheduling.times import local_to_utc
from planner.validation import InvalidInput, attach_to_form


def _members(dialogue) -> list[Participant]:
    return [m.participant for m in dialogue.memberships if m.role == MembershipRole.MEMBER]


def _person():
    return current_user._get_current_object()


# --- the series ----------------------------------------------------------------------


@blueprint.route("/dialogues/<int:dialogue_id>/series", methods=["GET"])
@login_required
def series_page(dialogue_id: int):
    dialogue = dialogue_or_404(current_user, dialogue_id)
    return _render_series(dialogue)


def _render_series(dialogue, *, rule_form=None, settings_form=None, rotation_form=None,
                   status=200):
    manage = can_schedule(current_user, dialogue.id)
    meetings = db.session.scalars(
        select(Meeting).options(joinedload(Meeting.host))
        .where(Meeting.dialogue_id == dialogue.id).order_by(Meeting.starts_at)
    ).all()
    now = utcnow()
    settings_form = settings_form or SeriesSettingsForm(
        formdata=None,
        window_start_month=str(dialogue.window_start_month or ""),
        window_end_month=str(dialogue.window_end_month or ""),
        meeting_days=dialogue.meeting_days,
        default_start=dialogue.default_start,
        default_end=dialogue.default_end,
        horizon_months=dialogue.horizon_months,
    )
    next_date = next((m.series_date for m in meetings
                      if m.series_date and m.ends_at >= now), None)
    rule_form = rule_form or RuleForm(formdata=None, recurrence_rule=dialogue.recurrence_rule,
                                      from_date=next_date)
    return render_template(
        "scheduling/series.html",
        dialogue=dialogue,
        manage=manage,
        role=role_in(current_user, dialogue.id),
        upcoming=[m for m in meetings if m.ends_at >= now and m.status != MeetingStatus.CANCELLED],
        past=[m for m in meetings if m.ends_at < now and m.status != MeetingStatus.CANCELLED][::-1],
        cancelled=[m for m in meetings if m.status == MeetingStatus.CANCELLED],
        window=series.window_label(dialogue),
        rule_form=rule_form,
        settings_form=settings_form,
        rotation_form=rotation_form or RotationForm(formdata=None, members=_members(dialogue)),
        move_form=RotationMoveForm(formdata=None),
        confirm_form=ConfirmForm(formdata=None),
    ), status


@blueprint.route("/dialogues/<int:dialogue_id>/series/extend", methods=["POST"])
@login_required
def extend(dialogue_id: int):
    dialogue = dialogue_or_404(current_user, dialogue_id)
    require(can_schedule(current_user, dialogue.id))
    if not ConfirmForm().validate_on_submit():
        flash("The form had expired; nothing was changed. Please try again.", "error")
        return redirect(url_for(".series_page", dialogue_id=dialogue.id))
    created = series.extend_series(dialogue, today=date.today(), by=_person())
    db.session.commit()
    flash(f"{len(created)} proposed meeting(s) added to the series." if created
          else "The series already reaches the horizon; nothing to add.", "success")
    return redirect(url_for(".series_page", dialogue_id=dialogue.id))


@blueprint.route("/dialogues/<int:dialogue_id>/series/rule", methods=["POST"])
@login_required
def change_rule(dialogue_id: int):
    dialogue = dialogue_or_404(current_user, dialogue_id)
    require(can_schedule(current_user, dialogue.id))
    form = RuleForm()
    if form.validate_on_submit():
        try:
            cancelled, created = series.change_rule(
                dialogue, rule=form.recurrence_rule.data, from_date=form.from_date.data,
                today=date.today(), by=_person(), reason=form.reason.data,
            )
        except InvalidInput as error:
            db.session.rollback()
            attach_to_form(form, error)
        else:
            db.session.commit()
            flash(f"The rule is changed from {form.from_date.data:%d %B %Y}: "
                  f"{len(cancelled)} occurrence(s) cancelled, {len(created)} added.", "success")
            return redirect(url_for(".series_page", dialogue_id=dialogue.id))
    return _render_series(dialogue, rule_form=form, status=400)


@blueprint.route("/dialogues/<int:dialogue_id>/series/settings", methods=["POST"])
@login_required
def settings(dialogue_id: int):
    dialogue = dialogue_or_404(current_user, dialogue_id)
    require(can_schedule(current_user, dialogue.id))
    form = SeriesSettingsForm()
    if form.validate_on_submit():
        try:
            series.update_settings(
                dialogue,
                window_start_month=int(form.window_start_month.data or 0) or None,
                window_end_month=int(form.window_end_month.data or 0) or None,
                meeting_days=form.meeting_days.data,
                default_start=form.default_start.data,
                default_end=form.default_end.data,
                horizon_months=form.horizon_months.data,
                by=_person(),
            )
        except InvalidInput as error:
            db.session.rollback()
            attach_to_form(form, error)
        else:
            db.session.commit()
            flash("The series settings are saved.", "success")
            return redirect(url_for(".series_page", dialogue_id=dialogue.id))
    return _render_series(dialogue, settings_form=form, status=400)


@blueprint.route("/dialogues/<int:dialogue_id>/series/rotation", methods=["POST"])
@login_required
def add_host(dialogue_id: int):
    dialogue = dialogue_or_404(current_user, dialogue_id)
    require(can_schedule(current_user, dialogue.id))
    form = RotationForm(members=_members(dialogue))
    if form.validate_on_submit():
        try:
            series.add_host(
                dialogue, participant=db.session.get(Participant, int(form.participant.data)),
                city=form.city.data, venue=form.venue.data, timezone=form.timezone.data,
                by=_person(),
            )
        except InvalidInput as error:
            db.session.rollback()
            attach_to_form(form, error)
        else:
            db.session.commit()
            flash("The host rotation is updated.", "success")
            return redirect(url_for(".series_page", dialogue_id=dialogue.id) + "#rotation")
    return _render_series(dialogue, rotation_form=form, status=400)


@blueprint.route("/dialogues/<int:dialogue_id>/series/rotation/move", methods=["POST"])
@login_required
def move_host(dialogue_id: int):
    dialogue = dialogue_or_404(current_user, dialogue_id)
    require(can_schedule(current_user, dialogue.id))
    form = RotationMoveForm()
    if form.validate_on_submit() and form.slot.data.isdigit():
        try:
            series.move_host(dialogue, int(form.slot.data), form.direction.data, by=_person())
        except InvalidInput as error:
            db.session.rollback()
            flash(next(iter(error.errors.values())), "error")
        else:
            db.session.commit()
            flash("The host rotation is updated.", "success")
    else:
        flash("The form had expired; nothing was changed. Please try again.", "error")
    return redirect(url_for(".series_page", dialogue_id=dialogue.id) + "#rotation")


# --- proposals -----------------------------------------------------------------------


def _default_window(dialogue, meeting: Meeting | None) -> tuple[date, date]:
    """Around the meeting's series date inside the preferred months, or the next year."""
    today = date.today()
    if meeting is not None:
        anchor = meeting.series_date or meeting.local_start.date()
        start, end = anchor - timedelta(days=30), anchor + timedelta(days=30)
        if dialogue.window_start_month and dialogue.window_end_month:
            year = anchor.year
            first = date(year, dialogue.window_start_month, 1)
            last_month = dialogue.window_end_month
            last_year = year if last_month >= dialogue.window_start_month else year + 1
            last = (date(last_year + (last_month == 12), last_month % 12 + 1, 1)
                    - timedelta(days=1))
            start, end = first, last
        return max(start, today + timedelta(days=1)), max(end, today + timedelta(days=1))
    return today + timedelta(days=1), today + timedelta(days=90)


@blueprint.route("/dialogues/<int:dialogue_id>/proposals")
@login_required
def proposals(dialogue_id: int):
    dialogue = dialogue_or_404(current_user, dialogue_id)
    require(can_schedule(current_user, dialogue.id))
    meeting = _meeting_of(dialogue, request.args.get("meeting"))
    form = ProposalForm(request.args)
    result, status = None, 200
    if request.args.get("start") or request.args.get("end"):
        if form.validate():
            try:
                result = propose(
                    dialogue, start=form.start.data, end=form.end.data, days=form.days.data,
                    allow_weekends=form.weekends.data, meeting_format=form.format.data,
                    venue_timezone=meeting.timezone if meeting else None,
                    exclude_meeting=meeting.id if meeting else None,
                )
            except InvalidInput as error:
                attach_to_form(form, error)
        if result is None:
            status = 400
    else:
        # Open on the preferred window around the meeting, already searched.
        start, end = _default_window(dialogue, meeting)
        form = ProposalForm(formdata=None, start=start, end=end,
                            days=dialogue.meeting_days, meeting=meeting.id if meeting else "",
                            format=meeting.format if meeting else "in_person")
        result = propose(
            dialogue, start=start, end=end, days=dialogue.meeting_days,
            meeting_format=form.format.data,
            venue_timezone=meeting.timezone if meeting else None,
            exclude_meeting=meeting.id if meeting else None,
        )
    return render_template(
        "scheduling/proposals.html", dialogue=dialogue, meeting=meeting, form=form,
        result=result, schedule_form=ScheduleForm(formdata=None),
    ), status


def _meeting_of(dialogue, meeting_id: str | None) -> Meeting | None:
    if not meeting_id or not str(meeting_id).isdigit():
        return None
    meeting = meeting_or_404(current_user, int(meeting_id))
    if meeting.dialogue_id != dialogue.id:
        return None
    return meeting


@blueprint.route("/dialogues/<int:dialogue_id>/proposals/schedule", methods=["POST"])
@login_required
def schedule(dialogue_id: int):
    """One click from a proposal: move the meeting there (same hours, same place)."""
    dialogue = dialogue_or_404(current_user, dialogue_id)
    require(can_schedule(current_user, dialogue.id))
    form = ScheduleForm()
    meeting = _meeting_of(dialogue, form.meeting.data)
    if not form.validate_on_submit() or meeting is None:
        flash("Choose a proposed date for a meeting of this dialogue.", "error")
        return redirect(url_for(".proposals", dialogue_id=dialogue.id))
    day, last = form.day.data, form.day.data + timedelta(days=form.days.data - 1)
    try:
        starts_at = local_to_utc(day, meeting.local_start.time(), meeting.timezone,
                                 field="start_time")
        ends_at = local_to_utc(last, meeting.local_end.time(), meeting.timezone,
                               field="end_time")
        operations.reschedule_meeting(
            meeting, starts_at=starts_at, ends_at=ends_at, by=_person(),
            reason=f"Date chosen from the proposals: {day:%A %d %B %Y}",
        )
    except InvalidInput as error:
        db.session.rollback()
        flash(next(iter(error.errors.values())), "error")
        return redirect(url_for(".proposals", dialogue_id=dialogue.id, meeting=meeting.id))
    db.session.commit()
    flash(f"{meeting.title} is now on {day:%A %d %B %Y}. Confirm it when the members agree.",
          "success")
    return redirect(url_for("meetings.show", meeting_id=meeting.id))


# --- one meeting ---------------------------------------------------------------------


@blueprint.route("/meetings/<int:meeting_id>/reschedule", methods=["GET", "POST"])
@login_required
def reschedule(meeting_id: int):
    meeting = meeting_or_404(current_user, meeting_id)
    require(can_schedule(current_user, meeting.dialogue_id))
    members = _members(meeting.dialogue)
    if request.method == "GET":
        form = RescheduleForm(
            formdata=None, members=members,
            start_date=meeting.local_start.date(), start_time=meeting.local_start.time(),
            end_date=meeting.local_end.date(), end_time=meeting.local_end.time(),
            timezone=meeting.timezone, city=meeting.city, venue=meeting.venue,
            host=str(meeting.host_participant_id or ""),
        )
        return render_template("scheduling/reschedule.html", meeting=meeting, form=form)
    form = RescheduleForm(members=members)
    if form.validate_on_submit():
        try:
            starts_at = local_to_utc(form.start_date.data, form.start_time.data,
                                     form.timezone.data, field="start_time")
            ends_at = local_to_utc(form.end_date.data, form.end_time.data,
                                   form.timezone.data, field="end_time")
            if ends_at <= starts_at:
                raise InvalidInput.on("end_time", "The meeting must end after it starts.")
            operations.reschedule_meeting(
                meeting, starts_at=starts_at, ends_at=ends_at, timezone=form.timezone.data,
                city=form.city.data, venue=form.venue.data,
                host=db.session.get(Participant, int(form.host.data)) if form.host.data else None,
                by=_person(), reason=form.reason.data,
            )
        except InvalidInput as error:
            db.session.rollback()
            attach_to_form(form, error)
        else:
            db.session.commit()
            flash("The meeting is moved. Send the updated invites from this page.", "success")
            return redirect(url_for("meetings.show", meeting_id=meeting.id))
    return render_template("scheduling/reschedule.html", meeting=meeting, form=form), 400


@blueprint.route("/meetings/<int:meeting_id>/cancel", methods=["GET", "POST"])
@login_required
def cancel(meeting_id: int):
    meeting = meeting_or_404(current_user, meeting_id)
    require(can_schedule(current_user, meeting.dialogue_id))
    form = CancelForm()
    if request.method == "POST":
        if form.validate_on_submit():
            try:
                operations.cancel_meeting(meeting, by=_person(), reason=form.reason.data)
            except InvalidInput as error:
                db.session.rollback()
                attach_to_form(form, error)
            else:
                db.session.commit()
                flash("The meeting is cancelled; the rest of the series stays.", "success")
                return redirect(url_for("meetings.show", meeting_id=meeting.id))
        return render_template("scheduling/cancel.html", meeting=meeting, form=form), 400
    return render_template("scheduling/cancel.html", meeting=meeting, form=form)


@blueprint.route("/meetings/<int:meeting_id>/confirm", methods=["POST"])
@login_required
def confirm(meeting_id: int):
    meeting = meeting_or_404(current_user, meeting_id)
    require(can_schedule(current_user, meeting.dialogue_id))
    if not ConfirmForm().validate_on_submit():
        flash("The form had expired; nothing was changed. Please try again.", "error")
        return redirect(url_for("meetings.show", meeting_id=meeting.id))
    try:
        operations.confirm_meeting(meeting, by=_person())
    except InvalidInput as error:
        db.session.rollback()
        flash(next(iter(error.errors.values())), "error")
    else:
        db.session.commit()
        flash("The meeting is confirmed.", "success")
    return redirect(url_for("meetings.show", meeting_id=meeting.id))


@blueprint.app_template_global()
def meeting_history(meeting: Meeting) -> list[MeetingChange]:
    return list(db.session.scalars(
        select(MeetingChange).options(joinedload(MeetingChange.changed_by))
        .where(MeetingChange.meeting_id == meeting.id).order_by(MeetingChange.id.desc())
    ))


@blueprint.app_template_global()
def may_schedule(meeting: Meeting) -> bool:
    return can_schedule(current_user, meeting.dialogue_id)


@blueprint.app_template_global()
def scheduling_button_form() -> ConfirmForm:
    return ConfirmForm(formdata=None)


@blueprint.route("/meetings/<int:meeting_id>/classification", methods=["POST"])
@login_required
def meeting_classification(meeting_id: int):
    meeting = meeting_or_404(current_user, meeting_id)
    require(can_schedule(current_user, meeting.dialogue_id))
    form = ClassificationForm()
    if form.validate_on_submit():
        try:
            operations.set_meeting_classification(meeting, form.classification.data,
                                                  by=_person())
        except InvalidInput as error:
            db.session.rollback()
            flash(next(iter(error.errors.values())), "error")
        else:
            db.session.commit()
            flash(f"The meeting is marked {meeting.classification}.", "success")
    else:
        flash(next(iter(form.errors.values()))[0], "error")
    return redirect(url_for("meetings.show", meeting_id=meeting.id))


@blueprint.route("/dialogues/<int:dialogue_id>/classification", methods=["POST"])
@login_required
def dialogue_classification(dialogue_id: int):
    dialogue = dialogue_or_404(current_user, dialogue_id)
    require(can_schedule(current_user, dialogue.id))
    form = ClassificationForm()
    if form.validate_on_submit():
        operations.set_dialogue_classification(dialogue, form.classification.data,
                                               by=_person())
        db.session.commit()
        flash(f"The dialogue is marked {dialogue.classification}.", "success")
    else:
        flash(next(iter(form.errors.values()))[0], "error")
    return redirect(url_for("dialogues.show", dialogue_id=dialogue.id))


@blueprint.app_template_global()
def classification_form(value: str) -> ClassificationForm:
    return ClassificationForm(formdata=None, classification=value)
