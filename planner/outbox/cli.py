"""`planner outbox ...`: send what is queued (from cron), see and retry what failed."""

from __future__ import annotations

import click
from flask.cli import with_appcontext
from sqlalchemy import select

from planner.config import ConfigurationError
from planner.extensions import db
from planner.models import OutboxMessage, OutboxStatus
from planner.outbox.operations import counts, retry_failed, send_due


@click.group("outbox")
def outbox_command() -> None:
    """The queue of outgoing e-mail (invites, updates, cancellations)."""


@outbox_command.command("send")
@click.option("--limit", default=200, show_default=True, help="Send at most this many.")
@with_appcontext
def send_command(limit: int) -> None:
    """Send the messages that are due. Safe to run from cron every minute, and alongside
    another sender: each message is claimed before it is sent."""
    try:
        report = send_due(limit=limit)
    except ConfigurationError as error:
        raise click.ClickException(str(error)) from error
    click.echo(f"Outbox: {report}.")
    for line in report.errors:
        click.echo(f"  {line}", err=True)


@outbox_command.command("status")
@with_appcontext
def status_command() -> None:
    """How many messages are waiting, being sent, sent and failed; the failures listed."""
    by_status = counts()
    click.echo(", ".join(f"{by_status[s]} {s}" for s in OutboxStatus))
    failed = db.session.scalars(
        select(OutboxMessage).where(OutboxMessage.status == OutboxStatus.FAILED)
        .order_by(OutboxMessage.id)
    ).all()
    for message in failed:
        click.echo(f"  #{message.id} to {message.recipient}: {message.subject} "
                   f"({message.last_error})")


@outbox_command.command("retry")
@click.argument("message_ids", nargs=-1, type=int)
@with_appcontext
def retry_command(message_ids: tuple[int, ...]) -> None:
    """Queue failed messages again: the ones given by id, or every failed one."""
    count = retry_failed(list(message_ids) or None)
    db.session.commit()
    click.echo(f"{count} message(s) queued again.")
