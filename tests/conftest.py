"""Fixtures: one real server per test session, boto3 clients, and helpers that make pools and read codes."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from typing import Any

import pytest

from tests import databases
from tests.helpers import freeze_clock, make_client
from tests.server import Server


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    """Every test that uses the server (directly or through another fixture) runs on both databases."""
    if "database" in metafunc.fixturenames:
        metafunc.parametrize("database", ["sqlite", "postgresql"], indirect=True, scope="session")


@pytest.fixture(scope="session")
def database(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The URL of a fresh store: a SQLite file, or a new database on the local PostgreSQL."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path_factory.mktemp('sqlite') / 'userpool.db'}"
        return
    if not databases.postgres_available():
        if os.environ.get("CI"):
            pytest.fail(databases.HOW_TO_ENABLE)
        pytest.skip(databases.HOW_TO_ENABLE)
    url = databases.create_postgres_database()
    yield url
    databases.drop_postgres_database(url)


@pytest.fixture(scope="session")
def server(database: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    srv = Server(tmp_path_factory.mktemp("userpool") / "data", database_url=database).start()
    yield srv
    srv.stop()


@pytest.fixture
def frozen_clock(server: Server) -> Iterator[None]:
    """The shared server's clock stopped for one test, so a time window cannot close while the test runs."""
    freeze_clock(server)
    yield
    freeze_clock(server, False)


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
