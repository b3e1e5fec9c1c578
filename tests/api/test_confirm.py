"""ConfirmSignUp, ResendConfirmationCode and AdminConfirmSignUp against the real server."""

from __future__ import annotations

import pytest
from botocore.exceptions import ClientError

from tests import databases
from tests.helpers import advance_clock, email, error_of, latest_code, outbox, secret_hash, sign_up

MISMATCH = (400, "CodeMismatchException", "Invalid verification code provided, please try again.")


def wrong(code: str) -> str:
    return f"{(int(code) + 1) % 1_000_000:06d}"


def attribute(cognito, pool_id, username, name):
    attributes = cognito.admin_get_user(UserPoolId=pool_id, Username=username)["UserAttributes"]
    return {a["Name"]: a["Value"] for a in attributes}.get(name)


def status(cognito, pool_id, username):
    return cognito.admin_get_user(UserPoolId=pool_id, Username=username)["UserStatus"]


@pytest.fixture
def signed_up(cognito, email_pool, server):
    """(pool id, client id, code) of "alice", signed up and unconfirmed."""
    pool_id, client_id = email_pool
    sign_up(cognito, client_id, UserAttributes=email("alice@example.com"))
    return pool_id, client_id, latest_code(server, pool_id, "alice")


def test_confirm_makes_the_user_confirmed_and_the_email_verified(cognito, signed_up):
    pool_id, client_id, code = signed_up
    assert attribute(cognito, pool_id, "alice", "email_verified") == "false"
    cognito.confirm_sign_up(ClientId=client_id, Username="alice", ConfirmationCode=code)
    assert status(cognito, pool_id, "alice") == "CONFIRMED"
    assert attribute(cognito, pool_id, "alice", "email_verified") == "true"


def test_wrong_code_is_a_mismatch_and_the_right_one_still_works(cognito, signed_up):
    pool_id, client_id, code = signed_up
    with pytest.raises(ClientError) as e:
        cognito.confirm_sign_up(ClientId=client_id, Username="alice", ConfirmationCode=wrong(code))
    assert error_of(e) == MISMATCH
    assert status(cognito, pool_id, "alice") == "UNCONFIRMED"
    cognito.confirm_sign_up(ClientId=client_id, Username="alice", ConfirmationCode=code)
    assert status(cognito, pool_id, "alice") == "CONFIRMED"


def test_code_expires_after_24_hours(cognito, signed_up, server):
    pool_id, client_id, code = signed_up
    advance_clock(server, 24 * 3600 + 1)
    with pytest.raises(ClientError) as e:
        cognito.confirm_sign_up(ClientId=client_id, Username="alice", ConfirmationCode=code)
    assert error_of(e) == (400, "ExpiredCodeException", "Invalid code provided, please request a code again.")
    assert status(cognito, pool_id, "alice") == "UNCONFIRMED"
    cognito.resend_confirmation_code(ClientId=client_id, Username="alice")
    cognito.confirm_sign_up(
        ClientId=client_id, Username="alice", ConfirmationCode=latest_code(server, pool_id, "alice")
    )
    assert status(cognito, pool_id, "alice") == "CONFIRMED"


def test_code_valid_just_before_24_hours(cognito, signed_up, server):
    pool_id, client_id, code = signed_up
    advance_clock(server, 24 * 3600 - 60)
    cognito.confirm_sign_up(ClientId=client_id, Username="alice", ConfirmationCode=code)
    assert status(cognito, pool_id, "alice") == "CONFIRMED"


def test_confirming_twice_is_not_authorized(cognito, signed_up):
    _, client_id, code = signed_up
    cognito.confirm_sign_up(ClientId=client_id, Username="alice", ConfirmationCode=code)
    with pytest.raises(ClientError) as e:
        cognito.confirm_sign_up(ClientId=client_id, Username="alice", ConfirmationCode=code)
    assert error_of(e) == (
        400,
        "NotAuthorizedException",
        "User cannot be confirmed. Current status is CONFIRMED",
    )


def test_unknown_user(cognito, email_pool):
    _, client_id = email_pool
    with pytest.raises(ClientError) as e:
        cognito.confirm_sign_up(ClientId=client_id, Username="nobody", ConfirmationCode="123456")
    assert error_of(e) == (400, "UserNotFoundException", "Username/client id combination not found.")


def test_prevent_user_existence_errors_hides_unknown_users(cognito, make_pool, make_app_client):
    pool = make_pool(AutoVerifiedAttributes=["email"])
    client_id = make_app_client(pool["Id"], PreventUserExistenceErrors="ENABLED")["ClientId"]
    with pytest.raises(ClientError) as e:
        cognito.confirm_sign_up(ClientId=client_id, Username="nobody", ConfirmationCode="123456")
    assert error_of(e) == MISMATCH
    details = cognito.resend_confirmation_code(ClientId=client_id, Username="nobody@example.com")
    assert details["CodeDeliveryDetails"] == {
        "Destination": "n***@e***",
        "DeliveryMedium": "EMAIL",
        "AttributeName": "email",
    }


def test_attempts_are_limited_per_code(cognito, signed_up, server):
    pool_id, client_id, code = signed_up
    for _ in range(5):
        with pytest.raises(ClientError) as e:
            cognito.confirm_sign_up(ClientId=client_id, Username="alice", ConfirmationCode=wrong(code))
        assert error_of(e) == MISMATCH
    with pytest.raises(ClientError) as e:
        cognito.confirm_sign_up(ClientId=client_id, Username="alice", ConfirmationCode=code)
    assert error_of(e) == (
        400,
        "LimitExceededException",
        "Attempt limit exceeded, please try after some time.",
    )
    assert status(cognito, pool_id, "alice") == "UNCONFIRMED"
    cognito.resend_confirmation_code(ClientId=client_id, Username="alice")
    cognito.confirm_sign_up(
        ClientId=client_id, Username="alice", ConfirmationCode=latest_code(server, pool_id, "alice")
    )
    assert status(cognito, pool_id, "alice") == "CONFIRMED"


def test_resend_replaces_the_code(cognito, signed_up, server):
    pool_id, client_id, old = signed_up
    result = cognito.resend_confirmation_code(ClientId=client_id, Username="alice")
    assert result["CodeDeliveryDetails"] == {
        "Destination": "a***@e***",
        "DeliveryMedium": "EMAIL",
        "AttributeName": "email",
    }
    messages = outbox(server, pool_id, "alice")
    assert len(messages) == 2
    new = messages[-1]["code"]
    if new != old:  # one chance in a million that the new code repeats the old one
        with pytest.raises(ClientError) as e:
            cognito.confirm_sign_up(ClientId=client_id, Username="alice", ConfirmationCode=old)
        assert error_of(e) == MISMATCH
    cognito.confirm_sign_up(ClientId=client_id, Username="alice", ConfirmationCode=new)
    assert status(cognito, pool_id, "alice") == "CONFIRMED"


def test_resend_errors(cognito, signed_up, make_pool, make_app_client):
    _, client_id, code = signed_up
    with pytest.raises(ClientError) as e:
        cognito.resend_confirmation_code(ClientId=client_id, Username="nobody")
    assert error_of(e) == (400, "UserNotFoundException", "Username/client id combination not found.")
    cognito.confirm_sign_up(ClientId=client_id, Username="alice", ConfirmationCode=code)
    with pytest.raises(ClientError) as e:
        cognito.resend_confirmation_code(ClientId=client_id, Username="alice")
    assert error_of(e) == (400, "InvalidParameterException", "User is already confirmed.")
    quiet = make_pool()
    quiet_client = make_app_client(quiet["Id"])["ClientId"]
    sign_up(cognito, quiet_client, UserAttributes=email("q@example.com"))
    with pytest.raises(ClientError) as e:
        cognito.resend_confirmation_code(ClientId=quiet_client, Username="alice")
    assert error_of(e) == (
        400,
        "InvalidParameterException",
        "Cannot resend codes. Auto verification not turned on.",
    )


def test_secret_hash_is_required_to_confirm_and_resend(cognito, make_pool, make_app_client, server):
    pool = make_pool(AutoVerifiedAttributes=["email"])
    client = make_app_client(pool["Id"], GenerateSecret=True)
    cid, secret = client["ClientId"], client["ClientSecret"]
    good = secret_hash(secret, "alice", cid)
    sign_up(cognito, cid, SecretHash=good, UserAttributes=email("a@b.co"))
    code = latest_code(server, pool["Id"], "alice")
    for call in (
        lambda **k: cognito.confirm_sign_up(ClientId=cid, Username="alice", ConfirmationCode=code, **k),
        lambda **k: cognito.resend_confirmation_code(ClientId=cid, Username="alice", **k),
    ):
        with pytest.raises(ClientError) as e:
            call()
        assert error_of(e)[1:] == (
            "NotAuthorizedException",
            f"Client {cid} is configured for secret but secret was not received",
        )
        with pytest.raises(ClientError) as e:
            call(SecretHash=secret_hash(secret, "bob", cid))
        assert error_of(e)[1:] == ("NotAuthorizedException", f"Unable to verify secret hash for client {cid}")
    cognito.confirm_sign_up(ClientId=cid, Username="alice", ConfirmationCode=code, SecretHash=good)
    assert status(cognito, pool["Id"], "alice") == "CONFIRMED"


def test_confirm_by_email_in_an_email_username_pool_verifies_phone_when_sms(
    cognito, make_pool, make_app_client, server
):
    pool = make_pool(UsernameAttributes=["email"], AutoVerifiedAttributes=["phone_number"])
    client_id = make_app_client(pool["Id"])["ClientId"]
    sub = sign_up(
        cognito,
        client_id,
        username="p@example.com",
        UserAttributes=[{"Name": "phone_number", "Value": "+14325551212"}],
    )["UserSub"]
    code = latest_code(server, pool["Id"], sub)
    cognito.confirm_sign_up(ClientId=client_id, Username="p@example.com", ConfirmationCode=code)
    assert status(cognito, pool["Id"], sub) == "CONFIRMED"
    assert attribute(cognito, pool["Id"], sub, "phone_number_verified") == "true"
    assert attribute(cognito, pool["Id"], sub, "email_verified") == "false"


def test_admin_confirm_sign_up(cognito, signed_up):
    pool_id, _, _ = signed_up
    cognito.admin_confirm_sign_up(UserPoolId=pool_id, Username="alice")
    assert status(cognito, pool_id, "alice") == "CONFIRMED"
    assert attribute(cognito, pool_id, "alice", "email_verified") == "false"
    with pytest.raises(ClientError) as e:
        cognito.admin_confirm_sign_up(UserPoolId=pool_id, Username="alice")
    assert error_of(e) == (
        400,
        "NotAuthorizedException",
        "User cannot be confirmed. Current status is CONFIRMED",
    )
    with pytest.raises(ClientError) as e:
        cognito.admin_confirm_sign_up(UserPoolId=pool_id, Username="nobody")
    assert error_of(e) == (400, "UserNotFoundException", "User does not exist.")
    with pytest.raises(ClientError) as e:
        cognito.admin_confirm_sign_up(UserPoolId="us-east-1_000000000", Username="alice")
    assert error_of(e) == (400, "ResourceNotFoundException", "User pool us-east-1_000000000 does not exist.")


class TestAliases:
    @pytest.fixture
    def pool(self, make_pool, make_app_client):
        pool = make_pool(AliasAttributes=["email"], AutoVerifiedAttributes=["email"])
        return pool["Id"], make_app_client(pool["Id"])["ClientId"]

    def test_duplicate_alias_is_accepted_at_sign_up_and_refused_at_confirmation(self, cognito, pool, server):
        pool_id, client_id = pool
        sign_up(cognito, client_id, username="first", UserAttributes=email("shared@example.com"))
        sign_up(cognito, client_id, username="second", UserAttributes=email("shared@example.com"))
        cognito.confirm_sign_up(
            ClientId=client_id, Username="first", ConfirmationCode=latest_code(server, pool_id, "first")
        )
        second_code = latest_code(server, pool_id, "second")
        with pytest.raises(ClientError) as e:
            cognito.confirm_sign_up(ClientId=client_id, Username="second", ConfirmationCode=second_code)
        assert error_of(e) == (400, "AliasExistsException", "An account with the email already exists.")
        assert status(cognito, pool_id, "second") == "UNCONFIRMED"
        assert cognito.admin_get_user(UserPoolId=pool_id, Username="shared@example.com")["Username"] == "first"

    def test_force_alias_creation_moves_the_alias(self, cognito, pool, server):
        pool_id, client_id = pool
        sign_up(cognito, client_id, username="first", UserAttributes=email("shared@example.com"))
        sign_up(cognito, client_id, username="second", UserAttributes=email("shared@example.com"))
        cognito.confirm_sign_up(
            ClientId=client_id, Username="first", ConfirmationCode=latest_code(server, pool_id, "first")
        )
        cognito.confirm_sign_up(
            ClientId=client_id,
            Username="second",
            ConfirmationCode=latest_code(server, pool_id, "second"),
            ForceAliasCreation=True,
        )
        assert cognito.admin_get_user(UserPoolId=pool_id, Username="shared@example.com")["Username"] == "second"
        assert attribute(cognito, pool_id, "first", "email_verified") == "false"
        assert attribute(cognito, pool_id, "second", "email_verified") == "true"


def test_codes_are_stored_hashed(cognito, signed_up, server):
    pool_id, _, code = signed_up
    rows = databases.query(
        server.database_url,
        "SELECT c.code_hash FROM codes c JOIN users u ON u.id = c.user_id "
        "WHERE u.pool_id = :pool AND u.username = 'alice'",
        pool=pool_id,
    )
    [(stored,)] = rows
    assert code not in stored
    assert len(stored) > 64
