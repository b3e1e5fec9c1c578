"""Fixtures of the trigger tests: the function server (played over HTTP, in-process Python and the Lambda Invoke
API) and a userpool server on each database kind that reaches it (tests/trigger_setup.py)."""

from __future__ import annotations

from typing import Any

import pytest

from tests.functions import FunctionServer, serve_in_process
from tests.helpers import make_client
from tests.server import LocalUserpool
from tests.trigger_setup import start_server


@pytest.fixture(scope="module")
def functions() -> Any:
    server = FunctionServer().start()
    serve_in_process(server)
    yield server
    serve_in_process(None)
    server.stop()


@pytest.fixture(scope="module")
def trigger_server(functions: FunctionServer, database: str, tmp_path_factory: pytest.TempPathFactory) -> Any:
    server = start_server(functions, tmp_path_factory.mktemp("triggers") / "data", database)
    yield server
    server.stop()


@pytest.fixture(autouse=True)
def fresh_functions(functions: FunctionServer) -> None:
    functions.reset()


@pytest.fixture(scope="module")
def idp(trigger_server: LocalUserpool) -> Any:
    return make_client(trigger_server.url)
