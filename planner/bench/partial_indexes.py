"""Partial indexes on agenda_item's nullable foreign keys, measured on a PostgreSQL bench
database (what `BENCH_DATABASE_URL=... make bench` leaves): the big agenda built from
nothing N times with the full indexes, then with partial ones (WHERE col IS NOT NULL),
twice over; the full indexes are put back at the end.

    BENCH_DATABASE_URL=postgresql+psycopg://... python -m planner.bench.partial_indexes [N]
"""

import os
import statistics
import sys
import time

from sqlalchemy import func, select, text

os.environ["PLANNER_DATABASE_URL"] = os.environ["BENCH_DATABASE_URL"]
os.environ.setdefault("PLANNER_SECRET_KEY", "bench")
os.environ["PLANNER_QUEUE_URL"] = "immediate"

from planner import create_app  # noqa: E402
from planner.agendas.operations import build_agenda  # noqa: E402
from planner.extensions import db  # noqa: E402
from planner.models import Agenda, AgendaItem, Meeting  # noqa: E402

COLUMNS = ["action_item_id", "commitment_id", "presenter_participant_id",
           "presenter_person_id", "theme_id"]
app = create_app({"TESTING": False})
with app.app_context():
    meeting_id = db.session.execute(text(
        "SELECT a.meeting_id FROM agenda a JOIN agenda_item i ON i.agenda_id = a.id "
        "GROUP BY a.meeting_id ORDER BY count(*) DESC LIMIT 1")).scalar()
    db.session.commit()

    def builds(n):
        times = []
        for _ in range(n):
            db.session.execute(text("DELETE FROM agenda WHERE meeting_id = :m"), {"m": meeting_id})
            db.session.commit()
            db.session.expire_all()
            meeting = db.session.get(Meeting, meeting_id)
            start = time.perf_counter()
            build_agenda(meeting, actor=None)
            db.session.commit()
            times.append((time.perf_counter() - start) * 1000)
        items = db.session.scalar(select(func.count()).select_from(AgendaItem).join(Agenda)
                                  .where(Agenda.meeting_id == meeting_id))
        return items, times

    def indexes(partial):
        for column in COLUMNS:
            name = f"ix_agenda_item_{column}"
            where = f" WHERE {column} IS NOT NULL" if partial else ""
            db.session.execute(text(f"DROP INDEX IF EXISTS {name}"))
            db.session.execute(text(f"CREATE INDEX {name} ON agenda_item ({column}){where}"))
        db.session.commit()
        db.session.execute(text("ANALYZE agenda_item"))
        db.session.commit()

    def size():
        return db.session.execute(text(
            "SELECT sum(pg_relation_size(indexrelid)) FROM pg_index JOIN pg_class c ON "
            "c.oid = indexrelid WHERE c.relname = ANY(:names)"),
            {"names": [f"ix_agenda_item_{c}" for c in COLUMNS]}).scalar()

    rounds = int(sys.argv[1]) if len(sys.argv) > 1 else 12
    for label, partial in (("full", False), ("partial", True), ("full", False), ("partial", True)):
        indexes(partial)
        builds(2)  # warm
        items, times = builds(rounds)
        times.sort()
        print(f"{label:8} items {items}  p50 {statistics.median(times):6.1f} ms  "
              f"p95 {times[int(0.95 * (len(times) - 1))]:6.1f} ms  min {times[0]:6.1f}  "
              f"index size {size() / 1024:.0f} kB", flush=True)
    indexes(False)
