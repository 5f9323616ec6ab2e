"""The `planner` console command: the Flask CLI of this app, plus our own commands.

`planner db upgrade` (Flask-Migrate), `planner demo`, `planner run`, ...
"""

from __future__ import annotations

import sys

import click
from flask import Flask, current_app
from flask.cli import FlaskGroup, with_appcontext

from planner.config import ConfigurationError


class PlannerGroup(FlaskGroup):
    """Flask's CLI group, but settings the app cannot start with are one line of error
    (what to set), never a traceback."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        try:
            self.create_app()
        except ConfigurationError as error:
            click.secho(f"Error: {error}\n", err=True, fg="red")
            return sorted(click.Group.list_commands(self, ctx))
        return super().list_commands(ctx)


def main() -> None:
    from planner import create_app

    cli = PlannerGroup(
        create_app=lambda: create_app(),
        help="Dialogue Planner: manage the database, load the demo, serve the app.",
    )
    try:
        cli.main(prog_name="planner")
    except ConfigurationError as error:
        click.secho(f"Error: {error}", err=True, fg="red")
        sys.exit(2)


def register(app: Flask) -> None:
    app.cli.add_command(demo_command)

    from planner.backup import register as register_backup

    register_backup(app)

    from planner.bench import register as register_bench

    register_bench(app)


@click.command("demo")
@click.option(
    "--today",
    type=click.DateTime(formats=["%Y-%m-%d"]),
    default=None,
    help="Place the meetings around this day instead of today (YYYY-MM-DD).",
)
@with_appcontext
def demo_command(today) -> None:
    """Load the two demo dialogues from the statements shipped with planner.

    Idempotent: running it again changes nothing. Prints the demo accounts.
    """
    from datetime import date

    from planner.demo.loader import load_demo
    from planner.extensions import db

    day = today.date() if today else date.today()
    password = current_app.config["DEMO_PASSWORD"]
    result = load_demo(db.session, today=day, password=password)
    if result.created:
        click.echo(f"Loaded the demo data ({len(result.created)} records created).")
    else:
        click.echo("The demo data is already loaded; nothing changed.")
    click.echo("\nDemo accounts (password from PLANNER_DEMO_PASSWORD, default 'demo'):")
    for account in result.accounts:
        click.echo(f"  {account.email:<32} {account.description}")
