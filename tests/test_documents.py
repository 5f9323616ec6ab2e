"""Founding documents: the secretariat imports a statement (pasted, or uploaded as .txt,
.docx or .pdf), reviews the commitments it proposes, and only what it accepts becomes a
commitment, quoting the document's own words. The same through the API."""

from __future__ import annotations

import base64
import io
import re

import docx
import pytest
from sqlalchemy import func, select
from werkzeug.datastructures import FileStorage
from werkzeug.test import encode_multipart

from planner.demo import content, statements
from planner.extensions import db
from planner.models import (
    AuditEvent,
    CandidateStatus,
    Commitment,
    CommitmentCandidate,
    Dialogue,
    SourceDocument,
    Theme,
)
from tests.api_support import api_as, dialogue_id, invalid_fields
from tests.conftest import CHAIR_COALITION, SECRETARIAT, csrf_token

# A short statement of the UK–Albania kind: a heading per priority, and two undertakings.
STATEMENT = """Joint statement on border security

Introduction

The Participants acknowledge the importance of their cooperation.

I. Border security

The Participants agree to exchange liaison officers at their main airports. They recall the
agreement of 2019.

II. Delivery

The Participants will meet twice a year to review progress.

For the Ministry of Interior
"""


def counts() -> tuple[int, int, int]:
    return (db.session.scalar(select(func.count()).select_from(SourceDocument)),
            db.session.scalar(select(func.count()).select_from(CommitmentCandidate)),
            db.session.scalar(select(func.count()).select_from(Commitment)))


def commitments_of(dialogue: Dialogue) -> int:
    return db.session.scalar(select(func.count()).select_from(Commitment).where(
        Commitment.dialogue_id == dialogue.id))


def form_for(client, path: str, **values) -> dict:
    data = {"csrf_token": csrf_token(client, path), "kind": "statement",
            "title": "Joint statement on border security", "place": "Tirana",
            "issued_on": "2026-03-02", "published_on": "", "text": ""}
    data.update(values)
    return data


def docx_bytes(text: str) -> bytes:
    document = docx.Document()
    for paragraph in text.split("\n\n"):
        document.add_paragraph(" ".join(paragraph.split()))
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


@pytest.fixture
def ukal(demo) -> Dialogue:
    return db.session.get(Dialogue, dialogue_id("uk-albania"))


def test_secretariat_imports_pasted_text_and_reviews_what_it_proposes(sign_in, ukal):
    client = sign_in(SECRETARIAT)
    path = f"/dialogues/{ukal.id}/documents/new"
    response = client.post(path, data=form_for(client, path, text=STATEMENT))
    assert response.status_code == 302
    review = client.get(response.headers["Location"])
    page = review.get_data(as_text=True)
    quotes = re.findall(r"“([^”]+)”", page)
    assert quotes == [
        "The Participants agree to exchange liaison officers at their main airports.",
        "The Participants will meet twice a year to review progress.",
    ]  # recalling an agreement is not undertaking something

    document = db.session.scalar(select(SourceDocument).where(
        SourceDocument.title == "Joint statement on border security"))
    assert [s.label for s in document.sections] == ["Intro", "I", "II"]
    assert document.sections[1].heading == "Border security"
    first, second = document.candidates
    # Nothing is a commitment before it is accepted.
    assert commitments_of(ukal) == len(content.UK_ALBANIA_COMMITMENTS)

    token = csrf_token(client, f"/documents/{document.id}/review")
    accepted = client.post(f"/candidates/{first.id}", data={
        "csrf_token": token, "action": "accept", f"c{first.id}-title": "Liaison officers",
        f"c{first.id}-theme": f"new:{first.theme_name}",
        f"c{first.id}-leads": [str(m.participant_id) for m in ukal.memberships]})
    assert accepted.status_code == 302
    rejected = client.post(f"/candidates/{second.id}", data={
        "csrf_token": token, "action": "reject"})
    assert rejected.status_code == 302
    page = client.get(accepted.headers["Location"]).get_data(as_text=True)
    assert "Accepted" in page and "Rejected" in page

    db.session.expire_all()
    assert commitments_of(ukal) == len(content.UK_ALBANIA_COMMITMENTS) + 1
    commitment = db.session.scalar(select(Commitment).where(
        Commitment.title == "Liaison officers"))
    assert commitment.quote == ("The Participants agree to exchange liaison officers at "
                                "their main airports.")
    assert commitment.quote in document.source_text.replace("\n", " ")
    # Section I of the statement already numbers UK–Albania's I.1 and I.2: this
    # document's own I is told apart by its year.
    assert commitment.section.label == "I" and commitment.reference == "2026/I.1"
    # The section's heading became a theme of the dialogue (not numbered I: the
    # dialogue's illicit finance theme is).
    assert commitment.theme.label == "Border security"
    assert {p.short_name for p in commitment.leads} == {"UK", "AL"}
    assert db.session.get(CommitmentCandidate, second.id).status == CandidateStatus.REJECTED
    actions = set(db.session.scalars(select(AuditEvent.action).where(
        AuditEvent.dialogue_id == ukal.id)))
    assert {"document.imported", "commitment.created", "candidate.rejected",
            "theme.created"} <= actions


def test_an_uploaded_docx_is_split_like_the_pasted_text(sign_in, ukal):
    client = sign_in(SECRETARIAT)
    path = f"/dialogues/{ukal.id}/documents/new"
    data = form_for(client, path, file=(io.BytesIO(docx_bytes(STATEMENT)), "statement.docx"))
    response = client.post(path, data=data, content_type="multipart/form-data")
    assert response.status_code == 302, response.get_data(as_text=True)
    document = db.session.scalar(select(SourceDocument).where(
        SourceDocument.source_filename == "statement.docx"))
    assert [s.label for s in document.sections] == ["Intro", "I", "II"]
    assert len(document.candidates) == 2
    shown = client.get(f"/documents/{document.id}").get_data(as_text=True)
    assert "Imported from" in shown and "statement.docx" in shown


@pytest.mark.parametrize(("upload", "field", "message"), [
    ((b"", "empty.txt"), "file", "empty"),
    ((b"PK\x03\x04 this is no word document", "statement.docx"), "file", ".docx"),
    ((b"%PDF-1.4 not really", "statement.pdf"), "file", "PDF"),
    ((b"hello", "statement.odt"), "file", ".docx"),
])
def test_an_upload_that_cannot_be_read_is_refused_next_to_the_field(
        sign_in, ukal, upload, field, message):
    client = sign_in(SECRETARIAT)
    path = f"/dialogues/{ukal.id}/documents/new"
    before = counts()
    data = form_for(client, path, file=(io.BytesIO(upload[0]), upload[1]))
    response = client.post(path, data=data, content_type="multipart/form-data")
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    error = re.search(rf'id="{field}-error">(.*?)</p>', page, re.S)
    assert error and message.lower() in error.group(1).lower(), page[:3000]
    assert counts() == before


def test_a_twenty_megabyte_upload_is_refused_with_a_message_not_an_error_page(sign_in, ukal):
    client = sign_in(SECRETARIAT)
    path = f"/dialogues/{ukal.id}/documents/new"
    before = counts()
    big = io.BytesIO(b"The Participants will meet. " * (20 * 1024 * 1024 // 28))
    # Encoded in memory: the test client's own encoding would leave a temporary file open.
    boundary, body = encode_multipart(form_for(client, path, file=FileStorage(big, "big.txt")))
    response = client.post(path, data=body,
                           content_type=f"multipart/form-data; boundary={boundary}")
    assert response.status_code == 400
    error = re.search(r'id="file-error">(.*?)</p>', response.get_data(as_text=True), re.S)
    assert error and "MB" in error.group(1)
    assert counts() == before


def test_missing_details_are_named_and_nothing_is_saved(sign_in, ukal):
    client = sign_in(SECRETARIAT)
    path = f"/dialogues/{ukal.id}/documents/new"
    before = counts()
    response = client.post(path, data=form_for(client, path, title="", issued_on="",
                                               text=""))
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    for field in ("title", "issued_on", "text"):
        assert f'id="{field}-error"' in page
    # A title the dialogue's statement has already.
    existing = ukal.documents[0].title
    response = client.post(path, data=form_for(client, path, title=existing, text=STATEMENT))
    assert response.status_code == 400
    assert "already" in re.search(r'id="title-error">(.*?)</p>',
                                  response.get_data(as_text=True), re.S).group(1)
    assert counts() == before


def test_saving_an_edit_keeps_the_candidate_a_proposal(sign_in, ukal):
    client = sign_in(SECRETARIAT)
    path = f"/dialogues/{ukal.id}/documents/new"
    client.post(path, data=form_for(client, path, text=STATEMENT))
    document = db.session.scalar(select(SourceDocument).where(
        SourceDocument.title == "Joint statement on border security"))
    first = document.candidates[0]
    review = f"/documents/{document.id}/review"
    token = csrf_token(client, review)
    empty = client.post(f"/candidates/{first.id}", data={
        "csrf_token": token, "action": "save", f"c{first.id}-title": " ",
        f"c{first.id}-theme": ""})
    assert empty.status_code == 400
    assert re.search(rf'id="c{first.id}-title-error">.*?Enter a short title',
                     empty.get_data(as_text=True), re.S)
    saved = client.post(f"/candidates/{first.id}", data={
        "csrf_token": token, "action": "save", f"c{first.id}-title": "Airport liaison",
        f"c{first.id}-theme": ""})
    assert saved.status_code == 302
    db.session.expire_all()
    candidate = db.session.get(CommitmentCandidate, first.id)
    assert (candidate.title, candidate.status, candidate.theme_name) == (
        "Airport liaison", CandidateStatus.PROPOSED, "")
    assert commitments_of(ukal) == len(content.UK_ALBANIA_COMMITMENTS)


def test_merging_two_sentences_quotes_the_document_from_one_to_the_other(sign_in, ukal):
    client = sign_in(SECRETARIAT)
    path = f"/dialogues/{ukal.id}/documents/new"
    text = ("Statement\n\nI. Cooperation\n\nThe Participants will set up a joint team. "
            "They will report to the ministers every year.\n")
    client.post(path, data=form_for(client, path, title="Team statement", text=text))
    document = db.session.scalar(select(SourceDocument).where(
        SourceDocument.title == "Team statement"))
    first, second = document.candidates
    review = f"/documents/{document.id}/review"
    response = client.post(f"/candidates/{first.id}", data={
        "csrf_token": csrf_token(client, review), "action": "merge",
        f"c{first.id}-merge_with": str(second.id)})
    assert response.status_code == 302
    db.session.expire_all()
    merged = db.session.get(CommitmentCandidate, first.id)
    assert merged.quote == ("The Participants will set up a joint team. They will "
                            "report to the ministers every year.")
    assert db.session.get(CommitmentCandidate, second.id).status == CandidateStatus.MERGED


def test_only_the_secretariat_imports(sign_in, demo):
    client = sign_in(CHAIR_COALITION)
    coalition = dialogue_id("coalition")
    assert client.get(f"/dialogues/{coalition}/documents").status_code == 200
    assert client.get(f"/dialogues/{coalition}/documents/new").status_code == 403


# --- the API ---------------------------------------------------------------------------


def test_api_imports_a_file_and_answers_its_candidates(app, demo):
    api = api_as(app, SECRETARIAT)
    coalition = dialogue_id("coalition")
    body = {"kind": "statement", "title": "Liaison statement", "place": "Rome",
            "issued_on": "2026-05-04",
            "file": {"filename": "liaison.docx",
                     "content_base64": base64.b64encode(docx_bytes(STATEMENT)).decode()}}
    response = api.post(f"/api/v1/dialogues/{coalition}/documents", json=body)
    assert response.status_code == 201, response.get_json()
    document = response.get_json()
    assert response.headers["Location"].endswith(f"/documents/{document['id']}")
    assert [s["label"] for s in document["sections"]] == ["Intro", "I", "II"]
    assert [c["status"] for c in document["candidates"]] == ["proposed", "proposed"]
    first, second = document["candidates"]
    assert first["new_theme"] == "Border security"

    accepted = api.patch(f"/api/v1/candidates/{first['id']}", json={
        "status": "accepted", "title": "Liaison officers at airports"})
    assert accepted.status_code == 200, accepted.get_json()
    commitment = db.session.get(Commitment, accepted.get_json()["commitment_id"])
    assert commitment.title == "Liaison officers at airports"
    assert commitment.quote == first["quote"]
    edited = api.patch(f"/api/v1/candidates/{second['id']}", json={"title": "Twice a year"})
    assert edited.get_json()["title"] == "Twice a year"
    assert edited.get_json()["status"] == "proposed"
    again = api.patch(f"/api/v1/candidates/{first['id']}", json={"status": "rejected"})
    assert again.status_code == 422 and "status" in invalid_fields(again)
    listed = api.get(f"/api/v1/dialogues/{coalition}/documents").get_json()
    assert "Liaison statement" in [d["title"] for d in listed["items"]]


def test_api_names_the_field_of_bad_input_and_saves_nothing(app, demo):
    api = api_as(app, SECRETARIAT)
    coalition = dialogue_id("coalition")
    before = counts()
    scan = api.post(f"/api/v1/dialogues/{coalition}/documents", json={
        "kind": "statement", "title": "Scan", "issued_on": "2026-05-04",
        "file": {"filename": "scan.docx", "content_base64": base64.b64encode(
            b"not a word document").decode()}})
    assert scan.status_code == 422 and invalid_fields(scan) == {"file"}
    nothing = api.post(f"/api/v1/dialogues/{coalition}/documents", json={
        "kind": "statement", "title": "Nothing", "issued_on": "2026-05-04"})
    assert nothing.status_code == 422 and invalid_fields(nothing) == {"text"}
    assert counts() == before


def test_api_import_is_the_secretariats(app, demo):
    coalition = dialogue_id("coalition")
    body = {"kind": "statement", "title": "X", "issued_on": "2026-05-04", "text": STATEMENT}
    chair = api_as(app, CHAIR_COALITION).post(f"/api/v1/dialogues/{coalition}/documents",
                                              json=body)
    assert chair.status_code == 403


def test_demo_statements_are_imported_and_reviewed(demo):
    """The demo is set up through the import: its statements' text is kept, split into
    their sections, and the commitments are accepted candidates."""
    for slug, source, labels in (
        ("uk-albania", statements.UK_ALBANIA, ["Intro", "I", "II", "III", "IV", "V"]),
        ("coalition", statements.COALITION, [f"¶{n}" for n in range(1, 8)]),
    ):
        dialogue = db.session.get(Dialogue, dialogue_id(slug))
        (document,) = dialogue.documents
        assert document.source_text.split() == statements.read(source).split()
        assert [s.label for s in document.sections] == labels
        accepted = [c for c in document.candidates if c.status == CandidateStatus.ACCEPTED]
        assert sorted(c.commitment_id for c in accepted) == sorted(
            c.id for c in dialogue.commitments)
        assert not [c for c in document.candidates if c.status == CandidateStatus.PROPOSED]
    themes = db.session.scalars(select(Theme.name).where(
        Theme.dialogue_id == dialogue_id("uk-albania"))).all()
    assert "Illicit finance" in themes
