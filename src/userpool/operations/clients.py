"""App clients: Create/Describe/Update/Delete/ListUserPoolClient(s), and client secret rotation:
Add/List/DeleteUserPoolClientSecret(s).

A confidential client (made with ``GenerateSecret`` or a ``ClientSecret``) has one or two active secrets, and every
place that authenticates it accepts either (``shared.lookups``, ``domain.secret_hash``), so an application moves
to a new secret without downtime: add one, deploy it, delete the old one. A public client never gets a secret."""

from __future__ import annotations

import dataclasses
from typing import Any

from userpool.context import Call, Context
from userpool.domain import clients as client_rules
from userpool.domain import ids, texts
from userpool.domain.records import Client, ClientSecret
from userpool.errors import InvalidParameterException, LimitExceededException, ResourceNotFoundException
from userpool.operations.shared import lookups, oauth_settings
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
    settings = client_rules.settings(call.params, pool.settings["SchemaAttributes"], "creating")
    secret = call.params.get("ClientSecret") or (ids.client_secret() if call.params.get("GenerateSecret") else None)
    await oauth_settings.check_client(ctx, pool, settings, secret is not None)
    client = Client(
        id=ids.client_id(),
        pool_id=pool.id,
        name=call.params["ClientName"],
        secret=secret,
        settings=settings,
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
    await oauth_settings.check_client(ctx, pool, settings, client.secret is not None)
    name = call.params.get("ClientName", client.name)
    now = ctx.clock.now()
    await ctx.store.update_client(client.id, name, settings, now)
    updated = dataclasses.replace(client, name=name, settings=settings, modified_at=now)
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


def secret_descriptor(secret: ClientSecret, value: bool = False) -> dict[str, Any]:
    """A ``ClientSecretDescriptorType``: the id and creation date, and the value only when asked (a generated
    secret, answered once)."""
    descriptor: dict[str, Any] = {"ClientSecretId": secret.id, "ClientSecretCreateDate": secret.created_at}
    if value:
        descriptor["ClientSecretValue"] = secret.value
    return descriptor


async def _client_of_pool(ctx: Context, call: Call) -> Client:
    pool = await lookups.require_pool(ctx.store, call.params["UserPoolId"])
    return await lookups.require_client(ctx.store, call.params["ClientId"], pool.id)


async def add_user_pool_client_secret(ctx: Context, call: Call) -> dict[str, Any]:
    """A second active secret: the one given (never echoed), or a generated one (answered this once)."""
    client = await _client_of_pool(ctx, call)
    if client.secret is None:
        raise InvalidParameterException(texts.PUBLIC_CLIENT_SECRET)
    if len(client.secrets) >= 2:
        raise LimitExceededException(texts.SECRET_LIMIT)
    given = call.params.get("ClientSecret")
    added = await ctx.store.add_client_secret(client.id, given or ids.client_secret(), ctx.clock.now())
    if added is None:  # another request changed the client since it was read: another Add won, or it is gone
        await lookups.require_client(ctx.store, client.id)
        raise LimitExceededException(texts.SECRET_LIMIT)
    return {"ClientSecretDescriptor": secret_descriptor(added, value=given is None)}


async def list_user_pool_client_secrets(ctx: Context, call: Call) -> dict[str, Any]:
    """Every active secret's id and creation date, oldest first, never a value (one page: there are two at most)."""
    client = await _client_of_pool(ctx, call)
    return {"ClientSecrets": [secret_descriptor(s) for s in client.secrets]}


async def delete_user_pool_client_secret(ctx: Context, call: Call) -> dict[str, Any]:
    """Delete one of the client's active secrets, never its last one."""
    client = await _client_of_pool(ctx, call)
    named = [s for s in client.secrets if s.id == call.params["ClientSecretId"]]
    if not named:
        raise ResourceNotFoundException(texts.SECRET_NOT_FOUND)
    if len(client.secrets) == 1:
        raise InvalidParameterException(texts.LAST_SECRET)
    outcome = await ctx.store.delete_client_secret(client.id, named[0])
    if outcome == "last":
        raise InvalidParameterException(texts.LAST_SECRET)
    if outcome == "missing":
        raise ResourceNotFoundException(texts.SECRET_NOT_FOUND)
    return {}


OPERATIONS = {
    "CreateUserPoolClient": create_user_pool_client,
    "DescribeUserPoolClient": describe_user_pool_client,
    "UpdateUserPoolClient": update_user_pool_client,
    "DeleteUserPoolClient": delete_user_pool_client,
    "ListUserPoolClients": list_user_pool_clients,
    "AddUserPoolClientSecret": add_user_pool_client_secret,
    "ListUserPoolClientSecrets": list_user_pool_client_secrets,
    "DeleteUserPoolClientSecret": delete_user_pool_client_secret,
}
