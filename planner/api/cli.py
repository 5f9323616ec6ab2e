"""`planner token create EMAIL [--name NAME]`, `planner token revoke ID`,
`planner token list [EMAIL]`."""

from __future__ import annotations

import click
from sqlalchemy import select
from sqlalchemy.orm import joinedload

from planner.api import blueprint
from planner.api.operations import create_token, revoke_token
from planner.extensions import db
from planner.models import ApiToken, Person
from planner.models.people import normalise_email
from planner.validation import InvalidInput

blueprint.cli.help = "Personal API tokens: make, list and revoke them."


def _person(email: str) -> Person:
    person = db.session.scalar(select(Person).where(Person.email == normalise_email(email)))
    if person is None:
        raise click.ClickException(f"No one has the e-mail address {email}.")
    return person


@blueprint.cli.command("create")
@click.argument("email")
@click.option("--name", default=None, help="What the token is for, e.g. 'Reporting script'.")
def create_command(email: str, name: str | None) -> None:
    """Make a personal API token for EMAIL and print it (once: it is not kept)."""
    person = _person(email)
    try:
        token, secret = create_token(person, name=name, by=None)
    except InvalidInput as error:
        raise click.ClickException(" ".join(error.errors.values())) from None
    db.session.commit()
    # The token alone on stdout, so that TOKEN=$(planner token create ...) works.
    click.echo(f"API token {token.id} “{token.name}” for {person.email}, with their rights. "
               "It is shown only now: keep it secret.", err=True)
    click.echo(secret)


@blueprint.cli.command("revoke")
@click.argument("token_id", type=int)
def revoke_command(token_id: int) -> None:
    """Stop the API token with this ID working (see `planner token list`)."""
    token = db.session.get(ApiToken, token_id)
    if token is None:
        raise click.ClickException(f"There is no API token {token_id}.")
    if revoke_token(token, by=None):
        db.session.commit()
        click.echo(f"API token {token.id} “{token.name}” of {token.person.email} is revoked.")
    else:
        click.echo(f"API token {token.id} was already revoked on {token.revoked_at:%Y-%m-%d}.")


@blueprint.cli.command("list")
@click.argument("email", required=False)
def list_command(email: str | None) -> None:
    """The API tokens (of EMAIL, or everyone's): id, person, name, last use, state."""
    query = select(ApiToken).options(joinedload(ApiToken.person)).order_by(ApiToken.id)
    if email:
        query = query.where(ApiToken.person_id == _person(email).id)
    for token in db.session.scalars(query):
        used = f"{token.last_used_at:%Y-%m-%d %H:%M}Z" if token.last_used_at else "never used"
        state = f"revoked {token.revoked_at:%Y-%m-%d}" if token.revoked_at else "active"
        click.echo(f"{token.id:>5}  {token.person.email:<32} {token.name:<30} {used:<18} {state}")
