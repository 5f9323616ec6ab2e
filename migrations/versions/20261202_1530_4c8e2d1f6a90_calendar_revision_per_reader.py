"""Calendar revision per reader: a poll answered from one row

`person.calendar_revision` gets a new random number (as the dialogues' do, for the same
reason) whenever that person's feed would change, so that a calendar app's poll is
answered from the link's row and its person's:

- a dialogue's calendar revision moved: for everyone who sees that dialogue (its seats,
  and the secretariat, who see every dialogue);
- the person got or lost a seat, or joined or left the secretariat: for that person;
- a dialogue was deleted: for the secretariat (its seats go with it, and move their
  holders' revisions as they go).

Caution, as for the revisions of dialogues: a later batch migration that *recreates*
`dialogue`, `dialogue_role` or `person` on SQLite drops the triggers on that table;
recreate them there (tests/test_calendar_revisions.py fails when a change stops reaching
the ETag).

Revision ID: 4c8e2d1f6a90
Revises: 9b1f4c2a7d3e
Create Date: 2026-12-02 15:30:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '4c8e2d1f6a90'
down_revision = '9b1f4c2a7d3e'
branch_labels = None
depends_on = None

BUMP = "UPDATE person SET calendar_revision = {new} WHERE"
NEW_REVISION = {"sqlite": "abs(random() % 2147483647)",
                "postgresql": "floor(random() * 2147483647)::integer"}

# What each trigger does, the same on both databases: (table, event, condition, statement).
TRIGGERS = {
    "calendar_revision_readers": (
        "dialogue", "UPDATE OF calendar_revision", None,
        f"{BUMP} is_secretariat OR id IN "
        "(SELECT person_id FROM dialogue_role WHERE dialogue_id = NEW.id)"),
    "calendar_revision_dialogue_delete": (
        "dialogue", "DELETE", None, f"{BUMP} is_secretariat"),
    "calendar_revision_seat_insert": (
        "dialogue_role", "INSERT", None, f"{BUMP} id = NEW.person_id"),
    "calendar_revision_seat_delete": (
        "dialogue_role", "DELETE", None, f"{BUMP} id = OLD.person_id"),
    "calendar_revision_seat_update": (
        "dialogue_role", "UPDATE OF person_id, dialogue_id", None,
        f"{BUMP} id IN (OLD.person_id, NEW.person_id)"),
    # Not fired by the statements above, which set no column of its list.
    "calendar_revision_secretariat": (
        "person", "UPDATE OF is_secretariat",
        "OLD.is_secretariat IS DISTINCT FROM NEW.is_secretariat", f"{BUMP} id = NEW.id"),
}


def upgrade():
    with op.batch_alter_table('person', schema=None) as batch_op:
        batch_op.add_column(sa.Column('calendar_revision', sa.Integer(), server_default='0', nullable=False))

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

    with op.batch_alter_table('person', schema=None) as batch_op:
        batch_op.drop_column('calendar_revision')
