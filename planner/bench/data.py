"""A secretariat's ten years, made in bulk for the benchmark.

Rows go in as lists of dicts through SQLAlchemy Core, in batches, with ids chosen here
(after the highest already in each table) so that children can point at their parents
without a round trip. Seeded: the same scale and seed give the same data.
"""

from __future__ import annotations

import random
import time as clock
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from sqlalchemy import Table, func, select, text
from werkzeug.security import generate_password_hash

from planner.extensions import db
from planner.models import (
    ActionItemStatus,
    AgendaItemKind,
    AttendanceStatus,
    Base,
    Classification,
    CommitmentStatus,
    DialogueLevel,
    DialogueRoleKind,
    DocumentKind,
    InviteeRole,
    MeetingFormat,
    MeetingStatus,
    MembershipRole,
    MinutesStatus,
    ParticipantKind,
    Person,
    Response,
    StandingPlacement,
)

BATCH = 5000
EMAIL_DOMAIN = "bench.example.org"
BENCH_EMAIL = f"bench@{EMAIL_DOMAIN}"

# ISO codes that the `holidays` package knows, with a zone and a city for each.
STATES = [
    ("GB", "Europe/London", "London"), ("AL", "Europe/Tirane", "Tirana"),
    ("NL", "Europe/Amsterdam", "The Hague"), ("BE", "Europe/Brussels", "Brussels"),
    ("FR", "Europe/Paris", "Paris"), ("DE", "Europe/Berlin", "Berlin"),
    ("IT", "Europe/Rome", "Rome"), ("ES", "Europe/Madrid", "Madrid"),
    ("PT", "Europe/Lisbon", "Lisbon"), ("IE", "Europe/Dublin", "Dublin"),
    ("SE", "Europe/Stockholm", "Stockholm"), ("NO", "Europe/Oslo", "Oslo"),
    ("DK", "Europe/Copenhagen", "Copenhagen"), ("FI", "Europe/Helsinki", "Helsinki"),
    ("PL", "Europe/Warsaw", "Warsaw"), ("CZ", "Europe/Prague", "Prague"),
    ("SK", "Europe/Bratislava", "Bratislava"), ("AT", "Europe/Vienna", "Vienna"),
    ("CH", "Europe/Zurich", "Bern"), ("HU", "Europe/Budapest", "Budapest"),
    ("RO", "Europe/Bucharest", "Bucharest"), ("BG", "Europe/Sofia", "Sofia"),
    ("GR", "Europe/Athens", "Athens"), ("HR", "Europe/Zagreb", "Zagreb"),
    ("SI", "Europe/Ljubljana", "Ljubljana"), ("RS", "Europe/Belgrade", "Belgrade"),
    ("ME", "Europe/Podgorica", "Podgorica"), ("MK", "Europe/Skopje", "Skopje"),
    ("BA", "Europe/Sarajevo", "Sarajevo"), ("LT", "Europe/Vilnius", "Vilnius"),
    ("LV", "Europe/Riga", "Riga"), ("EE", "Europe/Tallinn", "Tallinn"),
    ("LU", "Europe/Luxembourg", "Luxembourg"), ("MT", "Europe/Malta", "Valletta"),
    ("CY", "Asia/Nicosia", "Nicosia"), ("IS", "Atlantic/Reykjavik", "Reykjavik"),
    ("UA", "Europe/Kyiv", "Kyiv"), ("MD", "Europe/Chisinau", "Chisinau"),
    ("GE", "Asia/Tbilisi", "Tbilisi"), ("AM", "Asia/Yerevan", "Yerevan"),
    ("AZ", "Asia/Baku", "Baku"), ("TR", "Europe/Istanbul", "Ankara"),
    ("US", "America/New_York", "Washington"), ("CA", "America/Toronto", "Ottawa"),
    ("AU", "Australia/Sydney", "Canberra"), ("NZ", "Pacific/Auckland", "Wellington"),
    ("JP", "Asia/Tokyo", "Tokyo"), ("KR", "Asia/Seoul", "Seoul"),
    ("MA", "Africa/Casablanca", "Rabat"), ("CO", "America/Bogota", "Bogotá"),
]
INSTITUTIONS = [
    "Europol", "Eurojust", "Interpol", "UNODC", "OSCE", "Council of Europe",
    "European Commission", "FATF", "World Customs Organization", "Frontex",
]
LEVELS = tuple(DialogueLevel)
TOPICS = [
    "illicit finance", "ports and logistics hubs", "migrant smuggling", "cybercrime",
    "firearms trafficking", "drug precursors", "asset recovery", "witness protection",
    "border management", "judicial cooperation", "corruption", "trafficking in persons",
]
VERBS = ["Strengthen", "Establish", "Review", "Share", "Develop", "Coordinate", "Report on",
         "Train staff on", "Map", "Exchange liaison officers on"]

MEETINGS_PER_DIALOGUE = 24          # twice a year: ten years past, two ahead
BIG_COMMITMENTS, BIG_ACTIONS = 2000, 5000
WRITERS = 8                         # the benchmark's clients that write, each its own row
FEED_DIALOGUES = 20                 # the benchmark person's dialogues: ~500 meetings


@dataclass
class BenchData:
    scale: int
    seconds: float = 0.0
    rows: int = 0
    counts: dict[str, int] = field(default_factory=dict)
    person_id: int = 0
    person_email: str = BENCH_EMAIL
    password: str = ""
    big_dialogue_id: int = 0
    big_meeting_id: int = 0
    past_meeting_id: int = 0
    feed_meetings: int = 0
    feed_token: str = ""
    api_token: str = ""
    # A secretariat person's feed: every meeting of every dialogue.
    secretariat_feed_meetings: int = 0
    secretariat_feed_token: str = ""
    # What the benchmark's writes change, one for each of its clients: draft minutes of
    # held meetings of the big dialogue, and open action items of it.
    draft_minutes_meeting_ids: list[int] = field(default_factory=list)
    action_item_ids: list[int] = field(default_factory=list)

    def summary(self) -> dict[str, Any]:
        return {
            "scale": self.scale, "rows": self.rows, "seconds": round(self.seconds, 1),
            "person_id": self.person_id, "person_email": self.person_email,
            "password": self.password, "big_dialogue_id": self.big_dialogue_id,
            "big_meeting_id": self.big_meeting_id, "past_meeting_id": self.past_meeting_id,
            "feed_meetings": self.feed_meetings, "feed_token": self.feed_token,
            "api_token": self.api_token,
            "secretariat_feed_meetings": self.secretariat_feed_meetings,
            "secretariat_feed_token": self.secretariat_feed_token,
            "draft_minutes_meeting_ids": self.draft_minutes_meeting_ids,
            "action_item_ids": self.action_item_ids,
            **{f"rows_{k}": v for k, v in self.counts.items()},
        }


class Ids:
    """The next free id of each table."""

    def __init__(self) -> None:
        self._next: dict[str, int] = {}

    def take(self, table: str) -> int:
        if table not in self._next:
            t = Base.metadata.tables[table]
            self._next[table] = (db.session.scalar(select(func.max(t.c.id))) or 0) + 1
        value = self._next[table]
        self._next[table] = value + 1
        return value


def _utc(day: date, at: time) -> datetime:
    return datetime.combine(day, at, tzinfo=UTC)


def generate(*, scale: int = 1, seed: int = 10, password: str,
             progress: Callable[[float], None] = lambda _f: None,
             today: date | None = None) -> BenchData:
    started = clock.perf_counter()
    rng = random.Random(seed)
    today = today or date.today()
    now = datetime.now(UTC)
    ids = Ids()
    out = BenchData(scale=scale, password=password)
    rows: dict[str, list[dict[str, Any]]] = {}

    def add(table: str, row: dict[str, Any]) -> dict[str, Any]:
        if "id" in Base.metadata.tables[table].c and table != "commitment_lead":
            row.setdefault("id", ids.take(table))
        rows.setdefault(table, []).append(row)
        return row

    # Unique names must not clash with the demo or an earlier run.
    run = (db.session.scalar(select(func.count()).select_from(
        Base.metadata.tables["dialogue"]).where(text("slug LIKE 'bench-%'"))) or 0)
    tag = f"r{run}" if run else ""

    # --- participants -------------------------------------------------------------------
    participants = []
    for i in range(60 * scale):
        suffix = f" {tag}{i // 60 + 1}" if scale > 1 or tag else ""
        if i % 60 < len(STATES):
            code, zone, city = STATES[i % 60]
            p = add("participant", dict(kind=ParticipantKind.STATE.value,
                                        name=f"Republic of {code}{suffix} (bench)",
                                        short_name=f"{code}{suffix} b", country_code=code,
                                        timezone=zone, created_at=now))
        else:
            name = INSTITUTIONS[i % 60 - len(STATES)]
            zone, city = "Europe/Brussels", "Brussels"
            p = add("participant", dict(kind=ParticipantKind.INSTITUTION.value,
                                        name=f"{name}{suffix} (bench)",
                                        short_name=f"{name[:24]}{suffix} b", country_code=None,
                                        timezone=zone, created_at=now))
        p["_city"] = city
        participants.append(p)
    states = [p for p in participants if p["kind"] == ParticipantKind.STATE.value]
    institutions = [p for p in participants if p["kind"] != ParticipantKind.STATE.value]
    home = states[0]  # the benchmark person's delegation

    # --- people ---------------------------------------------------------------------------
    people_of: dict[int, list[dict[str, Any]]] = {}
    bench = add("person", dict(email=f"bench{tag}@{EMAIL_DOMAIN}" if tag else BENCH_EMAIL,
                               name="Benchmark Person",
                               password_hash=generate_password_hash(password),
                               participant_id=home["id"], is_secretariat=False,
                               active=True, created_at=now - timedelta(days=3650)))
    for i in range(2000 * scale - 1):
        p = participants[i % len(participants)]
        person = add("person", dict(email=f"person{tag}{i}@{EMAIL_DOMAIN}",
                                    name=f"Delegate {i} of {p['short_name']}",
                                    password_hash=None, participant_id=p["id"],
                                    is_secretariat=i % 200 == 0, active=True,
                                    created_at=now - timedelta(days=rng.randint(0, 3650))))
        people_of.setdefault(p["id"], []).append(person)

    # --- dialogues and their seats --------------------------------------------------------
    past_start = today - timedelta(days=3650)
    dialogue_count = 200 * scale
    plan: list[dict[str, Any]] = []
    for d in range(dialogue_count):
        topic = TOPICS[d % len(TOPICS)]
        dialogue = add("dialogue", dict(
            name=f"Bench dialogue {tag}{d + 1} on {topic}", short_name=f"BD{tag}{d + 1}",
            slug=f"bench-{tag}{d + 1}", description=f"Cooperation on {topic}.",
            level=LEVELS[d % len(LEVELS)].value, cadence="twice a year",
            recurrence_rule=None, series_start=None, meeting_days=1 + d % 2,
            default_start=time(9, 30), default_end=time(17, 0), horizon_months=24,
            classification=(Classification.OFFICIAL_SENSITIVE.value if d % 10 == 9
                            else Classification.OFFICIAL.value),
            created_at=_utc(past_start - timedelta(days=30), time(9))))
        members = rng.sample(states[1:], rng.randint(5, 11))
        if d < FEED_DIALOGUES:
            members.insert(0, home)
        observers = rng.sample(institutions, rng.randint(0, 3))
        for p in members:
            add("membership", dict(dialogue_id=dialogue["id"], participant_id=p["id"],
                                   role=MembershipRole.MEMBER.value, joined_on=past_start))
        for p in observers:
            add("membership", dict(dialogue_id=dialogue["id"], participant_id=p["id"],
                                   role=MembershipRole.OBSERVER.value, joined_on=past_start))
        themes = [add("theme", dict(dialogue_id=dialogue["id"], code=chr(65 + t),
                                    name=TOPICS[(d + t) % len(TOPICS)].capitalize(),
                                    position=t)) for t in range(4)]
        document = add("source_document", dict(
            dialogue_id=dialogue["id"], kind=DocumentKind.ACTION_PLAN.value,
            title=f"Action plan of the {dialogue['name']}", place=members[0]["_city"],
            issued_on=past_start, published_on=past_start))
        sections = [add("document_section", dict(
            document_id=document["id"], position=s, label=["I", "II", "III", "IV", "V", "VI",
                                                          "VII", "VIII", "IX", "X"][s],
            heading=TOPICS[(d + s) % len(TOPICS)].capitalize(),
            text=f"The participants will cooperate on {TOPICS[(d + s) % len(TOPICS)]}."))
            for s in range(10)]
        for position, p in enumerate(members[:3]):
            add("host_rotation", dict(dialogue_id=dialogue["id"], position=position,
                                      participant_id=p["id"], city=p["_city"],
                                      venue="Ministry of Foreign Affairs", timezone=p["timezone"]))
        add("standing_item", dict(dialogue_id=dialogue["id"],
                                  placement=StandingPlacement.OPENING.value, position=0,
                                  title="Opening and adoption of the agenda",
                                  duration_minutes=15, presenter_role="chair"))
        add("standing_item", dict(dialogue_id=dialogue["id"],
                                  placement=StandingPlacement.CLOSING.value, position=0,
                                  title="Date and place of the next meeting",
                                  duration_minutes=10, presenter_role="host"))
        # Roles: a chair, a delegate per member state, an observer per observer seat.
        role_people: list[dict[str, Any]] = []
        if d == 0:
            add("dialogue_role", dict(person_id=bench["id"], dialogue_id=dialogue["id"],
                                      role=DialogueRoleKind.CHAIR.value))
            role_people.append(bench)
        elif d < FEED_DIALOGUES:
            add("dialogue_role", dict(person_id=bench["id"], dialogue_id=dialogue["id"],
                                      role=DialogueRoleKind.DELEGATE.value))
            role_people.append(bench)
        for index, p in enumerate(members + observers):
            if p is home:
                continue
            person = rng.choice(people_of[p["id"]])
            kind = (DialogueRoleKind.OBSERVER if p in observers else
                    DialogueRoleKind.CHAIR if index == 1 and d != 0 else DialogueRoleKind.DELEGATE)
            add("dialogue_role", dict(person_id=person["id"], dialogue_id=dialogue["id"],
                                      role=kind.value))
            role_people.append(person)
        plan.append(dict(dialogue=dialogue, members=members, observers=observers,
                         themes=themes, sections=sections, people=role_people))
    progress(0.15)

    # --- meetings, invitations, agendas and minutes --------------------------------------
    for d, entry in enumerate(plan):
        dialogue, members = entry["dialogue"], entry["members"]
        entry["past"] = []
        upcoming = 0
        for k in range(MEETINGS_PER_DIALOGUE):
            day = past_start + timedelta(days=182 * k + rng.randint(-20, 20) + d % 60)
            host = members[k % min(3, len(members))]
            starts = _utc(day, time(8, 30))
            past = day < today
            status = (MeetingStatus.CANCELLED if past and rng.random() < 0.05 else
                      MeetingStatus.HELD if past else
                      MeetingStatus.CONFIRMED if upcoming == 0 else MeetingStatus.PROPOSED)
            upcoming += not past
            meeting = add("meeting", dict(
                dialogue_id=dialogue["id"], sequence=0,
                title=f"{dialogue['short_name']}: meeting {k + 1}",
                status=status.value, format=rng.choice(tuple(MeetingFormat)).value,
                classification=Classification.OFFICIAL.value, starts_at=starts,
                ends_at=starts + timedelta(hours=8 * dialogue["meeting_days"]),
                timezone=host["timezone"], city=host["_city"],
                venue="Ministry of Foreign Affairs", host_participant_id=host["id"],
                notes="", series_date=None, cancel_reason="Postponed by the hosts."
                if status == MeetingStatus.CANCELLED else "",
                created_at=_utc(past_start, time(9)), updated_at=_utc(past_start, time(9))))
            meeting["uid"] = f"bench-{meeting['id']}-{tag}@dialogue-planner"
            for person in entry["people"]:
                add("meeting_invitee", dict(
                    meeting_id=meeting["id"], person_id=person["id"],
                    role=(InviteeRole.CHAIR if person is entry["people"][0]
                          else InviteeRole.REQUIRED).value,
                    response=(Response.ACCEPTED if past else Response.NEEDS_ACTION).value))
            if status == MeetingStatus.HELD:
                entry["past"].append(meeting)
                _agenda_and_minutes(add, rng, entry, meeting, now)
            elif d == 0 and status == MeetingStatus.CONFIRMED and not out.big_meeting_id:
                out.big_meeting_id = meeting["id"]
    progress(0.35)

    # --- commitments and action items -----------------------------------------------------
    other_commitments = 20000 * scale - BIG_COMMITMENTS
    other_actions = 100000 * scale - BIG_ACTIONS
    for d, entry in enumerate(plan):
        dialogue, members = entry["dialogue"], entry["members"]
        big = d == 0
        n_commitments = BIG_COMMITMENTS if big else other_commitments // (dialogue_count - 1)
        n_actions = BIG_ACTIONS if big else other_actions // (dialogue_count - 1)
        commitments = []
        for c in range(n_commitments):
            section = entry["sections"][c % 10]
            status = (rng.choice(CommitmentStatus.still_open()) if big
                      else rng.choice(tuple(CommitmentStatus)))
            theme = rng.choice(entry["themes"] + [None])
            commitment = add("commitment", dict(
                dialogue_id=dialogue["id"], section_id=section["id"],
                theme_id=theme["id"] if theme else None,
                reference=f"{section['label']}.{c // 10 + 1}", position=c,
                title=f"{rng.choice(VERBS)} {TOPICS[c % len(TOPICS)]} ({c + 1})",
                quote=f"The participants commit to work on {TOPICS[c % len(TOPICS)]}.",
                status=status.value,
                target_date=today + timedelta(days=rng.randint(-900, 900)),
                created_at=_utc(past_start, time(9)), updated_at=_utc(past_start, time(9))))
            commitments.append(commitment)
            for lead in rng.sample(members, 1 + c % 2):
                add("commitment_lead", dict(commitment_id=commitment["id"],
                                            participant_id=lead["id"]))
        past = entry["past"] or [None]
        for a in range(n_actions):
            status = (rng.choice(ActionItemStatus.still_open()) if big
                      else ActionItemStatus.OPEN if rng.random() < 0.3
                      else rng.choice(tuple(ActionItemStatus)))
            meeting = rng.choice(past)
            owner = rng.choice(members)
            commitment = rng.choice(commitments) if commitments and a % 3 == 0 else None
            closed = status not in ActionItemStatus.still_open()
            add("action_item", dict(
                dialogue_id=dialogue["id"], meeting_id=meeting["id"] if meeting else None,
                agenda_item_id=None, commitment_id=commitment["id"] if commitment else None,
                owner_participant_id=owner["id"], owner_person_id=None,
                title=f"{rng.choice(VERBS)} {TOPICS[a % len(TOPICS)]}: step {a + 1}",
                description="", due_on=today + timedelta(days=rng.randint(-1500, 400)),
                status=status.value, outcome="Done as agreed." if closed else "",
                closed_at=now - timedelta(days=rng.randint(1, 1000)) if closed else None,
                version_id=1, created_at=now - timedelta(days=rng.randint(1000, 3000)),
                updated_at=now))
    progress(0.5)

    out.big_dialogue_id = plan[0]["dialogue"]["id"]
    out.past_meeting_id = plan[0]["past"][-1]["id"]
    out.person_id = bench["id"]
    out.person_email = bench["email"]
    out.feed_meetings = sum(len([r for r in rows["meeting"] if r["dialogue_id"] ==
                                 e["dialogue"]["id"]]) for e in plan[:FEED_DIALOGUES])
    out.secretariat_feed_meetings = len(rows["meeting"])
    # Minutes still in draft for the big dialogue's held meetings before its last one
    # (the meeting page of the bench shows that last one).
    drafts = {m["id"] for m in plan[0]["past"][-1 - WRITERS:-1]}
    for minutes in rows["minutes"]:
        if minutes["meeting_id"] in drafts:
            minutes.update(status=MinutesStatus.DRAFT.value, circulated_at=None,
                           approved_at=None)
    out.draft_minutes_meeting_ids = sorted(drafts)
    out.action_item_ids = [row["id"] for row in rows["action_item"]
                           if row["dialogue_id"] == out.big_dialogue_id
                           and row["status"] == ActionItemStatus.OPEN.value][:WRITERS]

    # --- write, parents first ---------------------------------------------------------------
    order = [t.name for t in Base.metadata.sorted_tables if t.name in rows]
    total = sum(len(rows[name]) for name in order)
    written = 0
    connection = db.session.connection()
    for name in order:
        table: Table = Base.metadata.tables[name]
        columns = set(table.c.keys())
        batch = [{k: v for k, v in row.items() if k in columns} for row in rows[name]]
        for chunk in _chunks(batch, BATCH):
            connection.execute(table.insert(), chunk)
            written += len(chunk)
            progress(0.5 + 0.45 * written / total)
        out.counts[name] = len(batch)
    if connection.dialect.name == "postgresql":
        for name in order:
            if "id" in Base.metadata.tables[name].c and name != "commitment_lead":
                connection.execute(text(
                    f"SELECT setval(pg_get_serial_sequence('{name}', 'id'), "
                    f"(SELECT max(id) FROM \"{name}\"))"))
    db.session.commit()
    out.rows = total

    # The feed link and the API token, through the app's own operations.
    from planner.api.operations import create_token
    from planner.calendar.operations import new_feed_link

    person = db.session.get(Person, bench["id"])
    out.feed_token = new_feed_link(person)
    secretariat = db.session.scalar(
        select(Person).where(Person.is_secretariat.is_(True), Person.active.is_(True))
        .order_by(Person.id).limit(1))
    out.secretariat_feed_token = new_feed_link(secretariat)
    _record, out.api_token = create_token(person, name="benchmark", by=None)
    db.session.commit()
    _refresh_statistics()
    progress(1.0)
    out.seconds = clock.perf_counter() - started
    return out


def _refresh_statistics() -> None:
    """What a database that grew over ten years has and a bulk load has not: the
    planner's statistics (and on PostgreSQL the visibility map, for index-only scans).
    Autovacuum would get there in a while; the benchmark starts at once."""
    with db.engine.connect() as connection:
        if connection.dialect.name == "postgresql":
            connection.execution_options(isolation_level="AUTOCOMMIT").exec_driver_sql(
                "VACUUM ANALYZE")
        else:
            connection.exec_driver_sql("ANALYZE")
            connection.commit()


def _agenda_and_minutes(add: Callable[..., dict[str, Any]], rng: random.Random,
                        entry: dict[str, Any], meeting: dict[str, Any], now: datetime) -> None:
    """A built agenda and approved minutes, as a held meeting has."""
    built = meeting["starts_at"] - timedelta(days=30)
    agenda = add("agenda", dict(meeting_id=meeting["id"], version_id=1, built_at=built,
                                updated_at=built))
    titles = [(AgendaItemKind.STANDING, "Opening and adoption of the agenda", None)]
    titles += [(AgendaItemKind.THEME, t["name"], t["id"]) for t in entry["themes"][:3]]
    titles += [(AgendaItemKind.OTHER_BUSINESS, "Any other business", None),
               (AgendaItemKind.CLOSE, "Close of the meeting", None)]
    items = []
    for position, (kind, title, theme_id) in enumerate(titles):
        items.append(add("agenda_item", dict(
            agenda_id=agenda["id"], position=position, kind=kind.value, title=title,
            reason="", duration_minutes=30, theme_id=theme_id,
            source_key=f"{kind.value}:{theme_id or position}", dismissed=False, notes="")))
    minutes = add("minutes", dict(
        meeting_id=meeting["id"], status=MinutesStatus.APPROVED.value,
        summary="The participants reviewed progress and agreed the next steps.",
        version_id=1, circulated_at=meeting["ends_at"] + timedelta(days=7),
        approved_at=meeting["ends_at"] + timedelta(days=30), updated_at=now))
    for p in entry["members"] + entry["observers"]:
        add("attendance", dict(
            minutes_id=minutes["id"], participant_id=p["id"],
            status=(AttendanceStatus.PRESENT if rng.random() < 0.9
                    else AttendanceStatus.APOLOGIES).value,
            delegates="Head of delegation"))
    for item in items[1:3]:
        add("minutes_note", dict(minutes_id=minutes["id"], agenda_item_id=item["id"],
                                 text=f"Discussion of {item['title'].lower()}."))
        add("decision", dict(minutes_id=minutes["id"], agenda_item_id=item["id"],
                             text=f"The participants agreed to continue work on "
                                  f"{item['title'].lower()}.",
                             commitment_id=None, commitment_status=None,
                             created_at=meeting["ends_at"]))


def _chunks(rows: list[dict[str, Any]], size: int) -> Iterable[list[dict[str, Any]]]:
    for start in range(0, len(rows), size):
        yield rows[start:start + size]
