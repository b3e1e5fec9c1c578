"""Risk configurations (threat protection) of a pool, or of one of its app clients ("ALL" for the pool's)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import delete, insert, select

from userpool.store import tables as t
from userpool.store.engine import StoreBase, on_store_thread


def _configuration(configuration: dict[str, Any], modified_at: float) -> tuple[dict[str, Any], float]:
    return dict(configuration), float(modified_at)


class RiskStore(StoreBase):
    @on_store_thread
    async def put_risk_configuration(
        self, pool_id: str, client_id: str, configuration: dict[str, Any], at: float
    ) -> None:
        """Replace the risk configuration of (pool, client or "ALL")."""
        risk = t.risk_configurations
        async with self._write() as conn:
            await conn.execute(delete(risk).where(risk.c.pool_id == pool_id, risk.c.client_id == client_id))
            await conn.execute(
                insert(risk).values(pool_id=pool_id, client_id=client_id, configuration=configuration, modified_at=at)
            )

    @on_store_thread
    async def get_risk_configuration(self, pool_id: str, client_id: str) -> tuple[dict[str, Any], float] | None:
        """The configuration of (pool, client or "ALL") and when it was set, or None."""
        risk = t.risk_configurations
        query = select(risk.c.configuration, risk.c.modified_at).where(
            risk.c.pool_id == pool_id, risk.c.client_id == client_id
        )
        return await self._read_one(query, {}, _configuration)
