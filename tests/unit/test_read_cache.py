"""The cache of app clients and pools (``store/cached.py``): the bound, this process's writes, reads under way
during a write, and the contexts it serves (the API's operations only)."""

from __future__ import annotations

import asyncio
import time
from typing import Any

from userpool.store.cached import SERVED_FROM_CACHE, ReadCache, invalidates_cache


class Source:
    """A stand-in for the database: a value, and how many reads it answered."""

    def __init__(self) -> None:
        self.value, self.reads = "old", 0

    async def read(self) -> str:
        self.reads += 1
        return self.value


def served(coroutine: Any) -> Any:
    """Run ``coroutine`` as an API operation would: reads may come from the cache."""

    async def run() -> Any:
        SERVED_FROM_CACHE.set(True)
        return await coroutine

    return asyncio.run(run())


def test_an_entry_is_kept_for_the_bound_counted_from_before_its_read() -> None:
    cache, source = ReadCache(0.2), Source()
    assert served(cache.read("k", source.read)) == "old"
    source.value = "new"  # changed by another process
    assert served(cache.read("k", source.read)) == "old"
    assert source.reads == 1
    time.sleep(0.25)
    assert served(cache.read("k", source.read)) == "new"


def test_a_write_of_this_process_empties_it_and_a_read_under_way_does_not_put_the_old_value_back() -> None:
    cache, source = ReadCache(60), Source()

    class Store:
        _cache = cache

        @invalidates_cache
        async def update(self) -> None:
            source.value = "new"

    async def racing() -> list[str]:
        async def slow_read() -> str:
            value = await source.read()  # read before the write commits ...
            await Store().update()  # ... which empties the cache meanwhile
            return value

        first = await cache.read("k", slow_read)
        return [first, await cache.read("k", source.read)]

    assert served(racing()) == ["old", "new"]


def test_off_when_its_seconds_are_zero_and_outside_the_apis_operations() -> None:
    source = Source()
    off = ReadCache(0)
    for _ in range(2):
        served(off.read("k", source.read))
    assert source.reads == 2
    on = ReadCache(60)
    for _ in range(2):
        asyncio.run(on.read("k", source.read))  # a page, start-up, a background job: the database
    assert source.reads == 4
