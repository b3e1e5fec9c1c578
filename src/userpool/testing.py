"""userpool inside a test process: a real server on a free loopback port, in a background thread.

    with LocalUserpool(tmp_path) as userpool:
        pool_id, client_id = userpool.create_pool_and_client({"AutoVerifiedAttributes": ["email"]})
        ...   # boto3 clients made with userpool.client() or, inside userpool.environment(), any boto3 client
        code = userpool.latest_code(pool_id, "alice")

The pytest plugin (``userpool.pytest_plugin``) wraps this in fixtures.
"""

from __future__ import annotations

import contextlib
import json
import os
import socket
import threading
import time
import urllib.parse
import urllib.request
from collections.abc import Iterator, Mapping
from pathlib import Path
from types import TracebackType
from typing import Any

import uvicorn

from userpool.app import build_app
from userpool.config import Settings

ENVIRONMENT = {
    "AWS_ENDPOINT_URL_COGNITO_IDENTITY_PROVIDER": "",  # filled with the server's URL
    "AWS_DEFAULT_REGION": "us-east-1",
    "AWS_REGION": "us-east-1",
    "AWS_ACCESS_KEY_ID": "testing",
    "AWS_SECRET_ACCESS_KEY": "testing",
}


class LocalUserpool:
    """A userpool server in this process, with helpers for tests."""

    def __init__(self, data_dir: Path, **settings: Any) -> None:
        self._socket = socket.socket()
        self._socket.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self._socket.bind(("127.0.0.1", 0))
        self.port: int = self._socket.getsockname()[1]
        self.settings = Settings(host="127.0.0.1", port=self.port, data_dir=data_dir, log_level="warning", **settings)
        self.app = build_app(self.settings)
        self._server = uvicorn.Server(
            uvicorn.Config(self.app, log_level="warning", access_log=False, lifespan="on", timeout_graceful_shutdown=5)
        )
        self._thread = threading.Thread(target=self._server.run, kwargs={"sockets": [self._socket]}, daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self, timeout: float = 30.0) -> LocalUserpool:
        self._thread.start()
        deadline = time.monotonic() + timeout
        while not self._server.started:
            if not self._thread.is_alive() or time.monotonic() > deadline:
                raise RuntimeError("userpool did not start")
            time.sleep(0.01)
        return self

    def stop(self) -> None:
        self._server.should_exit = True
        self._thread.join(timeout=30)
        self._socket.close()

    def __enter__(self) -> LocalUserpool:
        return self.start()

    def __exit__(self, *exc: tuple[type[BaseException] | None, BaseException | None, TracebackType | None]) -> None:
        self.stop()

    # ---- for tests -------------------------------------------------------------------------------------
    def environment(self) -> dict[str, str]:
        """Environment variables that point unmodified boto3 code at this server (dummy credentials)."""
        return {**ENVIRONMENT, "AWS_ENDPOINT_URL_COGNITO_IDENTITY_PROVIDER": self.url}

    @contextlib.contextmanager
    def environment_set(self) -> Iterator[None]:
        saved = {key: os.environ.get(key) for key in ENVIRONMENT}
        os.environ.update(self.environment())
        try:
            yield
        finally:
            for key, value in saved.items():
                if value is None:
                    os.environ.pop(key, None)
                else:
                    os.environ[key] = value

    def client(self) -> Any:
        """A boto3 ``cognito-idp`` client for this server."""
        import boto3

        return boto3.client(
            "cognito-idp",
            endpoint_url=self.url,
            region_name="us-east-1",
            aws_access_key_id="testing",
            aws_secret_access_key="testing",
        )

    def create_pool(self, settings: Mapping[str, Any] | None = None) -> dict[str, Any]:
        """CreateUserPool with these settings (``PoolName`` defaults to "test"); the pool's description."""
        request = {"PoolName": "test", **(settings or {})}
        return self.client().create_user_pool(**request)["UserPool"]

    def create_client(self, pool_id: str, settings: Mapping[str, Any] | None = None) -> dict[str, Any]:
        """CreateUserPoolClient with these settings (``ClientName`` defaults to "test"); its description."""
        request = {"ClientName": "test", **(settings or {}), "UserPoolId": pool_id}
        return self.client().create_user_pool_client(**request)["UserPoolClient"]

    def create_pool_and_client(
        self, pool: Mapping[str, Any] | None = None, client: Mapping[str, Any] | None = None
    ) -> tuple[str, str]:
        pool_id = self.create_pool(pool)["Id"]
        return pool_id, self.create_client(pool_id, client)["ClientId"]

    def messages(self, pool_id: str | None = None, username: str | None = None) -> list[dict[str, Any]]:
        """What the server sent (the outbox), oldest first."""
        query = urllib.parse.urlencode({k: v for k, v in (("userPoolId", pool_id), ("username", username)) if v})
        with urllib.request.urlopen(f"{self.url}/_userpool/outbox?{query}") as response:
            return json.load(response)["messages"]

    def latest_code(self, pool_id: str, username: str) -> str:
        """The code of the newest message to ``username`` (in email/phone-as-username pools: the user's sub)."""
        found = [m for m in self.messages(pool_id, username) if m["code"]]
        if not found:
            raise LookupError(f"no code was sent to {username} in {pool_id}")
        return found[-1]["code"]

    def advance_clock(self, seconds: float) -> None:
        """Move the server's clock forward: codes and tokens expire as if the time had passed."""
        self.app.state.context.clock.advance(seconds)
