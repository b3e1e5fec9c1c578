"""token sessions and session tracking: one row per sign-in, and the pools' and clients' session configurations

Revision ID: 0006
Revises: 0005
"""

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "token_sessions",
        sa.Column("id", sa.String(length=28), nullable=False),
        sa.Column("pool_id", sa.String(length=55), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("client_id", sa.String(length=128), nullable=False),
        sa.Column("created_at", sa.Float(), nullable=False),
        sa.Column("last_active_at", sa.Float(), nullable=False),
        sa.Column("expires_at", sa.Float(), nullable=False),
        sa.Column("ip_address", sa.String(length=128), nullable=True),
        sa.Column("device", sa.String(length=1024), nullable=True),
        sa.Column("revoked_at", sa.Float(), nullable=True),
        sa.ForeignKeyConstraint(["client_id"], ["clients.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["pool_id"], ["pools.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("token_sessions", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_token_sessions_user_id"), ["user_id"], unique=False)
    # Every session of the refresh tokens issued so far (before this, one refresh token each, or a rotated family).
    op.execute(
        "INSERT INTO token_sessions (id, pool_id, user_id, client_id, created_at, last_active_at, expires_at,"
        " revoked_at) SELECT session_id, MIN(pool_id), MIN(user_id), MIN(client_id), MIN(created_at),"
        " MAX(created_at), MAX(expires_at), MAX(revoked_at) FROM refresh_tokens GROUP BY session_id"
    )
    op.create_table(
        "session_configurations",
        sa.Column("pool_id", sa.String(length=55), nullable=False),
        sa.Column("client_id", sa.String(length=128), nullable=False),
        sa.Column("configuration", sa.JSON(), nullable=False),
        sa.Column("modified_at", sa.Float(), nullable=False),
        sa.ForeignKeyConstraint(["pool_id"], ["pools.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("pool_id", "client_id"),
    )


def downgrade() -> None:
    op.drop_table("session_configurations")
    with op.batch_alter_table("token_sessions", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_token_sessions_user_id"))
    op.drop_table("token_sessions")
