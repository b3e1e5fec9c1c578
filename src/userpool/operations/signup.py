"""Sign-up: SignUp, ConfirmSignUp, ResendConfirmationCode, AdminConfirmSignUp."""

from __future__ import annotations

from typing import Any

from userpool.context import Call, Context
from userpool.domain import attributes as attribute_rules
from userpool.domain import codes, ids, passwords, usernames
from userpool.domain import pools as pool_rules
from userpool.domain import risk as risk_rules
from userpool.domain.attributes import VERIFIED_FLAGS
from userpool.errors import (
    AliasExistsException,
    CodeMismatchException,
    ExpiredCodeException,
    InternalErrorException,
    InvalidParameterException,
    InvalidPasswordException,
    LimitExceededException,
    NotAuthorizedException,
    UsernameExistsException,
    UserNotFoundException,
)
from userpool.operations import common, risk, throttle
from userpool.store import Confirmation, Conflict, NewCode, NewUser, Pool, User

SIGN_UP = "signup"
UNCONFIRMED, CONFIRMED = "UNCONFIRMED", "CONFIRMED"
CODE_MISMATCH = "Invalid verification code provided, please try again."
NOT_FOUND_BY_CLIENT = "Username/client id combination not found."


async def sign_up(ctx: Context, call: Call) -> dict[str, Any]:
    """Create an UNCONFIRMED user and send the code that confirms it (AWS: SignUp)."""
    p = call.params
    client, pool = await common.client_and_pool(ctx, p["ClientId"])
    common.check_secret_hash(client, p["Username"], p.get("SecretHash"))
    settings = pool.settings
    if settings["AdminCreateUserConfig"].get("AllowAdminCreateUserOnly"):
        raise NotAuthorizedException("SignUp is not permitted for this user pool")
    case_sensitive = pool_rules.case_sensitive(settings)
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
    password = p.get("Password")
    if password is None:
        # Passwordless sign-up needs a pool whose sign-in policy allows other first factors (not built yet).
        raise InvalidParameterException("Password is required to sign up in this user pool.")
    violation = passwords.policy_violation(password, pool_rules.password_policy(settings))
    if violation:
        raise InvalidPasswordException(passwords.SIGN_UP_PREFIX + violation)
    await risk.check_password(ctx, pool, client, password, risk_rules.SIGN_UP)
    attribute_rules.check_sign_up_attributes(
        attributes, settings["SchemaAttributes"], client.settings.get("WriteAttributes"), implied
    )
    password_hash = await ctx.hashing.hash(password)

    keys = [
        (kind, common.key_value(kind, attributes[kind], case_sensitive))
        for kind in settings.get("UsernameAttributes") or ()
        if attributes.get(kind)
    ]
    stored = {"sub": sub, **attributes}
    for attribute, flag in VERIFIED_FLAGS.items():
        if attribute in attributes:
            stored[flag] = "false"
    destination = common.code_destination(settings, attributes)
    code = code_hash = None
    new_code = None
    if destination is not None:
        code, code_hash, expires_at = common.new_code(ctx)
        new_code = NewCode(SIGN_UP, code_hash, destination[0], expires_at)
    try:
        await ctx.store.create_user(
            NewUser(
                pool_id=pool.id,
                username=username,
                username_key=usernames.fold(username, case_sensitive),
                sub=sub,
                status=UNCONFIRMED,
                password_hash=password_hash,
                created_at=ctx.clock.now(),
                attributes=stored,
                keys=keys,
            ),
            new_code,
        )
    except Conflict as conflict:
        if conflict.what in ("email", "phone_number"):
            raise UsernameExistsException(f"An account with the given {conflict.what} already exists.") from None
        if conflict.what == "username":
            raise UsernameExistsException("User already exists") from None
        raise InternalErrorException("An internal error occurred.") from None

    result: dict[str, Any] = {"UserConfirmed": False, "UserSub": sub}
    if destination is not None and code is not None:
        attribute, medium = destination
        result["CodeDeliveryDetails"] = await common.send_code(
            ctx, pool, username, attribute, medium, attributes[attribute], code
        )
    return result


def _hides_existence(client_settings: dict[str, Any]) -> bool:
    return client_settings.get("PreventUserExistenceErrors") == "ENABLED"


async def confirm_sign_up(ctx: Context, call: Call) -> dict[str, Any]:
    """Confirm a user with the code sent at sign-up; the attribute it went to becomes verified."""
    p = call.params
    client, pool = await common.client_and_pool(ctx, p["ClientId"])
    common.check_secret_hash(client, p["Username"], p.get("SecretHash"))
    user = await common.find_user(ctx, pool, p["Username"])
    if user is None:
        if _hides_existence(client.settings):
            raise CodeMismatchException(CODE_MISMATCH)
        raise UserNotFoundException(NOT_FOUND_BY_CLIENT)
    await throttle.per_user(ctx, call, user)
    if user.status != UNCONFIRMED:
        raise NotAuthorizedException(f"User cannot be confirmed. Current status is {user.status}")
    stored = await ctx.store.take_attempt(user.id, SIGN_UP, ctx.settings.code_attempts)
    if stored is None:
        if await ctx.store.get_code(user.id, SIGN_UP) is not None:
            raise LimitExceededException("Attempt limit exceeded, please try after some time.")
        raise CodeMismatchException(CODE_MISMATCH)
    if not codes.matches(p["ConfirmationCode"], stored.code_hash):
        raise CodeMismatchException(CODE_MISMATCH)
    if stored.expires_at <= ctx.clock.now():
        raise ExpiredCodeException("Invalid code provided, please request a code again.")
    verify = [VERIFIED_FLAGS[stored.attribute]] if stored.attribute in VERIFIED_FLAGS else []
    await _confirm(ctx, pool, user, verify, bool(p.get("ForceAliasCreation")), SIGN_UP)
    return {}


async def _confirm(
    ctx: Context, pool: Pool, user: User, verify: list[str], force_alias: bool, consume_code: str | None
) -> None:
    """Move ``user`` to CONFIRMED, mark ``verify`` flags true and claim the aliases that are now verified."""
    case_sensitive = pool_rules.case_sensitive(pool.settings)
    verified = {a for a, flag in VERIFIED_FLAGS.items() if flag in verify or user.attributes.get(flag) == "true"}
    claim = [
        (kind, common.key_value(kind, user.attributes[kind], case_sensitive))
        for kind in pool.settings.get("AliasAttributes") or ()
        if user.attributes.get(kind) and (kind in verified or kind == "preferred_username")
    ]
    try:
        done = await ctx.store.confirm(
            Confirmation(
                user_id=user.id,
                from_status=UNCONFIRMED,
                to_status=CONFIRMED,
                verify=verify,
                claim_keys=claim,
                force_alias=force_alias,
                consume_code=consume_code,
                at=ctx.clock.now(),
            )
        )
    except Conflict as conflict:
        raise AliasExistsException(f"An account with the {conflict.what} already exists.") from None
    if not done:
        raise NotAuthorizedException(f"User cannot be confirmed. Current status is {CONFIRMED}")


async def resend_confirmation_code(ctx: Context, call: Call) -> dict[str, Any]:
    """Send a new sign-up code; the previous one stops working."""
    p = call.params
    client, pool = await common.client_and_pool(ctx, p["ClientId"])
    common.check_secret_hash(client, p["Username"], p.get("SecretHash"))
    user = await common.find_user(ctx, pool, p["Username"])
    if user is None:
        if _hides_existence(client.settings):
            return {"CodeDeliveryDetails": _simulated_delivery(pool, p["Username"])}
        raise UserNotFoundException(NOT_FOUND_BY_CLIENT)
    await throttle.per_user(ctx, call, user)
    if user.status == CONFIRMED:
        raise InvalidParameterException("User is already confirmed.")
    destination = common.code_destination(pool.settings, user.attributes)
    if destination is None:
        raise InvalidParameterException("Cannot resend codes. Auto verification not turned on.")
    attribute, medium = destination
    code, code_hash, expires_at = common.new_code(ctx)
    await ctx.store.replace_code(user.id, NewCode(SIGN_UP, code_hash, attribute, expires_at), ctx.clock.now())
    details = await common.send_code(ctx, pool, user.username, attribute, medium, user.attributes[attribute], code)
    return {"CodeDeliveryDetails": details}


def _simulated_delivery(pool: Pool, name: str) -> dict[str, str]:
    """What ResendConfirmationCode answers for an unknown user when the client hides user existence."""
    if usernames.is_phone(name):
        return common.delivery_details("phone_number", "SMS", name)
    if usernames.is_email(name):
        return common.delivery_details("email", "EMAIL", name)
    auto = pool.settings.get("AutoVerifiedAttributes") or ["email"]
    if "phone_number" in auto:
        return common.delivery_details("phone_number", "SMS", "+10000000000")
    return common.delivery_details("email", "EMAIL", f"{name[:1] or 'x'}@x")


async def admin_confirm_sign_up(ctx: Context, call: Call) -> dict[str, Any]:
    """Confirm a user without a code (nothing becomes verified)."""
    pool = await common.require_pool(ctx, call.params["UserPoolId"])
    user = await common.find_user(ctx, pool, call.params["Username"])
    if user is None:
        raise UserNotFoundException(common.USER_NOT_FOUND)
    if user.status != UNCONFIRMED:
        raise NotAuthorizedException(f"User cannot be confirmed. Current status is {user.status}")
    await _confirm(ctx, pool, user, [], False, SIGN_UP)
    return {}


OPERATIONS = {
    "SignUp": sign_up,
    "ConfirmSignUp": confirm_sign_up,
    "ResendConfirmationCode": resend_confirmation_code,
    "AdminConfirmSignUp": admin_confirm_sign_up,
}
