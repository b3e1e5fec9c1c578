"""Multi-factor authentication: SetUserPoolMfaConfig, GetUserPoolMfaConfig, AssociateSoftwareToken,
VerifySoftwareToken, SetUserMFAPreference, AdminSetUserMFAPreference, the legacy SetUserSettings and
AdminSetUserSettings (``MFAOptions``), and GetUserAuthFactors (a user's MFA and the first factors it can sign in with,
``user_auth.configured_factors``). The sign-in challenges themselves are strategies of the sign-in flow engine
(``operations/shared/signin/mfa.py``); the rules are ``domain/mfa.py``."""

from __future__ import annotations

from typing import Any

from userpool.context import Call, Context
from userpool.domain import mfa as mfa_rules
from userpool.domain import texts
from userpool.domain.records import MfaSettings, Pool, User
from userpool.errors import (
    EnableSoftwareTokenMFAException,
    InvalidParameterException,
    ResourceNotFoundException,
    SoftwareTokenMFANotFoundException,
)
from userpool.operations.shared import issuing, lookups, user_passwords
from userpool.operations.shared.signin import mfa as mfa_steps
from userpool.operations.shared.signin import user_auth
from userpool.operations.shared.signin.sessions import SignIn, take_attempt

SUCCESS = {"Status": "SUCCESS"}


# ---- the pool ------------------------------------------------------------------------------------------------------
async def set_user_pool_mfa_config(ctx: Context, call: Call) -> dict[str, Any]:
    """Read and written in one transaction (``change_pool_settings``), so a racing UpdateUserPool, AddCustomAttributes
    or TagResource is never undone."""
    pool_id = call.params["UserPoolId"]
    pool = await ctx.store.change_pool_settings(
        pool_id, lambda current: mfa_rules.settings_after_config(current, call.params), ctx.clock.now()
    )
    if pool is None:
        raise ResourceNotFoundException(texts.POOL_NOT_FOUND.format(pool_id=pool_id))
    return mfa_rules.mfa_config(pool.settings)


async def get_user_pool_mfa_config(ctx: Context, call: Call) -> dict[str, Any]:
    pool = await lookups.require_pool(ctx.store, call.params["UserPoolId"])
    return mfa_rules.mfa_config(pool.settings)


# ---- authenticators ------------------------------------------------------------------------------------------------
def _one_of(call: Call) -> tuple[str | None, str | None]:
    token, session = call.params.get("AccessToken"), call.params.get("Session")
    if (token is None) == (session is None):
        raise InvalidParameterException("Exactly one of AccessToken or Session must be provided.")  # (unverified)
    return token, session


def _check_totp_offered(pool: Pool) -> None:
    if mfa_rules.TOTP not in mfa_rules.pool_factors(pool.settings):
        raise SoftwareTokenMFANotFoundException(texts.TOTP_NOT_ENABLED)


async def associate_software_token(ctx: Context, call: Call) -> dict[str, Any]:
    """A new authenticator secret for the user of an access token, or of an ``MFA_SETUP`` session (then with the
    session's successor). It works once VerifySoftwareToken has seen one of its codes."""
    token, session_token = _one_of(call)
    secret = mfa_rules.new_totp_secret()
    if token is not None:
        caller = await issuing.authenticate(ctx, token)
        _check_totp_offered(caller.pool)
        await ctx.store.set_pending_totp(caller.user.id, secret, ctx.clock.now())
        return {"SecretCode": secret}
    assert session_token is not None
    s, session, user = await mfa_steps.setup_session(ctx, call, session_token)
    _check_totp_offered(s.pool)
    await ctx.store.set_pending_totp(user.id, secret, ctx.clock.now())
    return {"SecretCode": secret, "Session": await mfa_steps.next_setup_session(s, user, session)}


async def verify_software_token(ctx: Context, call: Call) -> dict[str, Any]:
    """Register the associated authenticator once a code of it checks. With an ``MFA_SETUP`` session, TOTP is
    turned on (and preferred when nothing is) and the answer's ``Session`` finishes the sign-in."""
    token, session_token = _one_of(call)
    code, name = call.params["UserCode"], call.params.get("FriendlyDeviceName")
    if token is not None:
        caller = await issuing.authenticate(ctx, token)
        await _register(ctx, caller.pool, caller.user, code, name, enable=False)
        return dict(SUCCESS)
    assert session_token is not None
    s, session, user = await mfa_steps.setup_session(ctx, call, session_token)
    await take_attempt(ctx, session)
    try:
        await _register(ctx, s.pool, user, code, name, enable=True)
    except EnableSoftwareTokenMFAException:
        await user_passwords.count_failure(ctx, user)
        raise
    return {**SUCCESS, "Session": await mfa_steps.next_setup_session(s, user, session, verified=True)}


async def _register(ctx: Context, pool: Pool, user: User, code: str, name: str | None, enable: bool) -> None:
    _check_totp_offered(pool)
    settings = await ctx.store.get_mfa_settings(user.id)
    pending = settings.totp_pending_secret if settings is not None else None
    if pending is None:
        raise SoftwareTokenMFANotFoundException(texts.TOTP_NOT_ASSOCIATED)
    step = mfa_rules.totp_step(pending, code, ctx.clock.now())
    if step is None or not await ctx.store.register_totp(user.id, pending, name, step, ctx.clock.now(), enable):
        raise EnableSoftwareTokenMFAException(texts.TOTP_CODE_MISMATCH)


# ---- preferences ---------------------------------------------------------------------------------------------------
async def _preferences(ctx: Context, pool: Pool, user: User, call: Call) -> dict[str, Any]:
    current = await ctx.store.get_mfa_settings(user.id) or MfaSettings(user.id)
    new = mfa_rules.after_preferences(pool.settings, current, call.params, user.attributes)
    await ctx.store.set_mfa_factors(new, ctx.clock.now())
    return {}


async def set_user_mfa_preference(ctx: Context, call: Call) -> dict[str, Any]:
    caller = await issuing.authenticate(ctx, call.params["AccessToken"])
    return await _preferences(ctx, caller.pool, caller.user, call)


async def admin_set_user_mfa_preference(ctx: Context, call: Call) -> dict[str, Any]:
    pool, user = await lookups.pool_and_user(ctx.store, call.params["UserPoolId"], call.params["Username"])
    return await _preferences(ctx, pool, user, call)


async def _mfa_options(ctx: Context, user: User, call: Call) -> dict[str, Any]:
    current = await ctx.store.get_mfa_settings(user.id) or MfaSettings(user.id)
    new = mfa_rules.after_mfa_options(current, call.params["MFAOptions"], user.attributes)
    await ctx.store.set_mfa_factors(new, ctx.clock.now())
    return {}


async def set_user_settings(ctx: Context, call: Call) -> dict[str, Any]:
    caller = await issuing.authenticate(ctx, call.params["AccessToken"])
    return await _mfa_options(ctx, caller.user, call)


async def admin_set_user_settings(ctx: Context, call: Call) -> dict[str, Any]:
    _, user = await lookups.pool_and_user(ctx.store, call.params["UserPoolId"], call.params["Username"])
    return await _mfa_options(ctx, user, call)


# ---- what a user signs in with -------------------------------------------------------------------------------------
async def get_user_auth_factors(ctx: Context, call: Call) -> dict[str, Any]:
    """The user's MFA (as GetUser answers it) and ``ConfiguredUserAuthFactors``: the first factors the pool allows
    that the user can sign in with (a password, a verified email or phone number for one-time codes, passkeys)."""
    caller = await issuing.authenticate(ctx, call.params["AccessToken"])
    client = await lookups.require_client(ctx.store, caller.client_id, caller.pool.id)
    user = caller.user
    answer = mfa_rules.describe(await ctx.store.get_mfa_settings(user.id), user.attributes)
    answer.pop("MFAOptions", None)
    factors = await user_auth.configured_factors(SignIn(ctx, call, caller.pool, client), user)
    return {"Username": user.username, **answer, "ConfiguredUserAuthFactors": factors}


OPERATIONS = {
    "SetUserPoolMfaConfig": set_user_pool_mfa_config,
    "GetUserPoolMfaConfig": get_user_pool_mfa_config,
    "AssociateSoftwareToken": associate_software_token,
    "VerifySoftwareToken": verify_software_token,
    "SetUserMFAPreference": set_user_mfa_preference,
    "AdminSetUserMFAPreference": admin_set_user_mfa_preference,
    "SetUserSettings": set_user_settings,
    "AdminSetUserSettings": admin_set_user_settings,
    "GetUserAuthFactors": get_user_auth_factors,
}
