"""The sign-in flow engine's one decision: what comes next once a step is proven.

A sign-in is a flow of steps. Its first step (``InitiateAuth``'s ``AuthFlow``) and each answer
(``RespondToAuthChallenge``'s ``ChallengeName``) are handled by a *strategy* (``strategies.py`` maps names to
them); a strategy proves what it proves, then hands the user to ``proven`` (a first factor) or ``next_step``, the
one place that decides between tokens, ``NEW_PASSWORD_REQUIRED``, an MFA challenge, ``MFA_SETUP`` and a refusal.
"""

from __future__ import annotations

import json
from typing import Any

from userpool.context import Context
from userpool.domain import attributes as attribute_rules
from userpool.domain import auth_events as events
from userpool.domain import clients as client_rules
from userpool.domain import mfa as mfa_rules
from userpool.domain import texts
from userpool.domain.records import Pool, User
from userpool.domain.users import UserStatus
from userpool.errors import NotAuthorizedException, PasswordResetRequiredException, UserNotConfirmedException
from userpool.operations.shared import threat_protection, user_passwords
from userpool.operations.shared.signin import device, second_factor
from userpool.operations.shared.signin.sessions import SignIn, carried, new_session

NEW_PASSWORD_REQUIRED = "NEW_PASSWORD_REQUIRED"


def check_not_locked(ctx: Context, user: User) -> None:
    if user_passwords.locked_out(ctx, user):
        raise NotAuthorizedException(texts.PASSWORD_ATTEMPTS_EXCEEDED)


async def record_sign_in(s: SignIn, user: User, response: str, challenge_responses: tuple[dict[str, str], ...]) -> None:
    await threat_protection.record_event(
        s.ctx, s.call, s.pool, user, events.SIGN_IN, response, client=s.client, challenge_responses=challenge_responses
    )


def refuse_imported(s: SignIn, user: User | None) -> None:
    """An imported user (``RESET_REQUIRED``, no password yet) is told to reset its password whatever it sends, as
    Cognito answers; a client that hides user existence says only that the password is wrong."""
    if user is not None and user.password_hash is None and user.status == UserStatus.RESET_REQUIRED:
        if client_rules.hides_user_existence(s.client.settings):
            raise NotAuthorizedException(texts.INCORRECT_PASSWORD)
        raise PasswordResetRequiredException(texts.PASSWORD_RESET_REQUIRED)


async def passwordless_allowed(s: SignIn, user: User) -> bool:
    """Whether ``user`` may start a sign-in without its password (a one-time code, a passkey): not in a pool that
    requires MFA, nor with an MFA factor of its own where the pool has MFA, as Cognito has it (MFA and passwordless
    sign-in are not combined for one user)."""
    mode = mfa_rules.mode(s.pool.settings)
    if mode != "OPTIONAL":
        return mode == "OFF"
    settings = await s.ctx.store.get_mfa_settings(user.id)
    return not mfa_rules.user_factors(s.pool.settings, settings, user.attributes)


# ---- what comes next ---------------------------------------------------------------------------------------------
def missing_required(pool: Pool, attributes: dict[str, str]) -> list[str]:
    return attribute_rules.missing_required(pool.settings["SchemaAttributes"], attributes)


async def proven(
    s: SignIn,
    user: User,
    auth_parameters: dict[str, str],
    *,
    passwordless: bool = False,
) -> dict[str, Any]:
    """The user proved a first factor (its password or SRP proof; with ``passwordless``, a one-time code, a passkey
    or a confirmed sign-up, after which no MFA is asked, as Cognito does): what comes next, with the sign-in
    recorded in the user's event history (``Pass`` when it goes on, ``Fail`` when the user's state refuses it)."""
    try:
        result = await _after_first_factor(s, user, auth_parameters, passwordless)
    except (NotAuthorizedException, UserNotConfirmedException, PasswordResetRequiredException):
        await record_sign_in(s, user, events.FAIL, events.PASSWORD_SUCCESS)
        raise
    await record_sign_in(s, user, events.PASS, events.PASSWORD_SUCCESS)
    return result


async def _after_first_factor(
    s: SignIn, user: User, auth_parameters: dict[str, str], passwordless: bool
) -> dict[str, Any]:
    if not user.enabled:
        raise NotAuthorizedException(texts.USER_DISABLED)
    if user.status == UserStatus.UNCONFIRMED:
        raise UserNotConfirmedException(texts.NOT_CONFIRMED)
    if user.status == UserStatus.RESET_REQUIRED:
        raise PasswordResetRequiredException(texts.PASSWORD_RESET_REQUIRED)
    return await next_step(s, user, auth_parameters, mfa_done=passwordless)


async def next_step(
    s: SignIn, user: User, auth_parameters: dict[str, str], *, mfa_done: bool = False
) -> dict[str, Any]:
    """The one place that decides what follows a proven step: ``NEW_PASSWORD_REQUIRED`` for a user on a temporary
    password, then the MFA the pool and the user call for (a challenge, ``MFA_SETUP``, or none: a remembered
    device stands in for it, ``device.skips_mfa``), then the device's own proof or tokens
    (``device.challenge_or_tokens``). ``auth_parameters`` are the sign-in's first AuthParameters (kept in the
    challenge sessions between steps); ``mfa_done`` once a second factor is proven."""
    ctx = s.ctx
    if user.status == UserStatus.FORCE_CHANGE_PASSWORD:
        if user.password_expires_at is not None and ctx.clock.now() > user.password_expires_at:
            raise NotAuthorizedException(texts.TEMPORARY_PASSWORD_EXPIRED)
        session = await new_session(s, user, NEW_PASSWORD_REQUIRED, {"auth_parameters": carried(auth_parameters)})
        return {
            "ChallengeName": NEW_PASSWORD_REQUIRED,
            "Session": session,
            "ChallengeParameters": {
                "USER_ID_FOR_SRP": user.username,
                "requiredAttributes": json.dumps(
                    [f"userAttributes.{n}" for n in missing_required(s.pool, user.attributes)]
                ),
                "userAttributes": json.dumps({n: v for n, v in user.attributes.items() if n != "sub"}),
            },
        }
    # The device the sign-in names (``DEVICE_KEY``, carried from its first step): a remembered one may stand in for
    # MFA, and a confirmed one proves itself (DEVICE_SRP_AUTH) before tokens.
    known = await device.sign_in_device(ctx, s.pool, user, auth_parameters.get("DEVICE_KEY"))
    # A pool with MFA off costs no read of the user's factors.
    if not mfa_done and mfa_rules.mode(s.pool.settings) != "OFF" and not device.skips_mfa(s.pool, known):
        settings = await ctx.store.get_mfa_settings(user.id)
        decision = mfa_rules.decide(s.pool.settings, settings, user.attributes)
        if decision is not None:
            return await second_factor.ask(s, user, decision, carried(auth_parameters))
    # Failed attempts are forgotten only once the whole sign-in has succeeded: wrong MFA codes count toward the
    # lockout like wrong passwords, and a right password does not wipe them.
    if user.failed_sign_ins:
        await ctx.store.reset_sign_in_failures(user.id)
    return await device.challenge_or_tokens(s, user, known)
