"""identity verification attempts, their lockable subjects, and conversation bindings

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-24 10:00:00.000000
"""

import sqlalchemy as sa
from alembic import op

revision = '0007'
down_revision = '0006'
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Apply this revision."""
    op.create_table(
        'identity_attempts',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('conversation_id', sa.String(length=128), nullable=False),
        sa.Column('order_no', sa.String(length=14), nullable=False),
        sa.Column('source', sa.String(length=64), nullable=True),
        sa.Column('outcome', sa.String(length=16), nullable=False),
        sa.Column('customer_id', sa.Integer(), nullable=True),
        sa.Column('attempted_at', sa.DateTime(), nullable=False),
        sa.CheckConstraint("outcome IN ('matched', 'no_match', 'locked')",
                           name=op.f('ck_identity_attempts_outcome')),
        sa.ForeignKeyConstraint(['customer_id'], ['customers.id'],
                                name=op.f('fk_identity_attempts_customer_id_customers'),
                                ondelete='SET NULL'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_identity_attempts')),
    )
    for column in ('conversation_id', 'order_no', 'source', 'customer_id', 'attempted_at'):
        op.create_index(op.f(f'ix_identity_attempts_{column}'), 'identity_attempts', [column],
                        unique=False)
    op.create_table(
        'identity_subjects',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('scope', sa.String(length=16), nullable=False),
        sa.Column('subject', sa.String(length=128), nullable=False),
        sa.Column('created_at', sa.DateTime(), nullable=False),
        sa.CheckConstraint("scope IN ('conversation', 'order', 'source')",
                           name=op.f('ck_identity_subjects_scope')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_identity_subjects')),
        sa.UniqueConstraint('scope', 'subject', name='uq_identity_subjects_scope_subject'),
    )
    op.create_table(
        'conversation_bindings',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('conversation_id', sa.String(length=128), nullable=False),
        sa.Column('customer_id', sa.Integer(), nullable=False),
        sa.Column('order_no', sa.String(length=14), nullable=False),
        sa.Column('bound_at', sa.DateTime(), nullable=False),
        sa.Column('expires_at', sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(['customer_id'], ['customers.id'],
                                name=op.f('fk_conversation_bindings_customer_id_customers'),
                                ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_conversation_bindings')),
        sa.UniqueConstraint('conversation_id', name=op.f('uq_conversation_bindings_conversation_id')),
    )
    op.create_index(op.f('ix_conversation_bindings_customer_id'), 'conversation_bindings',
                    ['customer_id'], unique=False)


def downgrade() -> None:
    """Revert this revision."""
    op.drop_table('conversation_bindings')
    op.drop_table('identity_subjects')
    op.drop_table('identity_attempts')
