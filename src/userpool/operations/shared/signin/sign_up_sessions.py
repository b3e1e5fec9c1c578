"""Signing a new user straight in from its sign-up: ``SignUp``'s ``Session``, passed to ``ConfirmSignUp``, whose own
``Session`` ``InitiateAuth`` ``USER_AUTH`` takes in place of a first factor (the confirmation code was one), as
Cognito does.

Both are challenge sessions (``sessions.py``: stored by hash, used once). SignUp's lives as long as the sign-up code
(a user may take a while to type it); ConfirmSignUp's lives the app client's ``AuthSessionValidity`` (three minutes
by default) and is good for one sign-in. They are handed out only to app clients that allow ``USER_AUTH``
(unverified: Cognito's rule for when they appear is not documented).
"""

from __future__ import annotations

from typing import Any

from userpool.domain import codes, flows, texts
from userpool.domain.records import User
from userpool.errors import NotAuthorizedException
from userpool.operations.shared import lookups
from userpool.operations.shared.signin import flow
from userpool.operations.shared.signin.sessions import (
    SignIn,
    find_session,
    new_session,
    required,
    session_user,
    use_session,
)

SIGNED_UP = "SIGN_UP"  # SignUp's session (never a ChallengeName: no answer takes it)
CONFIRMED = "SIGN_UP_CONFIRMED"  # ConfirmSignUp's session, taken by InitiateAuth USER_AUTH


def offered(s: SignIn) -> bool:
    """Whether the app client gets sign-up sessions: it allows choice-based sign-in."""
    return flows.enabled(s.client.settings.get("ExplicitAuthFlows") or [], flows.USER_AUTH)


async def signed_up(s: SignIn, user: User) -> str:
    """SignUp's ``Session`` for the new ``user``."""
    return await new_session(s, user, SIGNED_UP, {}, seconds=codes.CODE_VALIDITY_SECONDS)


async def check_signed_up(s: SignIn, token: str, username: str) -> Any:
    """The live SignUp session ``token`` of the user ``username`` names (before the code is checked), or Cognito's
    refusal."""
    session = await find_session(s.ctx, s.client, token, SIGNED_UP)
    if await session_user(s.ctx, s.pool, session, username) is None:
        raise NotAuthorizedException(texts.INVALID_SESSION)
    return session


async def confirmed(s: SignIn, user: User, sign_up_session: Any) -> str:
    """ConfirmSignUp's ``Session`` for the confirmed ``user``, spending the SignUp session it was sent with."""
    if sign_up_session is not None:
        await use_session(s.ctx, sign_up_session)
    return await new_session(s, user, CONFIRMED, {})


async def sign_in(s: SignIn, params: dict[str, str], token: str) -> dict[str, Any]:
    """``USER_AUTH`` with ConfirmSignUp's ``Session``: the user's first sign-in, without a first factor asked."""
    username = required(params, "USERNAME")
    lookups.check_secret_hash(s.client, username, params.get("SECRET_HASH"))
    session = await find_session(s.ctx, s.client, token, CONFIRMED)
    user = await session_user(s.ctx, s.pool, session, username)
    if user is None:
        raise NotAuthorizedException(texts.INVALID_SESSION)
    await use_session(s.ctx, session)
    return await flow.proven(s, user, params, passwordless=True)
