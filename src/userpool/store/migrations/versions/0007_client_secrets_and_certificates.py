"""client secret rotation (a second secret per client, and when each was made) and SAML signing certificates

Revision ID: 0007
Revises: 0006
"""

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("clients", schema=None) as batch_op:
        batch_op.add_column(sa.Column("secret_created_ms", sa.BigInteger(), nullable=True))
        batch_op.add_column(sa.Column("second_secret_sealed", sa.Text(), nullable=True))
        batch_op.add_column(sa.Column("second_secret_created_ms", sa.BigInteger(), nullable=True))
    # A secret made before rotation existed was made with its client (created_at: epoch seconds).
    op.execute(
        "UPDATE clients SET secret_created_ms = CAST(ROUND(created_at * 1000) AS BIGINT)"
        " WHERE secret_sealed IS NOT NULL OR secret IS NOT NULL"
    )
    op.create_table(
        "signing_certificates",
        sa.Column("pool_id", sa.String(length=55), nullable=False),
        sa.Column("certificate", sa.Text(), nullable=False),
        sa.Column("private_key_sealed", sa.Text(), nullable=False),
        sa.Column("created_at", sa.Float(), nullable=False),
        sa.ForeignKeyConstraint(["pool_id"], ["pools.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("pool_id"),
    )


def downgrade() -> None:
    op.drop_table("signing_certificates")
    with op.batch_alter_table("clients", schema=None) as batch_op:
        batch_op.drop_column("second_secret_created_ms")
        batch_op.drop_column("second_secret_sealed")
        batch_op.drop_column("secret_created_ms")
