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
from planner.demo import content, statements
from planner.models import (
    ActionItem,
    ActionItemStatus,
    Attendance,
    AttendanceStatus,
    AuditEvent,
    Commitment,
    CommitmentStatusChange,
    Decision,
    Dialogue,
    DialogueLevel,
    DialogueRole,
    DocumentKind,
    DocumentSection,
    HostRotation,
    InviteeRole,
    Meeting,
    MeetingInvitee,
    MeetingStatus,
    Membership,
    MembershipRole,
    Minutes,
    MinutesStatus,
    Participant,
    Person,
    SourceDocument,
    Theme,
)
from planner.scheduling.holidays import next_working_day
from planner.scheduling.series import HostSlot, extend_series


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
    found = {p.short_name: p for p in session.scalars(select(Participant))}
    for spec in content.PARTICIPANTS:
        if spec.short_name not in found:
            participant = Participant(
                short_name=spec.short_name,
                name=spec.name,
                kind=spec.kind,
                country_code=spec.country_code,
                timezone=spec.timezone,
            )
            session.add(participant)
            found[spec.short_name] = participant
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


def _sections(
    document: SourceDocument, parsed: list[statements.Section]
) -> dict[str, DocumentSection]:
    sections = {}
    for position, section in enumerate(parsed, start=1):
        sections[section.label] = DocumentSection(
            position=position, label=section.label, heading=section.heading, text=section.text
        )
        document.sections.append(sections[section.label])
    return sections


def _themes(dialogue: Dialogue, specs: list[tuple[str, str]]) -> dict[str, Theme]:
    themes = {}
    for position, (code, name) in enumerate(specs, start=1):
        # Coalition themes have internal codes only; UK–Albania's are the section numbers.
        shown = code if code.isupper() and all(c in "IVX" for c in code) else None
        themes[code] = Theme(code=shown, name=name, position=position)
        dialogue.themes.append(themes[code])
    return themes


def _commitments(
    dialogue: Dialogue,
    specs: list[content.CommitmentSpec],
    sections: dict[str, DocumentSection],
    themes: dict[str, Theme],
    participants: dict[str, Participant],
) -> dict[str, Commitment]:
    commitments = {}
    for position, spec in enumerate(specs, start=1):
        section = sections[spec.section]
        if spec.quote not in section.text:
            raise DemoContentError(
                f"commitment {spec.reference} does not quote section {spec.section} word for word"
            )
        commitment = Commitment(
            reference=spec.reference,
            position=position,
            title=spec.title,
            quote=spec.quote,
            status=spec.status,
            section=section,
            theme=themes[spec.theme] if spec.theme else None,
            leads=[participants[code] for code in spec.leads],
        )
        dialogue.commitments.append(commitment)
        commitments[spec.reference] = commitment
    return commitments


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
    dialogue = Dialogue(
        slug=content.UK_ALBANIA_SLUG,
        name="UK–Albania Senior Officials' Dialogue on Home Affairs",
        short_name="UK–Albania",
        description=(
            "Established by the Statement of cooperation on Home Affairs between the Ministry "
            "of Interior of the Republic of Albania and the Home Office of the United Kingdom "
            "(London, November 2023) to review progress once a year."
        ),
        level=DialogueLevel.SENIOR_OFFICIALS,
        cadence="Once a year, in November",
        recurrence_rule="FREQ=YEARLY;BYMONTH=11",
        window_start_month=11,
        window_end_month=11,
    )
    for code in ("UK", "AL"):
        dialogue.memberships.append(
            Membership(participant=participants[code], role=MembershipRole.MEMBER)
        )
    document = SourceDocument(
        kind=DocumentKind.STATEMENT,
        title=(
            "Statement of cooperation on Home Affairs between Ministry of Interior of the "
            "Republic of Albania and the Home Office of the United Kingdom"
        ),
        place="London",
        issued_on=date(2023, 11, 29),
        published_on=date(2023, 11, 29),
    )
    dialogue.documents.append(document)
    sections = _sections(document, statements.uk_albania_sections())
    themes = _themes(dialogue, content.UK_ALBANIA_THEMES)
    _commitments(dialogue, content.UK_ALBANIA_COMMITMENTS, sections, themes, participants)
    session.add(dialogue)
    session.flush()

    day = next_uk_albania_day(today)
    dialogue.series_start = day
    # Hosts alternate. London signed the statement in 2023, so odd years are in London.
    london = HostRotation(participant=participants["UK"], city="London",
                          venue="Home Office, 2 Marsham Street", timezone="Europe/London")
    tirana = HostRotation(participant=participants["AL"], city="Tirana",
                          venue="Ministry of Interior", timezone="Europe/Tirane")
    dialogue.host_rotation = [london, tirana] if day.year % 2 else [tirana, london]
    for position, slot in enumerate(dialogue.host_rotation, start=1):
        slot.position = position
    session.flush()
    _series(session, dialogue, today)
    _audit_loaded(session, dialogue)
    add_default_standing_items(dialogue)


def _load_coalition(session: Session, participants: dict[str, Participant], today: date) -> None:
    dialogue = Dialogue(
        slug=content.COALITION_SLUG,
        name="Coalition of European countries against serious and organised crime",
        short_name="Coalition",
        description=(
            "Belgium, Germany, France, Italy, Spain and the Netherlands, with the European "
            "Commission, Europol and Eurojust taking part, working as a united front against "
            "organised crime under a multi-year action plan agreed in Amsterdam."
        ),
        level=DialogueLevel.MINISTERIAL,
        cadence="Regular meetings; the next one each spring",
        recurrence_rule="FREQ=YEARLY;BYMONTH=4",
        window_start_month=3,
        window_end_month=5,
    )
    for code in content.COALITION_MEMBERS:
        dialogue.memberships.append(
            Membership(participant=participants[code], role=MembershipRole.MEMBER)
        )
    for code in content.COALITION_OBSERVERS:
        dialogue.memberships.append(
            Membership(participant=participants[code], role=MembershipRole.OBSERVER)
        )
    document = SourceDocument(
        kind=DocumentKind.ACTION_PLAN,
        title="Coalition of European countries fighting organised crime",
        place="Amsterdam",
        issued_on=date(2022, 10, 7),
        published_on=date(2022, 10, 7),
    )
    dialogue.documents.append(document)
    sections = _sections(document, statements.coalition_sections())
    themes = _themes(dialogue, content.COALITION_THEMES)
    commitments = _commitments(
        dialogue, content.COALITION_COMMITMENTS, sections, themes, participants
    )
    session.add(dialogue)
    session.flush()

    amsterdam_day, antwerp_day = coalition_days(today)
    dialogue.series_start = antwerp_day
    # Antwerp is agreed; after it, the members in the order the statement names them,
    # for the secretariat to change when the coalition agrees its own order.
    dialogue.host_rotation = [
        HostRotation(position=position, participant=participants[code], city=city,
                     venue="", timezone=zone)
        for position, (code, city, zone) in enumerate(COALITION_ROTATION, start=1)
    ]
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
    _audit_loaded(session, dialogue)
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


def _audit_loaded(session: Session, dialogue: Dialogue) -> None:
    session.add(
        AuditEvent(
            action="dialogue.created",
            entity_type="dialogue",
            entity_id=dialogue.id,
            dialogue_id=dialogue.id,
            summary="Loaded from the demo data",
            actor_email="planner demo",
        )
    )
