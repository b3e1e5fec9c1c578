"""Helpers the API tests share: boto3 clients, sign-up requests, the outbox, the test clock, error triples.

``server`` arguments are any server with a ``url``: an in-process ``LocalUserpool`` or a ``ServerProcess``.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import ssl
import urllib.parse
import urllib.request
from pathlib import Path
from typing import Any, Protocol

import certifi
import httpx
import pytest
from alembic import command
from alembic.config import Config
from authlib.integrations.httpx_client import OAuth2Client
from sqlalchemy import create_engine

from userpool.store.schema import MIGRATIONS
from userpool.testing import boto3_client

PASSWORD = "Passw0rd!"

# httpx builds an SSL context for every client (``httpx.get`` and the like make a client per call), loading certifi's
# CA bundle: ~25-30 ms, more than many a test's requests. The tests' clients speak plain HTTP to loopback servers;
# they share this one context, the one httpx would build (a context is safe to share).
TLS = ssl.create_default_context(cafile=certifi.where())


def http_client(**options: Any) -> httpx.Client:
    """``httpx.Client(**options)`` on the suite's one SSL context."""
    return httpx.Client(verify=TLS, **options)


def oauth2_client(*args: Any, **options: Any) -> OAuth2Client:
    """authlib's ``OAuth2Client`` (an httpx client) on the suite's one SSL context."""
    return OAuth2Client(*args, verify=TLS, **options)


def http_request(method: str, url: str, **options: Any) -> httpx.Response:
    """``httpx.request``: one request by a client of its own (no cookies kept), on the suite's one SSL context."""
    return httpx.request(method, url, verify=TLS, **options)


def http_get(url: str, **options: Any) -> httpx.Response:
    return http_request("GET", url, **options)


def http_post(url: str, **options: Any) -> httpx.Response:
    return http_request("POST", url, **options)


def http_put(url: str, **options: Any) -> httpx.Response:
    return http_request("PUT", url, **options)


class HasUrl(Protocol):
    @property
    def url(self) -> str: ...


def make_client(url: str, validate: bool = True, connections: int = 10) -> Any:
    """A boto3 ``cognito-idp`` client for ``url`` (no retries; ``validate=False``: no client-side checks; up to
    ``connections`` requests at once from threads sharing it)."""
    return boto3_client(url, validate, connections)


def sign_up(cognito: Any, client_id: str, username: str = "alice", password: str = PASSWORD, **extra: Any) -> Any:
    return cognito.sign_up(ClientId=client_id, Username=username, Password=password, **extra)


def email(value: str) -> list[dict[str, str]]:
    """``UserAttributes`` holding just this email."""
    return [{"Name": "email", "Value": value}]


def secret_hash(secret: str, username: str, client_id: str) -> str:
    """The ``SecretHash`` of a request by a client with a secret (base64 HMAC-SHA256 of username + client id)."""
    digest = hmac.new(secret.encode(), (username + client_id).encode(), hashlib.sha256).digest()
    return base64.b64encode(digest).decode()


def outbox(server: HasUrl, pool_id: str | None = None, username: str | None = None) -> list[dict[str, Any]]:
    query = {k: v for k, v in {"userPoolId": pool_id, "username": username}.items() if v is not None}
    url = f"{server.url}/_userpool/outbox?{urllib.parse.urlencode(query)}"
    with urllib.request.urlopen(url) as response:
        return json.load(response)["messages"]


def latest_code(server: HasUrl, pool_id: str, username: str) -> str:
    messages = outbox(server, pool_id, username)
    assert messages, f"no message for {username} in {pool_id}"
    return messages[-1]["code"]


def _clock(server: HasUrl, body: dict[str, Any]) -> None:
    request = urllib.request.Request(f"{server.url}/_userpool/clock", data=json.dumps(body).encode(), method="POST")
    with urllib.request.urlopen(request) as response:
        assert response.status == 200


def advance_clock(server: HasUrl, seconds: float) -> None:
    _clock(server, {"advance": seconds})


def freeze_clock(server: HasUrl, frozen: bool = True) -> None:
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


def migrate_sqlite(path: Path, revision: str) -> None:
    """Bring the SQLite store at ``path`` to Alembic ``revision`` (a store as an older userpool wrote it, or "head")."""
    engine = create_engine(f"sqlite:///{path}")
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    try:
        with engine.begin() as conn:
            config.attributes["connection"] = conn
            command.upgrade(config, revision)
    finally:
        engine.dispose()
