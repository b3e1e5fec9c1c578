"""Federated sign-in through the hosted UI, end to end over HTTP on both databases: the OpenID provider is another
pool of the same server (its hosted UI, token endpoint, JWKS and discovery document), the app's side is authlib's
OAuth 2.0 client. The federated user, its mapped attributes and ``identities``, its group, later sign-ins, linked
identities, and the refusals of a replayed, forged or other browser's ``state`` (nothing created)."""

from __future__ import annotations

import json

import botocore.exceptions
import pytest

from tests.federation_helpers import (
    PROVIDER,
    back_in_app,
    federated_sign_in,
    federated_world,
    sign_in_upstream,
    start,
    upstream_user,
)
from tests.helpers import PASSWORD, error_of, http_client, http_get
from tests.signin import claims, password_auth


@pytest.fixture
def world(cognito, server):
    return federated_world(cognito, server.url)


@pytest.fixture
def browser(server):
    with http_client(base_url=server.url) as client:
        yield client


def users_of(cognito, pool_id: str) -> list[dict]:
    return cognito.list_users(UserPoolId=pool_id)["Users"]


def attributes(user: dict) -> dict[str, str]:
    return {a["Name"]: a["Value"] for a in user.get("Attributes") or user.get("UserAttributes")}


def test_the_provider_is_sent_our_state_nonce_and_pkce(browser, world, server):
    started = start(browser, world)
    assert started.provider_url.startswith(f"{server.url}/oauth2/authorize?")
    sent = started.upstream
    assert sent["client_id"] == world.upstream_client
    assert sent["redirect_uri"] == f"{server.url}/oauth2/idpresponse"
    assert sent["response_type"] == "code"
    assert sent["scope"] == "openid email profile"
    assert sent["code_challenge_method"] == "S256" and len(sent["code_challenge"]) == 43
    assert len(sent["nonce"]) >= 32 and sent["state"] != started.state
    cookie = browser.cookies.get("cognito-federation")
    assert cookie and started.state not in started.provider_url


def test_a_first_sign_in_makes_the_federated_user_and_the_app_gets_its_tokens(browser, cognito, world):
    sub = upstream_user(cognito, world)
    answer = federated_sign_in(browser, world)
    id_token = claims(answer["id_token"])
    assert id_token["cognito:username"] == f"{PROVIDER}_{sub}"
    assert id_token["aud"] == world.app_client and id_token["email"] == "alice@corp.example"
    assert id_token["cognito:groups"] == [f"{world.pool_id}_{PROVIDER}"]
    [identity] = id_token["identities"]
    assert identity["userId"] == sub and identity["providerName"] == PROVIDER and identity["providerType"] == "OIDC"
    assert identity["issuer"] == f"{world.server_url}/{world.upstream_pool}"
    assert identity["primary"] == "true" and identity["dateCreated"].isdigit()
    [user] = users_of(cognito, world.pool_id)
    assert user["Username"] == f"{PROVIDER}_{sub}" and user["UserStatus"] == "EXTERNAL_PROVIDER"
    stored = attributes(user)
    assert (stored["email"], stored["email_verified"], stored["name"]) == ("alice@corp.example", "true", "Alice")
    [entry] = json.loads(stored["identities"])
    assert entry["primary"] is True and isinstance(entry["dateCreated"], int)
    group = cognito.list_users_in_group(UserPoolId=world.pool_id, GroupName=f"{world.pool_id}_{PROVIDER}")
    assert [u["Username"] for u in group["Users"]] == [user["Username"]]
    access = claims(answer["access_token"])
    assert access["username"] == user["Username"] and access["scope"] == "openid email profile"


def test_a_later_sign_in_is_the_same_user_with_its_mapping_refreshed(browser, cognito, world):
    sub = upstream_user(cognito, world)
    federated_sign_in(browser, world)
    cognito.admin_update_user_attributes(
        UserPoolId=world.upstream_pool, Username="alice", UserAttributes=[{"Name": "name", "Value": "Alice Smith"}]
    )
    browser.cookies.clear()
    again = federated_sign_in(browser, world)
    assert claims(again["id_token"])["name"] == "Alice Smith"
    [user] = users_of(cognito, world.pool_id)
    assert user["Username"] == f"{PROVIDER}_{sub}" and attributes(user)["name"] == "Alice Smith"


def test_idp_identifier_names_the_provider(browser, cognito, world):
    upstream_user(cognito, world)
    answer = federated_sign_in(browser, world, idp_identifier="corp.example")
    assert claims(answer["id_token"])["cognito:username"].startswith(f"{PROVIDER}_")


def test_the_login_page_has_a_button_per_provider_of_the_app(browser, world, server):
    page = browser.get(
        "/login",
        params={"response_type": "code", "client_id": world.app_client, "redirect_uri": world.callback, "state": "s"},
    )
    assert page.status_code == 200
    assert 'id="idp-Corp"' in page.text and "identity_provider=Corp" in page.text


def test_a_provider_the_app_does_not_support_is_refused(browser, cognito, world, server):
    cognito.update_user_pool_client(
        UserPoolId=world.pool_id, ClientId=world.app_client, AllowedOAuthFlowsUserPoolClient=True,
        AllowedOAuthFlows=["code"], AllowedOAuthScopes=["openid"], CallbackURLs=[world.callback],
        SupportedIdentityProviders=["COGNITO"],
    )  # fmt: skip
    params = {"response_type": "code", "client_id": world.app_client, "redirect_uri": world.callback}
    refused = browser.get("/oauth2/authorize", params={**params, "state": "s1", "identity_provider": PROVIDER})
    assert refused.status_code == 302
    assert refused.headers["location"].startswith(world.callback + "?error=invalid_request")
    assert "state=s1" in refused.headers["location"]


def test_a_linked_identity_signs_in_as_the_native_user(browser, cognito, world):
    sub = upstream_user(cognito, world)
    cognito.admin_create_user(
        UserPoolId=world.pool_id, Username="native", MessageAction="SUPPRESS",
        UserAttributes=[{"Name": "email", "Value": "native@example.com"}],
    )  # fmt: skip
    cognito.admin_link_provider_for_user(
        UserPoolId=world.pool_id,
        DestinationUser={"ProviderName": "Cognito", "ProviderAttributeValue": "native"},
        SourceUser={
            "ProviderName": PROVIDER,
            "ProviderAttributeName": "Cognito_Subject",
            "ProviderAttributeValue": sub,
        },
    )
    answer = federated_sign_in(browser, world)
    id_token = claims(answer["id_token"])
    assert id_token["cognito:username"] == "native"
    assert [i["userId"] for i in id_token["identities"]] == [sub]
    assert "cognito:groups" not in id_token  # linked users are not put in the provider's group
    assert [u["Username"] for u in users_of(cognito, world.pool_id)] == ["native"]
    # Disabling the link: the identity's next sign-in makes a user of its own.
    cognito.admin_disable_provider_for_user(
        UserPoolId=world.pool_id,
        User={"ProviderName": PROVIDER, "ProviderAttributeName": "Cognito_Subject", "ProviderAttributeValue": sub},
    )
    browser.cookies.clear()
    separate = federated_sign_in(browser, world)
    assert claims(separate["id_token"])["cognito:username"] == f"{PROVIDER}_{sub}"
    assert sorted(u["Username"] for u in users_of(cognito, world.pool_id)) == sorted(["native", f"{PROVIDER}_{sub}"])


def test_a_federated_user_cannot_sign_in_with_a_password(browser, cognito, world):
    sub = upstream_user(cognito, world)
    federated_sign_in(browser, world)
    client = cognito.create_user_pool_client(
        UserPoolId=world.pool_id, ClientName="api", ExplicitAuthFlows=["ALLOW_USER_PASSWORD_AUTH"]
    )["UserPoolClient"]
    with pytest.raises(botocore.exceptions.ClientError) as refused:
        password_auth(cognito, client["ClientId"], f"{PROVIDER}_{sub}", PASSWORD)
    assert error_of(refused)[:2] == (400, "NotAuthorizedException")


def test_a_replayed_state_is_refused_with_a_page_and_nothing_more_is_made(browser, cognito, world):
    upstream_user(cognito, world)
    started = start(browser, world)
    response_url = sign_in_upstream(browser, started)
    back_in_app(browser.get(response_url), world, started)
    replayed = browser.get(response_url)
    assert replayed.status_code == 400
    assert "This sign-in has expired or was already completed." in replayed.text
    assert len(users_of(cognito, world.pool_id)) == 1


def test_a_forged_state_is_refused_with_a_page_and_nothing_is_made(browser, cognito, world):
    upstream_user(cognito, world)
    started = start(browser, world)
    response_url = sign_in_upstream(browser, started)
    _, _, signature = started.upstream["state"].partition(".")
    forged = response_url.replace(signature, "0" * len(signature))
    page = browser.get(forged)
    assert page.status_code == 400
    assert "The state of this sign-in response was not issued by this service." in page.text
    assert "no valid state" in browser.get(response_url.split("?")[0] + "?code=x").text
    assert users_of(cognito, world.pool_id) == []


def test_a_state_from_another_browser_is_refused(browser, cognito, world, server):
    upstream_user(cognito, world)
    started = start(browser, world)
    response_url = sign_in_upstream(browser, started)
    with http_client(base_url=server.url) as other:
        page = other.get(response_url)
    assert page.status_code == 400
    assert "This sign-in was not started in this browser." in page.text
    assert users_of(cognito, world.pool_id) == []


def test_an_expired_state_is_refused(browser, cognito, world, server, frozen_clock):
    from tests.helpers import advance_clock

    upstream_user(cognito, world)
    started = start(browser, world)
    response_url = sign_in_upstream(browser, started)
    advance_clock(server, 301)
    page = browser.get(response_url)
    assert page.status_code == 400 and "expired" in page.text
    assert users_of(cognito, world.pool_id) == []


def test_the_person_declining_at_the_provider_goes_back_to_the_app(browser, cognito, world):
    started = start(browser, world)
    state = started.upstream["state"]
    answer = browser.get("/oauth2/idpresponse", params={"state": state, "error": "access_denied"})
    assert answer.status_code == 302
    location = answer.headers["location"]
    assert location.startswith(world.callback + "?error=access_denied") and f"state={started.state}" in location
    assert users_of(cognito, world.pool_id) == []


def test_a_code_the_provider_does_not_know_is_refused(browser, cognito, world):
    started = start(browser, world)
    page = browser.get("/oauth2/idpresponse", params={"state": started.upstream["state"], "code": "forged-code"})
    assert page.status_code == 400
    assert f"Sign-in with {PROVIDER} failed: {PROVIDER} Error - 400 invalid_grant" in page.text
    assert users_of(cognito, world.pool_id) == []


def test_tokens_of_the_sign_in_work_with_the_app(browser, cognito, world):
    upstream_user(cognito, world)
    answer = federated_sign_in(browser, world)
    info = http_get(
        f"{world.server_url}/oauth2/userInfo", headers={"Authorization": f"Bearer {answer['access_token']}"}
    )
    assert info.status_code == 200 and info.json()["email"] == "alice@corp.example"
