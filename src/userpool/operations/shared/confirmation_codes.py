"""Confirmation codes an operation makes (to send) and checks (when the user sends one back): one code per user and
purpose, stored as a hash, each attempt counted before the comparison, so racing guesses never pass the limit."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import NoReturn

from userpool.context import Context
from userpool.domain import codes, texts
from userpool.domain.records import Code, Confirmation, User
from userpool.errors import CodeMismatchException, ExpiredCodeException, LimitExceededException, ServiceError
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
) -> str | None:
    """Check a code the user sent for ``purpose``; the attribute it verifies. Cognito's errors otherwise: no
    attempt left (``LimitExceededException``), no code or the wrong one (``CodeMismatchException``), too late
    (``ExpiredCodeException``). ``no_attempt_left`` runs first when no attempt could be taken, to raise what
    the operation says instead (a racing confirmation that has just used the code)."""
    stored = await ctx.store.take_attempt(user.id, purpose, ctx.settings.code_attempts)
    if stored is None:
        await _none_taken(ctx, user, purpose, no_attempt_left)
    _raise(_refusal(ctx, stored, sent))
    return stored.attribute


async def confirm_with_code(
    ctx: Context,
    user: User,
    purpose: str,
    sent: str,
    quota: str,
    confirmation: Callable[[str | None], Confirmation],
    no_attempt_left: Callable[[], Awaitable[None]] | None = None,
) -> bool:
    """``check_code`` and, when the code is right, ``confirmation(the attribute it verifies)`` applied, with the
    per-user ``quota`` (``throttle.USER_QUOTAS``) counted, all in one store transaction (the attempt counts even
    when the code is wrong; past the quota, ``LimitExceededException`` and no attempt is taken). Whether the
    confirmation was applied (False: the user's status had moved meanwhile). A key another user owns raises the
    store's ``Conflict``."""
    counted = throttle.user_quota(ctx, quota, user)
    hit, limit = counted if counted is not None else (None, 0)
    refusals: list[ServiceError | None] = []

    def decide(stored: Code) -> Confirmation | None:
        refusals[:] = [_refusal(ctx, stored, sent)]
        return confirmation(stored.attribute) if refusals[0] is None else None

    count, stored, done = await ctx.store.confirm_with_code(
        user.id, purpose, ctx.settings.code_attempts, hit, limit, decide
    )
    if hit is not None:
        throttle.refuse_past(count, limit)
    if stored is None:
        await _none_taken(ctx, user, purpose, no_attempt_left)
    _raise(refusals[0] if refusals else None)
    return done


def _refusal(ctx: Context, stored: Code, sent: str) -> ServiceError | None:
    """Why ``sent`` does not pass for the stored code (the wrong one, or too late), or None when it does."""
    if not codes.matches(sent, stored.code_hash):
        return CodeMismatchException(texts.CODE_MISMATCH)
    if stored.expires_at <= ctx.clock.now():
        return ExpiredCodeException(texts.CODE_EXPIRED)
    return None


def _raise(error: ServiceError | None) -> None:
    if error is not None:
        raise error


async def _none_taken(
    ctx: Context, user: User, purpose: str, no_attempt_left: Callable[[], Awaitable[None]] | None
) -> NoReturn:
    """No attempt could be taken: what the operation says (``no_attempt_left``), else the attempts are used up, or
    there is no code."""
    if no_attempt_left is not None:
        await no_attempt_left()
    if await ctx.store.get_code(user.id, purpose) is not None:
        raise LimitExceededException(texts.ATTEMPTS_EXCEEDED)
    raise CodeMismatchException(texts.CODE_MISMATCH)
