"""MFA, enforced: the pool's configuration (Set/GetUserPoolMfaConfig and CreateUserPool/UpdateUserPool/Describe
kept consistent), authenticators (AssociateSoftwareToken, VerifySoftwareToken), users' preferences (and the legacy
MFAOptions), and every sign-in that would end in tokens answered with Cognito's MFA challenge instead: SMS_MFA,
SOFTWARE_TOKEN_MFA, EMAIL_OTP, SELECT_MFA_TYPE and MFA_SETUP, each answer and error with Cognito's text."""

from __future__ import annotations

import json
import urllib.request
from typing import Any

import pyotp
import pytest
from botocore.exceptions import ClientError
from pycognito.aws_srp import AWSSRP

from tests.helpers import PASSWORD, advance_clock, error_of, outbox
from tests.signin import (
    ALL_FLOWS,
    EXPIRED_SESSION,
    MISMATCH,
    PHONE,
    SES_EMAIL,
    SMS_CONFIGURATION,
    USED_SESSION,
    claims,
    confirmed_user,
    failure,
    password_auth,
)

ATTEMPTS_EXCEEDED = (400, "NotAuthorizedException", "Password attempts exceeded")


def server_now(server: Any) -> float:
    """The server's clock (frozen by the ``frozen_clock`` fixture in these tests)."""
    request = urllib.request.Request(f"{server.url}/_userpool/clock", data=b'{"advance": 0}', method="POST")
    with urllib.request.urlopen(request) as response:
        return float(json.load(response)["now"])


def totp_code(server: Any, secret: str, steps_ahead: int = 0) -> str:
    return pyotp.TOTP(secret).at(server_now(server) + 30 * steps_ahead)


def next_step(server: Any) -> None:
    """Move the server to the next 30-second TOTP step (a code is accepted once per step)."""
    advance_clock(server, 30)


def mfa_pool(
    cognito: Any,
    mode: str = "OPTIONAL",
    sms: bool = False,
    totp: bool = True,
    email: bool = False,
    **pool: Any,
) -> tuple[str, str]:
    """A pool with the given MFA factors, and an app client allowing every password flow."""
    if email:
        pool.setdefault("EmailConfiguration", SES_EMAIL)
    pool_id = cognito.create_user_pool(PoolName="mfa", **pool)["UserPool"]["Id"]
    set_mfa_config(cognito, pool_id, mode, sms, totp, email)
    client = cognito.create_user_pool_client(UserPoolId=pool_id, ClientName="app", ExplicitAuthFlows=ALL_FLOWS)
    return pool_id, client["UserPoolClient"]["ClientId"]


def set_mfa_config(cognito: Any, pool_id: str, mode: str, sms: bool, totp: bool, email: bool) -> None:
    """SetUserPoolMfaConfig with the given factors (the pool has the SES sending email MFA needs)."""
    config: dict[str, Any] = {"UserPoolId": pool_id, "MfaConfiguration": mode}
    if sms:
        config["SmsMfaConfiguration"] = {
            "SmsAuthenticationMessage": "Your sign-in code is {####}",
            "SmsConfiguration": SMS_CONFIGURATION,
        }
    if totp:
        config["SoftwareTokenMfaConfiguration"] = {"Enabled": True}
    if email:
        config["EmailMfaConfiguration"] = {"Message": "Email code: {####}", "Subject": "Sign-in code"}
    cognito.set_user_pool_mfa_config(**config)


def user_with_phone(cognito: Any, pool_id: str, client_id: str, username: str = "alice") -> None:
    attributes = [{"Name": "email", "Value": f"{username}@example.com"}, {"Name": "phone_number", "Value": PHONE}]
    confirmed_user(cognito, pool_id, client_id, username, UserAttributes=attributes)


def tokens(cognito: Any, client_id: str, username: str = "alice") -> dict[str, Any]:
    result = password_auth(cognito, client_id, username)
    assert "AuthenticationResult" in result, result
    return result["AuthenticationResult"]


def register_totp(server: Any, cognito: Any, access_token: str) -> str:
    """Associate and verify an authenticator with an access token; its secret."""
    secret = cognito.associate_software_token(AccessToken=access_token)["SecretCode"]
    answer = cognito.verify_software_token(
        AccessToken=access_token, UserCode=totp_code(server, secret), FriendlyDeviceName="phone"
    )
    assert answer["Status"] == "SUCCESS"
    next_step(server)  # the code just used is spent
    return secret


def totp_user(server: Any, cognito: Any, pool_id: str, client_id: str, username: str = "alice") -> str:
    """A confirmed user whose authenticator is its preferred factor; its secret. (Registered before the pool
    requires MFA, or in an OPTIONAL pool.)"""
    confirmed_user(cognito, pool_id, client_id, username)
    access = tokens(cognito, client_id, username)["AccessToken"]
    secret = register_totp(server, cognito, access)
    cognito.set_user_mfa_preference(
        AccessToken=access, SoftwareTokenMfaSettings={"Enabled": True, "PreferredMfa": True}
    )
    return secret


def respond(cognito: Any, client_id: str, challenge: dict[str, Any], name: str, **responses: str) -> dict[str, Any]:
    return cognito.respond_to_auth_challenge(
        ClientId=client_id,
        ChallengeName=name,
        Session=challenge["Session"],
        ChallengeResponses={"USERNAME": challenge["ChallengeParameters"]["USER_ID_FOR_SRP"], **responses},
    )


def last_message(server: Any, pool_id: str, username: str = "alice") -> dict[str, Any]:
    messages = outbox(server, pool_id, username)
    assert messages
    return messages[-1]


# ---- the pool's configuration --------------------------------------------------------------------------------------
def test_a_new_pool_has_mfa_off(cognito, make_pool):
    pool = make_pool()
    assert cognito.get_user_pool_mfa_config(UserPoolId=pool["Id"])["MfaConfiguration"] == "OFF"
    config = cognito.get_user_pool_mfa_config(UserPoolId=pool["Id"])
    assert config["SoftwareTokenMfaConfiguration"] == {"Enabled": False}
    assert "SmsMfaConfiguration" not in config and "EmailMfaConfiguration" not in config


def test_set_user_pool_mfa_config_is_what_get_and_describe_show(cognito, make_pool):
    pool = make_pool(EmailConfiguration=SES_EMAIL)["Id"]
    answer = cognito.set_user_pool_mfa_config(
        UserPoolId=pool,
        MfaConfiguration="ON",
        SmsMfaConfiguration={"SmsAuthenticationMessage": "Code {####}", "SmsConfiguration": SMS_CONFIGURATION},
        SoftwareTokenMfaConfiguration={"Enabled": True},
        EmailMfaConfiguration={"Message": "Your code {####}", "Subject": "Code"},
    )
    answer.pop("ResponseMetadata")
    expected = {
        "MfaConfiguration": "ON",
        "SmsMfaConfiguration": {"SmsAuthenticationMessage": "Code {####}", "SmsConfiguration": SMS_CONFIGURATION},
        "SoftwareTokenMfaConfiguration": {"Enabled": True},
        "EmailMfaConfiguration": {"Message": "Your code {####}", "Subject": "Code"},
    }
    assert answer == expected
    got = cognito.get_user_pool_mfa_config(UserPoolId=pool)
    got.pop("ResponseMetadata")
    assert got == expected
    described = cognito.describe_user_pool(UserPoolId=pool)["UserPool"]
    assert described["MfaConfiguration"] == "ON"
    assert described["SmsAuthenticationMessage"] == "Code {####}"
    assert described["SmsConfiguration"] == SMS_CONFIGURATION


def test_mfa_on_with_no_factor_is_refused(cognito, make_pool):
    pool = make_pool()["Id"]
    text = "Invalid MFA configuration given, can't disable all MFAs with a required or optional configuration."
    for mode in ("ON", "OPTIONAL"):
        assert failure(cognito.set_user_pool_mfa_config, UserPoolId=pool, MfaConfiguration=mode) == (
            400,
            "InvalidParameterException",
            text,
        )
    assert failure(
        cognito.set_user_pool_mfa_config,
        UserPoolId=pool,
        MfaConfiguration="ON",
        SoftwareTokenMfaConfiguration={"Enabled": False},
    ) == (400, "InvalidParameterException", text)
    assert cognito.get_user_pool_mfa_config(UserPoolId=pool)["MfaConfiguration"] == "OFF"


def test_mfa_off_with_a_factor_is_refused(cognito, make_pool):
    pool = make_pool()["Id"]
    assert failure(
        cognito.set_user_pool_mfa_config,
        UserPoolId=pool,
        MfaConfiguration="OFF",
        SoftwareTokenMfaConfiguration={"Enabled": True},
    ) == (
        400,
        "InvalidParameterException",
        "Invalid MFA configuration given, can't turn off MFA and configure an MFA together.",
    )


def test_email_mfa_needs_the_pools_own_ses_sending(cognito, make_pool):
    pool = make_pool()["Id"]
    assert failure(
        cognito.set_user_pool_mfa_config,
        UserPoolId=pool,
        MfaConfiguration="OPTIONAL",
        EmailMfaConfiguration={"Message": "Code {####}", "Subject": "Code"},
    ) == (
        400,
        "InvalidParameterException",
        "Email MFA requires an EmailConfiguration with EmailSendingAccount DEVELOPER.",
    )
    lite = make_pool(UserPoolTier="LITE", EmailConfiguration=SES_EMAIL)["Id"]
    assert failure(
        cognito.set_user_pool_mfa_config,
        UserPoolId=lite,
        MfaConfiguration="OPTIONAL",
        EmailMfaConfiguration={"Message": "Code {####}", "Subject": "Code"},
    ) == (400, "FeatureUnavailableInTierException", "Email MFA is not available in the LITE tier.")


def test_create_user_pool_with_mfa_needs_sms(cognito, make_pool):
    with pytest.raises(ClientError) as excinfo:
        make_pool(MfaConfiguration="ON")
    assert error_of(excinfo) == (
        400,
        "InvalidParameterException",
        "SMS configuration and Auto verification for phone_number are required when MFA is required/optional",
    )
    pool = make_pool(MfaConfiguration="OPTIONAL", SmsConfiguration=SMS_CONFIGURATION)["Id"]
    config = cognito.get_user_pool_mfa_config(UserPoolId=pool)
    assert config["MfaConfiguration"] == "OPTIONAL"
    assert config["SmsMfaConfiguration"] == {"SmsConfiguration": SMS_CONFIGURATION}


def test_update_user_pool_keeps_the_authenticator_setting_and_sets_the_mode(cognito, make_pool):
    pool = make_pool()["Id"]
    cognito.set_user_pool_mfa_config(
        UserPoolId=pool, MfaConfiguration="OPTIONAL", SoftwareTokenMfaConfiguration={"Enabled": True}
    )
    cognito.update_user_pool(UserPoolId=pool, MfaConfiguration="ON")
    config = cognito.get_user_pool_mfa_config(UserPoolId=pool)
    assert (config["MfaConfiguration"], config["SoftwareTokenMfaConfiguration"]) == ("ON", {"Enabled": True})
    assert cognito.describe_user_pool(UserPoolId=pool)["UserPool"]["MfaConfiguration"] == "ON"
    # UpdateUserPool resets what it is not sent: MfaConfiguration to OFF
    cognito.update_user_pool(UserPoolId=pool)
    assert cognito.get_user_pool_mfa_config(UserPoolId=pool)["MfaConfiguration"] == "OFF"
    other = make_pool()["Id"]
    assert failure(cognito.update_user_pool, UserPoolId=other, MfaConfiguration="ON")[:2] == (
        400,
        "InvalidParameterException",
    )


def test_mfa_config_of_a_missing_pool(cognito):
    assert failure(cognito.get_user_pool_mfa_config, UserPoolId="us-east-1_missing00") == (
        400,
        "ResourceNotFoundException",
        "User pool us-east-1_missing00 does not exist.",
    )


# ---- authenticators ------------------------------------------------------------------------------------------------
def test_authenticator_needs_the_pool_to_offer_it(cognito, server, frozen_clock):
    pool, client = mfa_pool(cognito, sms=True, totp=False)
    confirmed_user(cognito, pool, client)
    access = tokens(cognito, client)["AccessToken"]
    assert failure(cognito.associate_software_token, AccessToken=access) == (
        400,
        "SoftwareTokenMFANotFoundException",
        "Software Token MFA has not been enabled by the userPool",
    )


def test_associate_and_verify_software_token(cognito, server, frozen_clock):
    pool, client = mfa_pool(cognito)
    confirmed_user(cognito, pool, client)
    access = tokens(cognito, client)["AccessToken"]
    assert failure(cognito.verify_software_token, AccessToken=access, UserCode="123456") == (
        400,
        "SoftwareTokenMFANotFoundException",
        "User has not associated a software token.",
    )
    answer = cognito.associate_software_token(AccessToken=access)
    secret = answer["SecretCode"]
    assert "Session" not in answer
    assert len(secret) == 32 and pyotp.TOTP(secret).now().isdigit()
    # enabling it before it is verified
    assert failure(cognito.set_user_mfa_preference, AccessToken=access, SoftwareTokenMfaSettings={"Enabled": True}) == (
        400,
        "InvalidParameterException",
        "User does not have delivery config set to turn on SOFTWARE_TOKEN_MFA",
    )
    wrong = f"{(int(totp_code(server, secret)) + 1) % 1_000_000:06d}"
    assert failure(cognito.verify_software_token, AccessToken=access, UserCode=wrong) == (
        400,
        "EnableSoftwareTokenMFAException",
        "Code mismatch and fail enable Software Token MFA",
    )
    verified = cognito.verify_software_token(
        AccessToken=access, UserCode=totp_code(server, secret), FriendlyDeviceName="my phone"
    )
    assert verified["Status"] == "SUCCESS" and "Session" not in verified
    # registered, not yet a factor
    user = cognito.get_user(AccessToken=access)
    assert "UserMFASettingList" not in user and "PreferredMfaSetting" not in user
    assert "AuthenticationResult" in password_auth(cognito, client)
    cognito.set_user_mfa_preference(
        AccessToken=access, SoftwareTokenMfaSettings={"Enabled": True, "PreferredMfa": True}
    )
    user = cognito.get_user(AccessToken=access)
    assert user["UserMFASettingList"] == ["SOFTWARE_TOKEN_MFA"]
    assert user["PreferredMfaSetting"] == "SOFTWARE_TOKEN_MFA"
    assert "MFAOptions" not in user
    admin = cognito.admin_get_user(UserPoolId=pool, Username="alice")
    assert (admin["UserMFASettingList"], admin["PreferredMfaSetting"]) == (["SOFTWARE_TOKEN_MFA"], "SOFTWARE_TOKEN_MFA")


def test_one_of_access_token_or_session(raw_cognito):
    assert failure(raw_cognito.associate_software_token)[:2] == (400, "InvalidParameterException")


# ---- SOFTWARE_TOKEN_MFA --------------------------------------------------------------------------------------------
def test_software_token_sign_in(cognito, server, frozen_clock):
    pool, client = mfa_pool(cognito)
    secret = totp_user(server, cognito, pool, client)
    challenge = password_auth(cognito, client)
    assert challenge["ChallengeName"] == "SOFTWARE_TOKEN_MFA"
    assert challenge["ChallengeParameters"] == {"USER_ID_FOR_SRP": "alice"}
    assert "AuthenticationResult" not in challenge
    result = respond(
        cognito, client, challenge, "SOFTWARE_TOKEN_MFA", SOFTWARE_TOKEN_MFA_CODE=totp_code(server, secret)
    )
    assert claims(result["AuthenticationResult"]["AccessToken"])["username"] == "alice"
    # the same code again, in a new sign-in: refused
    challenge = password_auth(cognito, client)
    assert failure(
        respond,
        cognito=cognito,
        client_id=client,
        challenge=challenge,
        name="SOFTWARE_TOKEN_MFA",
        SOFTWARE_TOKEN_MFA_CODE=totp_code(server, secret),
    ) == (400, "ExpiredCodeException", "Your software token has already been used once.")
    # the next step's code works
    next_step(server)
    result = respond(
        cognito, client, challenge, "SOFTWARE_TOKEN_MFA", SOFTWARE_TOKEN_MFA_CODE=totp_code(server, secret)
    )
    assert "AuthenticationResult" in result


def test_a_totp_code_from_two_steps_away_is_refused(cognito, server, frozen_clock):
    pool, client = mfa_pool(cognito)
    secret = totp_user(server, cognito, pool, client)
    challenge = password_auth(cognito, client)
    for steps in (-2, 2):
        code = totp_code(server, secret, steps_ahead=steps)
        assert (
            failure(
                respond,
                cognito=cognito,
                client_id=client,
                challenge=challenge,
                name="SOFTWARE_TOKEN_MFA",
                SOFTWARE_TOKEN_MFA_CODE=code,
            )
            == MISMATCH
        )
    # one step of clock skew: the next step's code is accepted now
    ahead = totp_code(server, secret, steps_ahead=1)
    result = respond(cognito, client, challenge, "SOFTWARE_TOKEN_MFA", SOFTWARE_TOKEN_MFA_CODE=ahead)
    assert "AuthenticationResult" in result


def test_wrong_codes_spend_the_session_and_count_toward_the_lockout(cognito, server, frozen_clock):
    pool, client = mfa_pool(cognito)
    secret = totp_user(server, cognito, pool, client)
    challenge = password_auth(cognito, client)
    wrong = f"{(int(totp_code(server, secret)) + 500_000) % 1_000_000:06d}"
    kwargs = {"cognito": cognito, "client_id": client, "challenge": challenge, "name": "SOFTWARE_TOKEN_MFA"}
    assert failure(respond, **kwargs, SOFTWARE_TOKEN_MFA_CODE=wrong) == MISMATCH
    assert failure(respond, **kwargs, SOFTWARE_TOKEN_MFA_CODE=wrong) == MISMATCH
    assert failure(respond, **kwargs, SOFTWARE_TOKEN_MFA_CODE=wrong) == MISMATCH
    # the third wrong code spent the session: the right one is too late
    assert failure(respond, **kwargs, SOFTWARE_TOKEN_MFA_CODE=totp_code(server, secret)) == USED_SESSION
    # two more wrong codes make five failed sign-ins: locked out, even with the right password
    challenge = password_auth(cognito, client)
    kwargs["challenge"] = challenge
    assert failure(respond, **kwargs, SOFTWARE_TOKEN_MFA_CODE=wrong) == MISMATCH
    assert failure(respond, **kwargs, SOFTWARE_TOKEN_MFA_CODE=wrong) == MISMATCH
    assert failure(respond, **kwargs, SOFTWARE_TOKEN_MFA_CODE=totp_code(server, secret)) == ATTEMPTS_EXCEEDED
    assert failure(password_auth, cognito=cognito, client_id=client) == ATTEMPTS_EXCEEDED
    advance_clock(server, 2)
    challenge = password_auth(cognito, client)
    result = respond(
        cognito, client, challenge, "SOFTWARE_TOKEN_MFA", SOFTWARE_TOKEN_MFA_CODE=totp_code(server, secret)
    )
    assert "AuthenticationResult" in result


def test_an_expired_challenge_session_is_refused(cognito, server, frozen_clock):
    pool, client = mfa_pool(cognito)
    secret = totp_user(server, cognito, pool, client)
    challenge = password_auth(cognito, client)
    advance_clock(server, 181)
    assert (
        failure(
            respond,
            cognito=cognito,
            client_id=client,
            challenge=challenge,
            name="SOFTWARE_TOKEN_MFA",
            SOFTWARE_TOKEN_MFA_CODE=totp_code(server, secret),
        )
        == EXPIRED_SESSION
    )


def test_a_session_of_another_challenge_is_refused(cognito, server, frozen_clock):
    pool, client = mfa_pool(cognito)
    secret = totp_user(server, cognito, pool, client)
    challenge = password_auth(cognito, client)
    assert failure(
        respond, cognito=cognito, client_id=client, challenge=challenge, name="SMS_MFA", SMS_MFA_CODE="123456"
    ) == (
        400,
        "NotAuthorizedException",
        "Invalid session for the user.",
    )
    assert failure(
        respond,
        cognito=cognito,
        client_id=client,
        challenge={**challenge, "ChallengeParameters": {"USER_ID_FOR_SRP": "bob"}},
        name="SOFTWARE_TOKEN_MFA",
        SOFTWARE_TOKEN_MFA_CODE=totp_code(server, secret),
    ) == (400, "NotAuthorizedException", "Invalid session for the user.")


def test_refresh_is_never_challenged(cognito, server, frozen_clock):
    pool, client = mfa_pool(cognito)
    secret = totp_user(server, cognito, pool, client)
    challenge = password_auth(cognito, client)
    result = respond(
        cognito, client, challenge, "SOFTWARE_TOKEN_MFA", SOFTWARE_TOKEN_MFA_CODE=totp_code(server, secret)
    )
    refreshed = cognito.initiate_auth(
        ClientId=client,
        AuthFlow="REFRESH_TOKEN_AUTH",
        AuthParameters={"REFRESH_TOKEN": result["AuthenticationResult"]["RefreshToken"]},
    )
    assert "AccessToken" in refreshed["AuthenticationResult"] and "ChallengeName" not in refreshed


# ---- SMS_MFA and EMAIL_OTP -----------------------------------------------------------------------------------------
def test_sms_mfa_sign_in(cognito, server, frozen_clock):
    pool, client = mfa_pool(cognito, sms=True, totp=False)
    user_with_phone(cognito, pool, client)
    cognito.admin_set_user_mfa_preference(
        UserPoolId=pool, Username="alice", SMSMfaSettings={"Enabled": True, "PreferredMfa": True}
    )
    user = cognito.admin_get_user(UserPoolId=pool, Username="alice")
    assert user["PreferredMfaSetting"] == "SMS_MFA" and user["UserMFASettingList"] == ["SMS_MFA"]
    assert user["MFAOptions"] == [{"DeliveryMedium": "SMS", "AttributeName": "phone_number"}]
    challenge = password_auth(cognito, client)
    assert challenge["ChallengeName"] == "SMS_MFA"
    assert challenge["ChallengeParameters"] == {
        "CODE_DELIVERY_DELIVERY_MEDIUM": "SMS",
        "CODE_DELIVERY_DESTINATION": "+*******0123",
        "USER_ID_FOR_SRP": "alice",
    }
    message = last_message(server, pool)
    assert message["medium"] == "SMS" and message["destination"] == PHONE
    assert message["body"] == f"Your sign-in code is {message['code']}"
    assert (
        failure(
            respond,
            cognito=cognito,
            client_id=client,
            challenge=challenge,
            name="SMS_MFA",
            SMS_MFA_CODE="000000" if message["code"] != "000000" else "111111",
        )
        == MISMATCH
    )
    attributes = cognito.admin_get_user(UserPoolId=pool, Username="alice")["UserAttributes"]
    assert {"Name": "phone_number_verified", "Value": "false"} in attributes
    result = respond(cognito, client, challenge, "SMS_MFA", SMS_MFA_CODE=message["code"])
    id_claims = claims(result["AuthenticationResult"]["IdToken"])
    # the right code proved the phone number
    assert (id_claims["phone_number"], id_claims["phone_number_verified"]) == (PHONE, True)


def test_an_sms_code_lives_three_minutes(cognito, server, frozen_clock):
    pool, client = mfa_pool(cognito, sms=True, totp=False)
    client_15 = cognito.create_user_pool_client(
        UserPoolId=pool, ClientName="slow", ExplicitAuthFlows=ALL_FLOWS, AuthSessionValidity=15
    )["UserPoolClient"]["ClientId"]
    user_with_phone(cognito, pool, client)
    cognito.admin_set_user_mfa_preference(UserPoolId=pool, Username="alice", SMSMfaSettings={"Enabled": True})
    challenge = password_auth(cognito, client_15)
    code = last_message(server, pool)["code"]
    advance_clock(server, 181)
    assert failure(
        respond, cognito=cognito, client_id=client_15, challenge=challenge, name="SMS_MFA", SMS_MFA_CODE=code
    ) == (
        400,
        "ExpiredCodeException",
        "Invalid code provided, please request a code again.",
    )


def test_email_otp_sign_in(cognito, server, frozen_clock):
    pool, client = mfa_pool(cognito, totp=False, email=True)
    confirmed_user(cognito, pool, client)
    cognito.admin_set_user_mfa_preference(
        UserPoolId=pool, Username="alice", EmailMfaSettings={"Enabled": True, "PreferredMfa": True}
    )
    challenge = cognito.admin_initiate_auth(
        UserPoolId=pool,
        ClientId=client,
        AuthFlow="ADMIN_USER_PASSWORD_AUTH",
        AuthParameters={"USERNAME": "alice", "PASSWORD": PASSWORD},
    )
    assert challenge["ChallengeName"] == "EMAIL_OTP"
    assert challenge["ChallengeParameters"] == {
        "CODE_DELIVERY_DELIVERY_MEDIUM": "EMAIL",
        "CODE_DELIVERY_DESTINATION": "a***@e***",
        "USER_ID_FOR_SRP": "alice",
    }
    message = last_message(server, pool)
    assert (message["subject"], message["body"]) == ("Sign-in code", f"Email code: {message['code']}")
    result = cognito.admin_respond_to_auth_challenge(
        UserPoolId=pool,
        ClientId=client,
        ChallengeName="EMAIL_OTP",
        Session=challenge["Session"],
        ChallengeResponses={"USERNAME": "alice", "EMAIL_OTP_CODE": message["code"]},
    )
    assert "AccessToken" in result["AuthenticationResult"]


# ---- SELECT_MFA_TYPE and MFA_SETUP ---------------------------------------------------------------------------------
def test_select_mfa_type_when_several_are_enabled_and_none_preferred(cognito, server, frozen_clock):
    pool, client = mfa_pool(cognito, sms=True)
    user_with_phone(cognito, pool, client)
    access = tokens(cognito, client)["AccessToken"]
    secret = register_totp(server, cognito, access)
    cognito.set_user_mfa_preference(
        AccessToken=access, SMSMfaSettings={"Enabled": True}, SoftwareTokenMfaSettings={"Enabled": True}
    )
    user = cognito.get_user(AccessToken=access)
    assert user["UserMFASettingList"] == ["SMS_MFA", "SOFTWARE_TOKEN_MFA"] and "PreferredMfaSetting" not in user
    challenge = password_auth(cognito, client)
    assert challenge["ChallengeName"] == "SELECT_MFA_TYPE"
    assert challenge["ChallengeParameters"] == {
        "MFAS_CAN_CHOOSE": '["SMS_MFA", "SOFTWARE_TOKEN_MFA"]',
        "USER_ID_FOR_SRP": "alice",
    }
    assert failure(
        respond, cognito=cognito, client_id=client, challenge=challenge, name="SELECT_MFA_TYPE", ANSWER="EMAIL_OTP"
    ) == (
        400,
        "InvalidParameterException",
        "Invalid ANSWER for SELECT_MFA_TYPE.",
    )
    chosen = respond(cognito, client, challenge, "SELECT_MFA_TYPE", ANSWER="SOFTWARE_TOKEN_MFA")
    assert chosen["ChallengeName"] == "SOFTWARE_TOKEN_MFA"
    result = respond(cognito, client, chosen, "SOFTWARE_TOKEN_MFA", SOFTWARE_TOKEN_MFA_CODE=totp_code(server, secret))
    assert "AuthenticationResult" in result
    # choosing SMS sends the code
    chosen = respond(cognito, client, password_auth(cognito, client), "SELECT_MFA_TYPE", ANSWER="SMS_MFA")
    assert chosen["ChallengeName"] == "SMS_MFA"
    result = respond(cognito, client, chosen, "SMS_MFA", SMS_MFA_CODE=last_message(server, pool)["code"])
    assert "AuthenticationResult" in result


def test_mfa_setup_when_the_pool_requires_mfa(cognito, server, frozen_clock):
    pool, client = mfa_pool(cognito, mode="ON")
    confirmed_user(cognito, pool, client)
    challenge = password_auth(cognito, client)
    assert challenge["ChallengeName"] == "MFA_SETUP"
    assert challenge["ChallengeParameters"] == {"MFAS_CAN_SETUP": '["SOFTWARE_TOKEN_MFA"]', "USER_ID_FOR_SRP": "alice"}
    # not before an authenticator is verified
    assert failure(respond, cognito=cognito, client_id=client, challenge=challenge, name="MFA_SETUP") == (
        400,
        "InvalidParameterException",
        "Software token MFA is not set up for the user.",
    )
    associated = cognito.associate_software_token(Session=challenge["Session"])
    assert associated["Session"] != challenge["Session"]
    # the session AssociateSoftwareToken answered replaces the challenge's
    assert failure(cognito.associate_software_token, Session=challenge["Session"]) == USED_SESSION
    secret = associated["SecretCode"]
    assert failure(
        cognito.verify_software_token,
        Session=associated["Session"],
        UserCode="000000" if totp_code(server, secret) != "000000" else "111111",
    ) == (
        400,
        "EnableSoftwareTokenMFAException",
        "Code mismatch and fail enable Software Token MFA",
    )
    verified = cognito.verify_software_token(
        Session=associated["Session"], UserCode=totp_code(server, secret), FriendlyDeviceName="phone"
    )
    assert verified["Status"] == "SUCCESS"
    result = respond(cognito, client, {**challenge, "Session": verified["Session"]}, "MFA_SETUP")
    access = result["AuthenticationResult"]["AccessToken"]
    user = cognito.get_user(AccessToken=access)
    assert (user["UserMFASettingList"], user["PreferredMfaSetting"]) == (["SOFTWARE_TOKEN_MFA"], "SOFTWARE_TOKEN_MFA")
    # from now on: the authenticator's code
    next_step(server)
    assert password_auth(cognito, client)["ChallengeName"] == "SOFTWARE_TOKEN_MFA"


def test_mfa_on_sends_an_sms_code_to_a_user_with_a_phone(cognito, server, frozen_clock):
    pool, client = mfa_pool(cognito, mode="ON", sms=True)
    user_with_phone(cognito, pool, client)
    confirmed_user(cognito, pool, client, "bob")
    assert password_auth(cognito, client)["ChallengeName"] == "SMS_MFA"
    challenge = password_auth(cognito, client, "bob")
    assert challenge["ChallengeName"] == "MFA_SETUP"
    assert challenge["ChallengeParameters"]["MFAS_CAN_SETUP"] == '["SMS_MFA", "SOFTWARE_TOKEN_MFA"]'


def test_new_password_required_then_mfa(cognito, server, frozen_clock):
    pool, client = mfa_pool(cognito, mode="ON")
    cognito.admin_create_user(
        UserPoolId=pool, Username="carol", TemporaryPassword="Temp-passw0rd", MessageAction="SUPPRESS"
    )
    first = password_auth(cognito, client, "carol", "Temp-passw0rd")
    assert first["ChallengeName"] == "NEW_PASSWORD_REQUIRED"
    then = respond(cognito, client, first, "NEW_PASSWORD_REQUIRED", NEW_PASSWORD="N3w-passw0rd!")
    assert then["ChallengeName"] == "MFA_SETUP" and "AuthenticationResult" not in then


# ---- preferences ---------------------------------------------------------------------------------------------------
def test_preferences_need_a_delivery_and_the_pools_factor(cognito, server, frozen_clock):
    pool, client = mfa_pool(cognito)
    confirmed_user(cognito, pool, client)
    assert failure(
        cognito.admin_set_user_mfa_preference, UserPoolId=pool, Username="alice", SMSMfaSettings={"Enabled": True}
    ) == (400, "InvalidParameterException", "User does not have delivery config set to turn on SMS_MFA")
    cognito.admin_update_user_attributes(
        UserPoolId=pool, Username="alice", UserAttributes=[{"Name": "phone_number", "Value": PHONE}]
    )
    assert failure(
        cognito.admin_set_user_mfa_preference, UserPoolId=pool, Username="alice", SMSMfaSettings={"Enabled": True}
    ) == (400, "InvalidParameterException", "SMS MFA is not enabled for this user pool.")
    assert failure(
        cognito.admin_set_user_mfa_preference, UserPoolId=pool, Username="missing", SMSMfaSettings={"Enabled": True}
    ) == (400, "UserNotFoundException", "User does not exist.")


def test_a_user_in_an_on_pool_cannot_turn_every_factor_off(cognito, server, frozen_clock):
    pool, client = mfa_pool(cognito)
    totp_user(server, cognito, pool, client)
    cognito.set_user_pool_mfa_config(
        UserPoolId=pool, MfaConfiguration="ON", SoftwareTokenMfaConfiguration={"Enabled": True}
    )
    assert failure(
        cognito.admin_set_user_mfa_preference,
        UserPoolId=pool,
        Username="alice",
        SoftwareTokenMfaSettings={"Enabled": False},
    ) == (400, "InvalidParameterException", "User pool requires MFA: a user can't turn off every MFA factor.")


def test_legacy_mfa_options(cognito, server, frozen_clock):
    pool, client = mfa_pool(cognito, sms=True, totp=False)
    user_with_phone(cognito, pool, client)
    access = tokens(cognito, client)["AccessToken"]
    cognito.set_user_settings(
        AccessToken=access, MFAOptions=[{"DeliveryMedium": "SMS", "AttributeName": "phone_number"}]
    )
    user = cognito.get_user(AccessToken=access)
    assert user["MFAOptions"] == [{"DeliveryMedium": "SMS", "AttributeName": "phone_number"}]
    assert user["UserMFASettingList"] == ["SMS_MFA"]
    assert password_auth(cognito, client)["ChallengeName"] == "SMS_MFA"
    assert failure(
        cognito.admin_set_user_settings,
        UserPoolId=pool,
        Username="alice",
        MFAOptions=[{"DeliveryMedium": "EMAIL", "AttributeName": "email"}],
    ) == (400, "InvalidParameterException", "Only SMS to phone_number is supported as an MFA option.")
    cognito.admin_set_user_settings(UserPoolId=pool, Username="alice", MFAOptions=[])
    user = cognito.admin_get_user(UserPoolId=pool, Username="alice")
    assert "MFAOptions" not in user and "UserMFASettingList" not in user
    assert "AuthenticationResult" in password_auth(cognito, client)


# ---- no tokens without a second factor -----------------------------------------------------------------------------
def _srp(cognito: Any, pool: str, client: str, username: str, password: str = PASSWORD) -> dict[str, Any]:
    helper = AWSSRP(username=username, password=password, pool_id=pool, client_id=client, client=cognito)
    params = helper.get_auth_params()
    challenge = cognito.initiate_auth(ClientId=client, AuthFlow="USER_SRP_AUTH", AuthParameters=params)
    return cognito.respond_to_auth_challenge(
        ClientId=client,
        ChallengeName="PASSWORD_VERIFIER",
        ChallengeResponses=helper.process_challenge(challenge["ChallengeParameters"], params),
    )


def _new_password(cognito: Any, pool: str, client: str, username: str) -> dict[str, Any]:
    cognito.admin_set_user_password(UserPoolId=pool, Username=username, Password="Temp-passw0rd", Permanent=False)
    first = password_auth(cognito, client, username, "Temp-passw0rd")
    return respond(cognito, client, first, "NEW_PASSWORD_REQUIRED", NEW_PASSWORD="N3w-passw0rd!")


FLOWS = {
    "USER_PASSWORD_AUTH": lambda cognito, pool, client, username: password_auth(cognito, client, username),
    "ADMIN_USER_PASSWORD_AUTH": lambda cognito, pool, client, username: cognito.admin_initiate_auth(
        UserPoolId=pool,
        ClientId=client,
        AuthFlow="ADMIN_USER_PASSWORD_AUTH",
        AuthParameters={"USERNAME": username, "PASSWORD": PASSWORD},
    ),
    "USER_SRP_AUTH": _srp,
    "NEW_PASSWORD_REQUIRED": _new_password,
}


@pytest.mark.parametrize("flow", sorted(FLOWS))
@pytest.mark.parametrize("factor", ["none", "SOFTWARE_TOKEN_MFA", "SMS_MFA"])
def test_no_flow_issues_tokens_without_a_second_factor_when_mfa_is_on(cognito, server, frozen_clock, flow, factor):
    pool, client = mfa_pool(cognito, sms=True)
    user_with_phone(cognito, pool, client)
    if factor == "SOFTWARE_TOKEN_MFA":
        register_totp(server, cognito, tokens(cognito, client)["AccessToken"])
        cognito.admin_set_user_mfa_preference(
            UserPoolId=pool, Username="alice", SoftwareTokenMfaSettings={"Enabled": True}
        )
    elif factor == "SMS_MFA":
        cognito.admin_set_user_mfa_preference(UserPoolId=pool, Username="alice", SMSMfaSettings={"Enabled": True})
    cognito.set_user_pool_mfa_config(
        UserPoolId=pool,
        MfaConfiguration="ON",
        SmsMfaConfiguration={"SmsConfiguration": SMS_CONFIGURATION},
        SoftwareTokenMfaConfiguration={"Enabled": True},
    )
    answer = FLOWS[flow](cognito, pool, client, "alice")
    assert "AuthenticationResult" not in answer
    assert answer["ChallengeName"] == ("SMS_MFA" if factor == "none" else factor)


def test_a_user_disabled_between_the_steps_gets_no_tokens(cognito, server, frozen_clock):
    pool, client = mfa_pool(cognito)
    secret = totp_user(server, cognito, pool, client)
    challenge = password_auth(cognito, client)
    cognito.admin_disable_user(UserPoolId=pool, Username="alice")
    assert failure(
        respond,
        cognito=cognito,
        client_id=client,
        challenge=challenge,
        name="SOFTWARE_TOKEN_MFA",
        SOFTWARE_TOKEN_MFA_CODE=totp_code(server, secret),
    ) == (400, "NotAuthorizedException", "User is disabled.")


def test_a_wrong_code_is_a_failed_sign_in_in_the_event_history(cognito, server, frozen_clock):
    pool, client = mfa_pool(cognito, UserPoolAddOns={"AdvancedSecurityMode": "ENFORCED"})
    secret = totp_user(server, cognito, pool, client)
    challenge = password_auth(cognito, client)
    wrong = f"{(int(totp_code(server, secret)) + 1) % 1_000_000:06d}"
    with pytest.raises(ClientError):
        respond(cognito, client, challenge, "SOFTWARE_TOKEN_MFA", SOFTWARE_TOKEN_MFA_CODE=wrong)
    newest = cognito.admin_list_user_auth_events(UserPoolId=pool, Username="alice")["AuthEvents"][0]
    assert (newest["EventType"], newest["EventResponse"], newest["ChallengeResponses"]) == (
        "SignIn",
        "Fail",
        [
            {"ChallengeName": "Password", "ChallengeResponse": "Success"},
            {"ChallengeName": "Mfa", "ChallengeResponse": "Failure"},
        ],
    )


def test_a_pool_with_mfa_off_ignores_the_users_factors(cognito, server, frozen_clock):
    pool, client = mfa_pool(cognito)
    totp_user(server, cognito, pool, client)
    cognito.set_user_pool_mfa_config(UserPoolId=pool, MfaConfiguration="OFF")
    assert "AuthenticationResult" in password_auth(cognito, client)


def test_turning_sms_mfa_off_keeps_the_pools_sms_configuration(cognito, make_pool):
    pool = make_pool(SmsConfiguration=SMS_CONFIGURATION, MfaConfiguration="OPTIONAL")["Id"]
    cognito.set_user_pool_mfa_config(
        UserPoolId=pool, MfaConfiguration="OPTIONAL", SoftwareTokenMfaConfiguration={"Enabled": True}
    )
    config = cognito.get_user_pool_mfa_config(UserPoolId=pool)
    assert "SmsMfaConfiguration" not in config
    assert cognito.describe_user_pool(UserPoolId=pool)["UserPool"]["SmsConfiguration"] == SMS_CONFIGURATION
    # and on again, with the configuration the pool has
    cognito.set_user_pool_mfa_config(
        UserPoolId=pool, MfaConfiguration="OPTIONAL", SmsMfaConfiguration={"SmsAuthenticationMessage": "C {####}"}
    )
    config = cognito.get_user_pool_mfa_config(UserPoolId=pool)
    assert config["SmsMfaConfiguration"] == {
        "SmsAuthenticationMessage": "C {####}",
        "SmsConfiguration": SMS_CONFIGURATION,
    }
    assert config["SoftwareTokenMfaConfiguration"] == {"Enabled": False}
