"""Commitments: read one, add one by hand, change its terms or its status. The rules
are planner.commitments.operations, as on the pages."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from flask import url_for

from planner.access import can_manage, dialogue_or_404, require
from planner.api import present
from planner.api import schemas as s
from planner.api.etags import check_if_match, etag
from planner.api.problems import Problem, field_error
from planner.api.spec import Reply, route
from planner.api.views.common import person
from planner.commitments import operations as ops
from planner.extensions import db
from planner.models import Commitment, Dialogue, DocumentSection
from planner.validation import InvalidInput

# The operations' field names, as the API spells them.
FIELDS = {"section": "section_id", "theme": "theme_id", "leads": "lead_ids"}
EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


def _version(commitment: Commitment) -> str:
    # Commitments carry no version counter: their last change, to the microsecond, is one.
    return etag("commitment", (commitment.updated_at - EPOCH) // timedelta(microseconds=1))


def _one(commitment_id: int) -> Commitment:
    commitment = ops.commitment_for(person(), commitment_id)
    if commitment is None:
        raise Problem(404)
    return commitment


def _reply(commitment_id: int) -> Reply:
    commitment = _one(commitment_id)
    return Reply(present.commitment(commitment), headers={"ETag": _version(commitment)})


def _changing(dialogue: Dialogue) -> None:
    # 403 with the reason: not the chair or the secretariat, or the dialogue is archived.
    require(can_manage(person(), dialogue.id), ops.MANAGERS_ONLY)


def _conflict() -> Problem:
    return Problem(409, "Someone else changed this commitment at the same moment; nothing "
                        "was saved. Read it again, and apply your change to that.")


@route("GET", "/commitments/{commitment_id}", summary="One commitment", tag="Commitments",
       response=s.CommitmentOut, etag=True)
def get_commitment(commitment_id: int):
    return _reply(commitment_id)


@route("POST", "/dialogues/{dialogue_id}/commitments", summary="Add a commitment by hand",
       tag="Commitments", body=s.CommitmentIn, response=s.CommitmentOut, status=201,
       etag=True, problems=(403, 422), fields=FIELDS)
def create_commitment(dialogue_id: int, body: s.CommitmentIn):
    """Traced to `section_id`, a section of one of the dialogue's founding documents,
    whose own words `quote` must be. It starts open. The secretariat's and the chair's."""
    dialogue = dialogue_or_404(person(), dialogue_id)
    _changing(dialogue)
    commitment = ops.create_commitment(
        dialogue, section=db.session.get(DocumentSection, body.section_id), quote=body.quote,
        terms=ops.CommitmentTerms(title=body.title, theme_id=body.theme_id,
                                  lead_ids=tuple(body.lead_ids),
                                  target_date=body.target_date),
        by=person(),
    )
    db.session.commit()
    reply = _reply(commitment.id)
    reply.headers["Location"] = url_for("api.v1.get_commitment", commitment_id=commitment.id)
    return reply


@route("PATCH", "/commitments/{commitment_id}", summary="Change a commitment or its status",
       tag="Commitments", body=s.CommitmentPatchIn, response=s.CommitmentOut, etag=True,
       if_match="optional", problems=(403, 409, 422), fields=FIELDS)
def update_commitment(commitment_id: int, body: s.CommitmentPatchIn):
    """Change any of `title`, `theme_id`, `lead_ids`, `target_date` (null clears the
    theme or the target date), and the `status` with a `note` saying why: both are
    saved together, or neither. The section and the quote stay, as the document has
    them. Send If-Match with its ETag to be sure nobody changed it since you read it."""
    commitment = _one(commitment_id)
    _changing(commitment.dialogue)
    check_if_match(_version(commitment))
    given = body.model_fields_set
    if not given:
        message = "Say what to change."
        raise Problem(400, message, errors=[field_error("body", message)])
    if "note" in given and "status" not in given:
        raise InvalidInput.on("status", "A note goes with a status change: give the status.")
    if "status" in given and body.status is None:
        raise InvalidInput.on("status", "Choose open, in progress, met or dropped.")
    # Both changes are checked, so that the answer names every field that is wrong;
    # InvalidInput rolls back whatever the other one changed.
    seen: datetime | None = commitment.updated_at
    errors: dict[str, str] = {}
    try:
        if given & {"title", "theme_id", "lead_ids", "target_date"}:
            try:
                ops.update_commitment(commitment, _terms(commitment, body, given),
                                      by=person(), expected_updated_at=seen)
                if commitment.updated_at != seen:
                    seen = None  # checked and held: the status change follows this one
            except InvalidInput as error:
                errors.update(error.errors)
        if "status" in given:
            try:
                ops.change_status(commitment, status=body.status or "", note=body.note or "",
                                  by=person(), expected_updated_at=seen)
            except InvalidInput as error:
                errors.update(error.errors)
    except ops.CommitmentConflict:
        raise _conflict() from None
    if errors:
        raise InvalidInput(errors)
    db.session.commit()
    return _reply(commitment_id)


def _terms(commitment: Commitment, body: s.CommitmentPatchIn,
           given: set[str]) -> ops.CommitmentTerms:
    """The terms as stored, with what the body changes."""
    return ops.CommitmentTerms(
        title=(body.title or "") if "title" in given else commitment.title,
        theme_id=body.theme_id if "theme_id" in given else commitment.theme_id,
        lead_ids=tuple(body.lead_ids or ()) if "lead_ids" in given
        else tuple(p.id for p in commitment.leads),
        target_date=body.target_date if "target_date" in given else commitment.target_date,
    )
