"""Action items: the list and its filters (only what the reader may see), closing with an
outcome, changes to approved minutes' actions, and `planner remind`."""

from __future__ import annotations

import html
import re
from datetime import date, timedelta

import pytest
from sqlalchemy import func, select

from planner.agendas import operations as agendas
from planner.extensions import db
from planner.models import (
    ActionItem,
    ActionItemReminder,
    AuditEvent,
    Classification,
    MinutesAmendment,
    MinutesStatus,
    OutboxMessage,
)
from tests.conftest import (
    CHAIR_COALITION,
    DELEGATE_AL,
    DELEGATE_NL,
    OBSERVER_EUROPOL,
    SECRETARIAT,
)
from tests.minutes_support import (
    action,
    amsterdam,
    antwerp,
    dialogue,
    fresh_minutes,
    open_form,
    participant,
    person,
    post,
    set_status,
    text_of,
    words,
)

OUTLINE = "Share a first outline of the platform"  # NL, open, overdue
VENUE = "Propose dates and a venue in Antwerp"  # BE, open, due in three weeks
CIRCULATE = "Circulate the agreed multi-year action plan"  # NL, done


# --- the list ---------------------------------------------------------------------------


def test_a_delegate_first_sees_their_delegations_open_actions(sign_in):
    page = words(sign_in(DELEGATE_NL).get("/actions"))
    assert OUTLINE in page and "Overdue" in page
    assert VENUE not in page and CIRCULATE not in page


def test_the_chair_first_sees_every_delegations_open_actions(sign_in):
    page = words(sign_in(CHAIR_COALITION).get("/actions"))
    assert OUTLINE in page and VENUE in page and CIRCULATE not in page


def test_filters_by_dialogue_owner_status_and_overdue(sign_in):
    client = sign_in(SECRETARIAT)
    coalition = dialogue("coalition").id
    page = words(client.get(f"/actions?dialogue={coalition}&owner=&status=still_open"))
    assert OUTLINE in page and VENUE in page and CIRCULATE not in page
    page = words(client.get(f"/actions?owner={participant('BE').id}&status=still_open"))
    assert VENUE in page and OUTLINE not in page
    page = words(client.get("/actions?owner=&status=still_open&overdue=1"))
    assert OUTLINE in page and VENUE not in page
    page = words(client.get("/actions?owner=&status=done"))
    assert CIRCULATE in page and OUTLINE not in page
    ukal = dialogue("uk-albania").id
    assert "No action items match." in words(client.get(f"/actions?dialogue={ukal}&owner="))


def test_bad_filters_are_explained_not_a_failure(sign_in):
    client = sign_in(DELEGATE_AL)
    coalition = dialogue("coalition").id
    response = client.get(f"/actions?dialogue={coalition}&owner=abc&status=nonsense&page=-3")
    assert response.status_code == 200
    page = words(response)
    assert "That dialogue is not one of yours" in page and "Unknown status" in page
    assert OUTLINE not in page  # another dialogue's actions stay hidden


def test_a_meeting_with_many_actions_lists_the_first_and_links_to_them_all(sign_in):
    meeting = amsterdam()
    db.session.execute(ActionItem.__table__.insert(), [
        dict(dialogue_id=meeting.dialogue_id, meeting_id=meeting.id,
             owner_participant_id=participant("BE").id, title=f"Follow-up task {n:02}",
             status="open", due_on=date.today() + timedelta(days=400 + n), version_id=1)
        for n in range(40)
    ])
    db.session.commit()
    total = db.session.scalar(
        select(func.count()).select_from(ActionItem).where(ActionItem.meeting_id == meeting.id)
    )
    client = sign_in(SECRETARIAT)
    page = words(client.get(f"/meetings/{meeting.id}"))
    assert f"The first 25 of {total}, soonest due first." in page
    assert OUTLINE in page and "Follow-up task 39" not in page  # the soonest due come first
    link = re.search(r'href="(/actions\?[^"]*meeting=[^"]+)"', text_of(client.get(
        f"/meetings/{meeting.id}"))).group(1)
    listing = words(client.get(html.unescape(link)))
    assert f"{total} action items" in listing and f"Agreed at {meeting.title}" in listing
    assert CIRCULATE in listing  # done ones too: the whole record of the meeting
    assert "Follow-up task 39" in words(client.get(html.unescape(link) + "&page=2"))


def test_the_meeting_filter_shows_only_meetings_one_may_see(sign_in):
    response = sign_in(DELEGATE_AL).get(f"/actions?meeting={amsterdam().id}&owner=&status=all")
    assert response.status_code == 200
    page = words(response)
    assert "That meeting is not one of yours" in page and OUTLINE not in page


def test_another_dialogues_delegate_cannot_open_an_action(sign_in):
    item = action(OUTLINE)
    client = sign_in(DELEGATE_AL)
    assert client.get(f"/actions/{item.id}").status_code == 404
    assert post(client, f"/actions/{item.id}/close",
                {"status": "done", "outcome": "x"}).status_code == 404


def test_members_read_an_action_but_do_not_close_it(sign_in):
    item = action(OUTLINE)
    client = sign_in(OBSERVER_EUROPOL)
    page = words(client.get(f"/actions/{item.id}"))
    assert OUTLINE in page and "Close it with its outcome" not in page
    response = post(client, f"/actions/{item.id}/close",
                    {"version": item.version_id, "status": "done", "outcome": "Done."})
    assert response.status_code == 403
    assert action(OUTLINE).status == "open"


# --- closing ------------------------------------------------------------------------------


def test_closing_needs_an_outcome_and_then_the_next_agenda_leaves_it_out(sign_in):
    item = action(OUTLINE)
    client = sign_in(CHAIR_COALITION)
    path = f"/actions/{item.id}/close"
    _page, state = open_form(client, path)
    response = post(client, path, {**state, "status": "done", "outcome": "  "})
    assert response.status_code == 400
    assert 'id="outcome-error"' in text_of(response)
    assert "Say what came of it" in words(response)
    assert action(OUTLINE).status == "open"

    response = post(client, path, {**state, "status": "done",
                                   "outcome": "The outline went to all members on Monday."})
    assert response.status_code == 303
    closed = action(OUTLINE)
    assert (closed.status, closed.outcome) == ("done", "The outline went to all members on Monday.")
    assert closed.closed_at is not None
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "action_item.closed"))
    assert event.actor_email == CHAIR_COALITION and event.entity_id == item.id

    plan = agendas.plan_agenda(antwerp(), date.today())
    assert f"action:{item.id}" not in {p.key for p in plan}
    assert f"action:{action(VENUE).id}" in {p.key for p in plan}


def test_a_closed_action_is_reopened_with_a_reason(sign_in):
    item = action(CIRCULATE)
    client = sign_in(SECRETARIAT)
    response = post(client, f"/actions/{item.id}/reopen",
                    {"version": item.version_id, "reason": ""}, follow_redirects=True)
    assert "Say why the action is reopened." in words(response)
    assert action(CIRCULATE).status == "done"
    response = post(client, f"/actions/{item.id}/reopen",
                    {"version": item.version_id, "reason": "Two observers did not get it."})
    assert response.status_code == 303
    assert action(CIRCULATE).status == "open"


def test_progress_is_tracking_but_the_terms_of_approved_minutes_need_an_amendment(sign_in):
    meeting = amsterdam()
    set_status(meeting, MinutesStatus.APPROVED)
    item = action(VENUE)
    client = sign_in(SECRETARIAT)
    path = f"/actions/{item.id}/edit"
    _page, state = open_form(client, path)
    values = {"title": item.title, "description": "", "owner": str(item.owner_participant_id),
              "person": "", "due_on": item.due_on.isoformat(),
              "commitment": str(item.commitment_id), "agenda_item": ""}
    # In progress: no reason asked, no amendment.
    response = post(client, path, {**state, **values, "status": "in_progress"})
    assert response.status_code == 303
    assert action(VENUE).status == "in_progress"
    assert not db.session.scalars(select(MinutesAmendment)).all()

    # A later due date changes what was agreed: refused without a reason.
    _page, state = open_form(client, path)
    later = (item.due_on + timedelta(days=30)).isoformat()
    response = post(client, path, {**state, **values, "status": "in_progress", "due_on": later})
    assert response.status_code == 400 and 'id="reason-error"' in text_of(response)
    assert action(VENUE).due_on == item.due_on
    response = post(client, path, {**state, **values, "status": "in_progress", "due_on": later,
                                   "reason": "Belgium needs the spring calendar first."})
    assert response.status_code == 303
    assert action(VENUE).due_on.isoformat() == later
    (amendment,) = db.session.scalars(select(MinutesAmendment)).all()
    assert amendment.minutes_id == fresh_minutes(meeting.id).id
    assert amendment.after == {"Due": later}
    assert "Belgium needs the spring calendar first." in words(
        client.get(f"/meetings/{meeting.id}/minutes"))


def test_an_action_recorded_by_mistake_is_removed(sign_in):
    item = action(VENUE)
    client = sign_in(SECRETARIAT)
    response = post(client, f"/actions/{item.id}/remove", {"version": item.version_id})
    assert response.status_code == 303
    assert action(VENUE) is None
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "action_item.removed"))
    assert event.details["before"]["title"].startswith(VENUE)


def test_the_action_pages_need_no_script_and_no_inline_style(sign_in):
    item = action(OUTLINE)
    client = sign_in(SECRETARIAT)
    for path in ("/actions", f"/actions/{item.id}", f"/actions/{item.id}/edit",
                 f"/actions/{item.id}/close", f"/actions/{item.id}/remove"):
        page = text_of(client.get(path))
        assert "<script" not in page and "style=" not in page, path


# --- reminders ----------------------------------------------------------------------------


def remind(app, *args: str):
    return app.test_cli_runner().invoke(args=["remind", *args])


def reminders_to(address: str) -> list[OutboxMessage]:
    db.session.expire_all()
    return list(db.session.scalars(select(OutboxMessage).where(
        OutboxMessage.kind == "action_reminder", OutboxMessage.recipient == address)))


def test_remind_e_mails_owners_once_a_day(app, demo):
    today = date.today()
    result = remind(app, "--today", today.isoformat())
    assert result.exit_code == 0, result.output
    (message,) = reminders_to(DELEGATE_NL)
    assert OUTLINE in message.text_body and "overdue since" in message.text_body
    assert f"/actions/{action(OUTLINE).id}" in message.text_body
    assert VENUE not in message.text_body  # Belgium's, and not due within the week
    assert not reminders_to(DELEGATE_AL)

    again = remind(app, "--today", today.isoformat())
    assert again.exit_code == 0 and "No action items to remind of" in again.output
    assert len(reminders_to(DELEGATE_NL)) == 1

    tomorrow = remind(app, "--today", (today + timedelta(days=1)).isoformat())
    assert tomorrow.exit_code == 0
    assert len(reminders_to(DELEGATE_NL)) == 2


def test_remind_reaches_soon_due_items_and_names_the_unreachable(app, demo):
    item = action(VENUE)  # Belgium's: the demo has no Belgian delegate
    result = remind(app, "--today", (item.due_on - timedelta(days=3)).isoformat())
    assert result.exit_code == 0
    assert f"Nobody to remind of action item {item.id}" in result.output
    assert not db.session.scalars(select(ActionItemReminder).where(
        ActionItemReminder.action_item_id == item.id)).all()


def test_remind_a_named_person_and_keep_sensitive_titles_out_of_mail(app, demo):
    item = action(VENUE)
    dialogue("coalition").classification = Classification.OFFICIAL_SENSITIVE
    item.owner_participant_id = participant("NL").id
    item.owner_person_id = person(DELEGATE_NL).id
    db.session.commit()
    result = remind(app, "--today", item.due_on.isoformat(), "--days", "0")
    assert result.exit_code == 0, result.output
    (message,) = reminders_to(DELEGATE_NL)
    assert "OFFICIAL-SENSITIVE" in message.text_body
    assert f"/actions/{item.id}" in message.text_body  # named person: the Belgian item too
    for sent in db.session.scalars(select(OutboxMessage)):
        assert VENUE not in sent.text_body and OUTLINE not in sent.text_body


def test_remind_dry_run_sends_nothing(app, demo):
    result = remind(app, "--dry-run")
    assert result.exit_code == 0 and f"Would e-mail {DELEGATE_NL}" in result.output
    assert not reminders_to(DELEGATE_NL)
    assert not db.session.scalars(select(ActionItemReminder)).all()


def test_actions_of_draft_minutes_wait_for_circulation_before_reminders(app, demo):
    set_status(amsterdam(), MinutesStatus.DRAFT)
    result = remind(app)
    assert result.exit_code == 0 and "No action items to remind of" in result.output


@pytest.mark.parametrize("days", ["-1", "abc"])
def test_remind_refuses_bad_options(app, demo, days):
    result = remind(app, "--days", days)
    assert result.exit_code == 2 and "Invalid value for '--days'" in result.output
    assert not db.session.scalars(select(OutboxMessage)).all()
