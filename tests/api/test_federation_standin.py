"""Federated sign-in against a stand-in for an external OpenID provider (tests/oidc_standin.py, a tiny provider
made with PyJWT and cryptography): the service refuses an ID token signed by another key, for another audience,
from another issuer, with another nonce, expired, or missing — each with a page saying so, nothing created. And a
social provider (Google) pointed at the stand-in by the ``social_endpoints`` setting."""

from __future__ import annotations

import httpx
import pytest

from tests.federation_helpers import World, app_pool, back_in_app, start, tokens
from tests.helpers import http_client, http_post, make_client
from tests.oauth_helpers import csrf_of
from tests.oidc_standin import CLIENT_ID, CLIENT_SECRET, StandIn
from tests.server import in_process
from tests.signin import claims

MAPPING = {"email": "email", "name": "name"}


@pytest.fixture(scope="module")
def standin():
    provider = StandIn()
    yield provider
    provider.stop()


@pytest.fixture(autouse=True)
def _fresh(standin):
    standin.spoil = None


def world_of(cognito, server_url: str, provider: str, provider_type: str, details: dict[str, str]) -> World:
    pool_id, app_client = app_pool(cognito, provider, provider_type, details, MAPPING)
    return World(
        server_url, "", CLIENT_ID, CLIENT_SECRET, pool_id, app_client, "http://localhost:8765/callback", provider
    )


@pytest.fixture
def world(cognito, server, standin) -> World:
    details = {
        "client_id": CLIENT_ID,
        "client_secret": CLIENT_SECRET,
        "authorize_scopes": "openid email",
        "oidc_issuer": standin.issuer,
    }
    return world_of(cognito, server.url, "Ext", "OIDC", details)


def round_trip(server_url: str, world: World, standin: StandIn) -> tuple[httpx.Response, object]:
    """The browser's way to the stand-in and back, the stand-in's tokens issued at the server's clock (which other
    tests may have moved)."""
    standin.now = http_post(f"{server_url}/_userpool/clock", json={"advance": 0}).json()["now"]
    with http_client(base_url=server_url) as browser:
        started = start(browser, world)
        at_provider = browser.get(started.provider_url)
        assert at_provider.status_code == 302
        return browser.get(at_provider.headers["location"]), started


def test_a_sign_in_through_the_stand_in_makes_the_user(cognito, server, world, standin):
    back, started = round_trip(server.url, world, standin)
    answer = tokens(world, started, back_in_app(back, world, started))
    id_token = claims(answer["id_token"])
    assert id_token["cognito:username"] == "Ext_standin-user-1"
    assert (id_token["email"], id_token["name"]) == ("bob@standin.example", "Bob")
    [sent] = standin.token_requests[-1:]
    assert sent["client_secret"] == CLIENT_SECRET and sent["grant_type"] == "authorization_code"
    assert len(sent["code_verifier"]) >= 43


@pytest.mark.parametrize(
    ("spoil", "message"),
    [
        ("signature", "The identity provider's token signature is not valid."),
        ("audience", "The identity provider's token was not issued to this user pool."),
        ("issuer", "The identity provider's token was issued by another issuer."),
        ("nonce", "The identity provider's token does not carry this sign-in's nonce."),
        ("expired", "The identity provider's token has expired."),
        ("no-id-token", "The identity provider did not answer an ID token."),
    ],
)
def test_a_spoiled_id_token_is_refused_with_a_page_and_nothing_is_made(cognito, server, world, standin, spoil, message):
    standin.spoil = spoil
    page, _ = round_trip(server.url, world, standin)
    assert page.status_code == 400
    assert f"Sign-in with Ext failed: {message}".replace("'", "&#39;") in page.text
    assert cognito.list_users(UserPoolId=world.pool_id)["Users"] == []


@pytest.fixture(scope="module")
def social_server(standin, database, tmp_path_factory):
    """A server whose Google is the stand-in (found by discovery) and whose Login with Amazon is the stand-in's
    endpoints spelled out (an OAuth 2.0 provider without ID tokens: userInfo alone)."""
    endpoints = {
        "authorize_url": f"{standin.issuer}/authorize",
        "token_url": f"{standin.issuer}/token",
        "attributes_url": f"{standin.issuer}/userinfo",
    }
    local = in_process(
        tmp_path_factory.mktemp("social") / "data",
        database_url=database,
        social_endpoints={"Google": standin.issuer, "LoginWithAmazon": endpoints},
    )
    yield local
    local.stop()


def social_sign_in(server_url: str, standin: StandIn, kind: str, scopes: str) -> tuple[object, World, dict]:
    """A pool with the social provider ``kind`` (at the stand-in) signs a person in: the admin client, the world and
    the app's ID token claims."""
    admin = make_client(server_url)
    details = {"client_id": CLIENT_ID, "client_secret": CLIENT_SECRET, "authorize_scopes": scopes}
    world = world_of(admin, server_url, kind, kind, details)
    back, started = round_trip(server_url, world, standin)
    return admin, world, claims(tokens(world, started, back_in_app(back, world, started))["id_token"])


def test_a_social_provider_is_pointed_at_a_local_stand_in(social_server, standin):
    admin, world, id_token = social_sign_in(social_server.url, standin, "Google", "openid email profile")
    assert id_token["cognito:username"] == "Google_standin-user-1"
    [identity] = id_token["identities"]
    assert (identity["providerType"], identity["issuer"]) == ("Google", None)
    described = admin.describe_identity_provider(UserPoolId=world.pool_id, ProviderName="Google")
    assert described["IdentityProvider"]["ProviderDetails"]["token_url"] == "https://www.googleapis.com/oauth2/v4/token"


def test_a_provider_without_id_tokens_gives_its_claims_by_user_info(social_server, standin):
    standin.spoil = "no-id-token"
    _, _, id_token = social_sign_in(social_server.url, standin, "LoginWithAmazon", "profile")
    assert id_token["cognito:username"] == "LoginWithAmazon_standin-user-1"
    assert id_token["email"] == "bob@standin.example"


def test_a_disabled_federated_user_is_refused_with_a_page(cognito, server, world, standin):
    back, started = round_trip(server.url, world, standin)
    back_in_app(back, world, started)
    cognito.admin_disable_user(UserPoolId=world.pool_id, Username="Ext_standin-user-1")
    page, _ = round_trip(server.url, world, standin)
    assert page.status_code == 400 and "User is disabled." in page.text


def test_an_app_without_cognito_shows_only_the_provider_buttons(cognito, server, world):
    cognito.update_user_pool_client(
        UserPoolId=world.pool_id,
        ClientId=world.app_client,
        AllowedOAuthFlowsUserPoolClient=True,
        AllowedOAuthFlows=["code"],
        AllowedOAuthScopes=["openid"],
        CallbackURLs=[world.callback],
        SupportedIdentityProviders=["Ext"],
    )
    params = {"response_type": "code", "client_id": world.app_client, "redirect_uri": world.callback, "state": "s"}
    with http_client(base_url=server.url) as browser:
        first = browser.get("/oauth2/authorize", params=params)
        assert first.status_code == 302 and first.headers["location"].startswith("/login?")
        page = browser.get(first.headers["location"])
        assert 'id="idp-Ext"' in page.text and 'name="password"' not in page.text
        form = browser.get("/signup", params=params)  # a page with a form: its CSRF field for this browser
        posted = browser.post(str(page.url), data={"_csrf": csrf_of(form.text), "username": "x", "password": "y"})
        assert posted.status_code == 400 and "Sign in with one of the providers below." in posted.text
