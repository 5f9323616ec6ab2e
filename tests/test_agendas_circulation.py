"""Circulating: frozen numbered versions, what changed between them, who sees what."""

from __future__ import annotations

import json
import re

import pytest
from sqlalchemy import select

from planner import signals
from planner.agendas import operations as ops
from planner.extensions import db
from planner.models import AgendaVersion, AuditEvent, Meeting, Participant
from planner.validation import InvalidInput
from tests.agendas_support import (
    antwerp,
    build,
    commitment,
    dialogue,
    fresh_agenda,
    item_by_key,
    person,
    post,
    text_of,
)
from tests.conftest import (
    CHAIR_COALITION,
    CHAIR_UKAL,
    DELEGATE_AL,
    DELEGATE_NL,
    OBSERVER_EUROPOL,
    SECRETARIAT,
)


def circulated(meeting: Meeting, **kwargs) -> AgendaVersion:
    agenda = fresh_agenda(meeting.id) or build(meeting)
    return ops.circulate_agenda(agenda, actor=kwargs.pop("actor", person(CHAIR_COALITION)),
                                **kwargs)


def without_token(page: str) -> str:
    """The page without the sign-out form's CSRF token, which carries a timestamp."""
    return re.sub(r'name="csrf_token" value="[^"]*"', "", page)


def test_circulating_records_who_and_when_and_tells_the_outbox(demo):
    meeting = antwerp()
    heard = []

    def receiver(version, notify):
        heard.append((version.number, notify))

    signals.agenda_circulated.connect(receiver)
    try:
        v1 = circulated(meeting, notify=True)
    finally:
        signals.agenda_circulated.disconnect(receiver)
    assert heard == [(1, True)]
    assert v1.number == 1 and v1.circulated_by.email == CHAIR_COALITION
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "agenda.circulated"))
    assert event.entity_id == v1.id and event.actor_email == CHAIR_COALITION
    assert event.details["notify"] is True
    content = v1.content
    assert content["classification"] == "OFFICIAL"
    assert content["meeting"]["title"] == "Coalition ministerial meeting, Antwerp"
    assert content["meeting"]["place"] == "Antwerp"
    first = content["items"][0]
    assert (first["number"], first["title"], first["starts"], first["minutes"]) == (
        "1", "Welcome by the host", "09:30", 10)
    assert first["presenter"] == "Belgium (justice and interior ministries)"
    assert first["reason"] == "standing opening item of the dialogue"


def test_circulating_the_same_agenda_again_is_refused(demo):
    meeting = antwerp()
    circulated(meeting)
    with pytest.raises(InvalidInput, match="Nothing has changed since v1"):
        circulated(meeting)
    assert len(ops.circulated_versions(meeting.id)) == 1


def test_a_circulated_version_stays_byte_for_byte_the_same_after_the_draft_changes(sign_in):
    meeting = antwerp()
    v1 = circulated(meeting)
    client = sign_in(DELEGATE_NL)
    paths = [f"/meetings/{meeting.id}/agenda/v1.pdf", f"/meetings/{meeting.id}/agenda/v1.docx"]
    before = [client.get(path).get_data() for path in paths]
    stored = json.dumps(v1.content, sort_keys=True)
    page = without_token(text_of(client.get(f"/meetings/{meeting.id}/agenda/v1")))

    # The chair reworks the draft; the meeting itself moves to another venue.
    agenda = fresh_agenda(meeting.id)
    items = ops.active_items(agenda)
    ops.update_item(items[0], title="Welcome by the Belgian presidency", duration_minutes=20,
                    presenter="")
    ops.remove_item(items[1])
    ops.move_item(items[5], "down")
    ops.add_item(fresh_agenda(meeting.id), title="Port of Antwerp visit", duration_minutes=60)
    meeting = db.session.get(Meeting, meeting.id)
    meeting.venue = "Het Steen"
    db.session.commit()

    assert [client.get(path).get_data() for path in paths] == before
    db.session.expire_all()
    assert json.dumps(db.session.get(AgendaVersion, v1.id).content, sort_keys=True) == stored
    assert without_token(text_of(client.get(f"/meetings/{meeting.id}/agenda/v1"))) == page
    assert "Welcome by the host" in page and "Port of Antwerp visit" not in page


def test_version_2_shows_what_changed_against_version_1(sign_in):
    meeting = antwerp()
    circulated(meeting)
    agenda = fresh_agenda(meeting.id)
    items = ops.active_items(agenda)
    taskforce = item_by_key(agenda, f"commitment:{commitment('¶5.2').id}")
    adoption, minutes = items[1], items[2]
    be = db.session.scalar(select(Participant).where(Participant.short_name == "BE"))
    ops.update_item(taskforce, title="Latin America taskforce", duration_minutes=10,
                    presenter=f"participant:{be.id}")
    ops.update_item(minutes, title=minutes.title, duration_minutes=20,
                    presenter=ops.presenter_value(minutes))
    ops.remove_item(adoption)
    latam = next(i for i in agenda.items if i.title.startswith("Latin America and"))
    ops.move_item(latam, "up")
    ops.add_item(fresh_agenda(meeting.id), title="Port of Antwerp visit", duration_minutes=30)
    v2 = circulated(meeting)
    assert v2.number == 2

    v1_content = ops.circulated_versions(meeting.id)[0].content
    changes = ops.compare_versions(v1_content, v2.content)
    by_kind: dict[str, set[str]] = {}
    for change in changes:
        by_kind.setdefault(change.kind, set()).add(change.title)
    assert by_kind["added"] == {"Port of Antwerp visit"}
    assert by_kind["removed"] == {"Adoption of the agenda"}
    assert by_kind["renamed"] == {"Latin America taskforce"}
    # The two sections swapped places: the smaller one is reported as moved, and items
    # that only shifted because of an insertion or removal are not.
    assert by_kind["moved"] == {"Ports and logistics hubs",
                                "Platform for ports, airports and transport corridors"}
    assert "Approval of the minutes of the previous meeting" in by_kind["retimed"]
    assert by_kind["presenter"] == {"Latin America taskforce"}
    # Items that only start later because of those changes come as one line per run.
    shifted = [c for c in changes if c.kind == "retimed" and "later" in c.detail]
    old_starts = {e["item_id"]: (e["starts"], e["minutes"]) for e in v1_content["items"]}
    moved_in_time = [e for e in v2.content["items"] if e["item_id"] in old_starts
                     and old_starts[e["item_id"]][1] == e["minutes"]
                     and old_starts[e["item_id"]][0] != e["starts"]]
    assert shifted and all(" to " in c.number for c in shifted)
    assert len(moved_in_time) > 15 and len(shifted) <= 4
    assert changes[-1] in shifted
    renamed = next(c for c in changes if c.kind == "renamed")
    assert renamed.detail == "was “Taskforce on organised drug crime with Latin America”"

    client = sign_in(OBSERVER_EUROPOL)
    page = text_of(client.get(f"/meetings/{meeting.id}/agenda"))
    assert "Changes since version 1" in page
    for label in ("Added:", "Removed:", "Renamed:", "Moved:", "Retimed:"):
        assert label in page
    v1_page = text_of(client.get(f"/meetings/{meeting.id}/agenda/v1"))
    assert "Version 2</a> is the latest" in v1_page


def test_the_draft_page_previews_the_changes_the_next_version_will_bring(sign_in):
    meeting = antwerp()
    circulated(meeting)
    agenda = fresh_agenda(meeting.id)
    ops.add_item(agenda, title="Port of Antwerp visit", duration_minutes=30)
    page = text_of(sign_in(CHAIR_COALITION).get(f"/meetings/{meeting.id}/agenda/draft"))
    assert "Circulate as version 2" in page
    assert "Changes against version 1" in page and "Port of Antwerp visit" in page


def test_circulating_from_the_page(sign_in):
    meeting = antwerp()
    agenda = build(meeting)
    client = sign_in(CHAIR_COALITION)
    response = post(client, f"/meetings/{meeting.id}/agenda/circulate",
                    {"version_id": agenda.version_id, "notify": "y"})
    assert response.status_code == 303
    assert response.headers["Location"].endswith(f"/meetings/{meeting.id}/agenda/v1")
    page = text_of(client.get(response.headers["Location"]))
    assert "Agenda v1 is circulated and the members will get an e-mail notice." in page
    # A second circulation from the same, now stale page is refused.
    response = post(client, f"/meetings/{meeting.id}/agenda/circulate",
                    {"version_id": agenda.version_id}, follow_redirects=True)
    assert "Someone else changed this agenda" in text_of(response)
    assert len(ops.circulated_versions(meeting.id)) == 1


# --- who sees what ----------------------------------------------------------------------


def draft_routes(meeting_id: int, item_id: int) -> list[tuple[str, str]]:
    base = f"/meetings/{meeting_id}/agenda"
    return [
        ("get", f"{base}/draft"),
        ("get", f"{base}/items/{item_id}"),
        ("post", f"{base}/items/{item_id}"),
        ("post", f"{base}/build"),
        ("post", f"{base}/items"),
        ("post", f"{base}/items/{item_id}/move"),
        ("post", f"{base}/items/{item_id}/remove"),
        ("post", f"{base}/items/{item_id}/restore"),
        ("post", f"{base}/circulate"),
    ]


@pytest.mark.parametrize("email", [DELEGATE_NL, OBSERVER_EUROPOL])
def test_delegates_and_observers_see_only_circulated_versions(sign_in, email):
    meeting = antwerp()
    agenda = build(meeting)
    item = ops.active_items(agenda)[0]
    client = sign_in(email)
    data = {"version_id": agenda.version_id, "title": "Hacked", "direction": "up",
            "duration_minutes": "1", "presenter": ""}
    for method, path in draft_routes(meeting.id, item.id):
        response = client.get(path) if method == "get" else post(client, path, data)
        assert response.status_code == 404, (method, path)
    assert "Hacked" not in {i.title for i in fresh_agenda(meeting.id).items}
    assert ops.circulated_versions(meeting.id) == []

    meeting_page = text_of(client.get(f"/meetings/{meeting.id}"))
    assert "The agenda has not been circulated yet." in meeting_page
    assert "Build the draft agenda" not in meeting_page and "Edit the draft" not in meeting_page
    page = client.get(f"/meetings/{meeting.id}/agenda")
    assert page.status_code == 200 and "not been circulated yet" in text_of(page)
    assert "Platform for ports" not in text_of(page)
    assert client.get(f"/meetings/{meeting.id}/agenda/v1").status_code == 404

    circulated(meeting)
    ops.add_item(fresh_agenda(meeting.id), title="Draft-only item")
    meeting_page = text_of(client.get(f"/meetings/{meeting.id}"))
    assert "Read the agenda" in meeting_page and "Download as PDF" in meeting_page
    page = text_of(client.get(f"/meetings/{meeting.id}/agenda"))
    assert "Platform for ports, airports and transport corridors" in page
    assert "Draft-only item" not in page and "Go to the draft" not in page
    assert client.get(f"/meetings/{meeting.id}/agenda/v1.pdf").status_code == 200
    assert client.get(f"/meetings/{meeting.id}/agenda/v1.docx").status_code == 200
    assert client.get(f"/meetings/{meeting.id}/agenda/draft").status_code == 404


@pytest.mark.parametrize("email", [CHAIR_UKAL, DELEGATE_AL])
def test_people_of_another_dialogue_see_nothing_of_its_agendas(sign_in, email):
    meeting = antwerp()
    circulated(meeting)
    client = sign_in(email)
    base = f"/meetings/{meeting.id}/agenda"
    for path in (base, f"{base}/v1", f"{base}/v1.pdf", f"{base}/v1.docx", f"{base}/draft",
                 f"/dialogues/{dialogue('coalition').id}/standing-items"):
        assert client.get(path).status_code == 404, path
    assert post(client, f"{base}/build").status_code == 404


@pytest.mark.parametrize("email", [SECRETARIAT, CHAIR_COALITION])
def test_secretariat_and_chair_see_and_edit_the_draft(sign_in, email):
    meeting = antwerp()
    client = sign_in(email)
    assert post(client, f"/meetings/{meeting.id}/agenda/build").status_code == 303
    assert client.get(f"/meetings/{meeting.id}/agenda/draft").status_code == 200
    assert "Edit the draft agenda" in text_of(client.get(f"/meetings/{meeting.id}"))


def test_nothing_answers_500_to_odd_requests(sign_in):
    meeting = antwerp()
    agenda = build(meeting)
    item = ops.active_items(agenda)[0]
    client = sign_in(CHAIR_COALITION)
    base = f"/meetings/{meeting.id}/agenda"
    odd_posts = [
        (f"{base}/items/{item.id}/move", {"direction": "sideways", "version_id": "x"}),
        (f"{base}/items/{item.id}/move", {}),
        (f"{base}/items/999999/move", {"direction": "up"}),
        (f"{base}/items/{item.id}", {}),
        (f"{base}/items/{item.id}", {"version_id": "99999999999999999999", "title": "x"}),
        (f"{base}/items", {"title": "x", "after": "999999", "version_id": agenda.version_id}),
        (f"{base}/items", {"title": "x" * 400, "version_id": agenda.version_id}),
        (f"{base}/items", {"title": "x", "notes": "n" * 3000, "version_id": agenda.version_id}),
        (f"{base}/circulate", {"version_id": ""}),
        ("/meetings/999999/agenda/build", {}),
        (f"/dialogues/{dialogue('coalition').id}/standing-items/999999", {"title": "x"}),
    ]
    for path, data in odd_posts:
        response = post(client, path, data)
        assert response.status_code < 500, (path, data, response.status_code)
    for path in (f"{base}/v0", f"{base}/v7.pdf", f"{base}/items/999999",
                 "/meetings/999999/agenda", "/meetings/999999/agenda/draft"):
        assert client.get(path).status_code == 404, path
    assert len(fresh_agenda(meeting.id).items) == len(agenda.items)


def test_a_meeting_without_an_agenda_yet(sign_in):
    meeting = antwerp()
    client = sign_in(CHAIR_COALITION)
    page = text_of(client.get(f"/meetings/{meeting.id}/agenda/draft"))
    assert "No draft yet" in page and "Build the draft agenda" in page
    assert client.get(f"/meetings/{meeting.id}/agenda/items/1").status_code == 404


def test_a_new_venue_or_new_notes_are_changes_too(demo):
    meeting = antwerp()
    circulated(meeting)
    meeting = db.session.get(Meeting, meeting.id)
    meeting.venue = "Het Steen"
    db.session.commit()
    item = ops.active_items(fresh_agenda(meeting.id))[0]
    ops.update_item(item, title=item.title, duration_minutes=item.duration_minutes,
                    presenter=ops.presenter_value(item), notes="Coffee from 09:00")
    v2 = circulated(meeting)
    changes = ops.compare_versions(ops.circulated_versions(meeting.id)[0].content, v2.content)
    assert [(c.kind, c.detail) for c in changes] == [
        ("meeting", "place: now Het Steen, Antwerp (was Antwerp)"),
        ("updated", "new notes"),
    ]
