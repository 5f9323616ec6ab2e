"""The register of participants: the rules of planner.participants.operations (an ISO
3166-1 code for a state, a subdivision the holidays package knows, unique names, a known
time zone, office hours in order), and what each change leaves in the audit log."""

from __future__ import annotations

from dataclasses import replace
from datetime import time

import pytest
from sqlalchemy import func, select

from planner.extensions import db
from planner.models import AuditEvent, Participant
from planner.participants.operations import (
    ParticipantDetails,
    country_name,
    create_participant,
    subdivisions,
    update_participant,
)
from planner.validation import InvalidInput

BAVARIA = ParticipantDetails(kind="state", name="Bavarian State Ministry of the Interior",
                             short_name="DE-BY", timezone="Europe/Berlin",
                             country_code="de", subdivision="by")
EUROPOL = ParticipantDetails(kind="institution", name="Europol", short_name="Europol",
                             timezone="Europe/Amsterdam")


def refused(details: ParticipantDetails, participant: Participant | None = None) -> dict:
    with pytest.raises(InvalidInput) as caught:
        if participant is None:
            create_participant(details, by=None)
        else:
            update_participant(participant, details, by=None)
    db.session.rollback()
    return caught.value.errors


def participants() -> int:
    return db.session.scalar(select(func.count()).select_from(Participant))


def test_a_german_land_is_stored_as_the_holidays_package_names_it(app):
    participant = create_participant(BAVARIA, by=None)
    db.session.commit()
    assert (participant.country_code, participant.subdivision) == ("DE", "BY")
    assert participant.holiday_region == "DE-BY"
    assert country_name("de") == "Germany"
    assert "BY" in subdivisions("DE")
    event = db.session.scalar(select(AuditEvent).where(
        AuditEvent.action == "participant.created"))
    assert "Bavarian State Ministry of the Interior (DE-BY) added" in event.summary
    assert event.details["subdivision"] == "BY"


def test_a_subdivision_named_by_the_package_in_words_matches_in_any_case(app):
    participant = create_participant(replace(BAVARIA, subdivision="AUGSBURG"), by=None)
    assert participant.subdivision == "Augsburg"


def test_a_state_needs_a_known_iso_code(app):
    assert "is not an ISO 3166-1 country code" in refused(
        replace(BAVARIA, country_code="XX", subdivision=""))["country_code"]
    assert "Enter the state's ISO 3166-1 code" in refused(
        replace(BAVARIA, country_code="", subdivision=""))["country_code"]
    # Three letters are not what we store, even when they name a country.
    assert "country_code" in refused(replace(BAVARIA, country_code="DEU", subdivision=""))
    assert participants() == 0


def test_an_unknown_subdivision_is_refused_with_the_ones_that_exist(app):
    message = refused(replace(BAVARIA, subdivision="ZZ"))["subdivision"]
    assert "“ZZ” is not a region with its own holidays in DE" in message
    assert "BY" in message and "NW" in message
    # Albania's holidays are the same everywhere.
    albania = replace(BAVARIA, name="Ministry of Interior of Albania", short_name="AL",
                      country_code="AL", subdivision="TR", timezone="Europe/Tirane")
    assert "the same everywhere" in refused(albania)["subdivision"]


def test_an_institution_has_no_country(app):
    errors = refused(replace(EUROPOL, country_code="NL", subdivision="Noord"))
    assert "An institution has no country code" in errors["country_code"]
    assert "An institution has no subdivision" in errors["subdivision"]
    europol = create_participant(EUROPOL, by=None)
    assert europol.country_code is None and europol.holiday_region is None


def test_names_and_short_names_are_unique_in_any_case(app):
    create_participant(BAVARIA, by=None)
    db.session.commit()
    errors = refused(replace(BAVARIA, name="BAVARIAN state ministry of the interior",
                             short_name="de-by"))
    assert "already" in errors["name"] and "already" in errors["short_name"]
    assert participants() == 1


@pytest.mark.parametrize("zone", ["Mars/Olympus", "Europe", "", "../etc/passwd"])
def test_an_unknown_time_zone_is_refused_not_a_crash(app, zone):
    assert "timezone" in refused(replace(EUROPOL, timezone=zone))


def test_office_hours_end_after_they_start(app):
    errors = refused(replace(EUROPOL, working_hours_start=time(17), working_hours_end=time(9)))
    assert errors == {"working_hours_end": "Office hours end after they start."}


def test_every_problem_is_named_at_once(app):
    errors = refused(ParticipantDetails(kind="state", name="", short_name="", timezone="Nowhere",
                                        country_code="XX"))
    assert set(errors) == {"name", "short_name", "timezone", "country_code"}


def test_a_renaming_is_audited_with_before_and_after_and_the_kind_stays(app):
    participant = create_participant(BAVARIA, by=None)
    db.session.commit()
    update_participant(participant, replace(BAVARIA, name="Bavarian Ministry of the Interior",
                                            subdivision=""), by=None)
    db.session.commit()
    assert participant.subdivision is None and participant.holiday_region == "DE"
    event = db.session.scalar(select(AuditEvent).where(
        AuditEvent.action == "participant.updated"))
    assert event.details["before"] == {"name": "Bavarian State Ministry of the Interior",
                                       "subdivision": "BY"}
    assert event.details["after"] == {"name": "Bavarian Ministry of the Interior",
                                      "subdivision": ""}
    # Saving the same details again changes nothing and logs nothing.
    update_participant(participant, replace(BAVARIA, name="Bavarian Ministry of the Interior",
                                            subdivision=""), by=None)
    assert db.session.scalar(select(func.count()).select_from(AuditEvent).where(
        AuditEvent.action == "participant.updated")) == 1
    assert "add a new participant instead" in refused(
        replace(EUROPOL, name="Bavarian Ministry of the Interior"), participant)["kind"]
