"""The databases the suite runs on: a SQLite file, and a fresh database on the local PostgreSQL server.

The one place that knows them: ``tests/conftest.py`` builds its fixtures on this module (``database`` and the
session's server on it, ``fresh_database`` for a store of one test's own), and tests read stored state with
``query`` and ``dump``.

PostgreSQL is found at ``USERPOOL_TEST_POSTGRES`` (default ``postgresql://postgres@127.0.0.1:5432/postgres``, the
trust-auth server of a development machine). Without one, the PostgreSQL half of the suite is skipped with a
message saying how to enable it; under CI (``CI=true``) it fails instead. Every database the suite creates has a
random name, so parallel runs (pytest-xdist workers, other checkouts) never share one.
"""

from __future__ import annotations

import functools
import os
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa

from userpool import testing
from userpool.store import tables
from userpool.testing import POSTGRES_ADMIN_URL, drop_postgres_database, postgres_unavailable

KINDS = ("sqlite", "postgresql")

HOW_TO_ENABLE = (
    "PostgreSQL is not reachable at USERPOOL_TEST_POSTGRES="
    f"{POSTGRES_ADMIN_URL}; start one "
    "(e.g. `pg_ctlcluster --skip-systemctl-redirect $(ls /etc/postgresql) main start`) "
    "or point USERPOOL_TEST_POSTGRES at a server where the user may create databases"
)


@functools.cache
def postgres_available() -> bool:
    return postgres_unavailable() is None


def create_postgres_database() -> str:
    """A new PostgreSQL database for tests. Its commits do not wait for the disk (``synchronous_commit = off``):
    what the suite checks survives our server's crashes and restarts, only a crash of PostgreSQL itself could
    lose the last commits, and waiting for the disk was half the PostgreSQL half's time."""
    import psycopg

    url = testing.create_postgres_database()
    name = url.rsplit("/", 1)[1]
    with psycopg.connect(POSTGRES_ADMIN_URL, autocommit=True) as conn:
        conn.execute(f'ALTER DATABASE "{name}" SET synchronous_commit TO off')
    return url


def require_postgres() -> None:
    """Skip the calling test (fail it under CI) when there is no PostgreSQL to run it on."""
    if not postgres_available():
        if os.environ.get("CI"):
            pytest.fail(HOW_TO_ENABLE)
        pytest.skip(HOW_TO_ENABLE)


def new_database(kind: str, folder: Path) -> str:
    """The URL of a new, empty store of ``kind``: a SQLite file in ``folder``, or a new PostgreSQL database (drop
    it with ``drop_database``)."""
    if kind == "sqlite":
        folder.mkdir(parents=True, exist_ok=True)
        return f"sqlite:///{folder / 'userpool.db'}"
    require_postgres()
    return create_postgres_database()


def drop_database(url: str) -> None:
    """Drop a database made by ``new_database`` (a SQLite file goes with its temporary folder)."""
    if url.startswith("postgresql"):
        drop_postgres_database(url)


def sync_url(url: str) -> str:
    """A synchronous SQLAlchemy URL for the same database, for tests that look at stored state."""
    if url.startswith("postgresql"):
        return "postgresql+psycopg://" + url.split("://", 1)[1]
    return "sqlite:///" + url.split(":///", 1)[1]


def query(url: str, sql: str, **params: Any) -> list[tuple[Any, ...]]:
    engine = sa.create_engine(sync_url(url))
    try:
        with engine.connect() as conn:
            return [tuple(row) for row in conn.execute(sa.text(sql), params)]
    finally:
        engine.dispose()


def dump(url: str) -> str:
    """Every row of every table, as text: what a database dump would reveal."""
    engine = sa.create_engine(sync_url(url))
    try:
        with engine.connect() as conn:
            return "\n".join(
                repr(tuple(row)) for table in tables.metadata.sorted_tables for row in conn.execute(table.select())
            )
    finally:
        engine.dispose()
