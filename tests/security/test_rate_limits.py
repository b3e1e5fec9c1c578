"""Rate limits held in the store: Cognito's per-user quotas, the per-pool UserCreation quota, per-source-IP limits
(with trusted proxies and UserContextData), counters shared by two processes, and counters that expire."""

from __future__ import annotations

import sqlite3
import time
from concurrent.futures import ThreadPoolExecutor

import boto3
import pytest
from botocore.config import Config
from botocore.exceptions import ClientError

from tests.helpers import advance_clock, email, error_of, freeze_clock, http_post, latest_code, secret_hash, sign_up
from tests.server import ServerProcess, in_process

ATTEMPTS = (400, "LimitExceededException", "Attempt limit exceeded, please try after some time.")
THROTTLED = (400, "TooManyRequestsException", "Rate exceeded")
MISMATCH = (400, "CodeMismatchException", "Invalid verification code provided, please try again.")


@pytest.fixture(scope="module")
def quota_server(tmp_path_factory):
    """Per-code attempts high, so the per-user quotas are what stops a guesser. Its clock moves only when a test
    moves it, so an hour's window cannot turn over in the middle of a test."""
    server = in_process(tmp_path_factory.mktemp("quota") / "data", code_attempts=1000)
    freeze_clock(server)
    yield server
    server.stop()


def make_client(url):
    """A boto3 client that never retries: every refused request is seen as it is (botocore retries throttling)."""
    return boto3.client(
        "cognito-idp",
        endpoint_url=url,
        region_name="us-east-1",
        aws_access_key_id="testing",
        aws_secret_access_key="testing",
        config=Config(retries={"total_max_attempts": 1, "mode": "standard"}),
    )


def triple(exc: ClientError) -> tuple[int, str, str]:
    return (
        exc.response["ResponseMetadata"]["HTTPStatusCode"],
        exc.response["Error"]["Code"],
        exc.response["Error"]["Message"],
    )


def new_pool(cognito, **client_settings):
    pool_id = cognito.create_user_pool(PoolName="limits", AutoVerifiedAttributes=["email"])["UserPool"]["Id"]
    client = cognito.create_user_pool_client(UserPoolId=pool_id, ClientName="app", **client_settings)
    return pool_id, client["UserPoolClient"]


def wrong(code):
    return f"{(int(code) + 1) % 1_000_000:06d}"


def test_confirm_sign_up_is_limited_to_15_an_hour_per_user(quota_server):
    cognito = make_client(quota_server.url)
    pool_id, client = new_pool(cognito)
    sign_up(cognito, client["ClientId"], "guessed", UserAttributes=email("g@example.com"))
    code = latest_code(quota_server, pool_id, "guessed")
    for _ in range(15):
        with pytest.raises(ClientError) as e:
            cognito.confirm_sign_up(ClientId=client["ClientId"], Username="guessed", ConfirmationCode=wrong(code))
        assert error_of(e) == MISMATCH
    with pytest.raises(ClientError) as e:  # the 16th, even with the right code
        cognito.confirm_sign_up(ClientId=client["ClientId"], Username="guessed", ConfirmationCode=code)
    assert error_of(e) == ATTEMPTS
    # another user of the same pool is not affected
    sign_up(cognito, client["ClientId"], "bystander", UserAttributes=email("b@example.com"))
    cognito.confirm_sign_up(
        ClientId=client["ClientId"],
        Username="bystander",
        ConfirmationCode=latest_code(quota_server, pool_id, "bystander"),
    )
    advance_clock(quota_server, 3600)
    cognito.confirm_sign_up(ClientId=client["ClientId"], Username="guessed", ConfirmationCode=code)
    assert cognito.admin_get_user(UserPoolId=pool_id, Username="guessed")["UserStatus"] == "CONFIRMED"


def test_resend_is_limited_to_5_an_hour_per_user(quota_server):
    cognito = make_client(quota_server.url)
    _pool_id, client = new_pool(cognito)
    sign_up(cognito, client["ClientId"], "resender", UserAttributes=email("r@example.com"))
    for _ in range(5):
        cognito.resend_confirmation_code(ClientId=client["ClientId"], Username="resender")
    with pytest.raises(ClientError) as e:
        cognito.resend_confirmation_code(ClientId=client["ClientId"], Username="resender")
    assert error_of(e) == ATTEMPTS
    # the user is named by any name it answers to: the quota is the user's, not the name's
    advance_clock(quota_server, 3600)
    cognito.resend_confirmation_code(ClientId=client["ClientId"], Username="resender")


def test_user_creation_quota_per_pool(tmp_path):
    server = in_process(tmp_path / "data", user_creation_rate=3)
    try:
        cognito = make_client(server.url)
        pool_id, client = new_pool(cognito)
        _other_pool, other_client = new_pool(cognito)
        results = []
        started = time.time()
        for i in range(20):  # cheap calls: unknown users, counted before the operation runs
            try:
                cognito.confirm_sign_up(ClientId=client["ClientId"], Username=f"nobody{i}", ConfirmationCode="123456")
            except ClientError as exc:
                results.append(triple(exc))
        windows = int(time.time()) - int(started) + 1  # clock-aligned seconds the burst touched
        admitted = [r for r in results if r[1] == "UserNotFoundException"]
        refused = [r for r in results if r[1] != "UserNotFoundException"]
        assert all(r == THROTTLED for r in refused)
        assert len(admitted) <= 3 * windows
        assert len(admitted) + len(refused) == 20
        # the quota is per pool: another pool is served at once
        with pytest.raises(ClientError) as e:
            cognito.confirm_sign_up(ClientId=other_client["ClientId"], Username="nobody", ConfirmationCode="123456")
        assert error_of(e)[1] == "UserNotFoundException"
        # every request was counted in the store, refused ones too
        db = sqlite3.connect(server.data_dir / "userpool.db")
        try:
            [(total,)] = db.execute(
                "SELECT COALESCE(SUM(count), 0) FROM rate_counters WHERE scope = 'pool:UserCreation' AND key = ?",
                (pool_id,),
            ).fetchall()
        finally:
            db.close()
        assert total == 20
    finally:
        server.stop()


def raw_sign_up(server, client_id, username, headers=None, **extra):
    body = {
        "ClientId": client_id,
        "Username": username,
        "Password": "Passw0rd!",
        "UserAttributes": [{"Name": "email", "Value": f"{username}@example.com"}],
        **extra,
    }
    response = http_post(
        f"{server.url}/",
        json=body,
        headers={"X-Amz-Target": "AWSCognitoIdentityProviderService.SignUp", **(headers or {})},
        timeout=30,
    )
    return response.status_code, response.json().get("__type"), response.json().get("message")


def test_sign_up_per_source_ip_ignores_forwarded_for_from_untrusted_peers(tmp_path):
    server = in_process(tmp_path / "data", sign_up_per_ip_per_hour=2)
    try:
        _pool_id, client = new_pool(make_client(server.url))
        assert raw_sign_up(server, client["ClientId"], "ip1")[0] == 200
        assert raw_sign_up(server, client["ClientId"], "ip2", {"X-Forwarded-For": "203.0.113.9"})[0] == 200
        # a third from 127.0.0.1, whatever address the (untrusted) client claims
        assert raw_sign_up(server, client["ClientId"], "ip3", {"X-Forwarded-For": "198.51.100.1"}) == THROTTLED
        advance_clock(server, 3600)
        assert raw_sign_up(server, client["ClientId"], "ip4")[0] == 200
    finally:
        server.stop()


def test_trusted_proxy_forwarded_for_names_the_client(tmp_path):
    server = in_process(tmp_path / "data", sign_up_per_ip_per_hour=2, trusted_proxies="127.0.0.0/8")
    try:
        _, client = new_pool(make_client(server.url))
        first = {"X-Forwarded-For": "203.0.113.5"}
        # a client-supplied entry before the proxy's own does not change who is counted
        spoofed = {"X-Forwarded-For": "198.51.100.77, 203.0.113.5"}
        assert raw_sign_up(server, client["ClientId"], "p1", first)[0] == 200
        assert raw_sign_up(server, client["ClientId"], "p2", spoofed)[0] == 200
        assert raw_sign_up(server, client["ClientId"], "p3", first) == THROTTLED
        assert raw_sign_up(server, client["ClientId"], "p4", {"X-Forwarded-For": "203.0.113.6"})[0] == 200
    finally:
        server.stop()


def test_user_context_ip_counts_only_for_a_secret_client_that_propagates_it(tmp_path):
    server = in_process(tmp_path / "data", confirm_per_ip_per_hour=2)
    try:
        cognito = make_client(server.url)
        _, propagating = new_pool(cognito, GenerateSecret=True, EnablePropagateAdditionalUserContextData=True)
        _, plain = new_pool(cognito, GenerateSecret=True)

        def resend(client, username, ip):
            extra = {"UserContextData": {"IpAddress": ip, "EncodedData": "x"}}
            try:
                cognito.resend_confirmation_code(
                    ClientId=client["ClientId"],
                    Username=username,
                    SecretHash=secret_hash(client["ClientSecret"], username, client["ClientId"]),
                    **extra,
                )
            except ClientError as exc:
                return exc.response["Error"]["Code"]
            return "ok"

        # unknown users: the limit applies before the operation looks for them
        assert [resend(propagating, f"u{i}", "192.0.2.1") for i in range(3)] == [
            "UserNotFoundException",
            "UserNotFoundException",
            "TooManyRequestsException",
        ]
        assert resend(propagating, "u9", "192.0.2.2") == "UserNotFoundException"  # another end user's address
        # without propagation the connection's address (127.0.0.1) is counted, whatever IpAddress says
        assert resend(plain, "v1", "192.0.2.3") == "UserNotFoundException"
        assert resend(plain, "v2", "192.0.2.4") == "UserNotFoundException"
        assert resend(plain, "v3", "192.0.2.5") == "TooManyRequestsException"
    finally:
        server.stop()


def test_user_context_ip_is_believed_with_a_secret_hash_of_either_active_secret(tmp_path):
    server = in_process(tmp_path / "data", confirm_per_ip_per_hour=2)
    try:
        cognito = make_client(server.url)
        pool_id, client = new_pool(cognito, GenerateSecret=True, EnablePropagateAdditionalUserContextData=True)
        client_id, first = client["ClientId"], client["ClientSecret"]
        added = cognito.add_user_pool_client_secret(UserPoolId=pool_id, ClientId=client_id)
        second = added["ClientSecretDescriptor"]["ClientSecretValue"]

        def resend(secret, username, ip):
            try:
                cognito.resend_confirmation_code(
                    ClientId=client_id,
                    Username=username,
                    SecretHash=secret_hash(secret, username, client_id),
                    UserContextData={"IpAddress": ip, "EncodedData": "x"},
                )
            except ClientError as exc:
                return exc.response["Error"]["Code"]
            return "ok"

        # the end user's address is counted with the newer secret's hash as with the older's ...
        assert [resend(second, f"u{i}", "192.0.2.1") for i in range(3)] == [
            "UserNotFoundException",
            "UserNotFoundException",
            "TooManyRequestsException",
        ]
        assert resend(first, "u8", "192.0.2.2") == "UserNotFoundException"
        # ... so the connection's own address (127.0.0.1) was never counted: had it been, this fourth request
        # from it would be refused
        assert resend(second, "u9", "192.0.2.3") == "UserNotFoundException"
    finally:
        server.stop()


def test_counters_are_shared_by_two_processes_on_one_store(tmp_path):
    data = tmp_path / "data"
    first = ServerProcess(data).start()
    second = ServerProcess(data, port=None).start()
    try:
        a, b = make_client(first.url), make_client(second.url)
        _pool_id, client = new_pool(a)
        sign_up(a, client["ClientId"], "shared", UserAttributes=email("s@example.com"))
        for server_client in (a, b, a, b, b):
            server_client.resend_confirmation_code(ClientId=client["ClientId"], Username="shared")
        for server_client in (a, b):
            with pytest.raises(ClientError) as e:
                server_client.resend_confirmation_code(ClientId=client["ClientId"], Username="shared")
            assert error_of(e) == ATTEMPTS
    finally:
        first.stop()
        second.stop()


def test_concurrent_requests_never_exceed_the_quota(quota_server):
    cognito = make_client(quota_server.url)
    _pool_id, client = new_pool(cognito)
    sign_up(cognito, client["ClientId"], "raced", UserAttributes=email("raced@example.com"))

    def resend(_):
        try:
            cognito.resend_confirmation_code(ClientId=client["ClientId"], Username="raced")
            return "ok"
        except ClientError as exc:
            return exc.response["Error"]["Code"]

    with ThreadPoolExecutor(max_workers=8) as pool:
        results = list(pool.map(resend, range(24)))
    assert results.count("ok") == 5
    assert results.count("LimitExceededException") == 19


def test_old_windows_are_deleted(quota_server):
    cognito = make_client(quota_server.url)
    _, client = new_pool(cognito)
    sign_up(cognito, client["ClientId"], "expiring", UserAttributes=email("e@example.com"))
    cognito.resend_confirmation_code(ClientId=client["ClientId"], Username="expiring")
    advance_clock(quota_server, 2 * 3600)
    cognito.resend_confirmation_code(ClientId=client["ClientId"], Username="expiring")
    now = time.time() + read_offset(quota_server)
    db = sqlite3.connect(quota_server.data_dir / "userpool.db")
    try:
        [(stale,)] = db.execute("SELECT COUNT(*) FROM rate_counters WHERE expires_at <= ?", (now - 60,)).fetchall()
        [(live,)] = db.execute("SELECT COUNT(*) FROM rate_counters").fetchall()
    finally:
        db.close()
    assert stale == 0
    assert live >= 1


def read_offset(server) -> float:
    import json
    import urllib.request

    request = urllib.request.Request(f"{server.url}/_userpool/clock", data=b'{"advance": 0}', method="POST")
    with urllib.request.urlopen(request) as response:
        return json.load(response)["now"] - time.time()
