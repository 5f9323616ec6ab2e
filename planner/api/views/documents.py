"""Founding documents: the import (text or file) that answers the proposed commitments,
and the review of those candidates. The secretariat's; members read the documents."""

from __future__ import annotations

import base64
import binascii

from flask import url_for
from sqlalchemy import select

from planner.access import can_schedule, dialogue_or_404, require
from planner.api import present
from planner.api import schemas as s
from planner.api.problems import Problem, field_error
from planner.api.spec import Reply, route
from planner.api.views.common import person
from planner.documents import operations as ops
from planner.documents.views import SECRETARIAT_ONLY
from planner.extensions import db
from planner.models import CommitmentCandidate, SourceDocument

FIELDS = {"text": "text", "file": "file", "merge_with": "with_id", "theme": "theme_id",
          "leads": "lead_ids"}


def _document(document_id: int) -> SourceDocument:
    document = db.session.get(SourceDocument, document_id)
    if document is None:
        raise Problem(404)
    dialogue_or_404(person(), document.dialogue_id)
    return document


def _candidate(candidate_id: int) -> CommitmentCandidate:
    candidate = db.session.get(CommitmentCandidate, candidate_id)
    if candidate is None:
        raise Problem(404)
    _document(candidate.document_id)
    require(can_schedule(person(), candidate.document.dialogue_id), SECRETARIAT_ONLY)
    return candidate


def _candidate_out(row: CommitmentCandidate) -> s.CommitmentCandidateOut:
    return s.CommitmentCandidateOut(
        id=row.id, document_id=row.document_id, section_label=row.section.label,
        quote=row.quote, title=row.title,
        theme=s.ThemeOut(id=row.theme.id, code=row.theme.code, name=row.theme.name)
        if row.theme else None,
        new_theme=row.theme_name, lead_ids=list(row.lead_ids), status=row.status,
        commitment_id=row.commitment_id, merged_into_id=row.merged_into_id,
    )


def _document_out(row: SourceDocument) -> s.DocumentDetailOut:
    return s.DocumentDetailOut(
        id=row.id, dialogue_id=row.dialogue_id, kind=row.kind, title=row.title,
        place=row.place, issued_on=row.issued_on, published_on=row.published_on,
        source_filename=row.source_filename,
        sections=[s.DocumentSectionOut(id=x.id, label=x.label, heading=x.heading, text=x.text)
                  for x in row.sections],
        candidates=[_candidate_out(c) for c in ops.candidates_of(row)],
        url=url_for("documents.show", document_id=row.id, _external=True),
    )


@route("GET", "/dialogues/{dialogue_id}/documents", summary="A dialogue's founding documents",
       tag="Documents", query=s.PageQuery, response=s.Page[s.DocumentOut])
def list_documents(dialogue_id: int, query: s.PageQuery):
    dialogue = dialogue_or_404(person(), dialogue_id)
    rows = select(SourceDocument).where(SourceDocument.dialogue_id == dialogue.id).order_by(
        SourceDocument.issued_on, SourceDocument.id)
    return present.page_of(rows, query, present.document, s.Page[s.DocumentOut])


@route("POST", "/dialogues/{dialogue_id}/documents",
       summary="Import a founding document: its sections and proposed commitments",
       tag="Documents", body=s.DocumentIn, response=s.DocumentDetailOut, status=201,
       problems=(403, 422), fields=FIELDS)
def import_document(dialogue_id: int, body: s.DocumentIn):
    """The text is split into the sections the document numbers (I, II …; 1, 2 …; or
    its paragraphs ¶1, ¶2 …) and the sentences that undertake something come back as
    `candidates`, each `proposed` until you accept or reject it (PATCH
    /candidates/{id}). Nothing becomes a commitment until it is accepted."""
    dialogue = dialogue_or_404(person(), dialogue_id)
    require(can_schedule(person(), dialogue.id), SECRETARIAT_ONLY)
    upload = None
    if body.file is not None:
        try:
            data = base64.b64decode(body.file.content_base64, validate=True)
        except (binascii.Error, ValueError):
            message = "content_base64 is not base64: encode the file's bytes."
            raise Problem(422, message,
                          errors=[field_error("file.content_base64", message)]) from None
        upload = ops.Upload(body.file.filename, data)
    document = ops.import_document(
        dialogue, ops.DocumentDetails(kind=body.kind, title=body.title, place=body.place,
                                      issued_on=body.issued_on,
                                      published_on=body.published_on),
        text=body.text, upload=upload, by=person())
    db.session.commit()
    return Reply(_document_out(document), headers={
        "Location": url_for("api.v1.get_document", document_id=document.id)})


@route("GET", "/documents/{document_id}", summary="One document: sections and candidates",
       tag="Documents", response=s.DocumentDetailOut)
def get_document(document_id: int):
    return _document_out(_document(document_id))


@route("PATCH", "/candidates/{candidate_id}", summary="Edit, accept or reject a candidate",
       tag="Documents", body=s.CandidatePatchIn, response=s.CommitmentCandidateOut,
       problems=(403, 422), fields=FIELDS)
def update_candidate(candidate_id: int, body: s.CandidatePatchIn):
    """Accepting makes the commitment (its `commitment_id` is in the answer), quoting
    the document's own words; `new_theme` makes a theme of that name on acceptance."""
    candidate = _candidate(candidate_id)
    given = body.model_fields_set
    if not given:
        message = "Say what to change."
        raise Problem(400, message, errors=[field_error("body", message)])
    terms = ops.CandidateTerms(
        title=body.title if body.title is not None else candidate.title,
        theme_id=body.theme_id if "theme_id" in given else (
            None if "new_theme" in given else candidate.theme_id),
        theme_name=body.new_theme or "" if "new_theme" in given else (
            "" if "theme_id" in given else candidate.theme_name),
        lead_ids=tuple(body.lead_ids if body.lead_ids is not None else candidate.lead_ids),
        target_date=body.target_date)
    if body.status == "accepted":
        ops.accept_candidate(candidate, terms, by=person())
    elif body.status == "rejected":
        ops.reject_candidate(candidate, by=person())
    elif body.status == "proposed":
        ops.restore_candidate(candidate, by=person())
    else:
        ops.update_candidate(candidate, terms, by=person())
    db.session.commit()
    return _candidate_out(candidate)


@route("POST", "/candidates/{candidate_id}/merge", summary="Merge two candidates into one",
       tag="Documents", body=s.CandidateMergeIn, response=s.CommitmentCandidateOut,
       problems=(403, 422), fields=FIELDS)
def merge_candidates(candidate_id: int, body: s.CandidateMergeIn):
    """Two sentences of one section that make one commitment: the candidate then quotes
    the section from the first to the end of the second; `with_id` is marked merged."""
    candidate = _candidate(candidate_id)
    other = db.session.get(CommitmentCandidate, body.with_id)
    if other is None or other.document_id != candidate.document_id:
        message = "Choose a candidate of the same document."
        raise Problem(422, message, errors=[field_error("with_id", message)])
    ops.merge_candidates(candidate, other, by=person())
    db.session.commit()
    return _candidate_out(candidate)
