"""days on which the daily loyalty jobs ran

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-23 18:40:00.000000
"""

import sqlalchemy as sa
from alembic import op

revision = '0006'
down_revision = '0005'
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Apply this revision."""
    op.create_table(
        'daily_job_runs',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('day', sa.Date(), nullable=False),
        sa.Column('grants', sa.Integer(), nullable=False),
        sa.Column('flagged', sa.Integer(), nullable=False),
        sa.Column('finished_at', sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_daily_job_runs')),
        sa.UniqueConstraint('day', name=op.f('uq_daily_job_runs_day')),
    )


def downgrade() -> None:
    """Revert this revision."""
    op.drop_table('daily_job_runs')
