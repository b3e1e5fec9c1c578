"""Limits on everything a client controls: nesting depth, attribute lists, ClientMetadata, header size, slow
headers, slow bodies, idle connections. Each answers clearly and leaves the server serving."""

from __future__ import annotations

import json
import socket
import time

import pytest

from tests.helpers import http_get, http_post, make_client
from tests.server import ServerProcess

TARGET = "AWSCognitoIdentityProviderService."


@pytest.fixture(scope="module")
def tight(tmp_path_factory):
    env = {
        "USERPOOL_MAX_JSON_DEPTH": "8",
        "USERPOOL_MAX_ATTRIBUTES": "5",
        "USERPOOL_MAX_CLIENT_METADATA_BYTES": "64",
        "USERPOOL_MAX_HEADER_BYTES": "4096",
        "USERPOOL_BODY_READ_TIMEOUT": "1",
        "USERPOOL_HEADER_READ_TIMEOUT": "1",
        "USERPOOL_KEEP_ALIVE_TIMEOUT": "1",
    }
    server = ServerProcess(tmp_path_factory.mktemp("tight") / "data", env=env).start()
    yield server
    server.stop()


@pytest.fixture(scope="module")
def world(tight):
    cognito = make_client(tight.url)
    pool_id = cognito.create_user_pool(PoolName="limits")["UserPool"]["Id"]
    client_id = cognito.create_user_pool_client(UserPoolId=pool_id, ClientName="app")["UserPoolClient"]["ClientId"]
    return cognito, pool_id, client_id


def post(server, operation, body):
    content = body if isinstance(body, bytes) else json.dumps(body).encode()
    response = http_post(f"{server.url}/", content=content, headers={"X-Amz-Target": TARGET + operation}, timeout=30)
    return response.status_code, response.json()["__type"], response.json()["message"]


def healthy(server):
    return http_get(f"{server.url}/health", timeout=10).status_code == 200


def test_nesting_deeper_than_the_limit_is_refused_before_parsing(tight):
    deep = {"MaxResults": 1, "x": [[[[[[[[["deep"]]]]]]]]]}
    assert post(tight, "ListUserPools", deep) == (
        400,
        "SerializationException",
        "The request body is nested too deeply.",
    )
    # brackets inside strings are not nesting
    assert (
        http_post(
            f"{tight.url}/",
            content=json.dumps({"MaxResults": 1, "x": "[[[[[[[[[[[[[[[[[[[[{{{{{{{{{{"}).encode(),
            headers={"X-Amz-Target": TARGET + "ListUserPools"},
        ).status_code
        == 200
    )


def test_too_many_attributes_are_refused_and_nothing_is_created(tight, world):
    cognito, pool_id, client_id = world
    attributes = [{"Name": f"custom:a{i}", "Value": "v"} for i in range(6)]
    body = {"ClientId": client_id, "Username": "many", "Password": "Passw0rd!", "UserAttributes": attributes}
    assert post(tight, "SignUp", body) == (
        400,
        "InvalidParameterException",
        "UserAttributes holds 6 entries; at most 5 are accepted.",
    )
    body = {"ClientId": client_id, "Username": "many", "Password": "Passw0rd!", "ValidationData": attributes}
    assert post(tight, "SignUp", body)[2] == "ValidationData holds 6 entries; at most 5 are accepted."
    assert cognito.list_users(UserPoolId=pool_id)["Users"] == []


def test_client_metadata_larger_than_the_limit_is_refused(tight, world):
    _, _, client_id = world
    body = {"ClientId": client_id, "Username": "meta", "ConfirmationCode": "123456", "ClientMetadata": {"k": "v" * 64}}
    assert post(tight, "ConfirmSignUp", body) == (
        400,
        "InvalidParameterException",
        "ClientMetadata is 65 bytes; at most 64 bytes are accepted.",
    )


def test_oversized_headers_are_refused_and_the_server_keeps_serving(tight):
    response = http_post(
        f"{tight.url}/",
        content=b"{}",
        headers={"X-Amz-Target": TARGET + "ListUserPools", "X-Padding": "a" * 8192},
        timeout=30,
    )
    assert response.status_code == 400
    assert healthy(tight)


def raw_connection(server) -> socket.socket:
    return socket.create_connection(("127.0.0.1", server.port), timeout=10)


def read_response(conn: socket.socket) -> tuple[str, bytes]:
    """The status line and body of one HTTP/1.1 response with a Content-Length."""
    data = b""
    while b"\r\n\r\n" not in data:
        chunk = conn.recv(65536)
        assert chunk, f"connection closed after {data!r}"
        data += chunk
    head, body = data.split(b"\r\n\r\n", 1)
    lines = head.decode("latin-1").split("\r\n")
    length = next(int(v) for k, _, v in (line.partition(": ") for line in lines[1:]) if k.lower() == "content-length")
    while len(body) < length:
        chunk = conn.recv(65536)
        assert chunk
        body += chunk
    return lines[0], body


def test_a_body_slower_than_the_read_timeout_gets_408(tight):
    with raw_connection(tight) as conn:
        conn.sendall(
            b"POST / HTTP/1.1\r\nHost: x\r\nX-Amz-Target: "
            + (TARGET + "ListUserPools").encode()
            + b'\r\nContent-Type: application/x-amz-json-1.1\r\nContent-Length: 100\r\n\r\n{"MaxRe'
        )
        status, raw = read_response(conn)
    assert status.startswith("HTTP/1.1 408 ")
    assert json.loads(raw) == {
        "__type": "RequestTimeoutException",
        "message": "The request body was not received within 1 seconds.",
    }
    assert healthy(tight)


def test_a_head_that_never_ends_is_refused_once_it_passes_the_limit(tight):
    """Sent in pieces, with no header line ever finished: the parser has handed nothing over yet, so what counts
    is the bytes received while the head is incomplete."""
    with raw_connection(tight) as conn:
        conn.sendall(b"POST / HTTP/1.1\r\nHost: x\r\nX-Padding: ")
        for _ in range(5):
            conn.sendall(b"a" * 1000)
            time.sleep(0.02)
        status, body = read_response(conn)
        assert status.startswith("HTTP/1.1 400 ")
        assert body == b"Request line and headers too large."
        assert conn.recv(65536) == b""  # and the connection is closed
    assert healthy(tight)


def test_a_body_arriving_with_the_head_does_not_count_as_head(tight):
    """The 4 KiB head limit is the head's: a larger body in the same packets is the body's business."""
    body = json.dumps({"MaxResults": 1, "padding": "x" * 20000}).encode()
    head = (
        f"POST / HTTP/1.1\r\nHost: x\r\nX-Amz-Target: {TARGET}ListUserPools\r\n"
        f"Content-Type: application/x-amz-json-1.1\r\nContent-Length: {len(body)}\r\n\r\n"
    ).encode()
    with raw_connection(tight) as conn:
        conn.sendall(head + body)
        status, raw = read_response(conn)
    assert status.startswith("HTTP/1.1 200 "), raw
    assert "UserPools" in json.loads(raw)


def test_a_long_url_counts_against_the_head_limit(tight):
    with raw_connection(tight) as conn:
        conn.sendall(b"GET /health?" + b"q" * 5000 + b" HTTP/1.1\r\nHost: x\r\n\r\n")
        status, _ = read_response(conn)
        assert status.startswith("HTTP/1.1 400 ")
    assert healthy(tight)


def test_headers_slower_than_the_header_timeout_lose_the_connection(tight):
    with raw_connection(tight) as conn:
        conn.sendall(b"POST / HTTP/1.1\r\nHost: x\r\n")  # and then nothing more
        assert conn.recv(65536) == b""  # closed by the server, no answer
    assert healthy(tight)


def test_idle_keep_alive_connections_are_closed(tight):
    with raw_connection(tight) as conn:
        conn.sendall(b"GET /health HTTP/1.1\r\nHost: x\r\n\r\n")
        status, _ = read_response(conn)
        assert status.startswith("HTTP/1.1 200 ")
        time.sleep(1.5)  # longer than the keep-alive and header timeouts
        assert conn.recv(65536) == b""


def test_schema_attribute_without_a_name_is_a_client_error_not_a_500(tight):
    """Found by the fuzz suite: the model leaves SchemaAttributeType.Name optional."""
    status, kind, message = post(tight, "CreateUserPool", {"PoolName": "p", "Schema": [{}]})
    assert (status, kind) == (400, "InvalidParameterException")
    assert message == (
        "1 validation error detected: Value null at 'schema.1.member.name' failed to satisfy constraint: "
        "Member must not be null"
    )


@pytest.mark.parametrize(
    "operation, body",
    [
        ("ListUserPoolClients", {"MaxResults": None}),
        ("ListUsers", {"Limit": None, "Filter": None, "PaginationToken": None}),
        ("DescribeUserPool", {"x": None}),
    ],
)
def test_null_members_are_absent_not_a_500(tight, world, operation, body):
    """Found by the long fuzz run: ``"MaxResults": null`` reached the operation as None."""
    _, pool_id, _ = world
    response = http_post(
        f"{tight.url}/",
        content=json.dumps({"UserPoolId": pool_id, **body}).encode(),
        headers={"X-Amz-Target": TARGET + operation},
    )
    assert response.status_code == 200, response.text


def test_worker_processes_apply_the_same_head_limits(tmp_path):
    """``--workers 2``: each worker process takes its limits from the settings the parent hands it."""
    env = {"USERPOOL_MAX_HEADER_BYTES": "4096", "USERPOOL_HEADER_READ_TIMEOUT": "1"}
    server = ServerProcess(tmp_path / "data", env=env, args=["--workers", "2"]).start()
    try:
        assert make_client(server.url).list_user_pools(MaxResults=1)["UserPools"] == []
        with raw_connection(server) as conn:
            conn.sendall(b"POST / HTTP/1.1\r\nHost: x\r\nX-Padding: " + b"a" * 5000)
            status, _ = read_response(conn)
            assert status.startswith("HTTP/1.1 400 ")
        with raw_connection(server) as conn:
            started = time.monotonic()
            conn.sendall(b"POST / HTTP/1.1\r\nHost: x\r\n")
            assert conn.recv(65536) == b""
            assert time.monotonic() - started < 5  # the worker's 1 s, not the default 10 s
        assert healthy(server)
    finally:
        server.stop()
