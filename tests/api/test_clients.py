"""CreateUserPoolClient, DescribeUserPoolClient, UpdateUserPoolClient, DeleteUserPoolClient and
ListUserPoolClients against the server."""

from __future__ import annotations

import datetime
import re

import pytest
from botocore.exceptions import ClientError

from tests.helpers import error_of

CLIENT_ID = re.compile(r"[a-z0-9]{26}")
CLIENT_SECRET = re.compile(r"[a-z0-9]{51}")
DEFAULT_FLOWS = ["ALLOW_REFRESH_TOKEN_AUTH", "ALLOW_CUSTOM_AUTH", "ALLOW_USER_SRP_AUTH"]
DEFAULTS = {
    "RefreshTokenValidity": 30,
    "AccessTokenValidity": 60,
    "IdTokenValidity": 60,
    "TokenValidityUnits": {"AccessToken": "minutes", "IdToken": "minutes", "RefreshToken": "days"},
    "ExplicitAuthFlows": DEFAULT_FLOWS,
    "AllowedOAuthFlowsUserPoolClient": False,
    "PreventUserExistenceErrors": "LEGACY",
    "EnableTokenRevocation": True,
    "EnablePropagateAdditionalUserContextData": False,
    "AuthSessionValidity": 3,
}
# Cognito's message for any token validity outside its range (access/ID 5 minutes-1 day, refresh 60
# minutes-10 years), as quoted from the live service, e.g. hashicorp/terraform-provider-aws#32504.
TOKEN_RANGE = "Invalid range for token validity."
MISSING_POOL = "us-east-1_Missing99"


def describe(cognito, pool_id, client_id):
    return cognito.describe_user_pool_client(UserPoolId=pool_id, ClientId=client_id)["UserPoolClient"]


def settings_of(client):
    """The client's settings, without identity, secret and dates."""
    skip = {"UserPoolId", "ClientId", "ClientName", "ClientSecret", "CreationDate", "LastModifiedDate"}
    return {k: v for k, v in client.items() if k not in skip}


@pytest.fixture
def pool_id(make_pool):
    return make_pool(
        PoolName="clients",
        Schema=[{"Name": "tier", "AttributeDataType": "String", "Mutable": True}],
    )["Id"]


# --- CreateUserPoolClient / DescribeUserPoolClient -------------------------------------------------------


def test_generate_secret_gives_a_secret_and_an_id(cognito, pool_id, make_app_client):
    client = make_app_client(pool_id, ClientName="confidential", GenerateSecret=True)
    assert CLIENT_ID.fullmatch(client["ClientId"]), client["ClientId"]
    assert CLIENT_SECRET.fullmatch(client["ClientSecret"]), client["ClientSecret"]
    assert client["UserPoolId"] == pool_id
    assert client["ClientName"] == "confidential"
    described = describe(cognito, pool_id, client["ClientId"])
    assert described["ClientSecret"] == client["ClientSecret"]


@pytest.mark.parametrize("extra", [{}, {"GenerateSecret": False}])
def test_no_secret_unless_asked(cognito, pool_id, make_app_client, extra):
    client = make_app_client(pool_id, **extra)
    assert CLIENT_ID.fullmatch(client["ClientId"]), client["ClientId"]
    assert "ClientSecret" not in client
    assert "ClientSecret" not in describe(cognito, pool_id, client["ClientId"])


def test_client_ids_and_secrets_are_unique(pool_id, make_app_client):
    clients = [make_app_client(pool_id, GenerateSecret=True) for _ in range(3)]
    assert len({c["ClientId"] for c in clients}) == 3
    assert len({c["ClientSecret"] for c in clients}) == 3


def test_defaults(cognito, pool_id, make_app_client):
    created = make_app_client(pool_id)
    assert settings_of(created) == DEFAULTS
    assert isinstance(created["CreationDate"], datetime.datetime)
    assert created["CreationDate"] == created["LastModifiedDate"]
    for absent in ("ReadAttributes", "WriteAttributes", "CallbackURLs", "AllowedOAuthFlows"):
        assert absent not in created
    assert describe(cognito, pool_id, created["ClientId"]) == created


def test_everything_sent_is_stored_and_described_back(cognito, pool_id, make_app_client):
    sent = {
        "RefreshTokenValidity": 12,
        "AccessTokenValidity": 2,
        "IdTokenValidity": 3600,
        "TokenValidityUnits": {"AccessToken": "hours", "IdToken": "seconds", "RefreshToken": "hours"},
        "ReadAttributes": ["email", "email_verified", "custom:tier"],
        "WriteAttributes": ["email", "custom:tier"],
        "ExplicitAuthFlows": ["ALLOW_USER_PASSWORD_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"],
        "SupportedIdentityProviders": ["COGNITO"],
        "CallbackURLs": ["https://example.com/callback"],
        "LogoutURLs": ["https://example.com/logout"],
        "DefaultRedirectURI": "https://example.com/callback",
        "AllowedOAuthFlows": ["code"],
        "AllowedOAuthScopes": ["openid", "email"],
        "AllowedOAuthFlowsUserPoolClient": True,
        "PreventUserExistenceErrors": "ENABLED",
        "EnableTokenRevocation": False,
        "EnablePropagateAdditionalUserContextData": True,
        "AuthSessionValidity": 15,
    }
    created = make_app_client(pool_id, ClientName="full", GenerateSecret=True, **sent)
    assert settings_of(created) == sent
    assert describe(cognito, pool_id, created["ClientId"]) == created


def test_read_and_write_attributes_are_stored(cognito, pool_id, make_app_client):
    client = make_app_client(
        pool_id,
        ReadAttributes=["name", "custom:tier", "email_verified"],
        WriteAttributes=["name", "custom:tier"],
    )
    described = describe(cognito, pool_id, client["ClientId"])
    assert described["ReadAttributes"] == ["name", "custom:tier", "email_verified"]
    assert described["WriteAttributes"] == ["name", "custom:tier"]


@pytest.mark.parametrize("which", ["Read", "Write"])
@pytest.mark.parametrize("name", ["nope", "tier", "custom:nope"])
def test_unknown_attribute_on_create(cognito, pool_id, which, name):
    with pytest.raises(ClientError) as excinfo:
        cognito.create_user_pool_client(UserPoolId=pool_id, ClientName="bad", **{f"{which}Attributes": ["email", name]})
    assert error_of(excinfo) == (
        400,
        "InvalidParameterException",
        f"Invalid {which.lower()} attributes specified while creating a client",
    )


@pytest.mark.parametrize("which", ["Read", "Write"])
def test_unknown_attribute_on_update(cognito, pool_id, make_app_client, which):
    client_id = make_app_client(pool_id)["ClientId"]
    with pytest.raises(ClientError) as excinfo:
        cognito.update_user_pool_client(
            UserPoolId=pool_id, ClientId=client_id, **{f"{which}Attributes": ["custom:unknown"]}
        )
    assert error_of(excinfo) == (
        400,
        "InvalidParameterException",
        f"Invalid {which.lower()} attributes specified while updating a client",
    )


@pytest.mark.parametrize(
    "validity",
    [
        {"AccessTokenValidity": 5},
        {"AccessTokenValidity": 24, "TokenValidityUnits": {"AccessToken": "hours"}},
        {"IdTokenValidity": 300, "TokenValidityUnits": {"IdToken": "seconds"}},
        {"IdTokenValidity": 1, "TokenValidityUnits": {"IdToken": "days"}},
        {"RefreshTokenValidity": 60, "TokenValidityUnits": {"RefreshToken": "minutes"}},
        {"RefreshTokenValidity": 3650},
    ],
)
def test_token_validity_at_the_limits_is_accepted(cognito, pool_id, make_app_client, validity):
    client = make_app_client(pool_id, **validity)
    described = describe(cognito, pool_id, client["ClientId"])
    for member in ("AccessTokenValidity", "IdTokenValidity", "RefreshTokenValidity"):
        if member in validity:
            assert described[member] == validity[member]
    for unit_key, unit in validity.get("TokenValidityUnits", {}).items():
        assert described["TokenValidityUnits"][unit_key] == unit


@pytest.mark.parametrize(
    "validity",
    [
        {"AccessTokenValidity": 4},
        {"AccessTokenValidity": 25, "TokenValidityUnits": {"AccessToken": "hours"}},
        {"IdTokenValidity": 299, "TokenValidityUnits": {"IdToken": "seconds"}},
        {"IdTokenValidity": 2, "TokenValidityUnits": {"IdToken": "days"}},
        {"RefreshTokenValidity": 59, "TokenValidityUnits": {"RefreshToken": "minutes"}},
        {"RefreshTokenValidity": 3651},
    ],
)
def test_token_validity_out_of_range_is_rejected(cognito, pool_id, validity):
    with pytest.raises(ClientError) as excinfo:
        cognito.create_user_pool_client(UserPoolId=pool_id, ClientName="bad", **validity)
    assert error_of(excinfo) == (400, "InvalidParameterException", TOKEN_RANGE)


def test_token_validity_out_of_range_on_update_is_rejected(cognito, pool_id, make_app_client):
    client_id = make_app_client(pool_id)["ClientId"]
    with pytest.raises(ClientError) as excinfo:
        cognito.update_user_pool_client(UserPoolId=pool_id, ClientId=client_id, AccessTokenValidity=1441)
    assert error_of(excinfo) == (400, "InvalidParameterException", TOKEN_RANGE)


def test_legacy_flows_alone_are_accepted(cognito, pool_id, make_app_client):
    client = make_app_client(pool_id, ExplicitAuthFlows=["ADMIN_NO_SRP_AUTH", "USER_PASSWORD_AUTH"])
    described = describe(cognito, pool_id, client["ClientId"])
    assert described["ExplicitAuthFlows"] == ["ADMIN_NO_SRP_AUTH", "USER_PASSWORD_AUTH"]


def test_mixing_legacy_and_allow_flows_is_rejected(cognito, pool_id):
    with pytest.raises(ClientError) as excinfo:
        cognito.create_user_pool_client(
            UserPoolId=pool_id,
            ClientName="mixed",
            ExplicitAuthFlows=["ALLOW_USER_SRP_AUTH", "USER_PASSWORD_AUTH"],
        )
    # The live wording is not public (unverified); the server's is pinned here.
    assert error_of(excinfo) == (
        400,
        "InvalidParameterException",
        "ExplicitAuthFlows can't have both ALLOW_XXX and legacy values.",
    )


def test_bad_explicit_auth_flow_fails_validation(raw_cognito, pool_id):
    with pytest.raises(ClientError) as excinfo:
        raw_cognito.create_user_pool_client(
            UserPoolId=pool_id, ClientName="bad", ExplicitAuthFlows=["PASSWORD_AUTH", "ALLOW_USER_SRP_AUTH"]
        )
    assert error_of(excinfo) == (
        400,
        "InvalidParameterException",
        "1 validation error detected: Value 'PASSWORD_AUTH' at 'explicitAuthFlows.1.member' failed to "
        "satisfy constraint: Member must satisfy enum value set: [ADMIN_NO_SRP_AUTH, CUSTOM_AUTH_FLOW_ONLY, "
        "USER_PASSWORD_AUTH, ALLOW_ADMIN_USER_PASSWORD_AUTH, ALLOW_CUSTOM_AUTH, ALLOW_USER_PASSWORD_AUTH, "
        "ALLOW_USER_SRP_AUTH, ALLOW_REFRESH_TOKEN_AUTH, ALLOW_USER_AUTH, ALLOW_TOKEN_EXCHANGE_DELEGATION, "
        "ALLOW_TOKEN_EXCHANGE_IMPERSONATION]",
    )


def test_client_name_missing_and_auth_session_validity_out_of_range(raw_cognito, pool_id):
    with pytest.raises(ClientError) as excinfo:
        raw_cognito.create_user_pool_client(UserPoolId=pool_id, AuthSessionValidity=16)
    assert error_of(excinfo) == (
        400,
        "InvalidParameterException",
        "2 validation errors detected: Value '16' at 'authSessionValidity' failed to satisfy constraint: "
        "Member must have value less than or equal to 15; Value null at 'clientName' failed to satisfy "
        "constraint: Member must not be null",
    )


def test_create_in_unknown_pool_is_not_found(cognito):
    with pytest.raises(ClientError) as excinfo:
        cognito.create_user_pool_client(UserPoolId=MISSING_POOL, ClientName="app")
    assert error_of(excinfo) == (
        400,
        "ResourceNotFoundException",
        f"User pool {MISSING_POOL} does not exist.",
    )


# --- UpdateUserPoolClient --------------------------------------------------------------------------------


def test_update_replaces_settings_and_keeps_id_and_secret(cognito, pool_id, make_app_client):
    created = make_app_client(
        pool_id,
        ClientName="before",
        GenerateSecret=True,
        RefreshTokenValidity=7,
        AccessTokenValidity=10,
        ReadAttributes=["email"],
        WriteAttributes=["email"],
        ExplicitAuthFlows=["ALLOW_USER_PASSWORD_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"],
        PreventUserExistenceErrors="ENABLED",
        EnableTokenRevocation=False,
        AuthSessionValidity=10,
    )
    updated = cognito.update_user_pool_client(UserPoolId=pool_id, ClientId=created["ClientId"], IdTokenValidity=30)[
        "UserPoolClient"
    ]

    assert updated["ClientId"] == created["ClientId"]
    assert updated["ClientSecret"] == created["ClientSecret"]
    assert updated["ClientName"] == "before"
    assert updated["CreationDate"] == created["CreationDate"]
    assert updated["LastModifiedDate"] > created["LastModifiedDate"]
    assert settings_of(updated) == {**DEFAULTS, "IdTokenValidity": 30}
    assert describe(cognito, pool_id, created["ClientId"]) == updated


def test_update_stores_what_it_is_sent(cognito, pool_id, make_app_client):
    client_id = make_app_client(pool_id)["ClientId"]
    sent = {
        "RefreshTokenValidity": 90,
        "AccessTokenValidity": 120,
        "IdTokenValidity": 120,
        "TokenValidityUnits": {"AccessToken": "minutes", "IdToken": "minutes", "RefreshToken": "minutes"},
        "ReadAttributes": ["custom:tier"],
        "WriteAttributes": ["custom:tier"],
        "ExplicitAuthFlows": ["ALLOW_ADMIN_USER_PASSWORD_AUTH"],
        "AllowedOAuthFlowsUserPoolClient": False,
        "PreventUserExistenceErrors": "ENABLED",
        "EnableTokenRevocation": True,
        "EnablePropagateAdditionalUserContextData": False,
        "AuthSessionValidity": 4,
    }
    updated = cognito.update_user_pool_client(UserPoolId=pool_id, ClientId=client_id, ClientName="renamed", **sent)[
        "UserPoolClient"
    ]
    assert updated["ClientName"] == "renamed"
    assert "ClientSecret" not in updated
    assert settings_of(updated) == sent
    assert describe(cognito, pool_id, client_id) == updated


# --- Not found -------------------------------------------------------------------------------------------


def _call(cognito, operation, pool_id, client_id):
    kwargs = {"UserPoolId": pool_id, "ClientId": client_id}
    return getattr(cognito, operation)(**kwargs)


OPERATIONS = ["describe_user_pool_client", "update_user_pool_client", "delete_user_pool_client"]


@pytest.mark.parametrize("operation", OPERATIONS)
def test_client_of_another_pool_is_not_found(cognito, make_pool, make_app_client, operation):
    pool_a = make_pool(PoolName="a")["Id"]
    pool_b = make_pool(PoolName="b")["Id"]
    client_id = make_app_client(pool_a)["ClientId"]
    with pytest.raises(ClientError) as excinfo:
        _call(cognito, operation, pool_b, client_id)
    assert error_of(excinfo) == (
        400,
        "ResourceNotFoundException",
        f"User pool client {client_id} does not exist.",
    )
    # Untouched in its own pool.
    assert describe(cognito, pool_a, client_id)["ClientId"] == client_id


@pytest.mark.parametrize("operation", OPERATIONS)
def test_unknown_client_is_not_found(cognito, pool_id, operation):
    with pytest.raises(ClientError) as excinfo:
        _call(cognito, operation, pool_id, "1example23456789abcdefghij")
    assert error_of(excinfo) == (
        400,
        "ResourceNotFoundException",
        "User pool client 1example23456789abcdefghij does not exist.",
    )


@pytest.mark.parametrize("operation", OPERATIONS)
def test_unknown_pool_is_not_found(cognito, pool_id, make_app_client, operation):
    client_id = make_app_client(pool_id)["ClientId"]
    with pytest.raises(ClientError) as excinfo:
        _call(cognito, operation, MISSING_POOL, client_id)
    assert error_of(excinfo) == (
        400,
        "ResourceNotFoundException",
        f"User pool {MISSING_POOL} does not exist.",
    )


def test_list_clients_of_unknown_pool_is_not_found(cognito):
    with pytest.raises(ClientError) as excinfo:
        cognito.list_user_pool_clients(UserPoolId=MISSING_POOL)
    assert error_of(excinfo) == (
        400,
        "ResourceNotFoundException",
        f"User pool {MISSING_POOL} does not exist.",
    )


# --- DeleteUserPoolClient --------------------------------------------------------------------------------


def test_delete_then_describe_is_not_found(cognito, pool_id, make_app_client):
    client_id = make_app_client(pool_id)["ClientId"]
    keep = make_app_client(pool_id)["ClientId"]
    cognito.delete_user_pool_client(UserPoolId=pool_id, ClientId=client_id)
    with pytest.raises(ClientError) as excinfo:
        describe(cognito, pool_id, client_id)
    assert error_of(excinfo) == (
        400,
        "ResourceNotFoundException",
        f"User pool client {client_id} does not exist.",
    )
    listed = [c["ClientId"] for c in cognito.list_user_pool_clients(UserPoolId=pool_id)["UserPoolClients"]]
    assert listed == [keep]


# --- ListUserPoolClients ---------------------------------------------------------------------------------


def test_list_clients_pages_with_max_results_and_next_token(cognito, pool_id, make_app_client):
    made = {make_app_client(pool_id, ClientName=f"app-{i}")["ClientId"]: f"app-{i}" for i in range(5)}
    seen = []
    kwargs = {"UserPoolId": pool_id, "MaxResults": 2}
    sizes = []
    while True:
        page = cognito.list_user_pool_clients(**kwargs)
        sizes.append(len(page["UserPoolClients"]))
        for entry in page["UserPoolClients"]:
            assert entry == {
                "ClientId": entry["ClientId"],
                "UserPoolId": pool_id,
                "ClientName": made[entry["ClientId"]],
            }
        seen += [c["ClientId"] for c in page["UserPoolClients"]]
        if "NextToken" not in page:
            break
        kwargs["NextToken"] = page["NextToken"]
    assert sizes == [2, 2, 1]
    assert sorted(seen) == sorted(made)


def test_list_clients_without_max_results_returns_all(cognito, pool_id, make_app_client):
    made = {make_app_client(pool_id)["ClientId"] for _ in range(3)}
    page = cognito.list_user_pool_clients(UserPoolId=pool_id)
    assert {c["ClientId"] for c in page["UserPoolClients"]} == made
    assert "NextToken" not in page


def test_list_clients_of_an_empty_pool(cognito, pool_id):
    page = cognito.list_user_pool_clients(UserPoolId=pool_id, MaxResults=10)
    assert page["UserPoolClients"] == []
    assert "NextToken" not in page


def test_list_clients_only_lists_its_own_pool(cognito, make_pool, make_app_client):
    pool_a = make_pool(PoolName="a")["Id"]
    pool_b = make_pool(PoolName="b")["Id"]
    mine = make_app_client(pool_a)["ClientId"]
    make_app_client(pool_b)
    listed = cognito.list_user_pool_clients(UserPoolId=pool_a, MaxResults=60)["UserPoolClients"]
    assert [c["ClientId"] for c in listed] == [mine]


@pytest.mark.parametrize(
    ("value", "constraint"),
    [
        (0, "Member must have value greater than or equal to 1"),
        (61, "Member must have value less than or equal to 60"),
    ],
    ids=["0", "61"],
)
def test_list_clients_max_results_out_of_range(raw_cognito, pool_id, value, constraint):
    with pytest.raises(ClientError) as excinfo:
        raw_cognito.list_user_pool_clients(UserPoolId=pool_id, MaxResults=value)
    assert error_of(excinfo) == (
        400,
        "InvalidParameterException",
        f"1 validation error detected: Value '{value}' at 'maxResults' failed to satisfy constraint: {constraint}",
    )


def test_list_clients_bad_next_token(cognito, pool_id):
    with pytest.raises(ClientError) as excinfo:
        cognito.list_user_pool_clients(UserPoolId=pool_id, MaxResults=2, NextToken="garbage")
    # Cognito's wording for a token it did not issue is not public (unverified); the server's is pinned here.
    assert error_of(excinfo) == (400, "InvalidParameterException", "Invalid pagination token.")
