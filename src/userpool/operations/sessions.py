"""User sessions: session tracking (Get/SetUserPoolSessionConfiguration, Get/SetUserPoolClientSessionConfiguration),
and a user's token sessions listed and revoked by the user (ListUserSessions, RevokeUserSession, with an access
token) or by an administrator (AdminListUserSessions, AdminRevokeUserSession).

A token session is one sign-in: its refresh tokens and every access and ID token issued from them. userpool has no
SSO (managed login) sessions yet, so every session is of type ``TOKEN`` and ``RevokeAssociatedSessions`` has nothing
linked to reach. Every session fits one page (a user has at most ``MaxPerUser`` ≤ 100 while tracking is on), so no
``NextToken`` is answered and one sent is ignored."""

from __future__ import annotations

from typing import Any

from userpool.context import Call, Context
from userpool.domain import sessions, texts
from userpool.domain.records import Pool, User
from userpool.errors import InvalidParameterException, ResourceNotFoundException
from userpool.operations.shared import issuing, lookups


# ---- configuration ---------------------------------------------------------------------------------------------
async def get_user_pool_session_configuration(ctx: Context, call: Call) -> dict[str, Any]:
    pool = await lookups.require_pool(ctx.store, call.params["UserPoolId"])
    stored = await ctx.store.get_session_configuration(pool.id, sessions.POOL_WIDE)
    return {"UserPoolId": pool.id, **sessions.pool_configuration(stored)}


async def set_user_pool_session_configuration(ctx: Context, call: Call) -> dict[str, Any]:
    """A full replacement: both members are required (the model says so)."""
    pool = await lookups.require_pool(ctx.store, call.params["UserPoolId"])
    sessions.require_tier(pool.settings)
    config = {
        "UserSessionTracking": call.params["UserSessionTracking"],
        "TokenSession": {"MaxPerUser": call.params["TokenSession"]["MaxPerUser"]},
    }
    await ctx.store.put_session_configuration(pool.id, sessions.POOL_WIDE, config, ctx.clock.now())
    return {"UserPoolId": pool.id, **config}


async def get_user_pool_client_session_configuration(ctx: Context, call: Call) -> dict[str, Any]:
    pool = await lookups.require_pool(ctx.store, call.params["UserPoolId"])
    client = await lookups.require_client(ctx.store, call.params["ClientId"], pool.id)
    stored = await ctx.store.get_session_configuration(pool.id, client.id)
    return {"UserPoolId": pool.id, "ClientId": client.id, **sessions.client_configuration(stored)}


async def set_user_pool_client_session_configuration(ctx: Context, call: Call) -> dict[str, Any]:
    """A full replacement, and session tracking must be on for the pool. userpool keeps the SSO session's validity
    for the managed login to come; nothing uses it yet."""
    pool = await lookups.require_pool(ctx.store, call.params["UserPoolId"])
    client = await lookups.require_client(ctx.store, call.params["ClientId"], pool.id)
    sessions.require_tier(pool.settings)
    sessions.require_tracking(await ctx.store.get_session_configuration(pool.id, sessions.POOL_WIDE))
    config = {"SSOSession": {"MaxValidityMinutes": call.params["SSOSession"]["MaxValidityMinutes"]}}
    await ctx.store.put_session_configuration(pool.id, client.id, config, ctx.clock.now())
    return {"UserPoolId": pool.id, "ClientId": client.id, **config}


# ---- a user's sessions -----------------------------------------------------------------------------------------
async def _tracked(ctx: Context, pool: Pool) -> None:
    sessions.require_tracking(await ctx.store.get_session_configuration(pool.id, sessions.POOL_WIDE))


async def _list(ctx: Context, user: User, current: str | None = None) -> dict[str, Any]:
    live = await ctx.store.list_token_sessions(user.id, ctx.clock.now())
    return {"Sessions": [sessions.describe(session, current) for session in live]}


async def _revoke(ctx: Context, user: User, session_id: str) -> dict[str, Any]:
    """Revoke one of ``user``'s live sessions; another user's, a revoked or an expired one is not found."""
    session = await ctx.store.get_token_session(session_id)
    now = ctx.clock.now()
    if (
        session is None
        or session.user_id != user.id
        or session.revoked_at is not None
        or session.expires_at <= now
        or not await ctx.store.revoke_token_session(session.id, now)
    ):
        raise ResourceNotFoundException(texts.SESSION_NOT_FOUND)
    return {}


async def list_user_sessions(ctx: Context, call: Call) -> dict[str, Any]:
    caller = await issuing.authenticate(ctx, call.params["AccessToken"])
    await _tracked(ctx, caller.pool)
    return await _list(ctx, caller.user, current=caller.session_id)


async def revoke_user_session(ctx: Context, call: Call) -> dict[str, Any]:
    """The session the access token belongs to cannot revoke itself (use GlobalSignOut or RevokeToken)."""
    caller = await issuing.authenticate(ctx, call.params["AccessToken"])
    await _tracked(ctx, caller.pool)
    if call.params["SessionId"] == caller.session_id:
        raise InvalidParameterException(texts.CURRENT_SESSION)
    return await _revoke(ctx, caller.user, call.params["SessionId"])


async def admin_list_user_sessions(ctx: Context, call: Call) -> dict[str, Any]:
    pool, user = await lookups.pool_and_user(ctx.store, call.params["UserPoolId"], call.params["Username"])
    await _tracked(ctx, pool)
    return await _list(ctx, user)


async def admin_revoke_user_session(ctx: Context, call: Call) -> dict[str, Any]:
    pool, user = await lookups.pool_and_user(ctx.store, call.params["UserPoolId"], call.params["Username"])
    await _tracked(ctx, pool)
    return await _revoke(ctx, user, call.params["SessionId"])


OPERATIONS = {
    "GetUserPoolSessionConfiguration": get_user_pool_session_configuration,
    "SetUserPoolSessionConfiguration": set_user_pool_session_configuration,
    "GetUserPoolClientSessionConfiguration": get_user_pool_client_session_configuration,
    "SetUserPoolClientSessionConfiguration": set_user_pool_client_session_configuration,
    "ListUserSessions": list_user_sessions,
    "RevokeUserSession": revoke_user_session,
    "AdminListUserSessions": admin_list_user_sessions,
    "AdminRevokeUserSession": admin_revoke_user_session,
}
