"""Tokens, built in one place whichever door asks: the pool's signing keys, issuing access, ID and refresh tokens,
refresh-token rotation, new tokens from a refresh token, and checking an access token (``authenticate``)."""

from __future__ import annotations

import asyncio
import dataclasses
import hashlib
import secrets
import uuid
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from typing import Any

from userpool.context import Call, Context
from userpool.domain import clients as client_rules
from userpool.domain import devices as device_rules
from userpool.domain import groups as group_rules
from userpool.domain import ids, texts
from userpool.domain import oauth as oauth_rules
from userpool.domain import sessions as session_rules
from userpool.domain import tokens as token_rules
from userpool.domain.records import Client, Pool, PublicKey, RefreshToken, StoredKey, TokenSession, User
from userpool.errors import NotAuthorizedException, RefreshTokenReuseException, UserNotFoundException
from userpool.operations.shared import lookups, token_triggers
from userpool.triggers import events as trigger_events


def token_hash(token: str) -> str:
    """How an opaque token (refresh token, session) is stored: its SHA-256, never the token itself."""
    return hashlib.sha256(token.encode()).hexdigest()


async def signing_key(ctx: Context, pool_id: str) -> StoredKey:
    """The key that signs the pool's tokens, made on first use (RSA generation runs in the worker pool).

    Concurrent first sign-ins in one process make one key (they wait for the same job). Two processes may still
    race here: both keys are published, the newest signs. Nothing is lost."""
    key = await ctx.store.find_signing_key(pool_id)
    if key is None:
        key = await _single_flight(ctx, ("signing", pool_id), lambda: _first_signing_key(ctx, pool_id))
    return key


async def _first_signing_key(ctx: Context, pool_id: str) -> StoredKey:
    # Read again: a job that ended between the caller's read and this one has made the key.
    key = await ctx.store.find_signing_key(pool_id)
    return key if key is not None else await _add_signing_key(ctx, pool_id, retire_others=False)


async def _single_flight(ctx: Context, name: tuple[str, str], make: Callable[[], Awaitable[Any]]) -> Any:
    """``make()``'s result, with one job at a time per ``name`` in this process: a caller that finds one under way
    waits for it (and shares its result or its error). A caller cancelled meanwhile does not cancel the job."""
    flight = ctx.key_flights.get(name)
    if flight is None:
        flight = asyncio.ensure_future(make())
        ctx.key_flights[name] = flight

        def landed(done: asyncio.Future[Any]) -> None:
            if ctx.key_flights.get(name) is done:
                del ctx.key_flights[name]
            if not done.cancelled():
                done.exception()  # retrieved: a job whose callers all went away logs no "never retrieved"

        flight.add_done_callback(landed)
    return await asyncio.shield(flight)


async def rotate_signing_key(ctx: Context, pool_id: str) -> StoredKey:
    """A new signing key for the pool; the old ones stop signing but stay published until their tokens expire."""
    return await _add_signing_key(ctx, pool_id, retire_others=True)


async def _add_signing_key(ctx: Context, pool_id: str, retire_others: bool) -> StoredKey:
    fresh = await ctx.hashing.run(token_rules.new_signing_key)
    key = StoredKey(
        kid=fresh.kid,
        pool_id=pool_id,
        private_key=fresh.private_pem,
        public_jwk=fresh.public_jwk,
        created_at=ctx.clock.now(),
    )
    await ctx.store.add_signing_key(key, retire_others=retire_others)
    # This process signs with the key it made, never parsing its PEM again (a checked parse costs as much as making it).
    ctx.key_cache[("private", key.kid)] = fresh.private
    return key


async def published_keys(ctx: Context, pool_id: str) -> list[dict[str, Any]]:
    """The pool's JWKS ``keys``: the signing key, and retired keys whose tokens may still be alive."""
    await signing_key(ctx, pool_id)
    return await ctx.store.published_keys(pool_id, ctx.clock.now() - token_rules.MAX_TOKEN_SECONDS)


async def _private_key(ctx: Context, key: StoredKey) -> Any:
    """The parsed private key of ``key``: once per kid and process, however many sign-ins ask at once (a key the
    store did not seal is checked as it is parsed, tens of milliseconds; a sealed one is not, see
    ``domain.tokens.load_private``)."""
    cached = ctx.key_cache.get(("private", key.kid))
    if cached is None:
        cached = await _single_flight(ctx, ("private", key.kid), lambda: _load_private(ctx, key))
    return cached


async def _load_private(ctx: Context, key: StoredKey) -> Any:
    loaded = await ctx.hashing.run(token_rules.load_private, key.private_key, not key.sealed)
    ctx.key_cache[("private", key.kid)] = loaded
    return loaded


async def _signer(ctx: Context, pool_id: str) -> tuple[str, Any]:
    """The ``kid`` and parsed private key that sign the pool's tokens now. A process that has parsed that key
    reads its id alone; the key's row is read (its private key unsealed) only for a kid new to this process, or
    to make the pool's first key."""
    kid = await ctx.store.signing_key_id(pool_id)
    private = ctx.key_cache.get(("private", kid)) if kid is not None else None
    if private is None:
        key = await signing_key(ctx, pool_id)
        kid, private = key.kid, await _private_key(ctx, key)
    return kid, private


def _public_key(ctx: Context, key: PublicKey) -> Any:
    cached = ctx.key_cache.get(("public", key.kid))
    if cached is None:
        cached = token_rules.load_public(key.public_jwk)
        ctx.key_cache[("public", key.kid)] = cached
    return cached


@dataclass(frozen=True)
class Grant:
    """What an OAuth 2.0 request adds to a sign-in's tokens: the scopes granted (kept with the refresh token, so
    its refreshes carry them too) and the authorize request's ``nonce`` (the ID token's, at the first issue)."""

    scopes: tuple[str, ...]
    nonce: str | None = None
    auth_time: float | None = None  # when the user signed in, if before now (a hosted-UI session's sign-in)


async def issue(
    ctx: Context,
    call: Call,
    pool: Pool,
    client: Client,
    user: User,
    origin: RefreshToken | None = None,
    grant: Grant | None = None,
    device_key: str | None = None,
) -> dict[str, Any]:
    """An ``AuthenticationResult``: access and ID tokens, and a new refresh token (a new token session, started
    from ``call``'s address and device) unless ``origin`` (the refresh token being used, without rotation) is given,
    in which case the new tokens share its ``origin_jti``, ``auth_time``, scopes and device. With an OAuth
    ``grant``, the tokens carry its scopes (and the ID token, only with ``openid``, its nonce). ``device_key``: the
    device the sign-in came from (devices), named by its access tokens and those refreshed from its refresh token."""
    now = ctx.clock.now()
    nonce = grant.nonce if grant is not None else None
    if origin is not None:
        return await _sign(ctx, pool, client, user, origin, now, nonce, call=call, refreshing=True)
    expires_at = now + token_rules.validity_seconds(client.settings, "RefreshToken")
    auth_time = grant.auth_time if grant is not None and grant.auth_time is not None else now
    refresh_token, origin = _refresh_token(client, user, ids.token_session_id(), auth_time, now, expires_at, device_key)
    if grant is not None:
        origin = dataclasses.replace(origin, scopes=" ".join(grant.scopes))
    session = TokenSession(
        id=origin.session_id,
        pool_id=pool.id,
        user_id=user.id,
        client_id=client.id,
        created_at=now,
        last_active_at=now,
        expires_at=expires_at,
        **_source(call),
    )
    tracking = await ctx.store.get_session_configuration(pool.id, session_rules.POOL_WIDE)
    await ctx.store.start_session(session, origin, keep=session_rules.max_per_user(tracking))
    return {**await _sign(ctx, pool, client, user, origin, now, nonce, call=call), "RefreshToken": refresh_token}


def _source(call: Call) -> dict[str, str | None]:
    """Where a session was last active from: the request's address and its User-Agent (as ``DeviceType``)."""
    return {"ip_address": call.source_ip, "device": call.user_agent[:1024] or None}


async def rotate(
    ctx: Context, pool: Pool, client: Client, user: User, used: RefreshToken, call: Call
) -> dict[str, Any]:
    """Refresh-token rotation: new access, ID and refresh tokens in ``used``'s session (touched, in the same write,
    as active now from ``call``'s address and device). The new refresh token ends when ``used`` would have
    (rotation slides the tokens, not the session's end), and ``used`` stays good for the client's grace period; its
    use after that revokes the session (``RefreshTokenReuseException``)."""
    now = ctx.clock.now()
    refresh_token, new = _refresh_token(
        client, user, used.session_id, used.auth_time, now, used.expires_at, used.device_key
    )
    new = dataclasses.replace(new, scopes=used.scopes)
    grace = client_rules.rotation_grace_seconds(client.settings)
    source = _source(call)
    if not await ctx.store.rotate_refresh_token(used, new, now, grace, (source["ip_address"], source["device"])):
        raise RefreshTokenReuseException(texts.REUSED_REFRESH_TOKEN)
    return {**await _sign(ctx, pool, client, user, new, now, call=call, refreshing=True), "RefreshToken": refresh_token}


def _refresh_token(
    client: Client,
    user: User,
    session_id: str,
    auth_time: float,
    now: float,
    expires_at: float,
    device_key: str | None = None,
) -> tuple[str, RefreshToken]:
    """A new opaque refresh token of ``session_id`` and its record (which keeps only its hash)."""
    token = secrets.token_urlsafe(96)
    record = RefreshToken(
        token_hash=token_hash(token),
        pool_id=client.pool_id,
        client_id=client.id,
        user_id=user.id,
        origin_jti=str(uuid.uuid4()),
        session_id=session_id,
        auth_time=auth_time,
        created_at=now,
        expires_at=expires_at,
        device_key=device_key,
    )
    return token, record


async def _sign(
    ctx: Context,
    pool: Pool,
    client: Client,
    user: User,
    origin: RefreshToken,
    now: float,
    nonce: str | None = None,
    *,
    call: Call | None = None,
    refreshing: bool = False,
) -> dict[str, Any]:
    """Access and ID tokens descending from the refresh token ``origin``, issued at ``now`` (a sign-in's tokens
    are issued when it is authenticated, ``auth_time``, however long making the pool's first key takes)."""
    kid, private = await _signer(ctx, pool.id)
    access_life = token_rules.validity_seconds(client.settings, "AccessToken")
    id_life = token_rules.validity_seconds(client.settings, "IdToken")
    # The user's groups as they are now: a refresh reflects memberships changed since the sign-in.
    groups = group_rules.group_claims(await ctx.store.groups_of_user(user.id))
    scopes = tuple(origin.scopes.split()) if origin.scopes is not None else None
    attributes = token_rules.readable(user.attributes, client.settings.get("ReadAttributes"))
    claims = token_rules.Issue(
        issuer=ctx.settings.issuer(pool.id),
        client_id=client.id,
        username=user.username,
        sub=user.sub,
        attributes=attributes if scopes is None else oauth_rules.scoped_attributes(attributes, scopes),
        auth_time=int(origin.auth_time),
        origin_jti=origin.origin_jti,
        event_id=str(uuid.uuid4()),
        now=int(now),
        groups=groups.groups,
        roles=groups.roles,
        preferred_role=groups.preferred_role,
        scopes=scopes,
        nonce=nonce,
        device_key=origin.device_key,
    )
    # An OAuth grant without ``openid`` gets no ID token.
    with_id = scopes is None or oauth_rules.OPENID in scopes

    claims_access = token_rules.access_claims(claims, access_life)
    claims_id = token_rules.id_claims(claims, id_life) if with_id else None
    # The PreTokenGeneration trigger, if the pool has one, changes the claims here (and only here): an OAuth
    # grant's first tokens are TokenGeneration_HostedAuth.
    hosted = scopes is not None and not refreshing
    await token_triggers.customise(
        ctx,
        call,
        pool,
        client,
        user,
        claims_id if claims_id is not None else {},
        claims_access,
        refreshing=refreshing,
        source=trigger_events.TOKEN_HOSTED_AUTH if hosted else None,
        user_groups=groups,
    )

    def sign_both() -> tuple[str, str | None]:
        access = token_rules.sign(claims_access, private, kid)
        if claims_id is None:
            return access, None
        if scopes is not None:  # OAuth ID tokens carry the access token's at_hash
            claims_id["at_hash"] = token_rules.at_hash(access)
        return access, token_rules.sign(claims_id, private, kid)

    access_token, id_token = await ctx.hashing.run(sign_both)
    result = {"AccessToken": access_token, "ExpiresIn": access_life, "TokenType": "Bearer"}
    if id_token is not None:
        result["IdToken"] = id_token
    return result


async def issue_client_credentials(
    ctx: Context,
    pool: Pool,
    client: Client,
    scopes: list[str],
    client_metadata: Mapping[str, str] | None = None,
    user_agent: str = "",
) -> dict[str, Any]:
    """A machine-to-machine access token (the client credentials grant): the client's own, no user, no refresh
    token. A ``V3_0`` PreTokenGeneration function changes its claims and scopes (``TokenGeneration_ClientCredentials``,
    with the request's ``client_metadata``)."""
    kid, private = await _signer(ctx, pool.id)
    lifetime = token_rules.validity_seconds(client.settings, "AccessToken")
    claims = token_rules.client_credentials_claims(
        ctx.settings.issuer(pool.id), client.id, scopes, int(ctx.clock.now()), lifetime
    )
    await token_triggers.customise_client_credentials(ctx, pool, client, claims, client_metadata, user_agent)
    access_token = await ctx.hashing.run(token_rules.sign, claims, private, kid)
    return {"AccessToken": access_token, "ExpiresIn": lifetime, "TokenType": "Bearer"}


async def refresh(
    ctx: Context,
    call: Call,
    pool: Pool,
    client: Client,
    token: str,
    check_client: Callable[[User], None],
    device_key: str | None = None,
) -> dict[str, Any]:
    """New tokens from a refresh token (REFRESH_TOKEN_AUTH and GetTokensFromRefreshToken): the token must be this
    client's, unrevoked, unexpired, of an enabled user; ``check_client`` authenticates the client (its secret) once
    the token's user is known. With the client's rotation on, the answer carries a new refresh token.

    Devices: while the pool tracks devices, a refresh token of a sign-in from a device works only with that device's
    key (``device_key``) and only while the device is confirmed and not forgotten, as in Cognito ("Invalid Refresh
    Token." otherwise)."""
    stored = await ctx.store.get_refresh_token(token_hash(token))
    user = await ctx.store.get_user(stored.user_id) if stored is not None else None
    if stored is None or user is None or stored.client_id != client.id:
        raise NotAuthorizedException(texts.INVALID_REFRESH_TOKEN)
    check_client(user)
    if stored.revoked_at is not None:
        raise NotAuthorizedException(texts.REVOKED_REFRESH_TOKEN)
    if stored.expires_at <= ctx.clock.now():
        raise NotAuthorizedException(texts.EXPIRED_REFRESH_TOKEN)
    if not user.enabled:
        raise NotAuthorizedException(texts.USER_DISABLED)
    if stored.device_key is not None and not await _device_still_good(ctx, pool, stored, device_key):
        raise NotAuthorizedException(texts.INVALID_REFRESH_TOKEN)
    if client_rules.rotation_enabled(client.settings):
        return await rotate(ctx, pool, client, user, stored, call)  # touches the session in its own write
    answer = await issue(ctx, call, pool, client, user, stored)
    await ctx.store.touch_session(stored.session_id, ctx.clock.now(), **_source(call))
    return answer


async def _device_still_good(ctx: Context, pool: Pool, stored: RefreshToken, device_key: str | None) -> bool:
    """Whether a refresh token bound to a device may be used with ``device_key`` (devices)."""
    if not device_rules.tracking(pool.settings):
        return True
    if device_key != stored.device_key:
        return False
    device = await ctx.store.get_device(device_key)
    return device is not None and device.user_id == stored.user_id and device.confirmed


@dataclass(frozen=True)
class Caller:
    """Who an access token speaks for."""

    pool: Pool
    user: User
    client_id: str
    claims: dict[str, Any]
    session_id: str


async def authenticate(ctx: Context, access_token: str, scope: str = token_rules.ACCESS_SCOPE) -> Caller:
    """Check an access token as Cognito does for GetUser & co: our signature, ``token_use: access``, not expired,
    granted ``scope`` (the user-pool API's ``aws.cognito.signin.user.admin``; ``openid`` for userInfo), its user
    still there and enabled, and not revoked (GlobalSignOut, RevokeToken)."""
    try:
        key = await ctx.store.get_public_key(token_rules.key_id(access_token))
        if key is None:
            raise token_rules.InvalidToken("")
        claims = token_rules.verified_claims(access_token, _public_key(ctx, key))  # the one full parse
        if claims.get("iss") != ctx.settings.issuer(key.pool_id):
            raise token_rules.InvalidToken("")
    except token_rules.InvalidToken:
        raise NotAuthorizedException(texts.INVALID_ACCESS_TOKEN) from None
    if claims.get("token_use") != "access" or not isinstance(claims.get("sub"), str):
        raise NotAuthorizedException(texts.INVALID_ACCESS_TOKEN)
    exp = claims.get("exp")
    if not isinstance(exp, int | float) or exp <= ctx.clock.now():
        raise NotAuthorizedException(texts.EXPIRED_ACCESS_TOKEN)
    if scope not in str(claims.get("scope", "")).split():
        raise NotAuthorizedException(texts.MISSING_SCOPES)
    pool = await lookups.require_pool(ctx.store, key.pool_id)
    user = await ctx.store.find_user_by_sub(pool.id, claims["sub"])
    if user is None:
        raise UserNotFoundException(texts.USER_NOT_FOUND)
    origin = await ctx.store.find_refresh_token_by_origin(str(claims.get("origin_jti")))
    if origin is None or origin.revoked_at is not None:
        raise NotAuthorizedException(texts.REVOKED_ACCESS_TOKEN)
    if not user.enabled:
        raise NotAuthorizedException(texts.USER_DISABLED)
    return Caller(
        pool=pool, user=user, client_id=str(claims.get("client_id")), claims=claims, session_id=origin.session_id
    )
