"""Threat protection shared by its operations and the password-taking ones: the risk configuration that applies to
a client (its own, else the pool's), and the compromised-password check (``check_password``)."""

from __future__ import annotations

from typing import Any

from userpool.context import Context
from userpool.domain import risk
from userpool.domain.records import Client, Pool


async def effective_configuration(
    ctx: Context, pool: Pool, client_id: str | None
) -> tuple[str, dict[str, Any], float] | None:
    """The configuration that applies to ``client_id``: its own, else the pool's. ``(client id, config, date)``."""
    if client_id is not None:
        own = await ctx.store.get_risk_configuration(pool.id, client_id)
        if own is not None:
            return client_id, *own
    pool_wide = await ctx.store.get_risk_configuration(pool.id, risk.POOL_WIDE)
    return (risk.POOL_WIDE, *pool_wide) if pool_wide is not None else None


async def check_password(ctx: Context, pool: Pool, client: Client | None, password: str, event: str) -> None:
    """Refuse a password from the offline list when threat protection blocks compromised credentials for ``event``."""
    found = await effective_configuration(ctx, pool, client.id if client else None)
    config = found[1] if found else None
    if risk.blocks_compromised(pool.settings, config, event) and password in ctx.blocklist:
        raise risk.refuse_compromised()
