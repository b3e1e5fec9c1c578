"""Request-rate limits, counted in the store so that every process on one database shares them.

Each limit is a fixed window (a clock-aligned second or hour) counted by ``Store.count_hits``: one atomic upsert per
limit and request (all of a request's in one transaction), and a request beyond a limit is refused (it still
counts, against every limit it meets, so hammering gains nothing).

Two kinds, both driven by the tables below rather than by code in each operation:

- **Admission** (``admit``), run by the wire layer before every operation: Cognito's per-pool *category* quota
  (UserCreation: SignUp, ConfirmSignUp, AdminCreateUser, AdminConfirmSignUp; ``USERPOOL_USER_CREATION_RATE`` per
  second, default 50 like Cognito's) and per-source-IP limits (SignUp; ConfirmSignUp + ResendConfirmationCode).
  The pool comes from the request's ``UserPoolId`` or its ``ClientId``. An operation listed here is covered the
  moment it is registered. Excess: ``TooManyRequestsException`` ``Rate exceeded``.
- **Per user** (``per_user``), called by an operation once it knows the user: Cognito's per-user quotas on
  ConfirmSignUp (15 an hour) and ResendConfirmationCode (5 an hour). Excess: ``LimitExceededException``
  ``Attempt limit exceeded, please try after some time.``

The source IP is the connection's (or, behind a trusted proxy, the client's: see ``protocol.sources``); like
Cognito, ``UserContextData.IpAddress`` is believed instead only when the app client has a secret, the request's
SecretHash is right (made with any of its active secrets), and the client has
``EnablePropagateAdditionalUserContextData`` on.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Callable
from typing import Any, Final

from userpool.config import Settings
from userpool.context import Call, Context
from userpool.domain import secret_hash, texts
from userpool.domain.records import Client, User
from userpool.errors import LimitExceededException, TooManyRequestsException
from userpool.operations.shared import lookups

SECOND, HOUR = 1, 3600

# Cognito's request-rate categories that are limited per pool here, and their operations.
POOL_CATEGORIES: Final[dict[str, tuple[frozenset[str], Callable[[Settings], int]]]] = {
    "UserCreation": (
        frozenset({"SignUp", "ConfirmSignUp", "AdminCreateUser", "AdminConfirmSignUp"}),
        lambda s: s.user_creation_rate,
    ),
}
# Per-source-IP limits (per hour): scope -> (operations, limit).
IP_LIMITS: Final[dict[str, tuple[frozenset[str], Callable[[Settings], int]]]] = {
    "ip:SignUp": (frozenset({"SignUp"}), lambda s: s.sign_up_per_ip_per_hour),
    "ip:Confirmation": (
        frozenset({"ConfirmSignUp", "ResendConfirmationCode"}),
        lambda s: s.confirm_per_ip_per_hour,
    ),
}
# Per-user quotas (per hour).
SIGN_IN_CODE: Final = "SignInCode"  # a one-time sign-in code sent (EMAIL_OTP, SMS_OTP as a first factor)
USER_QUOTAS: Final[dict[str, Callable[[Settings], int]]] = {
    "ConfirmSignUp": lambda s: s.confirm_per_user_per_hour,
    "ResendConfirmationCode": lambda s: s.resend_per_user_per_hour,
    SIGN_IN_CODE: lambda s: s.sign_in_codes_per_user_per_hour,
}


def _window(ctx: Context, scope: str, key: str, window: int) -> tuple[str, str, int, float]:
    start = int(ctx.clock.now() // window) * window
    return scope, key, start, start + window


def _pool_id(params: dict[str, Any], client: Client | None) -> str | None:
    if isinstance(params.get("UserPoolId"), str):
        return params["UserPoolId"]
    return client.pool_id if client is not None else None


def source_ip(call: Call, client: Client | None) -> str | None:
    """The address a request is counted against (see the module docstring)."""
    context = call.params.get("UserContextData")
    if (
        client is not None
        and client.secret is not None
        and client.settings.get("EnablePropagateAdditionalUserContextData")
        and isinstance(context, dict)
        and isinstance(context.get("IpAddress"), str)
        and isinstance(call.params.get("SecretHash"), str)
        and isinstance(call.params.get("Username"), str)
        and secret_hash.verify_any(client.secret_values, call.params["Username"], client.id, call.params["SecretHash"])
    ):
        try:
            return str(ipaddress.ip_address(context["IpAddress"]))
        except ValueError:
            pass
    return call.source_ip


async def admit(ctx: Context, call: Call) -> None:
    """Apply the per-pool and per-IP limits of ``call.operation``; raise ``TooManyRequestsException`` past them."""
    settings = ctx.settings
    categories = [(name, limit(settings)) for name, (ops, limit) in POOL_CATEGORIES.items() if call.operation in ops]
    ips = [(scope, limit(settings)) for scope, (ops, limit) in IP_LIMITS.items() if call.operation in ops]
    categories = [(n, v) for n, v in categories if v > 0]
    ips = [(n, v) for n, v in ips if v > 0]
    if not categories and not ips:
        return
    client = None
    if isinstance(call.params.get("ClientId"), str):
        found = await lookups.found_client(ctx.store, call.params["ClientId"], call)
        client = found[0] if found is not None else None
    pool_id = _pool_id(call.params, client)
    limits = [
        (_window(ctx, f"pool:{name}", pool_id, SECOND), limit) for name, limit in categories if pool_id is not None
    ]
    address = source_ip(call, client) if ips else None
    if address is not None:
        limits += [(_window(ctx, scope, address, HOUR), limit) for scope, limit in ips]
    if not limits:
        return
    counts = await ctx.store.count_hits([hit for hit, _ in limits], ctx.clock.now())
    if any(count > limit for count, (_, limit) in zip(counts, limits, strict=True)):
        raise TooManyRequestsException(texts.RATE_EXCEEDED)


def user_quota(ctx: Context, operation: str, user: User) -> tuple[tuple[str, str, int, float], int] | None:
    """The counter hit (scope, key, window start, window end) and the limit of ``operation``'s per-user quota for
    ``user``; None when the operation has none (or it is turned off)."""
    quota = USER_QUOTAS.get(operation)
    limit = quota(ctx.settings) if quota else 0
    if limit <= 0:
        return None
    return _window(ctx, f"user:{operation}", f"{user.pool_id}/{user.id}", HOUR), limit


def refuse_past(count: int, limit: int) -> None:
    """``LimitExceededException`` when a per-user quota's new ``count`` is past its ``limit``."""
    if count > limit:
        raise LimitExceededException(texts.ATTEMPTS_EXCEEDED)


async def per_user(ctx: Context, operation: str, user: User) -> None:
    """Apply the per-user quota of ``operation`` to ``user``; raise ``LimitExceededException`` past it. (A code
    confirmation counts it in the transaction that takes the attempt: ``confirmation_codes.confirm_with_code``.)"""
    counted = user_quota(ctx, operation, user)
    if counted is not None:
        hit, limit = counted
        refuse_past(await ctx.store.count_hit(*hit, ctx.clock.now()), limit)
