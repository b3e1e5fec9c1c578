"""The new-password strategy: the ``NEW_PASSWORD_REQUIRED`` answer of a user signing in with a temporary password
(AdminCreateUser, AdminSetUserPassword without Permanent): the new password and missing required attributes."""

from __future__ import annotations

from typing import Any

from userpool.domain import attributes as attribute_rules
from userpool.domain import auth_events as events
from userpool.domain import passwords, texts
from userpool.domain import pools as pool_rules
from userpool.domain.users import UserStatus
from userpool.errors import NotAuthorizedException
from userpool.operations.shared import lookups, threat_protection, user_passwords
from userpool.operations.shared.signin import flow
from userpool.operations.shared.signin.sessions import SignIn, find_session, required, session_user, use_session


async def answer(s: SignIn, r: dict[str, str], session_token: str | None) -> dict[str, Any]:
    ctx, pool, client = s.ctx, s.pool, s.client
    username = required(r, "USERNAME")
    new_password = required(r, "NEW_PASSWORD")
    lookups.check_secret_hash(client, username, r.get("SECRET_HASH"))
    session = await find_session(ctx, client, session_token, flow.NEW_PASSWORD_REQUIRED)
    user = await session_user(ctx, pool, session, username)
    if user is None:
        raise NotAuthorizedException(texts.INCORRECT_PASSWORD)
    passwords.check_policy(new_password, pool_rules.password_policy(pool.settings), texts.CHANGE_POLICY_PREFIX)
    attributes = {k.removeprefix("userAttributes."): v for k, v in r.items() if k.startswith("userAttributes.")}
    attribute_rules.check_known(attributes, attribute_rules.schema_by_name(pool.settings["SchemaAttributes"]))
    missing = [n for n in flow.missing_required(pool, user.attributes) if not attributes.get(n)]
    if missing:
        raise attribute_rules.schema_error([texts.REQUIRED_ATTRIBUTE.format(name=n) for n in missing])
    await use_session(ctx, session)
    # A user given a temporary password before it confirmed its sign-up loses its sign-up code here.
    changed = await user_passwords.store_password(
        ctx,
        pool,
        user,
        new_password,
        status=UserStatus.CONFIRMED,
        from_status=UserStatus.FORCE_CHANGE_PASSWORD,
        attributes=attributes,
    )
    if not changed:
        raise NotAuthorizedException(texts.SESSION_USED)
    user = await ctx.store.get_user(user.id)
    assert user is not None
    await threat_protection.record_event(ctx, s.call, pool, user, events.PASSWORD_CHANGE, client=client)
    return await flow.next_step(s, user, session.data.get("auth_parameters", {}))
