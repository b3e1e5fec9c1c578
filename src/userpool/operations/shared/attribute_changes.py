"""Changing a user's attributes, shared by UpdateUserAttributes and AdminUpdateUserAttributes: the schema and
write checks, what becomes unverified, the codes that go out, and the sign-in values that move with a change."""

from __future__ import annotations

from userpool.context import Context
from userpool.domain import attributes as attribute_rules
from userpool.domain import codes, texts
from userpool.domain import pools as pool_rules
from userpool.domain.attributes import VERIFIED_FLAGS
from userpool.domain.records import NewCode, Pool, User
from userpool.domain.users import key_value, sign_in_kinds
from userpool.errors import AliasExistsException, InvalidParameterException, NotAuthorizedException
from userpool.operations.shared import confirmation_codes, sending
from userpool.store import Conflict
from userpool.triggers import CLIENT_ID_NOT_APPLICABLE, Caller


async def update_attributes(
    ctx: Context,
    pool: Pool,
    user: User,
    items: list[dict[str, str]],
    write_attributes: list[str] | None,
    admin: bool,
    caller: Caller | None = None,
    client_metadata: dict[str, str] | None = None,
) -> list[dict[str, str]]:
    """Apply UpdateUserAttributes / AdminUpdateUserAttributes; the CodeDeliveryDetails of codes sent.

    A changed email or phone number becomes unverified (unless an administrator sets its ``*_verified`` flag
    too) and, when the pool auto-verifies it, gets a code; a username-attribute value moves with it; an alias
    stops signing the user in until it is verified again."""
    settings = pool.settings
    schema = settings["SchemaAttributes"]
    by_name = attribute_rules.schema_by_name(schema)
    changes = attribute_rules.from_list(items)
    attribute_rules.check_known(changes, by_name)
    writable = attribute_rules.client_writable(schema, write_attributes)
    for name in changes:
        if name == "sub" or (not admin and (name in VERIFIED_FLAGS.values() or name not in writable)):
            raise NotAuthorizedException(texts.UNAUTHORIZED_WRITE)
        if not by_name[name].get("Mutable", True) and name in user.attributes:
            raise InvalidParameterException(f"Cannot modify an immutable attribute: {name}")  # (unverified)
    attribute_rules.check_formats(changes)
    problems = attribute_rules.value_problems(changes, by_name)
    if problems:
        raise attribute_rules.schema_error(problems)

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
        if attribute in sign_in_kinds(settings):
            release.append(attribute)
            if settings.get("UsernameAttributes") or values.get(flag) == "true":
                claim.append((attribute, key_value(attribute, changes[attribute], case_sensitive)))
    auto = settings.get("AutoVerifiedAttributes") or ()
    code_plans = [(a, *confirmation_codes.new_code(ctx)) for a in to_verify if a in auto]
    try:
        await ctx.store.update_attributes(
            user.id,
            values,
            ctx.clock.now(),
            release_keys=release,
            set_keys=claim,
            new_codes=[NewCode(codes.verify_purpose(a), h, a, e) for a, _, h, e in code_plans],
        )
    except Conflict as conflict:
        raise AliasExistsException(texts.SIGN_IN_VALUE_EXISTS.format(attribute=conflict.what)) from None
    details = []
    if not code_plans:
        return details
    # The codes go out as the user now is (the functions that may rewrite them see the new values).
    changed = await ctx.store.get_user(user.id) or user
    caller = caller or Caller(CLIENT_ID_NOT_APPLICABLE)
    for attribute, code, _, _ in code_plans:
        medium = sending.medium_of(attribute)
        details.append(
            await sending.deliver_code(
                ctx, caller, pool, changed, attribute, medium, code, "UpdateUserAttribute", client_metadata
            )
        )
    return details
