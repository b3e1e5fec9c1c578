"""What a signed-in user does with an access token: GetUser, UpdateUserAttributes, GetUserAttributeVerificationCode,
VerifyUserAttribute, ChangePassword, DeleteUser. Also the attribute update shared with AdminUpdateUserAttributes."""

from __future__ import annotations

from typing import Any

from userpool.context import Call, Context
from userpool.domain import attributes as attribute_rules
from userpool.domain import codes, lockout, passwords, usernames
from userpool.domain import pools as pool_rules
from userpool.domain.attributes import VERIFIED_FLAGS
from userpool.errors import (
    AliasExistsException,
    CodeMismatchException,
    ExpiredCodeException,
    InvalidParameterException,
    InvalidPasswordException,
    LimitExceededException,
    NotAuthorizedException,
    PasswordHistoryPolicyViolationException,
)
from userpool.operations import common, tokens
from userpool.store import Confirmation, Conflict, NewCode, PasswordChange, Pool, User

INCORRECT = "Incorrect username or password."
CODE_MISMATCH = "Invalid verification code provided, please try again."
CODE_EXPIRED = "Invalid code provided, please request a code again."
ATTEMPTS_EXCEEDED = "Attempt limit exceeded, please try after some time."
HISTORY_VIOLATION = "The password can't be a previously used password."  # (unverified wording)


def verify_purpose(attribute: str) -> str:
    return f"verify_{attribute}"


# ---- passwords -------------------------------------------------------------------------------------------------
async def new_password(
    ctx: Context,
    pool: Pool,
    user: User,
    password: str,
    prefix: str,
    *,
    status: str | None = None,
    from_status: str | None = None,
    expires_at: float | None = None,
    consume_code: str | None = None,
) -> None:
    """Check ``password`` against the pool's policy (``prefix`` words the error as the operation does) and its
    password history, then store its hash and SRP verifier (computed in the worker pool). A user it confirms
    loses its sign-up code with it."""
    policy = pool_rules.password_policy(pool.settings)
    violation = passwords.policy_violation(password, policy)
    if violation:
        raise InvalidPasswordException(prefix + violation)
    history = int(policy.get("PasswordHistorySize") or 0)
    if history and user.password_hash is not None:
        previous = [user.password_hash, *await ctx.store.password_history(user.id, history - 1)]
        for stored in previous:
            if await ctx.hashing.verify(stored, password):
                raise PasswordHistoryPolicyViolationException(HISTORY_VIOLATION)
    password_hash, verifier = await ctx.hashing.hash_with_verifier(password, pool.id, user.username)
    await ctx.store.set_password(
        PasswordChange(
            user_id=user.id,
            password_hash=password_hash,
            srp_salt=verifier.salt,
            srp_verifier=verifier.verifier,
            at=ctx.clock.now(),
            status=status,
            from_status=from_status,
            expires_at=expires_at,
            history_size=max(history - 1, 0),
            consume_codes=(
                *([consume_code] if consume_code else []),
                *([codes.SIGN_UP] if status == "CONFIRMED" else []),
            ),
        )
    )


async def take_code(ctx: Context, user: User, purpose: str, sent: str) -> str | None:
    """Check a code the user sent for ``purpose``; the attribute it verifies. Cognito's errors otherwise."""
    stored = await ctx.store.take_attempt(user.id, purpose, ctx.settings.code_attempts)
    if stored is None:
        if await ctx.store.get_code(user.id, purpose) is not None:
            raise LimitExceededException(ATTEMPTS_EXCEEDED)
        raise CodeMismatchException(CODE_MISMATCH)
    if not codes.matches(sent, stored.code_hash):
        raise CodeMismatchException(CODE_MISMATCH)
    if stored.expires_at <= ctx.clock.now():
        raise ExpiredCodeException(CODE_EXPIRED)
    return stored.attribute


# ---- attributes ------------------------------------------------------------------------------------------------
async def update_attributes(
    ctx: Context, pool: Pool, user: User, items: list[dict[str, str]], write_attributes: list[str] | None, admin: bool
) -> list[dict[str, str]]:
    """Apply UpdateUserAttributes / AdminUpdateUserAttributes; the CodeDeliveryDetails of codes sent.

    A changed email or phone number becomes unverified (unless an administrator sets its ``*_verified`` flag
    too) and, when the pool auto-verifies it, gets a code; a username-attribute value moves with it; an alias
    stops signing the user in until it is verified again."""
    settings = pool.settings
    schema = settings["SchemaAttributes"]
    by_name = attribute_rules.schema_by_name(schema)
    changes = attribute_rules.from_list(items)
    unknown = [n for n in changes if n not in by_name]
    if unknown:
        raise InvalidParameterException(
            "Attributes did not conform to the schema: "
            + "".join(f"{n}: Attribute does not exist in the schema.\n" for n in unknown)
        )
    writable = (
        set(write_attributes) if write_attributes is not None else set(attribute_rules.writable_by_default(schema))
    )
    for name in changes:
        if name == "sub" or (not admin and (name in VERIFIED_FLAGS.values() or name not in writable)):
            raise NotAuthorizedException(attribute_rules.UNAUTHORIZED_WRITE)
        if not by_name[name].get("Mutable", True) and name in user.attributes:
            raise InvalidParameterException(f"Cannot modify an immutable attribute: {name}")  # (unverified)
    if "email" in changes and not usernames.is_email(changes["email"]):
        raise InvalidParameterException("Invalid email address format.")
    if "phone_number" in changes and not usernames.is_phone(changes["phone_number"]):
        raise InvalidParameterException("Invalid phone number format.")
    problems = []
    for name, value in changes.items():
        problem = attribute_rules._value_problem(by_name[name], value)
        if problem:
            problems.append(f"{name}: {problem}")
    if problems:
        raise InvalidParameterException(
            "Attributes did not conform to the schema: " + "".join(f"{p}\n" for p in problems)
        )

    case_sensitive = pool_rules.case_sensitive(settings)
    values = dict(changes)
    release: list[str] = []
    claim: list[tuple[str, str]] = []
    to_verify: list[str] = []
    for attribute, flag in VERIFIED_FLAGS.items():
        if attribute not in changes or changes[attribute] == user.attributes.get(attribute):
            continue
        if not (admin and changes.get(flag) == "true"):
            values[flag] = "false"
            to_verify.append(attribute)
        kinds = common.sign_in_kinds(settings)
        if attribute in kinds:
            release.append(attribute)
            if settings.get("UsernameAttributes") or values.get(flag) == "true":
                claim.append((attribute, common.key_value(attribute, changes[attribute], case_sensitive)))
    auto = settings.get("AutoVerifiedAttributes") or ()
    deliveries = [(a, "SMS" if a == "phone_number" else "EMAIL") for a in to_verify if a in auto]
    code_plans = [(a, m, *common.new_code(ctx)) for a, m in deliveries]
    try:
        await ctx.store.update_attributes(
            user.id,
            values,
            ctx.clock.now(),
            release_keys=release,
            set_keys=claim,
            new_codes=[NewCode(verify_purpose(a), h, a, e) for a, _, _, h, e in code_plans],
        )
    except Conflict as conflict:
        raise AliasExistsException(f"An account with the given {conflict.what} already exists.") from None
    details = []
    for attribute, medium, code, _, _ in code_plans:
        details.append(await common.send_code(ctx, pool, user.username, attribute, medium, changes[attribute], code))
    return details


# ---- operations ------------------------------------------------------------------------------------------------
async def get_user(ctx: Context, call: Call) -> dict[str, Any]:
    caller = await tokens.authenticate(ctx, call.params["AccessToken"])
    return {
        "Username": caller.user.username,
        "UserAttributes": [{"Name": n, "Value": v} for n, v in caller.user.attributes.items()],
    }


async def update_user_attributes(ctx: Context, call: Call) -> dict[str, Any]:
    caller = await tokens.authenticate(ctx, call.params["AccessToken"])
    client = await ctx.store.get_client(caller.client_id)
    write = client.settings.get("WriteAttributes") if client else None
    details = await update_attributes(ctx, caller.pool, caller.user, call.params["UserAttributes"], write, admin=False)
    return {"CodeDeliveryDetailsList": details} if details else {}


async def get_user_attribute_verification_code(ctx: Context, call: Call) -> dict[str, Any]:
    caller = await tokens.authenticate(ctx, call.params["AccessToken"])
    attribute = call.params["AttributeName"]
    if attribute not in VERIFIED_FLAGS:
        raise InvalidParameterException(f"Invalid attribute name: {attribute}")  # (unverified)
    destination = caller.user.attributes.get(attribute)
    if not destination:
        raise InvalidParameterException(f"User does not have the attribute {attribute}.")  # (unverified)
    code, code_hash, expires_at = common.new_code(ctx)
    await ctx.store.replace_code(
        caller.user.id, NewCode(verify_purpose(attribute), code_hash, attribute, expires_at), ctx.clock.now()
    )
    medium = "SMS" if attribute == "phone_number" else "EMAIL"
    details = await common.send_code(ctx, caller.pool, caller.user.username, attribute, medium, destination, code)
    return {"CodeDeliveryDetails": details}


async def verify_user_attribute(ctx: Context, call: Call) -> dict[str, Any]:
    caller = await tokens.authenticate(ctx, call.params["AccessToken"])
    attribute = call.params["AttributeName"]
    user, pool = caller.user, caller.pool
    if attribute not in VERIFIED_FLAGS or not user.attributes.get(attribute):
        raise CodeMismatchException(CODE_MISMATCH)
    await take_code(ctx, user, verify_purpose(attribute), call.params["Code"])
    claim = []
    if attribute in (pool.settings.get("AliasAttributes") or ()):
        sensitive = pool_rules.case_sensitive(pool.settings)
        claim = [(attribute, common.key_value(attribute, user.attributes[attribute], sensitive))]
    try:
        await ctx.store.confirm(
            Confirmation(
                user_id=user.id,
                from_status=user.status,
                to_status=user.status,
                verify=[VERIFIED_FLAGS[attribute]],
                claim_keys=claim,
                force_alias=False,
                consume_code=verify_purpose(attribute),
                at=ctx.clock.now(),
            )
        )
    except Conflict as conflict:
        raise AliasExistsException(f"An account with the {conflict.what} already exists.") from None
    return {}


async def change_password(ctx: Context, call: Call) -> dict[str, Any]:
    p = call.params
    caller = await tokens.authenticate(ctx, p["AccessToken"])
    user = caller.user
    state = lockout.Attempts(user.failed_sign_ins or 0, user.last_failed_sign_in, user.locked_until)
    if lockout.locked(state, ctx.clock.now()):
        raise LimitExceededException(ATTEMPTS_EXCEEDED)
    if user.password_hash is None or not await ctx.hashing.verify(user.password_hash, p["PreviousPassword"]):
        now = ctx.clock.now()
        await ctx.store.record_sign_in_failure(user.id, lambda s: lockout.after_failure(s, now))
        raise NotAuthorizedException(INCORRECT)
    await new_password(ctx, caller.pool, user, p["ProposedPassword"], passwords.CHANGE_PREFIX)
    return {}


async def delete_user(ctx: Context, call: Call) -> dict[str, Any]:
    caller = await tokens.authenticate(ctx, call.params["AccessToken"])
    await ctx.store.delete_user(caller.user.id)
    return {}


OPERATIONS = {
    "GetUser": get_user,
    "UpdateUserAttributes": update_user_attributes,
    "GetUserAttributeVerificationCode": get_user_attribute_verification_code,
    "VerifyUserAttribute": verify_user_attribute,
    "ChangePassword": change_password,
    "DeleteUser": delete_user,
}
