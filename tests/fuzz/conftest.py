"""The fuzz suite's server, its world (a pool, clients, users that generated requests can name) and profiles.

Profiles (HYPOTHESIS_PROFILE): ``quick`` (default: a few hundred requests in the normal suite), ``long``
(about 110,000 requests: ``HYPOTHESIS_PROFILE=long .venv/bin/pytest tests/fuzz``).
"""

from __future__ import annotations

import asyncio
import os

import pytest
from hypothesis import HealthCheck, settings

from tests.server import LocalUserpool, in_process
from userpool.app import secret_box
from userpool.config import Settings
from userpool.store import Store

_COMMON = {
    "deadline": None,
    "database": None,
    "suppress_health_check": [HealthCheck.too_slow, HealthCheck.data_too_large, HealthCheck.filter_too_much],
}
settings.register_profile("quick", max_examples=20, **_COMMON)
settings.register_profile("long", max_examples=5500, **_COMMON)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "quick"))


@pytest.fixture(scope="session")
def fuzz_server(tmp_path_factory):
    server = in_process(tmp_path_factory.mktemp("fuzz") / "data")
    yield server
    server.stop()


def integrity(server: LocalUserpool) -> list[str]:
    """``Store.integrity_check()`` on the server's store (read while it runs: SQLite WAL allows it)."""

    async def run() -> list[str]:
        store = Store.open(Settings(data_dir=server.data_dir).url, secret_box(Settings(data_dir=server.data_dir)))
        try:
            return await store.integrity_check()
        finally:
            await store.close()

    return asyncio.run(run())
