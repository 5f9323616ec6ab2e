"""Absolute links to our pages, and "add to calendar" links for Google and Outlook.

E-mails and calendar files leave the site, so every link in them is absolute. Inside a
request the host comes from PLANNER_BASE_URL or else the request; outside one (the CLI,
the outbox) from PLANNER_BASE_URL."""

from __future__ import annotations

from datetime import UTC, datetime
from urllib.parse import urlencode

from flask import current_app, has_request_context, request

from planner.models import Classification, Dialogue, Meeting

# Used only when neither PLANNER_BASE_URL nor a request says where the site is.
FALLBACK_BASE_URL = "http://localhost:5000"


def base_url() -> str:
    configured = current_app.config.get("BASE_URL")
    if configured:
        return configured.rstrip("/")
    if has_request_context():
        return request.url_root.rstrip("/")
    state = current_app.extensions.setdefault("planner.calendar", {})
    if not state.get("warned_base_url"):  # once per app, not once per link
        state["warned_base_url"] = True
        current_app.logger.warning(
            "PLANNER_BASE_URL is not set: links in e-mails point to %s", FALLBACK_BASE_URL
        )
    return FALLBACK_BASE_URL


def external_url(endpoint: str, **values) -> str:
    # Built without a request (no SERVER_NAME needed), then put under the base URL,
    # which may carry a path prefix of its own.
    path = current_app.url_map.bind("localhost").build(endpoint, values)
    return base_url() + path


def meeting_url(meeting: Meeting) -> str:
    return external_url("meetings.show", meeting_id=meeting.id)


def agenda_url(meeting: Meeting) -> str:
    # The agendas area may be absent (or renamed); the meeting page shows the agenda too.
    if "agendas.show" in current_app.view_functions:
        return external_url("agendas.show", meeting_id=meeting.id)
    return meeting_url(meeting)


def webcal(url: str) -> str:
    """The same feed for calendar apps: webcal:// makes them offer to subscribe."""
    return "webcal://" + url.split("://", 1)[1]


def is_sensitive(meeting: Meeting, dialogue: Dialogue | None = None) -> bool:
    """OFFICIAL-SENSITIVE by the meeting's own marking or its dialogue's."""
    dialogue = dialogue or meeting.dialogue
    return meeting.is_sensitive or dialogue.classification == Classification.OFFICIAL_SENSITIVE


def _utc(moment: datetime, fmt: str) -> str:
    return moment.astimezone(UTC).strftime(fmt)


def _details(meeting: Meeting) -> tuple[str, str]:
    """(details, location) fit to leave the site: only a link for a sensitive meeting."""
    if is_sensitive(meeting):
        return f"OFFICIAL-SENSITIVE: details on the meeting page.\n{meeting_url(meeting)}", ""
    return f"{meeting.dialogue.name}\n\nMeeting page: {meeting_url(meeting)}", meeting.place


def google_calendar_url(meeting: Meeting) -> str:
    details, location = _details(meeting)
    query = {
        "action": "TEMPLATE",
        "text": meeting.title,
        "dates": f"{_utc(meeting.starts_at, '%Y%m%dT%H%M%SZ')}/"
        f"{_utc(meeting.ends_at, '%Y%m%dT%H%M%SZ')}",
        "ctz": meeting.timezone,
        "details": details,
    }
    if location:
        query["location"] = location
    return "https://calendar.google.com/calendar/render?" + urlencode(query)


def outlook_url(meeting: Meeting, *, host: str = "outlook.office.com") -> str:
    """Outlook on the web: outlook.office.com for work accounts, outlook.live.com for
    personal ones."""
    details, location = _details(meeting)
    query = {
        "path": "/calendar/action/compose",
        "rru": "addevent",
        "subject": meeting.title,
        "startdt": _utc(meeting.starts_at, "%Y-%m-%dT%H:%M:%SZ"),
        "enddt": _utc(meeting.ends_at, "%Y-%m-%dT%H:%M:%SZ"),
        "body": details,
    }
    if location:
        query["location"] = location
    return f"https://{host}/calendar/0/deeplink/compose?" + urlencode(query)
