"""The tracker: what happened to a commitment meeting after meeting, and how each
dialogue's commitments stand, theme by theme (figures for a chart and a table)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import exists, func, select
from sqlalchemy.orm import joinedload, selectinload

from planner.access import can_manage, restrict_to_readable_minutes, restrict_to_visible
from planner.actions import operations as actions
from planner.extensions import db
from planner.models import (
    ActionItem,
    Agenda,
    AgendaItem,
    AgendaVersion,
    Commitment,
    CommitmentStatus,
    CommitmentStatusChange,
    Decision,
    DocumentSection,
    Meeting,
    Minutes,
    Person,
    Theme,
)

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
    kind: str  # "agenda", "decision", "status", "action"
    text: str
    detail: str = ""
    link: tuple[str, dict] | None = None  # (endpoint, values)
    status: str | None = None
    status_label: str | None = None
    anchor: str = ""


@dataclass
class Stop:
    """A meeting on the commitment's way (or a date, for a change outside meetings)."""

    meeting: Meeting | None
    when: datetime
    events: list[Event] = field(default_factory=list)


KIND_ORDER = {"agenda": 0, "decision": 1, "status": 2, "action": 3}


def timeline(commitment: Commitment, person: Person) -> list[Stop]:
    """Agenda items that reviewed it, decisions, status changes and action items, by
    meeting in date order; only what `person` may read (circulated agendas and
    readable minutes; drafts for those who write them)."""
    manages = can_manage(person, commitment.dialogue_id)
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

    changes = db.session.execute(
        select(CommitmentStatusChange, Meeting, Minutes.status)
        .outerjoin(Meeting, CommitmentStatusChange.meeting_id == Meeting.id)
        .outerjoin(Decision, CommitmentStatusChange.decision_id == Decision.id)
        .outerjoin(Minutes, Decision.minutes_id == Minutes.id)
        .where(CommitmentStatusChange.commitment_id == commitment.id)
        .order_by(CommitmentStatusChange.changed_at, CommitmentStatusChange.id)
    ).all()
    for change, meeting, minutes_status in changes:
        # The status itself is public (the dialogue page shows it); a draft's words are not.
        note = change.note if (manages or minutes_status != "draft") else ""
        old, new = CommitmentStatus(change.old_status), CommitmentStatus(change.new_status)
        stop(meeting, change.changed_at).events.append(Event(
            "status", f"{old.label} → {new.label.lower()}", detail=note,
            status=new.value, status_label=new.label,
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
