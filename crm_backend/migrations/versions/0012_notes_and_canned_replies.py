"""private notes on handoffs, and the canned replies managers keep

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-01 12:00:00.000000
"""

import sqlalchemy as sa
from alembic import op

revision = '0012'
down_revision = '0011'
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Apply this revision."""
    op.create_table(
        'handoff_notes',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('handoff_id', sa.Integer(), nullable=False),
        sa.Column('staff_id', sa.Integer(), nullable=True),
        sa.Column('text', sa.Text(), nullable=False),
        sa.Column('created_at', sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(['handoff_id'], ['handoffs.id'],
                                name=op.f('fk_handoff_notes_handoff_id_handoffs'),
                                ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['staff_id'], ['staff_users.id'],
                                name=op.f('fk_handoff_notes_staff_id_staff_users'),
                                ondelete='SET NULL'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_handoff_notes')),
    )
    op.create_index(op.f('ix_handoff_notes_handoff_id'), 'handoff_notes', ['handoff_id'])
    op.create_index(op.f('ix_handoff_notes_staff_id'), 'handoff_notes', ['staff_id'])
    op.create_table(
        'canned_replies',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('title', sa.String(length=64), nullable=False),
        sa.Column('text', sa.Text(), nullable=False),
        sa.Column('updated_by', sa.Integer(), nullable=True),
        sa.Column('updated_at', sa.DateTime(), nullable=False),
        sa.Column('removed_at', sa.DateTime(), nullable=True),
        sa.ForeignKeyConstraint(['updated_by'], ['staff_users.id'],
                                name=op.f('fk_canned_replies_updated_by_staff_users'),
                                ondelete='SET NULL'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_canned_replies')),
    )
    op.create_index(op.f('ix_canned_replies_updated_by'), 'canned_replies', ['updated_by'])


def downgrade() -> None:
    """Revert this revision."""
    op.drop_table('canned_replies')
    op.drop_table('handoff_notes')
