"""A pool's schema: custom attributes at CreateUserPool and AddCustomAttributes, Cognito's checks of their types and
constraints, and developer-only (``dev:custom:``) attributes, which only administrator operations write."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest
from botocore.exceptions import ClientError

from tests.helpers import PASSWORD, error_of
from tests.signin import make_pool_and_client, password_auth

UNAUTHORIZED_WRITE = (400, "NotAuthorizedException", "A client attempted to write unauthorized attribute")


def failure(call: Any, **params: Any) -> tuple[int, str, str]:
    with pytest.raises(ClientError) as excinfo:
        call(**params)
    return error_of(excinfo)


def schema_of(cognito: Any, pool_id: str) -> dict[str, dict[str, Any]]:
    return {a["Name"]: a for a in cognito.describe_user_pool(UserPoolId=pool_id)["UserPool"]["SchemaAttributes"]}


def invalid(message: str) -> tuple[int, str, str]:
    return (400, "InvalidParameterException", message)


# ---- CreateUserPool ----------------------------------------------------------------------------------------------
def test_custom_attribute_defaults_and_constraints_are_echoed_as_sent(cognito, make_pool):
    pool = make_pool(
        Schema=[
            {"Name": "plain", "AttributeDataType": "String"},
            {"Name": "count", "AttributeDataType": "Number"},
            {"Name": "short", "AttributeDataType": "String", "StringAttributeConstraints": {"MaxLength": "10"}},
            {"Name": "low", "AttributeDataType": "Number", "NumberAttributeConstraints": {"MinValue": "-5"}},
            {
                "Name": "flag",
                "AttributeDataType": "Boolean",
                "StringAttributeConstraints": {"MaxLength": "3"},
                "NumberAttributeConstraints": {"MaxValue": "3"},
            },
            {"Name": "when", "AttributeDataType": "DateTime", "Mutable": False},
            {
                "Name": "typed",
                "AttributeDataType": "String",
                "StringAttributeConstraints": {"MinLength": "1", "MaxLength": "5"},
                "NumberAttributeConstraints": {"MinValue": "1"},
            },
        ]
    )
    schema = schema_of(cognito, pool["Id"])
    base = {"DeveloperOnlyAttribute": False, "Mutable": True, "Required": False}
    assert schema["custom:plain"] == {
        "Name": "custom:plain",
        "AttributeDataType": "String",
        **base,
        "StringAttributeConstraints": {},
    }
    assert schema["custom:count"] == {"Name": "custom:count", "AttributeDataType": "Number", **base}
    assert schema["custom:short"]["StringAttributeConstraints"] == {"MaxLength": "10"}
    assert schema["custom:low"]["NumberAttributeConstraints"] == {"MinValue": "-5"}
    assert schema["custom:flag"] == {"Name": "custom:flag", "AttributeDataType": "Boolean", **base}
    assert schema["custom:when"] == {"Name": "custom:when", "AttributeDataType": "DateTime", **base, "Mutable": False}
    assert schema["custom:typed"]["StringAttributeConstraints"] == {"MinLength": "1", "MaxLength": "5"}
    assert "NumberAttributeConstraints" not in schema["custom:typed"]


def test_a_name_is_always_prefixed_even_one_that_starts_with_custom(cognito, make_pool):
    schema = schema_of(cognito, make_pool(Schema=[{"Name": "custom:x", "AttributeDataType": "String"}])["Id"])
    assert "custom:custom:x" in schema
    assert "custom:x" not in schema


def test_a_developer_only_attribute_is_named_dev_custom(cognito, make_pool):
    pool = make_pool(Schema=[{"Name": "secret", "AttributeDataType": "String", "DeveloperOnlyAttribute": True}])
    schema = schema_of(cognito, pool["Id"])
    assert schema["dev:custom:secret"]["DeveloperOnlyAttribute"] is True
    assert "custom:secret" not in schema


def test_a_custom_attribute_needs_a_data_type(cognito):
    assert failure(cognito.create_user_pool, PoolName="p", Schema=[{"Name": "untyped"}]) == invalid(
        "Invalid AttributeDataType input, consider using the provided AttributeDataType enum."
    )


@pytest.mark.parametrize(
    ("attribute", "message"),
    [
        (
            {"Name": "email", "AttributeDataType": "Number"},
            "You can not change AttributeDataType or set developerOnlyAttribute for standard schema attribute email",
        ),
        (
            {"Name": "email", "DeveloperOnlyAttribute": True},
            "You can not change AttributeDataType or set developerOnlyAttribute for standard schema attribute email",
        ),
        (
            {"Name": "email", "AttributeDataType": "String", "StringAttributeConstraints": {"MinLength": "x"}},
            "Invalid StringAttributeConstraints for schema attribute email",
        ),
        (
            {"Name": "tier", "AttributeDataType": "String", "StringAttributeConstraints": {"MaxLength": "-1"}},
            "Invalid StringAttributeConstraints for schema attribute custom:tier",
        ),
        (
            {"Name": "tier", "AttributeDataType": "String", "StringAttributeConstraints": {"MaxLength": "1.5"}},
            "Invalid StringAttributeConstraints for schema attribute custom:tier",
        ),
        (
            {"Name": "updated_at", "AttributeDataType": "Number", "NumberAttributeConstraints": {"MaxValue": "x"}},
            "Invalid NumberAttributeConstraints for schema attribute updated_at",
        ),
        (
            {"Name": "age", "AttributeDataType": "Number", "NumberAttributeConstraints": {"MinValue": "zero"}},
            "Invalid NumberAttributeConstraints for schema attribute custom:age",
        ),
        (
            {"Name": "email", "AttributeDataType": "String", "StringAttributeConstraints": {"MaxLength": "2049"}},
            "user.email: String attributes cannot have a length of more than 2048",
        ),
        (
            {"Name": "tier", "AttributeDataType": "String", "StringAttributeConstraints": {"MinLength": "2049"}},
            "user.custom:tier: String attributes cannot have a length of more than 2048",
        ),
        (
            {
                "Name": "tier",
                "AttributeDataType": "String",
                "StringAttributeConstraints": {"MinLength": "5", "MaxLength": "4"},
            },
            "user.custom:tier: Max length cannot be less than min length.",
        ),
        (
            {
                "Name": "updated_at",
                "AttributeDataType": "Number",
                "NumberAttributeConstraints": {"MinValue": "2", "MaxValue": "1"},
            },
            "user.updated_at: Max value cannot be less than min value.",
        ),
        (
            {
                "Name": "secret",
                "AttributeDataType": "Number",
                "DeveloperOnlyAttribute": True,
                "NumberAttributeConstraints": {"MinValue": "10", "MaxValue": "-10"},
            },
            "user.dev:custom:secret: Max value cannot be less than min value.",
        ),
        (
            {"Name": "tier", "AttributeDataType": "String", "Required": True},
            "Required custom attributes are not supported currently.",
        ),
    ],
)
def test_schema_checks(cognito, attribute, message):
    assert failure(cognito.create_user_pool, PoolName="p", Schema=[attribute]) == invalid(message)


def test_a_standard_attributes_constraints_are_merged_and_checked(cognito, make_pool):
    pool = make_pool(
        Schema=[{"Name": "name", "AttributeDataType": "String", "StringAttributeConstraints": {"MaxLength": "30"}}]
    )
    assert schema_of(cognito, pool["Id"])["name"]["StringAttributeConstraints"] == {"MinLength": "0", "MaxLength": "30"}


def test_a_schema_of_more_than_fifty_attributes_is_refused_by_the_model(cognito):
    schema = [{"Name": f"a{i}", "AttributeDataType": "String"} for i in range(51)]
    assert failure(cognito.create_user_pool, PoolName="p", Schema=schema) == invalid(
        "1 validation error detected: Value at 'schema' failed to satisfy constraint: "
        "Member must have length less than or equal to 50"
    )


def test_a_refused_schema_creates_no_pool(cognito, server):
    before = {
        p["Id"] for page in cognito.get_paginator("list_user_pools").paginate(MaxResults=60) for p in page["UserPools"]
    }
    failure(cognito.create_user_pool, PoolName="refused", Schema=[{"Name": "untyped"}])
    after = {
        p["Id"] for page in cognito.get_paginator("list_user_pools").paginate(MaxResults=60) for p in page["UserPools"]
    }
    assert after - before == set()


# ---- AddCustomAttributes -----------------------------------------------------------------------------------------
def test_add_custom_attributes_appends_to_the_schema_and_moves_last_modified(cognito, make_pool):
    pool = make_pool(Schema=[{"Name": "first", "AttributeDataType": "String"}])
    before = cognito.describe_user_pool(UserPoolId=pool["Id"])["UserPool"]
    answer = cognito.add_custom_attributes(
        UserPoolId=pool["Id"],
        CustomAttributes=[
            {"Name": "plan", "AttributeDataType": "String", "StringAttributeConstraints": {"MinLength": "1"}},
            {"Name": "score", "AttributeDataType": "Number", "Mutable": False},
            {"Name": "internal", "AttributeDataType": "Boolean", "DeveloperOnlyAttribute": True},
        ],
    )
    answer.pop("ResponseMetadata")
    assert answer == {}
    after = cognito.describe_user_pool(UserPoolId=pool["Id"])["UserPool"]
    names = [a["Name"] for a in after["SchemaAttributes"]]
    assert names == [a["Name"] for a in before["SchemaAttributes"]] + [
        "custom:plan",
        "custom:score",
        "dev:custom:internal",
    ]
    schema = {a["Name"]: a for a in after["SchemaAttributes"]}
    assert schema["custom:plan"]["StringAttributeConstraints"] == {"MinLength": "1"}
    assert schema["custom:score"]["Mutable"] is False
    assert schema["dev:custom:internal"]["DeveloperOnlyAttribute"] is True
    assert after["LastModifiedDate"] >= before["LastModifiedDate"]
    assert after["CreationDate"] == before["CreationDate"]


def test_an_added_attribute_can_be_written_at_once(cognito):
    pool, client_id = make_pool_and_client(cognito)
    cognito.add_custom_attributes(UserPoolId=pool, CustomAttributes=[{"Name": "team", "AttributeDataType": "String"}])
    cognito.sign_up(
        ClientId=client_id,
        Username="ann",
        Password=PASSWORD,
        UserAttributes=[{"Name": "custom:team", "Value": "blue"}],
    )
    attributes = cognito.admin_get_user(UserPoolId=pool, Username="ann")["UserAttributes"]
    assert {"Name": "custom:team", "Value": "blue"} in attributes


@pytest.mark.parametrize(
    ("existing", "added", "message"),
    [
        ({"Name": "tier", "AttributeDataType": "String"}, {"Name": "tier", "AttributeDataType": "Number"},
         "custom:tier: Existing attribute already has name custom:tier."),
        ({"Name": "tier", "AttributeDataType": "String", "DeveloperOnlyAttribute": True},
         {"Name": "tier", "AttributeDataType": "String", "DeveloperOnlyAttribute": True},
         "custom:tier: Existing attribute already has name dev:custom:tier."),
    ],
    ids=["custom", "developer-only"],
)  # fmt: skip
def test_adding_an_existing_name_is_refused(cognito, make_pool, existing, added, message):
    pool = make_pool(Schema=[existing])
    before = schema_of(cognito, pool["Id"])
    assert failure(cognito.add_custom_attributes, UserPoolId=pool["Id"], CustomAttributes=[added]) == invalid(message)
    assert schema_of(cognito, pool["Id"]) == before


def test_a_name_twice_in_one_request_is_refused_and_nothing_is_added(cognito, make_pool):
    pool = make_pool()
    twice = [{"Name": "dup", "AttributeDataType": "String"}, {"Name": "dup", "AttributeDataType": "String"}]
    assert failure(cognito.add_custom_attributes, UserPoolId=pool["Id"], CustomAttributes=twice) == invalid(
        "custom:dup: Existing attribute already has name custom:dup."
    )
    assert "custom:dup" not in schema_of(cognito, pool["Id"])


BACKWARDS = {"MinValue": "9", "MaxValue": "1"}


def test_add_custom_attributes_applies_the_schema_checks(cognito, make_pool):
    pool = make_pool()
    assert failure(
        cognito.add_custom_attributes, UserPoolId=pool["Id"], CustomAttributes=[{"Name": "untyped"}]
    ) == invalid("Invalid AttributeDataType input, consider using the provided AttributeDataType enum.")
    assert failure(
        cognito.add_custom_attributes,
        UserPoolId=pool["Id"],
        CustomAttributes=[{"Name": "r", "AttributeDataType": "String", "Required": True}],
    ) == invalid("Required custom attributes are not supported currently.")
    assert failure(
        cognito.add_custom_attributes,
        UserPoolId=pool["Id"],
        CustomAttributes=[
            {
                "Name": "n",
                "AttributeDataType": "Number",
                "NumberAttributeConstraints": {"MinValue": "9", "MaxValue": "1"},
            }
        ],
    ) == invalid("user.custom:n: Max value cannot be less than min value.")


def test_the_fifty_first_custom_attribute_is_refused(cognito, make_pool):
    pool = make_pool(Schema=[{"Name": f"a{i}", "AttributeDataType": "String"} for i in range(30)])
    batch = [{"Name": f"b{i}", "AttributeDataType": "String"} for i in range(20)]
    cognito.add_custom_attributes(UserPoolId=pool["Id"], CustomAttributes=batch)
    assert len([n for n in schema_of(cognito, pool["Id"]) if n.startswith("custom:")]) == 50
    assert failure(
        cognito.add_custom_attributes,
        UserPoolId=pool["Id"],
        CustomAttributes=[{"Name": "one_more", "AttributeDataType": "String"}],
    ) == invalid("A user pool can have at most 50 custom attributes.")


def test_racing_additions_and_updates_lose_no_attribute(cognito, make_pool):
    pool = make_pool()

    def add(i: int) -> None:
        cognito.add_custom_attributes(
            UserPoolId=pool["Id"], CustomAttributes=[{"Name": f"r{i}", "AttributeDataType": "String"}]
        )

    def update(i: int) -> None:
        cognito.update_user_pool(UserPoolId=pool["Id"], MfaConfiguration="OFF")

    with ThreadPoolExecutor(6) as threads:
        list(threads.map(lambda i: (add if i % 2 else update)(i), range(12)))
    assert {f"custom:r{i}" for i in range(1, 12, 2)} <= set(schema_of(cognito, pool["Id"]))


def test_add_custom_attributes_to_an_unknown_pool(cognito):
    assert failure(
        cognito.add_custom_attributes,
        UserPoolId="us-east-1_nosuch123",
        CustomAttributes=[{"Name": "x", "AttributeDataType": "String"}],
    ) == (400, "ResourceNotFoundException", "User pool us-east-1_nosuch123 does not exist.")


def test_add_custom_attributes_model_limits(raw_cognito, make_pool):
    pool = make_pool()
    with pytest.raises(ClientError) as excinfo:
        raw_cognito.add_custom_attributes(
            UserPoolId=pool["Id"], CustomAttributes=[{"Name": "a" * 21, "AttributeDataType": "String"}]
        )
    assert error_of(excinfo) == invalid(
        f"1 validation error detected: Value '{'a' * 21}' at 'customAttributes.1.member.name' failed to satisfy "
        "constraint: Member must have length less than or equal to 20"
    )
    with pytest.raises(ClientError) as excinfo:
        raw_cognito.add_custom_attributes(
            UserPoolId=pool["Id"], CustomAttributes=[{"Name": "ok", "AttributeDataType": "String"}, {}]
        )
    assert error_of(excinfo) == invalid(
        "1 validation error detected: Value null at 'customAttributes.2.member.name' failed to satisfy constraint: "
        "Member must not be null"
    )
    with pytest.raises(ClientError) as excinfo:
        raw_cognito.add_custom_attributes(UserPoolId=pool["Id"], CustomAttributes=[])
    assert error_of(excinfo)[:2] == (400, "InvalidParameterException")


# ---- developer-only attributes -----------------------------------------------------------------------------------
@pytest.fixture
def dev_pool(cognito):
    """A pool with a developer-only attribute and a client that lists it among its WriteAttributes."""
    pool, client_id = make_pool_and_client(
        cognito,
        {"Schema": [{"Name": "level", "AttributeDataType": "String", "DeveloperOnlyAttribute": True}]},
    )
    listed = cognito.create_user_pool_client(
        UserPoolId=pool,
        ClientName="listed",
        ExplicitAuthFlows=["ALLOW_USER_PASSWORD_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"],
        WriteAttributes=["email", "dev:custom:level"],
    )["UserPoolClient"]["ClientId"]
    return pool, client_id, listed


def test_sign_up_cannot_write_a_developer_only_attribute(cognito, dev_pool):
    pool, client_id, listed = dev_pool
    for client in (client_id, listed):
        assert (
            failure(
                cognito.sign_up,
                ClientId=client,
                Username="eve",
                Password=PASSWORD,
                UserAttributes=[{"Name": "dev:custom:level", "Value": "admin"}],
            )
            == UNAUTHORIZED_WRITE
        )
    assert failure(cognito.admin_get_user, UserPoolId=pool, Username="eve") == (
        400,
        "UserNotFoundException",
        "User does not exist.",
    )


def test_only_administrators_write_a_developer_only_attribute_and_everyone_reads_it(cognito, dev_pool):
    pool, client_id, listed = dev_pool
    cognito.admin_create_user(
        UserPoolId=pool,
        Username="ann",
        TemporaryPassword=PASSWORD,
        MessageAction="SUPPRESS",
        UserAttributes=[{"Name": "dev:custom:level", "Value": "gold"}],
    )
    cognito.admin_set_user_password(UserPoolId=pool, Username="ann", Password=PASSWORD, Permanent=True)
    cognito.admin_update_user_attributes(
        UserPoolId=pool, Username="ann", UserAttributes=[{"Name": "dev:custom:level", "Value": "platinum"}]
    )
    for client in (client_id, listed):
        token = password_auth(cognito, client, "ann")["AuthenticationResult"]["AccessToken"]
        assert (
            failure(
                cognito.update_user_attributes,
                AccessToken=token,
                UserAttributes=[{"Name": "dev:custom:level", "Value": "diamond"}],
            )
            == UNAUTHORIZED_WRITE
        )
        assert (
            failure(cognito.delete_user_attributes, AccessToken=token, UserAttributeNames=["dev:custom:level"])
            == UNAUTHORIZED_WRITE
        )
        assert {"Name": "dev:custom:level", "Value": "platinum"} in cognito.get_user(AccessToken=token)[
            "UserAttributes"
        ]
    admin_view = cognito.admin_get_user(UserPoolId=pool, Username="ann")["UserAttributes"]
    assert {"Name": "dev:custom:level", "Value": "platinum"} in admin_view
    cognito.admin_delete_user_attributes(UserPoolId=pool, Username="ann", UserAttributeNames=["dev:custom:level"])
    assert "dev:custom:level" not in {
        a["Name"] for a in cognito.admin_get_user(UserPoolId=pool, Username="ann")["UserAttributes"]
    }
