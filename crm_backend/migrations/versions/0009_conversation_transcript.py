"""the transcript of record: every message of every conversation, by author and channel

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-01 11:40:00.000000
"""

import sqlalchemy as sa
from alembic import op

revision = '0009'
down_revision = '0008'
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Apply this revision."""
    op.create_table(
        'conversation_messages',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('conversation_id', sa.String(length=128), nullable=False),
        sa.Column('channel', sa.String(length=16), nullable=False),
        sa.Column('author', sa.String(length=16), nullable=False),
        sa.Column('text', sa.Text(), nullable=False),
        sa.Column('buttons', sa.JSON(), nullable=True),
        sa.Column('client_message_id', sa.String(length=160), nullable=True),
        sa.Column('staff_id', sa.Integer(), nullable=True),
        sa.Column('handoff_id', sa.Integer(), nullable=True),
        sa.Column('created_at', sa.DateTime(), nullable=False),
        sa.CheckConstraint("author IN ('customer', 'bot', 'agent', 'system')",
                           name=op.f('ck_conversation_messages_author')),
        sa.ForeignKeyConstraint(['staff_id'], ['staff_users.id'],
                                name=op.f('fk_conversation_messages_staff_id_staff_users'),
                                ondelete='SET NULL'),
        sa.ForeignKeyConstraint(['handoff_id'], ['handoffs.id'],
                                name=op.f('fk_conversation_messages_handoff_id_handoffs'),
                                ondelete='SET NULL'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_conversation_messages')),
        sa.UniqueConstraint('conversation_id', 'client_message_id',
                            name='uq_conversation_messages_client_message'),
    )
    for column in ('conversation_id', 'staff_id', 'handoff_id', 'created_at'):
        op.create_index(op.f(f'ix_conversation_messages_{column}'), 'conversation_messages',
                        [column])


def downgrade() -> None:
    """Revert this revision."""
    op.drop_table('conversation_messages')
