"""Setting up a dialogue: create it, change its settings, archive or restore it, and its
themes. The secretariat does this, and the dialogue's chair keeps its themes too (the
views and the API ask planner.access); every change is in the audit log, saved with it or
not at all. An archived dialogue is read-only: `require_open` refuses its changes."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from sqlalchemy import func, select

from planner import audit
from planner.extensions import db
from planner.models import (
    CandidateStatus,
    Classification,
    Commitment,
    CommitmentCandidate,
    Dialogue,
    DialogueLevel,
    Person,
    SourceDocument,
    Theme,
    utcnow,
)
from planner.participants.operations import known_timezone
from planner.validation import InvalidInput

MAX_NAME = 200
MAX_SHORT_NAME = 60
MAX_CADENCE = 200
MAX_DESCRIPTION = 5_000
MAX_THEME = 120
MAX_THEME_CODE = 16
MAX_REASON = 2_000


@dataclass(frozen=True)
class DialogueSettings:
    """What the secretariat says of a dialogue on its set-up page (or in the API)."""

    name: str
    short_name: str
    level: str
    cadence: str = ""
    classification: str = Classification.OFFICIAL
    venue_timezone: str = ""
    description: str = ""


def _slug(short_name: str) -> str:
    ascii_name = unicodedata.normalize("NFKD", short_name).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", ascii_name.lower()).strip("-")[:50] or "dialogue"


def _unique_slug(short_name: str, dialogue_id: int | None) -> str:
    base = _slug(short_name)
    taken = set(db.session.scalars(
        select(Dialogue.slug).where(Dialogue.slug.like(f"{base}%"),
                                    Dialogue.id != (dialogue_id or 0))
    ))
    slug, n = base, 2
    while slug in taken:
        slug, n = f"{base}-{n}", n + 1
    return slug


def _check(settings: DialogueSettings, dialogue_id: int | None) -> DialogueSettings:
    errors: dict[str, str] = {}
    name, short_name = " ".join(settings.name.split()), " ".join(settings.short_name.split())
    if not name:
        errors["name"] = "Enter the dialogue's name, as its members know it."
    elif len(name) > MAX_NAME:
        errors["name"] = f"Keep the name to {MAX_NAME} characters."
    if not short_name:
        errors["short_name"] = "Enter a short name (for lists and e-mail subjects)."
    elif len(short_name) > MAX_SHORT_NAME:
        errors["short_name"] = f"Keep the short name to {MAX_SHORT_NAME} characters."
    others = select(Dialogue).where(Dialogue.id != (dialogue_id or 0))
    if name and db.session.scalar(
            others.where(func.lower(Dialogue.name) == name.lower()).limit(1)) is not None:
        errors["name"] = "Another dialogue has this name already."
    if short_name and db.session.scalar(
            others.where(func.lower(Dialogue.short_name) == short_name.lower()).limit(1)
    ) is not None:
        errors["short_name"] = "Another dialogue has this short name already: choose another."
    if settings.level not in tuple(DialogueLevel):
        errors["level"] = "Choose the level: ministerial, senior officials or working group."
    if settings.classification not in tuple(Classification):
        errors["classification"] = "Choose OFFICIAL or OFFICIAL-SENSITIVE."
    cadence = settings.cadence.strip()
    if len(cadence) > MAX_CADENCE:
        errors["cadence"] = f"Keep the cadence to {MAX_CADENCE} characters."
    zone = settings.venue_timezone.strip()
    if zone and not known_timezone(zone):
        errors["venue_timezone"] = (f"“{zone}” is not a time zone we know: use a name "
                                    "such as Europe/Brussels.")
    description = settings.description.strip()
    if len(description) > MAX_DESCRIPTION:
        errors["description"] = f"Keep the description to {MAX_DESCRIPTION:,} characters."
    if errors:
        raise InvalidInput(errors)
    return DialogueSettings(name=name, short_name=short_name, level=settings.level,
                            cadence=cadence, classification=settings.classification,
                            venue_timezone=zone, description=description)


def _values(dialogue: Dialogue) -> dict[str, str]:
    return {"name": dialogue.name, "short_name": dialogue.short_name, "level": dialogue.level,
            "cadence": dialogue.cadence or "", "classification": dialogue.classification,
            "venue_timezone": dialogue.venue_timezone or "",
            "description": dialogue.description or ""}


def create_dialogue(settings: DialogueSettings, *, by: Person | None,
                    slug: str | None = None) -> Dialogue:
    checked = _check(settings, None)
    dialogue = Dialogue(
        name=checked.name, short_name=checked.short_name,
        slug=slug or _unique_slug(checked.short_name, None), level=checked.level,
        cadence=checked.cadence, classification=checked.classification,
        venue_timezone=checked.venue_timezone or None, description=checked.description,
    )
    db.session.add(dialogue)
    db.session.flush()
    audit.record("dialogue.created", dialogue, actor=by, dialogue_id=dialogue.id,
                 summary=f"{dialogue.name} set up", details=_values(dialogue))
    return dialogue


def update_dialogue(dialogue: Dialogue, settings: DialogueSettings, *,
                    by: Person | None) -> Dialogue:
    require_open(dialogue)
    checked = _check(settings, dialogue.id)
    before = _values(dialogue)
    dialogue.name, dialogue.short_name = checked.name, checked.short_name
    dialogue.level, dialogue.cadence = checked.level, checked.cadence
    dialogue.classification = checked.classification
    dialogue.venue_timezone = checked.venue_timezone or None
    dialogue.description = checked.description
    after = _values(dialogue)
    changed = {k for k in after if after[k] != before[k]}
    if changed:
        audit.record("dialogue.updated", dialogue, actor=by, dialogue_id=dialogue.id,
                     summary=f"{dialogue.short_name}: settings changed",
                     details={"before": {k: before[k] for k in changed},
                              "after": {k: after[k] for k in changed}})
    return dialogue


def require_open(dialogue: Dialogue) -> None:
    """The second guard behind planner.access (which refuses first, with a 403)."""
    if dialogue.is_archived:
        raise InvalidInput.on("dialogue", "This dialogue is archived: the secretariat can "
                                          "restore it.")


def archive_dialogue(dialogue: Dialogue, *, reason: str, by: Person | None) -> None:
    """Read-only from now on, out of dashboards and calendar feeds; nothing is deleted."""
    if dialogue.is_archived:
        raise InvalidInput.on("archived", "This dialogue is archived already.")
    reason = reason.strip()
    if not reason:
        raise InvalidInput.on("reason", "Say why the dialogue is archived (it is kept, "
                                        "read-only, with this note).")
    if len(reason) > MAX_REASON:
        raise InvalidInput.on("reason", f"Keep the reason to {MAX_REASON:,} characters.")
    dialogue.archived_at = utcnow()
    audit.record("dialogue.archived", dialogue, actor=by, dialogue_id=dialogue.id,
                 summary=f"{dialogue.short_name} archived: {reason[:200]}",
                 details={"reason": reason})


def restore_dialogue(dialogue: Dialogue, *, by: Person | None) -> None:
    if not dialogue.is_archived:
        raise InvalidInput.on("archived", "This dialogue is not archived.")
    dialogue.archived_at = None
    audit.record("dialogue.restored", dialogue, actor=by, dialogue_id=dialogue.id,
                 summary=f"{dialogue.short_name} restored from the archive")


# --- themes ---------------------------------------------------------------------------


def _theme_values(dialogue: Dialogue, name: str, code: str | None,
                  theme_id: int | None) -> tuple[str, str | None]:
    """The theme's name and number, checked: both unique in the dialogue."""
    errors: dict[str, str] = {}
    others = select(Theme.id).where(Theme.dialogue_id == dialogue.id,
                                    Theme.id != (theme_id or 0)).limit(1)
    name = " ".join(name.split())
    if not name:
        errors["name"] = "Enter the theme's name."
    elif len(name) > MAX_THEME:
        errors["name"] = f"Keep the theme's name to {MAX_THEME} characters."
    elif db.session.scalar(others.where(func.lower(Theme.name) == name.lower())) is not None:
        errors["name"] = "This dialogue has a theme of that name already."
    if code is not None:
        code = code.strip()
        if len(code) > MAX_THEME_CODE:
            errors["code"] = f"Keep the number to {MAX_THEME_CODE} characters (I, II, 3.1 …)."
        elif code and db.session.scalar(
                others.where(func.lower(Theme.code) == code.lower())) is not None:
            errors["code"] = f"Another theme of this dialogue is numbered {code} already."
    if errors:
        raise InvalidInput(errors)
    return name, code


def create_theme(dialogue: Dialogue, *, name: str, code: str = "",
                 by: Person | None) -> Theme:
    require_open(dialogue)
    name, checked_code = _theme_values(dialogue, name, code or "", None)
    position = db.session.scalar(
        select(func.coalesce(func.max(Theme.position), 0)).where(
            Theme.dialogue_id == dialogue.id)) + 1
    theme = Theme(dialogue=dialogue, name=name, code=checked_code or None, position=position)
    db.session.add(theme)
    db.session.flush()
    audit.record("theme.created", theme, actor=by, dialogue_id=dialogue.id,
                 summary=f"Theme {theme.label} added to {dialogue.short_name}")
    return theme


def rename_theme(theme: Theme, *, name: str, code: str | None = None,
                 by: Person | None) -> Theme:
    """A new name, and a new number unless `code` is None ("" takes the number away).
    Its commitments follow: they point at the theme, not at its name."""
    dialogue = theme.dialogue
    require_open(dialogue)
    before = theme.label
    theme.name, checked_code = _theme_values(dialogue, name, code, theme.id)
    if checked_code is not None:
        theme.code = checked_code or None
    if theme.label != before:
        audit.record("theme.renamed", theme, actor=by, dialogue_id=dialogue.id,
                     summary=f"Theme {before} renamed {theme.label}",
                     details={"before": before, "after": theme.label})
    return theme


def theme_counts(dialogue_id: int) -> dict[int, int]:
    """{theme id: its commitments}, for the themes page."""
    return dict(db.session.execute(
        select(Commitment.theme_id, func.count()).where(
            Commitment.dialogue_id == dialogue_id, Commitment.theme_id.is_not(None))
        .group_by(Commitment.theme_id)).all())


def pending_candidates(dialogue_id: int) -> int:
    return db.session.scalar(
        select(func.count()).select_from(CommitmentCandidate)
        .join(SourceDocument, CommitmentCandidate.document_id == SourceDocument.id)
        .where(SourceDocument.dialogue_id == dialogue_id,
               CommitmentCandidate.status == CandidateStatus.PROPOSED)) or 0
