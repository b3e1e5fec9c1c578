"""App clients: Create/Describe/Update/Delete/ListUserPoolClient(s)."""

from __future__ import annotations

from typing import Any

from userpool.context import Call, Context
from userpool.domain import clients as client_rules
from userpool.domain import ids, texts
from userpool.domain.records import Client
from userpool.errors import InvalidParameterException
from userpool.operations.shared import lookups
from userpool.store import InvalidToken


def describe(client: Client) -> dict[str, Any]:
    description: dict[str, Any] = {
        "UserPoolId": client.pool_id,
        "ClientName": client.name,
        "ClientId": client.id,
        "LastModifiedDate": client.modified_at,
        "CreationDate": client.created_at,
        **client.settings,
    }
    if client.secret is not None:
        description["ClientSecret"] = client.secret
    return description


async def create_user_pool_client(ctx: Context, call: Call) -> dict[str, Any]:
    pool = await lookups.require_pool(ctx.store, call.params["UserPoolId"])
    now = ctx.clock.now()
    client = Client(
        id=ids.client_id(),
        pool_id=pool.id,
        name=call.params["ClientName"],
        secret=call.params.get("ClientSecret") or (ids.client_secret() if call.params.get("GenerateSecret") else None),
        settings=client_rules.settings(call.params, pool.settings["SchemaAttributes"], "creating"),
        created_at=now,
        modified_at=now,
    )
    await ctx.store.create_client(client)
    return {"UserPoolClient": describe(client)}


async def describe_user_pool_client(ctx: Context, call: Call) -> dict[str, Any]:
    await lookups.require_pool(ctx.store, call.params["UserPoolId"])
    return {
        "UserPoolClient": describe(
            await lookups.require_client(ctx.store, call.params["ClientId"], call.params["UserPoolId"])
        )
    }


async def update_user_pool_client(ctx: Context, call: Call) -> dict[str, Any]:
    pool = await lookups.require_pool(ctx.store, call.params["UserPoolId"])
    client = await lookups.require_client(ctx.store, call.params["ClientId"], pool.id)
    settings = client_rules.settings(call.params, pool.settings["SchemaAttributes"], "updating")
    name = call.params.get("ClientName", client.name)
    now = ctx.clock.now()
    await ctx.store.update_client(client.id, name, settings, now)
    updated = Client(client.id, pool.id, name, client.secret, settings, client.created_at, now)
    return {"UserPoolClient": describe(updated)}


async def delete_user_pool_client(ctx: Context, call: Call) -> dict[str, Any]:
    await lookups.require_pool(ctx.store, call.params["UserPoolId"])
    client = await lookups.require_client(ctx.store, call.params["ClientId"], call.params["UserPoolId"])
    await ctx.store.delete_client(client.id)
    return {}


async def list_user_pool_clients(ctx: Context, call: Call) -> dict[str, Any]:
    pool = await lookups.require_pool(ctx.store, call.params["UserPoolId"])
    try:
        found, token = await ctx.store.list_clients(
            pool.id, call.params.get("MaxResults", 60), call.params.get("NextToken")
        )
    except InvalidToken:
        raise InvalidParameterException(texts.INVALID_PAGINATION_TOKEN) from None
    result: dict[str, Any] = {
        "UserPoolClients": [{"ClientId": c.id, "UserPoolId": c.pool_id, "ClientName": c.name} for c in found]
    }
    if token:
        result["NextToken"] = token
    return result


OPERATIONS = {
    "CreateUserPoolClient": create_user_pool_client,
    "DescribeUserPoolClient": describe_user_pool_client,
    "UpdateUserPoolClient": update_user_pool_client,
    "DeleteUserPoolClient": delete_user_pool_client,
    "ListUserPoolClients": list_user_pool_clients,
}
