"""The register of participants, shared by every dialogue: a state's ministry (its ISO
3166-1 country decides its public holidays, a subdivision where holidays differ by
region) or an institution. Only the secretariat keeps it; each change is audited.

Renaming a participant renames it everywhere it is shown live; approved minutes keep the
name they were approved with (attendance.participant_name)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import time
from functools import cache

import holidays as holiday_calendars
import pycountry
from sqlalchemy import func, select

from planner import audit
from planner.extensions import db
from planner.models import Participant, ParticipantKind, Person
from planner.models.participants import check_timezone
from planner.validation import InvalidInput

MAX_NAME = 200
MAX_SHORT_NAME = 40


@dataclass(frozen=True)
class ParticipantDetails:
    kind: str
    name: str
    short_name: str
    timezone: str
    country_code: str = ""
    subdivision: str = ""
    working_hours_start: time = time(9, 0)
    working_hours_end: time = time(17, 30)


def known_timezone(name: str) -> bool:
    try:
        check_timezone(name)
    except ValueError:
        return False
    return True


def country_name(code: str) -> str | None:
    country = pycountry.countries.get(alpha_2=code.upper()) if len(code) == 2 else None
    return country.name if country else None


# The column's width: a few regions' names are longer ("South Canterbury") and are
# left out rather than cut (a cut name is no region the holidays package knows).
MAX_SUBDIVISION = Participant.__table__.c.subdivision.type.length


@cache
def subdivisions(country_code: str) -> tuple[str, ...]:
    """The regions with holidays of their own that the `holidays` package knows."""
    return tuple(name for name in
                 holiday_calendars.list_supported_countries().get(country_code, ())
                 if len(name) <= MAX_SUBDIVISION)


def _check(details: ParticipantDetails, participant_id: int | None) -> ParticipantDetails:
    errors: dict[str, str] = {}
    name = " ".join(details.name.split())
    short_name = " ".join(details.short_name.split())
    if details.kind not in tuple(ParticipantKind):
        errors["kind"] = "Choose a state's ministry or an institution."
    if not name:
        errors["name"] = "Enter the participant's name (the ministry or the institution)."
    elif len(name) > MAX_NAME:
        errors["name"] = f"Keep the name to {MAX_NAME} characters."
    if not short_name:
        errors["short_name"] = "Enter a short name (UK, NL, Europol …)."
    elif len(short_name) > MAX_SHORT_NAME:
        errors["short_name"] = f"Keep the short name to {MAX_SHORT_NAME} characters."
    others = select(Participant.id).where(Participant.id != (participant_id or 0))
    if name and db.session.scalar(others.where(func.lower(Participant.name) == name.lower())):
        errors["name"] = "The register has a participant of this name already."
    if short_name and db.session.scalar(
            others.where(func.lower(Participant.short_name) == short_name.lower())):
        errors["short_name"] = "The register has a participant of this short name already."

    code = details.country_code.strip().upper()
    subdivision = details.subdivision.strip()
    if details.kind == ParticipantKind.STATE:
        if not code:
            errors["country_code"] = "Enter the state's ISO 3166-1 code (GB, AL, DE …): " \
                                     "it decides the public holidays."
        elif country_name(code) is None:
            errors["country_code"] = f"“{code}” is not an ISO 3166-1 country code " \
                                     "(two letters: GB, AL, DE …)."
        elif subdivision:
            known = subdivisions(code)
            # As the holidays package spells it ("BY", but also "Augsburg").
            spelt = {name.upper(): name for name in known}.get(subdivision.upper())
            if spelt is None:
                errors["subdivision"] = (
                    f"“{subdivision}” is not a region with its own holidays in {code}: "
                    + (f"choose one of {', '.join(known)}, or none." if known else
                       "this country's holidays are the same everywhere; leave it empty.")
                )
            subdivision = spelt or subdivision
    elif details.kind == ParticipantKind.INSTITUTION:
        if code:
            errors["country_code"] = "An institution has no country code: leave it empty."
        if subdivision:
            errors["subdivision"] = "An institution has no subdivision: leave it empty."
    if not details.timezone.strip():
        errors["timezone"] = "Choose the participant's time zone (for example Europe/Tirane)."
    elif not known_timezone(details.timezone.strip()):
        errors["timezone"] = (f"“{details.timezone}” is not a time zone we know: use a "
                              "name such as Europe/Tirane.")
    if details.working_hours_end <= details.working_hours_start:
        errors["working_hours_end"] = "Office hours end after they start."
    if errors:
        raise InvalidInput(errors)
    state = details.kind == ParticipantKind.STATE
    return ParticipantDetails(
        kind=details.kind, name=name, short_name=short_name, timezone=details.timezone.strip(),
        country_code=code if state else "", subdivision=subdivision if state else "",
        working_hours_start=details.working_hours_start,
        working_hours_end=details.working_hours_end,
    )


def _values(participant: Participant) -> dict[str, str]:
    return {"kind": participant.kind, "name": participant.name,
            "short_name": participant.short_name,
            "country_code": participant.country_code or "",
            "subdivision": participant.subdivision or "", "timezone": participant.timezone,
            "working_hours": f"{participant.working_hours_start:%H:%M}–"
                             f"{participant.working_hours_end:%H:%M}"}


def _apply(participant: Participant, checked: ParticipantDetails) -> None:
    participant.kind, participant.name = checked.kind, checked.name
    participant.short_name = checked.short_name
    participant.country_code = checked.country_code or None
    participant.subdivision = checked.subdivision or None
    participant.timezone = checked.timezone
    participant.working_hours_start = checked.working_hours_start
    participant.working_hours_end = checked.working_hours_end


def create_participant(details: ParticipantDetails, *, by: Person | None) -> Participant:
    checked = _check(details, None)
    participant = Participant()
    _apply(participant, checked)
    db.session.add(participant)
    db.session.flush()
    audit.record("participant.created", participant, actor=by,
                 summary=f"{participant.name} ({participant.short_name}) added to the register",
                 details=_values(participant))
    return participant


def update_participant(participant: Participant, details: ParticipantDetails, *,
                       by: Person | None) -> Participant:
    checked = _check(details, participant.id)
    if checked.kind != participant.kind:
        raise InvalidInput.on("kind", "A state stays a state and an institution an "
                                      "institution: add a new participant instead.")
    before = _values(participant)
    _apply(participant, checked)
    after = _values(participant)
    changed = {k for k in after if after[k] != before[k]}
    if changed:
        audit.record("participant.updated", participant, actor=by,
                     summary=f"{participant.short_name}: "
                             + ", ".join(sorted(k.replace("_", " ") for k in changed))
                             + " changed",
                     details={"before": {k: before[k] for k in changed},
                              "after": {k: after[k] for k in changed}})
    return participant
