"""Helpers the API tests share: boto3 clients, the outbox, the test clock, error triples."""

from __future__ import annotations

import json
import urllib.parse
import urllib.request
from typing import Any

import boto3
import pytest
from botocore.config import Config

from tests.server import Server


def make_client(url: str, validate: bool = True) -> Any:
    return boto3.client(
        "cognito-idp",
        endpoint_url=url,
        region_name="us-east-1",
        aws_access_key_id="testing",
        aws_secret_access_key="testing",
        config=Config(parameter_validation=validate, retries={"max_attempts": 1}),
    )


def outbox(server: Server, pool_id: str | None = None, username: str | None = None) -> list[dict[str, Any]]:
    query = {k: v for k, v in {"userPoolId": pool_id, "username": username}.items() if v is not None}
    url = f"{server.url}/_userpool/outbox?{urllib.parse.urlencode(query)}"
    with urllib.request.urlopen(url) as response:
        return json.load(response)["messages"]


def latest_code(server: Server, pool_id: str, username: str) -> str:
    messages = outbox(server, pool_id, username)
    assert messages, f"no message for {username} in {pool_id}"
    return messages[-1]["code"]


def _clock(server: Server, body: dict[str, Any]) -> None:
    request = urllib.request.Request(f"{server.url}/_userpool/clock", data=json.dumps(body).encode(), method="POST")
    with urllib.request.urlopen(request) as response:
        assert response.status == 200


def advance_clock(server: Server, seconds: float) -> None:
    _clock(server, {"advance": seconds})


def freeze_clock(server: Server, frozen: bool = True) -> None:
    """Stop the server's clock (it then moves only by ``advance_clock``), so time-window tests do not race it."""
    _clock(server, {"freeze": frozen})


def error_of(excinfo: pytest.ExceptionInfo[Any]) -> tuple[int, str, str]:
    """(HTTP status, __type, message) of a botocore ClientError."""
    response = excinfo.value.response
    return (
        response["ResponseMetadata"]["HTTPStatusCode"],
        response["Error"]["Code"],
        response["Error"]["Message"],
    )
