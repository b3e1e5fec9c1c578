"""Liveness, readiness, Prometheus metrics and JSON logs with request ids."""

from __future__ import annotations

import gc
import json

import pytest
from botocore.exceptions import ClientError

from tests.helpers import http_get, make_client
from tests.server import ServerProcess
from userpool.observability import Metrics
from userpool.testing import LocalUserpool


def test_health_ready_and_metrics(server, cognito):
    assert http_get(f"{server.url}/health").json() == {"status": "ok"}
    assert http_get(f"{server.url}/ready").json() == {"status": "ready"}
    with pytest.raises(ClientError):
        cognito.describe_user_pool(UserPoolId="us-east-1_000000000")
    page = http_get(f"{server.url}/metrics")
    assert page.status_code == 200
    assert page.headers["content-type"].startswith("text/plain")
    text = page.text
    assert 'userpool_requests_total{operation="DescribeUserPool",outcome="ResourceNotFoundException"}' in text
    assert 'userpool_request_seconds_bucket{le="0.005",operation="DescribeUserPool"}' in text
    assert "userpool_password_hashes_in_flight 0.0" in text


def test_json_logs_carry_the_request_id(tmp_path):
    server = ServerProcess(tmp_path / "data", env={"USERPOOL_LOG_JSON": "true"}).start()
    try:
        cognito = make_client(server.url)
        pool_id = cognito.create_user_pool(PoolName="logs", AutoVerifiedAttributes=["email"])["UserPool"]["Id"]
        client_id = cognito.create_user_pool_client(UserPoolId=pool_id, ClientName="c")["UserPoolClient"]["ClientId"]
        answer = cognito.sign_up(
            ClientId=client_id,
            Username="logged",
            Password="Passw0rd!",
            UserAttributes=[{"Name": "email", "Value": "l@example.com"}],
        )
        request_id = answer["ResponseMetadata"]["RequestId"]
    finally:
        server.stop()
    records = [json.loads(line) for line in server.log().splitlines() if line.startswith("{")]
    delivery = [r for r in records if r["logger"] == "userpool.delivery"]
    assert delivery and delivery[0]["request_id"] == request_id
    assert delivery[0]["level"] == "INFO" and "logged" in delivery[0]["message"]


def test_request_metrics_count_every_request_by_operation_and_outcome():
    metrics = Metrics()
    for outcome, seconds in (("ok", 0.001), ("ok", 0.2), ("NotAuthorizedException", 0.003)):
        metrics.observe_request("InitiateAuth", outcome, seconds)
    metrics.observe_request("SignUp", "ok", 0.03)
    assert metrics.totals() == {"InitiateAuth": {"ok": 2, "NotAuthorizedException": 1}, "SignUp": {"ok": 1}}
    text = metrics.exposition().decode()
    assert 'userpool_request_seconds_count{operation="InitiateAuth"} 3.0' in text
    assert 'userpool_request_seconds_bucket{le="0.005",operation="InitiateAuth"} 2.0' in text
    assert 'userpool_request_seconds_count{operation="SignUp"} 1.0' in text


def test_a_running_server_keeps_its_start_up_heap_out_of_full_collections(tmp_path):
    # Start-up's objects (the botocore model, SQLAlchemy's tables, the modules) are frozen while the server runs, so
    # a full collection does not walk them (~100 ms a walk), and thawed when it stops.
    server = LocalUserpool(tmp_path / "data").start()
    try:
        assert gc.get_freeze_count() > 50_000
        assert http_get(f"{server.url}/health").json() == {"status": "ok"}
    finally:
        server.stop()
    assert gc.get_freeze_count() == 0
