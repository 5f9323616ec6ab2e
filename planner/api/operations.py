"""Personal API tokens: made, looked up and revoked here, for the pages, the CLI and
the API alike. Only a SHA-256 hash of a token is kept; the token is shown once."""

from __future__ import annotations

import hashlib
import re
import secrets
from datetime import timedelta

from sqlalchemy import select
from sqlalchemy.orm import joinedload

from planner import audit
from planner.extensions import db
from planner.models import ApiToken, Person, utcnow
from planner.validation import InvalidInput

# A recognisable prefix lets secret scanners (and people) tell a leaked token for what it is.
PREFIX = "dp_"
# 32 random bytes from `secrets`: 256 bits.
TOKEN_BYTES = 32
TOKEN_SHAPE = re.compile(rf"{PREFIX}[A-Za-z0-9_-]{{43}}")
MAX_NAME = 100
DEFAULT_NAME = "API token"
# A script may call many times a minute; one write a minute is enough to say "in use".
LAST_USED_GRANULARITY = timedelta(minutes=1)


def hash_token(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def _clean_name(name: str | None) -> str:
    cleaned = " ".join((name or "").split()) or DEFAULT_NAME
    if len(cleaned) > MAX_NAME:
        raise InvalidInput.on("name", f"Keep the name to {MAX_NAME} characters or fewer.")
    return cleaned


def create_token(person: Person, *, name: str | None, by: Person | None) -> tuple[ApiToken, str]:
    """A new token acting as `person`. Returns the record and the secret, which is
    not kept. The caller commits."""
    if not person.active:
        raise InvalidInput.on("email", f"The account of {person.email} is closed.")
    secret = PREFIX + secrets.token_urlsafe(TOKEN_BYTES)
    token = ApiToken(person=person, name=_clean_name(name), token_hash=hash_token(secret))
    db.session.add(token)
    audit.record("api_token.created", token, summary=f"API token “{token.name}” created",
                 details={"person": person.email}, actor=by or person)
    return token, secret


def revoke_token(token: ApiToken, *, by: Person | None) -> bool:
    """Stop the token working at once. False if it was revoked already. The caller commits."""
    if token.revoked_at is not None:
        return False
    token.revoked_at = utcnow()
    audit.record("api_token.revoked", token, summary=f"API token “{token.name}” revoked",
                 details={"person": token.person.email}, actor=by)
    return True


def tokens_of(person: Person) -> list[ApiToken]:
    """The person's tokens, newest first, revoked ones included (they show when)."""
    return list(db.session.scalars(
        select(ApiToken).where(ApiToken.person_id == person.id)
        .order_by(ApiToken.created_at.desc(), ApiToken.id.desc())
    ))


def person_for_token(secret: str) -> Person | None:
    """The active person whose active token this is, or None. Notes when the token was
    last used (the caller commits)."""
    if not TOKEN_SHAPE.fullmatch(secret):
        return None
    token = db.session.scalar(
        select(ApiToken).options(joinedload(ApiToken.person))
        .where(ApiToken.token_hash == hash_token(secret), ApiToken.revoked_at.is_(None))
    )
    if token is None or not token.person.active:
        return None
    now = utcnow()
    if token.last_used_at is None or now - token.last_used_at >= LAST_USED_GRANULARITY:
        token.last_used_at = now
    return token.person
