"""USER_PASSWORD_AUTH, ADMIN_USER_PASSWORD_AUTH and NEW_PASSWORD_REQUIRED with boto3, and Cognito's sign-in rules:
flows a client allows, SecretHash, unknown/unconfirmed/disabled users, the lockout, PreventUserExistenceErrors."""

from __future__ import annotations

import pytest
from botocore.exceptions import ClientError

from tests.helpers import advance_clock, error_of, secret_hash
from tests.signin import PASSWORD, claims, confirmed_user, make_pool_and_client, password_auth

INCORRECT = (400, "NotAuthorizedException", "Incorrect username or password.")
LOCKED = (400, "NotAuthorizedException", "Password attempts exceeded")


def auth_error(cognito, client, username="alice", password=PASSWORD, **params) -> tuple[int, str, str]:
    with pytest.raises(ClientError) as e:
        password_auth(cognito, client, username, password, **params)
    return error_of(e)


@pytest.fixture
def pool_client(cognito):
    pool, client = make_pool_and_client(cognito)
    confirmed_user(cognito, pool, client)
    return pool, client


def test_user_password_auth_signs_in(cognito, pool_client):
    _, client = pool_client
    result = password_auth(cognito, client)
    assert result["ChallengeParameters"] == {}
    assert claims(result["AuthenticationResult"]["AccessToken"])["username"] == "alice"


def test_wrong_password_is_incorrect(cognito, pool_client):
    _, client = pool_client
    assert auth_error(cognito, client, password="Wrong-passw0rd") == INCORRECT


def test_unknown_user_does_not_exist(cognito, pool_client):
    _, client = pool_client
    assert auth_error(cognito, client, username="nobody") == (400, "UserNotFoundException", "User does not exist.")


def test_unknown_user_is_an_incorrect_password_when_existence_is_hidden(cognito):
    _pool, client = make_pool_and_client(cognito, PreventUserExistenceErrors="ENABLED")
    assert auth_error(cognito, client, username="nobody") == INCORRECT


def test_unconfirmed_user_is_told_only_with_the_right_password(cognito):
    _pool, client = make_pool_and_client(cognito, PreventUserExistenceErrors="ENABLED")
    cognito.sign_up(ClientId=client, Username="alice", Password=PASSWORD)
    assert auth_error(cognito, client, password="Wrong-passw0rd") == INCORRECT
    assert auth_error(cognito, client) == (400, "UserNotConfirmedException", "User is not confirmed.")


def test_disabled_user_is_refused_and_enabled_again(cognito, pool_client):
    pool, client = pool_client
    tokens = password_auth(cognito, client)["AuthenticationResult"]
    cognito.admin_disable_user(UserPoolId=pool, Username="alice")
    assert auth_error(cognito, client) == (400, "NotAuthorizedException", "User is disabled.")
    assert cognito.admin_get_user(UserPoolId=pool, Username="alice")["Enabled"] is False
    with pytest.raises(ClientError) as e:  # disabling revoked the user's tokens
        cognito.get_user(AccessToken=tokens["AccessToken"])
    assert error_of(e) == (400, "NotAuthorizedException", "Access Token has been revoked")
    cognito.admin_enable_user(UserPoolId=pool, Username="alice")
    assert "AuthenticationResult" in password_auth(cognito, client)


def test_sign_in_by_verified_email_alias(cognito):
    pool, client = make_pool_and_client(cognito, {"AliasAttributes": ["email"], "AutoVerifiedAttributes": ["email"]})
    cognito.sign_up(
        ClientId=client, Username="alice", Password=PASSWORD, UserAttributes=[{"Name": "email", "Value": "a@x.io"}]
    )
    cognito.admin_update_user_attributes(
        UserPoolId=pool, Username="alice", UserAttributes=[{"Name": "email_verified", "Value": "true"}]
    )
    cognito.admin_confirm_sign_up(UserPoolId=pool, Username="alice")
    result = password_auth(cognito, client, username="a@x.io")
    assert claims(result["AuthenticationResult"]["AccessToken"])["username"] == "alice"


@pytest.mark.parametrize(
    ("flows", "message"),
    [
        (["ALLOW_USER_SRP_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"], "USER_PASSWORD_AUTH flow not enabled for this client"),
        (["ADMIN_NO_SRP_AUTH"], "USER_PASSWORD_AUTH flow not enabled for this client"),
    ],
)
def test_user_password_flow_not_enabled(cognito, flows, message):
    pool, client = make_pool_and_client(cognito, ExplicitAuthFlows=flows)
    confirmed_user(cognito, pool, client)
    assert auth_error(cognito, client) == (400, "InvalidParameterException", message)


def test_legacy_user_password_flow_name_is_honoured(cognito):
    pool, client = make_pool_and_client(cognito, ExplicitAuthFlows=["USER_PASSWORD_AUTH"])
    confirmed_user(cognito, pool, client)
    assert "AuthenticationResult" in password_auth(cognito, client)


@pytest.mark.parametrize("flow", ["ADMIN_USER_PASSWORD_AUTH", "ADMIN_NO_SRP_AUTH"])
def test_admin_password_flows(cognito, pool_client, flow):
    pool, client = pool_client
    result = cognito.admin_initiate_auth(
        UserPoolId=pool, ClientId=client, AuthFlow=flow, AuthParameters={"USERNAME": "alice", "PASSWORD": PASSWORD}
    )
    assert claims(result["AuthenticationResult"]["IdToken"])["cognito:username"] == "alice"


def test_admin_flow_not_enabled(cognito):
    pool, client = make_pool_and_client(cognito, ExplicitAuthFlows=["ALLOW_USER_SRP_AUTH"])
    confirmed_user(cognito, pool, client)
    with pytest.raises(ClientError) as e:
        cognito.admin_initiate_auth(
            UserPoolId=pool,
            ClientId=client,
            AuthFlow="ADMIN_USER_PASSWORD_AUTH",
            AuthParameters={"USERNAME": "alice", "PASSWORD": PASSWORD},
        )
    assert error_of(e) == (400, "InvalidParameterException", "Auth flow not enabled for this client")


def test_admin_flow_through_initiate_auth_is_not_supported(cognito, pool_client):
    _, client = pool_client
    with pytest.raises(ClientError) as e:
        cognito.initiate_auth(
            ClientId=client,
            AuthFlow="ADMIN_USER_PASSWORD_AUTH",
            AuthParameters={"USERNAME": "alice", "PASSWORD": PASSWORD},
        )
    assert error_of(e) == (400, "InvalidParameterException", "Initiate Auth method not supported.")


def test_client_of_another_pool_is_not_found_for_admin_auth(cognito, pool_client):
    pool, _ = pool_client
    _, other_client = make_pool_and_client(cognito)
    with pytest.raises(ClientError) as e:
        cognito.admin_initiate_auth(
            UserPoolId=pool, ClientId=other_client, AuthFlow="ADMIN_USER_PASSWORD_AUTH", AuthParameters={}
        )
    assert error_of(e) == (400, "ResourceNotFoundException", f"User pool client {other_client} does not exist.")


@pytest.mark.parametrize("missing", ["USERNAME", "PASSWORD"])
def test_missing_auth_parameter(cognito, pool_client, missing):
    _, client = pool_client
    params = {"USERNAME": "alice", "PASSWORD": PASSWORD}
    del params[missing]
    with pytest.raises(ClientError) as e:
        cognito.initiate_auth(ClientId=client, AuthFlow="USER_PASSWORD_AUTH", AuthParameters=params)
    assert error_of(e) == (400, "InvalidParameterException", f"Missing required parameter {missing}")


def test_secret_hash_is_required_and_checked(cognito):
    pool, client = make_pool_and_client(cognito, GenerateSecret=True)
    secret = cognito.describe_user_pool_client(UserPoolId=pool, ClientId=client)["UserPoolClient"]["ClientSecret"]
    cognito.sign_up(
        ClientId=client, Username="alice", Password=PASSWORD, SecretHash=secret_hash(secret, "alice", client)
    )
    cognito.admin_confirm_sign_up(UserPoolId=pool, Username="alice")
    assert auth_error(cognito, client) == (
        400,
        "NotAuthorizedException",
        f"Client {client} is configured for secret but secret was not received",
    )
    assert auth_error(cognito, client, SECRET_HASH=secret_hash(secret, "bob", client)) == (
        400,
        "NotAuthorizedException",
        f"Unable to verify secret hash for client {client}",
    )
    result = password_auth(cognito, client, SECRET_HASH=secret_hash(secret, "alice", client))
    refresh_token = result["AuthenticationResult"]["RefreshToken"]
    with pytest.raises(ClientError) as e:
        cognito.initiate_auth(
            ClientId=client, AuthFlow="REFRESH_TOKEN_AUTH", AuthParameters={"REFRESH_TOKEN": refresh_token}
        )
    assert error_of(e)[2] == f"Client {client} is configured for secret but secret was not received"
    fresh = cognito.initiate_auth(
        ClientId=client,
        AuthFlow="REFRESH_TOKEN_AUTH",
        AuthParameters={"REFRESH_TOKEN": refresh_token, "SECRET_HASH": secret_hash(secret, "alice", client)},
    )
    assert "AccessToken" in fresh["AuthenticationResult"]


def test_custom_auth_needs_the_client_flow_unverified_wording(cognito, pool_client):
    _, client = pool_client
    with pytest.raises(ClientError) as e:
        cognito.initiate_auth(ClientId=client, AuthFlow="CUSTOM_AUTH", AuthParameters={"USERNAME": "alice"})
    assert error_of(e) == (400, "InvalidParameterException", "CUSTOM_AUTH is not enabled for the client.")


# ---- lockout -----------------------------------------------------------------------------------------------------
def test_lockout_after_five_failures_doubles_and_ends(cognito, server, pool_client, frozen_clock):
    _, client = pool_client
    for _ in range(5):
        assert auth_error(cognito, client, password="Wrong-passw0rd") == INCORRECT
    # Locked for 1 s after the fifth failure: even the right password is refused, and this does not count.
    assert auth_error(cognito, client) == LOCKED
    advance_clock(server, 1.5)
    assert auth_error(cognito, client, password="Wrong-passw0rd") == INCORRECT  # sixth failure: 2 s
    advance_clock(server, 1.5)
    assert auth_error(cognito, client) == LOCKED
    advance_clock(server, 1)
    assert "AuthenticationResult" in password_auth(cognito, client)
    # A success starts the count again.
    assert auth_error(cognito, client, password="Wrong-passw0rd") == INCORRECT
    assert "AuthenticationResult" in password_auth(cognito, client)


def test_lockout_is_capped_near_fifteen_minutes(cognito, server, pool_client, frozen_clock):
    _, client = pool_client
    for _ in range(5):
        auth_error(cognito, client, password="Wrong-passw0rd")
    for failures in range(6, 16):  # each failure right after the previous lockout ends
        advance_clock(server, 2 ** (failures - 6) + 0.5)
        assert auth_error(cognito, client, password="Wrong-passw0rd") == INCORRECT
    # The fifteenth failure would lock for 2^10 s; the cap is 900 s.
    advance_clock(server, 899)
    assert auth_error(cognito, client) == LOCKED
    advance_clock(server, 2)
    assert "AuthenticationResult" in password_auth(cognito, client)


# ---- NEW_PASSWORD_REQUIRED ------------------------------------------------------------------------------------
@pytest.fixture
def invited(cognito):
    pool, client = make_pool_and_client(cognito)
    cognito.admin_create_user(
        UserPoolId=pool,
        Username="newbie",
        TemporaryPassword="Temp0rary!",
        MessageAction="SUPPRESS",
        UserAttributes=[{"Name": "email", "Value": "newbie@example.com"}],
    )
    return pool, client


def new_password(cognito, client, session, password="N3w-passw0rd", **extra):
    return cognito.respond_to_auth_challenge(
        ClientId=client,
        ChallengeName="NEW_PASSWORD_REQUIRED",
        Session=session,
        ChallengeResponses={"USERNAME": "newbie", "NEW_PASSWORD": password, **extra},
    )


def test_temporary_password_asks_for_a_new_one(cognito, invited):
    pool, client = invited
    challenge = password_auth(cognito, client, "newbie", "Temp0rary!")
    assert challenge["ChallengeName"] == "NEW_PASSWORD_REQUIRED"
    assert challenge["ChallengeParameters"]["USER_ID_FOR_SRP"] == "newbie"
    assert challenge["ChallengeParameters"]["requiredAttributes"] == "[]"
    assert '"email": "newbie@example.com"' in challenge["ChallengeParameters"]["userAttributes"]
    result = new_password(cognito, client, challenge["Session"], **{"userAttributes.name": "Newbie"})
    assert claims(result["AuthenticationResult"]["IdToken"])["name"] == "Newbie"
    assert cognito.admin_get_user(UserPoolId=pool, Username="newbie")["UserStatus"] == "CONFIRMED"
    assert "AuthenticationResult" in password_auth(cognito, client, "newbie", "N3w-passw0rd")
    assert auth_error(cognito, client, "newbie", "Temp0rary!") == INCORRECT


def test_new_password_session_answers_once(cognito, invited):
    _, client = invited
    session = password_auth(cognito, client, "newbie", "Temp0rary!")["Session"]
    new_password(cognito, client, session)
    with pytest.raises(ClientError) as e:
        new_password(cognito, client, session, password="An0ther-passw0rd")
    assert error_of(e) == (
        400,
        "NotAuthorizedException",
        "Invalid session for the user, session can only be used once.",
    )


def test_new_password_session_expires(cognito, server, invited):
    _, client = invited
    session = password_auth(cognito, client, "newbie", "Temp0rary!")["Session"]
    advance_clock(server, 181)
    with pytest.raises(ClientError) as e:
        new_password(cognito, client, session)
    assert error_of(e) == (400, "NotAuthorizedException", "Invalid session for the user, session is expired.")


def test_new_password_must_meet_the_policy_and_the_session_survives(cognito, invited):
    _, client = invited
    session = password_auth(cognito, client, "newbie", "Temp0rary!")["Session"]
    with pytest.raises(ClientError) as e:
        new_password(cognito, client, session, password="short")
    assert error_of(e) == (
        400,
        "InvalidPasswordException",
        "Password does not conform to policy: Password not long enough",
    )
    assert "AuthenticationResult" in new_password(cognito, client, session)


def test_forged_session_is_invalid(cognito, invited):
    _, client = invited
    with pytest.raises(ClientError) as e:
        new_password(cognito, client, "x" * 64)
    assert error_of(e) == (400, "NotAuthorizedException", "Invalid session for the user.")


def test_temporary_password_expires(cognito, server, invited):
    _, client = invited
    advance_clock(server, 7 * 86400 + 1)
    assert auth_error(cognito, client, "newbie", "Temp0rary!") == (
        400,
        "NotAuthorizedException",
        "Temporary password has expired and must be reset by an administrator.",
    )


def test_admin_respond_to_new_password_challenge(cognito, invited):
    pool, client = invited
    challenge = cognito.admin_initiate_auth(
        UserPoolId=pool,
        ClientId=client,
        AuthFlow="ADMIN_USER_PASSWORD_AUTH",
        AuthParameters={"USERNAME": "newbie", "PASSWORD": "Temp0rary!"},
    )
    result = cognito.admin_respond_to_auth_challenge(
        UserPoolId=pool,
        ClientId=client,
        ChallengeName="NEW_PASSWORD_REQUIRED",
        Session=challenge["Session"],
        ChallengeResponses={"USERNAME": "newbie", "NEW_PASSWORD": "N3w-passw0rd"},
    )
    assert "AccessToken" in result["AuthenticationResult"]
