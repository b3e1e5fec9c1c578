"""Sign-in: InitiateAuth, AdminInitiateAuth, RespondToAuthChallenge, AdminRespondToAuthChallenge.

The protocol's door into the sign-in flow engine (``operations/shared/signin``): each operation reads its pool
and app client and runs one step of the flow (``strategies.start`` for a first step, ``strategies.answer`` for an
answer to a challenge).
"""

from __future__ import annotations

from typing import Any

from userpool.context import Call, Context
from userpool.operations.shared import lookups
from userpool.operations.shared.signin import strategies
from userpool.operations.shared.signin.sessions import SignIn


async def initiate_auth(ctx: Context, call: Call) -> dict[str, Any]:
    client, pool = await lookups.client_and_pool(ctx.store, call.params["ClientId"], call)
    return await _initiate(SignIn(ctx, call, pool, client))


async def admin_initiate_auth(ctx: Context, call: Call) -> dict[str, Any]:
    pool = await lookups.require_pool(ctx.store, call.params["UserPoolId"])
    client = await lookups.require_client(ctx.store, call.params["ClientId"], pool.id)
    return await _initiate(SignIn(ctx, call, pool, client, admin=True))


async def respond_to_auth_challenge(ctx: Context, call: Call) -> dict[str, Any]:
    client, pool = await lookups.client_and_pool(ctx.store, call.params["ClientId"], call)
    return await _respond(SignIn(ctx, call, pool, client))


async def admin_respond_to_auth_challenge(ctx: Context, call: Call) -> dict[str, Any]:
    pool = await lookups.require_pool(ctx.store, call.params["UserPoolId"])
    client = await lookups.require_client(ctx.store, call.params["ClientId"], pool.id)
    return await _respond(SignIn(ctx, call, pool, client, admin=True))


async def _initiate(s: SignIn) -> dict[str, Any]:
    return await strategies.start(s, s.call.params["AuthFlow"], s.call.params.get("AuthParameters") or {})


async def _respond(s: SignIn) -> dict[str, Any]:
    p = s.call.params
    return await strategies.answer(s, p["ChallengeName"], p.get("ChallengeResponses") or {}, p.get("Session"))


OPERATIONS = {
    "InitiateAuth": initiate_auth,
    "AdminInitiateAuth": admin_initiate_auth,
    "RespondToAuthChallenge": respond_to_auth_challenge,
    "AdminRespondToAuthChallenge": admin_respond_to_auth_challenge,
}
