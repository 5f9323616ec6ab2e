"""Founding documents: importing a statement into a dialogue (its text, its sections and
the commitments it proposes), and the secretariat's review of those candidates.

Nothing becomes a commitment until the secretariat accepts a candidate; an accepted one is
set down by `commitments.operations.create_commitment`, the same operation as a
commitment added by hand, so its quote is checked against the section once more."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import func, select

from planner import audit
from planner.commitments import operations as commitments
from planner.dialogues.operations import create_theme, require_open
from planner.documents import importer
from planner.extensions import db
from planner.models import (
    CandidateStatus,
    CommitmentCandidate,
    Dialogue,
    DocumentKind,
    DocumentSection,
    MembershipRole,
    Person,
    SourceDocument,
    Theme,
)
from planner.participants.operations import country_name
from planner.validation import InvalidInput

MAX_TITLE = 300
MAX_PLACE = 120
MAX_FILENAME = 200
ROMAN = frozenset("IVXLC")


@dataclass(frozen=True)
class DocumentDetails:
    kind: str
    title: str
    place: str = ""
    issued_on: date | None = None
    published_on: date | None = None


@dataclass(frozen=True)
class Upload:
    filename: str
    data: bytes


def _check_details(dialogue: Dialogue, details: DocumentDetails) -> dict[str, str]:
    errors: dict[str, str] = {}
    if details.kind not in tuple(DocumentKind):
        errors["kind"] = "Choose a statement, an action plan or a communiqué."
    title = " ".join(details.title.split())
    if not title:
        errors["title"] = "Enter the document's title, as it is published."
    elif len(title) > MAX_TITLE:
        errors["title"] = f"Keep the title to {MAX_TITLE} characters."
    elif db.session.scalar(select(SourceDocument.id).where(
            SourceDocument.dialogue_id == dialogue.id,
            func.lower(SourceDocument.title) == title.lower())) is not None:
        errors["title"] = "This dialogue has a document of this title already."
    if len(details.place.strip()) > MAX_PLACE:
        errors["place"] = f"Keep the place to {MAX_PLACE} characters."
    if details.issued_on is None:
        errors["issued_on"] = "Enter the date the document was agreed or signed."
    elif details.published_on is not None and details.published_on < details.issued_on:
        errors["published_on"] = "It was published on or after the day it was agreed."
    return errors


def _read(text: str, upload: Upload | None) -> str:
    """The document's text, from the upload if there is one, else as pasted."""
    if upload is not None and upload.data:
        return importer.read_upload(upload.filename[-MAX_FILENAME:], upload.data)
    if upload is not None and upload.filename:
        raise InvalidInput.on("file", f"“{upload.filename}” is empty: choose the file again.")
    if not text.strip():
        raise InvalidInput.on("text", "Paste the statement's text, or upload it as a .txt, "
                                      ".docx or .pdf file.")
    return importer.clean_text(text)


def participant_names(dialogue: Dialogue) -> list[importer.ParticipantName]:
    """How a statement may name each participant of the dialogue."""
    names = []
    for membership in dialogue.memberships:
        participant = membership.participant
        known = [participant.name, participant.short_name]
        if participant.country_code:
            known.append(country_name(participant.country_code) or "")
        names.append(importer.ParticipantName(
            id=participant.id, names=tuple(n for n in known if n),
            is_member=membership.role == MembershipRole.MEMBER))
    return names


def import_document(dialogue: Dialogue, details: DocumentDetails, *, text: str = "",
                    upload: Upload | None = None, by: Person | None) -> SourceDocument:
    """Read the document, keep its text and sections, and propose its commitments."""
    require_open(dialogue)
    errors = _check_details(dialogue, details)
    content = ""
    try:
        content = _read(text, upload)
        sections = importer.split_sections(content)
    except InvalidInput as error:
        errors.update(error.errors)
    if errors:
        raise InvalidInput(errors)

    document = SourceDocument(
        dialogue=dialogue, kind=details.kind, title=" ".join(details.title.split()),
        place=details.place.strip() or None, issued_on=details.issued_on,
        published_on=details.published_on,
        source_filename=upload.filename[-MAX_FILENAME:] if upload and upload.data else "",
        source_text=content,
    )
    db.session.add(document)
    by_label = {}
    for position, parsed in enumerate(sections, start=1):
        section = DocumentSection(position=position, label=parsed.label,
                                  heading=parsed.heading, text=parsed.text)
        document.sections.append(section)
        by_label[parsed.label] = section
    themes = {t.name.lower(): t for t in dialogue.themes}
    seated = {m.participant_id for m in dialogue.memberships}
    for position, proposal in enumerate(
            importer.propose(sections, participant_names(dialogue)), start=1):
        theme = themes.get(proposal.theme.lower())
        document.candidates.append(CommitmentCandidate(
            section=by_label[proposal.section_label], position=position,
            quote=proposal.quote, title=proposal.title[:commitments.MAX_TITLE],
            theme=theme, theme_name="" if theme else proposal.theme,
            lead_ids=[i for i in proposal.lead_ids if i in seated],
            status=CandidateStatus.PROPOSED,
        ))
    db.session.flush()
    how = f"uploaded as {document.source_filename}" if document.source_filename else "pasted"
    audit.record("document.imported", document, actor=by, dialogue_id=dialogue.id,
                 summary=f"{document.title} imported ({how}): {len(document.sections)} "
                         f"sections, {len(document.candidates)} commitments proposed",
                 details={"kind": document.kind, "place": document.place or "",
                          "issued_on": document.issued_on.isoformat(),
                          "sections": [s.label for s in document.sections]})
    return document


# --- the review of the candidates -------------------------------------------------------


@dataclass(frozen=True)
class CandidateTerms:
    """The secretariat's edit of a candidate: its title, theme (an existing theme of the
    dialogue, or the name of a new one) and leads, and a target date once accepted."""

    title: str
    theme_id: int | None = None
    theme_name: str = ""
    lead_ids: tuple[int, ...] = ()
    target_date: date | None = None


def _require_proposed(candidate: CommitmentCandidate) -> None:
    if candidate.status != CandidateStatus.PROPOSED:
        raise InvalidInput.on("status", f"This candidate is {candidate.status} already.")


def _theme_of(dialogue: Dialogue, terms: CandidateTerms) -> tuple[Theme | None, str]:
    """The candidate's theme: an existing one, or a new one's name (made on acceptance)."""
    name = " ".join(terms.theme_name.split())
    if terms.theme_id is not None:
        theme = db.session.get(Theme, terms.theme_id)
        if theme is None or theme.dialogue_id != dialogue.id:
            raise InvalidInput.on("theme", "Choose one of this dialogue's themes, or none.")
        return theme, ""
    existing = next((t for t in dialogue.themes if t.name.lower() == name.lower()), None)
    return (existing, "") if existing else (None, name)


def update_candidate(candidate: CommitmentCandidate, terms: CandidateTerms, *,
                     by: Person | None) -> CommitmentCandidate:
    dialogue = candidate.document.dialogue
    require_open(dialogue)
    _require_proposed(candidate)
    theme, theme_name = _theme_of(dialogue, terms)
    # The same rules as the commitment it may become, checked now rather than on accepting.
    title, _theme, leads = commitments.check_terms(
        dialogue, commitments.CommitmentTerms(title=terms.title, theme_id=theme and theme.id,
                                              lead_ids=terms.lead_ids), candidate.document)
    candidate.title, candidate.theme, candidate.theme_name = title, theme, theme_name
    candidate.lead_ids = [p.id for p in leads]
    return candidate


def accept_candidate(candidate: CommitmentCandidate, terms: CandidateTerms, *,
                     by: Person | None) -> CommitmentCandidate:
    """The candidate becomes a commitment of the dialogue, quoting the document's own
    words; a new theme named in the review is made with it."""
    dialogue = candidate.document.dialogue
    require_open(dialogue)
    _require_proposed(candidate)
    theme, theme_name = _theme_of(dialogue, terms)
    if theme is None and theme_name:
        # Numbered as its section (I, II …) unless another theme has that number.
        label = candidate.section.label
        code = label if set(label) <= ROMAN and label not in {
            t.code for t in dialogue.themes} else ""
        theme = create_theme(dialogue, name=theme_name, code=code, by=by)
    commitment = commitments.create_commitment(
        dialogue, section=candidate.section, quote=candidate.quote,
        terms=commitments.CommitmentTerms(title=terms.title, theme_id=theme and theme.id,
                                          lead_ids=terms.lead_ids,
                                          target_date=terms.target_date),
        by=by, via=f"accepted from the import of {candidate.document.title}",
    )
    candidate.status, candidate.commitment_id = CandidateStatus.ACCEPTED, commitment.id
    candidate.title, candidate.theme, candidate.theme_name = commitment.title, theme, ""
    candidate.lead_ids = [p.id for p in commitment.leads]
    return candidate


def reject_candidate(candidate: CommitmentCandidate, *, by: Person | None) -> None:
    dialogue = candidate.document.dialogue
    require_open(dialogue)
    _require_proposed(candidate)
    candidate.status = CandidateStatus.REJECTED
    audit.record("candidate.rejected", candidate, actor=by, dialogue_id=dialogue.id,
                 summary=f"Not a commitment ({candidate.document.title}, "
                         f"{candidate.section.reference}): {candidate.quote[:200]}")


def restore_candidate(candidate: CommitmentCandidate, *, by: Person | None) -> None:
    """A rejected candidate back for review (a rejection made by mistake)."""
    dialogue = candidate.document.dialogue
    require_open(dialogue)
    if candidate.status != CandidateStatus.REJECTED:
        raise InvalidInput.on("status", "Only a rejected candidate can be put back.")
    candidate.status = CandidateStatus.PROPOSED
    audit.record("candidate.restored", candidate, actor=by, dialogue_id=dialogue.id,
                 summary=f"Back for review: {candidate.quote[:200]}")


def merge_candidates(first: CommitmentCandidate, second: CommitmentCandidate, *,
                     by: Person | None) -> CommitmentCandidate:
    """One commitment made by two sentences of the same section: the first candidate
    now quotes the section from the start of the one to the end of the other, exactly as
    written (with whatever stands between them); the second is marked merged into it."""
    dialogue = first.document.dialogue
    require_open(dialogue)
    for candidate in (first, second):
        _require_proposed(candidate)
    if first.id == second.id:
        raise InvalidInput.on("merge_with", "Choose another candidate to merge with.")
    if first.section_id != second.section_id:
        raise InvalidInput.on("merge_with", "Only candidates of the same section can be "
                                            "merged: a commitment quotes one section.")
    text = first.section.text
    spans = sorted((text.index(c.quote), text.index(c.quote) + len(c.quote))
                   for c in (first, second))
    first.quote = text[spans[0][0]:max(spans[0][1], spans[1][1])]
    second.status, second.merged_into_id = CandidateStatus.MERGED, first.id
    audit.record("candidate.merged", first, actor=by, dialogue_id=dialogue.id,
                 summary=f"Two sentences of {first.section.reference} proposed as one "
                         "commitment", details={"merged": second.id, "quote": first.quote})
    return first


def candidates_of(document: SourceDocument) -> list[CommitmentCandidate]:
    """For the review page, in the order of the document."""
    return list(db.session.scalars(
        select(CommitmentCandidate)
        .join(DocumentSection, CommitmentCandidate.section_id == DocumentSection.id)
        .where(CommitmentCandidate.document_id == document.id)
        .order_by(DocumentSection.position, CommitmentCandidate.position)))
