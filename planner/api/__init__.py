"""The JSON API under /api/v1 and the personal API tokens it is used with.

Three blueprints, registered together as `api`:
- `api.v1`: the API itself. It authenticates with `Authorization: Bearer <token>`,
  never with the session cookie for a change, so it is exempt from CSRF; every answer
  is JSON, and every error `application/problem+json` (RFC 9457).
- `api.account`: the token section of the account page (`pages.py`): ordinary forms,
  with CSRF.
- the `planner token ...` commands (`cli.py`).

The permission model is planner.access, as for the pages; the rules are the other
areas' operations, which the views call."""

from flask import Blueprint

from planner.extensions import csrf

blueprint = Blueprint("api", __name__, cli_group="token")
v1 = Blueprint("v1", __name__, url_prefix="/api/v1")
account = Blueprint("account", __name__)
csrf.exempt(v1)

from planner.api import cli, docs, limits, pages, problems, views  # noqa: E402,F401

blueprint.register_blueprint(v1)
blueprint.register_blueprint(account)
