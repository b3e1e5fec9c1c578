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
    """Run ``call(client, i)`` ``count`` times at once, alternating between the two servers; count outcomes.
    The threads share one client per server (a boto3 client is thread-safe), with a connection for each."""
    per_server = [make_client(server.url, connections=count) for server in pair]
    clients = [per_server[i % 2] for i in range(count)]
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


def rotating_sign_in(cognito: Any, grace: int) -> tuple[str, dict[str, Any]]:
    pool_id = cognito.create_user_pool(PoolName="race")["UserPool"]["Id"]
    client_id = cognito.create_user_pool_client(
        UserPoolId=pool_id,
        ClientName="c",
        ExplicitAuthFlows=["ALLOW_USER_PASSWORD_AUTH"],
        RefreshTokenRotation={"Feature": "ENABLED", "RetryGracePeriodSeconds": grace},
    )["UserPoolClient"]["ClientId"]
    cognito.sign_up(ClientId=client_id, Username="alice", Password=PASSWORD)
    cognito.admin_confirm_sign_up(UserPoolId=pool_id, Username="alice")
    tokens = cognito.initiate_auth(
        ClientId=client_id, AuthFlow="USER_PASSWORD_AUTH", AuthParameters={"USERNAME": "alice", "PASSWORD": PASSWORD}
    )["AuthenticationResult"]
    return client_id, tokens


def test_concurrent_refreshes_within_the_grace_period_all_succeed(pair, cognito):
    client_id, tokens = rotating_sign_in(cognito, grace=60)
    fresh: list[str] = []

    def refresh(c: Any, i: int) -> None:
        result = c.get_tokens_from_refresh_token(ClientId=client_id, RefreshToken=tokens["RefreshToken"])
        fresh.append(result["AuthenticationResult"]["RefreshToken"])

    assert race(pair, 10, refresh) == Counter({"ok": 10})
    assert len(set(fresh)) == 10
    for token in fresh:  # every retry's token is a live member of the session
        cognito.get_tokens_from_refresh_token(ClientId=client_id, RefreshToken=token)


def test_concurrent_refreshes_without_grace_have_one_winner_and_revoke_the_session(pair, cognito):
    client_id, tokens = rotating_sign_in(cognito, grace=0)
    fresh: list[str] = []

    def refresh(c: Any, i: int) -> None:
        result = c.get_tokens_from_refresh_token(ClientId=client_id, RefreshToken=tokens["RefreshToken"])
        fresh.append(result["AuthenticationResult"]["RefreshToken"])

    outcomes = race(pair, 10, refresh)
    # One winner; the first loser is a reuse and revokes the session, so a later one may find it revoked already.
    assert outcomes["ok"] == 1 and outcomes["RefreshTokenReuseException"] >= 1
    assert outcomes["ok"] + outcomes["RefreshTokenReuseException"] + outcomes["NotAuthorizedException"] == 10
    # The winner's new token went with the session.
    with pytest.raises(ClientError) as excinfo:
        cognito.get_tokens_from_refresh_token(ClientId=client_id, RefreshToken=fresh[0])
    assert excinfo.value.response["Error"]["Message"] == "Refresh Token has been revoked"


def test_racing_revocations_of_one_session_have_one_winner(pair, cognito):
    pool_id = cognito.create_user_pool(PoolName="race")["UserPool"]["Id"]
    client_id = cognito.create_user_pool_client(
        UserPoolId=pool_id, ClientName="c", ExplicitAuthFlows=["ALLOW_USER_PASSWORD_AUTH"]
    )["UserPoolClient"]["ClientId"]
    cognito.set_user_pool_session_configuration(
        UserPoolId=pool_id, UserSessionTracking="ENABLED", TokenSession={"MaxPerUser": 20}
    )
    cognito.sign_up(ClientId=client_id, Username="alice", Password=PASSWORD)
    cognito.admin_confirm_sign_up(UserPoolId=pool_id, Username="alice")
    tokens = cognito.initiate_auth(
        ClientId=client_id, AuthFlow="USER_PASSWORD_AUTH", AuthParameters={"USERNAME": "alice", "PASSWORD": PASSWORD}
    )["AuthenticationResult"]
    (session,) = cognito.admin_list_user_sessions(UserPoolId=pool_id, Username="alice")["Sessions"]
    outcomes = race(
        pair,
        10,
        lambda c, i: c.admin_revoke_user_session(UserPoolId=pool_id, Username="alice", SessionId=session["SessionId"]),
    )
    assert outcomes == Counter({"ok": 1, "ResourceNotFoundException": 9})
    with pytest.raises(ClientError) as excinfo:
        cognito.get_user(AccessToken=tokens["AccessToken"])
    assert excinfo.value.response["Error"]["Message"] == "Access Token has been revoked"


def test_racing_adds_of_a_client_secret_make_one(pair, cognito):
    pool_id = cognito.create_user_pool(PoolName="race")["UserPool"]["Id"]
    client_id = cognito.create_user_pool_client(UserPoolId=pool_id, ClientName="c", GenerateSecret=True)[
        "UserPoolClient"
    ]["ClientId"]
    outcomes = race(pair, 10, lambda c, i: c.add_user_pool_client_secret(UserPoolId=pool_id, ClientId=client_id))
    assert outcomes == Counter({"ok": 1, "LimitExceededException": 9})
    assert len(cognito.list_user_pool_client_secrets(UserPoolId=pool_id, ClientId=client_id)["ClientSecrets"]) == 2


def test_racing_first_signing_certificate_requests_answer_one_certificate(pair, cognito):
    pool_id = cognito.create_user_pool(PoolName="race")["UserPool"]["Id"]
    answers: set[str] = set()
    outcomes = race(pair, 8, lambda c, i: answers.add(c.get_signing_certificate(UserPoolId=pool_id)["Certificate"]))
    assert outcomes == Counter({"ok": 8})
    assert answers == {cognito.get_signing_certificate(UserPoolId=pool_id)["Certificate"]}


def test_racing_creates_of_one_group_name_make_one_group(pair, cognito):
    pool_id = cognito.create_user_pool(PoolName="race-group")["UserPool"]["Id"]
    outcomes = race(pair, 20, lambda c, i: c.create_group(UserPoolId=pool_id, GroupName="same", Precedence=i))
    assert outcomes == Counter({"ok": 1, "GroupExistsException": 19})
    assert [g["GroupName"] for g in cognito.list_groups(UserPoolId=pool_id)["Groups"]] == ["same"]


def test_racing_adds_of_one_user_to_one_group_leave_one_membership(pair, cognito, server):
    pool_id = cognito.create_user_pool(PoolName="race-member")["UserPool"]["Id"]
    cognito.admin_create_user(UserPoolId=pool_id, Username="member", MessageAction="SUPPRESS")
    cognito.create_group(UserPoolId=pool_id, GroupName="team")
    outcomes = race(
        pair, 20, lambda c, i: c.admin_add_user_to_group(UserPoolId=pool_id, GroupName="team", Username="member")
    )
    assert outcomes == Counter({"ok": 20})  # adding a member again is no error
    rows = databases.query(
        server.database_url,
        "SELECT m.user_id FROM group_members m JOIN groups g ON g.id = m.group_id WHERE g.pool_id = :pool",
        pool=pool_id,
    )
    assert len(rows) == 1
    users = cognito.list_users_in_group(UserPoolId=pool_id, GroupName="team")["Users"]
    assert [u["Username"] for u in users] == ["member"]
