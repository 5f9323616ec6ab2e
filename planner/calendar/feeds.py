"""Feeds that calendar apps can poll every few minutes: ETags from calendar revisions,
and the bytes kept under them.

Database triggers keep two revisions, in the same transaction as any change, whoever
makes it: each dialogue's gets a new random number whenever anything its calendar shows
changes (its meetings, their hosts' names, its own name, level or marking), and each
person's whenever their feed would: a dialogue they see changed, or they got or lost a
seat (see the migrations `calendar_revisions` and `calendar_revision_per_reader`). A
feed's ETag is a digest of its revision and of everything else its bytes depend on. So a poll that
already holds the feed is answered 304 after one single-row query, without loading a
meeting (on PostgreSQL, from that row kept in memory while it holds: see changes.py);
and a changed feed is built once per process and kept under its ETag.
"""

from __future__ import annotations

import hashlib
import heapq
from collections import OrderedDict
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from flask import current_app, request
from sqlalchemy import Engine, Select, bindparam, func, select, update

from planner.access import leave_out_archived, restrict_to_visible
from planner.calendar import ics
from planner.calendar.changes import KnownLinks, known_links
from planner.extensions import db
from planner.models import (
    CalendarToken,
    Dialogue,
    Meeting,
    MeetingInvitee,
    Participant,
    Person,
    utcnow,
)

# Raise it when what ics.py writes changes, so that clients fetch their feeds again.
FORMAT = "3"
# Calendar apps poll every few minutes to hours; one write an hour says "still in use".
LAST_USED_GRANULARITY = timedelta(hours=1)


@dataclass(frozen=True)
class FeedReader:
    """Whose feed a link opens: as much of the person as the ETag needs."""

    token_id: int
    last_used_at: datetime | None
    id: int
    is_secretariat: bool
    created_at: datetime


# Polls are the busiest requests of all: one statement, made once, answered from the
# link's row and its person's: the person's calendar revision changes whenever anything
# in their feed changes (triggers: see the migration `calendar_revision_per_reader`).
_POLL = (
    select(CalendarToken.id, CalendarToken.last_used_at, Person.id, Person.is_secretariat,
           Person.created_at, Person.calendar_revision)
    .join(Person, Person.id == CalendarToken.person_id)
    .where(CalendarToken.token_hash == bindparam("token_hash"),
           CalendarToken.revoked_at.is_(None), Person.active.is_(True))
)


def _polling() -> tuple[Engine, KnownLinks | None]:
    """The app's engine, for reads outside a transaction on PostgreSQL, where one would
    add a BEGIN and a ROLLBACK to the poll's single round trip (SQLite's driver begins
    none for a read, and switching it costs a statement of its own); and on PostgreSQL
    the rows kept in memory while they hold (planner/calendar/changes.py)."""
    state = current_app.extensions.setdefault("planner.feeds", {})
    if "engine" not in state:
        engine, links = db.engine, None
        if engine.dialect.name == "postgresql":
            links = known_links(engine)
            engine = engine.execution_options(isolation_level="AUTOCOMMIT")
        state["engine"], state["links"] = engine, links
    return state["engine"], state["links"]


def open_feed(token_hash: str) -> tuple[FeedReader, str] | None:
    """Whose feed the link with this hash opens (an active person's active link), and
    its ETag; None for no such link."""
    engine, links = _polling()
    row = links.get(token_hash) if links is not None else None
    if row is None:
        mark = links.mark() if links is not None else 0
        with engine.connect() as connection:
            found = connection.execute(_POLL, {"token_hash": token_hash}).first()
        if found is None:
            return None
        row = tuple(found)
        if links is not None:
            links.keep(token_hash, row[2], row, mark)
    reader = FeedReader(*row[:5])
    return reader, _digest("person", reader.id, reader.created_at, row[5])


def note_use(reader: FeedReader) -> None:
    """When the link was last used (shown on the account page), to the hour: a poll
    every few minutes must not write every few minutes."""
    now = utcnow()
    if reader.last_used_at is None or now - reader.last_used_at > LAST_USED_GRANULARITY:
        with db.engine.begin() as connection:
            connection.execute(update(CalendarToken).where(CalendarToken.id == reader.token_id)
                               .values(last_used_at=now))


def dialogue_tag(dialogue: Dialogue) -> str:
    revision = db.session.scalar(
        select(Dialogue.calendar_revision).where(Dialogue.id == dialogue.id)
    )
    return _digest("dialogue", dialogue.id, dialogue.created_at, revision)


def _digest(*parts: object) -> str:
    # The links in the events and their ORGANIZER come from the settings or the request
    # (as planner.calendar.links.base_url takes them, without composing the whole URL).
    config = current_app.config
    site = config.get("BASE_URL") or (request.scheme, request.host, request.root_path)
    material = repr((FORMAT, site, config.get("MAIL_ORGANIZER"), config.get("MAIL_FROM"),
                     parts))
    return hashlib.sha256(material.encode()).hexdigest()[:32]


# --- the bytes, kept under their ETag -----------------------------------------------------

# Per process, least recently used first out; a feed of 500 meetings is about 360 kB.
KEPT_BYTES = 64 * 1024 * 1024
_kept: OrderedDict[str, ics.Document] = OrderedDict()
_kept_size = 0


def kept(tag: str, build: Callable[[], ics.Document]) -> ics.Document:
    """The document with this ETag: kept, or built now and kept."""
    document = kept_document(tag)
    if document is None:
        document = build()
        keep(document)
    return document


def kept_document(tag: str) -> ics.Document | None:
    document = _kept.get(tag)
    if document is not None:
        _kept.move_to_end(tag)
    return document


def keep(document: ics.Document) -> None:
    global _kept_size
    assert document.tag is not None
    if document.tag in _kept:
        return
    _kept[document.tag] = document
    _kept_size += len(document.body)
    while _kept_size > KEPT_BYTES and len(_kept) > 1:
        _, oldest = _kept.popitem(last=False)
        _kept_size -= len(oldest.body)


def forget_all() -> None:
    """For tests that measure a feed built from nothing."""
    global _kept_size
    _kept.clear()
    _kept_size = 0
    _dialogue_events.clear()


# --- a person's feed, assembled from each dialogue's events ------------------------------

# Per process: each dialogue's events under its calendar revision (which every change to
# what its calendar shows moves: see the module's docstring) and the settings the events
# take their links from. A person's feed after one meeting changed reads the revisions
# of the dialogues they see (one row each, columns only), the meetings of the dialogue
# whose revision moved, and joins the bytes kept of all the others: a secretariat's feed
# of thousands of meetings costs what the change touched, not the whole feed.
KEPT_DIALOGUES = 4096
# Meetings are read for this many dialogues at a time (SQLite's limit on parameters).
DIALOGUES_PER_READ = 500
# A streamed feed goes out in pieces of about this many bytes.
CHUNK_BYTES = 64 * 1024
_dialogue_events: OrderedDict[tuple, tuple[ics.FeedEvent, ...]] = OrderedDict()


class _DialogueFacts:
    """What a meeting's event shows of its dialogue, read as columns."""

    __slots__ = ("name", "short_name", "level", "classification")
    level_label = Dialogue.level_label

    def __init__(self, name: str, short_name: str, level: str, classification: str):
        self.name, self.short_name = name, short_name
        self.level, self.classification = level, classification


class _HostFacts:
    __slots__ = ("name",)

    def __init__(self, name: str):
        self.name = name


_MEETING_COLUMNS = tuple(Meeting.__table__.columns)
_MEETING_KEYS = tuple(column.key for column in _MEETING_COLUMNS)


class _MeetingFacts:
    """A meeting as its event needs it (planner.calendar.ics), read as columns in bulk
    instead of as a model with its dialogue and host: the same attributes and the
    model's own properties for what is derived from them."""

    __slots__ = (*_MEETING_KEYS, "dialogue", "host")
    zone = Meeting.zone
    local_start = Meeting.local_start
    local_end = Meeting.local_end
    place = Meeting.place
    status_label = Meeting.status_label
    is_sensitive = Meeting.is_sensitive


def _facts(row: Sequence[Any]) -> _MeetingFacts:
    meeting = _MeetingFacts()
    for key, value in zip(_MEETING_KEYS, row, strict=False):
        setattr(meeting, key, value)
    width = len(_MEETING_KEYS)
    meeting.dialogue = _DialogueFacts(*row[width:width + 4])
    host = row[width + 4]
    meeting.host = _HostFacts(host) if host is not None else None
    return meeting


def _meetings_in_order(dialogue_ids: list[int]) -> Select[Any]:
    """The meetings of these dialogues by start, with what their events show of their
    dialogue and host, in columns: one statement, no model loaded."""
    return (
        select(*_MEETING_COLUMNS, Dialogue.name, Dialogue.short_name, Dialogue.level,
               Dialogue.classification, Participant.name)
        .join(Dialogue, Dialogue.id == Meeting.dialogue_id)
        .outerjoin(Participant, Participant.id == Meeting.host_participant_id)
        .where(Meeting.dialogue_id.in_(dialogue_ids))
        .order_by(Meeting.starts_at, Meeting.id)
    )


def _chunks(idents: list[int]) -> Iterator[list[int]]:
    for start in range(0, len(idents), DIALOGUES_PER_READ):
        yield idents[start:start + DIALOGUES_PER_READ]


@dataclass
class PersonFeed:
    """A person's feed about to be written: what its header needs (time zones and their
    years, the last change) is known before any event is; `chunks` then writes the
    events in order of start, each dialogue's from what is kept or from its meetings
    read in one pass, and keeps the whole under its ETag once written to the end."""

    tag: str
    name: str
    description: str
    settings: tuple
    kept_events: list[ics.FeedEvent]
    missing: dict[int, tuple]
    answers: dict[int, ics.OwnAnswer]
    years: dict[str, tuple[int, int]]
    last_modified: datetime

    def chunks(self) -> Iterator[bytes]:
        built: dict[int, list[ics.FeedEvent]] = {ident: [] for ident in self.missing}

        def read(chunk: list[int]) -> Iterator[ics.FeedEvent]:
            for row in db.session.execute(_meetings_in_order(chunk)):
                event = ics.feed_event(_facts(row), self.settings)
                built[row.dialogue_id].append(event)
                yield event

        ordered = heapq.merge(sorted(self.kept_events, key=ics.event_order),
                              *(read(chunk) for chunk in _chunks(list(self.missing))),
                              key=ics.event_order)
        pieces = [ics.feed_head(self.name, self.description, self.years)]
        written, size = [], len(pieces[0])
        for event in ordered:
            body = ics.with_own_answer(event, self.answers).body
            pieces.append(body)
            size += len(body)
            if size >= CHUNK_BYTES:
                chunk = b"".join(pieces)
                written.append(chunk)
                yield chunk
                pieces, size = [], 0
        pieces.append(ics.END_CALENDAR)
        chunk = b"".join(pieces)
        written.append(chunk)
        yield chunk
        # Written to the end (a client that left stops the generator before this).
        for ident, key in self.missing.items():
            _dialogue_events[key] = tuple(built[ident])
        while len(_dialogue_events) > KEPT_DIALOGUES:
            _dialogue_events.popitem(last=False)
        keep(ics.Document(b"".join(written), self.last_modified, self.tag))


def person_feed(reader: FeedReader, tag: str, *, name: str, description: str) -> PersonFeed:
    """The feed of every meeting the person sees (see feed_meetings: the meetings of
    every dialogue they see but an archived one's), each meeting they are invited to
    with their own ATTENDEE line and answer (PARTSTAT): their calendar app shows
    "accepted" or "declined" as for an invite. Nobody else's line: feeds end up on
    third-party servers. Their answer moves their calendar revision (a trigger: see
    the migration `own_answer_in_feed`), so the ETag moves with it.

    Reads, before any event is written: the revision of each dialogue they see, and for
    the dialogues whose events are not kept, one row per time zone (its first start, its
    last end, the last change): what the header and Last-Modified need."""
    query = leave_out_archived(
        restrict_to_visible(select(Dialogue.id, Dialogue.calendar_revision), Dialogue.id,
                            reader),
        Dialogue.id,
    )
    settings = ics.event_settings()
    kept_events: list[ics.FeedEvent] = []
    missing: dict[int, tuple] = {}
    for ident, revision in db.session.execute(query):
        key = (ident, revision, settings)
        found = _dialogue_events.get(key)
        if found is None:
            missing[ident] = key
        else:
            _dialogue_events.move_to_end(key)
            kept_events += found
    years: dict[str, tuple[int, int]] = {}
    last_modified = reader.created_at
    for event in kept_events:
        ics.add_years(years, event.timezone, event.first_year, event.last_year)
        last_modified = max(last_modified, event.changed)
    for chunk in _chunks(list(missing)):
        for tzid, first, last, changed in db.session.execute(
            select(Meeting.timezone, func.min(Meeting.starts_at), func.max(Meeting.ends_at),
                   func.max(func.coalesce(Meeting.updated_at, Meeting.created_at)))
            .where(Meeting.dialogue_id.in_(chunk)).group_by(Meeting.timezone)
        ):
            zone = ZoneInfo(tzid)
            ics.add_years(years, tzid, first.astimezone(zone).year, last.astimezone(zone).year)
            last_modified = max(last_modified, changed)
    return PersonFeed(tag, name, description, settings, kept_events, missing,
                      own_answers(reader.id), years, last_modified)


def own_answers(person_id: int) -> dict[int, ics.OwnAnswer]:
    rows = db.session.execute(
        select(MeetingInvitee.meeting_id, MeetingInvitee.role, MeetingInvitee.response,
               Person.email, Person.name)
        .join(Person, Person.id == MeetingInvitee.person_id)
        .where(MeetingInvitee.person_id == person_id)
    )
    return {meeting_id: ics.OwnAnswer(email, name, role, response)
            for meeting_id, role, response, email, name in rows}
