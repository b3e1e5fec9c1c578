"""Client secret rotation: AddUserPoolClientSecret, ListUserPoolClientSecrets, DeleteUserPoolClientSecret.

A confidential client has one or two active secrets; SecretHash and ClientSecret are accepted for either, so an
app can move to a new secret without downtime. Secret ids are Cognito's ``<client id>--<epoch create time>``."""

from __future__ import annotations

import base64
import hashlib
import hmac
import re
from typing import Any

import pytest
from botocore.exceptions import ClientError

from tests.helpers import error_of, latest_code
from tests.signin import PASSWORD, claims, password_auth, srp_user

NO_SECRET_HASH = "Unable to verify secret hash for client {}"


def secret_hash(secret: str, username: str, client_id: str) -> str:
    return base64.b64encode(
        hmac.new(secret.encode(), f"{username}{client_id}".encode(), hashlib.sha256).digest()
    ).decode()


def failure(call: Any, **params: Any) -> tuple[int, str, str]:
    with pytest.raises(ClientError) as excinfo:
        call(**params)
    return error_of(excinfo)


@pytest.fixture
def confidential(cognito: Any) -> tuple[str, str, str]:
    """(pool, client, its first secret), with a confirmed user alice."""
    pool = cognito.create_user_pool(PoolName="secrets")["UserPool"]["Id"]
    client = cognito.create_user_pool_client(
        UserPoolId=pool,
        ClientName="server",
        GenerateSecret=True,
        ExplicitAuthFlows=["ALLOW_USER_PASSWORD_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"],
    )["UserPoolClient"]
    cognito.admin_create_user(UserPoolId=pool, Username="alice", MessageAction="SUPPRESS")
    cognito.admin_set_user_password(UserPoolId=pool, Username="alice", Password=PASSWORD, Permanent=True)
    return pool, client["ClientId"], client["ClientSecret"]


def sign_in(cognito: Any, client: str, secret: str) -> dict[str, Any]:
    return password_auth(cognito, client, SECRET_HASH=secret_hash(secret, "alice", client))["AuthenticationResult"]


def test_the_first_secret_is_listed_without_its_value(cognito, confidential):
    pool, client, _ = confidential
    (listed,) = cognito.list_user_pool_client_secrets(UserPoolId=pool, ClientId=client)["ClientSecrets"]
    assert re.fullmatch(rf"{client}--\d+", listed["ClientSecretId"])
    assert "ClientSecretValue" not in listed and listed["ClientSecretCreateDate"]


def test_an_added_secret_works_beside_the_first(cognito, confidential):
    pool, client, first = confidential
    added = cognito.add_user_pool_client_secret(UserPoolId=pool, ClientId=client)["ClientSecretDescriptor"]
    second = added["ClientSecretValue"]
    assert re.fullmatch(r"[a-z0-9]{51}", second) and second != first
    assert re.fullmatch(rf"{client}--\d+", added["ClientSecretId"])
    listed = cognito.list_user_pool_client_secrets(UserPoolId=pool, ClientId=client)["ClientSecrets"]
    assert len(listed) == 2 and all("ClientSecretValue" not in s for s in listed)
    assert added["ClientSecretId"] in {s["ClientSecretId"] for s in listed}
    for secret in (first, second):
        tokens = sign_in(cognito, client, secret)
        refreshed = cognito.get_tokens_from_refresh_token(
            ClientId=client, RefreshToken=tokens["RefreshToken"], ClientSecret=secret
        )
        assert refreshed["AuthenticationResult"]["AccessToken"]
        cognito.revoke_token(Token=tokens["RefreshToken"], ClientId=client, ClientSecret=secret)


def test_a_given_secret_value_is_not_echoed(cognito, confidential):
    pool, client, _ = confidential
    mine = "my_own_secret_of_30_chars_abcd"
    added = cognito.add_user_pool_client_secret(UserPoolId=pool, ClientId=client, ClientSecret=mine)
    assert "ClientSecretValue" not in added["ClientSecretDescriptor"]
    assert sign_in(cognito, client, mine)["AccessToken"]


def test_a_client_has_at_most_two_secrets(cognito, confidential):
    pool, client, _ = confidential
    cognito.add_user_pool_client_secret(UserPoolId=pool, ClientId=client)
    assert failure(cognito.add_user_pool_client_secret, UserPoolId=pool, ClientId=client) == (
        400,
        "LimitExceededException",
        "A client can have at most 2 client secrets.",
    )
    assert len(cognito.list_user_pool_client_secrets(UserPoolId=pool, ClientId=client)["ClientSecrets"]) == 2


def test_a_deleted_secret_stops_working(cognito, confidential):
    pool, client, first = confidential
    (old,) = cognito.list_user_pool_client_secrets(UserPoolId=pool, ClientId=client)["ClientSecrets"]
    second = cognito.add_user_pool_client_secret(UserPoolId=pool, ClientId=client)["ClientSecretDescriptor"]
    cognito.delete_user_pool_client_secret(UserPoolId=pool, ClientId=client, ClientSecretId=old["ClientSecretId"])
    with pytest.raises(ClientError) as excinfo:
        sign_in(cognito, client, first)
    assert error_of(excinfo) == (400, "NotAuthorizedException", NO_SECRET_HASH.format(client))
    assert sign_in(cognito, client, second["ClientSecretValue"])["AccessToken"]
    described = cognito.describe_user_pool_client(UserPoolId=pool, ClientId=client)["UserPoolClient"]
    assert described["ClientSecret"] == second["ClientSecretValue"]
    (left,) = cognito.list_user_pool_client_secrets(UserPoolId=pool, ClientId=client)["ClientSecrets"]
    assert left["ClientSecretId"] == second["ClientSecretId"]


def test_the_last_secret_cannot_be_deleted(cognito, confidential):
    pool, client, first = confidential
    (only,) = cognito.list_user_pool_client_secrets(UserPoolId=pool, ClientId=client)["ClientSecrets"]
    assert failure(
        cognito.delete_user_pool_client_secret, UserPoolId=pool, ClientId=client, ClientSecretId=only["ClientSecretId"]
    ) == (400, "InvalidParameterException", "The last client secret of a client can't be deleted.")
    assert sign_in(cognito, client, first)["AccessToken"]


def test_unknown_secret_client_or_pool(cognito, confidential):
    pool, client, _ = confidential
    assert failure(
        cognito.delete_user_pool_client_secret, UserPoolId=pool, ClientId=client, ClientSecretId=f"{client}--1"
    ) == (400, "ResourceNotFoundException", "Client secret not found.")
    assert failure(cognito.list_user_pool_client_secrets, UserPoolId=pool, ClientId="nosuchclient00000000000000") == (
        400,
        "ResourceNotFoundException",
        "User pool client nosuchclient00000000000000 does not exist.",
    )
    assert failure(cognito.add_user_pool_client_secret, UserPoolId="us-east-1_nosuch", ClientId=client) == (
        400,
        "ResourceNotFoundException",
        "User pool us-east-1_nosuch does not exist.",
    )


def test_a_public_client_gets_no_secret(cognito):
    pool = cognito.create_user_pool(PoolName="public")["UserPool"]["Id"]
    client = cognito.create_user_pool_client(UserPoolId=pool, ClientName="spa")["UserPoolClient"]["ClientId"]
    assert failure(cognito.add_user_pool_client_secret, UserPoolId=pool, ClientId=client) == (
        400,
        "InvalidParameterException",
        "Client secrets can be added only to a client that has a secret.",
    )
    assert cognito.list_user_pool_client_secrets(UserPoolId=pool, ClientId=client)["ClientSecrets"] == []


# ---- beyond the brief's cases: every door that authenticates a client takes either secret ------------------------


def test_a_secret_hash_of_either_active_secret_works_for_sign_up_and_every_client_step(cognito, server):
    pool = cognito.create_user_pool(PoolName="rotation", AutoVerifiedAttributes=["email"])["UserPool"]["Id"]
    made = cognito.create_user_pool_client(
        UserPoolId=pool,
        ClientName="server",
        GenerateSecret=True,
        ExplicitAuthFlows=["ALLOW_USER_PASSWORD_AUTH", "ALLOW_ADMIN_USER_PASSWORD_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"],
    )["UserPoolClient"]
    client, first = made["ClientId"], made["ClientSecret"]
    second = cognito.add_user_pool_client_secret(UserPoolId=pool, ClientId=client)["ClientSecretDescriptor"][
        "ClientSecretValue"
    ]
    for name, secret in (("bob", first), ("carol", second)):
        hashed = secret_hash(secret, name, client)
        email = [{"Name": "email", "Value": f"{name}@example.com"}]
        cognito.sign_up(ClientId=client, Username=name, Password=PASSWORD, SecretHash=hashed, UserAttributes=email)
        cognito.resend_confirmation_code(ClientId=client, Username=name, SecretHash=hashed)
        code = latest_code(server, pool, name)
        cognito.confirm_sign_up(ClientId=client, Username=name, ConfirmationCode=code, SecretHash=hashed)
        tokens = password_auth(cognito, client, name, SECRET_HASH=hashed)["AuthenticationResult"]
        admin = cognito.admin_initiate_auth(
            UserPoolId=pool,
            ClientId=client,
            AuthFlow="ADMIN_USER_PASSWORD_AUTH",
            AuthParameters={"USERNAME": name, "PASSWORD": PASSWORD, "SECRET_HASH": hashed},
        )
        assert admin["AuthenticationResult"]["AccessToken"]
        other = second if secret == first else first  # a refresh may be hashed with the other secret
        refreshed = cognito.initiate_auth(
            ClientId=client,
            AuthFlow="REFRESH_TOKEN_AUTH",
            AuthParameters={"REFRESH_TOKEN": tokens["RefreshToken"], "SECRET_HASH": secret_hash(other, name, client)},
        )
        assert refreshed["AuthenticationResult"]["AccessToken"]
        cognito.forgot_password(ClientId=client, Username=name, SecretHash=hashed)
        code = latest_code(server, pool, name)
        cognito.confirm_forgot_password(
            ClientId=client, Username=name, ConfirmationCode=code, Password=PASSWORD + "x", SecretHash=hashed
        )
    assert cognito.admin_get_user(UserPoolId=pool, Username="carol")["UserStatus"] == "CONFIRMED"
    assert failure(
        cognito.sign_up,
        ClientId=client,
        Username="dave",
        Password=PASSWORD,
        SecretHash=secret_hash("x" * 51, "dave", client),
    ) == (400, "NotAuthorizedException", NO_SECRET_HASH.format(client))


def test_srp_sign_in_with_the_added_secret(cognito, server, confidential):
    pool, client, _ = confidential
    cognito.update_user_pool_client(UserPoolId=pool, ClientId=client, ExplicitAuthFlows=["ALLOW_USER_SRP_AUTH"])
    second = cognito.add_user_pool_client_secret(UserPoolId=pool, ClientId=client)["ClientSecretDescriptor"]
    user = srp_user(server.url, pool, client, "alice", second["ClientSecretValue"])
    user.authenticate(password=PASSWORD)
    assert claims(user.access_token)["client_id"] == client


def test_a_deleted_newer_secret_stops_working_and_the_oldest_stays(cognito, confidential):
    pool, client, first = confidential
    added = cognito.add_user_pool_client_secret(UserPoolId=pool, ClientId=client)["ClientSecretDescriptor"]
    described = cognito.describe_user_pool_client(UserPoolId=pool, ClientId=client)["UserPoolClient"]
    assert described["ClientSecret"] == first  # the oldest active secret
    cognito.delete_user_pool_client_secret(UserPoolId=pool, ClientId=client, ClientSecretId=added["ClientSecretId"])
    tokens = sign_in(cognito, client, first)
    with pytest.raises(ClientError) as excinfo:
        sign_in(cognito, client, added["ClientSecretValue"])
    assert error_of(excinfo) == (400, "NotAuthorizedException", NO_SECRET_HASH.format(client))
    assert failure(
        cognito.get_tokens_from_refresh_token,
        ClientId=client,
        RefreshToken=tokens["RefreshToken"],
        ClientSecret=added["ClientSecretValue"],
    ) == (400, "NotAuthorizedException", NO_SECRET_HASH.format(client))
    assert failure(
        cognito.revoke_token, Token=tokens["RefreshToken"], ClientId=client, ClientSecret=added["ClientSecretValue"]
    ) == (400, "UnauthorizedException", "Client authentication failed.")
    assert failure(
        cognito.delete_user_pool_client_secret,
        UserPoolId=pool,
        ClientId=client,
        ClientSecretId=added["ClientSecretId"],
    ) == (400, "ResourceNotFoundException", "Client secret not found.")


def test_rotation_round_trip_lists_oldest_first_with_distinct_ids(cognito, confidential):
    pool, client, first = confidential
    described = cognito.describe_user_pool_client(UserPoolId=pool, ClientId=client)["UserPoolClient"]
    (original,) = cognito.list_user_pool_client_secrets(UserPoolId=pool, ClientId=client)["ClientSecrets"]
    # the first secret was made with the client (its id carries the client's creation time, in milliseconds)
    assert original["ClientSecretId"] == f"{client}--{round(described['CreationDate'].timestamp() * 1000)}"
    seen = {original["ClientSecretId"]}
    current = first
    for _ in range(3):  # add a new secret, move to it, delete the old one
        added = cognito.add_user_pool_client_secret(UserPoolId=pool, ClientId=client)["ClientSecretDescriptor"]
        listed = cognito.list_user_pool_client_secrets(UserPoolId=pool, ClientId=client)["ClientSecrets"]
        assert [s["ClientSecretId"] for s in listed][1] == added["ClientSecretId"]
        assert listed[0]["ClientSecretCreateDate"] < listed[1]["ClientSecretCreateDate"]
        assert added["ClientSecretId"] not in seen
        seen.add(added["ClientSecretId"])
        cognito.delete_user_pool_client_secret(
            UserPoolId=pool, ClientId=client, ClientSecretId=listed[0]["ClientSecretId"]
        )
        with pytest.raises(ClientError):
            sign_in(cognito, client, current)
        current = added["ClientSecretValue"]
        assert sign_in(cognito, client, current)["AccessToken"]
    described = cognito.describe_user_pool_client(UserPoolId=pool, ClientId=client)["UserPoolClient"]
    assert described["ClientSecret"] == current


def test_an_added_secret_must_fit_the_models_constraints(raw_cognito, confidential):
    pool, client, _ = confidential
    prefix = "1 validation error detected: Value at 'clientSecret' failed to satisfy constraint: Member must "
    assert failure(
        raw_cognito.add_user_pool_client_secret, UserPoolId=pool, ClientId=client, ClientSecret="short_secret"
    ) == (400, "InvalidParameterException", prefix + "have length greater than or equal to 24")
    assert failure(
        raw_cognito.add_user_pool_client_secret, UserPoolId=pool, ClientId=client, ClientSecret="with-dashes-" * 3
    ) == (400, "InvalidParameterException", prefix + "satisfy regular expression pattern: [\\w+]+")
    assert len(raw_cognito.list_user_pool_client_secrets(UserPoolId=pool, ClientId=client)["ClientSecrets"]) == 1
