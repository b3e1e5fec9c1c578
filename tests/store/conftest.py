"""The Store contract suite's fixtures: one store per test on each database (a SQLite file, a PostgreSQL database),
migrated once per session and shared by the tests (each makes its own pools, so they never meet), and ``async def``
tests run on an event loop of their own (pytest has no asyncio plugin here)."""

from __future__ import annotations

import asyncio
import inspect
import os
import secrets
from collections.abc import Iterator

import pytest

from tests import databases
from userpool.store import Store
from userpool.store.sealing import SecretBox

KEY = secrets.token_bytes(32)


@pytest.fixture(scope="session", params=["sqlite", "postgresql"])
def store_url(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The URL of a migrated store shared by the session's contract tests on one database."""
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path_factory.mktemp('store') / 'contract.db'}"
    elif databases.postgres_available():
        url = databases.create_postgres_database()
    elif os.environ.get("CI"):
        pytest.fail(databases.HOW_TO_ENABLE)
    else:
        pytest.skip(databases.HOW_TO_ENABLE)

    async def migrate() -> None:
        store = Store.open(url)
        try:
            await store.migrate()
        finally:
            await store.close()

    asyncio.run(migrate())
    yield url
    if request.param == "postgresql":
        databases.drop_postgres_database(url)


@pytest.fixture(autouse=True)
def loop() -> Iterator[asyncio.AbstractEventLoop]:
    """The event loop an ``async def`` test and its store run on."""
    loop = asyncio.new_event_loop()
    yield loop
    loop.run_until_complete(loop.shutdown_default_executor())
    loop.close()


@pytest.fixture
def box() -> SecretBox:
    return SecretBox(KEY)


@pytest.fixture
def store(store_url: str, box: SecretBox, loop: asyncio.AbstractEventLoop) -> Iterator[Store]:
    """A store on the session's database, sealing client secrets with ``box``, closed on ``loop`` after the test."""
    opened = Store.open(store_url, box)
    yield opened
    loop.run_until_complete(opened.close())


@pytest.hookimpl(tryfirst=True)
def pytest_pyfunc_call(pyfuncitem: pytest.Function) -> bool | None:
    """Run an ``async def`` test to its end on its ``loop`` fixture."""
    if not inspect.iscoroutinefunction(pyfuncitem.obj):
        return None
    loop = pyfuncitem.funcargs["loop"]
    arguments = {name: pyfuncitem.funcargs[name] for name in pyfuncitem._fixtureinfo.argnames}
    loop.run_until_complete(pyfuncitem.obj(**arguments))
    return True
