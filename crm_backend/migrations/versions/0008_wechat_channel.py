"""WeChat channel: delivered messages (deduplicated), the shared access token, customer-service
messages sent or not, and when a linked OpenID unfollowed

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-01 11:30:00.000000
"""

import sqlalchemy as sa
from alembic import op

revision = '0008'
down_revision = '0007'
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Apply this revision."""
    with op.batch_alter_table('channel_identities') as batch:
        batch.add_column(sa.Column('unsubscribed_at', sa.DateTime(), nullable=True))
    op.create_table(
        'wechat_inbound',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('dedupe_key', sa.String(length=160), nullable=False),
        sa.Column('open_id', sa.String(length=128), nullable=False),
        sa.Column('msg_type', sa.String(length=32), nullable=False),
        sa.Column('status', sa.String(length=16), nullable=False),
        sa.Column('delivery', sa.String(length=16), nullable=True),
        sa.Column('reply', sa.Text(), nullable=True),
        sa.Column('received_at', sa.DateTime(), nullable=False),
        sa.Column('answered_at', sa.DateTime(), nullable=True),
        sa.CheckConstraint("status IN ('processing', 'answered')",
                           name=op.f('ck_wechat_inbound_status')),
        sa.CheckConstraint("delivery IS NULL OR delivery IN ('passive', 'api', 'none')",
                           name=op.f('ck_wechat_inbound_delivery')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_wechat_inbound')),
        sa.UniqueConstraint('dedupe_key', name=op.f('uq_wechat_inbound_dedupe_key')),
    )
    for column in ('open_id', 'received_at'):
        op.create_index(op.f(f'ix_wechat_inbound_{column}'), 'wechat_inbound', [column])
    op.create_table(
        'wechat_access_tokens',
        sa.Column('app_id', sa.String(length=64), nullable=False),
        sa.Column('access_token', sa.String(length=512), nullable=True),
        sa.Column('expires_at', sa.DateTime(), nullable=True),
        sa.Column('fetched_at', sa.DateTime(), nullable=True),
        sa.PrimaryKeyConstraint('app_id', name=op.f('pk_wechat_access_tokens')),
    )
    op.create_table(
        'wechat_deliveries',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('open_id', sa.String(length=128), nullable=False),
        sa.Column('inbound_key', sa.String(length=160), nullable=False),
        sa.Column('content', sa.Text(), nullable=False),
        sa.Column('status', sa.String(length=16), nullable=False),
        sa.Column('errcode', sa.Integer(), nullable=True),
        sa.Column('errmsg', sa.String(length=255), nullable=True),
        sa.Column('created_at', sa.DateTime(), nullable=False),
        sa.CheckConstraint("status IN ('sent', 'not_sent')",
                           name=op.f('ck_wechat_deliveries_status')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_wechat_deliveries')),
    )
    for column in ('open_id', 'inbound_key', 'created_at'):
        op.create_index(op.f(f'ix_wechat_deliveries_{column}'), 'wechat_deliveries', [column])


def downgrade() -> None:
    """Revert this revision."""
    op.drop_table('wechat_deliveries')
    op.drop_table('wechat_access_tokens')
    op.drop_table('wechat_inbound')
    with op.batch_alter_table('channel_identities') as batch:
        batch.drop_column('unsubscribed_at')
