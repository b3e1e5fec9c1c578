"""pytest fixtures that run userpool for a test suite (registered through the ``pytest11`` entry point).

- ``userpool``: a fresh server (and empty store) for one test;
- ``userpool_session``: one server for the whole session.
While either is active, ``AWS_ENDPOINT_URL_COGNITO_IDENTITY_PROVIDER``, the region and dummy credentials are set,
so application code that makes its own ``boto3.client("cognito-idp")`` talks to it unchanged.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from userpool.testing import LocalUserpool


@pytest.fixture(scope="session")
def userpool_session(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LocalUserpool]:
    with LocalUserpool(tmp_path_factory.mktemp("userpool-session")) as server, server.environment_set():
        yield server


@pytest.fixture
def userpool(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> Iterator[LocalUserpool]:
    with LocalUserpool(tmp_path_factory.mktemp("userpool")) as server:
        for key, value in server.environment().items():
            monkeypatch.setenv(key, value)
        yield server
