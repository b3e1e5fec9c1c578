"""What a signed-in user does with an access token: GetUser, UpdateUserAttributes, GetUserAttributeVerificationCode,
VerifyUserAttribute, ChangePassword, DeleteUser."""

from __future__ import annotations

from typing import Any

from userpool.context import Call, Context
from userpool.domain import auth_events as events
from userpool.domain import codes, texts
from userpool.domain import mfa as mfa_rules
from userpool.domain import pools as pool_rules
from userpool.domain.attributes import VERIFIED_FLAGS
from userpool.domain.records import Confirmation, NewCode
from userpool.domain.users import key_value
from userpool.errors import (
    AliasExistsException,
    CodeMismatchException,
    InvalidParameterException,
    LimitExceededException,
    NotAuthorizedException,
)
from userpool.operations.shared import (
    attribute_changes,
    confirmation_codes,
    issuing,
    sending,
    threat_protection,
    user_passwords,
)
from userpool.store import Conflict
from userpool.triggers import Caller as TriggerCaller


async def get_user(ctx: Context, call: Call) -> dict[str, Any]:
    caller = await issuing.authenticate(ctx, call.params["AccessToken"])
    return {
        "Username": caller.user.username,
        "UserAttributes": [{"Name": n, "Value": v} for n, v in caller.user.attributes.items()],
        **mfa_rules.describe(await ctx.store.get_mfa_settings(caller.user.id), caller.user.attributes),
    }


async def update_user_attributes(ctx: Context, call: Call) -> dict[str, Any]:
    caller = await issuing.authenticate(ctx, call.params["AccessToken"])
    client = await ctx.store.get_client(caller.client_id)
    write = client.settings.get("WriteAttributes") if client else None
    details = await attribute_changes.update_attributes(
        ctx,
        caller.pool,
        caller.user,
        call.params["UserAttributes"],
        write,
        admin=False,
        caller=TriggerCaller(caller.client_id, call.user_agent),
        client_metadata=call.params.get("ClientMetadata"),
    )
    return {"CodeDeliveryDetailsList": details} if details else {}


async def get_user_attribute_verification_code(ctx: Context, call: Call) -> dict[str, Any]:
    caller = await issuing.authenticate(ctx, call.params["AccessToken"])
    attribute = call.params["AttributeName"]
    if attribute not in VERIFIED_FLAGS:
        raise InvalidParameterException(f"Invalid attribute name: {attribute}")  # (unverified)
    destination = caller.user.attributes.get(attribute)
    if not destination:
        raise InvalidParameterException(f"User does not have the attribute {attribute}.")  # (unverified)
    code, code_hash, expires_at = confirmation_codes.new_code(ctx)
    await ctx.store.replace_code(
        caller.user.id, NewCode(codes.verify_purpose(attribute), code_hash, attribute, expires_at), ctx.clock.now()
    )
    medium = sending.medium_of(attribute)
    details = await sending.deliver_code(
        ctx,
        TriggerCaller(caller.client_id, call.user_agent),
        caller.pool,
        caller.user,
        attribute,
        medium,
        code,
        "VerifyUserAttribute",
        call.params.get("ClientMetadata"),
    )
    return {"CodeDeliveryDetails": details}


async def verify_user_attribute(ctx: Context, call: Call) -> dict[str, Any]:
    caller = await issuing.authenticate(ctx, call.params["AccessToken"])
    attribute = call.params["AttributeName"]
    user, pool = caller.user, caller.pool
    if attribute not in VERIFIED_FLAGS or not user.attributes.get(attribute):
        raise CodeMismatchException(texts.CODE_MISMATCH)
    await confirmation_codes.check_code(ctx, user, codes.verify_purpose(attribute), call.params["Code"])
    claim = []
    if attribute in (pool.settings.get("AliasAttributes") or ()):
        sensitive = pool_rules.case_sensitive(pool.settings)
        claim = [(attribute, key_value(attribute, user.attributes[attribute], sensitive))]
    try:
        await ctx.store.confirm(
            Confirmation(
                user_id=user.id,
                from_status=user.status,
                to_status=user.status,
                verify=[VERIFIED_FLAGS[attribute]],
                claim_keys=claim,
                force_alias=False,
                consume_code=codes.verify_purpose(attribute),
                at=ctx.clock.now(),
            )
        )
    except Conflict as conflict:
        raise AliasExistsException(texts.ALIAS_EXISTS.format(attribute=conflict.what)) from None
    return {}


async def change_password(ctx: Context, call: Call) -> dict[str, Any]:
    p = call.params
    caller = await issuing.authenticate(ctx, p["AccessToken"])
    user = caller.user
    if user_passwords.locked_out(ctx, user):
        raise LimitExceededException(texts.ATTEMPTS_EXCEEDED)
    # A passwordless user sets its first password without a previous one; any other user must send its own.
    previous = p.get("PreviousPassword")
    if user.password_hash is None:
        right = previous is None
    else:
        right = previous is not None and await ctx.hashing.verify(user.password_hash, previous)
    if not right:
        await user_passwords.count_failure(ctx, user)
        await threat_protection.record_event(ctx, call, caller.pool, user, events.PASSWORD_CHANGE, events.FAIL)
        raise NotAuthorizedException(texts.INCORRECT_PASSWORD)
    await user_passwords.set_password(ctx, caller.pool, user, p["ProposedPassword"], texts.CHANGE_POLICY_PREFIX)
    await threat_protection.record_event(ctx, call, caller.pool, user, events.PASSWORD_CHANGE)
    return {}


async def delete_user(ctx: Context, call: Call) -> dict[str, Any]:
    caller = await issuing.authenticate(ctx, call.params["AccessToken"])
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
