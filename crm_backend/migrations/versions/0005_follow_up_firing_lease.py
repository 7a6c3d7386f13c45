"""lease on firing follow-ups, so one cut off by a restart is fired again

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-23 18:20:00.000000
"""

import sqlalchemy as sa
from alembic import op

revision = '0005'
down_revision = '0004'
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Apply this revision."""
    with op.batch_alter_table('follow_ups', schema=None) as batch_op:
        batch_op.add_column(sa.Column('lease_until', sa.DateTime(), nullable=True))


def downgrade() -> None:
    """Revert this revision."""
    with op.batch_alter_table('follow_ups', schema=None) as batch_op:
        batch_op.drop_column('lease_until')
