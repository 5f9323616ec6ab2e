"""The API's bodies as pydantic models: they validate what comes in, shape what goes
out, and are the schemas of /api/v1/openapi.json.

`...In` models are request bodies and `...Query` models query strings: both refuse
unknown fields, so that a misspelt filter (`?stauts=open`) is an error, not a silently
unfiltered list. `...Out` models are answers."""

from __future__ import annotations

from datetime import UTC, date, datetime, time
from typing import Annotated, Any, Generic, Literal, TypeVar

from pydantic import AfterValidator, AwareDatetime, BaseModel, ConfigDict, Field

# Row ids are int4 in the database.
MAX_ID = 2**31 - 1
# Far enough for any meeting; it keeps date arithmetic (a window ± 60 days, a year's
# holidays) away from the ends of the calendar.
FIRST_YEAR, LAST_YEAR = 1900, 2200


def _sane_day(value: date) -> date:
    if not FIRST_YEAR <= value.year <= LAST_YEAR:
        raise ValueError(f"Give a date between {FIRST_YEAR} and {LAST_YEAR}.")
    return value


def _sane_instant(value: datetime) -> datetime:
    try:
        instant = value.astimezone(UTC)
    except (OverflowError, ValueError):
        instant = None
    if instant is None or not FIRST_YEAR <= instant.year <= LAST_YEAR:
        raise ValueError(f"Give a time between {FIRST_YEAR} and {LAST_YEAR}.")
    return instant


NO_NUL = r"^[^\x00]*$"
Id = Annotated[int, Field(ge=1, le=MAX_ID)]
Day = Annotated[date, AfterValidator(_sane_day)]
# An instant with its offset ("2026-03-12T09:30:00+01:00" or "...Z"), kept in UTC.
Instant = Annotated[AwareDatetime, AfterValidator(_sane_instant)]


def text(max_length: int, *, min_length: int = 0, default: Any = ..., **extra: Any) -> Any:
    # NUL cannot be stored in PostgreSQL text: refused here, and said so in the schema.
    return Field(default, min_length=min_length, max_length=max_length,
                 pattern=NO_NUL, **extra)


class In(BaseModel):
    model_config = ConfigDict(extra="forbid")


class Query(BaseModel):
    model_config = ConfigDict(extra="forbid")


class PageQuery(Query):
    page: int = Field(1, ge=1, le=10_000, description="The page to answer, from 1.")
    per_page: int = Field(20, ge=1, le=100, description="Items per page, at most 100.")


T = TypeVar("T")


class Page(BaseModel, Generic[T]):
    items: list[T]
    page: int
    per_page: int
    total: int = Field(description="How many items there are on all pages together.")


class FieldErrorOut(BaseModel):
    field: str = Field(description="The invalid field: `start`, `items.0.title`, `page`...")
    where: Literal["body", "query", "header", "path"] = Field(serialization_alias="in")
    message: str


class ProblemOut(BaseModel):
    """RFC 9457 problem details."""

    type: str = "about:blank"
    title: str
    status: int
    detail: str
    errors: list[FieldErrorOut] | None = Field(
        None, description="Each invalid field, when the input was at fault."
    )


# --- dialogues and participants ---------------------------------------------------------


Role = Literal["secretariat", "chair", "delegate", "observer"]


class ParticipantRef(BaseModel):
    id: int
    short_name: str
    name: str


class ParticipantOut(BaseModel):
    id: int
    kind: Literal["state", "institution"]
    name: str
    short_name: str
    country_code: str | None = Field(description="ISO 3166-1 alpha-2, for a state.")
    subdivision: str | None = Field(description="A region with public holidays of its own "
                                                "(a German Land: BY), as the `holidays` "
                                                "package names it; null for the whole "
                                                "country.")
    timezone: str = Field(description="IANA time zone.")
    working_hours_start: str = Field(description="Local office hours, HH:MM.")
    working_hours_end: str


class ParticipantQuery(PageQuery):
    kind: Literal["state", "institution"] | None = None
    dialogue: Id | None = Field(None, description="Only the members of this dialogue.")


class MemberOut(ParticipantRef):
    role: Literal["member", "observer"]
    membership_id: int = Field(description="The seat, to change or remove it.")


class ThemeOut(BaseModel):
    id: int
    code: str | None
    name: str


class DocumentOut(BaseModel):
    id: int
    kind: str
    title: str
    place: str | None
    issued_on: date


class DialogueOut(BaseModel):
    id: int
    name: str
    short_name: str
    slug: str
    level: Literal["ministerial", "senior_officials", "working_group"]
    cadence: str
    classification: Literal["OFFICIAL", "OFFICIAL-SENSITIVE"]
    venue_timezone: str | None = Field(description="IANA time zone where its meetings are "
                                                   "usually held, if it has one.")
    archived: bool = Field(description="Archived: read-only, out of dashboards and feeds.")
    your_role: Role
    url: str = Field(description="The dialogue's page.")


class SeriesOut(BaseModel):
    recurrence_rule: str | None = Field(description="RFC 5545 RRULE of the meetings.")
    series_start: date | None
    window_start_month: int | None
    window_end_month: int | None
    meeting_days: int
    default_start: str = Field(description="Usual start, HH:MM in the venue's zone.")
    default_end: str
    horizon_months: int


class DialogueDetailOut(DialogueOut):
    description: str
    members: list[MemberOut]
    themes: list[ThemeOut]
    documents: list[DocumentOut]
    series: SeriesOut


# --- commitments ------------------------------------------------------------------------


CommitmentStatusValue = Literal["open", "in_progress", "met", "dropped"]


class SectionOut(BaseModel):
    document_id: int
    document_title: str
    label: str
    heading: str


class CommitmentOut(BaseModel):
    id: int
    dialogue_id: int
    reference: str = Field(description="As people quote it: I.1, ¶5.2.")
    title: str
    quote: str = Field(description="The sentence of the source document that makes it.")
    status: CommitmentStatusValue
    theme: ThemeOut | None
    section: SectionOut
    leads: list[ParticipantRef]
    target_date: date | None
    updated_at: datetime


class CommitmentQuery(PageQuery):
    status: CommitmentStatusValue | None = None
    theme: Id | None = Field(None, description="A theme id.")


# --- meetings ---------------------------------------------------------------------------


MeetingStatusValue = Literal["proposed", "confirmed", "held", "cancelled"]
MeetingFormatValue = Literal["in_person", "video", "hybrid"]


class MeetingOut(BaseModel):
    id: int
    dialogue_id: int
    title: str
    status: MeetingStatusValue
    format: MeetingFormatValue
    classification: Literal["OFFICIAL", "OFFICIAL-SENSITIVE"]
    start: datetime = Field(description="The start, in UTC.")
    end: datetime = Field(description="The end, in UTC.")
    timezone: str = Field(description="The venue's IANA time zone.")
    local_start: datetime = Field(description="The start in the venue's zone, with its offset.")
    local_end: datetime
    city: str
    venue: str
    host: ParticipantRef | None
    series_date: date | None = Field(description="The occurrence of the series it stands for.")
    sequence: int = Field(description="iCalendar SEQUENCE: goes up with each visible change.")
    uid: str = Field(description="iCalendar UID.")
    cancel_reason: str
    updated_at: datetime
    url: str = Field(description="The meeting's page.")


class MeetingQuery(PageQuery):
    status: MeetingStatusValue | None = None
    after: Instant | None = Field(None, description="Only meetings ending after this time "
                                  "(with its offset: `Z`, or `+` written `%2B` in a URL).")
    before: Instant | None = Field(None, description="Only meetings starting before this time.")


class MeetingCreateIn(In):
    title: str = text(200, min_length=1)
    start: Instant
    end: Instant
    timezone: str = text(64, min_length=1, description="The venue's IANA time zone.")
    city: str = text(120, default="")
    venue: str = text(200, default="")
    host_id: Id | None = Field(None, description="The hosting participant: a member.")
    format: MeetingFormatValue = "in_person"


class MeetingPatchIn(In):
    """Move (any of start, end, timezone, city, venue, host_id), confirm
    (`"status": "confirmed"`) or cancel (`"status": "cancelled"` with a reason)."""

    start: Instant | None = None
    end: Instant | None = None
    timezone: str | None = text(64, min_length=1, default=None)
    city: str | None = text(120, default=None)
    venue: str | None = text(200, default=None)
    host_id: Id | None = None
    status: Literal["confirmed", "cancelled"] | None = None
    reason: str = text(2000, default="", description="Why: members see it in the history.")


# --- date proposals ---------------------------------------------------------------------


class ProposalQuery(Query):
    start: Day = Field(description="First day of the window, YYYY-MM-DD.")
    end: Day = Field(description="Last day of the window, YYYY-MM-DD.")
    days: int | None = Field(None, ge=1, le=3,
                             description="Length in days; the dialogue's usual length if left out.")
    weekends: bool = Field(False, description="Allow Saturdays and Sundays.")
    format: MeetingFormatValue = Field(
        "in_person", description="Video and hybrid meetings must fall in office hours."
    )
    meeting: Id | None = Field(None, description="The meeting to place: its own dates do not "
                               "clash, and its venue's zone counts.")


class CandidateOut(BaseModel):
    start: date
    end: date
    score: int
    reasons: list[str]


class RejectedOut(BaseModel):
    date: date
    reasons: list[str]


class ProposalsOut(BaseModel):
    candidates: list[CandidateOut] = Field(description="Best first.")
    rejected: list[RejectedOut]


# --- agendas ----------------------------------------------------------------------------


AgendaKind = Literal["standing", "action_review", "commitment", "theme", "other_business",
                     "next_meeting", "close", "custom"]


class PresenterOut(BaseModel):
    kind: Literal["participant", "person"]
    id: int
    name: str


class AgendaItemOut(BaseModel):
    id: int
    number: str | None = Field(description="1, 2, 3.1 ... (none for a removed item).")
    kind: AgendaKind
    title: str
    reason: str = Field(description="Why the item is there.")
    notes: str
    duration_minutes: int | None
    local_start: str | None = Field(description="HH:MM in the venue's zone.")
    local_end: str | None
    presenter: PresenterOut | None
    commitment_id: int | None = Field(description="The commitment the item reviews.")
    action_item_id: int | None = Field(description="The action item the item reviews.")
    theme_id: int | None
    removed: bool


class AgendaVersionOut(BaseModel):
    number: int
    circulated_at: datetime
    circulated_by: str
    content: dict = Field(description="The agenda as circulated, frozen.")


class AgendaDraftOut(BaseModel):
    version: int = Field(description="Changes with every edit; also the ETag.")
    built_at: datetime | None
    items: list[AgendaItemOut]
    overrun_minutes: int = Field(description="How far the items run past the meeting's end.")


class AgendaOut(BaseModel):
    meeting_id: int
    draft: AgendaDraftOut | None = Field(
        description="The working draft: only for the secretariat and the chair."
    )
    versions: list[AgendaVersionOut] = Field(description="Circulated versions, v1 first.")


class BuildOut(AgendaOut):
    added: list[int] = Field(description="The ids of the items this build added.")


class CirculateIn(In):
    notify: bool = Field(False, description="E-mail the members a notice.")


class Presenter(In):
    participant_id: Id | None = Field(None, description="A delegation with a seat.")
    person_id: Id | None = Field(None, description="A person with a role in the dialogue.")


class AgendaItemIn(In):
    title: str = text(300, min_length=1)
    duration_minutes: int | None = Field(None, ge=0, le=24 * 60)
    presenter: Presenter | None = None
    notes: str = text(2000, default="")
    after: Id | Literal["start"] | None = Field(
        None, description="The item it follows, or `start`; before the closing items if "
        "left out."
    )


class AgendaItemPatchIn(In):
    title: str | None = text(300, min_length=1, default=None)
    duration_minutes: int | None = Field(None, ge=0, le=24 * 60)
    presenter: Presenter | None = None
    notes: str | None = text(2000, default=None)
    removed: bool | None = Field(None, description="Take the item off, or put it back.")
    move: Literal["up", "down"] | None = Field(None, description="One place up or down.")


# --- the person -------------------------------------------------------------------------


class DialogueRoleOut(BaseModel):
    dialogue_id: int
    role: Role


class MeOut(BaseModel):
    id: int
    email: str
    name: str
    is_secretariat: bool
    participant: ParticipantRef | None
    timezone: str = Field(description="The zone the person reads times in.")
    roles: list[DialogueRoleOut]


class CalendarFeedOut(BaseModel):
    active: bool
    created_at: datetime | None
    last_used_at: datetime | None
    url: str | None = Field(
        description="The feed link: given only when it is made (POST), never again."
    )
    webcal_url: str | None
    manage_url: str = Field(description="The page to make or revoke the link.")


# --- minutes ----------------------------------------------------------------------------


AttendanceValue = Literal["present", "represented", "apologies"]


class NoteOut(BaseModel):
    agenda_item_id: int | None = Field(description="None: other matters.")
    number: str = Field(description="The agenda item's number, if it is on the agenda.")
    title: str
    text: str


class AttendanceOut(BaseModel):
    participant_id: int
    short_name: str
    name: str
    status: AttendanceValue | None = Field(description="None: not recorded.")
    delegates: str


class DecisionOut(BaseModel):
    id: int
    text: str
    agenda_item_id: int | None
    commitment_id: int | None
    commitment_status: CommitmentStatusValue | None = Field(
        description="The status the decision gave the commitment, if it moved it."
    )


class ApprovalOut(BaseModel):
    method: Literal["next_meeting", "written_procedure"]
    meeting_id: int | None
    note: str


class MinutesOut(BaseModel):
    meeting_id: int
    status: Literal["draft", "circulated", "approved"]
    version: int = Field(description="Goes up with every change; also the ETag.")
    summary: str
    notes: list[NoteOut] = Field(description="One per agenda item, then other matters.")
    attendance: list[AttendanceOut] = Field(description="One per delegation with a seat.")
    decisions: list[DecisionOut]
    circulated_at: datetime | None
    approved_at: datetime | None
    approval: ApprovalOut | None
    updated_at: datetime
    url: str


class NoteIn(In):
    agenda_item_id: Id | None = Field(None, description="None: other matters.")
    text: str = text(20_000)


class AttendanceIn(In):
    participant_id: Id
    status: AttendanceValue | None = Field(None, description="None: not recorded.")
    delegates: str = text(2_000, default="", description="Names and functions.")


class MinutesIn(In):
    """The writable parts, whole: notes and attendance not listed are cleared."""

    summary: str = text(20_000)
    notes: list[NoteIn] = Field(max_length=500)
    attendance: list[AttendanceIn] = Field(max_length=500)
    reason: str = text(2_000, default="",
                       description="Required once approved: the change is an amendment.")


# --- action items -----------------------------------------------------------------------


ActionStatusValue = Literal["open", "in_progress", "done", "dropped"]


class PersonRef(BaseModel):
    id: int
    name: str


class ActionItemOut(BaseModel):
    id: int
    dialogue_id: int
    meeting_id: int | None = Field(description="The meeting that agreed it.")
    agenda_item_id: int | None
    commitment_id: int | None = Field(description="The commitment it serves.")
    owner: ParticipantRef
    owner_person: PersonRef | None
    title: str
    description: str
    due_on: date | None
    status: ActionStatusValue
    overdue: bool
    outcome: str
    closed_at: datetime | None
    version: int = Field(description="Goes up with every change; also the ETag.")
    created_at: datetime
    updated_at: datetime
    url: str


class ActionItemQuery(PageQuery):
    status: Literal["still_open", "open", "in_progress", "done", "dropped", "all"] = Field(
        "all", description="`still_open`: open or in progress."
    )
    dialogue: Id | None = None
    owner: Id | Literal["mine"] | None = Field(
        None, description="A participant id, or `mine` for your own delegation."
    )
    overdue: bool = Field(False, description="Only those still open and past their due date.")


class ActionItemIn(In):
    meeting_id: Id = Field(description="The meeting whose minutes record it.")
    title: str = text(300, min_length=1)
    description: str = text(5_000, default="")
    owner_id: Id = Field(description="The owner delegation: a participant with a seat.")
    person_id: Id | None = Field(None, description="A person of the owner delegation.")
    due_on: Day | None = None
    commitment_id: Id | None = None
    agenda_item_id: Id | None = None
    reason: str = text(2_000, default="",
                       description="Required when the minutes are approved (an amendment).")


class ActionItemPatchIn(In):
    """Close with `status` done or dropped and an `outcome`; reopen a closed one with
    `status` open and a `reason`; or change its terms or progress."""

    title: str | None = text(300, min_length=1, default=None)
    description: str | None = text(5_000, default=None)
    owner_id: Id | None = None
    person_id: Id | None = None
    due_on: Day | None = None
    commitment_id: Id | None = None
    agenda_item_id: Id | None = None
    status: ActionStatusValue | None = None
    outcome: str | None = text(5_000, default=None)
    reason: str = text(2_000, default="")


# --- founding documents and their import ------------------------------------------------


class DocumentSectionOut(BaseModel):
    id: int
    label: str = Field(description="As the document numbers it: I, II …; 1, 2 …; ¶1, ¶2 ….")
    heading: str
    text: str = Field(description="The section's own words; paragraphs split by blank lines.")


class CommitmentCandidateOut(BaseModel):
    id: int
    document_id: int
    section_label: str
    quote: str = Field(description="The document's own words, character for character.")
    title: str
    theme: ThemeOut | None = Field(description="An existing theme of the dialogue.")
    new_theme: str = Field(description="A theme to make on acceptance (the section's "
                                       "heading), when no existing theme is proposed.")
    lead_ids: list[int]
    status: Literal["proposed", "accepted", "rejected", "merged"]
    commitment_id: int | None = Field(description="The commitment it became, once accepted.")
    merged_into_id: int | None


class DocumentDetailOut(DocumentOut):
    dialogue_id: int
    published_on: date | None
    source_filename: str = Field(description="The uploaded file's name; empty when pasted.")
    sections: list[DocumentSectionOut]
    candidates: list[CommitmentCandidateOut]
    url: str


class UploadIn(In):
    filename: str = text(200, min_length=1, description="With its extension: .txt, .docx "
                                                        "or .pdf.")
    content_base64: str = Field(max_length=14_000_000, description="The file, base64 "
                                                                   "encoded (at most 10 MB).")


class DocumentIn(In):
    """Send the text in `text`, or a file in `file`; the answer holds the sections and
    the proposed commitments (candidates) for review."""

    kind: Literal["statement", "action_plan", "communique"]
    title: str = text(300, min_length=1)
    place: str = text(120, default="")
    issued_on: Day
    published_on: Day | None = None
    text: str = text(2_000_000, default="")
    file: UploadIn | None = None


class CandidatePatchIn(In):
    """Edit a proposed candidate, or decide on it with `status`: `accepted` makes it a
    commitment (with the edits sent along), `rejected` sets it aside, `proposed` puts a
    rejected one back."""

    status: Literal["proposed", "accepted", "rejected"] | None = None
    title: str | None = text(200, min_length=1, default=None)
    theme_id: Id | None = None
    new_theme: str | None = text(120, default=None)
    lead_ids: list[Id] | None = Field(None, max_length=200)
    target_date: Day | None = None


class CandidateMergeIn(In):
    with_id: Id = Field(description="Another proposed candidate of the same section.")


# --- commitments: writing ---


class CommitmentIn(In):
    """A commitment added by hand, traced to the section whose words it quotes."""

    section_id: Id = Field(description="The section of one of the dialogue's founding "
                                       "documents that makes the commitment.")
    quote: str = text(5_000, description="The section's own words (white space may "
                                         "differ); stored as the document has them.")
    title: str = text(200, description="What was undertaken, in a few words.")
    theme_id: Id | None = Field(None, description="A theme of the dialogue; none for "
                                                  "General and delivery.")
    lead_ids: list[Id] = Field(default_factory=list, max_length=200,
                               description="Participants with a seat in the dialogue.")
    target_date: Day | None = None


class CommitmentPatchIn(In):
    """Change any of its terms (null clears the theme or the target date), its status
    with a `note` saying why, or both."""

    title: str | None = text(200, default=None)
    theme_id: Id | None = None
    lead_ids: list[Id] | None = Field(None, max_length=200)
    target_date: Day | None = None
    status: CommitmentStatusValue | None = None
    note: str | None = text(2_000, default=None,
                            description="Why the status changes: required with `status`.")


# --- set-up: dialogues, participants, memberships, themes ---


LevelValue = Literal["ministerial", "senior_officials", "working_group"]
ClassificationValue = Literal["OFFICIAL", "OFFICIAL-SENSITIVE"]
KindValue = Literal["state", "institution"]
SeatValue = Literal["member", "observer"]


def _local_time(value: time) -> time:
    if value.tzinfo is not None:
        raise ValueError("Give a local time, HH:MM, without an offset: it is read in the "
                         "participant's own time zone.")
    return value


# Office hours: wall-clock times in the participant's own zone.
LocalTime = Annotated[time, AfterValidator(_local_time)]


class DialogueIn(In):
    """A new dialogue, from its founding statement. Names are unique (in any case)."""

    name: str = text(200, description="As its members know it.")
    short_name: str = text(60, description="For lists and e-mail subjects.")
    level: LevelValue
    cadence: str = text(200, default="", description="In the members' words: “once a year”.")
    classification: ClassificationValue = "OFFICIAL"
    venue_timezone: str | None = text(64, default=None, description="IANA time zone of the "
                                                                    "usual venue.")
    description: str = text(5_000, default="")


class DialoguePatchIn(In):
    """Change any of its settings (null clears cadence, venue_timezone or description).
    `archived: true` with an `archive_reason` archives it (read-only, out of dashboards
    and feeds, nothing deleted); `archived: false` restores it."""

    name: str | None = text(200, default=None)
    short_name: str | None = text(60, default=None)
    level: LevelValue | None = None
    cadence: str | None = text(200, default=None)
    classification: ClassificationValue | None = None
    venue_timezone: str | None = text(64, default=None)
    description: str | None = text(5_000, default=None)
    archived: bool | None = None
    archive_reason: str | None = text(2_000, default=None,
                                      description="Why: required with `archived: true`.")


class ParticipantIn(In):
    """A state's ministry (with its ISO 3166-1 `country_code`, and a `subdivision` where
    public holidays differ by region) or an institution (neither)."""

    kind: KindValue
    name: str = text(200)
    short_name: str = text(40)
    country_code: str | None = text(16, default=None, description="ISO 3166-1 alpha-2: "
                                                                  "GB, AL, DE.")
    subdivision: str | None = text(16, default=None, description="As the `holidays` "
                                                                 "package names it: BY.")
    timezone: str = text(64, description="IANA time zone.")
    working_hours_start: LocalTime = Field(time(9, 0), description="HH:MM, local.")
    working_hours_end: LocalTime = Field(time(17, 30), description="HH:MM, local.")


class ParticipantPatchIn(In):
    """Change any of its details (null clears country_code or subdivision). Its kind
    stays: a state cannot become an institution."""

    kind: KindValue | None = None
    name: str | None = text(200, default=None)
    short_name: str | None = text(40, default=None)
    country_code: str | None = text(16, default=None)
    subdivision: str | None = text(16, default=None)
    timezone: str | None = text(64, default=None)
    working_hours_start: LocalTime | None = None
    working_hours_end: LocalTime | None = None


class MembershipIn(In):
    participant_id: Id = Field(description="A participant of the register.")
    role: SeatValue = "member"


class MembershipPatchIn(In):
    role: SeatValue


class MembershipOut(BaseModel):
    id: int
    dialogue_id: int
    participant: ParticipantRef
    role: SeatValue


class ThemeIn(In):
    name: str = text(120)
    code: str | None = text(16, default=None, description="As the statement numbers it: "
                                                          "I, II, 3.1.")


class ThemePatchIn(In):
    """A new name or number (null takes the number away); its commitments follow."""

    name: str | None = text(120, default=None)
    code: str | None = text(16, default=None)


class DialogueThemeOut(ThemeOut):
    dialogue_id: int
    commitments: int = Field(description="How many commitments it groups.")
