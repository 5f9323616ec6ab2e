"""Send right after the commit that queued mail, in a short background thread, so that
no request waits for the mail server. `planner outbox send` from cron stays the safety
net: whatever this misses (server down, process stopped) it sends later."""

from __future__ import annotations

import logging
import threading

from flask import Flask, current_app, has_app_context
from sqlalchemy import event
from sqlalchemy.orm import Session

from planner.extensions import db
from planner.outbox.operations import QUEUED, send_due

log = logging.getLogger(__name__)

_senders: set[threading.Thread] = set()
_lock = threading.Lock()


def listen() -> None:
    if not event.contains(db.session, "after_commit", _after_commit):
        event.listen(db.session, "after_commit", _after_commit)
        event.listen(db.session, "after_rollback", _after_rollback)


def _after_commit(session: Session) -> None:
    if not session.info.pop(QUEUED, False) or not has_app_context():
        return
    app = current_app._get_current_object()
    if app.config.get("OUTBOX_SEND_AFTER_COMMIT") and app.config.get("SMTP_HOST"):
        thread = threading.Thread(target=_send, args=(app,), name="outbox-send", daemon=True)
        with _lock:
            _senders.add(thread)
        thread.start()


def _after_rollback(session: Session) -> None:
    session.info.pop(QUEUED, None)  # nothing was queued after all


def _send(app: Flask) -> None:
    try:
        with app.app_context():
            report = send_due()
            if report.errors:
                log.warning("outbox: %s; will retry: %s", report, "; ".join(report.errors))
    except Exception:
        log.exception("outbox: sending after commit failed; `planner outbox send` will retry")
    finally:
        with _lock:
            _senders.discard(threading.current_thread())


def wait_for_senders(timeout: float = 30.0) -> None:
    """Let running senders finish (tests; a clean shutdown)."""
    with _lock:
        running = list(_senders)
    for thread in running:
        thread.join(timeout)
