"""Passwords set by codes and by administrators: ForgotPassword, ConfirmForgotPassword, AdminSetUserPassword,
AdminResetUserPassword."""

from __future__ import annotations

from typing import Any

from userpool.context import Call, Context
from userpool.domain import passwords, usernames
from userpool.domain import pools as pool_rules
from userpool.errors import InvalidParameterException, InvalidPasswordException, UserNotFoundException
from userpool.operations import common
from userpool.operations.account import new_password, take_code
from userpool.store import NewCode, Pool, User

FORGOT = "forgot_password"
NOT_FOUND_BY_CLIENT = "Username/client id combination not found."
NO_RECOVERY = "Cannot reset password for the user as there is no registered/verified email or phone_number"
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


async def _send_reset_code(ctx: Context, pool: Pool, user: User) -> dict[str, str] | None:
    destination = recovery_destination(pool, user)
    if destination is None:
        return None
    attribute, medium = destination
    code, code_hash, expires_at = common.new_code(ctx)
    await ctx.store.replace_code(user.id, NewCode(FORGOT, code_hash, attribute, expires_at), ctx.clock.now())
    return await common.send_code(ctx, pool, user.username, attribute, medium, user.attributes[attribute], code)


async def forgot_password(ctx: Context, call: Call) -> dict[str, Any]:
    p = call.params
    client, pool = await common.client_and_pool(ctx, p["ClientId"], call)
    common.check_secret_hash(client, p["Username"], p.get("SecretHash"))
    user = await common.find_user(ctx, pool, p["Username"])
    if user is None:
        if client.settings.get("PreventUserExistenceErrors") == "ENABLED":
            name = p["Username"]
            medium, attribute = ("SMS", "phone_number") if usernames.is_phone(name) else ("EMAIL", "email")
            shown = name if usernames.is_email(name) or usernames.is_phone(name) else f"{name[:1] or 'x'}@x"
            return {"CodeDeliveryDetails": common.delivery_details(attribute, medium, shown)}
        raise UserNotFoundException(NOT_FOUND_BY_CLIENT)
    details = await _send_reset_code(ctx, pool, user)
    if details is None:
        raise InvalidParameterException(NO_RECOVERY)
    return {"CodeDeliveryDetails": details}


async def confirm_forgot_password(ctx: Context, call: Call) -> dict[str, Any]:
    p = call.params
    client, pool = await common.client_and_pool(ctx, p["ClientId"], call)
    common.check_secret_hash(client, p["Username"], p.get("SecretHash"))
    user = await common.find_user(ctx, pool, p["Username"])
    if user is None:
        raise UserNotFoundException(NOT_FOUND_BY_CLIENT)
    violation = passwords.policy_violation(p["Password"], pool_rules.password_policy(pool.settings))
    if violation:
        raise InvalidPasswordException(passwords.CHANGE_PREFIX + violation)
    await take_code(ctx, user, FORGOT, p["ConfirmationCode"])
    status = "CONFIRMED" if user.status in ("RESET_REQUIRED", "FORCE_CHANGE_PASSWORD") else None
    await new_password(ctx, pool, user, p["Password"], passwords.CHANGE_PREFIX, status=status, consume_code=FORGOT)
    return {}


async def admin_set_user_password(ctx: Context, call: Call) -> dict[str, Any]:
    p = call.params
    pool = await common.require_pool(ctx, p["UserPoolId"])
    user = await common.find_user(ctx, pool, p["Username"])
    if user is None:
        raise UserNotFoundException(common.USER_NOT_FOUND)
    if p.get("Permanent"):
        await new_password(ctx, pool, user, p["Password"], passwords.CHANGE_PREFIX, status="CONFIRMED")
    else:
        days = int(pool_rules.password_policy(pool.settings).get("TemporaryPasswordValidityDays", 7))
        await new_password(
            ctx,
            pool,
            user,
            p["Password"],
            passwords.CHANGE_PREFIX,
            status="FORCE_CHANGE_PASSWORD",
            expires_at=ctx.clock.now() + days * 86400,
        )
    return {}


async def admin_reset_user_password(ctx: Context, call: Call) -> dict[str, Any]:
    """The user must set a new password with a code (ForgotPassword's) before signing in again."""
    p = call.params
    pool = await common.require_pool(ctx, p["UserPoolId"])
    user = await common.find_user(ctx, pool, p["Username"])
    if user is None:
        raise UserNotFoundException(common.USER_NOT_FOUND)
    if recovery_destination(pool, user) is None:
        raise InvalidParameterException(NO_RECOVERY)  # (unverified: Cognito's answer without a verified contact)
    await ctx.store.set_status(user.id, "RESET_REQUIRED", ctx.clock.now())
    await _send_reset_code(ctx, pool, user)
    return {}


OPERATIONS = {
    "ForgotPassword": forgot_password,
    "ConfirmForgotPassword": confirm_forgot_password,
    "AdminSetUserPassword": admin_set_user_password,
    "AdminResetUserPassword": admin_reset_user_password,
}
