"""Each demo account sees exactly its dialogues; anything else answers 404."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from planner.extensions import db
from planner.models import Dialogue, Meeting
from tests.conftest import (
    CHAIR_COALITION,
    CHAIR_UKAL,
    DELEGATE_AL,
    DELEGATE_NL,
    OBSERVER_EUROPOL,
    SECRETARIAT,
)

UKAL = "UK–Albania Senior Officials&#39; Dialogue on Home Affairs"
COALITION = "Coalition of European countries against serious and organised crime"

SEES = {
    SECRETARIAT: {"uk-albania", "coalition"},
    CHAIR_UKAL: {"uk-albania"},
    CHAIR_COALITION: {"coalition"},
    DELEGATE_AL: {"uk-albania"},
    DELEGATE_NL: {"coalition"},
    OBSERVER_EUROPOL: {"coalition"},
}


def ids() -> dict[str, int]:
    return {d.slug: d.id for d in db.session.scalars(select(Dialogue))}


@pytest.mark.parametrize("email", list(SEES))
def test_each_account_sees_exactly_its_dialogues(sign_in, email):
    client = sign_in(email)
    listing = client.get("/dialogues").get_data(as_text=True)
    assert (UKAL in listing) == ("uk-albania" in SEES[email])
    assert (COALITION in listing) == ("coalition" in SEES[email])
    for slug, dialogue_id in ids().items():
        expected = 200 if slug in SEES[email] else 404
        assert client.get(f"/dialogues/{dialogue_id}").status_code == expected
        for meeting in db.session.scalars(
            select(Meeting).where(Meeting.dialogue_id == dialogue_id)
        ):
            assert client.get(f"/meetings/{meeting.id}").status_code == expected


def test_unknown_ids_answer_404(sign_in):
    client = sign_in(SECRETARIAT)
    assert client.get("/dialogues/999999").status_code == 404
    assert client.get("/meetings/999999").status_code == 404


def test_dialogue_page_shows_members_observers_and_commitments_by_theme(sign_in):
    client = sign_in(OBSERVER_EUROPOL)
    page = client.get(f"/dialogues/{ids()['coalition']}").get_data(as_text=True)
    for name in ("Ministry of Justice and Security of the Netherlands", "Eurojust",
                 "Ports and logistics hubs", "Financial screening",
                 "a platform is being set up", "In progress", "Section ¶5", "All members"):
        assert name in page
    members, observers = page.index("<h3>Members</h3>"), page.index("<h3>Observers</h3>")
    assert members < page.index("Spain (justice") < observers < page.index("Europol", observers)


def test_dashboard_shows_next_meetings_and_my_delegations_open_actions(sign_in):
    client = sign_in(DELEGATE_NL)
    page = client.get("/").get_data(as_text=True)
    assert "Coalition ministerial meeting, Antwerp" in page
    assert "UK–Albania" not in page
    # The Netherlands owns an overdue open action; Belgium's is not the Dutch delegate's.
    assert "Share a first outline of the platform" in page and "Overdue" in page
    assert "Propose dates and a venue in Antwerp" not in page
    assert "Circulate the agreed multi-year action plan" not in page  # done


def test_meeting_page_shows_venue_time_and_readers_time(sign_in):
    client = sign_in(DELEGATE_AL)
    meeting = db.session.scalar(select(Meeting).where(Meeting.dialogue.has(slug="uk-albania")))
    page = client.get(f"/meetings/{meeting.id}").get_data(as_text=True)
    local = meeting.local_start
    assert f"{local:%H:%M}–17:00 {local.tzname()}" in page  # London time, the venue's
    assert "Your time (Europe/Tirane)" in page
    assert "10:30–18:00 CET" in page  # the same instant in Tirana


def test_observer_does_not_see_draft_minutes(sign_in):
    from planner.models import Minutes

    minutes = db.session.scalar(select(Minutes))
    minutes.status = "draft"
    db.session.commit()
    meeting_id = minutes.meeting_id
    assert "Decisions" not in sign_in(OBSERVER_EUROPOL).get(f"/meetings/{meeting_id}").get_data(
        as_text=True
    )


def test_account_settings_change_the_readers_time_zone(sign_in):
    from tests.conftest import csrf_token

    client = sign_in(DELEGATE_NL)
    token = csrf_token(client, "/account")
    response = client.post("/account", data={"csrf_token": token, "name": "Dutch delegate",
                                             "timezone": "America/New_York"})
    assert response.status_code == 302
    assert "Your time (America/New_York)" in client.get(
        f"/meetings/{db.session.scalar(select(Meeting.id).where(Meeting.city == 'Antwerp'))}"
    ).get_data(as_text=True)


@pytest.mark.parametrize(
    ("data", "message"),
    [({"name": "", "timezone": ""}, "Enter your name."),
     ({"name": "X", "timezone": "Mars/Olympus"}, "Not a valid choice")],
)
def test_account_settings_refuse_bad_input(sign_in, data, message):
    from tests.conftest import csrf_token

    client = sign_in(DELEGATE_NL)
    response = client.post("/account", data={"csrf_token": csrf_token(client, "/account"),
                                             **data})
    assert response.status_code == 400
    assert message in response.get_data(as_text=True)
    from planner.models import Person
    db.session.expire_all()
    person = db.session.scalar(select(Person).where(Person.email == DELEGATE_NL))
    assert person.name == "Dutch delegate" and person.timezone == "Europe/Amsterdam"


def test_dashboard_hides_action_items_of_draft_minutes_from_delegates(sign_in):
    from planner.models import Minutes

    minutes = db.session.scalar(select(Minutes))
    minutes.status = "draft"
    db.session.commit()
    page = sign_in(DELEGATE_NL).get("/").get_data(as_text=True)
    assert "Share a first outline of the platform" not in page
