"""The rows that answer feed polls, kept in memory for as long as PostgreSQL says they hold.

A calendar app polls its feed every few minutes, and nearly every poll is answered 304
from one row: the link's and its person's (planner/calendar/feeds.py). On PostgreSQL each
server process keeps those rows here, and a thread of its own holds one connection that
LISTENs on the channel `planner_feeds`, where triggers send, as their transaction
commits, the id of every person whose row no longer holds (the migration
`feed_changes_notified`). A poll then makes no query at all.

What keeps it right:
- A row is kept only while the thread listens, and only if no change was heard between
  reading it and keeping it.
- When the connection is lost, everything kept is forgotten and polls read the database
  until the thread listens again (it retries, waiting longer each time). It tests the
  channel first: a notification it sends must come back (it would not through a pooler
  that hands out a server connection per transaction, such as PgBouncer in transaction
  mode; then polls simply go on reading the database).
- A transaction committed by this process forgets everything kept here at once, so that
  the process's next poll sees its own change without waiting for the notification.
  Another process's change is seen as soon as its notification reaches this process's
  connection, within a millisecond or so of the commit: a poll that finds one there not
  yet read by the thread reads the database.
"""

from __future__ import annotations

import logging
import os
import secrets
import select
import threading
import time
from collections.abc import Iterable
from typing import Any

from sqlalchemy import Engine, event

log = logging.getLogger(__name__)

CHANNEL = "planner_feeds"
# The connection is tested this often when nothing is heard: a dead one raises.
HEARTBEAT_SECONDS = 30.0
# How long the thread waits before listening again, after each failure in a row.
RETRY_SECONDS = (1, 2, 5, 10, 30)
# The notification sent to test the channel must come back within this.
CONFIRM_SECONDS = 5.0
# A lost server or network is found out within about a minute, not at TCP's pace.
APPLICATION_NAME = "planner feed changes"
CONNECTION = {"application_name": APPLICATION_NAME, "connect_timeout": 10, "keepalives": 1,
              "keepalives_idle": 30, "keepalives_interval": 10, "keepalives_count": 3,
              "tcp_user_timeout": 60_000}
# One row per feed link polled; a row is a few hundred bytes.
MAX_ROWS = 100_000


class KnownLinks:
    """The poll rows of one process and one database, by link hash."""

    def __init__(self, conninfo: str) -> None:
        self._conninfo = conninfo
        self._lock = threading.Lock()
        self._rows: dict[str, tuple[Any, ...]] = {}
        self._by_person: dict[int, set[str]] = {}
        # Moves at every change heard: a row read before a change is not kept after it.
        self._changes = 0
        self.listening = False
        self._socket: int | None = None
        self._pid: int | None = None

    # --- what polls use ------------------------------------------------------------

    def get(self, token_hash: str) -> tuple[Any, ...] | None:
        if self._pid != os.getpid():
            self._start()
        if not self.listening:
            return None
        row = self._rows.get(token_hash)
        return None if row is None or self._unread() else row

    def _unread(self) -> bool:
        """Whether notifications wait on the connection that the thread has not read yet
        (it may be waiting for its turn to run): then the poll reads the database."""
        socket = self._socket
        if socket is None:
            return True
        waiting = select.poll()
        try:
            waiting.register(socket, select.POLLIN)
            return bool(waiting.poll(0))
        except (OSError, ValueError):
            return True

    def mark(self) -> int:
        """Taken before reading a row, and given back to `keep`."""
        return self._changes

    def keep(self, token_hash: str, person_id: int, row: tuple[Any, ...], mark: int) -> None:
        with self._lock:
            if not self.listening or mark != self._changes:
                return
            if len(self._rows) >= MAX_ROWS:
                self._forget_all()
            self._rows[token_hash] = row
            self._by_person.setdefault(person_id, set()).add(token_hash)

    # --- what changes do -----------------------------------------------------------

    def forget(self, person_ids: Iterable[int]) -> None:
        with self._lock:
            self._changes += 1
            for person_id in person_ids:
                for token_hash in self._by_person.pop(person_id, ()):
                    self._rows.pop(token_hash, None)

    def forget_all(self) -> None:
        with self._lock:
            self._forget_all()

    def on_commit(self, _connection: Any) -> None:
        """This process changed something: its next poll must see it."""
        self.forget_all()

    def _forget_all(self) -> None:
        self._changes += 1
        self._rows.clear()
        self._by_person.clear()

    # --- the listening thread ------------------------------------------------------

    def _start(self) -> None:
        """Once per process: a forked server worker starts a thread of its own."""
        with self._lock:
            if self._pid == os.getpid():
                return
            self._pid = os.getpid()
            self.listening = False
            self._forget_all()
        threading.Thread(target=self._listen, name="planner-feed-changes", daemon=True).start()

    def _listen(self) -> None:
        import psycopg

        failures = 0
        while True:
            try:
                with psycopg.connect(self._conninfo, autocommit=True, **CONNECTION) as connection:
                    connection.execute(f"LISTEN {CHANNEL}")
                    self._confirm(connection)
                    try:
                        self.forget_all()  # whatever changed while nobody listened
                        self._socket = connection.pgconn.socket
                        self.listening = True
                        if failures:
                            log.warning("Listening for feed changes again")
                        failures = 0
                        while True:
                            for notification in connection.notifies(
                                    timeout=HEARTBEAT_SECONDS):
                                self._heard(notification.payload)
                            connection.execute("SELECT 1")
                    finally:  # before the connection closes and its socket number is free
                        self.listening = False
                        self._socket = None
            except Exception as error:  # noqa: BLE001 - any failure: read the database
                # Said once, not at every retry of a lasting failure.
                (log.debug if failures else log.warning)(
                    "Feed polls read the database: not listening for changes (%s)", error)
            finally:
                self.listening = False
                self.forget_all()
            time.sleep(RETRY_SECONDS[min(failures, len(RETRY_SECONDS) - 1)])
            failures += 1

    def _confirm(self, connection: Any) -> None:
        ping = f"ping:{secrets.token_hex(8)}"
        connection.execute("SELECT pg_notify(%s, %s)", (CHANNEL, ping))
        for notification in connection.notifies(timeout=CONFIRM_SECONDS):
            if notification.payload == ping:
                return
        raise RuntimeError("a notification sent on the channel did not come back")

    def _heard(self, payload: str) -> None:
        if payload.isdigit():  # others are other processes' pings
            self.forget([int(payload)])


_known: dict[str, KnownLinks] = {}
_known_lock = threading.Lock()


def known_links(engine: Engine) -> KnownLinks:
    """The process's kept rows for this engine's database (PostgreSQL only), forgotten
    whenever this engine commits."""
    conninfo = engine.url.set(drivername="postgresql").render_as_string(hide_password=False)
    with _known_lock:
        links = _known.get(conninfo)
        if links is None:
            links = _known[conninfo] = KnownLinks(conninfo)
    if not event.contains(engine, "commit", links.on_commit):
        event.listen(engine, "commit", links.on_commit)
    return links
