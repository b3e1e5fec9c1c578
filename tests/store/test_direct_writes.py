"""A SQLite write transaction (``StoreBase._write``) runs its marked statements (``point_statement``) straight on
the sqlite3 connection, with BEGIN IMMEDIATE and COMMIT there too: what a write does stays what it did through
SQLAlchemy (one transaction, all or nothing, SQLAlchemy's errors, durable), and with anyone listening to the
engine's events every write goes through SQLAlchemy again."""

from __future__ import annotations

import sqlite3
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

import pytest
from sqlalchemy import Column, Integer, MetaData, String, Table, bindparam, event, insert, select, text, update
from sqlalchemy.engine import Connection, CursorResult
from sqlalchemy.exc import IntegrityError, InvalidRequestError, OperationalError

from tests.store import sqlite_store
from userpool.store import Store
from userpool.store.engine import SqliteThreads, point_statement

_probes = Table(
    "probes",
    MetaData(),
    Column("id", Integer, primary_key=True),
    Column("name", String, nullable=False),
    Column("note", String),
)
INSERT_PROBE = point_statement(insert(_probes).values(id=bindparam("id"), name=bindparam("name")))
RENAME_PROBE = point_statement(
    update(_probes).where(_probes.c.id == bindparam("b_id")).values(name=bindparam("b_name")).returning(_probes.c.id)
)
_NAMES = select(_probes.c.name).order_by(_probes.c.id)
ADD_PROBE = point_statement(insert(_probes))  # every column a bound value; the key left to SQLite


@asynccontextmanager
async def opened(tmp_path: Path) -> AsyncIterator[tuple[Store, SqliteThreads]]:
    """A SQLite store with a table ``probes``."""
    async with sqlite_store.opened(tmp_path / "userpool.db") as (store, threads):
        async with store._write() as conn:
            await conn.execute(text("CREATE TABLE probes (id INTEGER PRIMARY KEY, name TEXT NOT NULL, note TEXT)"))
        yield store, threads


async def names(store: Store) -> list[str]:
    async with store._read() as conn:
        return list((await conn.execute(_NAMES)).scalars())


async def test_a_marked_write_runs_on_the_sqlite_connection_and_is_committed_durably(tmp_path):
    async with opened(tmp_path) as (store, threads):
        async with store._write() as conn:
            inserted = await conn.execute(INSERT_PROBE, {"id": 1, "name": "one"})
            renamed = await conn.execute(RENAME_PROBE, {"b_id": 1, "b_name": "uno"})
            assert renamed.scalar_one() == 1 and renamed.rowcount == 1
            missing = await conn.execute(RENAME_PROBE, {"b_id": 2, "b_name": "dos"})
            assert missing.scalar_one_or_none() is None and missing.rowcount == 0
        assert not isinstance(inserted, CursorResult)  # not SQLAlchemy's execution
        assert inserted.rowcount == 1
        assert await names(store) == ["uno"]
        assert threads.synced >= threads.last_commit() == threads.committed  # durable: synced before returning


async def test_marked_and_other_statements_share_one_transaction(tmp_path):
    async with opened(tmp_path) as (store, _):
        async with store._write() as conn:
            await conn.execute(INSERT_PROBE, {"id": 1, "name": "direct"})
            other = await conn.execute(text("INSERT INTO probes (id, name) VALUES (2, 'through SQLAlchemy')"))
            assert isinstance(other, CursorResult)
            await conn.execute(INSERT_PROBE, {"id": 3, "name": "direct again"})
        assert await names(store) == ["direct", "through SQLAlchemy", "direct again"]


@pytest.mark.parametrize("through_sqlalchemy", [False, True], ids=["direct-only", "mixed"])
async def test_a_failure_in_the_middle_of_a_transaction_writes_nothing(tmp_path, through_sqlalchemy):
    async with opened(tmp_path) as (store, threads):
        committed = threads.committed
        with pytest.raises(IntegrityError):  # SQLAlchemy's error, as the store methods expect
            async with store._write() as conn:
                await conn.execute(INSERT_PROBE, {"id": 1, "name": "first"})
                if through_sqlalchemy:
                    await conn.execute(text("INSERT INTO probes (id, name) VALUES (2, 'second')"))
                await conn.execute(INSERT_PROBE, {"id": 1, "name": "the same key"})
        with pytest.raises(RuntimeError, match="a store method failed"):
            async with store._write() as conn:
                await conn.execute(INSERT_PROBE, {"id": 5, "name": "before the failure"})
                raise RuntimeError("a store method failed")
        assert await names(store) == []
        assert threads.committed == committed
        async with store._write() as conn:  # nothing left holding the write lock
            await conn.execute(INSERT_PROBE, {"id": 1, "name": "after"})
        assert await names(store) == ["after"]


async def test_a_marked_statement_missing_a_value_fails_as_through_sqlalchemy(tmp_path):
    async with opened(tmp_path) as (store, _):
        with pytest.raises(Exception, match="A value is required for bind parameter 'name'"):
            async with store._write() as conn:
                await conn.execute(INSERT_PROBE, {"id": 1})
        assert await names(store) == []


async def test_with_a_begin_listener_writes_go_through_sqlalchemy_and_are_counted(tmp_path):
    async with opened(tmp_path) as (store, threads):
        begun: list[bool] = []

        def counting(conn: Connection) -> None:
            options = conn.get_execution_options()
            if not options.get("userpool_read_only") and not options.get("userpool_single_statement"):
                begun.append(options["userpool_durable"])

        event.listen(threads.engine, "begin", counting)
        try:
            async with store._write() as conn:
                result = await conn.execute(INSERT_PROBE, {"id": 1, "name": "durable"})
            async with store._write(durable=False) as conn:
                await conn.execute(INSERT_PROBE, {"id": 2, "name": "lazy"})
        finally:
            event.remove(threads.engine, "begin", counting)
        assert isinstance(result, CursorResult)
        assert begun == [True, False]
        async with store._write() as conn:  # no listener: direct again, and not counted
            assert not isinstance(await conn.execute(INSERT_PROBE, {"id": 3, "name": "direct"}), CursorResult)
        assert begun == [True, False]
        assert await names(store) == ["durable", "lazy", "direct"]


async def test_a_locked_database_is_the_operational_error_retrying_knows(tmp_path):
    async with opened(tmp_path) as (store, threads):
        with threads.connection() as kept:  # this thread's own, which ``_write`` takes: no busy wait on it
            kept.connection.driver_connection.execute("PRAGMA busy_timeout=0")
        other = sqlite3.connect(tmp_path / "userpool.db", isolation_level=None)  # another process, as SQLite sees it
        other.execute("BEGIN IMMEDIATE")
        try:
            with pytest.raises(OperationalError) as locked:
                async with store._write() as conn:
                    await conn.execute(INSERT_PROBE, {"id": 1, "name": "locked out"})
            assert "database is locked" in str(locked.value.orig)  # what ``retrying`` runs again
        finally:
            other.execute("ROLLBACK")
            other.close()
        async with store._write() as conn:
            await conn.execute(INSERT_PROBE, {"id": 1, "name": "after"})
        assert await names(store) == ["after"]


async def test_a_marked_insert_answers_its_new_key_and_many_rows_go_in_one_statement(tmp_path):
    async with opened(tmp_path) as (store, threads):
        committed = threads.committed
        async with store._write() as conn:
            first = await conn.execute(ADD_PROBE, {"name": "keyed by SQLite"})  # the key and the note left out
            many = await conn.execute(ADD_PROBE, [{"name": "two", "note": "noted"}, {"id": None, "name": "three"}])
            after = await conn.execute(ADD_PROBE, {"name": "four"})
        assert not isinstance(first, CursorResult) and not isinstance(many, CursorResult)
        assert first.inserted_primary_key == (1,) and after.inserted_primary_key == (4,)
        assert many.rowcount == 2
        with pytest.raises(InvalidRequestError):
            many.inserted_primary_key  # noqa: B018 - no one key for many rows
        assert await names(store) == ["keyed by SQLite", "two", "three", "four"]
        async with store._read() as conn:
            notes = list((await conn.execute(select(_probes.c.note).order_by(_probes.c.id))).scalars())
        assert notes == [None, "noted", None, None]
        assert threads.committed == committed + 1


async def test_many_rows_with_one_failing_write_nothing_and_fail_as_through_sqlalchemy(tmp_path):
    async with opened(tmp_path) as (store, _):
        with pytest.raises(IntegrityError):
            async with store._write() as conn:
                await conn.execute(ADD_PROBE, [{"id": 7, "name": "seven"}, {"id": 7, "name": "seven again"}])
        with pytest.raises(Exception, match="A value is required for bind parameter 'name'"):
            async with store._write() as conn:
                await conn.execute(ADD_PROBE, [{"id": 8, "name": "eight"}, {"id": 9}])
        assert await names(store) == []
