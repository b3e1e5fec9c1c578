"""Helpers the hosted UI and OAuth 2.0 tests share: a pool with a domain, resource server and OAuth clients; the
hosted UI's pages driven over HTTP as a browser would (cookies, the CSRF field); PKCE pairs."""

from __future__ import annotations

import base64
import hashlib
import re
import secrets
import urllib.parse
from dataclasses import dataclass
from typing import Any

import httpx

from tests.helpers import PASSWORD

CALLBACK = "http://localhost:8765/callback"
LOGOUT = "http://localhost:8765/signed-out"
# A 1x1 PNG: a logo for SetUICustomization.
PNG = base64.b64decode(
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg=="
)
SCOPES = [{"ScopeName": "read", "ScopeDescription": "Read"}, {"ScopeName": "write", "ScopeDescription": "Write"}]


@dataclass
class OAuthPool:
    pool_id: str
    web_id: str  # code + implicit, public (PKCE)
    confidential_id: str
    confidential_secret: str
    m2m_id: str
    m2m_secret: str


def oauth_pool(cognito: Any, callback: str = CALLBACK, **pool_settings: Any) -> OAuthPool:
    pool = cognito.create_user_pool(PoolName="oauth", AutoVerifiedAttributes=["email"], **pool_settings)["UserPool"]
    pool_id = pool["Id"]
    cognito.create_user_pool_domain(Domain=f"app-{secrets.token_hex(6)}", UserPoolId=pool_id)
    cognito.create_resource_server(UserPoolId=pool_id, Identifier="api", Name="api", Scopes=SCOPES)
    user_flow = {
        "AllowedOAuthFlowsUserPoolClient": True,
        "CallbackURLs": [callback],
        "LogoutURLs": [LOGOUT],
        "SupportedIdentityProviders": ["COGNITO"],
        "ExplicitAuthFlows": ["ALLOW_USER_PASSWORD_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"],
    }
    web = cognito.create_user_pool_client(
        UserPoolId=pool_id,
        ClientName="web",
        AllowedOAuthFlows=["code", "implicit"],
        AllowedOAuthScopes=["openid", "email", "profile", "aws.cognito.signin.user.admin", "api/read"],
        **user_flow,
    )["UserPoolClient"]
    confidential = cognito.create_user_pool_client(
        UserPoolId=pool_id,
        ClientName="server",
        GenerateSecret=True,
        AllowedOAuthFlows=["code"],
        AllowedOAuthScopes=["openid", "email"],
        **user_flow,
    )["UserPoolClient"]
    m2m = cognito.create_user_pool_client(
        UserPoolId=pool_id,
        ClientName="m2m",
        GenerateSecret=True,
        AllowedOAuthFlowsUserPoolClient=True,
        AllowedOAuthFlows=["client_credentials"],
        AllowedOAuthScopes=["api/read", "api/write"],
    )["UserPoolClient"]
    return OAuthPool(
        pool_id,
        web["ClientId"],
        confidential["ClientId"],
        confidential["ClientSecret"],
        m2m["ClientId"],
        m2m["ClientSecret"],
    )


def pkce_pair() -> tuple[str, str]:
    verifier = secrets.token_urlsafe(48)
    challenge = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).rstrip(b"=").decode()
    return verifier, challenge


def basic(client_id: str, secret: str) -> dict[str, str]:
    value = base64.b64encode(f"{client_id}:{secret}".encode()).decode()
    return {"Authorization": f"Basic {value}"}


def csrf_of(html: str) -> str:
    found = re.search(r'name="_csrf" value="([^"]+)"', html)
    assert found, "the form has no CSRF field"
    return found.group(1)


def form_fields(html: str) -> dict[str, str]:
    """The hidden fields of the page's (first) form."""
    return dict(re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)"', html))


def query_of(location: str) -> dict[str, str]:
    return dict(urllib.parse.parse_qsl(urllib.parse.urlsplit(location).query))


def fragment_of(location: str) -> dict[str, str]:
    return dict(urllib.parse.parse_qsl(urllib.parse.urlsplit(location).fragment))


def authorize_params(client_id: str, challenge: str | None = None, **extra: str) -> dict[str, str]:
    params = {
        "response_type": "code",
        "client_id": client_id,
        "redirect_uri": CALLBACK,
        "state": secrets.token_urlsafe(12),
        "scope": "openid email",
    }
    if challenge is not None:
        params.update(code_challenge=challenge, code_challenge_method="S256")
    params.update(extra)
    return params


def log_in(
    browser: httpx.Client, params: dict[str, str], username: str = "alice", password: str = PASSWORD
) -> httpx.Response:
    """``/oauth2/authorize`` → ``/login`` → the form posted: the answer to the post (a redirect, or the form
    again with its error), or the authorize answer when the browser's session signs it in."""
    first = browser.get("/oauth2/authorize", params=params)
    assert first.status_code == 302, first.text
    if not first.headers["location"].startswith("/login?"):
        return first  # the browser's hosted-UI session answered without the form
    page = browser.get(first.headers["location"])
    assert page.status_code == 200, page.text
    return browser.post(
        str(page.url),
        data={"_csrf": csrf_of(page.text), "username": username, "password": password},
    )


def code_from(response: httpx.Response, state: str) -> str:
    assert response.status_code == 302, response.text
    location = response.headers["location"]
    assert location.startswith(CALLBACK + "?"), location
    answer = query_of(location)
    assert answer["state"] == state
    return answer["code"]
