"""Search across commitments, minutes (summary and notes), decisions and action items,
with SQLite FTS5 or PostgreSQL full-text search (planner.search.index), narrowed to what
the reader may see by planner.access: their dialogues, and draft minutes only for those
who write them."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from markupsafe import Markup, escape
from sqlalchemy import select
from sqlalchemy.orm import joinedload

from planner.access import restrict_to_readable_minutes, restrict_to_visible
from planner.extensions import db
from planner.models import (
    ActionItem,
    Commitment,
    Decision,
    Dialogue,
    Meeting,
    Minutes,
    MinutesNote,
    Person,
)
from planner.search.index import MODELS, matches, terms

MAX_QUERY = 200
LIMIT = 50
SNIPPET = 240

KINDS = {
    "commitment": "Commitment",
    "decision": "Decision",
    "action_item": "Action item",
    "minutes": "Minutes",
    "minutes_note": "Minutes notes",
}


@dataclass
class Hit:
    kind: str
    title: str
    snippet: Markup
    dialogue: Dialogue
    meeting: Meeting | None
    endpoint: str
    values: dict[str, Any]
    score: float
    status: str | None = None
    status_label: str | None = None

    @property
    def kind_label(self) -> str:
        return KINDS[self.kind]


@dataclass
class Results:
    query: str
    words: list[str]
    hits: list[Hit]
    more: bool  # there were more than LIMIT


def _visible(kind: str, query: Any, person: Person) -> Any:
    if kind == "commitment":
        return restrict_to_visible(query, Commitment.dialogue_id, person)
    if kind == "action_item":
        query = query.outerjoin(Minutes, Minutes.meeting_id == ActionItem.meeting_id)
        return restrict_to_readable_minutes(query, Minutes.status, ActionItem.dialogue_id,
                                            person)
    if kind in ("decision", "minutes_note"):
        model = Decision if kind == "decision" else MinutesNote
        query = query.join(Minutes, model.minutes_id == Minutes.id)
    query = query.join(Meeting, Minutes.meeting_id == Meeting.id)
    return restrict_to_readable_minutes(query, Minutes.status, Meeting.dialogue_id, person)


def _dialogue_column(kind: str) -> Any:
    return {"commitment": Commitment.dialogue_id,
            "action_item": ActionItem.dialogue_id}.get(kind, Meeting.dialogue_id)


_LOADS = {
    "commitment": (joinedload(Commitment.dialogue),),
    "minutes": (joinedload(Minutes.meeting).joinedload(Meeting.dialogue),),
    "minutes_note": (joinedload(MinutesNote.minutes).joinedload(Minutes.meeting)
                     .joinedload(Meeting.dialogue), joinedload(MinutesNote.agenda_item)),
    "decision": (joinedload(Decision.minutes).joinedload(Minutes.meeting)
                 .joinedload(Meeting.dialogue),),
    "action_item": (joinedload(ActionItem.dialogue), joinedload(ActionItem.meeting),
                    joinedload(ActionItem.owner)),
}


def search(
    person: Person, query: str, *, dialogue_id: int | None = None, kind: str | None = None
) -> Results:
    words = terms((query or "")[:MAX_QUERY])
    if not words:
        return Results(query, words, [], False)
    dialect = db.session.get_bind().dialect.name
    # First the ids and scores of the best of each kind (columns only), then the records
    # of the best LIMIT of them all, each kind's in one query: what is shown is loaded,
    # not what the other kinds outrank.
    ranked: list[tuple[float, str, int]] = []
    for name in KINDS:
        if kind and kind != name:
            continue
        found, score = matches(dialect, name, words)
        found = _visible(name, found.add_columns(score.label("score")), person)
        if dialogue_id is not None:
            found = found.where(_dialogue_column(name) == dialogue_id)
        rows = db.session.execute(found.order_by(score.desc()).limit(LIMIT + 1))
        ranked.extend((float(value or 0), name, ident) for ident, value in rows)
    ranked.sort(key=lambda hit: -hit[0])
    shown = ranked[:LIMIT]
    records: dict[tuple[str, int], Any] = {}
    for name in KINDS:
        idents = [ident for _score, kind_of, ident in shown if kind_of == name]
        if idents:
            model = MODELS[name]
            for record in db.session.scalars(
                select(model).options(*_LOADS[name]).where(model.id.in_(idents))
            ).unique():
                records[name, record.id] = record
    # (A record deleted between the two reads is left out, not an error.)
    hits = [_hit(name, records[name, ident], score, words) for score, name, ident in shown
            if (name, ident) in records]
    return Results(query, words, hits, len(ranked) > LIMIT)


def _hit(kind: str, record: Any, score: float, words: list[str]) -> Hit:
    if kind == "commitment":
        return Hit(kind, f"{record.reference} {record.title}",
                   snippet(f"{record.title}. {record.quote}", words), record.dialogue, None,
                   "commitments.show", {"commitment_id": record.id}, score,
                   record.status, record.status_label)
    if kind == "action_item":
        text = " ".join(filter(None, (record.title, record.description, record.outcome)))
        return Hit(kind, record.title, snippet(text, words), record.dialogue, record.meeting,
                   "actions.show", {"action_item_id": record.id}, score,
                   record.status, record.status_label)
    minutes = record if kind == "minutes" else record.minutes
    meeting = minutes.meeting
    values = {"meeting_id": meeting.id}
    if kind == "minutes":
        title, text = f"Minutes of {meeting.title}", record.summary
    elif kind == "decision":
        title, text = f"Decision at {meeting.title}", record.text
        values["_anchor"] = f"decision-{record.id}"
    else:
        where = record.agenda_item.title if record.agenda_item else "other matters"
        title, text = f"Notes on {where}, {meeting.title}", record.text
        values["_anchor"] = f"notes-{record.agenda_item_id or 'general'}"
    return Hit(kind, title, snippet(text, words), meeting.dialogue, meeting, "minutes.show",
               values, score, minutes.status, minutes.status_label)


def _pattern(words: list[str]) -> re.Pattern[str]:
    # Stems, roughly: "ports" and "port" both mark "port..."; the index stems properly.
    stems = sorted({w[:max(3, len(w) - 2)] if len(w) > 4 else w for w in words}, key=len,
                   reverse=True)
    return re.compile(r"\b(?:" + "|".join(re.escape(s) for s in stems) + r")\w*", re.IGNORECASE)


def snippet(text: str, words: list[str], length: int = SNIPPET) -> Markup:
    """The part of `text` around the first word found, the words marked."""
    text = " ".join((text or "").split())
    pattern = _pattern(words)
    first = pattern.search(text)
    start = 0
    if first and first.start() > length // 3:
        start = text.rfind(" ", 0, first.start() - length // 3) + 1
    end = min(len(text), start + length)
    if end < len(text):
        end = text.rfind(" ", start, end) if text.rfind(" ", start, end) > start else end
    part = text[start:end]
    pieces, last = [], 0
    for match in pattern.finditer(part):
        pieces.append(escape(part[last:match.start()]))
        pieces.append(Markup("<mark>") + escape(match.group(0)) + Markup("</mark>"))
        last = match.end()
    pieces.append(escape(part[last:]))
    prefix = "… " if start > 0 else ""
    suffix = " …" if end < len(text) else ""
    return Markup(prefix) + Markup("").join(pieces) + Markup(suffix)
