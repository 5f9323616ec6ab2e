"""Reading an answer: the e-mail's headers and its calendar part (RFC 6047 iMIP), and in
that part what RFC 5546 says a REPLY or a COUNTER carries. No database here.

Clients differ in what they send, and all of it is read:
- Outlook: text/calendar;method=REPLY as the message's only part or beside the text;
  `MAILTO:` in capitals; what the person typed in DESCRIPTION ([MS-OXCICAL]).
- Google Calendar: the text/calendar part and the same .ics again as an attachment
  (invite.ics, application/ics); what the person typed as the ATTENDEE's
  X-RESPONSE-COMMENT parameter.
- Apple Calendar and Thunderbird: REPLY with PARTSTAT and, sometimes, COMMENT.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from datetime import UTC, date, datetime
from email import message_from_bytes, policy
from email.message import EmailMessage
from email.utils import getaddresses, parsedate_to_datetime

from icalendar import Calendar

# A message beyond this is listed with its headers, and its body is not kept.
MAX_MESSAGE_BYTES = 10 * 1024 * 1024
CALENDAR_TYPES = {"text/calendar", "application/ics", "text/x-vcalendar"}
ANSWER_METHODS = {"REPLY", "COUNTER"}
HEADERS_END = re.compile(rb"\r?\n\r?\n")


class Unreadable(ValueError):
    """The message has no calendar part we can read; the text says why."""

    def __init__(self, problem: str, detail: str):
        super().__init__(detail)
        self.problem = problem
        self.detail = detail if len(detail) <= 500 else detail[:499] + "…"


@dataclass(frozen=True)
class Envelope:
    """What the e-mail's headers say (all empty for a bare .ics)."""

    digest: str
    headers: str
    sender: str = ""
    message_id: str = ""
    subject: str = ""
    sent_at: datetime | None = None


@dataclass(frozen=True)
class Answer:
    """One REPLY or COUNTER, as its calendar part has it."""

    method: str
    uid: str
    sequence: int
    attendees: tuple[tuple[str, str], ...]  # (address, PARTSTAT), address in lower case
    comment: str
    proposed_start: datetime | None = None
    proposed_end: datetime | None = None
    description: str = ""


def header_block(raw: bytes) -> bytes:
    """The message's headers, up to the first empty line; none for a bare .ics."""
    if raw.lstrip()[:15].upper() == b"BEGIN:VCALENDAR":
        return b""
    match = HEADERS_END.search(raw)
    return raw[:match.start()] if match else raw


def digest_of(raw: bytes, headers: bytes | None = None) -> str:
    """The key of a message: its headers (so a 10 MB one needs no body), with line ends
    made the same, as an .eml saved by a client may have LF where IMAP gives CRLF."""
    block = header_block(raw) if headers is None else headers
    basis = (block or raw).replace(b"\r\n", b"\n").strip()
    return hashlib.sha256(basis).hexdigest()


def envelope(raw: bytes, *, headers: bytes | None = None) -> Envelope:
    block = header_block(raw) if headers is None else headers.rstrip(b"\r\n")
    digest = digest_of(raw, block)
    if not block:
        return Envelope(digest=digest, headers="")
    message = message_from_bytes(block + b"\r\n\r\n", policy=policy.default)
    return Envelope(
        digest=digest,
        headers=block.decode("utf-8", "replace"),
        sender=_address(message, "From"),
        message_id=_header(message, "Message-ID")[:255],
        subject=_header(message, "Subject")[:300],
        sent_at=_date(message),
    )


def _header(message: EmailMessage, name: str) -> str:
    try:
        return " ".join(str(message.get(name, "")).split())
    except (ValueError, TypeError, IndexError):  # a header the parser cannot make sense of
        return ""


def _address(message: EmailMessage, name: str) -> str:
    try:
        addresses = getaddresses([str(value) for value in message.get_all(name, [])])
    except (ValueError, TypeError, IndexError):
        return ""
    found = [address for _, address in addresses if "@" in address]
    return found[0].strip().lower()[:254] if len(found) == 1 else ""


def _date(message: EmailMessage) -> datetime | None:
    try:
        value = parsedate_to_datetime(str(message.get("Date", "")))
    except (TypeError, ValueError, IndexError):
        return None
    return value if value.tzinfo is not None else value.replace(tzinfo=UTC)


def calendar_text(raw: bytes) -> bytes:
    """The calendar part of a message (or the message itself when it is a bare .ics).
    A text/calendar part with a method wins over an attachment of the same."""
    if not header_block(raw):
        return raw
    message = message_from_bytes(raw, policy=policy.default)
    parts = [part for part in message.walk() if not part.is_multipart() and (
        part.get_content_type() in CALENDAR_TYPES
        or (part.get_filename() or "").lower().endswith(".ics"))]
    if not parts:
        raise Unreadable("not_a_reply", "The message has no calendar part (text/calendar "
                                        "or .ics): it is not an answer from a calendar app.")
    parts.sort(key=lambda part: (part.get_content_type() != "text/calendar",
                                 part.get_param("method") is None))
    try:
        payload = parts[0].get_payload(decode=True)
    except (ValueError, TypeError, LookupError) as error:
        raise Unreadable("malformed", f"The calendar part cannot be decoded: {error}.") from None
    if not payload:
        raise Unreadable("malformed", "The calendar part is empty.")
    return payload


def read_answer(calendar: bytes) -> Answer:
    """The REPLY or COUNTER in a calendar part, or Unreadable saying what is wrong."""
    try:
        parsed = Calendar.from_ical(calendar)
    except Exception as error:  # the parser's errors are many; each means "not iCalendar"
        raise Unreadable("malformed", f"The calendar part is not valid iCalendar: {error}"
                         ) from None
    method = str(parsed.get("METHOD", "")).strip().upper()
    if method not in ANSWER_METHODS:
        shown = f"METHOD:{method}" if method else "no METHOD"
        raise Unreadable("not_a_reply", f"The calendar part has {shown}: only a REPLY "
                                        "(an answer) or a COUNTER (a proposal) is read.")
    events = parsed.walk("VEVENT")
    if not events:
        raise Unreadable("malformed", "The calendar part has no event (VEVENT).")
    event = events[0]
    uid = str(event.get("UID", "")).strip()
    if not uid:
        raise Unreadable("malformed", "The event has no UID.")
    try:
        sequence = int(event.get("SEQUENCE", 0))
    except (TypeError, ValueError):
        raise Unreadable("malformed", "The event's SEQUENCE is not a number.") from None
    attendees, comment = _attendees(event)
    if not attendees:
        raise Unreadable("malformed", "The answer names no ATTENDEE.")
    if not comment:
        comment = "\n".join(str(c).strip() for c in _list(event.get("COMMENT")) if str(c).strip())
    start = end = None
    if method == "COUNTER":
        start, end = _instant(event, "DTSTART"), _instant(event, "DTEND")
    return Answer(method=method, uid=uid[:255], sequence=sequence, attendees=attendees,
                  comment=comment, proposed_start=start, proposed_end=end,
                  description=str(event.get("DESCRIPTION", "")).strip())


def _list(value) -> list:
    if value is None:
        return []
    return value if isinstance(value, list) else [value]


def _attendees(event) -> tuple[tuple[tuple[str, str], ...], str]:
    found, comment = [], ""
    for attendee in _list(event.get("ATTENDEE")):
        address = str(attendee).strip()
        if address.lower().startswith("mailto:"):
            address = address[len("mailto:"):]
        address = address.strip().lower()
        if "@" not in address:
            continue
        params = getattr(attendee, "params", {})
        found.append((address[:254], str(params.get("PARTSTAT", "NEEDS-ACTION")).upper()))
        # Google Calendar: the note the person typed, on their own ATTENDEE line.
        comment = comment or str(params.get("X-RESPONSE-COMMENT", "")).strip()
    return tuple(found), comment


def _instant(event, name: str) -> datetime | None:
    if name not in event:
        return None
    try:
        value = event.decoded(name)
    except (ValueError, TypeError, KeyError):
        return None
    if isinstance(value, datetime):
        return value.astimezone(UTC) if value.tzinfo else value.replace(tzinfo=UTC)
    if isinstance(value, date):
        return datetime(value.year, value.month, value.day, tzinfo=UTC)
    return None
