"""The choice-based sign-in strategy: ``USER_AUTH`` (a first step), the ``SELECT_CHALLENGE`` answer, and the
``PASSWORD`` / ``PASSWORD_SRP`` answers of a factor chosen without its data.

A sign-in names its user (``USERNAME``) and either prefers a first factor (``PREFERRED_CHALLENGE``, begun at once
when the user can use it) or is answered ``SELECT_CHALLENGE`` with ``AvailableChallenges``: the factors the pool's
sign-in policy allows that this user can use. The answer (``ANSWER``) may carry the factor's data (``PASSWORD``,
``SRP_A``, a passkey's ``CREDENTIAL``). A ``USER_AUTH`` step with ``Session`` (the one ConfirmSignUp answered) signs
a newly confirmed user straight in (``sign_up_sessions``).

The first factors are a registry, ``FIRST_FACTORS``: challenge name → ``FirstFactor(factor, available, begin,
pretend)``. ``factor`` is the ``AllowedFirstAuthFactors`` value that allows it; ``available(s, user)`` says whether
this user can use it; ``begin(s, user, params)`` starts it and returns the step's answer (a challenge or tokens),
``params`` being the sign-in's AuthParameters or the ``SELECT_CHALLENGE`` answer's ChallengeResponses;
``pretend(s, username, params)``, when given, answers for a user the client hides (PreventUserExistenceErrors) as
the factor would for a real one. Adding a factor (passkeys) is a module and one line here.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from userpool.domain import passwordless, srp, texts
from userpool.domain.records import AuthSession, User
from userpool.domain.users import UserStatus
from userpool.errors import InvalidParameterException, NotAuthorizedException, UserNotConfirmedException
from userpool.operations.shared import lookups
from userpool.operations.shared.signin import flow, otp, password, sign_up_sessions, webauthn
from userpool.operations.shared.signin import srp as srp_strategy
from userpool.operations.shared.signin.sessions import (
    SignIn,
    Step,
    carried,
    find_session,
    new_session,
    required,
    session_user,
    use_session,
)

Available = Callable[[SignIn, User], Awaitable[bool]]
Begin = Callable[[SignIn, User, dict[str, str]], Awaitable[dict[str, Any]]]
Pretend = Callable[[SignIn, str, dict[str, str]], Awaitable[dict[str, Any]]]


@dataclass(frozen=True)
class FirstFactor:
    """One first factor of choice-based sign-in (see the module's docstring)."""

    factor: str
    available: Available
    begin: Begin
    pretend: Pretend | None = None


# ---- PASSWORD and PASSWORD_SRP --------------------------------------------------------------------------------------
async def has_password(s: SignIn, user: User) -> bool:
    return user.password_hash is not None


async def begin_password(s: SignIn, user: User, params: dict[str, str]) -> dict[str, Any]:
    """The password, when sent with the choice; else the ``PASSWORD`` challenge that asks for it."""
    if params.get("PASSWORD"):
        return await password.prove(s, user, params["PASSWORD"], params)
    return await _ask(s, user, passwordless.PASSWORD, params)


async def pretend_password(s: SignIn, username: str, params: dict[str, str]) -> dict[str, Any]:
    if params.get("PASSWORD"):
        await password.refuse(s, params["PASSWORD"])
    return await _ask(s, None, passwordless.PASSWORD, params, username)


async def begin_srp(s: SignIn, user: User, params: dict[str, str]) -> dict[str, Any]:
    """SRP's ``PASSWORD_VERIFIER``, when ``SRP_A`` is sent with the choice; else the ``PASSWORD_SRP`` challenge."""
    if params.get("SRP_A"):
        return await srp_strategy.challenge(s, user, user.username, _srp_a(params), params)
    return await _ask(s, user, passwordless.PASSWORD_SRP, params)


async def pretend_srp(s: SignIn, username: str, params: dict[str, str]) -> dict[str, Any]:
    if params.get("SRP_A"):
        return await srp_strategy.challenge(s, None, username, _srp_a(params), params)
    return await _ask(s, None, passwordless.PASSWORD_SRP, params, username)


def _srp_a(params: dict[str, str]) -> str:
    a_hex = required(params, "SRP_A")
    if srp.parse_public(a_hex) is None:
        raise InvalidParameterException(texts.INVALID_SRP_A)
    return a_hex


# The first factors, in the order Cognito lists them in AvailableChallenges.
FIRST_FACTORS: dict[str, FirstFactor] = {
    passwordless.PASSWORD_SRP: FirstFactor(passwordless.PASSWORD, has_password, begin_srp, pretend_srp),
    passwordless.PASSWORD: FirstFactor(passwordless.PASSWORD, has_password, begin_password, pretend_password),
    passwordless.EMAIL_OTP: FirstFactor(
        passwordless.EMAIL_OTP, otp.email_available, otp.begin_email, otp.pretend(passwordless.EMAIL_OTP)
    ),
    passwordless.SMS_OTP: FirstFactor(
        passwordless.SMS_OTP, otp.sms_available, otp.begin_sms, otp.pretend(passwordless.SMS_OTP)
    ),
    passwordless.WEB_AUTHN: FirstFactor(passwordless.WEB_AUTHN, webauthn.available, webauthn.begin, webauthn.pretend),
}


async def available_challenges(s: SignIn, user: User | None) -> list[str]:
    """The challenges this user can begin: those the pool allows that the user can use (for a user the client
    hides, those that can pretend)."""
    allowed = passwordless.allowed(s.pool.settings)
    found = []
    for name, first in FIRST_FACTORS.items():
        if first.factor not in allowed:
            continue
        if (first.pretend is not None) if user is None else await first.available(s, user):
            found.append(name)
    return found


async def configured_factors(s: SignIn, user: User) -> list[str]:
    """GetUserAuthFactors' ``ConfiguredUserAuthFactors``: the first factors (``AuthFactorType``) this user can sign
    in with, each once."""
    found: list[str] = []
    for name in await available_challenges(s, user):
        factor = FIRST_FACTORS[name].factor
        if factor not in found:
            found.append(factor)
    return found


# ---- the flow -------------------------------------------------------------------------------------------------------
async def start(s: SignIn, params: dict[str, str], session: str | None = None) -> dict[str, Any]:
    """``USER_AUTH``: the preferred factor begun, or ``SELECT_CHALLENGE``; with ``Session``, the confirmed
    sign-up's sign-in."""
    sign_up_session = s.call.params.get("Session")
    if sign_up_session:
        return await sign_up_sessions.sign_in(s, params, sign_up_session)
    username = required(params, "USERNAME")
    lookups.check_secret_hash(s.client, username, params.get("SECRET_HASH"))
    user = await lookups.user_for_client(s.ctx.store, s.client, s.pool, username, texts.USER_NOT_FOUND)
    flow.refuse_imported(s, user)
    if user is not None:
        flow.check_not_locked(s.ctx, user)
    available = await available_challenges(s, user)
    if not available:
        if user is not None and user.status == UserStatus.UNCONFIRMED:  # e.g. passwordless, its email not verified
            raise UserNotConfirmedException(texts.NOT_CONFIRMED)
        raise NotAuthorizedException(texts.NO_FIRST_FACTOR)
    preferred = params.get("PREFERRED_CHALLENGE")
    if preferred in available:
        return await _begin(s, user, username, preferred, params)
    # No preference, or one this user cannot use: the user chooses (unverified: Cognito may refuse the latter).
    data = {"available": available, "username": username, "auth_parameters": carried(params)}
    token = await new_session(s, user, passwordless.SELECT_CHALLENGE, data)
    return {
        "ChallengeName": passwordless.SELECT_CHALLENGE,
        "Session": token,
        "ChallengeParameters": {},
        "AvailableChallenges": available,
    }


async def answer_select(s: SignIn, r: dict[str, str], token: str | None) -> dict[str, Any]:
    """``SELECT_CHALLENGE``: ``ANSWER`` names one of the challenges offered; it begins, with any of its data sent
    in the same answer (``PASSWORD``, ``SRP_A``, ``CREDENTIAL``)."""
    username = required(r, "USERNAME")
    answer = required(r, "ANSWER")
    lookups.check_secret_hash(s.client, username, r.get("SECRET_HASH"))
    session = await find_session(s.ctx, s.client, token, passwordless.SELECT_CHALLENGE)
    user = await _user_of(s, session, username)
    if answer not in session.data["available"]:
        raise InvalidParameterException(texts.CHALLENGE_NOT_AVAILABLE.format(answer=answer))
    await use_session(s.ctx, session)
    params = {**session.data.get("auth_parameters", {}), **r}
    return await _begin(s, user, session.data["username"], answer, params)


def answer_factor(challenge: str) -> Step:
    """The answer to ``PASSWORD`` or ``PASSWORD_SRP`` (a factor chosen without its data): the factor begins with
    the data now sent."""

    async def answer(s: SignIn, r: dict[str, str], token: str | None) -> dict[str, Any]:
        username = required(r, "USERNAME")
        required(r, "PASSWORD" if challenge == passwordless.PASSWORD else "SRP_A")
        lookups.check_secret_hash(s.client, username, r.get("SECRET_HASH"))
        session = await find_session(s.ctx, s.client, token, challenge)
        user = await _user_of(s, session, username)
        await use_session(s.ctx, session)
        params = {**session.data.get("auth_parameters", {}), **r}
        return await _begin(s, user, session.data["username"], challenge, params)

    return answer


async def _begin(s: SignIn, user: User | None, username: str, name: str, params: dict[str, str]) -> dict[str, Any]:
    first = FIRST_FACTORS[name]
    if user is not None:
        return await first.begin(s, user, params)
    assert first.pretend is not None  # only factors that pretend are offered for a hidden user
    return await first.pretend(s, username, params)


async def _user_of(s: SignIn, session: AuthSession, username: str) -> User | None:
    """The session's user when ``username`` names it; None for a hidden user's session named as it was."""
    if session.user_id is None:
        if username != session.data.get("username"):
            raise NotAuthorizedException(texts.INVALID_SESSION)
        return None
    user = await session_user(s.ctx, s.pool, session, username)
    if user is None:
        raise NotAuthorizedException(texts.INVALID_SESSION)
    return user


async def _ask(
    s: SignIn, user: User | None, challenge: str, params: dict[str, str], username: str | None = None
) -> dict[str, Any]:
    """A factor's own challenge (``PASSWORD``, ``PASSWORD_SRP``) when its data was not sent with the choice."""
    name = user.username if user is not None else (username or "")
    data = {"username": name, "auth_parameters": carried(params)}
    token = await new_session(s, user, challenge, data)
    return {"ChallengeName": challenge, "Session": token, "ChallengeParameters": {"USERNAME": name}}
