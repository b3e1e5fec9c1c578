"""The password strategy: ``USER_PASSWORD_AUTH`` and ``ADMIN_USER_PASSWORD_AUTH`` (legacy ``ADMIN_NO_SRP_AUTH``),
the password sent in the first step."""

from __future__ import annotations

from typing import Any, NoReturn

from userpool.context import Context
from userpool.domain import auth_events as events
from userpool.domain import srp, texts
from userpool.domain.records import Pool, User
from userpool.errors import NotAuthorizedException
from userpool.operations.shared import lookups, user_passwords
from userpool.operations.shared.signin import flow
from userpool.operations.shared.signin.sessions import SignIn, required


async def remember_verifier(ctx: Context, pool: Pool, user: User, password: str) -> None:
    """Users whose password predates SRP support get their verifier the first time they sign in with it."""
    verifier = await ctx.hashing.run(srp.make_verifier, pool.id, user.username, password)
    await ctx.store.set_verifier(user.id, verifier.salt, verifier.verifier)


async def start(s: SignIn, params: dict[str, str], session: str | None = None) -> dict[str, Any]:
    ctx = s.ctx
    username = required(params, "USERNAME")
    password = required(params, "PASSWORD")
    lookups.check_secret_hash(s.client, username, params.get("SECRET_HASH"))
    user = await lookups.user_for_client(ctx.store, s.client, s.pool, username, texts.USER_NOT_FOUND)
    flow.refuse_imported(s, user)
    if user is None:
        await refuse(s, password)
    return await prove(s, user, password, params)


async def prove(s: SignIn, user: User, password: str, params: dict[str, str]) -> dict[str, Any]:
    """Check ``user``'s ``password`` (a first factor): a wrong one counts toward the lockout; a right one goes on
    to what comes next (``flow.proven``). ``params`` are the sign-in's first AuthParameters."""
    ctx = s.ctx
    if user.password_hash is None:
        await refuse(s, password)
    flow.check_not_locked(ctx, user)
    if not await ctx.hashing.verify(user.password_hash, password):
        await user_passwords.count_failure(ctx, user)
        await flow.record_sign_in(s, user, events.FAIL, events.PASSWORD_FAILURE)
        raise NotAuthorizedException(texts.INCORRECT_PASSWORD)
    if user.srp_verifier is None:
        await remember_verifier(ctx, s.pool, user, password)
    return await flow.proven(s, user, params)


async def refuse(s: SignIn, password: str) -> NoReturn:
    """The answer to a password for no user (or one without a password), as long as a real user's check: a generic
    answer must not be told apart by its timing either."""
    await s.ctx.hashing.verify_dummy(password)
    raise NotAuthorizedException(texts.INCORRECT_PASSWORD)
