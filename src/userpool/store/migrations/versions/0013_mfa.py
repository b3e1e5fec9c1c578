"""MFA: users' factors and authenticators (user_mfa), and an attempt count on challenge sessions

Revision ID: 0013
Revises: 0009
"""

import sqlalchemy as sa
from alembic import op

revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "user_mfa",
        sa.Column("user_id", sa.Integer(), sa.ForeignKey("users.id", ondelete="CASCADE"), primary_key=True),
        sa.Column("sms_enabled", sa.Boolean(), nullable=False),
        sa.Column("totp_enabled", sa.Boolean(), nullable=False),
        sa.Column("email_enabled", sa.Boolean(), nullable=False),
        sa.Column("preferred", sa.String(32), nullable=True),
        sa.Column("totp_secret_sealed", sa.Text(), nullable=True),
        sa.Column("totp_pending_sealed", sa.Text(), nullable=True),
        sa.Column("totp_name", sa.String(256), nullable=True),
        sa.Column("totp_last_step", sa.BigInteger(), nullable=True),
        sa.Column("modified_at", sa.Float(), nullable=False),
    )
    with op.batch_alter_table("auth_sessions", schema=None) as batch_op:
        batch_op.add_column(sa.Column("failed_attempts", sa.Integer(), nullable=False, server_default="0"))


def downgrade() -> None:
    with op.batch_alter_table("auth_sessions", schema=None) as batch_op:
        batch_op.drop_column("failed_attempts")
    op.drop_table("user_mfa")
