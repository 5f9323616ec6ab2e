"""The users' journeys in a real browser, against the app served on 127.0.0.1 with the
demo data: each journey starts from a fresh copy of it, and asserts what the person sees
(text, status tags, the downloaded file, the clipboard), never how the app stores it."""

from __future__ import annotations

import re
from datetime import date, datetime, timedelta
from pathlib import Path

from playwright.sync_api import Page, expect

from tests.e2e.conftest import (
    AMSTERDAM,
    ANTWERP,
    CHAIR_COALITION,
    COALITION,
    DELEGATE_AL,
    DELEGATE_NL,
    OBSERVER_EUROPOL,
    SECRETARIAT,
)

TASKFORCE = "Taskforce on organised drug crime with Latin America"
UK_ALBANIA_MEETING = re.compile(r"^UK–Albania Senior Officials' Dialogue \d{4}$")


def open_meeting(page: Page, dialogue: str, meeting: str) -> None:
    page.goto("/dialogues")
    page.get_by_role("link", name=dialogue).click()
    page.get_by_role("link", name=meeting, exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(meeting)


def fact(page: Page, term: str):
    """The value shown for `term` in the page's key facts (Status, When, Where ...)."""
    return page.locator(".facts > div").filter(
        has=page.get_by_role("term").filter(has_text=re.compile(f"^{term}$"))
    ).get_by_role("definition")


def test_secretariat_picks_a_date_confirms_it_and_sends_the_invites(new_page):
    page = new_page(SECRETARIAT)
    open_meeting(page, COALITION, ANTWERP)
    expect(fact(page, "Status")).to_have_text("Proposed")

    page.get_by_role("link", name="Find dates that suit every member").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Dates that suit every member")
    lead = page.locator(".lead").inner_text()
    current_day = re.search(r"now (\w+ \d+ \w+ \d{4})", lead).group(1)
    # The best date other than the meeting's current one (which the list may include).
    candidates = page.get_by_role("table").get_by_role("row").filter(
        has=page.get_by_role("button", name=re.compile("^Schedule"))
    ).filter(has_not=page.get_by_role("rowheader", name=current_day, exact=True))
    chosen = candidates.first
    day = chosen.get_by_role("rowheader").inner_text()
    chosen.get_by_role("button", name=f"Schedule on {day}").click()

    expect(page.get_by_role("status")).to_have_text(
        f"{ANTWERP} is now on {day}. Confirm it when the members agree."
    )
    expect(page.get_by_role("heading", level=1)).to_have_text(ANTWERP)
    expect(fact(page, "When")).to_contain_text(day)
    expect(fact(page, "Status")).to_have_text("Proposed")

    page.get_by_role("button", name="Confirm this date").click()
    expect(page.get_by_role("status")).to_have_text("The meeting is confirmed.")
    expect(fact(page, "Status")).to_have_text("Confirmed")
    expect(fact(page, "When")).to_contain_text(day)
    expect(page.get_by_text("No invites have been sent for this meeting.")).to_be_visible()

    page.get_by_role("button", name="Send the invites", exact=True).click()
    # The demo's coalition accounts: its chair, the Dutch delegate and Europol's observer.
    expect(page.get_by_role("status")).to_have_text("Invites are on their way to 3 people.")
    expect(page.get_by_text("0 sent, 3 waiting to go")).to_be_visible()
    expect(page.get_by_role("button", name="Send the invites again")).to_be_visible()
    history = page.get_by_role("region", name="History")
    expect(history.get_by_role("listitem").filter(has_text="Confirmed")).to_have_count(1)
    expect(history).to_contain_text(f"Date chosen from the proposals: {day}")

    # The Dutch delegate, invited, sees the new date, confirmed, on their dashboard.
    delegate = new_page(DELEGATE_NL)
    meeting = delegate.get_by_role("listitem").filter(
        has=delegate.get_by_role("link", name=ANTWERP)
    )
    expect(meeting).to_contain_text("Confirmed")
    expect(meeting).to_contain_text(day)


def agenda_rows(page: Page):
    return page.get_by_role("table").locator("tbody tr")


def agenda_row(page: Page, title: str):
    exactly = re.compile(f"^{re.escape(title)}$")
    return agenda_rows(page).filter(has=page.locator(".agenda__title", has_text=exactly))


def set_time_box(page: Page, title: str, minutes: int) -> None:
    agenda_row(page, title).get_by_role("link", name=re.compile("^Edit")).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Edit agenda item")
    page.get_by_label("Time box in minutes").fill(str(minutes))
    page.get_by_role("button", name="Save the item").click()
    expect(page.get_by_role("status")).to_have_text(f"Saved: {title}.")


def test_chair_builds_reorders_times_and_circulates_the_agenda(new_page):
    page = new_page(CHAIR_COALITION)
    page.get_by_role("link", name=ANTWERP).first.click()
    expect(page.get_by_role("heading", level=1)).to_have_text(ANTWERP)
    agenda = page.get_by_role("region", name="Agenda")
    expect(agenda).to_contain_text("The agenda has not been circulated yet.")
    agenda.get_by_role("button", name="Build the draft agenda").click()

    expect(page.get_by_role("heading", level=1)).to_have_text(f"Draft agenda – {ANTWERP}")
    expect(page.get_by_role("status")).to_have_text(re.compile(r"^The draft agenda is built"))
    ports, latin_america = "Ports and logistics hubs", "Latin America and international partners"
    platform = "Platform for ports, airports and transport corridors"
    expect(agenda_row(page, ports).locator(".agenda__number")).to_have_text("5")
    expect(agenda_row(page, latin_america).locator(".agenda__number")).to_have_text("6")

    # Latin America first: the theme moves with its three commitments.
    agenda_row(page, latin_america).get_by_role("button", name=re.compile("^Move up")).click()
    expect(page.get_by_role("status")).to_have_text(f"Moved up: {latin_america}.")
    expect(agenda_row(page, latin_america).locator(".agenda__number")).to_have_text("5")
    expect(agenda_row(page, TASKFORCE).locator(".agenda__number")).to_have_text("5.1")
    expect(agenda_row(page, platform).locator(".agenda__number")).to_have_text("6.1")
    expect(agenda_row(page, ports).locator(".agenda__number")).to_have_text("6")

    # Two time boxes: the times of every later item follow.
    start_of_5 = agenda_row(page, latin_america).locator(".agenda__time").inner_text()
    set_time_box(page, TASKFORCE, 30)
    set_time_box(page, platform, 45)
    expect(agenda_row(page, TASKFORCE).locator(".agenda__minutes")).to_have_text("30 min")
    expect(agenda_row(page, platform).locator(".agenda__minutes")).to_have_text("45 min")
    hours, minutes = map(int, start_of_5.split(":"))
    taskforce_end = f"{hours + (minutes + 30) // 60:02d}:{(minutes + 30) % 60:02d}"
    expect(agenda_row(page, TASKFORCE).locator(".agenda__time")).to_have_text(
        f"{start_of_5}–{taskforce_end}"
    )

    page.get_by_role("button", name="Circulate version 1").click()
    expect(page.get_by_role("status")).to_have_text(re.compile(r"^Agenda v1 is circulated"))
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Agenda {ANTWERP}")
    expect(fact(page, "Version")).to_contain_text("1, circulated")
    expect(agenda_row(page, latin_america).locator(".agenda__number")).to_have_text("5")
    expect(agenda_row(page, ports).locator(".agenda__number")).to_have_text("6")
    expect(agenda_row(page, TASKFORCE).locator(".agenda__time")).to_contain_text(
        f"{start_of_5}–{taskforce_end}"
    )
    expect(agenda_row(page, TASKFORCE).locator(".agenda__time")).to_contain_text("30 min")
    expect(agenda_row(page, platform).locator(".agenda__time")).to_contain_text("45 min")

    page.get_by_role("link", name=ANTWERP).click()
    expect(page.get_by_role("region", name="Agenda")).to_contain_text("Version 1 was circulated")


def test_albanian_delegate_gets_the_invite_and_feed_link_but_no_coalition_page(
    new_page, live_server
):
    # What a coalition page is, as the secretariat sees it.
    secretariat = new_page(SECRETARIAT)
    open_meeting(secretariat, COALITION, ANTWERP)
    coalition_meeting = secretariat.url
    secretariat.get_by_role("link", name="Coalition", exact=True).click()
    expect(secretariat.get_by_role("heading", level=1)).to_have_text(COALITION)
    coalition = secretariat.url

    page = new_page(DELEGATE_AL)
    page.context.grant_permissions(["clipboard-read", "clipboard-write"])
    page.get_by_role("link", name=UK_ALBANIA_MEETING).first.click()
    title = page.get_by_role("heading", level=1).inner_text()
    when = fact(page, "When").locator(".when__venue").inner_text()
    # London or Tirana, by the year: "Home Office, 2 Marsham Street, London (Europe/London)".
    place, zone = re.fullmatch(r"(.+) \((.+)\)", fact(page, "Where").inner_text()).groups()
    with page.expect_download() as download_info:
        page.get_by_role("link", name="Download the invite (.ics)").click()
    download = download_info.value
    assert download.suggested_filename.endswith(".ics")
    invite = Path(download.path()).read_text(encoding="utf-8")
    # Unfold the content lines (RFC 5545 3.1) to read them as a calendar app does.
    invite = re.sub(r"\r?\n[ \t]", "", invite)
    day = datetime.strptime(when.split(",")[0], "%A %d %B %Y")
    starts = when.split(", ")[1].split("–")[0].replace(":", "")
    assert "BEGIN:VEVENT" in invite
    assert f"SUMMARY:{title}" in invite.splitlines()
    assert f"DTSTART;TZID={zone}:{day:%Y%m%d}T{starts}00" in invite.splitlines()
    assert "LOCATION:" + place.replace(",", "\\,") in invite.splitlines()
    assert f"URL:{page.url}" in invite.splitlines()

    # The personal feed: made once, then copied from the page.
    page.get_by_role("link", name="Albanian delegate").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("My account")
    page.get_by_role("link", name="Set up your calendar feed").click()
    page.get_by_role("button", name="Make my feed link").click()
    link_box = page.get_by_label(re.compile("^Or copy this link into your calendar"))
    expect(link_box).to_be_visible()
    link_box.focus()
    page.keyboard.press("ControlOrMeta+A")
    page.keyboard.press("ControlOrMeta+C")
    copied = page.evaluate("navigator.clipboard.readText()")
    assert copied == link_box.input_value()
    assert re.fullmatch(re.escape(live_server.url) + r"/calendar/[^/]+\.ics", copied)

    # A calendar app reads the link without signing in: the delegate's meetings only.
    calendar_app = new_page()
    feed = calendar_app.request.get(copied)
    assert feed.status == 200
    assert feed.headers["content-type"] == "text/calendar; charset=utf-8"
    assert f"SUMMARY:{title}" in feed.text().splitlines()
    assert "Coalition" not in feed.text()

    # Coalition pages do not exist for the delegate.
    for address in (coalition, coalition_meeting):
        response = page.goto(address)
        assert response.status == 404
        expect(page.get_by_role("heading", level=1)).to_have_text("Page not found")
    page.goto("/dialogues")
    expect(page.get_by_role("link", name=COALITION)).to_have_count(0)


def test_europol_observer_sees_the_circulated_agenda_and_no_draft(new_page):
    chair = new_page(CHAIR_COALITION)
    chair.get_by_role("link", name=ANTWERP).first.click()
    chair.get_by_role("button", name="Build the draft agenda").click()
    expect(chair.get_by_role("status")).to_contain_text("The draft agenda is built")
    draft = chair.url
    chair.get_by_role("button", name="Circulate version 1").click()
    expect(chair.get_by_role("status")).to_have_text(re.compile(r"^Agenda v1 is circulated"))
    # A change after circulation stays in the draft until version 2.
    chair.goto(draft)
    chair.get_by_label("Title").fill("Europol threat assessment (draft only)")
    chair.get_by_role("button", name="Add the item").click()
    expect(chair.get_by_role("status")).to_have_text(
        "Item added: Europol threat assessment (draft only)."
    )

    page = new_page(OBSERVER_EUROPOL)
    page.get_by_role("link", name=ANTWERP).first.click()
    agenda = page.get_by_role("region", name="Agenda")
    expect(agenda).to_contain_text("Version 1 was circulated")
    expect(agenda.get_by_role("link", name=re.compile("draft", re.IGNORECASE))).to_have_count(0)
    expect(agenda.get_by_role("button")).to_have_count(0)
    agenda.get_by_role("link", name="Read the agenda").click()

    expect(page.get_by_role("heading", level=1)).to_have_text(f"Agenda {ANTWERP}")
    expect(fact(page, "Version")).to_contain_text("1, circulated")
    expect(agenda_row(page, "Welcome by the host")).to_be_visible()
    expect(agenda_row(page, TASKFORCE)).to_be_visible()
    expect(page.get_by_text("Europol threat assessment")).to_have_count(0)
    expect(page.get_by_role("link", name="Go to the draft")).to_have_count(0)

    response = page.goto(draft)
    assert response.status == 404
    expect(page.get_by_role("heading", level=1)).to_have_text("Page not found")
    expect(page.get_by_text("Europol threat assessment")).to_have_count(0)


def test_secretariat_records_the_minutes_and_the_chair_approves_them(new_page):
    page = new_page(SECRETARIAT)
    open_meeting(page, COALITION, AMSTERDAM)
    page.get_by_role("link", name="Read the minutes").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Minutes")
    expect(fact(page, "Status")).to_have_text("Circulated")

    # Attendance: Eurojust sent apologies; Belgium's names as the delegation gave them.
    page.get_by_role("link", name="Record the attendance").click()
    page.get_by_label("Attendance of Eurojust").select_option(label="Apologies")
    page.get_by_label("Names and functions, Belgium (justice and interior ministries)").fill(
        "Minister of Justice\nMinister of the Interior"
    )
    page.get_by_role("button", name="Save the attendance").click()
    expect(page.get_by_role("status")).to_have_text("The attendance is saved.")
    attendance = page.get_by_role("table", name="Attendance by delegation")
    expect(attendance.get_by_role("row", name=re.compile("^Eurojust"))).to_contain_text(
        "Apologies"
    )
    expect(attendance.get_by_role("row", name=re.compile("^Belgium"))).to_contain_text(
        "Minister of Justice"
    )

    # A decision that moves a commitment on.
    page.get_by_role("link", name=re.compile("^Add a decision")).first.click()
    decision = "The coalition sets up the taskforce with Latin American partners."
    page.get_by_label("What the meeting decided").fill(decision)
    page.get_by_label("Commitment it concerns").select_option(label=f"¶5.2 {TASKFORCE} (open)")
    page.get_by_label("New status of the commitment").select_option(label="In progress")
    page.get_by_role("button", name="Record the decision").click()
    expect(page.get_by_role("status")).to_have_text("The decision is recorded.")
    recorded = page.get_by_role("listitem").filter(has_text=decision)
    expect(recorded).to_contain_text(f"¶5.2 {TASKFORCE}: now In progress")

    # An action item for Spain, serving that commitment.
    page.get_by_role("link", name=re.compile("^Add an action item")).first.click()
    action = "Draft the taskforce's terms of reference"
    page.get_by_label("What is to be done").fill(action)
    page.get_by_label("Owner").select_option(label="Spain (justice and interior ministries)")
    due = date.today() + timedelta(days=60)
    page.get_by_label("Due").fill(due.isoformat())
    page.get_by_label("Commitment it serves").select_option(label=f"¶5.2 {TASKFORCE}")
    page.get_by_role("button", name="Record the action item").click()
    expect(page.get_by_role("status")).to_have_text("The action item is recorded.")
    row = page.get_by_role("row").filter(has=page.get_by_role("link", name=action))
    expect(row).to_contain_text("ES")
    expect(row).to_contain_text(f"{due.day} {due:%B %Y}")
    expect(row).to_contain_text("Open")

    # The chair approves them, by written procedure.
    chair = new_page(CHAIR_COALITION)
    chair.goto(page.url)
    expect(fact(chair, "Status")).to_have_text("Circulated")
    chair.get_by_role("link", name="Approve the minutes").click()
    chair.get_by_label("By written procedure").check()
    chair.get_by_label("Note (optional)").fill("No objection received under the written procedure.")
    chair.get_by_role("button", name="Approve the minutes").click()
    expect(chair.get_by_role("status")).to_have_text(
        "The minutes are approved. From now on they change only by a recorded amendment."
    )
    expect(fact(chair, "Status")).to_have_text("Approved")
    expect(fact(chair, "Approved")).to_contain_text("By written procedure")
    expect(fact(chair, "Approved")).to_contain_text("Chair, coalition against organised crime")

    # What the delegations read: the approved minutes with the new records.
    delegate = new_page(DELEGATE_NL)
    delegate.goto(page.url)
    expect(fact(delegate, "Status")).to_have_text("Approved")
    expect(delegate.get_by_text(decision)).to_be_visible()
    expect(delegate.get_by_role("link", name=action)).to_be_visible()
    expect(delegate.get_by_role("link", name="Approve the minutes")).to_have_count(0)
