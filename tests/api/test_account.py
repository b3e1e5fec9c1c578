"""Operations on a signed-in user's own account (access token) and by administrators: GetUser, attribute updates
and verification, ChangePassword, DeleteUser, ForgotPassword, AdminCreateUser, AdminSetUserPassword,
AdminResetUserPassword, password history."""

from __future__ import annotations

import pytest
from botocore.exceptions import ClientError

from tests import databases
from tests.helpers import advance_clock, error_of, latest_code, outbox
from tests.signin import PASSWORD, confirmed_user, make_pool_and_client, password_auth

INCORRECT = (400, "NotAuthorizedException", "Incorrect username or password.")
MISMATCH = (400, "CodeMismatchException", "Invalid verification code provided, please try again.")


def attributes_of(cognito, pool, username="alice") -> dict[str, str]:
    user = cognito.admin_get_user(UserPoolId=pool, Username=username)
    return {a["Name"]: a["Value"] for a in user["UserAttributes"]}


def signed_up(cognito, username: str) -> tuple[str, str]:
    """(pool, client) of a new pool that verifies email, where ``username`` has signed up (unconfirmed)."""
    pool, client = make_pool_and_client(cognito, {"AutoVerifiedAttributes": ["email"]})
    cognito.sign_up(
        ClientId=client,
        Username=username,
        Password=PASSWORD,
        UserAttributes=[{"Name": "email", "Value": f"{username}@example.com"}],
    )
    return pool, client


@pytest.fixture
def account(cognito, server):
    """(pool, client, access token) of alice, whose email is verified."""
    pool, client = signed_up(cognito, "alice")
    cognito.confirm_sign_up(ClientId=client, Username="alice", ConfirmationCode=latest_code(server, pool, "alice"))
    token = password_auth(cognito, client)["AuthenticationResult"]["AccessToken"]
    return pool, client, token


def test_get_user(cognito, account):
    pool, _, token = account
    user = cognito.get_user(AccessToken=token)
    assert user["Username"] == "alice"
    assert {a["Name"]: a["Value"] for a in user["UserAttributes"]} == attributes_of(cognito, pool)


def test_update_email_sends_a_code_and_verify_marks_it_verified(cognito, server, account):
    pool, _, token = account
    result = cognito.update_user_attributes(
        AccessToken=token,
        UserAttributes=[{"Name": "email", "Value": "new@example.com"}, {"Name": "name", "Value": "Alice"}],
    )
    assert result["CodeDeliveryDetailsList"] == [
        {"Destination": "n***@e***", "DeliveryMedium": "EMAIL", "AttributeName": "email"}
    ]
    attrs = attributes_of(cognito, pool)
    assert (attrs["email"], attrs["email_verified"], attrs["name"]) == ("new@example.com", "false", "Alice")
    code = latest_code(server, pool, "alice")
    with pytest.raises(ClientError) as e:
        cognito.verify_user_attribute(AccessToken=token, AttributeName="email", Code=f"{(int(code) + 1) % 10**6:06d}")
    assert error_of(e) == MISMATCH
    cognito.verify_user_attribute(AccessToken=token, AttributeName="email", Code=code)
    assert attributes_of(cognito, pool)["email_verified"] == "true"


def test_a_user_cannot_mark_its_own_email_verified(cognito, account):
    _, _, token = account
    with pytest.raises(ClientError) as e:
        cognito.update_user_attributes(AccessToken=token, UserAttributes=[{"Name": "email_verified", "Value": "true"}])
    assert error_of(e) == (400, "NotAuthorizedException", "A client attempted to write unauthorized attribute")


def test_update_unknown_attribute(cognito, account):
    _, _, token = account
    with pytest.raises(ClientError) as e:
        cognito.update_user_attributes(AccessToken=token, UserAttributes=[{"Name": "custom:nope", "Value": "x"}])
    assert error_of(e) == (
        400,
        "InvalidParameterException",
        "Attributes did not conform to the schema: custom:nope: Attribute does not exist in the schema.\n",
    )


def test_get_user_attribute_verification_code_and_expiry(cognito, server, account):
    pool, _, token = account
    details = cognito.get_user_attribute_verification_code(AccessToken=token, AttributeName="email")
    assert details["CodeDeliveryDetails"]["DeliveryMedium"] == "EMAIL"
    code = latest_code(server, pool, "alice")
    advance_clock(server, 24 * 3600 + 1)
    token = password_auth(cognito, attributes_client(cognito, pool))["AuthenticationResult"]["AccessToken"]
    with pytest.raises(ClientError) as e:
        cognito.verify_user_attribute(AccessToken=token, AttributeName="email", Code=code)
    assert error_of(e) == (400, "ExpiredCodeException", "Invalid code provided, please request a code again.")


def attributes_client(cognito, pool) -> str:
    return cognito.list_user_pool_clients(UserPoolId=pool, MaxResults=1)["UserPoolClients"][0]["ClientId"]


def test_email_as_username_moves_with_the_attribute(cognito, server):
    pool, client = make_pool_and_client(cognito, {"UsernameAttributes": ["email"]})
    for email in ("a@example.com", "b@example.com"):
        cognito.sign_up(ClientId=client, Username=email, Password=PASSWORD)
        cognito.admin_confirm_sign_up(UserPoolId=pool, Username=email)
    token = password_auth(cognito, client, "a@example.com")["AuthenticationResult"]["AccessToken"]
    with pytest.raises(ClientError) as e:
        cognito.update_user_attributes(AccessToken=token, UserAttributes=[{"Name": "email", "Value": "b@example.com"}])
    assert error_of(e) == (400, "AliasExistsException", "An account with the given email already exists.")
    cognito.update_user_attributes(AccessToken=token, UserAttributes=[{"Name": "email", "Value": "c@example.com"}])
    assert "AuthenticationResult" in password_auth(cognito, client, "c@example.com")
    with pytest.raises(ClientError) as e:
        password_auth(cognito, client, "a@example.com")
    assert error_of(e)[1] == "UserNotFoundException"


def test_change_password(cognito, account):
    _, client, token = account
    with pytest.raises(ClientError) as e:
        cognito.change_password(AccessToken=token, PreviousPassword="Wrong-passw0rd", ProposedPassword="N3w-passw0rd")
    assert error_of(e) == INCORRECT
    with pytest.raises(ClientError) as e:
        cognito.change_password(AccessToken=token, PreviousPassword=PASSWORD, ProposedPassword="short")
    assert error_of(e) == (
        400,
        "InvalidPasswordException",
        "Password does not conform to policy: Password not long enough",
    )
    cognito.change_password(AccessToken=token, PreviousPassword=PASSWORD, ProposedPassword="N3w-passw0rd")
    assert "AuthenticationResult" in password_auth(cognito, client, password="N3w-passw0rd")
    with pytest.raises(ClientError) as e:
        password_auth(cognito, client)
    assert error_of(e) == INCORRECT


def test_change_password_attempts_are_limited(cognito, account, frozen_clock):
    _, _, token = account
    for _ in range(5):
        with pytest.raises(ClientError):
            cognito.change_password(
                AccessToken=token, PreviousPassword="Wrong-passw0rd", ProposedPassword="N3w-passw0rd"
            )
    with pytest.raises(ClientError) as e:
        cognito.change_password(AccessToken=token, PreviousPassword=PASSWORD, ProposedPassword="N3w-passw0rd")
    assert error_of(e) == (400, "LimitExceededException", "Attempt limit exceeded, please try after some time.")


def test_delete_user(cognito, account):
    pool, _client, token = account
    cognito.delete_user(AccessToken=token)
    with pytest.raises(ClientError) as e:
        cognito.admin_get_user(UserPoolId=pool, Username="alice")
    assert error_of(e)[1] == "UserNotFoundException"


def test_forgot_password_and_confirm(cognito, server, account):
    pool, client, _ = account
    details = cognito.forgot_password(ClientId=client, Username="alice")["CodeDeliveryDetails"]
    assert details == {"Destination": "a***@e***", "DeliveryMedium": "EMAIL", "AttributeName": "email"}
    code = latest_code(server, pool, "alice")
    with pytest.raises(ClientError) as e:
        cognito.confirm_forgot_password(ClientId=client, Username="alice", ConfirmationCode=code, Password="short")
    assert error_of(e) == (
        400,
        "InvalidPasswordException",
        "Password does not conform to policy: Password not long enough",
    )
    with pytest.raises(ClientError) as e:
        cognito.confirm_forgot_password(
            ClientId=client,
            Username="alice",
            ConfirmationCode=f"{(int(code) + 1) % 10**6:06d}",
            Password="N3w-passw0rd",
        )
    assert error_of(e) == MISMATCH
    cognito.confirm_forgot_password(ClientId=client, Username="alice", ConfirmationCode=code, Password="N3w-passw0rd")
    assert "AuthenticationResult" in password_auth(cognito, client, password="N3w-passw0rd")
    with pytest.raises(ClientError) as e:  # the code is spent
        cognito.confirm_forgot_password(
            ClientId=client, Username="alice", ConfirmationCode=code, Password="An0ther-pw!"
        )
    assert error_of(e) == MISMATCH


def test_forgot_password_without_a_verified_contact(cognito):
    pool, client = make_pool_and_client(cognito)
    confirmed_user(cognito, pool, client)  # email not verified
    with pytest.raises(ClientError) as e:
        cognito.forgot_password(ClientId=client, Username="alice")
    assert error_of(e) == (
        400,
        "InvalidParameterException",
        "Cannot reset password for the user as there is no registered/verified email or phone_number",
    )


def test_forgot_password_for_unknown_user(cognito):
    _, client = make_pool_and_client(cognito)
    with pytest.raises(ClientError) as e:
        cognito.forgot_password(ClientId=client, Username="nobody")
    assert error_of(e) == (400, "UserNotFoundException", "Username/client id combination not found.")
    _, hidden = make_pool_and_client(cognito, PreventUserExistenceErrors="ENABLED")
    details = cognito.forgot_password(ClientId=hidden, Username="nobody@example.com")["CodeDeliveryDetails"]
    assert details == {"Destination": "n***@e***", "DeliveryMedium": "EMAIL", "AttributeName": "email"}


# ---- administrators -------------------------------------------------------------------------------------------
def test_admin_create_user_sends_cognitos_invitation(cognito, server):
    pool, client = make_pool_and_client(cognito)
    user = cognito.admin_create_user(
        UserPoolId=pool,
        Username="bob",
        UserAttributes=[{"Name": "email", "Value": "bob@example.com"}, {"Name": "email_verified", "Value": "true"}],
        DesiredDeliveryMediums=["EMAIL"],
    )["User"]
    assert user["UserStatus"] == "FORCE_CHANGE_PASSWORD" and user["Enabled"] is True
    [message] = outbox(server, pool, "bob")
    temporary = message["code"]
    assert message["subject"] == "Your temporary password"
    assert message["body"] == f"Your username is bob and temporary password is {temporary}. "
    assert password_auth(cognito, client, "bob", temporary)["ChallengeName"] == "NEW_PASSWORD_REQUIRED"
    cognito.admin_create_user(UserPoolId=pool, Username="bob", MessageAction="RESEND", DesiredDeliveryMediums=["EMAIL"])
    resent = outbox(server, pool, "bob")[-1]["code"]
    assert resent != temporary
    assert password_auth(cognito, client, "bob", resent)["ChallengeName"] == "NEW_PASSWORD_REQUIRED"
    with pytest.raises(ClientError) as e:
        password_auth(cognito, client, "bob", temporary)
    assert error_of(e) == INCORRECT


def test_admin_create_user_errors(cognito):
    pool, _ = make_pool_and_client(cognito)
    cognito.admin_create_user(UserPoolId=pool, Username="bob", MessageAction="SUPPRESS")
    with pytest.raises(ClientError) as e:
        cognito.admin_create_user(UserPoolId=pool, Username="bob", MessageAction="SUPPRESS")
    assert error_of(e) == (400, "UsernameExistsException", "User account already exists")
    with pytest.raises(ClientError) as e:
        cognito.admin_create_user(UserPoolId=pool, Username="carl", TemporaryPassword="short")
    assert error_of(e) == (
        400,
        "InvalidPasswordException",
        "Password did not conform with password policy: Password not long enough",
    )
    with pytest.raises(ClientError) as e:
        cognito.admin_create_user(UserPoolId=pool, Username="nobody", MessageAction="RESEND")
    assert error_of(e) == (400, "UserNotFoundException", "User does not exist.")


def test_admin_set_user_password(cognito):
    pool, client = make_pool_and_client(cognito)
    cognito.admin_create_user(UserPoolId=pool, Username="bob", MessageAction="SUPPRESS")
    cognito.admin_set_user_password(UserPoolId=pool, Username="bob", Password="Perm4nent!", Permanent=True)
    assert cognito.admin_get_user(UserPoolId=pool, Username="bob")["UserStatus"] == "CONFIRMED"
    assert "AuthenticationResult" in password_auth(cognito, client, "bob", "Perm4nent!")
    cognito.admin_set_user_password(UserPoolId=pool, Username="bob", Password="Temp0rary!", Permanent=False)
    assert cognito.admin_get_user(UserPoolId=pool, Username="bob")["UserStatus"] == "FORCE_CHANGE_PASSWORD"
    assert password_auth(cognito, client, "bob", "Temp0rary!")["ChallengeName"] == "NEW_PASSWORD_REQUIRED"
    with pytest.raises(ClientError) as e:
        cognito.admin_set_user_password(UserPoolId=pool, Username="bob", Password="short", Permanent=True)
    assert error_of(e) == (
        400,
        "InvalidPasswordException",
        "Password does not conform to policy: Password not long enough",
    )


def sign_up_codes(server, pool, username) -> list[tuple[str]]:
    return databases.query(
        server.database_url,
        "SELECT c.purpose FROM codes c JOIN users u ON u.id = c.user_id "
        "WHERE u.pool_id = :pool AND u.username = :name AND c.purpose = 'signup'",
        pool=pool,
        name=username,
    )


def test_a_permanent_password_confirms_an_unconfirmed_user_and_voids_its_code(cognito, server):
    """Found by the fuzz suite: the sign-up code outlived the confirmation (``Store.integrity_check``)."""
    pool, client = signed_up(cognito, "carol")
    code = latest_code(server, pool, "carol")
    assert sign_up_codes(server, pool, "carol") == [("signup",)]
    cognito.admin_set_user_password(UserPoolId=pool, Username="carol", Password="Perm4nent!", Permanent=True)
    assert cognito.admin_get_user(UserPoolId=pool, Username="carol")["UserStatus"] == "CONFIRMED"
    assert sign_up_codes(server, pool, "carol") == []
    with pytest.raises(ClientError) as e:
        cognito.confirm_sign_up(ClientId=client, Username="carol", ConfirmationCode=code)
    assert error_of(e) == (400, "NotAuthorizedException", "User cannot be confirmed. Current status is CONFIRMED")


def test_a_new_password_after_a_temporary_one_voids_the_sign_up_code(cognito, server):
    pool, client = signed_up(cognito, "dave")
    cognito.admin_set_user_password(UserPoolId=pool, Username="dave", Password="Temp0rary!", Permanent=False)
    assert sign_up_codes(server, pool, "dave") == [("signup",)]  # not confirmed yet: FORCE_CHANGE_PASSWORD
    challenge = password_auth(cognito, client, "dave", "Temp0rary!")
    assert challenge["ChallengeName"] == "NEW_PASSWORD_REQUIRED"
    cognito.respond_to_auth_challenge(
        ClientId=client,
        ChallengeName="NEW_PASSWORD_REQUIRED",
        Session=challenge["Session"],
        ChallengeResponses={"USERNAME": "dave", "NEW_PASSWORD": "N3w-passw0rd"},
    )
    assert cognito.admin_get_user(UserPoolId=pool, Username="dave")["UserStatus"] == "CONFIRMED"
    assert sign_up_codes(server, pool, "dave") == []


def test_admin_reset_user_password(cognito, server, account):
    pool, client, _ = account
    cognito.admin_reset_user_password(UserPoolId=pool, Username="alice")
    assert cognito.admin_get_user(UserPoolId=pool, Username="alice")["UserStatus"] == "RESET_REQUIRED"
    with pytest.raises(ClientError) as e:
        password_auth(cognito, client)
    assert error_of(e) == (400, "PasswordResetRequiredException", "Password reset required for the user")
    code = latest_code(server, pool, "alice")
    cognito.confirm_forgot_password(ClientId=client, Username="alice", ConfirmationCode=code, Password="N3w-passw0rd")
    assert cognito.admin_get_user(UserPoolId=pool, Username="alice")["UserStatus"] == "CONFIRMED"
    assert "AuthenticationResult" in password_auth(cognito, client, password="N3w-passw0rd")


def test_admin_update_user_attributes_may_verify(cognito, account):
    pool, _, _ = account
    cognito.admin_update_user_attributes(
        UserPoolId=pool,
        Username="alice",
        UserAttributes=[{"Name": "email", "Value": "other@example.com"}, {"Name": "email_verified", "Value": "true"}],
    )
    attrs = attributes_of(cognito, pool)
    assert (attrs["email"], attrs["email_verified"]) == ("other@example.com", "true")


def test_password_history_refuses_recent_passwords(cognito):
    pool, client = make_pool_and_client(
        cognito, {"Policies": {"PasswordPolicy": {"MinimumLength": 8, "PasswordHistorySize": 2}}}
    )
    confirmed_user(cognito, pool, client, password="First-passw0rd")
    token = password_auth(cognito, client, password="First-passw0rd")["AuthenticationResult"]["AccessToken"]
    cognito.change_password(AccessToken=token, PreviousPassword="First-passw0rd", ProposedPassword="Second-passw0rd")
    for reused in ("First-passw0rd", "Second-passw0rd"):
        with pytest.raises(ClientError) as e:
            cognito.change_password(AccessToken=token, PreviousPassword="Second-passw0rd", ProposedPassword=reused)
        assert error_of(e)[:2] == (400, "PasswordHistoryPolicyViolationException")
    cognito.change_password(AccessToken=token, PreviousPassword="Second-passw0rd", ProposedPassword="Third-passw0rd")
    # Two remembered: the current one and the one before; the first may come back now.
    cognito.change_password(AccessToken=token, PreviousPassword="Third-passw0rd", ProposedPassword="First-passw0rd")
