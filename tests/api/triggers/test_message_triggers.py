"""CustomMessage, the custom senders and PostConfirmation for every source past sign-up (ForgotPassword,
AdminResetUserPassword, UpdateUserAttribute, VerifyUserAttribute, AdminCreateUser; ConfirmForgotPassword), through
every invoker and on both databases."""

from __future__ import annotations

import base64
from typing import Any

import pytest
from botocore.exceptions import ClientError

from tests.functions import answer, arn, fail
from tests.helpers import PASSWORD, error_of, latest_code, outbox
from tests.signin import ALL_FLOWS
from tests.trigger_setup import CODE_KEY, SDK, VIAS, function_name
from userpool.triggers.codes import open_code

KMS_KEY = "arn:aws:kms:us-east-1:000000000000:key/11111111-2222-3333-4444-555555555555"
NEW_PASSWORD = "N3w-passw0rd!"
MESSAGE = {"smsMessage": None, "emailMessage": None, "emailSubject": None}


def make_app(idp: Any, lambda_config: dict[str, Any], **pool: Any) -> tuple[str, str]:
    pool.setdefault("AutoVerifiedAttributes", ["email"])
    pool_id = idp.create_user_pool(PoolName="messages", LambdaConfig=lambda_config, **pool)["UserPool"]["Id"]
    client = idp.create_user_pool_client(UserPoolId=pool_id, ClientName="app", ExplicitAuthFlows=ALL_FLOWS)
    return pool_id, client["UserPoolClient"]["ClientId"]


def sender(kind: str, name: str) -> dict[str, Any]:
    return {kind: {"LambdaArn": arn(name), "LambdaVersion": "V1_0"}, "KMSKeyID": KMS_KEY}


def add_user(idp: Any, pool_id: str, phone: bool = False) -> str:
    attributes = [{"Name": "email", "Value": "alice@example.com"}, {"Name": "email_verified", "Value": "true"}]
    if phone:
        attributes = [
            {"Name": "phone_number", "Value": "+14325551212"},
            {"Name": "phone_number_verified", "Value": "true"},
        ]
    user = idp.admin_create_user(
        UserPoolId=pool_id, Username="alice", UserAttributes=attributes, MessageAction="SUPPRESS"
    )
    idp.admin_set_user_password(UserPoolId=pool_id, Username="alice", Password=PASSWORD, Permanent=True)
    return next(a["Value"] for a in user["User"]["Attributes"] if a["Name"] == "sub")


def access_token(idp: Any, client_id: str) -> str:
    return idp.initiate_auth(
        ClientId=client_id, AuthFlow="USER_PASSWORD_AUTH", AuthParameters={"USERNAME": "alice", "PASSWORD": PASSWORD}
    )["AuthenticationResult"]["AccessToken"]


def alice(sub: str, email: str = "alice@example.com", verified: str = "true") -> dict[str, str]:
    return {"sub": sub, "cognito:user_status": "CONFIRMED", "email": email, "email_verified": verified}


def rewrite(subject: str) -> Any:
    return answer(emailSubject=subject, emailMessage=f"{subject}: {{####}}")


# ---- CustomMessage ------------------------------------------------------------------------------------------------
@pytest.mark.parametrize("via", VIAS)
def test_custom_message_forgot_password(idp, functions, trigger_server, via):
    name = function_name(via)
    functions.on(name, rewrite("Reset"))
    pool_id, client_id = make_app(idp, {"CustomMessage": arn(name)})
    sub = add_user(idp, pool_id)
    idp.forgot_password(ClientId=client_id, Username="alice", ClientMetadata={"page": "reset"})
    [received] = functions.received(name)
    assert received.via == via
    assert received.event == {
        "version": "1",
        "region": "us-east-1",
        "userPoolId": pool_id,
        "userName": "alice",
        "callerContext": {"awsSdkVersion": SDK, "clientId": client_id},
        "triggerSource": "CustomMessage_ForgotPassword",
        "request": {
            "userAttributes": alice(sub),
            "codeParameter": "{####}",
            "linkParameter": "{##Click Here##}",
            "usernameParameter": None,
            "clientMetadata": {"page": "reset"},
        },
        "response": MESSAGE,
    }
    [message] = outbox(trigger_server, pool_id, "alice")
    assert (message["subject"], message["body"]) == ("Reset", f"Reset: {message['code']}")
    idp.confirm_forgot_password(
        ClientId=client_id, Username="alice", ConfirmationCode=message["code"], Password=NEW_PASSWORD
    )


def test_admin_reset_user_password_is_a_forgot_password_message_unverified(idp, functions, trigger_server):
    name = function_name("http")
    functions.on(name, rewrite("Reset by admin"))
    pool_id, _ = make_app(idp, {"CustomMessage": arn(name)})
    add_user(idp, pool_id)
    idp.admin_reset_user_password(UserPoolId=pool_id, Username="alice", ClientMetadata={"by": "support"})
    [event] = functions.events(name)
    assert event["triggerSource"] == "CustomMessage_ForgotPassword"
    assert event["callerContext"]["clientId"] == "CLIENT_ID_NOT_APPLICABLE"
    assert event["request"]["clientMetadata"] == {"by": "support"}
    assert outbox(trigger_server, pool_id, "alice")[-1]["subject"] == "Reset by admin"


@pytest.mark.parametrize("via", VIAS)
def test_custom_message_update_user_attribute_sees_the_new_value(idp, functions, trigger_server, via):
    name = function_name(via)
    functions.on(name, rewrite("Confirm your new address"))
    pool_id, client_id = make_app(idp, {"CustomMessage": arn(name)})
    sub = add_user(idp, pool_id)
    result = idp.update_user_attributes(
        AccessToken=access_token(idp, client_id),
        UserAttributes=[{"Name": "email", "Value": "new@example.com"}],
        ClientMetadata={"why": "moved"},
    )
    assert result["CodeDeliveryDetailsList"] == [
        {"Destination": "n***@e***", "DeliveryMedium": "EMAIL", "AttributeName": "email"}
    ]
    [event] = functions.events(name)
    assert event["triggerSource"] == "CustomMessage_UpdateUserAttribute"
    assert event["callerContext"]["clientId"] == client_id
    assert event["request"]["userAttributes"] == alice(sub, "new@example.com", "false")
    assert event["request"]["clientMetadata"] == {"why": "moved"}
    [message] = outbox(trigger_server, pool_id, "alice")
    assert (message["destination"], message["subject"]) == ("new@example.com", "Confirm your new address")


def test_admin_update_user_attributes_message_has_no_client(idp, functions):
    name = function_name("python")
    pool_id, _ = make_app(idp, {"CustomMessage": arn(name)})
    add_user(idp, pool_id)
    idp.admin_update_user_attributes(
        UserPoolId=pool_id, Username="alice", UserAttributes=[{"Name": "email", "Value": "new@example.com"}]
    )
    [event] = functions.events(name)
    assert (event["triggerSource"], event["callerContext"]["clientId"]) == (
        "CustomMessage_UpdateUserAttribute",
        "CLIENT_ID_NOT_APPLICABLE",
    )
    assert "clientMetadata" not in event["request"]


@pytest.mark.parametrize("via", VIAS)
def test_custom_message_verify_user_attribute(idp, functions, trigger_server, via):
    name = function_name(via)
    functions.on(name, answer(smsMessage="Your code is {####}"))
    pool_id, client_id = make_app(idp, {"CustomMessage": arn(name)}, AutoVerifiedAttributes=["phone_number"])
    sub = add_user(idp, pool_id, phone=True)
    token = access_token(idp, client_id)
    idp.get_user_attribute_verification_code(AccessToken=token, AttributeName="phone_number")
    [event] = functions.events(name)
    assert event["triggerSource"] == "CustomMessage_VerifyUserAttribute"
    assert event["request"]["userAttributes"] == {
        "sub": sub,
        "cognito:user_status": "CONFIRMED",
        "phone_number": "+14325551212",
        "phone_number_verified": "true",
    }
    [message] = outbox(trigger_server, pool_id, "alice")
    assert message["body"] == f"Your code is {message['code']}"
    idp.verify_user_attribute(AccessToken=token, AttributeName="phone_number", Code=message["code"])


def test_custom_message_error_on_forgot_password_is_the_answer(idp, functions, trigger_server):
    name = function_name("lambda")
    functions.on(name, fail("templates missing"))
    pool_id, client_id = make_app(idp, {"CustomMessage": arn(name)})
    add_user(idp, pool_id)
    with pytest.raises(ClientError) as e:
        idp.forgot_password(ClientId=client_id, Username="alice")
    assert error_of(e) == (400, "UserLambdaValidationException", "CustomMessage failed with error templates missing.")
    assert outbox(trigger_server, pool_id) == []


# ---- custom senders -----------------------------------------------------------------------------------------------
def opened(event: dict[str, Any]) -> str:
    return open_code(base64.b64decode(CODE_KEY), event["request"]["code"])


@pytest.mark.parametrize("via", VIAS)
def test_custom_email_sender_for_forgot_password(idp, functions, trigger_server, via):
    name, message = function_name(via), function_name("http", "b")
    pool_id, client_id = make_app(idp, {**sender("CustomEmailSender", name), "CustomMessage": arn(message)})
    sub = add_user(idp, pool_id)
    idp.forgot_password(ClientId=client_id, Username="alice")
    [event] = functions.wait_for(name)
    code = opened(event)
    del event["request"]["code"]
    assert event == {
        "version": "1",
        "region": "us-east-1",
        "userPoolId": pool_id,
        "userName": "alice",
        "callerContext": {"awsSdkVersion": SDK, "clientId": client_id},
        "triggerSource": "CustomEmailSender_ForgotPassword",
        "request": {"type": "customEmailSenderRequestV1", "clientMetadata": None, "userAttributes": alice(sub)},
    }
    assert outbox(trigger_server, pool_id) == [] and functions.events(message) == []
    idp.confirm_forgot_password(ClientId=client_id, Username="alice", ConfirmationCode=code, Password=NEW_PASSWORD)


def test_custom_sms_sender_for_forgot_password(idp, functions, trigger_server):
    name = function_name("python")
    pool_id, client_id = make_app(idp, sender("CustomSMSSender", name), AutoVerifiedAttributes=["phone_number"])
    add_user(idp, pool_id, phone=True)
    idp.forgot_password(ClientId=client_id, Username="alice")
    [event] = functions.wait_for(name)
    assert (event["triggerSource"], event["request"]["type"]) == (
        "CustomSMSSender_ForgotPassword",
        "customSMSSenderRequestV1",
    )
    assert outbox(trigger_server, pool_id) == []


def test_custom_email_sender_for_attribute_codes(idp, functions, trigger_server):
    name = function_name("http")
    pool_id, client_id = make_app(idp, sender("CustomEmailSender", name))
    add_user(idp, pool_id)
    token = access_token(idp, client_id)
    idp.update_user_attributes(AccessToken=token, UserAttributes=[{"Name": "email", "Value": "new@example.com"}])
    idp.get_user_attribute_verification_code(AccessToken=token, AttributeName="email", ClientMetadata={"n": "2"})
    # The senders are invoked asynchronously: the two deliveries may arrive in either order.
    update, verify = sorted(functions.wait_for(name, 2), key=lambda event: event["triggerSource"])
    assert update["triggerSource"] == "CustomEmailSender_UpdateUserAttribute"
    assert update["request"]["userAttributes"]["email"] == "new@example.com"
    assert verify["triggerSource"] == "CustomEmailSender_VerifyUserAttribute"
    assert verify["request"]["clientMetadata"] == {"n": "2"}
    idp.verify_user_attribute(AccessToken=token, AttributeName="email", Code=opened(verify))
    user = idp.admin_get_user(UserPoolId=pool_id, Username="alice")
    assert {"Name": "email_verified", "Value": "true"} in user["UserAttributes"]
    assert outbox(trigger_server, pool_id) == []


def test_custom_email_sender_gets_the_invitation_password(idp, functions, trigger_server):
    name = function_name("lambda")
    pool_id, _ = make_app(idp, sender("CustomEmailSender", name))
    idp.admin_create_user(
        UserPoolId=pool_id,
        Username="bob",
        UserAttributes=[{"Name": "email", "Value": "bob@example.com"}],
        TemporaryPassword="Temp-passw0rd",
        DesiredDeliveryMediums=["EMAIL"],
        ClientMetadata={"team": "ops"},
    )
    [event] = functions.wait_for(name)
    assert event["triggerSource"] == "CustomEmailSender_AdminCreateUser"
    assert event["callerContext"]["clientId"] == "CLIENT_ID_NOT_APPLICABLE"
    assert event["request"]["clientMetadata"] == {"team": "ops"}
    assert opened(event) == "Temp-passw0rd"
    assert outbox(trigger_server, pool_id) == []


# ---- PostConfirmation_ConfirmForgotPassword -----------------------------------------------------------------------
@pytest.mark.parametrize("via", VIAS)
def test_post_confirmation_after_confirm_forgot_password(idp, functions, trigger_server, via):
    name = function_name(via)
    pool_id, client_id = make_app(idp, {"PostConfirmation": arn(name)})
    sub = add_user(idp, pool_id)
    idp.forgot_password(ClientId=client_id, Username="alice")
    code = latest_code(trigger_server, pool_id, "alice")
    idp.confirm_forgot_password(
        ClientId=client_id,
        Username="alice",
        ConfirmationCode=code,
        Password=NEW_PASSWORD,
        ClientMetadata={"flow": "reset"},
    )
    [received] = functions.received(name)
    assert received.via == via
    assert received.event == {
        "version": "1",
        "region": "us-east-1",
        "userPoolId": pool_id,
        "userName": "alice",
        "callerContext": {"awsSdkVersion": SDK, "clientId": client_id},
        "triggerSource": "PostConfirmation_ConfirmForgotPassword",
        "request": {"userAttributes": alice(sub), "clientMetadata": {"flow": "reset"}},
        "response": {},
    }


def test_post_confirmation_failure_after_a_reset_keeps_the_new_password(idp, functions, trigger_server):
    name = function_name("http")
    functions.on(name, fail("crm down"))
    pool_id, client_id = make_app(idp, {"PostConfirmation": arn(name)})
    add_user(idp, pool_id)
    idp.forgot_password(ClientId=client_id, Username="alice")
    code = latest_code(trigger_server, pool_id, "alice")
    with pytest.raises(ClientError) as e:
        idp.confirm_forgot_password(ClientId=client_id, Username="alice", ConfirmationCode=code, Password=NEW_PASSWORD)
    assert error_of(e) == (400, "UserLambdaValidationException", "PostConfirmation failed with error crm down.")
    idp.initiate_auth(
        ClientId=client_id,
        AuthFlow="USER_PASSWORD_AUTH",
        AuthParameters={"USERNAME": "alice", "PASSWORD": NEW_PASSWORD},
    )
