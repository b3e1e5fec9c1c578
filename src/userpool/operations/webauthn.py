"""Passkeys: StartWebAuthnRegistration, CompleteWebAuthnRegistration, ListWebAuthnCredentials and
DeleteWebAuthnCredential, for the user of an access token. Signing in with a passkey is the ``WEB_AUTHN`` strategy
of the sign-in flow engine (``shared/signin/webauthn.py``, which also finds the pool's relying party); the rules
and the verification are ``domain/webauthn.py``.

A registration's challenge is kept server-side as a challenge session (``auth_sessions``, by the challenge's hash,
named ``WEB_AUTHN_REGISTRATION``): the user's, the app client's of the access token that started it, five minutes,
spent by the first CompleteWebAuthnRegistration that names it, whatever its outcome."""

from __future__ import annotations

from typing import Any

from userpool.context import Call, Context
from userpool.domain import texts
from userpool.domain import webauthn as rules
from userpool.domain.records import AuthSession, WebAuthnCredential
from userpool.errors import (
    InvalidParameterException,
    LimitExceededException,
    ResourceNotFoundException,
    WebAuthnChallengeNotFoundException,
    WebAuthnClientMismatchException,
)
from userpool.operations.shared import issuing
from userpool.operations.shared.signin.webauthn import relying_party
from userpool.store import Conflict, InvalidToken, LimitReached

REGISTRATION = "WEB_AUTHN_REGISTRATION"  # the challenge session's name


async def start_web_authn_registration(ctx: Context, call: Call) -> dict[str, Any]:
    caller = await issuing.authenticate(ctx, call.params["AccessToken"])
    pool, user = caller.pool, caller.user
    rp_id = await relying_party(ctx, pool)
    existing = await ctx.store.webauthn_credentials_of_user(user.id)
    if len(existing) >= rules.CREDENTIAL_LIMIT:
        raise LimitExceededException(texts.WEBAUTHN_CREDENTIAL_LIMIT.format(limit=rules.CREDENTIAL_LIMIT))
    challenge = rules.new_challenge()
    now = ctx.clock.now()
    await ctx.store.add_session(
        AuthSession(
            id_hash=issuing.token_hash(challenge),
            pool_id=pool.id,
            client_id=caller.client_id,
            user_id=user.id,
            challenge=REGISTRATION,
            data={"rp_id": rp_id},
            created_at=now,
            expires_at=now + rules.REGISTRATION_SECONDS,
        )
    )
    options = rules.creation_options(
        rp_id,
        user.sub,
        user.username,
        challenge,
        [c.credential_id for c in existing],
        rules.user_verification(pool.settings),
    )
    return {"CredentialCreationOptions": options}


async def complete_web_authn_registration(ctx: Context, call: Call) -> dict[str, Any]:
    caller = await issuing.authenticate(ctx, call.params["AccessToken"])
    pool, user = caller.pool, caller.user
    await relying_party(ctx, pool)  # passkeys still on
    presented = rules.presented_registration(call.params["Credential"])
    now = ctx.clock.now()
    session = await ctx.store.get_session(issuing.token_hash(presented.challenge))
    if (
        session is None
        or session.challenge != REGISTRATION
        or session.user_id != user.id
        or session.used_at is not None
        or session.expires_at <= now
    ):
        raise WebAuthnChallengeNotFoundException(texts.WEBAUTHN_CHALLENGE_NOT_FOUND)
    if session.client_id != caller.client_id:
        raise WebAuthnClientMismatchException(texts.WEBAUTHN_CLIENT_MISMATCH)
    if not await ctx.store.use_session(session.id_hash, now):
        raise WebAuthnChallengeNotFoundException(texts.WEBAUTHN_CHALLENGE_NOT_FOUND)
    rp_id = str(session.data["rp_id"])
    registered = rules.verify_registration(
        presented, presented.challenge, rp_id, rules.user_verification(pool.settings)
    )
    credential = WebAuthnCredential(
        pool_id=pool.id,
        credential_id=registered.credential_id,
        user_id=user.id,
        public_key=registered.public_key,
        sign_count=registered.sign_count,
        relying_party_id=rp_id,
        friendly_name=rules.friendly_name(now),
        transports=registered.transports,
        attachment=registered.attachment,
        created_at=now,
    )
    try:
        await ctx.store.add_webauthn_credential(credential, rules.CREDENTIAL_LIMIT)
    except Conflict:
        raise InvalidParameterException(texts.WEBAUTHN_CREDENTIAL_EXISTS) from None
    except LimitReached:
        raise LimitExceededException(texts.WEBAUTHN_CREDENTIAL_LIMIT.format(limit=rules.CREDENTIAL_LIMIT)) from None
    return {}


async def list_web_authn_credentials(ctx: Context, call: Call) -> dict[str, Any]:
    caller = await issuing.authenticate(ctx, call.params["AccessToken"])
    limit = call.params.get("MaxResults") or rules.CREDENTIAL_LIMIT
    try:
        found, token = await ctx.store.list_webauthn_credentials(caller.user.id, limit, call.params.get("NextToken"))
    except InvalidToken:
        raise InvalidParameterException(texts.INVALID_PAGINATION_TOKEN) from None
    result: dict[str, Any] = {"Credentials": [rules.describe(c) for c in found]}
    if token:
        result["NextToken"] = token
    return result


async def delete_web_authn_credential(ctx: Context, call: Call) -> dict[str, Any]:
    caller = await issuing.authenticate(ctx, call.params["AccessToken"])
    if not await ctx.store.delete_webauthn_credential(caller.pool.id, call.params["CredentialId"], caller.user.id):
        raise ResourceNotFoundException(texts.WEBAUTHN_CREDENTIAL_NOT_FOUND)
    return {}


OPERATIONS = {
    "StartWebAuthnRegistration": start_web_authn_registration,
    "CompleteWebAuthnRegistration": complete_web_authn_registration,
    "ListWebAuthnCredentials": list_web_authn_credentials,
    "DeleteWebAuthnCredential": delete_web_authn_credential,
}
