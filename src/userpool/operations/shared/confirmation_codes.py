"""Confirmation codes an operation makes (to send) and checks (when the user sends one back): one code per user and
purpose, stored as a hash, each attempt counted before the comparison, so racing guesses never pass the limit."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from userpool.context import Context
from userpool.domain import codes, texts
from userpool.domain.records import User
from userpool.errors import CodeMismatchException, ExpiredCodeException, LimitExceededException
from userpool.operations.shared import throttle


def new_code(ctx: Context) -> tuple[str, str, float]:
    """A fresh code, its hash, and when it expires."""
    code = ctx.generate_code()
    return code, codes.hash_code(code), ctx.clock.now() + codes.CODE_VALIDITY_SECONDS


async def check_code(
    ctx: Context,
    user: User,
    purpose: str,
    sent: str,
    no_attempt_left: Callable[[], Awaitable[None]] | None = None,
    quota: str | None = None,
) -> str | None:
    """Check a code the user sent for ``purpose``; the attribute it verifies. Cognito's errors otherwise: no
    attempt left (``LimitExceededException``), no code or the wrong one (``CodeMismatchException``), too late
    (``ExpiredCodeException``). ``no_attempt_left`` runs first when no attempt could be taken, to raise what
    the operation says instead (a racing confirmation that has just used the code). ``quota`` names the per-user
    quota (``throttle.USER_QUOTAS``) the check counts against, in the attempt's own transaction; past it,
    ``LimitExceededException`` and no attempt is taken."""
    counted = throttle.user_quota(ctx, quota, user) if quota is not None else None
    if counted is None:
        stored = await ctx.store.take_attempt(user.id, purpose, ctx.settings.code_attempts)
    else:
        hit, limit = counted
        count, stored = await ctx.store.take_counted_attempt(user.id, purpose, ctx.settings.code_attempts, hit, limit)
        throttle.refuse_past(count, limit)
    if stored is None:
        if no_attempt_left is not None:
            await no_attempt_left()
        if await ctx.store.get_code(user.id, purpose) is not None:
            raise LimitExceededException(texts.ATTEMPTS_EXCEEDED)
        raise CodeMismatchException(texts.CODE_MISMATCH)
    if not codes.matches(sent, stored.code_hash):
        raise CodeMismatchException(texts.CODE_MISMATCH)
    if stored.expires_at <= ctx.clock.now():
        raise ExpiredCodeException(texts.CODE_EXPIRED)
    return stored.attribute
