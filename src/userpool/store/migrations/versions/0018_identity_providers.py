"""federation: identity providers, their identifiers, linked provider identities, federated sign-ins in flight

Revision ID: 0018
Revises: 0015
"""

import sqlalchemy as sa
from alembic import op

revision = "0018"
down_revision = "0015"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "identity_providers",
        sa.Column("pool_id", sa.String(length=55), nullable=False),
        sa.Column("name", sa.String(length=32), nullable=False),
        sa.Column("type", sa.String(length=16), nullable=False),
        sa.Column("details", sa.JSON(), nullable=False),
        sa.Column("secrets_sealed", sa.Text(), nullable=True),
        sa.Column("attribute_mapping", sa.JSON(), nullable=False),
        sa.Column("idp_identifiers", sa.JSON(), nullable=False),
        sa.Column("created_at", sa.Float(), nullable=False),
        sa.Column("modified_at", sa.Float(), nullable=False),
        sa.ForeignKeyConstraint(["pool_id"], ["pools.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("pool_id", "name"),
    )
    op.create_table(
        "identity_provider_identifiers",
        sa.Column("pool_id", sa.String(length=55), nullable=False),
        sa.Column("identifier", sa.String(length=40), nullable=False),
        sa.Column("provider_name", sa.String(length=32), nullable=False),
        sa.ForeignKeyConstraint(
            ["pool_id", "provider_name"],
            ["identity_providers.pool_id", "identity_providers.name"],
            name="fk_idp_identifiers_provider",
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("pool_id", "identifier"),
    )
    op.create_table(
        "provider_links",
        sa.Column("pool_id", sa.String(length=55), nullable=False),
        sa.Column("provider_name", sa.String(length=32), nullable=False),
        sa.Column("attribute_name", sa.String(length=64), nullable=False),
        sa.Column("attribute_value", sa.String(length=2048), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.Float(), nullable=False),
        sa.ForeignKeyConstraint(
            ["pool_id", "provider_name"],
            ["identity_providers.pool_id", "identity_providers.name"],
            name="fk_provider_links_provider",
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("pool_id", "provider_name", "attribute_name", "attribute_value"),
    )
    with op.batch_alter_table("provider_links", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_provider_links_user_id"), ["user_id"], unique=False)
    op.create_table(
        "federation_requests",
        sa.Column("state_hash", sa.String(length=64), nullable=False),
        sa.Column("pool_id", sa.String(length=55), nullable=False),
        sa.Column("provider_name", sa.String(length=32), nullable=False),
        sa.Column("browser_hash", sa.String(length=64), nullable=False),
        sa.Column("authorize_query", sa.JSON(), nullable=False),
        sa.Column("secrets_sealed", sa.Text(), nullable=False),
        sa.Column("created_at", sa.Float(), nullable=False),
        sa.Column("expires_at", sa.Float(), nullable=False),
        sa.Column("used_at", sa.Float(), nullable=True),
        sa.ForeignKeyConstraint(["pool_id"], ["pools.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("state_hash"),
    )
    with op.batch_alter_table("federation_requests", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_federation_requests_expires_at"), ["expires_at"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("federation_requests", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_federation_requests_expires_at"))
    op.drop_table("federation_requests")
    with op.batch_alter_table("provider_links", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_provider_links_user_id"))
    op.drop_table("provider_links")
    op.drop_table("identity_provider_identifiers")
    op.drop_table("identity_providers")
