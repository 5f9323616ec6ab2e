"""A meeting's agenda through the API: build it from what is open, edit its items,
circulate it; the draft is for the secretariat and the chair only."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from planner.extensions import db
from planner.models import ActionItem, AgendaItem, Commitment, Participant
from tests.api_support import api_as, invalid_fields, meeting_in, problem
from tests.conftest import CHAIR_COALITION, CHAIR_UKAL, DELEGATE_NL, OBSERVER_EUROPOL, SECRETARIAT


@pytest.fixture
def antwerp(demo) -> int:
    return meeting_in("Antwerp").id


@pytest.fixture
def chair(app, demo):
    return api_as(app, CHAIR_COALITION)


def build(chair, meeting_id: int) -> dict:
    answer = chair.post(f"/api/v1/meetings/{meeting_id}/agenda/build")
    assert answer.status_code == 200, answer.get_data(as_text=True)
    return answer.get_json()


def test_the_chair_builds_the_agenda_from_what_is_open(app, chair, antwerp):
    assert chair.get(f"/api/v1/meetings/{antwerp}/agenda").get_json() == {
        "meeting_id": antwerp, "draft": None, "versions": []}
    body = build(chair, antwerp)
    items = body["draft"]["items"]
    assert body["added"] == [item["id"] for item in items]
    reviewed = {item["commitment_id"] for item in items if item["kind"] == "commitment"}
    open_ones = set(db.session.scalars(select(Commitment.id).where(
        Commitment.dialogue_id == meeting_in("Antwerp").dialogue_id,
        Commitment.status.in_(("open", "in_progress")))))
    assert reviewed == open_ones
    actions = {item["action_item_id"] for item in items if item["action_item_id"]}
    assert actions and actions <= set(db.session.scalars(
        select(ActionItem.id).where(ActionItem.status.in_(("open", "in_progress")))))
    numbers = [item["number"] for item in items]
    assert numbers[0] == "1" and any("." in n for n in numbers)
    assert all(item["local_start"] for item in items)
    again = build(chair, antwerp)
    assert again["added"] == [] and len(again["draft"]["items"]) == len(items)


def test_the_draft_is_not_shown_to_delegates_and_observers(app, chair, antwerp):
    build(chair, antwerp)
    for email in (DELEGATE_NL, OBSERVER_EUROPOL):
        api = api_as(app, email)
        assert api.get(f"/api/v1/meetings/{antwerp}/agenda").get_json()["draft"] is None
        assert api.post(f"/api/v1/meetings/{antwerp}/agenda/build").status_code == 403
        item = db.session.scalar(select(AgendaItem.id).limit(1))
        assert api.get(f"/api/v1/meetings/{antwerp}/agenda/items/{item}").status_code == 403
        assert api.patch(f"/api/v1/meetings/{antwerp}/agenda/items/{item}",
                         json={"title": "Mine"}).status_code == 403
    other_chair = api_as(app, CHAIR_UKAL)
    assert other_chair.get(f"/api/v1/meetings/{antwerp}/agenda").status_code == 404
    assert other_chair.post(f"/api/v1/meetings/{antwerp}/agenda/build").status_code == 404


def test_adding_an_item_puts_it_before_the_closing_items(app, chair, antwerp):
    build(chair, antwerp)
    belgium = db.session.scalar(select(Participant.id).where(Participant.short_name == "BE"))
    answer = chair.post(f"/api/v1/meetings/{antwerp}/agenda/items", json={
        "title": "Port of Antwerp: container screening pilot", "duration_minutes": 20,
        "presenter": {"participant_id": belgium}, "notes": "Slides to follow"})
    assert answer.status_code == 201, answer.get_data(as_text=True)
    item = answer.get_json()
    assert answer.headers["Location"].endswith(f"/agenda/items/{item['id']}")
    assert item["presenter"] == {"kind": "participant", "id": belgium,
                                 "name": item["presenter"]["name"]}
    assert item["kind"] == "custom" and item["number"]
    draft = chair.get(f"/api/v1/meetings/{antwerp}/agenda").get_json()["draft"]["items"]
    titles = [entry["title"] for entry in draft if not entry["removed"]]
    assert titles.index(item["title"]) < len(titles) - 1


@pytest.mark.parametrize(("body", "field", "status"), [
    ({"duration_minutes": 5}, "title", 400),
    ({"title": "   "}, "title", 422),
    ({"title": "Long", "duration_minutes": -5}, "duration_minutes", 400),
    ({"title": "Two", "presenter": {"participant_id": 1, "person_id": 1}}, "presenter", 400),
    ({"title": "Outsider", "presenter": {"person_id": 999999}}, "presenter", 422),
    ({"title": "Where", "after": 999999}, "after", 422),
    ({"title": "Text", "duration_minutes": "ten"}, "duration_minutes", 400),
])
def test_a_bad_item_is_named_and_not_added(app, chair, antwerp, body, field, status):
    count = len(build(chair, antwerp)["draft"]["items"])
    answer = chair.post(f"/api/v1/meetings/{antwerp}/agenda/items", json=body)
    assert answer.status_code == status
    assert field in invalid_fields(answer)
    assert len(chair.get(f"/api/v1/meetings/{antwerp}/agenda").get_json()["draft"]["items"]) \
        == count


def test_editing_an_item_with_if_match_refuses_a_stale_version(app, chair, antwerp):
    build(chair, antwerp)
    read = chair.get(f"/api/v1/meetings/{antwerp}/agenda")
    etag = read.headers["ETag"]
    item = read.get_json()["draft"]["items"][1]
    path = f"/api/v1/meetings/{antwerp}/agenda/items/{item['id']}"
    first = chair.patch(path, json={"duration_minutes": 15}, headers={"If-Match": etag})
    assert first.status_code == 200 and first.get_json()["duration_minutes"] == 15
    assert first.headers["ETag"] != etag
    stale = chair.patch(path, json={"title": "Overwritten?"}, headers={"If-Match": etag})
    assert stale.status_code == 412
    assert stale.headers["ETag"] == first.headers["ETag"]
    assert problem(stale)["errors"][0]["field"] == "If-Match"
    assert chair.get(path).get_json()["title"] == item["title"]


def test_removing_restoring_and_moving_items(app, chair, antwerp):
    items = build(chair, antwerp)["draft"]["items"]
    second = items[1]
    base = f"/api/v1/meetings/{antwerp}/agenda/items"
    removed = chair.patch(f"{base}/{second['id']}", json={"removed": True}).get_json()
    assert removed["removed"] is True and removed["number"] is None
    assert second["id"] not in [i["id"] for i in build(chair, antwerp)["draft"]["items"]
                                if not i["removed"]]
    restored = chair.patch(f"{base}/{second['id']}", json={"removed": False}).get_json()
    assert restored["removed"] is False
    moved = chair.patch(f"{base}/{second['id']}", json={"move": "up"}).get_json()
    assert moved["number"] == "1"
    first_already = chair.patch(f"{base}/{second['id']}", json={"move": "up"})
    assert first_already.status_code == 422 and invalid_fields(first_already) == {"move"}
    mixed = chair.patch(f"{base}/{second['id']}", json={"move": "down", "title": "Both"})
    assert mixed.status_code == 400
    assert chair.patch(f"{base}/999999", json={"title": "None"}).status_code == 404


def test_circulating_freezes_a_numbered_version_for_everyone(app, chair, antwerp):
    build(chair, antwerp)
    answer = chair.post(f"/api/v1/meetings/{antwerp}/agenda/circulate", json={"notify": False})
    assert answer.status_code == 201, answer.get_data(as_text=True)
    version = answer.get_json()
    assert version["number"] == 1 and version["content"]["items"]
    observer = api_as(app, OBSERVER_EUROPOL)
    assert observer.get(answer.headers["Location"]).get_json() == version
    assert [v["number"] for v in observer.get(f"/api/v1/meetings/{antwerp}/agenda")
            .get_json()["versions"]] == [1]
    unchanged = chair.post(f"/api/v1/meetings/{antwerp}/agenda/circulate")
    assert unchanged.status_code == 422 and "Nothing has changed" in problem(unchanged)["detail"]
    stale = chair.post(f"/api/v1/meetings/{antwerp}/agenda/circulate",
                       headers={"If-Match": '"agenda-1"'})
    assert stale.status_code == 412
    assert observer.get(f"/api/v1/meetings/{antwerp}/agenda/versions/2").status_code == 404


def test_circulating_needs_a_draft(app, demo, antwerp):
    answer = api_as(app, SECRETARIAT).post(f"/api/v1/meetings/{antwerp}/agenda/circulate")
    assert answer.status_code == 404
    assert "build" in problem(answer)["detail"]
