"""A pool's identity providers (federation): the provider types, the ``ProviderDetails`` keys each takes and their
checks, the social providers' fixed endpoints, ``AttributeMapping`` and ``IdpIdentifiers`` rules, the ``identities``
attribute of a federated user, and the checks of a provider's ID token (signature by its JWKS, ``iss``, ``aud``,
``exp``, ``nonce``). Pure: no I/O (discovery and the calls to a provider are ``operations.shared.upstream``'s).

Messages marked (unverified) were not found in AWS's documentation or in a quoted response: they are written in
Cognito's style and may differ from the live service's words.
"""

from __future__ import annotations

import hmac
import json
import urllib.parse
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import jwt

from userpool.domain import oauth, saml_idp
from userpool.domain.records import IdentityProvider
from userpool.errors import InvalidParameterException

OIDC, SAML = "OIDC", "SAML"
GOOGLE, FACEBOOK, AMAZON, APPLE = "Google", "Facebook", "LoginWithAmazon", "SignInWithApple"
SOCIAL = (GOOGLE, FACEBOOK, AMAZON, APPLE)
COGNITO = "COGNITO"  # the pool's own users in SupportedIdentityProviders
# The name a social provider must have (Cognito: ProviderName = ProviderType for the social types).
MAX_PROVIDERS = 300  # per pool (Cognito's quota: 300 identity providers per user pool)
MAX_IDENTIFIERS = 50
MAX_LINKS = 5  # linked identities per destination user
SUBJECT = "Cognito_Subject"  # AdminLinkProviderForUser's attribute name for the provider's subject
STATE_SECONDS = 5 * 60  # an incomplete federated sign-in times out after 5 minutes

# ---- texts ----------------------------------------------------------------------------------------------------
DUPLICATE = "A provider with the name {name} already exists in this user pool."  # (unverified)
NOT_FOUND = "Identity provider {name} does not exist."  # (unverified)
IDENTIFIER_NOT_FOUND = "Identity provider with identifier {identifier} does not exist."  # (unverified)
IDENTIFIER_TAKEN = "Identifier {identifier} is already used by another identity provider."  # (unverified)
TOO_MANY = "The user pool has reached its limit of identity providers."  # (unverified)
MISSING_DETAIL = "{key} is required for the {type} identity provider."  # (unverified)
UNKNOWN_DETAIL = "{key} is not a valid ProviderDetails key for the {type} identity provider."  # (unverified)
SCOPES_NEED_OPENID = "authorize_scopes must include openid for an OIDC identity provider."  # (unverified)
BAD_ISSUER = (
    "oidc_issuer must be an https URL without a query, a fragment or a trailing slash "
    "(http only for localhost or 127.0.0.1)."
)  # (unverified; the loopback exception is ours, for local use)
BAD_URL = "{key} must be an https URL (http only for localhost or 127.0.0.1)."  # (unverified)
BAD_METHOD = "attributes_request_method must be GET or POST."  # (unverified)
NO_DISCOVERY = (
    "Unable to contact well-known endpoint {url} of the OIDC identity provider: provide authorize_url, token_url, "
    "attributes_url and jwks_uri."
)  # (unverified)
SOCIAL_NAME = "The ProviderName of a {type} identity provider must be {type}."  # (unverified)
MAPPING_UNKNOWN = "Attribute {name} in the AttributeMapping does not exist in the user pool schema."  # (unverified)
MAPPING_IMMUTABLE = "Attribute {name} in the AttributeMapping is immutable and cannot be mapped."  # (unverified)
MAPPING_NOT_MAPPABLE = "Attribute {name} cannot be mapped."  # (unverified)
UNSUPPORTED_CLIENT_PROVIDER = "The provider {name} does not exist for User Pool {pool_id}"  # (obs-style, unverified)
PROVIDER_IN_USE = "The identity provider {name} is used by app client {client_id}."  # (unverified)
LINK_SOURCE_NOT_PROVIDER = "Provider {name} does not exist."  # (unverified)
LINK_TOO_MANY = "A user can have at most 5 linked identities."  # (unverified)
LINK_TAKEN = "The source user is already linked to a user or exists in the user pool."  # (unverified)
LINK_DESTINATION = "The DestinationUser must be a native user (ProviderName Cognito)."  # (unverified)
LINK_SOCIAL_SUBJECT = "ProviderAttributeName must be Cognito_Subject for a social identity provider."  # (unverified)

# What Describe reports for the social types (their ProviderDetails filled in with Cognito's endpoints), and the
# keys behind them that a caller never sets. Cognito's values as its Describe shows them (unverified for Facebook's
# api_version default).
SOCIAL_ENDPOINTS: dict[str, dict[str, str]] = {
    GOOGLE: {
        "authorize_url": "https://accounts.google.com/o/oauth2/v2/auth",
        "token_url": "https://www.googleapis.com/oauth2/v4/token",
        "token_request_method": "POST",
        "attributes_url": "https://people.googleapis.com/v1/people/me?personFields=",
        "attributes_url_add_attributes": "true",
        "oidc_issuer": "https://accounts.google.com",
        "jwks_uri": "https://www.googleapis.com/oauth2/v3/certs",
    },
    FACEBOOK: {
        "authorize_url": "https://www.facebook.com/v17.0/dialog/oauth",
        "token_url": "https://graph.facebook.com/v17.0/oauth/access_token",
        "token_request_method": "GET",
        "attributes_url": "https://graph.facebook.com/v17.0/me?fields=",
        "attributes_url_add_attributes": "true",
    },
    AMAZON: {
        "authorize_url": "https://www.amazon.com/ap/oa",
        "token_url": "https://api.amazon.com/auth/o2/token",
        "token_request_method": "POST",
        "attributes_url": "https://api.amazon.com/user/profile",
        "attributes_url_add_attributes": "false",
    },
    APPLE: {
        "authorize_url": "https://appleid.apple.com/auth/authorize",
        "token_url": "https://appleid.apple.com/auth/token",
        "token_request_method": "POST",
        "oidc_issuer": "https://appleid.apple.com",
        "jwks_uri": "https://appleid.apple.com/auth/keys",
    },
}
ENDPOINT_KEYS = ("authorize_url", "token_url", "attributes_url", "jwks_uri")
_REQUIRED = {
    OIDC: ("client_id", "authorize_scopes", "oidc_issuer"),
    GOOGLE: ("client_id", "client_secret", "authorize_scopes"),
    FACEBOOK: ("client_id", "client_secret", "authorize_scopes"),
    AMAZON: ("client_id", "client_secret", "authorize_scopes"),
    APPLE: ("client_id", "team_id", "key_id", "private_key", "authorize_scopes"),
}
_OPTIONAL = {
    OIDC: ("client_secret", "attributes_request_method", *ENDPOINT_KEYS, "attributes_url_add_attributes"),
    GOOGLE: (),
    FACEBOOK: ("api_version",),
    AMAZON: (),
    APPLE: (),
}
# Keys Describe shows that a caller may send back unchanged (an Update from a Describe's details).
_DESCRIBED = ("token_request_method", "attributes_url_add_attributes", "oidc_issuer", *ENDPOINT_KEYS)
SECRET_KEYS = ("client_secret", "private_key")  # sealed at rest
# The claim that names the user at each social provider (OIDC: ``sub``).
SUBJECT_CLAIM = {GOOGLE: "sub", APPLE: "sub", FACEBOOK: "id", AMAZON: "user_id", OIDC: "sub"}
# Attributes no mapping may write: what Cognito owns.
_UNMAPPABLE = {"sub", "identities", "cognito:user_status", "cognito:mfa_enabled"}


def check_issuer(issuer: str) -> None:
    """``oidc_issuer``: https (http for a loopback host, for local use), no query, fragment or trailing slash."""
    parts = urllib.parse.urlsplit(issuer)
    if not oauth.is_web_url(issuer) or parts.query or parts.fragment or issuer.endswith("/"):
        raise InvalidParameterException(BAD_ISSUER)


def check_details(
    kind: str, details: Mapping[str, str], saml_metadata: str | None = None, now: float | None = None
) -> dict[str, str]:
    """A provider's ``ProviderDetails`` as stored: the keys its type takes, each checked; Describe's extra keys
    (sent back by an Update) are dropped for the social types, whose endpoints are Cognito's. SAML is checked by
    ``saml_idp.check_details`` (``saml_metadata``: the document fetched from its ``MetadataURL``; ``now``: when
    its certificates must be valid)."""
    if kind == SAML:
        return saml_idp.check_details(details, saml_metadata, now)
    allowed = set(_REQUIRED[kind]) | set(_OPTIONAL[kind])
    for key in _REQUIRED[kind]:
        if not details.get(key):
            raise InvalidParameterException(MISSING_DETAIL.format(key=key, type=kind))
    stored: dict[str, str] = {}
    for key, value in details.items():
        if key in allowed:
            stored[key] = value
        elif key not in _DESCRIBED:
            raise InvalidParameterException(UNKNOWN_DETAIL.format(key=key, type=kind))
    if kind == OIDC:
        if "openid" not in stored["authorize_scopes"].split():
            raise InvalidParameterException(SCOPES_NEED_OPENID)
        check_issuer(stored["oidc_issuer"])
        method = stored.setdefault("attributes_request_method", "GET")
        if method not in ("GET", "POST"):
            raise InvalidParameterException(BAD_METHOD)
        for key in ENDPOINT_KEYS:
            if key in stored and not oauth.is_web_url(stored[key]):
                raise InvalidParameterException(BAD_URL.format(key=key))
    return stored


def check_name(name: str, kind: str) -> None:
    if kind in SOCIAL and name != kind:
        raise InvalidParameterException(SOCIAL_NAME.format(type=kind))


def check_mapping(schema: Sequence[Mapping[str, Any]], mapping: Mapping[str, str]) -> dict[str, str]:
    """``AttributeMapping``: each key a pool attribute that exists and is mutable (``username`` maps the social
    subject, as Cognito's default mapping does)."""
    by_name = {a["Name"]: a for a in schema}
    for name in mapping:
        if name == "username":
            continue
        if name in _UNMAPPABLE:
            raise InvalidParameterException(MAPPING_NOT_MAPPABLE.format(name=name))
        attribute = by_name.get(name)
        if attribute is None:
            raise InvalidParameterException(MAPPING_UNKNOWN.format(name=name))
        if attribute.get("Mutable") is False:
            raise InvalidParameterException(MAPPING_IMMUTABLE.format(name=name))
    return dict(mapping)


def default_mapping(kind: str) -> dict[str, str]:
    """What Cognito maps without being asked: a social provider's subject into ``username``."""
    return {"username": SUBJECT_CLAIM[kind]} if kind in SOCIAL else {}


def described_details(provider: IdentityProvider) -> dict[str, str]:
    """``ProviderDetails`` as Describe shows them: the stored keys (an OIDC provider's with the endpoints discovery
    found), a social type's with Cognito's endpoints filled in (``jwks_uri`` left out, as Cognito shows them), a
    SAML provider's with its metadata's endpoints (``saml_idp.described``)."""
    if provider.type == SAML:
        return saml_idp.described(provider.details)
    shown = dict(provider.details)
    if provider.type in SOCIAL:
        shown.update({k: v for k, v in SOCIAL_ENDPOINTS[provider.type].items() if k != "jwks_uri"})
    elif provider.type == OIDC:
        shown.setdefault("attributes_url_add_attributes", "false")
    return shown


def check_identifiers(identifiers: Sequence[str]) -> list[str]:
    if len(identifiers) > MAX_IDENTIFIERS:
        raise InvalidParameterException("IdpIdentifiers can have at most 50 entries.")  # (unverified)
    if len(set(identifiers)) != len(identifiers):
        raise InvalidParameterException("Duplicate identifiers found in IdpIdentifiers.")  # (unverified)
    return list(identifiers)


# ---- the federated user --------------------------------------------------------------------------------------
def federated_username(provider_name: str, subject: str) -> str:
    """Cognito's username of a federated user: ``<ProviderName>_<subject>``."""
    return f"{provider_name}_{subject}"


def mapped_attributes(
    mapping: Mapping[str, str], claims: Mapping[str, Any], schema: Sequence[Mapping[str, Any]]
) -> dict[str, str]:
    """The pool attributes a sign-in's claims give through the provider's mapping (strings; ``*_verified`` as
    ``"true"``/``"false"``); unmapped, empty or unknown claims are left out."""
    names = {a["Name"] for a in schema}
    found: dict[str, str] = {}
    for attribute, claim in mapping.items():
        if attribute not in names or claim not in claims or claims[claim] is None:
            continue
        value = claims[claim]
        if isinstance(value, bool):
            text = "true" if value else "false"
        elif isinstance(value, (dict, list)):
            text = json.dumps(value, separators=(",", ":"))
        else:
            text = str(value)
        if text:
            found[attribute] = text[:2048]
    return found


def identity(
    provider: IdentityProvider, subject: str, created_ms: int, issuer: str | None, primary: bool
) -> dict[str, Any]:
    """One entry of a user's ``identities`` attribute, as Cognito stores it: ``primary`` for the identity a
    federated user was made from, not for one linked to an existing user."""
    return {
        "userId": subject,
        "providerName": provider.name,
        "providerType": provider.type,
        "issuer": issuer if provider.type in (OIDC, SAML) else None,
        "primary": primary,
        "dateCreated": created_ms,
    }


def with_identity(current: str | None, entry: Mapping[str, Any]) -> str:
    """The ``identities`` attribute with ``entry`` added (or replacing the same provider's and subject's)."""
    try:
        entries = json.loads(current) if current else []
    except ValueError:
        entries = []
    if not isinstance(entries, list):
        entries = []
    entries = [
        e
        for e in entries
        if not (
            isinstance(e, dict)
            and e.get("providerName") == entry["providerName"]
            and e.get("userId") == entry["userId"]
        )
    ]
    return json.dumps([*entries, entry], separators=(",", ":"))


def without_identity(current: str | None, provider_name: str, subject: str) -> str | None:
    """The ``identities`` attribute with that identity taken out; None when none is left."""
    try:
        entries = json.loads(current) if current else []
    except ValueError:
        return None
    kept = [
        e
        for e in entries
        if isinstance(e, dict) and not (e.get("providerName") == provider_name and e.get("userId") == subject)
    ]
    return json.dumps(kept, separators=(",", ":")) if kept else None


def identities_claim(value: str) -> Any:
    """The ID token's ``identities`` claim: the stored JSON, with ``primary`` and ``dateCreated`` as strings
    (as Cognito's tokens carry them)."""
    try:
        entries = json.loads(value)
    except ValueError:
        return value
    if not isinstance(entries, list):
        return value
    shown = []
    for entry in entries:
        if isinstance(entry, dict):
            entry = dict(entry)
            if isinstance(entry.get("primary"), bool):
                entry["primary"] = "true" if entry["primary"] else "false"
            if isinstance(entry.get("dateCreated"), int):
                entry["dateCreated"] = str(entry["dateCreated"])
        shown.append(entry)
    return shown


# ---- the provider's ID token ---------------------------------------------------------------------------------
class TokenRefused(Exception):
    """A provider's ID token that fails a check: the page says which, the sign-in stops."""


@dataclass(frozen=True)
class Expected:
    issuer: str | None
    audience: str
    nonce: str
    now: float


def verify_id_token(token: str, jwks: Mapping[str, Any], expected: Expected) -> dict[str, Any]:
    """The claims of a provider's ID token, after its checks: signed by a key of ``jwks`` (an asymmetric algorithm
    only), issued by ``expected.issuer`` for ``expected.audience``, unexpired at ``expected.now`` (a minute of
    leeway), carrying our ``nonce``. PyJWT does the JOSE work."""
    try:
        header = jwt.get_unverified_header(token)
        keys = jwt.PyJWKSet.from_dict(dict(jwks)).keys
    except (jwt.PyJWTError, ValueError, TypeError, KeyError):
        raise TokenRefused("The identity provider's token or keys could not be read.") from None
    algorithm = header.get("alg")
    if algorithm not in ("RS256", "RS384", "RS512", "ES256", "ES384", "ES512", "PS256", "PS384", "PS512"):
        raise TokenRefused("The identity provider's token is not signed with an accepted algorithm.")
    candidates = [k for k in keys if header.get("kid") in (None, k.key_id)]
    if not candidates:
        raise TokenRefused("The identity provider's token was signed with a key it does not publish.")
    options = {"require": ["exp", "iat", "iss", "aud", "sub"] if expected.issuer else ["exp", "aud", "sub"]}
    claims: dict[str, Any] | None = None
    for key in candidates:
        try:
            claims = _decode_at(token, key.key, algorithm, expected, options)
            break
        except jwt.InvalidSignatureError:
            continue
        except jwt.ExpiredSignatureError:
            raise TokenRefused("The identity provider's token has expired.") from None
        except jwt.InvalidAudienceError:
            raise TokenRefused("The identity provider's token was not issued to this user pool.") from None
        except jwt.InvalidIssuerError:
            raise TokenRefused("The identity provider's token was issued by another issuer.") from None
        except jwt.PyJWTError as error:
            raise TokenRefused(f"The identity provider's token is not valid ({error}).") from None
    if claims is None:
        raise TokenRefused("The identity provider's token signature is not valid.")
    if not isinstance(claims.get("nonce"), str) or not _equal(claims["nonce"], expected.nonce):
        raise TokenRefused("The identity provider's token does not carry this sign-in's nonce.")
    return claims


def _decode_at(token: str, key: Any, algorithm: str, expected: Expected, options: Mapping[str, Any]) -> dict[str, Any]:
    """``jwt.decode`` with the expiry checked against ``expected.now`` (the server's clock, not the host's)."""
    claims = jwt.decode(
        token,
        key,
        algorithms=[algorithm],
        audience=expected.audience,
        issuer=expected.issuer,
        options={**options, "verify_exp": False, "verify_iat": False, "verify_nbf": False},
    )
    exp = claims.get("exp")
    if not isinstance(exp, (int, float)) or exp + 60 <= expected.now:
        raise jwt.ExpiredSignatureError("expired")
    return claims


def _equal(a: str, b: str) -> bool:
    return hmac.compare_digest(a.encode(), b.encode())


def subject_of(kind: str, claims: Mapping[str, Any]) -> str | None:
    """The provider's name for the user: ``sub`` (OIDC, Google, Apple), ``id`` (Facebook), ``user_id`` (LWA)."""
    value = claims.get(SUBJECT_CLAIM.get(kind, "sub"))
    if value is None and kind in (FACEBOOK, AMAZON):
        value = claims.get("sub")
    return str(value) if value not in (None, "") else None


def client_providers_error(pool_id: str, known: set[str], names: Sequence[str]) -> str | None:
    """The message for an app client naming a provider the pool lacks (``COGNITO`` always exists)."""
    for name in names:
        if name != COGNITO and name not in known:
            return UNSUPPORTED_CLIENT_PROVIDER.format(name=name, pool_id=pool_id)
    return None
