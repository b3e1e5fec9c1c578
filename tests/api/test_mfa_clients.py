"""MFA through real clients and a real trigger, on a server of this module's own whose clock is not moved
(pycognito verifies the tokens it gets against the real time; TOTP codes are made from the real time too):
pycognito's TOTP helpers set an authenticator up and answer ``SOFTWARE_TOKEN_MFA`` after an SRP sign-in, and the
CustomMessage trigger rewrites the SMS code message (``CustomMessage_Authentication``), and the email sign-in code of
choice-based sign-in (``EMAIL_OTP`` first) through CustomMessage and the custom email sender."""

from __future__ import annotations

import base64
import time
import uuid
from typing import Any

import pyotp
import pytest
from pycognito.exceptions import SoftwareTokenMFAChallengeException

from tests.functions import FunctionServer, answer, arn
from tests.helpers import make_client, outbox
from tests.server import LocalUserpool, in_process
from tests.signin import SES_EMAIL, claims, confirmed_user, make_pool_and_client, password_auth, srp_user
from userpool.triggers.codes import open_code

PHONE = "+15555550199"
CODE_KEY = base64.b64encode(bytes(range(32))).decode()
SMS = {"SnsCallerArn": "arn:aws:iam::000000000000:role/sns", "ExternalId": "x", "SnsRegion": "us-east-1"}


@pytest.fixture(scope="module")
def functions() -> Any:
    server = FunctionServer().start()
    yield server
    server.stop()


@pytest.fixture(scope="module")
def live(functions: FunctionServer, tmp_path_factory: pytest.TempPathFactory):
    srv = in_process(
        tmp_path_factory.mktemp("mfa-clients") / "data",
        lambda_endpoint_url=functions.endpoint,
        trigger_code_key=CODE_KEY,
    )
    yield srv
    srv.stop()


@pytest.fixture(scope="module")
def live_cognito(live: LocalUserpool) -> Any:
    return make_client(live.url)


def next_code(secret: str) -> str:
    """The authenticator's code of the next 30-second step: accepted now (one step of clock skew), and later than
    the code just used (a step is accepted once)."""
    return pyotp.TOTP(secret).at(time.time() + 30)


def test_pycognito_sets_up_totp_and_answers_the_challenge_after_srp(live, live_cognito):
    pool, client = make_pool_and_client(live_cognito)
    live_cognito.set_user_pool_mfa_config(
        UserPoolId=pool, MfaConfiguration="OPTIONAL", SoftwareTokenMfaConfiguration={"Enabled": True}
    )
    confirmed_user(live_cognito, pool, client)
    user = srp_user(live.url, pool, client, "alice")
    user.authenticate(password="Passw0rd!")
    secret = user.associate_software_token()
    first = pyotp.TOTP(secret).now()
    assert user.verify_software_token(first, "pixel") is True
    user.set_user_mfa_preference(sms_mfa=False, software_token_mfa=True, preferred="SOFTWARE_TOKEN")
    described = live_cognito.admin_get_user(UserPoolId=pool, Username="alice")
    assert described["PreferredMfaSetting"] == "SOFTWARE_TOKEN_MFA"

    again = srp_user(live.url, pool, client, "alice")
    with pytest.raises(SoftwareTokenMFAChallengeException) as challenged:
        again.authenticate(password="Passw0rd!")
    assert challenged.value.get_tokens()["ChallengeName"] == "SOFTWARE_TOKEN_MFA"
    again.respond_to_software_token_mfa_challenge(next_code(secret))
    again.verify_tokens()  # pycognito checks them against the pool's JWKS
    assert claims(again.access_token)["username"] == "alice"


def test_custom_message_rewrites_the_sms_code(live, live_cognito, functions):
    name = f"message-{uuid.uuid4().hex[:8]}"
    functions.on(name, answer(smsMessage="Example sign-in: {####}"))
    pool, client = make_pool_and_client(
        live_cognito,
        {"LambdaConfig": {"CustomMessage": arn(name)}, "MfaConfiguration": "OPTIONAL", "SmsConfiguration": SMS},
    )
    attributes = [{"Name": "phone_number", "Value": PHONE}]
    confirmed_user(live_cognito, pool, client, UserAttributes=attributes)
    live_cognito.admin_set_user_mfa_preference(UserPoolId=pool, Username="alice", SMSMfaSettings={"Enabled": True})
    challenge = password_auth(live_cognito, client)
    assert challenge["ChallengeName"] == "SMS_MFA"
    events = functions.events(name)
    assert [e["triggerSource"] for e in events][-1] == "CustomMessage_Authentication"
    assert events[-1]["request"]["codeParameter"] == "{####}"
    message = outbox(live, pool, "alice")[-1]
    assert message["body"] == f"Example sign-in: {message['code']}"
    result = live_cognito.respond_to_auth_challenge(
        ClientId=client,
        ChallengeName="SMS_MFA",
        Session=challenge["Session"],
        ChallengeResponses={"USERNAME": "alice", "SMS_MFA_CODE": message["code"]},
    )
    assert "AccessToken" in result["AuthenticationResult"]


def test_a_custom_sms_sender_gets_the_code_encrypted_and_we_send_nothing(live, live_cognito, functions):
    name = f"sms-sender-{uuid.uuid4().hex[:8]}"
    lambdas = {
        "CustomSMSSender": {"LambdaArn": arn(name), "LambdaVersion": "V1_0"},
        "KMSKeyID": "arn:aws:kms:us-east-1:000000000000:key/11111111-2222-3333-4444-555555555555",
    }
    pool, client = make_pool_and_client(
        live_cognito, {"LambdaConfig": lambdas, "MfaConfiguration": "ON", "SmsConfiguration": SMS}
    )
    confirmed_user(live_cognito, pool, client, UserAttributes=[{"Name": "phone_number", "Value": PHONE}])
    before = len(outbox(live, pool, "alice"))
    challenge = password_auth(live_cognito, client)
    assert challenge["ChallengeName"] == "SMS_MFA"
    [event] = functions.wait_for(name)
    assert (event["triggerSource"], event["request"]["type"]) == (
        "CustomSMSSender_Authentication",
        "customSMSSenderRequestV1",
    )
    code = open_code(base64.b64decode(CODE_KEY), event["request"]["code"])
    assert len(outbox(live, pool, "alice")) == before
    result = live_cognito.respond_to_auth_challenge(
        ClientId=client,
        ChallengeName="SMS_MFA",
        Session=challenge["Session"],
        ChallengeResponses={"USERNAME": "alice", "SMS_MFA_CODE": code},
    )
    assert "AccessToken" in result["AuthenticationResult"]


# ---- one-time sign-in codes (USER_AUTH's EMAIL_OTP first factor) ---------------------------------------------------
def _email_code_pool(cognito: Any, lambdas: dict[str, Any]) -> tuple[str, str]:
    """A pool allowing email codes first, with ``lambdas``; a client allowing USER_AUTH; alice with a verified
    email."""
    pool, client = make_pool_and_client(
        cognito,
        {
            "LambdaConfig": lambdas,
            "EmailConfiguration": SES_EMAIL,
            "Policies": {"SignInPolicy": {"AllowedFirstAuthFactors": ["PASSWORD", "EMAIL_OTP"]}},
        },
        ExplicitAuthFlows=["ALLOW_USER_AUTH"],
    )
    confirmed_user(cognito, pool, client)
    cognito.admin_update_user_attributes(
        UserPoolId=pool, Username="alice", UserAttributes=[{"Name": "email_verified", "Value": "true"}]
    )
    return pool, client


def _email_code_sign_in(cognito: Any, client: str) -> dict[str, Any]:
    return cognito.initiate_auth(
        ClientId=client,
        AuthFlow="USER_AUTH",
        AuthParameters={"USERNAME": "alice", "PREFERRED_CHALLENGE": "EMAIL_OTP"},
    )


def _answer_email_code(cognito: Any, client: str, challenge: dict[str, Any], code: str) -> dict[str, Any]:
    return cognito.respond_to_auth_challenge(
        ClientId=client,
        ChallengeName="EMAIL_OTP",
        Session=challenge["Session"],
        ChallengeResponses={"USERNAME": "alice", "EMAIL_OTP_CODE": code},
    )


def test_custom_message_rewrites_the_email_sign_in_code(live, live_cognito, functions):
    name = f"message-{uuid.uuid4().hex[:8]}"
    functions.on(name, answer(emailSubject="Sign in", emailMessage="Example code: {####}"))
    pool, client = _email_code_pool(live_cognito, {"CustomMessage": arn(name)})
    challenge = _email_code_sign_in(live_cognito, client)
    event = functions.events(name)[-1]
    assert event["triggerSource"] == "CustomMessage_Authentication"
    message = outbox(live, pool, "alice")[-1]
    assert (message["subject"], message["body"]) == ("Sign in", f"Example code: {message['code']}")
    assert "AccessToken" in _answer_email_code(live_cognito, client, challenge, message["code"])["AuthenticationResult"]


def test_a_custom_email_sender_gets_the_sign_in_code(live, live_cognito, functions):
    name = f"email-sender-{uuid.uuid4().hex[:8]}"
    lambdas = {
        "CustomEmailSender": {"LambdaArn": arn(name), "LambdaVersion": "V1_0"},
        "KMSKeyID": "arn:aws:kms:us-east-1:000000000000:key/11111111-2222-3333-4444-555555555555",
    }
    pool, client = _email_code_pool(live_cognito, lambdas)
    before = len(outbox(live, pool, "alice"))
    challenge = _email_code_sign_in(live_cognito, client)
    [event] = functions.wait_for(name)
    assert event["triggerSource"] == "CustomEmailSender_Authentication"
    code = open_code(base64.b64decode(CODE_KEY), event["request"]["code"])
    assert len(code) == 8
    assert len(outbox(live, pool, "alice")) == before
    assert "AccessToken" in _answer_email_code(live_cognito, client, challenge, code)["AuthenticationResult"]
