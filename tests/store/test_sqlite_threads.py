"""A SQLite store's calls run on the store's own threads: a writer that must wait (here for another process's
write lock) waits there, and the server's event loop keeps serving meanwhile."""

from __future__ import annotations

import asyncio
import sqlite3
import threading
import time

import pytest

from userpool.domain.records import Pool
from userpool.store import Store


def test_a_waiting_writer_does_not_stall_the_event_loop(tmp_path):
    path = tmp_path / "userpool.db"

    async def run() -> tuple[int, float, Pool | None]:
        store = Store.open(f"sqlite:///{path}")
        await store.migrate()
        other = sqlite3.connect(path, isolation_level=None)  # another process's connection, as far as SQLite knows
        other.execute("BEGIN IMMEDIATE")  # holds the write lock
        try:
            write = asyncio.create_task(
                store.create_pool(Pool(id="us-east-1_waited", name="w", settings={}, created_at=0, modified_at=0))
            )
            ticks, started = 0, time.monotonic()
            while time.monotonic() - started < 0.5:  # the loop keeps running while the writer waits
                await asyncio.sleep(0.01)
                ticks += 1
            assert not write.done()
            other.execute("COMMIT")
            waited = time.monotonic() - started
            await asyncio.wait_for(write, 30)
            return ticks, waited, await store.get_pool("us-east-1_waited")
        finally:
            other.close()
            await store.close()

    ticks, waited, pool = asyncio.run(run())
    assert ticks >= 20  # ~50 expected; a loop blocked on the lock would have ticked once
    assert waited >= 0.5
    assert pool is not None and pool.name == "w"


def test_a_thread_keeps_its_connection_and_never_shares_one_in_use(tmp_path):
    path = tmp_path / "userpool.db"

    async def run() -> None:
        store = Store.open(f"sqlite:///{path}")
        await store.migrate()
        threads = store._sqlite
        assert threads is not None
        try:
            with threads.connection() as first:
                pass
            with threads.connection() as again:
                assert again is first  # kept between calls
                with threads.connection() as nested:  # e.g. a store method inside another's transaction
                    assert nested is not first
            assert not first.in_transaction()  # nothing is left open
        finally:
            await store.close()
        assert first.closed

    asyncio.run(run())


def test_a_call_whose_caller_gave_up_before_a_thread_took_it_never_runs(tmp_path):
    async def run() -> list[str]:
        store = Store.open(f"sqlite:///{tmp_path / 'userpool.db'}")
        threads = store._sqlite
        assert threads is not None
        release, ran = threading.Event(), []

        async def blocking() -> None:
            release.wait(10)  # holds its store thread

        async def given_up() -> None:
            ran.append("given up")

        async def answered() -> str:
            return "answered"

        try:
            busy = [asyncio.ensure_future(threads.run(blocking())) for _ in range(4)]  # every store thread
            waiting = asyncio.ensure_future(threads.run(given_up()))
            await asyncio.sleep(0.05)
            waiting.cancel()
            await asyncio.sleep(0.05)
            release.set()
            await asyncio.wait_for(asyncio.gather(*busy), 10)
            ran.append(await asyncio.wait_for(threads.run(answered()), 10))
        finally:
            await store.close()
        with pytest.raises(RuntimeError, match=r"closed|shutdown"):  # a closed store runs nothing
            await threads.run(answered())
        return ran

    assert asyncio.run(run()) == ["answered"]
