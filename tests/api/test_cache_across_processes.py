"""The cache of app clients and pools (``store/cached.py``) across processes: two server processes on the session's
store (PostgreSQL and the SQLite file), each with the default bound (``USERPOOL_CONFIG_CACHE_SECONDS`` = 1 s).

A change made through one process is obeyed by that process at once and by the other within the bound; a client
deleted through one process, while the other may still hold it in its cache, is answered as not found, never as
an internal error. (Real seconds, not the test clock: the bound is the cache's, on the monotonic clock.)
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from typing import Any

import pytest
from botocore.exceptions import ClientError

from tests.helpers import make_client
from tests.server import LocalUserpool, ServerProcess

BOUND = 1.0
PASSWORD = "Passw0rd!"


@pytest.fixture(scope="module")
def pair(database: str, server: LocalUserpool, tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Any, Any]]:
    """boto3 clients of two more server processes on the session's store, sharing its key file."""
    env = {"USERPOOL_SECRET_KEY_FILE": str(server.data_dir / "secret.key"), "USERPOOL_CONFIG_CACHE_SECONDS": str(BOUND)}
    first = ServerProcess(tmp_path_factory.mktemp("cache-a"), database_url=database, env=env).start()
    second = ServerProcess(tmp_path_factory.mktemp("cache-b"), database_url=database, env=env).start()
    yield make_client(first.url), make_client(second.url)
    first.stop()
    second.stop()


def _sign_in(cognito: Any, client_id: str) -> dict[str, Any]:
    return cognito.initiate_auth(
        ClientId=client_id, AuthFlow="USER_PASSWORD_AUTH", AuthParameters={"USERNAME": "ann", "PASSWORD": PASSWORD}
    )


def _pool_with_user(cognito: Any, name: str) -> tuple[str, str]:
    pool_id = cognito.create_user_pool(PoolName=name)["UserPool"]["Id"]
    client_id = cognito.create_user_pool_client(
        UserPoolId=pool_id, ClientName="app", ExplicitAuthFlows=["ALLOW_USER_PASSWORD_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"]
    )["UserPoolClient"]["ClientId"]
    cognito.admin_create_user(UserPoolId=pool_id, Username="ann", MessageAction="SUPPRESS")
    cognito.admin_set_user_password(UserPoolId=pool_id, Username="ann", Password=PASSWORD, Permanent=True)
    return pool_id, client_id


def _refusal(call: Any) -> tuple[str, str] | None:
    try:
        call()
    except ClientError as error:
        return error.response["Error"]["Code"], error.response["Error"]["Message"]
    return None


def test_a_client_change_on_one_process_is_obeyed_by_the_other_within_the_bound(pair):
    first, second = pair
    pool_id, client_id = _pool_with_user(first, "cache-update")
    assert "AuthenticationResult" in _sign_in(second, client_id)  # the second process now holds the client
    first.update_user_pool_client(UserPoolId=pool_id, ClientId=client_id, ExplicitAuthFlows=["ALLOW_USER_SRP_AUTH"])
    changed = time.monotonic()
    refused = ("InvalidParameterException", "USER_PASSWORD_AUTH flow not enabled for this client")
    assert _refusal(lambda: _sign_in(first, client_id)) == refused  # the writer obeys at once
    while _refusal(lambda: _sign_in(second, client_id)) != refused:
        assert time.monotonic() - changed < BOUND + 0.5, "the other process kept the old client past the bound"
        time.sleep(0.05)


def test_a_client_deleted_on_one_process_is_not_found_on_the_other_never_an_internal_error(pair):
    first, second = pair
    pool_id, client_id = _pool_with_user(first, "cache-delete")
    assert "AuthenticationResult" in _sign_in(second, client_id)
    first.delete_user_pool_client(UserPoolId=pool_id, ClientId=client_id)
    # Within the bound the second process may still hold the client: the sign-in's write (its refresh token names
    # the client) meets the foreign key, and the request answers what it would once the cache has caught up.
    not_found = ("ResourceNotFoundException", f"User pool client {client_id} does not exist.")
    assert _refusal(lambda: _sign_in(second, client_id)) == not_found
    assert _refusal(lambda: _sign_in(first, client_id)) == not_found
    time.sleep(BOUND)
    assert _refusal(lambda: _sign_in(second, client_id)) == not_found


def test_a_sign_up_into_a_pool_deleted_on_the_other_process_is_not_found(pair):
    first, second = pair
    pool_id, client_id = _pool_with_user(first, "cache-pool-delete")
    assert "AuthenticationResult" in _sign_in(second, client_id)  # the second process now holds client and pool
    first.delete_user_pool(UserPoolId=pool_id)
    # The insert meets the pool's foreign key: not a username taken (no user is), but the pool gone.
    refusal = _refusal(lambda: second.sign_up(ClientId=client_id, Username="bob", Password=PASSWORD))
    assert refusal is not None and refusal[0] == "ResourceNotFoundException", refusal
    assert refusal[1] in (f"User pool client {client_id} does not exist.", f"User pool {pool_id} does not exist.")
