"""The schema's version: Alembic migrations up to the newest, and the check that a store is already there (which
keeps Alembic out of a start-up that has nothing to migrate)."""

from __future__ import annotations

import ast
import functools
from pathlib import Path

from sqlalchemy import inspect, text
from sqlalchemy.engine import Connection

from userpool.store.engine import StoreBase, on_store_thread

MIGRATIONS = Path(__file__).parent / "migrations"
MIGRATION_LOCK = 0x75736572706F6F6C  # "userpool"


@functools.cache
def _head_revisions() -> frozenset[str]:
    """The newest revisions of the migration scripts (those no other script names as its ``down_revision``),
    read from the scripts' ``revision``/``down_revision`` assignments without importing Alembic."""
    revisions: set[str] = set()
    parents: set[str] = set()
    for script in (MIGRATIONS / "versions").glob("*.py"):
        for node in ast.parse(script.read_text()).body:
            if isinstance(node, ast.Assign | ast.AnnAssign) and node.value is not None:
                targets = node.targets if isinstance(node, ast.Assign) else [node.target]
                names = {t.id for t in targets if isinstance(t, ast.Name)}
                value = ast.literal_eval(node.value) if names & {"revision", "down_revision"} else None
                if "revision" in names:
                    revisions.add(value)
                if "down_revision" in names and value is not None:
                    parents.update([value] if isinstance(value, str) else value)
    return frozenset(revisions - parents)


def _at_head(connection: Connection) -> bool:
    """Whether the store's schema is already at the newest revision (then start-up need not load Alembic,
    which costs a few hundred milliseconds)."""
    if not inspect(connection).has_table("alembic_version"):
        return False
    stored = {row[0] for row in connection.execute(text("SELECT version_num FROM alembic_version"))}
    return stored == _head_revisions()


def _upgrade(connection: Connection) -> None:
    from alembic import command  # imported here: only a store that is behind needs it
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.attributes["connection"] = connection
    command.upgrade(config, "head")


class SchemaStore(StoreBase):
    @on_store_thread
    async def migrate(self) -> None:
        """Apply Alembic migrations up to the newest (also the way a new store gets its schema).

        Several processes may start at once: on PostgreSQL they queue on an advisory lock, on SQLite on the
        write lock the migration's transaction takes."""
        async with self._write() as conn:
            if self.dialect == "postgresql":
                await conn.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": MIGRATION_LOCK})
            if not await conn.run_sync(_at_head):
                await conn.run_sync(_upgrade)
