"""Search on PostgreSQL: each searched row's text vector stored beside it

Ranking the matches (ts_rank) needs each match's vector: computed from its text again
for every match of every search with the expression indexes of the search migration
(40 ms for the 8,000 action items holding "ports"), read from a stored generated
column now (10 ms). The GIN indexes keep their names and are built on these columns.
SQLite's full-text table is unchanged.

The columns are not in the models: nothing but search reads them, PostgreSQL keeps them
in step with the text, and planner.search.index.include_name leaves them out of
Alembic's comparison.

Revision ID: b3e9f2a7c416
Revises: 697015d17cc4
Create Date: 2026-12-07 15:00:00

"""
from alembic import op


# revision identifiers, used by Alembic.
revision = 'b3e9f2a7c416'
down_revision = '697015d17cc4'
branch_labels = None
depends_on = None

# The text of each searched table, as the search migration indexed it.
VECTORS = {
    "commitment": "title || ' ' || quote",
    "minutes": "summary",
    "minutes_note": "text",
    "decision": "text",
    "action_item": "title || ' ' || description || ' ' || outcome",
}
COLUMN = "search_vector"


def upgrade():
    if op.get_bind().dialect.name != "postgresql":
        return
    for table, expression in VECTORS.items():
        op.execute(f"DROP INDEX IF EXISTS ix_search_{table}")
        op.execute(f"ALTER TABLE {table} ADD COLUMN {COLUMN} tsvector GENERATED ALWAYS AS "
                   f"(to_tsvector('english'::regconfig, {expression})) STORED")
        op.execute(f"CREATE INDEX ix_search_{table} ON {table} USING gin ({COLUMN})")
        # The planner's statistics of the new column now, not at autovacuum's next pass
        # (without them it guesses 500 matches for any word, and plans a search badly).
        op.execute(f"ANALYZE {table}")


def downgrade():
    if op.get_bind().dialect.name != "postgresql":
        return
    for table, expression in VECTORS.items():
        op.execute(f"DROP INDEX IF EXISTS ix_search_{table}")
        op.execute(f"ALTER TABLE {table} DROP COLUMN {COLUMN}")
        op.execute(f"CREATE INDEX ix_search_{table} ON {table} "
                   f"USING gin (to_tsvector('english'::regconfig, {expression}))")
