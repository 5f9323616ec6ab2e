"""Who is asking: the person of a personal API token (`Authorization: Bearer ...`).

A signed-in browser may read (GET) with its session cookie, so that the documentation
page and a person's own browser work; a change always needs a token, because a cookie
is sent by the browser on its own, which is what CSRF abuses."""

from __future__ import annotations

from flask import request
from flask_login import current_user

from planner.api.operations import person_for_token
from planner.api.problems import Problem
from planner.extensions import db, login_manager
from planner.models import Person

REALM = 'Bearer realm="Dialogue Planner API"'


def authenticate(*, write: bool) -> Person:
    header = request.headers.get("Authorization", "")
    if header:
        scheme, _, secret = header.strip().partition(" ")
        if scheme.lower() != "bearer" or not secret.strip():
            raise Problem(401, "Send the token as: Authorization: Bearer <token>.",
                          headers={"WWW-Authenticate": f'{REALM}, error="invalid_request"'})
        person = person_for_token(secret.strip())
        if person is None:
            raise Problem(401, "This API token is not valid, or it has been revoked.",
                          headers={"WWW-Authenticate": f'{REALM}, error="invalid_token"'})
        if db.session.dirty:
            db.session.commit()  # when the token was last used
        # The token acts as its person for the rest of the request (access, audit log),
        # without a session: nothing is written to a cookie.
        login_manager._update_request_context_with_user(person)
        return person
    if current_user.is_authenticated:
        if not write:
            return current_user._get_current_object()
        raise Problem(401, "Changes through the API need a personal API token "
                           "(Authorization: Bearer <token>), not a browser session.",
                      headers={"WWW-Authenticate": REALM})
    raise Problem(401, headers={"WWW-Authenticate": REALM})
