"""indexes for the managers' overview: its aggregates range over time columns

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-08 10:00:00.000000
"""

from alembic import op

revision = '0013'
down_revision = '0012'
branch_labels = None
depends_on = None


INDEXES = (
    ('ix_conversation_messages_author_created', 'conversation_messages',
     ['author', 'created_at', 'conversation_id']),
    ('ix_conversation_messages_conversation_created', 'conversation_messages',
     ['conversation_id', 'created_at']),
    ('ix_handoffs_created_at', 'handoffs', ['created_at']),
    ('ix_handoffs_handed_back_at', 'handoffs', ['handed_back_at']),
    ('ix_handoffs_csat_at', 'handoffs', ['csat_at']),
    ('ix_complaints_review', 'complaints',
     ['created_at', 'category', 'severity', 'customer_tier', 'status', 'remedy_accepted']),
    ('ix_satisfaction_answers_created_at', 'satisfaction_answers', ['created_at']),
    ('ix_follow_ups_fired_at', 'follow_ups', ['fired_at']),
    ('ix_refunds_created_at', 'refunds', ['created_at']),
    ('ix_coupons_created_at', 'coupons', ['created_at']),
    ('ix_points_entries_created_at', 'points_entries', ['created_at']),
    ('ix_winback_attempts_created_at', 'winback_attempts', ['created_at']),
)


def upgrade() -> None:
    """Apply this revision."""
    for name, table, columns in INDEXES:
        op.create_index(name, table, columns, unique=False)


def downgrade() -> None:
    """Revert this revision."""
    for name, table, _ in reversed(INDEXES):
        op.drop_index(name, table_name=table)
