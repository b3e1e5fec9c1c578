"""A SQLite file store for the tests that look at its engine (``SqliteThreads``): opened, migrated, closed after."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

from userpool.store import Store
from userpool.store.engine import SqliteThreads


@asynccontextmanager
async def opened(path: Path) -> AsyncIterator[tuple[Store, SqliteThreads]]:
    """The store in the SQLite file at ``path``, migrated, and its threads."""
    store = Store.open(f"sqlite:///{path}")
    try:
        await store.migrate()
        assert store._sqlite is not None
        yield store, store._sqlite
    finally:
        await store.close()
