"""One-time codes as choice-based sign-in's first factor: ``EMAIL_OTP`` and ``SMS_OTP`` (``user_auth.FIRST_FACTORS``).

A user can use a code sent to its verified email address or phone number, unless MFA applies to it
(``flow.passwordless_allowed``). The code (eight digits, as Cognito's)
is made, stored hashed and sent as MFA's codes are (``second_factor.send_code``: three minutes, the custom sender or
CustomMessage with source ``Authentication``, the pool's authentication templates), counted against the user's
hourly quota of sign-in codes; its challenge session is marked ``first_factor``, so the right code
(``mfa.code_answer``) ends the first factor (``flow.proven``), after which no MFA is asked. A user the client hides
gets a challenge that looks the same, no message, and a code that never matches.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from userpool.domain import mfa as mfa_rules
from userpool.domain import texts, usernames
from userpool.domain.masking import mask
from userpool.domain.records import User
from userpool.errors import NotAuthorizedException
from userpool.operations.shared import throttle
from userpool.operations.shared.signin import flow, second_factor
from userpool.operations.shared.signin.sessions import SignIn, carried, new_session

FIRST_FACTOR = "first_factor"  # the mark of a sign-in code session whose code is the first factor


async def email_available(s: SignIn, user: User) -> bool:
    verified = bool(user.attributes.get("email")) and user.attributes.get("email_verified") == "true"
    return verified and await flow.passwordless_allowed(s, user)


async def sms_available(s: SignIn, user: User) -> bool:
    verified = bool(user.attributes.get("phone_number")) and user.attributes.get("phone_number_verified") == "true"
    return verified and await flow.passwordless_allowed(s, user)


async def begin_email(s: SignIn, user: User, params: dict[str, str]) -> dict[str, Any]:
    return await _begin(s, user, mfa_rules.EMAIL, params)


async def begin_sms(s: SignIn, user: User, params: dict[str, str]) -> dict[str, Any]:
    return await _begin(s, user, mfa_rules.SMS_OTP, params)


async def _begin(s: SignIn, user: User, challenge: str, params: dict[str, str]) -> dict[str, Any]:
    if not user.enabled:  # no code for a user who may not sign in (a password is refused only once it is right)
        raise NotAuthorizedException(texts.USER_DISABLED)
    await throttle.per_user(s.ctx, throttle.SIGN_IN_CODE, user)
    parameters = await second_factor.send_code(s, user, challenge, mfa_rules.FIRST_FACTOR_CODE_DIGITS)
    data = {FIRST_FACTOR: True, "auth_parameters": carried(params)}
    token = await new_session(s, user, challenge, data)
    return _challenge(challenge, token, user.username, parameters)


def pretend(challenge: str) -> Callable[[SignIn, str, dict[str, str]], Awaitable[dict[str, Any]]]:
    """For a user the client hides: the challenge as a real user would get it, no message sent."""

    async def begin(s: SignIn, username: str, params: dict[str, str]) -> dict[str, Any]:
        medium = mfa_rules.MEDIUM[challenge]
        looks_right = usernames.is_phone(username) if medium == "SMS" else usernames.is_email(username)
        destination = username if looks_right else ("+10000000000" if medium == "SMS" else f"{username[:1]}@x")
        data = {FIRST_FACTOR: True, "username": username, "auth_parameters": carried(params)}
        token = await new_session(s, None, challenge, data)
        parameters = {"CODE_DELIVERY_DELIVERY_MEDIUM": medium, "CODE_DELIVERY_DESTINATION": mask(medium, destination)}
        return _challenge(challenge, token, username, parameters)

    return begin


def _challenge(challenge: str, token: str, username: str, parameters: dict[str, str]) -> dict[str, Any]:
    return {
        "ChallengeName": challenge,
        "Session": token,
        "ChallengeParameters": {**parameters, "USERNAME": username},
    }
