"""`planner inbox poll`: read the organizer's mailbox once for answers to invites."""

from __future__ import annotations

import click
from flask.cli import with_appcontext

from planner.config import ConfigurationError
from planner.inbox.mailbox import MailboxUnavailable, poll_inbox


@click.group("inbox")
def inbox_command() -> None:
    """Answers to invites, e-mailed by calendar apps to the organizer's mailbox."""


@inbox_command.command("poll")
@click.option("--limit", default=200, show_default=True, type=click.IntRange(1, 10_000),
              help="Read at most this many new messages.")
@with_appcontext
def poll_command(limit: int) -> None:
    """Read PLANNER_MAIL_INBOX_URL once: record the answers, move them to the processed
    folder, and list what cannot be matched on the secretariat's page (/answers)."""
    try:
        report = poll_inbox(limit=limit)
    except (ConfigurationError, MailboxUnavailable) as error:
        raise click.ClickException(str(error)) from error
    click.echo(f"Inbox: {report}.")
    for line in report.errors:
        click.echo(f"  {line}", err=True)
