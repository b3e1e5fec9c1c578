"""The challenge session every multi-step sign-in keeps between its steps, and the sign-in step itself (``SignIn``).

Between steps a flow lives in ``auth_sessions``: handed out as an opaque value, stored by its hash, used once,
expiring after the app client's ``AuthSessionValidity`` minutes, with an attempt count for answers that may be
tried again (MFA codes): the last allowed wrong answer spends it.
"""

from __future__ import annotations

import secrets
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from userpool.context import Call, Context
from userpool.domain import mfa as mfa_rules
from userpool.domain import texts
from userpool.domain.records import AuthSession, Client, Pool, User
from userpool.errors import InvalidParameterException, NotAuthorizedException
from userpool.operations.shared import issuing, lookups


@dataclass(frozen=True)
class SignIn:
    """One step of a sign-in: the service, the request, the pool and app client it is for, and whether it came
    through an administrator's door (AdminInitiateAuth, AdminRespondToAuthChallenge)."""

    ctx: Context
    call: Call
    pool: Pool
    client: Client
    admin: bool = False


# A strategy's step: the sign-in, and the AuthParameters (a first step) or ChallengeResponses (an answer) with the
# challenge session's opaque value (None for a first step).
Step = Callable[[SignIn, dict[str, str], str | None], Awaitable[dict[str, Any]]]


# What a sign-in's AuthParameters carry into its later steps (kept in its challenge sessions; never a password).
CARRIED = ("DEVICE_KEY",)


def carried(auth_parameters: dict[str, str]) -> dict[str, str]:
    return {k: v for k, v in auth_parameters.items() if k in CARRIED}


def required(params: dict[str, str], name: str) -> str:
    value = params.get(name)
    if value is None or value == "":
        raise InvalidParameterException(texts.MISSING_PARAMETER.format(name=name))
    return value


# ---- the session record ------------------------------------------------------------------------------------------
async def new_session(
    s: SignIn, user: User | None, challenge: str, data: dict[str, Any], token: str = "", *, seconds: int = 0
) -> str:
    """Store a challenge session, living ``seconds`` (else the client's ``AuthSessionValidity``); the opaque value
    the client gets back (only its hash is stored)."""
    token = token or secrets.token_urlsafe(96)
    now = s.ctx.clock.now()
    lifetime = seconds or int(s.client.settings.get("AuthSessionValidity", 3)) * 60
    await s.ctx.store.add_session(
        AuthSession(
            id_hash=issuing.token_hash(token),
            pool_id=s.pool.id,
            client_id=s.client.id,
            user_id=user.id if user else None,
            challenge=challenge,
            data=data,
            created_at=now,
            expires_at=now + lifetime,
        )
    )
    return token


async def find_session(
    ctx: Context, client: Client, token: str | None, challenge: str | tuple[str, ...]
) -> AuthSession:
    """The live session ``token`` names for ``challenge`` (one of them), or Cognito's refusal."""
    if not token:
        raise InvalidParameterException(texts.MISSING_PARAMETER.format(name="Session"))
    session = await ctx.store.get_session(issuing.token_hash(token))
    wanted = (challenge,) if isinstance(challenge, str) else challenge
    if session is None or session.client_id != client.id or session.challenge not in wanted:
        raise NotAuthorizedException(texts.INVALID_SESSION)
    if session.used_at is not None:
        raise NotAuthorizedException(texts.SESSION_USED)
    if session.expires_at <= ctx.clock.now():
        raise NotAuthorizedException(texts.SESSION_EXPIRED)
    return session


async def use_session(ctx: Context, session: AuthSession) -> None:
    """Spend the session: of racing answers, one wins; the others are refused."""
    if not await ctx.store.use_session(session.id_hash, ctx.clock.now()):
        raise NotAuthorizedException(texts.SESSION_USED)


async def take_attempt(ctx: Context, session: AuthSession) -> None:
    """Count an answer against the session before it is checked (racing guesses never take more than the
    session's attempts); Cognito's used-session refusal when none is left."""
    if not await ctx.store.take_session_attempt(session.id_hash, mfa_rules.SESSION_ATTEMPTS):
        raise NotAuthorizedException(texts.SESSION_USED)


async def session_user(ctx: Context, pool: Pool, session: AuthSession, username: str) -> User | None:
    """The session's user, when ``username`` names it (by username or sign-in alias)."""
    if session.user_id is None:
        return None
    user = await ctx.store.get_user(session.user_id)
    if user is None:
        return None
    if username == user.username:
        return user
    named = await lookups.find_user(ctx.store, pool, username)
    return user if named is not None and named.id == user.id else None
