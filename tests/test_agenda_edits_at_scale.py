"""Editing one item of a big draft touches that item and the few it passes, in as many
queries on a draft of thousands of items as on one of a few dozen; the kept outline,
the comparison with the circulated version and a secretariat's feed stay what a build
from nothing would give."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

from sqlalchemy import event, select

from planner.agendas import operations as ops
from planner.calendar import feeds, ics
from planner.calendar.operations import feed_meetings, new_feed_link
from planner.extensions import db
from planner.models import AgendaItem, Commitment, Meeting, Person, commitment_lead
from tests.api_support import api_as, meeting_in
from tests.conftest import CHAIR_COALITION, SECRETARIAT


def _items(meeting_id: int) -> dict[int, tuple]:
    """Every item of the draft as stored: id: (position, dismissed, title)."""
    db.session.expire_all()
    return {row.id: (row.position, row.dismissed, row.title) for row in db.session.execute(
        select(AgendaItem.id, AgendaItem.position, AgendaItem.dismissed, AgendaItem.title)
        .join(AgendaItem.agenda).where(AgendaItem.agenda.has(meeting_id=meeting_id)))}


def _written(meeting_id: int, change: Callable[[], object]) -> tuple[int, int]:
    """How many statements a change makes, and how many items it writes or adds."""
    before = _items(meeting_id)
    statements: list[str] = []

    def count(*_args) -> None:
        statements.append("q")

    event.listen(db.engine, "before_cursor_execute", count)
    try:
        change()
    finally:
        event.remove(db.engine, "before_cursor_execute", count)
    after = _items(meeting_id)
    return len(statements), sum(1 for ident, row in after.items() if before.get(ident) != row)


def _more_open_commitments(meeting: Meeting, count: int) -> None:
    first = db.session.scalar(select(Commitment).where(
        Commitment.dialogue_id == meeting.dialogue_id).limit(1))
    db.session.execute(Commitment.__table__.insert(), [
        dict(dialogue_id=meeting.dialogue_id, section_id=first.section_id,
             theme_id=first.theme_id, reference=f"S.{n}", position=2000 + n,
             title=f"Scale commitment {n}", quote="(test)", status="open")
        for n in range(count)])
    leads = db.session.execute(select(commitment_lead.c.participant_id).where(
        commitment_lead.c.commitment_id == first.id)).scalars().first()
    db.session.execute(commitment_lead.insert(), [
        dict(commitment_id=ident, participant_id=leads) for ident in db.session.scalars(
            select(Commitment.id).where(Commitment.reference.like("S.%")))])
    db.session.commit()


def test_one_item_edit_costs_the_same_on_a_draft_of_any_size(app, demo):
    chair = api_as(app, CHAIR_COALITION)
    meeting = meeting_in("Antwerp")
    meeting_id = meeting.id
    base = f"/api/v1/meetings/{meeting_id}/agenda"

    def edits() -> list[tuple[int, int]]:
        items = chair.post(f"{base}/build").get_json()["draft"]["items"]
        under = [item for item in items if item["kind"] == "commitment"]
        mover, removed, anchor = under[len(under) // 2], under[1], under[-2]

        def patch(ident: int, body: dict) -> Callable[[], None]:
            def send() -> None:
                answer = chair.patch(f"{base}/items/{ident}", json=body)
                assert answer.status_code == 200, answer.get_data(as_text=True)
            return send

        def add() -> None:
            answer = chair.post(f"{base}/items", json={"title": "Scale", "after": anchor["id"]})
            assert answer.status_code == 201, answer.get_data(as_text=True)

        found = []
        for warm in (False, True):  # a worker that keeps the outline, and one that does not
            if not warm:
                ops.forget_outlines()
            found.append(_written(meeting_id, patch(mover["id"], {"move": "up"})))
            found.append(_written(meeting_id, patch(mover["id"], {"move": "down"})))
            found.append(_written(meeting_id, patch(removed["id"], {"removed": True})))
            found.append(_written(meeting_id, patch(removed["id"], {"removed": False})))
            add()  # the first into a packed draft spreads it out once
            if not warm:
                ops.forget_outlines()
            found.append(_written(meeting_id, add))
        return found

    few = edits()
    _more_open_commitments(meeting_in("Antwerp"), 1500)
    many = edits()
    assert len(_items(meeting_id)) > 1500
    # Moves and removals: the same statements, two items swapped or one written.
    moves_and_removals = [n for n in range(10) if n % 5 != 4]
    assert [many[n] for n in moves_and_removals] == [few[n] for n in moves_and_removals]
    assert [many[n][1] for n in moves_and_removals] == [2, 2, 1, 1] * 2
    # An addition: the new item, and at most a short run of items around it spaced out
    # (in one statement, or none when there is room).
    for statements, rows in (many[4], many[9]):
        assert statements <= max(few[4][0], few[9][0])
        assert 1 <= rows <= 2 * ops.WIDEST + 1


def test_adding_item_after_item_at_one_place_rewrites_few_rows(app, demo):
    """A chair adds 150 items one after another right after the same item of a draft of
    1,500: each lands right after it, and no addition rewrites more than a short run."""
    meeting = meeting_in("Antwerp")
    _more_open_commitments(meeting, 1500)
    agenda = ops.build_agenda(meeting_in("Antwerp")).agenda
    anchor = [row for row in ops.outline(agenda.id) if ops.is_sub_item(row)][700]
    ops.add_item(ops.agenda_of(meeting.id), title="First", after=anchor.id)  # spreads it
    written, added = [], []
    for n in range(150):
        def add(n: int = n) -> None:
            added.append(ops.add_item(ops.agenda_of(meeting.id), title=f"Added {n}",
                                      after=anchor.id).id)
        written.append(_written(meeting.id, add)[1])
    order = [row.id for row in ops.outline(agenda.id)]
    at = order.index(anchor.id)
    assert order[at + 1:at + 151] == added[::-1]  # the last added right after the anchor
    assert max(written) <= 2 * ops.WIDEST + 1
    # Mostly one row (the new item): a run is spaced out every few additions only.
    assert sum(written) < 150 * 4, written


def test_the_kept_outline_is_the_stored_one_after_every_edit(app, demo):
    meeting = meeting_in("Antwerp")
    agenda = ops.build_agenda(meeting).agenda
    items = [row for row in ops.outline(agenda.id) if not row.dismissed]
    heads = [row for row in items if not ops.is_sub_item(row)]
    under = [row for row in items if ops.is_sub_item(row)]

    def check() -> None:
        db.session.expire_all()
        draft = ops.agenda_of(meeting.id)
        kept, plan = ops.draft_outline(draft)
        assert kept == ops.outline(draft.id)
        assert [slot.number for slot in plan.slots] == [
            slot.number for slot in ops.schedule(draft.meeting, ops.active_items(
                ops.load_agenda(meeting.id))).slots]

    def item(ident: int) -> AgendaItem:
        db.session.expire_all()
        return db.session.get(AgendaItem, ident)

    ops.draft_outline(ops.agenda_of(meeting.id))  # kept, as after a page view
    started: list[int] = []
    steps = [
        lambda: ops.move_item(item(under[2].id), "up"),
        lambda: ops.move_item(item(heads[2].id), "down"),   # a section with its items
        lambda: ops.remove_item(item(under[3].id)),
        lambda: ops.move_item(item(under[4].id), "up"),     # past the removed one
        lambda: ops.add_item(ops.agenda_of(meeting.id), title="New one", after=under[4].id,
                             duration_minutes=7),
        lambda: started.append(ops.add_item(ops.agenda_of(meeting.id), title="At the start",
                                            after="start").id),
        # Room after it: placed halfway, in SQL.
        lambda: ops.add_item(ops.agenda_of(meeting.id), title="Second", after=started[0]),
        lambda: ops.restore_item(item(under[3].id)),
        lambda: ops.update_item(item(under[5].id), title="Renamed", duration_minutes=25,
                                presenter=""),
        lambda: ops.move_item(item(heads[1].id), "up"),
    ]
    for step in steps:
        step()
        check()


def test_the_comparison_with_the_circulated_version_follows_each_edit(app, demo):
    meeting = meeting_in("Antwerp")
    agenda = ops.build_agenda(meeting).agenda
    chair = db.session.scalar(select(Person).where(Person.email == CHAIR_COALITION))
    ops.circulate_agenda(ops.load_agenda(meeting.id), actor=chair)
    under = [row for row in ops.outline(agenda.id) if ops.is_sub_item(row)]

    def compared() -> tuple[list[str], list[str]]:
        db.session.expire_all()
        draft = ops.agenda_of(meeting.id)
        latest = ops.versions_of(draft.id)[-1]
        full = ops.load_agenda(meeting.id)
        reference = ops.freeze(full.meeting, ops.schedule(full.meeting, ops.active_items(full)),
                               number=0, circulated_at=latest.circulated_at, circulated_by=None)
        expected = [c.summary for c in ops.compare_versions(latest.content, reference)]
        return [c.summary for c in ops.changes_since_circulated(draft, latest)], expected

    assert compared() == ([], [])
    ops.update_item(db.session.get(AgendaItem, under[1].id), title="A new title",
                    duration_minutes=30, presenter="")
    got, expected = compared()
    assert got == expected and any(line.startswith("Renamed") for line in got)
    ops.move_item(db.session.get(AgendaItem, under[0].id), "down")
    ops.remove_item(db.session.get(AgendaItem, under[2].id))
    got, expected = compared()
    assert got == expected and any(line.startswith("Removed") for line in got)
    assert compared()[0] == got  # asked again: the same answer, kept


def test_a_secretariat_feed_after_a_change_is_the_feed_built_from_nothing(app, demo):
    secretariat = db.session.scalar(select(Person).where(Person.email == SECRETARIAT))
    token = new_feed_link(secretariat)
    db.session.commit()
    client = app.test_client()
    url = f"/calendar/{token}.ics"
    before = client.get(url)
    assert before.status_code == 200
    meeting = db.session.scalar(select(Meeting).order_by(Meeting.starts_at.desc()).limit(1))
    meeting.venue = "Another conference room"
    db.session.commit()

    after = client.get(url, headers={"If-None-Match": before.headers["ETag"]})
    assert after.status_code == 200 and after.headers["ETag"] != before.headers["ETag"]
    assert b"Another conference room" in after.data
    feeds.forget_all()
    ics.forget_events()
    assert client.get(url).data == after.data  # from nothing, in the same process
    with app.test_request_context(url):
        reader = db.session.get(Person, secretariat.id)
        from_meetings = ics.feed(feed_meetings(reader), name="Dialogue Planner: my meetings",
                                 description="Meetings of your dialogues, from Dialogue "
                                             "Planner", empty_since=reader.created_at, tag="x")
    assert from_meetings.body == after.data
    assert after.data.count(b"BEGIN:VEVENT") == db.session.scalar(
        select(db.func.count()).select_from(Meeting)) > 0
    # Unchanged, it is still answered 304.
    again = client.get(url, headers={"If-None-Match": after.headers["ETag"]})
    assert again.status_code == 304
    assert date.today()  # the demo places meetings relative to today
