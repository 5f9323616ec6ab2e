"""The tracker: what happened to a commitment meeting after meeting, and how each
dialogue's commitments stand, theme by theme (figures for a chart and a table)."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from sqlalchemy import bindparam, exists, func, select, update
from sqlalchemy.orm import joinedload, selectinload
from sqlalchemy.orm.attributes import set_committed_value

from planner import audit
from planner.access import restrict_to_readable_minutes, restrict_to_visible, writes_papers
from planner.actions import operations as actions
from planner.extensions import db
from planner.models import (
    ActionItem,
    Agenda,
    AgendaItem,
    AgendaVersion,
    AuditEvent,
    Commitment,
    CommitmentStatus,
    CommitmentStatusChange,
    Decision,
    Dialogue,
    DocumentSection,
    Meeting,
    Minutes,
    Participant,
    Person,
    SourceDocument,
    Theme,
    utcnow,
)
from planner.timefmt import format_date
from planner.validation import InvalidInput

GENERAL_THEME = "General and delivery"


def commitment_for(person: Person, commitment_id: int) -> Commitment | None:
    return db.session.scalar(
        restrict_to_visible(select(Commitment), Commitment.dialogue_id, person)
        .options(joinedload(Commitment.dialogue), joinedload(Commitment.theme),
                 joinedload(Commitment.section).joinedload(DocumentSection.document))
        .where(Commitment.id == commitment_id)
    )


# --- the timeline ------------------------------------------------------------------------------


@dataclass
class Event:
    kind: str  # "created", "edited", "agenda", "decision", "status", "action"
    text: str
    detail: str = ""
    link: tuple[str, dict] | None = None  # (endpoint, values)
    status: str | None = None
    status_label: str | None = None
    anchor: str = ""
    by: str = ""  # who made the change, for those made on the commitment itself
    # An edit's terms: (what, before, after).
    changes: list[tuple[str, str, str]] = field(default_factory=list)


@dataclass
class Stop:
    """A meeting on the commitment's way (or a date, for a change outside meetings)."""

    meeting: Meeting | None
    when: datetime
    events: list[Event] = field(default_factory=list)


KIND_ORDER = {"created": 0, "edited": 1, "agenda": 2, "decision": 3, "status": 4, "action": 5}


def timeline(commitment: Commitment, person: Person) -> list[Stop]:
    """How it was set down and edited, agenda items that reviewed it, decisions, status
    changes and action items, by meeting in date order (changes outside meetings by
    their date); only what `person` may read (circulated agendas and readable
    minutes; drafts for those who write them)."""
    manages = writes_papers(person, commitment.dialogue_id)
    stops: dict[object, Stop] = {}

    def stop(meeting: Meeting | None, when: datetime) -> Stop:
        key = meeting.id if meeting is not None else ("date", when)
        if key not in stops:
            stops[key] = Stop(meeting, meeting.starts_at if meeting is not None else when)
        return stops[key]

    circulated = exists().where(AgendaVersion.agenda_id == Agenda.id)
    agenda_rows = (
        select(AgendaItem, Meeting, circulated.label("circulated"))
        .join(Agenda, AgendaItem.agenda_id == Agenda.id)
        .join(Meeting, Agenda.meeting_id == Meeting.id)
        .where(AgendaItem.commitment_id == commitment.id, AgendaItem.dismissed.is_(False))
    )
    if not manages:
        agenda_rows = agenda_rows.where(circulated)  # drafts are for those who write them
    for item, meeting, is_circulated in db.session.execute(agenda_rows):
        stop(meeting, meeting.starts_at).events.append(Event(
            "agenda", f"On the agenda: {item.title}",
            detail="" if is_circulated else "draft agenda, not yet circulated",
            link=("agendas.show", {"meeting_id": meeting.id}) if is_circulated
            else ("agendas.draft", {"meeting_id": meeting.id}),
        ))

    decisions = restrict_to_readable_minutes(
        select(Decision, Meeting).join(Minutes, Decision.minutes_id == Minutes.id)
        .join(Meeting, Minutes.meeting_id == Meeting.id)
        .where(Decision.commitment_id == commitment.id),
        Minutes.status, Meeting.dialogue_id, person,
    )
    for decision, meeting in db.session.execute(decisions):
        stop(meeting, meeting.starts_at).events.append(Event(
            "decision", decision.text,
            link=("minutes.show", {"meeting_id": meeting.id}), anchor=f"decision-{decision.id}",
        ))

    for entry in changes(commitment):
        who = _name_of(entry)
        if entry.action == "commitment.created":
            how = str(entry.details.get("via") or BY_HAND)
            stop(None, entry.occurred_at).events.append(Event(
                "created", f"{how[:1].upper()}{how[1:]}: {entry.details.get('title', '')}",
                by=who))
        else:
            before, after = entry.details.get("before", {}), entry.details.get("after", {})
            what = [TERM_LABELS.get(k, k).lower() for k in after]
            named = ", ".join(what[:-1]) + " and " + what[-1] if len(what) > 1 \
                else "".join(what)
            stop(None, entry.occurred_at).events.append(Event(
                "edited", f"{named[:1].upper()}{named[1:]} changed", by=who,
                changes=[(TERM_LABELS.get(k, k), _shown(k, before.get(k)),
                          _shown(k, after.get(k))) for k in after],
            ))

    status_changes = db.session.execute(
        select(CommitmentStatusChange, Meeting, Minutes.status)
        .options(joinedload(CommitmentStatusChange.changed_by))
        .outerjoin(Meeting, CommitmentStatusChange.meeting_id == Meeting.id)
        .outerjoin(Decision, CommitmentStatusChange.decision_id == Decision.id)
        .outerjoin(Minutes, Decision.minutes_id == Minutes.id)
        .where(CommitmentStatusChange.commitment_id == commitment.id)
        .order_by(CommitmentStatusChange.changed_at, CommitmentStatusChange.id)
    ).all()
    for change, meeting, minutes_status in status_changes:
        # The status itself is public (the dialogue page shows it); a draft's words are not.
        note = change.note if (manages or minutes_status != "draft") else ""
        old, new = CommitmentStatus(change.old_status), CommitmentStatus(change.new_status)
        stop(meeting, change.changed_at).events.append(Event(
            "status", f"{old.label} → {new.label.lower()}", detail=note,
            status=new.value, status_label=new.label,
            by=change.changed_by.name if change.changed_by else "",
        ))

    items = db.session.scalars(
        actions.readable(person)
        .options(joinedload(ActionItem.owner), joinedload(ActionItem.meeting))
        .where(ActionItem.commitment_id == commitment.id)
    ).all()
    for item in items:
        due = f"due {item.due_on.day} {item.due_on:%B %Y}" if item.due_on else "no due date"
        stop(item.meeting, item.meeting.starts_at if item.meeting else item.created_at) \
            .events.append(Event(
                "action", item.title, detail=f"{item.owner.short_name}, {due}"
                + (f" — outcome: {item.outcome}" if item.outcome else ""),
                link=("actions.show", {"action_item_id": item.id}),
                status=item.status, status_label=item.status_label,
            ))

    for entry in stops.values():
        entry.events.sort(key=lambda e: KIND_ORDER[e.kind])
    return sorted(stops.values(), key=lambda s: s.when)


def _name_of(entry: AuditEvent) -> str:
    if entry.actor is not None:
        return entry.actor.name
    return "" if entry.actor_email == "system" else entry.actor_email


def _shown(term: str, value: object) -> str:
    """A term as the audit entry keeps it, as people read it."""
    if term == "target_date" and isinstance(value, str) and value not in ("", "—"):
        try:
            return format_date(date.fromisoformat(value))
        except ValueError:
            return value
    return "—" if value in (None, "") else str(value)


# --- progress by theme --------------------------------------------------------------------------

STATUS_ORDER = (CommitmentStatus.MET, CommitmentStatus.IN_PROGRESS, CommitmentStatus.OPEN,
                CommitmentStatus.DROPPED)


@dataclass
class Segment:
    status: str
    label: str
    count: int
    x: float
    width: float


@dataclass
class Row:
    theme: str
    counts: dict[str, int]
    total: int
    segments: list[Segment]
    y: float
    end: float  # where the bar ends, for the total beside it

    @property
    def met_share(self) -> int:
        return round(100 * self.counts[CommitmentStatus.MET] / self.total) if self.total else 0


@dataclass
class Chart:
    rows: list[Row]
    totals: dict[str, int]
    total: int
    statuses: list[tuple[str, str]]
    width: int
    height: int
    label_width: int
    bar_width: int
    row_height: int
    top: int


def progress_by_theme(dialogue_id: int) -> Chart:
    """How many commitments of each theme are met, in progress, open or dropped, and the
    geometry of a stacked bar per theme on one scale (the server draws the SVG)."""
    themes = db.session.scalars(
        select(Theme).where(Theme.dialogue_id == dialogue_id).order_by(Theme.position, Theme.id)
    ).all()
    counts: dict[int | None, dict[str, int]] = {}
    for theme_id, status, count in db.session.execute(
        select(Commitment.theme_id, Commitment.status, func.count())
        .where(Commitment.dialogue_id == dialogue_id)
        .group_by(Commitment.theme_id, Commitment.status)
    ):
        counts.setdefault(theme_id, {s.value: 0 for s in CommitmentStatus})[status] = count
    labelled = [(theme.label, counts[theme.id]) for theme in themes if theme.id in counts]
    if None in counts:
        labelled.append((GENERAL_THEME, counts[None]))

    label_width, bar_width, row_height, top = 300, 400, 34, 40
    largest = max((sum(c.values()) for _label, c in labelled), default=0)
    unit = bar_width / largest if largest else 0
    rows = []
    for index, (label, by_status) in enumerate(labelled):
        x, segments = float(label_width), []
        for status in STATUS_ORDER:
            count = by_status[status.value]
            if count:
                segments.append(Segment(status.value, status.label, count, x, count * unit))
                x += count * unit
        rows.append(Row(label, by_status, sum(by_status.values()), segments,
                        top + index * row_height, x))
    totals = {s.value: sum(r.counts[s.value] for r in rows) for s in CommitmentStatus}
    return Chart(
        rows=rows, totals=totals, total=sum(totals.values()),
        statuses=[(s.value, s.label) for s in STATUS_ORDER],
        width=label_width + bar_width + 40, height=top + len(rows) * row_height + 8,
        label_width=label_width, bar_width=bar_width, row_height=row_height, top=top,
    )


# --- a dialogue's commitments: the first few of each theme, or page by page ---------------------

# The dialogue page shows this many commitments of each theme, and links to the full list.
FIRST_PER_THEME = 10
PAGE_SIZE = 50
# The `theme` of a commitment that has none ("General and delivery"), in links and filters.
NO_THEME = "none"


@dataclass
class ThemeGroup:
    """The first commitments of a theme, in document order, and how many it has in all."""

    theme_id: int | None  # None: the commitments without a theme
    label: str
    commitments: list[Commitment]
    total: int

    @property
    def is_cut(self) -> bool:
        return self.total > len(self.commitments)


def first_by_theme(
    dialogue_id: int, themes: list[Theme], limit: int = FIRST_PER_THEME
) -> list[ThemeGroup]:
    """At most `limit` commitments of each theme (theme order, the unthemed last): a
    window function ranks each theme's commitments and counts them, so only the rows
    shown are loaded, whatever the size of the dialogue."""
    by_theme = {"partition_by": Commitment.theme_id}
    ranked = (
        select(
            Commitment.id,
            func.row_number().over(**by_theme, order_by=(Commitment.position, Commitment.id))
            .label("place"),
            func.count().over(**by_theme).label("in_theme"),
        )
        .where(Commitment.dialogue_id == dialogue_id)
        .subquery()
    )
    # The ids first, then the rows by id: joined to the ranking, the planner would
    # expect every commitment of the dialogue to pass the filter and join them all.
    in_theme: dict[int, int] = {
        commitment_id: total
        for commitment_id, total in db.session.execute(
            select(ranked.c.id, ranked.c.in_theme).where(ranked.c.place <= limit)
        )
    }
    commitments = db.session.scalars(
        select(Commitment)
        .where(Commitment.id.in_(in_theme))
        .options(
            joinedload(Commitment.section).joinedload(DocumentSection.document),
            selectinload(Commitment.leads),
        )
        .order_by(Commitment.position, Commitment.id)
    ).all()
    shown: dict[int | None, list[Commitment]] = {}
    totals: dict[int | None, int] = {}
    for commitment in commitments:
        shown.setdefault(commitment.theme_id, []).append(commitment)
        totals[commitment.theme_id] = in_theme[commitment.id]
    labels: list[tuple[int | None, str]] = [(theme.id, theme.label) for theme in themes]
    labels.append((None, GENERAL_THEME))
    return [
        ThemeGroup(theme_id, label, shown[theme_id], totals[theme_id])
        for theme_id, label in labels
        if theme_id in shown
    ]


@dataclass
class CommitmentPage:
    items: list[Commitment]
    total: int
    page: int
    pages: int
    per_page: int

    @property
    def first(self) -> int:
        """The number of the first row shown, counting from 1 (0 when there is none)."""
        return (self.page - 1) * self.per_page + 1 if self.items else 0

    @property
    def last(self) -> int:
        return (self.page - 1) * self.per_page + len(self.items)

    def page_numbers(self, around: int = 2) -> list[int | None]:
        """The pages to link to: the first, the last and a few around the current one;
        None where some are left out."""
        wanted = {1, self.pages, *range(self.page - around, self.page + around + 1)}
        numbers: list[int | None] = []
        for number in sorted(n for n in wanted if 1 <= n <= self.pages):
            if numbers and number - (numbers[-1] or 0) > 1:
                numbers.append(None)
            numbers.append(number)
        return numbers


def list_commitments(
    dialogue_id: int,
    *,
    theme: int | str | None = None,
    status: str | None = None,
    page: int = 1,
    per_page: int = PAGE_SIZE,
) -> CommitmentPage:
    """One page of a dialogue's commitments in document order. `theme`: a theme id of the
    dialogue, NO_THEME for those without one, None for all; `status`: one status or None.
    A page past the end gives the last page."""
    query = select(Commitment).where(Commitment.dialogue_id == dialogue_id)
    if theme == NO_THEME:
        query = query.where(Commitment.theme_id.is_(None))
    elif theme is not None:
        query = query.where(Commitment.theme_id == theme)
    if status is not None:
        query = query.where(Commitment.status == status)
    total = db.session.scalar(select(func.count()).select_from(query.subquery())) or 0
    pages = max((total + per_page - 1) // per_page, 1)
    page = min(max(page, 1), pages)
    items = db.session.scalars(
        query.options(
            joinedload(Commitment.theme),
            joinedload(Commitment.section).joinedload(DocumentSection.document),
            selectinload(Commitment.leads),
        )
        .order_by(Commitment.position, Commitment.id)
        .limit(per_page)
        .offset((page - 1) * per_page)
    ).all()
    return CommitmentPage(list(items), total, page, pages, per_page)


# --- setting commitments down and changing them ----------------------------------------

MAX_TITLE = 200  # the column's length
MAX_REFERENCE = 20  # the column's length
MAX_NOTE = 2_000
MAX_ID = 2**31 - 1  # ids are int4: a larger one is no row, and must not reach the database
MANAGERS_ONLY = "Only the secretariat and the dialogue's chair can change its commitments."
BY_HAND = "added by hand"
TERM_LABELS = {"title": "Title", "theme": "Theme", "leads": "Lead",
               "target_date": "Target date"}


class CommitmentConflict(Exception):
    """The commitment changed after the person read the copy they changed."""

    DEFAULT = ("Someone else changed this commitment after you opened it, so nothing "
               "was saved.")

    def __init__(self, message: str | None = None):
        super().__init__(message or self.DEFAULT)

    @property
    def message(self) -> str:
        return str(self)


def _words(text: str) -> str:
    return " ".join(text.split())


def next_reference(dialogue_id: int, section: DocumentSection) -> str:
    """"I.3": the section's label and the next number of the dialogue's commitments
    under that section; "2026/I.1" under a section of a later document whose label an
    earlier document of the dialogue uses too, so that no two sections share a numbering.
    References stay as given: people quote them."""
    shared = db.session.scalar(
        select(DocumentSection.id).join(SourceDocument).where(
            SourceDocument.dialogue_id == dialogue_id,
            SourceDocument.id < section.document_id,
            DocumentSection.label == section.label).limit(1))
    year = f"{section.document.issued_on.year}/" if shared is not None else ""
    prefix = f"{year}{section.label}."
    taken = set(db.session.scalars(select(Commitment.reference).where(
        Commitment.dialogue_id == dialogue_id,
        Commitment.reference.startswith(prefix, autoescape=True))))
    n = 1
    while f"{prefix}{n}" in taken:
        n += 1
    return f"{prefix}{n}"


def _renumber(dialogue_id: int) -> None:
    """Put the dialogue's commitments in the order of its documents: the document's date,
    the section's place in the document, then where the quote stands in the section.
    Only the positions that move are written, and not as an edit: their updated_at
    stays, so that nobody's open form is taken for stale."""
    sections = {
        row.id: row for row in db.session.execute(
            select(DocumentSection.id, DocumentSection.position, DocumentSection.text,
                   SourceDocument.issued_on, SourceDocument.id.label("document_id"))
            .join(SourceDocument, DocumentSection.document_id == SourceDocument.id)
            .where(DocumentSection.id.in_(select(Commitment.section_id).where(
                Commitment.dialogue_id == dialogue_id))))
    }

    def place(row) -> tuple:
        section = sections[row.section_id]
        found = section.text.find(row.quote)
        return (section.issued_on, section.document_id, section.position,
                found if found >= 0 else len(section.text), row.id)

    rows = db.session.execute(
        select(Commitment.id, Commitment.position, Commitment.section_id, Commitment.quote)
        .where(Commitment.dialogue_id == dialogue_id)).all()
    moves = [{"commitment_id": row.id, "new_position": number}
             for number, row in enumerate(sorted(rows, key=place), start=1)
             if row.position != number]
    if not moves:
        return
    table = Commitment.__table__
    db.session.execute(
        update(table).where(table.c.id == bindparam("commitment_id"))
        .values(position=bindparam("new_position"), updated_at=table.c.updated_at),
        moves)
    moved = {move["commitment_id"] for move in moves}
    for record in list(db.session.identity_map.values()):
        if isinstance(record, Commitment) and record.id in moved:
            db.session.expire(record, ["position"])


@dataclass(frozen=True)
class CommitmentTerms:
    title: str
    theme_id: int | None = None
    lead_ids: tuple[int, ...] = ()
    target_date: date | None = None


def check_terms(dialogue: Dialogue, terms: CommitmentTerms,
                document: SourceDocument | None = None) -> tuple[str, Theme | None,
                                                                list[Participant]]:
    """The rules of a commitment's terms, also those of a candidate under review."""
    errors: dict[str, str] = {}
    title = _words(terms.title)
    if not title:
        errors["title"] = "Enter a short title: what was undertaken, in a few words."
    elif len(title) > MAX_TITLE:
        errors["title"] = f"Keep the title to {MAX_TITLE} characters; the quote says the rest."
    theme = None
    if terms.theme_id is not None:
        theme = db.session.get(Theme, terms.theme_id) if 1 <= terms.theme_id <= MAX_ID \
            else None
        if theme is None or theme.dialogue_id != dialogue.id:
            errors["theme"] = "Choose one of this dialogue's themes, or none."
    seats = {m.participant_id: m.participant for m in dialogue.memberships}
    leads = []
    for lead_id in dict.fromkeys(terms.lead_ids):
        if lead_id not in seats:
            errors["leads"] = "Leads are members or observers of this dialogue."
            break
        leads.append(seats[lead_id])
    # A target before the document that sets it down can only be a slip of the keyboard.
    if terms.target_date is not None and document is not None \
            and terms.target_date < document.issued_on:
        errors["target_date"] = ("The target date cannot be before the document's own date "
                                 f"({format_date(document.issued_on)}).")
    if errors:
        raise InvalidInput(errors)
    return title, theme, leads


def _terms_of(commitment: Commitment) -> dict[str, Any]:
    return {"title": commitment.title,
            "theme": commitment.theme.label if commitment.theme else GENERAL_THEME,
            "leads": ", ".join(sorted(p.short_name for p in commitment.leads)) or "—",
            "target_date": commitment.target_date.isoformat() if commitment.target_date
            else "—"}


def _require_open(dialogue: Dialogue) -> None:
    # Imported here: the dialogues package imports this module (its pages list commitments).
    from planner.dialogues.operations import require_open

    require_open(dialogue)


def _touch(commitment: Commitment, expected_updated_at: datetime | None) -> None:
    """Mark the commitment changed now. With `expected_updated_at` (the copy the person
    changed), only if nobody changed it since: one conditional UPDATE, so that of two
    saves at the same moment only one passes, and the other is told."""
    now = utcnow()
    if expected_updated_at is None:
        commitment.updated_at = now
        return
    table = Commitment.__table__
    done = db.session.execute(
        update(table).where(table.c.id == commitment.id,
                            table.c.updated_at == expected_updated_at)
        .values(updated_at=now))
    if done.rowcount != 1:
        raise CommitmentConflict()
    set_committed_value(commitment, "updated_at", now)


def create_commitment(dialogue: Dialogue, *, section: DocumentSection | None, quote: str,
                      terms: CommitmentTerms, by: Person | None,
                      via: str = BY_HAND) -> Commitment:
    """A commitment traced to the sentence of `section` that makes it: `quote` must be
    the document's own words (whitespace aside, which is taken from the document).
    `via` says how it came ("added by hand", "accepted from the import"): its history
    tells it."""
    _require_open(dialogue)
    errors: dict[str, str] = {}
    if section is None or section.document.dialogue_id != dialogue.id:
        errors["section"] = "Choose the section of a founding document that says it."
        section = None
    wanted = _words(quote)
    exact = None
    if not wanted:
        errors["quote"] = "Quote the sentence that makes the commitment."
    elif section is not None:
        exact = find_quote(section.text, wanted)
        if exact is None:
            errors["quote"] = (f"These words are not in {section.reference}: quote the "
                               "document exactly, as it is written.")
    try:
        title, theme, leads = check_terms(
            dialogue, terms, section.document if section is not None else None)
    except InvalidInput as error:
        errors.update(error.errors)
    if errors:
        raise InvalidInput(errors)
    reference = next_reference(dialogue.id, section)
    if len(reference) > MAX_REFERENCE:
        raise InvalidInput.on("section", "This section has too many commitments to number "
                                         "another: add it under another section.")
    commitment = Commitment(
        dialogue=dialogue, section=section, reference=reference, position=0, title=title,
        quote=exact, theme=theme, leads=leads, target_date=terms.target_date,
        status=CommitmentStatus.OPEN,
    )
    db.session.add(commitment)
    db.session.flush()
    _renumber(dialogue.id)
    audit.record("commitment.created", commitment, actor=by, dialogue_id=dialogue.id,
                 summary=f"Commitment {commitment.reference} {via}: {commitment.title}",
                 details={"via": via, **_terms_of(commitment)})
    return commitment


def find_quote(text: str, words: str) -> str | None:
    """The stretch of `text` that reads `words` (whitespace may differ), or None."""
    if words in text:
        return words
    pattern = r"\s+".join(re.escape(word) for word in words.split())
    found = re.search(pattern, text)
    return found.group(0) if found else None


def update_commitment(commitment: Commitment, terms: CommitmentTerms, *,
                      by: Person | None,
                      expected_updated_at: datetime | None = None) -> Commitment:
    """Its title, theme, leads and target date; the section and the quote stay, since
    the document does. Saving what is stored already changes nothing, however old the
    form it comes from."""
    _require_open(commitment.dialogue)
    title, theme, leads = check_terms(commitment.dialogue, terms,
                                       commitment.section.document)
    before = _terms_of(commitment)
    theme_label = theme.label if theme else GENERAL_THEME
    after = {"title": title, "theme": theme_label,
             "leads": ", ".join(sorted(p.short_name for p in leads)) or "—",
             "target_date": terms.target_date.isoformat() if terms.target_date else "—"}
    changed = [k for k in after if after[k] != before[k]]
    if not changed:
        return commitment
    _touch(commitment, expected_updated_at)
    commitment.title, commitment.theme, commitment.leads = title, theme, leads
    commitment.target_date = terms.target_date
    audit.record("commitment.updated", commitment, actor=by,
                 dialogue_id=commitment.dialogue_id,
                 summary=f"Commitment {commitment.reference}: "
                         + ", ".join(TERM_LABELS[k].lower() for k in changed) + " changed",
                 details={"before": {k: before[k] for k in changed},
                          "after": {k: after[k] for k in changed}})
    return commitment


def change_status(commitment: Commitment, *, status: str, note: str,
                  by: Person | None, when: datetime | None = None,
                  expected_updated_at: datetime | None = None) -> CommitmentStatusChange:
    """A status change outside minutes (a report between meetings, a written procedure):
    with a note saying why, in the commitment's history like a meeting's decision."""
    _require_open(commitment.dialogue)
    errors: dict[str, str] = {}
    note = (note or "").strip()
    if status not in tuple(CommitmentStatus):
        errors["status"] = "Choose open, in progress, met or dropped."
    elif status == commitment.status:
        errors["status"] = f"The commitment is {commitment.status_label.lower()} already."
    if not note:
        errors["note"] = "Say why the status changes (a report, a written procedure …)."
    elif len(note) > MAX_NOTE:
        errors["note"] = f"Keep the note to {MAX_NOTE:,} characters."
    if errors:
        raise InvalidInput(errors)
    _touch(commitment, expected_updated_at)
    old, new = CommitmentStatus(commitment.status), CommitmentStatus(status)
    change = CommitmentStatusChange(
        commitment=commitment, old_status=old.value, new_status=new.value,
        changed_by=by, note=note, changed_at=when or utcnow(),
    )
    db.session.add(change)
    commitment.status = new.value
    audit.record("commitment.status_changed", commitment, actor=by,
                 dialogue_id=commitment.dialogue_id,
                 summary=f"Commitment {commitment.reference}: {old.label.lower()} → "
                         f"{new.label.lower()}: {note[:200]}",
                 details={"old_status": old.value, "new_status": new.value, "note": note})
    return change


def changes(commitment: Commitment) -> list[AuditEvent]:
    """Its set-up and edits (statuses are on the timeline from their own records)."""
    return list(db.session.scalars(
        select(AuditEvent).options(joinedload(AuditEvent.actor)).where(
            AuditEvent.entity_type == "commitment", AuditEvent.entity_id == commitment.id,
            AuditEvent.action.in_(("commitment.created", "commitment.updated")))
        .order_by(AuditEvent.id)))
