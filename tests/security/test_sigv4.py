"""SigV4 on the IAM-authorized operations: a server with access keys, real boto3 clients signing with right and
wrong keys, and raw HTTP (httpx) for what an SDK never sends."""

from __future__ import annotations

import datetime as dt
import json
import re
import textwrap
from concurrent.futures import ThreadPoolExecutor

import boto3
import httpx
import pytest
from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.config import Config
from botocore.credentials import Credentials
from botocore.exceptions import ClientError
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.helpers import advance_clock, error_of, http_client
from tests.server import ServerProcess, in_process
from userpool import config

KEYS = {"AKIDADMIN": "admin-secret/with+chars", "AKIDOTHER": "other-secret"}
MISMATCH = (
    400,
    "InvalidSignatureException",
    "The request signature we calculated does not match the signature you provided. Check your AWS Secret Access "
    "Key and signing method. Consult the service documentation for details.",
)
# A new connection per request, as httpx.post makes, without building an SSL context for each.
HTTP = http_client(timeout=30, limits=httpx.Limits(max_keepalive_connections=0))
KEYS_ENV = {"USERPOOL_ACCESS_KEYS": ",".join(f"{k}:{v}" for k, v in KEYS.items())}
UNRECOGNIZED = (400, "UnrecognizedClientException", "The security token included in the request is invalid.")
MISSING = (403, "MissingAuthenticationTokenException", "Missing Authentication Token")
TARGET = "AWSCognitoIdentityProviderService."


@pytest.fixture(scope="module")
def keyed(tmp_path_factory):
    server = in_process(tmp_path_factory.mktemp("keyed") / "data", access_keys=KEYS_ENV["USERPOOL_ACCESS_KEYS"])
    yield server
    server.stop()


def client(server, key_id, secret, region="us-east-1"):
    return boto3.client(
        "cognito-idp",
        endpoint_url=server.url,
        region_name=region,
        aws_access_key_id=key_id,
        aws_secret_access_key=secret,
        config=Config(retries={"max_attempts": 1}),
    )


@pytest.fixture(scope="module")
def admin(keyed):
    return client(keyed, "AKIDADMIN", KEYS["AKIDADMIN"])


def raw(server, operation, body, headers=None):
    all_headers = {"Content-Type": "application/x-amz-json-1.1", "X-Amz-Target": TARGET + operation}
    all_headers.update(headers or {})
    content = body if isinstance(body, bytes) else json.dumps(body).encode()
    return HTTP.post(f"{server.url}/", content=content, headers=all_headers)


def signed_headers(server, operation, body: bytes, key_id="AKIDADMIN", secret=None, when=None):
    """Headers of a request signed by botocore for ``body``."""
    request = AWSRequest(
        method="POST",
        url=f"{server.url}/",
        data=body,
        headers={"Content-Type": "application/x-amz-json-1.1", "X-Amz-Target": TARGET + operation},
    )
    signer = SigV4Auth(Credentials(key_id, secret or KEYS[key_id]), "cognito-idp", "us-east-1")
    if when is None:
        signer.add_auth(request)
    else:
        request.context["timestamp"] = when.strftime("%Y%m%dT%H%M%SZ")
        request.headers["X-Amz-Date"] = request.context["timestamp"]
        canonical = signer.canonical_request(request)
        signature = signer.signature(signer.string_to_sign(request, canonical), request)
        signer._inject_signature_to_request(request, signature)
    return dict(request.headers.items())


def error(response):
    return response.status_code, response.json()["__type"], response.json()["message"]


def test_signed_with_a_configured_key_is_served(admin, keyed):
    pool = admin.create_user_pool(PoolName="signed")["UserPool"]
    assert admin.describe_user_pool(UserPoolId=pool["Id"])["UserPool"]["Name"] == "signed"
    other = client(keyed, "AKIDOTHER", KEYS["AKIDOTHER"])
    assert pool["Id"] in {p["Id"] for p in other.list_user_pools(MaxResults=60)["UserPools"]}


def test_wrong_secret_is_an_invalid_signature(keyed):
    with pytest.raises(ClientError) as e:
        client(keyed, "AKIDADMIN", "not-the-secret").list_user_pools(MaxResults=10)
    assert error_of(e) == MISMATCH


def test_unknown_access_key_is_unrecognized(keyed):
    with pytest.raises(ClientError) as e:
        client(keyed, "AKIDNOBODY", "whatever").create_user_pool(PoolName="nope")
    assert error_of(e) == UNRECOGNIZED


def test_nothing_is_written_by_a_refused_request(admin, keyed):
    before = len(admin.list_user_pools(MaxResults=60)["UserPools"])
    for bad in (client(keyed, "AKIDADMIN", "wrong"), client(keyed, "AKIDNOBODY", "x")):
        with pytest.raises(ClientError):
            bad.create_user_pool(PoolName="refused")
    assert len(admin.list_user_pools(MaxResults=60)["UserPools"]) == before


@pytest.mark.parametrize(
    "operation, body",
    [
        ("CreateUserPool", {"PoolName": "unsigned"}),
        ("ListUserPools", {"MaxResults": 1}),
        ("AdminGetUser", {"UserPoolId": "us-east-1_XXXXXXXXX", "Username": "x"}),
    ],
)
def test_unsigned_iam_operation_is_missing_a_token(keyed, operation, body):
    response = raw(keyed, operation, body)
    assert error(response) == MISSING
    assert response.headers["x-amzn-ErrorType"] == "MissingAuthenticationTokenException:"


def test_unauthenticated_operations_stay_open(admin, keyed):
    pool_id = admin.create_user_pool(PoolName="open", AutoVerifiedAttributes=["email"])["UserPool"]["Id"]
    client_id = admin.create_user_pool_client(UserPoolId=pool_id, ClientName="web")["UserPoolClient"]["ClientId"]
    body = {
        "ClientId": client_id,
        "Username": "unsigned-user",
        "Password": "Passw0rd!",
        "UserAttributes": [{"Name": "email", "Value": "u@example.com"}],
    }
    response = raw(keyed, "SignUp", body)  # no Authorization header at all
    assert response.status_code == 200, response.text
    # and a client holding keys the server does not know can still use them (botocore does not sign them)
    stranger = client(keyed, "AKIDNOBODY", "x")
    stranger.resend_confirmation_code(ClientId=client_id, Username="unsigned-user")
    assert admin.admin_get_user(UserPoolId=pool_id, Username="unsigned-user")["UserStatus"] == "UNCONFIRMED"


def test_tampered_body_does_not_match(keyed):
    body = json.dumps({"PoolName": "original"}).encode()
    headers = signed_headers(keyed, "CreateUserPool", body)
    response = HTTP.post(f"{keyed.url}/", content=json.dumps({"PoolName": "tampered"}).encode(), headers=headers)
    assert error(response) == MISMATCH


def test_signature_is_bound_to_the_operation(keyed):
    body = json.dumps({"MaxResults": 1}).encode()
    headers = signed_headers(keyed, "ListUserPools", body)
    headers["X-Amz-Target"] = TARGET + "CreateUserPool"
    response = HTTP.post(f"{keyed.url}/", content=json.dumps({"PoolName": "x"}).encode(), headers=headers)
    assert error(response) == MISMATCH


def test_a_raw_request_signed_by_botocore_is_served(keyed):
    body = json.dumps({"MaxResults": 1}).encode()
    response = HTTP.post(f"{keyed.url}/", content=body, headers=signed_headers(keyed, "ListUserPools", body))
    assert response.status_code == 200, response.text


def test_declared_payload_hash_must_be_the_body_hash(keyed):
    body = json.dumps({"MaxResults": 1}).encode()
    headers = signed_headers(keyed, "ListUserPools", body)
    headers["X-Amz-Content-SHA256"] = "0" * 64
    response = HTTP.post(f"{keyed.url}/", content=body, headers=headers)
    assert error(response) == MISMATCH


def test_credential_scoped_to_another_region(keyed):
    with pytest.raises(ClientError) as e:
        client(keyed, "AKIDADMIN", KEYS["AKIDADMIN"], region="eu-west-1").list_user_pools(MaxResults=1)
    assert error_of(e) == (
        400,
        "InvalidSignatureException",
        "Credential should be scoped to a valid region, not 'eu-west-1'. ",
    )


@pytest.mark.parametrize(
    "authorization, message",
    [
        ("Bearer abc", "Unsupported AWS 'algorithm': 'Bearer'. Use AWS4-HMAC-SHA256."),
        (
            "AWS4-HMAC-SHA256 Credential=AKIDADMIN/20240101/us-east-1/cognito-idp/aws4_request",
            "Authorization header requires 'Signature' parameter. "
            "Authorization header requires 'SignedHeaders' parameter.",
        ),
        (
            "AWS4-HMAC-SHA256 Credential=AKIDADMIN/us-east-1, SignedHeaders=host, Signature=00",
            "Credential must have exactly 5 slash-delimited elements, e.g. keyid/date/region/service/term.",
        ),
    ],
)
def test_malformed_authorization_is_an_incomplete_signature(keyed, authorization, message):
    response = raw(keyed, "ListUserPools", {"MaxResults": 1}, {"Authorization": authorization})
    assert error(response) == (400, "IncompleteSignatureException", message)


def test_signature_older_than_five_minutes_has_expired(keyed):
    body = json.dumps({"MaxResults": 1}).encode()
    now = dt.datetime.now(dt.UTC).replace(microsecond=0)
    response = HTTP.post(
        f"{keyed.url}/",
        content=body,
        headers=signed_headers(keyed, "ListUserPools", body, when=now - dt.timedelta(minutes=6)),
    )
    status, kind, message = error(response)
    assert (status, kind) == (400, "InvalidSignatureException")
    assert re.fullmatch(
        r"Signature expired: \d{8}T\d{6}Z is now earlier than \d{8}T\d{6}Z \(\d{8}T\d{6}Z - 5 min\.\)", message
    )
    recent = signed_headers(keyed, "ListUserPools", body, when=now - dt.timedelta(minutes=4))
    assert HTTP.post(f"{keyed.url}/", content=body, headers=recent).status_code == 200


def test_signature_from_the_future_is_not_yet_current(keyed):
    body = json.dumps({"MaxResults": 1}).encode()
    later = dt.datetime.now(dt.UTC) + dt.timedelta(minutes=10)
    response = HTTP.post(
        f"{keyed.url}/", content=body, headers=signed_headers(keyed, "ListUserPools", body, when=later)
    )
    status, kind, message = error(response)
    assert (status, kind) == (400, "InvalidSignatureException")
    assert message.startswith("Signature not yet current: ") and message.endswith(" + 5 min.)")


def test_server_clock_decides_the_skew(admin, keyed):
    """The check uses the service clock: moving it 6 minutes on makes a fresh boto3 signature stale."""
    advance_clock(keyed, 6 * 60)
    try:
        with pytest.raises(ClientError) as e:
            admin.list_user_pools(MaxResults=1)
        assert error_of(e)[:2] == (400, "InvalidSignatureException")
        assert error_of(e)[2].startswith("Signature expired: ")
    finally:
        advance_clock(keyed, -6 * 60)
    admin.list_user_pools(MaxResults=1)


def test_concurrent_signed_and_forged_requests_are_each_judged_alone(keyed):
    good = client(keyed, "AKIDADMIN", KEYS["AKIDADMIN"])
    bad = client(keyed, "AKIDADMIN", "forged")

    def one(i):
        who = good if i % 2 == 0 else bad
        try:
            who.list_user_pools(MaxResults=1)
            return "ok"
        except ClientError as exc:
            return exc.response["Error"]["Code"]

    with ThreadPoolExecutor(max_workers=8) as pool:
        results = list(pool.map(one, range(64)))
    assert results == ["ok" if i % 2 == 0 else "InvalidSignatureException" for i in range(64)]


def test_server_without_keys_accepts_any_signature_and_says_so_once(tmp_path):
    server = ServerProcess(tmp_path / "data").start()
    try:
        anyone = client(server, "ANYTHING", "at-all")
        anyone.list_user_pools(MaxResults=1)
        response = raw(server, "ListUserPools", {"MaxResults": 1})
        assert response.status_code == 200
        assert server.log().count("no access keys configured") == 1
    finally:
        server.stop()


def test_keyed_server_does_not_warn(tmp_path):
    keyed = ServerProcess(tmp_path / "data", env=KEYS_ENV).start()
    try:
        assert "no access keys configured" not in keyed.log()
    finally:
        keyed.stop()


def test_access_keys_from_a_config_file_table(tmp_path, monkeypatch):
    monkeypatch.delenv("USERPOOL_ACCESS_KEYS", raising=False)
    path = tmp_path / "userpool.toml"
    path.write_text(
        textwrap.dedent(
            """
            [server]
            port = 9300
            [server.access_keys]
            AKIDFILE = "file-secret"
            """
        )
    )
    settings = config.load(path)
    assert {k: v.get_secret_value() for k, v in settings.access_keys.items()} == {"AKIDFILE": "file-secret"}
    assert "file-secret" not in repr(settings)


def test_access_keys_from_the_environment(monkeypatch):
    monkeypatch.setenv("USERPOOL_ACCESS_KEYS", "AK1:s1, AK2:with:colon")
    settings = config.load()
    assert {k: v.get_secret_value() for k, v in settings.access_keys.items()} == {"AK1": "s1", "AK2": "with:colon"}


def test_malformed_access_keys_are_a_configuration_error(monkeypatch):
    monkeypatch.setenv("USERPOOL_ACCESS_KEYS", "no-secret-here")
    with pytest.raises(ValueError, match="AKID:secret"):
        config.load()


HEADER_TEXT = st.text(alphabet=st.characters(min_codepoint=0x20, max_codepoint=0x7E), max_size=120)
AUTHORIZATIONS = st.one_of(
    HEADER_TEXT,
    st.builds(
        lambda cred, signed, sig: f"AWS4-HMAC-SHA256 Credential={cred}, SignedHeaders={signed}, Signature={sig}",
        st.one_of(
            HEADER_TEXT,
            st.sampled_from(["AKIDADMIN/20240101/us-east-1/cognito-idp/aws4_request", "AKIDADMIN/x/y/z/w", "/////"]),
        ),
        st.one_of(HEADER_TEXT, st.sampled_from(["host;x-amz-date", "host", ";;;", "HOST;X-AMZ-TARGET"])),
        st.one_of(HEADER_TEXT, st.text(alphabet="0123456789abcdef", min_size=64, max_size=64)),
    ),
)


@settings(max_examples=150, deadline=None, database=None)
@given(
    authorization=AUTHORIZATIONS,
    amz_date=st.one_of(st.none(), HEADER_TEXT, st.sampled_from(["20240101T000000Z", "99999999T999999Z"])),
    sha=st.one_of(st.none(), HEADER_TEXT),
)
def test_any_authorization_header_gets_an_aws_error_never_a_fault(keyed, authorization, amz_date, sha):
    headers = {"Authorization": authorization.strip() or "x"}
    if amz_date is not None:
        headers["X-Amz-Date"] = amz_date.strip() or "x"
    if sha is not None:
        headers["X-Amz-Content-SHA256"] = sha.strip() or "x"
    response = raw(keyed, "ListUserPools", {"MaxResults": 1}, headers)
    assert response.status_code in (400, 403), response.text
    body = response.json()
    assert body["__type"] in {
        "IncompleteSignatureException",
        "InvalidSignatureException",
        "UnrecognizedClientException",
        "MissingAuthenticationTokenException",
    }
    assert response.headers["x-amzn-ErrorType"] == body["__type"] + ":"
