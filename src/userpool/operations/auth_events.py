"""Threat protection's user event history: AdminListUserAuthEvents, AdminUpdateAuthEventFeedback,
UpdateAuthEventFeedback. The flows record the events (``shared.threat_protection.record_event``); what one holds is
``domain.auth_events``."""

from __future__ import annotations

from typing import Any

from userpool.context import Call, Context
from userpool.domain import auth_events, risk, texts
from userpool.domain.records import Pool, User
from userpool.errors import InvalidParameterException, NotAuthorizedException, ResourceNotFoundException
from userpool.operations.shared import lookups
from userpool.store import InvalidToken


async def _protected_pool_and_user(ctx: Context, call: Call) -> tuple[Pool, User]:
    """The request's pool, which must have threat protection on, and its user (``User does not exist.``)."""
    pool = await lookups.require_pool(ctx.store, call.params["UserPoolId"])
    risk.require_add_on(pool.settings)
    return pool, await lookups.require_user(ctx.store, pool, call.params["Username"])


async def admin_list_user_auth_events(ctx: Context, call: Call) -> dict[str, Any]:
    _, user = await _protected_pool_and_user(ctx, call)
    limit = call.params.get("MaxResults") or auth_events.DEFAULT_PAGE
    try:
        found, token = await ctx.store.list_auth_events(user.id, limit, call.params.get("NextToken"))
    except InvalidToken:
        raise InvalidParameterException(texts.INVALID_PAGINATION_TOKEN) from None
    result: dict[str, Any] = {"AuthEvents": [auth_events.describe(event) for event in found]}
    if token:
        result["NextToken"] = token
    return result


async def _keep_feedback(ctx: Context, call: Call, user: User, provider: str) -> dict[str, Any]:
    p = call.params
    kept = await ctx.store.set_auth_event_feedback(user.id, p["EventId"], p["FeedbackValue"], provider, ctx.clock.now())
    if not kept:
        raise ResourceNotFoundException(texts.AUTH_EVENT_NOT_FOUND)
    return {}


async def admin_update_auth_event_feedback(ctx: Context, call: Call) -> dict[str, Any]:
    _, user = await _protected_pool_and_user(ctx, call)
    return await _keep_feedback(ctx, call, user, auth_events.ADMIN)


async def update_auth_event_feedback(ctx: Context, call: Call) -> dict[str, Any]:
    """The user's own feedback, from a link in a threat-protection notification: the ``FeedbackToken`` must be the
    one made for this pool, user and event (``domain.auth_events.feedback_token``). userpool sends no such
    notifications yet, so tokens come only from a tool that holds the server's secret key."""
    pool, user = await _protected_pool_and_user(ctx, call)
    p = call.params
    if not auth_events.feedback_token_matches(ctx.feedback_key, pool.id, user.sub, p["EventId"], p["FeedbackToken"]):
        raise NotAuthorizedException(texts.INVALID_FEEDBACK_TOKEN)
    return await _keep_feedback(ctx, call, user, auth_events.USER)


OPERATIONS = {
    "AdminListUserAuthEvents": admin_list_user_auth_events,
    "AdminUpdateAuthEventFeedback": admin_update_auth_event_feedback,
    "UpdateAuthEventFeedback": update_auth_event_feedback,
}
