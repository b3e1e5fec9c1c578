"""Records for the Store contract suite: a new pool per test (so tests sharing a database never meet), app clients,
users, codes, tokens, sessions and auth events with plausible values."""

from __future__ import annotations

import secrets
import uuid
from typing import Any

from userpool.domain import ids
from userpool.domain.records import (
    AuthEvent,
    AuthSession,
    Client,
    Confirmation,
    Device,
    NewCode,
    NewUser,
    Pool,
    RefreshToken,
    StoredKey,
    TokenSession,
    WebAuthnCredential,
)
from userpool.store import Store

NOW = 1_700_000_000.0


def unique(prefix: str = "") -> str:
    return prefix + secrets.token_hex(6)


async def new_pool(store: Store, name: str = "contract") -> Pool:
    pool = Pool(
        id=f"us-east-1_{unique()}", name=name, settings={"MfaConfiguration": "OFF"}, created_at=NOW, modified_at=NOW
    )
    await store.create_pool(pool)
    return pool


async def new_client(store: Store, pool: Pool, secret: str | None = None, name: str = "app") -> Client:
    client = Client(
        id=unique("client"),
        pool_id=pool.id,
        name=name,
        secret=secret,
        settings={"ExplicitAuthFlows": ["ALLOW_USER_PASSWORD_AUTH"]},
        created_at=NOW,
        modified_at=NOW,
    )
    await store.create_client(client)
    return client


def new_user(
    pool: Pool,
    username: str,
    email: str | None = None,
    status: str = "UNCONFIRMED",
    **fields: Any,
) -> NewUser:
    """A user of ``pool`` whose email (when given) is a username attribute: a key it claims at sign-up."""
    sub = fields.pop("sub", str(uuid.uuid4()))
    attributes = {"sub": sub, **({"email": email, "email_verified": "false"} if email else {})}
    return NewUser(
        pool_id=pool.id,
        username=username,
        username_key=username.lower(),
        sub=sub,
        status=status,
        password_hash="argon2id$hash",
        created_at=NOW,
        attributes=attributes,
        keys=[("email", email.lower())] if email else [],
        **fields,
    )


def new_code(purpose: str = "signup", attribute: str | None = "email") -> NewCode:
    return NewCode(purpose=purpose, code_hash=unique("hash"), attribute=attribute, expires_at=NOW + 86400)


def confirmation(user_id: int, **fields: Any) -> Confirmation:
    values: dict[str, Any] = {
        "user_id": user_id,
        "from_status": "UNCONFIRMED",
        "to_status": "CONFIRMED",
        "verify": [],
        "claim_keys": [],
        "force_alias": False,
        "consume_code": "signup",
        "at": NOW + 10,
    }
    return Confirmation(**{**values, **fields})


def refresh_token(client: Client, user_id: int, session_id: str | None = None, at: float = NOW) -> RefreshToken:
    return RefreshToken(
        token_hash=unique("token"),
        pool_id=client.pool_id,
        client_id=client.id,
        user_id=user_id,
        origin_jti=str(uuid.uuid4()),
        session_id=session_id or ids.token_session_id(),
        auth_time=NOW,
        created_at=at,
        expires_at=at + 30 * 86400,
    )


def token_session(token: RefreshToken, ip_address: str | None = None) -> TokenSession:
    """The session a sign-in starts with ``token``, its first refresh token."""
    return TokenSession(
        id=token.session_id,
        pool_id=token.pool_id,
        user_id=token.user_id,
        client_id=token.client_id,
        created_at=token.created_at,
        last_active_at=token.created_at,
        expires_at=token.expires_at,
        ip_address=ip_address,
    )


def signing_key(pool: Pool, created_at: float) -> StoredKey:
    kid = unique("kid")
    return StoredKey(
        kid=kid,
        pool_id=pool.id,
        private_key="-----PEM-----",
        public_jwk={"kid": kid, "kty": "RSA"},
        created_at=created_at,
    )


def auth_session(client: Client, user_id: int | None, created_at: float = NOW) -> AuthSession:
    return AuthSession(
        id_hash=unique("session"),
        pool_id=client.pool_id,
        client_id=client.id,
        user_id=user_id,
        challenge="PASSWORD_VERIFIER",
        data={"srp_b": "00ff"},
        created_at=created_at,
        expires_at=created_at + 180,
    )


def auth_event(pool: Pool, user_id: int, at: float = NOW, event_type: str = "SignIn", **fields: Any) -> AuthEvent:
    values: dict[str, Any] = {
        "event_id": str(uuid.uuid4()),
        "pool_id": pool.id,
        "user_id": user_id,
        "event_type": event_type,
        "created_at": at,
        "response": "Pass",
        "risk_decision": "NoRisk",
        "compromised": False,
        "challenge_responses": [{"ChallengeName": "Password", "ChallengeResponse": "Success"}],
        "ip_address": "192.0.2.1",
        "device_name": "Boto3/1.0",
    }
    return AuthEvent(**{**values, **fields})


def device(pool: Pool, user_id: int, at: float = NOW, **fields: Any) -> Device:
    """A device a sign-in handed out (unconfirmed unless ``verifier``/``salt``/``remembered`` are given)."""
    values: dict[str, Any] = {
        "key": f"us-east-1_{uuid.uuid4()}",
        "pool_id": pool.id,
        "user_id": user_id,
        "group_key": unique()[:9],
        "created_at": at,
        "modified_at": at,
        "last_authenticated_at": at,
        "last_ip": "192.0.2.1",
    }
    return Device(**{**values, **fields})


def webauthn_credential(pool: Pool, user_id: int, at: float = NOW, **fields: Any) -> WebAuthnCredential:
    """A registered passkey (its public key is any bytes: the store keeps it as given)."""
    values: dict[str, Any] = {
        "pool_id": pool.id,
        "credential_id": unique(),
        "user_id": user_id,
        "public_key": b"\xa5\x01\x02",
        "sign_count": 0,
        "relying_party_id": "localhost",
        "friendly_name": "passkey",
        "transports": ["internal"],
        "attachment": "platform",
        "created_at": at,
    }
    return WebAuthnCredential(**{**values, **fields})
