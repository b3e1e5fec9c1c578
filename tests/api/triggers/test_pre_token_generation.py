"""PreTokenGeneration (V1_0, V2_0, V3_0) through the real server and every invoker, on both databases: the exact
events, each response field as it lands in the issued tokens, the claims no answer changes, and the failures."""

from __future__ import annotations

from typing import Any

import pytest
from botocore.exceptions import ClientError

from tests.functions import answer, arn, fail, raw, slow
from tests.helpers import PASSWORD, error_of
from tests.signin import ALL_FLOWS, claims
from tests.trigger_setup import SDK, TIMEOUT, VIAS, function_name

ADMIN_SCOPE = "aws.cognito.signin.user.admin"
NO_GROUPS = {"groupsToOverride": [], "iamRolesToOverride": [], "preferredRole": None}


def config(name: str, version: str | None) -> dict[str, Any]:
    if version is None:
        return {"PreTokenGeneration": arn(name)}
    return {"PreTokenGenerationConfig": {"LambdaArn": arn(name), "LambdaVersion": version}}


def make_app(idp: Any, name: str, version: str | None = None) -> tuple[str, str, str]:
    """A pool with the PreTokenGeneration function ``name`` and a user ``alice``: (pool id, client id, sub)."""
    pool_id = idp.create_user_pool(PoolName="tokens", LambdaConfig=config(name, version))["UserPool"]["Id"]
    client_id = idp.create_user_pool_client(UserPoolId=pool_id, ClientName="app", ExplicitAuthFlows=ALL_FLOWS)[
        "UserPoolClient"
    ]["ClientId"]
    user = idp.admin_create_user(
        UserPoolId=pool_id,
        Username="alice",
        UserAttributes=[
            {"Name": "email", "Value": "alice@example.com"},
            {"Name": "email_verified", "Value": "true"},
            {"Name": "name", "Value": "Alice"},
        ],
        MessageAction="SUPPRESS",
    )
    idp.admin_set_user_password(UserPoolId=pool_id, Username="alice", Password=PASSWORD, Permanent=True)
    sub = next(a["Value"] for a in user["User"]["Attributes"] if a["Name"] == "sub")
    return pool_id, client_id, sub


def sign_in(idp: Any, client_id: str, **extra: Any) -> dict[str, Any]:
    return idp.initiate_auth(
        ClientId=client_id,
        AuthFlow="USER_PASSWORD_AUTH",
        AuthParameters={"USERNAME": "alice", "PASSWORD": PASSWORD},
        **extra,
    )["AuthenticationResult"]


def attributes(sub: str) -> dict[str, str]:
    return {
        "sub": sub,
        "cognito:user_status": "CONFIRMED",
        "email": "alice@example.com",
        "email_verified": "true",
        "name": "Alice",
    }


# ---- the event --------------------------------------------------------------------------------------------------
@pytest.mark.parametrize("via", VIAS)
def test_v1_event_from_the_legacy_arn(idp, functions, via):
    name = function_name(via)
    pool_id, client_id, sub = make_app(idp, name)
    sign_in(idp, client_id, ClientMetadata={"not": "passed on"})
    [received] = functions.received(name)
    assert received.via == via
    assert received.event == {
        "version": "1",
        "region": "us-east-1",
        "userPoolId": pool_id,
        "userName": "alice",
        "callerContext": {"awsSdkVersion": SDK, "clientId": client_id},
        "triggerSource": "TokenGeneration_Authentication",
        "request": {"userAttributes": attributes(sub), "groupConfiguration": NO_GROUPS},
        "response": {"claimsOverrideDetails": None},
    }


@pytest.mark.parametrize(("version", "event_version"), [("V2_0", "2"), ("V3_0", "3")])
def test_v2_and_v3_events_carry_the_scopes(idp, functions, version, event_version):
    name = function_name("python")
    _, client_id, sub = make_app(idp, name, version)
    sign_in(idp, client_id)
    [event] = functions.events(name)
    assert event["version"] == event_version
    assert event["request"] == {
        "userAttributes": attributes(sub),
        "groupConfiguration": NO_GROUPS,
        "scopes": [ADMIN_SCOPE],
    }
    assert event["response"] == {"claimsAndScopeOverrideDetails": None}


def test_sources_new_password_challenge_and_refresh(idp, functions):
    name = function_name("http")
    pool_id, client_id, _ = make_app(idp, name)
    idp.admin_create_user(
        UserPoolId=pool_id, Username="bob", TemporaryPassword="Temp-passw0rd", MessageAction="SUPPRESS"
    )
    challenge = idp.initiate_auth(
        ClientId=client_id,
        AuthFlow="USER_PASSWORD_AUTH",
        AuthParameters={"USERNAME": "bob", "PASSWORD": "Temp-passw0rd"},
    )
    tokens = idp.respond_to_auth_challenge(
        ClientId=client_id,
        ChallengeName="NEW_PASSWORD_REQUIRED",
        Session=challenge["Session"],
        ChallengeResponses={"USERNAME": "bob", "NEW_PASSWORD": PASSWORD},
        ClientMetadata={"screen": "welcome"},
    )["AuthenticationResult"]
    idp.initiate_auth(
        ClientId=client_id, AuthFlow="REFRESH_TOKEN_AUTH", AuthParameters={"REFRESH_TOKEN": tokens["RefreshToken"]}
    )
    new_password, refresh = functions.events(name)
    assert new_password["triggerSource"] == "TokenGeneration_NewPasswordChallenge"
    assert new_password["request"]["clientMetadata"] == {"screen": "welcome"}
    assert refresh["triggerSource"] == "TokenGeneration_RefreshTokens"
    assert "clientMetadata" not in refresh["request"]


# ---- V1_0 answers -----------------------------------------------------------------------------------------------
@pytest.mark.parametrize("via", VIAS)
def test_v1_adds_overrides_and_suppresses_id_token_claims(idp, functions, via):
    name = function_name(via)
    functions.on(
        name,
        answer(
            claimsOverrideDetails={
                "claimsToAddOrOverride": {"plan": "pro", "name": "Alice A.", "email": "kept@out.example"},
                "claimsToSuppress": ["email", "email_verified"],
            }
        ),
    )
    _, client_id, sub = make_app(idp, name)
    tokens = sign_in(idp, client_id)
    id_claims = claims(tokens["IdToken"])
    assert id_claims["plan"] == "pro"
    assert id_claims["name"] == "Alice A."
    assert "email" not in id_claims  # suppressing beats adding
    assert "email_verified" not in id_claims
    assert id_claims["sub"] == sub
    access = claims(tokens["AccessToken"])
    assert "plan" not in access  # V1_0 changes the ID token only
    assert idp.get_user(AccessToken=tokens["AccessToken"])["Username"] == "alice"


def test_claims_no_answer_changes_keep_their_values_unverified(idp, functions):
    name = function_name("http")
    protected = {
        "sub": "someone-else",
        "iss": "https://evil.example",
        "aud": "other-client",
        "cognito:username": "mallory",
        "token_use": "access",
        "exp": "9999999999",
        "iat": "1",
        "auth_time": "1",
        "jti": "x",
        "origin_jti": "x",
        "cognito:groups": "admins",
    }
    functions.on(
        name,
        answer(
            claimsOverrideDetails={
                "claimsToAddOrOverride": protected,
                "claimsToSuppress": ["sub", "iss", "aud", "exp", "token_use"],
            }
        ),
    )
    _, client_id, sub = make_app(idp, name)
    before = sign_in(idp, client_id)  # succeeds: the function is not refused for asking
    id_claims = claims(before["IdToken"])
    assert id_claims["sub"] == sub
    assert id_claims["cognito:username"] == "alice"
    assert id_claims["token_use"] == "id"
    assert isinstance(id_claims["exp"], int) and id_claims["exp"] > id_claims["iat"] > 1
    assert "evil" not in id_claims["iss"]
    assert id_claims["aud"] == client_id
    assert "cognito:groups" not in id_claims  # groups change only through groupOverrideDetails


def test_v1_group_override_sets_groups_roles_and_preferred_role(idp, functions):
    name = function_name("python")
    role = "arn:aws:iam::123456789012:role/readers"
    functions.on(
        name,
        answer(
            claimsOverrideDetails={
                "groupOverrideDetails": {
                    "groupsToOverride": ["readers", "writers"],
                    "iamRolesToOverride": [role],
                    "preferredRole": role,
                }
            }
        ),
    )
    _, client_id, _ = make_app(idp, name)
    tokens = sign_in(idp, client_id)
    id_claims, access = claims(tokens["IdToken"]), claims(tokens["AccessToken"])
    assert id_claims["cognito:groups"] == ["readers", "writers"]
    assert id_claims["cognito:roles"] == [role]
    assert id_claims["cognito:preferred_role"] == role
    assert access["cognito:groups"] == ["readers", "writers"]
    assert "cognito:roles" not in access and "cognito:preferred_role" not in access


def test_the_event_carries_the_users_groups_and_an_override_replaces_them(idp, functions):
    name = function_name("python")
    role = "arn:aws:iam::123456789012:role/staff"
    functions.on(name, answer(claimsOverrideDetails={"groupOverrideDetails": {"groupsToOverride": ["guests"]}}))
    pool_id, client_id, _ = make_app(idp, name)
    idp.create_group(UserPoolId=pool_id, GroupName="staff", RoleArn=role, Precedence=1)
    idp.create_group(UserPoolId=pool_id, GroupName="admins", Precedence=2)
    for group in ("staff", "admins"):
        idp.admin_add_user_to_group(UserPoolId=pool_id, Username="alice", GroupName=group)
    tokens = sign_in(idp, client_id)
    [event] = functions.events(name)
    assert event["request"]["groupConfiguration"] == {
        "groupsToOverride": ["staff", "admins"],
        "iamRolesToOverride": [role],
        "preferredRole": role,
    }
    assert claims(tokens["IdToken"])["cognito:groups"] == ["guests"]
    assert claims(tokens["AccessToken"])["cognito:groups"] == ["guests"]


def test_an_empty_group_override_leaves_no_group_claims(idp, functions):
    name = function_name("http")
    functions.on(name, answer(claimsOverrideDetails={"groupOverrideDetails": None}))
    _, client_id, _ = make_app(idp, name)
    tokens = sign_in(idp, client_id)
    assert not any(c.startswith("cognito:groups") for c in claims(tokens["IdToken"]))


def test_v1_ignores_a_v2_container(idp, functions):
    name = function_name("http")
    functions.on(
        name,
        answer(claimsAndScopeOverrideDetails={"idTokenGeneration": {"claimsToAddOrOverride": {"plan": "pro"}}}),
    )
    _, client_id, _ = make_app(idp, name)
    assert "plan" not in claims(sign_in(idp, client_id)["IdToken"])


def test_v1_claim_values_that_are_not_strings_are_dropped_unverified(idp, functions):
    name = function_name("python")
    answer_ = answer(claimsOverrideDetails={"claimsToAddOrOverride": {"level": 3, "tier": "gold", "cognito:x": "y"}})
    functions.on(name, answer_)
    _, client_id, _ = make_app(idp, name)
    id_claims = claims(sign_in(idp, client_id)["IdToken"])
    assert id_claims["tier"] == "gold"
    assert "level" not in id_claims and "cognito:x" not in id_claims


def test_the_answer_applies_to_refreshed_tokens_too(idp, functions):
    name = function_name("http")
    functions.on(name, answer(claimsOverrideDetails={"claimsToAddOrOverride": {"plan": "pro"}}))
    _, client_id, _ = make_app(idp, name)
    tokens = sign_in(idp, client_id)
    refreshed = idp.initiate_auth(
        ClientId=client_id, AuthFlow="REFRESH_TOKEN_AUTH", AuthParameters={"REFRESH_TOKEN": tokens["RefreshToken"]}
    )["AuthenticationResult"]
    assert claims(refreshed["IdToken"])["plan"] == "pro"


# ---- V2_0 / V3_0 answers ----------------------------------------------------------------------------------------
@pytest.mark.parametrize("via", VIAS)
@pytest.mark.parametrize("version", ["V2_0", "V3_0"])
def test_v2_customises_both_tokens_and_the_scopes(idp, functions, via, version):
    name = function_name(via)
    functions.on(
        name,
        answer(
            claimsAndScopeOverrideDetails={
                "idTokenGeneration": {
                    "claimsToAddOrOverride": {"favorite_number": 2, "tags": ["a", "b"], "profile": {"tier": "gold"}},
                    "claimsToSuppress": ["name"],
                },
                "accessTokenGeneration": {
                    "claimsToAddOrOverride": {"tenant": "acme", "admin": True},
                    "claimsToSuppress": ["username"],
                    "scopesToAdd": ["orders/read", "orders/write", ADMIN_SCOPE],
                    "scopesToSuppress": ["orders/write", ADMIN_SCOPE],
                },
            }
        ),
    )
    _, client_id, _ = make_app(idp, name, version)
    tokens = sign_in(idp, client_id)
    id_claims, access = claims(tokens["IdToken"]), claims(tokens["AccessToken"])
    assert (id_claims["favorite_number"], id_claims["tags"], id_claims["profile"]) == (2, ["a", "b"], {"tier": "gold"})
    assert "name" not in id_claims
    assert (access["tenant"], access["admin"]) == ("acme", True)
    assert access["username"] == "alice"  # cannot be suppressed
    assert access["scope"] == f"{ADMIN_SCOPE} orders/read"
    assert idp.get_user(AccessToken=tokens["AccessToken"])["Username"] == "alice"


def test_v2_id_token_flags_cannot_take_complex_values_unverified(idp, functions):
    name = function_name("http")
    functions.on(
        name,
        answer(
            claimsAndScopeOverrideDetails={
                "idTokenGeneration": {"claimsToAddOrOverride": {"email_verified": {"x": 1}, "updated_at": [1]}}
            }
        ),
    )
    _, client_id, _ = make_app(idp, name, "V2_0")
    id_claims = claims(sign_in(idp, client_id)["IdToken"])
    assert id_claims["email_verified"] is True


def test_v2_null_value_types_are_unrecognizable(idp, functions):
    name = function_name("python")
    functions.on(
        name,
        answer(claimsAndScopeOverrideDetails={"accessTokenGeneration": {"claimsToAddOrOverride": {"x": None}}}),
    )
    _, client_id, _ = make_app(idp, name, "V2_0")
    with pytest.raises(ClientError) as e:
        sign_in(idp, client_id)
    assert error_of(e) == (400, "InvalidLambdaResponseException", "Unrecognizable lambda output")


# ---- failures ---------------------------------------------------------------------------------------------------
@pytest.mark.parametrize("via", VIAS)
def test_function_error_is_a_lambda_validation_error(idp, functions, via):
    name = function_name(via)
    functions.on(name, fail("no claims today"))
    _, client_id, _ = make_app(idp, name)
    with pytest.raises(ClientError) as e:
        sign_in(idp, client_id)
    assert error_of(e) == (
        400,
        "UserLambdaValidationException",
        "PreTokenGeneration failed with error no claims today.",
    )


@pytest.mark.parametrize("via", VIAS)
def test_timeout_is_unexpected(idp, functions, via):
    name = function_name(via)
    functions.on(name, slow(TIMEOUT + 0.3))
    _, client_id, _ = make_app(idp, name)
    with pytest.raises(ClientError) as e:
        sign_in(idp, client_id)
    status, kind, message = error_of(e)
    assert (status, kind) == (400, "UnexpectedLambdaException")
    assert message.startswith("PreTokenGeneration invocation failed due to error ")


@pytest.mark.parametrize(
    ("body", "message"),
    [
        (b"<html>", "Invalid lambda function output : Invalid JSON"),
        (b'{"response": {"claimsOverrideDetails": []}}', "Unrecognizable lambda output"),
        (b'{"response": {"claimsOverrideDetails": {"claimsToSuppress": "email"}}}', "Unrecognizable lambda output"),
    ],
)
def test_unreadable_answers(idp, functions, body, message):
    name = function_name("http")
    functions.on(name, raw(body))
    _, client_id, _ = make_app(idp, name)
    with pytest.raises(ClientError) as e:
        sign_in(idp, client_id)
    assert error_of(e) == (400, "InvalidLambdaResponseException", message)


# ---- the pool's configuration -------------------------------------------------------------------------------------
def lambda_config_of(idp: Any, pool_id: str) -> dict[str, Any]:
    return idp.describe_user_pool(UserPoolId=pool_id)["UserPool"]["LambdaConfig"]


def test_the_legacy_arn_and_the_config_are_two_views_of_one_function(idp):
    legacy = idp.create_user_pool(PoolName="p", LambdaConfig={"PreTokenGeneration": arn("f")})["UserPool"]
    assert legacy["LambdaConfig"] == {
        "PreTokenGeneration": arn("f"),
        "PreTokenGenerationConfig": {"LambdaArn": arn("f"), "LambdaVersion": "V1_0"},
    }
    pool_id = legacy["Id"]
    idp.update_user_pool(
        UserPoolId=pool_id, LambdaConfig={"PreTokenGenerationConfig": {"LambdaArn": arn("g"), "LambdaVersion": "V2_0"}}
    )
    assert lambda_config_of(idp, pool_id) == {
        "PreTokenGeneration": arn("g"),
        "PreTokenGenerationConfig": {"LambdaArn": arn("g"), "LambdaVersion": "V2_0"},
    }
    idp.update_user_pool(UserPoolId=pool_id, LambdaConfig={})
    assert lambda_config_of(idp, pool_id) == {}


def test_two_different_functions_are_refused_unverified_wording(idp):
    with pytest.raises(ClientError) as e:
        idp.create_user_pool(
            PoolName="p",
            LambdaConfig={
                "PreTokenGeneration": arn("f"),
                "PreTokenGenerationConfig": {"LambdaArn": arn("g"), "LambdaVersion": "V2_0"},
            },
        )
    assert error_of(e) == (
        400,
        "InvalidParameterException",
        "PreTokenGeneration and PreTokenGenerationConfig.LambdaArn must name the same function.",
    )
