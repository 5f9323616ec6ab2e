"""The API's frame: personal tokens (made, used, revoked; from the account page and the
CLI), authentication, the problem+json errors, the rate limit, the OpenAPI document and
the documentation page."""

from __future__ import annotations

import hashlib
import json
import re

import pytest
from sqlalchemy import select

from planner.api.spec import PREFIX, ROUTES
from planner.extensions import db
from planner.models import ApiToken, AuditEvent
from tests.api_support import (
    COALITION,
    ApiClient,
    api_as,
    dialogue_id,
    invalid_fields,
    meeting_in,
    person,
    problem,
    token_for,
)
from tests.conftest import DELEGATE_NL, SECRETARIAT, csrf_token

# --- tokens -----------------------------------------------------------------------------


def test_a_token_acts_as_its_person_and_is_kept_only_as_a_hash(app, demo):
    secret = token_for(DELEGATE_NL, name="Reporting script")
    answer = ApiClient(app.test_client(), secret).get("/api/v1/me")
    assert answer.status_code == 200
    assert answer.get_json()["email"] == DELEGATE_NL
    token = db.session.scalar(select(ApiToken).where(ApiToken.name == "Reporting script"))
    assert token.token_hash == hashlib.sha256(secret.encode()).hexdigest()
    assert secret not in json.dumps([token.name, token.token_hash])
    # 32 random bytes (256 bits) in URL-safe base64, after the recognisable prefix.
    assert re.fullmatch(r"dp_[A-Za-z0-9_-]{43}", secret)
    assert token_for(DELEGATE_NL) != secret


def test_using_a_token_notes_when_it_was_last_used(app, demo):
    secret = token_for(DELEGATE_NL)
    token = db.session.scalar(select(ApiToken).where(ApiToken.person_id == person(DELEGATE_NL).id))
    assert token.last_used_at is None
    ApiClient(app.test_client(), secret).get("/api/v1/me")
    db.session.refresh(token)
    assert token.last_used_at is not None


def test_a_revoked_token_answers_401(app, demo):
    from planner.api.operations import revoke_token

    secret = token_for(DELEGATE_NL)
    api = ApiClient(app.test_client(), secret)
    assert api.get("/api/v1/dialogues").status_code == 200
    token = db.session.scalar(select(ApiToken).where(ApiToken.person_id == person(DELEGATE_NL).id))
    assert revoke_token(token, by=None)
    db.session.commit()
    answer = api.get("/api/v1/dialogues")
    assert answer.status_code == 401
    assert 'error="invalid_token"' in answer.headers["WWW-Authenticate"]
    assert "revoked" in problem(answer)["detail"]


def test_the_token_of_a_closed_account_stops_working(app, demo):
    api = api_as(app, DELEGATE_NL)
    person(DELEGATE_NL).active = False
    db.session.commit()
    assert api.get("/api/v1/me").status_code == 401


@pytest.mark.parametrize("header", ["Bearer", "Basic dXNlcjpwYXNz", "Bearer dp_guess",
                                    "Bearer " + "dp_" + "a" * 43])
def test_a_wrong_authorization_header_answers_401(app, demo, header):
    answer = app.test_client().get("/api/v1/me", headers={"Authorization": header})
    assert answer.status_code == 401
    assert answer.headers["WWW-Authenticate"].startswith("Bearer")
    problem(answer)


def _example_path(path: str) -> str:
    return PREFIX + re.sub(r"{\w+}", "1", path)


@pytest.mark.parametrize("spec", [r for r in ROUTES if not r.public],
                         ids=lambda r: f"{r.method} {r.path}")
def test_every_operation_answers_401_without_a_token(app, demo, spec):
    answer = app.test_client().open(_example_path(spec.path), method=spec.method, json={})
    assert answer.status_code == 401
    assert problem(answer)["title"] == "Unauthorized"


def test_a_signed_in_browser_may_read_but_not_change(app, sign_in):
    browser = sign_in(SECRETARIAT)
    assert browser.get("/api/v1/dialogues").status_code == 200
    meeting = meeting_in("Antwerp")
    answer = browser.patch(f"/api/v1/meetings/{meeting.id}",
                           json={"status": "cancelled", "reason": "A cookie is not enough"})
    assert answer.status_code == 401
    assert "token" in problem(answer)["detail"]
    db.session.refresh(meeting)
    assert meeting.status != "cancelled"


def test_changes_with_a_token_need_no_csrf_token(app, demo):
    api = api_as(app, SECRETARIAT)
    meeting = meeting_in("Antwerp")
    answer = api.patch(f"/api/v1/meetings/{meeting.id}", json={"status": "confirmed"})
    assert answer.status_code == 200, answer.get_data(as_text=True)
    assert answer.get_json()["status"] == "confirmed"


# --- errors -----------------------------------------------------------------------------


def test_unknown_paths_and_methods_under_the_api_answer_problem_json(app, demo):
    api = api_as(app, SECRETARIAT)
    missing = api.get("/api/v1/no-such-thing")
    assert missing.status_code == 404 and "<html" not in missing.get_data(as_text=True)
    problem(missing)
    wrong = api.delete("/api/v1/dialogues")
    assert wrong.status_code == 405
    assert "GET" in wrong.headers["Allow"]
    problem(wrong)
    # An id no row can have: 404, not a database error.
    assert api.get("/api/v1/meetings/99999999999999999999").status_code == 404


def test_a_body_that_is_not_json_answers_415_and_broken_json_400(app, demo):
    api = api_as(app, SECRETARIAT)
    path = f"/api/v1/meetings/{meeting_in('Antwerp').id}"
    as_form = api.patch(path, data={"status": "confirmed"})
    assert as_form.status_code == 415
    problem(as_form)
    broken = api.patch(path, data="{not json", content_type="application/json")
    assert broken.status_code == 400
    assert invalid_fields(broken) == {"body"}


def test_an_unknown_query_parameter_is_an_error_not_ignored(app, demo):
    answer = api_as(app, SECRETARIAT).get(
        f"/api/v1/dialogues/{dialogue_id(COALITION)}/commitments?stauts=open")
    assert answer.status_code == 400
    assert problem(answer)["errors"] == [
        {"field": "stauts", "in": "query", "message": "This field is not known here."}
    ]


def test_too_many_requests_with_one_token_answer_429(app, demo):
    app.config["API_RATE_LIMIT"] = "3 per minute"
    api = api_as(app, DELEGATE_NL)
    answers = [api.get("/api/v1/me").status_code for _ in range(4)]
    assert answers == [200, 200, 200, 429]
    limited = api.get("/api/v1/me")
    assert limited.headers["Retry-After"] == "60"
    problem(limited)
    # Another token has its own allowance.
    assert api_as(app, SECRETARIAT).get("/api/v1/me").status_code == 200


# --- the account page -------------------------------------------------------------------


def test_a_person_makes_a_token_on_the_account_page_and_sees_it_once(app, sign_in):
    browser = sign_in(DELEGATE_NL)
    page = browser.get("/account").get_data(as_text=True)
    assert "API tokens" in page and "You have no API tokens." in page
    made = browser.post("/account/api-tokens", data={
        "name": "Delegation tracker", "csrf_token": csrf_token(browser, "/account")})
    assert made.status_code == 200
    assert made.headers["Cache-Control"] == "no-store"
    secret = re.search(r"dp_[A-Za-z0-9_-]{43}", made.get_data(as_text=True)).group(0)
    assert ApiClient(app.test_client(), secret).get("/api/v1/me").get_json()["email"] == \
        DELEGATE_NL
    page = browser.get("/account").get_data(as_text=True)
    assert "Delegation tracker" in page and secret not in page


def test_the_account_page_forms_need_their_csrf_token(app, sign_in):
    browser = sign_in(DELEGATE_NL)
    answer = browser.post("/account/api-tokens", data={"name": "No token"})
    assert answer.status_code == 400
    assert db.session.scalar(select(ApiToken.id)) is None


def test_a_person_revokes_their_token_on_the_account_page(app, sign_in):
    secret = token_for(DELEGATE_NL, name="Old script")
    token = db.session.scalar(select(ApiToken).where(ApiToken.name == "Old script"))
    browser = sign_in(DELEGATE_NL)
    answer = browser.post(f"/account/api-tokens/{token.id}/revoke",
                          data={"csrf_token": csrf_token(browser, "/account")})
    assert answer.status_code == 303
    assert "no longer works" in browser.get("/account").get_data(as_text=True)
    assert ApiClient(app.test_client(), secret).get("/api/v1/me").status_code == 401
    assert db.session.scalar(select(AuditEvent).where(AuditEvent.action == "api_token.revoked"))


def test_nobody_revokes_someone_elses_token(app, sign_in):
    secret = token_for(SECRETARIAT, name="Secretariat's")
    token = db.session.scalar(select(ApiToken).where(ApiToken.name == "Secretariat's"))
    browser = sign_in(DELEGATE_NL)
    answer = browser.post(f"/account/api-tokens/{token.id}/revoke",
                          data={"csrf_token": csrf_token(browser, "/account")})
    assert answer.status_code == 404
    assert ApiClient(app.test_client(), secret).get("/api/v1/me").status_code == 200


# --- the CLI ----------------------------------------------------------------------------


def test_planner_token_create_prints_a_working_token(app, demo):
    result = app.test_cli_runner().invoke(
        args=["token", "create", DELEGATE_NL.upper(), "--name", "Nightly export"])
    assert result.exit_code == 0, result.output
    secret = result.stdout.strip()
    assert re.fullmatch(r"dp_[A-Za-z0-9_-]{43}", secret)
    assert "shown only now" in result.stderr
    assert ApiClient(app.test_client(), secret).get("/api/v1/me").get_json()["email"] == \
        DELEGATE_NL
    listed = app.test_cli_runner().invoke(args=["token", "list", DELEGATE_NL])
    assert "Nightly export" in listed.output and secret not in listed.output


def test_planner_token_revoke_stops_the_token(app, demo):
    runner = app.test_cli_runner()
    secret = runner.invoke(args=["token", "create", DELEGATE_NL]).stdout.strip()
    token = db.session.scalar(select(ApiToken).where(ApiToken.person_id == person(DELEGATE_NL).id))
    assert token.name == "API token"
    revoked = runner.invoke(args=["token", "revoke", str(token.id)])
    assert revoked.exit_code == 0 and "revoked" in revoked.output
    assert ApiClient(app.test_client(), secret).get("/api/v1/me").status_code == 401
    again = runner.invoke(args=["token", "revoke", str(token.id)])
    assert "already revoked" in again.output


def test_planner_token_refuses_an_unknown_person_or_token(app, demo):
    runner = app.test_cli_runner()
    unknown = runner.invoke(args=["token", "create", "nobody@example.org"])
    assert unknown.exit_code != 0 and "No one has" in unknown.output
    assert runner.invoke(args=["token", "revoke", "4242"]).exit_code != 0
    long_name = runner.invoke(args=["token", "create", DELEGATE_NL, "--name", "x" * 101])
    assert long_name.exit_code != 0 and "100 characters" in long_name.output


# --- the description and its page -------------------------------------------------------


def test_the_openapi_document_describes_every_route(app):
    document = app.test_client().get("/api/v1/openapi.json").get_json()
    assert document["openapi"] == "3.1.0"
    assert document["components"]["securitySchemes"]["bearerToken"]["scheme"] == "bearer"
    described = {(method.upper(), path) for path, operations in document["paths"].items()
                 for method in operations}
    assert described == {(r.method, PREFIX + r.path) for r in ROUTES}
    for path in ("/api/v1/dialogues/{dialogue_id}/proposals", "/api/v1/meetings/{meeting_id}",
                 "/api/v1/meetings/{meeting_id}/minutes", "/api/v1/action-items"):
        assert path in document["paths"]
    put = document["paths"]["/api/v1/meetings/{meeting_id}/minutes"]["put"]
    assert {"412", "428"} <= set(put["responses"])
    assert any(p["name"] == "If-Match" and p["required"] for p in put["parameters"])
    assert "application/problem+json" in put["responses"]["412"]["content"]


def test_the_document_says_what_the_validation_does(app, demo):
    """The same model is the schema and the check: what the one says, the other does."""
    document = app.test_client().get("/api/v1/openapi.json").get_json()
    listing = document["paths"]["/api/v1/dialogues"]["get"]
    per_page = next(p for p in listing["parameters"] if p["name"] == "per_page")
    limit = per_page["schema"]["maximum"]
    api = api_as(app, SECRETARIAT)
    assert api.get(f"/api/v1/dialogues?per_page={limit}").status_code == 200
    too_many = api.get(f"/api/v1/dialogues?per_page={limit + 1}")
    assert too_many.status_code == 400 and invalid_fields(too_many) == {"per_page"}
    patch = document["components"]["schemas"]["MeetingPatchIn"]
    assert set(patch["properties"]["status"]["anyOf"][0]["enum"]) == {"confirmed", "cancelled"}


def test_the_documentation_page_keeps_scripts_to_our_own_files(app):
    client = app.test_client()
    page = client.get("/api/v1/docs")
    assert page.status_code == 200
    policy = page.headers["Content-Security-Policy"]
    assert "script-src 'self';" in policy and "style-src 'self';" in policy
    assert "unsafe" not in policy
    html = page.get_data(as_text=True)
    scripts = re.findall(r"<script([^>]*)>(.*?)</script>", html, re.S)
    assert scripts and all('src="/static/' in attrs and not body.strip()
                           for attrs, body in scripts)
    for asset in re.findall(r'(?:src|href)="(/static/[^"]+)"', html):
        served = client.get(asset)
        assert served.status_code == 200, asset
        served.close()
    assert 'data-spec-url="/api/v1/openapi.json"' in html


# --- the person -------------------------------------------------------------------------


def test_me_says_who_the_token_acts_as(app, demo):
    body = api_as(app, DELEGATE_NL).get("/api/v1/me").get_json()
    assert body["email"] == DELEGATE_NL and body["is_secretariat"] is False
    assert body["participant"]["short_name"] == "NL"
    assert body["roles"] == [{"dialogue_id": dialogue_id(COALITION), "role": "delegate"}]


def test_the_calendar_feed_link_is_made_shown_once_and_revoked(app, demo):
    api = api_as(app, DELEGATE_NL)
    assert api.get("/api/v1/me/calendar-feed").get_json()["active"] is False
    made = api.post("/api/v1/me/calendar-feed")
    assert made.status_code == 201
    link = made.get_json()
    assert link["active"] is True and link["webcal_url"].startswith("webcal://")
    path = "/" + link["url"].split("://", 1)[1].split("/", 1)[1]
    feed = app.test_client().get(path)
    assert feed.status_code == 200 and feed.mimetype == "text/calendar"
    feed.close()
    state = api.get("/api/v1/me/calendar-feed").get_json()
    assert state["active"] is True and state["url"] is None
    assert api.delete("/api/v1/me/calendar-feed").status_code == 204
    assert app.test_client().get(path).status_code == 404
    assert api.get("/api/v1/me/calendar-feed").get_json()["active"] is False
