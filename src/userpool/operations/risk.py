"""Threat protection: SetRiskConfiguration, DescribeRiskConfiguration. The compromised-password check the
password-taking operations share is ``shared.threat_protection.check_password``."""

from __future__ import annotations

from typing import Any

from userpool.context import Call, Context
from userpool.domain import risk
from userpool.domain.records import Pool
from userpool.operations.shared import lookups
from userpool.operations.shared.threat_protection import effective_configuration


async def _pool_and_client_id(ctx: Context, call: Call) -> tuple[Pool, str | None]:
    """The request's pool and app client id (the client must be the pool's); the pool must have threat protection."""
    pool = await lookups.require_pool(ctx.store, call.params["UserPoolId"])
    client_id = call.params.get("ClientId")
    if client_id is not None:
        await lookups.require_client(ctx.store, client_id, pool.id)
    risk.require_add_on(pool.settings)
    return pool, client_id


async def set_risk_configuration(ctx: Context, call: Call) -> dict[str, Any]:
    pool, client_id = await _pool_and_client_id(ctx, call)
    config = risk.configuration(call.params)
    now = ctx.clock.now()
    await ctx.store.put_risk_configuration(pool.id, client_id or risk.POOL_WIDE, config, now)
    return {"RiskConfiguration": _describe(pool.id, client_id or risk.POOL_WIDE, config, now)}


async def describe_risk_configuration(ctx: Context, call: Call) -> dict[str, Any]:
    pool, client_id = await _pool_and_client_id(ctx, call)
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
