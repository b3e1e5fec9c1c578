"""User pools: CreateUserPool, DescribeUserPool, UpdateUserPool, DeleteUserPool, ListUserPools."""

from __future__ import annotations

from typing import Any

from userpool.context import Call, Context
from userpool.domain import ids, texts
from userpool.domain import mfa as mfa_rules
from userpool.domain import pools as pool_rules
from userpool.domain.records import Pool
from userpool.errors import InvalidParameterException, ResourceNotFoundException
from userpool.operations.shared import lookups, oauth_settings
from userpool.store import InvalidToken


async def describe(ctx: Context, pool: Pool) -> dict[str, Any]:
    return {
        "Id": pool.id,
        "Name": pool.name,
        **pool.settings,
        "LastModifiedDate": pool.modified_at,
        "CreationDate": pool.created_at,
        "EstimatedNumberOfUsers": await ctx.store.count_users(pool.id),
        "Arn": ids.pool_arn(ctx.settings.region, ctx.settings.account_id, pool.id),
        **await oauth_settings.domain_fields(ctx, pool.id),
    }


async def create_user_pool(ctx: Context, call: Call) -> dict[str, Any]:
    now = ctx.clock.now()
    pool = Pool(
        id=ids.pool_id(ctx.settings.region),
        name=call.params["PoolName"],
        settings=pool_rules.settings_for_create(call.params),
        created_at=now,
        modified_at=now,
    )
    mfa_rules.check_create(pool.settings)
    await ctx.store.create_pool(pool)
    ctx.triggers.check_pool(pool.id, pool.settings["LambdaConfig"])
    return {"UserPool": await describe(ctx, pool)}


async def describe_user_pool(ctx: Context, call: Call) -> dict[str, Any]:
    return {"UserPool": await describe(ctx, await lookups.require_pool(ctx.store, call.params["UserPoolId"]))}


async def update_user_pool(ctx: Context, call: Call) -> dict[str, Any]:
    """Replace the updatable settings, keeping the schema and the MFA settings SetUserPoolMfaConfig owns: read and
    written in one transaction, so a racing AddCustomAttributes is never undone."""
    pool_id = call.params["UserPoolId"]

    def updated(current: dict[str, Any]) -> dict[str, Any]:
        settings = {**pool_rules.settings_for_update(current, call.params), **mfa_rules.kept_by_update(current)}
        mfa_rules.check_update(settings)
        return settings

    pool = await ctx.store.change_pool_settings(pool_id, updated, ctx.clock.now(), name=call.params.get("PoolName"))
    if pool is None:
        raise ResourceNotFoundException(texts.POOL_NOT_FOUND.format(pool_id=pool_id))
    ctx.triggers.check_pool(pool.id, pool.settings["LambdaConfig"])
    return {}


async def delete_user_pool(ctx: Context, call: Call) -> dict[str, Any]:
    pool = await lookups.require_pool(ctx.store, call.params["UserPoolId"])
    if pool.settings.get("DeletionProtection") == "ACTIVE":
        raise InvalidParameterException("The user pool cannot be deleted because deletion protection is activated.")
    await ctx.store.delete_pool(pool.id)
    return {}


async def list_user_pools(ctx: Context, call: Call) -> dict[str, Any]:
    try:
        found, token = await ctx.store.list_pools(call.params["MaxResults"], call.params.get("NextToken"))
    except InvalidToken:
        raise InvalidParameterException(texts.INVALID_PAGINATION_TOKEN) from None
    result: dict[str, Any] = {
        "UserPools": [
            {
                "Id": p.id,
                "Name": p.name,
                "LambdaConfig": p.settings.get("LambdaConfig", {}),
                "LastModifiedDate": p.modified_at,
                "CreationDate": p.created_at,
            }
            for p in found
        ]
    }
    if token:
        result["NextToken"] = token
    return result


OPERATIONS = {
    "CreateUserPool": create_user_pool,
    "DescribeUserPool": describe_user_pool,
    "UpdateUserPool": update_user_pool,
    "DeleteUserPool": delete_user_pool,
    "ListUserPools": list_user_pools,
}
