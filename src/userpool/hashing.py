"""CPU work in a bounded thread pool, so argon2id, SRP arithmetic and RSA never block the event loop.

argon2-cffi releases the GIL, so N threads use N cores. At most ``workers + queue`` jobs are in flight
(19 MiB per hash); past that the caller gets ``TooManyRequestsException`` at once instead of an unbounded queue.
SRP's modular exponentiations (GMP) and RSA signing hold the GIL, but each call is well under a millisecond,
so running them here bounds how long the event loop can wait for the GIL to one such call.
"""

from __future__ import annotations

from argon2.exceptions import InvalidHashError, VerificationError

from userpool.domain import srp, texts
from userpool.domain.passwords import HASH_ITERATIONS, HASH_MEMORY_KIB, new_hasher
from userpool.errors import TooManyRequestsException
from userpool.workers import Workers


class PasswordHashing:
    def __init__(
        self, workers: int, queue: int, memory_kib: int = HASH_MEMORY_KIB, iterations: int = HASH_ITERATIONS
    ) -> None:
        self._workers = Workers(workers, "argon2")
        self._hasher = new_hasher(memory_kib, iterations)
        self._limit = workers + queue
        self._in_flight = 0
        self._dummy: str | None = None

    @property
    def in_flight(self) -> int:
        return self._in_flight

    async def run(self, fn, *args):  # type: ignore[no-untyped-def]
        """``fn(*args)`` in the pool (or ``TooManyRequestsException`` when the pool is full)."""
        return await self._run(fn, *args)

    async def _run(self, fn, *args):  # type: ignore[no-untyped-def]
        if self._in_flight >= self._limit:
            raise TooManyRequestsException(texts.RATE_EXCEEDED)
        self._in_flight += 1
        try:
            return await self._workers.run(fn, *args)
        finally:
            self._in_flight -= 1

    async def hash(self, password: str) -> str:
        return await self._run(self._hasher.hash, password)

    async def hash_with_verifier(self, password: str, pool_id: str, username: str) -> tuple[str, srp.Verifier]:
        """The argon2id hash and the SRP salt and verifier of a password, in one job."""

        def both() -> tuple[str, srp.Verifier]:
            return self._hasher.hash(password), srp.make_verifier(pool_id, username, password)

        return await self._run(both)

    async def verify_dummy(self, password: str) -> bool:
        """Spend what checking a real user's password costs, for a user who does not exist (always False)."""
        if self._dummy is None:
            self._dummy = await self._run(self._hasher.hash, "userpool-dummy-password")
        await self.verify(self._dummy, password)
        return False

    async def verify(self, stored: str, password: str) -> bool:
        def check() -> bool:
            try:
                return self._hasher.verify(stored, password)
            except (VerificationError, InvalidHashError):
                return False

        return await self._run(check)

    def close(self) -> None:
        self._workers.close(wait=False)
