"""Reading the organizer's mailbox over IMAP (Python's imaplib): settings from
PLANNER_MAIL_INBOX_URL, and one poll: connect, read what is new, match and record it,
move what is done to the processed folder, disconnect.

Messages are read with BODY.PEEK, so a person who also reads the mailbox still sees them
as unread. A message that cannot be matched stays where it is and is listed for the
secretariat; it is known by its headers' digest, so it is read once, not on every poll."""

from __future__ import annotations

import imaplib
import re
import ssl
from collections.abc import Mapping
from contextlib import suppress
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import unquote, urlsplit

from flask import current_app

from planner.config import ConfigurationError
from planner.extensions import db
from planner.inbox.operations import receive, reply_by_digest, unreadable
from planner.inbox.reading import MAX_MESSAGE_BYTES, digest_of
from planner.models import ReplySource, ReplyStatus

TIMEOUT_SECONDS = 30
DEFAULT_PORTS = {"imaps": 993, "imap": 143}
DONE = (ReplyStatus.APPLIED, ReplyStatus.DISMISSED)
SIZE = re.compile(rb"RFC822\.SIZE (\d+)", re.IGNORECASE)


class MailboxUnavailable(RuntimeError):
    """The mail server cannot be reached or broke off; the next poll tries again."""


@dataclass(frozen=True)
class InboxSettings:
    host: str
    port: int
    tls: str  # "ssl" (imaps://) or "starttls" (imap://, used where the server offers it)
    username: str
    password: str
    mailbox: str
    processed: str

    @classmethod
    def from_config(cls, config: Mapping[str, Any]) -> InboxSettings:
        url = config.get("MAIL_INBOX_URL")
        if not url:
            raise ConfigurationError(
                "PLANNER_MAIL_INBOX_URL is not set (for example "
                "imaps://user:password@mail.example.org/INBOX), so no answers are read.")
        try:
            parts = urlsplit(url)
            port = parts.port
        except ValueError as error:
            raise ConfigurationError(f"PLANNER_MAIL_INBOX_URL is not a URL: {error}.") from None
        scheme = parts.scheme.lower()
        if scheme not in DEFAULT_PORTS:
            raise ConfigurationError(
                f"PLANNER_MAIL_INBOX_URL must start with imaps:// or imap://, not {scheme}://.")
        if not parts.hostname or not parts.username:
            raise ConfigurationError(
                "PLANNER_MAIL_INBOX_URL needs a user and a host: "
                "imaps://user:password@mail.example.org/INBOX.")
        mailbox = unquote(parts.path.lstrip("/")) or "INBOX"
        processed = config.get("MAIL_INBOX_PROCESSED") or "Processed"
        for name, setting in ((mailbox, "PLANNER_MAIL_INBOX_URL's folder"),
                              (processed, "PLANNER_MAIL_INBOX_PROCESSED")):
            if not name.isascii() or not name.isprintable():
                raise ConfigurationError(f"{setting} {name!r} must be plain ASCII.")
        return cls(host=parts.hostname, port=port or DEFAULT_PORTS[scheme],
                   tls="ssl" if scheme == "imaps" else "starttls",
                   username=unquote(parts.username), password=unquote(parts.password or ""),
                   mailbox=mailbox, processed=processed)


@dataclass
class PollReport:
    """What one poll did: messages read, answers recorded, proposals, not matched,
    messages moved to the processed folder; errors in words."""

    read: int = 0
    applied: int = 0
    proposals: int = 0
    unmatched: int = 0
    moved: int = 0
    left: int = 0  # new messages beyond the poll's limit, for the next poll
    errors: list[str] = field(default_factory=list)

    def __str__(self) -> str:
        text = (f"{self.read} read, {self.applied} answers recorded, {self.proposals} "
                f"proposals, {self.unmatched} not matched, {self.moved} moved")
        if self.left:
            text += f", {self.left} left for the next poll"
        return text + (f", {len(self.errors)} errors" if self.errors else "")


def _quoted(name: str) -> str:
    return '"' + name.replace("\\", "\\\\").replace('"', '\\"') + '"'


class Mailbox:
    """One IMAP session on the organizer's mailbox."""

    def __init__(self, settings: InboxSettings):
        self.settings = settings
        self.imap: imaplib.IMAP4 | None = None

    def __enter__(self) -> Mailbox:
        s = self.settings
        context = ssl.create_default_context()
        try:
            if s.tls == "ssl":
                self.imap = imaplib.IMAP4_SSL(s.host, s.port, ssl_context=context,
                                              timeout=TIMEOUT_SECONDS)
            else:
                self.imap = imaplib.IMAP4(s.host, s.port, timeout=TIMEOUT_SECONDS)
                if "STARTTLS" in self.imap.capabilities:
                    self.imap.starttls(ssl_context=context)
        except (OSError, imaplib.IMAP4.error) as error:
            if self.imap is not None:
                with suppress(OSError):  # the socket may be gone already
                    self.imap.shutdown()
                self.imap = None
            raise MailboxUnavailable(
                f"The mail server {s.host}:{s.port} cannot be reached: {error}.") from None
        try:
            self.imap.login(s.username, s.password)
        except imaplib.IMAP4.error as error:
            self._logout()
            raise ConfigurationError(
                f"The mail server refused the user name or password of "
                f"PLANNER_MAIL_INBOX_URL ({_text(error)}).") from None
        # What the server offers once signed in (MOVE, UIDPLUS) is often more than before.
        status, answer = self.imap.capability()
        if status == "OK" and answer and answer[-1]:
            self.imap.capabilities = tuple(answer[-1].decode("ascii", "replace").upper().split())
        status, answer = self.imap.select(_quoted(s.mailbox))
        if status != "OK":
            self._logout()
            raise ConfigurationError(
                f"The mail server has no folder {s.mailbox!r} ({_text(answer)}); "
                "check PLANNER_MAIL_INBOX_URL.")
        # The processed folder is made on first use (NO when it exists already).
        self.imap.create(_quoted(s.processed))
        self.imap.subscribe(_quoted(s.processed))
        return self

    def __exit__(self, *_exc) -> None:
        self._logout()

    def _logout(self) -> None:
        if self.imap is None:
            return
        try:
            if self.imap.state == "SELECTED":
                self.imap.close()  # expunges what a COPY and \Deleted moved out
            self.imap.logout()
        except (OSError, imaplib.IMAP4.error):
            pass
        self.imap = None

    def _uid(self, command: str, *args: str) -> list:
        assert self.imap is not None
        status, data = self.imap.uid(command, *args)
        if status != "OK":
            raise imaplib.IMAP4.error(f"UID {command} answered {status}: {_text(data)}")
        return data

    def uids(self) -> list[str]:
        data = self._uid("SEARCH", "ALL")
        return [uid.decode() for uid in (data[0] or b"").split()]

    def headers(self, uid: str) -> tuple[int, bytes] | None:
        """The message's size and header block; None when it is gone meanwhile."""
        data = self._uid("FETCH", uid, "(RFC822.SIZE BODY.PEEK[HEADER])")
        literal = next((item for item in data if isinstance(item, tuple)), None)
        if literal is None:
            return None
        meta = b" ".join(item[0] if isinstance(item, tuple) else item for item in data
                         if isinstance(item, tuple | bytes))
        size = SIZE.search(meta)
        return (int(size.group(1)) if size else len(literal[1])), literal[1]

    def message(self, uid: str) -> bytes | None:
        data = self._uid("FETCH", uid, "(BODY.PEEK[])")
        literal = next((item for item in data if isinstance(item, tuple)), None)
        return None if literal is None else literal[1]

    def move(self, uid: str) -> None:
        """To the processed folder: MOVE (RFC 6851) where the server has it, else COPY,
        flag \\Deleted, and expunge (only this message where UIDPLUS allows it)."""
        assert self.imap is not None
        folder = _quoted(self.settings.processed)
        if "MOVE" in self.imap.capabilities:
            self._uid("MOVE", uid, folder)
            return
        self._uid("COPY", uid, folder)
        self._uid("STORE", uid, "+FLAGS.SILENT", r"(\Deleted)")
        if "UIDPLUS" in self.imap.capabilities:
            self._uid("EXPUNGE", uid)


def _text(value: Any) -> str:
    if isinstance(value, list):
        value = b" ".join(v for v in value if isinstance(v, bytes))
    if isinstance(value, bytes):
        return value.decode("utf-8", "replace")
    return str(value)


def poll_inbox(*, limit: int = 200) -> PollReport:
    """One poll of the organizer's mailbox, in the app context: read up to `limit` new
    messages, record what they say, move what is done. A bad message never stops the
    poll (it is kept as not matched, or named in the report's errors); a missing or bad
    PLANNER_MAIL_INBOX_URL raises ConfigurationError, a server out of reach
    MailboxUnavailable. Commits after each message."""
    settings = InboxSettings.from_config(current_app.config)
    report = PollReport()
    try:
        with Mailbox(settings) as mailbox:
            for uid in mailbox.uids():
                _take(mailbox, uid, report, limit)
    except (OSError, imaplib.IMAP4.error) as error:  # abort: the connection is lost
        db.session.rollback()
        raise MailboxUnavailable(
            f"The mail server {settings.host}:{settings.port} broke off: {error}.") from None
    return report


def _take(mailbox: Mailbox, uid: str, report: PollReport, limit: int) -> None:
    try:
        found = mailbox.headers(uid)
    except imaplib.IMAP4.error as error:
        report.errors.append(f"Message {uid}: {_text(error.args[0] if error.args else error)}")
        return
    if found is None:
        return
    size, headers = found
    reply = reply_by_digest(digest_of(b"", headers))
    if reply is None:
        if report.read >= limit:
            report.left += 1
            return
        report.read += 1
        reply = _record(mailbox, uid, size, headers, report)
        if reply is None:
            return
        if reply.status == ReplyStatus.APPLIED:
            report.applied += 1
        elif reply.status == ReplyStatus.PROPOSAL:
            report.proposals += 1
        else:
            report.unmatched += 1
    if reply.status in DONE:
        try:
            mailbox.move(uid)
        except imaplib.IMAP4.error as error:
            report.errors.append(f"Message {uid} could not be moved to "
                                 f"{mailbox.settings.processed}: {error}")
            return
        report.moved += 1


def _record(mailbox: Mailbox, uid: str, size: int, headers: bytes, report: PollReport):
    raw = None
    try:
        if size <= MAX_MESSAGE_BYTES:
            raw = mailbox.message(uid)
            if raw is None:
                return None
        reply = receive(raw, source=ReplySource.MAILBOX, headers=headers,
                        size=len(raw) if raw is not None else size)
        db.session.commit()
        return reply
    except (OSError, imaplib.IMAP4.abort):
        raise
    except imaplib.IMAP4.error as error:  # the server would not give it now: next poll
        db.session.rollback()
        report.errors.append(f"Message {uid}: {_text(error.args[0] if error.args else error)}")
        return None
    except Exception as error:  # noqa: BLE001 - one bad message must not stop the poll
        db.session.rollback()
        report.errors.append(f"Message {uid}: {type(error).__name__}: {error}")
        reply = unreadable(raw, headers=headers, size=size, error=error)
        db.session.commit()
        return reply
