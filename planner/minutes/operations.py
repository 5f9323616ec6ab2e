"""Minutes rules: start, write (attendance, notes, decisions), circulate, approve, amend.

Views parse the form into plain values and call these; each operation checks its input
(InvalidInput, by field, nothing saved), merges with changes saved in the meantime or
refuses with EditConflict (planner.minutes.versioning), writes the audit log and commits.

- A draft is a working paper: it changes freely and only its workflow is logged.
- Circulated minutes change with every change in the audit log.
- Approved minutes are locked: a change is only accepted as an amendment, with a reason,
  recorded as a MinutesAmendment (who, when, why, before and after) and in the audit log.
- A decision may move a commitment's status: the move is a CommitmentStatusChange against
  the meeting and the decision, and it is undone or corrected when the decision is."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from sqlalchemy import Select, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import joinedload, selectinload

from planner import audit
from planner.agendas import operations as agendas
from planner.extensions import db
from planner.minutes.versioning import EditConflict, resolve, save
from planner.models import (
    ActionItem,
    AgendaItem,
    ApprovalMethod,
    Attendance,
    AttendanceStatus,
    AuditEvent,
    Commitment,
    CommitmentStatus,
    CommitmentStatusChange,
    Decision,
    DialogueRole,
    Meeting,
    MeetingStatus,
    Membership,
    Minutes,
    MinutesAmendment,
    MinutesApproval,
    MinutesNote,
    MinutesStatus,
    Person,
    by_due_date,
    utcnow,
)
from planner.timefmt import format_date
from planner.validation import InvalidInput

MAX_TEXT = 20_000
MAX_DELEGATES = 2_000
MAX_REASON = 2_000
GENERAL = "general"

NEEDS_REASON = (
    "These minutes are approved, so they change only by a recorded amendment: "
    "say why you amend them."
)


# --- reading ------------------------------------------------------------------------------


def load_minutes(meeting_id: int) -> Minutes | None:
    """The meeting's minutes with everything the page shows, in a few queries."""
    return db.session.scalar(
        select(Minutes)
        .options(
            selectinload(Minutes.attendance).joinedload(Attendance.participant),
            selectinload(Minutes.notes),
            selectinload(Minutes.decisions).joinedload(Decision.commitment),
            selectinload(Minutes.amendments).joinedload(MinutesAmendment.amended_by),
            joinedload(Minutes.approval).joinedload(MinutesApproval.meeting),
            joinedload(Minutes.approved_by),
            joinedload(Minutes.updated_by),
        )
        .where(Minutes.meeting_id == meeting_id)
    )


def action_items_query(meeting_id: int) -> Select[Any]:
    """The meeting's action items, with their owners and commitments, soonest due first."""
    return (
        select(ActionItem)
        .options(joinedload(ActionItem.owner), joinedload(ActionItem.owner_person),
                 joinedload(ActionItem.commitment))
        .where(ActionItem.meeting_id == meeting_id)
        .order_by(*by_due_date())
    )


def meeting_action_items(meeting_id: int) -> list[ActionItem]:
    return list(db.session.scalars(action_items_query(meeting_id)))


def history(minutes: Minutes) -> list[AuditEvent]:
    """What happened to the minutes, newest first (for those who write them)."""
    return list(db.session.scalars(
        select(AuditEvent).options(joinedload(AuditEvent.actor))
        .where(AuditEvent.entity_type == Minutes.__tablename__,
               AuditEvent.entity_id == minutes.id)
        .order_by(AuditEvent.occurred_at.desc(), AuditEvent.id.desc())
    ))


@dataclass
class Section:
    """One agenda item of the minutes (or "Other matters", item None) and what was
    noted, decided and agreed under it."""

    item: AgendaItem | None
    number: str
    title: str
    note: MinutesNote | None = None
    decisions: list[Decision] = field(default_factory=list)
    action_items: list[ActionItem] = field(default_factory=list)

    @property
    def key(self) -> str:
        return str(self.item.id) if self.item is not None else GENERAL

    @property
    def field_name(self) -> str:
        return f"note-{self.key}"

    @property
    def label(self) -> str:
        return f"{self.number} {self.title}".strip()

    @property
    def is_empty(self) -> bool:
        return not ((self.note and self.note.text) or self.decisions or self.action_items)


def agenda_items(meeting: Meeting) -> list[tuple[str, AgendaItem]]:
    """The meeting's agenda items as numbered on the agenda: (number, item)."""
    agenda = agendas.load_agenda(meeting.id)
    if agenda is None:
        return []
    return [(slot.number, slot.item)
            for slot in agendas.schedule(meeting, agendas.active_items(agenda)).slots]


def sections(meeting: Meeting, minutes: Minutes | None,
             action_items: list[ActionItem] | None = None) -> list[Section]:
    """One section per agenda item, in agenda order, then "Other matters". An item taken
    off the agenda after something was minuted under it keeps its section."""
    numbered = agenda_items(meeting)
    by_item: dict[int | None, Section] = {
        item.id: Section(item, number, item.title) for number, item in numbered
    }
    notes = minutes.notes if minutes else []
    decisions = minutes.decisions if minutes else []
    actions = action_items if action_items is not None else meeting_action_items(meeting.id)
    for record in (*notes, *decisions, *actions):
        if record.agenda_item_id is not None and record.agenda_item_id not in by_item:
            item = db.session.get(AgendaItem, record.agenda_item_id)
            by_item[item.id] = Section(item, "", f"{item.title} (taken off the agenda)")
    other = Section(None, "", "Other matters")
    result = [*by_item.values(), other]
    for note in notes:
        by_item.get(note.agenda_item_id, other).note = note
    for decision in decisions:
        by_item.get(decision.agenda_item_id, other).decisions.append(decision)
    for action in actions:
        by_item.get(action.agenda_item_id, other).action_items.append(action)
    return result


def section_choices(meeting: Meeting) -> list[tuple[str, str]]:
    """(value, label) of the agenda items a decision or action can be recorded under."""
    return [("", "Other matters (no agenda item)")] + [
        (str(item.id), f"{number} {item.title}") for number, item in agenda_items(meeting)
    ]


def members(dialogue_id: int) -> list[Membership]:
    """The seats of the dialogue: members first, then observers."""
    return list(db.session.scalars(
        select(Membership).options(joinedload(Membership.participant))
        .where(Membership.dialogue_id == dialogue_id)
        .order_by(Membership.role, Membership.id)
    ))


def commitment_choices(dialogue_id: int) -> list[Commitment]:
    return list(db.session.scalars(
        select(Commitment).where(Commitment.dialogue_id == dialogue_id)
        .order_by(Commitment.position, Commitment.id)
    ))


def approving_meetings(meeting: Meeting) -> list[Meeting]:
    """Later meetings of the dialogue that have begun: those that can approve minutes."""
    return list(db.session.scalars(
        select(Meeting).where(
            Meeting.dialogue_id == meeting.dialogue_id,
            Meeting.starts_at > meeting.starts_at,
            Meeting.starts_at <= utcnow(),
            Meeting.status != MeetingStatus.CANCELLED,
        ).order_by(Meeting.starts_at)
    ))


# --- the lock and the record of changes -----------------------------------------------------


def check_reason(minutes: Minutes, reason: str | None) -> str:
    """Approved minutes change only with a reason (an amendment)."""
    reason = (reason or "").strip()
    if minutes.status == MinutesStatus.APPROVED:
        if not reason:
            raise InvalidInput.on("reason", NEEDS_REASON)
        if len(reason) > MAX_REASON:
            raise InvalidInput.on("reason", f"Keep the reason to {MAX_REASON} characters.")
    return reason


def touch(minutes: Minutes, by: Person | None) -> None:
    """Any change to the minutes updates their row, so that their version moves on."""
    by_id = by.id if by is not None else None  # (may load `by`, flushing: read it first)
    minutes.updated_at, minutes.updated_by_id = utcnow(), by_id


def record_change(
    minutes: Minutes,
    action: str,
    *,
    summary: str,
    before: dict[str, Any],
    after: dict[str, Any],
    by: Person | None,
    reason: str = "",
) -> None:
    """Log a change: nothing for a draft, the audit log once circulated, and an
    amendment (plus the audit log) once approved."""
    if minutes.status == MinutesStatus.DRAFT or before == after:
        return
    meeting = minutes.meeting
    if minutes.status == MinutesStatus.APPROVED:
        minutes.amendments.append(
            MinutesAmendment(amended_by=by, amended_at=utcnow(), reason=reason,
                             before=before, after=after)
        )
        audit.record("minutes.amended", minutes, summary=f"Amended: {summary}. Why: {reason}",
                     details={"before": before, "after": after, "reason": reason},
                     dialogue_id=meeting.dialogue_id, actor=by)
    else:
        audit.record(f"minutes.{action}", minutes, summary=summary,
                     details={"before": before, "after": after},
                     dialogue_id=meeting.dialogue_id, actor=by)


def _stale(record: Any, expected_version: int | None) -> bool:
    return expected_version is not None and expected_version != record.version_id


def changed_fields(before: dict[str, str], after: dict[str, str]) -> tuple[dict, dict]:
    """The fields `after` changes, as (their old values, their new values)."""
    keys = [k for k in after if before.get(k, "") != after[k]]
    return {k: before.get(k, "") for k in keys}, {k: after[k] for k in keys}


# --- starting -------------------------------------------------------------------------------


def start_minutes(meeting: Meeting, *, by: Person | None) -> Minutes:
    """A draft for a meeting that has begun (or is held), with the attendance to fill in."""
    if meeting.status == MeetingStatus.CANCELLED:
        raise InvalidInput.on("minutes", "This meeting was cancelled: it has no minutes.")
    if meeting.starts_at > utcnow() and meeting.status != MeetingStatus.HELD:
        raise InvalidInput.on(
            "minutes", "Minutes are written once the meeting has begun "
                       f"({format_date(meeting.local_start.date())})."
        )
    existing = load_minutes(meeting.id)
    if existing is not None:
        return existing
    minutes = Minutes(meeting=meeting, status=MinutesStatus.DRAFT, summary="",
                      updated_by_id=by.id if by else None)
    db.session.add(minutes)
    audit.record("minutes.started", minutes, summary="Minutes started (draft)",
                 dialogue_id=meeting.dialogue_id, actor=by)
    try:
        db.session.commit()
    except IntegrityError:
        # Someone started them at the same moment: theirs are the minutes.
        db.session.rollback()
    return load_minutes(meeting.id)


# --- the text: summary and notes per agenda item ---------------------------------------------


def text_values(minutes: Minutes, parts: list[Section]) -> dict[str, str]:
    notes = {note.agenda_item_id: note.text for note in minutes.notes}
    values = {"summary": minutes.summary or ""}
    for section in parts:
        values[section.field_name] = notes.get(section.item.id if section.item else None, "")
    return values


def text_labels(parts: list[Section]) -> dict[str, str]:
    return {"summary": "Summary", **{s.field_name: f"Notes: {s.label}" for s in parts}}


def save_text(
    minutes: Minutes,
    *,
    values: Mapping[str, str],
    base: Mapping[str, str] | None,
    expected_version: int | None,
    by: Person | None,
    reason: str = "",
) -> Minutes:
    """Save the summary and the notes (fields 'summary' and 'note-<item id>'/'note-general')."""

    def attempt() -> Minutes:
        why = check_reason(minutes, reason)
        apply_text(minutes, sections(minutes.meeting, minutes, action_items=[]), values=values,
                   base=base, stale=_stale(minutes, expected_version), by=by, why=why)
        return minutes

    return save(attempt)


def apply_text(minutes: Minutes, parts: list[Section], *, values: Mapping[str, str],
               base: Mapping[str, str] | None, stale: bool, by: Person | None,
               why: str) -> None:
    """The summary and notes merged with what is stored (see save_text), not committed."""
    known = {s.field_name: s for s in parts}
    mine = {name: value for name, value in values.items()
            if name == "summary" or name in known}
    current = text_values(minutes, parts)
    merged = resolve(
        current=current, mine=mine, base=base, stale=stale, labels=text_labels(parts),
        version=minutes.version_id, saved_by=lambda: _saved_by(minutes),
    )
    errors = {name: f"Keep this text to {MAX_TEXT:,} characters or fewer."
              for name, value in merged.items() if len(value) > MAX_TEXT}
    if errors:
        raise InvalidInput(errors)
    before, after = changed_fields(current, merged)
    if not after:
        return
    touch(minutes, by)  # first: the one UPDATE of the minutes raises their version once
    if "summary" in after:
        minutes.summary = after["summary"]
    for name, text in after.items():
        if name == "summary":
            continue
        section = known[name]
        item_id = section.item.id if section.item else None
        note = next((n for n in minutes.notes if n.agenda_item_id == item_id), None)
        if note is None and text:
            minutes.notes.append(MinutesNote(agenda_item_id=item_id, text=text))
        elif note is not None and text:
            note.text = text
        elif note is not None:
            minutes.notes.remove(note)
    labels = text_labels(parts)
    record_change(
        minutes, "text_changed",
        summary="Changed " + ", ".join(labels[name] for name in after),
        before={labels[k]: v for k, v in before.items()},
        after={labels[k]: v for k, v in after.items()},
        by=by, reason=why,
    )


def _saved_by(minutes: Minutes) -> tuple[str | None, Any]:
    person = db.session.get(Person, minutes.updated_by_id) if minutes.updated_by_id else None
    return (person.name if person else None), minutes.updated_at


# --- attendance ----------------------------------------------------------------------------


def attendance_values(minutes: Minutes, seats: list[Membership]) -> dict[str, str]:
    rows = {a.participant_id: a for a in minutes.attendance}
    values = {}
    for seat in seats:
        row = rows.get(seat.participant_id)
        values[f"status-{seat.participant_id}"] = row.status if row else ""
        values[f"delegates-{seat.participant_id}"] = row.delegates if row else ""
    return values


def attendance_labels(seats: list[Membership]) -> dict[str, str]:
    labels = {}
    for seat in seats:
        name = seat.participant.name
        labels[f"status-{seat.participant_id}"] = f"Attendance of {name}"
        labels[f"delegates-{seat.participant_id}"] = f"Delegation of {name}"
    return labels


def save_attendance(
    minutes: Minutes,
    *,
    values: Mapping[str, str],
    base: Mapping[str, str] | None,
    expected_version: int | None,
    by: Person | None,
    reason: str = "",
) -> Minutes:
    """Attendance by delegation: 'status-<participant id>' (present, represented,
    apologies, or '' for not recorded) and 'delegates-<participant id>' (names)."""

    def attempt() -> Minutes:
        why = check_reason(minutes, reason)
        apply_attendance(minutes, members(minutes.meeting.dialogue_id), values=values,
                         base=base, stale=_stale(minutes, expected_version), by=by, why=why)
        return minutes

    return save(attempt)


def save_minutes(
    minutes: Minutes,
    *,
    parts: list[Section],
    seats: list[Membership],
    text: Mapping[str, str],
    text_base: Mapping[str, str] | None,
    attendance: Mapping[str, str],
    attendance_base: Mapping[str, str] | None,
    expected_version: int | None,
    by: Person | None,
    reason: str = "",
) -> Minutes:
    """The text and the attendance (as save_text and save_attendance take them) in one
    transaction: both saved, or, on any error, neither. `parts` and `seats` are the
    minutes' sections and the dialogue's seats, as read for checking the values."""

    def attempt() -> Minutes:
        why = check_reason(minutes, reason)
        stale = _stale(minutes, expected_version)
        apply_attendance(minutes, seats, values=attendance, base=attendance_base,
                         stale=stale, by=by, why=why)
        apply_text(minutes, parts, values=text, base=text_base, stale=stale, by=by, why=why)
        return minutes

    return save(attempt)


def apply_attendance(minutes: Minutes, seats: list[Membership], *,
                     values: Mapping[str, str], base: Mapping[str, str] | None, stale: bool,
                     by: Person | None, why: str) -> None:
    """The attendance merged with what is stored (see save_attendance), not committed."""
    labels = attendance_labels(seats)
    current = attendance_values(minutes, seats)
    mine = {name: value for name, value in values.items() if name in current}
    merged = resolve(
        current=current, mine=mine, base=base, stale=stale, labels=labels,
        version=minutes.version_id, saved_by=lambda: _saved_by(minutes),
    )
    errors = {}
    for seat in seats:
        pid = seat.participant_id
        status = merged.get(f"status-{pid}", current[f"status-{pid}"])
        names = merged.get(f"delegates-{pid}", current[f"delegates-{pid}"])
        if status and status not in tuple(AttendanceStatus):
            errors[f"status-{pid}"] = "Choose present, represented or apologies."
        elif names and not status:
            errors[f"status-{pid}"] = (
                f"Say whether {seat.participant.short_name} was present, represented or "
                "sent apologies, or clear the names."
            )
        if len(names) > MAX_DELEGATES:
            errors[f"delegates-{pid}"] = f"Keep the names to {MAX_DELEGATES:,} characters."
    if errors:
        raise InvalidInput(errors)
    before, after = changed_fields(current, merged)
    if not after:
        return
    touch(minutes, by)
    rows = {a.participant_id: a for a in minutes.attendance}
    for seat in seats:
        pid = seat.participant_id
        status = merged.get(f"status-{pid}", current[f"status-{pid}"])
        names = merged.get(f"delegates-{pid}", current[f"delegates-{pid}"])
        row = rows.get(pid)
        if not status:
            if row is not None:
                minutes.attendance.remove(row)
        elif row is None:
            # An amendment of approved minutes names the delegation as it is now.
            approved_name = (
                seat.participant.name if minutes.status == MinutesStatus.APPROVED else None
            )
            minutes.attendance.append(Attendance(
                participant_id=pid, status=status, delegates=names,
                participant_name=approved_name,
            ))
        else:
            row.status, row.delegates = status, names
    record_change(
        minutes, "attendance_changed", summary="Changed the attendance",
        before={labels[k]: v for k, v in before.items()},
        after={labels[k]: v for k, v in after.items()}, by=by, reason=why,
    )


# --- decisions -----------------------------------------------------------------------------

DECISION_LABELS = {
    "text": "Decision",
    "agenda_item": "Agenda item",
    "commitment": "Commitment",
    "commitment_status": "New status of the commitment",
}


def decision_values(decision: Decision | None) -> dict[str, str]:
    if decision is None:
        return {"text": "", "agenda_item": "", "commitment": "", "commitment_status": ""}
    return {
        "text": decision.text,
        "agenda_item": str(decision.agenda_item_id or ""),
        "commitment": str(decision.commitment_id or ""),
        "commitment_status": decision.commitment_status or "",
    }


def _agenda_item_of(meeting: Meeting, value: str, errors: dict[str, str]) -> int | None:
    if not value:
        return None
    valid = {str(item.id): item.id for _number, item in agenda_items(meeting)}
    if value not in valid:
        errors["agenda_item"] = "Choose an item of this meeting's agenda, or other matters."
        return None
    return valid[value]


def commitment_of(dialogue_id: int, value: str) -> Commitment | None:
    """The commitment `value` names, if it is one of the dialogue's."""
    commitment = db.session.get(Commitment, int(value)) if value.isdigit() else None
    if commitment is None or commitment.dialogue_id != dialogue_id:
        return None
    return commitment


def _commitment_of(meeting: Meeting, value: str, errors: dict[str, str]) -> Commitment | None:
    if not value:
        return None
    commitment = commitment_of(meeting.dialogue_id, value)
    if commitment is None:
        errors["commitment"] = "Choose a commitment of this dialogue."
    return commitment


def _own_change(decision: Decision) -> CommitmentStatusChange | None:
    """The status change this decision made, if it is still the commitment's latest."""
    if decision.id is None or decision.commitment_id is None:
        return None
    latest = db.session.scalar(
        select(CommitmentStatusChange)
        .where(CommitmentStatusChange.commitment_id == decision.commitment_id)
        .order_by(CommitmentStatusChange.changed_at.desc(), CommitmentStatusChange.id.desc())
        .limit(1)
    )
    if latest is not None and latest.decision_id == decision.id and (
        latest.new_status == decision.commitment_status
    ):
        return latest
    return None


def _check_decision(
    minutes: Minutes, values: Mapping[str, str], decision: Decision | None
) -> tuple[str, int | None, Commitment | None, str | None]:
    errors: dict[str, str] = {}
    meeting = minutes.meeting
    text = values.get("text", "")
    if not text:
        errors["text"] = "Enter the decision: what the meeting decided."
    elif len(text) > MAX_TEXT:
        errors["text"] = f"Keep the decision to {MAX_TEXT:,} characters or fewer."
    item_id = _agenda_item_of(meeting, values.get("agenda_item", ""), errors)
    commitment = _commitment_of(meeting, values.get("commitment", ""), errors)
    status = values.get("commitment_status", "") or None
    if status is not None and status not in tuple(CommitmentStatus):
        errors["commitment_status"] = "Choose open, in progress, met or dropped."
    elif status is not None and commitment is None and "commitment" not in errors:
        errors["commitment"] = "Choose the commitment whose status the decision changes."
    elif status is not None and commitment is not None:
        # Its status before this decision (a decision being edited may have set it).
        own = _own_change(decision) if decision is not None else None
        before = own.old_status if own is not None and own.commitment_id == commitment.id \
            else commitment.status
        if before == status:
            errors["commitment_status"] = (
                f"Commitment {commitment.reference} is already "
                f"{CommitmentStatus(status).label.lower()}: choose another status, or "
                "leave the status unchanged."
            )
    if errors:
        raise InvalidInput(errors)
    return text, item_id, commitment, status


def _move_commitment(decision: Decision, previous: tuple[int | None, str | None],
                     minutes: Minutes, by: Person | None) -> None:
    """Make the commitment's status follow the decision: undo what the decision did
    before (if nothing moved the commitment since), then apply what it says now."""
    meeting = minutes.meeting
    now = (decision.commitment_id, decision.commitment_status)
    if previous == now:
        return
    old_commitment_id, old_status = previous
    if old_commitment_id is not None and old_status is not None:
        latest = db.session.scalar(
            select(CommitmentStatusChange)
            .where(CommitmentStatusChange.commitment_id == old_commitment_id)
            .order_by(CommitmentStatusChange.changed_at.desc(), CommitmentStatusChange.id.desc())
            .limit(1)
        )
        if latest is not None and latest.decision_id == decision.id and \
                latest.new_status == old_status:
            commitment = db.session.get(Commitment, old_commitment_id)
            commitment.status = latest.old_status
            if minutes.status == MinutesStatus.DRAFT:
                db.session.delete(latest)  # a draft's history is its own business
            else:
                db.session.add(CommitmentStatusChange(
                    commitment_id=commitment.id, meeting_id=meeting.id,
                    decision_id=decision.id, old_status=old_status,
                    new_status=latest.old_status, changed_by=by,
                    note="The minutes were corrected: the decision no longer sets this status.",
                ))
            db.session.flush()
    if decision.commitment_id is not None and decision.commitment_status is not None:
        commitment = db.session.get(Commitment, decision.commitment_id)
        if commitment.status != decision.commitment_status:
            db.session.add(CommitmentStatusChange(
                commitment_id=commitment.id, meeting_id=meeting.id, decision_id=decision.id,
                old_status=commitment.status, new_status=decision.commitment_status,
                changed_by=by, note=decision.text[:500],
            ))
            commitment.status = decision.commitment_status


def _describe(values: Mapping[str, str]) -> dict[str, str]:
    return {DECISION_LABELS[k]: v for k, v in values.items() if k in DECISION_LABELS}


def add_decision(
    minutes: Minutes,
    *,
    values: Mapping[str, str],
    expected_version: int | None,
    by: Person | None,
    reason: str = "",
) -> Decision:
    """Record a decision (fields text, agenda_item, commitment, commitment_status)."""
    values = {k: (v or "").strip() for k, v in values.items()}

    def attempt() -> Decision:
        why = check_reason(minutes, reason)
        text, item_id, commitment, status = _check_decision(minutes, values, None)
        touch(minutes, by)
        decision = Decision(text=text, agenda_item_id=item_id,
                            commitment_id=commitment.id if commitment else None,
                            commitment_status=status)
        minutes.decisions.append(decision)
        db.session.flush()
        _move_commitment(decision, (None, None), minutes, by)
        record_change(minutes, "decision_added", summary="Added a decision",
                      before={}, after=_describe(decision_values(decision)), by=by, reason=why)
        return decision

    return save(attempt)


def update_decision(
    decision: Decision,
    *,
    values: Mapping[str, str],
    base: Mapping[str, str] | None,
    expected_version: int | None,
    by: Person | None,
    reason: str = "",
) -> Decision:
    minutes = decision.minutes

    def attempt() -> Decision:
        why = check_reason(minutes, reason)
        current = decision_values(decision)
        merged = resolve(
            current=current, mine={k: values.get(k, "") for k in current}, base=base,
            stale=_stale(minutes, expected_version), labels=DECISION_LABELS,
            version=minutes.version_id, saved_by=lambda: _saved_by(minutes),
        )
        text, item_id, commitment, status = _check_decision(minutes, merged, decision)
        before, after = changed_fields(current, merged)
        if not after:
            return decision
        touch(minutes, by)
        previous = (decision.commitment_id, decision.commitment_status)
        decision.text, decision.agenda_item_id = text, item_id
        decision.commitment_id = commitment.id if commitment else None
        decision.commitment_status = status
        db.session.flush()
        _move_commitment(decision, previous, minutes, by)
        record_change(minutes, "decision_changed", summary="Changed a decision",
                      before=_describe(before), after=_describe(after), by=by, reason=why)
        return decision

    return save(attempt)


def delete_decision(
    decision: Decision,
    *,
    base: Mapping[str, str] | None,
    expected_version: int | None,
    by: Person | None,
    reason: str = "",
) -> None:
    minutes = decision.minutes

    def attempt() -> None:
        why = check_reason(minutes, reason)
        before = decision_values(decision)
        if _stale(minutes, expected_version) and base is not None and before != {
            k: (base.get(k) or "").strip() for k in before
        }:
            who, _when = _saved_by(minutes)
            raise EditConflict(
                conflicts=[], values={}, base=before, version=minutes.version_id,
                message=f"{who or 'Someone else'} changed this decision after you opened the "
                        "page, so it was not removed. Read it as it is now and try again.",
            )
        touch(minutes, by)
        previous = (decision.commitment_id, decision.commitment_status)
        decision.commitment_status = None
        _move_commitment(decision, previous, minutes, by)
        minutes.decisions.remove(decision)
        record_change(minutes, "decision_removed", summary="Removed a decision",
                      before=_describe(before), after={}, by=by, reason=why)

    save(attempt)


# --- workflow ------------------------------------------------------------------------------


def _expect_exact(minutes: Minutes, expected_version: int | None, what: str) -> None:
    # Circulating or approving what one has not seen is refused outright.
    if _stale(minutes, expected_version):
        who, _when = _saved_by(minutes)
        raise EditConflict(
            conflicts=[], values={}, base={}, version=minutes.version_id,
            message=f"{who or 'Someone else'} changed the minutes after you opened this page, "
                    f"so they were not {what}. Read them as they are now and try again.",
        )


def circulate_minutes(
    minutes: Minutes, *, expected_version: int | None, by: Person | None, notify: bool = True
) -> int:
    """Draft to circulated (for comments). Returns how many e-mails were queued."""

    def attempt() -> int:
        _expect_exact(minutes, expected_version, "circulated")
        if minutes.status != MinutesStatus.DRAFT:
            raise InvalidInput.on("status", f"These minutes are already {minutes.status}.")
        minutes.status = MinutesStatus.CIRCULATED
        minutes.circulated_at = utcnow()
        touch(minutes, by)
        meeting = minutes.meeting
        audit.record("minutes.circulated", minutes, summary="Minutes circulated for comments",
                     dialogue_id=meeting.dialogue_id, actor=by)
        return _tell_members(minutes, by) if notify else 0

    return save(attempt)


def _tell_members(minutes: Minutes, by: Person | None) -> int:
    from planner.calendar.links import external_url
    from planner.outbox import queue_message

    meeting = minutes.meeting
    people = db.session.scalars(
        select(Person).join(DialogueRole, DialogueRole.person_id == Person.id)
        .where(DialogueRole.dialogue_id == meeting.dialogue_id, Person.active.is_(True))
        .order_by(Person.id)
    ).all()
    link = external_url("minutes.show", meeting_id=meeting.id)
    count = 0
    for person in people:
        if by is not None and person.id == by.id:
            continue
        queue_message(
            kind="minutes_circulated",
            recipient=person.email,
            subject=f"Minutes for comments: {meeting.title}",
            text_body=(
                f"Dear {person.name},\n\n"
                f"The draft minutes of {meeting.title} are circulated for comments.\n"
                f"Read them here: {link}\n\n"
                "Please send any comments to the secretariat.\n"
            ),
            meeting=meeting,
            person=person,
        )
        count += 1
    return count


def approve_minutes(
    minutes: Minutes,
    *,
    method: str,
    meeting_id: str | int | None,
    note: str = "",
    expected_version: int | None,
    by: Person | None,
) -> Minutes:
    """Circulated to approved, at a later meeting (which one) or by written procedure."""
    note = (note or "").strip()

    def attempt() -> Minutes:
        _expect_exact(minutes, expected_version, "approved")
        if minutes.status == MinutesStatus.APPROVED:
            raise InvalidInput.on("status", "These minutes are already approved.")
        if minutes.status != MinutesStatus.CIRCULATED:
            raise InvalidInput.on(
                "status", "Circulate the minutes for comments before approving them."
            )
        errors: dict[str, str] = {}
        approving = None
        if method not in tuple(ApprovalMethod):
            errors["method"] = "Say how the minutes were approved: at a meeting or by " \
                               "written procedure."
        elif method == ApprovalMethod.NEXT_MEETING:
            choices = {m.id: m for m in approving_meetings(minutes.meeting)}
            key = int(meeting_id) if str(meeting_id or "").isdigit() else None
            approving = choices.get(key)
            if approving is None:
                errors["meeting"] = (
                    "Choose the later meeting that approved them (one that has taken place)."
                    if choices else
                    "No later meeting of this dialogue has taken place yet: approve them by "
                    "written procedure, or after the next meeting."
                )
        if len(note) > MAX_REASON:
            errors["note"] = f"Keep the note to {MAX_REASON} characters."
        if errors:
            raise InvalidInput(errors)
        minutes.status = MinutesStatus.APPROVED
        minutes.approved_at = utcnow()
        minutes.approved_by_id = by.id if by else None
        minutes.approval = MinutesApproval(method=method, meeting=approving, note=note)
        for row in minutes.attendance:
            row.participant_name = row.participant.name
        touch(minutes, by)
        how = ApprovalMethod(method).label.lower()
        if approving is not None:
            how += f" ({approving.title}, {format_date(approving.local_start.date())})"
        audit.record("minutes.approved", minutes, summary=f"Minutes approved {how}",
                     details={"method": method, "meeting_id": approving.id if approving else None,
                              "note": note},
                     dialogue_id=minutes.meeting.dialogue_id, actor=by)
        return minutes

    return save(attempt)


def approval_default(meeting: Meeting) -> tuple[str, int | None]:
    choices = approving_meetings(meeting)
    if choices:
        return ApprovalMethod.NEXT_MEETING, choices[0].id
    return ApprovalMethod.WRITTEN_PROCEDURE, None


def today_in(meeting: Meeting) -> date:
    return utcnow().astimezone(meeting.zone).date()
