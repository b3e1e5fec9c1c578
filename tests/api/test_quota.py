"""The daily email quota (USERPOOL_DAILY_EMAIL_QUOTA): counted per pool and UTC day in the store, so two
processes on one database share it; the user is created all the same, UNCONFIRMED, as in Cognito."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import boto3
import pytest
from botocore.config import Config
from botocore.exceptions import ClientError

from tests.helpers import advance_clock, error_of, latest_code
from tests.server import ServerProcess

QUOTA_EXCEEDED = (
    400,
    "LimitExceededException",
    "Exceeded daily email limit for the operation or the account. If a higher limit is required, please configure "
    "your user pool to use your own Amazon SES configuration for sending email.",
)


@pytest.fixture(scope="module")
def two_processes(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[ServerProcess, ServerProcess]]:
    """Two servers on one SQLite store, each allowed 2 emails per pool and day."""
    data = tmp_path_factory.mktemp("quota") / "data"
    env = {"USERPOOL_DAILY_EMAIL_QUOTA": "2"}
    first = ServerProcess(data, env=env).start()
    second = ServerProcess(data, env=env).start()
    yield first, second
    first.stop()
    second.stop()


def make_client(url: str) -> Any:
    """botocore retries LimitExceededException as throttling; a retried SignUp would meet its own user."""
    return boto3.client(
        "cognito-idp",
        endpoint_url=url,
        region_name="us-east-1",
        aws_access_key_id="testing",
        aws_secret_access_key="testing",
        config=Config(retries={"total_max_attempts": 1}),
    )


def new_pool(cognito: Any, **settings: Any) -> tuple[str, str]:
    pool_id = cognito.create_user_pool(PoolName="quota", AutoVerifiedAttributes=["email"], **settings)["UserPool"]["Id"]
    client_id = cognito.create_user_pool_client(UserPoolId=pool_id, ClientName="app")["UserPoolClient"]["ClientId"]
    return pool_id, client_id


def sign_up(cognito: Any, client_id: str, username: str) -> dict[str, Any]:
    return cognito.sign_up(
        ClientId=client_id,
        Username=username,
        Password="Passw0rd!",
        UserAttributes=[{"Name": "email", "Value": f"{username}@example.com"}],
    )


def test_the_quota_holds_across_processes_and_the_user_is_kept(two_processes):
    first, second = (make_client(s.url) for s in two_processes)
    pool_id, client_id = new_pool(first)
    sign_up(first, client_id, "one")
    sign_up(second, client_id, "two")
    with pytest.raises(ClientError) as e:
        sign_up(first, client_id, "three")
    assert error_of(e) == QUOTA_EXCEEDED
    assert first.admin_get_user(UserPoolId=pool_id, Username="three")["UserStatus"] == "UNCONFIRMED"
    with pytest.raises(ClientError) as e:
        second.resend_confirmation_code(ClientId=client_id, Username="three")
    assert error_of(e) == QUOTA_EXCEEDED


def test_each_pool_has_its_own_quota_and_an_ses_pool_has_none(two_processes):
    server, _ = two_processes
    cognito = make_client(server.url)
    _, full = new_pool(cognito)
    for name in ("a", "b"):
        sign_up(cognito, full, name)
    _, other = new_pool(cognito)
    sign_up(cognito, other, "c")  # another pool counts on its own
    ses = {
        "EmailSendingAccount": "DEVELOPER",
        "SourceArn": "arn:aws:ses:us-east-1:000000000000:identity/no-reply@example.com",
    }
    _, own_ses = new_pool(cognito, EmailConfiguration=ses)
    for name in ("d", "e", "f"):
        sign_up(cognito, own_ses, name)  # sends with its own SES configuration: Cognito's quota does not apply


def test_a_new_day_brings_a_new_quota(two_processes):
    server, other = two_processes
    cognito = make_client(server.url)
    pool_id, client_id = new_pool(cognito)
    for name in ("x", "y"):
        sign_up(cognito, client_id, name)
    with pytest.raises(ClientError) as e:
        sign_up(cognito, client_id, "z")
    assert error_of(e) == QUOTA_EXCEEDED
    advance_clock(server, 24 * 3600)
    advance_clock(other, 24 * 3600)
    cognito.resend_confirmation_code(ClientId=client_id, Username="z")
    cognito.confirm_sign_up(ClientId=client_id, Username="z", ConfirmationCode=latest_code(server, pool_id, "z"))
    assert cognito.admin_get_user(UserPoolId=pool_id, Username="z")["UserStatus"] == "CONFIRMED"
