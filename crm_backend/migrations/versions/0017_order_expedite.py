"""when the warehouse was asked to rush an order out (a complaint's "expedite" remedy)

Revision ID: 0017
Revises: 0016
Create Date: 2026-12-01 17:00:00.000000
"""

import sqlalchemy as sa
from alembic import op

revision = '0017'
down_revision = '0016'
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Apply this revision."""
    with op.batch_alter_table('orders', schema=None) as batch_op:
        batch_op.add_column(sa.Column('expedited_at', sa.DateTime(), nullable=True))


def downgrade() -> None:
    """Revert this revision."""
    with op.batch_alter_table('orders', schema=None) as batch_op:
        batch_op.drop_column('expedited_at')
