"""complaint remedies and follow-ups, handoff links, satisfaction answers, order changes

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-23 12:58:13.042523
"""

import sqlalchemy as sa
from alembic import op

revision = '0003'
down_revision = '0002'
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Apply this revision."""
    op.create_table('order_changes',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('order_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=16), nullable=False),
    sa.Column('field', sa.String(length=32), nullable=True),
    sa.Column('old_value', sa.Text(), nullable=True),
    sa.Column('new_value', sa.Text(), nullable=True),
    sa.Column('reason', sa.String(length=255), nullable=True),
    sa.Column('idempotency_key', sa.String(length=128), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.CheckConstraint("kind IN ('cancel', 'modify')", name=op.f('ck_order_changes_kind')),
    sa.ForeignKeyConstraint(['order_id'], ['orders.id'], name=op.f('fk_order_changes_order_id_orders'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_order_changes')),
    sa.UniqueConstraint('idempotency_key', name=op.f('uq_order_changes_idempotency_key'))
    )
    with op.batch_alter_table('order_changes', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_order_changes_order_id'), ['order_id'], unique=False)

    with op.batch_alter_table('complaints', schema=None) as batch_op:
        batch_op.add_column(sa.Column('remedy_execution', sa.JSON(), nullable=True))
        batch_op.alter_column('status',
               existing_type=sa.VARCHAR(length=16),
               type_=sa.String(length=20),
               existing_nullable=False)

    with op.batch_alter_table('follow_ups', schema=None) as batch_op:
        batch_op.add_column(sa.Column('last_error', sa.Text(), nullable=True))
        batch_op.add_column(sa.Column('rasa_response', sa.JSON(), nullable=True))
        batch_op.add_column(sa.Column('idempotency_key', sa.String(length=128), nullable=True))
        batch_op.create_unique_constraint(batch_op.f('uq_follow_ups_idempotency_key'), ['idempotency_key'])

    with op.batch_alter_table('handoffs', schema=None) as batch_op:
        batch_op.add_column(sa.Column('complaint_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('idempotency_key', sa.String(length=128), nullable=True))
        batch_op.create_index(batch_op.f('ix_handoffs_complaint_id'), ['complaint_id'], unique=False)
        batch_op.create_unique_constraint(batch_op.f('uq_handoffs_idempotency_key'), ['idempotency_key'])
        batch_op.create_foreign_key(batch_op.f('fk_handoffs_complaint_id_complaints'), 'complaints', ['complaint_id'], ['id'], ondelete='SET NULL')

    with op.batch_alter_table('orders', schema=None) as batch_op:
        batch_op.add_column(sa.Column('delivery_time', sa.String(length=64), nullable=True))

    with op.batch_alter_table('satisfaction_answers', schema=None) as batch_op:
        batch_op.add_column(sa.Column('resolved', sa.Boolean(), nullable=True))
        batch_op.add_column(sa.Column('idempotency_key', sa.String(length=128), nullable=True))
        batch_op.create_unique_constraint(batch_op.f('uq_satisfaction_answers_idempotency_key'), ['idempotency_key'])



def downgrade() -> None:
    """Revert this revision."""
    with op.batch_alter_table('satisfaction_answers', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('uq_satisfaction_answers_idempotency_key'), type_='unique')
        batch_op.drop_column('idempotency_key')
        batch_op.drop_column('resolved')

    with op.batch_alter_table('orders', schema=None) as batch_op:
        batch_op.drop_column('delivery_time')

    with op.batch_alter_table('handoffs', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_handoffs_complaint_id_complaints'), type_='foreignkey')
        batch_op.drop_constraint(batch_op.f('uq_handoffs_idempotency_key'), type_='unique')
        batch_op.drop_index(batch_op.f('ix_handoffs_complaint_id'))
        batch_op.drop_column('idempotency_key')
        batch_op.drop_column('complaint_id')

    with op.batch_alter_table('follow_ups', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('uq_follow_ups_idempotency_key'), type_='unique')
        batch_op.drop_column('idempotency_key')
        batch_op.drop_column('rasa_response')
        batch_op.drop_column('last_error')

    with op.batch_alter_table('complaints', schema=None) as batch_op:
        batch_op.alter_column('status',
               existing_type=sa.String(length=20),
               type_=sa.VARCHAR(length=16),
               existing_nullable=False)
        batch_op.drop_column('remedy_execution')

    with op.batch_alter_table('order_changes', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_order_changes_order_id'))

    op.drop_table('order_changes')
