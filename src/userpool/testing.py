"""userpool for test suites: in this process (``LocalUserpool``) or as a child process (``ServerProcess``).

    with LocalUserpool(tmp_path) as userpool:
        pool_id, client_id = userpool.create_pool_and_client({"AutoVerifiedAttributes": ["email"]})
        ...   # boto3 clients made with userpool.client() or, inside userpool.environment(), any boto3 client
        code = userpool.latest_code(pool_id, "alice")

``LocalUserpool`` is the real app under uvicorn in a background thread, served with the options ``userpool serve``
uses (the same head limits, keep-alive timeout and connection cap, no implicit trust of ``X-Forwarded-For``), on a
socket it binds itself. ``ServerProcess`` runs ``python -m userpool serve`` in a child process, for what only a
process shows: start-up, the command line, logs, restarts, kill -9, several processes on one store.

The pytest plugin (``userpool.pytest_plugin``) wraps ``LocalUserpool`` in fixtures.
"""

from __future__ import annotations

import contextlib
import json
import os
import signal
import socket
import subprocess
import sys
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
from userpool.serving import protocol_for

ENVIRONMENT = {
    "AWS_ENDPOINT_URL_COGNITO_IDENTITY_PROVIDER": "",  # filled with the server's URL
    "AWS_DEFAULT_REGION": "us-east-1",
    "AWS_REGION": "us-east-1",
    "AWS_ACCESS_KEY_ID": "testing",
    "AWS_SECRET_ACCESS_KEY": "testing",
}


def free_port() -> int:
    """A TCP port on 127.0.0.1 that was free a moment ago (for a child process to bind)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def boto3_client(url: str, validate: bool = True, connections: int = 10) -> Any:
    """A boto3 ``cognito-idp`` client for the server at ``url``: dummy credentials, no retries; with
    ``validate=False`` it sends what it is given (no client-side checks), to reach the server's own. It keeps up to
    ``connections`` connections open (boto3's default is 10), one per request sent at once: a client is
    thread-safe, and many threads can share one."""
    import boto3
    from botocore.config import Config

    return boto3.client(
        "cognito-idp",
        endpoint_url=url,
        region_name="us-east-1",
        aws_access_key_id="testing",
        aws_secret_access_key="testing",
        config=Config(parameter_validation=validate, retries={"max_attempts": 1}, max_pool_connections=connections),
    )


class LocalUserpool:
    """A userpool server in this process, with helpers for tests."""

    def __init__(self, data_dir: Path, **settings: Any) -> None:
        self._socket = socket.socket()
        self._socket.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self._socket.bind(("127.0.0.1", 0))
        self.port: int = self._socket.getsockname()[1]
        # ``host`` may name another address than the loopback one served: the settings' rules for that address apply.
        settings = {"log_level": "warning", "host": "127.0.0.1", **settings}
        self.settings = Settings(port=self.port, data_dir=data_dir, **settings)
        self.app = build_app(self.settings)
        # The options of ``serving.run`` (one process): the same guarded protocol and limits as ``userpool serve``.
        config = uvicorn.Config(
            self.app,
            http=protocol_for(self.settings),
            log_level=self.settings.log_level,
            access_log=False,
            lifespan="on",
            timeout_graceful_shutdown=5,
            timeout_keep_alive=self.settings.keep_alive_timeout,
            limit_concurrency=self.settings.max_connections,
            proxy_headers=False,
        )
        self._server = uvicorn.Server(config)
        self._thread = threading.Thread(target=self._server.run, kwargs={"sockets": [self._socket]}, daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def data_dir(self) -> Path:
        return self.settings.data_dir

    @property
    def database_url(self) -> str:
        """The store's URL (the SQLite file under ``data_dir`` unless a database URL was given)."""
        return self.settings.url

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


class ServerProcess:
    """``python -m userpool serve`` in a child process on loopback: ``start()`` waits for ``/health``, ``stop()``
    ends it (SIGTERM, or SIGKILL with ``kill=True``); ``log()`` is what it printed. It may be started again.

    ``env`` adds environment variables (``USERPOOL_*`` settings); the test clock is on
    (``USERPOOL_CLOCK_CONTROL=true``). ``args`` are more ``serve`` flags (``--workers 2``, ``--config FILE``)."""

    def __init__(
        self,
        data_dir: Path,
        port: int | None = None,
        env: Mapping[str, str] | None = None,
        database_url: str | None = None,
        args: list[str] | None = None,
    ) -> None:
        self.args = args or []
        self.data_dir = data_dir
        self.database_url = database_url or f"sqlite:///{data_dir / 'userpool.db'}"
        self._may_move = port is None  # to another free port, until it has served once (clients know its URL)
        self.port = port or free_port()
        self.env = {**os.environ, "USERPOOL_CLOCK_CONTROL": "true", **(env or {})}
        self.process: subprocess.Popen[bytes] | None = None
        self.log_path = data_dir.parent / f"server-{self.port}.log"

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def pid(self) -> int:
        assert self.process is not None, "not started"
        return self.process.pid

    def client(self, validate: bool = True) -> Any:
        """A boto3 ``cognito-idp`` client for this server (see ``boto3_client``)."""
        return boto3_client(self.url, validate)

    def start(self, timeout: float = 30.0) -> ServerProcess:
        for _ in range(3):
            try:
                return self._start(timeout)
            except _PortTaken:
                # Between free_port() and the child's bind another process took the port: choose another.
                self.port = free_port()
        return self._start(timeout)

    def _start(self, timeout: float) -> ServerProcess:
        self.data_dir.mkdir(parents=True, exist_ok=True)
        command = [sys.executable, "-m", "userpool", "serve", "--port", str(self.port)]
        command += ["--data-dir", str(self.data_dir), "--database-url", self.database_url, *self.args]
        log_start = self.log_path.stat().st_size if self.log_path.exists() else 0
        log = self.log_path.open("ab")
        self.process = subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT, env=self.env)
        log.close()
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                printed = self.log_path.read_bytes()[log_start:]
                if self._may_move and b"address already in use" in printed:
                    raise _PortTaken
                raise RuntimeError(f"userpool exited with {self.process.returncode}: {self.log()}")
            try:
                with urllib.request.urlopen(f"{self.url}/health", timeout=1) as response:
                    if response.status == 200:
                        self._may_move = False
                        return self
            except OSError:
                time.sleep(0.05)
        self.stop()
        raise RuntimeError(f"userpool did not answer /health within {timeout} s: {self.log()}")

    def stop(self, kill: bool = False) -> None:
        if self.process is None or self.process.poll() is not None:
            return
        self.process.send_signal(signal.SIGKILL if kill else signal.SIGTERM)
        try:
            self.process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()

    def log(self) -> str:
        return self.log_path.read_text(errors="replace") if self.log_path.exists() else ""


class _PortTaken(Exception):
    pass


# ---- scratch PostgreSQL databases (the suite's PostgreSQL half, the benchmark's scale part) -----------------
# The server is found at USERPOOL_TEST_POSTGRES (default: a development machine's trust-auth server). psycopg is a
# test and benchmark dependency, so it is imported only here, when a database is asked for.
POSTGRES_ADMIN_URL = os.environ.get("USERPOOL_TEST_POSTGRES", "postgresql://postgres@127.0.0.1:5432/postgres")


def postgres_unavailable() -> str | None:
    """Why no scratch database can be made at ``USERPOOL_TEST_POSTGRES`` (None when one can)."""
    import psycopg

    try:
        with psycopg.connect(POSTGRES_ADMIN_URL, connect_timeout=3):
            return None
    except psycopg.Error as error:
        return f"PostgreSQL is not reachable at USERPOOL_TEST_POSTGRES={POSTGRES_ADMIN_URL}: {error}".strip()


def create_postgres_database(prefix: str = "userpool_test") -> str:
    """A new, empty database with a random name on that server (so parallel runs never share one); its URL."""
    import secrets

    import psycopg

    name = f"{prefix}_{secrets.token_hex(6)}"
    with psycopg.connect(POSTGRES_ADMIN_URL, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    return POSTGRES_ADMIN_URL.rsplit("/", 1)[0] + "/" + name


def drop_postgres_database(url: str) -> None:
    """Drop a database made by ``create_postgres_database``, closing its connections."""
    import psycopg

    name = url.rsplit("/", 1)[1]
    with psycopg.connect(POSTGRES_ADMIN_URL, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
