"""Fixtures: the session's server on each database (in this process), boto3 clients, pools and app clients.

Tests that use ``database`` (directly or through ``server``, ``cognito`` and the fixtures built on them) run once per
database kind: SQLite and PostgreSQL (``tests/databases.py``). A test that needs only one says so with
``@pytest.mark.databases("sqlite")`` and the reason. ``fresh_database`` is an empty store of one test's own, on each
kind too.
"""

from __future__ import annotations

import os
import shutil
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from tests import databases
from tests.helpers import freeze_clock, make_client
from tests.server import in_process
from userpool.testing import LocalUserpool

# Every server the suite starts (in this process or as a child, which inherits the environment) hashes passwords
# with argon2id at 1 MiB and one iteration: about a millisecond instead of ~30 ms at the product's parameters
# (tests/unit/test_domain.py holds those). A password is still hashed, salted and verified by the
# same code; the suite spends its time on the behaviour it checks instead of on a thousand slow hashes.
os.environ.setdefault("USERPOOL_PASSWORD_HASH_MEMORY_KIB", "1024")
os.environ.setdefault("USERPOOL_PASSWORD_HASH_ITERATIONS", "1")


# Python's compiled modules are written and reused, even where the environment says not to
# (PYTHONDONTWRITEBYTECODE, set on some machines): the suite starts hundreds of Python processes (pytest-xdist's
# workers, servers, the command line), and each compiled every module of userpool again, ~0.3 s of CPU apiece.
# Removed from the environment here, before the workers and servers start, so that they inherit it.
if os.environ.pop("PYTHONDONTWRITEBYTECODE", None) is not None:
    sys.dont_write_bytecode = False


def _room_in_memory(folder: Path) -> bool:
    try:
        return os.access(folder, os.W_OK) and shutil.disk_usage(folder).free >= 4 * 1024**3
    except OSError:
        return False


# The temporary folders (SQLite stores, server data) live in memory when the machine has room there: SQLite's
# durable commits wait for the disk (a sync of the write-ahead log), which was most of the SQLite half's time, and a
# test checks what a process sees, never a disk. pytest's numbered ``pytest-of-<user>/pytest-N`` folders (safe for
# parallel runs, the last three kept) are made under PYTEST_DEBUG_TEMPROOT; an explicit ``--basetemp`` still wins.
if "PYTEST_DEBUG_TEMPROOT" not in os.environ and _room_in_memory(Path("/dev/shm")):
    os.environ["PYTEST_DEBUG_TEMPROOT"] = "/dev/shm"


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers", "databases(*kinds): run the test on these database kinds only (default: every kind)"
    )


def pytest_xdist_auto_num_workers(config: pytest.Config) -> int | None:
    """``-n auto`` (pyproject's addopts): pytest-xdist's workers for the suite or a folder, but one process when
    only files or test ids are named, where starting workers (each imports and sets up everything) costs more
    than it saves."""
    if config.args and all(arg.endswith(".py") or "::" in arg for arg in config.args):
        return 0
    # One worker more than there are cores: a worker waits for a server process to start, a browser, a timeout
    # or the disk for about a third of its time, and the third worker fills those waits (on 2 cores the suite
    # took ~260 s with 3 workers against ~330 s with 2, and ~290 s with 4).
    return (os.cpu_count() or 1) + 1


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    """Every test that uses the server (directly or through another fixture) runs on both databases."""
    marker = metafunc.definition.get_closest_marker("databases")
    kinds = list(marker.args) if marker else list(databases.KINDS)
    if "database" in metafunc.fixturenames:
        metafunc.parametrize("database", kinds, indirect=True, scope="session")
    if "fresh_database" in metafunc.fixturenames:
        metafunc.parametrize("fresh_database", kinds, indirect=True)


# The longest tests (``--durations``: each starts server processes or the benchmark), run first. pytest-xdist's
# ``worksteal`` gives each worker a contiguous share of the collection and an idle worker takes the tail of a busy
# one's: a long test near the end kept one worker busy alone for up to its whole length, while at the front the
# other worker's short tests fill that time. Only tests whose fixtures are function- or session-scoped are moved
# (a module's shared server is still made once).
RUN_FIRST = (
    "tests/test_bench_smoke.py::test_smoke_run_writes_json_and_markdown",
    "tests/api/test_imports.py::test_a_server_that_stops_lets_its_job_go_and_the_next_one_goes_on",
    "tests/api/test_imports.py::test_a_large_import_killed_midway_resumes_after_its_last_batch",
    "tests/api/test_tokens.py::test_tokens_survive_a_restart",
    "tests/api/test_restart.py::test_state_survives_a_restart",
    "tests/api/test_crash.py::test_kill_9_under_sign_up_load_loses_nothing_answered",
    "tests/security/test_limits.py::test_worker_processes_apply_the_same_head_limits",
    "tests/api/test_observability.py::test_json_logs_carry_the_request_id",
    "tests/api/test_pytest_plugin.py::test_plugin_runs_an_applications_tests_unchanged",
    "tests/security/test_secrets.py::",
    "tests/api/test_delivery_email.py::test_refused_login_fails_delivery_and_the_right_password_recovers",
    "tests/api/test_delivery_email.py::test_a_server_that_never_answers_times_out_and_the_user_recovers",
    "tests/api/test_delivery_email.py::test_implicit_tls_delivers_and_an_untrusted_certificate_is_refused",
    "tests/api/test_delivery_email.py::test_smtp_down_fails_delivery_keeps_the_user_and_resend_works_once_it_is_back",
)


@pytest.hookimpl(trylast=True)  # after pytest's own ordering (tests grouped by the session's store)
def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    def rank(item: pytest.Item) -> int:
        for i, prefix in enumerate(RUN_FIRST):
            if item.nodeid.startswith(prefix):
                return i
        return len(RUN_FIRST)

    items.sort(key=rank)  # stable: the others keep their order


class SessionStores:
    """One store of each kind for the whole session (of each pytest-xdist worker), and one in-process server on it,
    made when a test first asks and closed when the session ends.

    pytest tears a session-scoped parametrised fixture down whenever the tests it runs next use another parameter,
    and builds it again later; keeping the stores and servers here makes that switch free."""

    def __init__(self, tmp_path_factory: pytest.TempPathFactory) -> None:
        self._tmp = tmp_path_factory
        self._urls: dict[str, str] = {}
        self._servers: dict[str, LocalUserpool] = {}

    def url(self, kind: str) -> str:
        if kind not in self._urls:
            self._urls[kind] = databases.new_database(kind, self._tmp.mktemp(kind))
        return self._urls[kind]

    def server(self, url: str) -> LocalUserpool:
        """The server on the store at ``url`` (one that ``url(kind)`` made)."""
        [kind] = [kind for kind, made in self._urls.items() if made == url]
        if kind not in self._servers:
            self._servers[kind] = in_process(self._tmp.mktemp("userpool") / "data", database_url=self.url(kind))
        return self._servers[kind]

    def close(self) -> None:
        for server in self._servers.values():
            server.stop()
        for url in self._urls.values():
            databases.drop_database(url)


@pytest.fixture(scope="session")
def session_stores(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SessionStores]:
    stores = SessionStores(tmp_path_factory)
    yield stores
    stores.close()


@pytest.fixture(scope="session")
def database(request: pytest.FixtureRequest, session_stores: SessionStores) -> str:
    """The URL of the session's store of this kind: a SQLite file, or a database on the local PostgreSQL."""
    return session_stores.url(request.param)


@pytest.fixture(scope="session")
def server(database: str, session_stores: SessionStores) -> LocalUserpool:
    """The session's server on that store: the app in this process, over real HTTP on loopback, test clock on."""
    return session_stores.server(database)


@pytest.fixture
def fresh_database(request: pytest.FixtureRequest, tmp_path: Any) -> Iterator[str]:
    """The URL of a new, empty store of one test's own (dropped after it)."""
    url = databases.new_database(request.param, tmp_path / "store")
    yield url
    databases.drop_database(url)


@pytest.fixture
def frozen_clock(server: LocalUserpool) -> Iterator[None]:
    """The shared server's clock stopped for one test, so a time window cannot close while the test runs."""
    freeze_clock(server)
    yield
    freeze_clock(server, False)


@pytest.fixture(scope="session")
def cognito(server: LocalUserpool) -> Any:
    """A boto3 client as an application would have it."""
    return make_client(server.url)


@pytest.fixture(scope="session")
def raw_cognito(server: LocalUserpool) -> Any:
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
