"""Security a ministry's security officer would check: headers, CSRF, sign-in
throttling, one-time set-password links, sessions, and the secretariat's controls."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from sqlalchemy import select

from planner.extensions import db
from planner.models import (
    AuditEvent,
    Meeting,
    OutboxMessage,
    PasswordToken,
    Person,
    utcnow,
)
from planner.security import password_problems
from tests.conftest import (
    DELEGATE_AL,
    DELEGATE_NL,
    DEMO_PASSWORD,
    OBSERVER_EUROPOL,
    SECRETARIAT,
    csrf_token,
    login,
)

GOOD_PASSWORD = "harbour lantern violet seventeen"


def person(email: str) -> Person:
    db.session.expire_all()
    return db.session.scalar(select(Person).where(Person.email == email))


# --- headers -------------------------------------------------------------------------


@pytest.mark.parametrize("path", ["/login", "/", "/meetings/999999", "/static/css/planner.css"])
def test_security_headers_on_every_response(sign_in, path):
    response = sign_in(DELEGATE_NL).get(path)
    csp = response.headers["Content-Security-Policy"]
    assert "default-src 'self'" in csp and "unsafe-inline" not in csp
    assert "frame-ancestors 'none'" in csp and "object-src 'none'" in csp
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["X-Frame-Options"] == "DENY"
    assert response.headers["Referrer-Policy"] == "same-origin"
    response.close()  # a static file is streamed from an open file


def test_signed_in_pages_are_not_cached(sign_in):
    assert sign_in(DELEGATE_NL).get("/").headers["Cache-Control"] == "no-store"


def test_pages_have_no_inline_script_or_style(sign_in):
    """The policy forbids inline code; a page that relied on it would break silently."""
    client = sign_in(SECRETARIAT)
    antwerp = db.session.scalar(select(Meeting).where(Meeting.city == "Antwerp"))
    for path in ("/", "/dialogues", f"/dialogues/{antwerp.dialogue_id}",
                 f"/meetings/{antwerp.id}", f"/dialogues/{antwerp.dialogue_id}/series",
                 "/people", "/audit", "/account"):
        html = client.get(path).get_data(as_text=True)
        assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", html), path
        assert " style=" not in html and "<style" not in html, path
        assert not re.search(r"\son[a-z]+=", html), path


def test_session_cookie_is_http_only_and_same_site(client, demo):
    response = login(client, DELEGATE_NL)
    cookie = response.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie


# --- CSRF ----------------------------------------------------------------------------


def test_state_changing_forms_refuse_a_missing_csrf_token(sign_in):
    client = sign_in(SECRETARIAT)
    antwerp = db.session.scalar(select(Meeting).where(Meeting.city == "Antwerp"))
    response = client.post(f"/meetings/{antwerp.id}/cancel", data={"reason": "forged"})
    assert response.status_code == 400
    assert "This form has expired" in response.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(Meeting, antwerp.id).status == "proposed"
    assert client.post("/account", data={"name": "Forged", "timezone": ""}).status_code == 400
    assert person(SECRETARIAT).name == "Dialogue Secretariat"


# --- throttling ----------------------------------------------------------------------


def test_an_account_is_paused_after_five_failed_sign_ins(client, demo):
    for _ in range(5):
        assert login(client, DELEGATE_NL, "wrong password").status_code == 400
    paused = login(client, DELEGATE_NL)  # even the right password waits now
    assert paused.status_code == 429
    assert "Too many failed sign-ins" in paused.get_data(as_text=True)
    # Another account from the same address is not locked out by it.
    assert login(client, DELEGATE_AL).status_code == 302


def test_an_address_is_paused_after_many_failed_sign_ins(client, demo):
    for n in range(30):
        login(client, f"nobody{n}@example.org", "wrong password")
    assert login(client, DELEGATE_AL).status_code == 429


def test_successful_sign_ins_are_not_counted(client, demo):
    for _ in range(8):
        assert login(client, DELEGATE_NL).status_code == 302
        client.post("/logout", data={"csrf_token": csrf_token(client, "/")})


# --- passwords and links -------------------------------------------------------------


@pytest.mark.parametrize(
    ("password", "problem"),
    [("short one", "at least 15"), ("qwerty123456789", "common passwords"),
     ("passwordpassword", "repeat the same word"),
     ("aaaaaaaaaaaaaaaaaaaa", "same few characters"),
     ("delegate.nl is my password", "your name, your e-mail")],
)
def test_password_policy(password, problem):
    (message,) = password_problems(password, email=DELEGATE_NL, name="Dutch delegate")
    assert problem in message


def test_a_long_passphrase_without_symbols_is_accepted():
    assert password_problems(GOOD_PASSWORD, email=DELEGATE_NL) == []


def add_person(client, email="new.delegate@example.org", participant_short="BE"):
    from planner.models import Participant

    belgium = db.session.scalar(select(Participant).where(
        Participant.short_name == participant_short))
    return client.post("/people/new", data={
        "csrf_token": csrf_token(client, "/people/new"), "name": "New Belgian delegate",
        "email": email, "participant": str(belgium.id), "timezone": "Europe/Brussels"})


def link_sent_to(email: str) -> str:
    db.session.expire_all()
    message = db.session.scalars(select(OutboxMessage).where(
        OutboxMessage.recipient == email, OutboxMessage.kind == "password_link")
        .order_by(OutboxMessage.id.desc())).first()
    return re.search(r"https?://\S+/password/(\S+)", message.text_body).group(1)


def test_a_new_person_sets_a_password_with_a_link_that_works_once(sign_in, client):
    admin = sign_in(SECRETARIAT)
    assert add_person(admin).status_code == 302
    token = link_sent_to("new.delegate@example.org")
    stored = db.session.scalar(select(PasswordToken.token_hash))
    assert token not in stored  # only a hash is kept

    visitor = admin.application.test_client()
    weak = visitor.post(f"/password/{token}", data={
        "csrf_token": csrf_token(visitor, f"/password/{token}"),
        "new_password": "too short", "confirm_password": "too short"})
    assert weak.status_code == 400 and "at least 15" in weak.get_data(as_text=True)
    done = visitor.post(f"/password/{token}", data={
        "csrf_token": csrf_token(visitor, f"/password/{token}"),
        "new_password": GOOD_PASSWORD, "confirm_password": GOOD_PASSWORD})
    assert done.status_code == 302
    assert login(visitor, "new.delegate@example.org", GOOD_PASSWORD).status_code == 302
    again = visitor.get(f"/password/{token}")
    assert again.status_code == 404 and "used already" in again.get_data(as_text=True)


def test_a_set_password_link_expires(sign_in):
    admin = sign_in(SECRETARIAT)
    add_person(admin)
    token = link_sent_to("new.delegate@example.org")
    link = db.session.scalar(select(PasswordToken))
    link.created_at = utcnow() - timedelta(hours=80)
    link.expires_at = utcnow() - timedelta(hours=8)
    db.session.commit()
    response = admin.application.test_client().get(f"/password/{token}")
    assert response.status_code == 404 and "expired" in response.get_data(as_text=True)


def test_a_new_link_replaces_the_old_one(sign_in):
    admin = sign_in(SECRETARIAT)
    add_person(admin)
    first = link_sent_to("new.delegate@example.org")
    new_person = person("new.delegate@example.org")
    admin.post(f"/people/{new_person.id}/password-link",
               data={"csrf_token": csrf_token(admin, f"/people/{new_person.id}")})
    second = link_sent_to("new.delegate@example.org")
    visitor = admin.application.test_client()
    assert first != second
    assert visitor.get(f"/password/{first}").status_code == 404
    assert visitor.get(f"/password/{second}").status_code == 200


def test_adding_someone_who_exists_already_is_refused(sign_in):
    response = add_person(sign_in(SECRETARIAT), email="Delegate.NL@example.org")
    assert response.status_code == 400
    assert "Someone already has this e-mail address." in response.get_data(as_text=True)


# --- sessions ------------------------------------------------------------------------


def test_sign_out_everywhere_ends_every_session(app, demo):
    laptop, phone = app.test_client(), app.test_client()
    login(laptop, DELEGATE_NL)
    login(phone, DELEGATE_NL)
    assert phone.get("/").status_code == 200
    laptop.post("/account/sign-out-everywhere",
                data={"csrf_token": csrf_token(laptop, "/account")})
    assert phone.get("/").status_code == 302
    assert laptop.get("/").status_code == 302


def test_changing_the_password_ends_the_other_sessions(app, demo):
    laptop, phone = app.test_client(), app.test_client()
    login(laptop, DELEGATE_NL)
    login(phone, DELEGATE_NL)
    response = laptop.post("/account/password", data={
        "csrf_token": csrf_token(laptop, "/account"), "current_password": DEMO_PASSWORD,
        "new_password": GOOD_PASSWORD, "confirm_password": GOOD_PASSWORD})
    assert response.status_code == 302
    assert laptop.get("/").status_code == 200
    assert phone.get("/").status_code == 302


def test_a_closed_account_is_signed_out_at_once(sign_in, app):
    delegate = app.test_client()
    login(delegate, DELEGATE_AL)
    admin = sign_in(SECRETARIAT)
    target = person(DELEGATE_AL)
    admin.post(f"/people/{target.id}/active",
               data={"csrf_token": csrf_token(admin, f"/people/{target.id}"), "active": "0"})
    assert delegate.get("/").status_code == 302


# --- administration ------------------------------------------------------------------


@pytest.mark.parametrize("path", ["/people", "/people/new", "/audit"])
def test_only_the_secretariat_administers(sign_in, path):
    assert sign_in(DELEGATE_NL).get(path).status_code == 403


def test_roles_need_a_seat_of_the_right_kind(sign_in):
    admin = sign_in(SECRETARIAT)
    europol = person(OBSERVER_EUROPOL)
    from planner.models import Dialogue

    ukal = db.session.scalar(select(Dialogue).where(Dialogue.slug == "uk-albania"))
    coalition = db.session.scalar(select(Dialogue).where(Dialogue.slug == "coalition"))
    url = f"/people/{europol.id}"
    no_seat = admin.post(url + "/roles", data={"csrf_token": csrf_token(admin, url),
                                               "dialogue": str(ukal.id), "role": "delegate"})
    assert no_seat.status_code == 400
    assert "Europol has no seat in UK–Albania." in no_seat.get_data(as_text=True)
    # Europol already observes the coalition: a second role there is refused too.
    twice = admin.post(url + "/roles", data={"csrf_token": csrf_token(admin, url),
                                             "dialogue": str(coalition.id), "role": "chair"})
    assert "already has a role" in twice.get_data(as_text=True)
    assert [r.role for r in person(OBSERVER_EUROPOL).dialogue_roles] == ["observer"]


def test_a_seat_in_use_is_not_removed(sign_in):
    admin = sign_in(SECRETARIAT)
    from planner.models import Dialogue

    coalition = db.session.scalar(select(Dialogue).where(Dialogue.slug == "coalition"))
    belgium = next(m for m in coalition.memberships if m.participant.short_name == "BE")
    url = f"/dialogues/{coalition.id}/members"
    response = admin.post(f"{url}/{belgium.id}/remove",
                          data={"csrf_token": csrf_token(admin, url)}, follow_redirects=True)
    assert "hosts one of its meetings" in response.get_data(as_text=True)
    db.session.expire_all()
    assert any(m.participant.short_name == "BE" for m in
               db.session.get(Dialogue, coalition.id).memberships)


def test_the_audit_log_shows_who_did_what_from_where(sign_in):
    admin = sign_in(SECRETARIAT)
    add_person(admin)
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "person.created"))
    assert event.actor_email == SECRETARIAT and event.remote_addr == "127.0.0.1"
    page = admin.get("/audit?action=person.created").get_data(as_text=True)
    assert "New Belgian delegate" in page and "person.created" in page
    assert "meeting.created" not in page


def test_the_secretariat_marks_a_meeting_official_sensitive(sign_in):
    admin = sign_in(SECRETARIAT)
    antwerp = db.session.scalar(select(Meeting).where(Meeting.city == "Antwerp"))
    url = f"/meetings/{antwerp.id}"
    response = admin.post(url + "/classification", data={
        "csrf_token": csrf_token(admin, url), "classification": "OFFICIAL-SENSITIVE"})
    assert response.status_code == 302
    assert "OFFICIAL-SENSITIVE" in admin.get(url).get_data(as_text=True)
    db.session.expire_all()
    meeting = db.session.get(Meeting, antwerp.id)
    assert meeting.is_sensitive and meeting.changes[-1].after["classification"] == (
        "OFFICIAL-SENSITIVE")
    bad = admin.post(url + "/classification", data={
        "csrf_token": csrf_token(admin, url), "classification": "TOP SECRET"},
        follow_redirects=True)
    assert "Choose OFFICIAL or OFFICIAL-SENSITIVE." in bad.get_data(as_text=True)


def test_a_sensitive_dialogue_makes_its_meetings_sensitive(sign_in):
    from planner.models import Dialogue

    admin = sign_in(SECRETARIAT)
    coalition = db.session.scalar(select(Dialogue).where(Dialogue.slug == "coalition"))
    url = f"/dialogues/{coalition.id}"
    admin.post(url + "/classification", data={"csrf_token": csrf_token(admin, url),
                                               "classification": "OFFICIAL-SENSITIVE"})
    db.session.expire_all()
    antwerp = db.session.scalar(select(Meeting).where(Meeting.city == "Antwerp"))
    assert antwerp.classification == "OFFICIAL" and antwerp.is_sensitive
    assert "OFFICIAL-SENSITIVE" in admin.get(f"/meetings/{antwerp.id}").get_data(as_text=True)
    # Delegates cannot change markings.
    delegate = admin.application.test_client()
    login(delegate, DELEGATE_NL)
    assert delegate.post(url + "/classification", data={
        "csrf_token": csrf_token(delegate, url),
        "classification": "OFFICIAL"}).status_code == 403
