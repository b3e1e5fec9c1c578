"""DeleteUserAttributes (a signed-in user, with an access token) and AdminDeleteUserAttributes: what may be deleted,
Cognito's errors, and what goes with a deleted email or phone number: its verified flag, its pending verification
code and the sign-in value (alias or username attribute) the user held, which another user may then claim."""

from __future__ import annotations

from typing import Any

import pytest
from botocore.exceptions import ClientError

from tests import databases
from tests.helpers import PASSWORD, error_of, latest_code
from tests.signin import confirmed_user, make_pool_and_client, password_auth

UNAUTHORIZED_WRITE = (400, "NotAuthorizedException", "A client attempted to write unauthorized attribute")


def failure(call: Any, **params: Any) -> tuple[int, str, str]:
    with pytest.raises(ClientError) as excinfo:
        call(**params)
    return error_of(excinfo)


def attributes_of(cognito: Any, pool: str, username: str) -> dict[str, str]:
    found = cognito.admin_get_user(UserPoolId=pool, Username=username)["UserAttributes"]
    return {a["Name"]: a["Value"] for a in found}


def keys_of(server: Any, pool: str, username: str) -> list[tuple[str, str]]:
    return sorted(
        databases.query(
            server.database_url,
            "SELECT k.kind, k.value_key FROM user_keys k JOIN users u ON u.id = k.user_id "
            "WHERE u.pool_id = :pool AND u.username = :name",
            pool=pool,
            name=username,
        )
    )


def codes_of(server: Any, pool: str, username: str) -> list[str]:
    rows = databases.query(
        server.database_url,
        "SELECT c.purpose FROM codes c JOIN users u ON u.id = c.user_id WHERE u.pool_id = :pool AND u.username = :name",
        pool=pool,
        name=username,
    )
    return sorted(purpose for (purpose,) in rows)


def access_token(cognito: Any, client_id: str, username: str = "alice") -> str:
    return password_auth(cognito, client_id, username)["AuthenticationResult"]["AccessToken"]


def invalid(*problems: str) -> tuple[int, str, str]:
    return (400, "InvalidParameterException", "Invalid user attributes: " + "".join(f"{p}\n" for p in problems))


# ---- AdminDeleteUserAttributes -----------------------------------------------------------------------------------
def test_admin_deletes_attributes_and_the_user_is_modified(cognito):
    pool, client_id = make_pool_and_client(cognito, {"Schema": [{"Name": "foo", "AttributeDataType": "String"}]})
    confirmed_user(
        cognito,
        pool,
        client_id,
        UserAttributes=[
            {"Name": "nickname", "Value": "Al"},
            {"Name": "given_name", "Value": "Alice"},
            {"Name": "custom:foo", "Value": "bar"},
        ],
    )
    before = cognito.admin_get_user(UserPoolId=pool, Username="alice")
    answer = cognito.admin_delete_user_attributes(
        UserPoolId=pool, Username="alice", UserAttributeNames=["nickname", "custom:foo", "locale"]
    )
    answer.pop("ResponseMetadata")
    assert answer == {}
    after = cognito.admin_get_user(UserPoolId=pool, Username="alice")
    names = {a["Name"] for a in after["UserAttributes"]}
    assert names == {"sub", "given_name"}
    assert after["UserLastModifiedDate"] >= before["UserLastModifiedDate"]
    assert after["UserCreateDate"] == before["UserCreateDate"]


def test_unknown_attributes_are_all_reported(cognito):
    pool, client_id = make_pool_and_client(cognito)
    confirmed_user(cognito, pool, client_id, UserAttributes=[{"Name": "nickname", "Value": "Al"}])
    assert failure(
        cognito.admin_delete_user_attributes,
        UserPoolId=pool,
        Username="alice",
        UserAttributeNames=["nickname", "custom:foo", "custom:bar"],
    ) == invalid(
        "user.custom:foo: Attribute does not exist in the schema.",
        "user.custom:bar: Attribute does not exist in the schema.",
    )
    assert attributes_of(cognito, pool, "alice")["nickname"] == "Al"


def test_required_and_immutable_attributes_cannot_be_deleted(cognito):
    pool, client_id = make_pool_and_client(
        cognito,
        {
            "Schema": [
                {"Name": "email", "AttributeDataType": "String", "Required": True},
                {"Name": "badge", "AttributeDataType": "String", "Mutable": False},
            ]
        },
    )
    confirmed_user(
        cognito,
        pool,
        client_id,
        UserAttributes=[{"Name": "email", "Value": "alice@example.com"}, {"Name": "custom:badge", "Value": "b"}],
    )
    assert failure(
        cognito.admin_delete_user_attributes, UserPoolId=pool, Username="alice", UserAttributeNames=["email", "sub"]
    ) == invalid("user.email: Required attribute cannot be deleted.", "user.sub: Required attribute cannot be deleted.")
    assert failure(
        cognito.admin_delete_user_attributes, UserPoolId=pool, Username="alice", UserAttributeNames=["custom:badge"]
    ) == invalid("user.custom:badge: Immutable attribute cannot be deleted.")
    assert attributes_of(cognito, pool, "alice")["custom:badge"] == "b"


def test_admin_delete_of_an_unknown_user_or_pool(cognito):
    pool, _ = make_pool_and_client(cognito)
    assert failure(
        cognito.admin_delete_user_attributes, UserPoolId=pool, Username="nobody", UserAttributeNames=["nickname"]
    ) == (400, "UserNotFoundException", "User does not exist.")
    assert failure(
        cognito.admin_delete_user_attributes,
        UserPoolId="us-east-1_nosuch123",
        Username="nobody",
        UserAttributeNames=["nickname"],
    ) == (400, "ResourceNotFoundException", "User pool us-east-1_nosuch123 does not exist.")


# ---- DeleteUserAttributes ----------------------------------------------------------------------------------------
def test_a_user_deletes_its_own_attributes(cognito):
    pool, client_id = make_pool_and_client(cognito)
    confirmed_user(
        cognito,
        pool,
        client_id,
        UserAttributes=[{"Name": "email", "Value": "alice@example.com"}, {"Name": "nickname", "Value": "Al"}],
    )
    token = access_token(cognito, client_id)
    answer = cognito.delete_user_attributes(AccessToken=token, UserAttributeNames=["nickname"])
    answer.pop("ResponseMetadata")
    assert answer == {}
    shown = {a["Name"] for a in cognito.get_user(AccessToken=token)["UserAttributes"]}
    assert "nickname" not in shown
    assert "email" in shown


def test_a_user_deletes_only_what_its_client_may_write(cognito):
    pool, _ = make_pool_and_client(cognito)
    client_id = cognito.create_user_pool_client(
        UserPoolId=pool,
        ClientName="narrow",
        ExplicitAuthFlows=["ALLOW_USER_PASSWORD_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"],
        WriteAttributes=["email", "nickname"],
    )["UserPoolClient"]["ClientId"]
    confirmed_user(
        cognito,
        pool,
        client_id,
        UserAttributes=[{"Name": "email", "Value": "alice@example.com"}, {"Name": "nickname", "Value": "Al"}],
    )
    cognito.admin_update_user_attributes(
        UserPoolId=pool, Username="alice", UserAttributes=[{"Name": "given_name", "Value": "Alice"}]
    )
    token = access_token(cognito, client_id)
    for names in (["given_name"], ["nickname", "given_name"], ["email_verified"]):
        assert failure(cognito.delete_user_attributes, AccessToken=token, UserAttributeNames=names) == (
            UNAUTHORIZED_WRITE
        )
    assert {"nickname", "given_name", "email_verified"} <= set(attributes_of(cognito, pool, "alice"))


def test_delete_user_attributes_checks_the_schema_first(cognito):
    pool, client_id = make_pool_and_client(cognito)
    confirmed_user(cognito, pool, client_id)
    token = access_token(cognito, client_id)
    assert failure(cognito.delete_user_attributes, AccessToken=token, UserAttributeNames=["sub", "nope"]) == invalid(
        "user.nope: Attribute does not exist in the schema."
    )
    assert failure(cognito.delete_user_attributes, AccessToken=token, UserAttributeNames=["sub"]) == (
        UNAUTHORIZED_WRITE
    )


def test_delete_user_attributes_needs_a_valid_access_token(cognito):
    assert failure(cognito.delete_user_attributes, AccessToken="not-a-token", UserAttributeNames=["nickname"]) == (
        400,
        "NotAuthorizedException",
        "Invalid Access Token",
    )


def test_a_signed_out_user_cannot_delete_attributes(cognito):
    pool, client_id = make_pool_and_client(cognito)
    confirmed_user(cognito, pool, client_id, UserAttributes=[{"Name": "nickname", "Value": "Al"}])
    token = access_token(cognito, client_id)
    cognito.global_sign_out(AccessToken=token)
    assert failure(cognito.delete_user_attributes, AccessToken=token, UserAttributeNames=["nickname"]) == (
        400,
        "NotAuthorizedException",
        "Access Token has been revoked",
    )
    assert attributes_of(cognito, pool, "alice")["nickname"] == "Al"


# ---- what goes with a deleted email or phone number ---------------------------------------------------------------
def test_deleting_a_verified_alias_releases_it_to_another_user(cognito, server):
    pool, client_id = make_pool_and_client(cognito, {"AliasAttributes": ["email"], "AutoVerifiedAttributes": ["email"]})
    cognito.sign_up(
        ClientId=client_id,
        Username="alice",
        Password=PASSWORD,
        UserAttributes=[{"Name": "email", "Value": "alice@example.com"}],
    )
    cognito.confirm_sign_up(ClientId=client_id, Username="alice", ConfirmationCode=latest_code(server, pool, "alice"))
    assert keys_of(server, pool, "alice") == [("email", "alice@example.com")]
    assert password_auth(cognito, client_id, "alice@example.com")["AuthenticationResult"]

    cognito.delete_user_attributes(AccessToken=access_token(cognito, client_id), UserAttributeNames=["email"])

    left = attributes_of(cognito, pool, "alice")
    assert "email" not in left
    assert "email_verified" not in left
    assert keys_of(server, pool, "alice") == []
    assert failure(
        cognito.initiate_auth,
        ClientId=client_id,
        AuthFlow="USER_PASSWORD_AUTH",
        AuthParameters={"USERNAME": "alice@example.com", "PASSWORD": PASSWORD},
    ) == (400, "UserNotFoundException", "User does not exist.")

    # Another user confirms the same address: it becomes theirs, no ForceAliasCreation needed.
    cognito.sign_up(
        ClientId=client_id,
        Username="bob",
        Password=PASSWORD,
        UserAttributes=[{"Name": "email", "Value": "alice@example.com"}],
    )
    cognito.confirm_sign_up(ClientId=client_id, Username="bob", ConfirmationCode=latest_code(server, pool, "bob"))
    assert keys_of(server, pool, "bob") == [("email", "alice@example.com")]
    tokens = password_auth(cognito, client_id, "alice@example.com")["AuthenticationResult"]
    assert cognito.get_user(AccessToken=tokens["AccessToken"])["Username"] == "bob"


def test_deleting_the_verified_flag_releases_the_alias_and_keeps_the_address(cognito, server):
    pool, client_id = make_pool_and_client(cognito, {"AliasAttributes": ["phone_number"]})
    confirmed_user(cognito, pool, client_id)
    cognito.admin_update_user_attributes(
        UserPoolId=pool,
        Username="alice",
        UserAttributes=[
            {"Name": "phone_number", "Value": "+15555550100"},
            {"Name": "phone_number_verified", "Value": "true"},
        ],
    )
    assert keys_of(server, pool, "alice") == [("phone_number", "+15555550100")]
    cognito.admin_delete_user_attributes(
        UserPoolId=pool, Username="alice", UserAttributeNames=["phone_number_verified"]
    )
    left = attributes_of(cognito, pool, "alice")
    assert left["phone_number"] == "+15555550100"
    assert "phone_number_verified" not in left
    assert keys_of(server, pool, "alice") == []


def test_deleting_a_username_attribute_value_frees_it_for_sign_up(cognito, server):
    pool, client_id = make_pool_and_client(cognito, {"UsernameAttributes": ["email"]})
    cognito.sign_up(
        ClientId=client_id,
        Username="ann@example.com",
        Password=PASSWORD,
        UserAttributes=[{"Name": "email", "Value": "ann@example.com"}],
    )
    username = cognito.list_users(UserPoolId=pool)["Users"][0]["Username"]
    assert keys_of(server, pool, username) == [("email", "ann@example.com")]
    cognito.admin_delete_user_attributes(UserPoolId=pool, Username="ann@example.com", UserAttributeNames=["email"])
    assert keys_of(server, pool, username) == []
    cognito.sign_up(ClientId=client_id, Username="ann@example.com", Password=PASSWORD)
    assert len(cognito.list_users(UserPoolId=pool)["Users"]) == 2


def test_deleting_an_address_voids_its_pending_verification_code(cognito, server):
    pool, client_id = make_pool_and_client(cognito, {"AutoVerifiedAttributes": ["email"]})
    confirmed_user(cognito, pool, client_id)
    token = access_token(cognito, client_id)
    cognito.update_user_attributes(AccessToken=token, UserAttributes=[{"Name": "email", "Value": "new@example.com"}])
    code = latest_code(server, pool, "alice")
    assert codes_of(server, pool, "alice") == ["verify_email"]
    cognito.delete_user_attributes(AccessToken=token, UserAttributeNames=["email"])
    assert codes_of(server, pool, "alice") == []
    assert failure(cognito.verify_user_attribute, AccessToken=token, AttributeName="email", Code=code) == (
        400,
        "CodeMismatchException",
        "Invalid verification code provided, please try again.",
    )
