"""Search: commitments, minutes, decisions and action items, by full-text index (SQLite
FTS5 or PostgreSQL), showing only what the reader may see."""

from __future__ import annotations

from datetime import date

import pytest
from flask_migrate import downgrade, upgrade
from sqlalchemy import inspect, text

from planner import create_app
from planner.demo.loader import load_demo
from planner.extensions import db
from planner.minutes import operations as minutes_ops
from planner.models import ActionItem, Commitment, MinutesStatus
from planner.search.index import matches
from planner.search.operations import LIMIT, search, snippet
from tests.conftest import (
    CHAIR_COALITION,
    DELEGATE_AL,
    DELEGATE_NL,
    OBSERVER_EUROPOL,
    SECRETARIAT,
    app_config,
    login,
)
from tests.minutes_support import (
    amsterdam,
    dialogue,
    fresh_minutes,
    person,
    set_status,
    words,
)
from tests.test_migrations import scratch_url  # noqa: F401  (a fixture)

DECISION = "Work starts on the platform for the ports, airports and transport corridors."
SEARCH_REVISION = "5fbf44dfab2c"


def found(client, query: str, **params) -> str:
    """The results part of the search page, as read."""
    response = client.get("/search", query_string={"q": query, **params})
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    return words(page[page.rindex("</form>"):page.index("</main>")])


def test_a_word_from_a_decision_is_found_by_its_dialogue_only(sign_in, app):
    page = found(sign_in(DELEGATE_NL), "airports")
    assert "Decision at Coalition ministerial meeting, Amsterdam" in page
    assert "Work starts on the platform for the ports, airports and transport corridors." in page

    other = app.test_client()
    assert login(other, DELEGATE_AL).status_code == 302
    page = found(other, "airports")
    assert "Nothing found for “airports”" in page and "Work starts" not in page


def test_words_are_found_in_every_kind_of_paper(sign_in):
    client = sign_in(SECRETARIAT)
    assert "Commitment" in found(client, "taskforce Latin America")
    assert "Action item" in found(client, "outline")
    assert "Minutes of Coalition ministerial meeting, Amsterdam" in found(
        client, "Europol Eurojust")
    # Stemmed: "corridor" finds "corridors", "screen" finds "screening".
    assert DECISION in found(client, "corridor")
    assert "Screening of financial transactions" in found(client, "screen")


def test_filters_by_kind_and_dialogue(sign_in):
    client = sign_in(SECRETARIAT)
    page = found(client, "platform", kind="decision")
    assert "Decision at" in page and "Action item" not in page
    page = found(client, "platform", dialogue=dialogue("uk-albania").id)
    assert "Nothing found" in page


def test_draft_minutes_are_found_by_those_who_write_them_only(sign_in, app):
    set_status(amsterdam(), MinutesStatus.DRAFT)
    assert DECISION in found(sign_in(CHAIR_COALITION), "airports")
    for email in (DELEGATE_NL, OBSERVER_EUROPOL):
        reader = app.test_client()
        assert login(reader, email).status_code == 302
        page = found(reader, "airports")
        assert "Work starts" not in page
        assert "Share a first outline" not in found(reader, "outline")  # its actions too


def test_new_changed_and_removed_records_are_searched_as_they_are(demo):
    minutes = fresh_minutes(amsterdam().id)
    secretariat = person(SECRETARIAT)
    decision = minutes_ops.add_decision(
        minutes, values={"text": "Rotterdam hosts the first platform workshop."},
        expected_version=minutes.version_id, by=secretariat)
    assert [h.title for h in search(secretariat, "Rotterdam workshop").hits] == [
        "Decision at Coalition ministerial meeting, Amsterdam"]
    minutes_ops.update_decision(
        decision, values={"text": "Hamburg hosts the first platform workshop."}, base=None,
        expected_version=None, by=secretariat)
    assert not search(secretariat, "Rotterdam").hits
    assert search(secretariat, "Hamburg").hits
    minutes_ops.delete_decision(decision, base=None, expected_version=None, by=secretariat)
    assert not search(secretariat, "Hamburg").hits


def test_many_matches_show_the_best_fifty_of_every_kind_and_say_there_are_more(demo):
    secretariat = person(SECRETARIAT)
    # "platform" is in the demo's commitments, decision and action items: the best of
    # every kind, each shown as what it is and linked to its own record.
    mixed = search(secretariat, "platform").hits
    assert {h.kind_label for h in mixed} == {"Commitment", "Decision", "Action item"}
    for hit in mixed:
        if hit.kind_label == "Action item":
            assert hit.endpoint == "actions.show"
            assert db.session.get(ActionItem, hit.values["action_item_id"]).title == hit.title
        elif hit.kind_label == "Commitment":
            commitment = db.session.get(Commitment, hit.values["commitment_id"])
            assert hit.endpoint == "commitments.show"
            assert hit.title == f"{commitment.reference} {commitment.title}"
        else:
            assert hit.endpoint == "minutes.show" and hit.title.startswith("Decision at")
    minutes = fresh_minutes(amsterdam().id)
    for n in range(LIMIT + 5):
        minutes = fresh_minutes(minutes.meeting_id)
        minutes_ops.add_decision(
            minutes, values={"text": f"Rotterdam workshop {n} on the platform for the ports."},
            expected_version=minutes.version_id, by=secretariat)
    # Only the new decisions hold all three words: more than are shown.
    results = search(secretariat, "platform Rotterdam ports")
    assert len(results.hits) == LIMIT and results.more
    assert all(h.title == "Decision at Coalition ministerial meeting, Amsterdam"
               for h in results.hits)
    assert [h.score for h in results.hits] == sorted((h.score for h in results.hits),
                                                     reverse=True)
    # Narrowed to one kind, the other kinds' records show, each as what it is.
    hits = search(secretariat, "platform", kind="action_item").hits
    assert hits and {h.kind_label for h in hits} == {"Action item"}
    assert all(h.endpoint == "actions.show" for h in hits)


@pytest.mark.parametrize("query", [
    '"', 'airports"', "NEAR(airports ports)", "ports OR", "-airports", "air*", "(ports",
    "title:ports", "ports AND NOT", "'; DROP TABLE decision; --", "ü" * 300, "the of and",
])
def test_any_text_typed_is_a_search_never_an_error(sign_in, query):
    client = sign_in(SECRETARIAT)
    response = client.get("/search", query_string={"q": query})
    assert response.status_code in (200, 400)
    if len(query) > 200:
        assert "Search for at most 200 characters." in words(response)
    assert db.session.execute(text("SELECT count(*) FROM decision")).scalar() >= 3


def test_bad_filters_are_explained(sign_in):
    client = sign_in(DELEGATE_AL)
    response = client.get("/search", query_string={
        "q": "platform", "dialogue": dialogue("coalition").id, "kind": "everything"})
    assert response.status_code == 400
    page = words(response)
    assert "Choose one of your dialogues" in page and "Choose what to search" in page
    assert "Work starts" not in page


def test_the_snippet_marks_the_words_found_and_escapes_the_rest():
    marked = snippet("Ports <b>and</b> airports " + "x " * 200 + "corridors", ["airport"])
    assert "<mark>airports</mark>" in marked and "&lt;b&gt;" in marked
    assert marked.endswith("…")


def test_postgresql_uses_the_full_text_indexes(demo):
    if db.engine.dialect.name != "postgresql":
        pytest.skip("PostgreSQL only")
    with db.engine.connect() as connection:
        connection.execute(text("SET enable_seqscan = off"))
        query, score = matches("postgresql", "decision", ["airports"])
        compiled = query.add_columns(score).compile(
            dialect=connection.dialect, compile_kwargs={"literal_binds": True})
        plan = "\n".join(row[0] for row in connection.execute(text(f"EXPLAIN {compiled}")))
    assert "ix_search_decision" in plan


def test_the_search_migration_goes_down_and_up_with_the_data(scratch_url):  # noqa: F811
    app = create_app(app_config(scratch_url))
    with app.app_context():
        upgrade()
        load_demo(db.session, today=date.today(), password="x")
        downgrade(revision=f"{SEARCH_REVISION}-1")
        names = set(inspect(db.engine).get_table_names())
        assert "minutes_approval" not in names and "search_index" not in names
        if db.engine.dialect.name == "postgresql":
            indexes = {i["name"] for i in inspect(db.engine).get_indexes("decision")}
            assert "ix_search_decision" not in indexes
        upgrade()
        db.session.remove()
        # What was there before the index existed is found once it does.
        hits = search(person(SECRETARIAT), "airports").hits
        assert any(h.kind == "decision" for h in hits)
        db.session.remove()
        db.engine.dispose()
