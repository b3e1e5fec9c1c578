"""Password hashing in a bounded thread pool, so argon2id never blocks the event loop.

argon2-cffi releases the GIL, so N threads use N cores. At most ``workers + queue`` hashes are in flight
(19 MiB each); past that the caller gets ``TooManyRequestsException`` at once instead of an unbounded queue.
"""

from __future__ import annotations

import asyncio
from concurrent.futures import ThreadPoolExecutor

from argon2.exceptions import InvalidHashError, VerificationError

from userpool.domain.passwords import new_hasher
from userpool.errors import TooManyRequestsException


class PasswordHashing:
    def __init__(self, workers: int, queue: int) -> None:
        self._executor = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="argon2")
        self._hasher = new_hasher()
        self._limit = workers + queue
        self._in_flight = 0

    @property
    def in_flight(self) -> int:
        return self._in_flight

    async def _run(self, fn, *args):  # type: ignore[no-untyped-def]
        if self._in_flight >= self._limit:
            raise TooManyRequestsException("Rate exceeded")
        self._in_flight += 1
        try:
            return await asyncio.get_running_loop().run_in_executor(self._executor, fn, *args)
        finally:
            self._in_flight -= 1

    async def hash(self, password: str) -> str:
        return await self._run(self._hasher.hash, password)

    async def verify(self, stored: str, password: str) -> bool:
        def check() -> bool:
            try:
                return self._hasher.verify(stored, password)
            except (VerificationError, InvalidHashError):
                return False

        return await self._run(check)

    def close(self) -> None:
        self._executor.shutdown(wait=False, cancel_futures=True)
