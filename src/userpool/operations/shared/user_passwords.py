"""A user's password, shared by the sign-in flows and the operations that change it: the lockout after failed
attempts, and a new password (ChangePassword, ConfirmForgotPassword, AdminSetUserPassword, AdminCreateUser's
resend, the NEW_PASSWORD_REQUIRED challenge): the pool's policy and password history, then the argon2id hash and
the SRP verifier (computed in the worker pool), stored in one transaction."""

from __future__ import annotations

from collections.abc import Mapping

from userpool.context import Context
from userpool.domain import codes, lockout, passwords, texts
from userpool.domain import pools as pool_rules
from userpool.domain.records import PasswordChange, Pool, User
from userpool.domain.users import UserStatus
from userpool.errors import PasswordHistoryPolicyViolationException


def locked_out(ctx: Context, user: User) -> bool:
    """Whether ``user`` is in a lockout after failed attempts (which then neither count nor are checked)."""
    state = lockout.Attempts(user.failed_sign_ins or 0, user.last_failed_sign_in, user.locked_until)
    return lockout.locked(state, ctx.clock.now())


async def count_failure(ctx: Context, user: User) -> None:
    """Count a failed attempt at ``user``'s password (read and written in one transaction)."""
    now = ctx.clock.now()
    await ctx.store.record_sign_in_failure(user.id, lambda state: lockout.after_failure(state, now))


async def set_password(
    ctx: Context,
    pool: Pool,
    user: User,
    password: str,
    prefix: str,
    *,
    status: UserStatus | None = None,
    expires_at: float | None = None,
    consume_code: str | None = None,
) -> None:
    """Check ``password`` against the pool's policy (``prefix`` words the error as the operation does) and its
    password history, then store it (``store_password``), moving the user to ``status`` when given."""
    policy = pool_rules.password_policy(pool.settings)
    passwords.check_policy(password, policy, prefix)
    history = int(policy.get("PasswordHistorySize") or 0)
    if history and user.password_hash is not None:
        previous = [user.password_hash, *await ctx.store.password_history(user.id, history - 1)]
        for stored in previous:
            if await ctx.hashing.verify(stored, password):
                raise PasswordHistoryPolicyViolationException(texts.HISTORY_VIOLATION)
    await store_password(
        ctx,
        pool,
        user,
        password,
        status=status,
        expires_at=expires_at,
        consume_codes=(consume_code,) if consume_code else (),
    )


async def store_password(
    ctx: Context,
    pool: Pool,
    user: User,
    password: str,
    *,
    status: UserStatus | None = None,
    from_status: UserStatus | None = None,
    expires_at: float | None = None,
    consume_codes: tuple[str, ...] = (),
    attributes: Mapping[str, str] | None = None,
) -> bool:
    """Store ``password``'s hash and SRP verifier, keeping the old hash in the pool's password history; with
    ``from_status``, only while the user is still in it. A password that confirms the user voids its sign-up code.
    False when nothing changed (the user is gone, or no longer in ``from_status``)."""
    history = int(pool_rules.password_policy(pool.settings).get("PasswordHistorySize") or 0)
    password_hash, verifier = await ctx.hashing.hash_with_verifier(password, pool.id, user.username)
    return await ctx.store.set_password(
        PasswordChange(
            user_id=user.id,
            password_hash=password_hash,
            srp_salt=verifier.salt,
            srp_verifier=verifier.verifier,
            at=ctx.clock.now(),
            status=status,
            from_status=from_status,
            expires_at=expires_at,
            # The current password and ``history - 1`` before it are what a new one is compared with.
            history_size=max(history - 1, 0),
            consume_codes=(*consume_codes, *([codes.SIGN_UP] if status == UserStatus.CONFIRMED else [])),
            attributes=dict(attributes or {}),
        )
    )
