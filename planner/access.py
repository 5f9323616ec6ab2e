"""Who may see what: the one place where visibility is decided.

Pages, exports, feeds and the API all ask here. The rule: the secretariat sees every
dialogue; anyone else sees the dialogues they hold a role in (chair, delegate,
observer), and everything of those dialogues. Anything else answers 404, so that an
id does not even tell whether the object exists.
"""

from __future__ import annotations

from typing import Any, Protocol

from flask import abort
from sqlalchemy import Select, or_, select
from sqlalchemy.orm import joinedload

from planner.extensions import db
from planner.models import (
    Dialogue,
    DialogueRole,
    DialogueRoleKind,
    Meeting,
    Minutes,
    MinutesStatus,
    Person,
)

SECRETARIAT = "secretariat"


class Reader(Protocol):
    """Who reads: a signed-in Person, or as much of one as a feed link carries."""

    id: int
    is_secretariat: bool


def visible_dialogue_ids(person: Reader) -> Select[Any] | None:
    """A subquery of the dialogue ids `person` may see, or None for all of them."""
    if person.is_secretariat:
        return None
    return select(DialogueRole.dialogue_id).where(DialogueRole.person_id == person.id)


def restrict_to_visible(query: Select[Any], dialogue_id_column: Any, person: Reader) -> Select[Any]:
    """Narrow any query over dialogue-owned rows to what `person` may see."""
    visible = visible_dialogue_ids(person)
    return query if visible is None else query.where(dialogue_id_column.in_(visible))


def visible_dialogues(person: Person) -> Select[tuple[Dialogue]]:
    return restrict_to_visible(select(Dialogue), Dialogue.id, person).order_by(Dialogue.name)


def role_in(person: Person, dialogue_id: int) -> str | None:
    """'secretariat', 'chair', 'delegate', 'observer', or None when not in the dialogue."""
    if person.is_secretariat:
        return SECRETARIAT
    return db.session.scalar(
        select(DialogueRole.role).where(
            DialogueRole.person_id == person.id, DialogueRole.dialogue_id == dialogue_id
        )
    )


class Refusal:
    """A "no" that says why: falsy like False, and `require` shows its reason. For a
    person whose role allows a change that the dialogue's state does not (archived)."""

    __slots__ = ("reason",)

    def __init__(self, reason: str):
        self.reason = reason

    def __bool__(self) -> bool:
        return False


ARCHIVED = "This dialogue is archived: the secretariat can restore it."
ARCHIVED_REFUSAL = Refusal(ARCHIVED)


def is_archived(dialogue_id: int) -> bool:
    # From the session's identity map when the page loaded the dialogue already.
    dialogue = db.session.get(Dialogue, dialogue_id)
    return dialogue is not None and dialogue.archived_at is not None


def writes_papers(person: Person, dialogue_id: int) -> bool:
    """The secretariat and the dialogue's chair write its papers, so they also read its
    drafts, archived or not."""
    return role_in(person, dialogue_id) in (SECRETARIAT, DialogueRoleKind.CHAIR)


def can_manage(person: Person, dialogue_id: int) -> bool | Refusal:
    """The secretariat and the dialogue's chair change its papers, while it is not
    archived: every write of every page and of the API asks here."""
    if not writes_papers(person, dialogue_id):
        return False
    return ARCHIVED_REFUSAL if is_archived(dialogue_id) else True


def dialogue_or_404(person: Person, dialogue_id: int) -> Dialogue:
    dialogue = db.session.scalar(
        restrict_to_visible(select(Dialogue), Dialogue.id, person).where(
            Dialogue.id == dialogue_id
        )
    )
    if dialogue is None:
        abort(404)
    return dialogue


def meeting_or_404(person: Person, meeting_id: int) -> Meeting:
    query = restrict_to_visible(
        select(Meeting).options(joinedload(Meeting.dialogue), joinedload(Meeting.host)),
        Meeting.dialogue_id,
        person,
    )
    meeting = db.session.scalar(query.where(Meeting.id == meeting_id))
    if meeting is None:
        abort(404)
    return meeting


def can_schedule(person: Person, dialogue_id: int) -> bool | Refusal:
    """Scheduling (dates, moves, cancellations, the series) and setting a dialogue up
    (its settings, seats) are the secretariat's job, while it is not archived."""
    if role_in(person, dialogue_id) != SECRETARIAT:
        return False
    return ARCHIVED_REFUSAL if is_archived(dialogue_id) else True


def require(
    allowed: bool | Refusal,
    reason: str = "Only the secretariat can change the schedule of a dialogue.",
) -> None:
    """For something the person may see but not do: 403, with the reason on the page.
    A Refusal's own reason wins: it says why someone who may, may not now."""
    if not allowed:
        abort(403, allowed.reason if isinstance(allowed, Refusal) else reason)


def secretariat_only(reason: str) -> Person:
    """The signed-in person, who must be of the secretariat (403 with the reason if not),
    for the pages and actions that are the secretariat's alone."""
    from flask_login import current_user

    require(current_user.is_secretariat, reason)
    return current_user._get_current_object()


def require_or_hide(allowed: bool | Refusal) -> None:
    """For what only its writers even see (drafts): 404 for the others, 403 with the
    reason for a writer refused by the dialogue's state."""
    if isinstance(allowed, Refusal):
        abort(403, allowed.reason)
    if not allowed:
        abort(404)


def leave_out_archived(query: Select[Any], dialogue_id_column: Any) -> Select[Any]:
    """Narrow a query over dialogue-owned rows to open dialogues: for dashboards, feeds
    and reminders, which archived dialogues leave (their pages stay readable)."""
    archived = select(Dialogue.id).where(Dialogue.archived_at.is_not(None))
    return query.where(dialogue_id_column.not_in(archived))


# --- minutes: drafts are for those who write them -----------------------------------

MANAGERS_ONLY = "Only the secretariat and the dialogue's chair can change its minutes."


def managed_dialogue_ids(person: Person) -> Select[Any] | None:
    """A subquery of the dialogue ids whose papers `person` writes, or None for all."""
    if person.is_secretariat:
        return None
    return select(DialogueRole.dialogue_id).where(
        DialogueRole.person_id == person.id, DialogueRole.role == DialogueRoleKind.CHAIR
    )


def restrict_to_readable_minutes(
    query: Select[Any], minutes_status_column: Any, dialogue_id_column: Any, person: Person
) -> Select[Any]:
    """Narrow a query over minutes, or over what hangs on them (notes, decisions, action
    items), to what `person` may read: their dialogues, and drafts only where they write
    the minutes. A NULL status (an action item from no minutes) is readable."""
    query = restrict_to_visible(query, dialogue_id_column, person)
    managed = managed_dialogue_ids(person)
    if managed is None:
        return query
    return query.where(
        or_(
            minutes_status_column.is_(None),
            minutes_status_column != MinutesStatus.DRAFT,
            dialogue_id_column.in_(managed),
        )
    )


def restrict_to_readable_by_meeting(
    query: Select[Any], meeting_id_column: Any, dialogue_id_column: Any, person: Person
) -> Select[Any]:
    """The rule of `restrict_to_readable_minutes`, for rows that point at a meeting
    rather than at its minutes (action items): hidden while that meeting's minutes are
    a draft, unless the person writes them. Without a join to the minutes, so that a
    list over many thousand rows can count them from an index."""
    query = restrict_to_visible(query, dialogue_id_column, person)
    managed = managed_dialogue_ids(person)
    if managed is None:
        return query
    drafts = select(Minutes.meeting_id).where(Minutes.status == MinutesStatus.DRAFT)
    return query.where(
        or_(
            meeting_id_column.is_(None),
            meeting_id_column.not_in(drafts),
            dialogue_id_column.in_(managed),
        )
    )


def can_read_minutes(person: Person, minutes: Minutes, dialogue_id: int) -> bool:
    """For minutes of a dialogue the person already sees (checked by the caller)."""
    return minutes.status != MinutesStatus.DRAFT or writes_papers(person, dialogue_id)
