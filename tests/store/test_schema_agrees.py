"""The migrations build exactly the schema `tables.py` declares (tables, columns, indexes, constraints), on each
database: an index or column added to one and not the other is found here, not in production."""

from __future__ import annotations

import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from tests import databases
from userpool.store import tables


def test_migrations_match_the_declared_tables(store_url: str) -> None:
    engine = sa.create_engine(databases.sync_url(store_url))
    try:
        with engine.connect() as conn:
            differences = compare_metadata(MigrationContext.configure(conn), tables.metadata)
    finally:
        engine.dispose()
    assert differences == []
