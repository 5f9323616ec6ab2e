"""The return path of invites: delegates answer from their calendar app (Accept,
Tentative, Decline), which e-mails an iTIP REPLY (RFC 5546) to the invite's ORGANIZER.
`poll_inbox` reads that mailbox over IMAP once (`planner inbox poll`; the job engine
runs it periodically), records each answer as an answer on the website would be, and
lists what it could not match on the secretariat's page, where answers can also be
uploaded."""

from __future__ import annotations

from flask import Blueprint, Flask

blueprint = Blueprint("inbox", __name__)


def register(app: Flask) -> None:
    from planner.inbox.cli import inbox_command

    app.cli.add_command(inbox_command)


from planner.inbox import views  # noqa: E402,F401
from planner.inbox.mailbox import MailboxUnavailable, PollReport, poll_inbox  # noqa: E402

__all__ = ["MailboxUnavailable", "PollReport", "blueprint", "poll_inbox", "register"]
