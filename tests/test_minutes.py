"""Minutes: reading them, writing them (attendance, notes, decisions, action items), the
workflow draft → circulated → approved, amendments of approved minutes, bad input, and
the PDF and DOCX."""

from __future__ import annotations

import pytest
from sqlalchemy import event, func, select

from planner.actions import operations as actions
from planner.agendas import operations as agendas
from planner.extensions import db
from planner.minutes import operations as ops
from planner.models import (
    ActionItem,
    AuditEvent,
    Classification,
    CommitmentStatusChange,
    Decision,
    Minutes,
    MinutesAmendment,
    MinutesStatus,
    OutboxMessage,
)
from planner.validation import InvalidInput
from tests.conftest import (
    CHAIR_COALITION,
    DELEGATE_AL,
    DELEGATE_NL,
    OBSERVER_EUROPOL,
    SECRETARIAT,
)
from tests.minutes_support import (
    amsterdam,
    antwerp,
    commitment,
    decision_count,
    docx_parts,
    fresh_minutes,
    participant,
    pdf_pages,
    person,
    post,
    set_status,
    text_of,
    words,
)


def minutes_path(meeting) -> str:
    return f"/meetings/{meeting.id}/minutes"


# --- the demo and the next agenda ---------------------------------------------------------


def test_members_read_the_amsterdam_minutes_with_decisions_and_open_actions(sign_in):
    page = words(sign_in(DELEGATE_NL).get(minutes_path(amsterdam())))
    assert "Circulated" in page
    assert "Work starts on the platform for the ports, airports and transport corridors." in page
    assert "Share a first outline of the platform" in page and "Overdue" in page
    assert "Record the attendance" not in page  # members read; they do not write


def test_the_antwerp_agenda_picks_up_the_open_action_items_of_amsterdam(demo):
    open_items = db.session.scalars(
        select(ActionItem).where(ActionItem.meeting_id == amsterdam().id,
                                 ActionItem.status == "open")
    ).all()
    assert open_items
    agenda = agendas.build_agenda(antwerp()).agenda
    reviewed = {item.action_item_id for item in agendas.active_items(agenda)}
    assert {item.id for item in open_items} <= reviewed
    done = db.session.scalar(select(ActionItem).where(ActionItem.status == "done"))
    assert done.id not in reviewed


def test_the_meeting_page_shows_the_minutes_panel_but_never_a_draft_to_members(sign_in, client):
    meeting = amsterdam()
    page = text_of(sign_in(OBSERVER_EUROPOL).get(f"/meetings/{meeting.id}"))
    assert "Read the minutes" in page and "Work starts on the platform" in page
    set_status(meeting, MinutesStatus.DRAFT)
    page = text_of(client.get(f"/meetings/{meeting.id}"))
    assert "Work starts on the platform" not in page and "Read the minutes" not in page
    # The action items agreed there wait for the minutes too.
    assert "Share a first outline" not in page
    assert "Share a first outline" not in text_of(client.get("/actions?owner=&status=all"))
    page = text_of(client.get(minutes_path(meeting)))
    assert "have not been circulated yet" in page and "Work starts" not in page
    assert client.get(minutes_path(meeting) + ".pdf").status_code == 404


def test_the_chair_reads_and_writes_a_draft(sign_in):
    meeting = amsterdam()
    set_status(meeting, MinutesStatus.DRAFT)
    client = sign_in(CHAIR_COALITION)
    page = text_of(client.get(minutes_path(meeting)))
    assert "Draft minutes" in page and "Circulate for comments" in page


def test_another_dialogues_delegate_cannot_see_the_minutes(sign_in):
    client = sign_in(DELEGATE_AL)
    assert client.get(minutes_path(amsterdam())).status_code == 404
    assert client.get(minutes_path(amsterdam()) + ".docx").status_code == 404


def test_members_cannot_change_the_minutes(sign_in):
    client = sign_in(DELEGATE_NL)
    meeting = amsterdam()
    before = fresh_minutes(meeting.id).summary
    response = post(client, f"{minutes_path(meeting)}/text", {"summary": "Rewritten"})
    assert response.status_code == 403
    assert client.get(f"{minutes_path(meeting)}/attendance").status_code == 403
    assert fresh_minutes(meeting.id).summary == before


# --- starting and writing -------------------------------------------------------------------


def test_the_secretariat_starts_minutes_and_records_attendance_and_notes(sign_in):
    meeting = amsterdam()
    db.session.delete(fresh_minutes(meeting.id))
    db.session.commit()
    client = sign_in(SECRETARIAT)
    assert "Start the minutes" in text_of(client.get(minutes_path(meeting)))
    response = post(client, minutes_path(meeting))
    assert response.status_code == 303
    minutes = fresh_minutes(meeting.id)
    assert minutes.status == MinutesStatus.DRAFT

    be, eu = participant("BE"), participant("Europol")
    response = post(client, f"{minutes_path(meeting)}/attendance", {
        "version": minutes.version_id,
        f"status-{be.id}": "present", f"delegates-{be.id}": "A. Minister (Justice)",
        f"status-{eu.id}": "apologies",
    })
    assert response.status_code == 303
    response = post(client, f"{minutes_path(meeting)}/text", {
        "version": fresh_minutes(meeting.id).version_id,
        "summary": "The ministers met in Amsterdam.\r\nThey agreed the plan.",
        "note-general": "The host welcomed the delegations.",
    })
    assert response.status_code == 303
    page = words(client.get(minutes_path(meeting)))
    assert "A. Minister (Justice)" in page and "Apologies" in page
    assert "They agreed the plan." in page and "The host welcomed the delegations." in page
    minutes = fresh_minutes(meeting.id)
    assert minutes.summary == "The ministers met in Amsterdam.\nThey agreed the plan."
    # A draft is a working paper: its edits are not in the audit log, its start is.
    actions = set(db.session.scalars(select(AuditEvent.action).where(
        AuditEvent.entity_type == "minutes", AuditEvent.entity_id == minutes.id)))
    assert actions == {"minutes.started"}


def test_minutes_wait_for_the_meeting_to_begin(sign_in):
    client = sign_in(SECRETARIAT)
    meeting = antwerp()
    assert "Minutes are written once the meeting has begun" in text_of(
        client.get(minutes_path(meeting)))
    response = post(client, minutes_path(meeting), follow_redirects=True)
    assert "Minutes are written once the meeting has begun" in text_of(response)
    assert fresh_minutes(meeting.id) is None


def test_notes_follow_the_agenda_items(sign_in):
    """With an agenda, each item has its notes box, numbered as on the agenda."""
    meeting = amsterdam()
    agenda = agendas.build_agenda(meeting).agenda
    first = agendas.active_items(agenda)[0]
    client = sign_in(SECRETARIAT)
    page = text_of(client.get(f"{minutes_path(meeting)}/text"))
    assert f'name="note-{first.id}"' in page and first.title in page
    response = post(client, f"{minutes_path(meeting)}/text", {
        "version": fresh_minutes(meeting.id).version_id,
        f"note-{first.id}": "Opened at 10:00 by the host.",
    })
    assert response.status_code == 303
    page = words(client.get(minutes_path(meeting)))
    assert f"1 {first.title} Opened at 10:00 by the host." in page


# --- decisions and commitments --------------------------------------------------------------


def test_a_decision_moves_its_commitment_and_the_move_is_recorded(sign_in):
    meeting = amsterdam()
    target = commitment("¶6.1")
    assert target.status == "open"
    client = sign_in(CHAIR_COALITION)
    response = post(client, f"{minutes_path(meeting)}/decisions/new", {
        "version": fresh_minutes(meeting.id).version_id,
        "text": "Screening of business operators starts with the shipping companies.",
        "agenda_item": "", "commitment": str(target.id), "commitment_status": "in_progress",
    })
    assert response.status_code == 303
    db.session.expire_all()
    decision = db.session.scalar(select(Decision).where(Decision.text.startswith("Screening")))
    change = db.session.scalar(select(CommitmentStatusChange).where(
        CommitmentStatusChange.decision_id == decision.id))
    assert (change.meeting_id, change.old_status, change.new_status) == (
        meeting.id, "open", "in_progress")
    assert commitment("¶6.1").status == "in_progress"
    # The dialogue page shows the new status; the commitment's page, the move.
    page = words(client.get(f"/commitments/{target.id}"))
    assert "Open → in progress" in page and "Screening of business operators" in page

    # The decision is corrected: it met the commitment. The status follows, on the record.
    minutes = fresh_minutes(meeting.id)
    ops.update_decision(decision, values={**ops.decision_values(decision),
                                          "commitment_status": "met"},
                        base=None, expected_version=minutes.version_id,
                        by=person(CHAIR_COALITION))
    assert commitment("¶6.1").status == "met"
    moves = [(c.old_status, c.new_status) for c in db.session.scalars(
        select(CommitmentStatusChange).where(CommitmentStatusChange.commitment_id == target.id)
        .order_by(CommitmentStatusChange.id))]
    # Circulated minutes: the first move stays in the history, then it is undone and redone.
    assert moves == [("open", "in_progress"), ("in_progress", "open"), ("open", "met")]

    # Removing the decision puts the commitment back.
    ops.delete_decision(decision, base=None, expected_version=None, by=person(SECRETARIAT))
    assert commitment("¶6.1").status == "open"


def test_in_a_draft_a_removed_decision_leaves_no_trace_on_the_commitment(sign_in):
    meeting = amsterdam()
    set_status(meeting, MinutesStatus.DRAFT)
    target = commitment("¶6.2")
    minutes = fresh_minutes(meeting.id)
    decision = ops.add_decision(minutes, values={
        "text": "Confiscation work starts.", "commitment": str(target.id),
        "commitment_status": "in_progress"}, expected_version=minutes.version_id,
        by=person(SECRETARIAT))
    assert commitment("¶6.2").status == "in_progress"
    ops.delete_decision(decision, base=None, expected_version=None, by=person(SECRETARIAT))
    assert commitment("¶6.2").status == "open"
    assert not db.session.scalars(select(CommitmentStatusChange).where(
        CommitmentStatusChange.commitment_id == target.id)).all()


@pytest.mark.parametrize(("data", "field", "message"), [
    ({"text": "  "}, "text", "Enter the decision: what the meeting decided."),
    ({"text": "Noted.", "commitment_status": "met"}, "commitment",
     "Choose the commitment whose status the decision changes."),
    ({"text": "Noted.", "commitment": "UKAL", "commitment_status": "met"}, "commitment",
     "Choose a commitment of this dialogue."),
    ({"text": "Noted.", "commitment": "¶5.1", "commitment_status": "in_progress"},
     "commitment_status", "Commitment ¶5.1 is already in progress"),
    ({"text": "Noted.", "agenda_item": "999999"}, "agenda_item",
     "Choose an item of this meeting's agenda"),
])
def test_a_bad_decision_is_refused_next_to_its_field_and_nothing_is_saved(
    sign_in, data, field, message
):
    meeting = amsterdam()
    client = sign_in(SECRETARIAT)
    if data.get("commitment") == "UKAL":
        data = {**data, "commitment": str(commitment("I.1", slug="uk-albania").id)}
    elif data.get("commitment"):
        data = {**data, "commitment": str(commitment(data["commitment"]).id)}
    count, version = decision_count(), fresh_minutes(meeting.id).version_id
    response = post(client, f"{minutes_path(meeting)}/decisions/new",
                    {"version": version, **data})
    assert response.status_code == 400
    page = text_of(response)
    # The message sits beside the field, and the summary links to it.
    assert f'id="{field}-error"' in page and message in words(page)
    assert f'href="#{field}"' in page
    assert decision_count() == count
    assert fresh_minutes(meeting.id).version_id == version


@pytest.mark.parametrize(("field", "value", "message"), [
    ("due_on", "before", "The due date cannot be before the meeting that agreed the action"),
    ("due_on", "31/12/2027", "Enter the due date as a date"),
    ("owner", "AL", "Choose the owner among the members and observers of this dialogue."),
    ("owner", "", "Choose the delegation that owns the action."),
    ("title", "", "Enter the action: what is to be done."),
    ("person", "delegate.al", "Choose a person of the owner delegation"),
])
def test_a_bad_action_item_is_refused_next_to_its_field_and_nothing_is_saved(
    sign_in, field, value, message
):
    from datetime import timedelta

    meeting = amsterdam()
    values = {"title": "Report on the taskforce", "owner": str(participant("NL").id),
              "due_on": "", "person": "", "description": "", "commitment": "",
              "agenda_item": ""}
    if value == "before":
        value = (meeting.local_start.date() - timedelta(days=1)).isoformat()
    elif value == "AL":
        value = str(participant("AL").id)
    elif value == "delegate.al":
        value = str(person(DELEGATE_AL).id)
    values[field] = value
    client = sign_in(SECRETARIAT)
    count = db.session.scalar(select(func.count()).select_from(ActionItem))
    response = post(client, f"{minutes_path(meeting)}/actions/new", values)
    assert response.status_code == 400
    page = text_of(response)
    assert f'id="{field}-error"' in page and message in words(page)
    assert db.session.scalar(select(func.count()).select_from(ActionItem)) == count


def test_an_action_item_recorded_in_the_minutes(sign_in):
    meeting = amsterdam()
    client = sign_in(SECRETARIAT)
    nl = person(DELEGATE_NL)
    response = post(client, f"{minutes_path(meeting)}/actions/new", {
        "title": "Report on the taskforce with Latin America",
        "owner": str(nl.participant_id), "person": str(nl.id),
        "due_on": meeting.local_start.date().isoformat(),
        "commitment": str(commitment("¶5.2").id), "description": "", "agenda_item": "",
    })
    assert response.status_code == 303
    page = words(client.get(minutes_path(meeting)))
    assert "Report on the taskforce with Latin America" in page and nl.name in page
    item = db.session.scalar(select(ActionItem).where(ActionItem.title.startswith("Report on")))
    assert (item.owner_person_id, item.commitment.reference) == (nl.id, "¶5.2")


# --- workflow, lock and amendments ----------------------------------------------------------


def test_circulating_tells_the_members_by_e_mail(sign_in):
    meeting = amsterdam()
    set_status(meeting, MinutesStatus.DRAFT)
    client = sign_in(SECRETARIAT)
    response = post(client, f"{minutes_path(meeting)}/circulate",
                    {"version": fresh_minutes(meeting.id).version_id, "notify": "1"},
                    follow_redirects=True)
    assert "circulated for comments" in text_of(response)
    assert fresh_minutes(meeting.id).status == MinutesStatus.CIRCULATED
    recipients = set(db.session.scalars(select(OutboxMessage.recipient).where(
        OutboxMessage.kind == "minutes_circulated")))
    assert {DELEGATE_NL, OBSERVER_EUROPOL, CHAIR_COALITION} <= recipients
    assert DELEGATE_AL not in recipients and SECRETARIAT not in recipients


def test_circulating_what_one_has_not_seen_is_refused(sign_in):
    meeting = amsterdam()
    minutes = set_status(meeting, MinutesStatus.DRAFT)
    stale = minutes.version_id
    ops.save_text(minutes, values={"summary": "Changed meanwhile."}, base=None,
                  expected_version=stale, by=person(CHAIR_COALITION))
    response = post(sign_in(SECRETARIAT),
                    f"{minutes_path(meeting)}/circulate", {"version": stale},
                    follow_redirects=True)
    assert "changed the minutes after you opened this page" in text_of(response)
    assert fresh_minutes(meeting.id).status == MinutesStatus.DRAFT


def test_approval_at_a_meeting_needs_a_meeting_that_has_taken_place(sign_in):
    meeting = amsterdam()
    client = sign_in(CHAIR_COALITION)
    version = fresh_minutes(meeting.id).version_id
    response = post(client, f"{minutes_path(meeting)}/approve",
                    {"version": version, "method": "next_meeting", "meeting": str(antwerp().id)})
    assert response.status_code == 400
    assert "No later meeting of this dialogue has taken place yet" in text_of(response)
    assert fresh_minutes(meeting.id).status == MinutesStatus.CIRCULATED


def _approve(client, meeting) -> None:
    response = post(client, f"{minutes_path(meeting)}/approve", {
        "version": fresh_minutes(meeting.id).version_id, "method": "written_procedure",
        "note": "No objection by the deadline."})
    assert response.status_code == 303


def test_approved_minutes_change_only_by_a_recorded_amendment(sign_in):
    meeting = amsterdam()
    client = sign_in(CHAIR_COALITION)
    _approve(client, meeting)
    minutes = fresh_minutes(meeting.id)
    assert minutes.status == MinutesStatus.APPROVED
    assert minutes.approval.method == "written_procedure"
    page = words(client.get(minutes_path(meeting)))
    assert "By written procedure" in page and "No objection by the deadline." in page

    before = minutes.summary
    # Without a reason: refused, beside the reason box, nothing changed.
    response = post(client, f"{minutes_path(meeting)}/text",
                    {"version": minutes.version_id, "summary": "A quieter summary."})
    assert response.status_code == 400
    assert 'id="reason-error"' in text_of(response)
    assert "change only by a recorded amendment" in text_of(response)
    assert fresh_minutes(meeting.id).summary == before
    assert not db.session.scalars(select(MinutesAmendment)).all()

    # With a reason: an amendment with who, when, why, before and after, in the audit log.
    response = post(client, f"{minutes_path(meeting)}/text", {
        "version": minutes.version_id, "summary": "A quieter summary.",
        "reason": "Belgium asked to correct the summary."})
    assert response.status_code == 303
    (amendment,) = db.session.scalars(select(MinutesAmendment)).all()
    assert amendment.reason == "Belgium asked to correct the summary."
    assert amendment.amended_by.email == CHAIR_COALITION
    assert amendment.before == {"Summary": before}
    assert amendment.after == {"Summary": "A quieter summary."}
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "minutes.amended"))
    assert event.actor_email == CHAIR_COALITION
    assert event.details["before"] == {"Summary": before}
    assert "Belgium asked to correct the summary." in event.summary
    page = words(client.get(minutes_path(meeting)))
    assert "Amendments after approval" in page and "Belgium asked to correct the summary." in page


def test_the_audit_log_shows_the_amendment(sign_in):
    meeting = amsterdam()
    client = sign_in(SECRETARIAT)
    _approve(client, meeting)
    minutes = fresh_minutes(meeting.id)
    decision_id = minutes.decisions[0].id
    response = post(client, f"{minutes_path(meeting)}/decisions/{decision_id}/remove", {
        "version": minutes.version_id, "reason": "Recorded twice by mistake."})
    assert response.status_code == 303
    db.session.expire_all()
    assert db.session.get(Decision, decision_id) is None
    page = text_of(client.get("/audit"))
    assert "Recorded twice by mistake." in page


def test_approved_minutes_refuse_a_new_decision_without_a_reason(sign_in):
    meeting = amsterdam()
    client = sign_in(SECRETARIAT)
    _approve(client, meeting)
    count = decision_count()
    response = post(client, f"{minutes_path(meeting)}/decisions/new", {
        "version": fresh_minutes(meeting.id).version_id, "text": "A late decision."})
    assert response.status_code == 400 and 'id="reason-error"' in text_of(response)
    assert decision_count() == count


def test_changes_to_circulated_minutes_are_in_the_audit_log(sign_in):
    meeting = amsterdam()
    client = sign_in(SECRETARIAT)
    be = participant("BE")
    response = post(client, f"{minutes_path(meeting)}/attendance", {
        "version": fresh_minutes(meeting.id).version_id,
        f"status-{be.id}": "represented", f"delegates-{be.id}": "The Belgian embassy"})
    assert response.status_code == 303
    event = db.session.scalar(select(AuditEvent).where(
        AuditEvent.action == "minutes.attendance_changed"))
    assert event.details["after"] == {
        "Attendance of Belgium (justice and interior ministries)": "represented",
        "Delegation of Belgium (justice and interior ministries)": "The Belgian embassy"}


def test_attendance_needs_a_status_for_names(sign_in):
    meeting = amsterdam()
    client = sign_in(SECRETARIAT)
    de = participant("DE")
    response = post(client, f"{minutes_path(meeting)}/attendance", {
        "version": fresh_minutes(meeting.id).version_id,
        f"status-{de.id}": "", f"delegates-{de.id}": "Someone"})
    assert response.status_code == 400
    assert f'id="status-{de.id}-error"' in text_of(response)
    rows = {a.participant.short_name: a.status for a in fresh_minutes(meeting.id).attendance}
    assert rows["DE"] == "present"


def test_operations_refuse_an_empty_decision_without_saving(demo):
    minutes = fresh_minutes(amsterdam().id)
    count = decision_count()
    with pytest.raises(InvalidInput) as error:
        ops.add_decision(minutes, values={"text": ""}, expected_version=minutes.version_id,
                         by=None)
    assert set(error.value.errors) == {"text"}
    assert decision_count() == count


# --- PDF and DOCX ---------------------------------------------------------------------------


def test_minutes_as_pdf_carry_the_marking_on_every_page(sign_in):
    meeting = amsterdam()
    client = sign_in(DELEGATE_NL)
    response = client.get(minutes_path(meeting) + ".pdf")
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    assert "attachment" in response.headers["Content-Disposition"]
    pages = pdf_pages(response.data)
    text = " ".join(pages)
    assert "Minutes" in text and meeting.title in text
    assert "Work starts on the platform for the ports, airports and transport corridors." in text
    assert "Share a first outline of the platform for the ports and logistics hubs" in text
    for page in pages:  # the marking at the top and the bottom
        assert page.startswith("OFFICIAL") and page.count("OFFICIAL") >= 2
    # The same minutes download the same bytes.
    assert client.get(minutes_path(meeting) + ".pdf").data == response.data


def test_minutes_of_a_sensitive_dialogue_are_marked_so_in_the_docx(sign_in):
    meeting = amsterdam()
    meeting.dialogue.classification = Classification.OFFICIAL_SENSITIVE
    db.session.commit()
    client = sign_in(OBSERVER_EUROPOL)
    response = client.get(minutes_path(meeting) + ".docx")
    assert response.status_code == 200
    header, footer, body = docx_parts(response.data)
    assert "OFFICIAL-SENSITIVE" in header and "OFFICIAL-SENSITIVE" in footer
    assert "The six countries agree the multi-year action plan against organised crime." in body
    assert "Belgium (justice and interior ministries)" in body
    pages = pdf_pages(client.get(minutes_path(meeting) + ".pdf").data)
    assert all(page.startswith("OFFICIAL-SENSITIVE") for page in pages)


def test_a_draft_downloads_as_draft_for_those_who_write_it(sign_in):
    meeting = amsterdam()
    set_status(meeting, MinutesStatus.DRAFT)
    response = sign_in(SECRETARIAT).get(minutes_path(meeting) + ".pdf")
    assert "Draft minutes" in pdf_pages(response.data)[0]


def test_the_minutes_pages_need_no_script_and_no_inline_style(sign_in):
    meeting = amsterdam()
    client = sign_in(SECRETARIAT)
    decision = fresh_minutes(meeting.id).decisions[0]
    for path in ("", "/text", "/attendance", "/decisions/new", f"/decisions/{decision.id}",
                 f"/decisions/{decision.id}/remove", "/actions/new", "/approve"):
        response = client.get(minutes_path(meeting) + path)
        assert response.status_code == 200, path
        page = text_of(response)
        assert "<script" not in page and "style=" not in page, path


def test_minutes_of_a_missing_meeting_are_not_found(sign_in):
    client = sign_in(SECRETARIAT)
    assert client.get("/meetings/999999/minutes").status_code == 404
    minutes_id = db.session.scalar(select(Minutes.id))
    assert minutes_id is not None
    assert client.get(f"{minutes_path(amsterdam())}/decisions/999999").status_code == 404


def test_the_minutes_page_costs_the_same_queries_however_long_the_minutes(sign_in):
    meeting = amsterdam()
    agendas.build_agenda(meeting)
    client = sign_in(SECRETARIAT)
    statements = []

    def count(*_args):
        statements.append(1)

    def queries() -> int:
        statements.clear()
        event.listen(db.engine, "before_cursor_execute", count)
        try:
            assert client.get(minutes_path(meeting)).status_code == 200
        finally:
            event.remove(db.engine, "before_cursor_execute", count)
        return len(statements)

    before = queries()
    secretariat, nl = person(SECRETARIAT), participant("NL")
    items = [item for _number, item in ops.agenda_items(meeting)]
    for index, item in enumerate(items[:8]):
        minutes = fresh_minutes(meeting.id)
        ops.add_decision(minutes, values={"text": f"Decision {index}", "agenda_item": str(item.id),
                                          "commitment": str(commitment("¶5.2").id)},
                         expected_version=minutes.version_id, by=secretariat)
        actions.add_action_item(fresh_minutes(meeting.id), values={
            "title": f"Action {index}", "owner": str(nl.id), "agenda_item": str(item.id),
            "commitment": str(commitment("¶5.3").id)}, by=secretariat)
    assert queries() <= before
