"""Helpers for the API tests: a client that sends a personal API token, and the demo's
records by name."""

from __future__ import annotations

from typing import Any

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from planner.api.operations import create_token
from planner.extensions import db
from planner.models import Dialogue, Meeting, Person

UKAL = "uk-albania"
COALITION = "coalition"


def person(email: str) -> Person:
    return db.session.scalar(select(Person).where(Person.email == email))


def token_for(email: str, name: str = "tests") -> str:
    _, secret = create_token(person(email), name=name, by=None)
    db.session.commit()
    return secret


class ApiClient:
    """The test client, sending `Authorization: Bearer <token>` with every request."""

    def __init__(self, client: FlaskClient, token: str | None):
        self.client = client
        self.token = token

    def open(self, method: str, path: str, *, headers: dict[str, str] | None = None,
             **kwargs: Any):
        sent = dict(headers or {})
        if self.token is not None:
            sent.setdefault("Authorization", f"Bearer {self.token}")
        return self.client.open(path, method=method, headers=sent, **kwargs)

    def get(self, path: str, **kwargs: Any):
        return self.open("GET", path, **kwargs)

    def post(self, path: str, **kwargs: Any):
        return self.open("POST", path, **kwargs)

    def patch(self, path: str, **kwargs: Any):
        return self.open("PATCH", path, **kwargs)

    def put(self, path: str, **kwargs: Any):
        return self.open("PUT", path, **kwargs)

    def delete(self, path: str, **kwargs: Any):
        return self.open("DELETE", path, **kwargs)


def api_as(app: Flask, email: str | None) -> ApiClient:
    """A fresh client acting as the demo account `email` (None: no token at all)."""
    return ApiClient(app.test_client(), token_for(email) if email else None)


def dialogue_id(slug: str) -> int:
    return db.session.scalar(select(Dialogue.id).where(Dialogue.slug.startswith(slug)))


def meeting_in(city: str, status: str | None = None) -> Meeting:
    query = select(Meeting).where(Meeting.city == city).order_by(Meeting.starts_at)
    if status:
        query = query.where(Meeting.status == status)
    return db.session.scalar(query.limit(1))


def problem(response) -> dict[str, Any]:
    """The problem+json body of an error answer, checked to be one."""
    assert response.mimetype == "application/problem+json", response.get_data(as_text=True)
    body = response.get_json(force=True)
    assert body["status"] == response.status_code
    assert body["title"] and body["detail"] and body["type"]
    return body


def invalid_fields(response) -> set[str]:
    return {error["field"] for error in problem(response).get("errors") or ()}
