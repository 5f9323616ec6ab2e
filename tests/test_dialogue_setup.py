"""Setting a dialogue up without a developer: the rules of the set-up operations (the
dialogue, its seats and themes, archiving), and the secretariat's pages, filled in as a
browser fills them: the new dialogue and its checklist, the register, themes, seats,
archiving and restoring (read-only, out of dashboards, feeds and reminders)."""

from __future__ import annotations

import html
import re
from dataclasses import replace
from datetime import date, timedelta

import pytest
from flask.testing import FlaskClient
from sqlalchemy import func, select

from planner.access import ARCHIVED, Refusal, can_manage, can_schedule, require
from planner.actions.operations import remind_owners
from planner.calendar.operations import new_feed_link
from planner.dialogues import operations as ops
from planner.extensions import db
from planner.minutes import operations as minutes_ops
from planner.models import (
    ActionItem,
    AuditEvent,
    Commitment,
    Dialogue,
    DialogueRole,
    Meeting,
    Membership,
    MinutesStatus,
    OutboxMessage,
    Participant,
    Person,
    Theme,
)
from planner.people import operations as people_ops
from planner.validation import InvalidInput
from tests.conftest import (
    CHAIR_COALITION,
    DELEGATE_NL,
    SECRETARIAT,
    csrf_token,
    login,
)

NEW = ops.DialogueSettings(name="Western Balkans Dialogue on Migration",
                           short_name="WB Migration", level="senior_officials",
                           cadence="twice a year", venue_timezone="Europe/Vienna")


def refused(call, *args, **kwargs) -> dict[str, str]:
    with pytest.raises(InvalidInput) as caught:
        call(*args, **kwargs)
    db.session.rollback()
    return caught.value.errors


def dialogue(slug: str = "coalition") -> Dialogue:
    return db.session.scalar(select(Dialogue).where(Dialogue.slug == slug))


def participant(short_name: str) -> Participant:
    return db.session.scalar(select(Participant).where(Participant.short_name == short_name))


def person(email: str) -> Person:
    return db.session.scalar(select(Person).where(Person.email == email))


def seat(short_name: str, slug: str = "coalition") -> Membership:
    return db.session.scalar(select(Membership).join(Membership.participant).where(
        Membership.dialogue_id == dialogue(slug).id, Participant.short_name == short_name))


def actions(action: str) -> list[AuditEvent]:
    return list(db.session.scalars(
        select(AuditEvent).where(AuditEvent.action == action).order_by(AuditEvent.id)))


def text_of(response) -> str:
    return response.get_data(as_text=True)


def field_error(response, field_id: str) -> str:
    """The message shown next to the field, as a reader sees it ("" for none)."""
    found = re.search(rf'<p class="field__error" id="{re.escape(field_id)}-error">(.*?)</p>',
                      text_of(response), re.S)
    if not found:
        return ""
    return html.unescape(re.sub(r"\s+", " ", re.sub(r"<[^>]+>", "", found.group(1))).strip())


def words(response) -> str:
    """The page's text without tags, white space squeezed: what a reader sees."""
    return re.sub(r"\s+", " ", html.unescape(re.sub(r"<[^>]+>", " ", text_of(response))))


def client_as(app, email: str) -> FlaskClient:
    client = app.test_client()
    assert login(client, email).status_code == 302
    return client


def post(client: FlaskClient, path: str, data: dict | None = None):
    return client.post(path, data={"csrf_token": csrf_token(client, "/account"),
                                   **(data or {})})


# --- the operations: a dialogue ------------------------------------------------------------


def test_a_dialogue_is_created_with_a_slug_and_an_audit_entry(app):
    created = ops.create_dialogue(NEW, by=None)
    db.session.commit()
    assert (created.slug, created.venue_timezone, created.is_archived) == (
        "wb-migration", "Europe/Vienna", False)
    (event,) = actions("dialogue.created")
    assert event.dialogue_id == created.id and event.details["cadence"] == "twice a year"
    # A second dialogue whose short name makes the same slug gets its own.
    other = ops.create_dialogue(replace(NEW, name="Another", short_name="WB  migration!"),
                                by=None)
    assert other.slug == "wb-migration-2"


def test_names_are_unique_in_any_case_and_every_problem_is_named(app):
    ops.create_dialogue(NEW, by=None)
    db.session.commit()
    errors = refused(ops.create_dialogue, replace(
        NEW, name="WESTERN balkans dialogue on migration", short_name="wb migration",
        level="summit", classification="SECRET", venue_timezone="Europe"), by=None)
    assert errors["name"] == "Another dialogue has this name already."
    assert "Another dialogue has this short name already" in errors["short_name"]
    assert set(errors) == {"name", "short_name", "level", "classification", "venue_timezone"}
    assert db.session.scalar(select(func.count()).select_from(Dialogue)) == 1


def test_changed_settings_are_audited_with_before_and_after(app):
    created = ops.create_dialogue(NEW, by=None)
    ops.update_dialogue(created, replace(NEW, cadence="once a year"), by=None)
    ops.update_dialogue(created, replace(NEW, cadence="once a year"), by=None)  # no change
    (event,) = actions("dialogue.updated")
    assert event.details == {"before": {"cadence": "twice a year"},
                             "after": {"cadence": "once a year"}}


def test_archiving_needs_a_reason_and_an_archived_dialogue_refuses_changes(app):
    created = ops.create_dialogue(NEW, by=None)
    db.session.commit()
    assert "Say why" in refused(ops.archive_dialogue, created, reason="  ", by=None)["reason"]
    ops.archive_dialogue(created, reason="The dialogue was merged into another.", by=None)
    db.session.commit()
    assert created.is_archived
    assert "archived already" in refused(ops.archive_dialogue, created, reason="again",
                                         by=None)["archived"]
    for call, args in ((ops.update_dialogue, (created, NEW)),
                       (ops.create_theme, (created,))):
        kwargs = {"name": "Returns"} if call is ops.create_theme else {}
        assert "archived" in refused(call, *args, by=None, **kwargs)["dialogue"]
    ops.restore_dialogue(dialogue(created.slug), by=None)
    db.session.commit()
    assert not dialogue(created.slug).is_archived
    assert "not archived" in refused(ops.restore_dialogue, created, by=None)["archived"]
    assert [e.details.get("reason") for e in actions("dialogue.archived")] == [
        "The dialogue was merged into another."]
    assert len(actions("dialogue.restored")) == 1


def test_access_refuses_every_write_on_an_archived_dialogue_with_the_reason(demo, app):
    coalition = dialogue()
    chair, secretariat = person(CHAIR_COALITION), person(SECRETARIAT)
    assert can_manage(chair, coalition.id) is True
    ops.archive_dialogue(coalition, reason="Wound up.", by=None)
    db.session.commit()
    refusal = can_manage(chair, coalition.id)
    assert isinstance(refusal, Refusal) and not refusal and refusal.reason == ARCHIVED
    assert not can_schedule(secretariat, coalition.id)
    assert can_manage(person(DELEGATE_NL), coalition.id) is False  # as before: a reader
    with app.test_request_context(), pytest.raises(Exception) as caught:
        require(can_manage(chair, coalition.id), "Only the chair …")
    assert caught.value.code == 403 and caught.value.description == ARCHIVED


# --- the operations: themes ------------------------------------------------------------------


def test_themes_are_unique_by_name_and_number_and_a_renaming_keeps_their_commitments(demo):
    coalition = dialogue()
    theme = db.session.scalar(select(Theme).where(Theme.dialogue_id == coalition.id,
                                                  Theme.name == "Ports and logistics hubs"))
    before = ops.theme_counts(coalition.id)[theme.id]
    assert before > 0
    added = ops.create_theme(coalition, name="Cybercrime", code="CY", by=None)
    db.session.commit()
    assert added.position == max(t.position for t in coalition.themes)
    errors = refused(ops.create_theme, coalition, name="ports AND logistics hubs",
                     code="cy", by=None)
    assert errors == {"name": "This dialogue has a theme of that name already.",
                      "code": "Another theme of this dialogue is numbered cy already."}
    ops.rename_theme(theme, name="Ports, airports and logistics hubs", code="P", by=None)
    db.session.commit()
    assert theme.label == "P. Ports, airports and logistics hubs"
    assert ops.theme_counts(coalition.id)[theme.id] == before
    (renamed,) = actions("theme.renamed")
    assert renamed.details == {"before": "Ports and logistics hubs",
                               "after": "P. Ports, airports and logistics hubs"}
    ops.rename_theme(theme, name=theme.name, by=None)  # None keeps the number
    assert theme.code == "P"
    ops.rename_theme(theme, name=theme.name, code="", by=None)  # "" takes it away
    assert theme.code is None and theme.label == "Ports, airports and logistics hubs"


# --- the operations: seats -------------------------------------------------------------------


def test_a_seat_is_given_once_with_a_known_role(demo):
    coalition = dialogue()
    uk = participant("UK")
    assert refused(people_ops.add_membership, coalition, uk, "guest", by=None) == {
        "role": "Choose member or observer."}
    assert "already has a seat" in refused(people_ops.add_membership, coalition,
                                           participant("NL"), "member", by=None)["participant"]
    assert "Choose a participant" in refused(people_ops.add_membership, coalition, None,
                                             "member", by=None)["participant"]
    people_ops.add_membership(coalition, uk, "observer", by=None)
    db.session.commit()
    assert seat("UK").role == "observer"
    assert actions("dialogue.membership_added")[-1].summary == (
        "Home Office of the United Kingdom joins Coalition as observer")


def test_a_delegation_with_delegates_stays_a_member_until_they_are_observers(demo):
    coalition, netherlands = dialogue(), seat("NL")
    message = refused(people_ops.change_membership_role, coalition, netherlands, "observer",
                      by=None)["role"]
    assert "NL has delegates in Coalition" in message and "Make them observers first" in message
    assert seat("NL").role == "member"
    # Once its delegate observes, the seat can follow.
    delegate = person(DELEGATE_NL)
    role = next(r for r in delegate.dialogue_roles if r.dialogue_id == coalition.id)
    people_ops.remove_role(delegate, role, by=None)
    people_ops.add_role(delegate, coalition, "observer", by=None)
    people_ops.change_membership_role(coalition, seat("NL"), "observer", by=None)
    db.session.commit()
    assert seat("NL").role == "observer"
    (event,) = actions("dialogue.membership_changed")
    assert (event.details["before"], event.details["after"]) == ("member", "observer")
    people_ops.change_membership_role(coalition, seat("NL"), "member", by=None)
    assert seat("NL").role == "member"


def test_a_seat_with_a_history_is_kept_and_a_fresh_one_can_go(demo):
    coalition = dialogue()
    for short_name, why in (("Eurojust", "is in the attendance of its minutes"),
                            ("BE", "")):
        errors = refused(people_ops.remove_membership, coalition, seat(short_name), by=None)
        assert "keeps its seat so that nothing is lost" in errors["participant"]
        assert why in errors["participant"]
    uk = participant("UK")
    people_ops.add_membership(coalition, uk, "observer", by=None)
    db.session.commit()
    people_ops.remove_membership(coalition, seat("UK"), by=None)
    db.session.commit()
    assert seat("UK") is None
    assert len(actions("dialogue.membership_removed")) == 1


def test_an_archived_dialogue_keeps_its_seats(demo):
    ops.archive_dialogue(dialogue(), reason="Wound up.", by=None)
    db.session.commit()
    for call, args in ((people_ops.add_membership, (dialogue(), participant("UK"), "member")),
                       (people_ops.change_membership_role, (dialogue(), seat("EC"), "member")),
                       (people_ops.remove_membership, (dialogue(), seat("EC")))):
        assert "archived" in refused(call, *args, by=None)["dialogue"]
    assert seat("UK") is None and seat("EC").role == "observer"


# --- the pages: a new dialogue and its checklist -------------------------------------------


def test_the_secretariat_sets_up_a_dialogue_and_sees_the_next_steps(sign_in):
    client = sign_in(SECRETARIAT)
    listing = text_of(client.get("/dialogues"))
    assert 'href="/dialogues/new"' in listing and "New dialogue" in listing
    form = text_of(client.get("/dialogues/new"))
    assert 'name="short_name"' in form and 'name="venue_timezone"' in form
    response = client.post("/dialogues/new", data={
        "csrf_token": csrf_token(client, "/dialogues/new"), "name": NEW.name,
        "short_name": NEW.short_name, "level": "senior_officials", "cadence": "twice a year",
        "classification": "OFFICIAL", "venue_timezone": "Europe/Vienna",
        "description": "Founded by the Vienna statement."})
    assert response.status_code == 302
    created = dialogue("wb-migration")
    assert response.headers["Location"].endswith(f"/dialogues/{created.id}/setup")
    page = client.get(response.headers["Location"])
    seen = words(page)
    assert "WB Migration is set up" in seen
    for step in ("Members and observers", "Chair and delegates", "Founding documents",
                 "Themes", "The series"):
        assert step in seen
    assert seen.count("To do") == 5 and "0 members, 0 observers" in seen
    markup = text_of(page)
    assert f'href="/dialogues/{created.id}/members"' in markup
    assert f'href="/dialogues/{created.id}/themes"' in markup
    assert f'href="/dialogues/{created.id}/series"' in markup
    assert re.search(r'<option selected value="Europe/Vienna">', markup)
    # The dialogue page links to its set-up and themes.
    show = text_of(client.get(f"/dialogues/{created.id}"))
    assert f'href="/dialogues/{created.id}/setup"' in show
    assert f'href="/dialogues/{created.id}/themes"' in show


def test_a_duplicate_short_name_is_refused_next_to_the_field_and_nothing_is_saved(sign_in):
    client = sign_in(SECRETARIAT)
    count = db.session.scalar(select(func.count()).select_from(Dialogue))
    response = client.post("/dialogues/new", data={
        "csrf_token": csrf_token(client, "/dialogues/new"), "name": NEW.name,
        "short_name": "COALITION", "level": "senior_officials", "classification": "OFFICIAL",
        "venue_timezone": ""})
    assert response.status_code == 400
    page = text_of(response)
    assert "Another dialogue has this short name already" in field_error(response, "short_name")
    assert 'value="COALITION"' in page  # what was typed stays
    assert db.session.scalar(select(func.count()).select_from(Dialogue)) == count
    assert not actions("dialogue.created")[count:]


def test_others_cannot_set_a_dialogue_up(sign_in, app):
    client = sign_in(CHAIR_COALITION)
    coalition = dialogue()
    assert "New dialogue" not in text_of(client.get("/dialogues"))
    assert client.get("/dialogues/new").status_code == 403
    assert client.get(f"/dialogues/{coalition.id}/setup").status_code == 403
    assert "Set up" not in words(client.get(f"/dialogues/{coalition.id}"))
    assert client.get("/participants").status_code == 403


def test_settings_are_changed_on_the_set_up_page(sign_in):
    client = sign_in(SECRETARIAT)
    coalition = dialogue()
    path = f"/dialogues/{coalition.id}/setup"
    data = {"csrf_token": csrf_token(client, path), "name": coalition.name,
            "short_name": coalition.short_name, "level": coalition.level,
            "cadence": "each spring", "classification": "OFFICIAL",
            "venue_timezone": "Mars/Olympus", "description": coalition.description}
    response = client.post(path, data=data)
    assert response.status_code == 400
    assert "Choose a time zone from the list" in field_error(response, "venue_timezone")
    assert dialogue().cadence != "each spring"
    response = client.post(path, data={**data, "venue_timezone": "Europe/Brussels"})
    assert response.status_code == 302
    db.session.expire_all()
    assert (dialogue().cadence, dialogue().venue_timezone) == ("each spring", "Europe/Brussels")


# --- the pages: the register -------------------------------------------------------------


def participant_form(client: FlaskClient, path: str, **values) -> dict[str, str]:
    return {"csrf_token": csrf_token(client, path), "kind": "state",
            "name": "Bavarian State Ministry of the Interior", "short_name": "DE-BY",
            "country_code": "DE", "subdivision": "", "timezone": "Europe/Berlin",
            "working_hours_start": "09:00", "working_hours_end": "17:30", **values}


def test_an_unknown_country_code_is_refused_next_to_the_field(sign_in):
    client = sign_in(SECRETARIAT)
    count = db.session.scalar(select(func.count()).select_from(Participant))
    response = client.post("/participants/new", data=participant_form(
        client, "/participants/new", country_code="XX"))
    assert response.status_code == 400
    assert "“XX” is not an ISO 3166-1 country code" in field_error(response, "country_code")
    assert db.session.scalar(select(func.count()).select_from(Participant)) == count


def test_a_german_land_joins_the_register_and_then_a_dialogue(sign_in):
    client = sign_in(SECRETARIAT)
    coalition = dialogue()
    members = text_of(client.get(f"/dialogues/{coalition.id}/members"))
    assert "Not in the register?" in members
    new_path = f"/participants/new?dialogue_id={coalition.id}"
    page = text_of(client.get(new_path))
    assert "German Land" in page
    # An unknown region: the message lists the ones the holidays package knows.
    response = client.post(new_path, data=participant_form(client, new_path, subdivision="XY"))
    assert response.status_code == 400
    assert "choose one of BB, BE, BW, BY" in field_error(response, "subdivision")
    response = client.post(new_path, data=participant_form(client, new_path, subdivision="by"))
    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"/dialogues/{coalition.id}/members")
    bavaria = participant("DE-BY")
    assert (bavaria.country_code, bavaria.subdivision) == ("DE", "BY")
    register = words(client.get("/participants"))
    assert "Germany (DE, BY)" in register
    # Its seat, from the members page.
    path = f"/dialogues/{coalition.id}/members"
    response = client.post(path, data={"csrf_token": csrf_token(client, path),
                                       "participant": str(bavaria.id), "role": "observer"})
    assert response.status_code == 302
    assert seat("DE-BY").role == "observer"
    assert "Coalition (observer)" in words(client.get("/participants"))
    # Its edit page hints at Germany's regions.
    assert "For Germany: BB, BE" in words(client.get(f"/participants/{bavaria.id}"))


def test_a_renamed_participant_keeps_its_name_in_approved_minutes(sign_in, app):
    amsterdam = db.session.scalar(select(Meeting).where(Meeting.city == "Amsterdam"))
    minutes = minutes_ops.load_minutes(amsterdam.id)
    minutes_ops.approve_minutes(minutes, method="written_procedure", meeting_id=None,
                                note="No objection.", expected_version=minutes.version_id,
                                by=None)
    db.session.commit()
    assert minutes.status == MinutesStatus.APPROVED
    client = sign_in(SECRETARIAT)
    netherlands = participant("NL")
    old_name = netherlands.name
    path = f"/participants/{netherlands.id}"
    assert old_name in text_of(client.get(path))
    response = client.post(path, data=participant_form(
        client, path, name="Ministry of Justice and Security (NL)", short_name="NL",
        country_code="NL", timezone="Europe/Amsterdam"))
    assert response.status_code == 302
    approved = words(client.get(f"/meetings/{amsterdam.id}/minutes"))
    assert old_name in approved and "Ministry of Justice and Security (NL)" not in approved
    live = words(client.get(f"/dialogues/{dialogue().id}"))
    assert "Ministry of Justice and Security (NL)" in live and old_name not in live
    (event,) = actions("participant.updated")
    assert event.details["before"] == {"name": old_name}


# --- the pages: themes and seats -----------------------------------------------------------


def test_the_chair_adds_and_renames_themes_the_others_read_them(app, demo):
    coalition = dialogue()
    path = f"/dialogues/{coalition.id}/themes"
    reader = client_as(app, DELEGATE_NL)
    page = words(reader.get(path))
    assert "Ports and logistics hubs" in page and "Add a theme" not in page
    chair = client_as(app, CHAIR_COALITION)
    response = post(chair, path, {"code": "CYBER", "name": "Financial SCREENING"})
    assert response.status_code == 400
    assert "theme of that name already" in field_error(response, "name")
    assert post(chair, path, {"code": "CYBER", "name": "Cybercrime"}).status_code == 302
    cyber = db.session.scalar(select(Theme).where(Theme.code == "CYBER"))
    response = post(chair, f"{path}/{cyber.id}", {
        f"theme-{cyber.id}-code": "CYBER", f"theme-{cyber.id}-name": ""})
    assert response.status_code == 400
    assert field_error(response, f"theme-{cyber.id}-name") == "Error: Enter the theme's name."
    response = post(chair, f"{path}/{cyber.id}", {
        f"theme-{cyber.id}-code": "CYB", f"theme-{cyber.id}-name": "Cybercrime and fraud"})
    assert response.status_code == 302
    page = words(reader.get(path))
    assert "CYB. Cybercrime and fraud" in page
    assert post(reader, path, {"name": "Mine"}).status_code == 403
    assert [e.actor_email for e in actions("theme.created") + actions("theme.renamed")][-2:] \
        == [CHAIR_COALITION, CHAIR_COALITION]


def test_a_seat_whose_people_are_delegates_stays_a_member_with_a_word_why(sign_in):
    client = sign_in(SECRETARIAT)
    coalition, netherlands = dialogue(), seat("NL")
    path = f"/dialogues/{coalition.id}/members/{netherlands.id}/role"
    response = post(client, path, {"role": "observer"})
    assert response.status_code == 302
    page = words(client.get(f"/dialogues/{coalition.id}/members"))
    assert "NL has delegates in Coalition" in page
    assert seat("NL").role == "member"
    response = post(client, f"/dialogues/{coalition.id}/members/{seat('EC').id}/role",
                    {"role": "member"})
    assert response.status_code == 302
    assert seat("EC").role == "member"


# --- the pages: archiving ------------------------------------------------------------------


def feed_of(app, email: str):
    token = new_feed_link(person(email))
    db.session.commit()
    anonymous = app.test_client()
    path = f"/calendar/{token}.ics"

    def read() -> tuple[str, str]:
        response = anonymous.get(path)
        assert response.status_code == 200
        return response.headers["ETag"], text_of(response)

    return read


def test_archiving_takes_a_dialogue_out_of_dashboards_and_feeds_and_restoring_brings_it_back(
        app, demo):
    coalition = dialogue()
    antwerp = db.session.scalar(select(Meeting).where(Meeting.city == "Antwerp")
                                .order_by(Meeting.starts_at).limit(1))
    delegate, secretariat = client_as(app, DELEGATE_NL), client_as(app, SECRETARIAT)
    feed = feed_of(app, DELEGATE_NL)
    open_tag, open_feed = feed()
    dashboard = words(delegate.get("/"))
    assert "Coalition ministerial meeting, Antwerp" in dashboard
    assert "Share a first outline of the platform" in dashboard
    assert antwerp.uid in open_feed

    setup = f"/dialogues/{coalition.id}/setup"
    response = post(secretariat, f"/dialogues/{coalition.id}/archive", {"reason": ""})
    assert response.status_code == 400
    assert "Say why the dialogue is archived" in field_error(response, "reason")
    assert not dialogue().is_archived
    response = post(secretariat, f"/dialogues/{coalition.id}/archive",
                    {"reason": "The coalition's action plan is complete."})
    assert response.status_code == 302 and response.headers["Location"].endswith(setup)
    page = words(secretariat.get(setup))
    assert "is archived" in page and "The coalition's action plan is complete." in page
    assert "Restore the dialogue" in page

    # Out of the dashboard and the feed; the feed's ETag moves so that calendars notice.
    dashboard = words(delegate.get("/"))
    assert "Antwerp" not in dashboard and "Share a first outline of the platform" not in dashboard
    archived_tag, archived_feed = feed()
    assert archived_tag != open_tag and antwerp.uid not in archived_feed
    # Still readable, in a list of its own.
    listing = text_of(delegate.get("/dialogues"))
    assert listing.index("Archived") < listing.index("Coalition of European countries")
    assert delegate.get(f"/dialogues/{coalition.id}").status_code == 200
    assert delegate.get(f"/meetings/{antwerp.id}").status_code == 200

    restore = f"/dialogues/{coalition.id}/restore"
    assert post(secretariat, restore).status_code == 302
    assert "Coalition ministerial meeting, Antwerp" in words(delegate.get("/"))
    restored_tag, restored_feed = feed()
    assert restored_tag not in (open_tag, archived_tag) and antwerp.uid in restored_feed


def test_an_archived_dialogue_refuses_every_write_with_the_reason(app, demo):
    coalition = dialogue()
    antwerp = db.session.scalar(select(Meeting).where(Meeting.city == "Antwerp")
                                .order_by(Meeting.starts_at).limit(1))
    amsterdam = db.session.scalar(select(Meeting).where(Meeting.city == "Amsterdam"))
    chair, secretariat = client_as(app, CHAIR_COALITION), client_as(app, SECRETARIAT)
    assert post(chair, f"/meetings/{antwerp.id}/agenda/build").status_code == 303
    ops.archive_dialogue(dialogue(), reason="Wound up.", by=None)
    db.session.commit()
    item = db.session.scalar(select(ActionItem).where(ActionItem.dialogue_id == coalition.id))
    attempts = [
        (chair, f"/meetings/{antwerp.id}/agenda/build"),
        (chair, f"/meetings/{antwerp.id}/agenda/circulate"),
        (chair, f"/meetings/{amsterdam.id}/minutes/attendance"),
        (chair, f"/actions/{item.id}/reopen"),
        (chair, f"/dialogues/{coalition.id}/themes"),
        (secretariat, f"/meetings/{antwerp.id}/confirm"),
        (secretariat, f"/dialogues/{coalition.id}/setup"),
        (secretariat, f"/dialogues/{coalition.id}/members"),
        (secretariat, f"/dialogues/{coalition.id}/standing-items"),
        (secretariat, f"/meetings/{antwerp.id}/invites"),
    ]
    for client, path in attempts:
        response = post(client, path, {"name": "x", "reason": "x"})
        assert response.status_code == 403, path
        assert "This dialogue is archived: the secretariat can restore it." in text_of(response)
    # The chair's draft agenda: refused too, with the reason rather than "not found".
    response = chair.get(f"/meetings/{antwerp.id}/agenda/draft")
    assert response.status_code == 403 and "archived" in text_of(response)
    # The circulated minutes are still read.
    assert chair.get(f"/meetings/{amsterdam.id}/minutes").status_code == 200
    # Pages show no buttons that would be refused.
    page = text_of(secretariat.get(f"/dialogues/{coalition.id}/members"))
    assert "Give a participant a seat" not in page and "Make observer" not in page
    assert "Add a theme" not in text_of(chair.get(f"/dialogues/{coalition.id}/themes"))


def test_reminders_skip_an_archived_dialogue(demo):
    today = date.today() + timedelta(days=400)  # every open action item is overdue by then
    report = remind_owners(today=today, dry_run=True)
    coalition_titles = set(db.session.scalars(select(ActionItem.title).where(
        ActionItem.dialogue_id == dialogue().id)))
    assert coalition_titles & {t for _, titles in report.queued for t in titles}
    ops.archive_dialogue(dialogue(), reason="Wound up.", by=None)
    db.session.commit()
    report = remind_owners(today=today)
    assert not coalition_titles & {t for _, titles in report.queued for t in titles}
    assert all(not set(m.text_body.splitlines()) & coalition_titles
               for m in db.session.scalars(select(OutboxMessage)))


def test_the_audit_log_has_an_entry_for_each_set_up_change(sign_in, app):
    client = sign_in(SECRETARIAT)
    demo_entries = db.session.scalar(select(func.max(AuditEvent.id)))
    client.post("/dialogues/new", data={
        "csrf_token": csrf_token(client, "/dialogues/new"), "name": NEW.name,
        "short_name": NEW.short_name, "level": "working_group", "classification": "OFFICIAL",
        "venue_timezone": ""})
    created = dialogue("wb-migration")
    base = f"/dialogues/{created.id}"
    post(client, f"{base}/setup", {"name": NEW.name, "short_name": NEW.short_name,
                                   "level": "senior_officials", "classification": "OFFICIAL",
                                   "venue_timezone": "", "cadence": "yearly"})
    post(client, "/participants/new", participant_form(client, "/participants/new"))
    bavaria = participant("DE-BY")
    post(client, f"/participants/{bavaria.id}", participant_form(
        client, f"/participants/{bavaria.id}", subdivision="BY"))
    post(client, f"{base}/members", {"participant": str(bavaria.id), "role": "member"})
    membership = seat("DE-BY", "wb-migration")
    post(client, f"{base}/members/{membership.id}/role", {"role": "observer"})
    post(client, f"{base}/themes", {"name": "Returns", "code": "I"})
    theme = db.session.scalar(select(Theme).where(Theme.dialogue_id == created.id))
    post(client, f"{base}/themes/{theme.id}", {f"theme-{theme.id}-name": "Returns and "
                                               "readmission", f"theme-{theme.id}-code": "I"})
    post(client, f"{base}/members/{membership.id}/remove")
    post(client, f"{base}/archive", {"reason": "Set up by mistake."})
    post(client, f"{base}/restore")
    expected = ["dialogue.created", "dialogue.updated", "participant.created",
                "participant.updated", "dialogue.membership_added",
                "dialogue.membership_changed", "theme.created", "theme.renamed",
                "dialogue.membership_removed", "dialogue.archived", "dialogue.restored"]
    logged = [e.action for e in db.session.scalars(
        select(AuditEvent).where(AuditEvent.action.in_(expected), AuditEvent.id > demo_entries)
        .order_by(AuditEvent.id))]
    assert logged == expected
    assert all(e.actor_email == SECRETARIAT for e in db.session.scalars(
        select(AuditEvent).where(AuditEvent.id > demo_entries)))
    page = words(client.get(f"/audit?dialogue={created.id}"))
    assert "WB Migration archived: Set up by mistake." in page
    assert "Theme I. Returns renamed I. Returns and readmission" in page


def test_the_dialogue_page_and_lists_say_a_dialogue_is_archived(sign_in):
    ops.archive_dialogue(dialogue(), reason="Wound up.", by=None)
    db.session.commit()
    client = sign_in(SECRETARIAT)
    page = words(client.get(f"/dialogues/{dialogue().id}"))
    assert "This dialogue is archived" in page and "Restore it" in page
    assert "Change the marking" not in page and "Manage the seats" not in page
    assert db.session.scalar(select(func.count()).select_from(DialogueRole)) > 0
    assert db.session.scalar(select(func.count()).select_from(Commitment)) > 0  # nothing lost
