"""The sign-in flow's Lambda triggers, each called from one place of the engine:

- ``before_first_factor`` (``strategies.start``, before a password or SRP strategy runs): UserMigration for a user
  the pool does not know who signs in with a password (``USER_PASSWORD_AUTH``, ``ADMIN_USER_PASSWORD_AUTH``; SRP
  never shows the password, so an SRP sign-in is not migrated), then PreAuthentication, which may refuse the
  sign-in before the password is checked. With PreventUserExistenceErrors ``ENABLED`` it also runs for users that
  do not exist (``userNotFound: true``), as Cognito's guide says; otherwise an unknown user gets the strategy's
  ``UserNotFoundException`` and no trigger runs. Refresh (``REFRESH_TOKEN_AUTH``) runs neither.
- ``post_authentication`` (``flow.next_step``, once every challenge is answered, before the tokens are made): its
  error withholds the tokens.

``ClientMetadata`` of InitiateAuth reaches PreAuthentication and UserMigration as ``validationData``; that of
RespondToAuthChallenge reaches PostAuthentication as ``clientMetadata``.
"""

from __future__ import annotations

from userpool.domain import clients as client_rules
from userpool.domain import flows, texts
from userpool.domain.records import User
from userpool.errors import NotAuthorizedException, UserNotFoundException
from userpool.operations.shared import lookups, user_migration
from userpool.operations.shared.signin.sessions import SignIn
from userpool.triggers import Caller, Kind

PASSWORD_FLOWS = frozenset({flows.USER_PASSWORD, *flows.ADMIN_PASSWORD})
FIRST_FACTOR_FLOWS = PASSWORD_FLOWS | {flows.SRP, flows.USER_AUTH}
ANSWERS = frozenset({"RespondToAuthChallenge", "AdminRespondToAuthChallenge"})


def caller(s: SignIn) -> Caller:
    return Caller(s.client.id, s.call.user_agent)


async def before_first_factor(s: SignIn, flow: str, params: dict[str, str]) -> None:
    """UserMigration and PreAuthentication ahead of a sign-in's first factor (see the module's docstring)."""
    if flow not in FIRST_FACTOR_FLOWS:
        return
    triggers, pool = s.ctx.triggers, s.pool
    pre = triggers.has(pool, Kind.PRE_AUTHENTICATION)
    migrate = flow in PASSWORD_FLOWS and bool(params.get("PASSWORD")) and triggers.has(pool, Kind.USER_MIGRATION)
    name = params.get("USERNAME")
    if not (pre or migrate) or not name:
        return  # the strategy answers a missing USERNAME
    lookups.check_secret_hash(s.client, name, params.get("SECRET_HASH"))
    hides = client_rules.hides_user_existence(s.client.settings)
    validation_data = s.call.params.get("ClientMetadata")
    user: User | None = await lookups.find_user(s.ctx.store, pool, name)
    if user is None and migrate:
        try:
            user = await user_migration.migrate(
                s.ctx,
                pool,
                caller(s),
                name,
                user_migration.AUTHENTICATION,
                params["PASSWORD"],
                validation_data,
                None,
            )
        except UserNotFoundException:
            if hides:
                raise NotAuthorizedException(texts.INCORRECT_PASSWORD) from None
            raise
    if not pre or (user is None and not hides):
        return
    attributes = triggers.user_view(pool, user) if user is not None else {}
    await triggers.pre_authentication(
        pool,
        caller(s),
        user.username if user is not None else name,
        attributes,
        validation_data,
        (user is None) if hides else None,
    )


async def post_authentication(s: SignIn, user: User, new_device_used: bool | None = None) -> None:
    """PostAuthentication, once the sign-in is complete and before its tokens are made. ``new_device_used`` only in
    a pool that tracks devices (whether the sign-in named no known device)."""
    metadata = s.call.params.get("ClientMetadata") if s.call.operation in ANSWERS else None
    await s.ctx.triggers.post_authentication(s.pool, caller(s), user, metadata, new_device_used)
