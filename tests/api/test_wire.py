"""The protocol layer over real HTTP (httpx against the session server): framing, decoding, error encoding.

Every request opens its own connection, so that a connection the server drops after one request cannot
make an unrelated later request fail.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterator
from typing import Any

import botocore.session
import httpx
import pytest

from tests.helpers import http_client
from userpool.operations import REGISTRY

PREFIX = "AWSCognitoIdentityProviderService."
CONTENT_TYPE = "application/x-amz-json-1.1"
UNKNOWN_POOL = "us-east-1_XXXXXXXXX"
LIMIT = 1024 * 1024
TOO_LARGE = {
    "__type": "RequestEntityTooLargeException",
    "message": f"Request body exceeds the limit of {LIMIT} bytes.",
}
NOT_AN_OBJECT = "Unexpected value type in payload: the request body must be a JSON object"

# No keep-alive: each request on a connection of its own. One client: building one costs an SSL context.
HTTP = http_client(timeout=30, limits=httpx.Limits(max_keepalive_connections=0))


def post(server: Any, target: str | None, body: bytes | str | Iterator[bytes] | dict[str, Any]) -> httpx.Response:
    headers = {"Content-Type": CONTENT_TYPE}
    if target is not None:
        headers["X-Amz-Target"] = target if "." in target else PREFIX + target
    content = json.dumps(body).encode() if isinstance(body, dict) else body
    return HTTP.post(f"{server.url}/", content=content, headers=headers)


def call(server: Any, operation: str, body: dict[str, Any]) -> dict[str, Any]:
    """A call that must succeed."""
    response = post(server, operation, body)
    assert response.status_code == 200, response.text
    return response.json()


def error(response: httpx.Response) -> tuple[int, str, str]:
    body = response.json()
    return response.status_code, body["__type"], body["message"]


def all_pool_ids(server: Any) -> set[str]:
    ids: set[str] = set()
    params: dict[str, Any] = {"MaxResults": 60}
    while True:
        page = call(server, "ListUserPools", params)
        ids.update(p["Id"] for p in page["UserPools"])
        if not page.get("NextToken"):
            return ids
        params["NextToken"] = page["NextToken"]


@pytest.fixture
def app_client(make_pool, make_app_client) -> tuple[str, str]:
    """(pool id, client id) of a fresh pool that sends no codes."""
    pool_id = make_pool()["Id"]
    return pool_id, make_app_client(pool_id)["ClientId"]


def user_count(server: Any, pool_id: str) -> int:
    return len(call(server, "ListUsers", {"UserPoolId": pool_id})["Users"])


# --- health and error encoding ------------------------------------------------------------------------------


def test_health(server):
    response = HTTP.get(f"{server.url}/health")
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}


@pytest.mark.parametrize("method", ["GET", "PUT", "DELETE"])
def test_other_methods_on_the_endpoint_are_not_allowed(server, method):
    # POST / goes straight to the endpoint (app.Service); everything else on / still meets Starlette's router.
    response = HTTP.request(method, f"{server.url}/")
    assert response.status_code == 405
    assert response.headers["allow"] == "POST"


def test_a_post_elsewhere_is_not_the_api(server):
    response = HTTP.post(f"{server.url}/api", content=b"{}", headers={"X-Amz-Target": PREFIX + "ListUserPools"})
    assert response.status_code == 404
    assert "x-amzn-RequestId" not in response.headers


def test_error_encoding(server):
    response = post(server, "DescribeUserPool", {"UserPoolId": UNKNOWN_POOL})
    message = f"User pool {UNKNOWN_POOL} does not exist."
    assert response.status_code == 400
    assert response.json() == {"__type": "ResourceNotFoundException", "message": message}
    assert response.headers["x-amzn-ErrorType"] == "ResourceNotFoundException:"
    assert response.headers["x-amzn-ErrorMessage"] == message
    assert response.headers["content-type"] == CONTENT_TYPE
    request_id = response.headers["x-amzn-RequestId"]
    assert str(uuid.UUID(request_id)) == request_id


def test_success_encoding(server):
    first = post(server, "ListUserPools", {"MaxResults": 1})
    second = post(server, "ListUserPools", {"MaxResults": 1})
    for response in (first, second):
        assert response.status_code == 200
        assert response.headers["content-type"] == CONTENT_TYPE
        assert "x-amzn-ErrorType" not in response.headers
        assert str(uuid.UUID(response.headers["x-amzn-RequestId"])) == response.headers["x-amzn-RequestId"]
        assert isinstance(response.json()["UserPools"], list)
    assert first.headers["x-amzn-RequestId"] != second.headers["x-amzn-RequestId"]


def test_error_message_header_is_one_latin1_line(server):
    """The body has the message exactly; the header has it on one line, in Latin-1."""
    response = post(server, "DescribeUserPool", {"UserPoolId": "€\n_1"})
    message = (
        "1 validation error detected: Value '€\n_1' at 'userPoolId' failed to satisfy constraint: "
        "Member must satisfy regular expression pattern: [\\w-]+_[0-9a-zA-Z]+"
    )
    assert error(response) == (400, "InvalidParameterException", message)
    header = response.headers["x-amzn-ErrorMessage"]
    assert "\n" not in header and "\r" not in header
    assert header.startswith("1 validation error detected: Value '")
    assert header.endswith("[\\w-]+_[0-9a-zA-Z]+")


# --- decoding -----------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("body", "message"),
    [
        (b"{", "The request body is not valid JSON."),
        (b'{"MaxResults": }', "The request body is not valid JSON."),
        (b"not json", "The request body is not valid JSON."),
        (b'{"MaxResults": 10}}', "The request body is not valid JSON."),
        (b'{"MaxResults": 10, "NextToken": "\xff\xfe"}', "The request body is not valid UTF-8."),
        (b"\xc3\x28", "The request body is not valid UTF-8."),
        (b"[]", NOT_AN_OBJECT),
        (b'["MaxResults", 10]', NOT_AN_OBJECT),
        (b'"MaxResults"', NOT_AN_OBJECT),
        (b"10", NOT_AN_OBJECT),
        (b"null", NOT_AN_OBJECT),
        (b"true", NOT_AN_OBJECT),
    ],
)
def test_body_that_is_not_a_json_object(server, body, message):
    response = post(server, "ListUserPools", body)
    assert error(response) == (400, "SerializationException", message)
    assert response.headers["x-amzn-ErrorType"] == "SerializationException:"


@pytest.mark.parametrize("opening", [b"[", b'{"a":'])
def test_deeply_nested_json(server, opening):
    response = post(server, "ListUserPools", opening * 100_000)
    assert error(response) == (400, "SerializationException", "The request body is nested too deeply.")
    assert HTTP.get(f"{server.url}/health").status_code == 200
    assert post(server, "ListUserPools", {"MaxResults": 1}).status_code == 200


def test_empty_body_is_an_empty_object(server):
    response = post(server, "ListUserPools", b"")
    assert error(response) == (
        400,
        "InvalidParameterException",
        "1 validation error detected: Value null at 'maxResults' failed to satisfy constraint: Member must not be null",
    )


# --- operation names ----------------------------------------------------------------------------------------


def test_missing_target(server):
    response = post(server, None, {"MaxResults": 1})
    assert error(response) == (400, "UnknownOperationException", "Missing X-Amz-Target header.")


@pytest.mark.parametrize(
    "target",
    [
        f"{PREFIX}Nope",
        f"{PREFIX}",
        f"{PREFIX}listUserPools",
        "AWSCognitoIdentityService.ListUserPools",
        "Cognito.ListUserPools",
        f"{PREFIX}ListUserPools.Extra",
    ],
)
def test_unknown_target(server, target):
    response = post(server, target, {"MaxResults": 1})
    assert error(response) == (400, "UnknownOperationException", f"Unknown operation {target}.")


def test_target_without_a_prefix(server):
    response = HTTP.post(f"{server.url}/", content=b'{"MaxResults": 1}', headers={"X-Amz-Target": "ListUserPools"})
    assert error(response) == (400, "UnknownOperationException", "Unknown operation ListUserPools.")


@pytest.mark.parametrize(
    ("operation", "body"),
    [
        ("DescribeManagedLoginBrandingByClient", {"UserPoolId": UNKNOWN_POOL, "ClientId": "abc"}),
        ("GetLogDeliveryConfiguration", {"UserPoolId": UNKNOWN_POOL}),
    ],
)
def test_operation_not_built_yet(server, operation, body):
    if operation in REGISTRY:
        pytest.skip(f"{operation} is built now")
    response = post(server, operation, body)
    status, type_name, message = error(response)
    assert (status, type_name) == (400, "UnsupportedOperationException")
    assert operation in message
    assert response.headers["x-amzn-ErrorType"] == "UnsupportedOperationException:"


def test_no_operation_of_the_model_answers_500(server):
    """Every operation of the model that is not built answers 400 (not built, or input invalid)."""
    model = botocore.session.get_session().get_service_model("cognito-idp")
    answers = {}
    for operation in sorted(set(model.operation_names) - set(REGISTRY)):
        status, type_name, message = error(post(server, operation, {}))
        if type_name == "UnsupportedOperationException" and operation not in message:
            answers[operation] = (status, type_name, message)
        elif status != 400 or type_name not in ("UnsupportedOperationException", "InvalidParameterException"):
            answers[operation] = (status, type_name, message)
    assert answers == {}


# --- body size ----------------------------------------------------------------------------------------------


def test_body_over_the_limit_with_content_length(server):
    response = post(server, "ListUserPools", b" " * (LIMIT + 1))
    assert response.status_code == 413
    assert response.json() == TOO_LARGE
    assert response.headers["x-amzn-ErrorType"] == "RequestEntityTooLargeException:"


def test_body_over_the_limit_chunked(server):
    def chunks() -> Iterator[bytes]:
        yield b'{"MaxResults": 1, "x": "'
        sent = 24
        while sent < LIMIT:
            yield b"x" * 65536
            sent += 65536
        yield b'"}'

    response = post(server, "ListUserPools", chunks())
    assert response.request.headers.get("transfer-encoding") == "chunked"
    assert "content-length" not in response.request.headers
    assert response.status_code == 413
    assert response.json() == TOO_LARGE
    assert HTTP.get(f"{server.url}/health").status_code == 200


def test_body_at_the_limit_is_read(server):
    head, tail = b'{"MaxResults": 1, "padding": "', b'"}'
    body = head + b"x" * (LIMIT - len(head) - len(tail)) + tail
    assert len(body) == LIMIT
    response = post(server, "ListUserPools", body)
    assert response.status_code == 200
    assert "UserPools" in response.json()


# --- types --------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ({"MaxResults": "ten"}, "Unexpected value type in payload at 'MaxResults': expected integer"),
        ({"MaxResults": True}, "Unexpected value type in payload at 'MaxResults': expected integer"),
        ({"MaxResults": 10.5}, "Unexpected value type in payload at 'MaxResults': expected integer"),
        ({"MaxResults": [10]}, "Unexpected value type in payload at 'MaxResults': expected integer"),
        (
            {"MaxResults": 10**20},
            "Numeric value out of range in payload at 'MaxResults': expected integer",
        ),
        (
            {"MaxResults": 10, "NextToken": 5},
            "Unexpected value type in payload at 'NextToken': expected string",
        ),
    ],
)
def test_wrong_types_for_list_user_pools(server, body, message):
    assert error(post(server, "ListUserPools", body)) == (400, "SerializationException", message)


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ({"PoolName": 5}, "Unexpected value type in payload at 'PoolName': expected string"),
        (
            {"PoolName": None, "Policies": []},
            "Unexpected value type in payload at 'Policies': expected structure",
        ),
        (
            {"PoolName": "typed", "Policies": {"PasswordPolicy": {"MinimumLength": "8"}}},
            "Unexpected value type in payload at 'Policies.PasswordPolicy.MinimumLength': expected integer",
        ),
        (
            {"PoolName": "typed", "AutoVerifiedAttributes": "email"},
            "Unexpected value type in payload at 'AutoVerifiedAttributes': expected list",
        ),
        (
            {"PoolName": "typed", "UsernameConfiguration": {"CaseSensitive": "false"}},
            "Unexpected value type in payload at 'UsernameConfiguration.CaseSensitive': expected boolean",
        ),
        (
            {"PoolName": "typed", "Schema": [{"Name": "team", "AttributeDataType": "String", "Mutable": 1}]},
            "Unexpected value type in payload at 'Schema[0].Mutable': expected boolean",
        ),
    ],
)
def test_wrong_types_for_create_user_pool_create_nothing(server, body, message):
    before = all_pool_ids(server)
    status, type_name, text = error(post(server, "CreateUserPool", body))
    assert (status, type_name) == (400, "SerializationException")
    assert text.startswith(message), text
    assert all_pool_ids(server) == before


@pytest.mark.parametrize(
    ("extra", "where"),
    [
        ({"UserAttributes": "x"}, "'UserAttributes'"),
        ({"UserAttributes": ["x"]}, "'UserAttributes[0]'"),
        ({"UserAttributes": [{"Name": 5, "Value": "x"}]}, "'UserAttributes[0].Name'"),
        ({"UserAttributes": {"Name": "email", "Value": "x"}}, "'UserAttributes'"),
        ({"ValidationData": [{"Name": "a", "Value": 1}]}, "'ValidationData[0].Value'"),
        ({"ClientMetadata": {"a": 1}}, "'ClientMetadata.a'"),
        ({"Username": ["typed"]}, "'Username'"),
        ({"Password": 12345678}, "'Password'"),
    ],
)
def test_wrong_types_for_sign_up_create_nothing(server, app_client, extra, where):
    pool_id, client_id = app_client
    body = {"ClientId": client_id, "Username": "typed", "Password": "Passw0rd!", **extra}
    status, type_name, message = error(post(server, "SignUp", body))
    assert (status, type_name) == (400, "SerializationException")
    assert message.startswith(f"Unexpected value type in payload at {where}: expected "), message
    assert user_count(server, pool_id) == 0


@pytest.mark.parametrize(
    ("operation", "body"),
    [
        ("CreateUserPool", '{"PoolName": "\\ud800"}'),
        ("DescribeUserPool", '{"UserPoolId": "\\ud800_1"}'),
        ("ListUsers", '{"UserPoolId": "%(pool)s", "Filter": "given_name = \\"\\udc00\\""}'),
        (
            "SignUp",
            '{"ClientId": "%(client)s", "Username": "lone", "Password": "Passw0rd!",'
            ' "UserAttributes": [{"Name": "given_name", "Value": "a\\ud800b"}]}',
        ),
    ],
)
def test_lone_surrogate_in_a_string_is_a_client_error(server, app_client, operation, body):
    """JSON may escape a lone UTF-16 surrogate (``"\\ud800"``); that is no text, and no reason for a 500."""
    pool_id, client_id = app_client
    response = post(server, operation, (body % {"pool": pool_id, "client": client_id}).encode())
    assert response.status_code == 400, response.text
    assert response.headers["content-type"] == CONTENT_TYPE
    body_type = response.json()["__type"]
    assert body_type in ("SerializationException", "InvalidParameterException")
    assert response.headers["x-amzn-ErrorType"] == f"{body_type}:"
    assert "pagination token" not in response.json()["message"]
    assert user_count(server, pool_id) == 0
    assert HTTP.get(f"{server.url}/health").status_code == 200


# --- validation ---------------------------------------------------------------------------------------------


def test_sensitive_values_are_never_echoed(server, app_client):
    _, client_id = app_client
    body = {"ClientId": client_id, "Username": "has space", "Password": " Zq9!secret "}
    response = post(server, "SignUp", body)
    assert error(response) == (
        400,
        "InvalidParameterException",
        "2 validation errors detected: "
        "Value at 'password' failed to satisfy constraint: "
        "Member must satisfy regular expression pattern: ^[\\S]+.*[\\S]+$; "
        "Value at 'username' failed to satisfy constraint: "
        "Member must satisfy regular expression pattern: [\\p{L}\\p{M}\\p{S}\\p{N}\\p{P}]+",
    )
    for text in (response.text, response.headers["x-amzn-ErrorMessage"]):
        assert "has space" not in text
        assert "Zq9!secret" not in text


def test_too_long_password_is_not_echoed(server, app_client):
    _, client_id = app_client
    password = "Aa1!" + "p" * 253
    response = post(server, "SignUp", {"ClientId": client_id, "Username": "jane", "Password": password})
    assert error(response) == (
        400,
        "InvalidParameterException",
        "1 validation error detected: Value at 'password' failed to satisfy constraint: "
        "Member must have length less than or equal to 256",
    )
    assert "ppppp" not in response.text


def test_validation_before_anything_is_stored(server, app_client):
    pool_id, client_id = app_client
    body = {"ClientId": client_id, "Username": "u" * 129, "Password": "Passw0rd!"}
    assert error(post(server, "SignUp", body)) == (
        400,
        "InvalidParameterException",
        "1 validation error detected: Value at 'username' failed to satisfy constraint: "
        "Member must have length less than or equal to 128",
    )
    assert user_count(server, pool_id) == 0

    body["Username"] = "u" * 128
    assert call(server, "SignUp", body)["UserConfirmed"] is False
    assert user_count(server, pool_id) == 1
