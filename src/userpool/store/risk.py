"""Risk configurations (threat protection) of a pool, or of one of its app clients ("ALL" for the pool's)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Table, delete, insert, select

from userpool.store import tables as t
from userpool.store.engine import StoreBase, on_store_thread


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
    async def put_risk_configuration(
        self, pool_id: str, client_id: str, configuration: dict[str, Any], at: float
    ) -> None:
        """Replace the risk configuration of (pool, client or "ALL")."""
        async with self._write() as conn:
            await replace_configuration(conn, t.risk_configurations, pool_id, client_id, configuration, at)

    @on_store_thread
    async def get_risk_configuration(self, pool_id: str, client_id: str) -> tuple[dict[str, Any], float] | None:
        """The configuration of (pool, client or "ALL") and when it was set, or None."""
        risk = t.risk_configurations
        query = select(risk.c.configuration, risk.c.modified_at).where(
            risk.c.pool_id == pool_id, risk.c.client_id == client_id
        )
        return await self._read_one(query, {}, _configuration)
