"""Calendar invites: .ics downloads and feeds, personal feed links, RSVP, and the
e-mailed invites, updates and cancellations (queued in the outbox).

Every .ics is written by `planner.calendar.ics`."""

from flask import Blueprint

from planner.signals import meeting_changed

blueprint = Blueprint("calendar", __name__)

from planner.calendar import invites, views  # noqa: E402,F401

# A meeting that moves, is confirmed or is cancelled updates the invites already sent.
meeting_changed.connect(invites.on_meeting_changed)
