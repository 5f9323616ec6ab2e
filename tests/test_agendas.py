"""Building the draft agenda from what is still open, and editing and timing it."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import event, select
from sqlalchemy.orm import selectinload

from planner.agendas import operations as ops
from planner.extensions import db
from planner.models import (
    ActionItem,
    ActionItemStatus,
    AgendaItem,
    AgendaItemKind,
    Commitment,
    CommitmentStatus,
    DialogueRole,
    Meeting,
    Membership,
    Participant,
    Theme,
    commitment_lead,
)
from planner.validation import InvalidInput
from tests.agendas_support import (
    antwerp,
    build,
    commitment,
    dialogue,
    fresh_agenda,
    item_by_key,
    numbered,
    person,
    post,
    text_of,
)
from tests.conftest import CHAIR_COALITION, CHAIR_UKAL, SECRETARIAT

# --- building -------------------------------------------------------------------------


def test_antwerp_agenda_holds_every_open_coalition_commitment_under_its_theme(demo):
    coalition, ukal = dialogue("coalition"), dialogue("uk-albania")
    # A met commitment has nothing left to review.
    met = commitment("¶6.2")
    met.status = CommitmentStatus.MET
    db.session.commit()

    agenda = build(antwerp())
    rows = numbered(agenda)
    headings = {item.source_key: number for number, item in rows if "." not in number}
    still_open = [c for c in coalition.commitments if c.is_open]
    assert len(still_open) == 8
    for c in still_open:
        (number,) = [n for n, item in rows if item.commitment_id == c.id]
        section = f"theme:{c.theme_id}" if c.theme_id else ops.GENERAL_KEY
        assert number.split(".")[0] == headings[section], (c.reference, number)
    assert met.id not in {item.commitment_id for _, item in rows}
    assert f"theme:{met.theme_id}" not in headings  # its theme has nothing else open

    # Themes come in the dialogue's order, the commitments without one last ("General").
    theme_titles = [item.title for _, item in rows if item.kind == AgendaItemKind.THEME]
    assert theme_titles == [t.label for t in coalition.themes if t.id != met.theme_id] + [
        "General"
    ]
    # Nothing of the UK–Albania dialogue.
    ukal_ids = {c.id for c in ukal.commitments}
    ukal_titles = {c.title for c in ukal.commitments} | {t.label for t in ukal.themes}
    assert not ukal_ids & {item.commitment_id for _, item in rows}
    assert not ukal_titles & {item.title for _, item in rows}


def test_commitment_items_say_why_and_what_changed_since_the_last_meeting(demo):
    agenda = build(antwerp())
    platform = item_by_key(agenda, f"commitment:{commitment('¶5.1').id}")
    assert platform.reason == (
        "commitment ¶5.1 in progress, section ¶5; since the last meeting: "
        "open → in progress at the Amsterdam meeting"
    )
    taskforce = item_by_key(agenda, f"commitment:{commitment('¶5.2').id}")
    assert taskforce.reason == "open commitment ¶5.2, section ¶5"


def test_review_lists_open_actions_from_earlier_meetings_overdue_first(demo):
    meeting = antwerp()
    amsterdam = db.session.scalar(select(ActionItem.meeting_id).where(ActionItem.id == 1))
    today = date.today()
    # One more, overdue for longer than the demo's overdue one: it must come first.
    nl = db.session.scalar(select(Participant).where(Participant.short_name == "NL"))
    older = ActionItem(dialogue_id=meeting.dialogue_id, meeting_id=amsterdam, owner=nl,
                       title="Name a contact point for the ports platform",
                       due_on=today - timedelta(days=10))
    db.session.add(older)
    db.session.commit()

    agenda = build(meeting, today=today)
    rows = numbered(agenda)
    (review,) = [n for n, item in rows if item.source_key == ops.ACTIONS_KEY]
    under_review = [item for n, item in rows if n.startswith(f"{review}.")]
    assert [item.title for item in under_review] == [
        "Name a contact point for the ports platform",
        "Share a first outline of the platform for the ports and logistics hubs",
        "Propose dates and a venue in Antwerp for the spring meeting",
    ]
    overdue = under_review[1]
    due = db.session.get(ActionItem, overdue.action_item_id).due_on
    assert overdue.reason == (
        f"action item from the Amsterdam meeting, overdue since {due.day} {due:%B %Y}"
    )
    assert "due " in under_review[2].reason and "overdue" not in under_review[2].reason
    # The done one is not reviewed again, and the review comes before the themes.
    assert "Circulate the agreed multi-year action plan" not in {i.title for _, i in rows}
    first_theme = next(n for n, i in rows if i.kind == AgendaItemKind.THEME)
    assert int(review) < int(first_theme)
    # The owner presents its own action.
    assert under_review[1].presenter_participant_id == nl.id


def test_standing_items_open_and_close_with_the_next_meeting_and_close(demo):
    agenda = build(antwerp())
    titles = [item.title for _, item in numbered(agenda)]
    assert titles[:3] == ["Welcome by the host", "Adoption of the agenda",
                          "Approval of the minutes of the previous meeting"]
    assert titles[-3:] == ["Any other business", "Date and venue of the next meeting",
                           "Close of the meeting"]
    next_meeting = item_by_key(agenda, ops.NEXT_MEETING_KEY)
    assert next_meeting.reason.startswith("next in the series: ")
    welcome = numbered(agenda)[0][1]
    assert welcome.presenter_participant_id == antwerp().host_participant_id


def test_building_is_deterministic(demo):
    meeting, today = antwerp(), date.today()
    assert ops.plan_agenda(meeting, today) == ops.plan_agenda(meeting, today)
    agenda = build(meeting, today=today)
    before = [(i.source_key, i.position, i.title, i.reason) for i in ops.all_items(agenda)]
    result = ops.build_agenda(meeting, today=today)
    assert result.added == [] and not result.created
    after = [(i.source_key, i.position, i.title, i.reason) for i in ops.all_items(result.agenda)]
    assert after == before


def test_building_again_keeps_the_chairs_edits_and_adds_only_what_is_new(demo):
    meeting = antwerp()
    chair = person(CHAIR_COALITION)
    agenda = build(meeting)
    taskforce = item_by_key(agenda, f"commitment:{commitment('¶5.2').id}")
    screening = item_by_key(agenda, f"commitment:{commitment('¶6.1').id}")
    aob = next(i for i in agenda.items if i.title == "Any other business")
    be = db.session.scalar(select(Participant).where(Participant.short_name == "BE"))
    ops.update_item(taskforce, title="Latin America taskforce: state of play",
                    duration_minutes=25, presenter=f"participant:{be.id}", notes="Room B")
    ops.move_item(aob, "up")
    ops.remove_item(screening, actor=chair)

    # Since then: a new open commitment on Latin America and a new action item.
    coalition = dialogue("coalition")
    latam = db.session.scalar(select(Theme).where(Theme.dialogue_id == coalition.id,
                                                  Theme.name.like("Latin America%")))
    new = Commitment(dialogue_id=coalition.id, section_id=commitment("¶5.2").section_id,
                     theme_id=latam.id, reference="¶5.9", position=99,
                     title="Joint liaison officers in Latin America", quote="(test)")
    action = ActionItem(dialogue_id=coalition.id, owner=be, title="Report on liaison officers",
                        due_on=date.today() + timedelta(days=60))
    db.session.add_all([new, action])
    db.session.commit()
    order_before = [i.id for i in ops.active_items(fresh_agenda(meeting.id))]

    result = ops.build_agenda(meeting, actor=chair)
    assert {i.source_key for i in result.added} == {f"commitment:{new.id}", f"action:{action.id}"}
    agenda = fresh_agenda(meeting.id)
    taskforce = item_by_key(agenda, f"commitment:{commitment('¶5.2').id}")
    assert (taskforce.title, taskforce.duration_minutes, taskforce.presenter_participant_id,
            taskforce.notes) == ("Latin America taskforce: state of play", 25, be.id, "Room B")
    assert item_by_key(agenda, screening.source_key).dismissed  # not brought back
    active = ops.active_items(agenda)
    # What was there keeps its order; the new items slot in where they belong.
    assert [i.id for i in active if i.id in order_before] == order_before
    rows = numbered(agenda)
    latam_number = next(n for n, i in rows if i.source_key == f"theme:{latam.id}")
    new_number = next(n for n, i in rows if i.commitment_id == new.id)
    assert new_number == f"{latam_number}.4"  # after the theme's three others
    review = next(n for n, i in rows if i.source_key == ops.ACTIONS_KEY)
    assert next(n for n, i in rows if i.action_item_id == action.id) == f"{review}.3"


def test_building_for_a_cancelled_meeting_is_refused(demo):
    meeting = antwerp()
    meeting.status = "cancelled"
    db.session.commit()
    with pytest.raises(InvalidInput, match="cancelled"):
        ops.build_agenda(meeting)
    assert ops.load_agenda(meeting.id) is None


def _statements(work) -> int:
    """How many SQL statements `work()` sends."""
    sent: list[str] = []

    def count(_conn, _cursor, statement, *_args) -> None:
        sent.append(statement)

    event.listen(db.engine, "before_cursor_execute", count)
    try:
        work()
    finally:
        event.remove(db.engine, "before_cursor_execute", count)
    return len(sent)


def _add_open_work(meeting: Meeting, commitments: int, actions: int, today: date) -> None:
    """Many more open commitments (under every theme and without one; one lead, or two)
    and open action items (from an earlier meeting or from none; overdue, due later or
    undated) in the meeting's dialogue, inserted in bulk."""
    dialogue_id = meeting.dialogue_id
    members = db.session.scalars(
        select(Membership.participant_id).where(Membership.dialogue_id == dialogue_id)
    ).all()
    themes = [*db.session.scalars(select(Theme.id).where(Theme.dialogue_id == dialogue_id)),
              None]
    earlier = db.session.scalar(
        select(Meeting.id).where(Meeting.dialogue_id == dialogue_id,
                                 Meeting.starts_at < meeting.starts_at).limit(1)
    )
    db.session.execute(Commitment.__table__.insert(), [
        dict(dialogue_id=dialogue_id, section_id=commitment("¶5.2").section_id,
             theme_id=themes[n % len(themes)], reference=f"B.{n}", position=1000 - n,
             title=f"Bulk commitment {n}", quote="(test)",
             status="open" if n % 3 else "in_progress",
             target_date=today + timedelta(days=n - commitments // 2) if n % 2 else None)
        for n in range(commitments)
    ])
    added = db.session.scalars(
        select(Commitment.id).where(Commitment.reference.like("B.%")).order_by(Commitment.id)
    ).all()
    db.session.execute(commitment_lead.insert(), [
        dict(commitment_id=ident, participant_id=members[(n + lead) % len(members)])
        for n, ident in enumerate(added) for lead in range(1 + (n % 4 == 0))
    ])
    db.session.execute(ActionItem.__table__.insert(), [
        dict(dialogue_id=dialogue_id, meeting_id=earlier if n % 2 else None,
             owner_participant_id=members[n % len(members)], title=f"Bulk action {n}",
             status="open" if n % 4 else "in_progress",
             due_on=today + timedelta(days=(n * 7) % 101 - 50) if n % 5 else None)
        for n in range(actions)
    ])
    db.session.commit()


def test_building_sends_as_many_statements_for_a_thousand_items_as_for_a_few(demo):
    """Items are read and written in bulk: a dialogue with a thousand open commitments
    and action items costs a build no more statements than the demo (an N+1 would show),
    and the agenda still comes out in the plan's order."""
    meeting, today = antwerp(), date.today()
    nl = db.session.scalar(select(Participant).where(Participant.short_name == "NL"))
    results: list[ops.BuildResult] = []
    late: list[ActionItem] = []

    def builds() -> list[int]:
        """A first build, a build again with nothing new, and one with a new action item
        at the top of the review: every item after it moves down."""
        if (agenda := ops.load_agenda(meeting.id)) is not None:
            db.session.delete(agenda)
        db.session.commit()  # and so each build starts as a request does, nothing loaded
        first = _statements(lambda: results.append(ops.build_agenda(meeting, today=today)))
        again = _statements(lambda: ops.build_agenda(meeting, today=today))
        late.append(ActionItem(dialogue_id=meeting.dialogue_id, owner=nl,
                               title="Overdue for longest", due_on=date(2000, 1, 1)))
        db.session.add(late[-1])
        db.session.commit()
        moving = _statements(lambda: ops.build_agenda(meeting, today=today))
        return [first, again, moving]

    few = builds()
    _add_open_work(meeting, commitments=300, actions=700, today=today)
    many = builds()
    assert many == few

    agenda = fresh_agenda(meeting.id)
    items = ops.all_items(agenda)
    keys = [item.source_key for item in items]
    assert [item.position for item in items] == list(range(1, len(items) + 1))
    assert keys == [planned.key for planned in ops.plan_agenda(meeting, today)]
    assert len(keys) == len(set(keys)) > 1000
    still_open = db.session.scalars(
        select(Commitment.id).where(Commitment.dialogue_id == meeting.dialogue_id,
                                    Commitment.status.in_(CommitmentStatus.still_open()))
    ).all()
    assert {f"commitment:{ident}" for ident in still_open} <= set(keys)
    # The review: the longest overdue first, then by due date, undated last.
    actions = {a.id: a for a in db.session.scalars(
        select(ActionItem).where(ActionItem.dialogue_id == meeting.dialogue_id))}
    under_review = [actions[item.action_item_id] for item in items if item.action_item_id]
    dues = [action.due_on for action in under_review]
    dated = [due for due in dues if due is not None]
    assert dues == sorted(dated) + [None] * (len(dues) - len(dated))
    assert under_review[0].title == "Overdue for longest"
    assert sum(action.title.startswith("Bulk action") for action in under_review) == 700
    # Each commitment under its own theme's heading, in the order of the document.
    commitments = {c.id: c for c in db.session.scalars(
        select(Commitment).options(selectinload(Commitment.leads))
        .where(Commitment.dialogue_id == meeting.dialogue_id))}
    sections: dict[str, list[Commitment]] = {}
    for item in items:
        if item.kind == AgendaItemKind.THEME:
            heading = item
        elif item.commitment_id:
            sections.setdefault(heading.source_key, []).append(commitments[item.commitment_id])
            assert item.theme_id == heading.theme_id == commitments[item.commitment_id].theme_id
            # One lead presents its commitment; with two leads the chair decides.
            leads = commitments[item.commitment_id].leads
            assert item.presenter_participant_id == (leads[0].id if len(leads) == 1 else None)
    for under in sections.values():
        assert [(c.position, c.id) for c in under] == sorted((c.position, c.id) for c in under)
    # The first build added every item but the action item added after it.
    first = results[-1]
    assert first.created
    assert [item.source_key for item in first.added] == [
        key for key in keys if key != f"action:{late[-1].id}"]


# --- timing ---------------------------------------------------------------------------


def test_start_times_follow_the_time_boxes_in_the_venue_time_zone(demo):
    meeting = antwerp()
    agenda = build(meeting)
    plan = ops.schedule(meeting, ops.active_items(agenda))
    assert plan.slots[0].starts == meeting.local_start
    assert plan.slots[0].starts.strftime("%H:%M %Z") == "09:30 CEST"
    for before, after in zip(plan.slots, plan.slots[1:], strict=False):
        assert after.starts == before.ends
        assert before.ends - before.starts == timedelta(minutes=before.item.duration_minutes or 0)
    assert plan.overrun_minutes == 0


def test_start_times_cross_a_daylight_saving_change_at_the_right_wall_clock_time(demo):
    meeting = antwerp()
    brussels = ZoneInfo("Europe/Brussels")
    # Clocks go forward at 02:00 on 28 March 2027: an hour's item from 01:30 ends 03:30.
    meeting.starts_at = datetime(2027, 3, 28, 1, 30, tzinfo=brussels).astimezone(UTC)
    meeting.ends_at = datetime(2027, 3, 28, 9, 0, tzinfo=brussels).astimezone(UTC)
    db.session.commit()
    agenda = build(meeting)
    first = ops.active_items(agenda)[0]
    ops.update_item(first, title=first.title, duration_minutes=60, presenter="")
    plan = ops.schedule(meeting, ops.active_items(fresh_agenda(meeting.id)))
    assert [plan.slots[0].starts.strftime("%H:%M %Z"), plan.slots[0].ends.strftime("%H:%M %Z")] \
        == ["01:30 CET", "03:30 CEST"]


def test_draft_page_warns_when_the_items_overrun_the_meeting(sign_in):
    meeting = antwerp()
    agenda = build(meeting)
    client = sign_in(CHAIR_COALITION)
    assert "overrun" not in text_of(client.get(f"/meetings/{meeting.id}/agenda/draft"))
    item = next(i for i in agenda.items if i.title == "Any other business")
    ops.update_item(item, title=item.title, duration_minutes=400, presenter="")
    page = text_of(client.get(f"/meetings/{meeting.id}/agenda/draft"))
    plan = ops.schedule(meeting, ops.active_items(fresh_agenda(meeting.id)))
    assert plan.overrun_minutes > 0
    assert "The items overrun the meeting." in page
    assert f"{plan.overrun_minutes} minutes past the meeting" in page
    assert "Past the end" in page


# --- editing through the pages ----------------------------------------------------------


def draft_path(meeting) -> str:
    return f"/meetings/{meeting.id}/agenda/draft"


def test_chair_builds_and_edits_the_draft_from_the_meeting_page(sign_in):
    meeting = antwerp()
    client = sign_in(CHAIR_COALITION)
    page = text_of(client.get(f"/meetings/{meeting.id}"))
    assert "Build the draft agenda" in page
    response = post(client, f"/meetings/{meeting.id}/agenda/build")
    assert response.status_code == 303
    page = text_of(client.get(response.headers["Location"]))
    assert "The draft agenda is built" in page
    assert "Platform for ports, airports and transport corridors" in page
    assert "Move up" in page and "Move down" in page and "Remove" in page

    agenda = fresh_agenda(meeting.id)
    item = item_by_key(agenda, f"commitment:{commitment('¶5.3').id}")
    be = db.session.scalar(select(Participant).where(Participant.short_name == "BE"))
    form = text_of(client.get(f"/meetings/{meeting.id}/agenda/items/{item.id}"))
    assert 'name="version_id"' in form and f'value="{agenda.version_id}"' in form
    response = post(client, f"/meetings/{meeting.id}/agenda/items/{item.id}", {
        "version_id": agenda.version_id, "title": "Capacity building: origin countries",
        "duration_minutes": "20", "presenter": f"participant:{be.id}", "notes": "",
    })
    assert response.status_code == 303
    item = item_by_key(fresh_agenda(meeting.id), item.source_key)
    assert (item.title, item.duration_minutes, item.presenter_participant_id) == (
        "Capacity building: origin countries", 20, be.id)


def test_add_an_item_where_the_chair_says(sign_in):
    meeting = antwerp()
    agenda = build(meeting)
    client = sign_in(SECRETARIAT)
    welcome = ops.active_items(agenda)[0]
    response = post(client, f"/meetings/{meeting.id}/agenda/items", {
        "version_id": agenda.version_id, "title": "Tour de table – priorities for 2027",
        "duration_minutes": "15", "presenter": "", "after": str(welcome.id), "notes": "",
    })
    assert response.status_code == 303
    rows = numbered(fresh_agenda(meeting.id))
    assert rows[1][1].title == "Tour de table – priorities for 2027"
    assert rows[1][0] == "2" and rows[1][1].kind == AgendaItemKind.CUSTOM

    # Without a place, a new item goes before the closing items.
    ops.add_item(fresh_agenda(meeting.id), title="Budget")
    titles = [i.title for _, i in numbered(fresh_agenda(meeting.id))]
    assert titles[-5:] == ["Regular meetings to keep the approach up to date", "Budget",
                           "Any other business", "Date and venue of the next meeting",
                           "Close of the meeting"]


def test_moving_a_heading_moves_its_section_and_works_without_javascript(sign_in):
    meeting = antwerp()
    agenda = build(meeting)
    client = sign_in(CHAIR_COALITION)
    latam = next(i for i in agenda.items if i.title.startswith("Latin America"))
    before = [(n, i.title) for n, i in numbered(agenda)]
    latam_number = next(n for n, t in before if t == latam.title)
    page = text_of(client.get(draft_path(meeting)))
    # Each button names what it moves, for screen readers and keyboard users.
    assert f'Move up<span class="visually-hidden"> item {latam_number} {latam.title}' in page
    response = post(client, f"/meetings/{meeting.id}/agenda/items/{latam.id}/move",
                    {"direction": "up", "version_id": agenda.version_id})
    assert response.status_code == 303
    after = [(n, i.title) for n, i in numbered(fresh_agenda(meeting.id))]
    ports = next(t for _, t in before if t == "Ports and logistics hubs")
    titles = [t for _, t in after]
    # Latin America with its three commitments now comes before the ports section.
    start = titles.index(latam.title)
    assert titles[start + 4] == ports
    moved_to = str(int(latam_number) - 1)
    assert [n for n, _ in after][start:start + 4] == [
        moved_to, f"{moved_to}.1", f"{moved_to}.2", f"{moved_to}.3"]


def test_removed_items_can_be_restored_where_they_were(sign_in):
    meeting = antwerp()
    agenda = build(meeting)
    client = sign_in(CHAIR_COALITION)
    adoption = ops.active_items(agenda)[1]
    post(client, f"/meetings/{meeting.id}/agenda/items/{adoption.id}/remove",
         {"version_id": agenda.version_id})
    agenda = fresh_agenda(meeting.id)
    assert adoption.id not in {i.id for i in ops.active_items(agenda)}
    page = text_of(client.get(draft_path(meeting)))
    assert "Removed items" in page and "Adoption of the agenda" in page
    post(client, f"/meetings/{meeting.id}/agenda/items/{adoption.id}/restore",
         {"version_id": agenda.version_id})
    assert ops.active_items(fresh_agenda(meeting.id))[1].id == adoption.id


def _outsiders():
    ukal = dialogue("uk-albania")
    uk = db.session.scalar(select(Participant).where(Participant.short_name == "UK"))
    ukal_chair = person(CHAIR_UKAL)
    secretary = person(SECRETARIAT)  # holds no role in the dialogue itself
    assert ukal_chair.id in {r.person_id for r in db.session.scalars(
        select(DialogueRole).where(DialogueRole.dialogue_id == ukal.id))}
    return {"participant": f"participant:{uk.id}", "person": f"person:{ukal_chair.id}",
            "secretariat": f"person:{secretary.id}"}


@pytest.mark.parametrize(
    ("change", "field_message"),
    [
        ({"title": "   "}, "Enter a title for the item."),
        ({"duration_minutes": "-5"}, "The time box cannot be negative"),
        ({"duration_minutes": "ten"}, "Enter the time box as a whole number of minutes"),
        ({"duration_minutes": "99999999999"}, "Enter at most 1440 minutes"),
        ({"presenter": "participant"}, "Choose a presenter from this dialogue"),
        ({"presenter": "person"}, "Choose a presenter from this dialogue"),
        ({"presenter": "secretariat"}, "Choose a presenter from this dialogue"),
        ({"presenter": "participant:999999"}, "Choose a presenter from this dialogue"),
    ],
)
def test_bad_input_gets_a_clear_message_by_the_field_and_nothing_is_saved(
    sign_in, change, field_message
):
    meeting = antwerp()
    agenda = build(meeting)
    item = ops.active_items(agenda)[0]
    stored = (item.title, item.duration_minutes, item.presenter_participant_id,
              item.presenter_person_id)
    version_before = agenda.version_id
    outsiders = _outsiders()
    data = {"version_id": agenda.version_id, "title": "New title", "duration_minutes": "15",
            "presenter": "", "notes": ""}
    for key, value in change.items():
        data[key] = outsiders.get(value, value)
    client = sign_in(CHAIR_COALITION)
    response = post(client, f"/meetings/{meeting.id}/agenda/items/{item.id}", data)
    assert response.status_code == 400
    page = text_of(response)
    assert field_message in page
    assert 'class="field__error"' in page and "There is a problem" in page
    agenda = fresh_agenda(meeting.id)
    item = next(i for i in agenda.items if i.id == item.id)
    assert (item.title, item.duration_minutes, item.presenter_participant_id,
            item.presenter_person_id) == stored
    assert agenda.version_id == version_before

    # Adding with the same input adds nothing.
    count = len(agenda.items)
    add = dict(data, after="")
    response = post(client, f"/meetings/{meeting.id}/agenda/items", add)
    assert response.status_code == 400 and field_message in text_of(response)
    assert len(fresh_agenda(meeting.id).items) == count


def test_operations_refuse_bad_input_with_messages_by_field(demo):
    agenda = build(antwerp())
    item = ops.active_items(agenda)[0]
    with pytest.raises(InvalidInput) as error:
        ops.update_item(item, title="", duration_minutes=-1, presenter="person:abc")
    assert set(error.value.errors) == {"title", "duration_minutes", "presenter"}


def test_a_stale_form_gets_a_conflict_not_a_silent_overwrite(sign_in):
    meeting = antwerp()
    agenda = build(meeting)
    item = ops.active_items(agenda)[2]
    old_version = agenda.version_id
    client = sign_in(CHAIR_COALITION)
    # Someone else renames the item after the chair opened the form.
    ops.update_item(item, title="Approval of the Amsterdam minutes", duration_minutes=10,
                    presenter="", actor=person(SECRETARIAT))
    response = post(client, f"/meetings/{meeting.id}/agenda/items/{item.id}", {
        "version_id": old_version, "title": "Minutes", "duration_minutes": "5",
        "presenter": "", "notes": "",
    })
    assert response.status_code == 409
    page = text_of(response)
    assert "Someone else changed this agenda after you opened this form" in page
    assert "Saved in the meantime" in page and "Approval of the Amsterdam minutes" in page
    assert 'value="Minutes"' in page  # what the chair typed is kept for another try
    assert item_by_key(fresh_agenda(meeting.id), item.source_key).title == \
        "Approval of the Amsterdam minutes"

    # A move from the stale page is refused too, and the order stays.
    order = [i.id for i in ops.active_items(fresh_agenda(meeting.id))]
    response = post(client, f"/meetings/{meeting.id}/agenda/items/{item.id}/move",
                    {"direction": "up", "version_id": old_version}, follow_redirects=True)
    assert "Someone else changed this agenda" in text_of(response)
    assert [i.id for i in ops.active_items(fresh_agenda(meeting.id))] == order


def test_an_item_that_was_closed_after_the_build_is_pointed_out(sign_in):
    meeting = antwerp()
    build(meeting)
    action = db.session.scalar(select(ActionItem).where(
        ActionItem.title.startswith("Propose dates and a venue in Antwerp")))
    action.status = ActionItemStatus.DONE
    db.session.commit()
    page = text_of(sign_in(CHAIR_COALITION).get(draft_path(meeting)))
    assert page.count("No longer open") == 1  # that item only: the others are still open
    host = db.session.get(Participant, meeting.host_participant_id)
    assert f"Presenter: {host.name}" in page  # the welcome, presented by the host


# --- standing items -------------------------------------------------------------------


def standing_path() -> str:
    return f"/dialogues/{dialogue('coalition').id}/standing-items"


def test_secretariat_edits_the_standing_items_and_builds_use_them(sign_in):
    client = sign_in(SECRETARIAT)
    page = text_of(client.get(standing_path()))
    assert "Welcome by the host" in page and "Any other business" in page
    response = post(client, standing_path(), {
        "title": "Tour de table", "placement": "opening", "duration_minutes": "20",
        "presenter_role": "",
    })
    assert response.status_code == 303
    items = ops.standing_items(dialogue("coalition").id)
    tour = next(i for i in items if i.title == "Tour de table")
    welcome = next(i for i in items if i.title == "Welcome by the host")
    for path, data in [
        (f"{standing_path()}/{tour.id}/move", {"direction": "up"}),
        (f"{standing_path()}/{tour.id}", {"title": "Tour de table of the delegations",
                                          "placement": "opening", "duration_minutes": "25",
                                          "presenter_role": "chair"}),
        (f"{standing_path()}/{welcome.id}/remove", {}),
    ]:
        assert post(client, path, data).status_code == 303
    db.session.expire_all()  # the requests changed them in their own sessions

    titles = [i.title for _, i in numbered(build(antwerp()))]
    assert titles[:3] == ["Adoption of the agenda", "Tour de table of the delegations",
                          "Approval of the minutes of the previous meeting"]
    assert "Welcome by the host" not in titles


@pytest.mark.parametrize(
    ("data", "message"),
    [({"title": "", "placement": "opening"}, "Enter a title for the item."),
     ({"title": "X", "placement": "opening", "duration_minutes": "-1"}, "cannot be negative"),
     ({"title": "X", "placement": "middle"}, "opens or closes the meeting"),
     ({"title": "X", "placement": "closing", "presenter_role": "king"}, "from the list")],
)
def test_standing_item_bad_input(sign_in, data, message):
    client = sign_in(SECRETARIAT)
    count = len(ops.standing_items(dialogue("coalition").id))
    response = post(client, standing_path(), data)
    assert response.status_code == 400 and message in text_of(response)
    assert len(ops.standing_items(dialogue("coalition").id)) == count


def test_the_chair_reads_the_standing_items_but_only_the_secretariat_changes_them(sign_in):
    client = sign_in(CHAIR_COALITION)
    assert client.get(standing_path()).status_code == 200
    item = ops.standing_items(dialogue("coalition").id)[0]
    assert post(client, standing_path(), {"title": "X", "placement": "opening"}).status_code \
        == 403
    assert post(client, f"{standing_path()}/{item.id}/remove").status_code == 403
    assert client.get(f"/dialogues/{dialogue('uk-albania').id}/standing-items").status_code \
        == 404
    assert len(ops.standing_items(dialogue("coalition").id)) == 4


def test_demo_dialogues_come_with_the_usual_standing_items(demo):
    for slug in ("coalition", "uk-albania"):
        items = ops.standing_items(dialogue(slug).id)
        assert [(i.placement, i.title) for i in items] == [
            (p.value, t) for p, t, _m, _r in ops.DEFAULT_STANDING_ITEMS]


def test_draft_page_does_not_query_once_per_item(sign_in, app):
    from sqlalchemy import event

    meeting = antwerp()
    build(meeting)
    client = sign_in(CHAIR_COALITION)
    statements: list[str] = []

    def count(*_args):
        statements.append("q")

    def queries() -> int:
        statements.clear()
        ops.forget_outlines()  # the page reads the whole outline, as a worker that keeps none
        path = draft_path(meeting)
        event.listen(db.engine, "before_cursor_execute", count)
        try:
            assert client.get(path).status_code == 200
        finally:
            event.remove(db.engine, "before_cursor_execute", count)
        return len(statements)

    few = queries()
    chair = person(CHAIR_COALITION)
    for n in range(12):
        ops.add_item(fresh_agenda(meeting.id), title=f"Extra item {n}",
                     presenter=f"person:{chair.id}")
    assert queries() == few


def _review_rows(page: str) -> list[str]:
    """The numbers of the review's action items shown on a draft page, in order."""
    return re.findall(r'<td class="agenda__number">(\d+\.\d+)</td>', page)


def test_a_long_section_shows_its_items_a_run_at_a_time_all_numbered_and_timed(sign_in):
    """A first build for a busy dialogue puts thousands of action items under the review:
    the draft shows them a run at a time, and every item still counts for numbers and times."""
    meeting, today = antwerp(), date.today()
    _add_open_work(meeting, commitments=3, actions=60, today=today)
    agenda = build(meeting)
    client = sign_in(CHAIR_COALITION)
    slots = ops.schedule(meeting, ops.active_items(agenda)).slots
    review = [slot for slot in slots if slot.item.action_item_id]
    assert len(review) > 2 * ops.SHOWN_AT_ONCE
    major = review[0].number.split(".")[0]
    after_review = slots[slots.index(review[-1]) + 1]

    run = ops.SHOWN_AT_ONCE
    page = text_of(client.get(draft_path(meeting)))
    shown = [n for n in _review_rows(page) if n.startswith(major + ".")]
    assert shown == [slot.number for slot in review[:run]]
    assert (f"Items {review[run].number} to {review[-1].number} ({len(review) - run}) "
            "are not shown here.") in page
    # The item after the review is timed as if every item under it were shown.
    row = re.search(rf'id="item-{after_review.item.id}".*?agenda__time">([^<]+)<', page, re.S)
    assert row.group(1) == f"{after_review.starts:%H:%M}"  # a heading: no time box
    first_folded = review[run].item.id
    link = f"{draft_path(meeting)}?show={first_folded}#item-{first_folded}"
    assert f'href="{link}"' in page.replace("&amp;", "&")
    assert f"Show items {review[run].number} to {review[2 * run - 1].number}" in page

    # The next run, with what comes before it and after it folded.
    page = text_of(client.get(f"{draft_path(meeting)}?show={review[run + 5].item.id}"))
    assert [n for n in _review_rows(page) if n.startswith(major + ".")] == [
        slot.number for slot in review[run:2 * run]]
    assert (f"Items {review[0].number} to {review[run - 1].number} ({run}) "
            "are not shown here.") in page
    assert f"Items {review[2 * run].number} to {review[-1].number}" in page

    # Moving an item of a folded run comes back to that item, shown.
    mover = review[2 * ops.SHOWN_AT_ONCE + 5].item
    response = post(client, f"/meetings/{meeting.id}/agenda/items/{mover.id}/move",
                    {"direction": "up", "version_id": agenda.version_id})
    assert response.status_code == 303
    assert response.headers["Location"].endswith(f"show={mover.id}#item-{mover.id}")
    page = text_of(client.get(response.headers["Location"]))
    assert f'id="item-{mover.id}"' in page
    # Items can still go after any numbered item, or after any item shown.
    places = re.search(r'<select[^>]*name="after"[^>]*>(.*?)</select>', page, re.S).group(1)
    assert f'value="{mover.id}"' in places
    assert f'value="{review[0].item.id}"' not in places  # folded away on this page
    assert f'value="{after_review.item.id}"' in places
    # A form sent back with an error keeps the place the chair chose, shown or not.
    response = post(client, f"/meetings/{meeting.id}/agenda/items",
                    {"title": "", "after": str(review[-1].item.id),  # folded on the page
                     "version_id": fresh_agenda(meeting.id).version_id})
    assert response.status_code == 400
    places = re.search(r'<select[^>]*name="after"[^>]*>(.*?)</select>', text_of(response),
                       re.S).group(1)
    assert re.search(rf'<option selected value="{review[-1].item.id}">|'
                     rf'<option value="{review[-1].item.id}" selected>', places)


def test_the_draft_page_follows_the_meeting_when_it_moves(sign_in):
    """The draft's numbers and times are kept between requests: moving the meeting, or
    changing an item, must show at once."""
    meeting = antwerp()
    agenda = build(meeting)
    client = sign_in(CHAIR_COALITION)
    first = ops.active_items(agenda)[0]

    def first_time() -> str:
        page = text_of(client.get(draft_path(meeting)))
        return re.search(rf'id="item-{first.id}".*?agenda__time">(\d\d:\d\d)', page,
                         re.S).group(1)

    assert first_time() == f"{meeting.local_start:%H:%M}"
    meeting.starts_at += timedelta(hours=2)
    meeting.ends_at += timedelta(hours=2)
    db.session.commit()
    assert first_time() == f"{meeting.local_start:%H:%M}"
    post(client, f"/meetings/{meeting.id}/agenda/items/{first.id}",
         {"title": first.title, "duration_minutes": "50", "version_id": agenda.version_id})
    page = text_of(client.get(draft_path(meeting)))
    row = re.search(rf'id="item-{first.id}".*?agenda__time">([^<]+)<', page, re.S).group(1)
    assert row == f"{meeting.local_start:%H:%M}–{meeting.local_start + timedelta(minutes=50):%H:%M}"


def test_person_presenter_is_a_person_with_a_role_in_the_dialogue(demo):
    agenda = build(antwerp())
    item = ops.active_items(agenda)[0]
    europol = person("observer.europol@example.org")
    assert ops.update_item(item, title=item.title, duration_minutes=5,
                           presenter=f"person:{europol.id}")
    item = db.session.get(AgendaItem, item.id)
    assert ops.presenter_name(item) == europol.name
    europol.active = False
    db.session.commit()
    # Someone who can no longer sign in does not present.
    with pytest.raises(InvalidInput):
        ops.update_item(item, title=item.title, duration_minutes=5,
                        presenter=f"person:{europol.id}")


def test_two_saves_at_the_same_moment_do_not_overwrite_each_other(demo):
    """The page's version_id matched when the save began, but another save committed
    before this one: the database's version check refuses it (the lock's last line)."""
    from sqlalchemy import text

    meeting = antwerp()
    agenda = build(meeting)
    item = ops.active_items(agenda)[0]
    seen = agenda.version_id
    with db.engine.begin() as other:  # someone else's save, committed meanwhile
        other.execute(text("UPDATE agenda SET version_id = version_id + 1 WHERE id = :id"),
                      {"id": agenda.id})
    with pytest.raises(ops.AgendaConflict):
        ops.update_item(item, title="Mine", duration_minutes=5, presenter="",
                        expected_version=seen)
    assert item_by_key(fresh_agenda(meeting.id), item.source_key).title == "Welcome by the host"
