"""Signing in: finding the person and checking the password."""

from __future__ import annotations

from sqlalchemy import select
from werkzeug.security import check_password_hash, generate_password_hash

from planner import audit
from planner.extensions import db
from planner.models import Person, utcnow
from planner.models.people import normalise_email

# Checked against when the e-mail is unknown, so that a wrong address takes as long
# as a wrong password and does not tell an attacker which addresses exist.
_UNKNOWN_PERSON_HASH = generate_password_hash("no one has this password")


def load_person(person_id: str) -> Person | None:
    try:
        person = db.session.get(Person, int(person_id))
    except ValueError:
        return None
    return person if person is not None and person.active else None


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
