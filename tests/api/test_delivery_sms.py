"""SMS: through an HTTP webhook and through the SNS Publish API, both served by small local HTTP servers."""

from __future__ import annotations

import re
import uuid
from collections.abc import Iterator
from typing import Any

import pytest
from botocore.exceptions import ClientError

from tests.helpers import error_of, make_client, outbox
from tests.peers import HttpPeer, Recorded, form_of, json_of, sns_publish, sns_refuses, webhook_ok
from tests.server import ServerProcess

PASSWORD = "Passw0rd!"
# Cognito's email wording, mirrored for SMS (unverified).
DELIVERY_FAILED = (400, "CodeDeliveryFailureException", "Invalid phone number provided/Unable to send the SMS")


def phone() -> str:
    return "+1555" + str(uuid.uuid4().int)[:7]


def phone_pool(cognito: Any, **settings: Any) -> tuple[str, str]:
    pool_id = cognito.create_user_pool(PoolName="sms", AutoVerifiedAttributes=["phone_number"], **settings)["UserPool"][
        "Id"
    ]
    client_id = cognito.create_user_pool_client(UserPoolId=pool_id, ClientName="app")["UserPoolClient"]["ClientId"]
    return pool_id, client_id


def sign_up(cognito: Any, client_id: str, username: str, number: str) -> dict[str, Any]:
    return cognito.sign_up(
        ClientId=client_id,
        Username=username,
        Password=PASSWORD,
        UserAttributes=[{"Name": "phone_number", "Value": number}],
    )


def user(cognito: Any, pool_id: str, username: str) -> tuple[str, dict[str, str]]:
    found = cognito.admin_get_user(UserPoolId=pool_id, Username=username)
    return found["UserStatus"], {a["Name"]: a["Value"] for a in found["UserAttributes"]}


def code_in(text: str) -> str:
    [code] = re.findall(r"\b[0-9]{6}\b", text)
    return code


def failing(recorded: Recorded) -> tuple[int, str, bytes]:
    return 503, "text/plain", b"down for maintenance"


# ---- webhook -------------------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def webhook() -> Iterator[HttpPeer]:
    peer = HttpPeer(webhook_ok).start()
    yield peer
    peer.stop()


@pytest.fixture(scope="module")
def webhook_server(tmp_path_factory: pytest.TempPathFactory, webhook: HttpPeer) -> Iterator[ServerProcess]:
    env = {"USERPOOL_SMS_SENDER": "webhook", "USERPOOL_SMS_WEBHOOK_URL": f"{webhook.url}/sms?token=s3cret"}
    server = ServerProcess(tmp_path_factory.mktemp("webhook") / "data", env=env).start()
    yield server
    server.stop()


@pytest.fixture
def sms_to(webhook: HttpPeer) -> Iterator[None]:
    webhook.respond = webhook_ok
    yield
    webhook.respond = webhook_ok


def test_the_code_goes_to_the_webhook_as_json_and_confirms_the_phone(webhook_server, webhook, sms_to):
    cognito = make_client(webhook_server.url)
    pool_id, client_id = phone_pool(cognito, VerificationMessageTemplate={"SmsMessage": "{username}: code {####}"})
    number = phone()
    result = sign_up(cognito, client_id, "texter", number)
    assert result["CodeDeliveryDetails"] == {
        "Destination": "+" + "*" * (len(number) - 5) + number[-4:],
        "DeliveryMedium": "SMS",
        "AttributeName": "phone_number",
    }
    [request] = [r for r in webhook.requests if json_of(r)["to"] == number]
    assert request.path == "/sms?token=s3cret"
    assert request.headers["content-type"] == "application/json"
    payload = json_of(request)
    code = code_in(payload["body"])
    assert payload == {"to": number, "body": f"texter: code {code}"}
    [kept] = outbox(webhook_server, pool_id, "texter")
    assert (kept["medium"], kept["destination"], kept["code"]) == ("SMS", number, code)

    cognito.confirm_sign_up(ClientId=client_id, Username="texter", ConfirmationCode=code)
    status, attributes = user(cognito, pool_id, "texter")
    assert status == "CONFIRMED" and attributes["phone_number_verified"] == "true"


def test_a_failing_webhook_is_a_delivery_failure_and_resend_recovers(webhook_server, webhook, sms_to):
    cognito = make_client(webhook_server.url)
    pool_id, client_id = phone_pool(cognito)
    number = phone()
    webhook.respond = failing
    with pytest.raises(ClientError) as e:
        sign_up(cognito, client_id, "unlucky", number)
    assert error_of(e) == DELIVERY_FAILED
    status, _ = user(cognito, pool_id, "unlucky")
    assert status == "UNCONFIRMED"
    assert outbox(webhook_server, pool_id, "unlucky") == []
    log = webhook_server.log()
    assert "answered HTTP 503" in log and "s3cret" not in log  # the webhook's token stays out of the log

    webhook.respond = webhook_ok
    cognito.resend_confirmation_code(ClientId=client_id, Username="unlucky")
    sent = [json_of(r) for r in webhook.requests if json_of(r)["to"] == number]
    assert len(sent) == 2  # the failed attempt and the resend
    cognito.confirm_sign_up(ClientId=client_id, Username="unlucky", ConfirmationCode=code_in(sent[-1]["body"]))
    assert user(cognito, pool_id, "unlucky")[0] == "CONFIRMED"


# ---- SNS -----------------------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def sns() -> Iterator[HttpPeer]:
    peer = HttpPeer(sns_publish).start()
    yield peer
    peer.stop()


@pytest.fixture(scope="module")
def sns_server(tmp_path_factory: pytest.TempPathFactory, sns: HttpPeer) -> Iterator[ServerProcess]:
    env = {
        "USERPOOL_SMS_SENDER": "sns",
        "USERPOOL_SNS_ENDPOINT_URL": sns.url,
        "USERPOOL_SNS_REGION": "eu-west-1",
        "AWS_ACCESS_KEY_ID": "AKIDSNSTEST",
        "AWS_SECRET_ACCESS_KEY": "sns-test-secret",
    }
    server = ServerProcess(tmp_path_factory.mktemp("sns") / "data", env=env).start()
    yield server
    server.stop()


def test_the_code_is_published_through_sns_as_a_transactional_sms(sns_server, sns):
    cognito = make_client(sns_server.url)
    pool_id, client_id = phone_pool(cognito)
    number = phone()
    sign_up(cognito, client_id, "snsuser", number)
    [request] = [r for r in sns.requests if form_of(r).get("PhoneNumber") == number]
    form = form_of(request)
    code = code_in(form["Message"])
    assert form == {
        "Action": "Publish",
        "Version": "2010-03-31",
        "PhoneNumber": number,
        "Message": f"Your verification code is {code}. ",
        "MessageAttributes.entry.1.Name": "AWS.SNS.SMS.SMSType",
        "MessageAttributes.entry.1.Value.DataType": "String",
        "MessageAttributes.entry.1.Value.StringValue": "Transactional",
    }
    # Signed with SigV4 for SNS in the configured region, with boto3's usual credentials.
    assert request.headers["authorization"].startswith("AWS4-HMAC-SHA256 Credential=AKIDSNSTEST/")
    assert "/eu-west-1/sns/aws4_request" in request.headers["authorization"]

    cognito.confirm_sign_up(ClientId=client_id, Username="snsuser", ConfirmationCode=code)
    status, attributes = user(cognito, pool_id, "snsuser")
    assert status == "CONFIRMED" and attributes["phone_number_verified"] == "true"


def test_an_sns_error_is_a_delivery_failure_and_resend_recovers(sns_server, sns):
    cognito = make_client(sns_server.url)
    pool_id, client_id = phone_pool(cognito)
    number = phone()
    sns.respond = sns_refuses
    try:
        with pytest.raises(ClientError) as e:
            sign_up(cognito, client_id, "blocked", number)
    finally:
        sns.respond = sns_publish
    assert error_of(e) == DELIVERY_FAILED
    assert user(cognito, pool_id, "blocked")[0] == "UNCONFIRMED"
    assert "InvalidParameter" in sns_server.log()

    cognito.resend_confirmation_code(ClientId=client_id, Username="blocked")
    last = [form_of(r) for r in sns.requests if form_of(r).get("PhoneNumber") == number][-1]
    cognito.confirm_sign_up(ClientId=client_id, Username="blocked", ConfirmationCode=code_in(last["Message"]))
    assert user(cognito, pool_id, "blocked")[0] == "CONFIRMED"
