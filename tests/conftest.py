"""Fixtures: one real server per test session, boto3 clients, and helpers that make pools and read codes."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest

from tests.helpers import make_client
from tests.server import Server


@pytest.fixture(scope="session")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    srv = Server(tmp_path_factory.mktemp("userpool") / "data").start()
    yield srv
    srv.stop()


@pytest.fixture(scope="session")
def cognito(server: Server) -> Any:
    """A boto3 client as an application would have it."""
    return make_client(server.url)


@pytest.fixture(scope="session")
def raw_cognito(server: Server) -> Any:
    """A boto3 client that sends what it is given (no client-side checks), to reach the server's own."""
    return make_client(server.url, validate=False)


@pytest.fixture
def make_pool(cognito: Any) -> Callable[..., dict[str, Any]]:
    def make(**settings: Any) -> dict[str, Any]:
        settings.setdefault("PoolName", "tests")
        return cognito.create_user_pool(**settings)["UserPool"]

    return make


@pytest.fixture
def make_app_client(cognito: Any) -> Callable[..., dict[str, Any]]:
    def make(pool_id: str, **settings: Any) -> dict[str, Any]:
        settings.setdefault("ClientName", "app")
        return cognito.create_user_pool_client(UserPoolId=pool_id, **settings)["UserPoolClient"]

    return make


@pytest.fixture
def email_pool(
    make_pool: Callable[..., dict[str, Any]], make_app_client: Callable[..., dict[str, Any]]
) -> tuple[str, str]:
    """(pool id, client id) of a username pool that verifies email, default policy."""
    pool = make_pool(AutoVerifiedAttributes=["email"])
    return pool["Id"], make_app_client(pool["Id"])["ClientId"]
