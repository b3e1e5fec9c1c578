"""Passwords set by codes and by administrators: ForgotPassword, ConfirmForgotPassword, AdminSetUserPassword,
AdminResetUserPassword."""

from __future__ import annotations

from typing import Any

from userpool.context import Call, Context
from userpool.domain import auth_events as events
from userpool.domain import codes, passwords, texts
from userpool.domain import pools as pool_rules
from userpool.domain.records import NewCode, Pool, User
from userpool.domain.users import UserStatus
from userpool.errors import InvalidParameterException
from userpool.operations.shared import (
    confirmation_codes,
    lookups,
    sending,
    threat_protection,
    user_migration,
    user_passwords,
)
from userpool.triggers import CLIENT_ID_NOT_APPLICABLE, Caller, Kind

RECOVERY_ATTRIBUTES = {"verified_email": ("email", "EMAIL"), "verified_phone_number": ("phone_number", "SMS")}


def recovery_destination(pool: Pool, user: User) -> tuple[str, str] | None:
    """Where a reset code goes: the pool's AccountRecoverySetting in priority order (by default a verified phone,
    then a verified email, as Cognito's default), among the attributes the user has verified."""
    setting = pool.settings.get("AccountRecoverySetting") or {}
    mechanisms = sorted(setting.get("RecoveryMechanisms") or (), key=lambda m: m.get("Priority", 0))
    names = [m["Name"] for m in mechanisms] or ["verified_phone_number", "verified_email"]
    for name in names:
        if name not in RECOVERY_ATTRIBUTES:
            continue
        attribute, medium = RECOVERY_ATTRIBUTES[name]
        if user.attributes.get(attribute) and user.attributes.get(f"{attribute}_verified") == "true":
            return attribute, medium
    return None


async def _send_reset_code(
    ctx: Context, caller: Caller, pool: Pool, user: User, client_metadata: dict[str, str] | None
) -> dict[str, str] | None:
    """Store a new reset code and deliver it (custom sender or CustomMessage ``ForgotPassword``, then ours)."""
    destination = recovery_destination(pool, user)
    if destination is None:
        return None
    attribute, medium = destination
    code, code_hash, expires_at = confirmation_codes.new_code(ctx)
    await ctx.store.replace_code(
        user.id, NewCode(codes.FORGOT_PASSWORD, code_hash, attribute, expires_at), ctx.clock.now()
    )
    return await sending.deliver_code(
        ctx, caller, pool, user, attribute, medium, code, "ForgotPassword", client_metadata
    )


async def forgot_password(ctx: Context, call: Call) -> dict[str, Any]:
    p = call.params
    client, pool = await lookups.client_and_pool(ctx.store, p["ClientId"], call)
    lookups.check_secret_hash(client, p["Username"], p.get("SecretHash"))
    caller = Caller(client.id, call.user_agent)
    # An unknown user may be migrated from another system first (the UserMigration trigger).
    user = await user_migration.user_for_forgot_password(
        ctx, caller, client, pool, p["Username"], p.get("ClientMetadata")
    )
    if user is None:
        return {"CodeDeliveryDetails": sending.simulated_delivery(p["Username"])}
    details = await _send_reset_code(ctx, caller, pool, user, p.get("ClientMetadata"))
    if details is None:
        raise InvalidParameterException(texts.NO_RECOVERY)
    await threat_protection.record_event(ctx, call, pool, user, events.FORGOT_PASSWORD, client=client)
    return {"CodeDeliveryDetails": details}


async def confirm_forgot_password(ctx: Context, call: Call) -> dict[str, Any]:
    p = call.params
    client, pool = await lookups.client_and_pool(ctx.store, p["ClientId"], call)
    lookups.check_secret_hash(client, p["Username"], p.get("SecretHash"))
    user = await lookups.require_user(ctx.store, pool, p["Username"], texts.NOT_FOUND_BY_CLIENT)
    passwords.check_policy(p["Password"], pool_rules.password_policy(pool.settings), texts.CHANGE_POLICY_PREFIX)
    await confirmation_codes.check_code(ctx, user, codes.FORGOT_PASSWORD, p["ConfirmationCode"])
    resetting = user.status in (UserStatus.RESET_REQUIRED, UserStatus.FORCE_CHANGE_PASSWORD)
    await user_passwords.set_password(
        ctx,
        pool,
        user,
        p["Password"],
        texts.CHANGE_POLICY_PREFIX,
        status=UserStatus.CONFIRMED if resetting else None,
        consume_code=codes.FORGOT_PASSWORD,
    )
    await threat_protection.record_event(ctx, call, pool, user, events.PASSWORD_CHANGE, client=client)
    if ctx.triggers.has(pool, Kind.POST_CONFIRMATION):
        # As after sign-up: a failing function is the answer, the new password stays.
        changed = await ctx.store.get_user(user.id)
        await ctx.triggers.post_confirmation(
            pool,
            Caller(client.id, call.user_agent),
            changed or user,
            p.get("ClientMetadata"),
            "PostConfirmation_ConfirmForgotPassword",
        )
    return {}


async def admin_set_user_password(ctx: Context, call: Call) -> dict[str, Any]:
    p = call.params
    pool, user = await lookups.pool_and_user(ctx.store, p["UserPoolId"], p["Username"])
    status, expires_at = UserStatus.CONFIRMED, None
    if not p.get("Permanent"):
        status = UserStatus.FORCE_CHANGE_PASSWORD
        expires_at = ctx.clock.now() + pool_rules.temporary_password_seconds(pool.settings)
    await user_passwords.set_password(
        ctx, pool, user, p["Password"], texts.CHANGE_POLICY_PREFIX, status=status, expires_at=expires_at
    )
    return {}


async def admin_reset_user_password(ctx: Context, call: Call) -> dict[str, Any]:
    """The user must set a new password with a code (ForgotPassword's) before signing in again."""
    p = call.params
    pool, user = await lookups.pool_and_user(ctx.store, p["UserPoolId"], p["Username"])
    if recovery_destination(pool, user) is None:
        raise InvalidParameterException(texts.NO_RECOVERY)  # (unverified: Cognito's answer without a verified contact)
    await ctx.store.set_status(user.id, UserStatus.RESET_REQUIRED, ctx.clock.now())
    caller = Caller(CLIENT_ID_NOT_APPLICABLE, call.user_agent)
    await _send_reset_code(ctx, caller, pool, user, p.get("ClientMetadata"))
    return {}


OPERATIONS = {
    "ForgotPassword": forgot_password,
    "ConfirmForgotPassword": confirm_forgot_password,
    "AdminSetUserPassword": admin_set_user_password,
    "AdminResetUserPassword": admin_reset_user_password,
}
