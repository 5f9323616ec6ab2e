"""Signing in and out, passwords and one-time set-password links."""

from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta

from flask import current_app
from sqlalchemy import select
from werkzeug.security import check_password_hash, generate_password_hash

from planner import audit
from planner.extensions import db
from planner.models import PasswordToken, PasswordTokenPurpose, Person, utcnow
from planner.models.people import normalise_email
from planner.security import password_problems
from planner.validation import InvalidInput

# Checked against when the e-mail is unknown, so that a wrong address takes as long
# as a wrong password and does not tell an attacker which addresses exist.
_UNKNOWN_PERSON_HASH = generate_password_hash("no one has this password")


def load_person(session_id: str) -> Person | None:
    """The person of a session, if the session is still valid (see Person.get_id)."""
    person_id, _, epoch = session_id.partition(":")
    if not person_id.isdigit() or not epoch.isdigit():
        return None
    person = db.session.get(Person, int(person_id))
    if person is None or not person.active or person.session_epoch != int(epoch):
        return None
    return person


def sign_out_everywhere(person: Person) -> None:
    person.session_epoch += 1
    audit.record("person.signed_out_everywhere", person, summary="Signed out everywhere",
                 actor=person)
    db.session.commit()


def authenticate(email: str, password: str) -> Person | None:
    """The active person with this e-mail and password, or None."""
    person = db.session.scalar(select(Person).where(Person.email == normalise_email(email)))
    if person is None or not person.password_hash:
        check_password_hash(_UNKNOWN_PERSON_HASH, password)
        return None
    if not person.check_password(password) or not person.active:
        return None
    person.last_login_at = utcnow()
    db.session.commit()
    return person


def update_account(person: Person, *, name: str, timezone: str | None) -> None:
    """A person's own settings: the name shown to others and the time zone they read in."""
    before = {"name": person.name, "timezone": person.timezone}
    person.name = name.strip()
    person.timezone = timezone
    audit.record("person.updated", person, summary="Own settings changed",
                 details={"before": before, "after": {"name": person.name,
                                                      "timezone": person.timezone}},
                 actor=person)
    db.session.commit()


def _hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def issue_password_link(person: Person, *, by: Person | None,
                        purpose: str = PasswordTokenPurpose.SET_PASSWORD) -> str:
    """A new one-time link for `person` to set a password; older unused links stop
    working. Returns the secret token (only its hash is stored). The caller commits."""
    now = utcnow()
    for token in db.session.scalars(select(PasswordToken).where(
            PasswordToken.person_id == person.id, PasswordToken.used_at.is_(None))):
        token.used_at = now
    secret = secrets.token_urlsafe(32)  # 256 bits
    hours = current_app.config["PASSWORD_LINK_HOURS"]
    db.session.add(PasswordToken(
        person=person, token_hash=_hash_token(secret), purpose=purpose, created_at=now,
        expires_at=now + timedelta(hours=hours), created_by_id=by.id if by else None,
    ))
    audit.record("person.password_link", person, actor=by,
                 summary=f"Set-password link issued, valid {hours} hours")
    return secret


def check_password_link(secret: str) -> PasswordToken:
    token = db.session.scalar(
        select(PasswordToken).where(PasswordToken.token_hash == _hash_token(secret))
    )
    if token is None or token.used_at is not None:
        raise InvalidInput.on("token", "This link has been used already or is not valid. "
                                       "Ask the secretariat for a new one.")
    if token.expires_at <= utcnow():
        raise InvalidInput.on("token", "This link has expired. Ask the secretariat for a "
                                       "new one.")
    if not token.person.active:
        raise InvalidInput.on("token", "This account is closed.")
    return token


def set_password_with_link(secret: str, password: str) -> Person:
    token = check_password_link(secret)
    person = token.person
    problems = password_problems(password, email=person.email, name=person.name)
    if problems:
        raise InvalidInput.on("new_password", problems[0])
    person.set_password(password)
    person.session_epoch += 1
    token.used_at = utcnow()
    audit.record("person.password_set", person, actor=person,
                 summary="Password set with a one-time link")
    db.session.commit()
    return person


def change_password(person: Person, *, current: str, new: str) -> None:
    if not person.check_password(current):
        raise InvalidInput.on("current_password", "Your current password is not right.")
    problems = password_problems(new, email=person.email, name=person.name)
    if problems:
        raise InvalidInput.on("new_password", problems[0])
    person.set_password(new)
    person.session_epoch += 1
    audit.record("person.password_changed", person, actor=person, summary="Password changed")
    db.session.commit()
