"""Minutes approval, action item reminders and search

How approved minutes were approved (at which meeting, or by written procedure), one
reminder per action item and day, and full-text search over commitments, minutes,
minutes notes, decisions and action items.

Search is written by hand for each database:

- SQLite: an FTS5 table `search_index` kept in step by triggers on the five tables.
  Each row's rowid is `record id * 8 + kind number`, so that a trigger finds its row
  without scanning. Caution: a later batch migration that *recreates* one of these
  tables drops its triggers with it; recreate them there (tests/test_search.py fails
  when search stops seeing new records).
- PostgreSQL: GIN indexes on `to_tsvector('english', ...)` expressions; the queries in
  planner/search/index.py use the very same expressions, so that the indexes serve them.

Neither is a model: migrations/env.py and the drift test leave them out of the
comparison (planner.search.index.include_name).

Revision ID: 5fbf44dfab2c
Revises: 43d4c043c96d
Create Date: 2026-11-22 07:32:29.215493

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '5fbf44dfab2c'
down_revision = '43d4c043c96d'
branch_labels = None
depends_on = None


# SQLite: kind, its number in the rowid, the table, the columns whose change re-indexes
# the row, and the indexed title and body as SQL over the row `{r}` (new or old).
SEARCHED = (
    ("commitment", 1, "reference, title, quote", "{r}.reference || ' ' || {r}.title", "{r}.quote"),
    ("minutes", 2, "summary", "''", "{r}.summary"),
    ("minutes_note", 3, "text", "''", "{r}.text"),
    ("decision", 4, "text", "''", "{r}.text"),
    ("action_item", 5, "title, description, outcome", "{r}.title",
     "{r}.description || ' ' || {r}.outcome"),
)

# PostgreSQL: the same text, as the expression each GIN index is built on.
POSTGRES_VECTORS = {
    "commitment": "title || ' ' || quote",
    "minutes": "summary",
    "minutes_note": "text",
    "decision": "text",
    "action_item": "title || ' ' || description || ' ' || outcome",
}


def upgrade():
    op.create_table('minutes_approval',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('minutes_id', sa.Integer(), nullable=False),
    sa.Column('method', sa.String(length=24), nullable=False),
    sa.Column('meeting_id', sa.Integer(), nullable=True),
    sa.Column('note', sa.Text(), nullable=False),
    sa.CheckConstraint("method IN ('next_meeting', 'written_procedure')", name=op.f('ck_minutes_approval_method_valid')),
    sa.ForeignKeyConstraint(['meeting_id'], ['meeting.id'], name=op.f('fk_minutes_approval_meeting_id_meeting'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['minutes_id'], ['minutes.id'], name=op.f('fk_minutes_approval_minutes_id_minutes'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_minutes_approval')),
    sa.UniqueConstraint('minutes_id', name=op.f('uq_minutes_approval_minutes_id'))
    )
    with op.batch_alter_table('minutes_approval', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_minutes_approval_meeting_id'), ['meeting_id'], unique=False)

    op.create_table('action_item_reminder',
    sa.Column('action_item_id', sa.Integer(), nullable=False),
    sa.Column('reminded_on', sa.Date(), nullable=False),
    sa.Column('recipients', sa.Text(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['action_item_id'], ['action_item.id'], name=op.f('fk_action_item_reminder_action_item_id_action_item'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('action_item_id', 'reminded_on', name=op.f('pk_action_item_reminder'))
    )

    if op.get_bind().dialect.name == "postgresql":
        for table, expression in POSTGRES_VECTORS.items():
            op.execute(
                f"CREATE INDEX ix_search_{table} ON {table} "
                f"USING gin (to_tsvector('english'::regconfig, {expression}))"
            )
    else:
        _create_sqlite_search()


def _create_sqlite_search():
    # Porter stemming, as PostgreSQL's English configuration does: "ports" finds "port".
    op.execute(
        "CREATE VIRTUAL TABLE search_index USING fts5("
        "kind UNINDEXED, record_id UNINDEXED, title, body, "
        "tokenize = 'porter unicode61 remove_diacritics 2')"
    )
    for table, number, columns, title, body in SEARCHED:
        def values(r, number=number, table=table, title=title, body=body):
            return (f"{r}.id * 8 + {number}, '{table}', {r}.id, "
                    f"{title.format(r=r)}, {body.format(r=r)}")

        insert = ("INSERT INTO search_index (rowid, kind, record_id, title, body) "
                  f"VALUES ({values('new')});")
        delete = f"DELETE FROM search_index WHERE rowid = old.id * 8 + {number};"
        op.execute(f"CREATE TRIGGER search_{table}_insert AFTER INSERT ON {table} "
                   f"BEGIN {insert} END")
        op.execute(f"CREATE TRIGGER search_{table}_update AFTER UPDATE OF {columns} ON {table} "
                   f"BEGIN {delete} {insert} END")
        op.execute(f"CREATE TRIGGER search_{table}_delete AFTER DELETE ON {table} "
                   f"BEGIN {delete} END")
        # The rows already there.
        op.execute("INSERT INTO search_index (rowid, kind, record_id, title, body) "
                   f"SELECT {values('r')} FROM {table} AS r")


def downgrade():
    if op.get_bind().dialect.name == "postgresql":
        for table in POSTGRES_VECTORS:
            op.execute(f"DROP INDEX IF EXISTS ix_search_{table}")
    else:
        for table, *_ in SEARCHED:
            for event in ("insert", "update", "delete"):
                op.execute(f"DROP TRIGGER IF EXISTS search_{table}_{event}")
        op.execute("DROP TABLE IF EXISTS search_index")

    op.drop_table('action_item_reminder')
    with op.batch_alter_table('minutes_approval', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_minutes_approval_meeting_id'))

    op.drop_table('minutes_approval')
