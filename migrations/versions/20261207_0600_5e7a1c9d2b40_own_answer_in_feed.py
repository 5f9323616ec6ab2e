"""Own answer in feed: a person's feed shows their own answer to each invitation

A person's feed now carries, in each meeting they are invited to, their own ATTENDEE
line with their answer (PARTSTAT), as an invite does (planner/calendar/feeds.py). So
their calendar revision (see `calendar_revision_per_reader`) must move when that line
would change: they were invited or uninvited, answered, or their name or address
changed. These triggers move it, on both databases, in the same transaction.

Caution, as for the other revision triggers: a later batch migration that *recreates*
`meeting_invitee` or `person` on SQLite drops the triggers on that table; recreate them
there (tests/test_calendar_views.py fails when an answer stops reaching the ETag).

Revision ID: 5e7a1c9d2b40
Revises: daccd3b79a93
Create Date: 2026-12-07 06:00:00.000000

"""
from alembic import op


# revision identifiers, used by Alembic.
revision = '5e7a1c9d2b40'
down_revision = 'daccd3b79a93'
branch_labels = None
depends_on = None

BUMP = "UPDATE person SET calendar_revision = {new} WHERE"
NEW_REVISION = {"sqlite": "abs(random() % 2147483647)",
                "postgresql": "floor(random() * 2147483647)::integer"}

# (table, event, condition, statement), the same on both databases.
TRIGGERS = {
    "own_answer_invited": ("meeting_invitee", "INSERT", None, f"{BUMP} id = NEW.person_id"),
    "own_answer_uninvited": ("meeting_invitee", "DELETE", None, f"{BUMP} id = OLD.person_id"),
    "own_answer_changed": (
        "meeting_invitee", "UPDATE OF response, role, person_id, meeting_id", None,
        f"{BUMP} id IN (OLD.person_id, NEW.person_id)"),
    # Not fired by the statements above, which set no column of its list.
    "own_answer_renamed": (
        "person", "UPDATE OF name, email",
        "OLD.name IS DISTINCT FROM NEW.name OR OLD.email IS DISTINCT FROM NEW.email",
        f"{BUMP} id = NEW.id"),
}


def upgrade():
    postgresql = op.get_bind().dialect.name == "postgresql"
    new = NEW_REVISION["postgresql" if postgresql else "sqlite"]
    for name, (table, event, condition, statement) in TRIGGERS.items():
        statement = statement.format(new=new)
        if postgresql:
            op.execute(f"CREATE FUNCTION {name}() RETURNS trigger LANGUAGE plpgsql AS "
                       f"$$ BEGIN {statement}; RETURN NULL; END $$")
            when = f" WHEN ({condition})" if condition else ""
            op.execute(f"CREATE TRIGGER {name} AFTER {event} ON {table} FOR EACH ROW{when} "
                       f"EXECUTE FUNCTION {name}()")
        else:
            when = f" WHEN {condition.replace('IS DISTINCT FROM', 'IS NOT')}" if condition else ""
            op.execute(f"CREATE TRIGGER {name} AFTER {event} ON {table}{when} "
                       f"BEGIN {statement}; END")


def downgrade():
    postgresql = op.get_bind().dialect.name == "postgresql"
    for name, (table, *_rest) in TRIGGERS.items():
        op.execute(f"DROP TRIGGER IF EXISTS {name}" + (f" ON {table}" if postgresql else ""))
        if postgresql:
            op.execute(f"DROP FUNCTION IF EXISTS {name}()")
