"""Integrity lives in the database too: what Python lets through, the schema refuses."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select, text
from sqlalchemy.exc import IntegrityError

from planner.extensions import db
from planner.models import (
    ActionItem,
    Agenda,
    AgendaItem,
    Commitment,
    Decision,
    Dialogue,
    Meeting,
    Minutes,
    Participant,
    Person,
)

BRUSSELS = ZoneInfo("Europe/Brussels")


def by_slug(slug: str) -> Dialogue:
    return db.session.scalar(select(Dialogue).where(Dialogue.slug == slug))


def participant(short_name: str) -> Participant:
    return db.session.scalar(select(Participant).where(Participant.short_name == short_name))


def refused(statement: str, **params) -> None:
    with pytest.raises(IntegrityError):
        db.session.execute(text(statement), params)
        db.session.flush()
    db.session.rollback()


@pytest.mark.parametrize(
    ("local", "utc_hour"),
    [(datetime(2027, 3, 26, 9, 30), 8), (datetime(2027, 3, 29, 9, 30), 7)],
)
def test_times_are_stored_in_utc_and_come_back_aware(demo, local, utc_hour):
    """09:30 in Brussels on either side of the change to summer time (28 March 2027)."""
    meeting = db.session.scalar(select(Meeting).where(Meeting.city == "Antwerp"))
    meeting.starts_at = local.replace(tzinfo=BRUSSELS)
    meeting.ends_at = local.replace(hour=17, tzinfo=BRUSSELS)
    db.session.commit()
    db.session.expire_all()
    stored = db.session.get(Meeting, meeting.id)
    assert stored.starts_at.tzinfo is not None
    assert stored.starts_at == datetime(local.year, local.month, local.day, utc_hour, 30,
                                        tzinfo=UTC)
    assert stored.local_start.strftime("%H:%M") == "09:30"


def test_naive_datetimes_are_refused(demo):
    meeting = db.session.scalar(select(Meeting).where(Meeting.city == "Antwerp"))
    meeting.starts_at = datetime(2027, 4, 20, 9, 30)
    with pytest.raises(Exception, match="naive datetime"):
        db.session.flush()
    db.session.rollback()


def test_unknown_time_zone_is_refused():
    with pytest.raises(ValueError, match="unknown time zone"):
        Participant(kind="state", name="X", short_name="X", country_code="XX",
                    timezone="Europe/Atlantis")


def test_status_values_are_checked_by_the_database(demo):
    refused("UPDATE meeting SET status = 'postponed'")
    refused("UPDATE commitment SET status = 'done'")
    refused("UPDATE action_item SET status = 'finished'")
    refused("UPDATE minutes SET status = 'final'")


def test_a_meeting_cannot_end_before_it_starts(demo):
    refused("UPDATE meeting SET ends_at = starts_at")


def test_a_state_needs_its_country_code(demo):
    refused("UPDATE participant SET country_code = NULL WHERE short_name = 'BE'")
    refused("UPDATE participant SET country_code = 'XX' WHERE short_name = 'Europol'")


def test_action_item_owner_must_be_in_the_dialogue(demo):
    coalition = by_slug("coalition")
    db.session.add(ActionItem(dialogue=coalition, owner=participant("AL"), title="Not ours"))
    with pytest.raises(IntegrityError):
        db.session.flush()
    db.session.rollback()


def test_meeting_host_must_be_in_the_dialogue(demo):
    meeting = db.session.scalar(select(Meeting).where(Meeting.city == "Antwerp"))
    meeting.host = participant("UK")
    with pytest.raises(IntegrityError):
        db.session.flush()
    db.session.rollback()


def test_commitment_theme_must_be_of_its_own_dialogue(demo):
    ukal_theme = by_slug("uk-albania").themes[0]
    commitment = db.session.scalar(select(Commitment).where(Commitment.reference == "¶6.1"))
    commitment.theme_id = ukal_theme.id
    with pytest.raises(IntegrityError):
        db.session.flush()
    db.session.rollback()


def test_emails_are_unique_whatever_their_case(demo):
    db.session.add(Person(email="Delegate.NL@Example.org ", name="Twin"))
    with pytest.raises(IntegrityError):
        db.session.flush()
    db.session.rollback()


def test_agenda_items_need_a_title_and_a_non_negative_time_box(demo):
    meeting = db.session.scalar(select(Meeting).where(Meeting.city == "Antwerp"))
    agenda = Agenda(meeting=meeting)
    agenda.items.append(AgendaItem(position=1, title="Welcome", duration_minutes=10))
    db.session.add(agenda)
    db.session.commit()
    refused("UPDATE agenda_item SET duration_minutes = -5")
    refused("UPDATE agenda_item SET title = ''")


def test_decisions_need_text(demo):
    minutes = db.session.scalar(select(Minutes))
    minutes.decisions.append(Decision(text=""))
    with pytest.raises(IntegrityError):
        db.session.flush()
    db.session.rollback()


def test_deleting_a_participant_in_use_is_refused(demo):
    refused("DELETE FROM participant WHERE short_name = 'NL'")
