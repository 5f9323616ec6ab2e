"""Talking to the mail server: settings from the environment, the MIME message, and
which SMTP errors are worth a retry."""

from __future__ import annotations

import smtplib
import ssl
from collections.abc import Mapping
from dataclasses import dataclass
from email import policy
from email.message import EmailMessage
from email.utils import format_datetime, formataddr, parseaddr
from enum import Enum
from typing import Any

from planner.config import ConfigurationError
from planner.models import OutboxMessage

TIMEOUT_SECONDS = 30
TLS_MODES = {
    "starttls": "starttls", "1": "starttls", "true": "starttls", "yes": "starttls",
    "on": "starttls", "ssl": "ssl", "tls": "ssl", "smtps": "ssl", "implicit": "ssl",
    "none": "none", "0": "none", "false": "none", "no": "none", "off": "none",
}
DEFAULT_PORTS = {"starttls": 587, "ssl": 465, "none": 25}


@dataclass(frozen=True)
class SmtpSettings:
    host: str
    port: int
    tls: str  # starttls, ssl (implicit TLS) or none
    username: str | None
    password: str | None
    sender: str  # "Name <address>" for From:
    organizer: str  # receives the replies

    @property
    def envelope_from(self) -> str:
        return parseaddr(self.sender)[1]

    @classmethod
    def from_config(cls, config: Mapping[str, Any]) -> SmtpSettings:
        host = config.get("SMTP_HOST")
        if not host:
            raise ConfigurationError(
                "PLANNER_SMTP_HOST is not set, so no e-mail can be sent; the messages stay "
                "queued in the outbox until it is."
            )
        tls = TLS_MODES.get(str(config.get("SMTP_TLS") or "starttls").strip().lower())
        if tls is None:
            raise ConfigurationError(
                f"PLANNER_SMTP_TLS={config.get('SMTP_TLS')!r} is not understood: use "
                "'starttls' (port 587), 'ssl' (implicit TLS, port 465) or 'none'."
            )
        port = config.get("SMTP_PORT") or DEFAULT_PORTS[tls]
        try:
            port = int(port)
        except (TypeError, ValueError):
            port = 0
        if not 0 < port < 65536:
            raise ConfigurationError(
                f"PLANNER_SMTP_PORT={config.get('SMTP_PORT')!r} is not a port number."
            )
        sender = config.get("MAIL_FROM") or ""
        if "@" not in parseaddr(sender)[1]:
            raise ConfigurationError(
                f"PLANNER_MAIL_FROM={sender!r} is not an e-mail address "
                "(for example: Dialogue Secretariat <secretariat@example.org>)."
            )
        return cls(
            host=host,
            port=port,
            tls=tls,
            username=config.get("SMTP_USERNAME"),
            password=config.get("SMTP_PASSWORD"),
            sender=sender,
            organizer=config.get("MAIL_ORGANIZER") or sender,
        )


class Connection:
    """One SMTP session for a batch of messages."""

    def __init__(self, settings: SmtpSettings):
        self.settings = settings
        self.smtp: smtplib.SMTP | None = None

    def open(self) -> None:
        s = self.settings
        context = ssl.create_default_context()
        if s.tls == "ssl":
            self.smtp = smtplib.SMTP_SSL(s.host, s.port, timeout=TIMEOUT_SECONDS,
                                         context=context)
        else:
            self.smtp = smtplib.SMTP(s.host, s.port, timeout=TIMEOUT_SECONDS)
        self.smtp.ehlo()
        if s.tls == "starttls":
            self.smtp.starttls(context=context)
            self.smtp.ehlo()
        if s.username:
            self.smtp.login(s.username, s.password or "")

    def send(self, message: EmailMessage, recipient: str) -> None:
        if self.smtp is None:
            self.open()
        assert self.smtp is not None
        self.smtp.send_message(message, from_addr=self.settings.envelope_from,
                               to_addrs=[recipient])

    def close(self) -> None:
        if self.smtp is None:
            return
        try:
            self.smtp.quit()
        except (smtplib.SMTPException, OSError):
            self.smtp.close()
        self.smtp = None


def build_email(message: OutboxMessage, settings: SmtpSettings) -> EmailMessage:
    """The MIME message of an outbox row: the same bytes on every retry but for the
    boundary, and always the same Message-ID."""
    email = EmailMessage(policy=policy.SMTP)  # CRLF everywhere, as the calendar part needs
    email["Subject"] = message.subject
    email["From"] = settings.sender
    name = message.person.name if message.person is not None else ""
    email["To"] = formataddr((name, message.recipient))
    if parseaddr(settings.organizer)[1] != settings.envelope_from:
        email["Reply-To"] = settings.organizer
    email["Date"] = format_datetime(message.created_at)
    email["Message-ID"] = message.message_id
    email["Auto-Submitted"] = "auto-generated"
    email.set_content(message.text_body, cte="quoted-printable")
    if message.html_body:
        email.add_alternative(message.html_body, subtype="html", cte="quoted-printable")
    if message.calendar:
        # base64 keeps the calendar's CRLF line ends and folding byte for byte.
        email.add_alternative(
            message.calendar.encode("utf-8"),
            maintype="text",
            subtype="calendar",
            cte="base64",
            params={"method": message.calendar_method or "REQUEST", "charset": "UTF-8"},
        )
        # Outlook shows a meeting request as one when this is set (after the parts:
        # setting content clears every Content-* header).
        email["Content-Class"] = "urn:content-classes:calendarmessage"
    return email


class Failure(Enum):
    RETRY = "retry"  # this message, later (4xx: greylisting, mailbox busy)
    PERMANENT = "permanent"  # this message will never go (5xx for the recipient)
    SERVER = "server"  # the server or our settings: stop, all messages wait


def classify(error: Exception) -> Failure:
    if isinstance(error, ValueError | smtplib.SMTPNotSupportedError):
        return Failure.PERMANENT  # e.g. an address this server cannot take (SMTPUTF8)
    if isinstance(error, smtplib.SMTPRecipientsRefused):
        codes = [code for code, _ in error.recipients.values()]
        return Failure.PERMANENT if codes and all(c >= 500 for c in codes) else Failure.RETRY
    if isinstance(error, smtplib.SMTPAuthenticationError | smtplib.SMTPSenderRefused
                  | smtplib.SMTPHeloError | smtplib.SMTPConnectError):
        return Failure.SERVER
    if isinstance(error, smtplib.SMTPResponseException):
        if error.smtp_code == 421:  # the server is closing the connection
            return Failure.SERVER
        return Failure.PERMANENT if error.smtp_code >= 500 else Failure.RETRY
    return Failure.SERVER  # connection refused, timeouts, TLS, disconnects
