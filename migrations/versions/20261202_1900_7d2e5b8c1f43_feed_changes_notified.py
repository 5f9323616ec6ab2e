"""Feed changes notified: PostgreSQL tells every server process whose feed changed

On PostgreSQL each server process keeps the rows that answer its feed polls in memory
(planner/calendar/feeds.py) and listens on the channel `planner_feeds` for the people
whose rows no longer hold: as their transaction commits, these triggers send the id of

- a person whose calendar revision moved (see `calendar_revision_per_reader`), who was
  deactivated or reactivated, or was deleted;
- the person of a feed link that was revoked, moved or deleted.

PostgreSQL delivers notifications on commit only, and never those of a rolled back
transaction. SQLite has no such channel: there, every poll reads its row.

Revision ID: 7d2e5b8c1f43
Revises: 19a0f624be96
Create Date: 2026-12-02 19:00:00.000000

"""
from alembic import op


# revision identifiers, used by Alembic.
revision = '7d2e5b8c1f43'
down_revision = '19a0f624be96'
branch_labels = None
depends_on = None

CHANNEL = "planner_feeds"

# (name, table, event, condition, the person ids to send)
TRIGGERS = (
    ("feed_changes_person", "person", "UPDATE OF calendar_revision, active",
     "OLD.calendar_revision IS DISTINCT FROM NEW.calendar_revision"
     " OR OLD.active IS DISTINCT FROM NEW.active", ("NEW.id",)),
    ("feed_changes_person_delete", "person", "DELETE", None, ("OLD.id",)),
    ("feed_changes_link", "calendar_token", "UPDATE OF revoked_at, person_id, token_hash",
     "OLD.revoked_at IS DISTINCT FROM NEW.revoked_at"
     " OR OLD.person_id IS DISTINCT FROM NEW.person_id"
     " OR OLD.token_hash IS DISTINCT FROM NEW.token_hash",
     ("OLD.person_id", "NEW.person_id")),
    ("feed_changes_link_delete", "calendar_token", "DELETE", None, ("OLD.person_id",)),
)


def upgrade():
    if op.get_bind().dialect.name != "postgresql":
        return
    for name, table, event, condition, ids in TRIGGERS:
        sends = " ".join(f"PERFORM pg_notify('{CHANNEL}', {id_}::text);" for id_ in ids)
        op.execute(f"CREATE FUNCTION {name}() RETURNS trigger LANGUAGE plpgsql AS "
                   f"$$ BEGIN {sends} RETURN NULL; END $$")
        when = f" WHEN ({condition})" if condition else ""
        op.execute(f"CREATE TRIGGER {name} AFTER {event} ON {table} FOR EACH ROW{when} "
                   f"EXECUTE FUNCTION {name}()")


def downgrade():
    if op.get_bind().dialect.name != "postgresql":
        return
    for name, table, *_rest in TRIGGERS:
        op.execute(f"DROP TRIGGER IF EXISTS {name} ON {table}")
        op.execute(f"DROP FUNCTION IF EXISTS {name}()")
