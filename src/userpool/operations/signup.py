"""Sign-up: SignUp, ConfirmSignUp, ResendConfirmationCode, AdminConfirmSignUp."""

from __future__ import annotations

from typing import Any

from userpool.context import Call, Context
from userpool.domain import attributes as attribute_rules
from userpool.domain import codes, ids, passwords, usernames
from userpool.domain import pools as pool_rules
from userpool.domain import risk as risk_rules
from userpool.domain.attributes import VERIFIED_FLAGS
from userpool.domain.srp import Verifier
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
    UserNotConfirmable,
    UserNotFoundException,
)
from userpool.operations import common, risk, throttle
from userpool.store import Client, Confirmation, Conflict, NewCode, Pool, User, created_user
from userpool.triggers import CLIENT_ID_NOT_APPLICABLE, Caller, Kind

SIGN_UP = codes.SIGN_UP
UNCONFIRMED, CONFIRMED = "UNCONFIRMED", "CONFIRMED"
CODE_MISMATCH = "Invalid verification code provided, please try again."
NOT_FOUND_BY_CLIENT = "Username/client id combination not found."


async def sign_up(ctx: Context, call: Call) -> dict[str, Any]:
    """Create a user and send the code that confirms it (AWS: SignUp). The PreSignUp trigger may reject the
    sign-up, or confirm the user and verify its email or phone, and then no code is sent."""
    p = call.params
    client, pool = await common.client_and_pool(ctx, p["ClientId"], call)
    common.check_secret_hash(client, p["Username"], p.get("SecretHash"))
    settings = pool.settings
    if settings["AdminCreateUserConfig"].get("AllowAdminCreateUserOnly"):
        raise NotAuthorizedException("SignUp is not permitted for this user pool")
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

    # Call the PreSignUp trigger: it may reject the sign-up, or confirm the user and verify its email or phone.
    caller = Caller(client.id, call.user_agent)
    metadata = p.get("ClientMetadata")
    pre_sign_up = await ctx.triggers.pre_sign_up(pool, caller, username, attributes, p.get("ValidationData"), metadata)
    verified = pre_sign_up.verified_flags(attributes)
    # The argon2id hash and the SRP verifier (USER_SRP_AUTH), computed together in the worker pool.
    password_hash, verifier = await ctx.hashing.hash_with_verifier(password, pool.id, username)

    user, code = await _create_user(
        ctx,
        pool,
        username,
        sub,
        attributes,
        password_hash,
        verifier,
        confirmed=pre_sign_up.auto_confirm,
        verified=verified,
    )
    if pre_sign_up.auto_confirm:
        # AWS's developer guide: a user auto-confirmed by PreSignUp reaches the PostConfirmation trigger too.
        await ctx.triggers.post_confirmation(pool, caller, user, metadata)
        return {"UserConfirmed": True, "UserSub": sub}
    result: dict[str, Any] = {"UserConfirmed": False, "UserSub": sub}
    destination = common.code_destination(settings, attributes)
    if destination is not None and code is not None:
        attribute, medium = destination
        result["CodeDeliveryDetails"] = await common.deliver_code(
            ctx, caller, pool, user, attribute, medium, code, "SignUp", metadata
        )
    return result


async def _create_user(
    ctx: Context,
    pool: Pool,
    username: str,
    sub: str,
    attributes: dict[str, str],
    password_hash: str,
    verifier: Verifier,
    *,
    confirmed: bool,
    verified: list[str],
) -> tuple[User, str | None]:
    """Store the new user, in one transaction with its first code (when one is to be sent); the user as stored and
    that code. The database decides uniqueness: a taken username or sign-in value is Cognito's error."""
    settings = pool.settings
    destination = None if confirmed else common.code_destination(settings, attributes)
    code = new_code = None
    if destination is not None:
        code, code_hash, expires_at = common.new_code(ctx)
        new_code = NewCode(SIGN_UP, code_hash, destination[0], expires_at)
    record = common.new_user(
        pool,
        username,
        {**attributes, **dict.fromkeys(verified, "true")},
        password_hash,
        CONFIRMED if confirmed else UNCONFIRMED,
        sub,
        ctx.clock.now(),
        # An auto-verified alias moves to the new user, as with ForceAliasCreation (AWS: autoVerifyEmail).
        move_aliases=True,
        srp_salt=verifier.salt,
        srp_verifier=verifier.verifier,
    )
    try:
        user_id = await ctx.store.create_user(record, new_code)
    except Conflict as conflict:
        if conflict.what in ("email", "phone_number") and settings.get("UsernameAttributes"):
            raise UsernameExistsException(f"An account with the given {conflict.what} already exists.") from None
        if conflict.what == "username":
            raise UsernameExistsException("User already exists") from None
        if conflict.what in (settings.get("AliasAttributes") or ()):
            raise AliasExistsException(f"An account with the {conflict.what} already exists.") from None
        raise InternalErrorException("An internal error occurred.") from None
    return created_user(record, user_id), code


async def _stored(ctx: Context, pool: Pool, sub: str) -> User:
    """The user as the store now holds it (what triggers are shown)."""
    user = await ctx.store.find_user_by_sub(pool.id, sub)
    if user is None:  # deleted between two steps of one request
        raise UserNotFoundException(common.USER_NOT_FOUND)
    return user


def _hides_existence(client_settings: dict[str, Any]) -> bool:
    return client_settings.get("PreventUserExistenceErrors") == "ENABLED"


async def confirm_sign_up(ctx: Context, call: Call) -> dict[str, Any]:
    """Confirm a user with the code sent at sign-up; the attribute it went to becomes verified."""
    p = call.params
    client, pool = await common.client_and_pool(ctx, p["ClientId"], call)
    common.check_secret_hash(client, p["Username"], p.get("SecretHash"))
    await confirm_with_code(
        ctx,
        client,
        pool,
        p["Username"],
        p["ConfirmationCode"],
        bool(p.get("ForceAliasCreation")),
        Caller(client.id, call.user_agent),
        p.get("ClientMetadata"),
    )
    return {}


async def confirm_with_code(
    ctx: Context,
    client: Client,
    pool: Pool,
    name: str,
    code: str,
    force_alias: bool = False,
    caller: Caller | None = None,
    client_metadata: dict[str, str] | None = None,
) -> User:
    """Confirm the user ``name`` with a sign-up code, then run the PostConfirmation trigger: the rules of
    ConfirmSignUp after its client checks, shared with the confirmation link (``GET /confirmUser``). Returns the
    user as it was before confirming."""
    user = await common.find_user(ctx, pool, name)
    if user is None:
        if _hides_existence(client.settings):
            raise CodeMismatchException(CODE_MISMATCH)
        raise UserNotFoundException(NOT_FOUND_BY_CLIENT)
    await throttle.per_user(ctx, "ConfirmSignUp", user)  # the link page counts as ConfirmSignUp too
    if user.status != UNCONFIRMED:
        raise UserNotConfirmable(user.status)
    stored = await ctx.store.take_attempt(user.id, SIGN_UP, ctx.settings.code_attempts)
    if stored is None:
        # No attempt left, or no code: say which (a racing confirmation may have just used the code).
        now = await common.find_user(ctx, pool, name)
        if now is not None and now.status != UNCONFIRMED:
            raise UserNotConfirmable(now.status)
        if await ctx.store.get_code(user.id, SIGN_UP) is not None:
            raise LimitExceededException("Attempt limit exceeded, please try after some time.")
        raise CodeMismatchException(CODE_MISMATCH)
    if not codes.matches(code, stored.code_hash):
        raise CodeMismatchException(CODE_MISMATCH)
    if stored.expires_at <= ctx.clock.now():
        raise ExpiredCodeException("Invalid code provided, please request a code again.")
    verify = [VERIFIED_FLAGS[stored.attribute]] if stored.attribute in VERIFIED_FLAGS else []
    await _confirm(ctx, pool, user, verify, force_alias, SIGN_UP)
    await _post_confirmation(ctx, caller or Caller(client.id), pool, user, client_metadata)
    return user


async def _post_confirmation(
    ctx: Context, caller: Caller, pool: Pool, user: User, client_metadata: dict[str, str] | None
) -> None:
    """Run the PostConfirmation trigger on the confirmed user. Its failure is the API's answer, but the user
    stays confirmed, as in Cognito (a public report: "the user is actually confirmed in the user pool")."""
    if ctx.triggers.resolve(pool.settings, Kind.POST_CONFIRMATION) is None:
        return  # no function: no need to read the confirmed user back
    await ctx.triggers.post_confirmation(pool, caller, await _stored(ctx, pool, user.sub), client_metadata)


async def _confirm(
    ctx: Context, pool: Pool, user: User, verify: list[str], force_alias: bool, consume_code: str | None
) -> None:
    """Move ``user`` to CONFIRMED, mark ``verify`` flags true and claim the aliases that are now verified."""
    claim = common.verified_aliases(pool, {**user.attributes, **dict.fromkeys(verify, "true")})
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
        raise UserNotConfirmable(CONFIRMED)


async def resend_confirmation_code(ctx: Context, call: Call) -> dict[str, Any]:
    """Send a new sign-up code; the previous one stops working."""
    p = call.params
    client, pool = await common.client_and_pool(ctx, p["ClientId"], call)
    common.check_secret_hash(client, p["Username"], p.get("SecretHash"))
    user = await common.find_user(ctx, pool, p["Username"])
    if user is None:
        if _hides_existence(client.settings):
            return {"CodeDeliveryDetails": _simulated_delivery(pool, p["Username"])}
        raise UserNotFoundException(NOT_FOUND_BY_CLIENT)
    await throttle.per_user(ctx, call.operation, user)
    if user.status == CONFIRMED:
        raise InvalidParameterException("User is already confirmed.")
    destination = common.code_destination(pool.settings, user.attributes)
    if destination is None:
        raise InvalidParameterException("Cannot resend codes. Auto verification not turned on.")
    attribute, medium = destination
    code, code_hash, expires_at = common.new_code(ctx)
    await ctx.store.replace_code(user.id, NewCode(SIGN_UP, code_hash, attribute, expires_at), ctx.clock.now())
    details = await common.deliver_code(
        ctx,
        Caller(client.id, call.user_agent),
        pool,
        user,
        attribute,
        medium,
        code,
        "ResendCode",
        p.get("ClientMetadata"),
    )
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
        raise UserNotConfirmable(user.status)
    await _confirm(ctx, pool, user, [], False, SIGN_UP)
    caller = Caller(CLIENT_ID_NOT_APPLICABLE, call.user_agent)
    await _post_confirmation(ctx, caller, pool, user, call.params.get("ClientMetadata"))
    return {}


OPERATIONS = {
    "SignUp": sign_up,
    "ConfirmSignUp": confirm_sign_up,
    "ResendConfirmationCode": resend_confirmation_code,
    "AdminConfirmSignUp": admin_confirm_sign_up,
}
