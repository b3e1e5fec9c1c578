"""Risk configurations (threat protection) of a pool, or of one of its app clients ("ALL" for the pool's)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Table, bindparam, delete, insert, select

from userpool.store import tables as t
from userpool.store.cached import invalidates_cache
from userpool.store.engine import StoreBase, on_store_thread, point_read, point_statement

_risk = t.risk_configurations
_GET_CONFIGURATION = point_statement(
    select(_risk.c.configuration, _risk.c.modified_at).where(
        _risk.c.pool_id == bindparam("pool_id"), _risk.c.client_id == bindparam("client_id")
    )
)


def _configuration(configuration: dict[str, Any], modified_at: float) -> tuple[dict[str, Any], float]:
    return dict(configuration), float(modified_at)


async def replace_configuration(
    conn: Any, table: Table, pool_id: str, client_id: str, configuration: dict[str, Any], at: float
) -> None:
    """Replace the configuration a ``(pool_id, client_id)``-keyed table keeps for the pool ("ALL") or a client: risk
    configurations, session configurations."""
    await conn.execute(delete(table).where(table.c.pool_id == pool_id, table.c.client_id == client_id))
    await conn.execute(
        insert(table).values(pool_id=pool_id, client_id=client_id, configuration=configuration, modified_at=at)
    )


class RiskStore(StoreBase):
    @on_store_thread
    @invalidates_cache
    async def put_risk_configuration(
        self, pool_id: str, client_id: str, configuration: dict[str, Any], at: float
    ) -> None:
        """Replace the risk configuration of (pool, client or "ALL")."""
        async with self._write() as conn:
            await replace_configuration(conn, t.risk_configurations, pool_id, client_id, configuration, at)

    @point_read
    async def get_risk_configuration(self, pool_id: str, client_id: str) -> tuple[dict[str, Any], float] | None:
        """The configuration of (pool, client or "ALL") and when it was set, or None: one statement by the primary
        key, served from the per-process cache like the pools and clients it belongs to (``store/cached.py``; its
        writes here, and a client's or pool's deletion, empty the cache)."""
        return await self._cache.read(
            ("risk configuration", pool_id, client_id),
            lambda: self._read_one(_GET_CONFIGURATION, {"pool_id": pool_id, "client_id": client_id}, _configuration),
        )
