"""Records as the API shows them (the `...Out` models), and pages of them."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask import url_for
from sqlalchemy import Select, func, select

from planner.api import schemas as s
from planner.extensions import db
from planner.models import (
    Commitment,
    Dialogue,
    Meeting,
    Participant,
    SourceDocument,
)


def page_of(query: Select[Any], params: s.PageQuery, show: Callable[[Any], Any],
            model: type[s.Page]) -> s.Page:
    """One page of `query` (already ordered) and the total over every page."""
    total = db.session.scalar(select(func.count()).select_from(query.order_by(None).subquery()))
    rows = db.session.scalars(
        query.limit(params.per_page).offset((params.page - 1) * params.per_page)
    ).unique().all()
    return model(items=[show(row) for row in rows], page=params.page,
                       per_page=params.per_page, total=total or 0)


def hh_mm(value) -> str:
    return f"{value:%H:%M}"


def participant_ref(participant: Participant | None) -> s.ParticipantRef | None:
    if participant is None:
        return None
    return s.ParticipantRef(id=participant.id, short_name=participant.short_name,
                            name=participant.name)


def participant(row: Participant) -> s.ParticipantOut:
    return s.ParticipantOut(
        id=row.id, kind=row.kind, name=row.name, short_name=row.short_name,
        country_code=row.country_code, subdivision=row.subdivision, timezone=row.timezone,
        working_hours_start=hh_mm(row.working_hours_start),
        working_hours_end=hh_mm(row.working_hours_end),
    )


def dialogue(row: Dialogue, role: str) -> s.DialogueOut:
    return s.DialogueOut(
        id=row.id, name=row.name, short_name=row.short_name, slug=row.slug, level=row.level,
        cadence=row.cadence, classification=row.classification,
        venue_timezone=row.venue_timezone, archived=row.is_archived, your_role=role,
        url=url_for("dialogues.show", dialogue_id=row.id, _external=True),
    )


def dialogue_detail(row: Dialogue, role: str) -> s.DialogueDetailOut:
    summary = dialogue(row, role)
    return s.DialogueDetailOut(
        **summary.model_dump(),
        description=row.description,
        members=[
            s.MemberOut(id=m.participant.id, short_name=m.participant.short_name,
                        name=m.participant.name, role=m.role, membership_id=m.id)
            for m in row.memberships
        ],
        themes=[s.ThemeOut(id=t.id, code=t.code, name=t.name) for t in row.themes],
        documents=[document(d) for d in row.documents],
        series=s.SeriesOut(
            recurrence_rule=row.recurrence_rule, series_start=row.series_start,
            window_start_month=row.window_start_month, window_end_month=row.window_end_month,
            meeting_days=row.meeting_days, default_start=hh_mm(row.default_start),
            default_end=hh_mm(row.default_end), horizon_months=row.horizon_months,
        ),
    )


def document(row: SourceDocument) -> s.DocumentOut:
    return s.DocumentOut(id=row.id, kind=row.kind, title=row.title, place=row.place,
                         issued_on=row.issued_on)


def commitment(row: Commitment) -> s.CommitmentOut:
    section = row.section
    return s.CommitmentOut(
        id=row.id, dialogue_id=row.dialogue_id, reference=row.reference, title=row.title,
        quote=row.quote, status=row.status,
        theme=s.ThemeOut(id=row.theme.id, code=row.theme.code, name=row.theme.name)
        if row.theme else None,
        section=s.SectionOut(document_id=section.document_id,
                             document_title=section.document.title, label=section.label,
                             heading=section.heading),
        leads=[participant_ref(lead) for lead in row.leads],
        target_date=row.target_date, updated_at=row.updated_at,
    )


def meeting(row: Meeting) -> s.MeetingOut:
    return s.MeetingOut(
        id=row.id, dialogue_id=row.dialogue_id, title=row.title, status=row.status,
        format=row.format, classification=row.marking,
        start=row.starts_at, end=row.ends_at, timezone=row.timezone,
        local_start=row.local_start, local_end=row.local_end, city=row.city,
        venue=row.venue, host=participant_ref(row.host), series_date=row.series_date,
        sequence=row.sequence, uid=row.uid, cancel_reason=row.cancel_reason,
        updated_at=row.updated_at,
        url=url_for("meetings.show", meeting_id=row.id, _external=True),
    )
