"""users in creation order per pool: an index on (pool_id, id), so a page of ListUsers reads its 60 rows in order
instead of sorting the whole pool

Revision ID: 0020
Revises: 0019
"""

from alembic import op

revision = "0020"
down_revision = "0019"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index("ix_users_pool_order", "users", ["pool_id", "id"], unique=False)


def downgrade() -> None:
    op.drop_index("ix_users_pool_order", table_name="users")
