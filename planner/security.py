"""Security that every response and every password goes through: headers (with a
Content-Security-Policy that allows no inline code), and the password policy of NIST
SP 800-63B: long enough, not a common or context-specific password, no composition
rules."""

from __future__ import annotations

from functools import lru_cache

from flask import Flask, Response, request
from flask_login import current_user

MIN_PASSWORD_LENGTH = 15  # SP 800-63B-4: 15 characters when the password stands alone
MAX_PASSWORD_LENGTH = 256

CONTENT_SECURITY_POLICY = "; ".join([
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self'",
    "img-src 'self' data:",
    "font-src 'self'",
    "connect-src 'self'",
    "object-src 'none'",
    "base-uri 'none'",
    "form-action 'self'",
    "frame-ancestors 'none'",
])


def register(app: Flask) -> None:
    @app.after_request
    def security_headers(response: Response) -> Response:
        headers = response.headers
        headers.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
        headers.setdefault("X-Content-Type-Options", "nosniff")
        headers.setdefault("X-Frame-Options", "DENY")
        # Feed URLs carry a secret token: never send a URL of ours to another site.
        headers.setdefault("Referrer-Policy", "same-origin")
        headers.setdefault("Cross-Origin-Opener-Policy", "same-origin")
        headers.setdefault("Cross-Origin-Resource-Policy", "same-origin")
        headers.setdefault(
            "Permissions-Policy", "camera=(), microphone=(), geolocation=(), payment=()"
        )
        if app.config.get("SESSION_COOKIE_SECURE"):
            headers.setdefault("Strict-Transport-Security", "max-age=31536000")
        # A signed-in page may hold papers: keep it out of shared and browser caches.
        if (current_user and current_user.is_authenticated
                and "Cache-Control" not in headers and request.endpoint != "static"):
            headers["Cache-Control"] = "no-store"
        return response


@lru_cache(maxsize=1)
def _common_passwords() -> frozenset[str]:
    from zxcvbn.frequency_lists import FREQUENCY_LISTS

    return frozenset(FREQUENCY_LISTS["passwords"])


def password_problems(password: str, *, email: str = "", name: str = "") -> list[str]:
    """What is wrong with `password`, in words a person can act on; empty when fine."""
    if len(password) < MIN_PASSWORD_LENGTH:
        return [f"Use at least {MIN_PASSWORD_LENGTH} characters. A few unrelated words "
                "make a long password that is easy to remember."]
    if len(password) > MAX_PASSWORD_LENGTH:
        return [f"Use at most {MAX_PASSWORD_LENGTH} characters."]
    lowered = password.lower()
    if lowered in _common_passwords() or lowered.strip("0123456789!") in _common_passwords():
        return ["This password is on a list of common passwords. Choose another."]
    if len(set(lowered)) <= 3:
        return ["Choose a password that does not repeat the same few characters."]
    if _repeats_a_short_word(lowered):
        return ["Choose a password that does not repeat the same word."]
    context = {email.lower(), email.lower().partition("@")[0], name.lower(),
               "dialogue planner", "dialogueplanner", "planner"}
    if any(word and len(word) >= 4 and word in lowered for word in context):
        return ["Do not use your name, your e-mail address or the name of this service "
                "in your password."]
    return []


def _repeats_a_short_word(text: str) -> bool:
    """'passwordpassword', 'abcabcabcabcabc': one short string over and over."""
    return any(
        len(text) % size == 0 and text == text[:size] * (len(text) // size)
        for size in range(1, len(text) // 2 + 1)
    )
