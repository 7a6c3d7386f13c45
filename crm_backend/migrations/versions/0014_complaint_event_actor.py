"""who acted on each complaint step (customer, bot, a person, the CRM), and the indexes of the
managers' complaint log

Rows written before this revision get their actor from the fixed wording the CRM wrote them
with (what the customer said, refused or answered; a person's entry; the scheduler's follow-up);
every other old entry was the bot's. A person's old entry names them in its note only.

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-02 10:00:00.000000
"""

import sqlalchemy as sa
from alembic import op

revision = '0014'
down_revision = '0013'
branch_labels = None
depends_on = None

ACTORS = "actor IN ('customer', 'bot', 'agent', 'system')"

# (actor, step, how the note starts) of the entries written before actors were recorded.
OLD_WORDING = (
    ('customer', 1, '客户陈述'),
    ('customer', 3, '客户不接受方案'),
    ('agent', 3, '人工客服'),
    ('customer', 4, '回访：'),
    ('system', 4, '已发起回访'),
    ('agent', 4, '人工客服'),
)

LOG_FILTERS = ('status', 'current_step', 'category', 'severity', 'customer_tier', 'channel')


def upgrade() -> None:
    """Apply this revision."""
    with op.batch_alter_table('complaint_events') as batch:
        batch.add_column(sa.Column('actor', sa.String(length=16), nullable=False,
                                   server_default='bot'))
        batch.add_column(sa.Column('staff_id', sa.Integer(), nullable=True))
        batch.create_foreign_key(op.f('fk_complaint_events_staff_id_staff_users'),
                                 'staff_users', ['staff_id'], ['id'], ondelete='SET NULL')
        batch.create_check_constraint(op.f('ck_complaint_events_actor'), ACTORS)
        batch.create_index(op.f('ix_complaint_events_staff_id'), ['staff_id'])
    events = sa.table('complaint_events', sa.column('actor', sa.String),
                      sa.column('step', sa.Integer), sa.column('note', sa.Text))
    for actor, step, start in OLD_WORDING:
        op.execute(events.update().where(events.c.step == step, events.c.note.like(f'{start}%'))
                   .values(actor=actor))
    op.create_index('ix_complaints_created_at', 'complaints', ['created_at'])
    for column in LOG_FILTERS:
        op.create_index(f'ix_complaints_{column}_created_at', 'complaints', [column, 'created_at'])


def downgrade() -> None:
    """Revert this revision."""
    for column in reversed(LOG_FILTERS):
        op.drop_index(f'ix_complaints_{column}_created_at', table_name='complaints')
    op.drop_index('ix_complaints_created_at', table_name='complaints')
    with op.batch_alter_table('complaint_events') as batch:
        batch.drop_index(op.f('ix_complaint_events_staff_id'))
        batch.drop_constraint(op.f('ck_complaint_events_actor'), type_='check')
        batch.drop_constraint(op.f('fk_complaint_events_staff_id_staff_users'),
                              type_='foreignkey')
        batch.drop_column('staff_id')
        batch.drop_column('actor')
