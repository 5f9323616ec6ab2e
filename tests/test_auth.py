"""Signing in and out: clear messages on the form, never a 500."""

from __future__ import annotations

import pytest

from tests.conftest import DELEGATE_NL, csrf_token, login

WRONG = "The e-mail address or the password is not right."


def test_sign_in_and_out(client, demo):
    response = login(client, DELEGATE_NL)
    assert response.status_code == 302 and response.location == "/"
    assert "Dutch delegate" in client.get("/").get_data(as_text=True)

    token = csrf_token(client, "/")
    response = client.post("/logout", data={"csrf_token": token})
    assert response.status_code == 302
    assert client.get("/").status_code == 302  # back to the sign-in page


@pytest.mark.parametrize(
    ("email", "password"),
    [(DELEGATE_NL, "not-the-password"), ("nobody@example.org", "demo-password-for-tests")],
)
def test_wrong_password_or_unknown_email_gets_the_same_clear_message(client, demo, email,
                                                                     password):
    response = login(client, email, password)
    page = response.get_data(as_text=True)
    assert response.status_code == 400
    assert WRONG in page
    assert 'aria-invalid="true"' in page
    assert client.get("/").status_code == 302  # still signed out


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"email": "", "password": "x"}, "Enter your e-mail address."),
        ({"email": DELEGATE_NL, "password": ""}, "Enter your password."),
        ({"email": "not-an-address", "password": "x"}, "Enter an e-mail address in the right"),
        ({}, "Enter your e-mail address."),
    ],
)
def test_missing_or_malformed_fields_are_named_on_the_form(client, demo, data, message):
    data = {**data, "csrf_token": csrf_token(client, "/login")}
    response = client.post("/login", data=data)
    assert response.status_code == 400
    assert message in response.get_data(as_text=True)


def test_sign_in_without_csrf_token_is_refused(client, demo):
    response = client.post("/login", data={"email": DELEGATE_NL,
                                           "password": "demo-password-for-tests"})
    assert response.status_code == 400
    assert client.get("/").status_code == 302


def test_pages_need_sign_in_and_come_back_after(client, demo):
    response = client.get("/dialogues")
    assert response.status_code == 302
    assert response.location.startswith("/login?next=")
    token = csrf_token(client, "/login")
    response = client.post(
        "/login?next=/dialogues",
        data={"email": DELEGATE_NL, "password": "demo-password-for-tests", "csrf_token": token},
    )
    assert response.location == "/dialogues"


def test_next_never_leads_to_another_site(client, demo):
    token = csrf_token(client, "/login")
    response = client.post(
        "/login?next=//evil.example/x",
        data={"email": DELEGATE_NL, "password": "demo-password-for-tests", "csrf_token": token},
    )
    assert response.location == "/"


def test_inactive_person_cannot_sign_in(client, demo):
    from sqlalchemy import select

    from planner.extensions import db
    from planner.models import Person

    person = db.session.scalar(select(Person).where(Person.email == DELEGATE_NL))
    person.active = False
    db.session.commit()
    assert WRONG in login(client, DELEGATE_NL).get_data(as_text=True)


def test_password_is_stored_as_a_strong_hash(demo):
    from sqlalchemy import select

    from planner.extensions import db
    from planner.models import Person

    stored = db.session.scalar(select(Person.password_hash).where(Person.email == DELEGATE_NL))
    assert "demo-password-for-tests" not in stored
    assert stored.startswith(("scrypt:", "pbkdf2:"))
