"""handoff lifecycle: first person's reply, hand back to the bot, resolution note, the customer's
1–5 answer after the hand back

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-01 11:50:00.000000
"""

import sqlalchemy as sa
from alembic import op

revision = '0011'
down_revision = '0010'
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Apply this revision."""
    with op.batch_alter_table('handoffs') as batch:
        batch.add_column(sa.Column('first_response_at', sa.DateTime(), nullable=True))
        batch.add_column(sa.Column('handed_back_at', sa.DateTime(), nullable=True))
        batch.add_column(sa.Column('resolution_note', sa.Text(), nullable=True))
        batch.add_column(sa.Column('csat_score', sa.Integer(), nullable=True))
        batch.add_column(sa.Column('csat_at', sa.DateTime(), nullable=True))


def downgrade() -> None:
    """Revert this revision."""
    with op.batch_alter_table('handoffs') as batch:
        batch.drop_column('csat_at')
        batch.drop_column('csat_score')
        batch.drop_column('resolution_note')
        batch.drop_column('handed_back_at')
        batch.drop_column('first_response_at')
