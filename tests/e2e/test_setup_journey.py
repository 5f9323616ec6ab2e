"""The secretariat sets up a third dialogue from its founding statements, in the browser,
without a developer: participants, the dialogue, its seats, two statements (one uploaded
as .docx, one pasted), the review of what they propose, the series and the chair; then
the chair builds the first agenda from exactly the commitments accepted."""

from __future__ import annotations

import io
import re
from datetime import date

import docx
from playwright.sync_api import Page, expect

from tests.e2e.conftest import CHAIR_COALITION, SECRETARIAT

DIALOGUE = "Atlantic Dialogue on Maritime Drug Trafficking"
SHORT = "Atlantic Dialogue"

STATEMENT = [
    "Joint Statement on Maritime Drug Trafficking",
    "Lisbon, 12 May 2026",
    "Introduction",
    "The Participants share the concern that cocaine trafficked across the Atlantic "
    "threatens their ports and their citizens.",
    "I. Port security",
    "The Participants will set up a joint team of customs liaison officers in their main "
    "container ports. They recall the work of the Maritime Analysis and Operations Centre.",
    "II. Financial investigations",
    "The Participants agree to share financial intelligence on shipping companies suspected "
    "of smuggling. The Participants commit to training their prosecutors together.",
    "III. Delivery",
    "The Participants will meet once a year at ministerial level to review progress.",
]
PRESS_RELEASE = (
    "Ministers agree a common approach to drug trafficking by sea\n\n"
    "The ministers met in Lisbon today to agree a common approach to drug trafficking by "
    "sea.\n\n"
    "They will also launch an awareness campaign for port workers.\n"
)
ACCEPTED = {
    "Joint team of customs liaison officers",
    "Sharing financial intelligence on shipping companies",
    "Annual ministerial meeting",
    "Awareness campaign for port workers",
}
REJECTED = "The Participants commit to training their prosecutors together."


def statement_docx(tmp_path) -> str:
    document = docx.Document()
    for paragraph in STATEMENT:
        document.add_paragraph(paragraph)
    path = tmp_path / "atlantic-statement.docx"
    buffer = io.BytesIO()
    document.save(buffer)
    path.write_bytes(buffer.getvalue())
    return str(path)


def status(page: Page):
    return page.get_by_role("status")


def add_participant(page: Page, name: str, short: str, code: str, zone: str) -> None:
    page.goto("/participants")
    page.get_by_role("link", name="Add a participant").click()
    page.get_by_label("Kind").select_option(label="A state's ministry")
    page.get_by_label("Name", exact=True).fill(name)
    page.get_by_label("Short name").fill(short)
    page.get_by_label("Country code").fill(code)
    page.get_by_label("Time zone").select_option(zone)
    page.get_by_role("button", name="Add to the register").click()
    expect(status(page).first).to_have_text(f"{name} is in the register.")


def give_seat(page: Page, participant: str, seat: str) -> None:
    page.get_by_label("Participant").select_option(label=participant)
    page.get_by_label("Seat").select_option(label=seat)
    page.get_by_role("button", name="Add", exact=True).click()
    expect(status(page)).to_have_text("The participant has its seat.")


def candidate(page: Page, quote: str):
    return page.locator("article.candidate").filter(has_text=quote)


def accept(page: Page, quote: str, title: str) -> None:
    card = candidate(page, quote)
    card.get_by_label("Title").fill(title)
    card.get_by_role("button", name="Accept").click()
    expect(status(page)).to_contain_text("Accepted as commitment")
    expect(status(page)).to_contain_text(title)


def test_secretariat_sets_up_a_dialogue_and_the_chair_builds_its_first_agenda(
        new_page, tmp_path):
    page = new_page(SECRETARIAT)

    # The register: two ministries the planner does not know yet (the Netherlands and
    # Europol are there already).
    add_participant(page, "Ministry of Internal Administration of Portugal", "PT", "PT",
                    "Europe/Lisbon")
    add_participant(page, "Ministry of the Interior of Spain", "ES-MI", "ES", "Europe/Madrid")

    # The dialogue, then its seats: three members and one observer.
    page.goto("/dialogues")
    page.get_by_role("link", name="New dialogue").click()
    page.get_by_label("Name", exact=True).fill(DIALOGUE)
    page.get_by_label("Short name").fill(SHORT)
    page.get_by_label("Level").select_option(label="Ministerial")
    page.get_by_label("Cadence").fill("Once a year")
    page.get_by_label("Usual venue's time zone").select_option("Europe/Lisbon")
    page.get_by_role("button", name="Set up the dialogue").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text(f"Set up – {SHORT}")

    page.get_by_role("link", name="Members and observers").click()
    give_seat(page, "Ministry of Internal Administration of Portugal", "Member")
    give_seat(page, "Ministry of the Interior of Spain", "Member")
    give_seat(page, "Ministry of Justice and Security of the Netherlands", "Member")
    give_seat(page, "Europol", "Observer")
    seats = page.get_by_role("table")
    expect(seats.get_by_role("row")).to_have_count(5)  # the header and four seats

    # The founding statement, uploaded as a Word file.
    page.goto("/dialogues")
    page.get_by_role("link", name=DIALOGUE).click()
    page.get_by_role("link", name=re.compile("^Set up")).click()
    page.get_by_role("link", name="Founding documents").click()
    page.get_by_role("link", name="Add a founding document").click()
    page.get_by_label("Kind of document").select_option(label="Statement")
    page.get_by_label("Title").fill("Joint Statement on Maritime Drug Trafficking")
    page.get_by_label("Place").fill("Lisbon")
    page.get_by_label("Agreed or signed on").fill("2026-05-12")
    page.get_by_label(re.compile("^Upload the document")).set_input_files(
        statement_docx(tmp_path))
    page.get_by_role("button", name="Import and propose commitments").click()
    expect(status(page)).to_contain_text("4 sections and 4 proposed commitments")
    expect(page.get_by_role("heading", level=2)).to_have_text(
        ["I. Port security", "II. Financial investigations", "III. Delivery"])

    accept(page, "joint team of customs liaison officers",
           "Joint team of customs liaison officers")
    accept(page, "share financial intelligence",
           "Sharing financial intelligence on shipping companies")
    accept(page, "meet once a year", "Annual ministerial meeting")
    candidate(page, REJECTED).get_by_role("button", name="Reject").click()
    expect(status(page)).to_contain_text("Rejected")
    expect(page.get_by_text("0 to review · 3 accepted · 1 rejected")).to_be_visible()

    # A second document, pasted: a press release without numbering.
    page.get_by_role("link", name="Founding documents").click()
    page.get_by_role("link", name="Add a founding document").click()
    page.get_by_label("Kind of document").select_option(label="Communiqué")
    page.get_by_label("Title").fill("Ministers agree a common approach")
    page.get_by_label("Agreed or signed on").fill("2026-05-12")
    page.get_by_label("Or paste its text").fill(PRESS_RELEASE)
    page.get_by_role("button", name="Import and propose commitments").click()
    expect(status(page)).to_contain_text("1 proposed commitment")
    accept(page, "awareness campaign for port workers", "Awareness campaign for port workers")

    # The series: Lisbon hosts, once a year in June.
    page.goto("/dialogues")
    page.get_by_role("link", name=DIALOGUE).click()
    page.get_by_role("link", name=re.compile("^Set up")).click()
    page.get_by_role("link", name="The series").click()
    page.get_by_text("Add a host to the rotation").click()
    page.get_by_label("Host", exact=True).select_option(
        label="Ministry of Internal Administration of Portugal")
    page.get_by_label("City").fill("Lisbon")
    page.get_by_label("Time zone").select_option("Europe/Lisbon")
    page.get_by_role("button", name="Add to the rotation").click()
    next_june = date(date.today().year + 1, 6, 1)
    page.get_by_label("Recurrence rule (RFC 5545 RRULE)").fill("FREQ=YEARLY;BYMONTH=6")
    page.get_by_label("From the occurrence on").fill(next_june.isoformat())
    page.get_by_label("Why the rule changes").fill("Agreed in the joint statement")
    page.get_by_role("button", name="Change the rule from this occurrence").click()
    upcoming = page.get_by_role("region", name="Next and proposed meetings")
    meeting = upcoming.get_by_role("link", name=re.compile(f"^{SHORT} meeting, Lisbon"))
    expect(meeting.first).to_be_visible()

    # The chair: the Dutch coalition chair chairs this dialogue too.
    page.goto("/people")
    page.get_by_role("link", name="Chair, coalition against organised crime").click()
    page.get_by_label("Dialogue", exact=True).select_option(label=DIALOGUE)
    page.get_by_label("Role", exact=True).select_option(label="Chair")
    page.get_by_role("button", name="Add the role").click()
    expect(status(page)).to_have_text("The role is added.")

    chair = new_page(CHAIR_COALITION)
    chair.goto("/dialogues")
    chair.get_by_role("link", name=DIALOGUE).click()
    chair.get_by_role("link", name=re.compile(f"^{SHORT} meeting, Lisbon")).first.click()
    chair.get_by_role("region", name="Agenda").get_by_role(
        "button", name="Build the draft agenda").click()
    expect(status(chair)).to_contain_text("The draft agenda is built")
    reviewed = chair.locator(".agenda__row--level-2 .agenda__title")
    expect(reviewed).to_have_count(len(ACCEPTED))
    assert set(reviewed.all_inner_texts()) == ACCEPTED
    expect(chair.locator(".agenda__title", has_text="prosecutors")).to_have_count(0)
