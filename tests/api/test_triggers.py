"""Lambda triggers of the sign-up lifecycle, through the real server: the exact events functions receive, what
their answers do, and how failures are answered. The functions are played by a loopback server (tests/functions.py)
reached over plain HTTP and through the AWS Lambda Invoke API with boto3."""

from __future__ import annotations

import base64
import json
import uuid
from typing import Any

import pytest
from botocore.exceptions import ClientError

from tests import databases
from tests.functions import FunctionServer, Reply, answer, arn, fail, raw, slow
from tests.helpers import PASSWORD, error_of, http_post, make_client, outbox
from tests.server import LocalUserpool, free_port, in_process
from userpool.triggers.codes import open_code

HTTP = ("http-a", "http-b", "http-c")  # functions mapped to plain HTTP URLs; every other ARN goes to the Invoke API
CODE_KEY = base64.b64encode(bytes(range(32))).decode()
TIMEOUT = 0.5
SDK = "aws-sdk-unknown-unknown"  # what Cognito reports for boto3 (unverified, see triggers/events.py)
NO_CHANGE = {"autoConfirmUser": False, "autoVerifyEmail": False, "autoVerifyPhone": False}
EMPTY_MESSAGE = {"smsMessage": None, "emailMessage": None, "emailSubject": None}


@pytest.fixture(scope="module")
def functions() -> Any:
    server = FunctionServer().start()
    yield server
    server.stop()


@pytest.fixture(scope="module")
def trigger_server(functions: FunctionServer, tmp_path_factory: pytest.TempPathFactory) -> Any:
    mapping = {arn(name): functions.url(name) for name in HTTP}
    mapping[arn("nobody-home")] = f"http://127.0.0.1:{free_port()}/"
    server = in_process(
        tmp_path_factory.mktemp("triggers") / "data",
        trigger_functions=mapping,
        lambda_endpoint_url=functions.endpoint,
        trigger_timeout=TIMEOUT,
        trigger_attempts=3,
        trigger_code_key=CODE_KEY,
    )
    yield server
    server.stop()


@pytest.fixture(autouse=True)
def _fresh_functions(functions: FunctionServer) -> None:
    functions.reset()


@pytest.fixture(scope="module")
def idp(trigger_server: LocalUserpool) -> Any:
    return make_client(trigger_server.url)


def fresh(prefix: str) -> str:
    """A function name of this test alone (reached through the Lambda Invoke API)."""
    return f"{prefix}-{uuid.uuid4().hex[:8]}"


def make_pool(idp: Any, lambda_config: dict[str, Any], **settings: Any) -> tuple[str, str]:
    settings.setdefault("AutoVerifiedAttributes", ["email"])
    pool_id = idp.create_user_pool(PoolName="triggers", LambdaConfig=lambda_config, **settings)["UserPool"]["Id"]
    client_id = idp.create_user_pool_client(UserPoolId=pool_id, ClientName="app")["UserPoolClient"]["ClientId"]
    return pool_id, client_id


def sign_up(idp: Any, client_id: str, username: str = "alice", email: str = "alice@example.com", **extra: Any) -> Any:
    attributes = extra.pop("UserAttributes", [{"Name": "email", "Value": email}])
    return idp.sign_up(ClientId=client_id, Username=username, Password=PASSWORD, UserAttributes=attributes, **extra)


def attributes_of(idp: Any, pool_id: str, username: str) -> dict[str, str]:
    user = idp.admin_get_user(UserPoolId=pool_id, Username=username)
    return {a["Name"]: a["Value"] for a in user["UserAttributes"]} | {"status": user["UserStatus"]}


def no_user_and_no_message(idp: Any, server: LocalUserpool, pool_id: str) -> bool:
    return idp.list_users(UserPoolId=pool_id)["Users"] == [] and outbox(server, pool_id) == []


# ---- PreSignUp: the event ---------------------------------------------------------------------------------------
def test_pre_sign_up_receives_cognitos_event(idp, functions, trigger_server):
    pool_id, client_id = make_pool(idp, {"PreSignUp": arn("http-a")})
    result = sign_up(
        idp,
        client_id,
        UserAttributes=[{"Name": "email", "Value": "alice@example.com"}, {"Name": "name", "Value": "Alice"}],
        ValidationData=[{"Name": "invite", "Value": "abc123"}],
        ClientMetadata={"source": "web"},
    )
    [received] = functions.received("http-a")
    assert received.via == "http"
    assert received.event == {
        "version": "1",
        "region": "us-east-1",
        "userPoolId": pool_id,
        "userName": "alice",
        "callerContext": {"awsSdkVersion": SDK, "clientId": client_id},
        "triggerSource": "PreSignUp_SignUp",
        "request": {
            "userAttributes": {"email": "alice@example.com", "name": "Alice"},
            "validationData": {"invite": "abc123"},
            "clientMetadata": {"source": "web"},
        },
        "response": NO_CHANGE,
    }
    assert result["UserConfirmed"] is False
    assert attributes_of(idp, pool_id, "alice")["status"] == "UNCONFIRMED"
    assert len(outbox(trigger_server, pool_id, "alice")) == 1


def test_pre_sign_up_without_validation_data_or_metadata(idp, functions):
    _, client_id = make_pool(idp, {"PreSignUp": arn("http-a")})
    sign_up(idp, client_id)
    [event] = functions.events("http-a")
    assert event["request"] == {"userAttributes": {"email": "alice@example.com"}, "validationData": None}


def test_pre_sign_up_user_name_is_the_sub_in_an_email_as_username_pool(idp, functions):
    _, client_id = make_pool(idp, {"PreSignUp": arn("http-a")}, UsernameAttributes=["email"])
    result = idp.sign_up(ClientId=client_id, Username="sam@example.com", Password=PASSWORD)
    [event] = functions.events("http-a")
    assert event["userName"] == result["UserSub"]
    assert event["request"]["userAttributes"] == {"email": "sam@example.com"}


def test_aws_sdk_version_comes_from_an_aws_sdk_user_agent(idp, functions, trigger_server):
    _, client_id = make_pool(idp, {"PreSignUp": arn("http-a")})
    response = http_post(
        trigger_server.url,
        headers={
            "content-type": "application/x-amz-json-1.1",
            "x-amz-target": "AWSCognitoIdentityProviderService.SignUp",
            "user-agent": "aws-sdk-nodejs/2.856.0 linux/v14.15.0 callback",
        },
        content=json.dumps({"ClientId": client_id, "Username": "node", "Password": PASSWORD}),
    )
    assert response.status_code == 200
    [event] = functions.events("http-a")
    assert event["callerContext"] == {"awsSdkVersion": "aws-sdk-nodejs-2.856.0", "clientId": client_id}


# ---- PreSignUp: what its answer does ------------------------------------------------------------------------------
@pytest.mark.parametrize("via", ["http", "lambda"])
def test_pre_sign_up_error_rejects_the_sign_up(idp, functions, trigger_server, via):
    name = "http-b" if via == "http" else fresh("reject")
    functions.on(name, fail("Sign-ups are closed"))
    pool_id, client_id = make_pool(idp, {"PreSignUp": arn(name)})
    with pytest.raises(ClientError) as e:
        sign_up(idp, client_id)
    assert error_of(e) == (400, "UserLambdaValidationException", "PreSignUp failed with error Sign-ups are closed.")
    assert [r.via for r in functions.received(name)] == [via]  # a function error is not retried
    assert no_user_and_no_message(idp, trigger_server, pool_id)


def test_auto_confirmed_user_gets_no_code_and_post_confirmation_runs(idp, functions, trigger_server):
    pre, post = fresh("pre"), fresh("post")
    functions.on(pre, answer(autoConfirmUser=True))
    pool_id, client_id = make_pool(idp, {"PreSignUp": arn(pre), "PostConfirmation": arn(post)})
    result = sign_up(idp, client_id, ClientMetadata={"plan": "free"})
    assert result["UserConfirmed"] is True
    assert "CodeDeliveryDetails" not in result
    assert outbox(trigger_server, pool_id) == []
    user = attributes_of(idp, pool_id, "alice")
    assert (user["status"], user["email_verified"]) == ("CONFIRMED", "false")
    [event] = functions.events(post)
    assert event == {
        "version": "1",
        "region": "us-east-1",
        "userPoolId": pool_id,
        "userName": "alice",
        "callerContext": {"awsSdkVersion": SDK, "clientId": client_id},
        "triggerSource": "PostConfirmation_ConfirmSignUp",
        "request": {
            "userAttributes": {
                "sub": result["UserSub"],
                "cognito:user_status": "CONFIRMED",
                "email": "alice@example.com",
                "email_verified": "false",
            },
            "clientMetadata": {"plan": "free"},
        },
        "response": {},
    }


def test_auto_verify_marks_email_and_phone_verified(idp, functions):
    pre = fresh("pre")
    functions.on(pre, answer(autoConfirmUser=True, autoVerifyEmail=True, autoVerifyPhone=True))
    pool_id, client_id = make_pool(idp, {"PreSignUp": arn(pre)})
    phone = {"Name": "phone_number", "Value": "+14325551212"}
    sign_up(idp, client_id, UserAttributes=[{"Name": "email", "Value": "a@example.com"}, phone])
    user = attributes_of(idp, pool_id, "alice")
    assert (user["status"], user["email_verified"], user["phone_number_verified"]) == ("CONFIRMED", "true", "true")


def test_auto_verify_without_auto_confirm_is_refused(idp, functions, trigger_server):
    pre = fresh("pre")
    functions.on(pre, answer(autoVerifyEmail=True))
    pool_id, client_id = make_pool(idp, {"PreSignUp": arn(pre)})
    with pytest.raises(ClientError) as e:
        sign_up(idp, client_id)
    assert error_of(e) == (
        400,
        "InvalidParameterException",
        "Phone or email cannot be auto verified, when user is not being auto confirmed.",
    )
    assert no_user_and_no_message(idp, trigger_server, pool_id)


def test_auto_verify_of_a_missing_attribute_is_refused_unverified_wording(idp, functions, trigger_server):
    pre = fresh("pre")
    functions.on(pre, answer(autoConfirmUser=True, autoVerifyPhone=True))
    pool_id, client_id = make_pool(idp, {"PreSignUp": arn(pre)})
    with pytest.raises(ClientError) as e:
        sign_up(idp, client_id)
    assert error_of(e) == (
        400,
        "InvalidParameterException",
        "Phone cannot be auto verified, when user does not have a phone number.",
    )
    assert no_user_and_no_message(idp, trigger_server, pool_id)


def test_auto_verified_alias_moves_from_its_older_owner(idp, functions):
    pre = fresh("pre")
    functions.on(pre, answer(autoConfirmUser=True, autoVerifyEmail=True))
    pool_id, client_id = make_pool(idp, {"PreSignUp": arn(pre)}, AliasAttributes=["email"])
    sign_up(idp, client_id, username="older", email="shared@example.com")
    assert idp.admin_get_user(UserPoolId=pool_id, Username="shared@example.com")["Username"] == "older"
    sign_up(idp, client_id, username="newer", email="shared@example.com")
    assert idp.admin_get_user(UserPoolId=pool_id, Username="shared@example.com")["Username"] == "newer"
    assert attributes_of(idp, pool_id, "older")["email_verified"] == "false"
    assert attributes_of(idp, pool_id, "newer")["email_verified"] == "true"


def test_username_taken_is_still_checked_after_pre_sign_up(idp, functions):
    _, client_id = make_pool(idp, {"PreSignUp": arn("http-a")})
    sign_up(idp, client_id)
    with pytest.raises(ClientError) as e:
        sign_up(idp, client_id)
    assert error_of(e) == (400, "UsernameExistsException", "User already exists")
    assert len(functions.events("http-a")) == 2


# ---- failures of the invocation ---------------------------------------------------------------------------------
@pytest.mark.parametrize("via", ["http", "lambda"])
def test_a_function_that_does_not_answer_in_time_is_tried_three_times(idp, functions, trigger_server, via):
    name = "http-c" if via == "http" else fresh("slow")
    functions.on(name, slow(TIMEOUT * 2.5))
    pool_id, client_id = make_pool(idp, {"PreSignUp": arn(name)})
    with pytest.raises(ClientError) as e:
        sign_up(idp, client_id)
    assert error_of(e) == (
        400,
        "UnexpectedLambdaException",
        "PreSignUp invocation failed due to error Socket timeout while invoking Lambda function.",
    )
    assert len(functions.received(name)) == 3
    assert no_user_and_no_message(idp, trigger_server, pool_id)


def test_an_unreachable_function_is_unexpected_unverified_wording(idp, trigger_server):
    pool_id, client_id = make_pool(idp, {"PreSignUp": arn("nobody-home")})
    with pytest.raises(ClientError) as e:
        sign_up(idp, client_id)
    assert error_of(e) == (
        400,
        "UnexpectedLambdaException",
        "PreSignUp invocation failed due to error Unable to reach the Lambda function.",
    )
    assert no_user_and_no_message(idp, trigger_server, pool_id)


def test_lambda_service_error_is_named_in_the_message(idp, functions, trigger_server):
    name = fresh("missing")
    functions.on(
        name,
        lambda _event: Reply(
            status=404,
            body=b'{"Type":"User","message":"Function not found"}',
            headers={"x-amzn-ErrorType": "ResourceNotFoundException"},
        ),
    )
    pool_id, client_id = make_pool(idp, {"PreSignUp": arn(name)})
    with pytest.raises(ClientError) as e:
        sign_up(idp, client_id)
    assert error_of(e) == (
        400,
        "UnexpectedLambdaException",
        "PreSignUp invocation failed due to error ResourceNotFoundException.",
    )
    assert len(functions.received(name)) == 1  # a 4xx from Lambda is not retried
    assert no_user_and_no_message(idp, trigger_server, pool_id)


@pytest.mark.parametrize(
    ("reply", "error", "attempts"),
    [
        (Reply(status=503, body=b"busy"), ("UnexpectedLambdaException", "invocation failed due to error HTTP 503."), 3),
        (
            Reply(status=404, body=b"no such path"),
            ("UnexpectedLambdaException", "invocation failed due to error HTTP 404."),
            1,
        ),
        (
            Reply(
                body=b'{"errorMessage": "bad invite", "errorType": "Error"}',
                headers={"X-Amz-Function-Error": "Unhandled"},
            ),
            ("UserLambdaValidationException", "failed with error bad invite."),
            1,
        ),
    ],
)
def test_http_function_error_answers(idp, functions, trigger_server, reply, error, attempts):
    functions.on("http-b", lambda _event: reply)
    pool_id, client_id = make_pool(idp, {"PreSignUp": arn("http-b")})
    with pytest.raises(ClientError) as e:
        sign_up(idp, client_id)
    assert error_of(e) == (400, error[0], f"PreSignUp {error[1]}")
    assert len(functions.received("http-b")) == attempts  # 5xx is tried again, 4xx and function errors are not
    assert no_user_and_no_message(idp, trigger_server, pool_id)


@pytest.mark.parametrize(
    ("behaviour", "message"),
    [
        (raw(b"this is not json"), "Invalid lambda function output : Invalid JSON"),
        (raw(b"null"), "Invalid lambda function output : Invalid JSON"),
        (raw(b"[1, 2]"), "Invalid lambda function output : Invalid JSON"),
        (answer(autoConfirmUser="yes"), "Unrecognizable lambda output"),
        (raw(b'{"response": "confirmed"}'), "Unrecognizable lambda output"),
    ],
)
def test_an_unreadable_answer_is_an_invalid_lambda_response(idp, functions, trigger_server, behaviour, message):
    name = fresh("garbled")
    functions.on(name, behaviour)
    pool_id, client_id = make_pool(idp, {"PreSignUp": arn(name)})
    with pytest.raises(ClientError) as e:
        sign_up(idp, client_id)
    assert error_of(e) == (400, "InvalidLambdaResponseException", message)
    assert no_user_and_no_message(idp, trigger_server, pool_id)


# ---- CustomMessage ----------------------------------------------------------------------------------------------
def test_custom_message_receives_cognitos_event_and_null_keeps_the_default(idp, functions, trigger_server):
    name = fresh("message")
    pool_id, client_id = make_pool(idp, {"CustomMessage": arn(name)})
    result = sign_up(idp, client_id, ClientMetadata={"lang": "en"})
    [received] = functions.received(name)
    assert received.via == "lambda"
    assert received.event == {
        "version": "1",
        "region": "us-east-1",
        "userPoolId": pool_id,
        "userName": "alice",
        "callerContext": {"awsSdkVersion": SDK, "clientId": client_id},
        "triggerSource": "CustomMessage_SignUp",
        "request": {
            "userAttributes": {
                "sub": result["UserSub"],
                "cognito:user_status": "UNCONFIRMED",
                "email": "alice@example.com",
                "email_verified": "false",
            },
            "codeParameter": "{####}",
            "linkParameter": "{##Click Here##}",
            "usernameParameter": None,
            "clientMetadata": {"lang": "en"},
        },
        "response": EMPTY_MESSAGE,
    }
    [message] = outbox(trigger_server, pool_id, "alice")
    assert (message["subject"], message["body"]) == (
        "Your verification code",
        f"Your verification code is {message['code']}. ",
    )


def test_custom_message_shows_email_aliases_in_an_email_as_username_pool(idp, functions):
    name = fresh("message")
    _, client_id = make_pool(idp, {"CustomMessage": arn(name)}, UsernameAttributes=["email"])
    result = idp.sign_up(ClientId=client_id, Username="sam@example.com", Password=PASSWORD)
    [event] = functions.events(name)
    assert event["userName"] == result["UserSub"]
    assert event["request"]["userAttributes"] == {
        "sub": result["UserSub"],
        "cognito:email_alias": "sam@example.com",
        "cognito:user_status": "UNCONFIRMED",
        "email": "sam@example.com",
        "email_verified": "false",
    }


def test_custom_email_message_and_subject_are_sent(idp, functions, trigger_server):
    name = fresh("message")
    functions.on(name, answer(emailSubject="Welcome aboard", emailMessage="<p>Your code: <b>{####}</b></p>"))
    pool_id, client_id = make_pool(idp, {"CustomMessage": arn(name)})
    sign_up(idp, client_id)
    [message] = outbox(trigger_server, pool_id, "alice")
    assert message["subject"] == "Welcome aboard"
    # An HTML message is sent with a text part (what the outbox shows) beside the HTML part.
    assert message["body"] == f"Your code: {message['code']}"


def test_custom_sms_message_is_sent(idp, functions, trigger_server):
    name = fresh("message")
    functions.on(name, answer(smsMessage="Code {####} for Example", emailMessage="unused, no placeholder"))
    pool_id, client_id = make_pool(idp, {"CustomMessage": arn(name)}, AutoVerifiedAttributes=["phone_number"])
    sign_up(idp, client_id, UserAttributes=[{"Name": "phone_number", "Value": "+14325551212"}])
    [message] = outbox(trigger_server, pool_id, "alice")
    assert (message["medium"], message["body"]) == ("SMS", f"Code {message['code']} for Example")


def test_custom_message_without_the_code_placeholder_is_refused(idp, functions, trigger_server):
    name = fresh("message")
    functions.on(name, answer(emailMessage="Welcome!"))
    pool_id, client_id = make_pool(idp, {"CustomMessage": arn(name)})
    with pytest.raises(ClientError) as e:
        sign_up(idp, client_id)
    assert error_of(e) == (
        400,
        "InvalidParameterException",
        "1 validation error detected: Value at 'emailBody' failed to satisfy constraint: Member must satisfy "
        r"regular expression pattern: [\p{L}\p{M}\p{S}\p{N}\p{P}\s*]*\{####\}[\p{L}\p{M}\p{S}\p{N}\p{P}\s*]*",
    )
    # As with a delivery failure, the user exists (unconfirmed) and can ask for the code again.
    assert attributes_of(idp, pool_id, "alice")["status"] == "UNCONFIRMED"
    assert outbox(trigger_server, pool_id) == []


def test_a_custom_message_too_long_falls_back_to_the_default(idp, functions, trigger_server):
    name = fresh("message")
    functions.on(name, answer(emailMessage="{####}" + "x" * 20000, emailSubject="S" * 141))
    pool_id, client_id = make_pool(idp, {"CustomMessage": arn(name)})
    sign_up(idp, client_id)
    [message] = outbox(trigger_server, pool_id, "alice")
    assert (message["subject"], message["body"]) == (
        "Your verification code",
        f"Your verification code is {message['code']}. ",
    )


def test_resend_runs_custom_message_resend_code(idp, functions, trigger_server):
    name = fresh("message")
    functions.on(name, answer(emailMessage="Again: {####}"))
    pool_id, client_id = make_pool(idp, {"CustomMessage": arn(name)})
    sign_up(idp, client_id)
    idp.resend_confirmation_code(ClientId=client_id, Username="alice", ClientMetadata={"why": "lost"})
    first, second = functions.events(name)
    assert (first["triggerSource"], second["triggerSource"]) == ("CustomMessage_SignUp", "CustomMessage_ResendCode")
    assert second["request"]["clientMetadata"] == {"why": "lost"}
    assert "clientMetadata" not in first["request"]
    latest = outbox(trigger_server, pool_id, "alice")[-1]
    assert latest["body"] == f"Again: {latest['code']}"
    idp.confirm_sign_up(ClientId=client_id, Username="alice", ConfirmationCode=latest["code"])


def test_custom_message_error_is_a_lambda_validation_error(idp, functions, trigger_server):
    name = fresh("message")
    functions.on(name, fail("template missing"))
    pool_id, client_id = make_pool(idp, {"CustomMessage": arn(name)})
    with pytest.raises(ClientError) as e:
        sign_up(idp, client_id)
    assert error_of(e) == (400, "UserLambdaValidationException", "CustomMessage failed with error template missing.")
    assert outbox(trigger_server, pool_id) == []


# ---- PostConfirmation -------------------------------------------------------------------------------------------
def test_post_confirmation_after_confirm_sign_up(idp, functions, trigger_server):
    post = fresh("post")
    pool_id, client_id = make_pool(idp, {"PostConfirmation": arn(post)})
    sub = sign_up(idp, client_id)["UserSub"]
    assert functions.events(post) == []
    code = outbox(trigger_server, pool_id, "alice")[-1]["code"]
    idp.confirm_sign_up(ClientId=client_id, Username="alice", ConfirmationCode=code, ClientMetadata={"k": "v"})
    [event] = functions.events(post)
    assert event == {
        "version": "1",
        "region": "us-east-1",
        "userPoolId": pool_id,
        "userName": "alice",
        "callerContext": {"awsSdkVersion": SDK, "clientId": client_id},
        "triggerSource": "PostConfirmation_ConfirmSignUp",
        "request": {
            "userAttributes": {
                "sub": sub,
                "cognito:user_status": "CONFIRMED",
                "email": "alice@example.com",
                "email_verified": "true",
            },
            "clientMetadata": {"k": "v"},
        },
        "response": {},
    }


def test_post_confirmation_after_admin_confirm_sign_up(idp, functions):
    post = fresh("post")
    pool_id, _ = make_pool(idp, {"PostConfirmation": arn("http-a")})
    idp.update_user_pool(
        UserPoolId=pool_id, AutoVerifiedAttributes=["email"], LambdaConfig={"PostConfirmation": arn(post)}
    )
    client_id = idp.list_user_pool_clients(UserPoolId=pool_id, MaxResults=1)["UserPoolClients"][0]["ClientId"]
    sign_up(idp, client_id)
    idp.admin_confirm_sign_up(UserPoolId=pool_id, Username="alice")
    [event] = functions.events(post)
    assert event["callerContext"] == {"awsSdkVersion": SDK, "clientId": "CLIENT_ID_NOT_APPLICABLE"}
    assert event["request"]["userAttributes"]["cognito:user_status"] == "CONFIRMED"
    assert event["request"]["userAttributes"]["email_verified"] == "false"
    assert "clientMetadata" not in event["request"]
    assert functions.events("http-a") == []


def test_post_confirmation_failure_is_answered_but_the_user_stays_confirmed(idp, functions, trigger_server):
    post = fresh("post")
    functions.on(post, fail("CRM is down"))
    pool_id, client_id = make_pool(idp, {"PostConfirmation": arn(post)})
    sign_up(idp, client_id)
    code = outbox(trigger_server, pool_id, "alice")[-1]["code"]
    with pytest.raises(ClientError) as e:
        idp.confirm_sign_up(ClientId=client_id, Username="alice", ConfirmationCode=code)
    assert error_of(e) == (400, "UserLambdaValidationException", "PostConfirmation failed with error CRM is down.")
    user = attributes_of(idp, pool_id, "alice")
    assert (user["status"], user["email_verified"]) == ("CONFIRMED", "true")
    with pytest.raises(ClientError) as e:
        idp.confirm_sign_up(ClientId=client_id, Username="alice", ConfirmationCode=code)
    assert error_of(e) == (400, "NotAuthorizedException", "User cannot be confirmed. Current status is CONFIRMED")


# ---- custom senders ---------------------------------------------------------------------------------------------
def sender_config(kind: str, name: str) -> dict[str, Any]:
    return {
        kind: {"LambdaArn": arn(name), "LambdaVersion": "V1_0"},
        "KMSKeyID": "arn:aws:kms:us-east-1:000000000000:key/11111111-2222-3333-4444-555555555555",
    }


def test_custom_email_sender_gets_the_encrypted_code_and_we_send_nothing(idp, functions, trigger_server):
    name, message = fresh("email-sender"), fresh("message")
    pool_id, client_id = make_pool(idp, {**sender_config("CustomEmailSender", name), "CustomMessage": arn(message)})
    result = sign_up(idp, client_id)
    assert result["CodeDeliveryDetails"] == {
        "Destination": "a***@e***",
        "DeliveryMedium": "EMAIL",
        "AttributeName": "email",
    }
    [event] = functions.wait_for(name)
    sealed = event["request"].pop("code")
    assert event == {
        "version": "1",
        "region": "us-east-1",
        "userPoolId": pool_id,
        "userName": "alice",
        "callerContext": {"awsSdkVersion": SDK, "clientId": client_id},
        "triggerSource": "CustomEmailSender_SignUp",
        "request": {
            "type": "customEmailSenderRequestV1",
            "clientMetadata": None,
            "userAttributes": {
                "sub": result["UserSub"],
                "cognito:user_status": "UNCONFIRMED",
                "email": "alice@example.com",
                "email_verified": "false",
            },
        },
    }
    code = open_code(base64.b64decode(CODE_KEY), sealed)
    assert code.isdigit() and len(code) == 6 and code not in sealed
    assert outbox(trigger_server, pool_id) == []
    assert functions.events(message) == []  # the custom sender replaces our message, CustomMessage included
    idp.resend_confirmation_code(ClientId=client_id, Username="alice", ClientMetadata={"why": "lost"})
    _, second = functions.wait_for(name, 2)
    assert second["triggerSource"] == "CustomEmailSender_ResendCode"
    assert second["request"]["clientMetadata"] == {"why": "lost"}
    resent = open_code(base64.b64decode(CODE_KEY), second["request"]["code"])
    idp.confirm_sign_up(ClientId=client_id, Username="alice", ConfirmationCode=resent)
    assert attributes_of(idp, pool_id, "alice")["status"] == "CONFIRMED"


def test_custom_sms_sender_gets_sms_codes(idp, functions, trigger_server):
    name = fresh("sms-sender")
    pool_id, client_id = make_pool(idp, sender_config("CustomSMSSender", name), AutoVerifiedAttributes=["phone_number"])
    sign_up(idp, client_id, UserAttributes=[{"Name": "phone_number", "Value": "+14325551212"}])
    [event] = functions.wait_for(name)
    assert (event["triggerSource"], event["request"]["type"]) == ("CustomSMSSender_SignUp", "customSMSSenderRequestV1")
    code = open_code(base64.b64decode(CODE_KEY), event["request"]["code"])
    idp.confirm_sign_up(ClientId=client_id, Username="alice", ConfirmationCode=code)
    assert attributes_of(idp, pool_id, "alice")["phone_number_verified"] == "true"
    assert outbox(trigger_server, pool_id) == []


# ---- what is never stored ---------------------------------------------------------------------------------------
def test_validation_data_and_client_metadata_reach_triggers_but_never_the_database(idp, functions, trigger_server):
    pre, post = fresh("pre"), fresh("post")
    functions.on(pre, answer(autoConfirmUser=True))
    _, client_id = make_pool(idp, {"PreSignUp": arn(pre), "PostConfirmation": arn(post)})
    marker = f"marker{uuid.uuid4().hex}"
    sign_up(
        idp,
        client_id,
        ValidationData=[{"Name": "invite", "Value": f"{marker}v"}],
        ClientMetadata={"source": f"{marker}m"},
    )
    assert functions.events(pre)[0]["request"]["validationData"] == {"invite": f"{marker}v"}
    assert functions.events(post)[0]["request"]["clientMetadata"] == {"source": f"{marker}m"}
    assert marker not in databases.dump(trigger_server.database_url)


# ---- AdminCreateUser: PreSignUp_AdminCreateUser and CustomMessage_AdminCreateUser ------------------------------
def test_admin_create_user_runs_pre_sign_up_with_its_own_source(idp, functions):
    pool_id, _ = make_pool(idp, {"PreSignUp": arn("http-a")})
    idp.admin_create_user(
        UserPoolId=pool_id,
        Username="invited",
        UserAttributes=[{"Name": "email", "Value": "invited@example.com"}],
        ValidationData=[{"Name": "ticket", "Value": "t-1"}],
        ClientMetadata={"by": "admin"},
        MessageAction="SUPPRESS",
    )
    [event] = functions.events("http-a")
    assert event["triggerSource"] == "PreSignUp_AdminCreateUser"
    assert event["callerContext"] == {"awsSdkVersion": SDK, "clientId": "CLIENT_ID_NOT_APPLICABLE"}
    assert event["userName"] == "invited"
    assert event["request"] == {
        "userAttributes": {"email": "invited@example.com"},
        "validationData": {"ticket": "t-1"},
        "clientMetadata": {"by": "admin"},
    }
    assert attributes_of(idp, pool_id, "invited")["status"] == "FORCE_CHANGE_PASSWORD"


def test_admin_create_user_pre_sign_up_can_verify_without_confirming(idp, functions):
    functions.on("verify", answer(autoVerifyEmail=True))
    pool_id, _ = make_pool(idp, {"PreSignUp": arn("verify")})
    idp.admin_create_user(
        UserPoolId=pool_id,
        Username="invited",
        UserAttributes=[{"Name": "email", "Value": "invited@example.com"}],
        MessageAction="SUPPRESS",
    )
    assert attributes_of(idp, pool_id, "invited")["email_verified"] == "true"


def test_admin_create_user_refused_by_pre_sign_up_creates_nothing(idp, functions, trigger_server):
    functions.on("refuse", fail("invitations are closed"))
    pool_id, _ = make_pool(idp, {"PreSignUp": arn("refuse")})
    with pytest.raises(ClientError) as e:
        idp.admin_create_user(
            UserPoolId=pool_id,
            Username="invited",
            UserAttributes=[{"Name": "email", "Value": "invited@example.com"}],
            DesiredDeliveryMediums=["EMAIL"],
        )
    assert error_of(e) == (
        400,
        "UserLambdaValidationException",
        "PreSignUp failed with error invitations are closed.",
    )
    assert no_user_and_no_message(idp, trigger_server, pool_id)


def test_custom_message_rewrites_the_invitation(idp, functions, trigger_server):
    name = fresh("invite")
    functions.on(
        name,
        answer(emailSubject="Join us", emailMessage="Hello {username}, your temporary password: {####}"),
    )
    pool_id, _ = make_pool(idp, {"CustomMessage": arn(name)})
    idp.admin_create_user(
        UserPoolId=pool_id,
        Username="invited",
        UserAttributes=[{"Name": "email", "Value": "invited@example.com"}],
        DesiredDeliveryMediums=["EMAIL"],
    )
    [event] = functions.events(name)
    assert event["triggerSource"] == "CustomMessage_AdminCreateUser"
    assert event["request"]["codeParameter"] == "{####}"
    assert event["request"]["usernameParameter"] == "{username}"
    assert event["request"]["userAttributes"]["cognito:user_status"] == "FORCE_CHANGE_PASSWORD"
    [message] = outbox(trigger_server, pool_id, "invited")
    assert message["subject"] == "Join us"
    assert message["body"] == f"Hello invited, your temporary password: {message['code']}"
