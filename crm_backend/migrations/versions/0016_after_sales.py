"""after-sales: price history and price protection, return/exchange/repair requests and their
steps, e-invoices with versions and sends, delivery/installation/pick-up appointments, and the
catalogue's large-item and installation flags

Revision ID: 0016
Revises: 0015
Create Date: 2026-12-01 14:00:00.000000
"""

import sqlalchemy as sa
from alembic import op

revision = '0016'
down_revision = '0015'
branch_labels = None
depends_on = None


def _fk(column: str, table: str, source: str, ondelete: str = 'CASCADE'
        ) -> sa.ForeignKeyConstraint:
    """A foreign key named by the models' naming convention."""
    return sa.ForeignKeyConstraint([column], [f'{table}.id'],
                                   name=op.f(f'fk_{source}_{column}_{table}'), ondelete=ondelete)


def _indexes(table: str, *columns: str) -> None:
    """Plain indexes named by the models' naming convention."""
    for column in columns:
        op.create_index(op.f(f'ix_{table}_{column}'), table, [column])


def upgrade() -> None:
    """Apply this revision."""
    op.add_column('products', sa.Column('bulky', sa.Boolean(), nullable=False,
                                        server_default=sa.false()))
    op.add_column('products', sa.Column('needs_installation', sa.Boolean(), nullable=False,
                                        server_default=sa.false()))
    op.create_table(
        'price_changes',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('product_id', sa.Integer(), nullable=False),
        sa.Column('old_price_fen', sa.Integer(), nullable=False),
        sa.Column('price_fen', sa.Integer(), nullable=False),
        sa.Column('reason', sa.String(length=255), nullable=False),
        sa.Column('idempotency_key', sa.String(length=128), nullable=True),
        sa.Column('changed_at', sa.DateTime(), nullable=False),
        _fk('product_id', 'products', 'price_changes'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_price_changes')),
        sa.UniqueConstraint('idempotency_key', name=op.f('uq_price_changes_idempotency_key')),
    )
    _indexes('price_changes', 'product_id', 'changed_at')
    op.create_table(
        'price_protection_claims',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('order_id', sa.Integer(), nullable=False),
        sa.Column('order_item_id', sa.Integer(), nullable=False),
        sa.Column('customer_id', sa.Integer(), nullable=False),
        sa.Column('paid_unit_fen', sa.Integer(), nullable=False),
        sa.Column('lowest_unit_fen', sa.Integer(), nullable=False),
        sa.Column('quantity', sa.Integer(), nullable=False),
        sa.Column('amount_fen', sa.Integer(), nullable=False),
        sa.Column('refund_id', sa.Integer(), nullable=True),
        sa.Column('request_key', sa.String(length=128), nullable=False),
        sa.Column('idempotency_key', sa.String(length=160), nullable=False),
        sa.Column('created_at', sa.DateTime(), nullable=False),
        _fk('order_id', 'orders', 'price_protection_claims'),
        _fk('order_item_id', 'order_items', 'price_protection_claims'),
        _fk('customer_id', 'customers', 'price_protection_claims'),
        _fk('refund_id', 'refunds', 'price_protection_claims', 'SET NULL'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_price_protection_claims')),
        sa.UniqueConstraint('order_item_id',
                            name=op.f('uq_price_protection_claims_order_item_id')),
        sa.UniqueConstraint('idempotency_key',
                            name=op.f('uq_price_protection_claims_idempotency_key')),
    )
    _indexes('price_protection_claims', 'order_id', 'customer_id', 'refund_id', 'request_key')
    op.create_table(
        'after_sales_requests',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('number', sa.String(length=20), nullable=False),
        sa.Column('customer_id', sa.Integer(), nullable=False),
        sa.Column('order_id', sa.Integer(), nullable=False),
        sa.Column('order_item_id', sa.Integer(), nullable=True),
        sa.Column('kind', sa.String(length=16), nullable=False),
        sa.Column('status', sa.String(length=20), nullable=False),
        sa.Column('reason', sa.String(length=255), nullable=False),
        sa.Column('reject_reason', sa.String(length=255), nullable=True),
        sa.Column('refund_fen', sa.Integer(), nullable=True),
        sa.Column('return_tracking_no', sa.String(length=32), nullable=True),
        sa.Column('outbound_carrier', sa.String(length=32), nullable=True),
        sa.Column('outbound_tracking_no', sa.String(length=32), nullable=True),
        sa.Column('idempotency_key', sa.String(length=128), nullable=True),
        sa.Column('created_at', sa.DateTime(), nullable=False),
        sa.Column('updated_at', sa.DateTime(), nullable=False),
        sa.CheckConstraint("kind IN ('return', 'exchange', 'repair')",
                           name=op.f('ck_after_sales_requests_kind')),
        _fk('customer_id', 'customers', 'after_sales_requests'),
        _fk('order_id', 'orders', 'after_sales_requests'),
        _fk('order_item_id', 'order_items', 'after_sales_requests', 'SET NULL'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_after_sales_requests')),
        sa.UniqueConstraint('number', name=op.f('uq_after_sales_requests_number')),
        sa.UniqueConstraint('idempotency_key',
                            name=op.f('uq_after_sales_requests_idempotency_key')),
    )
    _indexes('after_sales_requests', 'customer_id', 'order_id', 'order_item_id', 'status')
    op.create_table(
        'after_sales_steps',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('request_id', sa.Integer(), nullable=False),
        sa.Column('status', sa.String(length=20), nullable=False),
        sa.Column('note', sa.String(length=255), nullable=False),
        sa.Column('idempotency_key', sa.String(length=128), nullable=True),
        sa.Column('occurred_at', sa.DateTime(), nullable=False),
        _fk('request_id', 'after_sales_requests', 'after_sales_steps'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_after_sales_steps')),
        sa.UniqueConstraint('idempotency_key', name=op.f('uq_after_sales_steps_idempotency_key')),
    )
    _indexes('after_sales_steps', 'request_id')
    op.create_table(
        'invoices',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('order_id', sa.Integer(), nullable=False),
        sa.Column('customer_id', sa.Integer(), nullable=False),
        sa.Column('kind', sa.String(length=16), nullable=False),
        sa.Column('title', sa.String(length=128), nullable=False),
        sa.Column('tax_no', sa.String(length=18), nullable=True),
        sa.Column('status', sa.String(length=16), nullable=False),
        sa.Column('number', sa.String(length=20), nullable=True),
        sa.Column('version', sa.Integer(), nullable=False),
        sa.Column('reissues', sa.Integer(), nullable=False),
        sa.Column('amount_fen', sa.Integer(), nullable=False),
        sa.Column('email', sa.String(length=254), nullable=True),
        sa.Column('first_issued_at', sa.DateTime(), nullable=True),
        sa.Column('issued_at', sa.DateTime(), nullable=True),
        sa.Column('sent_at', sa.DateTime(), nullable=True),
        sa.Column('created_at', sa.DateTime(), nullable=False),
        sa.Column('updated_at', sa.DateTime(), nullable=False),
        sa.CheckConstraint("kind IN ('personal', 'company')", name=op.f('ck_invoices_kind')),
        sa.CheckConstraint("status IN ('pending', 'issued', 'voided')",
                           name=op.f('ck_invoices_status')),
        _fk('order_id', 'orders', 'invoices'),
        _fk('customer_id', 'customers', 'invoices'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_invoices')),
        sa.UniqueConstraint('order_id', name=op.f('uq_invoices_order_id')),
    )
    _indexes('invoices', 'customer_id')
    op.create_table(
        'invoice_versions',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('invoice_id', sa.Integer(), nullable=False),
        sa.Column('version', sa.Integer(), nullable=False),
        sa.Column('number', sa.String(length=20), nullable=False),
        sa.Column('kind', sa.String(length=16), nullable=False),
        sa.Column('title', sa.String(length=128), nullable=False),
        sa.Column('tax_no', sa.String(length=18), nullable=True),
        sa.Column('reason', sa.String(length=255), nullable=False),
        sa.Column('issued_at', sa.DateTime(), nullable=False),
        sa.Column('voided_at', sa.DateTime(), nullable=True),
        sa.Column('idempotency_key', sa.String(length=128), nullable=True),
        _fk('invoice_id', 'invoices', 'invoice_versions'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_invoice_versions')),
        sa.UniqueConstraint('invoice_id', 'version', name='uq_invoice_versions_invoice_version'),
        sa.UniqueConstraint('number', name=op.f('uq_invoice_versions_number')),
        sa.UniqueConstraint('idempotency_key', name=op.f('uq_invoice_versions_idempotency_key')),
    )
    _indexes('invoice_versions', 'invoice_id')
    op.create_table(
        'invoice_sends',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('invoice_id', sa.Integer(), nullable=False),
        sa.Column('version', sa.Integer(), nullable=False),
        sa.Column('email', sa.String(length=254), nullable=False),
        sa.Column('idempotency_key', sa.String(length=128), nullable=False),
        sa.Column('sent_at', sa.DateTime(), nullable=False),
        _fk('invoice_id', 'invoices', 'invoice_sends'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_invoice_sends')),
        sa.UniqueConstraint('idempotency_key', name=op.f('uq_invoice_sends_idempotency_key')),
    )
    _indexes('invoice_sends', 'invoice_id', 'sent_at')
    op.create_table(
        'appointments',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('order_id', sa.Integer(), nullable=False),
        sa.Column('customer_id', sa.Integer(), nullable=False),
        sa.Column('kind', sa.String(length=16), nullable=False),
        sa.Column('day', sa.Date(), nullable=False),
        sa.Column('time_window', sa.String(length=16), nullable=False),
        sa.Column('status', sa.String(length=16), nullable=False),
        sa.Column('changes', sa.Integer(), nullable=False),
        sa.Column('idempotency_key', sa.String(length=128), nullable=False),
        sa.Column('created_at', sa.DateTime(), nullable=False),
        sa.Column('updated_at', sa.DateTime(), nullable=False),
        sa.CheckConstraint("kind IN ('delivery', 'installation', 'pickup')",
                           name=op.f('ck_appointments_kind')),
        _fk('order_id', 'orders', 'appointments'),
        _fk('customer_id', 'customers', 'appointments'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_appointments')),
        sa.UniqueConstraint('order_id', 'kind', name='uq_appointments_order_kind'),
        sa.UniqueConstraint('idempotency_key', name=op.f('uq_appointments_idempotency_key')),
    )
    _indexes('appointments', 'order_id', 'customer_id')
    op.create_table(
        'appointment_changes',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('appointment_id', sa.Integer(), nullable=False),
        sa.Column('old_day', sa.Date(), nullable=False),
        sa.Column('old_window', sa.String(length=16), nullable=False),
        sa.Column('new_day', sa.Date(), nullable=False),
        sa.Column('new_window', sa.String(length=16), nullable=False),
        sa.Column('idempotency_key', sa.String(length=128), nullable=False),
        sa.Column('created_at', sa.DateTime(), nullable=False),
        _fk('appointment_id', 'appointments', 'appointment_changes'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_appointment_changes')),
        sa.UniqueConstraint('idempotency_key',
                            name=op.f('uq_appointment_changes_idempotency_key')),
    )
    _indexes('appointment_changes', 'appointment_id')


def downgrade() -> None:
    """Revert this revision."""
    for table in ('appointment_changes', 'appointments', 'invoice_sends', 'invoice_versions',
                  'invoices', 'after_sales_steps', 'after_sales_requests',
                  'price_protection_claims', 'price_changes'):
        op.drop_table(table)
    # Plain ALTER TABLE … DROP COLUMN (SQLite ≥ 3.35): a batch copy of products would be
    # refused while order items refer to it.
    op.drop_column('products', 'needs_installation')
    op.drop_column('products', 'bulky')
