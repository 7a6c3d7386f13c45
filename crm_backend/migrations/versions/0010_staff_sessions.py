"""staff logins: database sessions (only the token's hash stored), disabling and lockout

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-03 10:00:00.000000
"""

import sqlalchemy as sa
from alembic import op

revision = '0010'
down_revision = '0009'
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Apply this revision."""
    # Plain ALTER TABLE, also on SQLite (3.35+ drops columns natively): a batch rebuild would drop
    # staff_users, and with foreign keys on that would clear every reference to its rows.
    op.add_column('staff_users', sa.Column('disabled_at', sa.DateTime(), nullable=True))
    op.add_column('staff_users', sa.Column('failed_logins', sa.Integer(), nullable=False,
                                           server_default='0'))
    op.add_column('staff_users', sa.Column('locked_until', sa.DateTime(), nullable=True))
    op.create_table(
        'staff_sessions',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('staff_id', sa.Integer(), nullable=False),
        sa.Column('token_hash', sa.String(length=64), nullable=False),
        sa.Column('csrf_token', sa.String(length=64), nullable=False),
        sa.Column('created_at', sa.DateTime(), nullable=False),
        sa.Column('last_seen_at', sa.DateTime(), nullable=False),
        sa.Column('expires_at', sa.DateTime(), nullable=False),
        sa.Column('ended_at', sa.DateTime(), nullable=True),
        sa.Column('user_agent', sa.String(length=255), nullable=True),
        sa.ForeignKeyConstraint(['staff_id'], ['staff_users.id'],
                                name=op.f('fk_staff_sessions_staff_id_staff_users'),
                                ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_staff_sessions')),
        sa.UniqueConstraint('token_hash', name=op.f('uq_staff_sessions_token_hash')),
    )
    op.create_index(op.f('ix_staff_sessions_staff_id'), 'staff_sessions', ['staff_id'],
                    unique=False)


def downgrade() -> None:
    """Revert this revision."""
    op.drop_table('staff_sessions')
    for column in ('locked_until', 'failed_logins', 'disabled_at'):
        op.drop_column('staff_users', column)
