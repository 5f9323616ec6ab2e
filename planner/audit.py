"""Writing the audit log: who did what to which record, when, and from where.

Call `record` inside the operation that makes the change, before its commit, so the
entry and the change are saved together or not at all."""

from __future__ import annotations

from typing import Any

from flask import has_request_context, request
from flask_login import current_user

from planner.extensions import db
from planner.models import AuditEvent, Person


def record(
    action: str,
    entity: Any,
    *,
    summary: str = "",
    details: dict[str, Any] | None = None,
    dialogue_id: int | None = None,
    actor: Person | None = None,
) -> AuditEvent:
    if actor is None and has_request_context() and current_user.is_authenticated:
        actor = current_user._get_current_object()
    db.session.flush()  # so that a new entity has its id
    event = AuditEvent(
        action=action,
        entity_type=type(entity).__tablename__,
        entity_id=getattr(entity, "id", None),
        dialogue_id=dialogue_id,
        actor_id=actor.id if actor else None,
        actor_email=actor.email if actor else "system",
        remote_addr=(request.remote_addr or "")[:45] if has_request_context() else "",
        summary=summary,
        details=details or {},
    )
    db.session.add(event)
    return event
