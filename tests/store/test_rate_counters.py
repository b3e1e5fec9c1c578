"""The rate-counter upsert on a real SQLite file and a real PostgreSQL: atomic under concurrency, shared by two
engines (as by two processes), windows kept apart, ended windows swept. Also the schema migrations on both."""

from __future__ import annotations

import asyncio

from userpool.store import Store


def test_concurrent_hits_from_two_engines_each_get_a_distinct_count(fresh_database):
    async def run() -> list[int]:
        first, second = Store.open(fresh_database), Store.open(fresh_database)
        await first.migrate()
        try:
            hits = [
                store.count_hit("scope", "key", 1000, 2000.0, 1500.0) for store in (first, second) for _ in range(40)
            ]
            return list(await asyncio.gather(*hits))
        finally:
            await first.close()
            await second.close()

    counts = asyncio.run(run())
    assert sorted(counts) == list(range(1, 81))


def test_windows_and_keys_are_counted_apart_and_ended_windows_are_swept(fresh_database):
    async def run() -> tuple[list[int], int]:
        store = Store.open(fresh_database)
        await store.migrate()
        try:
            counts = [
                await store.count_hit("s", "a", 0, 10.0, 5.0),
                await store.count_hit("s", "a", 0, 10.0, 6.0),
                await store.count_hit("s", "b", 0, 10.0, 6.0),
                await store.count_hit("t", "a", 0, 10.0, 6.0),
            ]
            # much later: a new window starts at 1 and the ended ones are deleted (the sweep is due again)
            counts.append(await store.count_hit("s", "a", 100, 110.0, 100.0))
            return counts, await store.count_rate_counters()
        finally:
            await store.close()

    counts, remaining = asyncio.run(run())
    assert counts == [1, 2, 1, 1, 1]
    assert remaining == 1


def test_integrity_check_is_clean_on_a_new_store(fresh_database):
    async def run() -> list[str]:
        store = Store.open(fresh_database)
        await store.migrate()
        try:
            return await store.integrity_check()
        finally:
            await store.close()

    assert asyncio.run(run()) == []


def test_one_call_counts_several_limits_in_one_transaction(fresh_database):
    async def run() -> tuple[list[int], list[int]]:
        store = Store.open(fresh_database)
        await store.migrate()
        try:
            hits = [("pool:UserCreation", "p", 10, 11.0), ("ip:SignUp", "127.0.0.1", 0, 3600.0)]
            first = await store.count_hits(hits, 10.5)
            second = await store.count_hits([*hits, ("ip:SignUp", "::1", 0, 3600.0)], 10.6)
            return first, second
        finally:
            await store.close()

    first, second = asyncio.run(run())
    assert first == [1, 1]
    assert second == [2, 2, 1]
