"""PreTokenGeneration for machine-to-machine access tokens (``TokenGeneration_ClientCredentials``): the client
credentials grant at ``POST /oauth2/token`` (authlib and plain HTTP) calls a ``V3_0`` function, never a V1_0 or V2_0
one, with a user-less event; its answer changes the access token's claims and scopes only; its failures are
OAuth's JSON errors."""

from __future__ import annotations

import json
from typing import Any

import httpx
import pytest

from tests.functions import answer, arn, fail, raw, slow
from tests.helpers import http_post, oauth2_client
from tests.oauth_helpers import OAuthPool, basic, oauth_pool
from tests.signin import claims
from tests.trigger_setup import SDK, TIMEOUT, VIAS, function_name


def make_world(idp: Any, name: str, version: str | None) -> OAuthPool:
    if version is None:
        config: dict[str, Any] = {"PreTokenGeneration": arn(name)}
    else:
        config = {"PreTokenGenerationConfig": {"LambdaArn": arn(name), "LambdaVersion": version}}
    return oauth_pool(idp, LambdaConfig=config)


def token_url(server: Any) -> str:
    return f"{server.url}/oauth2/token"


def m2m(server: Any, world: OAuthPool, **form: str) -> httpx.Response:
    return http_post(
        token_url(server),
        data={"grant_type": "client_credentials", **form},
        headers=basic(world.m2m_id, world.m2m_secret),
    )


def m2m_claims(server: Any, world: OAuthPool, **form: str) -> dict[str, Any]:
    response = m2m(server, world, **form)
    assert response.status_code == 200, response.text
    return claims(response.json()["access_token"])


OVERRIDES = {
    "accessTokenGeneration": {
        "claimsToAddOrOverride": {
            "tenant": "acme",
            "limits": {"rps": 10},
            "tiers": ["gold", 2, True],
            "gone": "added then suppressed",
            # never changed: the token's own claims
            "sub": "someone-else",
            "client_id": "another-client",
            "token_use": "id",
            "scope": "everything",
            "cognito:groups": ["admins"],
        },
        "claimsToSuppress": ["gone", "jti", "iss"],
        "scopesToAdd": ["api/admin", "aws.cognito.signin.user.admin"],
        "scopesToSuppress": ["api/write"],
    },
    # a machine token has no ID token and no user's groups: both ignored
    "idTokenGeneration": {"claimsToAddOrOverride": {"tenant": "id-only"}},
    "groupOverrideDetails": {"groupsToOverride": ["admins"], "iamRolesToOverride": [], "preferredRole": None},
}


@pytest.mark.parametrize("via", VIAS)
def test_v3_event_has_no_user_and_the_answer_lands_in_the_access_token(idp, functions, trigger_server, via):
    name = function_name(via)
    world = make_world(idp, name, "V3_0")
    functions.on(name, answer(claimsAndScopeOverrideDetails=OVERRIDES))
    with oauth2_client(world.m2m_id, world.m2m_secret) as client:
        token = client.fetch_token(token_url(trigger_server), grant_type="client_credentials")
    assert set(token) == {"access_token", "expires_in", "token_type", "expires_at"}
    [received] = functions.received(name)
    assert received.via == via
    assert received.event == {
        "version": "3",
        "region": "us-east-1",
        "userPoolId": world.pool_id,
        "userName": "ClientCredentials",
        "callerContext": {"awsSdkVersion": SDK, "clientId": world.m2m_id},
        "triggerSource": "TokenGeneration_ClientCredentials",
        "request": {"userAttributes": {}, "groupConfiguration": None, "scopes": ["api/read", "api/write"]},
        "response": {"claimsAndScopeOverrideDetails": None},
    }
    access = claims(token["access_token"])
    assert access["tenant"] == "acme"
    assert access["limits"] == {"rps": 10} and access["tiers"] == ["gold", 2, True]
    assert "gone" not in access
    assert access["sub"] == access["client_id"] == world.m2m_id
    assert access["token_use"] == "access" and access["iss"].endswith(world.pool_id) and access["jti"]
    assert "cognito:groups" not in access
    assert access["scope"] == "api/read api/admin"


def test_client_metadata_reaches_the_function(idp, functions, trigger_server):
    name = function_name("http")
    world = make_world(idp, name, "V3_0")
    m2m_claims(trigger_server, world, scope="api/write", aws_client_metadata=json.dumps({"on_behalf_of": "u-1"}))
    [event] = functions.events(name)
    assert event["request"] == {
        "userAttributes": {},
        "groupConfiguration": None,
        "scopes": ["api/write"],
        "clientMetadata": {"on_behalf_of": "u-1"},
    }


@pytest.mark.parametrize("metadata", ["not json", "[1]", '{"n": 1}'])
def test_unreadable_client_metadata_is_an_invalid_request(idp, functions, trigger_server, metadata):
    name = function_name("python")
    world = make_world(idp, name, "V3_0")
    refused = m2m(trigger_server, world, aws_client_metadata=metadata)
    assert (refused.status_code, refused.json()) == (400, {"error": "invalid_request"})
    assert functions.events(name) == []


def test_suppressing_every_scope_drops_the_scope_claim(idp, functions, trigger_server):
    name = function_name("python")
    world = make_world(idp, name, "V3_0")
    suppress_all = {"accessTokenGeneration": {"scopesToSuppress": ["api/read", "api/write"]}}
    functions.on(name, answer(claimsAndScopeOverrideDetails=suppress_all))
    assert "scope" not in m2m_claims(trigger_server, world)


def test_no_answer_leaves_the_token_as_it_was(idp, functions, trigger_server):
    name = function_name("http")
    world = make_world(idp, name, "V3_0")
    access = m2m_claims(trigger_server, world, scope="api/read")
    assert access["scope"] == "api/read" and access["sub"] == world.m2m_id
    assert len(functions.events(name)) == 1


@pytest.mark.parametrize("version", [None, "V1_0", "V2_0"])
def test_v1_and_v2_functions_are_not_called_for_machine_tokens(idp, functions, trigger_server, version):
    name = function_name("http")
    world = make_world(idp, name, version)
    functions.on(name, fail("must not run"))
    access = m2m_claims(trigger_server, world)
    assert access["scope"] == "api/read api/write"
    assert functions.events(name) == []


# ---- failures: OAuth's JSON error, never a 500 --------------------------------------------------------------------
@pytest.mark.parametrize("via", VIAS)
def test_function_error_is_an_invalid_request(idp, functions, trigger_server, via):
    name = function_name(via)
    world = make_world(idp, name, "V3_0")
    functions.on(name, fail("no tokens for you"))
    refused = m2m(trigger_server, world)
    assert (refused.status_code, refused.json()) == (400, {"error": "invalid_request"})
    assert refused.headers["content-type"].startswith("application/json")


@pytest.mark.parametrize(
    "behaviour",
    [
        slow(TIMEOUT + 0.3),
        raw(b"<html>"),
        raw(b'{"response": {"claimsAndScopeOverrideDetails": []}}'),
        raw(b'{"response": {"claimsAndScopeOverrideDetails": {"accessTokenGeneration": {"scopesToAdd": "x"}}}}'),
    ],
    ids=["timeout", "not-json", "not-an-object", "scopes-not-a-list"],
)
def test_timeouts_and_invalid_answers_are_an_invalid_request(idp, functions, trigger_server, behaviour):
    name = function_name("http")
    world = make_world(idp, name, "V3_0")
    functions.on(name, behaviour)
    refused = m2m(trigger_server, world)
    assert (refused.status_code, refused.json()) == (400, {"error": "invalid_request"})
