"""Calendar pages and files. Thin: check access, call an operation, render."""

from __future__ import annotations

from flask import (
    Response,
    abort,
    flash,
    make_response,
    redirect,
    render_template,
    request,
    stream_with_context,
    url_for,
)
from flask_login import current_user, login_required
from sqlalchemy import select
from sqlalchemy.orm import selectinload
from werkzeug.http import is_resource_modified
from werkzeug.utils import secure_filename

from planner.access import can_manage, dialogue_or_404, meeting_or_404, require
from planner.calendar import blueprint, feeds, ics
from planner.calendar.links import (
    external_url,
    google_calendar_url,
    outlook_url,
    webcal,
)
from planner.calendar.operations import (
    TOKEN_SHAPE,
    active_feed,
    answer_counts,
    dialogue_meetings,
    hash_token,
    invitation,
    invite_counts,
    meeting_answers,
    new_feed_link,
    respond,
    revoke_feed_links,
    send_invites,
)
from planner.extensions import db
from planner.models import Meeting, MeetingInvitee, MeetingStatus, Person, utcnow
from planner.validation import InvalidInput

CALENDAR_TYPE = "text/calendar; charset=utf-8"
FEED_NAME = "Dialogue Planner: my meetings"
FEED_ABOUT = "Meetings of your dialogues, from Dialogue Planner"


def _with_calendar_headers(response: Response, etag: str, last_modified) -> Response:
    response.headers["Content-Type"] = CALENDAR_TYPE
    response.set_etag(etag)
    response.last_modified = last_modified
    # Private: it depends on who asks. no-cache: always revalidate (cheap, thanks to 304).
    response.cache_control.private = True
    response.cache_control.no_cache = True
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response


def _calendar_response(document: ics.Document, *, filename: str | None = None):
    """The file with ETag and Last-Modified; 304 when the client has it already."""
    response = _with_calendar_headers(make_response(document.body), document.etag,
                                      document.last_modified)
    if filename:
        response.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response.make_conditional(request)


@blueprint.get("/meetings/<int:meeting_id>/invite.ics")
@login_required
def meeting_file(meeting_id: int):
    meeting = meeting_or_404(current_user, meeting_id)
    # One query for the invitees and their people, for the ATTENDEE lines.
    db.session.scalars(
        select(Meeting).options(selectinload(Meeting.invitees).joinedload(MeetingInvitee.person))
        .where(Meeting.id == meeting.id)
    ).one()
    document = ics.meeting_file(meeting, viewer_id=current_user.id)
    name = secure_filename(meeting.title) or f"meeting-{meeting.id}"
    return _calendar_response(document, filename=f"{name}.ics")


def _not_modified(tag: str) -> Response:
    """A 304 for a client that holds this very feed, made without building it (and with
    the headers written out: polls are the busiest requests of all)."""
    return Response(status=304, headers={"ETag": f'"{tag}"', "Cache-Control": "private, no-cache"})


def _feed_response(tag: str, build, *, filename: str | None = None):
    if request.if_none_match.contains_weak(tag):
        return _not_modified(tag)
    return _calendar_response(feeds.kept(tag, build), filename=filename)


@blueprint.get("/dialogues/<int:dialogue_id>/calendar.ics")
@login_required
def dialogue_file(dialogue_id: int):
    dialogue = dialogue_or_404(current_user, dialogue_id)
    tag = feeds.dialogue_tag(dialogue)
    name = secure_filename(dialogue.short_name) or f"dialogue-{dialogue.id}"
    return _feed_response(tag, lambda: ics.feed(
        dialogue_meetings(dialogue),
        name=dialogue.name,
        description=f"Meetings of the {dialogue.name}",
        empty_since=dialogue.created_at,
        tag=tag,
    ), filename=f"{name}.ics")


@blueprint.get("/calendar/<token>.ics")
def personal_feed(token: str):
    """A person's feed, for calendar apps: no sign-in, the secret link is the key."""
    opened = feeds.open_feed(hash_token(token)) if TOKEN_SHAPE.fullmatch(token) else None
    if opened is None:
        abort(404)
    reader, tag = opened
    feeds.note_use(reader)
    if request.if_none_match.contains_weak(tag):
        response = _not_modified(tag)
    elif (document := feeds.kept_document(tag)) is not None:
        response = _calendar_response(document)
    else:
        response = _streamed_feed(feeds.person_feed(
            reader, tag, name=FEED_NAME, description=FEED_ABOUT))
    response.headers["X-Robots-Tag"] = "noindex, nofollow"
    response.headers["Referrer-Policy"] = "no-referrer"
    return response


def _streamed_feed(feed: feeds.PersonFeed) -> Response:
    """A feed not kept yet, written as its events are: the calendar app gets the first
    bytes at once, not after the last of thousands of events is made (chunked, so
    without Content-Length; ETag and Last-Modified as for a kept one)."""
    if not is_resource_modified(request.environ, feed.tag, last_modified=feed.last_modified):
        return _not_modified(feed.tag)  # If-Modified-Since (If-None-Match is checked first)
    response = Response(stream_with_context(feed.chunks()), content_type=CALENDAR_TYPE)
    # Never read into a list by anything after the view: werkzeug's make_conditional
    # would (to count its length), and so the whole feed before its first byte.
    response.implicit_sequence_conversion = False
    return _with_calendar_headers(response, feed.tag, feed.last_modified)


# --- the person's feed link ---------------------------------------------------------


def _feed_page(new_link: str | None = None):
    person = current_user._get_current_object()
    response = make_response(
        render_template(
            "calendar/feed.html",
            feed=active_feed(person),
            new_link=new_link,
            new_webcal=webcal(new_link) if new_link else None,
        )
    )
    if new_link:
        response.headers["Cache-Control"] = "no-store"  # the secret is on this page
    return response


@blueprint.get("/account/calendar")
@login_required
def feed_settings():
    return _feed_page()


@blueprint.post("/account/calendar/new")
@login_required
def new_feed():
    token = new_feed_link(current_user._get_current_object())
    db.session.commit()
    # Shown on this response only: the link itself is not kept.
    return _feed_page(new_link=external_url("calendar.personal_feed", token=token))


@blueprint.post("/account/calendar/revoke")
@login_required
def revoke_feed():
    if revoke_feed_links(current_user._get_current_object()):
        flash("Your calendar feed link no longer works. Calendars subscribed to it stop "
              "updating.", "success")
    db.session.commit()
    return redirect(url_for("calendar.feed_settings"))


# --- answering and sending invitations ----------------------------------------------


def _problem(meeting: Meeting, error: InvalidInput):
    db.session.rollback()
    return render_template("calendar/problem.html", meeting=meeting, error=error), 400


def _back_to(meeting: Meeting):
    return redirect(url_for("meetings.show", meeting_id=meeting.id) + "#calendar")


@blueprint.post("/meetings/<int:meeting_id>/rsvp")
@login_required
def rsvp(meeting_id: int):
    meeting = meeting_or_404(current_user, meeting_id)
    try:
        invitee = respond(meeting, current_user._get_current_object(),
                          request.form.get("response"), comment=request.form.get("comment"))
    except InvalidInput as error:
        return _problem(meeting, error)
    db.session.commit()
    flash(f"Your answer is saved: {ANSWER_LABELS[invitee.response]}.", "success")
    return _back_to(meeting)


@blueprint.post("/meetings/<int:meeting_id>/invites")
@login_required
def send(meeting_id: int):
    meeting = meeting_or_404(current_user, meeting_id)
    require(can_manage(current_user, meeting.dialogue_id),
            "Only the secretariat and the chair of this dialogue send its invites.")
    try:
        messages = send_invites(meeting, by=current_user._get_current_object())
    except InvalidInput as error:
        return _problem(meeting, error)
    db.session.commit()
    flash(f"Invites are on their way to {len(messages)} people.", "success")
    return _back_to(meeting)


# --- for the panels on other areas' pages ----------------------------------------------

ANSWER_LABELS = {
    "NEEDS-ACTION": "not answered yet",
    "ACCEPTED": "I will attend",
    "DECLINED": "I will not attend",
    "TENTATIVE": "I may attend",
}


@blueprint.app_template_global()
def calendar_panel(meeting: Meeting) -> dict:
    """What the meeting page's calendar panel shows to the signed-in person."""
    person = current_user._get_current_object()
    open_ = meeting.status not in (MeetingStatus.CANCELLED, MeetingStatus.HELD) and (
        meeting.ends_at > utcnow()
    )
    manager = can_manage(person, meeting.dialogue_id)
    return {
        "download_url": url_for("calendar.meeting_file", meeting_id=meeting.id),
        "dialogue_url": url_for("calendar.dialogue_file", dialogue_id=meeting.dialogue_id),
        "google_url": google_calendar_url(meeting) if open_ else None,
        "outlook_url": outlook_url(meeting) if open_ else None,
        "outlook_live_url": outlook_url(meeting, host="outlook.live.com") if open_ else None,
        "feed_url": url_for("calendar.feed_settings"),
        "has_feed": active_feed(person) is not None,
        "invitation": invitation(meeting, person) if open_ else None,
        "answers": ANSWER_LABELS,
        "rsvp_url": url_for("calendar.rsvp", meeting_id=meeting.id),
        "can_send": manager and open_,
        "send_url": url_for("calendar.send", meeting_id=meeting.id),
        "counts": invite_counts(meeting) if manager else {},
    }


RESPONSE_LABELS = {
    "NEEDS-ACTION": "Not answered",
    "ACCEPTED": "Accepted",
    "DECLINED": "Declined",
    "TENTATIVE": "May attend",
}

blueprint.add_app_template_global(RESPONSE_LABELS, "response_labels")


@blueprint.app_template_global()
def answers_to(meeting: Meeting):
    """Who accepted, declined, may attend or has not answered, by delegation."""
    return meeting_answers(meeting)


@blueprint.app_template_global()
def answer_counts_of(meeting: Meeting) -> dict[str, int]:
    """Only the counts of answers (the draft agenda)."""
    return answer_counts(meeting)


@blueprint.app_template_global()
def calendar_feed(person: Person):
    """The person's active feed link record (never the link itself), or None."""
    return active_feed(person)
