"""Every main page in a real browser: no serious or critical accessibility violation
(axe-core, WCAG 2.2 A and AA), usable at 375 px wide, a screenshot of each for people to
look at; the agenda reordered by keyboard alone; the circulated agenda as printed."""

from __future__ import annotations

import io
import re
from dataclasses import dataclass

import pytest
from playwright.sync_api import Page, expect

from tests.e2e.conftest import (
    AMSTERDAM,
    ANTWERP,
    AXE,
    CHAIR_COALITION,
    COALITION,
    DELEGATE_AL,
    SCREENSHOTS,
    SECRETARIAT,
    open_context,
    serving,
    sign_in,
)

NARROW = {"width": 375, "height": 812}
WIDE = {"width": 1280, "height": 900}
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa", "best-practice"]
FAILING_IMPACTS = {"serious", "critical"}


@dataclass(frozen=True)
class MainPage:
    name: str
    path: str  # with {antwerp}, {amsterdam}, {coalition} for the demo's records
    heading: str
    person: str | None = SECRETARIAT


MAIN_PAGES = [
    MainPage("login", "/login", "Sign in", person=None),
    MainPage("dashboard", "/", "Dashboard"),
    MainPage("dialogues", "/dialogues", "Dialogues"),
    MainPage("dialogue", "/dialogues/{coalition}", COALITION),
    MainPage("dialogue-commitments", "/dialogues/{coalition}/commitments?status=open",
             "Commitments"),
    MainPage("meeting", "/meetings/{antwerp}", ANTWERP),
    MainPage("meeting-delegate", "/meetings/{uk_albania}",
             "UK–Albania Senior Officials' Dialogue", person=DELEGATE_AL),
    MainPage("series", "/dialogues/{coalition}/series", "Meeting series"),
    MainPage("proposals", "/dialogues/{coalition}/proposals?meeting={antwerp}",
             "Dates that suit every member"),
    MainPage("agenda-draft", "/meetings/{antwerp}/agenda/draft", "Draft agenda"),
    MainPage("agenda-circulated", "/meetings/{antwerp}/agenda/v1", f"Agenda {ANTWERP}"),
    MainPage("minutes", "/meetings/{amsterdam}/minutes", "Minutes"),
    MainPage("action-items", "/actions", "Action items"),
    MainPage("search", "/search?q=platform", "Search"),
    MainPage("account", "/account", "My account"),
    MainPage("calendar-feed", "/account/calendar", "Your calendar feed"),
    MainPage("people", "/people", "People"),
    MainPage("documents", "/dialogues/{coalition}/documents", "Founding documents"),
    MainPage("document-new", "/dialogues/{coalition}/documents/new",
             "Add a founding document"),
    MainPage("audit-log", "/audit", "Audit log"),
    MainPage("background-work", "/jobs", "Background work"),
    MainPage("answers", "/answers", "Answers by e-mail"),
]
PAGES = {main.name: main for main in MAIN_PAGES}


def meeting_id(page: Page, title: str | re.Pattern) -> str:
    href = page.get_by_role("link", name=title, exact=True).first.get_attribute("href")
    return re.search(r"/meetings/(\d+)", href).group(1)


@pytest.fixture(scope="module")
def site(browser, demo_databases):
    """One server for the page checks, with an agenda circulated (v1) and changed since."""
    with serving(demo_databases, "pages") as server:
        context = open_context(browser, server.url)
        try:
            chair = context.new_page()
            sign_in(chair, CHAIR_COALITION)
            chair.get_by_role("link", name=ANTWERP).first.click()
            chair.get_by_role("button", name="Build the draft agenda").click()
            expect(chair.get_by_role("status")).to_contain_text("The draft agenda is built")
            draft = chair.url
            chair.get_by_role("button", name="Circulate version 1").click()
            expect(chair.get_by_role("status")).to_contain_text("Agenda v1 is circulated")
            chair.goto(draft)
            chair.get_by_label("Title").fill("Europol threat assessment")
            chair.get_by_label("Time box in minutes").fill("20")
            chair.get_by_role("button", name="Add the item").click()
            expect(chair.get_by_role("status")).to_contain_text("Item added")
            chair.goto("/dialogues")
            chair.get_by_role("link", name=COALITION).click()
            expect(chair.get_by_role("heading", level=1)).to_have_text(COALITION)
            ids = {
                "coalition": re.search(r"/dialogues/(\d+)", chair.url).group(1),
                "antwerp": meeting_id(chair, ANTWERP),
                "amsterdam": meeting_id(chair, AMSTERDAM),
            }
            delegate = context.browser.new_context(base_url=server.url)
            try:
                page = delegate.new_page()
                sign_in(page, DELEGATE_AL)
                ids["uk_albania"] = meeting_id(page, re.compile("^UK–Albania Senior"))
            finally:
                delegate.close()
        finally:
            context.close()
        yield server, ids


@pytest.fixture(scope="module")
def signed_in(browser, site):
    """signed_in(person, viewport, bypass_csp=False) -> a page, in a browser context
    kept for the module (one sign-in per person and viewport)."""
    server, _ = site
    pages = {}

    def _page(person: str | None, viewport: dict, bypass_csp: bool = False) -> Page:
        key = (person, viewport["width"], bypass_csp)
        if key not in pages:
            context = open_context(browser, server.url, viewport=viewport, bypass_csp=bypass_csp)
            pages[key] = context.new_page()
            if person:
                sign_in(pages[key], person)
        return pages[key]

    yield _page
    for page in pages.values():
        page.context.close()


def open_main_page(page: Page, main: MainPage, ids: dict) -> None:
    response = page.goto(main.path.format(**ids))
    assert response.status == 200, main.path
    expect(page.get_by_role("heading", level=1)).to_contain_text(main.heading)


def axe_violations(page: Page, report_name: str) -> list[str]:
    """The serious and critical violations axe-core finds on the page. Every violation,
    whatever its impact, goes to tests/screenshots/axe/<report_name>.txt for people."""
    if not AXE.exists():
        pytest.skip(f"{AXE} is missing: `make install-test` installs it (needs npm)")
    page.add_script_tag(path=AXE)
    results = page.evaluate(
        "tags => axe.run(document, {runOnly: {type: 'tag', values: tags}})", AXE_TAGS
    )
    found = [
        f"{v['impact']}: {v['id']} ({v['help']}) at "
        + "; ".join(" ".join(node["target"]) for node in v["nodes"][:5])
        for v in results["violations"]
    ]
    (SCREENSHOTS / "axe").mkdir(parents=True, exist_ok=True)
    (SCREENSHOTS / "axe" / f"{report_name}.txt").write_text(
        "\n".join(found or ["no violation"]) + "\n", encoding="utf-8"
    )
    return [line for line in found if line.split(":")[0] in FAILING_IMPACTS]


# axe is injected as an inline script, which our Content-Security-Policy forbids: the
# contexts that run it bypass the policy (and only those; see the policy test below).


@pytest.mark.parametrize("main", MAIN_PAGES, ids=[p.name for p in MAIN_PAGES])
def test_main_page_is_accessible(signed_in, site, main: MainPage):
    _, ids = site
    page = signed_in(main.person, WIDE, bypass_csp=True)
    open_main_page(page, main, ids)
    page.screenshot(path=SCREENSHOTS / f"{main.name}.png", full_page=True)
    assert axe_violations(page, main.name) == []


@pytest.mark.parametrize("main", MAIN_PAGES, ids=[p.name for p in MAIN_PAGES])
def test_main_page_fits_a_phone(signed_in, site, main: MainPage):
    _, ids = site
    page = signed_in(main.person, NARROW, bypass_csp=True)
    open_main_page(page, main, ids)
    page.screenshot(path=SCREENSHOTS / f"{main.name}-375px.png", full_page=True)
    # No sideways scrolling of the page; a wide table scrolls in its own box.
    assert page.evaluate("document.scrollingElement.scrollWidth") <= NARROW["width"]
    assert axe_violations(page, f"{main.name}-375px") == []


def test_main_pages_need_nothing_the_policy_blocks(signed_in, site):
    """Under the real Content-Security-Policy, no page has a style or script blocked."""
    _, ids = site
    blocked: list[str] = []
    current = {}

    def record(message) -> None:
        if "Content Security Policy" in message.text:
            blocked.append(f"{current['page']}: {message.text}")

    listening: list[Page] = []
    for main in MAIN_PAGES:
        page = signed_in(main.person, WIDE)
        if page not in listening:
            page.on("console", record)
            listening.append(page)
        current["page"] = main.name
        open_main_page(page, main, ids)
    for page in listening:
        page.remove_listener("console", record)
    assert blocked == []


def focused_name(page: Page) -> str:
    return page.evaluate("document.activeElement.innerText || document.activeElement.value || ''")


def tab_to(page: Page, name: str, limit: int = 80) -> None:
    """Press Tab until the focused control's text is `name` (as a keyboard user would)."""
    for _ in range(limit):
        page.keyboard.press("Tab")
        if " ".join(focused_name(page).split()) == name:
            return
    raise AssertionError(f"{name!r} not reached in {limit} presses of Tab")


def titles_in_order(page: Page) -> list[str]:
    return page.locator("table.agenda .agenda__title").all_inner_texts()


def test_agenda_reorders_by_keyboard_alone(new_page):
    page = new_page(CHAIR_COALITION)
    page.get_by_role("link", name=ANTWERP).first.click()
    page.get_by_role("button", name="Build the draft agenda").click()
    expect(page.get_by_role("status")).to_contain_text("The draft agenda is built")
    before = titles_in_order(page)
    assert before[:2] == ["Welcome by the host", "Adoption of the agenda"]

    tab_to(page, "Move down item 1 Welcome by the host")
    # The focused button shows it has the focus.
    assert page.evaluate("getComputedStyle(document.activeElement).outlineStyle") != "none"
    page.keyboard.press("Enter")
    expect(page.get_by_role("status")).to_have_text("Moved down: Welcome by the host.")
    assert titles_in_order(page)[:2] == ["Adoption of the agenda", "Welcome by the host"]

    # The page comes back at the moved item: the next Tab lands on its own controls.
    page.keyboard.press("Tab")
    assert " ".join(focused_name(page).split()) == "Edit item 2 Welcome by the host"
    page.keyboard.press("Tab")
    assert " ".join(focused_name(page).split()) == "Move up item 2 Welcome by the host"
    page.keyboard.press("Space")
    expect(page.get_by_role("status")).to_have_text("Moved up: Welcome by the host.")
    assert titles_in_order(page) == before


def test_circulated_agenda_prints_as_the_paper(signed_in, site):
    from pypdf import PdfReader

    _, ids = site
    page = signed_in(SECRETARIAT, WIDE)
    open_main_page(page, PAGES["agenda-circulated"], ids)
    page.emulate_media(media="print")
    try:
        page.screenshot(path=SCREENSHOTS / "agenda-circulated-print.png", full_page=True)
        pdf = PdfReader(io.BytesIO(page.pdf(format="A4")))
    finally:
        page.emulate_media(media="screen")
    pages = [" ".join(p.extract_text().split()) for p in pdf.pages]
    assert len(pages) >= 2
    for number, text in enumerate(pages, start=1):
        # The marking heads and foots every page, which is numbered.
        assert text.startswith("OFFICIAL"), text[:80]
        assert text.count("OFFICIAL") >= 2, text
        assert f"Page {number} of {len(pages)}" in text
    paper = " ".join(pages)
    assert f"Agenda {ANTWERP}" in paper
    assert "Welcome by the host" in paper
    # The paper, not the site: no menus, links to downloads or buttons.
    for screen_only in ("Dashboard", "Sign out", "Download as PDF", "Go to the draft"):
        assert screen_only not in paper
