"""Counters: rate-limit windows (``rate_counters``, counted without waiting for the disk) and the daily send
quotas (``send_counts``), each bumped by one upsert that never passes its limit, whatever the concurrency."""

from __future__ import annotations

import functools
from collections.abc import Sequence
from typing import Any

from sqlalchemy import bindparam, delete, func, select, update

from userpool.store import tables as t
from userpool.store.engine import StoreBase, StoreConnection, dialect_insert, on_store_thread, point_statement

# How often (seconds) expired rate counters are swept away, at most.
_SWEEP_INTERVAL = 60.0
_SWEEP_COUNTERS = delete(t.rate_counters).where(t.rate_counters.c.expires_at <= bindparam("now"))


@functools.cache
def _count_hit_statement(dialect: str) -> Any:
    """Add one to a rate counter, creating it at one, and return the new count (an upsert of the dialect)."""
    statement = dialect_insert(dialect)(t.rate_counters).values(
        scope=bindparam("scope"),
        key=bindparam("key"),
        window_start=bindparam("window_start"),
        count=1,
        expires_at=bindparam("expires_at"),
    )
    return point_statement(  # cached, so kept for good
        statement.on_conflict_do_update(
            index_elements=[t.rate_counters.c.scope, t.rate_counters.c.key, t.rate_counters.c.window_start],
            set_={"count": t.rate_counters.c.count + 1},
        ).returning(t.rate_counters.c.count)
    )


async def count_in(conn: StoreConnection, dialect: str, hits: Sequence[tuple[str, str, int, float]]) -> list[int]:
    """Add one to the counter of each (scope, key, window start, window end) inside the caller's transaction, and
    return their new values: how another area counts a hit in the transaction it commits anyway."""
    statement = _count_hit_statement(dialect)
    counts = []
    for scope, key, window_start, expires_at in hits:
        hit = {"scope": scope, "key": key, "window_start": window_start, "expires_at": expires_at}
        counts.append(int((await conn.execute(statement, hit)).scalar_one()))
    return counts


class CounterStore(StoreBase):
    _next_sweep = 0.0  # when this process next sweeps ended windows away (housekeeping, not state)

    # ---- rate counters ---------------------------------------------------------------------------------
    @on_store_thread
    async def count_hit(self, scope: str, key: str, window_start: int, expires_at: float, now: float) -> int:
        """``count_hits`` of one counter."""
        [count] = await self.count_hits([(scope, key, window_start, expires_at)], now)
        return count

    @on_store_thread
    async def count_hits(self, hits: Sequence[tuple[str, str, int, float]], now: float) -> list[int]:
        """Add one to the counter of each (scope, key, window start, window end) and return their new values, in
        one transaction of atomic upserts that work the same on SQLite and PostgreSQL (``INSERT ... ON CONFLICT
        DO UPDATE ... RETURNING``). Counters of windows that have ended are deleted now and then."""
        async with self._write(durable=False) as conn:
            counts = await count_in(conn, self.dialect, hits)
            if now >= self._next_sweep:
                self._next_sweep = now + _SWEEP_INTERVAL
                await conn.execute(_SWEEP_COUNTERS, {"now": now})
        return counts

    @on_store_thread
    async def count_rate_counters(self) -> int:
        async with self._read() as conn:
            return (await conn.execute(select(func.count()).select_from(t.rate_counters))).scalar_one()

    # ---- send quota ------------------------------------------------------------------------------------
    @on_store_thread
    async def take_send_quota(self, pool_id: str, medium: str, day: str, limit: int) -> bool:
        """Count one message of ``medium`` sent by the pool on ``day``, unless ``limit`` are already counted.

        One upsert statement, so concurrent senders (in any process) can never count past the limit."""
        if limit <= 0:
            return False
        statement = (
            dialect_insert(self.dialect)(t.send_counts)
            .values(pool_id=pool_id, medium=medium, day=day, count=1)
            .on_conflict_do_update(
                index_elements=[t.send_counts.c.pool_id, t.send_counts.c.medium, t.send_counts.c.day],
                set_={"count": t.send_counts.c.count + 1},
                where=t.send_counts.c.count < limit,
            )
            .returning(t.send_counts.c.count)
        )
        async with self._write() as conn:
            return (await conn.execute(statement)).first() is not None

    @on_store_thread
    async def return_send_quota(self, pool_id: str, medium: str, day: str) -> None:
        """Give back a count taken for a message that could not be delivered."""
        async with self._write() as conn:
            await conn.execute(
                update(t.send_counts)
                .where(
                    t.send_counts.c.pool_id == pool_id,
                    t.send_counts.c.medium == medium,
                    t.send_counts.c.day == day,
                    t.send_counts.c.count > 0,
                )
                .values(count=t.send_counts.c.count - 1)
            )
