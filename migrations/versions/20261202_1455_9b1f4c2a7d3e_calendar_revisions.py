"""Calendar revisions: a number per dialogue that moves whenever its calendar changes

`dialogue.calendar_revision` is given a new random number by triggers, in the same
transaction as the change, whatever wrote it (a page, the API, a script, a bulk load):

- a meeting inserted, changed or deleted: its dialogue;
- a participant renamed: the dialogues whose meetings it hosts (events name the host);
- a dialogue renamed, or its level or marking changed: that dialogue.

A feed's ETag is made of these revisions (planner/calendar/feeds.py), so that a calendar
app's poll is answered 304 after one small query, without loading a single meeting.
Random rather than counted: after a backup is restored, a counter would climb back
through numbers that already named other states, and clients holding those ETags would
be told nothing changed.

Caution: a later batch migration that *recreates* `meeting`, `participant` or `dialogue`
on SQLite drops the triggers on that table; recreate them there
(tests/test_calendar_revisions.py fails when a change stops reaching the ETag).

Revision ID: 9b1f4c2a7d3e
Revises: 5fbf44dfab2c
Create Date: 2026-12-02 14:55:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '9b1f4c2a7d3e'
down_revision = '5fbf44dfab2c'
branch_labels = None
depends_on = None

SQLITE_BUMP = "UPDATE dialogue SET calendar_revision = abs(random() % 2147483647) WHERE id"
POSTGRES_BUMP = ("UPDATE dialogue SET calendar_revision = floor(random() * 2147483647)::integer "
                 "WHERE id")
DIALOGUE_COLUMNS = "name, short_name, level, classification"

# SQLite: row triggers (the only kind it has).
SQLITE_TRIGGERS = {
    "calendar_revision_meeting_insert":
        f"AFTER INSERT ON meeting BEGIN {SQLITE_BUMP} = NEW.dialogue_id; END",
    "calendar_revision_meeting_update":
        f"AFTER UPDATE ON meeting BEGIN {SQLITE_BUMP} IN (OLD.dialogue_id, NEW.dialogue_id); END",
    "calendar_revision_meeting_delete":
        f"AFTER DELETE ON meeting BEGIN {SQLITE_BUMP} = OLD.dialogue_id; END",
    "calendar_revision_host_renamed":
        f"AFTER UPDATE OF name ON participant BEGIN {SQLITE_BUMP} IN "
        "(SELECT dialogue_id FROM meeting WHERE host_participant_id = NEW.id); END",
    # Not fired by its own UPDATE, which sets no column of the list.
    "calendar_revision_dialogue_update":
        f"AFTER UPDATE OF {DIALOGUE_COLUMNS} ON dialogue BEGIN {SQLITE_BUMP} = NEW.id; END",
}

# PostgreSQL: meetings by statement (a bulk load raises each dialogue once), through
# the statement's transition tables; the rarer renames by row.
POSTGRES_FUNCTIONS = {
    "calendar_revision_of_meetings": f"""
        BEGIN
          IF TG_OP = 'INSERT' THEN
            {POSTGRES_BUMP} IN (SELECT dialogue_id FROM new_meetings);
          ELSIF TG_OP = 'UPDATE' THEN
            {POSTGRES_BUMP} IN (SELECT dialogue_id FROM new_meetings
                       UNION SELECT dialogue_id FROM old_meetings);
          ELSE
            {POSTGRES_BUMP} IN (SELECT dialogue_id FROM old_meetings);
          END IF;
          RETURN NULL;
        END""",
    "calendar_revision_of_host": f"""
        BEGIN
          {POSTGRES_BUMP} IN (SELECT dialogue_id FROM meeting WHERE host_participant_id = NEW.id);
          RETURN NULL;
        END""",
    "calendar_revision_of_dialogue": f"""
        BEGIN
          {POSTGRES_BUMP} = NEW.id;
          RETURN NULL;
        END""",
}
POSTGRES_TRIGGERS = {
    "calendar_revision_meeting_insert":
        "AFTER INSERT ON meeting REFERENCING NEW TABLE AS new_meetings "
        "FOR EACH STATEMENT EXECUTE FUNCTION calendar_revision_of_meetings()",
    "calendar_revision_meeting_update":
        "AFTER UPDATE ON meeting REFERENCING OLD TABLE AS old_meetings "
        "NEW TABLE AS new_meetings "
        "FOR EACH STATEMENT EXECUTE FUNCTION calendar_revision_of_meetings()",
    "calendar_revision_meeting_delete":
        "AFTER DELETE ON meeting REFERENCING OLD TABLE AS old_meetings "
        "FOR EACH STATEMENT EXECUTE FUNCTION calendar_revision_of_meetings()",
    "calendar_revision_host_renamed":
        "AFTER UPDATE OF name ON participant FOR EACH ROW "
        "WHEN (OLD.name IS DISTINCT FROM NEW.name) "
        "EXECUTE FUNCTION calendar_revision_of_host()",
    "calendar_revision_dialogue_update":
        f"AFTER UPDATE OF {DIALOGUE_COLUMNS} ON dialogue FOR EACH ROW "
        "WHEN (OLD.name IS DISTINCT FROM NEW.name OR OLD.short_name IS DISTINCT FROM "
        "NEW.short_name OR OLD.level IS DISTINCT FROM NEW.level OR "
        "OLD.classification IS DISTINCT FROM NEW.classification) "
        "EXECUTE FUNCTION calendar_revision_of_dialogue()",
}
TRIGGER_TABLES = {
    "calendar_revision_meeting_insert": "meeting",
    "calendar_revision_meeting_update": "meeting",
    "calendar_revision_meeting_delete": "meeting",
    "calendar_revision_host_renamed": "participant",
    "calendar_revision_dialogue_update": "dialogue",
}


def upgrade():
    with op.batch_alter_table('dialogue', schema=None) as batch_op:
        batch_op.add_column(sa.Column('calendar_revision', sa.Integer(), server_default='0', nullable=False))

    if op.get_bind().dialect.name == "postgresql":
        for name, body in POSTGRES_FUNCTIONS.items():
            op.execute(f"CREATE FUNCTION {name}() RETURNS trigger LANGUAGE plpgsql AS $${body}$$")
        for name, definition in POSTGRES_TRIGGERS.items():
            op.execute(f"CREATE TRIGGER {name} {definition}")
    else:
        for name, definition in SQLITE_TRIGGERS.items():
            op.execute(f"CREATE TRIGGER {name} {definition}")


def downgrade():
    postgresql = op.get_bind().dialect.name == "postgresql"
    for name, table in TRIGGER_TABLES.items():
        op.execute(f"DROP TRIGGER IF EXISTS {name}" + (f" ON {table}" if postgresql else ""))
    if postgresql:
        for name in POSTGRES_FUNCTIONS:
            op.execute(f"DROP FUNCTION IF EXISTS {name}()")

    with op.batch_alter_table('dialogue', schema=None) as batch_op:
        batch_op.drop_column('calendar_revision')
