"""Minutes (read; replace with If-Match, 412 on a stale version, 428 without it) and
action items (list with filters, record, change, close, reopen) through the API."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import select

from planner.extensions import db
from planner.minutes import operations as minutes_ops
from planner.models import (
    ActionItem,
    Minutes,
    MinutesAmendment,
    MinutesStatus,
    Participant,
)
from planner.validation import InvalidInput
from tests.api_support import (
    COALITION,
    UKAL,
    api_as,
    dialogue_id,
    invalid_fields,
    meeting_in,
    problem,
)
from tests.conftest import (
    CHAIR_COALITION,
    CHAIR_UKAL,
    DELEGATE_AL,
    DELEGATE_NL,
    OBSERVER_EUROPOL,
    SECRETARIAT,
)


@pytest.fixture
def amsterdam(demo) -> int:
    return meeting_in("Amsterdam").id


def participant(code: str) -> int:
    return db.session.scalar(select(Participant.id).where(Participant.short_name == code))


def writable(body: dict) -> dict:
    """The PUT body from a GET: the writable parts only."""
    return {
        "summary": body["summary"],
        "notes": [{"agenda_item_id": n["agenda_item_id"], "text": n["text"]}
                  for n in body["notes"] if n["text"]],
        "attendance": [{"participant_id": a["participant_id"], "status": a["status"],
                        "delegates": a["delegates"]} for a in body["attendance"]],
    }


# --- minutes ----------------------------------------------------------------------------


def test_members_read_circulated_minutes_with_their_version(app, amsterdam):
    answer = api_as(app, OBSERVER_EUROPOL).get(f"/api/v1/meetings/{amsterdam}/minutes")
    assert answer.status_code == 200
    body = answer.get_json()
    assert answer.headers["ETag"] == f'"minutes-{body["version"]}"'
    assert body["status"] == "circulated" and body["summary"]
    assert {a["short_name"] for a in body["attendance"] if a["status"] == "present"} >= {
        "BE", "DE", "FR", "IT", "ES", "NL"}
    assert body["decisions"] and body["notes"][-1]["title"] == "Other matters"


def test_draft_minutes_are_only_for_those_who_write_them(app, amsterdam):
    minutes = db.session.scalar(select(Minutes).where(Minutes.meeting_id == amsterdam))
    minutes.status = MinutesStatus.DRAFT
    db.session.commit()
    assert api_as(app, DELEGATE_NL).get(f"/api/v1/meetings/{amsterdam}/minutes") \
        .status_code == 404
    assert api_as(app, CHAIR_COALITION).get(f"/api/v1/meetings/{amsterdam}/minutes") \
        .get_json()["status"] == "draft"
    assert api_as(app, DELEGATE_AL).get(f"/api/v1/meetings/{amsterdam}/minutes") \
        .status_code == 404


def test_replacing_the_minutes_needs_the_current_etag(app, amsterdam):
    chair = api_as(app, CHAIR_COALITION)
    path = f"/api/v1/meetings/{amsterdam}/minutes"
    read = chair.get(path)
    body = writable(read.get_json())
    body["summary"] = "The coalition agreed its action plan and a spring meeting in Antwerp."
    missing = chair.put(path, json=body)
    assert missing.status_code == 428
    assert invalid_fields(missing) == {"If-Match"}
    saved = chair.put(path, json=body, headers={"If-Match": read.headers["ETag"]})
    assert saved.status_code == 200, saved.get_data(as_text=True)
    assert saved.get_json()["summary"] == body["summary"]
    assert saved.headers["ETag"] != read.headers["ETag"]
    # Someone who read before that change cannot overwrite it.
    stale = chair.put(path, json=body | {"summary": "An older text"},
                      headers={"If-Match": read.headers["ETag"]})
    assert stale.status_code == 412
    assert stale.headers["ETag"] == saved.headers["ETag"]
    assert chair.get(path).get_json()["summary"] == body["summary"]


def test_notes_and_attendance_are_replaced_whole(app, amsterdam):
    secretariat = api_as(app, SECRETARIAT)
    path = f"/api/v1/meetings/{amsterdam}/minutes"
    read = secretariat.get(path)
    body = writable(read.get_json())
    body["notes"] = [{"agenda_item_id": None, "text": "Europol offered a briefing."}]
    body["attendance"] = [{"participant_id": participant("NL"), "status": "present",
                           "delegates": "Minister of Justice and Security"},
                          {"participant_id": participant("BE"), "status": "apologies"}]
    saved = secretariat.put(path, json=body, headers={"If-Match": read.headers["ETag"]})
    assert saved.status_code == 200, saved.get_data(as_text=True)
    result = saved.get_json()
    recorded = {a["short_name"]: a["status"] for a in result["attendance"] if a["status"]}
    assert recorded == {"NL": "present", "BE": "apologies"}
    assert [n["text"] for n in result["notes"] if n["text"]] == ["Europol offered a briefing."]


def test_text_and_attendance_are_saved_together_or_not_at_all(app, amsterdam, monkeypatch):
    secretariat = api_as(app, SECRETARIAT)
    path = f"/api/v1/meetings/{amsterdam}/minutes"
    read = secretariat.get(path)
    body = writable(read.get_json())
    body["summary"] = "A new summary."
    body["attendance"] = [{"participant_id": participant("BE"), "status": "apologies"}]

    def refused(*_args, **_kwargs):  # the text refused after the attendance was applied
        raise InvalidInput.on("summary", "Refused for the test.")

    monkeypatch.setattr(minutes_ops, "apply_text", refused)
    answer = secretariat.put(path, json=body, headers={"If-Match": read.headers["ETag"]})
    assert answer.status_code == 422 and invalid_fields(answer) == {"summary"}
    monkeypatch.undo()
    after = secretariat.get(path)
    assert after.headers["ETag"] == read.headers["ETag"]
    assert after.get_json()["attendance"] == read.get_json()["attendance"]

    saved = secretariat.put(path, json=body, headers={"If-Match": read.headers["ETag"]})
    assert saved.status_code == 200
    assert saved.get_json()["summary"] == "A new summary."
    assert {a["short_name"]: a["status"] for a in saved.get_json()["attendance"]
            if a["status"]} == {"BE": "apologies"}


@pytest.mark.parametrize(("change", "field", "status"), [
    ({"summary": None}, "summary", 400),
    ({"notes": "text"}, "notes", 400),
    ({"attendance": [{"participant_id": 1, "status": "asleep"}]}, "attendance.0.status", 400),
    ({"notes": [{"agenda_item_id": 999999, "text": "x"}]}, "notes.0.agenda_item_id", 422),
    ({"attendance": [{"participant_id": 999999, "status": "present"}]},
     "attendance.0.participant_id", 422),
    ({"attendance": [{"participant_id": "NL", "status": "present"}]},
     "attendance.0.participant_id", 400),
])
def test_bad_minutes_are_named_and_nothing_is_saved(app, amsterdam, change, field, status):
    chair = api_as(app, CHAIR_COALITION)
    path = f"/api/v1/meetings/{amsterdam}/minutes"
    read = chair.get(path)
    answer = chair.put(path, json=writable(read.get_json()) | change,
                       headers={"If-Match": read.headers["ETag"]})
    assert answer.status_code == status
    assert field in invalid_fields(answer)
    assert chair.get(path).headers["ETag"] == read.headers["ETag"]


def test_names_without_an_attendance_are_refused_by_the_minutes_rules(app, amsterdam):
    chair = api_as(app, CHAIR_COALITION)
    path = f"/api/v1/meetings/{amsterdam}/minutes"
    read = chair.get(path)
    body = writable(read.get_json())
    body["attendance"] = [{"participant_id": participant("NL"), "status": None,
                           "delegates": "Somebody"}]
    answer = chair.put(path, json=body, headers={"If-Match": read.headers["ETag"]})
    assert answer.status_code == 422 and invalid_fields(answer) == {"attendance"}
    assert chair.get(path).headers["ETag"] == read.headers["ETag"]


def test_approved_minutes_change_only_by_an_amendment_with_a_reason(app, amsterdam):
    minutes = db.session.scalar(select(Minutes).where(Minutes.meeting_id == amsterdam))
    minutes.status = MinutesStatus.APPROVED
    db.session.commit()
    chair = api_as(app, CHAIR_COALITION)
    path = f"/api/v1/meetings/{amsterdam}/minutes"
    read = chair.get(path)
    body = writable(read.get_json()) | {"summary": "Corrected summary."}
    silent = chair.put(path, json=body, headers={"If-Match": read.headers["ETag"]})
    assert silent.status_code == 422 and invalid_fields(silent) == {"reason"}
    amended = chair.put(path, json=body | {"reason": "Typo in the minister's title"},
                        headers={"If-Match": read.headers["ETag"]})
    assert amended.status_code == 200
    amendment = db.session.scalar(select(MinutesAmendment)
                                  .where(MinutesAmendment.minutes_id == minutes.id))
    assert amendment.reason == "Typo in the minister's title"


@pytest.mark.parametrize("email", [DELEGATE_NL, OBSERVER_EUROPOL])
def test_only_the_secretariat_and_the_chair_write_minutes(app, amsterdam, email):
    api = api_as(app, email)
    path = f"/api/v1/meetings/{amsterdam}/minutes"
    read = api.get(path)
    answer = api.put(path, json=writable(read.get_json()),
                     headers={"If-Match": read.headers["ETag"]})
    assert answer.status_code == 403
    assert api.post(path).status_code == 403


def test_starting_minutes_waits_for_the_meeting(app, amsterdam):
    chair = api_as(app, CHAIR_COALITION)
    assert chair.post(f"/api/v1/meetings/{amsterdam}/minutes").status_code == 409
    upcoming = chair.post(f"/api/v1/meetings/{meeting_in('Antwerp').id}/minutes")
    assert upcoming.status_code == 422 and invalid_fields(upcoming) == {"meeting_id"}
    assert chair.get(f"/api/v1/meetings/{meeting_in('Antwerp').id}/minutes").status_code == 404


# --- action items -----------------------------------------------------------------------


def test_action_items_are_listed_with_filters(app, amsterdam):
    api = api_as(app, DELEGATE_NL)
    every = api.get("/api/v1/action-items").get_json()
    assert every["total"] == 3
    assert {item["dialogue_id"] for item in every["items"]} == {dialogue_id(COALITION)}
    done = api.get("/api/v1/action-items?status=done").get_json()["items"]
    assert [item["status"] for item in done] == ["done"]
    still_open = api.get("/api/v1/action-items?status=still_open").get_json()["items"]
    assert {item["status"] for item in still_open} <= {"open", "in_progress"}
    assert len(still_open) == 2
    mine = api.get("/api/v1/action-items?owner=mine").get_json()["items"]
    assert {item["owner"]["short_name"] for item in mine} == {"NL"}
    belgian = api.get(f"/api/v1/action-items?owner={participant('BE')}").get_json()["items"]
    assert {item["owner"]["short_name"] for item in belgian} == {"BE"}
    overdue = api.get("/api/v1/action-items?overdue=true").get_json()["items"]
    assert overdue and all(item["overdue"] and item["status"] == "open" for item in overdue)
    assert all(date.fromisoformat(item["due_on"]) < date.today() for item in overdue)
    assert api.get(f"/api/v1/action-items?dialogue={dialogue_id(UKAL)}").status_code == 404
    assert api_as(app, DELEGATE_AL).get("/api/v1/action-items").get_json()["total"] == 0


def test_the_chair_records_an_action_item_in_the_minutes(app, amsterdam):
    chair = api_as(app, CHAIR_COALITION)
    due = (date.today() + timedelta(days=30)).isoformat()
    answer = chair.post("/api/v1/action-items", json={
        "meeting_id": amsterdam, "title": "Map the container terminals' screening",
        "owner_id": participant("BE"), "due_on": due})
    assert answer.status_code == 201, answer.get_data(as_text=True)
    item = answer.get_json()
    assert answer.headers["Location"] == f"/api/v1/action-items/{item['id']}"
    assert item["status"] == "open" and item["due_on"] == due and item["meeting_id"] == amsterdam
    assert answer.headers["ETag"] == f'"action-item-{item["version"]}"'
    seen = api_as(app, DELEGATE_NL).get(answer.headers["Location"])
    assert seen.get_json()["title"] == "Map the container terminals' screening"


@pytest.mark.parametrize(("change", "field", "status"), [
    ({"title": None}, "title", 400),
    ({"owner_id": "BE"}, "owner_id", 400),
    ({"due_on": "next week"}, "due_on", 400),
    ({"owner_id": 999999}, "owner_id", 422),
    ({"due_on": "2001-01-01"}, "due_on", 422),
])
def test_a_bad_action_item_is_named_and_not_recorded(app, amsterdam, change, field, status):
    body = {"meeting_id": amsterdam, "title": "Something", "owner_id": participant("NL")}
    answer = api_as(app, SECRETARIAT).post("/api/v1/action-items", json=body | change)
    assert answer.status_code == status
    assert field in invalid_fields(answer)
    assert db.session.scalar(select(ActionItem.id).where(ActionItem.title == "Something")) \
        is None


def test_action_items_are_recorded_only_where_one_writes_minutes(app, amsterdam):
    body = {"meeting_id": amsterdam, "title": "Mine", "owner_id": participant("NL")}
    assert api_as(app, DELEGATE_NL).post("/api/v1/action-items", json=body).status_code == 403
    assert api_as(app, CHAIR_UKAL).post("/api/v1/action-items", json=body).status_code == 404
    no_minutes = api_as(app, SECRETARIAT).post(
        "/api/v1/action-items", json=body | {"meeting_id": meeting_in("Antwerp").id})
    assert no_minutes.status_code == 422 and invalid_fields(no_minutes) == {"meeting_id"}


def open_item() -> ActionItem:
    return db.session.scalar(select(ActionItem).where(ActionItem.status == "open")
                             .order_by(ActionItem.id).limit(1))


def test_closing_with_an_outcome_and_reopening(app, amsterdam):
    chair = api_as(app, CHAIR_COALITION)
    path = f"/api/v1/action-items/{open_item().id}"
    no_outcome = chair.patch(path, json={"status": "done"})
    assert no_outcome.status_code == 422 and invalid_fields(no_outcome) == {"outcome"}
    closed = chair.patch(path, json={"status": "done", "outcome": "Outline shared on 3 May"})
    assert closed.status_code == 200
    assert closed.get_json()["status"] == "done" and closed.get_json()["closed_at"]
    assert closed.get_json()["overdue"] is False
    no_reason = chair.patch(path, json={"status": "open"})
    assert no_reason.status_code == 422 and invalid_fields(no_reason) == {"reason"}
    reopened = chair.patch(path, json={"status": "open", "reason": "The outline was rejected"})
    assert reopened.get_json()["status"] == "open" and reopened.get_json()["outcome"] == ""


def test_changing_terms_with_if_match(app, amsterdam):
    chair = api_as(app, CHAIR_COALITION)
    path = f"/api/v1/action-items/{open_item().id}"
    read = chair.get(path)
    due = (date.today() + timedelta(days=60)).isoformat()
    changed = chair.patch(path, json={"due_on": due, "status": "in_progress"},
                          headers={"If-Match": read.headers["ETag"]})
    assert changed.status_code == 200, changed.get_data(as_text=True)
    assert changed.get_json()["due_on"] == due
    assert changed.get_json()["status"] == "in_progress"
    stale = chair.patch(path, json={"title": "Overwrite"},
                        headers={"If-Match": read.headers["ETag"]})
    assert stale.status_code == 412
    assert chair.get(path).get_json()["title"] != "Overwrite"


def test_only_managers_change_action_items_and_others_see_none(app, amsterdam):
    path = f"/api/v1/action-items/{open_item().id}"
    delegate = api_as(app, DELEGATE_NL)
    assert delegate.get(path).status_code == 200
    assert delegate.patch(path, json={"status": "done", "outcome": "x"}).status_code == 403
    outsider = api_as(app, DELEGATE_AL)
    assert outsider.get(path).status_code == 404
    assert outsider.patch(path, json={"status": "done", "outcome": "x"}).status_code == 404
    assert api_as(app, SECRETARIAT).get("/api/v1/action-items/999999").status_code == 404
    mixed = api_as(app, SECRETARIAT).patch(path, json={"status": "done", "outcome": "x",
                                                       "title": "And more"})
    assert mixed.status_code == 400
    problem(mixed)
