"""Race guarantees with two server processes on one store (the SQLite file, and PostgreSQL).

Every rule that matters lives in the database, so requests racing through different processes still get exactly
one winner.
"""

from __future__ import annotations

import threading
from collections import Counter
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest
from botocore.exceptions import ClientError

from tests import databases
from tests.helpers import latest_code, make_client
from tests.server import LocalUserpool, ServerProcess

PASSWORD = "Passw0rd!"


@pytest.fixture(scope="module")
def pair(
    database: str, server: LocalUserpool, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[tuple[ServerProcess, ServerProcess]]:
    """Two more server processes on the session's store, sharing its key file as every node of one store must."""
    env = {"USERPOOL_SECRET_KEY_FILE": str(server.data_dir / "secret.key")}
    first = ServerProcess(tmp_path_factory.mktemp("race-a"), database_url=database, env=env).start()
    second = ServerProcess(tmp_path_factory.mktemp("race-b"), database_url=database, env=env).start()
    yield first, second
    first.stop()
    second.stop()


def race(pair: tuple[ServerProcess, ServerProcess], count: int, call: Callable[[Any, int], Any]) -> Counter[str]:
    """Run ``call(client, i)`` ``count`` times at once, alternating between the two servers; count outcomes."""
    clients = [make_client(pair[i % 2].url) for i in range(count)]
    start = threading.Barrier(count)

    def one(i: int) -> str:
        start.wait()
        try:
            call(clients[i], i)
            return "ok"
        except ClientError as error:
            return error.response["Error"]["Code"]

    with ThreadPoolExecutor(count) as pool:
        return Counter(pool.map(one, range(count)))


def test_fifty_sign_ups_of_one_username_make_one_user(pair, cognito):
    pool_id = cognito.create_user_pool(PoolName="race")["UserPool"]["Id"]
    client_id = cognito.create_user_pool_client(UserPoolId=pool_id, ClientName="c")["UserPoolClient"]["ClientId"]
    outcomes = race(pair, 50, lambda c, i: c.sign_up(ClientId=client_id, Username="same", Password=PASSWORD))
    assert outcomes == Counter({"ok": 1, "UsernameExistsException": 49})
    assert len(cognito.list_users(UserPoolId=pool_id)["Users"]) == 1


def test_fifty_sign_ups_of_one_email_in_any_case_make_one_user(pair, cognito):
    pool = cognito.create_user_pool(
        PoolName="race-email", UsernameAttributes=["email"], UsernameConfiguration={"CaseSensitive": False}
    )["UserPool"]
    client_id = cognito.create_user_pool_client(UserPoolId=pool["Id"], ClientName="c")["UserPoolClient"]["ClientId"]

    def sign_up(client: Any, i: int) -> None:
        email = "".join(ch.upper() if (i >> n) & 1 else ch for n, ch in enumerate("racer@example.com"))
        client.sign_up(ClientId=client_id, Username=email, Password=PASSWORD)

    assert race(pair, 50, sign_up) == Counter({"ok": 1, "UsernameExistsException": 49})
    assert len(cognito.list_users(UserPoolId=pool["Id"])["Users"]) == 1


def test_sixteen_confirmations_with_one_code_confirm_once(pair, cognito, server):
    pool_id = cognito.create_user_pool(PoolName="race-confirm", AutoVerifiedAttributes=["email"])["UserPool"]["Id"]
    client_id = cognito.create_user_pool_client(UserPoolId=pool_id, ClientName="c")["UserPoolClient"]["ClientId"]
    cognito.sign_up(
        ClientId=client_id,
        Username="once",
        Password=PASSWORD,
        UserAttributes=[{"Name": "email", "Value": "once@example.com"}],
    )
    code = latest_code(server, pool_id, "once")
    outcomes = race(
        pair, 16, lambda c, i: c.confirm_sign_up(ClientId=client_id, Username="once", ConfirmationCode=code)
    )
    assert outcomes["ok"] == 1
    assert set(outcomes) <= {"ok", "NotAuthorizedException", "LimitExceededException", "CodeMismatchException"}
    assert cognito.admin_get_user(UserPoolId=pool_id, Username="once")["UserStatus"] == "CONFIRMED"


def test_two_users_racing_for_one_alias_leave_one_owner(pair, cognito, server):
    pool_id = cognito.create_user_pool(
        PoolName="race-alias", AliasAttributes=["email"], AutoVerifiedAttributes=["email"]
    )["UserPool"]["Id"]
    client_id = cognito.create_user_pool_client(UserPoolId=pool_id, ClientName="c")["UserPoolClient"]["ClientId"]
    for round_ in range(5):
        email = f"shared{round_}@example.com"
        names = [f"left{round_}", f"right{round_}"]
        for name in names:
            cognito.sign_up(
                ClientId=client_id,
                Username=name,
                Password=PASSWORD,
                UserAttributes=[{"Name": "email", "Value": email}],
            )
        codes = [latest_code(server, pool_id, name) for name in names]
        outcomes = race(
            pair,
            2,
            lambda c, i, names=names, codes=codes: c.confirm_sign_up(
                ClientId=client_id, Username=names[i], ConfirmationCode=codes[i]
            ),
        )
        assert outcomes == Counter({"ok": 1, "AliasExistsException": 1})
        owners = databases.query(
            server.database_url,
            "SELECT user_id FROM user_keys WHERE pool_id = :pool AND kind = 'email' AND value_key = :email",
            pool=pool_id,
            email=email,
        )
        assert len(owners) == 1
        verified = [
            name
            for name in names
            if {"Name": "email_verified", "Value": "true"}
            in cognito.admin_get_user(UserPoolId=pool_id, Username=name)["UserAttributes"]
        ]
        assert len(verified) == 1
