"""Threat protection: SetRiskConfiguration, DescribeRiskConfiguration, and the compromised-password check the
password-taking operations share (``check_password``)."""

from __future__ import annotations

from typing import Any

from userpool.context import Call, Context
from userpool.domain import risk
from userpool.operations.common import require_client, require_pool
from userpool.store import Client, Pool


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


async def set_risk_configuration(ctx: Context, call: Call) -> dict[str, Any]:
    p = call.params
    pool = await require_pool(ctx, p["UserPoolId"])
    client_id = p.get("ClientId")
    if client_id is not None:
        await require_client(ctx, client_id, pool.id)
    risk.require_add_on(pool.settings)
    config = risk.configuration(p)
    now = ctx.clock.now()
    await ctx.store.put_risk_configuration(pool.id, client_id or risk.POOL_WIDE, config, now)
    return {"RiskConfiguration": _describe(pool.id, client_id or risk.POOL_WIDE, config, now)}


async def describe_risk_configuration(ctx: Context, call: Call) -> dict[str, Any]:
    p = call.params
    pool = await require_pool(ctx, p["UserPoolId"])
    client_id = p.get("ClientId")
    if client_id is not None:
        await require_client(ctx, client_id, pool.id)
    risk.require_add_on(pool.settings)
    found = await effective_configuration(ctx, pool, client_id)
    if found is None:
        # (unverified) nothing configured: the pool (and client) alone.
        described: dict[str, Any] = {"UserPoolId": pool.id}
        if client_id is not None:
            described["ClientId"] = client_id
        return {"RiskConfiguration": described}
    return {"RiskConfiguration": _describe(pool.id, *found)}


def _describe(pool_id: str, client_id: str, config: dict[str, Any], modified_at: float) -> dict[str, Any]:
    return {"UserPoolId": pool_id, "ClientId": client_id, **config, "LastModifiedDate": modified_at}


OPERATIONS = {
    "SetRiskConfiguration": set_risk_configuration,
    "DescribeRiskConfiguration": describe_risk_configuration,
}
