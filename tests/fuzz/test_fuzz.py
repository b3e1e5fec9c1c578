"""Property-based fuzzing of every implemented operation over HTTP against the real server.

Requests are generated from botocore's model (``strategies``): valid values, values at and past the model's
limits, wrong JSON types, missing required members, extra members; plus raw bodies (random bytes, JSON that is
not an object, deep nesting) and unknown targets. Whatever arrives, the server must answer a success or a
well-formed AWS error — never a 5xx — and the store's invariants (``Store.integrity_check``) must hold after.
"""

from __future__ import annotations

import json
import uuid

import botocore.session
import httpx
import pytest
from hypothesis import given
from hypothesis import strategies as st

from tests.fuzz.conftest import integrity
from tests.fuzz.strategies import JSON, request
from tests.helpers import http_client
from userpool.operations import REGISTRY

MODEL = botocore.session.get_session().get_service_model("cognito-idp")
PREFIX = "AWSCognitoIdentityProviderService."
ERROR_STATUSES = {400, 403, 408, 413}
HTTP = http_client(timeout=60)
SENT = {"requests": 0}


@pytest.fixture(scope="session")
def fuzzed(fuzz_server):
    """The fuzz server, for the tests that fuzz it. When this process's fuzzing is over, it must have sent requests:
    checked in each process that fuzzed (pytest-xdist may put the fuzzing tests on any worker, so a test of its own
    could run where nothing was sent)."""
    yield fuzz_server
    assert SENT["requests"] > 0, "the fuzzing tests sent no request"


def post(server, target: str, content: bytes) -> httpx.Response:
    SENT["requests"] += 1
    return HTTP.post(
        f"{server.url}/",
        content=content,
        headers={"X-Amz-Target": target, "Content-Type": "application/x-amz-json-1.1"},
    )


def check(response: httpx.Response) -> None:
    """A success or a well-formed AWS error, never a server fault."""
    assert response.status_code < 500, response.text
    assert response.headers.get("x-amzn-RequestId")
    assert response.headers.get("content-type") == "application/x-amz-json-1.1"
    body = response.json()
    assert isinstance(body, dict)
    if response.status_code != 200:
        assert response.status_code in ERROR_STATUSES, response.text
        assert isinstance(body.get("__type"), str) and body["__type"].endswith("Exception"), body
        assert isinstance(body.get("message"), str), body
        assert response.headers["x-amzn-ErrorType"] == body["__type"] + ":"


def call(server, operation: str, body: dict) -> dict:
    response = post(server, PREFIX + operation, json.dumps(body).encode())
    assert response.status_code == 200, response.text
    return response.json()


def make_world(server) -> dict[str, list[str]]:
    """A pool (threat protection on, email verified), a client with and one without a secret, and two users."""
    pool_id = call(
        server,
        "CreateUserPool",
        {
            "PoolName": f"fuzz-{uuid.uuid4().hex[:8]}",
            "AutoVerifiedAttributes": ["email"],
            "UserPoolAddOns": {"AdvancedSecurityMode": "ENFORCED"},
        },
    )["UserPool"]["Id"]
    plain = call(server, "CreateUserPoolClient", {"UserPoolId": pool_id, "ClientName": "plain"})["UserPoolClient"]
    secret = call(
        server, "CreateUserPoolClient", {"UserPoolId": pool_id, "ClientName": "secret", "GenerateSecret": True}
    )["UserPoolClient"]
    for name in ("alice", "bob"):
        call(
            server,
            "SignUp",
            {
                "ClientId": plain["ClientId"],
                "Username": name,
                "Password": "Passw0rd!",
                "UserAttributes": [{"Name": "email", "Value": f"{name}@example.com"}],
            },
        )
    return {
        "UserPoolId": [pool_id, "us-east-1_XXXXXXXXX"],
        "ClientId": [plain["ClientId"], secret["ClientId"], "a" * 26],
        "Username": ["alice", "bob", "alice@example.com", "nobody"],
        "Password": ["Passw0rd!", "Password1!", "short"],
        "ConfirmationCode": ["123456", "000000"],
        "PoolName": ["fuzzed"],
        "ClientName": ["fuzzed"],
    }


@pytest.mark.parametrize("operation", sorted(REGISTRY))
def test_generated_requests_get_a_well_formed_answer(fuzzed, operation):
    world = make_world(fuzzed)
    shape = MODEL.operation_model(operation).input_shape

    @given(body=request(shape, world))
    def send(body):
        check(post(fuzzed, PREFIX + operation, json.dumps(body).encode()))

    send()
    assert integrity(fuzzed) == []


RAW_BODIES = st.one_of(
    st.binary(max_size=200),
    JSON.map(lambda v: json.dumps(v).encode()),
    st.integers(1, 5000).map(lambda n: b"[" * n),
    st.integers(1, 5000).map(lambda n: b'{"a":' * n + b"1" + b"}" * n),
    st.text(max_size=100).map(lambda t: t.encode("utf-8", "surrogatepass")),
)
TARGETS = st.one_of(
    st.sampled_from([PREFIX + name for name in sorted(REGISTRY)]),
    st.sampled_from([PREFIX + "InitiateAuth", PREFIX + "NoSuchOperation", "Other.SignUp", "", PREFIX]),
    # what an HTTP client can send as a header value: printable ASCII without surrounding spaces
    st.text(max_size=40).filter(lambda t: t.isprintable() and t.isascii() and t == t.strip()),
)


@given(target=TARGETS, body=RAW_BODIES)
def test_raw_bodies_and_targets_get_a_well_formed_answer(fuzzed, target, body):
    check(post(fuzzed, target, body))


def test_store_invariants_hold_after_fuzzing(fuzz_server):
    assert integrity(fuzz_server) == []
    assert HTTP.get(f"{fuzz_server.url}/health").status_code == 200
