"""How many durable write transactions (each waits for the disk: one fsync on SQLite) a SignUp and a password
sign-in make, counted on the real server's SQLite store, so that a change which adds one cannot pass unnoticed; and
that what the non-durable writes keep (the outbox's copy of a message, threat protection's event history) is still
kept."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import pytest
import sqlalchemy as sa
from pycognito.aws_srp import AWSSRP

from tests.helpers import PASSWORD, outbox
from tests.server import LocalUserpool
from tests.signin import make_pool_and_client, password_auth

# Counted on SQLite: its write transactions are this process's own (``BEGIN IMMEDIATE``), each with its durability.
pytestmark = pytest.mark.databases("sqlite")


class Writes:
    """The write transactions begun while counting: durable (answered only once on disk) and not."""

    def __init__(self) -> None:
        self.durable = 0
        self.lazy = 0
        self._lock = threading.Lock()

    def begun(self, conn: sa.engine.Connection) -> None:
        options = conn.get_execution_options()
        if options.get("userpool_read_only") or options.get("userpool_single_statement"):
            return
        with self._lock:
            if options.get("userpool_durable", True):
                self.durable += 1
            else:
                self.lazy += 1


@contextmanager
def counting(server: LocalUserpool) -> Iterator[Writes]:
    """Count the store's write transactions (a ``begin`` listener: the point reads' direct path stays as served)."""
    sqlite = server.app.state.context.store._sqlite
    assert sqlite is not None
    writes = Writes()
    sa.event.listen(sqlite.engine, "begin", writes.begun)
    try:
        yield writes
    finally:
        sa.event.remove(sqlite.engine, "begin", writes.begun)


def durable_writes(server: LocalUserpool, request: Callable[[], Any]) -> int:
    with counting(server) as writes:
        request()
    return writes.durable


@pytest.fixture(params=["OFF", "AUDIT"], ids=["threat-protection-off", "audit"])
def pool_and_client(request: pytest.FixtureRequest, cognito: Any) -> tuple[str, str]:
    settings = {"AutoVerifiedAttributes": ["email"], "UserPoolAddOns": {"AdvancedSecurityMode": request.param}}
    return make_pool_and_client(cognito, settings)


def signed_up(cognito: Any, client: str, username: str) -> Any:
    email = [{"Name": "email", "Value": f"{username}@example.com"}]
    return cognito.sign_up(ClientId=client, Username=username, Password=PASSWORD, UserAttributes=email)


def test_a_sign_up_is_one_durable_commit_and_its_message_is_in_the_outbox(server, cognito, pool_and_client):
    pool, client = pool_and_client
    assert durable_writes(server, lambda: signed_up(cognito, client, "alice")) == 1
    (message,) = outbox(server, pool, "alice")
    assert message["destination"] == "alice@example.com" and message["code"]


def test_a_password_sign_in_is_one_durable_commit(server, cognito, pool_and_client):
    pool, client = pool_and_client
    for username in ("alice", "bob"):
        signed_up(cognito, client, username)
        cognito.admin_confirm_sign_up(UserPoolId=pool, Username=username)
    password_auth(cognito, client, "alice")  # the pool's first sign-in makes its signing key (a write of its own)

    assert durable_writes(server, lambda: password_auth(cognito, client, "bob")) == 1
    admin = {"USERNAME": "bob", "PASSWORD": PASSWORD}
    sign_in = lambda: cognito.admin_initiate_auth(  # noqa: E731
        UserPoolId=pool, ClientId=client, AuthFlow="ADMIN_USER_PASSWORD_AUTH", AuthParameters=admin
    )
    assert durable_writes(server, sign_in) == 1
    # USER_SRP_AUTH: its answer spends the challenge session (durable: a session answers once) and starts the
    # token session.
    helper = AWSSRP(username="bob", password=PASSWORD, pool_id=pool, client_id=client, client=cognito)
    params = helper.get_auth_params()
    challenge = cognito.initiate_auth(ClientId=client, AuthFlow="USER_SRP_AUTH", AuthParameters=params)
    answer = helper.process_challenge(challenge["ChallengeParameters"], params)
    respond = lambda: cognito.respond_to_auth_challenge(  # noqa: E731
        ClientId=client, ChallengeName="PASSWORD_VERIFIER", ChallengeResponses=answer
    )
    assert durable_writes(server, respond) == 2


@pytest.mark.parametrize("rotation", [False, True], ids=["plain", "rotating"])
def test_a_refresh_is_one_write(server, cognito, rotation):
    # Without rotation: the session's touch, not waited for on disk. With it: the rotation, which touches the
    # session in the same (durable) transaction.
    client_settings = {"RefreshTokenRotation": {"Feature": "ENABLED", "RetryGracePeriodSeconds": 0}} if rotation else {}
    pool, client = make_pool_and_client(cognito, {"AutoVerifiedAttributes": ["email"]}, **client_settings)
    signed_up(cognito, client, "alice")
    cognito.admin_confirm_sign_up(UserPoolId=pool, Username="alice")
    token = password_auth(cognito, client, "alice")["AuthenticationResult"]["RefreshToken"]
    with counting(server) as writes:
        cognito.get_tokens_from_refresh_token(ClientId=client, RefreshToken=token)
    assert (writes.durable, writes.lazy) == ((1, 0) if rotation else (0, 1))


def test_the_events_of_threat_protection_are_still_recorded(server, cognito):
    pool, client = make_pool_and_client(
        cognito, {"AutoVerifiedAttributes": ["email"], "UserPoolAddOns": {"AdvancedSecurityMode": "AUDIT"}}
    )
    signed_up(cognito, client, "alice")
    cognito.admin_confirm_sign_up(UserPoolId=pool, Username="alice")
    password_auth(cognito, client, "alice")
    found = cognito.admin_list_user_auth_events(UserPoolId=pool, Username="alice")["AuthEvents"]
    assert [(e["EventType"], e["EventResponse"]) for e in found] == [("SignIn", "Pass"), ("SignUp", "Pass")]
