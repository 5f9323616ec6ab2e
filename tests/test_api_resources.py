"""Dialogues, participants, commitments, meetings and date proposals through the API:
what each person sees, what the secretariat changes, and bad input named by field."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import func, select

from planner.extensions import db
from planner.models import (
    Commitment,
    Meeting,
    MeetingChange,
    Membership,
    Participant,
)
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


def ukal_meeting() -> Meeting:
    return db.session.scalar(select(Meeting).where(Meeting.dialogue_id == dialogue_id(UKAL))
                             .order_by(Meeting.starts_at).limit(1))


# --- dialogues --------------------------------------------------------------------------


def test_each_person_lists_the_dialogues_they_take_part_in(app, demo):
    everything = api_as(app, SECRETARIAT).get("/api/v1/dialogues").get_json()
    assert everything["total"] == 2
    assert {d["your_role"] for d in everything["items"]} == {"secretariat"}
    for email, role in ((DELEGATE_NL, "delegate"), (OBSERVER_EUROPOL, "observer"),
                        (CHAIR_COALITION, "chair")):
        mine = api_as(app, email).get("/api/v1/dialogues").get_json()
        assert mine["total"] == 1
        assert [(d["slug"], d["your_role"]) for d in mine["items"]] == [(COALITION, role)]


def test_one_dialogue_with_its_members_themes_documents_and_series(app, demo):
    answer = api_as(app, DELEGATE_NL).get(f"/api/v1/dialogues/{dialogue_id(COALITION)}")
    assert answer.status_code == 200
    body = answer.get_json()
    assert {m["short_name"] for m in body["members"] if m["role"] == "member"} >= {
        "BE", "DE", "FR", "IT", "ES", "NL"}
    assert any(m["role"] == "observer" for m in body["members"])
    assert body["themes"] and body["documents"]
    assert body["series"]["default_start"].count(":") == 1


@pytest.mark.parametrize("email", [DELEGATE_NL, OBSERVER_EUROPOL, CHAIR_COALITION])
def test_another_dialogue_and_its_records_answer_404(app, demo, email):
    api = api_as(app, email)
    ukal = dialogue_id(UKAL)
    for path in (f"/api/v1/dialogues/{ukal}", f"/api/v1/dialogues/{ukal}/commitments",
                 f"/api/v1/dialogues/{ukal}/meetings", f"/api/v1/meetings/{ukal_meeting().id}",
                 f"/api/v1/participants?dialogue={ukal}"):
        answer = api.get(path)
        assert answer.status_code == 404, path
        problem(answer)


def test_participants_are_those_of_the_dialogues_one_sees(app, demo):
    seen = api_as(app, DELEGATE_NL).get("/api/v1/participants?per_page=100").get_json()
    codes = {p["short_name"] for p in seen["items"]}
    assert "NL" in codes and "AL" not in codes and "UK" not in codes
    every = api_as(app, SECRETARIAT).get("/api/v1/participants?per_page=100").get_json()
    assert every["total"] == db.session.scalar(select(func.count(Participant.id)))
    states = api_as(app, SECRETARIAT).get("/api/v1/participants?kind=state&per_page=100")
    assert {p["kind"] for p in states.get_json()["items"]} == {"state"}
    ukal = api_as(app, SECRETARIAT).get(f"/api/v1/participants?dialogue={dialogue_id(UKAL)}")
    assert {p["short_name"] for p in ukal.get_json()["items"]} == {"UK", "AL"}


def test_lists_come_in_pages_with_the_total(app, demo):
    api = api_as(app, SECRETARIAT)
    coalition = dialogue_id(COALITION)
    total = db.session.scalar(select(func.count(Commitment.id))
                              .where(Commitment.dialogue_id == coalition))
    assert total > 3
    pages = [api.get(f"/api/v1/dialogues/{coalition}/commitments?per_page=2&page={n}")
             .get_json() for n in range(1, (total + 1) // 2 + 2)]
    assert all(p["total"] == total and p["per_page"] == 2 for p in pages)
    ids = [c["id"] for p in pages for c in p["items"]]
    assert len(ids) == total == len(set(ids))
    assert pages[-1]["items"] == [] and pages[-1]["page"] == len(pages)
    for bad in ("page=0", "per_page=0", "per_page=101", "page=x"):
        answer = api.get(f"/api/v1/dialogues/{coalition}/commitments?{bad}")
        assert answer.status_code == 400, bad
        assert invalid_fields(answer) == {bad.split("=")[0]}


def test_commitments_with_their_source_leads_and_filters(app, demo):
    api = api_as(app, DELEGATE_AL)
    body = api.get(f"/api/v1/dialogues/{dialogue_id(UKAL)}/commitments?per_page=100").get_json()
    first = body["items"][0]
    assert first["reference"] and first["quote"] and first["section"]["document_title"]
    assert all(c["dialogue_id"] == dialogue_id(UKAL) for c in body["items"])
    status = first["status"]
    filtered = api.get(f"/api/v1/dialogues/{dialogue_id(UKAL)}/commitments?status={status}")
    assert {c["status"] for c in filtered.get_json()["items"]} == {status}
    assert api.get(f"/api/v1/dialogues/{dialogue_id(UKAL)}/commitments?status=finished") \
        .status_code == 400


# --- meetings ---------------------------------------------------------------------------


def test_a_meeting_in_utc_and_in_its_venues_time(app, demo):
    meeting = meeting_in("Antwerp")
    body = api_as(app, OBSERVER_EUROPOL).get(f"/api/v1/meetings/{meeting.id}").get_json()
    start = datetime.fromisoformat(body["start"])
    local = datetime.fromisoformat(body["local_start"])
    assert start == meeting.starts_at and start.utcoffset() == timedelta(0)
    assert local == start
    assert local.utcoffset() == meeting.local_start.utcoffset() != timedelta(0)
    assert body["timezone"] == "Europe/Brussels"
    assert body["host"]["short_name"] == "BE"


def test_the_meetings_of_a_dialogue_filtered_by_status_and_time(app, demo):
    api = api_as(app, DELEGATE_NL)
    path = f"/api/v1/dialogues/{dialogue_id(COALITION)}/meetings"
    every = api.get(path + "?per_page=100").get_json()["items"]
    starts = [m["start"] for m in every]
    assert starts == sorted(starts) and len(every) >= 2
    held = api.get(path + "?status=held").get_json()["items"]
    assert [m["city"] for m in held] == ["Amsterdam"]
    now = datetime.now(UTC).isoformat()
    upcoming = api.get(path, query_string={"after": now}).get_json()["items"]
    assert "Amsterdam" not in {m["city"] for m in upcoming} and upcoming
    naive = api.get(path, query_string={"after": "2026-01-01T10:00:00"})
    assert naive.status_code == 400 and invalid_fields(naive) == {"after"}


def test_the_secretariat_moves_a_meeting_with_a_reason(app, demo):
    meeting = meeting_in("Antwerp")
    sequence = meeting.sequence
    start = meeting.local_start + timedelta(days=7)
    answer = api_as(app, SECRETARIAT).patch(f"/api/v1/meetings/{meeting.id}", json={
        "start": start.isoformat(), "end": (start + timedelta(hours=6)).isoformat(),
        "venue": "Port House", "reason": "The port authority hosts us a week later",
    })
    assert answer.status_code == 200, answer.get_data(as_text=True)
    body = answer.get_json()
    assert datetime.fromisoformat(body["start"]) == start
    assert body["venue"] == "Port House" and body["sequence"] == sequence + 1
    change = db.session.scalar(select(MeetingChange).where(MeetingChange.meeting_id == meeting.id)
                               .order_by(MeetingChange.id.desc()).limit(1))
    assert change.kind == "rescheduled"
    assert change.reason == "The port authority hosts us a week later"


def test_a_new_start_alone_keeps_the_meetings_length(app, demo):
    meeting = meeting_in("Antwerp")
    length = meeting.ends_at - meeting.starts_at
    start = (meeting.starts_at + timedelta(days=1)).astimezone(UTC)
    body = api_as(app, SECRETARIAT).patch(f"/api/v1/meetings/{meeting.id}", json={
        "start": start.isoformat().replace("+00:00", "Z")}).get_json()
    assert datetime.fromisoformat(body["end"]) - datetime.fromisoformat(body["start"]) == length


def test_the_secretariat_confirms_and_cancels_a_meeting(app, demo):
    api = api_as(app, SECRETARIAT)
    path = f"/api/v1/meetings/{meeting_in('Antwerp').id}"
    assert api.patch(path, json={"status": "confirmed"}).get_json()["status"] == "confirmed"
    again = api.patch(path, json={"status": "confirmed"})
    assert again.status_code == 422 and invalid_fields(again) == {"status"}
    no_reason = api.patch(path, json={"status": "cancelled"})
    assert no_reason.status_code == 422 and invalid_fields(no_reason) == {"reason"}
    cancelled = api.patch(path, json={"status": "cancelled", "reason": "Port strike"})
    assert cancelled.get_json()["status"] == "cancelled"
    assert cancelled.get_json()["cancel_reason"] == "Port strike"
    moved = api.patch(path, json={"city": "Ghent"})
    assert moved.status_code == 422 and "cancelled" in problem(moved)["detail"]


@pytest.mark.parametrize("email", [DELEGATE_AL, CHAIR_UKAL])
def test_only_the_secretariat_changes_the_schedule(app, demo, email):
    meeting = ukal_meeting()
    answer = api_as(app, email).patch(f"/api/v1/meetings/{meeting.id}",
                                      json={"status": "cancelled", "reason": "Not mine to"})
    assert answer.status_code == 403
    assert "secretariat" in problem(answer)["detail"]
    db.session.refresh(meeting)
    assert meeting.status != "cancelled"


@pytest.mark.parametrize(("body", "field", "status"), [
    ({}, "body", 400),
    ({"start": "2027-03-01T09:00:00"}, "start", 400),
    ({"start": 12}, "start", 400),
    ({"start": "2027-03-01T09:00:00Z", "end": 1e9}, "end", 400),
    ({"status": "held"}, "status", 400),
    ({"colour": "blue"}, "colour", 400),
    ({"start": "2027-03-02T09:00:00+01:00", "end": "2027-03-01T09:00:00+01:00"}, "end", 422),
    ({"timezone": "Europe/Atlantis"}, "timezone", 422),
    ({"host_id": 999999}, "host_id", 422),
])
def test_bad_changes_are_refused_by_field_and_change_nothing(app, demo, body, field, status):
    meeting = meeting_in("Antwerp")
    before = (meeting.starts_at, meeting.ends_at, meeting.timezone, meeting.sequence)
    answer = api_as(app, SECRETARIAT).patch(f"/api/v1/meetings/{meeting.id}", json=body)
    assert answer.status_code == status
    assert field in invalid_fields(answer)
    db.session.refresh(meeting)
    assert (meeting.starts_at, meeting.ends_at, meeting.timezone, meeting.sequence) == before


def test_a_host_must_hold_a_seat_in_the_dialogue(app, demo):
    albania = db.session.scalar(select(Participant).where(Participant.short_name == "AL"))
    answer = api_as(app, SECRETARIAT).patch(f"/api/v1/meetings/{meeting_in('Antwerp').id}",
                                            json={"host_id": albania.id})
    assert answer.status_code == 422
    assert invalid_fields(answer) == {"host_id"}


def test_the_secretariat_adds_a_meeting(app, demo):
    coalition = dialogue_id(COALITION)
    spain = db.session.scalar(select(Membership.participant_id).join(Participant).where(
        Membership.dialogue_id == coalition, Participant.short_name == "ES"))
    answer = api_as(app, SECRETARIAT).post(f"/api/v1/dialogues/{coalition}/meetings", json={
        "title": "Ports working group", "start": "2027-06-15T09:00:00+02:00",
        "end": "2027-06-15T13:00:00+02:00", "timezone": "Europe/Madrid", "city": "Valencia",
        "host_id": spain, "format": "hybrid",
    })
    assert answer.status_code == 201, answer.get_data(as_text=True)
    body = answer.get_json()
    assert answer.headers["Location"] == f"/api/v1/meetings/{body['id']}"
    assert body["status"] == "proposed" and body["format"] == "hybrid"
    assert body["start"] == "2027-06-15T07:00:00Z"
    assert body["local_start"] == "2027-06-15T09:00:00+02:00"
    created = db.session.get(Meeting, body["id"])
    assert created.changes[0].kind == "created" and created.series_date is None
    read = api_as(app, DELEGATE_NL).get(answer.headers["Location"])
    assert read.get_json()["title"] == "Ports working group"


def test_adding_a_meeting_is_the_secretariats_and_needs_its_fields(app, demo):
    path = f"/api/v1/dialogues/{dialogue_id(COALITION)}/meetings"
    whole = {"title": "Extra", "start": "2027-06-15T09:00:00Z", "end": "2027-06-15T12:00:00Z",
             "timezone": "Europe/Brussels"}
    assert api_as(app, CHAIR_COALITION).post(path, json=whole).status_code == 403
    api = api_as(app, SECRETARIAT)
    missing = api.post(path, json={"title": "Extra"})
    assert missing.status_code == 400
    assert invalid_fields(missing) == {"start", "end", "timezone"}
    zone = api.post(path, json=whole | {"timezone": "Mars/Olympus"})
    assert zone.status_code == 422 and invalid_fields(zone) == {"timezone"}
    assert api.post(f"/api/v1/dialogues/{dialogue_id(UKAL) + 100}/meetings",
                    json=whole).status_code == 404
    assert db.session.scalar(select(func.count(Meeting.id)).where(Meeting.title == "Extra")) == 0


# --- proposals --------------------------------------------------------------------------


def test_proposals_rank_candidates_and_give_each_rejected_date_its_reasons(app, demo):
    year = date.today().year + 1
    answer = api_as(app, SECRETARIAT).get(
        f"/api/v1/dialogues/{dialogue_id(COALITION)}/proposals",
        query_string={"start": f"{year}-04-20", "end": f"{year}-05-03", "days": 1})
    assert answer.status_code == 200
    body = answer.get_json()
    scores = [c["score"] for c in body["candidates"]]
    assert scores == sorted(scores, reverse=True) and all(c["reasons"] for c in body["candidates"])
    rejected = {r["date"]: r["reasons"] for r in body["rejected"]}
    kings_day = date(year, 4, 27)
    if kings_day.weekday() < 5:  # King's Day, a Dutch public holiday
        assert any("King" in reason for reason in rejected[kings_day.isoformat()])
    saturdays = [d for d in rejected if date.fromisoformat(d).weekday() == 5]
    assert saturdays and all(any("Saturday" in r for r in rejected[d]) for d in saturdays)
    dates = {c["start"] for c in body["candidates"]} | set(rejected)
    assert len(dates) == 14


@pytest.mark.parametrize("email", [CHAIR_COALITION, DELEGATE_NL])
def test_proposals_are_the_secretariats(app, demo, email):
    answer = api_as(app, email).get(f"/api/v1/dialogues/{dialogue_id(COALITION)}/proposals",
                                    query_string={"start": "2027-04-01", "end": "2027-04-30"})
    assert answer.status_code == 403


@pytest.mark.parametrize(("query", "fields", "status"), [
    ({"end": "2027-04-30"}, {"start"}, 400),
    ({"start": "2027-04-31", "end": "2027-05-30"}, {"start"}, 400),
    ({"start": "2027-04-01", "end": "2027-04-30", "days": 5}, {"days"}, 400),
    ({"start": "2027-04-30", "end": "2027-04-01"}, {"end"}, 422),
    ({"start": "2027-01-01", "end": "2028-06-30"}, {"end"}, 422),
])
def test_a_bad_window_is_named(app, demo, query, fields, status):
    answer = api_as(app, SECRETARIAT).get(
        f"/api/v1/dialogues/{dialogue_id(COALITION)}/proposals", query_string=query)
    assert answer.status_code == status
    assert invalid_fields(answer) == fields
    assert {e["in"] for e in problem(answer)["errors"]} == {"query"}


def test_a_move_and_a_status_are_made_together_or_not_at_all(app, demo):
    api = api_as(app, SECRETARIAT)
    meeting = meeting_in("Antwerp")
    path = f"/api/v1/meetings/{meeting.id}"
    assert api.patch(path, json={"status": "confirmed"}).status_code == 200
    answer = api.patch(path, json={"city": "Ghent", "status": "confirmed"})
    assert answer.status_code == 422 and invalid_fields(answer) == {"status"}
    assert api.get(path).get_json()["city"] == "Antwerp"
    both = api.patch(path, json={"city": "Ghent", "status": "cancelled", "reason": "Strike"})
    assert both.status_code == 200
    assert (both.get_json()["city"], both.get_json()["status"]) == ("Ghent", "cancelled")


@pytest.mark.parametrize("path", [
    "/api/v1/dialogues", "/api/v1/participants", "/api/v1/action-items",
    "/api/v1/dialogues/{coalition}/commitments", "/api/v1/dialogues/{coalition}/meetings",
])
def test_a_longer_page_costs_no_more_queries(app, demo, path):
    """No query per row (N+1): one item or a hundred, the same number of queries."""
    from sqlalchemy import event

    api = api_as(app, SECRETARIAT)
    path = path.format(coalition=dialogue_id(COALITION))
    api.get("/api/v1/me")  # the token's first use writes when it was used
    counts = []
    for per_page in (1, 100):
        statements = []

        def count(*_args, _seen=statements):
            _seen.append(1)

        event.listen(db.engine, "before_cursor_execute", count)
        try:
            answer = api.get(f"{path}?per_page={per_page}")
        finally:
            event.remove(db.engine, "before_cursor_execute", count)
        assert answer.status_code == 200
        if per_page == 100:
            assert len(answer.get_json()["items"]) > 1, path
        counts.append(len(statements))
    assert counts[0] == counts[1], (path, counts)
