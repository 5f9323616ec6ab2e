"""Errors of the API as `application/problem+json` (RFC 9457): type, title, status,
detail, and `errors` naming each invalid field. Never an HTML page under /api/."""

from __future__ import annotations

from collections.abc import Mapping
from http import HTTPStatus
from typing import Any

from flask import Response, current_app, json, request
from werkzeug.exceptions import HTTPException, MethodNotAllowed

from planner.api import v1
from planner.extensions import db
from planner.validation import InvalidInput

PROBLEM_JSON = "application/problem+json"
API_PREFIX = "/api/"

DETAILS = {
    401: "Send a personal API token: Authorization: Bearer <token>.",
    404: "There is nothing here, or it is not something you can see.",
    405: "This method is not allowed here; the Allow header lists those that are.",
    429: "Too many requests with this token (or from this address): wait a minute.",
    500: "Something went wrong on our side; nothing was saved. Please try again.",
}


class Problem(Exception):
    """An answer other than success, raised anywhere in the API."""

    def __init__(
        self,
        status: int,
        detail: str | None = None,
        *,
        errors: list[dict[str, str]] | None = None,
        headers: Mapping[str, str] | None = None,
    ):
        super().__init__(detail or DETAILS.get(status, HTTPStatus(status).phrase))
        self.status = status
        self.detail = str(self)
        self.errors = errors
        self.headers = dict(headers or {})


def field_error(field: str, message: str, where: str = "body") -> dict[str, str]:
    return {"field": field, "in": where, "message": message}


def problem_response(problem: Problem) -> Response:
    body: dict[str, Any] = {
        "type": "about:blank",
        "title": HTTPStatus(problem.status).phrase,
        "status": problem.status,
        "detail": problem.detail,
    }
    if problem.errors is not None:
        body["errors"] = problem.errors
    response = current_app.response_class(
        json.dumps(body), status=problem.status, mimetype=PROBLEM_JSON
    )
    response.headers.update(problem.headers)
    response.headers["Cache-Control"] = "no-store"
    return response


def invalid_input(error: InvalidInput, aliases: Mapping[str, str],
                  where: str = "body") -> Problem:
    """An operation's refusal, with its field names as the API spells them."""
    errors = [field_error(aliases.get(name, name), message, where)
              for name, message in error.errors.items()]
    return Problem(422, " ".join(error.errors.values()), errors=errors)


def _from_http(error: HTTPException) -> Problem:
    status = error.code or 500
    headers = {}
    if isinstance(error, MethodNotAllowed) and error.valid_methods:
        headers["Allow"] = ", ".join(sorted(error.valid_methods))
    if status == 429:
        headers["Retry-After"] = "60"  # the limits are per minute
    # Our own aborts carry a sentence for people; werkzeug's defaults are replaced.
    default = type(error).description
    detail = error.description if error.description != default else None
    if status == 404:
        detail = None  # never say whether the thing exists
    return Problem(status, detail, headers=headers)


@v1.errorhandler(Problem)
def _problem(problem: Problem):
    db.session.rollback()
    return problem_response(problem)


@v1.errorhandler(InvalidInput)
def _invalid(error: InvalidInput):
    from planner.api.spec import current_route

    db.session.rollback()
    spec = current_route()
    if spec is None:
        return problem_response(invalid_input(error, {}))
    where = "body" if spec.body else "query" if spec.query else "path"
    return problem_response(invalid_input(error, spec.fields, where))


# By code as well as by class: Flask prefers a handler for the code, even the app's
# (whose 429 page is HTML), over a blueprint's handler for the class.
@v1.errorhandler(429)
@v1.errorhandler(HTTPException)
def _http(error: HTTPException):
    db.session.rollback()
    return problem_response(_from_http(error))


@v1.errorhandler(500)
def _server_error(error: Exception):
    # Reached in production only: testing propagates the exception to the test.
    db.session.rollback()
    return problem_response(Problem(500))


@v1.before_app_request
def _unrouted():
    """A path under /api/ that matches no route, or not with this method: the app's
    HTML error pages must not answer it."""
    failure = request.routing_exception
    if failure is None or not request.path.startswith(API_PREFIX):
        return None
    if isinstance(failure, HTTPException) and (failure.code or 0) >= 400:
        return problem_response(_from_http(failure))
    return None
