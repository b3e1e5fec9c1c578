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
from userpool.domain import texts
from userpool.domain.records import Pool, User
from userpool.domain.users import UserStatus
from userpool.errors import NotAuthorizedException, PasswordResetRequiredException, UserNotConfirmedException
from userpool.operations.shared import issuing, threat_protection, user_passwords
from userpool.operations.shared.signin import auth_triggers
from userpool.operations.shared.signin.sessions import SignIn, carried, new_session

NEW_PASSWORD_REQUIRED = "NEW_PASSWORD_REQUIRED"


def check_not_locked(ctx: Context, user: User) -> None:
    if user_passwords.locked_out(ctx, user):
        raise NotAuthorizedException(texts.PASSWORD_ATTEMPTS_EXCEEDED)


async def record_sign_in(s: SignIn, user: User, response: str, challenge_responses: tuple[dict[str, str], ...]) -> None:
    await threat_protection.record_event(
        s.ctx, s.call, s.pool, user, events.SIGN_IN, response, client=s.client, challenge_responses=challenge_responses
    )


# ---- what comes next ---------------------------------------------------------------------------------------------
def missing_required(pool: Pool, attributes: dict[str, str]) -> list[str]:
    return attribute_rules.missing_required(pool.settings["SchemaAttributes"], attributes)


def remembered_device_skips_mfa(s: SignIn, user: User, auth_parameters: dict[str, str]) -> bool:
    """Seam for remembered devices: whether the sign-in's ``DEVICE_KEY`` (in ``auth_parameters``) names a device
    of ``user`` that this pool lets skip MFA. No device is remembered yet: never."""
    return False


async def proven(s: SignIn, user: User, auth_parameters: dict[str, str]) -> dict[str, Any]:
    """The user proved its password (or SRP proof): what comes next, with the sign-in recorded in the user's event
    history (``Pass`` when it goes on, ``Fail`` when the user's state refuses a right password)."""
    try:
        result = await _after_first_factor(s, user, auth_parameters)
    except (NotAuthorizedException, UserNotConfirmedException, PasswordResetRequiredException):
        await record_sign_in(s, user, events.FAIL, events.PASSWORD_SUCCESS)
        raise
    await record_sign_in(s, user, events.PASS, events.PASSWORD_SUCCESS)
    return result


async def _after_first_factor(s: SignIn, user: User, auth_parameters: dict[str, str]) -> dict[str, Any]:
    if not user.enabled:
        raise NotAuthorizedException(texts.USER_DISABLED)
    if user.status == UserStatus.UNCONFIRMED:
        raise UserNotConfirmedException(texts.NOT_CONFIRMED)
    if user.status == UserStatus.RESET_REQUIRED:
        raise PasswordResetRequiredException(texts.PASSWORD_RESET_REQUIRED)
    if user.failed_sign_ins:
        await s.ctx.store.reset_sign_in_failures(user.id)
    return await next_step(s, user, auth_parameters)


async def next_step(
    s: SignIn, user: User, auth_parameters: dict[str, str], *, mfa_done: bool = False
) -> dict[str, Any]:
    """The one place that decides what follows a proven step: ``NEW_PASSWORD_REQUIRED`` for a user on a temporary
    password, then the MFA the pool and the user call for (a challenge, ``MFA_SETUP``, or none: a remembered
    device skips it, ``remembered_device_skips_mfa``), then tokens. ``auth_parameters`` are the sign-in's first
    AuthParameters (kept in the challenge sessions between steps); ``mfa_done`` once a second factor is proven."""
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
    if not mfa_done and not remembered_device_skips_mfa(s, user, auth_parameters):
        pass  # MFA: next commit
    await auth_triggers.post_authentication(s, user)  # PostAuthentication: its error withholds the tokens
    return {"ChallengeParameters": {}, "AuthenticationResult": await issuing.issue(ctx, s.call, s.pool, s.client, user)}
