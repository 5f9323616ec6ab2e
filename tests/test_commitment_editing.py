"""Adding a commitment by hand, editing its terms and changing its status, on the pages
(the test client fills the real forms) and in the operations; each change on the
commitment's timeline, and the next agenda built from what is open."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta
from html.parser import HTMLParser

import pytest
from flask.testing import FlaskClient
from sqlalchemy import func, select
from werkzeug.datastructures import MultiDict

from planner.agendas import operations as agendas
from planner.commitments import operations as ops
from planner.extensions import db
from planner.models import (
    AgendaItem,
    AuditEvent,
    Commitment,
    CommitmentStatusChange,
    Dialogue,
    DocumentSection,
    Participant,
    SourceDocument,
    Theme,
    utcnow,
)
from planner.validation import InvalidInput
from tests.conftest import CHAIR_COALITION, DELEGATE_NL, OBSERVER_EUROPOL, SECRETARIAT, login
from tests.minutes_support import antwerp, commitment, dialogue, person, text_of, words

# A sentence of the Amsterdam plan's last paragraph that no demo commitment quotes; it
# stands before the one that ¶7.1 quotes ("The participating countries have agreed …").
PARTNERS = ("Both countries are important partners in the fight against serious crime and "
            "will contribute a wealth of experience and expertise in undermining criminal "
            "power structures.")


# --- the page's form, as a browser fills and sends it ------------------------------------


@dataclass
class Form:
    """The page's POST form: its fields with the values the page gave them, the options
    of its selects, radios and checkboxes by their visible labels."""

    action: str
    values: dict[str, list[str]] = field(default_factory=dict)
    options: dict[str, dict[str, str]] = field(default_factory=dict)  # name: {label: value}
    checkboxes: set[str] = field(default_factory=set)

    def set(self, name: str, value: str) -> Form:
        assert name in self.values, f"the form has no field {name}: {sorted(self.values)}"
        self.values[name] = [value]
        return self

    def choose(self, name: str, label: str) -> Form:
        """Pick the option, radio or checkbox whose label starts with `label` (checkboxes
        add to what is ticked)."""
        found = [value for text, value in self.options.get(name, {}).items()
                 if text.startswith(label)]
        assert len(found) == 1, f"{label!r} among {sorted(self.options.get(name, {}))}"
        if name in self.checkboxes:
            self.values.setdefault(name, []).append(found[0])
        else:
            self.values[name] = [found[0]]
        return self

    def untick(self, name: str) -> Form:
        self.values[name] = []
        return self

    def submit(self, client: FlaskClient):
        return client.post(self.action, data=MultiDict(
            [(name, value) for name, values in self.values.items() for value in values]))


class _FormReader(HTMLParser):
    def __init__(self, path: str):
        super().__init__(convert_charrefs=True)
        self.form: Form | None = None
        self.path = path
        self._select: str | None = None
        self._option: str | None = None
        self._first_option: dict[str, str] = {}
        self._textarea: str | None = None
        self._label_for: str | None = None
        self._label_text: list[str] = []
        self._inputs: dict[str, tuple[str, str]] = {}  # id: (name, value) of radios, boxes
        self._done = False

    def handle_starttag(self, tag, attrs):
        a = {k: v or "" for k, v in attrs}
        # The page's own form posts back to the page (the header's sign-out does not).
        if tag == "form" and a.get("method", "").lower() == "post" and self.form is None \
                and not self._done and a.get("action", self.path) == self.path:
            self.form = Form(self.path)
            return
        if self.form is None or self._done:
            return
        values = self.form.values
        if tag == "input":
            kind, name = a.get("type", "text"), a.get("name")
            if not name or kind in ("submit", "button"):
                return
            if kind in ("checkbox", "radio"):
                values.setdefault(name, [])
                self._inputs[a.get("id", "")] = (name, a.get("value", "on"))
                if kind == "checkbox":
                    self.form.checkboxes.add(name)
                if "checked" in a:
                    values[name].append(a.get("value", "on"))
            else:
                values[name] = [a.get("value", "")]
        elif tag == "select":
            self._select = a["name"]
            values[self._select] = []
        elif tag == "option" and self._select:
            self._option = a.get("value", "")
            self._first_option.setdefault(self._select, self._option)
            if "selected" in a:
                values[self._select] = [self._option]
            self._label_text = []
        elif tag == "textarea":
            self._textarea = a["name"]
            values[self._textarea] = [""]
        elif tag == "label":
            self._label_for, self._label_text = a.get("for"), []

    def handle_data(self, data):
        if self._textarea:
            self.form.values[self._textarea][0] += data
        elif self._option is not None or self._label_for:
            self._label_text.append(data)

    def handle_endtag(self, tag):
        if self.form is None or self._done:
            return
        if tag == "form":
            self._done = True
            for name, value in self._first_option.items():
                if not self.form.values[name]:
                    self.form.values[name] = [value]
        elif tag == "select":
            self._select = None
        elif tag == "option" and self._select:
            label = " ".join("".join(self._label_text).split())
            self.form.options.setdefault(self._select, {})[label] = self._option
            self._option = None
        elif tag == "textarea":
            # As browsers do: the newline right after <textarea> is not part of the value.
            value = self.form.values[self._textarea][0]
            self.form.values[self._textarea][0] = value.removeprefix("\r").removeprefix("\n")
            self._textarea = None
        elif tag == "label" and self._label_for:
            if self._label_for in self._inputs:
                name, value = self._inputs[self._label_for]
                label = " ".join("".join(self._label_text).split())
                self.form.options.setdefault(name, {})[label] = value
            self._label_for = None


def open_form(client: FlaskClient, path: str) -> Form:
    response = client.get(path)
    assert response.status_code == 200, text_of(response)
    return read_form(text_of(response), path)


def read_form(page: str, path: str) -> Form:
    reader = _FormReader(path)
    reader.feed(page)
    assert reader.form is not None, "no form on the page"
    return reader.form


# --- the demo's records --------------------------------------------------------------------


def coalition() -> Dialogue:
    return dialogue("coalition")


def section_saying(words_: str, slug: str = "coalition") -> DocumentSection:
    return db.session.scalar(
        select(DocumentSection).join(SourceDocument).join(Dialogue)
        .where(Dialogue.slug == slug, DocumentSection.text.contains(words_)).limit(1))


def theme_named(start: str, slug: str = "coalition") -> Theme:
    return db.session.scalar(select(Theme).join(Dialogue).where(
        Dialogue.slug == slug, Theme.name.startswith(start)))


def participant(short_name: str) -> Participant:
    return db.session.scalar(select(Participant).where(Participant.short_name == short_name))


def count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def stored(reference: str) -> Commitment:
    db.session.expire_all()
    return commitment(reference)


def first_theme() -> Theme:
    return db.session.scalar(select(Theme).join(Dialogue).where(
        Dialogue.slug == "coalition").order_by(Theme.position).limit(1))


def add_by_hand(client: FlaskClient, *, quote: str = PARTNERS, title: str =
                "Italy and Germany bring their expertise") -> object:
    form = open_form(client, f"/dialogues/{coalition().id}/commitments/new")
    section = section_saying("Both countries are important partners")
    form.set("section", str(section.id)).set("quote", quote).set("title", title)
    return form.submit(client)


# --- the chair sets a commitment down, edits it and changes its status -----------------------


def test_the_chair_adds_edits_and_changes_the_status_and_the_timeline_tells_it(sign_in):
    client = sign_in(CHAIR_COALITION)
    chair = person(CHAIR_COALITION)
    listing = text_of(client.get(f"/dialogues/{coalition().id}/commitments"))
    assert f'href="/dialogues/{coalition().id}/commitments/new"' in listing
    assert "Add a commitment" in listing

    form = open_form(client, f"/dialogues/{coalition().id}/commitments/new")
    section = section_saying("Both countries are important partners")
    # The select shows each section under its document, by label and opening words.
    assert any(label.startswith(f"{section.label}. The multi-year action plan")
               for label in form.options["section"])
    theme = first_theme()
    # Pasted from a PDF: line breaks where the page ended its lines.
    pasted = PARTNERS.replace(" in the fight", "\nin the fight").replace(" and will", "\n and will")
    target = date.today().replace(month=1, day=1) + timedelta(days=2 * 365)
    form.set("section", str(section.id)).set("quote", pasted)
    form.set("title", "  Italy and Germany bring   their expertise ")
    form.choose("theme", theme.label).choose("leads", participant("DE").name)
    form.choose("leads", participant("IT").name).set("target_date", target.isoformat())
    response = form.submit(client)
    assert response.status_code == 303, text_of(response)

    added = db.session.scalar(select(Commitment).where(
        Commitment.title == "Italy and Germany bring their expertise"))
    assert added.quote == PARTNERS  # the document's own words, its own spacing
    assert (added.status, added.theme_id, added.target_date) == ("open", theme.id, target)
    assert sorted(p.short_name for p in added.leads) == ["DE", "IT"]
    # Numbered after the section's commitments, placed where the sentence stands:
    # before ¶7.1, whose sentence comes later in the paragraph.
    assert added.reference == f"{section.label}.2"
    assert added.position == commitment(f"{section.label}.1").position - 1

    page = words(client.get(response.headers["Location"]))
    assert "Italy and Germany bring their expertise" in page and PARTNERS in page
    assert f"Set down Added by hand: Italy and Germany bring their expertise by {chair.name}" \
        in page

    form = open_form(client, f"/commitments/{added.id}/edit")
    assert form.values["title"] == ["Italy and Germany bring their expertise"]
    assert sorted(form.values["leads"]) == sorted(
        [str(participant("DE").id), str(participant("IT").id)])
    form.set("title", "Italy and Germany contribute their expertise").set("target_date", "")
    form.untick("leads").choose("leads", participant("IT").name)
    response = form.submit(client)
    assert response.status_code == 303, text_of(response)
    assert stored(added.reference).title == "Italy and Germany contribute their expertise"
    assert stored(added.reference).target_date is None

    form = open_form(client, f"/commitments/{added.id}/status")
    form.choose("status", "In progress").set(
        "note", "Both ministries named their contact points in a written procedure.")
    response = form.submit(client)
    assert response.status_code == 303, text_of(response)
    assert stored(added.reference).status == "in_progress"
    change = db.session.scalar(select(CommitmentStatusChange).where(
        CommitmentStatusChange.commitment_id == added.id))
    assert (change.meeting_id, change.changed_by_id) == (None, chair.id)

    page = words(client.get(f"/commitments/{added.id}"))
    assert ("Edited Title, lead and target date changed Title: Italy and Germany bring "
            "their expertise → Italy and Germany contribute their expertise") in page
    assert "Lead: DE, IT → IT" in page
    assert f"Target date: {target.day} {target:%B %Y} → —" in page
    assert ("Status Open → in progress Both ministries named their contact points in a "
            f"written procedure. by {chair.name}") in page
    # In the order they happened.
    assert page.index("Set down") < page.index("Edited") < page.index("Open → in progress")


def test_members_read_the_history_but_only_writers_see_the_buttons(sign_in, app):
    client = sign_in(CHAIR_COALITION)
    assert add_by_hand(client).status_code == 303
    added = db.session.scalar(select(Commitment).where(Commitment.quote == PARTNERS))
    page = text_of(client.get(f"/commitments/{added.id}"))
    assert f'href="/commitments/{added.id}/edit"' in page
    assert f'href="/commitments/{added.id}/status"' in page

    delegate = app.test_client()
    assert login(delegate, DELEGATE_NL).status_code == 302
    page = text_of(delegate.get(f"/commitments/{added.id}"))
    assert "Added by hand" in words(page)
    assert f"/commitments/{added.id}/edit" not in page
    assert "/commitments/new" not in text_of(
        delegate.get(f"/dialogues/{coalition().id}/commitments"))
    assert delegate.get(f"/commitments/{added.id}/edit").status_code == 403
    assert delegate.get(f"/dialogues/{coalition().id}/commitments/new").status_code == 403


# --- bad input: a message next to the field, nothing saved ------------------------------------


@pytest.mark.parametrize(("change", "field_name", "message"), [
    ({"title": "   "}, "title", "Enter a short title: what was undertaken, in a few words."),
    ({"title": "x" * 201}, "title", "Keep the title to 200 characters"),
    ({"quote": "Both countries will share all their intelligence."}, "quote",
     "These words are not in section"),
    ({"quote": ""}, "quote", "Quote the sentence that makes the commitment."),
    ({"section": ""}, "section", "Choose the section of a founding document that says it."),
    ({"section": "UKAL"}, "section", "Choose the section of a founding document that says it."),
    ({"theme": "UKAL"}, "theme", "Choose one of this dialogue's themes, or none."),
    ({"leads": "AL"}, "leads", "Leads are members or observers of this dialogue."),
    ({"target_date": "2000-01-01"}, "target_date",
     "The target date cannot be before the document's own date"),
    ({"target_date": "next spring"}, "target_date", "Enter the target date as a date"),
])
def test_a_bad_commitment_is_refused_next_to_its_field_and_nothing_is_saved(
    sign_in, change, field_name, message
):
    client = sign_in(SECRETARIAT)
    form = open_form(client, f"/dialogues/{coalition().id}/commitments/new")
    section = section_saying("Both countries are important partners")
    form.set("section", str(section.id)).set("quote", PARTNERS)
    form.set("title", "Italy and Germany bring their expertise")
    value = next(iter(change.values()))
    if value == "UKAL" and field_name == "section":
        value = str(section_saying("", "uk-albania").id)
    elif value == "UKAL":
        value = str(theme_named("", "uk-albania").id)
    elif value == "AL":
        value = str(participant("AL").id)
    form.values[field_name] = [value]
    before = (count(Commitment), count(AuditEvent))
    response = form.submit(client)
    assert response.status_code == 400
    page = text_of(response)
    assert f'id="{field_name}-error"' in page and message in words(page)
    assert f'href="#{field_name}"' in page  # the summary leads to the field
    assert (count(Commitment), count(AuditEvent)) == before
    # What they typed comes back, for them to correct.
    again = read_form(page, form.action)
    assert again.values["title"] == form.values["title"]
    assert again.values["quote"] == form.values["quote"]


def test_an_empty_title_on_edit_keeps_the_stored_one(sign_in):
    client = sign_in(CHAIR_COALITION)
    platform = commitment("¶5.1")
    title, target = platform.title, platform.target_date
    form = open_form(client, f"/commitments/{platform.id}/edit").set("title", "")
    form.set("target_date", "2030-06-30")
    response = form.submit(client)
    assert response.status_code == 400
    page = text_of(response)
    assert 'id="title-error"' in page and "Enter a short title" in words(page)
    assert read_form(page, form.action).values["target_date"] == ["2030-06-30"]
    assert (stored("¶5.1").title, stored("¶5.1").target_date) == (title, target)


@pytest.mark.parametrize(("status", "note", "field_name", "message"), [
    ("met", "  ", "note", "Say why the status changes"),
    (None, "Reported done.", "status", "Choose open, in progress, met or dropped."),
    ("in_progress", "Again.", "status", "The commitment is in progress already."),
])
def test_a_status_change_needs_a_new_status_and_a_note(sign_in, status, note, field_name,
                                                       message):
    client = sign_in(CHAIR_COALITION)
    platform = commitment("¶5.1")
    assert platform.status == "in_progress"
    form = open_form(client, f"/commitments/{platform.id}/status").set("note", note)
    if status:
        form.set("status", status)
    before = (count(CommitmentStatusChange), count(AuditEvent))
    response = form.submit(client)
    assert response.status_code == 400
    page = text_of(response)
    assert f'id="{field_name}-error"' in page and message in words(page)
    assert (count(CommitmentStatusChange), count(AuditEvent)) == before
    assert stored("¶5.1").status == "in_progress"


# --- two people at once ----------------------------------------------------------------------


def test_a_save_over_a_newer_change_is_refused_and_keeps_what_was_typed(sign_in, app):
    platform = commitment("¶5.1")
    chair = sign_in(CHAIR_COALITION)
    secretariat = app.test_client()
    assert login(secretariat, SECRETARIAT).status_code == 302
    mine = open_form(chair, f"/commitments/{platform.id}/edit")
    theirs = open_form(secretariat, f"/commitments/{platform.id}/edit")

    theirs.set("title", "Ports platform: the secretariat's words")
    assert theirs.submit(secretariat).status_code == 303
    mine.set("title", "Ports platform: the chair's words")
    response = mine.submit(chair)
    assert response.status_code == 409
    page = words(response)
    assert "Someone else changed this commitment after you opened this form" in page
    assert "Saved in the meantime Title Ports platform: the secretariat's words" in page
    assert stored("¶5.1").title == "Ports platform: the secretariat's words"

    # The page keeps the chair's words, now against what is saved: saving again keeps them.
    again = read_form(text_of(response), mine.action)
    assert again.values["title"] == ["Ports platform: the chair's words"]
    assert again.submit(chair).status_code == 303
    assert stored("¶5.1").title == "Ports platform: the chair's words"


def test_a_status_change_from_an_old_page_is_refused(sign_in):
    client = sign_in(CHAIR_COALITION)
    platform = commitment("¶5.1")
    form = open_form(client, f"/commitments/{platform.id}/status")
    ops.update_commitment(platform, ops.CommitmentTerms(
        title="Renamed meanwhile", theme_id=platform.theme_id,
        lead_ids=tuple(p.id for p in platform.leads)), by=person(SECRETARIAT))
    db.session.commit()
    form.set("status", "met").set("note", "Reported met.")
    response = form.submit(client)
    assert response.status_code == 409
    assert "Someone else changed this commitment" in words(response)
    assert stored("¶5.1").status == "in_progress"
    assert read_form(text_of(response), form.action).values["note"] == ["Reported met."]


# --- the agenda built afterwards -------------------------------------------------------------


def test_the_next_agenda_reviews_the_new_commitment_and_not_a_dropped_one(sign_in):
    client = sign_in(CHAIR_COALITION)
    assert add_by_hand(client).status_code == 303
    added = db.session.scalar(select(Commitment).where(Commitment.quote == PARTNERS))
    dropped = commitment("¶6.2")
    form = open_form(client, f"/commitments/{dropped.id}/status")
    form.choose("status", "Dropped").set("note", "Taken over by the EU's asset recovery work.")
    assert form.submit(client).status_code == 303

    agendas.build_agenda(antwerp(), actor=person(CHAIR_COALITION))
    db.session.commit()
    reviewed = set(db.session.scalars(select(AgendaItem.commitment_id).where(
        AgendaItem.agenda.has(meeting_id=antwerp().id))))
    assert added.id in reviewed
    assert dropped.id not in reviewed


# --- the operations -----------------------------------------------------------------------------


def _terms(**changes) -> ops.CommitmentTerms:
    return ops.CommitmentTerms(**{"title": "A commitment", **changes})


def test_commitments_are_numbered_in_document_order_without_counting_as_edits(demo):
    dialogue_ = coalition()
    section = section_saying("Both countries are important partners")
    others = {c.id: c.updated_at for c in db.session.scalars(
        select(Commitment).where(Commitment.dialogue_id == dialogue_.id))}
    added = ops.create_commitment(dialogue_, section=section, quote=PARTNERS,
                                  terms=_terms(), by=person(SECRETARIAT))
    db.session.commit()
    db.session.expire_all()
    ordered = db.session.scalars(select(Commitment).where(
        Commitment.dialogue_id == dialogue_.id).order_by(Commitment.position)).all()
    assert [c.position for c in ordered] == list(range(1, len(ordered) + 1))

    def place(c: Commitment) -> tuple:
        return (c.section.document.issued_on, c.section.document_id, c.section.position,
                c.section.text.find(c.quote))

    assert [place(c) for c in ordered] == sorted(place(c) for c in ordered)
    assert ordered.index(db.session.get(Commitment, added.id)) \
        == ordered.index(commitment(f"{section.label}.1")) - 1
    # Renumbering moved others, but none of them counts as changed.
    assert {c.id: c.updated_at for c in ordered if c.id != added.id} == others


def test_the_import_sets_commitments_down_with_the_same_operation(sign_in):
    section = section_saying("Both countries are important partners")
    added = ops.create_commitment(coalition(), section=section, quote=PARTNERS,
                                  terms=_terms(title="Expertise of Italy and Germany"),
                                  by=person(SECRETARIAT), via="accepted from the import")
    db.session.commit()
    page = words(sign_in(DELEGATE_NL).get(f"/commitments/{added.id}"))
    assert "Accepted from the import: Expertise of Italy and Germany" in page


@pytest.mark.parametrize(("terms", "field_name"), [
    ({"theme_id": 2**40}, "theme"),
    ({"theme_id": -1}, "theme"),
    ({"lead_ids": (0,)}, "leads"),
    ({"title": ""}, "title"),
])
def test_the_operations_refuse_bad_terms_and_change_nothing(demo, terms, field_name):
    platform = commitment("¶5.1")
    before = (platform.title, platform.theme_id, platform.updated_at)
    with pytest.raises(InvalidInput) as refused:
        ops.update_commitment(platform, _terms(**terms), by=None)
    assert field_name in refused.value.errors
    db.session.rollback()
    assert (stored("¶5.1").title, stored("¶5.1").theme_id, stored("¶5.1").updated_at) == before


def test_saving_what_is_stored_changes_nothing_however_old_the_form(demo):
    platform = commitment("¶5.1")
    same = ops.CommitmentTerms(title=platform.title, theme_id=platform.theme_id,
                               lead_ids=tuple(p.id for p in platform.leads),
                               target_date=platform.target_date)
    events = count(AuditEvent)
    ops.update_commitment(platform, same, by=None,
                          expected_updated_at=utcnow() - timedelta(days=400))
    db.session.commit()
    assert count(AuditEvent) == events


def test_an_archived_dialogue_refuses_new_commitments_and_changes(sign_in):
    dialogue_ = coalition()
    dialogue_.archived_at = utcnow()
    db.session.commit()
    platform = commitment("¶5.1")
    with pytest.raises(InvalidInput) as refused:
        ops.change_status(platform, status="met", note="Done.", by=None)
    assert "archived" in refused.value.errors["dialogue"]
    db.session.rollback()
    client = sign_in(CHAIR_COALITION)
    assert client.get(f"/dialogues/{dialogue_.id}/commitments/new").status_code == 403
    assert client.get(f"/commitments/{platform.id}/edit").status_code == 403
    page = text_of(client.get(f"/commitments/{platform.id}"))
    assert f"/commitments/{platform.id}/status" not in page


def test_observers_and_outsiders_cannot_add(sign_in, app):
    observer = sign_in(OBSERVER_EUROPOL)
    assert observer.get(f"/dialogues/{coalition().id}/commitments/new").status_code == 403
    assert observer.get(f"/commitments/{commitment('¶5.1').id}/status").status_code == 403
