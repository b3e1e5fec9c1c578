"""Sign-up: SignUp, ConfirmSignUp, ResendConfirmationCode, AdminConfirmSignUp."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from userpool.context import Call, Context
from userpool.domain import attributes as attribute_rules
from userpool.domain import auth_events as events
from userpool.domain import codes, flows, ids, passwordless, passwords, texts, usernames
from userpool.domain import pools as pool_rules
from userpool.domain import risk as risk_rules
from userpool.domain.attributes import VERIFIED_FLAGS
from userpool.domain.records import Client, Confirmation, NewCode, Pool, User, created_user
from userpool.domain.srp import Verifier
from userpool.domain.users import UserStatus, creation_conflict, new_user, verified_aliases
from userpool.errors import (
    AliasExistsException,
    CodeMismatchException,
    InvalidParameterException,
    NotAuthorizedException,
    UserNotConfirmable,
    UserNotFoundException,
)
from userpool.operations.shared import confirmation_codes, lookups, sending, threat_protection, throttle
from userpool.operations.shared.signin import sign_up_sessions
from userpool.operations.shared.signin.sessions import SignIn
from userpool.store import Conflict
from userpool.triggers import CLIENT_ID_NOT_APPLICABLE, Caller, Kind

SIGN_UP = codes.SIGN_UP


async def sign_up(ctx: Context, call: Call) -> dict[str, Any]:
    """Create a user and send the code that confirms it (AWS: SignUp). The PreSignUp trigger may reject the
    sign-up, or confirm the user and verify its email or phone, and then no code is sent."""
    p = call.params
    client, pool = await lookups.client_and_pool(ctx.store, p["ClientId"], call)
    lookups.check_secret_hash(client, p["Username"], p.get("SecretHash"))
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
    password = p.get("Password") or None  # blank is no password, as absent
    if password is None:
        # A passwordless user signs in with another first factor: the pool and the client must allow one it can use.
        user_auth = flows.enabled(client.settings.get("ExplicitAuthFlows") or [], flows.USER_AUTH)
        if not passwordless.sign_up_without_password(settings, user_auth, attributes):
            raise InvalidParameterException(texts.PASSWORD_REQUIRED_TO_SIGN_UP)
    else:
        passwords.check_policy(password, pool_rules.password_policy(settings), texts.SIGN_UP_POLICY_PREFIX)
        await threat_protection.check_password(ctx, pool, client, password, risk_rules.SIGN_UP)
    attribute_rules.check_sign_up_attributes(
        attributes, settings["SchemaAttributes"], client.settings.get("WriteAttributes"), implied
    )

    # Call the PreSignUp trigger: it may reject the sign-up, or confirm the user and verify its email or phone.
    caller = Caller(client.id, call.user_agent)
    metadata = p.get("ClientMetadata")
    pre_sign_up = await ctx.triggers.pre_sign_up(pool, caller, username, attributes, p.get("ValidationData"), metadata)
    verified = pre_sign_up.verified_flags(attributes)
    # The argon2id hash and the SRP verifier (USER_SRP_AUTH), computed together in the worker pool.
    password_hash, verifier = (
        await ctx.hashing.hash_with_verifier(password, pool.id, username) if password is not None else (None, None)
    )

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
    await threat_protection.record_event(ctx, call, pool, user, events.SIGN_UP, client=client)
    sign_in = SignIn(ctx, call, pool, client)
    if pre_sign_up.auto_confirm:
        # AWS's developer guide: a user auto-confirmed by PreSignUp reaches the PostConfirmation trigger too.
        await ctx.triggers.post_confirmation(pool, caller, user, metadata)
        confirmed: dict[str, Any] = {"UserConfirmed": True, "UserSub": sub}
        if sign_up_sessions.offered(sign_in):  # already confirmed: a Session that signs in (Amplify's autoSignIn)
            confirmed["Session"] = await sign_up_sessions.confirmed(sign_in, user, None)
        return confirmed
    result: dict[str, Any] = {"UserConfirmed": False, "UserSub": sub}
    destination = sending.code_destination(settings, attributes)
    if destination is not None and code is not None:
        attribute, medium = destination
        result["CodeDeliveryDetails"] = await sending.deliver_code(
            ctx, caller, pool, user, attribute, medium, code, "SignUp", metadata
        )
    if sign_up_sessions.offered(sign_in):
        result["Session"] = await sign_up_sessions.signed_up(sign_in, user)
    return result


async def _create_user(
    ctx: Context,
    pool: Pool,
    username: str,
    sub: str,
    attributes: dict[str, str],
    password_hash: str | None,
    verifier: Verifier | None,
    *,
    confirmed: bool,
    verified: list[str],
) -> tuple[User, str | None]:
    """Store the new user, in one transaction with its first code (when one is to be sent); the user as stored and
    that code. The database decides uniqueness: a taken username or sign-in value is Cognito's error."""
    settings = pool.settings
    destination = None if confirmed else sending.code_destination(settings, attributes)
    code = new_code = None
    if destination is not None:
        code, code_hash, expires_at = confirmation_codes.new_code(ctx)
        new_code = NewCode(SIGN_UP, code_hash, destination[0], expires_at)
    record = new_user(
        pool,
        username,
        {**attributes, **dict.fromkeys(verified, "true")},
        password_hash,
        UserStatus.CONFIRMED if confirmed else UserStatus.UNCONFIRMED,
        sub,
        ctx.clock.now(),
        # An auto-verified alias moves to the new user, as with ForceAliasCreation (AWS: autoVerifyEmail).
        move_aliases=True,
        srp_salt=verifier.salt if verifier else None,
        srp_verifier=verifier.verifier if verifier else None,
    )
    try:
        user_id = await ctx.store.create_user(record, new_code)
    except Conflict as conflict:
        raise creation_conflict(conflict.what, settings, texts.USERNAME_EXISTS) from None
    return created_user(record, user_id), code


async def _stored(ctx: Context, pool: Pool, sub: str) -> User:
    """The user as the store now holds it (what triggers are shown)."""
    user = await ctx.store.find_user_by_sub(pool.id, sub)
    if user is None:  # deleted between two steps of one request
        raise UserNotFoundException(texts.USER_NOT_FOUND)
    return user


async def confirm_sign_up(ctx: Context, call: Call) -> dict[str, Any]:
    """Confirm a user with the code sent at sign-up; the attribute it went to becomes verified."""
    p = call.params
    client, pool = await lookups.client_and_pool(ctx.store, p["ClientId"], call)
    lookups.check_secret_hash(client, p["Username"], p.get("SecretHash"))
    sign_in = SignIn(ctx, call, pool, client)
    # SignUp's Session, checked before the code is: ConfirmSignUp answers with one that signs the user in.
    sign_up_session = None
    if p.get("Session"):
        sign_up_session = await sign_up_sessions.check_signed_up(sign_in, p["Session"], p["Username"])
    user = await confirm_with_code(
        ctx,
        client,
        pool,
        p["Username"],
        p["ConfirmationCode"],
        bool(p.get("ForceAliasCreation")),
        Caller(client.id, call.user_agent),
        p.get("ClientMetadata"),
    )
    if not sign_up_sessions.offered(sign_in):
        return {}
    return {"Session": await sign_up_sessions.confirmed(sign_in, user, sign_up_session)}


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
    user = await lookups.user_for_client(ctx.store, client, pool, name)
    if user is None:
        raise CodeMismatchException(texts.CODE_MISMATCH)
    # The per-user quota (the link page counts as ConfirmSignUp too) is counted with the code's attempt when there is
    # a code to check, in the transaction that also confirms when the code is right.
    if user.status != UserStatus.UNCONFIRMED:
        await throttle.per_user(ctx, "ConfirmSignUp", user)
        raise UserNotConfirmable(user.status)

    async def confirmed_meanwhile() -> None:
        # No attempt left, or no code: a racing confirmation may have just used the code.
        now = await lookups.find_user(ctx.store, pool, name)
        if now is not None and now.status != UserStatus.UNCONFIRMED:
            raise UserNotConfirmable(now.status)

    def confirmation(attribute: str | None) -> Confirmation:
        verify = [VERIFIED_FLAGS[attribute]] if attribute in VERIFIED_FLAGS else []
        return _confirmation(ctx, pool, user, verify, force_alias, SIGN_UP)

    with _alias_conflict():
        done = await confirmation_codes.confirm_with_code(
            ctx, user, SIGN_UP, code, "ConfirmSignUp", confirmation, confirmed_meanwhile
        )
    if not done:
        raise UserNotConfirmable(UserStatus.CONFIRMED)
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


def _confirmation(
    ctx: Context, pool: Pool, user: User, verify: list[str], force_alias: bool, consume_code: str | None
) -> Confirmation:
    """Moving ``user`` to CONFIRMED, marking ``verify`` flags true and claiming the aliases that are now verified."""
    return Confirmation(
        user_id=user.id,
        from_status=UserStatus.UNCONFIRMED,
        to_status=UserStatus.CONFIRMED,
        verify=verify,
        claim_keys=verified_aliases(pool, {**user.attributes, **dict.fromkeys(verify, "true")}),
        force_alias=force_alias,
        consume_code=consume_code,
        at=ctx.clock.now(),
    )


@contextmanager
def _alias_conflict() -> Iterator[None]:
    """A confirmation's claim of a key another user owns: ``AliasExistsException``."""
    try:
        yield
    except Conflict as conflict:
        raise AliasExistsException(texts.ALIAS_EXISTS.format(attribute=conflict.what)) from None


async def _confirm(
    ctx: Context, pool: Pool, user: User, verify: list[str], force_alias: bool, consume_code: str | None
) -> None:
    """Move ``user`` to CONFIRMED, mark ``verify`` flags true and claim the aliases that are now verified."""
    with _alias_conflict():
        done = await ctx.store.confirm(_confirmation(ctx, pool, user, verify, force_alias, consume_code))
    if not done:
        raise UserNotConfirmable(UserStatus.CONFIRMED)


async def resend_confirmation_code(ctx: Context, call: Call) -> dict[str, Any]:
    """Send a new sign-up code; the previous one stops working."""
    p = call.params
    client, pool = await lookups.client_and_pool(ctx.store, p["ClientId"], call)
    lookups.check_secret_hash(client, p["Username"], p.get("SecretHash"))
    user = await lookups.user_for_client(ctx.store, client, pool, p["Username"])
    if user is None:
        auto = pool.settings.get("AutoVerifiedAttributes") or ()
        return {"CodeDeliveryDetails": sending.simulated_delivery(p["Username"], auto)}
    await throttle.per_user(ctx, call.operation, user)
    if user.status == UserStatus.CONFIRMED:
        raise InvalidParameterException("User is already confirmed.")
    destination = sending.code_destination(pool.settings, user.attributes)
    if destination is None:
        raise InvalidParameterException("Cannot resend codes. Auto verification not turned on.")
    attribute, medium = destination
    code, code_hash, expires_at = confirmation_codes.new_code(ctx)
    await ctx.store.replace_code(user.id, NewCode(SIGN_UP, code_hash, attribute, expires_at), ctx.clock.now())
    details = await sending.deliver_code(
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
    await threat_protection.record_event(ctx, call, pool, user, events.RESEND_CODE, client=client)
    return {"CodeDeliveryDetails": details}


async def admin_confirm_sign_up(ctx: Context, call: Call) -> dict[str, Any]:
    """Confirm a user without a code (nothing becomes verified)."""
    pool, user = await lookups.pool_and_user(ctx.store, call.params["UserPoolId"], call.params["Username"])
    if user.status != UserStatus.UNCONFIRMED:
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
