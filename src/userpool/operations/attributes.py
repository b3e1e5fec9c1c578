"""A pool's attributes and a user's: AddCustomAttributes, AdminDeleteUserAttributes, DeleteUserAttributes."""

from __future__ import annotations

from typing import Any

from userpool.context import Call, Context
from userpool.domain import attributes as attribute_rules
from userpool.domain import codes, texts
from userpool.domain import pools as pool_rules
from userpool.domain.attributes import VERIFIED_FLAGS
from userpool.domain.records import Pool, User
from userpool.domain.users import sign_in_kinds
from userpool.errors import NotAuthorizedException, ResourceNotFoundException
from userpool.operations.shared import issuing, lookups


async def add_custom_attributes(ctx: Context, call: Call) -> dict[str, Any]:
    """Append custom attributes to the pool's schema (one transaction: racing requests never lose one another)."""
    pool_id = call.params["UserPoolId"]
    sent = call.params["CustomAttributes"]

    def add(settings: dict[str, Any]) -> dict[str, Any]:
        return {**settings, "SchemaAttributes": pool_rules.add_custom_attributes(settings["SchemaAttributes"], sent)}

    if await ctx.store.change_pool_settings(pool_id, add, ctx.clock.now()) is None:
        raise ResourceNotFoundException(texts.POOL_NOT_FOUND.format(pool_id=pool_id))
    return {}


async def _delete_attributes(
    ctx: Context, pool: Pool, user: User, names: list[str], write_attributes: list[str] | None, admin: bool
) -> None:
    """Delete attributes with their consequences, in one transaction: a deleted email or phone number takes its
    verified flag and pending verification code with it, and a deleted sign-in value (username attribute or
    alias, or the verified flag that made an alias) is released, so another user may claim it."""
    schema = pool.settings["SchemaAttributes"]
    by_name = attribute_rules.schema_by_name(schema)
    attribute_rules.check_deletion_known(names, by_name)
    if not admin:
        writable = attribute_rules.client_writable(schema, write_attributes)
        if any(n in VERIFIED_FLAGS.values() or n not in writable for n in names):
            raise NotAuthorizedException(texts.UNAUTHORIZED_WRITE)
    attribute_rules.check_deletable(names, by_name)
    removed = attribute_rules.with_verified_flags(names)
    aliases = pool.settings.get("AliasAttributes") or ()
    release = [
        kind
        for kind in sign_in_kinds(pool.settings)
        if kind in removed or (kind in aliases and VERIFIED_FLAGS.get(kind) in removed)
    ]
    await ctx.store.update_attributes(
        user.id,
        {},
        ctx.clock.now(),
        remove=removed,
        release_keys=release,
        drop_codes=[codes.verify_purpose(n) for n in names if n in VERIFIED_FLAGS],
    )


async def admin_delete_user_attributes(ctx: Context, call: Call) -> dict[str, Any]:
    pool, user = await lookups.pool_and_user(ctx.store, call.params["UserPoolId"], call.params["Username"])
    await _delete_attributes(ctx, pool, user, call.params["UserAttributeNames"], None, admin=True)
    return {}


async def delete_user_attributes(ctx: Context, call: Call) -> dict[str, Any]:
    caller = await issuing.authenticate(ctx, call.params["AccessToken"])
    client = await ctx.store.get_client(caller.client_id)
    write = client.settings.get("WriteAttributes") if client else None
    await _delete_attributes(ctx, caller.pool, caller.user, call.params["UserAttributeNames"], write, admin=False)
    return {}


OPERATIONS = {
    "AddCustomAttributes": add_custom_attributes,
    "AdminDeleteUserAttributes": admin_delete_user_attributes,
    "DeleteUserAttributes": delete_user_attributes,
}
