"""PreAuthentication and PostAuthentication through the real server and every invoker (HTTP, in-process Python,
the Lambda Invoke API), on both databases: the exact events, refusals, and each failure mode."""

from __future__ import annotations

from typing import Any

import pytest
from botocore.exceptions import ClientError

from tests.functions import answer, arn, fail, raw, slow
from tests.helpers import PASSWORD, error_of
from tests.signin import ALL_FLOWS, claims, srp_user
from tests.trigger_setup import SDK, TIMEOUT, VIAS, function_name


def make_app(idp: Any, lambda_config: dict[str, Any], hide: bool = False, **pool: Any) -> tuple[str, str]:
    pool_id = idp.create_user_pool(PoolName="auth", LambdaConfig=lambda_config, **pool)["UserPool"]["Id"]
    client = idp.create_user_pool_client(
        UserPoolId=pool_id,
        ClientName="app",
        ExplicitAuthFlows=ALL_FLOWS,
        PreventUserExistenceErrors="ENABLED" if hide else "LEGACY",
    )
    return pool_id, client["UserPoolClient"]["ClientId"]


def add_user(idp: Any, pool_id: str, username: str = "alice") -> str:
    user = idp.admin_create_user(
        UserPoolId=pool_id,
        Username=username,
        UserAttributes=[
            {"Name": "email", "Value": f"{username}@example.com"},
            {"Name": "email_verified", "Value": "true"},
        ],
        MessageAction="SUPPRESS",
    )
    idp.admin_set_user_password(UserPoolId=pool_id, Username=username, Password=PASSWORD, Permanent=True)
    return next(a["Value"] for a in user["User"]["Attributes"] if a["Name"] == "sub")


def sign_in(idp: Any, client_id: str, username: str = "alice", password: str = PASSWORD, **extra: Any) -> Any:
    return idp.initiate_auth(
        ClientId=client_id,
        AuthFlow="USER_PASSWORD_AUTH",
        AuthParameters={"USERNAME": username, "PASSWORD": password},
        **extra,
    )


def view(sub: str, username: str = "alice") -> dict[str, str]:
    return {
        "sub": sub,
        "cognito:user_status": "CONFIRMED",
        "email": f"{username}@example.com",
        "email_verified": "true",
    }


# ---- PreAuthentication ------------------------------------------------------------------------------------------
@pytest.mark.parametrize("via", VIAS)
def test_pre_authentication_receives_cognitos_event(idp, functions, via):
    name = function_name(via)
    pool_id, client_id = make_app(idp, {"PreAuthentication": arn(name)})
    sub = add_user(idp, pool_id)
    result = sign_in(idp, client_id, ClientMetadata={"device": "kiosk"})
    assert "AccessToken" in result["AuthenticationResult"]
    [received] = functions.received(name)
    assert received.via == via
    assert received.event == {
        "version": "1",
        "region": "us-east-1",
        "userPoolId": pool_id,
        "userName": "alice",
        "callerContext": {"awsSdkVersion": SDK, "clientId": client_id},
        "triggerSource": "PreAuthentication_Authentication",
        "request": {"userAttributes": view(sub), "validationData": {"device": "kiosk"}},
        "response": {},
    }


@pytest.mark.parametrize("via", VIAS)
def test_pre_authentication_error_refuses_the_sign_in_before_the_password_is_checked(idp, functions, via):
    name = function_name(via)
    functions.on(name, fail("Sign-ins are paused"))
    pool_id, client_id = make_app(idp, {"PreAuthentication": arn(name)})
    add_user(idp, pool_id)
    for password in (PASSWORD, "Wrong-passw0rd"):
        with pytest.raises(ClientError) as e:
            sign_in(idp, client_id, password=password)
        assert error_of(e) == (
            400,
            "NotAuthorizedException",
            "PreAuthentication failed with error Sign-ins are paused.",
        )
    assert len(functions.received(name)) == 2  # not retried; a wrong password is not counted against the user
    user = idp.admin_get_user(UserPoolId=pool_id, Username="alice")
    assert user["UserStatus"] == "CONFIRMED"


def test_pre_authentication_runs_for_admin_and_srp_sign_ins_not_refresh(idp, functions, trigger_server):
    name = function_name("http")
    pool_id, client_id = make_app(idp, {"PreAuthentication": arn(name)})
    sub = add_user(idp, pool_id)
    result = idp.admin_initiate_auth(
        UserPoolId=pool_id,
        ClientId=client_id,
        AuthFlow="ADMIN_USER_PASSWORD_AUTH",
        AuthParameters={"USERNAME": "alice", "PASSWORD": PASSWORD},
    )
    idp.initiate_auth(
        ClientId=client_id,
        AuthFlow="REFRESH_TOKEN_AUTH",
        AuthParameters={"REFRESH_TOKEN": result["AuthenticationResult"]["RefreshToken"]},
    )
    user = srp_user(trigger_server.url, pool_id, client_id, "alice")
    user.authenticate(password=PASSWORD)
    events = functions.events(name)
    assert len(events) == 2  # admin password, SRP; refresh runs no PreAuthentication
    assert all(e["request"] == {"userAttributes": view(sub), "validationData": None} for e in events)


def test_unknown_user_runs_no_pre_authentication_without_prevent_user_existence_errors(idp, functions):
    name = function_name("http")
    _, client_id = make_app(idp, {"PreAuthentication": arn(name)})
    with pytest.raises(ClientError) as e:
        sign_in(idp, client_id, username="nobody")
    assert error_of(e) == (400, "UserNotFoundException", "User does not exist.")
    assert functions.events(name) == []


def test_pre_authentication_says_user_not_found_when_the_client_hides_user_existence(idp, functions):
    name = function_name("python")
    pool_id, client_id = make_app(idp, {"PreAuthentication": arn(name)}, hide=True)
    sub = add_user(idp, pool_id)
    with pytest.raises(ClientError) as e:
        sign_in(idp, client_id, username="nobody")
    assert error_of(e) == (400, "NotAuthorizedException", "Incorrect username or password.")
    sign_in(idp, client_id)
    unknown, known = functions.events(name)
    assert unknown["userName"] == "nobody"
    assert unknown["request"] == {"userAttributes": {}, "validationData": None, "userNotFound": True}
    assert known["request"] == {"userAttributes": view(sub), "validationData": None, "userNotFound": False}


@pytest.mark.parametrize("via", VIAS)
def test_pre_authentication_timeout_is_unexpected(idp, functions, via):
    name = function_name(via)
    functions.on(name, slow(TIMEOUT + 0.3))
    pool_id, client_id = make_app(idp, {"PreAuthentication": arn(name)})
    add_user(idp, pool_id)
    with pytest.raises(ClientError) as e:
        sign_in(idp, client_id)
    status, kind, message = error_of(e)
    assert (status, kind) == (400, "UnexpectedLambdaException")
    assert message.startswith("PreAuthentication invocation failed due to error ")
    assert len(functions.received(name)) == 2  # retried: trigger_attempts


@pytest.mark.parametrize("via", VIAS)
def test_pre_authentication_answer_that_is_not_json_is_invalid(idp, functions, via):
    name = function_name(via)
    functions.on(name, raw(b"not json"))
    pool_id, client_id = make_app(idp, {"PreAuthentication": arn(name)})
    add_user(idp, pool_id)
    with pytest.raises(ClientError) as e:
        sign_in(idp, client_id)
    assert error_of(e) == (400, "InvalidLambdaResponseException", "Invalid lambda function output : Invalid JSON")


# ---- PostAuthentication -----------------------------------------------------------------------------------------
@pytest.mark.parametrize("via", VIAS)
def test_post_authentication_receives_cognitos_event(idp, functions, via):
    name = function_name(via)
    pool_id, client_id = make_app(idp, {"PostAuthentication": arn(name)})
    sub = add_user(idp, pool_id)
    sign_in(idp, client_id, ClientMetadata={"never": "shown"})
    [received] = functions.received(name)
    assert received.via == via
    assert received.event == {
        "version": "1",
        "region": "us-east-1",
        "userPoolId": pool_id,
        "userName": "alice",
        "callerContext": {"awsSdkVersion": SDK, "clientId": client_id},
        "triggerSource": "PostAuthentication_Authentication",
        "request": {"userAttributes": view(sub)},  # InitiateAuth's ClientMetadata does not reach it
        "response": {},
    }


def test_post_authentication_gets_client_metadata_of_the_challenge_answer(idp, functions, trigger_server):
    name = function_name("http")
    pool_id, client_id = make_app(idp, {"PostAuthentication": arn(name)})
    add_user(idp, pool_id)
    user = srp_user(trigger_server.url, pool_id, client_id, "alice")
    user.authenticate(password=PASSWORD, client_metadata={"step": "verifier"})
    [event] = functions.events(name)
    assert event["request"]["clientMetadata"] == {"step": "verifier"}


def test_post_authentication_after_a_new_password_challenge(idp, functions):
    name = function_name("python")
    pool_id, client_id = make_app(idp, {"PostAuthentication": arn(name)})
    idp.admin_create_user(
        UserPoolId=pool_id, Username="bob", TemporaryPassword="Temp-passw0rd", MessageAction="SUPPRESS"
    )
    challenge = sign_in(idp, client_id, username="bob", password="Temp-passw0rd")
    assert functions.events(name) == []
    idp.respond_to_auth_challenge(
        ClientId=client_id,
        ChallengeName="NEW_PASSWORD_REQUIRED",
        Session=challenge["Session"],
        ChallengeResponses={"USERNAME": "bob", "NEW_PASSWORD": PASSWORD},
        ClientMetadata={"via": "new-password"},
    )
    [event] = functions.events(name)
    assert event["request"]["clientMetadata"] == {"via": "new-password"}
    assert event["request"]["userAttributes"]["cognito:user_status"] == "CONFIRMED"


@pytest.mark.parametrize("via", VIAS)
def test_post_authentication_error_withholds_the_tokens_unverified(idp, functions, via):
    name = function_name(via)
    functions.on(name, fail("audit log down"))
    pool_id, client_id = make_app(idp, {"PostAuthentication": arn(name)})
    add_user(idp, pool_id)
    with pytest.raises(ClientError) as e:
        sign_in(idp, client_id)
    assert error_of(e) == (400, "UserLambdaValidationException", "PostAuthentication failed with error audit log down.")


def test_post_authentication_is_not_run_on_refresh_or_failed_sign_in(idp, functions):
    name = function_name("http")
    functions.on(name, answer())
    pool_id, client_id = make_app(idp, {"PostAuthentication": arn(name)})
    add_user(idp, pool_id)
    with pytest.raises(ClientError):
        sign_in(idp, client_id, password="Wrong-passw0rd")
    tokens = sign_in(idp, client_id)["AuthenticationResult"]
    idp.initiate_auth(
        ClientId=client_id, AuthFlow="REFRESH_TOKEN_AUTH", AuthParameters={"REFRESH_TOKEN": tokens["RefreshToken"]}
    )
    assert len(functions.events(name)) == 1
    assert claims(tokens["IdToken"])["cognito:username"] == "alice"
