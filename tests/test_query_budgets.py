"""Query budgets: each page, feed and API list makes as many queries with many rows as
with few. Counted on the demo, then again after a bulk load of meetings, commitments and
action items into the same dialogues; any N+1 shows as a count that grew."""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import event, select

from planner.api.operations import create_token
from planner.calendar.operations import new_feed_link
from planner.extensions import db
from planner.models import (
    ActionItem,
    Commitment,
    Dialogue,
    DocumentSection,
    Meeting,
    MeetingStatus,
    Membership,
    Person,
    SourceDocument,
    commitment_lead,
)
from tests.calendar_support import listening_for_feed_changes
from tests.conftest import CHAIR_COALITION, SECRETARIAT, login

EXTRA_MEETINGS, EXTRA_COMMITMENTS, EXTRA_ACTIONS = 30, 60, 150


class QueryCounter:
    def __init__(self) -> None:
        self.statements: list[str] = []

    def __call__(self, _conn, _cursor, statement, *_args) -> None:
        self.statements.append(statement)

    @property
    def count(self) -> int:
        return len(self.statements)


@pytest.fixture
def count_queries(app):
    """count_queries() as a context manager: the statements run inside it."""

    @contextmanager
    def counting() -> Iterator[QueryCounter]:
        counter = QueryCounter()
        event.listen(db.engine, "before_cursor_execute", counter)
        try:
            yield counter
        finally:
            event.remove(db.engine, "before_cursor_execute", counter)

    return counting


def grow(dialogue: Dialogue) -> None:
    """Many more rows in the dialogue, inserted in bulk."""
    members = db.session.scalars(
        select(Membership.participant_id).where(Membership.dialogue_id == dialogue.id)
    ).all()
    section_id = db.session.scalar(
        select(DocumentSection.id).join(SourceDocument)
        .where(SourceDocument.dialogue_id == dialogue.id).limit(1)
    )
    start = datetime(2015, 3, 2, 9, tzinfo=UTC)
    meetings = [
        dict(dialogue_id=dialogue.id, uid=f"budget-{dialogue.id}-{n}@test", title=f"Extra {n}",
             status=MeetingStatus.HELD.value, starts_at=start + timedelta(days=60 * n),
             ends_at=start + timedelta(days=60 * n, hours=8), timezone="Europe/London",
             host_participant_id=members[n % len(members)])
        for n in range(EXTRA_MEETINGS)
    ]
    db.session.execute(Meeting.__table__.insert(), meetings)
    meeting_ids = db.session.scalars(
        select(Meeting.id).where(Meeting.uid.like(f"budget-{dialogue.id}-%"))
    ).all()
    commitments = [
        dict(dialogue_id=dialogue.id, section_id=section_id, reference=f"X.{n}", position=500 + n,
             title=f"Extra commitment {n}", quote="The participants will do more.",
             status="open")
        for n in range(EXTRA_COMMITMENTS)
    ]
    db.session.execute(Commitment.__table__.insert(), commitments)
    commitment_ids = db.session.scalars(
        select(Commitment.id).where(Commitment.dialogue_id == dialogue.id,
                                    Commitment.reference.like("X.%"))
    ).all()
    db.session.execute(commitment_lead.insert(), [
        dict(commitment_id=c, participant_id=members[i % len(members)])
        for i, c in enumerate(commitment_ids)
    ])
    db.session.execute(ActionItem.__table__.insert(), [
        dict(dialogue_id=dialogue.id, meeting_id=meeting_ids[n % len(meeting_ids)],
             commitment_id=commitment_ids[n % len(commitment_ids)],
             owner_participant_id=members[n % len(members)], title=f"Extra action {n}",
             status="open" if n % 2 else "done", due_on=date(2020, 1, 1) + timedelta(days=n))
        for n in range(EXTRA_ACTIONS)
    ])
    db.session.commit()


def urls(dialogue: Dialogue, meeting: Meeting, feed: str) -> dict[str, str]:
    return {
        "dashboard": "/",
        "dialogues": "/dialogues",
        "dialogue": f"/dialogues/{dialogue.id}",
        "commitments": f"/dialogues/{dialogue.id}/commitments",
        "commitments, filtered": f"/dialogues/{dialogue.id}/commitments?theme=none&status=open",
        "meeting": f"/meetings/{meeting.id}",
        "agenda": f"/meetings/{meeting.id}/agenda",
        "dialogue .ics": f"/dialogues/{dialogue.id}/calendar.ics",
        "feed": f"/calendar/{feed}.ics",
        "API dialogues": "/api/v1/dialogues",
        "API commitments": f"/api/v1/dialogues/{dialogue.id}/commitments",
        "API meetings": f"/api/v1/dialogues/{dialogue.id}/meetings",
        "API action items": "/api/v1/action-items",
        "API participants": "/api/v1/participants",
    }


@pytest.mark.parametrize("email", [SECRETARIAT, CHAIR_COALITION])
def test_queries_do_not_grow_with_rows(app, client, demo, count_queries, email):
    person = db.session.scalar(select(Person).where(Person.email == email))
    feed = new_feed_link(person)
    _token, secret = create_token(person, name="budgets", by=None)
    db.session.commit()
    assert login(client, email).status_code == 302
    dialogue = db.session.scalars(
        select(Dialogue).join(Meeting).where(Meeting.status == MeetingStatus.HELD)
    ).first()
    meeting = db.session.scalars(
        select(Meeting).where(Meeting.dialogue_id == dialogue.id,
                              Meeting.status == MeetingStatus.HELD)
    ).first()
    api = {"Authorization": f"Bearer {secret}"}
    listening_for_feed_changes(client, f"/calendar/{feed}.ics")

    def counts() -> dict[str, int]:
        found = {}
        for name, url in urls(dialogue, meeting, feed).items():
            headers = api if url.startswith("/api/") else {}
            client.get(url, headers=headers)  # warm: first-use caches are not the budget
            with count_queries() as counter:
                response = client.get(url, headers=headers)
            assert response.status_code == 200, (name, response.status_code)
            found[name] = counter.count
        return found

    small = counts()
    grow(dialogue)
    large = counts()
    assert large == small, {k: (small[k], large[k]) for k in small if small[k] != large[k]}


def test_writes_exports_search_and_feeds_do_not_grow_with_rows(app, client, demo,
                                                               count_queries):
    """The rows the bench measures beyond the reads: edits of one agenda item, a minutes
    save, an action item closed, the draft page against its circulated version, the
    circulated version's exports, a search, and a secretariat's feed after a change to
    one meeting and answered 304. Counted, then counted again after the dialogue grew
    and its agenda was built again with all that is new."""
    from tests.api_support import meeting_in
    from tests.test_api_minutes import writable

    person = db.session.scalar(select(Person).where(Person.email == SECRETARIAT))
    feed = f"/calendar/{new_feed_link(person)}.ics"
    _token, secret = create_token(person, name="budgets", by=None)
    db.session.commit()
    assert login(client, SECRETARIAT).status_code == 302
    api = {"Authorization": f"Bearer {secret}"}
    upcoming, minuted = meeting_in("Antwerp"), meeting_in("Amsterdam")
    dialogue = upcoming.dialogue
    action = db.session.scalar(select(ActionItem.id).where(
        ActionItem.dialogue_id == dialogue.id, ActionItem.status == "open").limit(1))
    agenda = f"/api/v1/meetings/{upcoming.id}/agenda"
    minutes = f"/api/v1/meetings/{minuted.id}/minutes"
    closing = f"/api/v1/action-items/{action}"
    listening_for_feed_changes(client, feed)

    def call(method: str, url: str, body: dict | None = None, headers: dict | None = None,
             expected: int = 200):
        answer = client.open(url, method=method, json=body,
                             headers={**(api if url.startswith("/api/") else {}),
                                      **(headers or {})})
        assert answer.status_code == expected, (url, answer.get_data(as_text=True)[:300])
        return answer

    read: dict = {}

    def save_minutes(n: int) -> None:
        """A save, with the ETag of the one before (read once)."""
        if not read:
            answer = call("GET", minutes)
            read.update(body=writable(answer.get_json()), tag=answer.headers["ETag"])
        answer = call("PUT", minutes, read["body"] | {"summary": f"Save {n}"},
                      {"If-Match": read["tag"]})
        read["tag"] = answer.headers["ETag"]

    changes = itertools.count()

    def move_a_meeting(n: int) -> None:
        moved = db.session.scalars(select(Meeting).where(Meeting.dialogue_id == dialogue.id)
                                   .order_by(Meeting.starts_at.desc())).first()
        moved.venue = f"Room {n}"
        db.session.commit()

    def close():
        return call("PATCH", closing, {"status": "done", "outcome": "Done."})

    def reopen():
        return call("PATCH", closing, {"status": "open", "reason": "Reopened to count again."})

    def counts() -> dict[str, int]:
        items = call("POST", f"{agenda}/build").get_json()["draft"]["items"]
        number = call("POST", f"{agenda}/circulate", {}, expected=201).get_json()["number"]
        under = [item for item in items if item["kind"] == "commitment" and not item["removed"]]
        mover, removed, anchor = under[len(under) // 2], under[1], under[-2]
        item = f"{agenda}/items"
        draft = f"/meetings/{upcoming.id}/agenda"
        # name: (warm-up, then the counted request); first uses fill caches: not the budget
        steps = {
            "agenda item move": (lambda: call("PATCH", f"{item}/{mover['id']}", {"move": "down"}),
                                 lambda: call("PATCH", f"{item}/{mover['id']}", {"move": "up"})),
            "agenda item remove": (
                lambda: call("PATCH", f"{item}/{removed['id']}", {"removed": True}),
                lambda: call("PATCH", f"{item}/{removed['id']}", {"removed": False})),
            "agenda item add": (
                lambda: call("POST", item, {"title": "Budget", "after": anchor["id"]},
                             expected=201),
                lambda: call("POST", item, {"title": "Budget", "after": anchor["id"]},
                             expected=201)),
            "circulated draft page": (lambda: call("GET", f"{draft}/draft"),
                                      lambda: call("GET", f"{draft}/draft")),
            "minutes save": (lambda: (read.clear(), save_minutes(0)), lambda: save_minutes(1)),
            "action item close": (lambda: (close(), reopen()), close),
            "search": (lambda: call("GET", "/search?q=commitment"),
                       lambda: call("GET", "/search?q=commitment")),
            ".docx export": (lambda: call("GET", f"{draft}/v{number}.docx"),
                             lambda: call("GET", f"{draft}/v{number}.docx")),
            ".pdf export": (lambda: call("GET", f"{draft}/v{number}.pdf"),
                            lambda: call("GET", f"{draft}/v{number}.pdf")),
            "secretariat feed after a change": (
                lambda: (call("GET", feed), move_a_meeting(next(changes))),
                lambda: call("GET", feed)),
        }
        found = {}
        for name, (warm, counted) in steps.items():
            warm()
            with count_queries() as counter:
                counted()
            found[name] = counter.count
        tag = call("GET", feed).headers["ETag"]
        with count_queries() as counter:
            call("GET", feed, headers={"If-None-Match": tag}, expected=304)
        found["secretariat feed, 304"] = counter.count
        reopen()  # closed above: the next round closes it again
        return found

    small = counts()
    grow(dialogue)
    large = counts()
    assert large == small, {k: (small[k], large[k]) for k in small if small[k] != large[k]}
