"""`planner demo`: the two real dialogues, quoted from their statements, placed around
the day of loading, and loaded only once."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import func, select

from planner.demo import statements
from planner.demo.loader import coalition_days, load_demo, next_uk_albania_day
from planner.extensions import db
from planner.models import (
    ActionItem,
    Base,
    Commitment,
    Dialogue,
    Meeting,
    MeetingStatus,
    Minutes,
    Person,
)
from planner.scheduling.holidays import holidays_on, is_weekend
from tests.conftest import DEMO_PASSWORD

COALITION_SIX = ("BE", "DE", "FR", "IT", "ES", "NL")


def dialogue(slug: str) -> Dialogue:
    return db.session.scalar(select(Dialogue).where(Dialogue.slug == slug))


def test_uk_albania_dialogue(demo):
    ukal = dialogue("uk-albania")
    assert ukal.level == "senior_officials"
    members = {(m.participant.country_code, m.participant.timezone, m.role)
               for m in ukal.memberships}
    assert members == {("GB", "Europe/London", "member"), ("AL", "Europe/Tirane", "member")}
    assert [t.label for t in ukal.themes] == [
        "I. Illicit finance", "II. Corruption", "III. Narcotics",
        "IV. Organised immigration crime",
    ]
    (document,) = ukal.documents
    assert document.issued_on == date(2023, 11, 29)
    assert document.place == "London"
    assert {c.section.label for c in ukal.commitments} == {"I", "II", "III", "IV", "V"}


def test_coalition_members_and_observers(demo):
    coalition = dialogue("coalition")
    members = {m.participant.country_code for m in coalition.memberships if not m.is_observer}
    observers = {m.participant.name for m in coalition.memberships if m.is_observer}
    assert members == set(COALITION_SIX)
    assert observers == {"European Commission", "Europol", "Eurojust"}
    assert coalition.documents[0].issued_on == date(2022, 10, 7)


@pytest.mark.parametrize("slug", ["uk-albania", "coalition"])
def test_every_commitment_is_quoted_from_its_own_statement(demo, slug):
    source = {"uk-albania": statements.UK_ALBANIA, "coalition": statements.COALITION}[slug]
    text = " ".join(statements.read(source).split())
    commitments = dialogue(slug).commitments
    assert len(commitments) >= 9
    for commitment in commitments:
        assert commitment.quote in text, commitment.reference
        assert commitment.quote in commitment.section.text
        if commitment.theme is not None:
            assert commitment.theme.dialogue_id == commitment.dialogue_id


def test_coalition_commitments_cover_the_action_plan(demo):
    quotes = " ".join(c.quote for c in dialogue("coalition").commitments)
    for phrase in ("platform", "taskforce", "screening of financial transactions",
                   "confiscate", "detection of illegal goods"):
        assert phrase in quotes


def test_meetings_are_placed_around_the_day_of_loading(demo):
    today = date.today()
    coalition = dialogue("coalition")
    held = [m for m in coalition.meetings if m.status == MeetingStatus.HELD]
    upcoming = [m for m in coalition.meetings if m.status == MeetingStatus.PROPOSED]
    (amsterdam,) = held
    antwerp = upcoming[0]
    assert amsterdam.city == "Amsterdam" and amsterdam.local_start.date() < today
    assert antwerp.city == "Antwerp" and antwerp.timezone == "Europe/Brussels"
    assert antwerp.local_start.date() > today
    assert antwerp.local_start.month in (3, 4, 5)
    assert antwerp.host.country_code == "BE"
    # The series fills two years ahead; the next spring meeting after Antwerp is Germany's.
    assert [m.host.country_code for m in upcoming] == ["BE", "DE"]
    ukal = dialogue("uk-albania").meetings
    assert all(m.status == MeetingStatus.PROPOSED for m in ukal)
    assert today < ukal[0].local_start.date() <= today + timedelta(days=366)
    # UK and Albania alternate as hosts, each in its own time zone.
    assert [(m.host.country_code, m.timezone) for m in ukal] in (
        [("GB", "Europe/London"), ("AL", "Europe/Tirane")],
        [("AL", "Europe/Tirane"), ("GB", "Europe/London")],
    )


@pytest.mark.parametrize(
    "today",
    [date(2026, 11, 22), date(2027, 1, 5), date(2027, 3, 20), date(2027, 11, 3),
     date(2027, 11, 30), date(2028, 6, 1), date(2028, 2, 29)],
)
def test_placement_for_any_day_of_loading(today):
    ukal = next_uk_albania_day(today)
    assert ukal.month == 11 and today < ukal <= today + timedelta(days=365)
    assert not is_weekend(ukal) and not holidays_on(ukal, ["GB", "AL"])
    amsterdam, antwerp = coalition_days(today)
    assert today - timedelta(days=35) <= amsterdam < today - timedelta(days=14)
    assert today < antwerp <= today + timedelta(days=366) and antwerp.month in (3, 4, 5)
    assert not is_weekend(antwerp) and not holidays_on(antwerp, COALITION_SIX)


def test_amsterdam_minutes_hold_a_decision_and_an_open_action_item(demo):
    amsterdam = db.session.scalar(select(Meeting).where(Meeting.city == "Amsterdam"))
    minutes = db.session.scalar(select(Minutes).where(Minutes.meeting_id == amsterdam.id))
    assert minutes.decisions
    items = db.session.scalars(select(ActionItem).where(ActionItem.meeting_id == amsterdam.id))
    statuses = {item.status for item in items}
    assert "open" in statuses and "done" in statuses


def row_counts() -> dict[str, int]:
    return {
        table.name: db.session.scalar(select(func.count()).select_from(table))
        for table in Base.metadata.sorted_tables
    }


def test_loading_twice_changes_nothing(app):
    first = load_demo(db.session, today=date.today(), password=DEMO_PASSWORD)
    assert first.created
    before = row_counts()
    password_hash = db.session.scalar(select(Person.password_hash).limit(1))
    second = load_demo(db.session, today=date.today() + timedelta(days=40), password="other")
    assert second.created == []
    assert row_counts() == before
    assert db.session.scalar(select(Person.password_hash).limit(1)) == password_hash


def test_demo_command_prints_the_accounts(app):
    result = app.test_cli_runner().invoke(args=["demo"])
    assert result.exit_code == 0, result.output
    for email in ("secretariat@example.org", "chair.ukal@example.org",
                  "chair.coalition@example.org", "delegate.al@example.org",
                  "delegate.nl@example.org", "observer.europol@example.org"):
        assert email in result.output
    again = app.test_cli_runner().invoke(args=["demo"])
    assert "nothing changed" in again.output
    assert db.session.scalar(select(func.count()).select_from(Commitment)) == 19
