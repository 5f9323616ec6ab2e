"""A dialogue with hundreds of commitments: its page shows the first few of each theme and
links to the full list, which pages and filters by theme and status."""

from __future__ import annotations

import re
from html import unescape
from urllib.parse import parse_qs, urlsplit

import pytest
from sqlalchemy import func, select

from planner.commitments.operations import (
    FIRST_PER_THEME,
    GENERAL_THEME,
    PAGE_SIZE,
    CommitmentPage,
    first_by_theme,
)
from planner.extensions import db
from planner.models import (
    Commitment,
    Dialogue,
    DocumentSection,
    Membership,
    SourceDocument,
    Theme,
    commitment_lead,
)
from tests.conftest import DELEGATE_AL, OBSERVER_EUROPOL, SECRETARIAT, login

STATUSES = ("open", "in_progress", "met", "dropped")
MANY = 250  # in the first theme, beside the demo's own: more than a page of each status
UNTHEMED = 37


def coalition() -> Dialogue:
    return db.session.scalar(select(Dialogue).where(Dialogue.slug == "coalition"))


def themes_of(dialogue: Dialogue) -> list[Theme]:
    return list(db.session.scalars(
        select(Theme).where(Theme.dialogue_id == dialogue.id).order_by(Theme.position, Theme.id)
    ))


def add_commitments(dialogue: Dialogue, theme_id: int | None, count: int, prefix: str) -> None:
    """`count` commitments after the demo's own, in bulk; statuses in turn, one lead each."""
    section_id = db.session.scalar(
        select(DocumentSection.id).join(SourceDocument)
        .where(SourceDocument.dialogue_id == dialogue.id).limit(1)
    )
    members = db.session.scalars(
        select(Membership.participant_id).where(Membership.dialogue_id == dialogue.id)
    ).all()
    db.session.execute(Commitment.__table__.insert(), [
        dict(dialogue_id=dialogue.id, section_id=section_id, theme_id=theme_id,
             reference=f"{prefix}.{n}", position=1000 + n, title=f"{prefix} commitment {n:03}",
             quote=f"The participants will do {prefix} {n}.", status=STATUSES[n % 4])
        for n in range(count)
    ])
    ids = db.session.scalars(
        select(Commitment.id).where(Commitment.dialogue_id == dialogue.id,
                                    Commitment.reference.like(f"{prefix}.%"))
    ).all()
    db.session.execute(commitment_lead.insert(), [
        dict(commitment_id=c, participant_id=members[i % len(members)])
        for i, c in enumerate(ids)
    ])
    db.session.commit()


def count(*where) -> int:
    return db.session.scalar(select(func.count()).select_from(Commitment).where(*where))


@pytest.fixture
def big(demo):
    """The coalition with MANY more commitments in its first theme and UNTHEMED more
    without a theme: (dialogue, first theme, the first theme's total)."""
    dialogue = coalition()
    theme = themes_of(dialogue)[0]
    add_commitments(dialogue, theme.id, MANY, "Z")
    add_commitments(dialogue, None, UNTHEMED, "U")
    return dialogue, theme, count(Commitment.theme_id == theme.id)


def unthemed(dialogue: Dialogue) -> int:
    return count(Commitment.dialogue_id == dialogue.id, Commitment.theme_id.is_(None))


def tables(page: str) -> list[str]:
    return re.findall(r'<table class="commitments">.*?</table>', page, re.S)


def rows(table: str) -> list[str]:
    return re.findall(r"<tr>\s*<td>", table.split("<tbody>")[1])


def titles(page: str) -> list[str]:
    return re.findall(r'<a href="/commitments/\d+">([^<]+)</a>', page)


def pager_link(page: str, rel: str) -> dict[str, str] | None:
    """The query of the pager's previous or next link, or None without one."""
    found = re.search(rf'<a href="([^"]+)" rel="{rel}">', page)
    if found is None:
        return None
    href = urlsplit(unescape(found.group(1)))
    return {"path": href.path, **{k: v[0] for k, v in parse_qs(href.query).items()}}


def showing(page: str) -> str:
    return re.search(r"Showing ([^<]*?) commitments?", page).group(1)


# --- the dialogue page ---------------------------------------------------------------------


def test_big_dialogue_page_shows_the_first_of_each_theme_and_links_to_all(sign_in, big):
    dialogue, theme, total = big
    page = sign_in(SECRETARIAT).get(f"/dialogues/{dialogue.id}").get_data(as_text=True)
    for table in tables(page):
        assert len(rows(table)) <= FIRST_PER_THEME
    # The first theme: its first ones in document order (the demo's, then Z.0, Z.1 ...).
    shown = titles(page)
    assert "Z commitment 000" in shown and f"Z commitment {MANY - 1:03}" not in shown
    assert "U commitment 000" in shown and f"U commitment {UNTHEMED - 1:03}" not in shown
    assert (f'href="/dialogues/{dialogue.id}/commitments?theme={theme.id}">'
            f"All {total} commitments under {theme.label}</a>") in page
    assert (f'href="/dialogues/{dialogue.id}/commitments?theme=none">'
            f"All {unthemed(dialogue)} commitments under {GENERAL_THEME}</a>") in page
    assert f'href="/dialogues/{dialogue.id}/commitments">All ' in page
    # The progress figures still count every commitment.
    assert f"<td class=\"num\">{total}</td>" in page


def test_demo_dialogue_page_shows_every_commitment_and_no_list_link(sign_in):
    client = sign_in(OBSERVER_EUROPOL)
    dialogue = coalition()
    page = client.get(f"/dialogues/{dialogue.id}").get_data(as_text=True)
    expected = db.session.scalars(
        select(Commitment.title).where(Commitment.dialogue_id == dialogue.id)
    ).all()
    assert sorted(titles(page)) == sorted(expected)
    assert f"/dialogues/{dialogue.id}/commitments" not in page
    assert "The first " not in page


def test_first_by_theme_counts_every_commitment_of_each_theme(big):
    dialogue, theme, total = big
    groups = first_by_theme(dialogue.id, themes_of(dialogue), limit=3)
    by_label = {group.label: group for group in groups}
    assert by_label[theme.label].total == total and by_label[theme.label].is_cut
    assert len(by_label[theme.label].commitments) == 3
    assert by_label[GENERAL_THEME].total == unthemed(dialogue)
    assert groups[-1].label == GENERAL_THEME
    assert sum(g.total for g in groups) == count(Commitment.dialogue_id == dialogue.id)


# --- the list ------------------------------------------------------------------------------


def test_list_pages_through_a_theme_in_document_order(sign_in, big):
    dialogue, theme, total = big
    client = sign_in(SECRETARIAT)
    url = f"/dialogues/{dialogue.id}/commitments?theme={theme.id}"
    everything = db.session.scalars(
        select(Commitment.title).where(Commitment.theme_id == theme.id)
        .order_by(Commitment.position, Commitment.id)
    ).all()
    last_page = (total + PAGE_SIZE - 1) // PAGE_SIZE

    first = client.get(url).get_data(as_text=True)
    assert f"Commitments under {theme.label}" in first
    assert showing(first) == f"1–50 of {total}"
    assert titles(first) == everything[:50]
    path = f"/dialogues/{dialogue.id}/commitments"
    assert pager_link(first, "prev") is None
    assert pager_link(first, "next") == {"path": path, "page": "2", "theme": str(theme.id)}
    assert re.search(r'aria-current="page"><span class="visually-hidden">Page </span>1<', first)

    second = client.get(url + "&page=2").get_data(as_text=True)
    assert showing(second) == f"51–100 of {total}"
    assert titles(second) == everything[50:100]
    assert pager_link(second, "prev") == {"path": path, "page": "1", "theme": str(theme.id)}
    assert pager_link(second, "next") == {"path": path, "page": "3", "theme": str(theme.id)}

    last = client.get(url + f"&page={last_page}").get_data(as_text=True)
    assert showing(last) == f"{(last_page - 1) * 50 + 1}–{total} of {total}"
    assert titles(last) == everything[(last_page - 1) * 50:]
    assert pager_link(last, "next") is None


def test_list_filters_by_status_and_keeps_the_filters_in_its_links(sign_in, big):
    dialogue, theme, _total = big
    client = sign_in(SECRETARIAT)
    expected = db.session.scalars(
        select(Commitment.title)
        .where(Commitment.theme_id == theme.id, Commitment.status == "in_progress")
        .order_by(Commitment.position, Commitment.id)
    ).all()
    assert PAGE_SIZE < len(expected) < 2 * PAGE_SIZE  # two pages
    page = client.get(f"/dialogues/{dialogue.id}/commitments?theme={theme.id}"
                      "&status=in_progress&page=2").get_data(as_text=True)
    assert showing(page) == f"51–{len(expected)} of {len(expected)}"
    assert titles(page) == expected[50:]
    assert page.count("tag--in-progress") == len(expected) - 50
    assert pager_link(page, "prev") == {"path": f"/dialogues/{dialogue.id}/commitments",
                                        "page": "1", "status": "in_progress",
                                        "theme": str(theme.id)}
    assert pager_link(page, "next") is None
    assert '<option value="in_progress" selected>' in page


def test_list_without_a_theme_filter_shows_each_row_s_theme(sign_in, big):
    dialogue, theme, _total = big
    client = sign_in(SECRETARIAT)
    page = client.get(f"/dialogues/{dialogue.id}/commitments?theme=none").get_data(as_text=True)
    assert showing(page) == f"1–{unthemed(dialogue)} of {unthemed(dialogue)}"
    assert f"Commitments under {GENERAL_THEME}" in page
    assert '<th scope="col">Theme</th>' not in page
    everything = client.get(f"/dialogues/{dialogue.id}/commitments").get_data(as_text=True)
    assert '<th scope="col">Theme</th>' in everything
    assert f"<td>{theme.label}</td>" in everything


def test_list_says_when_nothing_matches(sign_in, demo):
    client = sign_in(SECRETARIAT)
    page = client.get(f"/dialogues/{coalition().id}/commitments?status=dropped")
    assert page.status_code == 200
    assert "No commitments match" in page.get_data(as_text=True)


@pytest.mark.parametrize("query, notice", [
    ("page=abc", "not a page number"),
    ("page=0", "not a page number"),
    ("page=-2", "not a page number"),
    ("page=²", "not a page number"),
    ("page=99999999999999999999", "not a page number"),
    ("page=400", "Page 400 is past the end: showing the last page"),
    ("page=02", None),
    ("status=closed", "Unknown status"),
    ("status=", None),
    ("theme=abc", "not one of this dialogue"),
    ("theme=other", "not one of this dialogue"),
    ("theme=999999", "not one of this dialogue"),
])
def test_bad_parameters_fall_back_with_a_word(sign_in, big, query, notice):
    dialogue, _theme, _total = big
    other = db.session.scalar(select(Theme.id).where(Theme.dialogue_id != dialogue.id).limit(1))
    response = sign_in(SECRETARIAT).get(
        f"/dialogues/{dialogue.id}/commitments?{query.replace('other', str(other))}"
    )
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    if notice:
        assert notice in page
    else:
        assert "notice--warning" not in page
    assert "Showing " in page


def test_list_is_for_those_who_see_the_dialogue(app, demo):
    path = f"/dialogues/{coalition().id}/commitments"
    assert app.test_client().get(path).status_code == 302  # to the sign-in page
    outsider, observer = app.test_client(), app.test_client()
    assert login(outsider, DELEGATE_AL).status_code == 302
    assert outsider.get(path).status_code == 404
    assert outsider.get("/dialogues/999999/commitments").status_code == 404
    assert login(observer, OBSERVER_EUROPOL).status_code == 302
    page = observer.get(path)
    assert page.status_code == 200
    assert 'aria-label="Breadcrumb"' in page.get_data(as_text=True)


@pytest.mark.parametrize("page, pages, expected", [
    (1, 1, [1]),
    (1, 4, [1, 2, 3, 4]),
    (1, 40, [1, 2, 3, None, 40]),
    (20, 40, [1, None, 18, 19, 20, 21, 22, None, 40]),
    (40, 40, [1, None, 38, 39, 40]),
    (4, 40, [1, 2, 3, 4, 5, 6, None, 40]),
])
def test_page_numbers_leave_out_the_far_pages(page, pages, expected):
    assert CommitmentPage([], 0, page, pages, PAGE_SIZE).page_numbers() == expected
