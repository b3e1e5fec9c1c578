"""Users managed by an administrator: AdminCreateUser, AdminUpdateUserAttributes, AdminDisableUser,
AdminEnableUser."""

from __future__ import annotations

from typing import Any

from userpool.context import Call, Context
from userpool.delivery import DeliveryError, Message
from userpool.domain import attributes as attribute_rules
from userpool.domain import ids, passwords, usernames
from userpool.domain import pools as pool_rules
from userpool.domain.attributes import VERIFIED_FLAGS
from userpool.errors import (
    AliasExistsException,
    CodeDeliveryFailureException,
    InternalErrorException,
    InvalidParameterException,
    InvalidPasswordException,
    UnsupportedUserStateException,
    UsernameExistsException,
    UserNotFoundException,
)
from userpool.operations import common
from userpool.operations.account import new_password, update_attributes
from userpool.store import Conflict, NewUser, Pool, User

FORCE_CHANGE = "FORCE_CHANGE_PASSWORD"
# Cognito's default invitation (AdminCreateUserConfig.InviteMessageTemplate).
DEFAULT_INVITE_SUBJECT = "Your temporary password"
DEFAULT_INVITE_MESSAGE = "Your username is {username} and temporary password is {####}. "


def _check_attributes(pool: Pool, attributes: dict[str, str], implied: list[str]) -> None:
    """SignUp's schema rules, except that an administrator may also set the ``*_verified`` flags."""
    flags = {n: v for n, v in attributes.items() if n in VERIFIED_FLAGS.values()}
    rest = {n: v for n, v in attributes.items() if n not in flags}
    schema = pool.settings["SchemaAttributes"]
    attribute_rules.check_sign_up_attributes(rest, schema, None, [*implied, *rest])
    bad = [n for n, v in flags.items() if v.lower() not in ("true", "false")]
    if bad:
        raise InvalidParameterException(
            "Attributes did not conform to the schema: " + "".join(f"{n}: Boolean must be true or false\n" for n in bad)
        )


async def _invite(
    ctx: Context, pool: Pool, user_name: str, attributes: dict[str, str], password: str, mediums: list[str]
) -> None:
    template = pool.settings["AdminCreateUserConfig"].get("InviteMessageTemplate") or {}
    for medium in mediums:
        attribute = "phone_number" if medium == "SMS" else "email"
        destination = attributes.get(attribute)
        if not destination:
            continue  # (unverified: Cognito's answer when the medium's attribute is missing)
        if medium == "SMS":
            subject, body = None, template.get("SMSMessage") or DEFAULT_INVITE_MESSAGE
        else:
            subject = template.get("EmailSubject") or DEFAULT_INVITE_SUBJECT
            body = template.get("EmailMessage") or DEFAULT_INVITE_MESSAGE
        shown_name = attributes.get("email") if pool.settings.get("UsernameAttributes") else user_name
        body = body.replace("{username}", shown_name or user_name).replace("{####}", password)
        try:
            await ctx.sender.send(
                Message(
                    pool_id=pool.id,
                    username=user_name,
                    medium=medium,
                    destination=destination,
                    subject=subject,
                    body=body,
                    code=password,
                )
            )
        except DeliveryError as exc:
            raise CodeDeliveryFailureException(f"Unable to deliver the invitation: {exc}") from None


async def admin_create_user(ctx: Context, call: Call) -> dict[str, Any]:
    p = call.params
    pool = await common.require_pool(ctx, p["UserPoolId"])
    settings = pool.settings
    policy = pool_rules.password_policy(settings)
    temporary = p.get("TemporaryPassword")
    if temporary is not None:
        violation = passwords.policy_violation(temporary, policy)
        if violation:
            raise InvalidPasswordException(passwords.ADMIN_CREATE_PREFIX + violation)
    else:
        temporary = passwords.temporary_password(policy)
    days = int(policy.get("TemporaryPasswordValidityDays", 7))
    expires_at = ctx.clock.now() + days * 86400
    action = p.get("MessageAction")
    mediums = list(p.get("DesiredDeliveryMediums") or ["SMS"])

    if action == "RESEND":
        user = await common.find_user(ctx, pool, p["Username"])
        if user is None:
            raise UserNotFoundException(common.USER_NOT_FOUND)
        if user.status != FORCE_CHANGE:
            raise UnsupportedUserStateException("Resend not possible. User status is not FORCE_CHANGE_PASSWORD.")
        await new_password(
            ctx, pool, user, temporary, passwords.ADMIN_CREATE_PREFIX, status=FORCE_CHANGE, expires_at=expires_at
        )
        await _invite(ctx, pool, user.username, user.attributes, temporary, mediums)
        user = await ctx.store.find_user_by_id(user.id)
        assert user is not None
        return {"User": common.user_description(user)}

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
    _check_attributes(pool, attributes, implied)
    password_hash, verifier = await ctx.hashing.hash_with_verifier(temporary, pool.id, username)
    stored = {"sub": sub, **attributes}
    for attribute, flag in VERIFIED_FLAGS.items():
        if attribute in attributes and flag not in attributes:
            stored[flag] = "false"
    keys = [
        (kind, common.key_value(kind, attributes[kind], case_sensitive))
        for kind in common.sign_in_kinds(settings)
        if attributes.get(kind)
        and (
            settings.get("UsernameAttributes")
            or kind == "preferred_username"
            or stored.get(VERIFIED_FLAGS.get(kind, "")) == "true"
        )
    ]
    now = ctx.clock.now()
    try:
        user_id = await ctx.store.create_user(
            NewUser(
                pool_id=pool.id,
                username=username,
                username_key=usernames.fold(username, case_sensitive),
                sub=sub,
                status=FORCE_CHANGE,
                password_hash=password_hash,
                created_at=now,
                attributes=stored,
                keys=keys,
                srp_salt=verifier.salt,
                srp_verifier=verifier.verifier,
                password_expires_at=expires_at,
            )
        )
    except Conflict as conflict:
        if conflict.what in ("email", "phone_number") and settings.get("UsernameAttributes"):
            raise UsernameExistsException(f"An account with the given {conflict.what} already exists.") from None
        if conflict.what in ("email", "phone_number", "preferred_username"):
            raise AliasExistsException(f"An account with the {conflict.what} already exists.") from None
        if conflict.what == "username":
            raise UsernameExistsException("User account already exists") from None
        raise InternalErrorException("An internal error occurred.") from None
    if action != "SUPPRESS":
        await _invite(ctx, pool, username, stored, temporary, mediums)
    user = await ctx.store.find_user_by_id(user_id)
    assert user is not None
    return {"User": common.user_description(user)}


async def _admin_user(ctx: Context, call: Call) -> tuple[Pool, User]:
    pool = await common.require_pool(ctx, call.params["UserPoolId"])
    user = await common.find_user(ctx, pool, call.params["Username"])
    if user is None:
        raise UserNotFoundException(common.USER_NOT_FOUND)
    return pool, user


async def admin_update_user_attributes(ctx: Context, call: Call) -> dict[str, Any]:
    pool, user = await _admin_user(ctx, call)
    await update_attributes(ctx, pool, user, call.params["UserAttributes"], None, admin=True)
    return {}


async def admin_disable_user(ctx: Context, call: Call) -> dict[str, Any]:
    """Deactivate the user and revoke its tokens."""
    _, user = await _admin_user(ctx, call)
    now = ctx.clock.now()
    await ctx.store.set_enabled(user.id, False, now)
    await ctx.store.revoke_user_tokens(user.id, now)
    return {}


async def admin_enable_user(ctx: Context, call: Call) -> dict[str, Any]:
    _, user = await _admin_user(ctx, call)
    await ctx.store.set_enabled(user.id, True, ctx.clock.now())
    return {}


OPERATIONS = {
    "AdminCreateUser": admin_create_user,
    "AdminUpdateUserAttributes": admin_update_user_attributes,
    "AdminDisableUser": admin_disable_user,
    "AdminEnableUser": admin_enable_user,
}
