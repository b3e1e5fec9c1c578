"""Group commit on a SQLite file store: a durable write commits without syncing inside the write lock, then waits for
a sync of the write-ahead log that began after its commit; writers that commit while a sync runs share the next one.
Counted with the engine's own numbers (``SqliteThreads.committed``, ``synced``, ``syncs``)."""

from __future__ import annotations

import asyncio
import os
import time

import pytest
from sqlalchemy import event, text

from tests.store.sqlite_store import opened
from userpool.domain.records import Pool
from userpool.store import Store
from userpool.store.engine import SqliteThreads

WRITERS = 16


def pool(name: str) -> Pool:
    return Pool(id=f"us-east-1_{name}", name=name, settings={}, created_at=0, modified_at=0)


async def create_pool(store: Store, threads: SqliteThreads, name: str) -> tuple[int, int]:
    """Create a pool on a store thread (one durable write) and answer the number of its commit and the number
    synced when the write returned."""

    async def on_thread() -> tuple[int, int]:
        await store.create_pool(pool(name))
        return threads.last_commit(), threads.synced

    return await threads.run(on_thread())


def slow_sync(fd: int) -> None:
    time.sleep(0.02)  # a slow disk: writers commit while a sync runs
    os.fsync(fd)


async def test_concurrent_durable_writes_share_syncs_and_return_only_once_synced(tmp_path):
    path = tmp_path / "userpool.db"
    async with opened(path) as (store, threads):
        threads.sync_file = slow_sync
        commits, syncs = threads.committed, threads.syncs
        seen = await asyncio.gather(*(create_pool(store, threads, f"w{i}") for i in range(WRITERS)))
        assert all(synced >= commit for commit, synced in seen)  # none returned before its commit was synced
        assert len({commit for commit, _ in seen}) == WRITERS
        assert threads.committed - commits == WRITERS
        assert 0 < threads.syncs - syncs < WRITERS  # writers that committed during a sync shared the next
    async with opened(path) as (store, _):
        for i in range(WRITERS):
            assert await store.get_pool(f"us-east-1_w{i}") is not None


async def test_one_sync_covers_every_commit_made_before_it_began(tmp_path):
    async with opened(tmp_path / "userpool.db") as (store, threads):
        commits, syncs = threads.committed, threads.syncs
        with threads.sync_lock:  # a sync under way: the four store threads commit, then wait for the next sync
            writes = [asyncio.ensure_future(create_pool(store, threads, f"g{i}")) for i in range(4)]
            for _ in range(2000):  # up to ~10 s
                if threads.committed >= commits + 4:
                    break
                await asyncio.sleep(0.005)
            await asyncio.sleep(0.05)
            assert not any(write.done() for write in writes)  # committed, but not answered before a sync
        seen = await asyncio.gather(*writes)
        assert threads.syncs - syncs == 1
        assert all(synced >= commits + 4 for _, synced in seen)


async def test_writes_that_need_not_be_durable_do_not_sync(tmp_path):
    async with opened(tmp_path / "userpool.db") as (store, threads):
        commits, syncs = threads.committed, threads.syncs
        for _ in range(5):
            await store.count_hits([("ip", "203.0.113.9", 60, 1.0)], now=time.time())
        assert threads.committed - commits == 5
        assert threads.syncs == syncs


async def test_a_failed_sync_fails_the_write_and_every_later_durable_write(tmp_path):
    path = tmp_path / "userpool.db"

    def failing_sync(fd: int) -> None:
        raise OSError(5, "Input/output error")

    async with opened(path) as (store, threads):
        threads.sync_file = failing_sync
        with pytest.raises(OSError, match="Input/output error"):
            await store.create_pool(pool("failed"))
        threads.sync_file = os.fsync  # the disk answers again, but what it dropped is unknown
        with pytest.raises(OSError, match="an earlier sync"):
            await store.create_pool(pool("after"))
        await store.count_hits([("ip", "203.0.113.9", 60, 1.0)], now=time.time())  # not durable: not refused
    async with opened(path) as (store, threads):  # opened again: durable writes work
        await store.create_pool(pool("reopened"))
        assert threads.synced == threads.committed
        assert await store.get_pool("us-east-1_reopened") is not None


async def test_a_begin_that_fails_after_sqlite_began_leaves_no_transaction_behind(tmp_path):
    """When SQLAlchemy's ``begin`` fails after ``BEGIN IMMEDIATE`` ran (here a later ``begin`` listener raises),
    the store thread's kept connection is not left holding SQLite's write lock: the next writes go through."""
    async with opened(tmp_path / "userpool.db") as (store, threads):

        def failing(conn: object) -> None:
            raise RuntimeError("a begin listener failed")

        event.listen(threads.engine, "begin", failing)
        try:
            with pytest.raises(RuntimeError, match="a begin listener failed"):
                await store.create_pool(pool("refused"))
        finally:
            event.remove(threads.engine, "begin", failing)
        await asyncio.wait_for(asyncio.gather(*(store.create_pool(pool(f"after{i}")) for i in range(8))), 10)
        assert await store.get_pool("us-east-1_refused") is None
        assert await store.get_pool("us-east-1_after7") is not None


async def test_a_store_in_memory_never_syncs():
    store = Store.open("sqlite:///:memory:")
    threads = store._sqlite
    assert threads is not None
    try:
        async with store._write() as conn:
            await conn.execute(text("CREATE TABLE t (x INTEGER)"))
            await conn.execute(text("INSERT INTO t VALUES (1)"))
        assert (threads.committed, threads.syncs) == (1, 0)
    finally:
        await store.close()


async def test_a_sweep_for_stale_import_jobs_that_finds_none_makes_no_write(tmp_path):
    """The import runner sweeps every few minutes on every server: with nothing to expire, no write transaction
    (and no wait for the disk)."""
    async with opened(tmp_path / "userpool.db") as (store, threads):
        commits = threads.committed
        assert await store.expire_import_jobs(time.time()) == 0
        assert threads.committed == commits
