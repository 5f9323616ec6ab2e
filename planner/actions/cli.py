"""`planner remind`: e-mail the owners of overdue and soon-due action items (cron)."""

from __future__ import annotations

import click
from flask import Flask
from flask.cli import with_appcontext

from planner.actions.operations import SOON_DAYS, remind_owners
from planner.models import utcnow


def register(app: Flask) -> None:
    app.cli.add_command(remind_command)


@click.command("remind")
@click.option("--days", default=SOON_DAYS, show_default=True, type=click.IntRange(0, 90),
              help="Remind of actions due within this many days (overdue ones always).")
@click.option("--today", type=click.DateTime(formats=["%Y-%m-%d"]), default=None,
              help="Take this day (YYYY-MM-DD) as today instead of today's date in UTC.")
@click.option("--dry-run", is_flag=True, help="Say who would be written to; send nothing.")
@with_appcontext
def remind_command(days: int, today, dry_run: bool) -> None:
    """E-mail the owners of overdue and soon-due action items, through the outbox.

    Safe to run from cron as often as you like: an action is reminded at most once a
    day. The e-mails leave with `planner outbox send` (or right after, when SMTP is set).
    """
    day = today.date() if today else utcnow().date()
    report = remind_owners(today=day, soon_days=days, dry_run=dry_run)
    if report.busy:
        raise click.ClickException(
            "Another `planner remind` was reminding the same actions; nothing was queued twice. "
            "Run it again to pick up what is left."
        )
    verb = "Would e-mail" if dry_run else "Queued"
    if not report.queued:
        click.echo(f"No action items to remind of on {day:%Y-%m-%d}.")
    for address, titles in report.queued:
        click.echo(f"{verb} {address}: {len(titles)} action item{'s' if len(titles) != 1 else ''}")
    for item in report.unreachable:
        click.echo(f"Nobody to remind of action item {item.id} ({item.title}): name a person "
                   f"or give {item.owner.short_name} a delegate in the dialogue.", err=True)
