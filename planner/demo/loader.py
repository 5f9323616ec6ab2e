"""`planner demo`: the two dialogues of the shipped statements, placed around today.

The documents keep their own dates. The meetings are placed relative to the day of
loading, so that a held meeting (with minutes) and an upcoming one always exist.
Loading is idempotent: what exists already (found by its natural key) is left alone.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session
from werkzeug.security import generate_password_hash

from planner.agendas.operations import add_default_standing_items
from planner.commitments.operations import change_status
from planner.demo import content, statements
from planner.dialogues.operations import DialogueSettings, create_dialogue, create_theme
from planner.documents.operations import (
    CandidateTerms,
    DocumentDetails,
    accept_candidate,
    import_document,
    reject_candidate,
)
from planner.models import (
    ActionItem,
    ActionItemStatus,
    Attendance,
    AttendanceStatus,
    Commitment,
    CommitmentStatusChange,
    Decision,
    Dialogue,
    DialogueLevel,
    DialogueRole,
    DocumentKind,
    InviteeRole,
    Meeting,
    MeetingInvitee,
    MeetingStatus,
    MembershipRole,
    Minutes,
    MinutesStatus,
    Participant,
    Person,
)
from planner.participants.operations import ParticipantDetails, create_participant
from planner.people.operations import add_membership
from planner.scheduling.holidays import next_working_day
from planner.scheduling.series import HostSlot, add_host, extend_series


class DemoContentError(RuntimeError):
    """The demo content does not match the statements it claims to quote."""


@dataclass
class DemoResult:
    created: list[str] = field(default_factory=list)
    accounts: list[content.AccountSpec] = field(default_factory=lambda: list(content.ACCOUNTS))


def load_demo(session: Session, *, today: date, password: str) -> DemoResult:
    result = DemoResult()
    participants = _participants(session, result)
    if _dialogue(session, content.UK_ALBANIA_SLUG) is None:
        _load_uk_albania(session, participants, today)
        result.created.append("UK–Albania senior officials' dialogue")
    if _dialogue(session, content.COALITION_SLUG) is None:
        _load_coalition(session, participants, today)
        result.created.append("Coalition against organised crime")
    _accounts(session, participants, password, result)
    session.commit()
    return result


# --- participants and accounts ------------------------------------------------------


def _participants(session: Session, result: DemoResult) -> dict[str, Participant]:
    """The register, entered as the secretariat enters it."""
    found = {p.short_name: p for p in session.scalars(select(Participant))}
    for spec in content.PARTICIPANTS:
        if spec.short_name not in found:
            found[spec.short_name] = create_participant(ParticipantDetails(
                kind=spec.kind, name=spec.name, short_name=spec.short_name,
                timezone=spec.timezone, country_code=spec.country_code or ""), by=None)
            result.created.append(f"participant {spec.short_name}")
    session.flush()
    return found


def _accounts(
    session: Session, participants: dict[str, Participant], password: str, result: DemoResult
) -> None:
    dialogues = {d.slug: d for d in session.scalars(select(Dialogue))}
    # One hash for the one shared demo password: hashing is slow on purpose.
    password_hash = generate_password_hash(password)
    for spec in content.ACCOUNTS:
        if session.scalar(select(Person).where(Person.email == spec.email)) is not None:
            continue
        person = Person(
            email=spec.email,
            name=spec.name,
            participant=participants[spec.participant] if spec.participant else None,
            timezone=spec.timezone,
            is_secretariat=spec.is_secretariat,
        )
        person.password_hash = password_hash
        for slug, role in spec.dialogue_roles.items():
            person.dialogue_roles.append(DialogueRole(dialogue=dialogues[slug], role=role))
        session.add(person)
        result.created.append(f"account {spec.email}")
    session.flush()
    # Invite the demo people to the meetings of their dialogues.
    for meeting in session.scalars(select(Meeting)):
        invited = {i.person_id for i in meeting.invitees}
        for role in session.scalars(
            select(DialogueRole).where(DialogueRole.dialogue_id == meeting.dialogue_id)
        ):
            if role.person_id in invited:
                continue
            meeting.invitees.append(_invitee(role))
    session.flush()


def _invitee(role: DialogueRole) -> MeetingInvitee:
    kind = {
        "chair": InviteeRole.CHAIR,
        "delegate": InviteeRole.REQUIRED,
        "observer": InviteeRole.OPTIONAL,
    }[role.role]
    return MeetingInvitee(person_id=role.person_id, role=kind)


# --- the dialogues -------------------------------------------------------------------


def _dialogue(session: Session, slug: str) -> Dialogue | None:
    return session.scalar(select(Dialogue).where(Dialogue.slug == slug))


def _set_up(
    session: Session,
    settings: DialogueSettings,
    slug: str,
    seats: list[tuple[str, str]],
    themes: list[tuple[str, str]],
    document: DocumentDetails,
    statement: str,
    commitments: list[content.CommitmentSpec],
    participants: dict[str, Participant],
) -> tuple[Dialogue, dict[str, Commitment]]:
    """A dialogue set up as the secretariat does it: its settings, seats and themes, then
    its statement imported and the review of what the import proposes. The commitments of
    the demo content are accepted, with their titles, themes and leads; any other
    candidate is rejected. A commitment the import does not propose is an error: the demo
    is there to prove the import."""
    dialogue = create_dialogue(settings, by=None, slug=slug)
    for code, role in seats:
        add_membership(dialogue, participants[code], role, by=None)
    by_code = {}
    for code, name in themes:
        # Coalition themes have internal codes only; UK–Albania's are the section numbers.
        shown = code if set(code) <= set("IVX") else ""
        by_code[code] = create_theme(dialogue, name=name, code=shown, by=None)
    imported = import_document(dialogue, document, text=statements.read(statement), by=None)
    proposed = {(c.section.label, c.quote): c for c in imported.candidates}
    accepted: dict[str, Commitment] = {}
    for spec in commitments:
        candidate = proposed.pop((spec.section, spec.quote), None)
        if candidate is None:
            raise DemoContentError(
                f"the import of {statement} does not propose commitment {spec.reference} "
                f"in section {spec.section} word for word")
        accept_candidate(candidate, CandidateTerms(
            title=spec.title, theme_id=by_code[spec.theme].id if spec.theme else None,
            lead_ids=tuple(participants[code].id for code in spec.leads)), by=None)
        commitment = session.get(Commitment, candidate.commitment_id)
        if commitment.reference != spec.reference:
            raise DemoContentError(f"commitment {spec.reference} came out as "
                                   f"{commitment.reference}")
        if spec.status_note:
            change_status(commitment, status=spec.status, note=spec.status_note, by=None)
        accepted[spec.reference] = commitment
    for candidate in proposed.values():
        reject_candidate(candidate, by=None)
    return dialogue, accepted


def _at(day: date, hour: int, minute: int, zone: str) -> datetime:
    """A wall-clock time in the venue's zone, as an instant in UTC."""
    return datetime.combine(day, time(hour, minute), ZoneInfo(zone)).astimezone(UTC)


def next_uk_albania_day(today: date) -> date:
    """The dialogue meets in November: the next mid-November working day that is at
    least two weeks away and inside the coming twelve months."""
    year = today.year if today + timedelta(days=14) <= date(today.year, 11, 30) else today.year + 1
    earliest = max(date(year, 11, 1), today + timedelta(days=14))
    target = max(earliest, min(date(year, 11, 15), today + timedelta(days=350)))
    return next_working_day(target, ("GB", "AL"))


def coalition_days(today: date) -> tuple[date, date]:
    """(Amsterdam, held a few weeks ago; Antwerp, in the coming spring)."""
    amsterdam = next_working_day(today - timedelta(days=21), ("NL",), step=-1)
    # Three weeks after Amsterdam, "next spring" is this year's until April begins.
    spring = today.year if today < date(today.year, 4, 1) else today.year + 1
    antwerp = next_working_day(date(spring, 4, 20), content.COALITION_MEMBERS)
    return amsterdam, antwerp


def _load_uk_albania(
    session: Session, participants: dict[str, Participant], today: date
) -> None:
    dialogue, _ = _set_up(
        session,
        DialogueSettings(
            name="UK–Albania Senior Officials' Dialogue on Home Affairs",
            short_name="UK–Albania",
            description=(
                "Established by the Statement of cooperation on Home Affairs between the "
                "Ministry of Interior of the Republic of Albania and the Home Office of the "
                "United Kingdom (London, November 2023) to review progress once a year."
            ),
            level=DialogueLevel.SENIOR_OFFICIALS,
            cadence="Once a year, in November",
            venue_timezone="Europe/London",
        ),
        content.UK_ALBANIA_SLUG,
        [("UK", MembershipRole.MEMBER), ("AL", MembershipRole.MEMBER)],
        content.UK_ALBANIA_THEMES,
        DocumentDetails(
            kind=DocumentKind.STATEMENT,
            title=(
                "Statement of cooperation on Home Affairs between Ministry of Interior of the "
                "Republic of Albania and the Home Office of the United Kingdom"
            ),
            place="London",
            issued_on=date(2023, 11, 29),
            published_on=date(2023, 11, 29),
        ),
        statements.UK_ALBANIA,
        content.UK_ALBANIA_COMMITMENTS,
        participants,
    )
    dialogue.recurrence_rule = "FREQ=YEARLY;BYMONTH=11"
    dialogue.window_start_month = dialogue.window_end_month = 11
    day = next_uk_albania_day(today)
    dialogue.series_start = day
    # Hosts alternate. London signed the statement in 2023, so odd years are in London.
    london = ("UK", "London", "Home Office, 2 Marsham Street", "Europe/London")
    tirana = ("AL", "Tirana", "Ministry of Interior", "Europe/Tirane")
    for code, city, venue, zone in [london, tirana] if day.year % 2 else [tirana, london]:
        add_host(dialogue, participant=participants[code], city=city, venue=venue,
                 timezone=zone, by=None)
    session.flush()
    _series(session, dialogue, today)
    add_default_standing_items(dialogue)


def _load_coalition(session: Session, participants: dict[str, Participant], today: date) -> None:
    dialogue, commitments = _set_up(
        session,
        DialogueSettings(
            name="Coalition of European countries against serious and organised crime",
            short_name="Coalition",
            description=(
                "Belgium, Germany, France, Italy, Spain and the Netherlands, with the European "
                "Commission, Europol and Eurojust taking part, working as a united front "
                "against organised crime under a multi-year action plan agreed in Amsterdam."
            ),
            level=DialogueLevel.MINISTERIAL,
            cadence="Regular meetings; the next one each spring",
            venue_timezone="Europe/Brussels",
        ),
        content.COALITION_SLUG,
        [(code, MembershipRole.MEMBER) for code in content.COALITION_MEMBERS]
        + [(code, MembershipRole.OBSERVER) for code in content.COALITION_OBSERVERS],
        content.COALITION_THEMES,
        DocumentDetails(
            kind=DocumentKind.ACTION_PLAN,
            title="Coalition of European countries fighting organised crime",
            place="Amsterdam",
            issued_on=date(2022, 10, 7),
            published_on=date(2022, 10, 7),
        ),
        statements.COALITION,
        content.COALITION_COMMITMENTS,
        participants,
    )
    dialogue.recurrence_rule = "FREQ=YEARLY;BYMONTH=4"
    dialogue.window_start_month, dialogue.window_end_month = 3, 5
    session.flush()

    amsterdam_day, antwerp_day = coalition_days(today)
    dialogue.series_start = antwerp_day
    # Antwerp is agreed; after it, the members in the order the statement names them,
    # for the secretariat to change when the coalition agrees its own order.
    for code, city, zone in COALITION_ROTATION:
        add_host(dialogue, participant=participants[code], city=city, venue="", timezone=zone,
                 by=None)
    amsterdam = Meeting(
        dialogue=dialogue,
        title="Coalition ministerial meeting, Amsterdam",
        status=MeetingStatus.HELD,
        starts_at=_at(amsterdam_day, 10, 0, "Europe/Amsterdam"),
        ends_at=_at(amsterdam_day, 16, 0, "Europe/Amsterdam"),
        timezone="Europe/Amsterdam",
        city="Amsterdam",
        venue="",
        host=participants["NL"],
    )
    session.add(amsterdam)
    session.flush()
    _series(session, dialogue, today)
    _amsterdam_minutes(session, dialogue, amsterdam, commitments, participants, today)
    add_default_standing_items(dialogue)


def _amsterdam_minutes(
    session: Session,
    dialogue: Dialogue,
    amsterdam: Meeting,
    commitments: dict[str, Commitment],
    participants: dict[str, Participant],
    today: date,
) -> None:
    minutes = Minutes(
        meeting=amsterdam,
        status=MinutesStatus.CIRCULATED,
        summary=(
            "The justice and interior ministers and representatives of the six countries "
            "agreed a multi-year action plan to work as a united front against organised "
            "crime. The European Commission, Europol and Eurojust took part in the discussion."
        ),
        circulated_at=amsterdam.ends_at + timedelta(days=3),
    )
    for code in content.COALITION_MEMBERS + content.COALITION_OBSERVERS:
        minutes.attendance.append(
            Attendance(participant=participants[code], status=AttendanceStatus.PRESENT)
        )
    minutes.decisions.append(
        Decision(
            text="The six countries agree the multi-year action plan against organised crime.",
        )
    )
    minutes.decisions.append(
        Decision(text="The group will meet again next spring in the Belgian port city of Antwerp.",
                 commitment=commitments["¶7.1"])
    )
    platform = commitments["¶5.1"]
    platform.status = "in_progress"  # by the decision below, as the minutes record it
    start_platform = Decision(
        text="Work starts on the platform for the ports, airports and transport corridors.",
        commitment=platform,
        commitment_status="in_progress",
    )
    minutes.decisions.append(start_platform)
    session.add(minutes)
    session.flush()
    session.add(
        CommitmentStatusChange(
            commitment=platform,
            meeting_id=amsterdam.id,
            decision_id=start_platform.id,
            old_status="open",
            new_status="in_progress",
            changed_at=amsterdam.ends_at,
            note="Decided at the Amsterdam meeting.",
        )
    )
    held = amsterdam.ends_at
    session.add_all(
        [
            ActionItem(
                dialogue=dialogue,
                meeting=amsterdam,
                commitment=platform,
                owner=participants["NL"],
                title="Share a first outline of the platform for the ports and logistics hubs",
                due_on=today - timedelta(days=3),
                created_at=held,
            ),
            ActionItem(
                dialogue=dialogue,
                meeting=amsterdam,
                commitment=commitments["¶7.1"],
                owner=participants["BE"],
                title="Propose dates and a venue in Antwerp for the spring meeting",
                due_on=today + timedelta(days=21),
                created_at=held,
            ),
            ActionItem(
                dialogue=dialogue,
                meeting=amsterdam,
                owner=participants["NL"],
                title="Circulate the agreed multi-year action plan to all participants",
                due_on=amsterdam.local_start.date() + timedelta(days=7),
                status=ActionItemStatus.DONE,
                outcome="Circulated to the members and observers.",
                closed_at=held + timedelta(days=2),
                created_at=held,
            ),
        ]
    )


COALITION_ROTATION = [
    ("BE", "Antwerp", "Europe/Brussels"),
    ("DE", "Berlin", "Europe/Berlin"),
    ("FR", "Paris", "Europe/Paris"),
    ("IT", "Rome", "Europe/Rome"),
    ("ES", "Madrid", "Europe/Madrid"),
    ("NL", "The Hague", "Europe/Amsterdam"),
]


def _series(session: Session, dialogue: Dialogue, today: date) -> None:
    """The series' meetings up to the horizon, the first of them being the next one."""
    session.flush()
    extend_series(dialogue, today=today, by=None, title_for=_series_title)


def _series_title(dialogue: Dialogue, day: date, slot: HostSlot | None) -> str:
    if dialogue.slug == content.UK_ALBANIA_SLUG:
        return f"UK–Albania Senior Officials' Dialogue {day.year}"
    return f"Coalition ministerial meeting, {slot.city if slot else day.year}"
