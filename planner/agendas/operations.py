"""Agenda rules: build a draft from what is still open, edit and time it, circulate it
as frozen numbered versions, and say what changed between two versions.

Views parse and check access; the rules live here. Every change either commits whole or
saves nothing: bad input raises InvalidInput (messages by field), and a change made from
a page older than the draft raises AgendaConflict (the Agenda.version_id lock)."""

from __future__ import annotations

import bisect
import difflib
import math
import threading
from collections import OrderedDict, deque
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta, tzinfo
from typing import Any, ClassVar, NamedTuple

from sqlalchemy import (
    Integer,
    Select,
    Text,
    and_,
    bindparam,
    case,
    column,
    func,
    insert,
    or_,
    select,
    update,
)
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import defer, joinedload, selectinload
from sqlalchemy.orm.attributes import set_committed_value
from sqlalchemy.orm.exc import StaleDataError

from planner import audit, signals
from planner.extensions import db
from planner.models import (
    ActionItem,
    ActionItemStatus,
    Agenda,
    AgendaItem,
    AgendaItemKind,
    AgendaVersion,
    Commitment,
    CommitmentStatus,
    CommitmentStatusChange,
    Dialogue,
    DialogueRole,
    DialogueRoleKind,
    DocumentSection,
    Meeting,
    MeetingStatus,
    Membership,
    MembershipRole,
    Participant,
    Person,
    StandingItem,
    StandingPlacement,
    Theme,
    by_due_date,
    commitment_lead,
    utcnow,
)
from planner.timefmt import format_date, format_day, format_span
from planner.validation import InvalidInput

MAX_TITLE = 300
MAX_NOTES = 2000
# A day: also keeps absurd numbers out of the integer column.
MAX_MINUTES = 24 * 60
CONTENT_FORMAT = 1

# Default time boxes of generated items, in minutes (None: no time of its own).
COMMITMENT_MINUTES = 10
ACTION_MINUTES = 5
NEXT_MEETING_MINUTES = 5

# Source keys of generated items that stand for no single record.
ACTIONS_KEY = "actions"
GENERAL_KEY = "general"
NEXT_MEETING_KEY = "next-meeting"
CLOSE_KEY = "close"

PRESENTER_ROLES = {"host": "The meeting's host", "chair": "The dialogue's chair"}

DEFAULT_STANDING_ITEMS = (
    (StandingPlacement.OPENING, "Welcome by the host", 10, "host"),
    (StandingPlacement.OPENING, "Adoption of the agenda", 5, "chair"),
    (StandingPlacement.OPENING, "Approval of the minutes of the previous meeting", 10, "chair"),
    (StandingPlacement.CLOSING, "Any other business", 10, "chair"),
)

EMPTY_TITLE = "Enter a title for the item."
LONG_TITLE = f"Keep the title to {MAX_TITLE} characters or fewer."
NEGATIVE_MINUTES = "The time box cannot be negative: enter 0 or more minutes."
LONG_MINUTES = f"Enter at most {MAX_MINUTES} minutes (a whole day)."
OUTSIDE_PRESENTER = (
    "Choose a presenter from this dialogue: a member or observer delegation, "
    "or a person with a role in it."
)
LONG_NOTES = f"Keep the notes to {MAX_NOTES} characters or fewer."


class AgendaConflict(Exception):
    """The draft changed after the person loaded the page they acted from."""

    DEFAULT = (
        "Someone else changed this agenda after you opened it, so nothing was saved. "
        "The page now shows the agenda as it is: check it and try again."
    )

    def __init__(self, message: str | None = None):
        super().__init__(message or self.DEFAULT)

    @property
    def message(self) -> str:
        return str(self)


# --- reading ----------------------------------------------------------------------------


def load_agenda(meeting_id: int) -> Agenda | None:
    """The meeting's draft with its items and what they point to, in a few queries."""
    return db.session.scalar(
        select(Agenda)
        .options(
            selectinload(Agenda.items).options(
                joinedload(AgendaItem.presenter_participant),
                joinedload(AgendaItem.presenter_person),
                joinedload(AgendaItem.commitment),
                joinedload(AgendaItem.action_item),
            )
        )
        .where(Agenda.meeting_id == meeting_id)
    )


def agenda_of(meeting_id: int) -> Agenda | None:
    """The meeting's draft, without its items."""
    return db.session.scalar(select(Agenda).where(Agenda.meeting_id == meeting_id))


def item_of(agenda: Agenda, item_id: int) -> AgendaItem | None:
    """One item of the draft, with what it points to (not the draft's other items)."""
    return db.session.scalar(
        select(AgendaItem)
        .options(joinedload(AgendaItem.presenter_participant),
                 joinedload(AgendaItem.presenter_person),
                 joinedload(AgendaItem.commitment),
                 joinedload(AgendaItem.action_item))
        .where(AgendaItem.id == item_id, AgendaItem.agenda_id == agenda.id)
    )


def versions_of(agenda_id: int) -> list[AgendaVersion]:
    """Every circulated version, v1 first; each one's content is read when asked for (a
    version of thousands of items is megabytes of JSON)."""
    return list(
        db.session.scalars(
            select(AgendaVersion)
            .options(defer(AgendaVersion.content), joinedload(AgendaVersion.circulated_by))
            .where(AgendaVersion.agenda_id == agenda_id)
            .order_by(AgendaVersion.number)
        )
    )


def circulated_versions(meeting_id: int) -> list[AgendaVersion]:
    """Every circulated version of the meeting's agenda, v1 first (contents read when
    asked for)."""
    return list(
        db.session.scalars(
            select(AgendaVersion)
            .options(defer(AgendaVersion.content))
            .join(Agenda)
            .where(Agenda.meeting_id == meeting_id)
            .order_by(AgendaVersion.number)
        )
    )


def all_items(agenda: Agenda) -> list[AgendaItem]:
    return sorted(agenda.items, key=lambda item: (item.position, item.id or 0))


def active_items(agenda: Agenda) -> list[AgendaItem]:
    return [item for item in all_items(agenda) if not item.dismissed]


_COMMITMENT, _ACTION_REVIEW = AgendaItemKind.COMMITMENT.value, AgendaItemKind.ACTION_REVIEW.value


def is_sub_item(item: AgendaItem) -> bool:
    """A commitment under its theme, an action under the review: numbered 3.1, 3.2."""
    kind = item.kind  # (plain strings: thousands of items are numbered per page)
    return kind == _COMMITMENT or (kind == _ACTION_REVIEW and item.source_key != ACTIONS_KEY)


# --- timing -----------------------------------------------------------------------------


@dataclass(slots=True)
class Slot:
    item: AgendaItem  # or a row of its columns (see `outline`)
    number: str
    level: int
    start_minute: int  # minutes after the meeting starts
    end_minute: int
    meeting_starts_at: datetime  # an instant (UTC)
    zone: tzinfo  # the venue's
    overruns: bool  # ends after the meeting does
    folded: ClassVar[bool] = False

    # In the venue's zone, worked out when read: a draft can have thousands of slots
    # and a page shows a few dozen. Minutes are added to the instant, then shown in the
    # venue's zone, so that a time box over a daylight-saving change still ends at the
    # right wall-clock time.
    @property
    def starts(self) -> datetime:
        return (self.meeting_starts_at + timedelta(minutes=self.start_minute)).astimezone(
            self.zone)

    @property
    def ends(self) -> datetime:
        return (self.meeting_starts_at + timedelta(minutes=self.end_minute)).astimezone(
            self.zone)


@dataclass(frozen=True)
class Schedule:
    slots: list[Slot]
    starts: datetime
    ends: datetime  # when the last item ends, in the venue's zone
    meeting_ends: datetime
    numbered: list[int]  # where each numbered item is in `slots` (the items under it follow)

    @property
    def total_minutes(self) -> int:
        return round((self.ends - self.starts).total_seconds() / 60)

    @property
    def overrun_minutes(self) -> int:
        return max(0, math.ceil((self.ends - self.meeting_ends).total_seconds() / 60))


def _numbered(items: Iterable[Any]) -> Iterator[tuple[Any, int, int, int, int]]:
    """Each item with its number (3, 0 for "3"; 3, 1 for "3.1") and the minutes from
    the meeting's start at which it starts and ends."""
    minute = major = minor = 0
    for item in items:
        if major and is_sub_item(item):
            minor += 1
        else:
            major, minor = major + 1, 0
        end = minute + (item.duration_minutes or 0)
        yield item, major, minor, minute, end
        minute = end


def _slot(item: Any, major: int, minor: int, start: int, end: int, meeting: Meeting,
          meeting_minutes: float) -> Slot:
    number, level = (f"{major}.{minor}", 2) if minor else (str(major), 1)
    return Slot(item, number, level, start, end, meeting.starts_at, meeting.zone,
                end > meeting_minutes)


def schedule(meeting: Meeting, items: Sequence[AgendaItem]) -> Schedule:
    """Numbers and start times, item after item from the meeting's start (`items`:
    objects, or rows with their kind, source key and time box)."""
    meeting_minutes = (meeting.ends_at - meeting.starts_at).total_seconds() / 60
    slots = [_slot(*numbered, meeting, meeting_minutes) for numbered in _numbered(items)]
    ends = meeting.starts_at + timedelta(minutes=slots[-1].end_minute if slots else 0)
    return Schedule(
        slots=slots,
        starts=meeting.local_start,
        ends=ends.astimezone(meeting.zone),
        meeting_ends=meeting.local_end,
        numbered=[n for n, slot in enumerate(slots) if slot.level == 1],
    )


# --- the draft as a page: every item numbered and timed, a few dozen shown ---------------

# A section with more items under it than this shows them this many at a time: a first
# build for a busy dialogue can put thousands of action items under the review.
SHOWN_AT_ONCE = 20


class OutlineRow(NamedTuple):
    """An item of the draft as the columns that number, time and order it."""

    id: int
    kind: str
    source_key: str | None
    title: str
    duration_minutes: int | None
    dismissed: bool
    position: int


def outline(agenda_id: int) -> list[OutlineRow]:
    """Every item of the draft as a row of the columns that number and time it, in
    order: thousands of rows cost little; thousands of objects would not."""
    kept = _read_outline(agenda_id)
    return kept.rows if kept is not None else []


# The outlines of the drafts read last, per process. Every edit of one item moves the
# draft's version (`_lock_draft`) and marks the items it writes with the new version
# (`edited_version`): a kept outline behind the draft catches up by reading those items
# only, however many edits the other workers made. A build sets the draft's time anew
# (and a draft deleted and built again may get the same id): an outline of another build
# is read again whole.
KEPT_OUTLINES = 8
_outlines: OrderedDict[int, KeptOutline] = OrderedDict()
_outlines_lock = threading.Lock()


class KeptOutline:
    """A draft's outline as of a version; its schedule worked out when first asked for."""

    def __init__(self, built_at: datetime | None, version: int, rows: list[OutlineRow]):
        self.built_at, self.version, self.rows = built_at, version, rows
        self._plan: tuple[tuple[Any, ...], Schedule] | None = None

    def plan(self, meeting: Meeting) -> Schedule:
        """The items not removed, numbered and timed from the meeting's times."""
        key = (meeting.starts_at, meeting.ends_at, meeting.timezone)
        kept = self._plan
        if kept is None or kept[0] != key:
            kept = key, schedule(meeting, [row for row in self.rows if not row.dismissed])
            self._plan = kept
        return kept[1]

    def planned(self, meeting: Meeting) -> Schedule | None:
        kept = self._plan
        return kept[1] if kept is not None and kept[0] == (
            meeting.starts_at, meeting.ends_at, meeting.timezone) else None


def _read_outline(agenda_id: int, since: int | None = None) -> KeptOutline | None:
    """The draft's version and build time with its items in order, or only the items an
    edit wrote after version `since`; in one statement, so that all of it is as of one
    moment (on PostgreSQL too). None when the draft is gone."""
    agenda, item = Agenda.__table__, AgendaItem.__table__
    joined = item.c.agenda_id == agenda.c.id
    if since is not None:
        joined = and_(joined, item.c.edited_version > since)
    query = (select(agenda.c.version_id, agenda.c.built_at,
                    *(item.c[name] for name in OutlineRow._fields))
             .select_from(agenda.outerjoin(item, joined)).where(agenda.c.id == agenda_id))
    if since is None:
        query = query.order_by(item.c.position, item.c.id)
    found = db.session.execute(query).all()
    if not found:
        return None
    rows = [OutlineRow(*row[2:]) for row in found if row[2] is not None]
    return KeptOutline(found[0][1], found[0][0], rows)


def _order(row: OutlineRow) -> tuple[int, int]:
    return row.position, row.id


def _caught_up(kept: KeptOutline, edited: KeptOutline) -> KeptOutline:
    """`kept` with the items edited since (each put in its place), as of `edited`'s
    version."""
    changed = {row.id: row for row in edited.rows}
    if not changed:
        return KeptOutline(kept.built_at, edited.version, kept.rows)
    if len(changed) > WIDEST:
        rows = [changed.pop(row.id, row) for row in kept.rows]
        rows.extend(changed.values())  # added since
        rows.sort(key=_order)
    else:
        rows = [row for row in kept.rows if row.id not in changed]
        for row in changed.values():
            bisect.insort(rows, row, key=_order)
    return KeptOutline(kept.built_at, edited.version, rows)


def _outline_of(agenda: Agenda, *, under_lock_at: int | None = None) -> KeptOutline:
    """The draft's outline as of the version the request read, or a later one: kept,
    caught up, or read whole; and kept. Under the draft's lock, `under_lock_at` is the
    version the lock moved on from, which the items still are."""
    wanted = agenda.version_id if under_lock_at is None else under_lock_at
    with _outlines_lock:
        kept = _outlines.get(agenda.id)
        if kept is not None:
            _outlines.move_to_end(agenda.id)
    if kept is not None and kept.built_at == agenda.built_at and kept.version >= wanted:
        return kept
    fresh = None
    if kept is not None and kept.built_at == agenda.built_at:
        edited = _read_outline(agenda.id, since=kept.version)
        if edited is not None and edited.built_at == kept.built_at:
            fresh = _caught_up(kept, edited)
    if fresh is None:
        fresh = _read_outline(agenda.id) or KeptOutline(agenda.built_at, wanted, [])
    if under_lock_at is not None:
        # Read inside the edit: the version it reads is the edit's own, not committed.
        fresh.version = under_lock_at
    with _outlines_lock:
        current = _outlines.get(agenda.id)
        if current is None or current.built_at != fresh.built_at or current.version < fresh.version:
            _outlines[agenda.id] = fresh
            _outlines.move_to_end(agenda.id)
        while len(_outlines) > KEPT_OUTLINES:
            _outlines.popitem(last=False)
    return fresh


def slot_of(agenda: Agenda, item_id: int) -> Slot | None:
    """One item's number and times (None when it is removed): from the kept schedule,
    else in one pass over the outline up to the item, without timing every item."""
    kept = _outline_of(agenda)
    meeting = agenda.meeting
    plan = kept.planned(meeting)
    if plan is not None:
        return next((slot for slot in plan.slots if slot.item.id == item_id), None)
    active = [row for row in kept.rows if not row.dismissed]
    at = next((n for n, row in enumerate(active) if row.id == item_id), None)
    if at is None:
        return None
    (numbered,) = deque(_numbered(active[:at + 1]), maxlen=1)  # the last one's
    return _slot(*numbered, meeting, (meeting.ends_at - meeting.starts_at).total_seconds() / 60)


def forget_outlines() -> None:
    """For tests that count what a worker keeping no outline reads."""
    with _outlines_lock:
        _outlines.clear()


def draft_outline(agenda: Agenda) -> tuple[list[OutlineRow], Schedule]:
    """The draft's `outline` (removed items too), and its items not removed numbered and
    timed: kept, caught up, or read now, and kept."""
    kept = _outline_of(agenda)
    return kept.rows, kept.plan(agenda.meeting)


@dataclass(frozen=True)
class Folded:
    """Items of a long section not shown, and the run of them to show next."""

    count: int
    first: str  # their numbers, "3.51" to "3.5000"
    last: str
    show_id: int  # the first item of that run
    show_first: str
    show_last: str
    folded: ClassVar[bool] = True


def fold(plan: Schedule, show_id: int | None = None) -> list[Slot | Folded]:
    """The slots a page shows: every numbered item, and of the items under each, all
    of them or, past SHOWN_AT_ONCE, one run of that many (the run that holds `show_id`,
    else the first), with what is folded away before and after it."""
    slots, rows = plan.slots, []
    for index, end in zip(plan.numbered, [*plan.numbered[1:], len(slots)], strict=True):
        rows.append(slots[index])
        under = slots[index + 1:end]
        if len(under) <= SHOWN_AT_ONCE:
            rows += under
            continue
        ids = [slot.item.id for slot in under] if show_id is not None else []
        at = ids.index(show_id) if show_id in ids else 0
        start = at - at % SHOWN_AT_ONCE
        stop = start + SHOWN_AT_ONCE
        if start:
            rows.append(_folded(under[:start], under[start - SHOWN_AT_ONCE:start]))
        rows += under[start:stop]
        if stop < len(under):
            rows.append(_folded(under[stop:], under[stop:stop + SHOWN_AT_ONCE]))
    return rows


def _folded(hidden: Sequence[Slot], run: Sequence[Slot]) -> Folded:
    return Folded(count=len(hidden), first=hidden[0].number, last=hidden[-1].number,
                  show_id=run[0].item.id, show_first=run[0].number, show_last=run[-1].number)


@dataclass(frozen=True, slots=True)
class ShownItem:
    """An item shown on the draft page, read as columns: what its row says."""

    id: int
    title: str
    reason: str
    notes: str
    duration_minutes: int | None
    presenter: str | None
    # What it reviews (a commitment, an action item) was closed after the build: the
    # chair may drop it.
    no_longer_open: bool


def _shown_items() -> Select[Any]:
    commitment_open = Commitment.status.in_(CommitmentStatus.still_open())
    action_open = ActionItem.status.in_(ActionItemStatus.still_open())
    return (
        select(AgendaItem.id, AgendaItem.title, AgendaItem.reason, AgendaItem.notes,
               AgendaItem.duration_minutes,
               # The presenter as presenter_name() says: the delegation, else the person.
               func.coalesce(Participant.name, Person.name),
               case((Commitment.id.is_not(None), ~commitment_open),
                    (ActionItem.id.is_not(None), ~action_open), else_=False))
        .outerjoin(Participant, Participant.id == AgendaItem.presenter_participant_id)
        .outerjoin(Person, Person.id == AgendaItem.presenter_person_id)
        .outerjoin(Commitment, Commitment.id == AgendaItem.commitment_id)
        .outerjoin(ActionItem, ActionItem.id == AgendaItem.action_item_id)
        .where(AgendaItem.id.in_(bindparam("ids", expanding=True)))
    )


_SHOWN_ITEMS = _shown_items()


def with_items(rows: list[Slot | Folded]) -> list[Slot | Folded]:
    """The shown slots with their items, and what those point to, in one query of
    columns (no models: a run of a long draft shows some 130 items)."""
    ids = [row.item.id for row in rows if not row.folded]
    items = {row[0]: ShownItem(*row[:6], bool(row[6]))
             for row in db.session.execute(_SHOWN_ITEMS, {"ids": ids})} if ids else {}
    return [row if row.folded else replace(row, item=items[row.item.id]) for row in rows]


def dismissed_items(agenda_id: int) -> list[AgendaItem]:
    """The items removed from the draft, where they were."""
    return list(db.session.scalars(
        select(AgendaItem)
        .where(AgendaItem.agenda_id == agenda_id, AgendaItem.dismissed.is_(True))
        .order_by(AgendaItem.position, AgendaItem.id)
    ))


# --- presenters -------------------------------------------------------------------------


def presenter_choices(dialogue_id: int) -> list[tuple[str, str, str | None]]:
    """(value, label, group): the delegations with a seat in the dialogue, then the
    people with a role in it."""
    memberships = db.session.execute(
        select(Membership.participant_id, Participant.name, Membership.role)
        .join(Participant, Participant.id == Membership.participant_id)
        .where(Membership.dialogue_id == dialogue_id)
        .order_by(Membership.role, Participant.name)
    ).all()
    people = db.session.execute(
        select(Person.id, Person.name, DialogueRole.role)
        .join(DialogueRole, DialogueRole.person_id == Person.id)
        .where(DialogueRole.dialogue_id == dialogue_id, Person.active.is_(True))
        .order_by(Person.name, Person.id)
    ).all()
    choices: list[tuple[str, str, str | None]] = [("", "No presenter", None)]
    for participant_id, name, role in memberships:
        suffix = " (observer)" if role == MembershipRole.OBSERVER else ""
        choices.append((f"participant:{participant_id}", f"{name}{suffix}", "Delegations"))
    for person_id, name, role in people:
        choices.append((f"person:{person_id}", f"{name} ({role})", "People"))
    return choices


def presenter_value(item: AgendaItem | None) -> str:
    if item is None:
        return ""
    if item.presenter_participant_id:
        return f"participant:{item.presenter_participant_id}"
    if item.presenter_person_id:
        return f"person:{item.presenter_person_id}"
    return ""


def presenter_name(item: AgendaItem) -> str | None:
    if item.presenter_participant is not None:
        return item.presenter_participant.name
    if item.presenter_person is not None:
        return item.presenter_person.name
    return None


def resolve_presenter(dialogue_id: int, value: str | None) -> tuple[int | None, int | None]:
    """("participant:3" or "person:7" or "") → (participant id, person id), refusing
    anyone who holds no seat or role in this dialogue."""
    value = (value or "").strip()
    if not value:
        return None, None
    kind, _, raw = value.partition(":")
    if raw.isdigit():
        ident = int(raw)
        if kind == "participant" and db.session.scalar(
            select(Membership.id).where(
                Membership.dialogue_id == dialogue_id, Membership.participant_id == ident
            )
        ):
            return ident, None
        if kind == "person" and db.session.scalar(
            select(DialogueRole.id)
            .join(Person, Person.id == DialogueRole.person_id)
            .where(
                DialogueRole.dialogue_id == dialogue_id,
                DialogueRole.person_id == ident,
                Person.active.is_(True),
            )
        ):
            return None, ident
    raise InvalidInput.on("presenter", OUTSIDE_PRESENTER)


# --- checking input ---------------------------------------------------------------------


def _title(value: str | None, errors: dict[str, str], field: str = "title") -> str:
    title = " ".join((value or "").split())
    if not title:
        errors[field] = EMPTY_TITLE
    elif len(title) > MAX_TITLE:
        errors[field] = LONG_TITLE
    return title


def _minutes(value: int | None, errors: dict[str, str], field: str = "duration_minutes"):
    if value is None:
        return None
    if value < 0:
        errors[field] = NEGATIVE_MINUTES
    elif value > MAX_MINUTES:
        errors[field] = LONG_MINUTES
    return value


def _notes(value: str | None, errors: dict[str, str]) -> str:
    notes = (value or "").strip()
    if len(notes) > MAX_NOTES:
        errors["notes"] = LONG_NOTES
    return notes


def _presenter(dialogue_id: int, value: str | None, errors: dict[str, str]):
    try:
        return resolve_presenter(dialogue_id, value)
    except InvalidInput as error:
        errors.update(error.errors)
        return None, None


# --- the lock ---------------------------------------------------------------------------


def _expect(agenda: Agenda, expected_version: int | None) -> None:
    """A page acted from carries the draft's version_id; an older one is refused."""
    if expected_version is not None and expected_version != agenda.version_id:
        raise AgendaConflict()


def _touch(agenda: Agenda, *, unique_clash_is_conflict: bool = False) -> None:
    """Write the change now, with the draft's row: its UPDATE checks and moves the
    version_id, so a save that lost the race to another one stops here."""
    agenda.updated_at = utcnow()
    _saving(db.session.flush, unique_clash_is_conflict)


def _commit(*, unique_clash_is_conflict: bool = False) -> None:
    _saving(db.session.commit, unique_clash_is_conflict)


def _saving(write, unique_clash_is_conflict: bool) -> None:
    try:
        write()
    except StaleDataError as error:
        db.session.rollback()
        raise AgendaConflict() from error
    except IntegrityError as error:
        db.session.rollback()
        # Two people building or circulating at the same moment collide on a unique key.
        if unique_clash_is_conflict:
            raise AgendaConflict(
                "Someone else changed this agenda at the same moment, so nothing was saved. "
                "The page now shows the agenda as it is: check it and try again."
            ) from error
        raise


def _renumber(ordered: Iterable[AgendaItem]) -> None:
    for position, item in enumerate(ordered, start=1):
        if item.position != position:
            item.position = position


def local_today(meeting: Meeting) -> date:
    return utcnow().astimezone(meeting.zone).date()


# --- building ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Planned:
    """One item the build would generate, with what it stands for."""

    key: str
    kind: str
    title: str
    reason: str = ""
    duration_minutes: int | None = None
    presenter_participant_id: int | None = None
    presenter_person_id: int | None = None
    commitment_id: int | None = None
    action_item_id: int | None = None
    theme_id: int | None = None


def meeting_label(meeting: Meeting) -> str:
    """'the Amsterdam meeting', as people refer to a past meeting."""
    if meeting.city:
        return f"the {meeting.city} meeting"
    return f"the meeting of {format_date(meeting.local_start.date())}"


def plan_agenda(meeting: Meeting, today: date) -> list[Planned]:
    """What the agenda holds today, in order. Deterministic: the same records and the
    same day give the same plan."""
    dialogue_id = meeting.dialogue_id
    meetings = db.session.scalars(
        select(Meeting).where(Meeting.dialogue_id == dialogue_id)
        .order_by(Meeting.starts_at, Meeting.id)
    ).all()
    by_id = {m.id: m for m in meetings}
    earlier = [m for m in meetings if m.starts_at < meeting.starts_at and m.id != meeting.id]
    previous = next((m for m in reversed(earlier) if m.status != MeetingStatus.CANCELLED), None)
    following = next(
        (m for m in meetings
         if m.starts_at > meeting.starts_at and m.status != MeetingStatus.CANCELLED),
        None,
    )
    standing = db.session.scalars(
        select(StandingItem).where(StandingItem.dialogue_id == dialogue_id)
        .order_by(StandingItem.position, StandingItem.id)
    ).all()
    chair_id = db.session.scalar(
        select(DialogueRole.person_id)
        .where(DialogueRole.dialogue_id == dialogue_id, DialogueRole.role == DialogueRoleKind.CHAIR)
        .order_by(DialogueRole.id)
        .limit(1)
    )

    plan = [
        _standing(item, meeting, chair_id)
        for item in standing if item.placement == StandingPlacement.OPENING
    ]
    plan += _action_review(meeting, [m.id for m in earlier], by_id, today)
    plan += _commitment_sections(meeting, previous, by_id, today)
    plan += [
        _standing(item, meeting, chair_id)
        for item in standing if item.placement == StandingPlacement.CLOSING
    ]
    plan.append(_next_meeting(following))
    plan.append(Planned(CLOSE_KEY, AgendaItemKind.CLOSE, "Close of the meeting"))
    return plan


def _standing(item: StandingItem, meeting: Meeting, chair_id: int | None) -> Planned:
    participant_id = meeting.host_participant_id if item.presenter_role == "host" else None
    person_id = chair_id if item.presenter_role == "chair" else None
    return Planned(
        key=f"standing:{item.id}",
        kind=AgendaItemKind.STANDING,
        title=item.title,
        reason=f"standing {item.placement} item of the dialogue",
        duration_minutes=item.duration_minutes,
        presenter_participant_id=participant_id,
        presenter_person_id=person_id,
    )


def _action_review(
    meeting: Meeting, earlier_ids: list[int], by_id: dict[int, Meeting], today: date
) -> list[Planned]:
    # Plain rows, not objects: a dialogue can have thousands of open action items.
    # Overdue first, the longest overdue at the top; then by due date; undated last:
    # that is, by due date, as every overdue date is earlier than every other one.
    actions = db.session.execute(
        select(ActionItem.id, ActionItem.title, ActionItem.status, ActionItem.due_on,
               ActionItem.meeting_id, ActionItem.owner_participant_id)
        .where(
            ActionItem.dialogue_id == meeting.dialogue_id,
            ActionItem.status.in_(ActionItemStatus.still_open()),
            or_(ActionItem.meeting_id.is_(None), ActionItem.meeting_id.in_(earlier_ids)),
        )
        .order_by(*by_due_date())
    ).all()
    if not actions:
        return []
    plan = [
        Planned(
            key=ACTIONS_KEY,
            kind=AgendaItemKind.ACTION_REVIEW,
            title="Review of open action items",
            reason="action items still open from earlier meetings, overdue ones first",
        )
    ]
    origins = {ident: f"action item from {meeting_label(m)}" for ident, m in by_id.items()}
    for action in actions:
        reason = origins.get(action.meeting_id, "action item")
        if action.status == ActionItemStatus.IN_PROGRESS:
            reason += ", in progress"
        if action.due_on and action.due_on < today:
            reason += f", overdue since {format_date(action.due_on)}"
        elif action.due_on:
            reason += f", due {format_date(action.due_on)}"
        else:
            reason += ", no due date"
        plan.append(
            Planned(
                key=f"action:{action.id}",
                kind=AgendaItemKind.ACTION_REVIEW,
                title=action.title,
                reason=reason,
                duration_minutes=ACTION_MINUTES,
                presenter_participant_id=action.owner_participant_id,
                action_item_id=action.id,
            )
        )
    return plan


def _commitment_sections(
    meeting: Meeting, previous: Meeting | None, by_id: dict[int, Meeting], today: date
) -> list[Planned]:
    still_open = (
        Commitment.dialogue_id == meeting.dialogue_id,
        Commitment.status.in_(CommitmentStatus.still_open()),
    )
    # Plain rows, not objects: a dialogue can have thousands of open commitments.
    commitments = db.session.execute(
        select(Commitment.id, Commitment.theme_id, Commitment.status, Commitment.reference,
               Commitment.title, Commitment.target_date, DocumentSection.label.label("section"))
        .join(DocumentSection, DocumentSection.id == Commitment.section_id)
        .where(*still_open)
        .order_by(Commitment.position, Commitment.id)
    ).all()
    if not commitments:
        return []
    themes = db.session.scalars(
        select(Theme).where(Theme.dialogue_id == meeting.dialogue_id)
        .order_by(Theme.position, Theme.id)
    ).all()
    members = set(
        db.session.scalars(
            select(Membership.participant_id).where(Membership.dialogue_id == meeting.dialogue_id)
        )
    )
    leads: dict[int, list[int]] = {}
    for commitment_id, participant_id in db.session.execute(
        select(commitment_lead.c.commitment_id, commitment_lead.c.participant_id)
        .join(Commitment, Commitment.id == commitment_lead.c.commitment_id)
        .where(*still_open)
    ):
        if participant_id in members:
            leads.setdefault(commitment_id, []).append(participant_id)
    moves: dict[int, list[str]] = {}
    if previous is not None:
        # "Since the last meeting" includes what the last meeting itself decided.
        changes = db.session.execute(
            select(CommitmentStatusChange.commitment_id, CommitmentStatusChange.meeting_id,
                   CommitmentStatusChange.changed_at, CommitmentStatusChange.old_status,
                   CommitmentStatusChange.new_status)
            .join(Commitment, Commitment.id == CommitmentStatusChange.commitment_id)
            .where(
                *still_open,
                CommitmentStatusChange.changed_at >= previous.starts_at,
                CommitmentStatusChange.changed_at < meeting.starts_at,
            )
            .order_by(CommitmentStatusChange.changed_at, CommitmentStatusChange.id)
        ).all()
        for change in changes:
            where = (
                f"at {meeting_label(by_id[change.meeting_id])}"
                if change.meeting_id in by_id
                else f"on {format_date(change.changed_at.date())}"
            )
            moves.setdefault(change.commitment_id, []).append(
                f"{CommitmentStatus(change.old_status).label.lower()} → "
                f"{CommitmentStatus(change.new_status).label.lower()} {where}"
            )

    by_theme: dict[int | None, list[Any]] = {}
    for commitment in commitments:
        by_theme.setdefault(commitment.theme_id, []).append(commitment)
    sections: list[tuple[str, str, int | None, list[Any]]] = [
        (f"theme:{theme.id}", theme.label, theme.id, by_theme[theme.id])
        for theme in themes if theme.id in by_theme
    ]
    if None in by_theme:
        sections.append((GENERAL_KEY, "General", None, by_theme[None]))

    plan = []
    for key, title, theme_id, under in sections:
        count = f"{len(under)} commitment{'s' if len(under) != 1 else ''}"
        plan.append(
            Planned(
                key=key,
                kind=AgendaItemKind.THEME,
                title=title,
                reason=(f"{count} still open or in progress" if theme_id else
                        f"{count} without a theme, still open or in progress"),
                theme_id=theme_id,
            )
        )
        for commitment in under:
            plan.append(_commitment(commitment, moves.get(commitment.id, []),
                                    leads.get(commitment.id, []), today))
    return plan


def _commitment(commitment: Any, moves: list[str], leads: list[int], today: date) -> Planned:
    """`commitment`: a row of the commitment's columns and its section's label;
    `leads`: its leads with a seat in the dialogue."""
    if commitment.status == CommitmentStatus.OPEN:
        reason = f"open commitment {commitment.reference}"
    else:
        reason = f"commitment {commitment.reference} in progress"
    reason += f", section {commitment.section}"
    if commitment.target_date:
        passed = " (passed)" if commitment.target_date < today else ""
        reason += f", target date {format_date(commitment.target_date)}{passed}"
    if moves:
        reason += "; since the last meeting: " + "; ".join(moves)
    return Planned(
        key=f"commitment:{commitment.id}",
        kind=AgendaItemKind.COMMITMENT,
        title=commitment.title,
        reason=reason,
        duration_minutes=COMMITMENT_MINUTES,
        # One lead presents its own commitment; several leads: the chair decides.
        presenter_participant_id=leads[0] if len(leads) == 1 else None,
        commitment_id=commitment.id,
        theme_id=commitment.theme_id,
    )


def _next_meeting(following: Meeting | None) -> Planned:
    if following is None:
        reason = "no later meeting is scheduled yet"
    else:
        place = following.place or "place to be confirmed"
        reason = (
            f"next in the series: {format_day(following.local_start)}, {place} "
            f"({following.status_label.lower()})"
        )
    return Planned(
        NEXT_MEETING_KEY, AgendaItemKind.NEXT_MEETING, "Date and venue of the next meeting",
        reason=reason, duration_minutes=NEXT_MEETING_MINUTES,
    )


class AddedItems(Sequence[AgendaItem]):
    """The items a build added, in the order of the plan. A first build adds thousands
    that most callers only count: counting costs nothing, and the items themselves are
    loaded, in one query, only when someone looks at them."""

    def __init__(self, agenda_id: int, keys: list[str]):
        self.agenda_id = agenda_id
        self.keys = keys
        self._items: list[AgendaItem] | None = None

    def __len__(self) -> int:
        return len(self.keys)

    def __getitem__(self, index):
        return self._loaded()[index]

    def __iter__(self):
        return iter(self._loaded())

    def __eq__(self, other: object) -> bool:
        if isinstance(other, AddedItems | list | tuple):
            return list(self) == list(other)
        return NotImplemented

    __hash__ = None  # compared by value, like a list

    def __repr__(self) -> str:
        return f"AddedItems({self.keys!r})"

    def _loaded(self) -> list[AgendaItem]:
        if self._items is None:
            found = {
                item.source_key: item
                for item in db.session.scalars(
                    select(AgendaItem).where(AgendaItem.agenda_id == self.agenda_id,
                                             AgendaItem.source_key.in_(self.keys))
                )
            } if self.keys else {}
            self._items = [found[key] for key in self.keys if key in found]
        return self._items


@dataclass(frozen=True)
class BuildResult:
    agenda: Agenda
    added: Sequence[AgendaItem]
    created: bool


def build_agenda(
    meeting: Meeting, *, actor: Person | None = None, today: date | None = None
) -> BuildResult:
    """Build the draft, or build again: keep every item already there as the chair left
    it (title, order, time box, presenter, removed or not), refresh only the reasons,
    and put each new item after the one it follows in the plan.

    A dialogue can have thousands of open commitments and action items, so the items
    are read as plain rows and written in bulk, not one object at a time."""
    if meeting.status == MeetingStatus.CANCELLED:
        raise InvalidInput.on("agenda", "This meeting is cancelled, so it needs no agenda.")
    plan = plan_agenda(meeting, today or local_today(meeting))
    agenda = db.session.scalar(select(Agenda).where(Agenda.meeting_id == meeting.id))
    created = agenda is None
    on_agenda = []  # the items already there, in the chair's order
    if agenda is None:
        agenda = Agenda(meeting=meeting)
        db.session.add(agenda)
    else:
        on_agenda = db.session.execute(
            select(AgendaItem.id, AgendaItem.source_key, AgendaItem.position, AgendaItem.reason)
            .where(AgendaItem.agenda_id == agenda.id)
            .order_by(AgendaItem.position, AgendaItem.id)
        ).all()
    existing = {item.source_key: item for item in on_agenda if item.source_key}

    # A new item goes right after the last planned item already on the agenda (after
    # the new ones before it that follow the same item), or first if there is none yet.
    following: dict[int | None, list[Planned]] = {}
    last_kept: int | None = None
    new_reasons: dict[int, str] = {}
    added: list[Planned] = []
    for planned in plan:
        item = existing.get(planned.key)
        if item is None:
            following.setdefault(last_kept, []).append(planned)
            added.append(planned)
        else:
            last_kept = item.id
            if item.reason != planned.reason:
                new_reasons[item.id] = planned.reason
    ordered: list[Any] = list(following.get(None, []))
    for item in on_agenda:
        ordered.append(item)
        ordered += following.get(item.id, [])

    agenda.built_at = utcnow()
    # The draft's row first: it checks and moves the version, and so holds the lock
    # (or raises the conflict) before any item is written.
    _touch(agenda, unique_clash_is_conflict=True)
    new_items, changed = [], []
    for position, entry in enumerate(ordered, start=1):
        if isinstance(entry, Planned):
            new_items.append(_new_item(entry, agenda.id, position))
        elif entry.position != position or entry.id in new_reasons:
            changed.append({"item_id": entry.id, "new_position": position,
                            "new_reason": new_reasons.get(entry.id, entry.reason)})
    _saving(lambda: _write_items(new_items, changed), unique_clash_is_conflict=True)
    # Written past the session: a collection of items loaded before would be stale.
    db.session.expire(agenda, ["items"])
    audit.record(
        "agenda.built",
        agenda,
        summary=("Agenda built" if created else "Agenda built again")
        + f": {len(added)} new item{'s' if len(added) != 1 else ''}",
        details={"added": [planned.key for planned in added]},
        dialogue_id=meeting.dialogue_id,
        actor=actor,
    )
    _commit(unique_clash_is_conflict=True)
    return BuildResult(agenda=agenda, added=AddedItems(agenda.id, [p.key for p in added]),
                       created=created)


def _new_item(planned: Planned, agenda_id: int, position: int) -> dict[str, Any]:
    return {
        "agenda_id": agenda_id,
        "position": position,
        "kind": planned.kind,
        "title": planned.title,
        "reason": planned.reason,
        "duration_minutes": planned.duration_minutes,
        "presenter_participant_id": planned.presenter_participant_id,
        "presenter_person_id": planned.presenter_person_id,
        "commitment_id": planned.commitment_id,
        "action_item_id": planned.action_item_id,
        "theme_id": planned.theme_id,
        "source_key": planned.key,
        "dismissed": False,
        "notes": "",
    }


def _write_items(new_items: list[dict[str, Any]], changed: list[dict[str, Any]]) -> None:
    """One INSERT for the new items and one UPDATE for those moved or with a new reason,
    in Core: the ORM's bookkeeping per row would cost more than the writing.

    SQLite takes the rows as an executemany, in-process. PostgreSQL would run an
    executemany as one statement per row (some 300 ms for a first build of 7,000
    items), so there the rows travel as one JSON parameter that the server unpacks."""
    table = AgendaItem.__table__
    if db.session.connection().dialect.name == "postgresql":
        if new_items:
            names = list(new_items[0])
            rows = _json_rows(new_items, {name: table.c[name].type for name in names})
            db.session.execute(insert(table).from_select(names, select(rows)))
        if changed:
            rows = _json_rows(changed, {"item_id": Integer(), "new_position": Integer(),
                                        "new_reason": Text()})
            db.session.execute(
                update(table).where(table.c.id == rows.c.item_id)
                .values(position=rows.c.new_position, reason=rows.c.new_reason)
            )
        return
    if new_items:
        db.session.execute(insert(table), new_items)
    if changed:
        db.session.execute(
            update(table).where(table.c.id == bindparam("item_id"))
            .values(position=bindparam("new_position"), reason=bindparam("new_reason")),
            changed,
        )


def _json_rows(rows: list[dict[str, Any]], columns: dict[str, Any]):
    """PostgreSQL: `rows` as a table to select from, sent as a single JSONB parameter."""
    return (
        func.jsonb_to_recordset(bindparam("rows", rows, type_=JSONB))
        .table_valued(*[column(name, type_) for name, type_ in columns.items()])
        .render_derived(with_types=True)
    )


# --- editing the draft ------------------------------------------------------------------


def default_insertion_point(agenda: Agenda, items: Sequence[Any] | None = None) -> Any:
    """The item a new one goes after unless the chair says: the last before the closing
    run (closing standing items such as any other business, the next meeting, close).
    `items`: the draft's items not removed, in order, as objects or rows (the draft's
    outline by default)."""
    if items is None:
        items = [slot.item for slot in draft_outline(agenda)[1].slots]
    closing_standing = {
        f"standing:{ident}"
        for ident in db.session.scalars(
            select(StandingItem.id).where(
                StandingItem.dialogue_id == agenda.meeting.dialogue_id,
                StandingItem.placement == StandingPlacement.CLOSING,
            )
        )
    }
    closing_kinds = (AgendaItemKind.NEXT_MEETING, AgendaItemKind.CLOSE,
                     AgendaItemKind.OTHER_BUSINESS)
    index = len(items)
    while index and (items[index - 1].kind in closing_kinds
                     or items[index - 1].source_key in closing_standing):
        index -= 1
    return items[index - 1] if index else None


# An edit of one item writes that item, and the places of the few items it passes: not
# the whole draft. Positions only order the items; an item added goes halfway between
# its neighbours, and when they are next to each other, the fewest items around the
# place that leave ROOM between each are spaced out evenly (an ordered list's labels, as
# in the order-maintenance problem): a chair adding item after item at the same place
# rewrites a few dozen rows every few additions. A draft built packed (1, 2, 3 ...) is
# spread out once, its items GAP apart.
GAP = 1024
ROOM = GAP // 16
WIDEST = 64


def _lock_draft(agenda: Agenda, expected_version: int | None) -> int:
    """Take the draft's row before anything else, checking the version the page saw (if
    any) and moving it: a second edit of the same draft waits here for the first to
    commit, then starts from what it left. The version the edit starts from."""
    table = Agenda.__table__
    query = update(table).where(table.c.id == agenda.id)
    if expected_version is not None:
        query = query.where(table.c.version_id == expected_version)
    now = utcnow()
    locked = db.session.execute(
        query.values(version_id=table.c.version_id + 1, updated_at=now)
        .returning(table.c.version_id)
    ).first()
    if locked is None:
        db.session.rollback()
        raise AgendaConflict()
    # The row is written: the object takes the new values as its own, not as changes.
    set_committed_value(agenda, "version_id", locked.version_id)
    set_committed_value(agenda, "updated_at", now)
    return locked.version_id - 1


def _outline_under_lock(agenda: Agenda, version: int) -> list[OutlineRow]:
    """The draft's outline as of `version`, which the lock just moved on (kept, caught
    up or read under the lock, so as it is): a copy the edit may change."""
    return list(_outline_of(agenda, under_lock_at=version).rows)


def _write_positions(agenda: Agenda, places: dict[int, int]) -> None:
    """New positions by item id, in one statement, marked with the edit's version."""
    if not places:
        return
    table = AgendaItem.__table__
    rows = [{"item_id": ident, "new_position": position} for ident, position in places.items()]
    if db.session.connection().dialect.name == "postgresql" and len(rows) > 1:
        values = _json_rows(rows, {"item_id": Integer(), "new_position": Integer()})
        db.session.execute(update(table).where(table.c.id == values.c.item_id)
                           .values(position=values.c.new_position,
                                   edited_version=agenda.version_id))
        return
    db.session.execute(update(table).where(table.c.id == bindparam("item_id"))
                       .values(position=bindparam("new_position"),
                               edited_version=agenda.version_id), rows)


def _ordered(rows: Sequence[OutlineRow]) -> bool:
    return all(a.position < b.position for a, b in zip(rows, rows[1:], strict=False))


def _place_after(rows: list[OutlineRow], index: int) -> tuple[int, dict[int, int]]:
    """A position for an item inserted at `index` of `rows`, and the items that must
    move to make room (id: new position)."""
    if not _ordered(rows):  # ties from an older draft: number it all afresh
        return _spread(rows, index)
    before = rows[index - 1].position if index else None
    after = rows[index].position if index < len(rows) else None
    if before is None and after is None:
        return GAP, {}
    if before is None:
        return after - GAP, {}
    if after is None:
        return before + GAP, {}
    if after - before >= 2:
        return before + (after - before) // 2, {}
    return _respace(rows, index)


def _respace(rows: list[OutlineRow], index: int) -> tuple[int, dict[int, int]]:
    """No room at `index`: the fewest items on either side that, spaced out evenly with
    the new one among them, stand ROOM apart; the whole draft GAP apart when that takes
    more than WIDEST items a side (a draft built packed, 1, 2, 3 ...)."""
    reach = 1
    while True:
        low, high = max(0, index - reach), min(len(rows), index + reach)
        count = high - low + 1  # the new item among them
        floor = rows[low - 1].position if low else None
        ceiling = rows[high].position if high < len(rows) else None
        if floor is None:  # from the start: room below the first item
            floor = (ceiling if ceiling is not None else 0) - (count + 1) * GAP
        if ceiling is None:  # to the end: room after the last item
            ceiling = floor + (count + 1) * GAP
        step = (ceiling - floor) // (count + 1)
        if step >= ROOM:
            break
        if reach >= WIDEST:
            return _spread(rows, index)
        reach *= 2
    places = {}
    for n, row in enumerate(rows[low:high], start=low):
        position = floor + (n - low + 1 + (n >= index)) * step
        if position != row.position:
            places[row.id] = position
    return floor + (index - low + 1) * step, places


def _spread(rows: list[OutlineRow], index: int) -> tuple[int, dict[int, int]]:
    """Every item GAP apart, leaving room at `index` for the new one."""
    places = {}
    for n, row in enumerate(rows):
        position = (n + 1 + (n >= index)) * GAP
        if position != row.position:
            places[row.id] = position
    return (index + 1) * GAP, places


def _replaced(rows: list[OutlineRow], places: dict[int, int]) -> list[OutlineRow]:
    rows = [row._replace(position=places[row.id]) if row.id in places else row for row in rows]
    rows.sort(key=lambda row: (row.position, row.id))
    return rows


def add_item(
    agenda: Agenda,
    *,
    title: str | None,
    duration_minutes: int | None = None,
    presenter: str | None = "",
    notes: str | None = "",
    after: int | str | None = None,
    expected_version: int | None = None,
    actor: Person | None = None,
) -> AgendaItem:
    """Add an item of the chair's own. `after`: an item id, "start", or None for the
    default place (before the closing items)."""
    _expect(agenda, expected_version)
    meeting = agenda.meeting
    errors: dict[str, str] = {}
    title = _title(title, errors)
    duration_minutes = _minutes(duration_minutes, errors)
    participant_id, person_id = _presenter(meeting.dialogue_id, presenter, errors)
    notes = _notes(notes, errors)
    if errors:
        raise InvalidInput(errors)
    version = _lock_draft(agenda, expected_version)
    position, rows, places = _room_after(agenda, after), None, {}
    if position is None:
        rows = _outline_under_lock(agenda, version)
        index = _insertion_index(agenda, rows, after, errors)
        if errors:
            db.session.rollback()
            raise InvalidInput(errors)
        position, places = _place_after(rows, index)
        _write_positions(agenda, places)
    item = AgendaItem(
        agenda_id=agenda.id,
        position=position,
        kind=AgendaItemKind.CUSTOM,
        title=title,
        reason="",
        duration_minutes=duration_minutes,
        presenter_participant_id=participant_id,
        presenter_person_id=person_id,
        notes=notes,
        dismissed=False,
        edited_version=agenda.version_id,
    )
    db.session.add(item)
    _saving(db.session.flush, False)
    audit.record("agenda_item.added", item, summary=f"Agenda item added: {title}",
                 dialogue_id=meeting.dialogue_id, actor=actor)
    _commit()
    return item


def _room_after(agenda: Agenda, after: int | str | None) -> int | None:
    """In SQL: the position halfway between the item `after` names (not removed, of this
    draft) and the next one, when there is room; else None (the outline decides)."""
    ident = int(after) if str(after).isdigit() else None
    if ident is None:
        return None
    table = AgendaItem.__table__
    anchor = db.session.execute(
        select(table.c.position).where(table.c.id == ident, table.c.agenda_id == agenda.id,
                                       table.c.dismissed.is_(False))).first()
    if anchor is None:
        return None
    following = db.session.execute(
        select(table.c.position).where(table.c.agenda_id == agenda.id,
                                       table.c.position >= anchor.position,
                                       table.c.id != ident)
        .order_by(table.c.position).limit(1)).first()
    if following is None or following.position - anchor.position < 2:
        return None
    return anchor.position + (following.position - anchor.position) // 2


def _insertion_index(
    agenda: Agenda, rows: list[OutlineRow], after: int | str | None, errors: dict[str, str]
) -> int:
    """Where in `rows` (the whole outline) the new item goes."""
    if after in (None, ""):
        anchor = default_insertion_point(agenda, [row for row in rows if not row.dismissed])
        return rows.index(anchor) + 1 if anchor is not None else 0
    if after == "start":
        return 0
    ident = int(after) if str(after).isdigit() else None
    for index, row in enumerate(rows):
        if row.id == ident and not row.dismissed:
            return index + 1
    errors["after"] = "Choose where the item goes from the list."
    return len(rows)


def update_item(
    item: AgendaItem,
    *,
    title: str | None,
    duration_minutes: int | None,
    presenter: str | None,
    notes: str | None = "",
    expected_version: int | None = None,
    actor: Person | None = None,
) -> bool:
    """Rename, retime, give a presenter or notes. False when nothing changed."""
    agenda = item.agenda
    _expect(agenda, expected_version)
    dialogue_id = agenda.meeting.dialogue_id
    errors: dict[str, str] = {}
    title = _title(title, errors)
    duration_minutes = _minutes(duration_minutes, errors)
    participant_id, person_id = _presenter(dialogue_id, presenter, errors)
    notes = _notes(notes, errors)
    if errors:
        raise InvalidInput(errors)
    before = _snapshot(item)
    after = {"title": title, "duration_minutes": duration_minutes,
             "presenter_participant_id": participant_id, "presenter_person_id": person_id,
             "notes": notes}
    if before == after:
        return False
    _lock_draft(agenda, expected_version)
    item.title, item.duration_minutes, item.notes = title, duration_minutes, notes
    item.presenter_participant_id, item.presenter_person_id = participant_id, person_id
    item.edited_version = agenda.version_id
    _saving(db.session.flush, False)
    changed = {key: {"before": before[key], "after": after[key]}
               for key in before if before[key] != after[key]}
    audit.record("agenda_item.updated", item, summary=f"Agenda item changed: {title}",
                 details=changed, dialogue_id=dialogue_id, actor=actor)
    _commit()
    return True


def _snapshot(item: AgendaItem) -> dict[str, Any]:
    return {
        "title": item.title,
        "duration_minutes": item.duration_minutes,
        "presenter_participant_id": item.presenter_participant_id,
        "presenter_person_id": item.presenter_person_id,
        "notes": item.notes,
    }


def remove_item(
    item: AgendaItem, *, expected_version: int | None = None, actor: Person | None = None
) -> None:
    """Take an item off the draft. It stays, marked removed, so that building again
    does not bring it back and the chair can restore it."""
    _set_removed(item, True, expected_version, actor)


def restore_item(
    item: AgendaItem, *, expected_version: int | None = None, actor: Person | None = None
) -> None:
    _set_removed(item, False, expected_version, actor)


def _set_removed(item: AgendaItem, removed: bool, expected_version: int | None,
                 actor: Person | None) -> None:
    agenda = item.agenda
    _expect(agenda, expected_version)
    if item.dismissed == removed:
        return
    _lock_draft(agenda, expected_version)
    # As it is under the lock: another edit may have just removed or restored it.
    db.session.refresh(item, ["dismissed"])
    if item.dismissed == removed:
        db.session.rollback()
        return
    item.dismissed, item.edited_version = removed, agenda.version_id
    _saving(db.session.flush, False)
    audit.record(
        "agenda_item.removed" if removed else "agenda_item.restored",
        item,
        summary=f"Agenda item {'removed' if removed else 'restored'}: {item.title}",
        dialogue_id=agenda.meeting.dialogue_id,
        actor=actor,
    )
    _commit()


def _blocks(items: Sequence[Any]) -> list[list[Any]]:
    """A numbered item with the sub-items under it (a theme and its commitments)."""
    blocks: list[list[Any]] = []
    for item in items:
        if is_sub_item(item) and blocks:
            blocks[-1].append(item)
        else:
            blocks.append([item])
    return blocks


def _swap_with_neighbour(agenda: Agenda, item: AgendaItem,
                         direction: str) -> dict[int, int] | None:
    """A sub-item's move, in SQL: it trades places with the item not removed next to it
    (two rows). The places written ({} when it is already last), or None when the move
    needs the outline (a numbered item moves with its section; a sub-item that is the
    first item is numbered; positions that tie)."""
    table = AgendaItem.__table__
    own = db.session.execute(
        select(table.c.position, table.c.kind, table.c.source_key, table.c.dismissed)
        .where(table.c.id == item.id)).one()
    if own.dismissed or not is_sub_item(own):
        return None
    up = direction == "up"
    neighbour = db.session.execute(
        select(table.c.id, table.c.position)
        .where(table.c.agenda_id == agenda.id, table.c.dismissed.is_(False),
               table.c.position < own.position if up else table.c.position > own.position)
        .order_by(table.c.position.desc() if up else table.c.position)
        .limit(2 if up else 1)
    ).all()
    ties = db.session.scalar(
        select(func.count()).where(table.c.agenda_id == agenda.id,
                                   table.c.position.in_([own.position,
                                                         *(n.position for n in neighbour[:1])])))
    if ties != 1 + min(1, len(neighbour)):
        return None
    if not neighbour:
        return None if up else {}  # first: numbered (the outline decides); last: stays
    if up and len(neighbour) == 1:
        return None  # it would become the first item
    other = neighbour[0]
    places = {item.id: other.position, other.id: own.position}
    _write_positions(agenda, places)
    return places


def move_item(
    item: AgendaItem,
    direction: str,
    *,
    expected_version: int | None = None,
    actor: Person | None = None,
) -> bool:
    """Move one place up or down. A numbered item moves with its sub-items past the
    neighbouring numbered item; a sub-item swaps with its neighbour (and so can move
    into the next or previous section). False when it is already first or last.

    Only the items that change places are written: removed items keep theirs, and the
    items not removed trade the places they hold among themselves."""
    if direction not in ("up", "down"):
        raise InvalidInput.on("direction", "Choose to move the item up or down.")
    agenda = item.agenda
    _expect(agenda, expected_version)
    if item.dismissed:
        raise InvalidInput.on("item", "This item is removed: restore it before moving it.")
    version = _lock_draft(agenda, expected_version)
    swapped = _swap_with_neighbour(agenda, item, direction)
    if swapped == {}:
        db.session.rollback()  # already last: nothing to write
        return False
    if swapped is not None:
        if swapped:
            audit.record("agenda_item.moved", item, summary=f"Agenda item moved {direction}: "
                         f"{item.title}", dialogue_id=agenda.meeting.dialogue_id, actor=actor)
        _commit()
        return bool(swapped)
    rows = _outline_under_lock(agenda, version)
    active = [row for row in rows if not row.dismissed]
    at = next((n for n, row in enumerate(active) if row.id == item.id), None)
    if at is None:  # removed by another edit meanwhile
        db.session.rollback()
        raise InvalidInput.on("item", "This item is removed: restore it before moving it.")
    blocks = _blocks(active)
    heads = {block[0].id: n for n, block in enumerate(blocks)}
    if item.id in heads:
        index = heads[item.id]
        other = index - 1 if direction == "up" else index + 1
        if not 0 <= other < len(blocks):
            db.session.rollback()
            return False
        first, last = min(index, other), max(index, other)
        start = sum(len(block) for block in blocks[:first])
        span = active[start:start + len(blocks[first]) + len(blocks[last])]
        new_span = blocks[last] + blocks[first]
    else:
        other = at - 1 if direction == "up" else at + 1
        if not 0 <= other < len(active):
            db.session.rollback()
            return False
        span = active[min(at, other):max(at, other) + 1]
        new_span = span[::-1]
    if not _ordered(rows):  # ties from an older draft: number it all afresh
        _, spread = _spread(rows, len(rows))
        rows = _replaced(rows, spread)
        _write_positions(agenda, spread)
        span = [row._replace(position=spread.get(row.id, row.position)) for row in span]
        new_span = [row._replace(position=spread.get(row.id, row.position)) for row in new_span]
    places = {row.id: slot.position for row, slot in zip(new_span, span, strict=True)
              if row.position != slot.position}
    _write_positions(agenda, places)
    audit.record("agenda_item.moved", item, summary=f"Agenda item moved {direction}: "
                 f"{item.title}", dialogue_id=agenda.meeting.dialogue_id, actor=actor)
    _commit()
    return True


# --- circulating ------------------------------------------------------------------------


def freeze(
    meeting: Meeting,
    plan: Schedule,
    *,
    number: int,
    circulated_at: datetime,
    circulated_by: Person | None,
    details: dict[int, tuple[str, str, str | None]] | None = None,
) -> dict[str, Any]:
    """The agenda as circulated: every text already formatted, so that a version reads
    and prints the same for ever, whatever happens to the draft or the meeting later."""
    local_start = meeting.local_start
    return {
        "format": CONTENT_FORMAT,
        "number": number,
        "classification": meeting.marking,
        "circulated_at": circulated_at.isoformat(),
        "circulated_on": format_date(circulated_at.astimezone(meeting.zone).date()),
        "circulated_by": circulated_by.name if circulated_by else "",
        "meeting": {
            "id": meeting.id,
            "title": meeting.title,
            "dialogue": meeting.dialogue.name,
            "date": local_start.date().isoformat(),
            "day": format_day(local_start),
            "when": format_span(meeting.starts_at, meeting.ends_at, meeting.timezone),
            "starts": f"{local_start:%H:%M}",
            "ends": f"{meeting.local_end:%H:%M}",
            "timezone": meeting.timezone,
            "zone_abbreviation": local_start.tzname(),
            "place": meeting.place,
            "host": meeting.host.name if meeting.host else "",
        },
        "items": _frozen_items(plan, details),
        "ends": f"{plan.ends:%H:%M}",
        "overrun_minutes": plan.overrun_minutes,
    }


def _frozen_items(plan: Schedule, details: dict[int, tuple[str, str, str | None]] | None
                  ) -> list[dict[str, Any]]:
    """The items as circulated. `details`: each item's reason, notes and presenter's
    name by id, when the slots hold outline rows rather than items."""
    entries = []
    for slot in plan.slots:
        item = slot.item
        if details is None:
            reason, notes, presenter = item.reason, item.notes, presenter_name(item)
        else:
            reason, notes, presenter = details[item.id]
        entries.append({
            "item_id": item.id,
            "number": slot.number,
            "level": slot.level,
            "kind": item.kind,
            "title": item.title,
            "reason": reason,
            "notes": notes,
            "starts": f"{slot.starts:%H:%M}",
            "ends": f"{slot.ends:%H:%M}",
            "minutes": item.duration_minutes,
            "presenter": presenter,
        })
    return entries


def _substance(content: dict[str, Any]) -> tuple[Any, ...]:
    """What a reader would see as a different agenda (not who circulated it, or when)."""
    return content["classification"], content["meeting"], content["items"]


def draft_content(agenda: Agenda, *, actor: Person | None = None,
                  kept: KeptOutline | None = None) -> dict[str, Any]:
    """The draft as it would circulate now (to compare with the last version), from its
    kept outline and one read of the columns the outline leaves out."""
    meeting = agenda.meeting
    plan = (kept or _outline_of(agenda)).plan(meeting)
    return freeze(meeting, plan, number=0, circulated_at=utcnow(), circulated_by=actor,
                  details=_item_details(agenda.id))


def _item_details(agenda_id: int) -> dict[int, tuple[str, str, str | None]]:
    """Reason, notes and presenter's name of every item not removed, as rows."""
    rows = db.session.execute(
        select(AgendaItem.id, AgendaItem.reason, AgendaItem.notes, Participant.name,
               Person.name)
        .outerjoin(Participant, Participant.id == AgendaItem.presenter_participant_id)
        .outerjoin(Person, Person.id == AgendaItem.presenter_person_id)
        .where(AgendaItem.agenda_id == agenda_id, AgendaItem.dismissed.is_(False))
    )
    return {ident: (reason, notes, participant if participant is not None else person)
            for ident, reason, notes, participant, person in rows}


# What changed since the last circulated version, per process, under the draft's version
# and build, that circulated version and the meeting as the version would show it: the
# draft page asks on every view, and a draft of thousands of items costs a few hundred
# milliseconds to compare.
KEPT_CHANGES = 8
_changes: OrderedDict[tuple[Any, ...], list[Change]] = OrderedDict()


def changes_since_circulated(agenda: Agenda, latest: AgendaVersion) -> list[Change]:
    """What a reader of the draft, circulated now, would see changed since `latest`."""
    meeting = agenda.meeting
    shown = freeze(meeting, Schedule([], meeting.local_start, meeting.local_start,
                                     meeting.local_end, []),
                   number=0, circulated_at=utcnow(), circulated_by=None)
    draft = _outline_of(agenda)
    key = (agenda.id, draft.built_at, draft.version, latest.id,
           repr((shown["classification"], shown["meeting"])))
    with _outlines_lock:
        kept = _changes.get(key)
        if kept is not None:
            _changes.move_to_end(key)
            return kept
    found = compare_versions(latest.content, draft_content(agenda, kept=draft))
    with _outlines_lock:
        _changes[key] = found
        while len(_changes) > KEPT_CHANGES:
            _changes.popitem(last=False)
    return found


def circulate_agenda(
    agenda: Agenda,
    *,
    actor: Person | None,
    notify: bool = False,
    expected_version: int | None = None,
    now: datetime | None = None,
) -> AgendaVersion:
    """Freeze the draft as the next version (v1, v2, ...), record who and when, and
    tell the other areas (the outbox e-mails members when `notify`)."""
    _expect(agenda, expected_version)
    meeting = agenda.meeting
    if meeting.status == MeetingStatus.CANCELLED:
        raise InvalidInput.on(
            "agenda", "This meeting is cancelled: its agenda cannot be circulated."
        )
    items = active_items(agenda)
    if not items:
        raise InvalidInput.on("agenda", "The agenda has no items to circulate.")
    previous = db.session.scalar(
        select(AgendaVersion).where(AgendaVersion.agenda_id == agenda.id)
        .order_by(AgendaVersion.number.desc()).limit(1)
    )
    number = previous.number + 1 if previous else 1
    now = now or utcnow()
    content = freeze(meeting, schedule(meeting, items), number=number, circulated_at=now,
                     circulated_by=actor)
    if previous is not None and _substance(previous.content) == _substance(content):
        raise InvalidInput.on(
            "agenda", f"Nothing has changed since v{previous.number}: there is nothing new to "
            "circulate."
        )
    changes = compare_versions(previous.content, content) if previous else []
    version = AgendaVersion(agenda=agenda, number=number, content=content, circulated_at=now,
                            circulated_on=content["circulated_on"],
                            circulated_by_id=actor.id if actor else None)
    db.session.add(version)
    _touch(agenda, unique_clash_is_conflict=True)
    audit.record(
        "agenda.circulated",
        version,
        summary=f"Agenda v{number} circulated"
        + (" with an e-mail notice to members" if notify else ""),
        details={"number": number, "items": len(items), "notify": notify,
                 "changes": [change.summary for change in changes]},
        dialogue_id=meeting.dialogue_id,
        actor=actor,
    )
    signals.agenda_circulated.send(version, notify=notify)
    _commit(unique_clash_is_conflict=True)
    return version


# --- comparing versions -----------------------------------------------------------------


@dataclass(frozen=True)
class Change:
    kind: str  # one of LABELS
    number: str
    title: str
    detail: str

    LABELS: ClassVar[dict[str, str]] = {
        "meeting": "Meeting changed", "added": "Added", "removed": "Removed",
        "renamed": "Renamed", "moved": "Moved", "retimed": "Retimed",
        "presenter": "New presenter", "updated": "Updated",
    }

    @property
    def label(self) -> str:
        return self.LABELS[self.kind]

    @property
    def summary(self) -> str:
        subject = f"{self.number} {self.title}".strip()
        return f"{self.label}: {subject}" + (f" ({self.detail})" if self.detail else "")


def _span(entry: dict[str, Any]) -> str:
    """'09:30–09:40', or only the start for an item with no time of its own."""
    return f"{entry['starts']}–{entry['ends']}" if entry["minutes"] else entry["starts"]


def _minutes_of_day(clock: str) -> int:
    hours, minutes = clock.split(":")
    return int(hours) * 60 + int(minutes)


def _shifts(after: dict[Any, dict[str, Any]], before: dict[Any, dict[str, Any]]) -> list[Change]:
    """Items that kept their time box but start at another time, because something
    before them changed: one line per run of items that moved by the same amount."""
    runs: list[tuple[int, list[dict[str, Any]]]] = []
    previous = None  # the entry before, in `after`'s order
    for key, entry in after.items():
        entry_before, previous = previous, entry
        was = before.get(key)
        if was is None or was["minutes"] != entry["minutes"]:
            continue
        delta = _minutes_of_day(entry["starts"]) - _minutes_of_day(was["starts"])
        if not delta:
            continue
        if runs and runs[-1][0] == delta and runs[-1][1][-1] is entry_before:
            runs[-1][1].append(entry)
        else:
            runs.append((delta, [entry]))
    changes = []
    for delta, entries in runs:
        first, last = entries[0], entries[-1]
        number = first["number"] if first is last else f"{first['number']} to {last['number']}"
        title = first["title"] if first is last else ""
        when = f"{abs(delta)} minute{'s' if abs(delta) != 1 else ''} " + (
            "later" if delta > 0 else "earlier")
        changes.append(Change("retimed", number, title, f"start{'s' if title else ''} {when}"))
    return changes




def compare_versions(old: dict[str, Any], new: dict[str, Any]) -> list[Change]:
    """What a reader of `new` should know changed since `old`: the meeting, then items
    added, removed, renamed, moved, given another time box or presenter, and last the
    items that only start at another time because of those changes."""
    changes = []
    if old["classification"] != new["classification"]:
        changes.append(Change("meeting", "", "", f"classification: now {new['classification']}"
                              f" (was {old['classification']})"))
    for key, label in (("title", "title"), ("when", "date and time"), ("place", "place"),
                       ("host", "host")):
        if old["meeting"].get(key) != new["meeting"].get(key):
            changes.append(Change("meeting", "", "", f"{label}: now {new['meeting'][key] or '—'}"
                                  f" (was {old['meeting'][key] or '—'})"))
    before = {entry["item_id"]: entry for entry in old["items"]}
    after = {entry["item_id"]: entry for entry in new["items"]}
    kept_before = [key for key in before if key in after]
    kept_after = [key for key in after if key in before]
    # Items outside the longest common run changed their place; the rest only shifted.
    matcher = difflib.SequenceMatcher(None, kept_before, kept_after, autojunk=False)
    in_place = {
        key
        for block in matcher.get_matching_blocks()
        for key in kept_before[block.a:block.a + block.size]
    }
    found: dict[str, list[Change]] = {kind: [] for kind in Change.LABELS if kind != "meeting"}
    for key, entry in after.items():
        number, title = entry["number"], entry["title"]
        if key not in before:
            found["added"].append(Change("added", number, title, _span(entry)))
            continue
        was = before[key]
        if was["title"] != title:
            found["renamed"].append(Change("renamed", number, title, f"was “{was['title']}”"))
        if key not in in_place:
            found["moved"].append(Change("moved", number, title, f"was {was['number']}"))
        if was["minutes"] != entry["minutes"]:
            found["retimed"].append(Change(
                "retimed", number, title,
                f"time box {was['minutes'] or 0} → {entry['minutes'] or 0} minutes, "
                f"now {_span(entry)}",
            ))
        if was["notes"] != entry["notes"] or was["reason"] != entry["reason"]:
            what = "notes" if was["notes"] != entry["notes"] else "why it is there"
            found["updated"].append(Change("updated", number, title, f"new {what}"))
        if was["presenter"] != entry["presenter"]:
            found["presenter"].append(Change(
                "presenter", number, title,
                f"now {entry['presenter'] or 'no presenter'}, "
                f"was {was['presenter'] or 'no presenter'}",
            ))
    for key, entry in before.items():
        if key not in after:
            found["removed"].append(Change("removed", "", entry["title"],
                                           f"was {entry['number']}"))
    for of_kind in found.values():
        changes += of_kind
    return changes + _shifts(after, before)


# --- standing items ---------------------------------------------------------------------


def standing_items(dialogue_id: int) -> list[StandingItem]:
    return list(
        db.session.scalars(
            select(StandingItem).where(StandingItem.dialogue_id == dialogue_id)
            .order_by(StandingItem.position, StandingItem.id)
        )
    )


def add_default_standing_items(dialogue: Dialogue) -> None:
    """The usual opening and closing items, for a dialogue that has none yet (the demo).
    Adds to the session only: the caller commits."""
    if dialogue.standing_items:
        return
    for position, (placement, title, minutes, role) in enumerate(DEFAULT_STANDING_ITEMS, 1):
        dialogue.standing_items.append(
            StandingItem(placement=placement, position=position, title=title,
                         duration_minutes=minutes, presenter_role=role)
        )


def _standing_fields(
    title: str | None, placement: str | None, duration_minutes: int | None,
    presenter_role: str | None,
) -> tuple[str, str, int | None, str | None]:
    errors: dict[str, str] = {}
    title = _title(title, errors)
    if placement not in tuple(StandingPlacement):
        errors["placement"] = "Choose whether the item opens or closes the meeting."
    duration_minutes = _minutes(duration_minutes, errors)
    presenter_role = presenter_role or None
    if presenter_role is not None and presenter_role not in PRESENTER_ROLES:
        errors["presenter_role"] = "Choose who usually presents the item from the list."
    if errors:
        raise InvalidInput(errors)
    return title, placement, duration_minutes, presenter_role


def _last_position(dialogue_id: int, placement: str) -> int:
    positions = [item.position for item in standing_items(dialogue_id)
                 if item.placement == placement]
    return max(positions, default=0)


def add_standing_item(
    dialogue: Dialogue,
    *,
    title: str | None,
    placement: str | None,
    duration_minutes: int | None = None,
    presenter_role: str | None = None,
    actor: Person | None = None,
) -> StandingItem:
    title, placement, duration_minutes, presenter_role = _standing_fields(
        title, placement, duration_minutes, presenter_role
    )
    item = StandingItem(
        dialogue_id=dialogue.id, placement=placement, title=title,
        position=_last_position(dialogue.id, placement) + 1,
        duration_minutes=duration_minutes, presenter_role=presenter_role,
    )
    db.session.add(item)
    audit.record("standing_item.added", item, summary=f"Standing item added: {title}",
                 dialogue_id=dialogue.id, actor=actor)
    db.session.commit()
    return item


def update_standing_item(
    item: StandingItem,
    *,
    title: str | None,
    placement: str | None,
    duration_minutes: int | None = None,
    presenter_role: str | None = None,
    actor: Person | None = None,
) -> None:
    title, placement, duration_minutes, presenter_role = _standing_fields(
        title, placement, duration_minutes, presenter_role
    )
    before = {"title": item.title, "placement": item.placement,
              "duration_minutes": item.duration_minutes, "presenter_role": item.presenter_role}
    if placement != item.placement:
        item.position = _last_position(item.dialogue_id, placement) + 1
    item.title, item.placement = title, placement
    item.duration_minutes, item.presenter_role = duration_minutes, presenter_role
    after = {"title": title, "placement": placement, "duration_minutes": duration_minutes,
             "presenter_role": presenter_role}
    if before == after:
        return
    audit.record("standing_item.updated", item, summary=f"Standing item changed: {title}",
                 details={"before": before, "after": after}, dialogue_id=item.dialogue_id,
                 actor=actor)
    db.session.commit()


def move_standing_item(item: StandingItem, direction: str, *, actor: Person | None = None) -> bool:
    if direction not in ("up", "down"):
        raise InvalidInput.on("direction", "Choose to move the item up or down.")
    same = [entry for entry in standing_items(item.dialogue_id)
            if entry.placement == item.placement]
    index = same.index(item)
    other = index - 1 if direction == "up" else index + 1
    if not 0 <= other < len(same):
        return False
    same[index], same[other] = same[other], same[index]
    for position, entry in enumerate(same, start=1):
        entry.position = position
    audit.record("standing_item.moved", item, summary=f"Standing item moved {direction}: "
                 f"{item.title}", dialogue_id=item.dialogue_id, actor=actor)
    db.session.commit()
    return True


def remove_standing_item(item: StandingItem, *, actor: Person | None = None) -> None:
    """Drafts already built keep their copy of the item; future builds leave it out."""
    audit.record("standing_item.removed", item, summary=f"Standing item removed: {item.title}",
                 details={"title": item.title, "placement": item.placement},
                 dialogue_id=item.dialogue_id, actor=actor)
    db.session.delete(item)
    db.session.commit()


# --- the meeting page -------------------------------------------------------------------


@dataclass(frozen=True)
class AgendaSummary:
    """What the meeting page says about the agenda, in three small queries."""

    agenda: Agenda | None
    active_count: int
    versions: list[AgendaVersion]

    @property
    def latest(self) -> AgendaVersion | None:
        return self.versions[-1] if self.versions else None


def agenda_summary(meeting_id: int) -> AgendaSummary:
    agenda = db.session.scalar(select(Agenda).where(Agenda.meeting_id == meeting_id))
    if agenda is None:
        return AgendaSummary(agenda=None, active_count=0, versions=[])
    # Counted, not loaded: a draft built from a big dialogue holds thousands of items.
    count = db.session.scalar(
        select(func.count()).select_from(AgendaItem)
        .where(AgendaItem.agenda_id == agenda.id, AgendaItem.dismissed.is_(False))
    )
    return AgendaSummary(agenda=agenda, active_count=count or 0, versions=versions_of(agenda.id))
