"""The commitment tracker: a commitment's timeline across meetings, and the dialogue
page's progress by theme (an SVG chart and the same figures as a table)."""

from __future__ import annotations

import re
from collections import Counter

from sqlalchemy import select

from planner.agendas import operations as agendas
from planner.extensions import db
from planner.minutes import operations as minutes_ops
from planner.models import Commitment, MinutesStatus
from tests.conftest import CHAIR_COALITION, DELEGATE_AL, DELEGATE_NL, SECRETARIAT, login
from tests.minutes_support import (
    amsterdam,
    antwerp,
    commitment,
    dialogue,
    fresh_minutes,
    person,
    set_status,
    text_of,
    words,
)


def test_the_timeline_shows_the_decision_the_move_and_the_action(sign_in):
    platform = commitment("¶5.1")
    page = words(sign_in(DELEGATE_NL).get(f"/commitments/{platform.id}"))
    assert "Coalition ministerial meeting, Amsterdam" in page
    assert "Work starts on the platform for the ports, airports and transport corridors." in page
    assert "Open → in progress" in page
    assert "Share a first outline of the platform for the ports and logistics hubs" in page
    # In order: the meeting, then what it decided, then the move, then the action.
    assert page.index("Decision Work starts") < page.index("Status Open → in progress") \
        < page.index("Action item Share a first outline")


def test_the_dialogue_page_links_each_commitment_to_its_page(sign_in):
    client = sign_in(DELEGATE_NL)
    coalition = dialogue("coalition")
    page = text_of(client.get(f"/dialogues/{coalition.id}"))
    for item in db.session.scalars(select(Commitment).where(
            Commitment.dialogue_id == coalition.id)):
        assert f'href="/commitments/{item.id}"' in page


def test_another_dialogues_delegate_cannot_open_a_commitment(sign_in):
    client = sign_in(DELEGATE_AL)
    assert client.get(f"/commitments/{commitment('¶5.1').id}").status_code == 404
    assert client.get("/commitments/999999").status_code == 404


def test_a_draft_agenda_and_draft_minutes_show_only_to_those_who_write_them(sign_in, app):
    platform = commitment("¶5.1")
    agendas.build_agenda(antwerp())
    set_status(amsterdam(), MinutesStatus.DRAFT)
    page = words(sign_in(CHAIR_COALITION).get(f"/commitments/{platform.id}"))
    assert "Coalition ministerial meeting, Antwerp" in page
    assert "draft agenda, not yet circulated" in page
    assert "Work starts on the platform" in page

    other = app.test_client()  # the delegate, in a browser of their own
    assert login(other, DELEGATE_NL).status_code == 302
    page = words(other.get(f"/commitments/{platform.id}"))
    assert "Antwerp" not in page and "Work starts on the platform" not in page
    # The status is public (the dialogue page shows it), the draft's words are not.
    assert "Open → in progress" in page and "Decided at the Amsterdam meeting" not in page

    agendas.circulate_agenda(agendas.load_agenda(antwerp().id), actor=person(SECRETARIAT))
    page = words(other.get(f"/commitments/{platform.id}"))
    assert "Coalition ministerial meeting, Antwerp" in page and "draft agenda" not in page


def _figures(page: str) -> dict[str, list[int]]:
    """The progress table: theme -> [met, in progress, open, dropped, total]."""
    table = page[page.index('class="progress-table"'):]
    table = table[:table.index("</table>")]
    rows = {}
    for row in re.findall(r"<tr><th scope=\"row\">(.*?)</th>(.*?)</tr>", table, re.S):
        cells = re.findall(r'<td class="num">(\d+)%?</td>', row[1])
        rows[row[0]] = [int(c) for c in cells[:5]]
    return rows


def test_progress_by_theme_as_a_chart_and_a_table_with_the_same_figures(sign_in):
    coalition = dialogue("coalition")
    client = sign_in(DELEGATE_NL)
    page = text_of(client.get(f"/dialogues/{coalition.id}"))
    assert '<svg class="progress-chart__svg"' in page and 'role="img"' in page
    figures = _figures(page)
    statuses = Counter(
        (c.theme.label if c.theme else "General and delivery", c.status)
        for c in db.session.scalars(select(Commitment).where(
            Commitment.dialogue_id == coalition.id))
    )
    for theme, row in figures.items():
        if theme == "All themes":
            continue
        expected = [statuses[(theme, s)] for s in ("met", "in_progress", "open", "dropped")]
        assert row[:4] == expected and row[4] == sum(expected), theme
    # The chart draws one bar segment per non-zero figure, titled with it.
    assert page.count("<title>Ports and logistics hubs: 1 in progress</title>") == 1

    # A decision meets the platform commitment: chart and table follow.
    minutes = fresh_minutes(amsterdam().id)
    minutes_ops.add_decision(minutes, values={
        "text": "The platform is in place.", "commitment": str(commitment("¶5.1").id),
        "commitment_status": "met"}, expected_version=minutes.version_id,
        by=person(SECRETARIAT))
    page = text_of(client.get(f"/dialogues/{coalition.id}"))
    assert _figures(page)["Ports and logistics hubs"][:2] == [1, 0]
    assert "<title>Ports and logistics hubs: 1 met</title>" in page
    assert "style=" not in page[page.index("progress-chart"):page.index("</table>")]
