"""Passwordless sign-up and choice-based sign-in (USER_AUTH): the pool's sign-in policy, SignUp without a password,
ConfirmSignUp's Session signing the new user in, SELECT_CHALLENGE and PREFERRED_CHALLENGE, one-time codes by email
and SMS as first factors (their errors, expiry and attempts), PreventUserExistenceErrors, MFA after a password but
not after a code, and GetUserAuthFactors."""

from __future__ import annotations

from typing import Any

import pytest
from pycognito.aws_srp import AWSSRP

from tests.helpers import PASSWORD, advance_clock, latest_code, outbox
from tests.signin import (
    EXPIRED_SESSION,
    MISMATCH,
    PHONE,
    SES_EMAIL,
    SMS_CONFIGURATION,
    USED_SESSION,
    claims,
    failure,
)

FLOWS = ["ALLOW_USER_AUTH", "ALLOW_USER_SRP_AUTH", "ALLOW_USER_PASSWORD_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"]


def wrong(code: str) -> str:
    """A code of the same length that is not ``code``."""
    return "0" * len(code) if code != "0" * len(code) else "1" * len(code)


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


def with_session(cognito: Any, client_id: str, session: str, username: str = "alice") -> dict[str, Any]:
    """USER_AUTH with ConfirmSignUp's Session."""
    return cognito.initiate_auth(
        ClientId=client_id, AuthFlow="USER_AUTH", AuthParameters={"USERNAME": username}, Session=session
    )


def email(username: str) -> list[dict[str, str]]:
    return [{"Name": "email", "Value": f"{username}@example.com"}]


def sign_up(cognito: Any, client_id: str, username: str = "alice") -> dict[str, Any]:
    """SignUp without a password."""
    return cognito.sign_up(ClientId=client_id, Username=username, UserAttributes=email(username))


def email_code(cognito: Any, client_id: str, challenge: dict[str, Any], code: str) -> dict[str, Any]:
    return respond(cognito, client_id, challenge, "EMAIL_OTP", EMAIL_OTP_CODE=code)


def confirmed(cognito: Any, server: Any, pool: str, client: str, username: str = "alice", **extra: Any) -> None:
    """A passwordless user signed up and confirmed with its emailed code (its email verified)."""
    extra.setdefault("UserAttributes", [{"Name": "email", "Value": f"{username}@example.com"}])
    cognito.sign_up(ClientId=client, Username=username, **extra)
    cognito.confirm_sign_up(ClientId=client, Username=username, ConfirmationCode=latest_code(server, pool, username))


def respond(cognito: Any, client_id: str, challenge: dict[str, Any], name: str, **responses: str) -> dict[str, Any]:
    return cognito.respond_to_auth_challenge(
        ClientId=client_id,
        ChallengeName=name,
        Session=challenge["Session"],
        ChallengeResponses={"USERNAME": "alice", **responses},
    )


def last_message(server: Any, pool: str, username: str = "alice") -> dict[str, Any]:
    messages = outbox(server, pool, username)
    assert messages
    return messages[-1]


def password_user(cognito: Any, pool: str, client: str, username: str = "alice", phone: bool = False) -> None:
    """A confirmed user with a password and a verified email (and, with ``phone``, a verified phone number)."""
    attributes = [{"Name": "email", "Value": f"{username}@example.com"}]
    if phone:
        attributes.append({"Name": "phone_number", "Value": PHONE})
    cognito.sign_up(ClientId=client, Username=username, Password=PASSWORD, UserAttributes=attributes)
    cognito.admin_confirm_sign_up(UserPoolId=pool, Username=username)
    verified = [{"Name": "email_verified", "Value": "true"}]
    if phone:
        verified.append({"Name": "phone_number_verified", "Value": "true"})
    cognito.admin_update_user_attributes(UserPoolId=pool, Username=username, UserAttributes=verified)


# ---- the pool's sign-in policy -------------------------------------------------------------------------------------
def test_a_new_pool_allows_only_a_password_first(cognito, make_pool):
    pool = make_pool()
    described = cognito.describe_user_pool(UserPoolId=pool["Id"])["UserPool"]
    assert described["Policies"]["SignInPolicy"] == {"AllowedFirstAuthFactors": ["PASSWORD"]}


def test_the_sign_in_policy_is_kept_and_reset_by_update(cognito):
    pool, _ = passwordless_pool(cognito)
    described = cognito.describe_user_pool(UserPoolId=pool)["UserPool"]
    assert described["Policies"]["SignInPolicy"] == {"AllowedFirstAuthFactors": ["PASSWORD", "EMAIL_OTP", "SMS_OTP"]}
    cognito.update_user_pool(UserPoolId=pool, EmailConfiguration=SES_EMAIL, SmsConfiguration=SMS_CONFIGURATION)
    described = cognito.describe_user_pool(UserPoolId=pool)["UserPool"]
    assert described["Policies"]["SignInPolicy"] == {"AllowedFirstAuthFactors": ["PASSWORD"]}


@pytest.mark.parametrize(
    ("settings", "error"),
    [
        (
            {"Policies": {"SignInPolicy": {"AllowedFirstAuthFactors": ["EMAIL_OTP"]}}, "EmailConfiguration": SES_EMAIL},
            ("InvalidParameterException", "AllowedFirstAuthFactors must include PASSWORD."),
        ),
        (
            {"Policies": {"SignInPolicy": {"AllowedFirstAuthFactors": ["PASSWORD", "EMAIL_OTP"]}}},
            (
                "InvalidParameterException",
                "EMAIL_OTP as a first auth factor requires an EmailConfiguration with EmailSendingAccount DEVELOPER.",
            ),
        ),
        (
            {"Policies": {"SignInPolicy": {"AllowedFirstAuthFactors": ["PASSWORD", "SMS_OTP"]}}},
            ("InvalidParameterException", "SMS_OTP as a first auth factor requires an SmsConfiguration."),
        ),
        (
            {
                "Policies": {"SignInPolicy": {"AllowedFirstAuthFactors": ["PASSWORD", "EMAIL_OTP"]}},
                "EmailConfiguration": SES_EMAIL,
                "UserPoolTier": "LITE",
            },
            ("FeatureUnavailableInTierException", "This feature is not available in the user pool's feature plan."),
        ),
    ],
    ids=["no-password", "email-without-ses", "sms-without-configuration", "lite-tier"],
)
def test_impossible_sign_in_policies_are_refused(cognito, settings, error):
    assert failure(cognito.create_user_pool, PoolName="refused", **settings) == (400, *error)
    pool = cognito.create_user_pool(PoolName="kept")["UserPool"]["Id"]
    assert failure(cognito.update_user_pool, UserPoolId=pool, **settings) == (400, *error)
    described = cognito.describe_user_pool(UserPoolId=pool)["UserPool"]
    assert described["Policies"]["SignInPolicy"] == {"AllowedFirstAuthFactors": ["PASSWORD"]}


def test_user_auth_needs_the_client_to_allow_it(cognito, server):
    pool, client = passwordless_pool(cognito, ExplicitAuthFlows=["ALLOW_USER_SRP_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"])
    password_user(cognito, pool, client)
    assert failure(user_auth, cognito=cognito, client_id=client) == (
        400,
        "InvalidParameterException",
        "USER_AUTH is not enabled for the client.",
    )


def test_user_auth_needs_essentials_or_plus(cognito):
    pool = cognito.create_user_pool(PoolName="lite", UserPoolTier="LITE")["UserPool"]["Id"]
    client = cognito.create_user_pool_client(UserPoolId=pool, ClientName="app", ExplicitAuthFlows=FLOWS)
    assert failure(user_auth, cognito=cognito, client_id=client["UserPoolClient"]["ClientId"]) == (
        400,
        "FeatureUnavailableInTierException",
        "This feature is not available in the user pool's feature plan.",
    )


# ---- sign-up without a password, and the sign-in that follows ------------------------------------------------------
def test_passwordless_sign_up_confirm_and_session_sign_in(cognito, server, database):
    pool, client = passwordless_pool(cognito)
    signed_up = sign_up(cognito, client, "alice")
    assert signed_up["UserConfirmed"] is False
    assert len(signed_up["Session"]) >= 20
    code = latest_code(server, pool, "alice")
    answer = cognito.confirm_sign_up(
        ClientId=client, Username="alice", ConfirmationCode=code, Session=signed_up["Session"]
    )
    session = answer["Session"]
    result = with_session(cognito, client, session)
    tokens = result["AuthenticationResult"]
    assert claims(tokens["IdToken"])["cognito:username"] == "alice"
    assert claims(tokens["IdToken"])["email_verified"] is True
    assert cognito.get_user(AccessToken=tokens["AccessToken"])["Username"] == "alice"
    # The user has no password, and the session signs in once.
    user = cognito.admin_get_user(UserPoolId=pool, Username="alice")
    assert user["UserStatus"] == "CONFIRMED"
    assert failure(with_session, cognito=cognito, client_id=client, session=session, username="alice") == USED_SESSION


def test_a_passwordless_user_has_no_password_to_sign_in_with(cognito, server):
    pool, client = passwordless_pool(cognito)
    confirmed(cognito, server, pool, client)
    assert failure(
        cognito.initiate_auth,
        ClientId=client,
        AuthFlow="USER_PASSWORD_AUTH",
        AuthParameters={"USERNAME": "alice", "PASSWORD": PASSWORD},
    ) == (400, "NotAuthorizedException", "Incorrect username or password.")


def test_confirm_sign_up_session_expires(cognito, server, frozen_clock):
    pool, client = passwordless_pool(cognito)
    sign_up(cognito, client, "alice")
    code = latest_code(server, pool, "alice")
    session = cognito.confirm_sign_up(ClientId=client, Username="alice", ConfirmationCode=code)["Session"]
    advance_clock(server, 181)  # the client's AuthSessionValidity: three minutes
    assert (
        failure(with_session, cognito=cognito, client_id=client, session=session, username="alice") == EXPIRED_SESSION
    )


def test_a_sign_up_session_is_its_own_users(cognito, server):
    pool, client = passwordless_pool(cognito)
    bob = sign_up(cognito, client, "bob")
    sign_up(cognito, client, "alice")
    code = latest_code(server, pool, "alice")
    assert failure(
        cognito.confirm_sign_up, ClientId=client, Username="alice", ConfirmationCode=code, Session=bob["Session"]
    ) == (400, "NotAuthorizedException", "Invalid session for the user.")
    assert cognito.admin_get_user(UserPoolId=pool, Username="alice")["UserStatus"] == "UNCONFIRMED"
    session = cognito.confirm_sign_up(ClientId=client, Username="alice", ConfirmationCode=code)["Session"]
    assert failure(with_session, cognito=cognito, client_id=client, session=session, username="bob") == (
        400,
        "NotAuthorizedException",
        "Invalid session for the user.",
    )


def test_sign_up_needs_a_password_where_only_passwords_sign_in(cognito, make_pool, make_app_client):
    pool = make_pool()
    client = make_app_client(pool["Id"])
    assert failure(cognito.sign_up, ClientId=client["ClientId"], Username="alice") == (
        400,
        "InvalidParameterException",
        "Password is required to sign up in this user pool.",
    )


def test_no_sign_up_session_for_a_client_without_user_auth(cognito, server):
    pool, client = passwordless_pool(cognito, ExplicitAuthFlows=["ALLOW_USER_SRP_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"])
    answer = cognito.sign_up(ClientId=client, Username="alice", Password=PASSWORD, UserAttributes=email("alice"))
    assert "Session" not in answer
    code = latest_code(server, pool, "alice")
    assert "Session" not in cognito.confirm_sign_up(ClientId=client, Username="alice", ConfirmationCode=code)


@pytest.mark.parametrize(
    ("factors", "flows", "attributes"),
    [
        (("PASSWORD", "EMAIL_OTP"), ["ALLOW_USER_SRP_AUTH"], [{"Name": "email", "Value": "a@example.com"}]),
        (("PASSWORD", "EMAIL_OTP"), FLOWS, [{"Name": "phone_number", "Value": PHONE}]),
        (("PASSWORD", "SMS_OTP"), FLOWS, [{"Name": "email", "Value": "a@example.com"}]),
    ],
    ids=["client-without-user-auth", "no-email-for-email-codes", "no-phone-for-sms-codes"],
)
def test_sign_up_without_a_password_needs_a_factor_the_user_can_use(cognito, factors, flows, attributes):
    _, client = passwordless_pool(cognito, factors=factors, ExplicitAuthFlows=flows)
    assert failure(cognito.sign_up, ClientId=client, Username="alice", UserAttributes=attributes) == (
        400,
        "InvalidParameterException",
        "Password is required to sign up in this user pool.",
    )


# ---- choosing a first factor ---------------------------------------------------------------------------------------
def test_select_challenge_lists_what_the_user_can_use(cognito, server):
    pool, client = passwordless_pool(cognito)
    confirmed(cognito, server, pool, client)
    started = user_auth(cognito, client)
    assert started["ChallengeName"] == "SELECT_CHALLENGE"
    assert started["AvailableChallenges"] == ["EMAIL_OTP"]
    password_user(cognito, pool, client, "bob", phone=True)
    listed = user_auth(cognito, client, "bob")["AvailableChallenges"]
    assert listed == ["PASSWORD_SRP", "PASSWORD", "EMAIL_OTP", "SMS_OTP"]
    # What the pool does not allow is not offered.
    pool2, client2 = passwordless_pool(cognito, factors=("PASSWORD", "SMS_OTP"))
    password_user(cognito, pool2, client2, "bob", phone=True)
    assert user_auth(cognito, client2, "bob")["AvailableChallenges"] == ["PASSWORD_SRP", "PASSWORD", "SMS_OTP"]


def test_select_challenge_answers(cognito, server):
    pool, client = passwordless_pool(cognito)
    password_user(cognito, pool, client)
    # A password sent with the choice.
    chosen = respond(
        cognito, client, user_auth(cognito, client), "SELECT_CHALLENGE", ANSWER="PASSWORD", PASSWORD=PASSWORD
    )
    assert "IdToken" in chosen["AuthenticationResult"]
    # A password chosen without it: asked for.
    asked = respond(cognito, client, user_auth(cognito, client), "SELECT_CHALLENGE", ANSWER="PASSWORD")
    assert asked["ChallengeName"] == "PASSWORD"
    wrong = failure(respond, cognito=cognito, client_id=client, challenge=asked, name="PASSWORD", PASSWORD="Wr0ng-pass")
    assert wrong == (400, "NotAuthorizedException", "Incorrect username or password.")
    asked = respond(cognito, client, user_auth(cognito, client), "SELECT_CHALLENGE", ANSWER="PASSWORD")
    assert "IdToken" in respond(cognito, client, asked, "PASSWORD", PASSWORD=PASSWORD)["AuthenticationResult"]
    # An email code.
    chosen = respond(cognito, client, user_auth(cognito, client), "SELECT_CHALLENGE", ANSWER="EMAIL_OTP")
    assert chosen["ChallengeName"] == "EMAIL_OTP"
    assert chosen["ChallengeParameters"]["CODE_DELIVERY_DELIVERY_MEDIUM"] == "EMAIL"
    code = last_message(server, pool)["code"]
    assert "IdToken" in email_code(cognito, client, chosen, code)["AuthenticationResult"]
    # What was not offered.
    assert failure(
        respond,
        cognito=cognito,
        client_id=client,
        challenge=user_auth(cognito, client),
        name="SELECT_CHALLENGE",
        ANSWER="SMS_OTP",
    ) == (400, "InvalidParameterException", "The challenge SMS_OTP is not available for the user.")


def test_select_challenge_with_srp(cognito, server):
    pool, client = passwordless_pool(cognito)
    password_user(cognito, pool, client)
    helper = AWSSRP(username="alice", password=PASSWORD, pool_id=pool, client_id=client, client=cognito)
    params = helper.get_auth_params()
    verifier = respond(
        cognito, client, user_auth(cognito, client), "SELECT_CHALLENGE", ANSWER="PASSWORD_SRP", SRP_A=params["SRP_A"]
    )
    assert verifier["ChallengeName"] == "PASSWORD_VERIFIER"
    result = cognito.respond_to_auth_challenge(
        ClientId=client,
        ChallengeName="PASSWORD_VERIFIER",
        ChallengeResponses=helper.process_challenge(verifier["ChallengeParameters"], params),
    )
    assert "IdToken" in result["AuthenticationResult"]


def test_preferred_challenge(cognito, server):
    pool, client = passwordless_pool(cognito)
    password_user(cognito, pool, client)
    started = user_auth(cognito, client, PREFERRED_CHALLENGE="PASSWORD", PASSWORD=PASSWORD)
    assert "IdToken" in started["AuthenticationResult"]
    started = user_auth(cognito, client, PREFERRED_CHALLENGE="EMAIL_OTP")
    assert started["ChallengeName"] == "EMAIL_OTP"
    # A preference the user cannot use (no verified phone): the user chooses.
    started = user_auth(cognito, client, PREFERRED_CHALLENGE="SMS_OTP")
    assert started["ChallengeName"] == "SELECT_CHALLENGE"
    assert started["AvailableChallenges"] == ["PASSWORD_SRP", "PASSWORD", "EMAIL_OTP"]


def test_admin_initiate_auth_takes_user_auth(cognito, server):
    pool, client = passwordless_pool(cognito)
    confirmed(cognito, server, pool, client)
    started = cognito.admin_initiate_auth(
        UserPoolId=pool,
        ClientId=client,
        AuthFlow="USER_AUTH",
        AuthParameters={"USERNAME": "alice", "PREFERRED_CHALLENGE": "EMAIL_OTP"},
    )
    code = last_message(server, pool)["code"]
    result = cognito.admin_respond_to_auth_challenge(
        UserPoolId=pool,
        ClientId=client,
        ChallengeName="EMAIL_OTP",
        Session=started["Session"],
        ChallengeResponses={"USERNAME": "alice", "EMAIL_OTP_CODE": code},
    )
    assert "IdToken" in result["AuthenticationResult"]


# ---- one-time codes ------------------------------------------------------------------------------------------------
def test_email_otp_sign_in(cognito, server):
    pool, client = passwordless_pool(cognito)
    confirmed(cognito, server, pool, client)
    started = user_auth(cognito, client, PREFERRED_CHALLENGE="EMAIL_OTP")
    assert started["ChallengeName"] == "EMAIL_OTP"
    assert started["ChallengeParameters"]["CODE_DELIVERY_DELIVERY_MEDIUM"] == "EMAIL"
    assert started["ChallengeParameters"]["CODE_DELIVERY_DESTINATION"] == "a***@e***"
    message = last_message(server, pool)
    assert message["medium"] == "EMAIL" and message["destination"] == "alice@example.com"
    assert len(message["code"]) == 8 and message["code"].isdigit()
    result = email_code(cognito, client, started, message["code"])
    assert claims(result["AuthenticationResult"]["IdToken"])["cognito:username"] == "alice"
    assert (
        failure(
            respond,
            cognito=cognito,
            client_id=client,
            challenge=started,
            name="EMAIL_OTP",
            EMAIL_OTP_CODE=message["code"],
        )
        == USED_SESSION
    )


def test_sms_otp_sign_in(cognito, server):
    pool, client = passwordless_pool(cognito)
    password_user(cognito, pool, client, phone=True)
    started = user_auth(cognito, client, PREFERRED_CHALLENGE="SMS_OTP")
    assert started["ChallengeName"] == "SMS_OTP"
    assert started["ChallengeParameters"]["CODE_DELIVERY_DELIVERY_MEDIUM"] == "SMS"
    message = last_message(server, pool)
    assert message["medium"] == "SMS" and message["destination"] == PHONE
    result = respond(cognito, client, started, "SMS_OTP", SMS_OTP_CODE=message["code"])
    assert "AccessToken" in result["AuthenticationResult"]


def test_a_wrong_code_may_be_tried_again(cognito, server):
    pool, client = passwordless_pool(cognito)
    confirmed(cognito, server, pool, client)
    started = user_auth(cognito, client, PREFERRED_CHALLENGE="EMAIL_OTP")
    code = last_message(server, pool)["code"]
    assert failure(email_code, cognito=cognito, client_id=client, challenge=started, code=wrong(code)) == MISMATCH
    assert "IdToken" in email_code(cognito, client, started, code)["AuthenticationResult"]


def test_three_wrong_codes_spend_the_session(cognito, server):
    pool, client = passwordless_pool(cognito)
    confirmed(cognito, server, pool, client)
    started = user_auth(cognito, client, PREFERRED_CHALLENGE="EMAIL_OTP")
    code = last_message(server, pool)["code"]
    for _ in range(2):
        assert failure(email_code, cognito=cognito, client_id=client, challenge=started, code=wrong(code)) == MISMATCH
    assert failure(email_code, cognito=cognito, client_id=client, challenge=started, code=wrong(code)) == MISMATCH
    assert failure(email_code, cognito=cognito, client_id=client, challenge=started, code=code) == USED_SESSION


def test_an_expired_code_is_refused(cognito, server, frozen_clock):
    pool, client = passwordless_pool(cognito, AuthSessionValidity=15)
    confirmed(cognito, server, pool, client)
    started = user_auth(cognito, client, PREFERRED_CHALLENGE="EMAIL_OTP")
    code = last_message(server, pool)["code"]
    advance_clock(server, 181)  # a sign-in code lives three minutes
    assert failure(email_code, cognito=cognito, client_id=client, challenge=started, code=code) == (
        400,
        "ExpiredCodeException",
        "Invalid code provided, please request a code again.",
    )


def test_an_expired_code_session_is_refused(cognito, server, frozen_clock):
    pool, client = passwordless_pool(cognito)
    confirmed(cognito, server, pool, client)
    started = user_auth(cognito, client, PREFERRED_CHALLENGE="EMAIL_OTP")
    code = last_message(server, pool)["code"]
    advance_clock(server, 181)
    assert failure(email_code, cognito=cognito, client_id=client, challenge=started, code=code) == EXPIRED_SESSION


def test_sign_in_codes_are_rate_limited(cognito, server, frozen_clock):
    pool, client = passwordless_pool(cognito)
    confirmed(cognito, server, pool, client)
    for _ in range(10):
        user_auth(cognito, client, PREFERRED_CHALLENGE="EMAIL_OTP")
    sent = len(outbox(server, pool, "alice"))
    assert failure(user_auth, cognito=cognito, client_id=client, PREFERRED_CHALLENGE="EMAIL_OTP") == (
        400,
        "LimitExceededException",
        "Attempt limit exceeded, please try after some time.",
    )
    assert len(outbox(server, pool, "alice")) == sent
    advance_clock(server, 3600)
    assert user_auth(cognito, client, PREFERRED_CHALLENGE="EMAIL_OTP")["ChallengeName"] == "EMAIL_OTP"


def test_no_code_for_a_disabled_user(cognito, server):
    pool, client = passwordless_pool(cognito)
    confirmed(cognito, server, pool, client)
    cognito.admin_disable_user(UserPoolId=pool, Username="alice")
    sent = len(outbox(server, pool, "alice"))
    assert failure(user_auth, cognito=cognito, client_id=client, PREFERRED_CHALLENGE="EMAIL_OTP") == (
        400,
        "NotAuthorizedException",
        "User is disabled.",
    )
    assert len(outbox(server, pool, "alice")) == sent


def test_an_unconfirmed_passwordless_user(cognito, server):
    _, client = passwordless_pool(cognito)
    sign_up(cognito, client)
    assert failure(user_auth, cognito=cognito, client_id=client) == (
        400,
        "UserNotConfirmedException",
        "User is not confirmed.",
    )


def test_a_user_with_nothing_to_sign_in_with(cognito, server):
    pool, client = passwordless_pool(cognito, factors=("PASSWORD", "SMS_OTP"))
    attributes = [*email("alice"), {"Name": "phone_number", "Value": PHONE}]
    confirmed(cognito, server, pool, client, UserAttributes=attributes)  # no password; the phone is not verified
    assert failure(user_auth, cognito=cognito, client_id=client) == (
        400,
        "NotAuthorizedException",
        "The user has no available challenges to sign in with.",
    )


# ---- users that do not exist ---------------------------------------------------------------------------------------
def test_an_unknown_user_is_not_found(cognito):
    _, client = passwordless_pool(cognito)
    assert failure(user_auth, cognito=cognito, client_id=client, username="nobody") == (
        400,
        "UserNotFoundException",
        "User does not exist.",
    )


def test_an_unknown_user_hidden_by_the_client(cognito, server):
    pool, client = passwordless_pool(cognito, PreventUserExistenceErrors="ENABLED")
    started = user_auth(cognito, client, "nobody@example.com")
    assert started["ChallengeName"] == "SELECT_CHALLENGE"
    assert started["AvailableChallenges"] == ["PASSWORD_SRP", "PASSWORD", "EMAIL_OTP", "SMS_OTP"]
    chosen = cognito.respond_to_auth_challenge(
        ClientId=client,
        ChallengeName="SELECT_CHALLENGE",
        Session=started["Session"],
        ChallengeResponses={"USERNAME": "nobody@example.com", "ANSWER": "EMAIL_OTP"},
    )
    assert chosen["ChallengeName"] == "EMAIL_OTP"
    assert chosen["ChallengeParameters"]["CODE_DELIVERY_DESTINATION"] == "n***@e***"
    assert outbox(server, pool) == []
    answer = {"USERNAME": "nobody@example.com", "EMAIL_OTP_CODE": "12345678"}
    assert (
        failure(
            cognito.respond_to_auth_challenge,
            ClientId=client,
            ChallengeName="EMAIL_OTP",
            Session=chosen["Session"],
            ChallengeResponses=answer,
        )
        == MISMATCH
    )
    # A password for nobody: the generic refusal.
    assert failure(
        user_auth,
        cognito=cognito,
        client_id=client,
        username="nobody@example.com",
        PREFERRED_CHALLENGE="PASSWORD",
        PASSWORD=PASSWORD,
    ) == (400, "NotAuthorizedException", "Incorrect username or password.")


# ---- MFA -----------------------------------------------------------------------------------------------------------
def test_no_codes_for_a_user_with_mfa(cognito, server):
    """MFA and passwordless sign-in are not combined for one user: a user with an MFA factor signs in with its
    password, then its second factor."""
    pool, client = passwordless_pool(cognito)
    cognito.set_user_pool_mfa_config(
        UserPoolId=pool,
        MfaConfiguration="OPTIONAL",
        SmsMfaConfiguration={"SmsConfiguration": SMS_CONFIGURATION},
    )
    password_user(cognito, pool, client, phone=True)
    started = user_auth(cognito, client, PREFERRED_CHALLENGE="EMAIL_OTP")
    assert "IdToken" in email_code(cognito, client, started, last_message(server, pool)["code"])["AuthenticationResult"]
    cognito.admin_set_user_mfa_preference(UserPoolId=pool, Username="alice", SMSMfaSettings={"Enabled": True})
    started = user_auth(cognito, client, PREFERRED_CHALLENGE="EMAIL_OTP")
    assert (started["ChallengeName"], started["AvailableChallenges"]) == (
        "SELECT_CHALLENGE",
        ["PASSWORD_SRP", "PASSWORD"],
    )
    after_password = user_auth(cognito, client, PREFERRED_CHALLENGE="PASSWORD", PASSWORD=PASSWORD)
    assert after_password["ChallengeName"] == "SMS_MFA"
    assert failure(
        respond, cognito=cognito, client_id=client, challenge=started, name="SELECT_CHALLENGE", ANSWER="EMAIL_OTP"
    ) == (400, "InvalidParameterException", "The challenge EMAIL_OTP is not available for the user.")


def test_no_codes_in_a_pool_requiring_mfa(cognito, server):
    pool, client = passwordless_pool(cognito)
    password_user(cognito, pool, client, phone=True)
    cognito.set_user_pool_mfa_config(
        UserPoolId=pool, MfaConfiguration="ON", SmsMfaConfiguration={"SmsConfiguration": SMS_CONFIGURATION}
    )
    assert user_auth(cognito, client)["AvailableChallenges"] == ["PASSWORD_SRP", "PASSWORD"]
    assert user_auth(cognito, client, PREFERRED_CHALLENGE="PASSWORD", PASSWORD=PASSWORD)["ChallengeName"] == "SMS_MFA"


def test_a_confirmed_sign_up_is_not_asked_for_mfa(cognito, server):
    """The sign-up's code was the first factor: the Session sign-in ends in tokens even where MFA is required (the
    guide: a self-registered user's first sign-in)."""
    pool, client = passwordless_pool(cognito)
    cognito.set_user_pool_mfa_config(
        UserPoolId=pool, MfaConfiguration="ON", SmsMfaConfiguration={"SmsConfiguration": SMS_CONFIGURATION}
    )
    attributes = [*email("alice"), {"Name": "phone_number", "Value": PHONE}]
    signed_up = cognito.sign_up(ClientId=client, Username="alice", UserAttributes=attributes)
    code = latest_code(server, pool, "alice")
    session = cognito.confirm_sign_up(
        ClientId=client, Username="alice", ConfirmationCode=code, Session=signed_up["Session"]
    )["Session"]
    assert "IdToken" in with_session(cognito, client, session)["AuthenticationResult"]


# ---- a password later -----------------------------------------------------------------------------------------------
def test_a_passwordless_user_sets_a_password_without_a_previous_one(cognito, server):
    pool, client = passwordless_pool(cognito)
    signed_up = sign_up(cognito, client)
    code = latest_code(server, pool, "alice")
    session = cognito.confirm_sign_up(
        ClientId=client, Username="alice", ConfirmationCode=code, Session=signed_up["Session"]
    )["Session"]
    access = with_session(cognito, client, session)["AuthenticationResult"]["AccessToken"]
    assert failure(
        cognito.change_password, AccessToken=access, PreviousPassword=PASSWORD, ProposedPassword=PASSWORD
    ) == (400, "NotAuthorizedException", "Incorrect username or password.")
    cognito.change_password(AccessToken=access, ProposedPassword=PASSWORD)
    assert user_auth(cognito, client)["AvailableChallenges"] == ["PASSWORD_SRP", "PASSWORD", "EMAIL_OTP"]
    assert (
        "IdToken"
        in user_auth(cognito, client, PREFERRED_CHALLENGE="PASSWORD", PASSWORD=PASSWORD)["AuthenticationResult"]
    )
    # Now it has one, it must send it.
    assert failure(cognito.change_password, AccessToken=access, ProposedPassword="An0ther-passw0rd") == (
        400,
        "NotAuthorizedException",
        "Incorrect username or password.",
    )


# ---- GetUserAuthFactors --------------------------------------------------------------------------------------------
def test_get_user_auth_factors(cognito, server):
    pool, client = passwordless_pool(cognito)
    confirmed(cognito, server, pool, client)
    started = user_auth(cognito, client, PREFERRED_CHALLENGE="EMAIL_OTP")
    tokens = email_code(cognito, client, started, last_message(server, pool)["code"])
    factors = cognito.get_user_auth_factors(AccessToken=tokens["AuthenticationResult"]["AccessToken"])
    factors.pop("ResponseMetadata")
    assert factors == {"Username": "alice", "ConfiguredUserAuthFactors": ["EMAIL_OTP"]}
    cognito.set_user_pool_mfa_config(
        UserPoolId=pool, MfaConfiguration="OPTIONAL", SmsMfaConfiguration={"SmsConfiguration": SMS_CONFIGURATION}
    )
    password_user(cognito, pool, client, "bob", phone=True)
    cognito.admin_set_user_mfa_preference(
        UserPoolId=pool, Username="bob", SMSMfaSettings={"Enabled": True, "PreferredMfa": True}
    )
    bob = user_auth(cognito, client, "bob", PREFERRED_CHALLENGE="PASSWORD", PASSWORD=PASSWORD)
    bob = respond(
        cognito, client, bob, "SMS_MFA", USERNAME="bob", SMS_MFA_CODE=last_message(server, pool, "bob")["code"]
    )
    factors = cognito.get_user_auth_factors(AccessToken=bob["AuthenticationResult"]["AccessToken"])
    factors.pop("ResponseMetadata")
    assert factors == {
        "Username": "bob",
        "PreferredMfaSetting": "SMS_MFA",
        "UserMFASettingList": ["SMS_MFA"],
        "ConfiguredUserAuthFactors": ["PASSWORD"],  # no one-time codes with MFA
    }
