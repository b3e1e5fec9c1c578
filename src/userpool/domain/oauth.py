"""OAuth 2.0 and the hosted UI, the pure rules: user pool domain prefixes, resource servers' scopes, an app client's
OAuth settings as Cognito validates them, redirect URLs, scopes a request is granted, the attributes a scope reveals,
PKCE, and the lifetimes of codes and hosted-UI sessions.

Texts raised in one place stay at their raise (``domain/texts.py``'s rule); those marked (unverified) are ours.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import urllib.parse
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from userpool.domain import ids
from userpool.errors import InvalidOAuthFlowException, InvalidParameterException, ScopeDoesNotExistException

OPENID = "openid"
ADMIN_SCOPE = "aws.cognito.signin.user.admin"
STANDARD_SCOPES = (OPENID, "email", "phone", "profile", ADMIN_SCOPE)
USER_SCOPES_ONLY = (OPENID, "email", "phone", "profile")  # not for client credentials
FLOWS = ("code", "implicit", "client_credentials")
CODE_SECONDS = 300  # an authorization code: five minutes, single use
WEB_SESSION_SECONDS = 3600  # the hosted UI's ``cognito`` session cookie: one hour
MAX_PARAMETER = 2048  # longest query or form value the endpoints read; longer is a refused request

# ---- domains ---------------------------------------------------------------------------------------------------
DOMAIN_PATTERN = r"^[a-z0-9](?:[a-z0-9\-]{0,61}[a-z0-9])?$"
RESERVED_DOMAIN_WORDS = ("aws", "amazon", "cognito")
DOMAIN_TAKEN = "Domain already associated with another user pool."
POOL_HAS_DOMAIN = "User pool already has a domain configured."
DOMAIN_NOT_FOUND = "User pool domain {domain} does not exist."  # (unverified)
DOMAIN_OF_OTHER_POOL = "The domain {domain} is not associated with user pool {pool_id}."  # (unverified)


def check_domain(domain: str, custom: bool) -> None:
    """A prefix domain (``<prefix>.auth.<region>.amazoncognito.com``) as Cognito refuses it: a reserved word, or a
    character outside its pattern. A custom domain (one with ``CustomDomainConfig``) is only held to the model's
    pattern, which botocore's shipped model also applies to it."""
    if custom:
        return
    for word in RESERVED_DOMAIN_WORDS:
        if word in domain:
            raise InvalidParameterException(f"Domain cannot contain reserved word: {word}")
    if not re.match(DOMAIN_PATTERN, domain):
        raise InvalidParameterException(
            "The domain name contains an invalid character. Domain names can only contain lower-case letters, "
            f"numbers, and hyphens. Please enter a different name that follows this format: {DOMAIN_PATTERN}"
        )


# ---- resource servers ------------------------------------------------------------------------------------------
RESOURCE_SERVER_EXISTS = "A resource server with identifier {identifier} already exists in this user pool."  # (unv.)
RESOURCE_SERVER_NOT_FOUND = "Resource server {identifier} does not exist."  # (unverified)
MAX_RESOURCE_SERVERS = 25  # Cognito's documented quota per pool


def check_resource_server_scopes(scopes: Sequence[Mapping[str, str]]) -> None:
    names = [s["ScopeName"] for s in scopes]
    duplicate = sorted({n for n in names if names.count(n) > 1})
    if duplicate:
        raise InvalidParameterException(f"Duplicate scope names: {', '.join(duplicate)}")  # (unverified)


def custom_scopes(servers: Iterable[Mapping[str, Any]]) -> set[str]:
    """Every ``<identifier>/<scope name>`` the pool's resource servers define."""
    return {f"{s['Identifier']}/{scope['ScopeName']}" for s in servers for scope in s.get("Scopes") or ()}


# ---- app clients -----------------------------------------------------------------------------------------------
FLOWS_AND_SCOPES_REQUIRED = (
    "AllowedOAuthFlows and AllowedOAuthScopes are required if user pool client is allowed to use OAuth flows."
)
CALLBACKS_REQUIRED = "CallbackUrls can not be empty when code flow or implicit flow is selected"
CREDENTIALS_NEED_SECRET = "client_credentials flow can not be selected if client does not have a client secret."
CREDENTIALS_ALONE = "client_credentials flow can not be selected along with code flow or implicit flow."
_LOOPBACK_HOSTS = ("localhost", "127.0.0.1", "[::1]")


def is_web_url(url: str, loopback_http: bool = True) -> bool:
    """An https URL with a host, or (``loopback_http``) an http one on a loopback host, for local use: what an
    identity provider's endpoints and metadata may be fetched from."""
    parts = urllib.parse.urlsplit(url)
    if parts.scheme == "https" and parts.hostname:
        return True
    return loopback_http and parts.scheme == "http" and parts.hostname in ("localhost", "127.0.0.1", "::1")


def check_redirect_url(url: str) -> None:
    """A callback or sign-out URL: absolute, no fragment, HTTPS (HTTP only on loopback), or an app's own scheme."""
    parsed = urllib.parse.urlsplit(url)
    if not parsed.scheme or parsed.fragment or "#" in url:
        raise InvalidParameterException(f"{url} is not a valid URL.")  # (unverified)
    if parsed.scheme == "http":
        host = (parsed.netloc.rsplit("@", 1)[-1]).lower()
        host = host.rsplit(":", 1)[0] if not host.endswith("]") else host
        if host not in _LOOPBACK_HOSTS:
            raise InvalidParameterException(f"{url} cannot use the HTTP protocol.")
    elif parsed.scheme == "https" and not parsed.netloc:
        raise InvalidParameterException(f"{url} is not a valid URL.")  # (unverified)


def check_client_oauth(config: Mapping[str, Any], has_secret: bool, defined_scopes: set[str]) -> None:
    """An app client's OAuth settings as Create/UpdateUserPoolClient check them (``config``: the stored settings,
    ``defined_scopes``: the custom scopes of the pool's resource servers)."""
    callbacks = list(config.get("CallbackURLs") or ())
    for url in (*callbacks, *(config.get("LogoutURLs") or ())):
        check_redirect_url(url)
    default = config.get("DefaultRedirectURI")
    if default is not None:
        check_redirect_url(default)
        if default not in callbacks:
            raise InvalidParameterException("DefaultRedirectURI must be one of the CallbackURLs.")  # (unverified)
    scopes = list(config.get("AllowedOAuthScopes") or ())
    for scope in scopes:
        if scope not in STANDARD_SCOPES and scope not in defined_scopes:
            raise ScopeDoesNotExistException(f"Invalid scope requested: {scope}")
    flows = list(config.get("AllowedOAuthFlows") or ())
    if not config.get("AllowedOAuthFlowsUserPoolClient"):
        return
    if not flows or not scopes:
        raise InvalidParameterException(FLOWS_AND_SCOPES_REQUIRED)
    if "client_credentials" in flows:
        if not has_secret:
            raise InvalidOAuthFlowException(CREDENTIALS_NEED_SECRET)
        if len(set(flows)) > 1:
            raise InvalidOAuthFlowException(CREDENTIALS_ALONE)
        for scope in scopes:
            if scope in STANDARD_SCOPES:
                raise InvalidOAuthFlowException(f"{scope} is not supported with client_credentials flow")
    elif not callbacks:
        raise InvalidOAuthFlowException(CALLBACKS_REQUIRED)


def oauth_enabled(settings: Mapping[str, Any], flow: str) -> bool:
    return bool(settings.get("AllowedOAuthFlowsUserPoolClient")) and flow in (settings.get("AllowedOAuthFlows") or ())


def hosted_ui_enabled(settings: Mapping[str, Any]) -> bool:
    """Whether the client signs users in with the pool's own directory on the hosted UI."""
    return "COGNITO" in (settings.get("SupportedIdentityProviders") or ())


# ---- scopes granted --------------------------------------------------------------------------------------------
SCOPE_VALUE = re.compile(r"^[\x21\x23-\x5B\x5D-\x7E]{1,256}$")


def parse_scopes(value: str | None) -> list[str] | None:
    """The scopes of a ``scope`` parameter (space-separated), in order, once each; None when it is absent or empty,
    ``ValueError`` when one is malformed."""
    if value is None or not value.strip():
        return None
    found: list[str] = []
    for scope in value.split(" "):
        if not scope:
            continue
        if not SCOPE_VALUE.match(scope):
            raise ValueError(scope)
        if scope not in found:
            found.append(scope)
    return found


def granted_scopes(requested: list[str] | None, allowed: Sequence[str], defined: set[str]) -> list[str]:
    """The scopes a request gets: those asked for that the client is allowed and that still exist (a deleted
    resource server's scopes stay on clients, inactive); all of them when none is asked for. Unallowed requested
    scopes raise ``ValueError`` (the endpoints answer ``invalid_scope``)."""
    active = [s for s in allowed if s in STANDARD_SCOPES or s in defined]
    if requested is None:
        return active
    refused = [s for s in requested if s not in allowed]
    if refused:
        raise ValueError(" ".join(refused))
    return [s for s in requested if s in active]


PROFILE_ATTRIBUTES = (
    "name",
    "family_name",
    "given_name",
    "middle_name",
    "nickname",
    "preferred_username",
    "profile",
    "picture",
    "website",
    "gender",
    "birthdate",
    "zoneinfo",
    "locale",
    "updated_at",
    "address",
)
_SCOPE_ATTRIBUTES = {"email": ("email", "email_verified"), "phone": ("phone_number", "phone_number_verified")}


def scoped_attributes(attributes: Mapping[str, str], scopes: Sequence[str]) -> dict[str, str]:
    """The readable attributes an OAuth grant reveals (ID token, userInfo): every one with ``openid`` alone, else
    those of ``profile`` (with the custom attributes), ``email`` and ``phone``; ``sub`` and ``identities``
    always."""
    given = set(scopes) & {"profile", "email", "phone"}
    if not given:
        return dict(attributes)
    allowed = {"sub", "identities"}  # a federated or linked user's identities, whatever the scopes
    if "profile" in given:
        allowed.update(PROFILE_ATTRIBUTES)
    for scope in given & set(_SCOPE_ATTRIBUTES):
        allowed.update(_SCOPE_ATTRIBUTES[scope])
    return {n: v for n, v in attributes.items() if n in allowed or ("profile" in given and n.startswith("custom:"))}


def user_info(username: str, attributes: Mapping[str, str], scopes: Sequence[str]) -> dict[str, str]:
    """``/oauth2/userInfo``'s body: ``sub``, the attributes the scopes reveal (``*_verified`` as the strings
    ``"true"``/``"false"``, as Cognito answers them), and ``username``."""
    shown = scoped_attributes(attributes, scopes)
    body = {"sub": shown.get("sub", "")}
    for name, value in shown.items():
        if name != "sub":
            body[name] = value.lower() if name.endswith("_verified") else value
    body["username"] = username
    return body


# ---- PKCE ------------------------------------------------------------------------------------------------------
PKCE_VALUE = re.compile(r"^[A-Za-z0-9\-._~]{43,128}$")


def pkce_challenge(verifier: str) -> str:
    """RFC 7636 S256: base64url(SHA-256(verifier)) without padding."""
    return ids.base64url(hashlib.sha256(verifier.encode()).digest())


def pkce_matches(verifier: str | None, challenge: str | None) -> bool:
    if challenge is None:
        return True  # no challenge was sent: a verifier changes nothing
    if verifier is None or not PKCE_VALUE.match(verifier):
        return False
    return hmac.compare_digest(pkce_challenge(verifier), challenge)


def csp_source(url: str) -> str:
    """A Content-Security-Policy source matching exactly ``url``'s scheme, host, port and path (a custom scheme:
    the scheme), for the ``form-action`` that lets a sign-in form's redirect reach the app's callback."""
    parsed = urllib.parse.urlsplit(url)
    if parsed.scheme not in ("http", "https"):
        return f"{parsed.scheme}:"
    path = urllib.parse.quote(urllib.parse.unquote(parsed.path), safe="/-._~") or "/"
    return f"{parsed.scheme}://{parsed.netloc}{path}"
