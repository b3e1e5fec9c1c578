"""Passwordless sign-up and choice-based sign-in (USER_AUTH): the pool's sign-in policy, SignUp without a password,
ConfirmSignUp's Session signing the new user in, SELECT_CHALLENGE and PREFERRED_CHALLENGE, one-time codes by email
and SMS as first factors (their errors, expiry and attempts), PreventUserExistenceErrors, MFA after a password but
not after a code, and GetUserAuthFactors."""

from __future__ import annotations

from typing import Any

import pytest
from botocore.exceptions import ClientError

from tests.helpers import PASSWORD, error_of, latest_code, outbox
from tests.signin import claims

SES_EMAIL = {
    "EmailSendingAccount": "DEVELOPER",
    "SourceArn": "arn:aws:ses:us-east-1:000000000000:identity/no-reply@example.com",
    "From": "no-reply@example.com",
}
SMS_CONFIGURATION = {
    "SnsCallerArn": "arn:aws:iam::000000000000:role/sns-caller",
    "ExternalId": "external-id",
    "SnsRegion": "us-east-1",
}
PHONE = "+15555550123"
FLOWS = ["ALLOW_USER_AUTH", "ALLOW_USER_SRP_AUTH", "ALLOW_USER_PASSWORD_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"]
MISMATCH = (400, "CodeMismatchException", "Invalid code received for user")
USED_SESSION = (400, "NotAuthorizedException", "Invalid session for the user, session can only be used once.")
EXPIRED_SESSION = (400, "NotAuthorizedException", "Invalid session for the user, session is expired.")


def failure(call: Any, **kwargs: Any) -> tuple[int, str, str]:
    with pytest.raises(ClientError) as excinfo:
        call(**kwargs)
    return error_of(excinfo)


def passwordless_pool(
    cognito: Any, factors: tuple[str, ...] = ("PASSWORD", "EMAIL_OTP", "SMS_OTP"), **client: Any
) -> tuple[str, str]:
    """A pool allowing ``factors`` first (with the email and SMS sending they need; email and phone verified at
    sign-up) and an app client allowing USER_AUTH."""
    pool = cognito.create_user_pool(
        PoolName="passwordless",
        Policies={"SignInPolicy": {"AllowedFirstAuthFactors": list(factors)}},
        EmailConfiguration=SES_EMAIL,
        SmsConfiguration=SMS_CONFIGURATION,
        AutoVerifiedAttributes=["email"],
    )["UserPool"]["Id"]
    client.setdefault("ExplicitAuthFlows", FLOWS)
    client_id = cognito.create_user_pool_client(UserPoolId=pool, ClientName="app", **client)["UserPoolClient"]
    return pool, client_id["ClientId"]


def user_auth(cognito: Any, client_id: str, username: str = "alice", **params: str) -> dict[str, Any]:
    return cognito.initiate_auth(
        ClientId=client_id, AuthFlow="USER_AUTH", AuthParameters={"USERNAME": username, **params}
    )


def confirmed(cognito: Any, server: Any, pool: str, client: str, username: str = "alice", **extra: Any) -> None:
    """A passwordless user signed up and confirmed with its emailed code (its email verified)."""
    extra.setdefault("UserAttributes", [{"Name": "email", "Value": f"{username}@example.com"}])
    cognito.sign_up(ClientId=client, Username=username, **extra)
    cognito.confirm_sign_up(ClientId=client, Username=username, ConfirmationCode=latest_code(server, pool, username))


# ---- sign-up without a password, and the sign-in that follows ------------------------------------------------------
def test_passwordless_sign_up_confirm_and_session_sign_in(cognito, server):
    pool, client = passwordless_pool(cognito)
    signed_up = cognito.sign_up(
        ClientId=client, Username="alice", UserAttributes=[{"Name": "email", "Value": "a@example.com"}]
    )
    assert signed_up["UserConfirmed"] is False
    assert signed_up["Session"]
    code = latest_code(server, pool, "alice")
    confirmed_ = cognito.confirm_sign_up(
        ClientId=client, Username="alice", ConfirmationCode=code, Session=signed_up["Session"]
    )
    session = confirmed_["Session"]
    result = cognito.initiate_auth(
        ClientId=client, AuthFlow="USER_AUTH", AuthParameters={"USERNAME": "alice"}, Session=session
    )
    tokens = result["AuthenticationResult"]
    assert claims(tokens["IdToken"])["cognito:username"] == "alice"
    # Used once.
    assert (
        failure(
            cognito.initiate_auth,
            ClientId=client,
            AuthFlow="USER_AUTH",
            AuthParameters={"USERNAME": "alice"},
            Session=session,
        )
        == USED_SESSION
    )


def test_email_otp_sign_in(cognito, server):
    pool, client = passwordless_pool(cognito)
    confirmed(cognito, server, pool, client)
    started = user_auth(cognito, client, PREFERRED_CHALLENGE="EMAIL_OTP")
    assert started["ChallengeName"] == "EMAIL_OTP"
    assert started["ChallengeParameters"]["CODE_DELIVERY_DELIVERY_MEDIUM"] == "EMAIL"
    code = latest_code(server, pool, "alice")
    result = cognito.respond_to_auth_challenge(
        ClientId=client,
        ChallengeName="EMAIL_OTP",
        Session=started["Session"],
        ChallengeResponses={"USERNAME": "alice", "EMAIL_OTP_CODE": code},
    )
    assert "AccessToken" in result["AuthenticationResult"]


def test_select_challenge_lists_what_the_user_can_use(cognito, server):
    pool, client = passwordless_pool(cognito)
    confirmed(cognito, server, pool, client)
    started = user_auth(cognito, client)
    assert started["ChallengeName"] == "SELECT_CHALLENGE"
    assert started["AvailableChallenges"] == ["EMAIL_OTP"]
    cognito.sign_up(
        ClientId=client, Username="bob", Password=PASSWORD, UserAttributes=[{"Name": "email", "Value": "b@example.com"}]
    )
    cognito.admin_confirm_sign_up(UserPoolId=pool, Username="bob")
    assert user_auth(cognito, client, "bob")["AvailableChallenges"] == ["PASSWORD_SRP", "PASSWORD"]
    assert outbox(server, pool, "bob")
