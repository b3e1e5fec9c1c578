"""Helpers of the federation tests: a world of two pools on one server — the *upstream* pool is the OpenID provider
(its hosted UI, token endpoint, JWKS and discovery document), the *app* pool names it as its OIDC identity provider
``Corp`` — the sign-in through both driven over HTTP as a browser would (cookies, the CSRF field), and the app's side
played by authlib's OAuth 2.0 client (PKCE, the code exchanged at the token endpoint)."""

from __future__ import annotations

import secrets
import urllib.parse
from dataclasses import dataclass
from typing import Any

import httpx
from authlib.integrations.httpx_client import OAuth2Client

from tests.helpers import PASSWORD, oauth2_client
from tests.oauth_helpers import CALLBACK, csrf_of, query_of

PROVIDER = "Corp"
MAPPING = {"email": "email", "email_verified": "email_verified", "name": "name"}


@dataclass
class World:
    server_url: str
    upstream_pool: str
    upstream_client: str
    upstream_secret: str
    pool_id: str
    app_client: str
    callback: str
    provider: str = PROVIDER

    def app(self) -> OAuth2Client:
        """The app's OAuth 2.0 client (authlib): public, PKCE S256."""
        return oauth2_client(
            self.app_client, redirect_uri=self.callback, scope="openid email profile", code_challenge_method="S256"
        )


def with_domain(cognito: Any, pool_id: str) -> None:
    cognito.create_user_pool_domain(Domain=f"fed-{secrets.token_hex(6)}", UserPoolId=pool_id)


def upstream_user(cognito: Any, world: World, username: str = "alice", **attributes: str) -> str:
    """A confirmed user of the upstream pool with a verified email (and ``attributes``); its sub."""
    values = {"email": f"{username}@corp.example", "email_verified": "true", "name": username.title(), **attributes}
    user = cognito.admin_create_user(
        UserPoolId=world.upstream_pool,
        Username=username,
        MessageAction="SUPPRESS",
        UserAttributes=[{"Name": k, "Value": v} for k, v in values.items()],
    )["User"]
    cognito.admin_set_user_password(
        UserPoolId=world.upstream_pool, Username=username, Password=PASSWORD, Permanent=True
    )
    return next(a["Value"] for a in user["Attributes"] if a["Name"] == "sub")


def federated_world(
    cognito: Any, server_url: str, callback: str = CALLBACK, mapping: dict[str, str] | None = None, **pool: Any
) -> World:
    upstream = cognito.create_user_pool(PoolName="upstream")["UserPool"]["Id"]
    with_domain(cognito, upstream)
    client = cognito.create_user_pool_client(
        UserPoolId=upstream,
        ClientName="federation",
        GenerateSecret=True,
        AllowedOAuthFlowsUserPoolClient=True,
        AllowedOAuthFlows=["code"],
        AllowedOAuthScopes=["openid", "email", "profile"],
        CallbackURLs=[f"{server_url}/oauth2/idpresponse"],
        SupportedIdentityProviders=["COGNITO"],
    )["UserPoolClient"]
    details = {
        "client_id": client["ClientId"],
        "client_secret": client["ClientSecret"],
        "authorize_scopes": "openid email profile",
        "oidc_issuer": f"{server_url}/{upstream}",
    }
    pool_id, app_client = app_pool(
        cognito, PROVIDER, "OIDC", details, MAPPING if mapping is None else mapping, callback, **pool
    )
    return World(server_url, upstream, client["ClientId"], client["ClientSecret"], pool_id, app_client, callback)


def app_pool(
    cognito: Any,
    provider: str,
    provider_type: str,
    details: dict[str, str],
    mapping: dict[str, str],
    callback: str = CALLBACK,
    **pool: Any,
) -> tuple[str, str]:
    """A pool with a domain, the identity provider ``provider`` (identifier ``corp.example``) and an app client
    (public, code grant) that supports it and the pool's own users: the pool's id and the client's."""
    pool_id = cognito.create_user_pool(PoolName="app", **pool)["UserPool"]["Id"]
    with_domain(cognito, pool_id)
    cognito.create_identity_provider(
        UserPoolId=pool_id,
        ProviderName=provider,
        ProviderType=provider_type,
        ProviderDetails=details,
        AttributeMapping=mapping,
        IdpIdentifiers=["corp.example"],
    )
    app = cognito.create_user_pool_client(
        UserPoolId=pool_id,
        ClientName="app",
        AllowedOAuthFlowsUserPoolClient=True,
        AllowedOAuthFlows=["code"],
        AllowedOAuthScopes=["openid", "email", "profile"],
        CallbackURLs=[callback],
        SupportedIdentityProviders=["COGNITO", provider],
    )["UserPoolClient"]
    return pool_id, app["ClientId"]


@dataclass
class Started:
    """An app's authorize request sent to the provider: the app's state and PKCE verifier, and the provider's
    authorize URL the browser was sent to (our ``state`` and ``nonce`` in it)."""

    state: str
    verifier: str
    provider_url: str

    @property
    def upstream(self) -> dict[str, str]:
        return query_of(self.provider_url)


def start(browser: httpx.Client, world: World, **params: str) -> Started:
    """The app sends the browser to ``/oauth2/authorize`` naming the provider (``identity_provider=Corp`` unless
    ``params`` say otherwise); the provider's authorize URL it is sent on to."""
    verifier = secrets.token_urlsafe(48)
    params = {"identity_provider": world.provider, **params} if "idp_identifier" not in params else params
    url, state = world.app().create_authorization_url(
        f"{world.server_url}/oauth2/authorize", code_verifier=verifier, **params
    )
    first = browser.get(url)
    assert first.status_code == 302, first.text
    return Started(state, verifier, first.headers["location"])


def sign_in_upstream(browser: httpx.Client, started: Started, username: str = "alice") -> str:
    """The person signs in at the provider (the upstream pool's hosted UI); the ``/oauth2/idpresponse`` URL the
    provider sends the browser back to."""
    at_provider = browser.get(started.provider_url)
    assert at_provider.status_code == 302, at_provider.text
    page = browser.get(at_provider.headers["location"])
    assert page.status_code == 200, page.text
    posted = browser.post(str(page.url), data={"_csrf": csrf_of(page.text), "username": username, "password": PASSWORD})
    assert posted.status_code == 302, posted.text
    return posted.headers["location"]


def back_in_app(response: httpx.Response, world: World, started: Started) -> str:
    """The code the app's callback received (with the app's own state)."""
    assert response.status_code == 302, response.text
    location = response.headers["location"]
    assert location.startswith(world.callback + "?"), location
    answer = query_of(location)
    assert answer["state"] == started.state
    return answer["code"]


def tokens(world: World, started: Started, code: str) -> dict[str, Any]:
    """The app exchanges the code (authlib, with its PKCE verifier) at the token endpoint."""
    with world.app() as app:
        return dict(app.fetch_token(f"{world.server_url}/oauth2/token", code=code, code_verifier=started.verifier))


def federated_sign_in(browser: httpx.Client, world: World, username: str = "alice", **params: str) -> dict[str, Any]:
    """The whole round: app → us → provider's sign-in → us → app, and the app's tokens."""
    started = start(browser, world, **params)
    back = browser.get(sign_in_upstream(browser, started, username))
    return tokens(world, started, back_in_app(back, world, started))


def idp_response_url(server_url: str, **params: str) -> str:
    return f"{server_url}/oauth2/idpresponse?" + urllib.parse.urlencode(params)
