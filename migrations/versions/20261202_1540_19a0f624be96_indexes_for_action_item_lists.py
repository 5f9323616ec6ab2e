"""Indexes for action item lists

The lists of action items count what a person may read: their dialogues' items, less
those of draft minutes they do not write. With `meeting_id` in the index on
(dialogue, status), that count reads the index alone (PostgreSQL: an index-only scan);
and the few draft minutes are found by their status.

Revision ID: 19a0f624be96
Revises: 4c8e2d1f6a90
Create Date: 2026-12-02 15:40:01.615489

"""
from alembic import op


# revision identifiers, used by Alembic.
revision = '19a0f624be96'
down_revision = '4c8e2d1f6a90'
branch_labels = None
depends_on = None


def upgrade():
    # Indexes only: on SQLite, batch mode adds and drops them without recreating the
    # tables (whose search triggers would go with them).
    with op.batch_alter_table('action_item', schema=None) as batch_op:
        batch_op.create_index('ix_action_item_dialogue_status_meeting', ['dialogue_id', 'status', 'meeting_id'], unique=False)
        batch_op.drop_index(batch_op.f('ix_action_item_dialogue_status'))

    with op.batch_alter_table('minutes', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_minutes_status'), ['status'], unique=False)


def downgrade():
    with op.batch_alter_table('minutes', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_minutes_status'))

    with op.batch_alter_table('action_item', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_action_item_dialogue_status'), ['dialogue_id', 'status'], unique=False)
        batch_op.drop_index('ix_action_item_dialogue_status_meeting')
