"""No lost updates: two people edit the same minutes or action item at once (two browser
sessions, and two database sessions interleaved between read and write). On SQLite by
default; on PostgreSQL with PLANNER_TEST_DATABASE_URL."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from planner.actions import operations as actions
from planner.extensions import db
from planner.minutes import operations as ops
from planner.minutes.versioning import EditConflict
from planner.models import ActionItem, Minutes
from tests.conftest import CHAIR_COALITION, SECRETARIAT, login
from tests.minutes_support import (
    action,
    amsterdam,
    form_state,
    fresh_minutes,
    open_form,
    participant,
    person,
    post,
    text_of,
    textarea,
    words,
)


@pytest.fixture
def two_clients(app, demo):
    """The secretariat and the chair, each in their own browser session."""
    secretariat, chair = app.test_client(), app.test_client()
    assert login(secretariat, SECRETARIAT).status_code == 302
    assert login(chair, CHAIR_COALITION).status_code == 302
    return secretariat, chair


def test_two_editors_of_different_parts_both_keep_their_work(two_clients):
    secretariat, chair = two_clients
    path = f"/meetings/{amsterdam().id}/minutes/text"
    _page, first = open_form(secretariat, path)
    _page, second = open_form(chair, path)
    assert first["version"] == second["version"]

    response = post(secretariat, path, {**first, "summary": "Summary by the secretariat.",
                                        "note-general": ""})
    assert response.status_code == 303
    # The chair saves from the page opened before: only the notes changed there.
    response = post(chair, path, {**second, "summary": json.loads(second["base"])["summary"],
                                  "note-general": "Notes by the chair."})
    assert response.status_code == 303
    minutes = fresh_minutes(amsterdam().id)
    assert minutes.summary == "Summary by the secretariat."
    assert [note.text for note in minutes.notes] == ["Notes by the chair."]


def test_two_editors_of_the_same_text_get_a_conflict_showing_both(two_clients):
    secretariat, chair = two_clients
    path = f"/meetings/{amsterdam().id}/minutes/text"
    _page, first = open_form(secretariat, path)
    _page, second = open_form(chair, path)

    assert post(secretariat, path, {**first, "summary": "The secretariat's summary."}) \
        .status_code == 303
    response = post(chair, path, {**second, "summary": "The chair's summary.",
                                  "note-general": "The chair's notes."})
    assert response.status_code == 409
    page = text_of(response)
    shown = words(page)
    assert "Theirs (saved)" in shown and "The secretariat's summary." in shown
    assert "Yours (not saved)" in shown and "The chair's summary." in shown
    assert "Dialogue Secretariat saved a change" in shown  # who saved in the meantime
    # Nothing of the chair's was saved, not even the part that did not clash.
    minutes = fresh_minutes(amsterdam().id)
    assert minutes.summary == "The secretariat's summary." and not minutes.notes
    # The form keeps the chair's words to merge, with the version now stored.
    assert textarea(page, "summary") == "The chair's summary."
    assert textarea(page, "note-general") == "The chair's notes."

    retry = {**form_state(page), "summary": "The secretariat's summary. The chair's summary.",
             "note-general": "The chair's notes."}
    assert post(chair, path, retry).status_code == 303
    minutes = fresh_minutes(amsterdam().id)
    assert minutes.summary == "The secretariat's summary. The chair's summary."
    assert [note.text for note in minutes.notes] == ["The chair's notes."]


def test_attendance_recorded_by_two_people_at_once_keeps_both(two_clients):
    secretariat, chair = two_clients
    path = f"/meetings/{amsterdam().id}/minutes/attendance"
    be, de = participant("BE"), participant("DE")
    _page, first = open_form(secretariat, path)
    _page, second = open_form(chair, path)
    assert post(secretariat, path, {**first, f"status-{be.id}": "present",
                                    f"delegates-{be.id}": "The Belgian minister"}) \
        .status_code == 303
    assert post(chair, path, {**second, f"status-{de.id}": "apologies",
                              f"delegates-{de.id}": ""}).status_code == 303
    rows = {a.participant.short_name: (a.status, a.delegates)
            for a in fresh_minutes(amsterdam().id).attendance}
    assert rows["BE"] == ("present", "The Belgian minister")
    assert rows["DE"] == ("apologies", "")


def test_a_commit_between_read_and_write_is_caught_by_the_version(app, demo):
    """Interleaved at the database: our session reads the minutes, another session saves
    the same field and commits, then ours writes. The UPDATE's version check refuses it."""
    meeting_id = amsterdam().id
    minutes = db.session.scalar(select(Minutes).where(Minutes.meeting_id == meeting_id))
    seen, summary = minutes.version_id, minutes.summary

    with Session(db.engine) as other:
        theirs = other.scalar(select(Minutes).where(Minutes.meeting_id == meeting_id))
        theirs.summary = "Saved by the other session."
        other.commit()

    # Our session still holds the old version: the check in Python passes, the database's
    # does not, and the save runs again on what is stored now.
    assert minutes.version_id == seen
    with pytest.raises(EditConflict) as conflict:
        ops.save_text(minutes, values={"summary": "Saved by ours."},
                      base={"summary": summary}, expected_version=seen,
                      by=person(SECRETARIAT))
    assert [c.theirs for c in conflict.value.conflicts] == ["Saved by the other session."]
    assert [c.mine for c in conflict.value.conflicts] == ["Saved by ours."]
    assert fresh_minutes(meeting_id).summary == "Saved by the other session."


def test_an_interleaved_commit_to_another_part_is_merged(app, demo):
    meeting_id = amsterdam().id
    minutes = db.session.scalar(select(Minutes).where(Minutes.meeting_id == meeting_id))
    seen, summary = minutes.version_id, minutes.summary

    with Session(db.engine) as other:
        theirs = other.scalar(select(Minutes).where(Minutes.meeting_id == meeting_id))
        theirs.summary = "Saved by the other session."
        other.commit()

    ops.save_text(minutes, values={"summary": summary, "note-general": "Ours."},
                  base={"summary": summary, "note-general": ""}, expected_version=seen,
                  by=person(SECRETARIAT))
    stored = fresh_minutes(meeting_id)
    assert stored.summary == "Saved by the other session."
    assert [n.text for n in stored.notes] == ["Ours."]
    assert stored.version_id == seen + 2


def test_two_people_closing_one_action_item(two_clients):
    secretariat, chair = two_clients
    item = action("Share a first outline")
    path = f"/actions/{item.id}/close"
    _page, first = open_form(secretariat, path)
    _page, second = open_form(chair, path)
    assert post(secretariat, path, {**first, "status": "done",
                                    "outcome": "Outline shared on the 20th."}).status_code == 303
    response = post(chair, path, {**second, "status": "dropped",
                                  "outcome": "Overtaken by the Antwerp plan."})
    assert response.status_code == 409
    shown = words(response)
    assert "Outline shared on the 20th." in shown and "Overtaken by the Antwerp plan." in shown
    stored = action("Share a first outline")
    assert (stored.status, stored.outcome) == ("done", "Outline shared on the 20th.")


def test_an_action_item_edited_in_two_sessions_keeps_both_changes(app, demo):
    item = action("Propose dates and a venue")
    seen, base = item.version_id, actions.item_values(item)
    with Session(db.engine) as other:
        theirs = other.get(ActionItem, item.id)
        theirs.description = "Antwerp port authority to host."
        other.commit()
    actions.update_action_item(item, values={**base, "status": "in_progress"}, base=base,
                               expected_version=seen, by=person(SECRETARIAT))
    stored = action("Propose dates and a venue")
    assert (stored.status, stored.description) == ("in_progress",
                                                   "Antwerp port authority to host.")
