"""Cognito's JSON Web Tokens: RS256 signing keys, the ID and access tokens' claims, their lifetimes, and
checking an access token. Pure functions over key material (PyJWT and ``cryptography``); the store keeps the keys.

Claims follow what Cognito issues:
- ID token: ``sub``, the user's attributes (``email_verified``/``phone_number_verified`` as booleans,
  ``updated_at`` as a number, ``address`` as ``{"formatted": ...}``, ``custom:*`` as strings), ``iss``,
  ``cognito:username``, ``origin_jti``, ``aud`` (client id), ``event_id``, ``token_use: "id"``, ``auth_time``,
  ``exp``, ``iat``, ``jti``; for a user in groups, ``cognito:groups``, and ``cognito:roles`` and
  ``cognito:preferred_role`` when the groups have roles.
- Access token: ``sub``, ``iss``, ``client_id``, ``origin_jti``, ``event_id``, ``token_use: "access"``,
  ``scope: "aws.cognito.signin.user.admin"``, ``auth_time``, ``exp``, ``iat``, ``jti``, ``username``;
  ``cognito:groups`` for a user in groups, and ``device_key`` when the sign-in came from a tracked device.
The header carries only ``kid`` and ``alg`` (no ``typ``), as Cognito's does.
"""

from __future__ import annotations

import base64
import hashlib
import json
import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import jwt
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from jwt.algorithms import RSAAlgorithm

from userpool.domain import ids
from userpool.domain.identity_providers import identities_claim

ALGORITHM = "RS256"
ACCESS_SCOPE = "aws.cognito.signin.user.admin"
_UNIT_SECONDS = {"seconds": 1, "minutes": 60, "hours": 3600, "days": 86400}
_DEFAULTS = {"AccessToken": (60, "minutes"), "IdToken": (60, "minutes"), "RefreshToken": (30, "days")}
# The longest an access or ID token can live (one day): a retired key stays in the JWKS this long.
MAX_TOKEN_SECONDS = 86400


@dataclass(frozen=True)
class SigningKey:
    kid: str
    private_pem: str
    public_jwk: dict[str, str]
    private: Any = field(default=None, repr=False, compare=False)  # the key itself, for the process that made it


def new_signing_key() -> SigningKey:
    """A fresh RSA-2048 key (CPU work: tens of milliseconds) with a Cognito-like ``kid``:
    Base64 of the SHA-256 of the public key, 44 characters."""
    private = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    public = private.public_key()
    der = public.public_bytes(serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo)
    kid = base64.b64encode(hashlib.sha256(der).digest()).decode()
    jwk = json.loads(RSAAlgorithm.to_jwk(public))
    pem = private.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    ).decode()
    return SigningKey(
        kid=kid,
        private_pem=pem,
        public_jwk={"alg": ALGORITHM, "e": jwk["e"], "kid": kid, "kty": "RSA", "n": jwk["n"], "use": "sig"},
        private=private,
    )


def load_private(pem: str, checked: bool = True) -> Any:
    """A PEM private key. cryptography checks an RSA key as it parses it (tens of milliseconds): the check keeps
    out a crafted or damaged key (a wrong CRT parameter makes signatures that give the key away). ``checked=False``
    skips it, for a key that comes out of the store's AES-GCM seal (``StoredKey.sealed``): one we made with
    cryptography and that no one can alter without the seal's key, so the check could only ever pass."""
    return serialization.load_pem_private_key(pem.encode(), password=None, unsafe_skip_rsa_key_validation=not checked)


def load_public(public_jwk: Mapping[str, str]) -> Any:
    return RSAAlgorithm.from_jwk(dict(public_jwk))


def validity_seconds(client_settings: Mapping[str, Any], token: str) -> int:
    """How long a ``token`` (``AccessToken``, ``IdToken``, ``RefreshToken``) of this client lives."""
    default_value, default_unit = _DEFAULTS[token]
    unit = (client_settings.get("TokenValidityUnits") or {}).get(token, default_unit)
    value = client_settings.get(f"{token}Validity")
    if value is None:
        return default_value * _UNIT_SECONDS[default_unit]
    return int(value) * _UNIT_SECONDS[unit]


def _claim_value(name: str, value: str) -> Any:
    if name in ("email_verified", "phone_number_verified"):
        return value.lower() == "true"
    if name == "updated_at":
        try:
            return int(value)
        except ValueError:
            return value
    if name == "address":
        return {"formatted": value}
    if name == "identities":
        return identities_claim(value)
    return value


def readable(attributes: Mapping[str, str], read_attributes: Sequence[str] | None) -> dict[str, str]:
    """The attributes an app client may read (all when its ReadAttributes is unset); ``sub`` always."""
    if read_attributes is None:
        return dict(attributes)
    allowed = set(read_attributes) | {"sub"}
    return {n: v for n, v in attributes.items() if n in allowed}


@dataclass(frozen=True)
class Issue:
    """What one set of tokens says about its sign-in."""

    issuer: str
    client_id: str
    username: str
    sub: str
    attributes: Mapping[str, str]
    auth_time: int
    origin_jti: str
    event_id: str
    now: int
    # The user's groups (``domain.groups.group_claims``): in both tokens, and their roles in the ID token.
    groups: tuple[str, ...] = ()
    roles: tuple[str, ...] = ()
    preferred_role: str | None = None
    # An OAuth grant's scopes (the access token's ``scope``, and ``version: 2`` as Cognito's OAuth tokens carry);
    # None: the API's sign-in, whose access token has ``aws.cognito.signin.user.admin`` alone.
    scopes: tuple[str, ...] | None = None
    nonce: str | None = None  # the authorize request's ``nonce``, into the ID token
    device_key: str | None = None  # the remembered device the sign-in came from (access token only)


def at_hash(access_token: str) -> str:
    """OpenID Connect's ``at_hash``: base64url of the left half of the access token's SHA-256 (RS256)."""
    digest = hashlib.sha256(access_token.encode()).digest()
    return ids.base64url(digest[:16])


def _groups_claim(issue: Issue) -> dict[str, Any]:
    """``cognito:groups``, left out for a user in no group."""
    return {"cognito:groups": list(issue.groups)} if issue.groups else {}


def _role_claims(issue: Issue) -> dict[str, Any]:
    """``cognito:roles`` and ``cognito:preferred_role`` (ID token), each left out when there is none."""
    claims: dict[str, Any] = {"cognito:roles": list(issue.roles)} if issue.roles else {}
    if issue.preferred_role is not None:
        claims["cognito:preferred_role"] = issue.preferred_role
    return claims


def id_claims(issue: Issue, lifetime: int, access_token: str | None = None) -> dict[str, Any]:
    """The ID token's claims; with ``access_token`` (OAuth grants, as the hosted UI's ID tokens), its ``at_hash``."""
    claims: dict[str, Any] = {"sub": issue.sub, **_groups_claim(issue)}
    if access_token is not None:
        claims["at_hash"] = at_hash(access_token)
    for name, value in issue.attributes.items():
        if name != "sub":
            claims[name] = _claim_value(name, value)
    claims.update(_role_claims(issue))
    claims.update(
        {
            "iss": issue.issuer,
            "cognito:username": issue.username,
            "origin_jti": issue.origin_jti,
            "aud": issue.client_id,
            "event_id": issue.event_id,
            "token_use": "id",
            "auth_time": issue.auth_time,
            "exp": issue.now + lifetime,
            "iat": issue.now,
            "jti": str(uuid.uuid4()),
        }
    )
    if issue.nonce is not None:
        claims["nonce"] = issue.nonce
    return claims


def access_claims(issue: Issue, lifetime: int) -> dict[str, Any]:
    claims = {
        "sub": issue.sub,
        **_groups_claim(issue),
        "iss": issue.issuer,
        "client_id": issue.client_id,
        "origin_jti": issue.origin_jti,
        "event_id": issue.event_id,
        "token_use": "access",
        "scope": ACCESS_SCOPE if issue.scopes is None else " ".join(issue.scopes),
        "auth_time": issue.auth_time,
        "exp": issue.now + lifetime,
        "iat": issue.now,
        "jti": str(uuid.uuid4()),
        "username": issue.username,
        **({"device_key": issue.device_key} if issue.device_key else {}),
    }
    if issue.scopes is not None:
        claims["version"] = 2
    return claims


def client_credentials_claims(
    issuer: str, client_id: str, scopes: Sequence[str], now: int, lifetime: int
) -> dict[str, Any]:
    """A client-credentials (machine-to-machine) access token: no user, so ``sub`` is the client id, and no
    ``origin_jti``/``event_id``/``username`` (as Cognito's)."""
    return {
        "sub": client_id,
        "token_use": "access",
        "scope": " ".join(scopes),
        "auth_time": now,
        "iss": issuer,
        "exp": now + lifetime,
        "iat": now,
        "version": 2,
        "jti": str(uuid.uuid4()),
        "client_id": client_id,
    }


def sign(claims: Mapping[str, Any], private_key: Any, kid: str) -> str:
    return jwt.encode(dict(claims), private_key, algorithm=ALGORITHM, headers={"kid": kid, "typ": None})


class InvalidToken(ValueError):
    """The token is not one of ours: not a JWT, unknown key, bad signature."""


def key_id(token: str) -> str:
    """The ``kid`` of a JWT's header, before any check: what finds its key (only the header is parsed)."""
    try:
        kid = jwt.get_unverified_header(token).get("kid")
    except jwt.PyJWTError:
        raise InvalidToken("") from None
    if not isinstance(kid, str):
        raise InvalidToken("")
    return kid


def verified_claims(token: str, public_key: Any) -> dict[str, Any]:
    """The claims once the RS256 signature is checked (the token parsed once, by PyJWT); time claims are the
    caller's business (its own clock)."""
    try:
        return jwt.decode(
            token,
            public_key,
            algorithms=[ALGORITHM],
            options={"verify_exp": False, "verify_iat": False, "verify_nbf": False, "verify_aud": False},
        )
    except jwt.PyJWTError:
        raise InvalidToken("") from None
