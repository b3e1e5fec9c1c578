"""Crash safety: kill -9 a server under a steady SignUp load; after restart nothing answered is lost or invented."""

from __future__ import annotations

import threading
import time
import uuid

from botocore.exceptions import BotoCoreError, ClientError

from tests import databases
from tests.helpers import make_client
from tests.server import ServerProcess

WORKERS = 6


def integrity_problems(url: str, pool_id: str) -> list[str]:
    """What a consistent store cannot contain, as readable lines (empty when all is well)."""
    problems = []
    if url.startswith("sqlite"):
        [(verdict,)] = databases.query(url, "PRAGMA integrity_check")
        if verdict != "ok":
            problems.append(f"integrity_check: {verdict}")
        problems += [f"foreign key: {row}" for row in databases.query(url, "PRAGMA foreign_key_check")]
    problems += [
        f"user without its sub attribute: {row}"
        for row in databases.query(
            url,
            "SELECT u.id FROM users u LEFT JOIN user_attributes a ON a.user_id = u.id AND a.name = 'sub' "
            "WHERE u.pool_id = :pool AND (a.value IS NULL OR a.value <> u.sub)",
            pool=pool_id,
        )
    ]
    problems += [
        f"unconfirmed user without its code: {row}"
        for row in databases.query(
            url,
            "SELECT u.id FROM users u LEFT JOIN codes c ON c.user_id = u.id "
            "WHERE u.pool_id = :pool AND u.status = 'UNCONFIRMED' AND c.user_id IS NULL",
            pool=pool_id,
        )
    ]
    return problems


def test_kill_9_under_sign_up_load_loses_nothing_answered(database, server, tmp_path):
    # Every node on one store shares its key file (client secrets are sealed with it): the session server's.
    env = {"USERPOOL_LOG_LEVEL": "warning", "USERPOOL_SECRET_KEY_FILE": str(server.data_dir / "secret.key")}
    node = ServerProcess(tmp_path / "a", database_url=database, env=env).start()
    setup = make_client(node.url)
    pool_id = setup.create_user_pool(PoolName="crash", AutoVerifiedAttributes=["email"])["UserPool"]["Id"]
    client_id = setup.create_user_pool_client(UserPoolId=pool_id, ClientName="c")["UserPoolClient"]["ClientId"]
    answered_ok: dict[str, str] = {}
    answered_error: set[str] = set()
    stop = threading.Event()
    lock = threading.Lock()

    def load(worker: int) -> None:
        client = make_client(node.url)
        n = 0
        while not stop.is_set():
            n += 1
            name = f"w{worker}-{n}-{uuid.uuid4().hex[:6]}"
            # Every fourth request is invalid (a weak password): it must never leave a user behind.
            password = "weak" if n % 4 == 0 else "Passw0rd!"
            try:
                sub = client.sign_up(
                    ClientId=client_id,
                    Username=name,
                    Password=password,
                    UserAttributes=[
                        {"Name": "email", "Value": f"{name}@example.com"},
                        {"Name": "given_name", "Value": name},
                    ],
                )["UserSub"]
                with lock:
                    answered_ok[name] = sub
            except ClientError:
                with lock:
                    answered_error.add(name)
            except BotoCoreError:
                return  # the server died under this request: no answer, either outcome is fine

    threads = [threading.Thread(target=load, args=(i,)) for i in range(WORKERS)]
    for t in threads:
        t.start()
    deadline = time.monotonic() + 30
    while len(answered_ok) < 40 and time.monotonic() < deadline:
        time.sleep(0.05)
    node.stop(kill=True)
    stop.set()
    for t in threads:
        t.join(timeout=30)
    assert len(answered_ok) >= 40 and answered_error

    again = ServerProcess(tmp_path / "b", database_url=database, env=env).start()
    try:
        cognito = make_client(again.url)
        users, token = {}, None
        while True:
            page = cognito.list_users(UserPoolId=pool_id, **({"PaginationToken": token} if token else {}))
            for user in page["Users"]:
                users[user["Username"]] = {a["Name"]: a["Value"] for a in user["Attributes"]}
            token = page.get("PaginationToken")
            if not token:
                break
        for name, sub in answered_ok.items():
            assert name in users, f"{name} was answered 200 and is gone"
            assert users[name]["sub"] == sub
            assert users[name]["given_name"] == name
            assert users[name]["email"] == f"{name}@example.com"
        assert not answered_error & users.keys()
        assert integrity_problems(database, pool_id) == []
    finally:
        again.stop()
