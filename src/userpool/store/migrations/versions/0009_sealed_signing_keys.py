"""sealed token signing keys: a pool's RSA private keys sealed like client secrets (the kid as associated data)

Revision ID: 0009
Revises: 0008
"""

import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # Keys written before this stay in ``private_key`` until the service starts with its key and seals them.
    with op.batch_alter_table("signing_keys", schema=None) as batch_op:
        batch_op.add_column(sa.Column("private_key_sealed", sa.Text(), nullable=True))
        batch_op.alter_column("private_key", existing_type=sa.Text(), nullable=True)


def downgrade() -> None:
    with op.batch_alter_table("signing_keys", schema=None) as batch_op:
        batch_op.drop_column("private_key_sealed")
        batch_op.alter_column("private_key", existing_type=sa.Text(), nullable=False)
