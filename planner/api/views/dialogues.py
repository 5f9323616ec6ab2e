"""Dialogues, their participants, commitments and meetings, and date proposals."""

from __future__ import annotations

from flask import url_for
from sqlalchemy import select
from sqlalchemy.orm import joinedload, selectinload

from planner.access import (
    SECRETARIAT,
    can_schedule,
    dialogue_or_404,
    meeting_or_404,
    require,
    restrict_to_visible,
    role_in,
    visible_dialogues,
)
from planner.api import present
from planner.api import schemas as s
from planner.api.problems import Problem, field_error
from planner.api.spec import Reply, route
from planner.api.views.common import person
from planner.extensions import db
from planner.models import (
    Commitment,
    Dialogue,
    DialogueRole,
    DocumentSection,
    Meeting,
    Membership,
    Participant,
)
from planner.scheduling import operations
from planner.scheduling.proposals import propose

MEETING_FIELDS = {"starts_at": "start", "ends_at": "end", "host": "host_id"}


def _roles() -> dict[int, str]:
    reader = person()
    if reader.is_secretariat:
        return {}
    return dict(db.session.execute(
        select(DialogueRole.dialogue_id, DialogueRole.role)
        .where(DialogueRole.person_id == reader.id)
    ).all())


def _role(roles: dict[int, str], dialogue_id: int) -> str:
    return SECRETARIAT if person().is_secretariat else roles[dialogue_id]


@route("GET", "/dialogues", summary="The dialogues you take part in", tag="Dialogues",
       query=s.PageQuery, response=s.Page[s.DialogueOut])
def list_dialogues(query: s.PageQuery):
    roles = _roles()
    return present.page_of(
        visible_dialogues(person()).order_by(Dialogue.id), query,
        lambda row: present.dialogue(row, _role(roles, row.id)), s.Page[s.DialogueOut],
    )


@route("GET", "/dialogues/{dialogue_id}", summary="One dialogue: members, themes, documents",
       tag="Dialogues", response=s.DialogueDetailOut)
def get_dialogue(dialogue_id: int):
    dialogue = dialogue_or_404(person(), dialogue_id)
    dialogue = db.session.scalar(
        select(Dialogue).options(
            selectinload(Dialogue.memberships).joinedload(Membership.participant),
            selectinload(Dialogue.themes), selectinload(Dialogue.documents),
        ).where(Dialogue.id == dialogue.id)
    )
    return present.dialogue_detail(dialogue, role_in(person(), dialogue.id))


@route("GET", "/participants", summary="Participants of the dialogues you see",
       tag="Dialogues", query=s.ParticipantQuery, response=s.Page[s.ParticipantOut],
       problems=(404,))
def list_participants(query: s.ParticipantQuery):
    """States' ministries and institutions with a seat in a dialogue you see (the
    secretariat sees every participant)."""
    rows = select(Participant).order_by(Participant.short_name, Participant.id)
    if query.dialogue is not None:
        dialogue_or_404(person(), query.dialogue)
        rows = rows.where(Participant.id.in_(
            select(Membership.participant_id).where(Membership.dialogue_id == query.dialogue)
        ))
    elif not person().is_secretariat:
        seats = restrict_to_visible(select(Membership.participant_id),
                                    Membership.dialogue_id, person())
        rows = rows.where(Participant.id.in_(seats))
    if query.kind is not None:
        rows = rows.where(Participant.kind == query.kind)
    return present.page_of(rows, query, present.participant, s.Page[s.ParticipantOut])


@route("GET", "/dialogues/{dialogue_id}/commitments", summary="A dialogue's commitments",
       tag="Dialogues", query=s.CommitmentQuery, response=s.Page[s.CommitmentOut])
def list_commitments(dialogue_id: int, query: s.CommitmentQuery):
    dialogue = dialogue_or_404(person(), dialogue_id)
    rows = (
        select(Commitment)
        .options(joinedload(Commitment.theme),
                 joinedload(Commitment.section).joinedload(DocumentSection.document),
                 selectinload(Commitment.leads))
        .where(Commitment.dialogue_id == dialogue.id)
        .order_by(Commitment.position, Commitment.id)
    )
    if query.status is not None:
        rows = rows.where(Commitment.status == query.status)
    if query.theme is not None:
        rows = rows.where(Commitment.theme_id == query.theme)
    return present.page_of(rows, query, present.commitment, s.Page[s.CommitmentOut])


@route("GET", "/dialogues/{dialogue_id}/meetings", summary="A dialogue's meetings",
       tag="Meetings", query=s.MeetingQuery, response=s.Page[s.MeetingOut])
def list_meetings(dialogue_id: int, query: s.MeetingQuery):
    """In order of their start; cancelled ones included (filter with `status`)."""
    dialogue = dialogue_or_404(person(), dialogue_id)
    rows = (
        select(Meeting).options(joinedload(Meeting.host), joinedload(Meeting.dialogue))
        .where(Meeting.dialogue_id == dialogue.id).order_by(Meeting.starts_at, Meeting.id)
    )
    if query.status is not None:
        rows = rows.where(Meeting.status == query.status)
    if query.after is not None:
        rows = rows.where(Meeting.ends_at > query.after)
    if query.before is not None:
        rows = rows.where(Meeting.starts_at < query.before)
    return present.page_of(rows, query, present.meeting, s.Page[s.MeetingOut])


@route("POST", "/dialogues/{dialogue_id}/meetings", summary="Add a meeting", tag="Meetings",
       body=s.MeetingCreateIn, response=s.MeetingOut, status=201, problems=(403, 422),
       fields=MEETING_FIELDS)
def create_meeting(dialogue_id: int, body: s.MeetingCreateIn):
    """A meeting outside the series, proposed until confirmed. The secretariat's."""
    dialogue = dialogue_or_404(person(), dialogue_id)
    require(can_schedule(person(), dialogue.id))
    meeting = operations.create_meeting(
        dialogue, title=body.title, starts_at=body.start, ends_at=body.end,
        timezone=body.timezone, city=body.city, venue=body.venue,
        host=_host(body.host_id), meeting_format=body.format, by=person(),
    )
    db.session.commit()
    location = url_for("api.v1.get_meeting", meeting_id=meeting.id)
    return Reply(present.meeting(meeting), headers={"Location": location})


def _host(host_id: int | None) -> Participant | None:
    if host_id is None:
        return None
    host = db.session.get(Participant, host_id)
    if host is None:
        raise Problem(422, "There is no such participant.",
                      errors=[field_error("host_id", "There is no such participant.")])
    return host


@route("GET", "/dialogues/{dialogue_id}/proposals", summary="Dates that suit every member",
       tag="Meetings", query=s.ProposalQuery, response=s.ProposalsOut, problems=(403, 422))
def proposals(dialogue_id: int, query: s.ProposalQuery):
    """Every start date in the window: candidates ranked best first with the reasons
    for their rank, and the dates turned down with why (weekend, a member's public
    holiday, a clash, office hours). The secretariat's, as on the pages."""
    dialogue = dialogue_or_404(person(), dialogue_id)
    require(can_schedule(person(), dialogue.id))
    meeting = None
    if query.meeting is not None:
        meeting = meeting_or_404(person(), query.meeting)
        if meeting.dialogue_id != dialogue.id:
            raise Problem(422, "That meeting is not of this dialogue.", errors=[
                field_error("meeting", "Choose a meeting of this dialogue.", "query")])
    result = propose(
        dialogue, start=query.start, end=query.end, days=query.days or dialogue.meeting_days,
        allow_weekends=query.weekends, meeting_format=query.format,
        venue_timezone=meeting.timezone if meeting else None,
        exclude_meeting=meeting.id if meeting else None,
    )
    return s.ProposalsOut(
        candidates=[s.CandidateOut(start=c.start, end=c.end, score=c.score, reasons=c.reasons)
                    for c in result.candidates],
        rejected=[s.RejectedOut(date=r.start, reasons=r.reasons) for r in result.rejected],
    )
