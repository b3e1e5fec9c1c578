"""A user pool's tags, named by the pool's ARN: TagResource, UntagResource, ListTagsForResource."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from userpool.context import Call, Context
from userpool.domain import tags, texts
from userpool.errors import ResourceNotFoundException
from userpool.operations.shared import lookups


def _pool_id(ctx: Context, call: Call) -> str:
    return tags.pool_id_of(call.params["ResourceArn"], ctx.settings.region, ctx.settings.account_id)


async def _change(ctx: Context, call: Call, rule: Callable[[dict[str, str]], dict[str, str]]) -> None:
    """Apply ``rule`` to the pool's tags in one transaction (racing taggers never lose one another's tags)."""
    pool_id = _pool_id(ctx, call)

    def change(settings: dict[str, Any]) -> dict[str, Any]:
        return {**settings, "UserPoolTags": rule(settings.get("UserPoolTags") or {})}

    if await ctx.store.change_pool_settings(pool_id, change, None) is None:
        raise ResourceNotFoundException(texts.POOL_NOT_FOUND.format(pool_id=pool_id))


async def tag_resource(ctx: Context, call: Call) -> dict[str, Any]:
    await _change(ctx, call, lambda current: tags.tagged(current, call.params["Tags"]))
    return {}


async def untag_resource(ctx: Context, call: Call) -> dict[str, Any]:
    await _change(ctx, call, lambda current: tags.untagged(current, call.params["TagKeys"]))
    return {}


async def list_tags_for_resource(ctx: Context, call: Call) -> dict[str, Any]:
    pool = await lookups.require_pool(ctx.store, _pool_id(ctx, call))
    return {"Tags": dict(pool.settings.get("UserPoolTags") or {})}


OPERATIONS = {
    "TagResource": tag_resource,
    "UntagResource": untag_resource,
    "ListTagsForResource": list_tags_for_resource,
}
