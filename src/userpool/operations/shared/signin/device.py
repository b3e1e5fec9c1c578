"""Remembered devices in sign-in: the device a sign-in names, the end of a proven sign-in (``DEVICE_SRP_AUTH`` for
a confirmed device, else tokens, with ``NewDeviceMetadata`` when it named no device of a tracking pool), and the
device's own proof (``DEVICE_SRP_AUTH`` then ``DEVICE_PASSWORD_VERIFIER``): Cognito's SRP with the device group key
and device key where a user's SRP has the pool name and username, against the verifier the device gave
ConfirmDevice. Which devices let a user skip MFA is the pure ``domain.devices.skips_mfa``, asked by
``flow.next_step``."""

from __future__ import annotations

import base64
import secrets
from typing import Any

from userpool.context import Context
from userpool.domain import devices as device_rules
from userpool.domain import srp, texts
from userpool.domain.records import AuthSession, Device, Pool, User
from userpool.errors import InvalidParameterException, NotAuthorizedException, ResourceNotFoundException
from userpool.operations.shared import issuing, lookups
from userpool.operations.shared.signin import auth_triggers
from userpool.operations.shared.signin.sessions import (
    SignIn,
    find_session,
    new_session,
    required,
    session_user,
    use_session,
)

DEVICE_SRP_AUTH = "DEVICE_SRP_AUTH"
DEVICE_PASSWORD_VERIFIER = "DEVICE_PASSWORD_VERIFIER"


async def sign_in_device(ctx: Context, pool: Pool, user: User, device_key: str | None) -> Device | None:
    """The device a sign-in names with ``DEVICE_KEY``: None when it names none or the pool does not track devices;
    ``ResourceNotFoundException`` when the key is no device of this user (the answer clients look for to forget a
    stale key and sign in again without it). Check it before spending a challenge session: clients retry the same
    answer without the key."""
    if not device_key or not device_rules.tracking(pool.settings):
        return None
    device = await ctx.store.get_device(device_key)
    if device is None or device.user_id != user.id:
        raise ResourceNotFoundException(texts.DEVICE_NOT_FOUND)
    return device


def skips_mfa(pool: Pool, device: Device | None) -> bool:
    return device_rules.skips_mfa(device_rules.configuration(pool.settings), device)


async def challenge_or_tokens(s: SignIn, user: User, device: Device | None) -> dict[str, Any]:
    """What ends a proven sign-in: ``DEVICE_SRP_AUTH`` when it names a confirmed device (the device must prove
    itself), else tokens."""
    if device is not None and device.confirmed:
        session = await new_session(s, user, DEVICE_SRP_AUTH, {"device_key": device.key})
        return {"ChallengeName": DEVICE_SRP_AUTH, "Session": session, "ChallengeParameters": {}}
    return {"ChallengeParameters": {}, "AuthenticationResult": await tokens(s, user, device)}


async def tokens(s: SignIn, user: User, device: Device | None) -> dict[str, Any]:
    """An ``AuthenticationResult``. In a pool that tracks devices the access token names the sign-in's device;
    a sign-in that named none gets a new one, in ``NewDeviceMetadata``."""
    ctx, call, pool, client = s.ctx, s.call, s.pool, s.client
    tracking = device_rules.tracking(pool.settings)
    # PostAuthentication, at the one point a sign-in's tokens are made: its error withholds them.
    await auth_triggers.post_authentication(s, user, new_device_used=(device is None) if tracking else None)
    if device is not None or not tracking:
        return await issuing.issue(ctx, call, pool, client, user, device_key=device.key if device else None)
    now = ctx.clock.now()
    new = Device(
        key=device_rules.new_device_key(pool.id),
        pool_id=pool.id,
        user_id=user.id,
        group_key=device_rules.new_group_key(),
        created_at=now,
        modified_at=now,
        last_authenticated_at=now,
        last_ip=call.source_ip,
    )
    await ctx.store.add_device(new, now - device_rules.UNCONFIRMED_SECONDS)
    result = await issuing.issue(ctx, call, pool, client, user, device_key=new.key)
    return {**result, "NewDeviceMetadata": {"DeviceKey": new.key, "DeviceGroupKey": new.group_key}}


# ---- DEVICE_SRP_AUTH -----------------------------------------------------------------------------------------------
async def answer_device_srp(s: SignIn, r: dict[str, str], session_token: str | None) -> dict[str, Any]:
    """The device's ``SRP_A``: the server's ``SRP_B`` against the device's verifier, its salt and a secret block,
    in a ``DEVICE_PASSWORD_VERIFIER`` challenge."""
    ctx = s.ctx
    username = required(r, "USERNAME")
    device_key = required(r, "DEVICE_KEY")
    a_hex = required(r, "SRP_A")
    lookups.check_secret_hash(s.client, username, r.get("SECRET_HASH"))
    if srp.parse_public(a_hex) is None:
        raise InvalidParameterException(texts.INVALID_SRP_A)
    session, user = await _session_and_user(s, session_token, DEVICE_SRP_AUTH, username)
    device = await _session_device(ctx, session, user, device_key)
    await use_session(ctx, session)
    assert device.verifier is not None and device.salt is not None
    verifier = srp.from_base64(device.verifier)
    salt = srp.from_base64(device.salt)
    if verifier is None or salt is None:  # checked by ConfirmDevice; a row written otherwise proves nothing
        raise NotAuthorizedException(texts.INCORRECT_PASSWORD)
    challenge = await ctx.hashing.run(srp.start, verifier)
    block = secrets.token_bytes(64)
    data = {"device_key": device.key, "A": a_hex, "b": challenge.b, "B": challenge.B, "block": block.hex()}
    token = await new_session(s, user, DEVICE_PASSWORD_VERIFIER, data)
    return {
        "ChallengeName": DEVICE_PASSWORD_VERIFIER,
        "Session": token,
        "ChallengeParameters": {
            "DEVICE_KEY": device.key,
            "SALT": salt,
            "SECRET_BLOCK": base64.b64encode(block).decode(),
            "SRP_B": challenge.B,
            "USERNAME": user.username,
        },
    }


# ---- DEVICE_PASSWORD_VERIFIER ------------------------------------------------------------------------------------
async def answer_device_password_verifier(s: SignIn, r: dict[str, str], session_token: str | None) -> dict[str, Any]:
    """The device's proof of the shared key: tokens naming the device (no new one), its last sign-in recorded."""
    ctx = s.ctx
    username = required(r, "USERNAME")
    device_key = required(r, "DEVICE_KEY")
    claim = srp.read_claim(r)
    lookups.check_secret_hash(s.client, username, r.get("SECRET_HASH"))
    session, user = await _session_and_user(s, session_token, DEVICE_PASSWORD_VERIFIER, username)
    data = session.data
    if claim.secret_block.hex() != data["block"]:
        raise NotAuthorizedException(texts.INVALID_SESSION)
    device = await _session_device(ctx, session, user, device_key)
    # One answer per challenge: a wrong signature spends the session.
    await use_session(ctx, session)
    verifier = srp.from_base64(device.verifier or "")
    challenge = srp.Challenge(b=data["b"], B=data["B"])

    def proven() -> bool:
        if verifier is None:
            return False
        key = srp.session_key(data["A"], challenge, verifier)
        return key is not None and srp.device_signature_matches(
            key, device.group_key, device.key, claim.secret_block, claim.timestamp, claim.signature
        )

    if not await ctx.hashing.run(proven):
        raise NotAuthorizedException(texts.INCORRECT_PASSWORD)  # (unverified wording for a wrong device proof)
    await ctx.store.touch_device(device.key, ctx.clock.now(), s.call.source_ip)
    return {"ChallengeParameters": {}, "AuthenticationResult": await tokens(s, user, device)}


# ---- the sessions of the two device steps --------------------------------------------------------------------------
async def _session_and_user(s: SignIn, token: str | None, challenge: str, username: str) -> tuple[AuthSession, User]:
    """The live, unused session of this client and challenge, and its user, whom ``username`` must name."""
    session = await find_session(s.ctx, s.client, token, challenge)
    user = await session_user(s.ctx, s.pool, session, username)
    if user is None:
        raise NotAuthorizedException(texts.INCORRECT_PASSWORD)
    if not user.enabled:
        raise NotAuthorizedException(texts.USER_DISABLED)
    return session, user


async def _session_device(ctx: Context, session: AuthSession, user: User, device_key: str) -> Device:
    """The session's device, still there and confirmed, which ``device_key`` must name."""
    if device_key != session.data["device_key"]:
        raise NotAuthorizedException(texts.INVALID_SESSION)
    device = await ctx.store.get_device(device_key)
    if device is None or device.user_id != user.id or not device.confirmed:
        raise ResourceNotFoundException(texts.DEVICE_NOT_FOUND)
    return device
