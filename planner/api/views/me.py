"""The person the token acts as, and their personal calendar feed link (the calendar
area's operations)."""

from __future__ import annotations

from flask import url_for
from sqlalchemy import select

from planner.api import schemas as s
from planner.api.present import participant_ref
from planner.api.spec import Reply, route
from planner.api.views.common import person
from planner.calendar.links import external_url, webcal
from planner.calendar.operations import active_feed, new_feed_link, revoke_feed_links
from planner.extensions import db
from planner.models import DialogueRole


@route("GET", "/me", summary="Who the token acts as", tag="Me", response=s.MeOut)
def get_me():
    me = person()
    roles = db.session.execute(
        select(DialogueRole.dialogue_id, DialogueRole.role)
        .where(DialogueRole.person_id == me.id).order_by(DialogueRole.dialogue_id)
    ).all()
    return s.MeOut(
        id=me.id, email=me.email, name=me.name, is_secretariat=me.is_secretariat,
        participant=participant_ref(me.participant), timezone=me.reading_timezone,
        roles=[s.DialogueRoleOut(dialogue_id=d, role=r) for d, r in roles],
    )


def _feed(url: str | None = None) -> s.CalendarFeedOut:
    feed = active_feed(person())
    return s.CalendarFeedOut(
        active=feed is not None,
        created_at=feed.created_at if feed else None,
        last_used_at=feed.last_used_at if feed else None,
        url=url, webcal_url=webcal(url) if url else None,
        manage_url=url_for("calendar.feed_settings", _external=True),
    )


@route("GET", "/me/calendar-feed", summary="Your calendar feed link: its state",
       tag="Me", response=s.CalendarFeedOut)
def get_calendar_feed():
    """Whether your personal feed (webcal) link is active, and since when. The link
    itself is shown only when it is made: only a fingerprint of it is kept."""
    return _feed()


@route("POST", "/me/calendar-feed", summary="Make a new calendar feed link",
       tag="Me", response=s.CalendarFeedOut, status=201)
def create_calendar_feed():
    """A new secret link to the meetings of all your dialogues; any older link stops
    working. This answer is the only one that holds it."""
    token = new_feed_link(person())
    db.session.commit()
    url = external_url("calendar.personal_feed", token=token)
    return Reply(_feed(url), headers={"Location": url_for("api.v1.get_calendar_feed")})


@route("DELETE", "/me/calendar-feed", summary="Revoke your calendar feed link", tag="Me")
def revoke_calendar_feed():
    """Calendars subscribed to it stop updating."""
    revoke_feed_links(person())
    db.session.commit()
    return None
