"""security: rate counters, risk configurations, sealed client secrets

Revision ID: 0004
Revises: 0003
"""

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "rate_counters",
        sa.Column("scope", sa.String(length=32), nullable=False),
        sa.Column("key", sa.String(length=255), nullable=False),
        sa.Column("window_start", sa.BigInteger(), nullable=False),
        sa.Column("count", sa.Integer(), nullable=False),
        sa.Column("expires_at", sa.Float(), nullable=False),
        sa.PrimaryKeyConstraint("scope", "key", "window_start"),
    )
    with op.batch_alter_table("rate_counters", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_rate_counters_expires_at"), ["expires_at"], unique=False)

    op.create_table(
        "risk_configurations",
        sa.Column("pool_id", sa.String(length=55), nullable=False),
        sa.Column("client_id", sa.String(length=128), nullable=False),
        sa.Column("configuration", sa.JSON(), nullable=False),
        sa.Column("modified_at", sa.Float(), nullable=False),
        sa.ForeignKeyConstraint(["pool_id"], ["pools.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("pool_id", "client_id"),
    )

    with op.batch_alter_table("clients", schema=None) as batch_op:
        batch_op.add_column(sa.Column("secret_sealed", sa.Text(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("clients", schema=None) as batch_op:
        batch_op.drop_column("secret_sealed")
    op.drop_table("risk_configurations")
    with op.batch_alter_table("rate_counters", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_rate_counters_expires_at"))
    op.drop_table("rate_counters")
