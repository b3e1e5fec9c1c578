"""Lazy migration of users from another system (the UserMigration trigger): a user the pool does not know, signing
in with a password (``UserMigration_Authentication``) or asking for a password reset
(``UserMigration_ForgotPassword``), is looked up by the pool's function and, when it answers, created at once with
the attributes and status it returned, so the request goes on as for any user.

The user is made in one write after the function answered: a failed function, an unreadable answer or a taken
username or alias (without ``forceAliasCreation``) leaves no user behind. The password typed at sign-in is hashed
as any other (argon2id and the SRP verifier, so the user can use SRP from then on); the pool's password policy does
not apply to it, as in Cognito.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence

from userpool.context import Context
from userpool.domain import attributes as attribute_rules
from userpool.domain import clients as client_rules
from userpool.domain import ids, texts, usernames
from userpool.domain.attributes import VERIFIED_FLAGS
from userpool.domain.records import Client, Pool, User
from userpool.domain.users import UserStatus, creation_conflict, new_user
from userpool.errors import InvalidLambdaResponseException, ServiceError, UserNotFoundException
from userpool.operations.shared import lookups, sending
from userpool.store import Conflict
from userpool.triggers import Caller
from userpool.triggers.responses import UNRECOGNIZABLE

AUTHENTICATION = "UserMigration_Authentication"
FORGOT_PASSWORD = "UserMigration_ForgotPassword"
NO_PASSWORD = ""  # what a migrated user's welcome message shows for the temporary password
log = logging.getLogger(__name__)


async def migrate(
    ctx: Context,
    pool: Pool,
    caller: Caller,
    name: str,
    source: str,
    password: str | None,
    validation_data: Mapping[str, str] | None,
    client_metadata: Mapping[str, str] | None,
) -> User | None:
    """Ask the pool's UserMigration function for the user ``name`` (as typed) and create it; None when the pool
    has no such function. Cognito's errors when the function fails or its user cannot be created."""
    answer = await ctx.triggers.user_migration(pool, caller, name, source, password, validation_data, client_metadata)
    if answer is None:
        return None
    settings = pool.settings
    attributes = dict(answer.attributes)
    attributes.pop("sub", None)  # Cognito makes the sub
    # ``username`` in the answer names the user when the name typed was an alias (unverified).
    username = attributes.pop("username", None) or name
    if settings.get("UsernameAttributes"):
        kind = usernames.sign_in_attribute(name, settings["UsernameAttributes"], attributes)
        attributes.setdefault(kind, name)
    by_name = attribute_rules.schema_by_name(settings["SchemaAttributes"])
    attribute_rules.check_known([n for n in attributes if n not in VERIFIED_FLAGS.values()], by_name)
    attribute_rules.check_formats(attributes)
    if any(attributes.get(flag, "false").lower() not in ("true", "false") for flag in VERIFIED_FLAGS.values()):
        raise InvalidLambdaResponseException(UNRECOGNIZABLE)
    status = UserStatus.CONFIRMED if answer.final_status == "CONFIRMED" else UserStatus.RESET_REQUIRED
    sub = ids.sub()
    stored_name = sub if settings.get("UsernameAttributes") else username
    extra = {}
    password_hash = None
    if password is not None:
        password_hash, verifier = await ctx.hashing.hash_with_verifier(password, pool.id, stored_name)
        extra = {"srp_salt": verifier.salt, "srp_verifier": verifier.verifier}
    record = new_user(
        pool,
        username,
        attributes,
        password_hash,
        status,
        sub,
        ctx.clock.now(),
        move_aliases=answer.force_alias,
        **extra,
    )
    try:
        user_id = await ctx.store.create_user(record)
    except Conflict as conflict:
        raise creation_conflict(conflict.what, settings, texts.USER_ACCOUNT_EXISTS) from None
    user = await ctx.store.get_user(user_id)
    assert user is not None
    if not answer.suppress_message:
        await _welcome(ctx, pool, caller, user, answer.mediums, client_metadata)
    return user


async def _welcome(
    ctx: Context,
    pool: Pool,
    caller: Caller,
    user: User,
    mediums: Sequence[str],
    client_metadata: Mapping[str, str] | None,
) -> None:
    """Cognito's welcome message to a migrated user (unless the function answered ``messageAction: SUPPRESS``), by
    each of ``desiredDeliveryMediums`` the user has an address for: AdminCreateUser's invitation template, through
    the CustomMessage trigger (``CustomMessage_AdminCreateUser``) or a custom sender, as for an invited user. A
    migrated user has no temporary password, so ``{####}`` is left empty (unverified). The user stays migrated and
    the request goes on when the message cannot be sent (unverified); the failure is logged."""
    metadata = dict(client_metadata) if client_metadata is not None else None
    try:
        await sending.send_invitation(ctx, caller, pool, user, NO_PASSWORD, mediums, metadata)
    except ServiceError as error:
        log.warning("welcome message to migrated user %s of pool %s not sent: %s", user.id, pool.id, error.type_name)


async def user_for_forgot_password(
    ctx: Context, caller: Caller, client: Client, pool: Pool, name: str, client_metadata: Mapping[str, str] | None
) -> User | None:
    """ForgotPassword's user (``lookups.user_for_client``), migrated by the pool's UserMigration function
    (``UserMigration_ForgotPassword``) when the pool does not know it yet."""
    user = await lookups.find_user(ctx.store, pool, name)
    if user is None:
        try:
            user = await migrate(ctx, pool, caller, name, FORGOT_PASSWORD, None, None, client_metadata)
        except UserNotFoundException:
            if not client_rules.hides_user_existence(client.settings):
                raise
    if user is None and not client_rules.hides_user_existence(client.settings):
        raise UserNotFoundException(texts.NOT_FOUND_BY_CLIENT)
    return user
