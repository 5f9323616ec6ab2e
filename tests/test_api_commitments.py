"""Commitments through the API: read one, add one by hand, change its terms and its
status; who may, bad input named by field, and nothing half-saved."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from planner.extensions import db
from planner.models import (
    AuditEvent,
    Commitment,
    CommitmentStatusChange,
    DocumentSection,
    Participant,
    SourceDocument,
    Theme,
)
from tests.api_support import COALITION, UKAL, api_as, dialogue_id, invalid_fields, problem
from tests.conftest import (
    CHAIR_COALITION,
    DELEGATE_AL,
    DELEGATE_NL,
    OBSERVER_EUROPOL,
    SECRETARIAT,
)

PARTNERS = ("Both countries are important partners in the fight against serious crime and "
            "will contribute a wealth of experience and expertise in undermining criminal "
            "power structures.")


def commitment(reference: str, slug: str = COALITION) -> Commitment:
    db.session.expire_all()
    return db.session.scalar(select(Commitment).where(
        Commitment.reference == reference, Commitment.dialogue_id == dialogue_id(slug)))


def section_saying(words: str, slug: str = COALITION) -> DocumentSection:
    return db.session.scalar(
        select(DocumentSection).join(SourceDocument)
        .where(SourceDocument.dialogue_id == dialogue_id(slug),
               DocumentSection.text.contains(words)).limit(1))


def participant(short_name: str) -> Participant:
    return db.session.scalar(select(Participant).where(Participant.short_name == short_name))


def theme_of(slug: str) -> Theme:
    return db.session.scalar(select(Theme).where(Theme.dialogue_id == dialogue_id(slug))
                             .order_by(Theme.position).limit(1))


def counts() -> tuple[int, int, int]:
    """Commitments, status changes, and audit entries about commitments."""
    return (db.session.scalar(select(func.count()).select_from(Commitment)),
            db.session.scalar(select(func.count()).select_from(CommitmentStatusChange)),
            db.session.scalar(select(func.count()).select_from(AuditEvent).where(
                AuditEvent.entity_type == "commitment")))


def new_commitment(**changes) -> dict:
    return {"section_id": section_saying("Both countries are important partners").id,
            "quote": PARTNERS, "title": "Italy and Germany bring their expertise", **changes}


def test_members_read_a_commitment_others_do_not(app, demo):
    platform = commitment("¶5.1")
    response = api_as(app, OBSERVER_EUROPOL).get(f"/api/v1/commitments/{platform.id}")
    assert response.status_code == 200
    body = response.get_json()
    assert (body["reference"], body["title"], body["status"]) == (
        "¶5.1", platform.title, platform.status)
    assert response.headers["ETag"]
    assert api_as(app, DELEGATE_AL).get(
        f"/api/v1/commitments/{platform.id}").status_code == 404
    assert api_as(app, None).get(f"/api/v1/commitments/{platform.id}").status_code == 401


def test_the_chair_adds_a_commitment_by_hand(app, demo):
    theme = theme_of(COALITION)
    api = api_as(app, CHAIR_COALITION)
    response = api.post(f"/api/v1/dialogues/{dialogue_id(COALITION)}/commitments",
                        json=new_commitment(
                            quote=PARTNERS.replace(" and will", "\n  and will"),
                            theme_id=theme.id, target_date="2027-12-31",
                            lead_ids=[participant("DE").id, participant("IT").id]))
    assert response.status_code == 201, response.get_json()
    body = response.get_json()
    assert response.headers["Location"] == f"/api/v1/commitments/{body['id']}"
    assert body["quote"] == PARTNERS  # as the document has it
    assert (body["status"], body["theme"]["id"], body["target_date"]) == (
        "open", theme.id, "2027-12-31")
    assert sorted(lead["id"] for lead in body["leads"]) == sorted(
        [participant("DE").id, participant("IT").id])
    stored = db.session.get(Commitment, body["id"])
    assert stored.reference == body["reference"] and stored.title == body["title"]
    assert api.get(response.headers["Location"]).get_json() == body


def test_the_chair_edits_a_coalition_commitment_and_changes_its_status(app, demo):
    platform = commitment("¶5.1")
    api = api_as(app, CHAIR_COALITION)
    path = f"/api/v1/commitments/{platform.id}"
    etag = api.get(path).headers["ETag"]
    response = api.patch(path, headers={"If-Match": etag}, json={
        "title": "Ports platform running", "theme_id": None, "target_date": "2027-06-30",
        "lead_ids": [participant("NL").id], "status": "met",
        "note": "The platform met in Rotterdam; its work plan is adopted.",
    })
    assert response.status_code == 200, response.get_json()
    body = response.get_json()
    assert (body["title"], body["theme"], body["target_date"], body["status"]) == (
        "Ports platform running", None, "2027-06-30", "met")
    assert [lead["id"] for lead in body["leads"]] == [participant("NL").id]
    assert response.headers["ETag"] != etag
    change = db.session.scalar(select(CommitmentStatusChange).where(
        CommitmentStatusChange.commitment_id == platform.id)
        .order_by(CommitmentStatusChange.id.desc()).limit(1))
    assert (change.new_status, change.note) == (
        "met", "The platform met in Rotterdam; its work plan is adopted.")

    # The old ETag no longer matches: 412, nothing changed.
    stale = api.patch(path, headers={"If-Match": etag}, json={"title": "Overwritten"})
    assert stale.status_code == 412 and "If-Match" in invalid_fields(stale)
    assert commitment("¶5.1").title == "Ports platform running"


@pytest.mark.parametrize(("email", "status"), [
    (DELEGATE_NL, 403), (OBSERVER_EUROPOL, 403), (DELEGATE_AL, 404),
])
def test_readers_cannot_change_a_commitment(app, demo, email, status):
    platform = commitment("¶5.1")
    before = counts()
    api = api_as(app, email)
    response = api.patch(f"/api/v1/commitments/{platform.id}", json={"title": "Mine now"})
    assert response.status_code == status
    problem(response)
    response = api.post(f"/api/v1/dialogues/{dialogue_id(COALITION)}/commitments",
                        json=new_commitment())
    assert response.status_code == status
    assert counts() == before
    assert commitment("¶5.1").title == platform.title


def test_a_quote_not_in_the_section_is_refused_naming_quote(app, demo):
    before = counts()
    response = api_as(app, CHAIR_COALITION).post(
        f"/api/v1/dialogues/{dialogue_id(COALITION)}/commitments",
        json=new_commitment(quote="Both countries will share all their intelligence."))
    assert response.status_code == 422
    assert invalid_fields(response) == {"quote"}
    assert "not in section" in problem(response)["detail"]
    assert counts() == before


@pytest.mark.parametrize(("changes", "fields"), [
    ({"section_id": "UKAL"}, {"section_id"}),
    ({"theme_id": "UKAL"}, {"theme_id"}),
    ({"lead_ids": "AL"}, {"lead_ids"}),
    ({"title": " ", "target_date": "1999-12-31"}, {"title", "target_date"}),
])
def test_bad_terms_are_named_by_their_api_field(app, demo, changes, fields):
    values = dict(changes)
    if values.get("section_id") == "UKAL":
        values["section_id"] = section_saying("", UKAL).id
    if values.get("theme_id") == "UKAL":
        values["theme_id"] = theme_of(UKAL).id
    if values.get("lead_ids") == "AL":
        values["lead_ids"] = [participant("AL").id]
    before = counts()
    response = api_as(app, SECRETARIAT).post(
        f"/api/v1/dialogues/{dialogue_id(COALITION)}/commitments",
        json=new_commitment(**values))
    assert response.status_code == 422
    assert invalid_fields(response) == fields
    assert counts() == before


def test_a_status_change_without_a_note_is_refused_and_nothing_is_half_saved(app, demo):
    platform = commitment("¶5.1")
    before = counts()
    response = api_as(app, CHAIR_COALITION).patch(
        f"/api/v1/commitments/{platform.id}",
        json={"title": "Renamed with the status", "status": "met"})
    assert response.status_code == 422
    assert invalid_fields(response) == {"note"}
    # The title was fine, but it is not saved without the status it came with.
    assert commitment("¶5.1").title == platform.title
    assert commitment("¶5.1").status == platform.status
    assert counts() == before


def test_every_bad_field_of_a_change_is_named_at_once(app, demo):
    platform = commitment("¶5.1")
    response = api_as(app, CHAIR_COALITION).patch(
        f"/api/v1/commitments/{platform.id}", json={"title": "", "status": "dropped"})
    assert response.status_code == 422
    assert invalid_fields(response) == {"title", "note"}


@pytest.mark.parametrize(("body", "status", "fields"), [
    ({}, 400, {"body"}),
    ({"note": "Why not."}, 422, {"status"}),
    ({"status": None, "note": "Why not."}, 422, {"status"}),
    ({"status": "finished", "note": "Done."}, 400, {"status"}),
    ({"quote": "New words."}, 400, {"quote"}),
])
def test_a_change_must_say_what_it_changes(app, demo, body, status, fields):
    platform = commitment("¶5.1")
    response = api_as(app, CHAIR_COALITION).patch(f"/api/v1/commitments/{platform.id}",
                                                  json=body)
    assert response.status_code == status
    assert invalid_fields(response) == fields


def test_an_archived_dialogue_refuses_changes(app, demo):
    platform = commitment("¶5.1")
    platform.dialogue.archived_at = platform.updated_at
    db.session.commit()
    response = api_as(app, SECRETARIAT).patch(
        f"/api/v1/commitments/{platform.id}", json={"status": "met", "note": "Done."})
    assert response.status_code == 403
    assert "archived" in problem(response)["detail"]
    assert commitment("¶5.1").status == platform.status


def test_the_openapi_document_describes_the_commitment_routes(app, demo):
    paths = api_as(app, None).get("/api/v1/openapi.json").get_json()["paths"]
    assert {"get", "patch"} <= set(paths["/api/v1/commitments/{commitment_id}"])
    create = paths["/api/v1/dialogues/{dialogue_id}/commitments"]["post"]
    assert create["requestBody"]["content"]["application/json"]["schema"]["$ref"].endswith(
        "/CommitmentIn")
    assert {"201", "403", "422"} <= set(create["responses"])
