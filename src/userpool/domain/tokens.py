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
import re
import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import jwt
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa
from jwt.algorithms import RSAAlgorithm

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
    )


def load_private(pem: str) -> Any:
    return serialization.load_pem_private_key(pem.encode(), password=None)


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
    return base64.urlsafe_b64encode(digest[:16]).rstrip(b"=").decode()


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


@dataclass(frozen=True)
class Decoded:
    """A compact JWT taken apart (``decode``): its header and claims, and what its signature covers."""

    header: dict[str, Any]
    claims: dict[str, Any]
    signing_input: bytes
    signature: bytes


_SEGMENT = re.compile(rb"[A-Za-z0-9_-]*")
_PKCS1V15 = padding.PKCS1v15()
_SHA256 = hashes.SHA256()


def _segment(segment: bytes) -> bytes:
    """One base64url segment, as PyJWT reads it: up to two ``=`` of padding (only when the length is then a multiple
    of four), nothing outside the alphabet, and only the canonical spelling of the bytes (no stray trailing bits)."""
    stripped = segment.rstrip(b"=")
    padding_length = len(segment) - len(stripped)
    if padding_length > 2 or (padding_length and len(segment) % 4) or len(stripped) % 4 == 1:
        raise InvalidToken("")
    if _SEGMENT.fullmatch(stripped) is None:
        raise InvalidToken("")
    decoded = base64.urlsafe_b64decode(stripped + b"=" * (-len(stripped) % 4))
    if base64.urlsafe_b64encode(decoded).rstrip(b"=") != stripped:
        raise InvalidToken("")
    return decoded


def _json_object(data: bytes) -> dict[str, Any]:
    try:
        value = json.loads(data)
    except (ValueError, RecursionError):
        raise InvalidToken("") from None
    if not isinstance(value, dict):
        raise InvalidToken("")
    return value


def _plain_payload(header: Mapping[str, Any]) -> bool:
    """Whether the payload is the second segment, base64url-encoded, as PyJWT reads it: the one critical extension
    it knows is ``b64``, and it refuses ``b64: false`` (a detached payload)."""
    if "crit" in header:
        crit = header["crit"]
        if not isinstance(crit, list) or not crit or "b64" not in header or any(ext != "b64" for ext in crit):
            return False
    return header.get("b64", True) is not False


def decode(token: str) -> Decoded:
    """Header and claims of a JWT before its signature is checked (to find its pool and key), parsed once: what
    PyJWT's ``decode`` refuses (bad base64url, JSON that is not an object, a non-string ``kid``, an unknown
    ``crit`` extension, a ``b64: false`` payload) is an ``InvalidToken``, and so is a token without a ``kid`` or
    an ``iss``. ``verify`` then checks the signature of the same parse."""
    try:
        signing_input, crypto_segment = token.encode().rsplit(b".", 1)
        header_segment, payload_segment = signing_input.split(b".", 1)
    except (ValueError, UnicodeEncodeError):
        raise InvalidToken("") from None
    header = _json_object(_segment(header_segment))
    if not isinstance(header.get("kid"), str) or not _plain_payload(header):
        raise InvalidToken("")
    claims = _json_object(_segment(payload_segment))
    signature = _segment(crypto_segment)
    if not isinstance(claims.get("iss"), str):
        raise InvalidToken("")
    return Decoded(header=header, claims=claims, signing_input=signing_input, signature=signature)


def verify(token: Decoded, public_key: Any) -> dict[str, Any]:
    """The token's claims once its RS256 signature is checked with ``public_key``, with PyJWT's checks of ``sub``
    and ``jti`` (strings when present); time claims are the caller's business (its own clock)."""
    if token.header.get("alg") != ALGORITHM:
        raise InvalidToken("")
    try:
        public_key.verify(token.signature, token.signing_input, _PKCS1V15, _SHA256)
    except InvalidSignature:
        raise InvalidToken("") from None
    claims = token.claims
    if ("sub" in claims and not isinstance(claims["sub"], str)) or (
        "jti" in claims and not isinstance(claims["jti"], str)
    ):
        raise InvalidToken("")
    return claims
