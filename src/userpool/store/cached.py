"""A per-process cache of the rows nearly every request reads (app clients and their pools; also the pools' risk
configurations, which SignUp reads in an enforcing pool), correct across processes and hosts by a bound on staleness
rather than by messages between them.

- An entry lives ``seconds`` (``USERPOOL_CONFIG_CACHE_SECONDS``), counted from *before* the read that filled it: a
  change committed by any process is obeyed by every process at most that long after its commit.
- Every write this process makes to pools, app clients, their secrets or risk configurations empties the cache when
  it is done (``invalidates_cache``), so this process obeys its own changes at once; a read that was under way during
  such a write does not fill the cache (the generation moved on meanwhile), so it cannot put back what the write
  replaced.
- Absence is cached too (within the same bound), and the cache holds at most ``MAX_ENTRIES`` entries (emptied when
  full: the working set is the pools and clients in use, rebuilt by one read each).
- ``seconds = 0`` turns it off: every read goes to the database.
- Only the JSON API's operations (and the console's, which run the same way) read through the cache
  (``SERVED_FROM_CACHE``, set by ``protocol.wire.Endpoint.run``): a client or pool deleted by another process may
  be served from the cache for up to the bound, and a write that then names it meets the foreign key; ``run`` turns
  that failure into the not-found error the request would get after the bound. Pages, OAuth endpoints, start-up
  and background work read the database.
"""

from __future__ import annotations

import functools
import threading
import time
from collections.abc import Awaitable, Callable, Hashable
from contextvars import ContextVar
from typing import Any, TypeVar

R = TypeVar("R")
Method = TypeVar("Method", bound=Callable[..., Awaitable[Any]])

MAX_ENTRIES = 10_000
# Whether reads in this context may be answered from the cache (see the module docstring).
SERVED_FROM_CACHE: ContextVar[bool] = ContextVar("userpool_served_from_cache", default=False)


class ReadCache:
    def __init__(self, seconds: float = 0.0) -> None:
        self.seconds = seconds
        self._entries: dict[Hashable, tuple[float, Any]] = {}
        self._generation = 0
        self._lock = threading.Lock()  # a SQLite store's writes clear it from the store's threads

    async def read(self, key: Hashable, read: Callable[[], Awaitable[R]]) -> R:
        """The value of ``key``: from the cache while it is fresh, else from ``read()`` (and kept)."""
        if self.seconds <= 0 or not SERVED_FROM_CACHE.get():
            return await read()
        now = time.monotonic()
        entry = self._entries.get(key)
        if entry is not None and entry[0] > now:
            return entry[1]
        generation = self._generation
        value = await read()
        with self._lock:
            if generation == self._generation:
                if len(self._entries) >= MAX_ENTRIES:
                    self._entries.clear()
                self._entries[key] = (now + self.seconds, value)
        return value

    def clear(self) -> None:
        """Forget everything, and keep reads under way from filling the cache with what they read before."""
        with self._lock:
            self._generation += 1
            self._entries.clear()


def invalidates_cache(method: Method) -> Method:
    """Mark a store method that writes pools, app clients or their secrets: the store's ``ReadCache`` is emptied
    when it returns or raises (after its commit)."""

    @functools.wraps(method)
    async def run(self: Any, *args: Any, **kwargs: Any) -> Any:
        try:
            return await method(self, *args, **kwargs)
        finally:
            self._cache.clear()

    return run  # type: ignore[return-value]
