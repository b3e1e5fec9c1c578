"""Looking at users: AdminGetUser, ListUsers, AdminDeleteUser."""

from __future__ import annotations

from typing import Any

from userpool.context import Call, Context
from userpool.domain import filters, texts, usernames
from userpool.domain import mfa as mfa_rules
from userpool.domain import pools as pool_rules
from userpool.domain.users import user_description
from userpool.errors import InvalidParameterException
from userpool.operations.shared import lookups
from userpool.store import InvalidToken


async def admin_get_user(ctx: Context, call: Call) -> dict[str, Any]:
    _, user = await lookups.pool_and_user(ctx.store, call.params["UserPoolId"], call.params["Username"])
    description = user_description(user)
    description["UserAttributes"] = description.pop("Attributes")
    description.update(mfa_rules.describe(await ctx.store.get_mfa_settings(user.id), user.attributes))
    return description


async def list_users(ctx: Context, call: Call) -> dict[str, Any]:
    p = call.params
    pool = await lookups.require_pool(ctx.store, p["UserPoolId"])
    where = filters.parse(p.get("Filter", ""))
    if where is not None and where[0] == "username":
        where = (where[0], where[1], usernames.fold(where[2], pool_rules.case_sensitive(pool.settings)))
    elif where is not None and where[0] == "cognito:user_status":  # the one case-insensitive search
        where = (where[0], where[1], where[2].upper())
    wanted = p.get("AttributesToGet")
    if wanted is not None:
        known = {a["Name"] for a in pool.settings["SchemaAttributes"]}
        if any(name not in known for name in wanted):
            raise InvalidParameterException("One or more requested attributes do not exist.")
    try:
        found, token = await ctx.store.list_users(pool.id, p.get("Limit", 60) or 60, p.get("PaginationToken"), where)
    except InvalidToken:
        raise InvalidParameterException(texts.INVALID_PAGINATION_TOKEN) from None
    result: dict[str, Any] = {"Users": [user_description(u, wanted) for u in found]}
    if token:
        result["PaginationToken"] = token
    return result


async def admin_delete_user(ctx: Context, call: Call) -> dict[str, Any]:
    _, user = await lookups.pool_and_user(ctx.store, call.params["UserPoolId"], call.params["Username"])
    await ctx.store.delete_user(user.id)
    return {}


OPERATIONS = {
    "AdminGetUser": admin_get_user,
    "ListUsers": list_users,
    "AdminDeleteUser": admin_delete_user,
}
