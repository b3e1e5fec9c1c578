"""Unit tests for ``userpool.protocol.model``: input validation and output shaping from botocore's model."""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Iterator
from typing import Any

import botocore.session
import pytest

from userpool.errors import InvalidParameterException, SerializationException, UnknownOperationException
from userpool.protocol.model import ServiceModel

CLIENT_ID = "1example23456789abcdefghij"
USERNAME_PATTERN = r"[\p{L}\p{M}\p{S}\p{N}\p{P}]+"
PASSWORD_PATTERN = r"^[\S]+.*[\S]+$"
POOL_NAME_PATTERN = r"[\w\s+=,.@-]+"


@pytest.fixture(scope="module")
def model() -> ServiceModel:
    return ServiceModel()


def invalid(model: ServiceModel, operation: str, params: object) -> str:
    with pytest.raises(InvalidParameterException) as info:
        model.validate_input(operation, params)
    return info.value.message


def malformed(model: ServiceModel, operation: str, params: object) -> str:
    with pytest.raises(SerializationException) as info:
        model.validate_input(operation, params)
    return info.value.message


def sign_up(**overrides: object) -> dict[str, object]:
    params: dict[str, object] = {"ClientId": CLIENT_ID, "Username": "jane", "Password": "Passw0rd!"}
    params.update(overrides)
    return params


# --- operations ---------------------------------------------------------------------------------------------


def test_operation_names_are_sorted_and_complete(model: ServiceModel) -> None:
    names = model.operation_names
    assert names == sorted(names)
    expected = botocore.session.get_session().get_service_model("cognito-idp").operation_names
    assert set(names) == set(expected)
    assert {"SignUp", "CreateUserPool", "InitiateAuth"} <= set(names)


def test_has_operation(model: ServiceModel) -> None:
    assert model.has_operation("SignUp") is True
    assert model.has_operation("signUp") is False
    assert model.has_operation("NoSuchOperation") is False


def test_is_unauthenticated(model: ServiceModel) -> None:
    assert model.is_unauthenticated("SignUp") is True
    assert model.is_unauthenticated("InitiateAuth") is True
    assert model.is_unauthenticated("CreateUserPool") is False
    assert model.is_unauthenticated("AdminCreateUser") is False
    assert model.is_unauthenticated("NoSuchOperation") is False


def test_unknown_operation_is_rejected(model: ServiceModel) -> None:
    with pytest.raises(UnknownOperationException):
        model.validate_input("NoSuchOperation", {})
    with pytest.raises(UnknownOperationException):
        model.serialize_output("NoSuchOperation", {})


# --- required members and sensitive values ------------------------------------------------------------------


def test_sign_up_missing_client_id_and_username(model: ServiceModel) -> None:
    assert invalid(model, "SignUp", {}) == (
        "2 validation errors detected: "
        "Value at 'clientId' failed to satisfy constraint: Member must not be null; "
        "Value at 'username' failed to satisfy constraint: Member must not be null"
    )


def test_missing_non_sensitive_member_says_value_null(model: ServiceModel) -> None:
    assert invalid(model, "ListUserPools", {}) == (
        "1 validation error detected: Value null at 'maxResults' failed to satisfy constraint: Member must not be null"
    )


def test_json_null_counts_as_absent(model: ServiceModel) -> None:
    model.validate_input("SignUp", sign_up(SecretHash=None, UserAttributes=None, ClientMetadata=None))
    assert invalid(model, "SignUp", sign_up(ClientId=None)) == (
        "1 validation error detected: Value at 'clientId' failed to satisfy constraint: Member must not be null"
    )


def test_empty_username_reports_length_and_pattern_without_value(model: ServiceModel) -> None:
    assert invalid(model, "SignUp", sign_up(Username="")) == (
        "2 validation errors detected: "
        "Value at 'username' failed to satisfy constraint: "
        "Member must have length greater than or equal to 1; "
        "Value at 'username' failed to satisfy constraint: "
        f"Member must satisfy regular expression pattern: {USERNAME_PATTERN}"
    )


def test_username_with_space(model: ServiceModel) -> None:
    message = invalid(model, "SignUp", sign_up(Username="jane doe"))
    assert message == (
        "1 validation error detected: Value at 'username' failed to satisfy constraint: "
        f"Member must satisfy regular expression pattern: {USERNAME_PATTERN}"
    )
    assert "jane doe" not in message


def test_sensitive_nested_value_is_not_echoed(model: ServiceModel) -> None:
    # AttributeValueType is sensitive (max 2048); AttributeNameType is not.
    params = sign_up(UserAttributes=[{"Name": "email", "Value": "v" * 2049}])
    assert invalid(model, "SignUp", params) == (
        "1 validation error detected: Value at 'userAttributes.1.member.value' failed to satisfy constraint: "
        "Member must have length less than or equal to 2048"
    )


# --- the PasswordType override ------------------------------------------------------------------------------


@pytest.mark.parametrize("password", [" Passw0rd!", "Passw0rd! ", "\tPassw0rd!", "Passw0rd!\n", "x"])
def test_password_outer_whitespace_is_rejected(model: ServiceModel, password: str) -> None:
    message = invalid(model, "SignUp", sign_up(Password=password))
    assert message == (
        "1 validation error detected: Value at 'password' failed to satisfy constraint: "
        f"Member must satisfy regular expression pattern: {PASSWORD_PATTERN}"
    )


@pytest.mark.parametrize("password", ["Passw0rd!", "correct horse battery staple", "a b", "p\u00e4ss w\u00f6rd"])
def test_password_inner_spaces_are_valid(model: ServiceModel, password: str) -> None:
    model.validate_input("SignUp", sign_up(Password=password))


def test_password_override_applies_to_every_operation_using_password_type(model: ServiceModel) -> None:
    params = {"AccessToken": "abc.def.ghi", "PreviousPassword": "old pass", "ProposedPassword": " new"}
    assert invalid(model, "ChangePassword", params) == (
        "1 validation error detected: Value at 'proposedPassword' failed to satisfy constraint: "
        f"Member must satisfy regular expression pattern: {PASSWORD_PATTERN}"
    )


def test_password_max_length(model: ServiceModel) -> None:
    assert invalid(model, "SignUp", sign_up(Password="p" * 257)) == (
        "1 validation error detected: Value at 'password' failed to satisfy constraint: "
        "Member must have length less than or equal to 256"
    )


# --- echoed values, enums, nested paths, numbers ------------------------------------------------------------


def test_pool_name_pattern_echoes_value(model: ServiceModel) -> None:
    assert invalid(model, "CreateUserPool", {"PoolName": "bad/name"}) == (
        "1 validation error detected: Value 'bad/name' at 'poolName' failed to satisfy constraint: "
        f"Member must satisfy regular expression pattern: {POOL_NAME_PATTERN}"
    )


def test_patterns_use_java_ascii_classes(model: ServiceModel) -> None:
    # Java's \w is ASCII-only: letters outside a-z/A-Z are not accepted in a pool name.
    assert invalid(model, "CreateUserPool", {"PoolName": "Caf\u00e9"}) == (
        "1 validation error detected: Value 'Caf\u00e9' at 'poolName' failed to satisfy constraint: "
        f"Member must satisfy regular expression pattern: {POOL_NAME_PATTERN}"
    )
    model.validate_input("CreateUserPool", {"PoolName": "My pool_1 +=,.@-"})
    # Java's \S only excludes ASCII whitespace, so a no-break space is an ordinary character.
    model.validate_input("SignUp", sign_up(Password="\u00a0Passw0rd!"))


def test_enum_failure_in_list_element(model: ServiceModel) -> None:
    enum = botocore.session.get_session().get_service_model("cognito-idp").shape_for("ExplicitAuthFlowsType").enum
    assert "ALLOW_USER_SRP_AUTH" in enum
    params = {"UserPoolId": "us-east-1_abc123", "ClientName": "web", "ExplicitAuthFlows": ["NOPE"]}
    assert invalid(model, "CreateUserPoolClient", params) == (
        "1 validation error detected: Value 'NOPE' at 'explicitAuthFlows.1.member' failed to satisfy "
        f"constraint: Member must satisfy enum value set: [{', '.join(enum)}]"
    )


def test_list_element_nested_path(model: ServiceModel) -> None:
    name = "n" * 33
    params = sign_up(UserAttributes=[{"Name": "email", "Value": "a@example.com"}, {"Name": name}])
    assert invalid(model, "SignUp", params) == (
        f"1 validation error detected: Value '{name}' at 'userAttributes.2.member.name' failed to satisfy "
        "constraint: Member must have length less than or equal to 32"
    )


def test_required_member_inside_list_element_and_null_element(model: ServiceModel) -> None:
    params = sign_up(UserAttributes=[{"Value": "x"}, None])
    assert invalid(model, "SignUp", params) == (
        "2 validation errors detected: "
        "Value null at 'userAttributes.1.member.name' failed to satisfy constraint: Member must not be null; "
        "Value null at 'userAttributes.2.member' failed to satisfy constraint: Member must not be null"
    )


@pytest.mark.parametrize(
    ("value", "constraint"),
    [
        (0, "Member must have value greater than or equal to 1"),
        (61, "Member must have value less than or equal to 60"),
        (-5, "Member must have value greater than or equal to 1"),
    ],
)
def test_integer_range(model: ServiceModel, value: int, constraint: str) -> None:
    assert invalid(model, "ListUserPools", {"MaxResults": value}) == (
        f"1 validation error detected: Value '{value}' at 'maxResults' failed to satisfy constraint: {constraint}"
    )


@pytest.mark.parametrize("value", [1, 60])
def test_integer_range_bounds_are_inclusive(model: ServiceModel, value: int) -> None:
    model.validate_input("ListUserPools", {"MaxResults": value})


def test_map_key_constraints_are_reported_once_for_the_map(model: ServiceModel) -> None:
    params = {"PoolName": "p", "UserPoolTags": {"": "a", "ok": "b" * 257}}
    assert invalid(model, "CreateUserPool", params) == (
        "2 validation errors detected: "
        "Value at 'userPoolTags' failed to satisfy constraint: Map keys must satisfy constraint: "
        "[Member must have length less than or equal to 128, "
        "Member must have length greater than or equal to 1]; "
        "Value at 'userPoolTags' failed to satisfy constraint: Map value must satisfy constraint: "
        "[Member must not be null, Member must have length less than or equal to 256, "
        "Member must have length greater than or equal to 0]"
    )


def test_catastrophic_backtracking_is_bounded(model: ServiceModel) -> None:
    # X*\{##X*##\}X* backtracks polynomially on this input; it must end and be reported as not matching.
    text = "{##" * 6000 + "\x00"
    template = {"EmailMessageByLink": text}
    message = invalid(model, "CreateUserPool", {"PoolName": "p", "VerificationMessageTemplate": template})
    assert message.startswith("1 validation error detected: Value '{##{##")
    assert message.endswith(
        "' at 'verificationMessageTemplate.emailMessageByLink' failed to satisfy constraint: "
        r"Member must satisfy regular expression pattern: [\p{L}\p{M}\p{S}\p{N}\p{P}\s*]*\{##"
        r"[\p{L}\p{M}\p{S}\p{N}\p{P}\s*]*##\}[\p{L}\p{M}\p{S}\p{N}\p{P}\s*]*"
    )


# --- several errors -----------------------------------------------------------------------------------------


def test_several_errors_are_counted_and_sorted_by_path(model: ServiceModel) -> None:
    # Declared order is ClientId, SecretHash, Username, Password; messages come sorted by path.
    params = {"ClientId": "", "Username": "a b", "Password": " x", "SecretHash": "="}
    assert invalid(model, "SignUp", params) == (
        "4 validation errors detected: "
        "Value at 'clientId' failed to satisfy constraint: "
        "Member must have length greater than or equal to 1; "
        "Value at 'clientId' failed to satisfy constraint: Member must satisfy regular expression pattern: "
        r"[\w+]+; "
        "Value at 'password' failed to satisfy constraint: Member must satisfy regular expression pattern: "
        f"{PASSWORD_PATTERN}; "
        "Value at 'username' failed to satisfy constraint: Member must satisfy regular expression pattern: "
        f"{USERNAME_PATTERN}"
    )


def test_list_positions_sort_numerically(model: ServiceModel) -> None:
    attributes: list[object] = [{"Name": "ok"} for _ in range(10)]
    attributes[1] = {"Name": "n" * 33}
    attributes[9] = {}
    message = invalid(model, "SignUp", sign_up(UserAttributes=attributes))
    assert message == (
        "2 validation errors detected: "
        f"Value '{'n' * 33}' at 'userAttributes.2.member.name' failed to satisfy constraint: "
        "Member must have length less than or equal to 32; "
        "Value null at 'userAttributes.10.member.name' failed to satisfy constraint: Member must not be null"
    )


# --- type errors --------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("operation", "params", "message"),
    [
        (
            "ListUserPools",
            {"MaxResults": "5"},
            "Unexpected value type in payload at 'MaxResults': expected integer",
        ),
        (
            "ListUserPools",
            {"MaxResults": True},
            "Unexpected value type in payload at 'MaxResults': expected integer",
        ),
        (
            "ListUserPools",
            {"MaxResults": 5.0},
            "Unexpected value type in payload at 'MaxResults': expected integer",
        ),
        (
            "ListUserPools",
            {"MaxResults": 2**31},
            "Numeric value out of range in payload at 'MaxResults': expected integer",
        ),
        (
            "CreateUserPool",
            {"PoolName": "p", "Policies": {"PasswordPolicy": {"MinimumLength": "8"}}},
            "Unexpected value type in payload at 'Policies.PasswordPolicy.MinimumLength': expected integer",
        ),
        (
            "CreateUserPool",
            {"PoolName": "p", "Policies": {"PasswordPolicy": {"RequireNumbers": "true"}}},
            "Unexpected value type in payload at 'Policies.PasswordPolicy.RequireNumbers': expected boolean",
        ),
        (
            "CreateUserPool",
            {"PoolName": "p", "Policies": "strict"},
            "Unexpected value type in payload at 'Policies': expected structure (JSON object)",
        ),
        (
            "CreateUserPool",
            {"PoolName": 12},
            "Unexpected value type in payload at 'PoolName': expected string",
        ),
        (
            "SignUp",
            sign_up(UserAttributes={"Name": "email"}),
            "Unexpected value type in payload at 'UserAttributes': expected list (JSON array)",
        ),
        (
            "SignUp",
            sign_up(UserAttributes=[{"Name": "email", "Value": 7}]),
            "Unexpected value type in payload at 'UserAttributes[0].Value': expected string",
        ),
        (
            "SignUp",
            sign_up(ClientMetadata=["a"]),
            "Unexpected value type in payload at 'ClientMetadata': expected map (JSON object)",
        ),
        (
            "SignUp",
            sign_up(ClientMetadata={"source": 1}),
            "Unexpected value type in payload at 'ClientMetadata.source': expected string",
        ),
        (
            "InitiateAuth",
            {"ClientId": CLIENT_ID, "AuthFlow": "USER_PASSWORD_AUTH", "AuthParameters": {"PASSWORD": 1}},
            "Unexpected value type in payload at 'AuthParameters.*': expected string",
        ),
        (
            "SetUICustomization",
            {"UserPoolId": "us-east-1_abc123", "ImageFile": "not base64!"},
            "Unexpected value type in payload at 'ImageFile': expected blob (base64 string)",
        ),
    ],
)
def test_type_errors(model: ServiceModel, operation: str, params: object, message: str) -> None:
    assert malformed(model, operation, params) == message


def test_type_error_wins_over_constraint_errors(model: ServiceModel) -> None:
    params = {"ClientId": "", "Username": "jane", "Password": 123}
    assert malformed(model, "SignUp", params) == ("Unexpected value type in payload at 'Password': expected string")


@pytest.mark.parametrize("body", [[], ["ClientId"], "SignUp", 5, None, True])
def test_body_must_be_an_object(model: ServiceModel, body: object) -> None:
    assert malformed(model, "SignUp", body) == (
        "Unexpected value type in payload: the request body must be a JSON object"
    )


def test_blob_is_base64(model: ServiceModel) -> None:
    model.validate_input("SetUICustomization", {"UserPoolId": "us-east-1_abc123", "ImageFile": "aGVsbG8="})


# --- unknown members ----------------------------------------------------------------------------------------


def test_unknown_members_are_ignored(model: ServiceModel) -> None:
    params = sign_up(
        Unknown={"anything": [1, 2]},
        UserAttributes=[{"Name": "email", "Value": "a@example.com", "Extra": 5}],
    )
    model.validate_input("SignUp", params)
    model.validate_input("ListUserPools", {"MaxResults": 10, "maxresults": "x"})


# --- output -------------------------------------------------------------------------------------------------


@pytest.fixture
def non_utc_local_time(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Run with a local time zone far from UTC, so naive datetimes taken as local time would show."""
    monkeypatch.setenv("TZ", "Asia/Kolkata")
    time.tzset()
    yield
    monkeypatch.undo()
    time.tzset()


@pytest.mark.usefixtures("non_utc_local_time")
def test_serialize_output_drops_unknown_and_none_and_converts_datetimes(model: ServiceModel) -> None:
    created = dt.datetime(2024, 1, 2, 3, 4, 5, 500000, tzinfo=dt.UTC)
    result = {
        "Username": "jane",
        "Enabled": True,
        "UserStatus": None,
        "UserCreateDate": created,
        "UserLastModifiedDate": dt.datetime(2024, 1, 2, 3, 4, 5),  # naive: taken as UTC
        "UserAttributes": [{"Name": "email", "Value": "a@example.com", "Internal": 1}, None, {"Name": "sub"}],
        "PasswordHash": "secret",
        "MFAOptions": None,
    }
    assert model.serialize_output("AdminGetUser", result) == {
        "Username": "jane",
        "Enabled": True,
        "UserCreateDate": 1704164645.5,
        "UserLastModifiedDate": 1704164645.0,
        "UserAttributes": [{"Name": "email", "Value": "a@example.com"}, {"Name": "sub"}],
    }


def test_serialize_output_nested_structures_and_numeric_timestamps(model: ServiceModel) -> None:
    result = {
        "UserPools": [
            {
                "Id": "us-east-1_abc",
                "Name": "p",
                "CreationDate": 1700000000,
                "Secret": "x",
                "LambdaConfig": {},
            },
        ],
        "NextToken": None,
        "Extra": "dropped",
    }
    assert model.serialize_output("ListUserPools", result) == {
        "UserPools": [{"Id": "us-east-1_abc", "Name": "p", "CreationDate": 1700000000, "LambdaConfig": {}}],
    }


def test_serialize_output_scalar_lists_and_maps_drop_none(model: ServiceModel) -> None:
    result = {
        "UserPool": {
            "Id": "us-east-1_abc",
            "AutoVerifiedAttributes": ["email", None],
            "UserPoolTags": {"team": "blue", "gone": None},
            "Unknown": {"x": 1},
        }
    }
    assert model.serialize_output("DescribeUserPool", result) == {
        "UserPool": {
            "Id": "us-east-1_abc",
            "AutoVerifiedAttributes": ["email"],
            "UserPoolTags": {"team": "blue"},
        }
    }


def test_serialize_output_does_not_mutate_input(model: ServiceModel) -> None:
    result = {"UserConfirmed": False, "UserSub": "abc", "Junk": 1}
    assert model.serialize_output("SignUp", result) == {"UserConfirmed": False, "UserSub": "abc"}
    assert result == {"UserConfirmed": False, "UserSub": "abc", "Junk": 1}


def test_serialize_output_without_output_shape(model: ServiceModel) -> None:
    assert model.serialize_output("DeleteUserPool", {"Anything": 1}) == {}


def test_serialize_output_orders_members_as_the_shape_does(model: ServiceModel) -> None:
    """The answer's members come in the output shape's order, whatever order the operation built them in."""
    result = {
        "PaginationToken": "next",
        "Users": [{"UserStatus": "CONFIRMED", "Attributes": [{"Value": "v", "Name": "n"}], "Username": "a"}],
    }
    answer = model.serialize_output("ListUsers", result)
    assert list(answer) == ["Users", "PaginationToken"]
    assert list(answer["Users"][0]) == ["Username", "Attributes", "UserStatus"]
    assert list(answer["Users"][0]["Attributes"][0]) == ["Name", "Value"]


@pytest.mark.parametrize(
    ("operation", "result"),
    [
        ("ListUsers", {"Users": [["not", "a", "structure"]]}),
        ("ListUsers", {"Users": "not a list"}),
        ("ListUsers", {"Users": [{"Username": "a", "UserCreateDate": True}]}),
        ("DescribeUserPool", {"UserPool": {"UserPoolTags": ["not", "a", "map"]}}),
    ],
)
def test_serialize_output_refuses_values_of_the_wrong_type(
    model: ServiceModel, operation: str, result: dict[str, Any]
) -> None:
    with pytest.raises(TypeError):
        model.serialize_output(operation, result)
