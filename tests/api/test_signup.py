"""SignUp: every parameter and every rule, against the real server, with boto3."""

from __future__ import annotations

import re
import uuid

import pytest
from botocore.exceptions import ClientError

from tests import databases
from tests.helpers import email, error_of, outbox, secret_hash, sign_up


def test_sign_up_answers_unconfirmed_with_sub_and_masked_email(cognito, email_pool, server):
    pool_id, client_id = email_pool
    result = sign_up(cognito, client_id, UserAttributes=email("sam@gmail.com"))
    assert result["UserConfirmed"] is False
    assert str(uuid.UUID(result["UserSub"])) == result["UserSub"]
    assert result["CodeDeliveryDetails"] == {
        "Destination": "s***@g***",
        "DeliveryMedium": "EMAIL",
        "AttributeName": "email",
    }
    [message] = outbox(server, pool_id, "alice")
    assert re.fullmatch(r"[0-9]{6}", message["code"])
    assert message["body"] == f"Your verification code is {message['code']}. "
    assert message["subject"] == "Your verification code"
    assert message["destination"] == "sam@gmail.com"
    user = cognito.admin_get_user(UserPoolId=pool_id, Username="alice")
    assert user["UserStatus"] == "UNCONFIRMED"
    assert user["UserAttributes"] == [
        {"Name": "sub", "Value": result["UserSub"]},
        {"Name": "email", "Value": "sam@gmail.com"},
        {"Name": "email_verified", "Value": "false"},
    ]


def test_unknown_client_is_resource_not_found(cognito):
    with pytest.raises(ClientError) as e:
        sign_up(cognito, "nosuchclient0000000000000a")
    assert error_of(e) == (
        400,
        "ResourceNotFoundException",
        "User pool client nosuchclient0000000000000a does not exist.",
    )


def test_secret_client_requires_secret_hash(cognito, make_pool, make_app_client):
    pool = make_pool()
    client = make_app_client(pool["Id"], GenerateSecret=True)
    cid = client["ClientId"]
    with pytest.raises(ClientError) as e:
        sign_up(cognito, cid, password="weak")  # the secret is checked before the password
    assert error_of(e) == (
        400,
        "NotAuthorizedException",
        f"Client {cid} is configured for secret but secret was not received",
    )
    with pytest.raises(ClientError) as e:
        sign_up(cognito, cid, SecretHash=secret_hash(client["ClientSecret"], "bob", cid))
    assert error_of(e) == (400, "NotAuthorizedException", f"Unable to verify secret hash for client {cid}")
    good = secret_hash(client["ClientSecret"], "alice", cid)
    assert sign_up(cognito, cid, SecretHash=good)["UserConfirmed"] is False


def test_admin_create_user_only_pool_refuses_sign_up(cognito, make_pool, make_app_client):
    pool = make_pool(AdminCreateUserConfig={"AllowAdminCreateUserOnly": True})
    client_id = make_app_client(pool["Id"])["ClientId"]
    with pytest.raises(ClientError) as e:
        sign_up(cognito, client_id)
    assert error_of(e) == (400, "NotAuthorizedException", "SignUp is not permitted for this user pool")
    assert cognito.list_users(UserPoolId=pool["Id"])["Users"] == []


@pytest.mark.parametrize(
    ("password", "rule"),
    [
        ("Pa0!", "Password not long enough"),
        ("passw0rd!", "Password must have uppercase characters"),
        ("PASSW0RD!", "Password must have lowercase characters"),
        ("Password!", "Password must have numeric characters"),
        ("Passw0rdd", "Password must have symbol characters"),
    ],
)
def test_default_password_policy_reports_one_rule(cognito, email_pool, password, rule):
    pool_id, client_id = email_pool
    with pytest.raises(ClientError) as e:
        sign_up(cognito, client_id, password=password)
    assert error_of(e) == (400, "InvalidPasswordException", f"Password did not conform with policy: {rule}")
    assert cognito.list_users(UserPoolId=pool_id)["Users"] == []


def test_custom_password_policy_and_inner_space(cognito, make_pool, make_app_client):
    pool = make_pool(Policies={"PasswordPolicy": {"MinimumLength": 6}})
    client_id = make_app_client(pool["Id"])["ClientId"]
    with pytest.raises(ClientError) as e:
        sign_up(cognito, client_id, password="abcde")
    assert error_of(e)[1:] == (
        "InvalidPasswordException",
        "Password did not conform with policy: Password not long enough",
    )
    assert sign_up(cognito, client_id, username="u1", password="ab cdef")["UserConfirmed"] is False
    assert sign_up(cognito, client_id, username="u2", password="ñandú√x")["UserConfirmed"] is False


def test_password_with_leading_space_fails_the_pattern_without_echo(raw_cognito, email_pool):
    _, client_id = email_pool
    with pytest.raises(ClientError) as e:
        sign_up(raw_cognito, client_id, password=" Passw0rd!")
    status, kind, message = error_of(e)
    assert (status, kind) == (400, "InvalidParameterException")
    assert message == (
        "1 validation error detected: Value at 'password' failed to satisfy constraint: "
        "Member must satisfy regular expression pattern: ^[\\S]+.*[\\S]+$"
    )


def test_username_with_space_fails_the_pattern(raw_cognito, email_pool):
    _, client_id = email_pool
    with pytest.raises(ClientError) as e:
        sign_up(raw_cognito, client_id, username="al ice")
    assert error_of(e) == (
        400,
        "InvalidParameterException",
        "1 validation error detected: Value at 'username' failed to satisfy constraint: "
        "Member must satisfy regular expression pattern: [\\p{L}\\p{M}\\p{S}\\p{N}\\p{P}]+",
    )


def test_username_exists(cognito, email_pool):
    _, client_id = email_pool
    sign_up(cognito, client_id)
    with pytest.raises(ClientError) as e:
        sign_up(cognito, client_id)
    assert error_of(e) == (400, "UsernameExistsException", "User already exists")


def test_case_sensitive_by_default(cognito, email_pool):
    pool_id, client_id = email_pool
    sign_up(cognito, client_id, username="Alice")
    sign_up(cognito, client_id, username="alice")
    assert len(cognito.list_users(UserPoolId=pool_id)["Users"]) == 2


def test_case_insensitive_pool_treats_alice_and_ALICE_as_one(cognito, make_pool, make_app_client):
    pool = make_pool(UsernameConfiguration={"CaseSensitive": False})
    client_id = make_app_client(pool["Id"])["ClientId"]
    sign_up(cognito, client_id, username="Alice")
    with pytest.raises(ClientError) as e:
        sign_up(cognito, client_id, username="aLICE")
    assert error_of(e) == (400, "UsernameExistsException", "User already exists")
    assert cognito.admin_get_user(UserPoolId=pool["Id"], Username="ALICE")["Username"] == "Alice"


def test_unknown_attribute_is_a_schema_error_with_trailing_newline(cognito, email_pool):
    pool_id, client_id = email_pool
    with pytest.raises(ClientError) as e:
        sign_up(
            cognito,
            client_id,
            UserAttributes=[{"Name": "phone", "Value": "1"}, {"Name": "colour", "Value": "x"}],
        )
    assert error_of(e) == (
        400,
        "InvalidParameterException",
        "Attributes did not conform to the schema: phone: Attribute does not exist in the schema.\n"
        "colour: Attribute does not exist in the schema.\n",
    )
    assert cognito.list_users(UserPoolId=pool_id)["Users"] == []


def test_required_attribute_missing(cognito, make_pool, make_app_client):
    pool = make_pool(Schema=[{"Name": "email", "Required": True}, {"Name": "name", "Required": True}])
    client_id = make_app_client(pool["Id"])["ClientId"]
    with pytest.raises(ClientError) as e:
        sign_up(cognito, client_id, UserAttributes=[{"Name": "name", "Value": "Al"}])
    assert error_of(e) == (
        400,
        "InvalidParameterException",
        "Attributes did not conform to the schema: email: The attribute is required\n",
    )


@pytest.mark.parametrize("flag", ["email_verified", "phone_number_verified", "sub"])
def test_cognito_owned_attributes_are_unauthorized_at_sign_up(cognito, email_pool, flag):
    pool_id, client_id = email_pool
    with pytest.raises(ClientError) as e:
        sign_up(cognito, client_id, UserAttributes=[*email("a@b.co"), {"Name": flag, "Value": "true"}])
    assert error_of(e) == (
        400,
        "NotAuthorizedException",
        "A client attempted to write unauthorized attribute",
    )
    assert cognito.list_users(UserPoolId=pool_id)["Users"] == []


def test_client_write_attributes_are_enforced(cognito, make_pool, make_app_client):
    pool = make_pool()
    client_id = make_app_client(pool["Id"], WriteAttributes=["email"])["ClientId"]
    with pytest.raises(ClientError) as e:
        sign_up(cognito, client_id, UserAttributes=[*email("a@b.co"), {"Name": "name", "Value": "Al"}])
    assert error_of(e) == (
        400,
        "NotAuthorizedException",
        "A client attempted to write unauthorized attribute",
    )
    assert sign_up(cognito, client_id, UserAttributes=email("a@b.co"))["UserConfirmed"] is False


@pytest.mark.parametrize(
    ("attribute", "message"),
    [
        ({"Name": "email", "Value": "not-an-email"}, "Invalid email address format."),
        ({"Name": "phone_number", "Value": "555-1212"}, "Invalid phone number format."),
        ({"Name": "phone_number", "Value": "+1 432 555 1212"}, "Invalid phone number format."),
    ],
)
def test_email_and_phone_formats(cognito, email_pool, attribute, message):
    _, client_id = email_pool
    with pytest.raises(ClientError) as e:
        sign_up(cognito, client_id, UserAttributes=[attribute])
    assert error_of(e) == (400, "InvalidParameterException", message)


def test_custom_attributes_are_checked_against_their_type_and_constraints(cognito, make_pool, make_app_client):
    pool = make_pool(
        Schema=[
            {
                "Name": "age",
                "AttributeDataType": "Number",
                "NumberAttributeConstraints": {"MinValue": "0", "MaxValue": "150"},
            },
            {
                "Name": "team",
                "AttributeDataType": "String",
                "StringAttributeConstraints": {"MinLength": "2", "MaxLength": "5"},
            },
        ]
    )
    pool_id = pool["Id"]
    client_id = make_app_client(pool_id)["ClientId"]
    with pytest.raises(ClientError) as e:
        sign_up(
            cognito,
            client_id,
            UserAttributes=[
                {"Name": "custom:age", "Value": "old"},
                {"Name": "custom:team", "Value": "toolong"},
            ],
        )
    assert error_of(e) == (
        400,
        "InvalidParameterException",
        "Attributes did not conform to the schema: custom:age: Number must be a valid number\n"
        "custom:team: String must be no longer than 5 characters\n",
    )
    with pytest.raises(ClientError) as e:
        sign_up(cognito, client_id, UserAttributes=[{"Name": "custom:age", "Value": "151"}])
    assert (
        error_of(e)[2] == "Attributes did not conform to the schema: custom:age: Number must be no greater than 150\n"
    )
    sign_up(
        cognito,
        client_id,
        UserAttributes=[{"Name": "custom:age", "Value": "42"}, {"Name": "custom:team", "Value": "red"}],
    )
    attributes = cognito.admin_get_user(UserPoolId=pool_id, Username="alice")["UserAttributes"]
    assert {"Name": "custom:age", "Value": "42"} in attributes
    assert {"Name": "custom:team", "Value": "red"} in attributes


def test_attribute_name_too_long_is_a_validation_error(raw_cognito, email_pool):
    _, client_id = email_pool
    with pytest.raises(ClientError) as e:
        sign_up(raw_cognito, client_id, UserAttributes=[{"Name": "n" * 33, "Value": "v"}])
    assert error_of(e) == (
        400,
        "InvalidParameterException",
        f"1 validation error detected: Value '{'n' * 33}' at 'userAttributes.1.member.name' failed to satisfy "
        "constraint: Member must have length less than or equal to 32",
    )


class TestEmailAsUsername:
    @pytest.fixture
    def pool(self, make_pool, make_app_client):
        pool = make_pool(UsernameAttributes=["email"], AutoVerifiedAttributes=["email"])
        return pool["Id"], make_app_client(pool["Id"])["ClientId"]

    def test_username_is_the_sub_and_email_is_filled(self, cognito, pool, server):
        pool_id, client_id = pool
        result = sign_up(cognito, client_id, username="Sam@Example.com")
        user = cognito.admin_get_user(UserPoolId=pool_id, Username="Sam@Example.com")
        assert user["Username"] == result["UserSub"]
        assert {"Name": "email", "Value": "Sam@Example.com"} in user["UserAttributes"]
        assert {"Name": "sub", "Value": result["UserSub"]} in user["UserAttributes"]
        assert outbox(server, pool_id, result["UserSub"])[0]["destination"] == "Sam@Example.com"

    def test_username_must_be_an_email(self, cognito, pool):
        with pytest.raises(ClientError) as e:
            sign_up(cognito, pool[1], username="sam")
        assert error_of(e) == (400, "InvalidParameterException", "Username should be an email.")

    def test_email_attribute_must_match_the_username(self, cognito, pool):
        with pytest.raises(ClientError) as e:
            sign_up(cognito, pool[1], username="a@b.co", UserAttributes=email("other@b.co"))
        assert error_of(e) == (
            400,
            "InvalidParameterException",
            "User email should be empty or same as username, since username attribute is email.",
        )
        assert sign_up(cognito, pool[1], username="a@b.co", UserAttributes=email("a@b.co"))["UserConfirmed"] is False

    def test_an_email_signs_up_once_even_unconfirmed(self, cognito, pool):
        sign_up(cognito, pool[1], username="dup@example.com")
        with pytest.raises(ClientError) as e:
            sign_up(cognito, pool[1], username="dup@example.com")
        assert error_of(e) == (
            400,
            "UsernameExistsException",
            "An account with the given email already exists.",
        )

    def test_case_insensitive_pool_folds_the_email(self, cognito, make_pool, make_app_client):
        pool = make_pool(UsernameAttributes=["email"], UsernameConfiguration={"CaseSensitive": False})
        client_id = make_app_client(pool["Id"])["ClientId"]
        sign_up(cognito, client_id, username="Case@Example.com")
        with pytest.raises(ClientError) as e:
            sign_up(cognito, client_id, username="case@example.COM")
        assert error_of(e) == (
            400,
            "UsernameExistsException",
            "An account with the given email already exists.",
        )


def test_email_or_phone_as_username(cognito, make_pool, make_app_client):
    pool = make_pool(UsernameAttributes=["email", "phone_number"], AutoVerifiedAttributes=["phone_number"])
    client_id = make_app_client(pool["Id"])["ClientId"]
    result = sign_up(cognito, client_id, username="+14325554114")
    assert result["CodeDeliveryDetails"] == {
        "Destination": "+*******4114",
        "DeliveryMedium": "SMS",
        "AttributeName": "phone_number",
    }
    with pytest.raises(ClientError) as e:
        sign_up(cognito, client_id, username="plainname")
    assert error_of(e) == (
        400,
        "InvalidParameterException",
        "Username should be either an email or a phone number.",
    )
    with pytest.raises(ClientError) as e:
        sign_up(cognito, client_id, username="+14325554114")
    assert error_of(e) == (
        400,
        "UsernameExistsException",
        "An account with the given phone_number already exists.",
    )


def test_email_alias_pool_refuses_an_email_shaped_username(cognito, make_pool, make_app_client):
    pool = make_pool(AliasAttributes=["email"])
    client_id = make_app_client(pool["Id"])["ClientId"]
    with pytest.raises(ClientError) as e:
        sign_up(cognito, client_id, username="a@b.co")
    assert error_of(e) == (
        400,
        "InvalidParameterException",
        "Username cannot be of email format, since user pool is configured for email alias.",
    )


def test_phone_wins_when_both_are_auto_verified(cognito, make_pool, make_app_client, server):
    pool = make_pool(AutoVerifiedAttributes=["email", "phone_number"])
    client_id = make_app_client(pool["Id"])["ClientId"]
    result = sign_up(
        cognito,
        client_id,
        UserAttributes=[*email("a@b.co"), {"Name": "phone_number", "Value": "+14325551212"}],
    )
    assert result["CodeDeliveryDetails"]["DeliveryMedium"] == "SMS"
    [message] = outbox(server, pool["Id"], "alice")
    assert (message["medium"], message["destination"], message["subject"]) == ("SMS", "+14325551212", None)


def test_nothing_to_verify_sends_nothing(cognito, make_pool, make_app_client, server):
    pool = make_pool()
    client_id = make_app_client(pool["Id"])["ClientId"]
    result = sign_up(cognito, client_id, UserAttributes=email("a@b.co"))
    assert "CodeDeliveryDetails" not in result
    assert outbox(server, pool["Id"]) == []


def test_verification_template_shapes_the_message(cognito, make_pool, make_app_client, server):
    pool = make_pool(
        AutoVerifiedAttributes=["email"],
        VerificationMessageTemplate={
            "EmailMessage": "Hello {username}, your code: {####}",
            "EmailSubject": "Welcome aboard",
        },
    )
    client_id = make_app_client(pool["Id"])["ClientId"]
    sign_up(cognito, client_id, UserAttributes=email("a@b.co"))
    [message] = outbox(server, pool["Id"], "alice")
    assert message["subject"] == "Welcome aboard"
    assert message["body"] == f"Hello alice, your code: {message['code']}"


def test_every_optional_parameter_is_accepted_and_metadata_is_not_stored(cognito, email_pool, server):
    _, client_id = email_pool
    marker = f"marker{uuid.uuid4().hex}"
    result = sign_up(
        cognito,
        client_id,
        UserAttributes=email("a@b.co"),
        ValidationData=[{"Name": "invite", "Value": f"{marker}v"}],
        AnalyticsMetadata={"AnalyticsEndpointId": "endpoint-1"},
        UserContextData={"IpAddress": "192.0.2.1", "EncodedData": "abc"},
        ClientMetadata={"source": f"{marker}m"},
    )
    assert result["UserConfirmed"] is False
    assert marker not in databases.dump(server.database_url)


def test_password_is_stored_only_as_an_argon2id_hash(cognito, email_pool, server):
    pool_id, client_id = email_pool
    password = f"Unique-{uuid.uuid4().hex[:12]}-9!"
    sign_up(cognito, client_id, username="hashme", password=password)
    assert password not in databases.dump(server.database_url)
    [(stored,)] = databases.query(
        server.database_url,
        "SELECT password_hash FROM users WHERE username = 'hashme' AND pool_id = :pool",
        pool=pool_id,
    )
    # at the server's configured cost (the suite's is low: tests/conftest.py; the product's default is OWASP's, see
    # tests/unit/test_domain.py)
    settings = server.settings
    cost = f"m={settings.password_hash_memory_kib},t={settings.password_hash_iterations},p=1"
    assert stored.startswith(f"$argon2id$v=19${cost}$")
