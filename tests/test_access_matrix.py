"""Every route and API endpoint against every role, with the status each must answer.

A new route without an entry here fails `test_every_route_is_in_the_matrix`: whoever
adds a route decides, here, who may use it. Statuses: 200/302 allowed (a POST sent with
only its CSRF token answers 400 when allowed: the form is empty, nothing is saved);
302 to the sign-in page for anonymous pages; 401 for the anonymous API; 403 seen but
not allowed; 404 another dialogue's object, or a draft the reader may not see.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import pytest
from flask import Flask
from sqlalchemy import select

from planner.agendas.operations import build_agenda, circulate_agenda
from planner.api.operations import create_token
from planner.calendar.operations import new_feed_link
from planner.extensions import db, login_manager
from planner.models import (
    ActionItem,
    CalendarReply,
    Commitment,
    CommitmentCandidate,
    Decision,
    Dialogue,
    FailedJob,
    Meeting,
    Membership,
    Minutes,
    Person,
    ReplyProblem,
    ReplySource,
    ReplyStatus,
    SourceDocument,
    StandingItem,
    Theme,
)
from tests.conftest import (
    CHAIR_COALITION,
    DELEGATE_AL,
    DELEGATE_NL,
    OBSERVER_EUROPOL,
    SECRETARIAT,
)

ROLES = ("anonymous", "observer", "outsider", "delegate", "chair", "secretariat")
EMAILS = {
    "observer": OBSERVER_EUROPOL,     # Europol, observer of the coalition
    "outsider": DELEGATE_AL,          # a delegate of the other dialogue
    "delegate": DELEGATE_NL,          # a delegate of the coalition
    "chair": CHAIR_COALITION,
    "secretariat": SECRETARIAT,
}
USER_AGENT = "access-matrix"

# Expected statuses, in the order of ROLES.
VIEW = (302, 200, 404, 200, 200, 200)          # a page of the coalition, for its members
SECRETARIAT_GLOBAL = (302, 403, 403, 403, 403, 200)
SIGNED_IN = (302, 200, 200, 200, 200, 200)     # one's own pages
API_VIEW = (401, 200, 404, 200, 200, 200)
API_OWN = (401, 200, 200, 200, 200, 200)


def _(anonymous, observer, outsider, delegate, chair, secretariat):
    return (anonymous, observer, outsider, delegate, chair, secretariat)

# Pages of a dialogue's members where the secretariat and the chair write, the others read.
WRITERS_PAGE = (302, 403, 404, 403, 200, 200)
WRITERS_POST = (302, 403, 404, 403, 400, 400)       # allowed, but the form is empty
WRITERS_DONE = (302, 403, 404, 403, 303, 303)       # allowed, and a button needs nothing more
DRAFTS_PAGE = (302, 404, 404, 404, 200, 200)        # drafts: not even seen by the others
DRAFTS_DONE = (302, 404, 404, 404, 303, 303)
SCHEDULER_PAGE = (302, 403, 404, 403, 403, 200)     # the secretariat's scheduling pages
SCHEDULER_POST = (302, 403, 404, 403, 403, 400)
SCHEDULER_DONE = (302, 403, 404, 403, 403, 302)
# Roles are tried in order: once the chair has removed the record, it is gone (404).
GONE_AFTER_CHAIR = (302, 403, 404, 403, 303, 404)
GLOBAL_POST = (302, 403, 403, 403, 403, 400)
GLOBAL_DONE = (302, 403, 403, 403, 403, 302)

MATRIX: dict[tuple[str, str], tuple[int, ...]] = {
    # Signing in and one's own account
    ("auth.login", "GET"): _(200, 302, 302, 302, 302, 302),
    ("auth.login", "POST"): _(400, 302, 302, 302, 302, 302),
    ("auth.logout", "POST"): _(302, 302, 302, 302, 302, 302),
    ("auth.account", "GET"): SIGNED_IN,
    ("auth.account", "POST"): _(302, 302, 302, 302, 302, 302),
    ("auth.account_password", "POST"): _(302, 400, 400, 400, 400, 400),
    ("auth.sign_out_all", "POST"): _(302, 302, 302, 302, 302, 302),
    ("auth.set_password", "GET"): _(404, 404, 404, 404, 404, 404),  # not a valid link
    ("auth.set_password", "POST"): _(400, 400, 400, 400, 400, 400),
    ("main.health", "GET"): _(200, 200, 200, 200, 200, 200),
    ("main.ready", "GET"): _(200, 200, 200, 200, 200, 200),
    ("main.dashboard", "GET"): SIGNED_IN,
    ("search.index", "GET"): SIGNED_IN,
    ("actions.index", "GET"): SIGNED_IN,
    ("dialogues.index", "GET"): SIGNED_IN,
    # A dialogue and its meetings
    ("dialogues.show", "GET"): VIEW,
    ("dialogues.commitments", "GET"): VIEW,
    ("meetings.show", "GET"): VIEW,
    ("commitments.show", "GET"): VIEW,
    ("people.members", "GET"): VIEW,
    ("scheduling.series_page", "GET"): VIEW,
    # Calendar
    ("calendar.meeting_file", "GET"): VIEW,
    ("calendar.dialogue_file", "GET"): VIEW,
    ("calendar.personal_feed", "GET"): _(200, 200, 200, 200, 200, 200),  # the token is the key
    ("calendar.feed_settings", "GET"): SIGNED_IN,
    ("calendar.new_feed", "POST"): SIGNED_IN,
    ("calendar.revoke_feed", "POST"): _(302, 302, 302, 302, 302, 302),
    ("calendar.rsvp", "POST"): _(302, 400, 404, 400, 400, 400),
    ("calendar.send", "POST"): _(302, 403, 404, 403, 302, 302),
    # Answers to invites that came back by e-mail: the secretariat's alone.
    ("inbox.index", "GET"): SECRETARIAT_GLOBAL,
    ("inbox.upload", "POST"): GLOBAL_POST,  # nothing pasted or uploaded
    ("inbox.confirm", "POST"): GLOBAL_DONE,
    ("inbox.dismiss", "POST"): GLOBAL_DONE,
    # Scheduling: the secretariat's
    ("scheduling.proposals", "GET"): SCHEDULER_PAGE,
    ("scheduling.schedule", "POST"): SCHEDULER_DONE,
    ("scheduling.reschedule", "GET"): SCHEDULER_PAGE,
    ("scheduling.reschedule", "POST"): SCHEDULER_POST,
    ("scheduling.cancel", "GET"): SCHEDULER_PAGE,
    ("scheduling.cancel", "POST"): SCHEDULER_POST,
    ("scheduling.confirm", "POST"): SCHEDULER_DONE,
    ("scheduling.extend", "POST"): SCHEDULER_DONE,
    ("scheduling.change_rule", "POST"): SCHEDULER_POST,
    ("scheduling.settings", "POST"): SCHEDULER_POST,
    ("scheduling.add_host", "POST"): SCHEDULER_POST,
    ("scheduling.move_host", "POST"): SCHEDULER_DONE,
    ("scheduling.meeting_classification", "POST"): SCHEDULER_DONE,
    ("scheduling.dialogue_classification", "POST"): SCHEDULER_DONE,
    # Agendas: drafts for the chair and the secretariat; circulated versions for all members
    ("agendas.show", "GET"): VIEW,
    ("agendas.version", "GET"): VIEW,
    ("agendas.version_pdf", "GET"): VIEW,
    ("agendas.version_docx", "GET"): VIEW,
    ("agendas.draft", "GET"): DRAFTS_PAGE,
    ("agendas.build", "POST"): DRAFTS_DONE,
    ("agendas.circulate", "POST"): DRAFTS_DONE,
    ("agendas.add", "POST"): _(302, 404, 404, 404, 409, 409),  # a form without its version
    ("agendas.edit", "GET"): DRAFTS_PAGE,
    ("agendas.edit", "POST"): _(302, 404, 404, 404, 409, 409),
    ("agendas.move", "POST"): DRAFTS_DONE,
    ("agendas.remove", "POST"): DRAFTS_DONE,
    ("agendas.restore", "POST"): DRAFTS_DONE,
    ("agendas.standing", "GET"): DRAFTS_PAGE,
    ("agendas.standing", "POST"): _(302, 404, 404, 404, 403, 400),
    ("agendas.edit_standing", "GET"): _(302, 404, 404, 404, 403, 200),
    ("agendas.edit_standing", "POST"): _(302, 404, 404, 404, 403, 400),
    ("agendas.move_standing", "POST"): _(302, 404, 404, 404, 403, 303),
    ("agendas.remove_standing", "POST"): _(302, 404, 404, 404, 403, 303),
    # Minutes (of the held Amsterdam meeting) and action items
    ("minutes.show", "GET"): VIEW,
    ("minutes.pdf", "GET"): VIEW,
    ("minutes.docx", "GET"): VIEW,
    ("minutes.start", "POST"): WRITERS_DONE,
    ("minutes.edit_text", "GET"): WRITERS_PAGE,
    ("minutes.edit_text", "POST"): WRITERS_DONE,
    ("minutes.attendance", "GET"): WRITERS_PAGE,
    ("minutes.attendance", "POST"): WRITERS_DONE,
    ("minutes.new_decision", "GET"): WRITERS_PAGE,
    ("minutes.new_decision", "POST"): WRITERS_POST,
    ("minutes.edit_decision", "GET"): WRITERS_PAGE,
    ("minutes.edit_decision", "POST"): WRITERS_POST,
    ("minutes.remove_decision", "GET"): WRITERS_PAGE,
    ("minutes.remove_decision", "POST"): GONE_AFTER_CHAIR,
    ("minutes.new_action", "GET"): WRITERS_PAGE,
    ("minutes.new_action", "POST"): WRITERS_POST,
    ("minutes.circulate", "POST"): WRITERS_DONE,
    ("minutes.approve", "GET"): WRITERS_PAGE,
    ("minutes.approve", "POST"): WRITERS_POST,
    ("actions.show", "GET"): VIEW,
    ("actions.edit", "GET"): WRITERS_PAGE,
    ("actions.edit", "POST"): WRITERS_POST,
    ("actions.close", "GET"): WRITERS_PAGE,
    ("actions.close", "POST"): WRITERS_POST,
    ("actions.reopen", "POST"): WRITERS_DONE,
    ("actions.remove", "GET"): WRITERS_PAGE,
    ("actions.remove", "POST"): GONE_AFTER_CHAIR,
    # Commitments: the secretariat and the chair add and edit them, the others read
    ("commitments.new", "GET"): WRITERS_PAGE,
    ("commitments.new", "POST"): WRITERS_POST,
    ("commitments.edit", "GET"): WRITERS_PAGE,
    ("commitments.edit", "POST"): WRITERS_POST,
    ("commitments.status", "GET"): WRITERS_PAGE,
    ("commitments.status", "POST"): WRITERS_POST,
    # Administration: the secretariat's
    ("people.index", "GET"): SECRETARIAT_GLOBAL,
    ("people.new", "GET"): SECRETARIAT_GLOBAL,
    ("people.new", "POST"): GLOBAL_POST,
    ("people.show", "GET"): SECRETARIAT_GLOBAL,
    ("people.edit", "POST"): GLOBAL_POST,
    ("people.add_role", "POST"): GLOBAL_POST,
    ("people.remove_role", "POST"): GLOBAL_DONE,
    ("people.password_link", "POST"): GLOBAL_DONE,
    ("people.set_active", "POST"): GLOBAL_DONE,
    ("people.audit_log", "GET"): SECRETARIAT_GLOBAL,
    ("people.add_member", "POST"): _(302, 403, 404, 403, 403, 400),
    ("people.remove_member", "POST"): _(302, 403, 404, 403, 403, 302),
    # Set-up: dialogues, the register, seats and themes (the secretariat's; themes also
    # the chair's). Restoring an open dialogue says so (flash) and goes back.
    ("dialogues.new", "GET"): SECRETARIAT_GLOBAL,
    ("dialogues.new", "POST"): GLOBAL_POST,
    ("dialogues.setup", "GET"): SCHEDULER_PAGE,
    ("dialogues.save_settings", "POST"): SCHEDULER_POST,
    ("dialogues.archive", "POST"): SCHEDULER_POST,      # a reason is required
    ("dialogues.restore", "POST"): SCHEDULER_DONE,
    ("dialogues.themes", "GET"): VIEW,
    ("dialogues.add_theme", "POST"): WRITERS_POST,
    ("dialogues.rename_theme", "POST"): WRITERS_POST,
    ("people.change_member", "POST"): SCHEDULER_DONE,   # no role given: a flash, back
    # Background work: what failed for good, sent or run again (the secretariat's).
    ("jobs.index", "GET"): SECRETARIAT_GLOBAL,
    ("jobs.retry_messages", "POST"): GLOBAL_DONE,
    ("jobs.retry_job", "POST"): GLOBAL_DONE,
    ("jobs.dismiss_job", "POST"): GLOBAL_DONE,
    ("participants.index", "GET"): SECRETARIAT_GLOBAL,
    ("participants.new", "GET"): SECRETARIAT_GLOBAL,
    ("participants.new", "POST"): GLOBAL_POST,
    ("participants.edit", "GET"): SECRETARIAT_GLOBAL,
    ("participants.edit", "POST"): GLOBAL_POST,
    # Founding documents: members read them; the secretariat imports and reviews.
    ("documents.index", "GET"): VIEW,
    ("documents.show", "GET"): VIEW,
    ("documents.new", "GET"): SCHEDULER_PAGE,
    ("documents.new", "POST"): SCHEDULER_POST,
    ("documents.review", "GET"): SCHEDULER_PAGE,
    ("documents.decide", "POST"): SCHEDULER_POST,      # no action chosen
    # API tokens on the account page
    ("api.account.create", "POST"): SIGNED_IN,
    ("api.account.revoke", "POST"): _(302, 404, 404, 404, 404, 404),  # not one's own token
    # The JSON API
    ("api.v1.openapi", "GET"): _(200, 200, 200, 200, 200, 200),
    ("api.v1.docs", "GET"): _(200, 200, 200, 200, 200, 200),
    ("api.v1.get_me", "GET"): API_OWN,
    ("api.v1.get_calendar_feed", "GET"): API_OWN,
    ("api.v1.create_calendar_feed", "POST"): _(401, 201, 201, 201, 201, 201),
    ("api.v1.revoke_calendar_feed", "DELETE"): _(401, 204, 204, 204, 204, 204),
    ("api.v1.list_dialogues", "GET"): API_OWN,
    ("api.v1.list_participants", "GET"): API_OWN,
    ("api.v1.list_action_items", "GET"): API_OWN,
    ("api.v1.get_dialogue", "GET"): API_VIEW,
    ("api.v1.list_documents", "GET"): API_VIEW,
    ("api.v1.get_document", "GET"): API_VIEW,
    ("api.v1.import_document", "POST"): _(401, 400, 400, 400, 400, 400),  # body missing
    ("api.v1.update_candidate", "PATCH"): _(401, 403, 404, 403, 403, 400),  # nothing to change
    ("api.v1.merge_candidates", "POST"): _(401, 400, 400, 400, 400, 400),  # with_id missing
    ("api.v1.list_commitments", "GET"): API_VIEW,
    ("api.v1.list_meetings", "GET"): API_VIEW,
    ("api.v1.get_meeting", "GET"): API_VIEW,
    ("api.v1.get_agenda", "GET"): API_VIEW,
    ("api.v1.get_agenda_version", "GET"): API_VIEW,
    ("api.v1.get_minutes", "GET"): API_VIEW,
    ("api.v1.get_action_item", "GET"): API_VIEW,
    ("api.v1.get_agenda_item", "GET"): _(401, 403, 404, 403, 200, 200),
    ("api.v1.proposals", "GET"): _(401, 400, 400, 400, 400, 400),  # start, end, days missing
    ("api.v1.create_meeting", "POST"): _(401, 400, 400, 400, 400, 400),  # body missing
    ("api.v1.update_meeting", "PATCH"): _(401, 403, 404, 403, 403, 400),
    ("api.v1.build_agenda", "POST"): _(401, 403, 404, 403, 200, 200),
    ("api.v1.circulate_agenda", "POST"): _(401, 403, 404, 403, 422, 422),  # nothing new
    ("api.v1.add_agenda_item", "POST"): _(401, 400, 400, 400, 400, 400),
    ("api.v1.update_agenda_item", "PATCH"): _(401, 403, 404, 403, 400, 400),
    ("api.v1.start_minutes", "POST"): _(401, 403, 404, 403, 409, 409),  # they exist already
    ("api.v1.replace_minutes", "PUT"): _(401, 400, 400, 400, 400, 400),
    ("api.v1.create_action_item", "POST"): _(401, 400, 400, 400, 400, 400),
    ("api.v1.update_action_item", "PATCH"): _(401, 403, 404, 403, 400, 400),
    # Set-up through the API: an empty body is 400 where the body has required fields,
    # else the access check answers first; the secretariat then hears "say what to change".
    ("api.v1.create_dialogue", "POST"): _(401, 400, 400, 400, 400, 400),
    ("api.v1.update_dialogue", "PATCH"): _(401, 403, 404, 403, 403, 400),
    ("api.v1.get_participant", "GET"): API_VIEW,
    ("api.v1.create_participant", "POST"): _(401, 400, 400, 400, 400, 400),
    ("api.v1.update_participant", "PATCH"): _(401, 403, 404, 403, 403, 400),
    ("api.v1.get_membership", "GET"): API_VIEW,
    ("api.v1.create_membership", "POST"): _(401, 400, 400, 400, 400, 400),
    ("api.v1.update_membership", "PATCH"): _(401, 400, 400, 400, 400, 400),
    # Eurojust attended Amsterdam: its seat stays, so that the minutes lose nothing.
    ("api.v1.delete_membership", "DELETE"): _(401, 403, 404, 403, 403, 422),
    ("api.v1.get_theme", "GET"): API_VIEW,
    ("api.v1.create_theme", "POST"): _(401, 400, 400, 400, 400, 400),
    ("api.v1.update_theme", "PATCH"): _(401, 403, 404, 403, 400, 400),
    ("api.v1.get_commitment", "GET"): API_VIEW,
    ("api.v1.create_commitment", "POST"): _(401, 400, 400, 400, 400, 400),  # body missing
    ("api.v1.update_commitment", "PATCH"): _(401, 403, 404, 403, 400, 400),  # nothing to change
}


@dataclass
class World:
    app: Flask
    values: dict[str, object]
    tokens: dict[str, str]


@pytest.fixture
def world(app, demo) -> World:
    coalition = db.session.scalar(select(Dialogue).where(Dialogue.slug == "coalition"))
    antwerp = db.session.scalar(select(Meeting).where(Meeting.city == "Antwerp"))
    amsterdam = db.session.scalar(select(Meeting).where(Meeting.city == "Amsterdam"))
    agenda = build_agenda(antwerp, actor=None).agenda
    db.session.flush()
    circulate_agenda(agenda, actor=None)
    delegate = db.session.scalar(select(Person).where(Person.email == DELEGATE_NL))
    eurojust = db.session.scalar(select(Membership).join(Membership.participant).where(
        Membership.dialogue_id == coalition.id).where(Membership.role == "observer")
        .order_by(Membership.id.desc()))
    feed = new_feed_link(delegate)
    failed_job = FailedJob(name="outbox.send", arguments="{}", error="OSError: refused")
    db.session.add(failed_job)
    # An answer whose sender did not match its attendee, waiting for the secretariat.
    reply = CalendarReply(
        digest="0" * 64, source=ReplySource.UPLOAD, status=ReplyStatus.UNMATCHED,
        problem=ReplyProblem.SENDER_MISMATCH, sender="someone@example.net", method="REPLY",
        uid=antwerp.uid, sequence=antwerp.sequence, attendee=delegate.email,
        partstat="ACCEPTED", meeting=antwerp, person=delegate)
    db.session.add(reply)
    tokens = {}
    for role, email in EMAILS.items():
        person = db.session.scalar(select(Person).where(Person.email == email))
        tokens[role] = create_token(person, name="matrix", by=None)[1]
    db.session.commit()
    values = {
        "dialogue_id": coalition.id,
        "meeting_id": antwerp.id,
        "held_meeting_id": amsterdam.id,
        "item_id": agenda.items[0].id,
        "number": 1,
        "standing_id": db.session.scalar(select(StandingItem.id).where(
            StandingItem.dialogue_id == coalition.id).limit(1)),
        "person_id": delegate.id,
        "role_id": delegate.dialogue_roles[0].id,
        "membership_id": eurojust.id,
        "participant_id": delegate.participant_id,
        "document_id": db.session.scalar(select(SourceDocument.id).where(
            SourceDocument.dialogue_id == coalition.id)),
        "candidate_id": db.session.scalar(select(CommitmentCandidate.id).join(
            SourceDocument).where(SourceDocument.dialogue_id == coalition.id).limit(1)),
        "theme_id": db.session.scalar(select(Theme.id).where(
            Theme.dialogue_id == coalition.id).limit(1)),
        "commitment_id": db.session.scalar(select(Commitment.id).where(
            Commitment.dialogue_id == coalition.id).limit(1)),
        "action_item_id": db.session.scalar(select(ActionItem.id).where(
            ActionItem.dialogue_id == coalition.id, ActionItem.status == "open").limit(1)),
        "decision_id": db.session.scalar(select(Decision.id).join(Decision.minutes).where(
            Minutes.meeting_id == amsterdam.id).limit(1)),
        "token": feed,
        "reply_id": reply.id,
        "token_id": 0,
        "job_id": failed_job.id,
        "filename": "css/planner.css",
    }
    return World(app, values, tokens)


def signed_in_client(app: Flask, email: str | None):
    """A client already signed in, without the (deliberately slow) password check."""
    client = app.test_client()
    client.environ_base["HTTP_USER_AGENT"] = USER_AGENT
    if email is None:
        return client
    person = db.session.scalar(select(Person).where(Person.email == email))
    with app.test_request_context(environ_base={"REMOTE_ADDR": "127.0.0.1",
                                                "HTTP_USER_AGENT": USER_AGENT}):
        identifier = login_manager._session_identifier_generator()
    with client.session_transaction() as session:
        session["_user_id"] = person.get_id()
        session["_fresh"] = True
        session["_id"] = identifier
    return client


def build_path(rule, values: dict[str, object], endpoint: str) -> str:
    path = rule.rule
    for name in rule.arguments:
        value = values["held_meeting_id"] if (
            name == "meeting_id" and endpoint.startswith(("minutes.", "api.v1.get_minutes",
                                                          "api.v1.replace_minutes",
                                                          "api.v1.start_minutes"))
        ) else values[name]
        path = re.sub(rf"<(?:[a-z]+:)?{name}>", str(value), path)
    return path


CSRF = re.compile(r'name="csrf_token"[^>]*?value="([^"]+)"')


def call(world: World, role: str, endpoint: str, method: str) -> int:
    app = world.app
    rule = next(r for r in app.url_map.iter_rules() if r.endpoint == endpoint)
    path = build_path(rule, world.values, endpoint)
    is_api = endpoint.startswith("api.v1.")
    if is_api:
        client = app.test_client()
        headers = {} if role == "anonymous" else {
            "Authorization": f"Bearer {world.tokens[role]}"}
        kwargs = {"json": {}} if method in ("POST", "PUT", "PATCH") else {}
        response = client.open(path, method=method, headers=headers, **kwargs)
    else:
        client = signed_in_client(app, EMAILS.get(role))
        data = None
        if method == "POST":
            page = client.get("/account" if role != "anonymous" else "/login")
            match = CSRF.search(page.get_data(as_text=True))
            data = {"csrf_token": match.group(1)} if match else {}
        response = client.open(path, method=method, data=data)
    status = response.status_code
    response.close()
    return status


def routes(app: Flask) -> set[tuple[str, str]]:
    return {
        (rule.endpoint, method)
        for rule in app.url_map.iter_rules()
        for method in rule.methods - {"HEAD", "OPTIONS"}
        if rule.endpoint != "static"
    }


def test_every_route_is_in_the_matrix(app):
    missing = sorted(routes(app) - set(MATRIX))
    stale = sorted(set(MATRIX) - routes(app))
    assert not missing, f"routes without an entry in the access matrix: {missing}"
    assert not stale, f"matrix entries for routes that no longer exist: {stale}"


@pytest.mark.parametrize(("endpoint", "method"), sorted(MATRIX))
def test_route_answers_each_role_as_expected(world, endpoint, method):
    observed = tuple(call(world, role, endpoint, method) for role in ROLES)
    assert 500 not in observed
    assert observed == MATRIX[(endpoint, method)], f"observed {observed} for {ROLES}"


def observe_all(world: World) -> dict[tuple[str, str], tuple[int, ...]]:
    """For writing the matrix: what each route answers now (read it, then judge it)."""
    return {key: tuple(call(world, role, *key) for role in ROLES)
            for key in sorted(routes(world.app))}
