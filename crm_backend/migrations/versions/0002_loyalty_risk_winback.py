"""loyalty ledger support, risk signals, notifications, win-back attempts, tier history

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-23 12:36:48.107518
"""

import sqlalchemy as sa
from alembic import op

revision = '0002'
down_revision = '0001'
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Apply this revision."""
    op.create_table('notifications',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('recipient_staff_id', sa.Integer(), nullable=True),
    sa.Column('customer_id', sa.Integer(), nullable=True),
    sa.Column('kind', sa.String(length=32), nullable=False),
    sa.Column('message', sa.Text(), nullable=False),
    sa.Column('conversation_id', sa.String(length=128), nullable=True),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['customer_id'], ['customers.id'], name=op.f('fk_notifications_customer_id_customers'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['recipient_staff_id'], ['staff_users.id'], name=op.f('fk_notifications_recipient_staff_id_staff_users'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_notifications'))
    )
    with op.batch_alter_table('notifications', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_notifications_customer_id'), ['customer_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_notifications_recipient_staff_id'), ['recipient_staff_id'], unique=False)

    op.create_table('risk_signals',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('customer_id', sa.Integer(), nullable=False),
    sa.Column('signal', sa.String(length=32), nullable=False),
    sa.Column('detail', sa.String(length=255), nullable=False),
    sa.Column('conversation_id', sa.String(length=128), nullable=True),
    sa.Column('idempotency_key', sa.String(length=128), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['customer_id'], ['customers.id'], name=op.f('fk_risk_signals_customer_id_customers'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_risk_signals')),
    sa.UniqueConstraint('idempotency_key', name=op.f('uq_risk_signals_idempotency_key'))
    )
    with op.batch_alter_table('risk_signals', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_risk_signals_created_at'), ['created_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_risk_signals_customer_id'), ['customer_id'], unique=False)

    op.create_table('tier_changes',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('customer_id', sa.Integer(), nullable=False),
    sa.Column('old_tier', sa.String(length=16), nullable=True),
    sa.Column('new_tier', sa.String(length=16), nullable=False),
    sa.Column('reason', sa.String(length=255), nullable=False),
    sa.Column('computed_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['customer_id'], ['customers.id'], name=op.f('fk_tier_changes_customer_id_customers'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_tier_changes'))
    )
    with op.batch_alter_table('tier_changes', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_tier_changes_customer_id'), ['customer_id'], unique=False)

    op.create_table('winback_attempts',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('customer_id', sa.Integer(), nullable=False),
    sa.Column('conversation_id', sa.String(length=128), nullable=True),
    sa.Column('trigger', sa.String(length=64), nullable=False),
    sa.Column('tier_used', sa.String(length=16), nullable=False),
    sa.Column('bad_faith_used', sa.Boolean(), nullable=False),
    sa.Column('action', sa.String(length=32), nullable=False),
    sa.Column('offer', sa.JSON(), nullable=True),
    sa.Column('coupon_id', sa.Integer(), nullable=True),
    sa.Column('points_entry_id', sa.Integer(), nullable=True),
    sa.Column('notification_id', sa.Integer(), nullable=True),
    sa.Column('outcome', sa.String(length=16), nullable=True),
    sa.Column('outcome_at', sa.DateTime(), nullable=True),
    sa.Column('idempotency_key', sa.String(length=128), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['coupon_id'], ['coupons.id'], name=op.f('fk_winback_attempts_coupon_id_coupons'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['customer_id'], ['customers.id'], name=op.f('fk_winback_attempts_customer_id_customers'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['notification_id'], ['notifications.id'], name=op.f('fk_winback_attempts_notification_id_notifications'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['points_entry_id'], ['points_entries.id'], name=op.f('fk_winback_attempts_points_entry_id_points_entries'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_winback_attempts')),
    sa.UniqueConstraint('idempotency_key', name=op.f('uq_winback_attempts_idempotency_key'))
    )
    with op.batch_alter_table('winback_attempts', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_winback_attempts_coupon_id'), ['coupon_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_winback_attempts_customer_id'), ['customer_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_winback_attempts_notification_id'), ['notification_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_winback_attempts_points_entry_id'), ['points_entry_id'], unique=False)

    with op.batch_alter_table('customers', schema=None) as batch_op:
        batch_op.add_column(sa.Column('bad_faith_marked_by', sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column('bad_faith_marked_at', sa.DateTime(), nullable=True))



def downgrade() -> None:
    """Revert this revision."""
    with op.batch_alter_table('customers', schema=None) as batch_op:
        batch_op.drop_column('bad_faith_marked_at')
        batch_op.drop_column('bad_faith_marked_by')

    with op.batch_alter_table('winback_attempts', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_winback_attempts_points_entry_id'))
        batch_op.drop_index(batch_op.f('ix_winback_attempts_notification_id'))
        batch_op.drop_index(batch_op.f('ix_winback_attempts_customer_id'))
        batch_op.drop_index(batch_op.f('ix_winback_attempts_coupon_id'))

    op.drop_table('winback_attempts')
    with op.batch_alter_table('tier_changes', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_tier_changes_customer_id'))

    op.drop_table('tier_changes')
    with op.batch_alter_table('risk_signals', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_risk_signals_customer_id'))
        batch_op.drop_index(batch_op.f('ix_risk_signals_created_at'))

    op.drop_table('risk_signals')
    with op.batch_alter_table('notifications', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_notifications_recipient_staff_id'))
        batch_op.drop_index(batch_op.f('ix_notifications_customer_id'))

    op.drop_table('notifications')
