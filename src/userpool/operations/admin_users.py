"""Users managed by an administrator: AdminCreateUser, AdminUpdateUserAttributes, AdminDisableUser,
AdminEnableUser."""

from __future__ import annotations

from typing import Any

from userpool.context import Call, Context
from userpool.domain import attributes as attribute_rules
from userpool.domain import ids, passwords, texts, usernames
from userpool.domain import pools as pool_rules
from userpool.domain.attributes import VERIFIED_FLAGS
from userpool.domain.records import Pool, User
from userpool.domain.users import UserStatus, creation_conflict, new_user, user_description
from userpool.errors import UnsupportedUserStateException
from userpool.operations.shared import attribute_changes, lookups, sending, user_passwords
from userpool.store import Conflict
from userpool.triggers import CLIENT_ID_NOT_APPLICABLE, Caller


def _check_attributes(pool: Pool, attributes: dict[str, str], implied: list[str]) -> None:
    """SignUp's schema rules, except that an administrator may also set the ``*_verified`` flags."""
    flags = {n: v for n, v in attributes.items() if n in VERIFIED_FLAGS.values()}
    rest = {n: v for n, v in attributes.items() if n not in flags}
    schema = pool.settings["SchemaAttributes"]
    attribute_rules.check_sign_up_attributes(rest, schema, None, [*implied, *rest])
    bad = [n for n, v in flags.items() if v.lower() not in ("true", "false")]
    if bad:
        raise attribute_rules.schema_error([f"{n}: Boolean must be true or false" for n in bad])


async def admin_create_user(ctx: Context, call: Call) -> dict[str, Any]:
    p = call.params
    pool = await lookups.require_pool(ctx.store, p["UserPoolId"])
    settings = pool.settings
    policy = pool_rules.password_policy(settings)
    temporary = p.get("TemporaryPassword")
    if temporary is not None:
        passwords.check_policy(temporary, policy, texts.ADMIN_CREATE_POLICY_PREFIX)
    else:
        temporary = passwords.temporary_password(policy)
    expires_at = ctx.clock.now() + pool_rules.temporary_password_seconds(settings)
    action = p.get("MessageAction")
    mediums = list(p.get("DesiredDeliveryMediums") or ["SMS"])
    caller = Caller(CLIENT_ID_NOT_APPLICABLE, call.user_agent)
    metadata = p.get("ClientMetadata")

    if action == "RESEND":
        user = await lookups.require_user(ctx.store, pool, p["Username"])
        if user.status != UserStatus.FORCE_CHANGE_PASSWORD:
            raise UnsupportedUserStateException("Resend not possible. User status is not FORCE_CHANGE_PASSWORD.")
        await user_passwords.set_password(
            ctx,
            pool,
            user,
            temporary,
            texts.ADMIN_CREATE_POLICY_PREFIX,
            status=UserStatus.FORCE_CHANGE_PASSWORD,
            expires_at=expires_at,
        )
        await sending.send_invitation(ctx, caller, pool, user, temporary, mediums, metadata)
        return {"User": user_description(await _stored(ctx, user.id))}

    attributes = attribute_rules.from_list(p.get("UserAttributes"))
    sub = ids.sub()
    implied: list[str] = []
    if settings.get("UsernameAttributes"):
        kind = usernames.sign_in_attribute(p["Username"], settings["UsernameAttributes"], attributes)
        if kind not in attributes:
            implied.append(kind)
        attributes[kind] = p["Username"]
        username = sub
    else:
        usernames.check_alias_username(p["Username"], settings.get("AliasAttributes") or ())
        username = p["Username"]
    _check_attributes(pool, attributes, implied)
    # The PreSignUp trigger (PreSignUp_AdminCreateUser) may reject the user or verify its email or phone.
    pre_sign_up = await ctx.triggers.pre_sign_up(
        pool, caller, username, attributes, p.get("ValidationData"), metadata, source="PreSignUp_AdminCreateUser"
    )
    for flag in pre_sign_up.verified_flags(attributes, confirming=True):
        attributes[flag] = "true"
    password_hash, verifier = await ctx.hashing.hash_with_verifier(temporary, pool.id, username)
    record = new_user(
        pool,
        p["Username"],
        attributes,
        password_hash,
        UserStatus.FORCE_CHANGE_PASSWORD,
        sub,
        ctx.clock.now(),
        srp_salt=verifier.salt,
        srp_verifier=verifier.verifier,
        password_expires_at=expires_at,
    )
    try:
        user_id = await ctx.store.create_user(record)
    except Conflict as conflict:
        raise creation_conflict(conflict.what, settings, texts.USER_ACCOUNT_EXISTS) from None
    if action != "SUPPRESS":
        await sending.send_invitation(ctx, caller, pool, await _stored(ctx, user_id), temporary, mediums, metadata)
    return {"User": user_description(await _stored(ctx, user_id))}


async def _stored(ctx: Context, user_id: int) -> User:
    user = await ctx.store.get_user(user_id)
    assert user is not None
    return user


async def admin_update_user_attributes(ctx: Context, call: Call) -> dict[str, Any]:
    pool, user = await lookups.pool_and_user(ctx.store, call.params["UserPoolId"], call.params["Username"])
    await attribute_changes.update_attributes(
        ctx,
        pool,
        user,
        call.params["UserAttributes"],
        None,
        admin=True,
        caller=Caller(CLIENT_ID_NOT_APPLICABLE, call.user_agent),
        client_metadata=call.params.get("ClientMetadata"),
    )
    return {}


async def admin_disable_user(ctx: Context, call: Call) -> dict[str, Any]:
    """Deactivate the user and revoke its tokens."""
    _, user = await lookups.pool_and_user(ctx.store, call.params["UserPoolId"], call.params["Username"])
    now = ctx.clock.now()
    await ctx.store.set_enabled(user.id, False, now)
    await ctx.store.revoke_user_tokens(user.id, now)
    return {}


async def admin_enable_user(ctx: Context, call: Call) -> dict[str, Any]:
    _, user = await lookups.pool_and_user(ctx.store, call.params["UserPoolId"], call.params["Username"])
    await ctx.store.set_enabled(user.id, True, ctx.clock.now())
    return {}


OPERATIONS = {
    "AdminCreateUser": admin_create_user,
    "AdminUpdateUserAttributes": admin_update_user_attributes,
    "AdminDisableUser": admin_disable_user,
    "AdminEnableUser": admin_enable_user,
}
