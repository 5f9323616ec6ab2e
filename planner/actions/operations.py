"""Action item rules: record one in the minutes, change it, close it with its outcome,
reopen or remove it, and remind the owners of those overdue or soon due.

Every change is in the audit log, under the action item. The terms agreed in approved
minutes (what, who, by when, for which commitment) change only by an amendment of those
minutes, with a reason; the progress (in progress, done, dropped) is tracking, not a
change to the minutes. Saving from an older page merges or refuses (versioning)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from sqlalchemy import exists, func, or_, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import joinedload

from planner import audit
from planner.access import leave_out_archived, restrict_to_readable_by_meeting
from planner.extensions import db
from planner.minutes import operations as minutes_ops
from planner.minutes.versioning import EditConflict, last_saved_by, resolve, save
from planner.models import (
    ActionItem,
    ActionItemReminder,
    ActionItemStatus,
    AuditEvent,
    Classification,
    DialogueRole,
    Meeting,
    Membership,
    Minutes,
    MinutesStatus,
    Participant,
    Person,
    by_due_date,
    utcnow,
)
from planner.timefmt import format_date
from planner.validation import InvalidInput

MAX_TITLE = 300
MAX_TEXT = 5_000

LABELS = {
    "title": "Action",
    "description": "Details",
    "owner": "Owner",
    "person": "Person responsible",
    "due_on": "Due",
    "commitment": "Commitment it serves",
    "agenda_item": "Agenda item",
    "status": "Status",
    "outcome": "Outcome",
}
# What was agreed at the meeting: in approved minutes, these change by amendment only.
TERMS = ("title", "description", "owner", "person", "due_on", "commitment", "agenda_item")


def item_values(item: ActionItem | None) -> dict[str, str]:
    if item is None:
        return {"title": "", "description": "", "owner": "", "person": "", "due_on": "",
                "commitment": "", "agenda_item": "", "status": ActionItemStatus.OPEN}
    return {
        "title": item.title,
        "description": item.description or "",
        "owner": str(item.owner_participant_id or ""),
        "person": str(item.owner_person_id or ""),
        "due_on": item.due_on.isoformat() if item.due_on else "",
        "commitment": str(item.commitment_id or ""),
        "agenda_item": str(item.agenda_item_id or ""),
        "status": item.status,
    }


def owner_choices(dialogue_id: int) -> list[Participant]:
    """Delegations with a seat in the dialogue: members first, then observers."""
    return [seat.participant for seat in minutes_ops.members(dialogue_id)]


def person_choices(dialogue_id: int) -> list[Person]:
    """People of those delegations, by delegation and name."""
    seats = select(Membership.participant_id).where(Membership.dialogue_id == dialogue_id)
    return list(db.session.scalars(
        select(Person).options(joinedload(Person.participant))
        .where(Person.participant_id.in_(seats), Person.active.is_(True))
        .order_by(Person.participant_id, Person.name)
    ))


@dataclass(frozen=True)
class Terms:
    title: str
    description: str
    owner_id: int
    person_id: int | None
    due_on: date | None
    commitment_id: int | None
    agenda_item_id: int | None


def _check(meeting: Meeting | None, dialogue_id: int, values: Mapping[str, str]) -> Terms:
    errors: dict[str, str] = {}
    title = values.get("title", "")
    if not title:
        errors["title"] = "Enter the action: what is to be done."
    elif len(title) > MAX_TITLE:
        errors["title"] = f"Keep the action to {MAX_TITLE} characters; put the rest in details."
    description = values.get("description", "")
    if len(description) > MAX_TEXT:
        errors["description"] = f"Keep the details to {MAX_TEXT:,} characters."

    seats = {str(p.id): p for p in owner_choices(dialogue_id)}
    owner = seats.get(values.get("owner", ""))
    if not values.get("owner"):
        errors["owner"] = "Choose the delegation that owns the action."
    elif owner is None:
        errors["owner"] = "Choose the owner among the members and observers of this dialogue."

    person_id = None
    if values.get("person"):
        person = db.session.get(Person, int(values["person"])) \
            if values["person"].isdigit() else None
        if person is None or not person.active or owner is None or \
                person.participant_id != owner.id:
            errors["person"] = "Choose a person of the owner delegation, or nobody in particular."
        else:
            person_id = person.id

    due_on = None
    if values.get("due_on"):
        try:
            due_on = date.fromisoformat(values["due_on"])
        except ValueError:
            errors["due_on"] = "Enter the due date as a date, for example 2027-03-31."
        else:
            if meeting is not None and due_on < meeting.local_start.date():
                errors["due_on"] = (
                    "The due date cannot be before the meeting that agreed the action "
                    f"({format_date(meeting.local_start.date())})."
                )

    commitment_id = None
    if values.get("commitment"):
        commitment = minutes_ops.commitment_of(dialogue_id, values["commitment"])
        if commitment is None:
            errors["commitment"] = "Choose a commitment of this dialogue, or none."
        else:
            commitment_id = commitment.id

    agenda_item_id = None
    if values.get("agenda_item"):
        valid = {str(item.id): item.id for _n, item in minutes_ops.agenda_items(meeting)} \
            if meeting is not None else {}
        agenda_item_id = valid.get(values["agenda_item"])
        if agenda_item_id is None:
            errors["agenda_item"] = "Choose an item of this meeting's agenda, or other matters."
    if errors:
        raise InvalidInput(errors)
    return Terms(title, description, owner.id, person_id, due_on, commitment_id, agenda_item_id)


def _apply(item: ActionItem, terms: Terms) -> None:
    item.title, item.description = terms.title, terms.description
    item.owner_participant_id, item.owner_person_id = terms.owner_id, terms.person_id
    item.due_on, item.commitment_id = terms.due_on, terms.commitment_id
    item.agenda_item_id = terms.agenda_item_id


def _minutes_of(item_or_meeting_id: int | None) -> Minutes | None:
    if item_or_meeting_id is None:
        return None
    return db.session.scalar(select(Minutes).where(Minutes.meeting_id == item_or_meeting_id))


def _labelled(values: Mapping[str, str]) -> dict[str, str]:
    return {LABELS.get(k, k): v for k, v in values.items()}


def _log(item: ActionItem, action: str, summary: str, before: dict, after: dict,
         by: Person | None, reason: str = "") -> None:
    details: dict[str, Any] = {"before": before, "after": after}
    if reason:
        details["reason"] = reason
    audit.record(f"action_item.{action}", item, summary=summary, details=details,
                 dialogue_id=item.dialogue_id, actor=by)


# --- recording and changing ---------------------------------------------------------------


def add_action_item(
    minutes: Minutes, *, values: Mapping[str, str], by: Person | None, reason: str = ""
) -> ActionItem:
    """An action agreed at the minutes' meeting."""
    values = {k: (v or "").strip() for k, v in values.items()}
    meeting = minutes.meeting

    def attempt() -> ActionItem:
        why = minutes_ops.check_reason(minutes, reason)
        terms = _check(meeting, meeting.dialogue_id, values)
        item = ActionItem(dialogue_id=meeting.dialogue_id, meeting_id=meeting.id,
                          status=ActionItemStatus.OPEN, outcome="")
        _apply(item, terms)
        db.session.add(item)
        db.session.flush()
        after = item_values(item)
        _log(item, "created", f"Action item recorded: {item.title}", {}, after, by, why)
        minutes_ops.touch(minutes, by)
        minutes_ops.record_change(minutes, "action_item_added",
                                  summary=f"Added the action item “{item.title}”",
                                  before={}, after=_labelled(after), by=by, reason=why)
        return item

    return save(attempt)


def update_action_item(
    item: ActionItem,
    *,
    values: Mapping[str, str],
    base: Mapping[str, str] | None,
    expected_version: int | None,
    by: Person | None,
    reason: str = "",
) -> ActionItem:
    """Change the terms or the progress (open, in progress) of an action item."""

    def attempt() -> ActionItem:
        current = item_values(item)
        merged = resolve(
            current=current, mine={k: values.get(k, current[k]) for k in current}, base=base,
            stale=expected_version is not None and expected_version != item.version_id,
            labels=LABELS, version=item.version_id, saved_by=lambda: last_saved_by(item),
        )
        meeting = db.session.get(Meeting, item.meeting_id) if item.meeting_id else None
        terms = _check(meeting, item.dialogue_id, merged)
        status = merged["status"]
        if status != current["status"] and status not in (
            ActionItemStatus.OPEN, ActionItemStatus.IN_PROGRESS
        ):
            raise InvalidInput.on("status", "Close the action with its outcome instead.")
        if not item.is_open and status != current["status"]:
            raise InvalidInput.on("status", "Reopen the action first.")
        before, after = minutes_ops.changed_fields(current, merged)
        if not after:
            return item
        minutes = _minutes_of(item.meeting_id)
        terms_changed = any(k in after for k in TERMS)
        why = minutes_ops.check_reason(minutes, reason) if (minutes and terms_changed) \
            else (reason or "").strip()
        _apply(item, terms)
        item.status = status
        _log(item, "changed", f"Action item changed: {', '.join(LABELS[k] for k in after)}",
             before, after, by, why)
        if minutes is not None and terms_changed:
            minutes_ops.touch(minutes, by)
            minutes_ops.record_change(minutes, "action_item_changed",
                                      summary=f"Changed the action item “{item.title}”",
                                      before=_labelled(before), after=_labelled(after),
                                      by=by, reason=why)
        return item

    return save(attempt)


def close_action_item(
    item: ActionItem,
    *,
    status: str,
    outcome: str,
    base: Mapping[str, str] | None,
    expected_version: int | None,
    by: Person | None,
) -> ActionItem:
    """Done or dropped, with its outcome (required: it is what the next meeting hears)."""

    def attempt() -> ActionItem:
        current = {"status": item.status, "outcome": item.outcome or ""}
        merged = resolve(
            current=current, mine={"status": status or "", "outcome": outcome or ""},
            base=base, stale=expected_version is not None and expected_version != item.version_id,
            labels=LABELS, version=item.version_id, saved_by=lambda: last_saved_by(item),
        )
        errors = {}
        if merged["status"] not in (ActionItemStatus.DONE, ActionItemStatus.DROPPED):
            errors["status"] = "Say whether the action is done or dropped."
        if not merged["outcome"]:
            errors["outcome"] = "Say what came of it: the outcome is recorded with the action."
        elif len(merged["outcome"]) > MAX_TEXT:
            errors["outcome"] = f"Keep the outcome to {MAX_TEXT:,} characters."
        if errors:
            raise InvalidInput(errors)
        if not item.is_open and merged == current:
            raise InvalidInput.on("status", f"This action is already {item.status_label.lower()}.")
        before, after = minutes_ops.changed_fields(current, merged)
        if item.is_open:
            item.closed_at = utcnow()
        item.status, item.outcome = merged["status"], merged["outcome"]
        _log(item, "closed", f"Action item {item.status_label.lower()}: {item.outcome}",
             before, after, by)
        return item

    return save(attempt)


def reopen_action_item(
    item: ActionItem, *, reason: str, expected_version: int | None, by: Person | None
) -> ActionItem:
    reason = (reason or "").strip()

    def attempt() -> ActionItem:
        if expected_version is not None and expected_version != item.version_id:
            who, _when = last_saved_by(item)
            raise EditConflict(
                conflicts=[], values={}, base={}, version=item.version_id,
                message=f"{who or 'Someone else'} changed this action after you opened the "
                        "page, so it was not reopened. Check it and try again.",
            )
        if item.is_open:
            raise InvalidInput.on("reason", "This action is still open.")
        if not reason:
            raise InvalidInput.on("reason", "Say why the action is reopened.")
        before = {"status": item.status, "outcome": item.outcome}
        item.status, item.outcome, item.closed_at = ActionItemStatus.OPEN, "", None
        _log(item, "reopened", f"Action item reopened: {reason}", before,
             {"status": item.status, "outcome": ""}, by, reason)
        return item

    return save(attempt)


def delete_action_item(
    item: ActionItem, *, expected_version: int | None, by: Person | None, reason: str = ""
) -> None:
    """Remove an action recorded by mistake (its minutes say it was never agreed)."""

    def attempt() -> None:
        if expected_version is not None and expected_version != item.version_id:
            who, _when = last_saved_by(item)
            raise EditConflict(
                conflicts=[], values={}, base={}, version=item.version_id,
                message=f"{who or 'Someone else'} changed this action after you opened the "
                        "page, so it was not removed. Check it and try again.",
            )
        minutes = _minutes_of(item.meeting_id)
        why = minutes_ops.check_reason(minutes, reason) if minutes else (reason or "").strip()
        before = item_values(item)
        _log(item, "removed", f"Action item removed: {item.title}", before, {}, by, why)
        if minutes is not None:
            minutes_ops.touch(minutes, by)
            minutes_ops.record_change(minutes, "action_item_removed",
                                      summary=f"Removed the action item “{item.title}”",
                                      before=_labelled(before), after={}, by=by, reason=why)
        db.session.delete(item)

    save(attempt)


# --- reminders ----------------------------------------------------------------------------

SOON_DAYS = 7


@dataclass
class ReminderReport:
    # Each e-mail queued: (address, titles of the items in it).
    queued: list[tuple[str, list[str]]] = field(default_factory=list)
    # Items due but with nobody to write to (no person, no delegate of the owner).
    unreachable: list[ActionItem] = field(default_factory=list)
    busy: bool = False

    @property
    def items(self) -> int:
        return len({title for _address, titles in self.queued for title in titles})


def due_for_reminder(today: date, soon_days: int = SOON_DAYS) -> list[ActionItem]:
    """Open action items due by `today + soon_days` (overdue ones included) that were
    not reminded today; those of draft minutes wait until the minutes are circulated."""
    reminded_today = exists().where(
        ActionItemReminder.action_item_id == ActionItem.id,
        ActionItemReminder.reminded_on == today,
    )
    # An archived dialogue's action items are not chased.
    return list(db.session.scalars(
        leave_out_archived(select(ActionItem), ActionItem.dialogue_id)
        .options(joinedload(ActionItem.dialogue), joinedload(ActionItem.owner),
                 joinedload(ActionItem.owner_person), joinedload(ActionItem.meeting))
        .outerjoin(Minutes, Minutes.meeting_id == ActionItem.meeting_id)
        .where(
            ActionItem.status.in_(ActionItemStatus.still_open()),
            ActionItem.due_on.is_not(None),
            ActionItem.due_on <= today + timedelta(days=soon_days),
            or_(Minutes.status.is_(None), Minutes.status != MinutesStatus.DRAFT),
            ~reminded_today,
        )
        .order_by(ActionItem.due_on, ActionItem.id)
    ))


def recipients(item: ActionItem) -> list[Person]:
    """The person named on the action, or else the owner delegation's people in the
    dialogue."""
    if item.owner_person is not None and item.owner_person.active:
        return [item.owner_person]
    return list(db.session.scalars(
        select(Person).join(DialogueRole, DialogueRole.person_id == Person.id)
        .where(Person.participant_id == item.owner_participant_id,
               DialogueRole.dialogue_id == item.dialogue_id,
               Person.active.is_(True))
        .order_by(Person.id)
    ))


def _sensitive(item: ActionItem) -> bool:
    marked = {item.dialogue.classification}
    if item.meeting is not None:
        marked.add(item.meeting.classification)
    return Classification.OFFICIAL_SENSITIVE in marked


def _line(item: ActionItem, today: date) -> str:
    from planner.calendar.links import external_url

    # Calendars and mailboxes leave our servers: a sensitive action is not described.
    what = (f"An action item of {item.dialogue.short_name} (OFFICIAL-SENSITIVE)"
            if _sensitive(item) else f"{item.title} ({item.dialogue.short_name})")
    when = (f"overdue since {format_date(item.due_on)}" if item.due_on < today
            else f"due {format_date(item.due_on)}")
    return f"- {what}: {when}\n  {external_url('actions.show', action_item_id=item.id)}"


def remind_owners(*, today: date, soon_days: int = SOON_DAYS,
                  dry_run: bool = False) -> ReminderReport:
    """Queue one e-mail per person listing their overdue and soon-due actions, and note
    each action as reminded today, in one transaction: run it twice the same day and the
    second run sends nothing."""
    from planner.outbox import queue_message

    report = ReminderReport()
    by_person: dict[int, tuple[Person, list[ActionItem]]] = {}
    for item in due_for_reminder(today, soon_days):
        people = recipients(item)
        if not people:
            report.unreachable.append(item)
            continue
        for person in people:
            by_person.setdefault(person.id, (person, []))[1].append(item)
        if not dry_run:
            db.session.add(ActionItemReminder(
                action_item_id=item.id, reminded_on=today,
                recipients=", ".join(p.email for p in people),
            ))
    for person, items in by_person.values():
        overdue = sum(1 for i in items if i.due_on < today)
        subject = "Action items: " + ", ".join(
            part for part in (f"{overdue} overdue" if overdue else "",
                              f"{len(items) - overdue} due soon" if len(items) > overdue else "")
            if part
        )
        horizon = "today" if soon_days == 0 else f"within {soon_days} days"
        body = (f"Dear {person.name},\n\nThese action items are open and "
                f"{'overdue or ' if overdue else ''}due {horizon}:\n\n"
                + "\n".join(_line(i, today) for i in items)
                + "\n\nWhen one is done, tell the secretariat its outcome so that it can be "
                  "closed.\n")
        if not dry_run:
            queue_message(kind="action_reminder", recipient=person.email, subject=subject,
                          text_body=body, person=person)
        report.queued.append((person.email, [i.title for i in items]))
    if dry_run:
        db.session.rollback()
        return report
    try:
        db.session.commit()
    except IntegrityError:
        # Another run reminded some of these items a moment ago: it sends them, not us.
        db.session.rollback()
        return ReminderReport(busy=True)
    return report


def overdue_count(items: list[ActionItem], today: date) -> int:
    return sum(1 for item in items if item.is_overdue(today))



# --- the list -----------------------------------------------------------------------------

PAGE_SIZE = 50
STATUS_FILTERS = {
    "still_open": ("Open or in progress", ActionItemStatus.still_open()),
    "open": ("Open", (ActionItemStatus.OPEN,)),
    "in_progress": ("In progress", (ActionItemStatus.IN_PROGRESS,)),
    "done": ("Done", (ActionItemStatus.DONE,)),
    "dropped": ("Dropped", (ActionItemStatus.DROPPED,)),
    "all": ("Any status", tuple(ActionItemStatus)),
}


def readable(person: Person) -> Any:
    """Action items `person` may see: of their dialogues, and of draft minutes only if
    they write those minutes (planner.access decides both)."""
    return restrict_to_readable_by_meeting(select(ActionItem), ActionItem.meeting_id,
                                           ActionItem.dialogue_id, person)


@dataclass
class Listing:
    items: list[ActionItem]
    total: int
    page: int
    pages: int


def list_action_items(
    person: Person,
    *,
    dialogue_id: int | None = None,
    meeting_id: int | None = None,
    owner_id: int | None = None,
    status: str = "still_open",
    overdue: bool = False,
    today: date,
    page: int = 1,
) -> Listing:
    query = readable(person).where(ActionItem.status.in_(STATUS_FILTERS[status][1]))
    if dialogue_id is not None:
        query = query.where(ActionItem.dialogue_id == dialogue_id)
    if meeting_id is not None:
        query = query.where(ActionItem.meeting_id == meeting_id)
    if owner_id is not None:
        query = query.where(ActionItem.owner_participant_id == owner_id)
    if overdue:
        query = query.where(ActionItem.status.in_(ActionItemStatus.still_open()),
                            ActionItem.due_on < today)
    total = db.session.scalar(select(func.count()).select_from(query.subquery())) or 0
    pages = max((total + PAGE_SIZE - 1) // PAGE_SIZE, 1)
    page = min(max(page, 1), pages)
    items = db.session.scalars(
        query.options(joinedload(ActionItem.dialogue), joinedload(ActionItem.owner),
                      joinedload(ActionItem.owner_person), joinedload(ActionItem.meeting),
                      joinedload(ActionItem.commitment))
        .order_by(*by_due_date())
        .limit(PAGE_SIZE).offset((page - 1) * PAGE_SIZE)
    ).all()
    return Listing(list(items), total, page, pages)


def owners_in(dialogue_ids: Any) -> list[Participant]:
    """Delegations with a seat in any of the dialogues (a subquery of ids)."""
    seats = select(Membership.participant_id).where(Membership.dialogue_id.in_(dialogue_ids))
    return list(db.session.scalars(
        select(Participant).where(Participant.id.in_(seats)).order_by(Participant.name)
    ))


def history(item: ActionItem) -> list[AuditEvent]:
    return list(db.session.scalars(
        select(AuditEvent).options(joinedload(AuditEvent.actor))
        .where(AuditEvent.entity_type == ActionItem.__tablename__,
               AuditEvent.entity_id == item.id)
        .order_by(AuditEvent.occurred_at.desc(), AuditEvent.id.desc())
    ))


def reminders(item: ActionItem) -> list[ActionItemReminder]:
    return list(db.session.scalars(
        select(ActionItemReminder).where(ActionItemReminder.action_item_id == item.id)
        .order_by(ActionItemReminder.reminded_on.desc())
    ))
