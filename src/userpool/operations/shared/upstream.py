"""Talking to an identity provider as its OAuth 2.0 / OpenID Connect client: a provider's endpoints (OIDC
discovery from ``oidc_issuer``, or its explicit URLs; a social type's fixed endpoints, or the stand-in the server's
``social_endpoints`` setting names), the authorize URL a browser is sent to, redeeming the code it brings back
(``client_secret_post``, PKCE), the ID token's checks (``domain.identity_providers.verify_id_token`` against the
provider's JWKS) and the userInfo call. Every failure is ``UpstreamError`` with a message the page can show."""

from __future__ import annotations

import urllib.parse
from dataclasses import dataclass
from typing import Any

import httpx
import jwt

from userpool.context import Context
from userpool.domain import identity_providers as idp_rules
from userpool.domain.records import IdentityProvider
from userpool.errors import InvalidParameterException

USER_AGENT = "userpool-federation"
WELL_KNOWN = "/.well-known/openid-configuration"


class UpstreamError(Exception):
    """The provider could not be reached, or answered something we refuse: the sign-in stops with this message."""


@dataclass(frozen=True)
class Endpoints:
    authorize_url: str
    token_url: str
    attributes_url: str | None
    jwks_uri: str | None
    issuer: str | None
    token_method: str = "POST"
    attributes_method: str = "GET"


async def _get_json(ctx: Context, url: str, what: str, **kwargs: Any) -> Any:
    try:
        async with httpx.AsyncClient(timeout=ctx.settings.federation_timeout, follow_redirects=False) as client:
            response = await client.get(url, headers={"User-Agent": USER_AGENT, "Accept": "application/json"}, **kwargs)
    except httpx.HTTPError:
        raise _failed(what, "could not be reached") from None
    if response.status_code != 200:
        raise _failed(what, f"answered {response.status_code}")
    try:
        return response.json()
    except ValueError:
        raise _failed(what, "did not answer JSON") from None


def _failed(what: str, how: str) -> UpstreamError:
    return UpstreamError(f"The identity provider's {what} {how}.")


async def discover(ctx: Context, issuer: str) -> dict[str, str]:
    """The endpoints an OpenID provider's discovery document names (``<issuer>/.well-known/openid-configuration``),
    whose ``issuer`` must be the one asked for."""
    document = await _get_json(ctx, issuer + WELL_KNOWN, "discovery document")
    if not isinstance(document, dict) or document.get("issuer") != issuer:
        raise UpstreamError("The identity provider's discovery document names another issuer.")
    found = {
        "authorize_url": document.get("authorization_endpoint"),
        "token_url": document.get("token_endpoint"),
        "attributes_url": document.get("userinfo_endpoint"),
        "jwks_uri": document.get("jwks_uri"),
    }
    return {k: v for k, v in found.items() if isinstance(v, str) and v}


async def complete_oidc_details(ctx: Context, details: dict[str, str]) -> dict[str, str]:
    """An OIDC provider's details with the endpoints discovery finds for those not given (as Cognito keeps and
    shows them); ``InvalidParameterException`` when some are missing and discovery fails."""
    if all(details.get(k) for k in idp_rules.ENDPOINT_KEYS):
        return details
    issuer = details["oidc_issuer"]
    try:
        found = await discover(ctx, issuer)
    except UpstreamError:
        found = {}
    completed = {**found, **details}
    if not all(completed.get(k) for k in ("authorize_url", "token_url", "jwks_uri")):
        raise InvalidParameterException(idp_rules.NO_DISCOVERY.format(url=issuer + WELL_KNOWN))
    return completed


async def endpoints(ctx: Context, provider: IdentityProvider) -> Endpoints:
    """Where ``provider`` is reached."""
    details = provider.details
    if provider.type == idp_rules.OIDC:
        values = dict(details)
        if not all(values.get(k) for k in ("authorize_url", "token_url", "jwks_uri")):
            values = {**await discover(ctx, details["oidc_issuer"]), **values}
        issuer = details["oidc_issuer"]
        method = details.get("attributes_request_method", "GET")
    elif provider.type in idp_rules.SOCIAL:
        values = dict(idp_rules.SOCIAL_ENDPOINTS[provider.type])
        stand_in = ctx.settings.social_endpoints.get(provider.type)
        if isinstance(stand_in, str):
            values = {**values, **await discover(ctx, stand_in), "oidc_issuer": stand_in}
        elif isinstance(stand_in, dict):
            values = {**values, **stand_in}
        issuer = values.get("oidc_issuer")
        method = "GET"
    else:  # SAML signs in through its own door
        raise UpstreamError(f"{provider.type} identity providers do not sign in through OAuth 2.0.")
    if not values.get("authorize_url") or not values.get("token_url"):
        raise UpstreamError("The identity provider's endpoints are not known.")
    return Endpoints(
        authorize_url=values["authorize_url"],
        token_url=values["token_url"],
        attributes_url=values.get("attributes_url") or None,
        jwks_uri=values.get("jwks_uri") or None,
        issuer=issuer,
        token_method=values.get("token_request_method", "POST"),
        attributes_method=method,
    )


def authorize_url(
    provider: IdentityProvider, where: Endpoints, redirect_uri: str, state: str, nonce: str, challenge: str,
    login_hint: str | None = None,
) -> str:  # fmt: skip
    """The provider's authorize URL for one sign-in: our client id, its ``authorize_scopes``, our redirect URI,
    ``state``, ``nonce`` and PKCE S256 ``code_challenge`` (``login_hint`` forwarded to OIDC providers and Google)."""
    params = {
        "response_type": "code",
        "client_id": provider.details["client_id"],
        "redirect_uri": redirect_uri,
        "scope": provider.details.get("authorize_scopes", "openid"),
        "state": state,
        "nonce": nonce,
        "code_challenge": challenge,
        "code_challenge_method": "S256",
    }
    if login_hint and provider.type in (idp_rules.OIDC, idp_rules.GOOGLE):
        params["login_hint"] = login_hint
    if provider.type == idp_rules.APPLE:
        params["response_mode"] = "query"
    separator = "&" if "?" in where.authorize_url else "?"
    return where.authorize_url + separator + urllib.parse.urlencode(params)


def client_secret_for(provider: IdentityProvider, now: float) -> str | None:
    """The client secret we send: the stored one, or for Sign in with Apple a short-lived ES256 JWT made with the
    provider's private key (as Apple asks)."""
    if provider.type != idp_rules.APPLE:
        return provider.details.get("client_secret")
    claims = {
        "iss": provider.details["team_id"],
        "iat": int(now),
        "exp": int(now) + 300,
        "aud": "https://appleid.apple.com",
        "sub": provider.details["client_id"],
    }
    try:
        return jwt.encode(claims, provider.details["private_key"], "ES256", headers={"kid": provider.details["key_id"]})
    except (ValueError, TypeError, jwt.PyJWTError):
        raise UpstreamError("The Sign in with Apple private key could not sign the client secret.") from None


async def redeem(
    ctx: Context, provider: IdentityProvider, where: Endpoints, code: str, redirect_uri: str, verifier: str
) -> dict[str, Any]:
    """The provider's token answer for ``code`` (client_secret_post, with our PKCE verifier)."""
    form = {
        "grant_type": "authorization_code",
        "code": code,
        "redirect_uri": redirect_uri,
        "client_id": provider.details["client_id"],
        "code_verifier": verifier,
    }
    secret = client_secret_for(provider, ctx.clock.now())
    if secret:
        form["client_secret"] = secret
    headers = {"User-Agent": USER_AGENT, "Accept": "application/json"}
    try:
        async with httpx.AsyncClient(timeout=ctx.settings.federation_timeout, follow_redirects=False) as client:
            if where.token_method == "GET":
                response = await client.get(where.token_url, params=form, headers=headers)
            else:
                response = await client.post(where.token_url, data=form, headers=headers)
    except httpx.TimeoutException:
        raise UpstreamError("Timeout occurred in calling IdP token endpoint") from None
    except httpx.HTTPError:
        raise UpstreamError("The identity provider's token endpoint could not be reached.") from None
    try:
        answer = response.json()
    except ValueError:
        answer = None
    if response.status_code != 200 or not isinstance(answer, dict) or not answer.get("access_token"):
        error = answer.get("error") if isinstance(answer, dict) else None
        raise UpstreamError(f"{provider.name} Error - {response.status_code} {error or 'token request refused'}")
    return answer


async def verified_claims(
    ctx: Context, provider: IdentityProvider, where: Endpoints, answer: dict[str, Any], nonce: str
) -> dict[str, Any]:
    """The user's claims from the token answer: the ID token's (verified: JWKS signature, ``iss``, ``aud``,
    ``exp``, ``nonce``) where the provider speaks OpenID Connect, then what userInfo (``attributes_url``) adds;
    userInfo alone for Facebook and Login with Amazon."""
    claims: dict[str, Any] = {}
    if where.jwks_uri is not None:
        token = answer.get("id_token")
        if not isinstance(token, str):
            raise UpstreamError("The identity provider did not answer an ID token.")
        jwks = await _get_json(ctx, where.jwks_uri, "keys (jwks_uri)")
        expected = idp_rules.Expected(where.issuer, provider.details["client_id"], nonce, ctx.clock.now())
        try:
            claims = idp_rules.verify_id_token(token, jwks, expected)
        except idp_rules.TokenRefused as refused:
            raise UpstreamError(str(refused)) from None
    if where.attributes_url is not None:
        info = await _user_info(ctx, provider, where, answer["access_token"])
        if claims and "sub" in info and str(info["sub"]) != str(claims.get("sub")):
            raise UpstreamError("The identity provider's userInfo names another user than its ID token.")
        claims = {**info, **claims}
    if not claims:
        raise UpstreamError("The identity provider gave no claims about the user.")
    return claims


async def _user_info(ctx: Context, provider: IdentityProvider, where: Endpoints, access_token: str) -> dict[str, Any]:
    url = where.attributes_url or ""
    if provider.type == idp_rules.FACEBOOK and url.endswith("fields="):
        wanted = {"id", *provider.attribute_mapping.values()} - {"username"}
        url += ",".join(sorted(wanted))
    headers = {"Authorization": f"Bearer {access_token}", "User-Agent": USER_AGENT, "Accept": "application/json"}
    try:
        async with httpx.AsyncClient(timeout=ctx.settings.federation_timeout, follow_redirects=False) as client:
            if where.attributes_method == "POST":
                response = await client.post(url, headers=headers)
            else:
                response = await client.get(url, headers=headers)
    except httpx.HTTPError:
        raise UpstreamError("The identity provider's userInfo endpoint could not be reached.") from None
    if response.status_code != 200:
        raise UpstreamError(f"{provider.name} Error - {response.status_code} userInfo refused")
    try:
        info = response.json()
    except ValueError:
        raise UpstreamError("The identity provider's userInfo did not answer JSON.") from None
    if not isinstance(info, dict):
        raise UpstreamError("The identity provider's userInfo did not answer an object.")
    return info
