"""follow-ups of win-back attempts

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-23 16:10:00.000000
"""

import sqlalchemy as sa
from alembic import op

revision = '0004'
down_revision = '0003'
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Apply this revision."""
    with op.batch_alter_table('follow_ups', schema=None) as batch_op:
        batch_op.add_column(sa.Column('winback_attempt_id', sa.Integer(), nullable=True))
        batch_op.create_index(batch_op.f('ix_follow_ups_winback_attempt_id'), ['winback_attempt_id'], unique=False)
        batch_op.create_foreign_key(batch_op.f('fk_follow_ups_winback_attempt_id_winback_attempts'), 'winback_attempts', ['winback_attempt_id'], ['id'], ondelete='CASCADE')


def downgrade() -> None:
    """Revert this revision."""
    with op.batch_alter_table('follow_ups', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_follow_ups_winback_attempt_id_winback_attempts'), type_='foreignkey')
        batch_op.drop_index(batch_op.f('ix_follow_ups_winback_attempt_id'))
        batch_op.drop_column('winback_attempt_id')
