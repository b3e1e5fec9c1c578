"""User pools: create, read, update, delete and list (deleting one takes its outbox and send counts with it)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from sqlalchemy import bindparam, delete, func, insert, select, update

from userpool.domain.records import Pool
from userpool.store import tables as t
from userpool.store.cached import invalidates_cache
from userpool.store.engine import StoreBase, on_store_thread, point_read, point_statement, retrying
from userpool.store.paging import page, read_token

_GET_POOL = point_statement(select(t.pools).where(t.pools.c.id == bindparam("pool_id")))


class PoolStore(StoreBase):
    @on_store_thread
    @invalidates_cache
    async def create_pool(self, pool: Pool) -> None:
        async with self._write() as conn:
            await conn.execute(insert(t.pools).values(**pool.__dict__))

    @point_read
    async def get_pool(self, pool_id: str) -> Pool | None:
        return await self._cache.read(("pool", pool_id), lambda: self._read_one(_GET_POOL, {"pool_id": pool_id}, Pool))

    @on_store_thread
    @retrying
    @invalidates_cache
    async def update_pool(self, pool_id: str, name: str, settings: dict[str, Any], at: float) -> bool:
        async with self._write() as conn:
            result = await conn.execute(
                update(t.pools).where(t.pools.c.id == pool_id).values(name=name, settings=settings, modified_at=at)
            )
        return result.rowcount == 1

    @on_store_thread
    @retrying
    @invalidates_cache
    async def change_pool_settings(
        self,
        pool_id: str,
        rule: Callable[[dict[str, Any]], dict[str, Any]],
        at: float | None,
        name: str | None = None,
    ) -> Pool | None:
        """Read the pool's settings, apply ``rule`` and write the result (and ``name``, when given), in one
        transaction with the row locked (PostgreSQL; SQLite's writers are serialized), so concurrent changes
        (UpdateUserPool, AddCustomAttributes, TagResource) never lose one another. ``at`` is the new
        LastModifiedDate, or None to keep it. None when the pool does not exist; an exception ``rule`` raises
        writes nothing."""
        async with self._write() as conn:
            row = (
                (await conn.execute(select(t.pools).where(t.pools.c.id == pool_id).with_for_update()))
                .mappings()
                .first()
            )
            if row is None:
                return None
            pool = Pool(**row)
            settings = rule(pool.settings)
            modified_at = pool.modified_at if at is None else at
            name = pool.name if name is None else name
            await conn.execute(
                update(t.pools)
                .where(t.pools.c.id == pool_id)
                .values(name=name, settings=settings, modified_at=modified_at)
            )
        return Pool(pool.id, name, settings, pool.created_at, modified_at)

    @on_store_thread
    @retrying
    @invalidates_cache
    async def delete_pool(self, pool_id: str) -> bool:
        async with self._write() as conn:
            await conn.execute(delete(t.outbox).where(t.outbox.c.pool_id == pool_id))
            await conn.execute(delete(t.send_counts).where(t.send_counts.c.pool_id == pool_id))
            result = await conn.execute(delete(t.pools).where(t.pools.c.id == pool_id))
        return result.rowcount == 1

    @on_store_thread
    async def list_pools(self, limit: int, token: str | None) -> tuple[list[Pool], str | None]:
        query = select(t.pools).order_by(t.pools.c.id).limit(limit + 1)
        if token is not None:
            query = query.where(t.pools.c.id > read_token(token, str))
        async with self._read() as conn:
            rows = (await conn.execute(query)).mappings().all()
        return page([Pool(**r) for r in rows[:limit]], rows, limit, lambda pool: pool.id)

    @on_store_thread
    async def count_users(self, pool_id: str) -> int:
        async with self._read() as conn:
            return (
                await conn.execute(select(func.count()).select_from(t.users).where(t.users.c.pool_id == pool_id))
            ).scalar_one()
