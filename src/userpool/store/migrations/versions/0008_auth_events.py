"""threat protection's user event history: auth_events

Revision ID: 0008
Revises: 0007
"""

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "auth_events",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("event_id", sa.String(length=50), nullable=False),
        sa.Column("pool_id", sa.String(length=55), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("event_type", sa.String(length=16), nullable=False),
        sa.Column("created_at", sa.Float(), nullable=False),
        sa.Column("response", sa.String(length=16), nullable=False),
        sa.Column("risk_decision", sa.String(length=16), nullable=False),
        sa.Column("compromised", sa.Boolean(), nullable=False),
        sa.Column("challenge_responses", sa.JSON(), nullable=False),
        sa.Column("ip_address", sa.String(length=64), nullable=True),
        sa.Column("device_name", sa.String(length=256), nullable=True),
        sa.Column("feedback_value", sa.String(length=8), nullable=True),
        sa.Column("feedback_provider", sa.String(length=8), nullable=True),
        sa.Column("feedback_at", sa.Float(), nullable=True),
        sa.ForeignKeyConstraint(["pool_id"], ["pools.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("event_id"),
    )
    with op.batch_alter_table("auth_events", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_auth_events_created_at"), ["created_at"], unique=False)
        batch_op.create_index("ix_auth_events_user", ["user_id", "id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("auth_events", schema=None) as batch_op:
        batch_op.drop_index("ix_auth_events_user")
        batch_op.drop_index(batch_op.f("ix_auth_events_created_at"))
    op.drop_table("auth_events")
