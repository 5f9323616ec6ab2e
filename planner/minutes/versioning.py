"""No lost updates: saving a form opened on an older version of a record.

Each editable record carries a version (SQLAlchemy's version_id_col: every UPDATE checks
it and raises it). A form carries the version it was opened on and the values it showed
(its base). When the record moved on in the meantime, the save is merged field by field:

- a field only the reader changed takes the reader's value;
- a field only the other person changed keeps theirs;
- a field both changed, differently, is a conflict: nothing is saved, and the reader is
  shown both texts to merge and save again.

The same happens when someone else commits between our read and our write: the
UPDATE's version check fails (StaleDataError), and the save runs again on what is
stored now."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any, TypeVar

from sqlalchemy import select
from sqlalchemy.orm.exc import StaleDataError

from planner.extensions import db
from planner.models import AuditEvent

T = TypeVar("T")

# Tries when the record keeps changing under us between read and write.
ATTEMPTS = 3


@dataclass(frozen=True)
class FieldConflict:
    name: str
    label: str
    theirs: str
    mine: str


class EditConflict(Exception):
    """Someone else saved the same fields since the page was opened. Nothing was saved.

    `values` are what to show in the form again: the reader's values, merged with the
    other person's changes to the fields the reader did not touch; `version` and `base`
    are the record's now, for the next try."""

    def __init__(
        self,
        *,
        conflicts: list[FieldConflict],
        values: dict[str, str],
        base: dict[str, str],
        version: int,
        saved_by: str | None = None,
        saved_at: datetime | None = None,
        message: str | None = None,
    ):
        self.conflicts = conflicts
        self.values = values
        self.base = base
        self.version = version
        self.saved_by = saved_by
        self.saved_at = saved_at
        self.message = message or (
            f"{saved_by or 'Someone else'} saved a change to the same text after you opened "
            "this page, so nothing was saved. Both texts are shown below: merge them and "
            "save again."
        )
        super().__init__(self.message)


def clean(value: Any) -> str:
    """Form text as stored: browsers send CRLF line ends and stray outer spaces."""
    if value is None:
        return ""
    return str(value).replace("\r\n", "\n").replace("\r", "\n").strip()


def merge(
    base: Mapping[str, str], theirs: Mapping[str, str], mine: Mapping[str, str]
) -> tuple[dict[str, str], list[str]]:
    """Three-way merge of field values; returns the merged values and the names of the
    fields both sides changed differently (those take the reader's value, pending)."""
    merged, conflicting = {}, []
    for name, value in mine.items():
        their = theirs.get(name, "")
        original = base.get(name, their)
        if value in (their, original):
            merged[name] = their
        elif their == original:
            merged[name] = value
        else:
            merged[name] = value
            conflicting.append(name)
    return merged, conflicting


def resolve(
    *,
    current: Mapping[str, str],
    mine: Mapping[str, str],
    base: Mapping[str, str] | None,
    stale: bool,
    labels: Mapping[str, str],
    version: int,
    saved_by: Callable[[], tuple[str | None, datetime | None]],
) -> dict[str, str]:
    """The values to save: the reader's, when the record is as they saw it; else the
    merge, or EditConflict when both changed the same field."""
    mine = {name: clean(value) for name, value in mine.items()}
    if not stale:
        return mine
    base = {name: clean(value) for name, value in (base or {}).items()}
    merged, conflicting = merge(base, current, mine)
    if conflicting:
        who, when = saved_by()
        raise EditConflict(
            conflicts=[
                FieldConflict(name, labels.get(name, name), current.get(name, ""), mine[name])
                for name in conflicting
            ],
            values=merged,
            base=dict(current),
            version=version,
            saved_by=who,
            saved_at=when,
        )
    return merged


def save(attempt: Callable[[], T]) -> T:
    """Run `attempt` (which reads the record, resolves and changes it) and commit; run it
    again on the stored record when another commit got in between."""
    for _ in range(ATTEMPTS):
        try:
            result = attempt()
            db.session.commit()
            return result
        except StaleDataError:
            db.session.rollback()
        except BaseException:
            db.session.rollback()  # bad input or a conflict: nothing half-saved stays
            raise
    raise EditConflict(
        conflicts=[], values={}, base={}, version=0,
        message="This record is being changed by others right now, so nothing was saved. "
                "Reload the page and try again.",
    )


def last_saved_by(entity: Any) -> tuple[str | None, datetime | None]:
    """Who last changed `entity` and when, from the audit log (for the conflict message)."""
    event = db.session.scalar(
        select(AuditEvent)
        .where(AuditEvent.entity_type == type(entity).__tablename__,
               AuditEvent.entity_id == entity.id)
        .order_by(AuditEvent.occurred_at.desc(), AuditEvent.id.desc())
        .limit(1)
    )
    if event is None:
        return None, getattr(entity, "updated_at", None)
    name = event.actor.name if event.actor is not None else event.actor_email
    return name, event.occurred_at
