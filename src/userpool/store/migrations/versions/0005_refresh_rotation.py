"""refresh-token rotation: the session (family) of each refresh token, and when rotation replaced it

Revision ID: 0005
Revises: 0004
"""

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("refresh_tokens", schema=None) as batch_op:
        batch_op.add_column(sa.Column("session_id", sa.String(length=36), nullable=True))
        batch_op.add_column(sa.Column("replaced_at", sa.Float(), nullable=True))
    # Every refresh token issued before rotation existed is the only member of its session, named like Cognito's
    # token sessions (``tkn`` and 25 lowercase letters and digits) from its unique origin_jti's hex digits.
    op.execute("UPDATE refresh_tokens SET session_id = 'tkn' || substr(replace(origin_jti, '-', ''), 1, 25)")
    with op.batch_alter_table("refresh_tokens", schema=None) as batch_op:
        batch_op.alter_column("session_id", existing_type=sa.String(length=36), nullable=False)
        batch_op.create_index(batch_op.f("ix_refresh_tokens_session_id"), ["session_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("refresh_tokens", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_refresh_tokens_session_id"))
        batch_op.drop_column("replaced_at")
        batch_op.drop_column("session_id")
