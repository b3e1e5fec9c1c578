"""The SRP strategy: ``USER_SRP_AUTH`` (the client's ``SRP_A``; we answer ``PASSWORD_VERIFIER`` with salt, ``SRP_B``
and a secret block) and the ``PASSWORD_VERIFIER`` answer (the client's proof of the password)."""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import secrets
from typing import Any

from userpool.domain import auth_events as events
from userpool.domain import srp, texts
from userpool.domain.records import Pool, User
from userpool.errors import InvalidParameterException, NotAuthorizedException
from userpool.operations.shared import issuing, lookups, user_passwords
from userpool.operations.shared.signin import device, flow
from userpool.operations.shared.signin.sessions import (
    SignIn,
    carried,
    find_session,
    new_session,
    required,
    session_user,
    use_session,
)

PASSWORD_VERIFIER = "PASSWORD_VERIFIER"


def _decoy_salt(pool: Pool, key_material: str, name: str) -> str:
    """A salt for a user who does not exist, the same on every attempt (a changing salt would tell)."""
    digest = hmac.new(hashlib.sha256(key_material.encode()).digest(), f"{pool.id}\0{name}".encode(), "sha256")
    return format(int.from_bytes(digest.digest()[:16], "big") | 1 << 127, "x")


async def start(
    s: SignIn, params: dict[str, str], session: str | None = None, *, custom: dict[str, Any] | None = None
) -> dict[str, Any]:
    """``USER_SRP_AUTH``; with ``custom``, the password step a CUSTOM_AUTH flow asked for (``custom.py``)."""
    ctx, pool, client = s.ctx, s.pool, s.client
    username = required(params, "USERNAME")
    a_hex = required(params, "SRP_A")
    lookups.check_secret_hash(client, username, params.get("SECRET_HASH"))
    if srp.parse_public(a_hex) is None:
        raise InvalidParameterException(texts.INVALID_SRP_A)
    user = await lookups.user_for_client(ctx.store, client, pool, username, texts.USER_NOT_FOUND)
    flow.refuse_imported(s, user)
    return await challenge(s, user, username, a_hex, params, custom=custom)


async def challenge(
    s: SignIn,
    user: User | None,
    username: str,
    a_hex: str,
    params: dict[str, str],
    *,
    custom: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """The ``PASSWORD_VERIFIER`` challenge for ``user`` (None: a user the client hides, named ``username``), the
    client's ``SRP_A`` checked by the caller; ``params`` are the sign-in's first AuthParameters."""
    ctx, pool = s.ctx, s.pool
    if user is not None and user.srp_verifier is not None and user.srp_salt is not None:
        salt, verifier, srp_id = user.srp_salt, user.srp_verifier, user.username
    else:
        # No user (or no verifier yet): a challenge that looks like a real one and that no password answers.
        key = await issuing.signing_key(ctx, pool.id)
        salt = _decoy_salt(pool, key.private_key, username)
        verifier = format(secrets.randbits(3072) % srp.N, "x")
        srp_id = user.username if user is not None else username
    started = await ctx.hashing.run(srp.start, verifier)
    block = secrets.token_bytes(64)
    data = {
        "A": a_hex,
        "b": started.b,
        "B": started.B,
        "verifier": verifier,
        "srp_id": srp_id,
        "auth_parameters": carried(params),
    }
    if custom is not None:
        data["custom"] = custom
    await new_session(s, user if user and user.srp_verifier else None, PASSWORD_VERIFIER, data, block.hex())
    return {
        "ChallengeName": PASSWORD_VERIFIER,
        "ChallengeParameters": {
            "SALT": salt,
            "SECRET_BLOCK": base64.b64encode(block).decode(),
            "SRP_B": started.B,
            "USERNAME": srp_id,
            "USER_ID_FOR_SRP": srp_id,
        },
    }


async def answer_password_verifier(s: SignIn, r: dict[str, str], session_token: str | None = None) -> dict[str, Any]:
    """The ``PASSWORD_VERIFIER`` answer. Its session is the secret block (the client sends no ``Session``)."""
    ctx, pool, client = s.ctx, s.pool, s.client
    username = required(r, "USERNAME")
    block_b64 = required(r, "PASSWORD_CLAIM_SECRET_BLOCK")
    signature = required(r, "PASSWORD_CLAIM_SIGNATURE")
    timestamp = srp.canonical_timestamp(required(r, "TIMESTAMP"))
    lookups.check_secret_hash(client, username, r.get("SECRET_HASH"))
    if timestamp is None:
        raise InvalidParameterException(texts.SRP_TIMESTAMP_FORMAT)
    try:
        block = base64.b64decode(block_b64, validate=True)
    except (binascii.Error, ValueError):
        raise NotAuthorizedException(texts.INVALID_SESSION) from None
    session = await find_session(ctx, client, block.hex(), PASSWORD_VERIFIER)
    user = await session_user(ctx, pool, session, username)
    if session.user_id is not None and user is None and username != session.data["srp_id"]:
        raise NotAuthorizedException(texts.INCORRECT_PASSWORD)
    if user is not None:
        flow.check_not_locked(ctx, user)
    data = session.data
    challenge = srp.Challenge(b=data["b"], B=data["B"])
    # The device key of the first step, or this answer's (a client may send it with either).
    parameters = {**data.get("auth_parameters", {}), **carried(r)}

    def proven() -> bool:
        key = srp.session_key(data["A"], challenge, data["verifier"])
        return key is not None and srp.signature_matches(key, pool.id, data["srp_id"], block, timestamp, signature)

    right = await ctx.hashing.run(proven) and user is not None
    if right and user is not None:
        # An unknown DEVICE_KEY is refused (to a right proof only) before the session is spent: clients such as
        # amazon-cognito-identity-js then answer again without it.
        await device.sign_in_device(ctx, pool, user, parameters.get("DEVICE_KEY"))
    # One answer per challenge: a wrong signature spends the session, so each guess costs a new InitiateAuth.
    await use_session(ctx, session)
    if not right or user is None:
        if user is not None:
            await user_passwords.count_failure(ctx, user)
            await flow.record_sign_in(s, user, events.FAIL, events.PASSWORD_FAILURE)
        raise NotAuthorizedException(texts.INCORRECT_PASSWORD)
    if "custom" in data:  # SRP within CUSTOM_AUTH: the custom flow goes on (imported here: custom imports srp)
        from userpool.operations.shared.signin import custom

        return await custom.after_password(s, user, data["custom"])
    return await flow.proven(s, user, parameters)
