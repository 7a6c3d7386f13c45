"""an owner for each risk flag (who follows the customer up, and since when), and the indexes
the at-risk page reads a customer's last contact and open complaints by

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-08 10:00:00.000000
"""

import sqlalchemy as sa
from alembic import op

revision = '0015'
down_revision = '0014'
branch_labels = None
depends_on = None


INDEXES = (
    ('ix_conversation_messages_conversation_author_created', 'conversation_messages',
     ['conversation_id', 'author', 'created_at']),
    ('ix_orders_customer_created', 'orders', ['customer_id', 'created_at']),
    ('ix_complaints_customer_status_created', 'complaints',
     ['customer_id', 'status', 'created_at', 'number']),
)


def upgrade() -> None:
    """Apply this revision."""
    with op.batch_alter_table('risk_flags', schema=None) as batch_op:
        batch_op.add_column(sa.Column('owner_staff_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('owner_assigned_at', sa.DateTime(), nullable=True))
        batch_op.create_index(batch_op.f('ix_risk_flags_owner_staff_id'), ['owner_staff_id'],
                              unique=False)
        batch_op.create_foreign_key(batch_op.f('fk_risk_flags_owner_staff_id_staff_users'),
                                    'staff_users', ['owner_staff_id'], ['id'],
                                    ondelete='SET NULL')
    for name, table, columns in INDEXES:
        op.create_index(name, table, columns, unique=False)


def downgrade() -> None:
    """Revert this revision."""
    for name, table, _ in reversed(INDEXES):
        op.drop_index(name, table_name=table)
    with op.batch_alter_table('risk_flags', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_risk_flags_owner_staff_id_staff_users'),
                                 type_='foreignkey')
        batch_op.drop_index(batch_op.f('ix_risk_flags_owner_staff_id'))
        batch_op.drop_column('owner_assigned_at')
        batch_op.drop_column('owner_staff_id')
