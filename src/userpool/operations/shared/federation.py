"""The federated user of a sign-in through an identity provider (OIDC, social or SAML): found or created, its
triggers run, its mapped attributes refreshed, its links followed. One function, ``federated_user``, for every
kind of provider: the OIDC/social door (``web/federation.py``) and the SAML door call it alike.

As Cognito does it:
- an identity linked to a pool user (AdminLinkProviderForUser) signs in as that user;
- otherwise the user is ``<ProviderName>_<subject>``, in status ``EXTERNAL_PROVIDER``, with no password, the
  provider's claims mapped to attributes by the provider's ``AttributeMapping`` and an ``identities`` attribute;
- first sign-in: ``PreSignUp_ExternalProvider`` (before anything is written: a refusal creates nothing), the user,
  the auto group ``<poolId>_<ProviderName>``, then ``PostConfirmation_ConfirmSignUp``;
- later sign-ins: ``PreAuthentication``, the mapped attributes written again (the provider's values win), then
  ``PostAuthentication``. The tokens (``TokenGeneration_HostedAuth``) are the caller's to make.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from userpool.context import Call, Context
from userpool.domain import groups as group_rules
from userpool.domain import identity_providers as idp_rules
from userpool.domain import ids, texts, usernames
from userpool.domain import pools as pool_rules
from userpool.domain.records import Group, IdentityProvider, NewUser, Pool, User, created_user
from userpool.domain.users import UserStatus
from userpool.errors import NotAuthorizedException
from userpool.store import Conflict, LimitReached
from userpool.triggers import CLIENT_ID_NOT_APPLICABLE, Caller

PRE_SIGN_UP_SOURCE = "PreSignUp_ExternalProvider"


async def federated_user(
    ctx: Context,
    call: Call,
    pool: Pool,
    provider: IdentityProvider,
    subject: str,
    claims: Mapping[str, Any],
    issuer: str | None = None,
) -> User:
    """The pool user a provider's identity ``subject`` (with the sign-in's ``claims``) signs in as, after the
    triggers Cognito runs for it. ``call.params["ClientId"]`` names the app client (the triggers' caller);
    ``issuer`` is the provider's issuer (OIDC, SAML) for the ``identities`` entry. Raises the triggers' errors
    (``UserLambdaValidationException``, ``NotAuthorizedException``, ...) and ``NotAuthorizedException`` for a
    disabled user; a refused first sign-in creates nothing."""
    caller = Caller(call.params.get("ClientId") or CLIENT_ID_NOT_APPLICABLE, call.user_agent)
    linked = await _linked_user(ctx, pool, provider, subject, claims)
    if linked is not None:
        return await _returning(ctx, pool, caller, linked, {})
    username = idp_rules.federated_username(provider.name, subject)
    key = usernames.fold(username, pool_rules.case_sensitive(pool.settings))
    schema = pool.settings.get("SchemaAttributes") or []
    mapped = idp_rules.mapped_attributes(provider.attribute_mapping, claims, schema)
    existing = await ctx.store.find_user(pool.id, key)
    if existing is not None:
        return await _returning(ctx, pool, caller, existing, _refreshed(existing, mapped))
    try:
        return await _first_sign_in(ctx, pool, caller, provider, subject, username, key, mapped, issuer)
    except Conflict:  # a racing first sign-in of the same identity made the user
        existing = await ctx.store.find_user(pool.id, key)
        if existing is None:
            raise
        return await _returning(ctx, pool, caller, existing, _refreshed(existing, mapped))


async def _linked_user(
    ctx: Context, pool: Pool, provider: IdentityProvider, subject: str, claims: Mapping[str, Any]
) -> User | None:
    """The pool user the identity is linked to: by its subject (``Cognito_Subject``) or by a claim's value."""
    pairs = [(idp_rules.SUBJECT, subject)]
    pairs += [(n, str(v)) for n, v in claims.items() if isinstance(v, (str, int)) and not isinstance(v, bool)]
    link = await ctx.store.find_provider_link(pool.id, provider.name, [(n[:64], v[:2048]) for n, v in pairs])
    return await ctx.store.get_user(link.user_id) if link is not None else None


def _refreshed(user: User, mapped: Mapping[str, str]) -> dict[str, str]:
    """The mapped attributes that changed since the last sign-in (an email or phone that changed and whose
    verified flag is not mapped is unverified again)."""
    changes = {n: v for n, v in mapped.items() if user.attributes.get(n) != v}
    for attribute, flag in (("email", "email_verified"), ("phone_number", "phone_number_verified")):
        if attribute in changes and flag not in mapped:
            changes[flag] = "false"
    return changes


async def _returning(ctx: Context, pool: Pool, caller: Caller, user: User, changes: Mapping[str, str]) -> User:
    """A later sign-in: PreAuthentication, the mapped attributes written, PostAuthentication."""
    if not user.enabled:
        raise NotAuthorizedException(texts.USER_DISABLED)
    await ctx.triggers.pre_authentication(pool, caller, user.username, ctx.triggers.user_view(pool, user), None, None)
    if changes:
        await ctx.store.update_attributes(user.id, changes, ctx.clock.now())
        user = await ctx.store.get_user(user.id) or user
    await ctx.triggers.post_authentication(pool, caller, user, None)
    return user


async def _first_sign_in(
    ctx: Context,
    pool: Pool,
    caller: Caller,
    provider: IdentityProvider,
    subject: str,
    username: str,
    key: str,
    mapped: dict[str, str],
    issuer: str | None,
) -> User:
    attributes = dict(mapped)
    for attribute, flag in (("email", "email_verified"), ("phone_number", "phone_number_verified")):
        if attribute in attributes:
            attributes.setdefault(flag, "false")
    answer = await ctx.triggers.pre_sign_up(pool, caller, username, attributes, None, None, source=PRE_SIGN_UP_SOURCE)
    for flag in answer.verified_flags(attributes, confirming=True):
        attributes[flag] = "true"
    now = ctx.clock.now()
    entry = idp_rules.identity(provider, subject, int(now * 1000), issuer, primary=True)
    sub = ids.sub()
    identities = idp_rules.with_identity(None, entry)
    record = NewUser(
        pool_id=pool.id,
        username=username,
        username_key=key,
        sub=sub,
        status=UserStatus.EXTERNAL_PROVIDER.value,
        password_hash=None,
        created_at=now,
        attributes={"sub": sub, **attributes, "identities": identities},
    )
    user = created_user(record, await ctx.store.create_user(record))
    await _join_provider_group(ctx, pool, provider, user)
    await ctx.triggers.post_confirmation(pool, caller, user, None)
    return user


async def _join_provider_group(ctx: Context, pool: Pool, provider: IdentityProvider, user: User) -> None:
    """The auto group ``<poolId>_<ProviderName>`` Cognito puts a provider's users in, made on first use."""
    name = f"{pool.id}_{provider.name}"
    group = await ctx.store.find_group(pool.id, name)
    if group is None:
        now = ctx.clock.now()
        try:
            group = await ctx.store.create_group(
                Group(pool.id, name, None, None, None, now, now), group_rules.MAX_GROUPS_PER_POOL
            )
        except (Conflict, LimitReached):
            group = await ctx.store.find_group(pool.id, name)
    if group is not None and group.id is not None:
        await ctx.store.add_group_member(group.id, user.id, ctx.clock.now(), group_rules.MAX_GROUPS_PER_USER)
