"""Sign-in: InitiateAuth, AdminInitiateAuth, RespondToAuthChallenge, AdminRespondToAuthChallenge.

Flows: USER_PASSWORD_AUTH, ADMIN_USER_PASSWORD_AUTH (legacy ADMIN_NO_SRP_AUTH), USER_SRP_AUTH with its
PASSWORD_VERIFIER challenge, REFRESH_TOKEN_AUTH (REFRESH_TOKEN), and NEW_PASSWORD_REQUIRED for users made by
AdminCreateUser. Remembered devices (``shared/device_auth.py``) join at the points marked "devices": the device a
``DEVICE_KEY`` names, ``NewDeviceMetadata`` where tokens are issued, DEVICE_SRP_AUTH and DEVICE_PASSWORD_VERIFIER.
Challenge state lives in the store (``auth_sessions``), used once, for the client's AuthSessionValidity minutes.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import json
import secrets
from typing import Any

from userpool.context import Call, Context
from userpool.domain import attributes as attribute_rules
from userpool.domain import auth_events as events
from userpool.domain import clients as client_rules
from userpool.domain import flows, passwords, secret_hash, srp, texts
from userpool.domain import pools as pool_rules
from userpool.domain.records import AuthSession, Client, Device, Pool, User
from userpool.domain.users import UserStatus
from userpool.errors import (
    InvalidParameterException,
    NotAuthorizedException,
    PasswordResetRequiredException,
    UnsupportedOperationException,
    UserNotConfirmedException,
)
from userpool.operations.shared import device_auth, issuing, lookups, threat_protection, user_passwords

PASSWORD_VERIFIER = "PASSWORD_VERIFIER"
NEW_PASSWORD_REQUIRED = "NEW_PASSWORD_REQUIRED"


def _required(params: dict[str, str], name: str) -> str:
    value = params.get(name)
    if value is None or value == "":
        raise InvalidParameterException(texts.MISSING_PARAMETER.format(name=name))
    return value


# ---- entry points ----------------------------------------------------------------------------------------------
async def initiate_auth(ctx: Context, call: Call) -> dict[str, Any]:
    client, pool = await lookups.client_and_pool(ctx.store, call.params["ClientId"], call)
    return await _initiate(ctx, call, pool, client, False)


async def admin_initiate_auth(ctx: Context, call: Call) -> dict[str, Any]:
    pool = await lookups.require_pool(ctx.store, call.params["UserPoolId"])
    client = await lookups.require_client(ctx.store, call.params["ClientId"], pool.id)
    return await _initiate(ctx, call, pool, client, True)


async def respond_to_auth_challenge(ctx: Context, call: Call) -> dict[str, Any]:
    client, pool = await lookups.client_and_pool(ctx.store, call.params["ClientId"], call)
    return await _respond(ctx, call, pool, client)


async def admin_respond_to_auth_challenge(ctx: Context, call: Call) -> dict[str, Any]:
    pool = await lookups.require_pool(ctx.store, call.params["UserPoolId"])
    client = await lookups.require_client(ctx.store, call.params["ClientId"], pool.id)
    return await _respond(ctx, call, pool, client)


async def _initiate(ctx: Context, call: Call, pool: Pool, client: Client, admin: bool) -> dict[str, Any]:
    flow: str = call.params["AuthFlow"]
    params: dict[str, str] = call.params.get("AuthParameters") or {}
    allowed = client.settings.get("ExplicitAuthFlows") or []
    if flow in ("CUSTOM_AUTH", "USER_AUTH"):
        raise UnsupportedOperationException(f"userpool does not implement the {flow} flow yet.")
    supported = {flows.SRP, *flows.REFRESH, *(flows.ADMIN_PASSWORD if admin else (flows.USER_PASSWORD,))}
    if flow not in supported:
        raise InvalidParameterException("Initiate Auth method not supported.")
    # A client that rotates refresh tokens refreshes only through GetTokensFromRefreshToken, as in Cognito.
    if not flows.enabled(allowed, flow) or (flow in flows.REFRESH and client_rules.rotation_enabled(client.settings)):
        raise InvalidParameterException(flows.not_enabled_message(flow))
    if flow in flows.REFRESH:
        return await _refresh(ctx, call, pool, client, params)
    if flow == flows.SRP:
        return await _srp_start(ctx, pool, client, params)
    return await _password_sign_in(ctx, call, pool, client, params)


async def _respond(ctx: Context, call: Call, pool: Pool, client: Client) -> dict[str, Any]:
    p = call.params
    responses = p.get("ChallengeResponses") or {}
    name = p["ChallengeName"]
    if name == PASSWORD_VERIFIER:
        return await _srp_verify(ctx, call, pool, client, responses)
    if name == NEW_PASSWORD_REQUIRED:
        return await _new_password(ctx, call, pool, client, p.get("Session"), responses)
    # devices: a remembered device proves itself after the user's factors (shared/device_auth.py)
    if name == device_auth.DEVICE_SRP_AUTH:
        return await device_auth.answer_device_srp(ctx, call, pool, client, p.get("Session"), responses)
    if name == device_auth.DEVICE_PASSWORD_VERIFIER:
        return await device_auth.answer_device_password_verifier(ctx, call, pool, client, p.get("Session"), responses)
    raise UnsupportedOperationException(f"userpool does not implement the {name} challenge yet.")


# ---- shared steps ----------------------------------------------------------------------------------------------
def _check_not_locked(ctx: Context, user: User) -> None:
    if user_passwords.locked_out(ctx, user):
        raise NotAuthorizedException(texts.PASSWORD_ATTEMPTS_EXCEEDED)


async def _after_password(
    ctx: Context, call: Call, pool: Pool, client: Client, user: User, device: Device | None = None
) -> dict[str, Any]:
    """The user proved the password: answer with tokens, or with the challenge or error its state calls for
    (``device``: the known device the sign-in named, which must then prove itself)."""
    if not user.enabled:
        raise NotAuthorizedException(texts.USER_DISABLED)
    if user.status == UserStatus.UNCONFIRMED:
        raise UserNotConfirmedException(texts.NOT_CONFIRMED)
    if user.status == UserStatus.RESET_REQUIRED:
        raise PasswordResetRequiredException(texts.PASSWORD_RESET_REQUIRED)
    if user.failed_sign_ins:
        await ctx.store.reset_sign_in_failures(user.id)
    if user.status == UserStatus.FORCE_CHANGE_PASSWORD:
        if user.password_expires_at is not None and ctx.clock.now() > user.password_expires_at:
            raise NotAuthorizedException(texts.TEMPORARY_PASSWORD_EXPIRED)
        session = await _new_session(ctx, pool, client, user, NEW_PASSWORD_REQUIRED, {})
        return {
            "ChallengeName": NEW_PASSWORD_REQUIRED,
            "Session": session,
            "ChallengeParameters": {
                "USER_ID_FOR_SRP": user.username,
                "requiredAttributes": json.dumps(
                    [f"userAttributes.{n}" for n in _missing_required(pool, user.attributes)]
                ),
                "userAttributes": json.dumps({n: v for n, v in user.attributes.items() if n != "sub"}),
            },
        }
    return await device_auth.challenge_or_tokens(ctx, call, pool, client, user, device)  # devices


async def _proven(
    ctx: Context, call: Call, pool: Pool, client: Client, user: User, device: Device | None = None
) -> dict[str, Any]:
    """``_after_password``, with the sign-in recorded in the user's event history: ``Pass`` when it goes on,
    ``Fail`` when the user's state refuses it although the password was right."""
    try:
        result = await _after_password(ctx, call, pool, client, user, device)
    except (NotAuthorizedException, UserNotConfirmedException, PasswordResetRequiredException):
        await _record_sign_in(ctx, call, pool, client, user, events.FAIL, events.PASSWORD_SUCCESS)
        raise
    await _record_sign_in(ctx, call, pool, client, user, events.PASS, events.PASSWORD_SUCCESS)
    return result


async def _record_sign_in(
    ctx: Context,
    call: Call,
    pool: Pool,
    client: Client,
    user: User,
    response: str,
    challenge_responses: tuple[dict[str, str], ...],
) -> None:
    await threat_protection.record_event(
        ctx, call, pool, user, events.SIGN_IN, response, client=client, challenge_responses=challenge_responses
    )


def _missing_required(pool: Pool, attributes: dict[str, str]) -> list[str]:
    return attribute_rules.missing_required(pool.settings["SchemaAttributes"], attributes)


async def _new_session(
    ctx: Context, pool: Pool, client: Client, user: User | None, challenge: str, data: dict[str, Any], token: str = ""
) -> str:
    """Store a challenge session; the opaque value the client gets back (only its hash is stored)."""
    token = token or secrets.token_urlsafe(96)
    now = ctx.clock.now()
    minutes = int(client.settings.get("AuthSessionValidity", 3))
    await ctx.store.add_session(
        AuthSession(
            id_hash=issuing.token_hash(token),
            pool_id=pool.id,
            client_id=client.id,
            user_id=user.id if user else None,
            challenge=challenge,
            data=data,
            created_at=now,
            expires_at=now + minutes * 60,
        )
    )
    return token


async def _find_session(ctx: Context, client: Client, token: str, challenge: str) -> AuthSession:
    session = await ctx.store.get_session(issuing.token_hash(token))
    if session is None or session.client_id != client.id or session.challenge != challenge:
        raise NotAuthorizedException(texts.INVALID_SESSION)
    if session.used_at is not None:
        raise NotAuthorizedException(texts.SESSION_USED)
    if session.expires_at <= ctx.clock.now():
        raise NotAuthorizedException(texts.SESSION_EXPIRED)
    return session


async def _use_session(ctx: Context, session: AuthSession) -> None:
    if not await ctx.store.use_session(session.id_hash, ctx.clock.now()):
        raise NotAuthorizedException(texts.SESSION_USED)


async def _session_user(ctx: Context, pool: Pool, session: AuthSession, username: str) -> User | None:
    """The session's user, when ``username`` names it (by username or sign-in alias)."""
    if session.user_id is None:
        return None
    user = await ctx.store.get_user(session.user_id)
    if user is None:
        return None
    if username == user.username:
        return user
    named = await lookups.find_user(ctx.store, pool, username)
    return user if named is not None and named.id == user.id else None


async def _remember_verifier(ctx: Context, pool: Pool, user: User, password: str) -> None:
    """Users whose password predates SRP support get their verifier the first time they sign in with it."""
    verifier = await ctx.hashing.run(srp.make_verifier, pool.id, user.username, password)
    await ctx.store.set_verifier(user.id, verifier.salt, verifier.verifier)


# ---- USER_PASSWORD_AUTH / ADMIN_USER_PASSWORD_AUTH ---------------------------------------------------------------
async def _password_sign_in(
    ctx: Context, call: Call, pool: Pool, client: Client, params: dict[str, str]
) -> dict[str, Any]:
    username = _required(params, "USERNAME")
    password = _required(params, "PASSWORD")
    lookups.check_secret_hash(client, username, params.get("SECRET_HASH"))
    user = await lookups.user_for_client(ctx.store, client, pool, username, texts.USER_NOT_FOUND)
    if user is None or user.password_hash is None:
        # As long as a real user's check: a generic answer must not be told apart by its timing either.
        await ctx.hashing.verify_dummy(password)
        raise NotAuthorizedException(texts.INCORRECT_PASSWORD)
    _check_not_locked(ctx, user)
    if not await ctx.hashing.verify(user.password_hash, password):
        await user_passwords.count_failure(ctx, user)
        await _record_sign_in(ctx, call, pool, client, user, events.FAIL, events.PASSWORD_FAILURE)
        raise NotAuthorizedException(texts.INCORRECT_PASSWORD)
    if user.srp_verifier is None:
        await _remember_verifier(ctx, pool, user, password)
    device = await device_auth.sign_in_device(ctx, pool, user, params.get("DEVICE_KEY"))  # devices
    return await _proven(ctx, call, pool, client, user, device)


# ---- USER_SRP_AUTH ---------------------------------------------------------------------------------------------
def _decoy_salt(pool: Pool, key_material: str, name: str) -> str:
    """A salt for a user who does not exist, the same on every attempt (a changing salt would tell)."""
    digest = hmac.new(hashlib.sha256(key_material.encode()).digest(), f"{pool.id}\0{name}".encode(), "sha256")
    return format(int.from_bytes(digest.digest()[:16], "big") | 1 << 127, "x")


async def _srp_start(ctx: Context, pool: Pool, client: Client, params: dict[str, str]) -> dict[str, Any]:
    username = _required(params, "USERNAME")
    a_hex = _required(params, "SRP_A")
    lookups.check_secret_hash(client, username, params.get("SECRET_HASH"))
    if srp.parse_public(a_hex) is None:
        raise InvalidParameterException(texts.INVALID_SRP_A)
    user = await lookups.user_for_client(ctx.store, client, pool, username, texts.USER_NOT_FOUND)
    if user is not None and user.srp_verifier is not None and user.srp_salt is not None:
        salt, verifier, srp_id = user.srp_salt, user.srp_verifier, user.username
    else:
        # No user (or no verifier yet): a challenge that looks like a real one and that no password answers.
        key = await issuing.signing_key(ctx, pool.id)
        salt = _decoy_salt(pool, key.private_key, username)
        verifier = format(secrets.randbits(3072) % srp.N, "x")
        srp_id = user.username if user is not None else username
    challenge = await ctx.hashing.run(srp.start, verifier)
    block = secrets.token_bytes(64)
    data = {"A": a_hex, "b": challenge.b, "B": challenge.B, "verifier": verifier, "srp_id": srp_id}
    if params.get("DEVICE_KEY"):  # devices: the key may come here or with the PASSWORD_VERIFIER answer
        data["device_key"] = params["DEVICE_KEY"]
    await _new_session(
        ctx, pool, client, user if user and user.srp_verifier else None, PASSWORD_VERIFIER, data, block.hex()
    )
    return {
        "ChallengeName": PASSWORD_VERIFIER,
        "ChallengeParameters": {
            "SALT": salt,
            "SECRET_BLOCK": base64.b64encode(block).decode(),
            "SRP_B": challenge.B,
            "USERNAME": srp_id,
            "USER_ID_FOR_SRP": srp_id,
        },
    }


async def _srp_verify(ctx: Context, call: Call, pool: Pool, client: Client, r: dict[str, str]) -> dict[str, Any]:
    username = _required(r, "USERNAME")
    block_b64 = _required(r, "PASSWORD_CLAIM_SECRET_BLOCK")
    signature = _required(r, "PASSWORD_CLAIM_SIGNATURE")
    timestamp = srp.canonical_timestamp(_required(r, "TIMESTAMP"))
    lookups.check_secret_hash(client, username, r.get("SECRET_HASH"))
    if timestamp is None:
        raise InvalidParameterException(texts.SRP_TIMESTAMP_FORMAT)
    try:
        block = base64.b64decode(block_b64, validate=True)
    except (binascii.Error, ValueError):
        raise NotAuthorizedException(texts.INVALID_SESSION) from None
    session = await _find_session(ctx, client, block.hex(), PASSWORD_VERIFIER)
    user = await _session_user(ctx, pool, session, username)
    if session.user_id is not None and user is None and username != session.data["srp_id"]:
        raise NotAuthorizedException(texts.INCORRECT_PASSWORD)
    if user is not None:
        _check_not_locked(ctx, user)
    data = session.data
    challenge = srp.Challenge(b=data["b"], B=data["B"])

    def proven() -> bool:
        key = srp.session_key(data["A"], challenge, data["verifier"])
        return key is not None and srp.signature_matches(key, pool.id, data["srp_id"], block, timestamp, signature)

    right = await ctx.hashing.run(proven) and user is not None
    # devices: an unknown DEVICE_KEY is refused (to a right proof only) before the session is spent: clients answer
    # again without it.
    device = None
    if right and user is not None:
        device = await device_auth.sign_in_device(ctx, pool, user, r.get("DEVICE_KEY") or data.get("device_key"))
    # One answer per challenge: a wrong signature spends the session, so each guess costs a new InitiateAuth.
    await _use_session(ctx, session)
    if not right or user is None:
        if user is not None:
            await user_passwords.count_failure(ctx, user)
            await _record_sign_in(ctx, call, pool, client, user, events.FAIL, events.PASSWORD_FAILURE)
        raise NotAuthorizedException(texts.INCORRECT_PASSWORD)
    return await _proven(ctx, call, pool, client, user, device)


# ---- NEW_PASSWORD_REQUIRED -------------------------------------------------------------------------------------
async def _new_password(
    ctx: Context, call: Call, pool: Pool, client: Client, session_token: str | None, r: dict[str, str]
) -> dict[str, Any]:
    username = _required(r, "USERNAME")
    new_password = _required(r, "NEW_PASSWORD")
    lookups.check_secret_hash(client, username, r.get("SECRET_HASH"))
    if not session_token:
        raise InvalidParameterException(texts.MISSING_PARAMETER.format(name="Session"))
    session = await _find_session(ctx, client, session_token, NEW_PASSWORD_REQUIRED)
    user = await _session_user(ctx, pool, session, username)
    if user is None:
        raise NotAuthorizedException(texts.INCORRECT_PASSWORD)
    passwords.check_policy(new_password, pool_rules.password_policy(pool.settings), texts.CHANGE_POLICY_PREFIX)
    attributes = {k.removeprefix("userAttributes."): v for k, v in r.items() if k.startswith("userAttributes.")}
    attribute_rules.check_known(attributes, attribute_rules.schema_by_name(pool.settings["SchemaAttributes"]))
    missing = [n for n in _missing_required(pool, user.attributes) if not attributes.get(n)]
    if missing:
        raise attribute_rules.schema_error([texts.REQUIRED_ATTRIBUTE.format(name=n) for n in missing])
    device = await device_auth.sign_in_device(ctx, pool, user, r.get("DEVICE_KEY"))  # devices
    await _use_session(ctx, session)
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
    await threat_protection.record_event(ctx, call, pool, user, events.PASSWORD_CHANGE, client=client)
    return await device_auth.challenge_or_tokens(ctx, call, pool, client, user, device)  # devices


# ---- REFRESH_TOKEN_AUTH ----------------------------------------------------------------------------------------
async def _refresh(ctx: Context, call: Call, pool: Pool, client: Client, params: dict[str, str]) -> dict[str, Any]:
    token = _required(params, "REFRESH_TOKEN")

    def check_secret_hash(user: User) -> None:
        if client.secret is None:
            return
        sent = params.get("SECRET_HASH")
        # The hash may be made with the stored username (the sub in email/phone pools) or the name the user
        # signed in with.
        named = params.get("USERNAME")
        if sent is None or not any(
            secret_hash.verify_any(client.secret_values, name, client.id, sent)
            for name in {user.username, named}
            if name
        ):
            lookups.check_secret_hash(client, user.username, sent)

    return {
        "ChallengeParameters": {},
        "AuthenticationResult": await issuing.refresh(
            ctx,
            call,
            pool,
            client,
            token,
            check_secret_hash,
            params.get("DEVICE_KEY"),  # devices
        ),
    }


OPERATIONS = {
    "InitiateAuth": initiate_auth,
    "AdminInitiateAuth": admin_initiate_auth,
    "RespondToAuthChallenge": respond_to_auth_challenge,
    "AdminRespondToAuthChallenge": admin_respond_to_auth_challenge,
}
