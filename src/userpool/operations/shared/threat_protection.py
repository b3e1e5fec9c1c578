"""Threat protection shared by its operations and the password-taking ones: the risk configuration that applies to
a client (its own, else the pool's), the compromised-password check (``check_password``), and the user event
history the flows record into (``record_event``)."""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import Any

from userpool.context import Call, Context
from userpool.domain import auth_events, ids, risk
from userpool.domain.records import Client, Pool, User
from userpool.operations.shared import throttle

log = logging.getLogger("userpool.threat_protection")


async def effective_configuration(
    ctx: Context, pool: Pool, client_id: str | None
) -> tuple[str, dict[str, Any], float] | None:
    """The configuration that applies to ``client_id``: its own, else the pool's. ``(client id, config, date)``."""
    if client_id is not None:
        own = await ctx.store.get_risk_configuration(pool.id, client_id)
        if own is not None:
            return client_id, *own
    pool_wide = await ctx.store.get_risk_configuration(pool.id, risk.POOL_WIDE)
    return (risk.POOL_WIDE, *pool_wide) if pool_wide is not None else None


async def check_password(ctx: Context, pool: Pool, client: Client | None, password: str, event: str) -> None:
    """Refuse a password from the offline list when threat protection blocks compromised credentials for ``event``."""
    if risk.mode(pool.settings) != "ENFORCED":
        return  # only an enforcing pool blocks (``blocks_compromised``), whatever its configuration: none is read
    found = await effective_configuration(ctx, pool, client.id if client else None)
    config = found[1] if found else None
    if risk.blocks_compromised(pool.settings, config, event) and password in ctx.blocklist:
        raise risk.refuse_compromised()


async def record_event(
    ctx: Context,
    call: Call,
    pool: Pool,
    user: User,
    event_type: str,
    response: str = auth_events.PASS,
    *,
    client: Client | None = None,
    challenge_responses: tuple[Mapping[str, str], ...] = (),
    compromised: bool = False,
) -> None:
    """Add an event to ``user``'s history while the pool's threat protection is on; with it off, nothing happens
    (not even a store call: the pool's settings are in hand). The address is the one the rate limits count
    (``throttle.source_ip``), the device name the request's User-Agent. A failure to record is logged and
    swallowed: it never turns the operation's answer into an error."""
    if not risk.protects(pool.settings):
        return
    now = ctx.clock.now()
    event = auth_events.new_event(
        ids.auth_event_id(),
        pool.id,
        user.id,
        event_type,
        response,
        now,
        challenge_responses=challenge_responses,
        compromised=compromised,
        ip_address=throttle.source_ip(call, client),
        user_agent=call.user_agent,
    )
    try:
        await ctx.store.add_auth_event(event, now - auth_events.RETENTION_SECONDS)
    except Exception:  # the event is history, the operation's answer is not: keep serving
        log.exception("could not record a %s event of pool %s", event_type, pool.id)
