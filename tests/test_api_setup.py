"""Setting dialogues up through the API: dialogues, the register of participants, seats
and themes; archiving and restoring. Refusals are problem+json naming the field, and
leave nothing saved."""

from __future__ import annotations

from sqlalchemy import func, select

from planner.extensions import db
from planner.models import AuditEvent, Dialogue, Meeting, Membership, Participant, Theme
from tests.api_support import COALITION, api_as, dialogue_id, invalid_fields, problem
from tests.conftest import CHAIR_COALITION, DELEGATE_NL, SECRETARIAT

NEW_DIALOGUE = {"name": "Western Balkans Dialogue on Migration", "short_name": "WB Migration",
                "level": "senior_officials", "cadence": "twice a year",
                "venue_timezone": "Europe/Vienna"}
BAVARIA = {"kind": "state", "name": "Bavarian State Ministry of the Interior",
           "short_name": "DE-BY", "country_code": "DE", "subdivision": "BY",
           "timezone": "Europe/Berlin", "working_hours_start": "08:30"}


def count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def test_the_secretariat_sets_up_a_dialogue_with_members_and_themes(app, demo):
    api = api_as(app, SECRETARIAT)
    response = api.post("/api/v1/dialogues", json=NEW_DIALOGUE)
    assert response.status_code == 201, response.get_json()
    created = response.get_json()
    assert (created["slug"], created["venue_timezone"], created["archived"]) == (
        "wb-migration", "Europe/Vienna", False)
    assert created["classification"] == "OFFICIAL" and created["your_role"] == "secretariat"
    location = response.headers["Location"]
    assert location.endswith(f"/api/v1/dialogues/{created['id']}")
    assert api.get(location).get_json()["members"] == []

    response = api.post("/api/v1/participants", json=BAVARIA)
    assert response.status_code == 201, response.get_json()
    bavaria = response.get_json()
    assert (bavaria["country_code"], bavaria["subdivision"]) == ("DE", "BY")
    assert (bavaria["working_hours_start"], bavaria["working_hours_end"]) == ("08:30", "17:30")
    assert api.get(response.headers["Location"]).get_json() == bavaria

    seats = f"/api/v1/dialogues/{created['id']}/memberships"
    response = api.post(seats, json={"participant_id": bavaria["id"]})
    assert response.status_code == 201
    seat = response.get_json()
    assert (seat["role"], seat["participant"]["short_name"]) == ("member", "DE-BY")
    assert api.get(response.headers["Location"]).get_json() == seat
    response = api.post(seats, json={"participant_id": bavaria["id"], "role": "observer"})
    assert response.status_code == 422 and invalid_fields(response) == {"participant_id"}
    response = api.patch(f"{seats}/{seat['id']}", json={"role": "observer"})
    assert response.status_code == 200 and response.get_json()["role"] == "observer"
    detail = api.get(location).get_json()
    assert detail["members"] == [{"id": bavaria["id"], "short_name": "DE-BY",
                                  "name": BAVARIA["name"], "role": "observer",
                                  "membership_id": seat["id"]}]

    themes = f"/api/v1/dialogues/{created['id']}/themes"
    response = api.post(themes, json={"name": "Returns", "code": "I"})
    assert response.status_code == 201
    theme = response.get_json()
    assert theme == {"id": theme["id"], "code": "I", "name": "Returns",
                     "dialogue_id": created["id"], "commitments": 0}
    response = api.post(themes, json={"name": "RETURNS"})
    assert response.status_code == 422 and invalid_fields(response) == {"name"}
    response = api.patch(f"/api/v1/themes/{theme['id']}", json={"name": "Returns and "
                                                                         "readmission"})
    assert response.get_json()["name"] == "Returns and readmission"
    response = api.patch(f"/api/v1/themes/{theme['id']}", json={"code": None})
    assert response.get_json()["code"] is None

    # A seat with no history goes.
    assert api.delete(f"{seats}/{seat['id']}").status_code == 204
    assert api.get(f"{seats}/{seat['id']}").status_code == 404
    actions = set(db.session.scalars(select(AuditEvent.action).where(
        AuditEvent.actor_email == SECRETARIAT)))
    assert {"dialogue.created", "participant.created", "dialogue.membership_added",
            "dialogue.membership_changed", "dialogue.membership_removed", "theme.created",
            "theme.renamed"} <= actions


def test_a_duplicate_short_name_is_422_naming_it_and_nothing_is_saved(app, demo):
    api = api_as(app, SECRETARIAT)
    before = count(Dialogue)
    response = api.post("/api/v1/dialogues", json={**NEW_DIALOGUE, "short_name": "coalition"})
    assert response.status_code == 422
    body = problem(response)
    assert invalid_fields(response) == {"short_name"}
    assert "Another dialogue has this short name already" in body["errors"][0]["message"]
    assert count(Dialogue) == before
    response = api.patch(f"/api/v1/dialogues/{dialogue_id(COALITION)}",
                         json={"short_name": "UK–Albania", "cadence": "each spring"})
    assert response.status_code == 422 and invalid_fields(response) == {"short_name"}
    db.session.expire_all()
    assert db.session.get(Dialogue, dialogue_id(COALITION)).cadence != "each spring"


def test_an_unknown_country_code_is_422_naming_country_code(app, demo):
    api = api_as(app, SECRETARIAT)
    before = count(Participant)
    response = api.post("/api/v1/participants", json={**BAVARIA, "country_code": "XX",
                                                      "subdivision": None})
    assert response.status_code == 422
    assert invalid_fields(response) == {"country_code"}
    assert "“XX” is not an ISO 3166-1 country code" in problem(response)["detail"]
    response = api.post("/api/v1/participants", json={**BAVARIA, "subdivision": "Mars",
                                                      "timezone": "Europe"})
    assert response.status_code == 422
    assert invalid_fields(response) == {"subdivision", "timezone"}
    response = api.post("/api/v1/participants", json={**BAVARIA,
                                                      "working_hours_start": "08:30+01:00"})
    assert response.status_code == 400 and invalid_fields(response) == {"working_hours_start"}
    assert count(Participant) == before


def test_a_participant_is_renamed_and_the_others_read_it(app, demo):
    netherlands = db.session.scalar(select(Participant).where(Participant.short_name == "NL"))
    path = f"/api/v1/participants/{netherlands.id}"
    response = api_as(app, SECRETARIAT).patch(path, json={"name": "Dutch Ministry of Justice"})
    assert response.status_code == 200 and response.get_json()["country_code"] == "NL"
    assert api_as(app, DELEGATE_NL).get(path).get_json()["name"] == "Dutch Ministry of Justice"
    response = api_as(app, SECRETARIAT).patch(path, json={"kind": "institution",
                                                          "country_code": None})
    assert response.status_code == 422 and invalid_fields(response) == {"kind"}


def test_chairs_and_delegates_cannot_set_up_but_the_chair_keeps_the_themes(app, demo):
    coalition = dialogue_id(COALITION)
    eurojust = db.session.scalar(select(Membership.id).join(Membership.participant).where(
        Membership.dialogue_id == coalition, Participant.short_name == "Eurojust"))
    netherlands = db.session.scalar(select(Participant.id).where(Participant.short_name == "NL"))
    theme = db.session.scalar(select(Theme.id).where(Theme.dialogue_id == coalition).limit(1))
    for email in (CHAIR_COALITION, DELEGATE_NL):
        api = api_as(app, email)
        for method, path, body in (
            ("POST", "/api/v1/dialogues", NEW_DIALOGUE),
            ("PATCH", f"/api/v1/dialogues/{coalition}", {"cadence": "each spring"}),
            ("POST", "/api/v1/participants", BAVARIA),
            ("PATCH", f"/api/v1/participants/{netherlands}", {"name": "Mine"}),
            ("POST", f"/api/v1/dialogues/{coalition}/memberships",
             {"participant_id": netherlands}),
            ("PATCH", f"/api/v1/dialogues/{coalition}/memberships/{eurojust}",
             {"role": "member"}),
            ("DELETE", f"/api/v1/dialogues/{coalition}/memberships/{eurojust}", None),
        ):
            response = api.open(method, path, json=body)
            assert response.status_code == 403, (email, method, path)
            assert problem(response)["detail"].startswith("Only the secretariat")
    assert count(Dialogue) == 2
    delegate = api_as(app, DELEGATE_NL)
    assert delegate.post(f"/api/v1/dialogues/{coalition}/themes",
                         json={"name": "Mine"}).status_code == 403
    assert delegate.patch(f"/api/v1/themes/{theme}", json={"name": "Mine"}).status_code == 403
    chair = api_as(app, CHAIR_COALITION)
    assert chair.post(f"/api/v1/dialogues/{coalition}/themes",
                      json={"name": "Cybercrime"}).status_code == 201


def test_a_seat_with_people_or_history_stays(app, demo):
    api = api_as(app, SECRETARIAT)
    coalition = dialogue_id(COALITION)
    netherlands = db.session.scalar(select(Membership.id).join(Membership.participant).where(
        Membership.dialogue_id == coalition, Participant.short_name == "NL"))
    path = f"/api/v1/dialogues/{coalition}/memberships/{netherlands}"
    response = api.patch(path, json={"role": "observer"})
    assert response.status_code == 422 and invalid_fields(response) == {"role"}
    assert "has delegates in Coalition" in problem(response)["detail"]
    response = api.delete(path)
    assert response.status_code == 422 and invalid_fields(response) == {"membership_id"}
    assert "keeps its seat so that nothing is lost" in problem(response)["detail"]
    assert db.session.get(Membership, netherlands) is not None


def test_archiving_and_restoring_through_the_api(app, demo):
    api = api_as(app, SECRETARIAT)
    coalition = dialogue_id(COALITION)
    path = f"/api/v1/dialogues/{coalition}"
    response = api.patch(path, json={"archived": True})
    assert response.status_code == 422 and invalid_fields(response) == {"archive_reason"}
    response = api.patch(path, json={"archive_reason": "Why not"})
    assert response.status_code == 400 and invalid_fields(response) == {"archive_reason"}
    response = api.patch(path, json={"archived": True, "archive_reason": "Wound up."})
    assert response.status_code == 200 and response.get_json()["archived"] is True

    # Every write refuses now, the chair's as the secretariat's, saying why.
    archived = "This dialogue is archived: the secretariat can restore it."
    antwerp = db.session.scalar(select(Meeting.id).where(Meeting.city == "Antwerp")
                                .order_by(Meeting.starts_at).limit(1))
    chair = api_as(app, CHAIR_COALITION)
    for client, method, url, body in (
        (chair, "POST", f"/api/v1/meetings/{antwerp}/agenda/build", None),
        (chair, "POST", f"/api/v1/dialogues/{coalition}/themes", {"name": "Cybercrime"}),
        (api, "PATCH", path, {"cadence": "each spring"}),
        (api, "PATCH", f"/api/v1/meetings/{antwerp}", {"status": "confirmed"}),
        (api, "POST", f"/api/v1/dialogues/{coalition}/memberships",
         {"participant_id": db.session.scalar(
             select(Participant.id).where(Participant.short_name == "UK"))}),
    ):
        response = client.open(method, url, json=body)
        assert response.status_code == 403, url
        assert problem(response)["detail"] == archived
    # Still read, and listed as archived.
    listed = {d["id"]: d for d in api_as(app, DELEGATE_NL).get("/api/v1/dialogues")
              .get_json()["items"]}
    assert listed[coalition]["archived"] is True
    response = api.patch(path, json={"archived": True, "archive_reason": "Again."})
    assert response.status_code == 422 and invalid_fields(response) == {"archived"}

    response = api.patch(path, json={"archived": False, "cadence": "each spring"})
    assert response.status_code == 200
    assert (response.get_json()["archived"], response.get_json()["cadence"]) == (
        False, "each spring")
    assert chair.post(f"/api/v1/meetings/{antwerp}/agenda/build").status_code == 200


def test_the_description_lists_the_set_up_operations(app):
    document = app.test_client().get("/api/v1/openapi.json").get_json()
    paths = document["paths"]
    assert {"post", "get"} <= set(paths["/api/v1/dialogues"])
    assert {"get", "patch"} <= set(paths["/api/v1/dialogues/{dialogue_id}"])
    assert {"get", "patch", "delete"} <= set(
        paths["/api/v1/dialogues/{dialogue_id}/memberships/{membership_id}"])
    assert "Location" in paths["/api/v1/dialogues"]["post"]["responses"]["201"]["headers"]
    schemas = document["components"]["schemas"]
    assert {"venue_timezone", "archived"} <= set(schemas["DialogueOut"]["properties"])
    assert "subdivision" in schemas["ParticipantOut"]["properties"]
