"""The passkey strategy: the ``WEB_AUTHN`` challenge (``CREDENTIAL_REQUEST_OPTIONS``: a fresh challenge, the
relying party, the user's passkeys) and its answer (``CREDENTIAL``: the browser's AuthenticationResponseJSON),
verified by ``domain.webauthn``: the session's challenge, the origin and relying party, the signature under the
passkey the user registered, user verification as the pool asks, and a signature counter that moved forward (moved
in the store by one conditional ``UPDATE``, so a replayed assertion loses). A passkey is a first factor after which
no MFA is asked (``flow.proven(..., passwordless=True)``); ``available`` and ``begin`` make it one of choice-based
sign-in's first factors (``user_auth.FIRST_FACTORS``).

Also the relying party every passkey step works for (``relying_party``), which the registration operations share.
"""

from __future__ import annotations

from typing import Any

from userpool.context import Context
from userpool.domain import texts
from userpool.domain import webauthn as rules
from userpool.domain.records import Pool, User
from userpool.errors import (
    InvalidUserPoolConfigurationException,
    NotAuthorizedException,
    WebAuthnConfigurationMissingException,
    WebAuthnNotEnabledException,
)
from userpool.operations.shared import lookups
from userpool.operations.shared.signin import flow
from userpool.operations.shared.signin.sessions import (
    SignIn,
    carried,
    find_session,
    new_session,
    required,
    session_user,
    use_session,
)

WEB_AUTHN = rules.FACTOR


async def relying_party(ctx: Context, pool: Pool) -> str:
    """The pool's relying party id: passkeys must be on (``WebAuthnNotEnabledException``) and the pool must name a
    relying party or have a domain (``WebAuthnConfigurationMissingException``)."""
    if not rules.enabled(pool.settings):
        raise WebAuthnNotEnabledException(texts.WEBAUTHN_NOT_ENABLED)
    domains = []
    if not (pool.settings.get("WebAuthnConfiguration") or {}).get("RelyingPartyId"):
        domains = [(d.domain, d.custom) for d in await ctx.store.pool_domains(pool.id)]
    rp_id = rules.relying_party_id(pool.settings, domains, pool.id.split("_")[0])
    if rp_id is None:
        raise WebAuthnConfigurationMissingException(texts.WEBAUTHN_CONFIGURATION_MISSING)
    return rp_id


async def available(s: SignIn, user: User) -> bool:
    """A user can sign in with a passkey once it has registered one, unless MFA applies to it
    (``flow.passwordless_allowed``) (``user_auth.FIRST_FACTORS``)."""
    return await flow.passwordless_allowed(s, user) and bool(await s.ctx.store.webauthn_credentials_of_user(user.id))


async def begin(s: SignIn, user: User, auth_parameters: dict[str, str]) -> dict[str, Any]:
    """The ``WEB_AUTHN`` challenge for ``user`` (who has passkeys), in a new session that keeps its challenge."""
    passkeys = await s.ctx.store.webauthn_credentials_of_user(user.id)
    return await _challenge(
        s, user, user.username, [(p.credential_id, p.transports) for p in passkeys], auth_parameters
    )


async def pretend(s: SignIn, username: str, auth_parameters: dict[str, str]) -> dict[str, Any]:
    """For a user the client hides: a challenge as a real user would get it (allowing no passkey), whose every
    answer is refused as a wrong passkey is."""
    return await _challenge(s, None, username, [], auth_parameters)


async def _challenge(
    s: SignIn,
    user: User | None,
    username: str,
    passkeys: list[tuple[str, list[str]]],
    auth_parameters: dict[str, str],
) -> dict[str, Any]:
    try:
        rp_id = await relying_party(s.ctx, s.pool)
    except (WebAuthnNotEnabledException, WebAuthnConfigurationMissingException) as missing:
        raise InvalidUserPoolConfigurationException(missing.message) from None
    challenge = rules.new_challenge()
    data = {"challenge": challenge, "rp_id": rp_id, "username": username, "auth_parameters": carried(auth_parameters)}
    session = await new_session(s, user, WEB_AUTHN, data)
    options = rules.request_options(rp_id, challenge, passkeys, rules.user_verification(s.pool.settings))
    return {
        "ChallengeName": WEB_AUTHN,
        "Session": session,
        "ChallengeParameters": {"CREDENTIAL_REQUEST_OPTIONS": options, "USERNAME": username},
    }


async def answer(s: SignIn, r: dict[str, str], token: str | None) -> dict[str, Any]:
    """The ``CREDENTIAL`` answer: one assertion per challenge (the session is spent before it is checked)."""
    ctx = s.ctx
    username = required(r, "USERNAME")
    credential = required(r, "CREDENTIAL")
    lookups.check_secret_hash(s.client, username, r.get("SECRET_HASH"))
    session = await find_session(ctx, s.client, token, WEB_AUTHN)
    hidden = session.user_id is None and username == session.data.get("username")
    user = None if hidden else await session_user(ctx, s.pool, session, username)
    if user is None and not hidden:
        raise NotAuthorizedException(texts.INVALID_SESSION)
    await use_session(ctx, session)
    presented = rules.presented_assertion(credential)
    if user is None:  # a user the client hides: refused as a wrong passkey is
        raise NotAuthorizedException(texts.WEBAUTHN_SIGN_IN_REFUSED)
    passkey = await ctx.store.get_webauthn_credential(s.pool.id, presented.credential_id)
    if passkey is None or passkey.user_id != user.id:
        raise NotAuthorizedException(texts.WEBAUTHN_SIGN_IN_REFUSED)
    count = rules.verify_assertion(
        presented,
        session.data["challenge"],
        session.data["rp_id"],
        rules.user_verification(s.pool.settings),
        passkey.public_key,
        passkey.sign_count,
    )
    if not await ctx.store.use_webauthn_credential(
        s.pool.id, passkey.credential_id, passkey.sign_count, count, ctx.clock.now()
    ):
        raise NotAuthorizedException(texts.WEBAUTHN_SIGN_IN_REFUSED)
    return await flow.proven(s, user, session.data.get("auth_parameters", {}), passwordless=True)
