"""On PostgreSQL a poll is answered from memory while the server listens for changes:
and every change, made by this process or by another one, still reaches the next poll;
a revoked link stops working; a lost connection loses nothing."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator

import pytest
from sqlalchemy import Engine, create_engine, text

from planner.calendar import changes, feeds
from planner.extensions import db
from tests.calendar_support import dialogue, listening_for_feed_changes
from tests.test_calendar_revisions import feed  # noqa: F401 - a fixture used below
from tests.test_calendar_views import counted_queries


@pytest.fixture(autouse=True)
def postgresql_only(app) -> None:
    if db.engine.dialect.name != "postgresql":
        pytest.skip("LISTEN/NOTIFY is PostgreSQL's; on SQLite every poll reads its row")


def eventually(check: Callable[[], bool], seconds: float = 10.0) -> None:
    deadline = time.monotonic() + seconds
    while not check():
        assert time.monotonic() < deadline, "not within the time allowed"
        time.sleep(0.02)


@pytest.fixture
def elsewhere(migrated_url: str) -> Iterator[Engine]:
    """Another server process's connection: its commits reach this one by notification."""
    engine = create_engine(migrated_url)
    yield engine
    engine.dispose()


@pytest.fixture
def listening(feed, app):  # noqa: F811 - the fixture imported above
    """The feed, once this process listens and holds its row."""
    path, anonymous, etag = feed
    listening_for_feed_changes(anonymous, path)
    tag = etag()  # read, and now kept
    return path, anonymous, tag, feeds._polling()[1]


def poll(anonymous, path: str, tag: str):
    return anonymous.get(path, headers={"If-None-Match": tag})


def test_a_poll_is_answered_from_memory_without_a_query(listening):
    path, anonymous, tag, _links = listening
    with counted_queries() as seen:
        response = poll(anonymous, path, tag)
    assert response.status_code == 304 and response.headers["ETag"] == tag
    assert seen == []


def test_a_change_committed_by_another_process_reaches_the_next_poll(listening, elsewhere):
    path, anonymous, tag, _links = listening
    with elsewhere.begin() as connection:
        connection.execute(text("UPDATE meeting SET city = 'Rotterdam' WHERE dialogue_id = :d"),
                           {"d": dialogue("coalition").id})
    eventually(lambda: poll(anonymous, path, tag).status_code == 200, seconds=5)
    assert "Rotterdam" in poll(anonymous, path, tag).get_data(as_text=True)


def test_a_change_rolled_back_elsewhere_keeps_the_feed(listening, elsewhere):
    path, anonymous, tag, _links = listening
    with elsewhere.connect() as connection:
        connection.execute(text("UPDATE meeting SET city = 'Rotterdam' WHERE dialogue_id = :d"),
                           {"d": dialogue("coalition").id})
        connection.rollback()
    time.sleep(0.2)
    with counted_queries() as seen:
        assert poll(anonymous, path, tag).status_code == 304
    assert seen == []


def test_a_link_revoked_by_another_process_stops_working(listening, elsewhere):
    path, anonymous, tag, _links = listening
    with elsewhere.begin() as connection:
        connection.execute(text("UPDATE calendar_token SET revoked_at = now()"))
    eventually(lambda: poll(anonymous, path, tag).status_code == 404, seconds=5)


def test_a_change_made_by_this_process_is_seen_by_its_very_next_poll(listening):
    path, anonymous, tag, _links = listening
    db.session.execute(text("UPDATE meeting SET city = 'Delft' WHERE dialogue_id = :d"),
                       {"d": dialogue("coalition").id})
    db.session.commit()
    changed = poll(anonymous, path, tag)
    assert changed.status_code == 200 and "Delft" in changed.get_data(as_text=True)


def test_while_the_connection_is_lost_polls_read_the_database_and_miss_nothing(
        listening, elsewhere):
    path, anonymous, tag, links = listening
    with elsewhere.begin() as connection:
        ended = connection.execute(text(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
            "WHERE application_name = :name AND datname = current_database()"),
            {"name": changes.APPLICATION_NAME}).scalars().all()
    assert ended == [True]
    eventually(lambda: not links.listening)

    with elsewhere.begin() as connection:  # nobody hears this one
        connection.execute(text("UPDATE meeting SET city = 'Utrecht' WHERE dialogue_id = :d"),
                           {"d": dialogue("coalition").id})
    with counted_queries() as seen:
        changed = poll(anonymous, path, tag)
    assert changed.status_code == 200 and "Utrecht" in changed.get_data(as_text=True)
    assert seen, "answered from memory while nobody listened"

    eventually(lambda: links.listening)  # listening again, after a pause
    new_tag = changed.headers["ETag"].strip('"')
    poll(anonymous, path, new_tag)
    with counted_queries() as seen:
        assert poll(anonymous, path, new_tag).status_code == 304
    assert seen == []
