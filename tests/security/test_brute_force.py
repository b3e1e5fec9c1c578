"""A six-digit confirmation code cannot be walked: the per-code attempt limit, the per-user ConfirmSignUp quota and
the per-user ResendConfirmationCode quota together bound how many guesses one user's codes can ever get.

The attacker here does the best the rules allow for 24 hours (of the server's clock): every hour it asks for as
many new codes as it may and spends every guess it is allowed, walking the code space in order. The README's
"Confirmation codes and brute force" paragraph has the arithmetic this test checks.
"""

from __future__ import annotations

import boto3
import pytest
from botocore.config import Config
from botocore.exceptions import ClientError

from tests.helpers import advance_clock, latest_code, outbox
from tests.server import in_process

HOURS = 24
CONFIRM_PER_HOUR = 15


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    srv = in_process(tmp_path_factory.mktemp("brute") / "data")  # default limits
    yield srv
    srv.stop()


def test_the_code_space_cannot_be_walked_for_one_user(server):
    cognito = boto3.client(
        "cognito-idp",
        endpoint_url=server.url,
        region_name="us-east-1",
        aws_access_key_id="x",
        aws_secret_access_key="x",
        config=Config(retries={"total_max_attempts": 1, "mode": "standard"}),
    )
    pool_id = cognito.create_user_pool(PoolName="brute", AutoVerifiedAttributes=["email"])["UserPool"]["Id"]
    client_id = cognito.create_user_pool_client(UserPoolId=pool_id, ClientName="app")["UserPoolClient"]["ClientId"]
    cognito.sign_up(
        ClientId=client_id,
        Username="victim",
        Password="Passw0rd!",
        UserAttributes=[{"Name": "email", "Value": "victim@example.com"}],
    )
    next_guess = 0
    compared_per_hour: list[int] = []
    compared_per_code: dict[str, int] = {}
    for _ in range(HOURS):
        compared = 0
        while True:  # as many new codes as allowed
            try:
                cognito.resend_confirmation_code(ClientId=client_id, Username="victim")
            except ClientError as exc:
                assert exc.response["Error"]["Code"] == "LimitExceededException"
                break
        while True:  # every guess allowed, walking the space in order
            code = latest_code(server, pool_id, "victim")
            guess = f"{next_guess:06d}"
            next_guess += 1
            if guess == code:  # the walk may not win by luck: the test measures how far it gets
                continue
            try:
                cognito.confirm_sign_up(ClientId=client_id, Username="victim", ConfirmationCode=guess)
            except ClientError as exc:
                kind = exc.response["Error"]["Code"]
                if kind == "CodeMismatchException":
                    compared += 1
                    compared_per_code[code] = compared_per_code.get(code, 0) + 1
                    continue
                assert kind == "LimitExceededException"
                break
        compared_per_hour.append(compared)
        advance_clock(server, 3600)

    assert max(compared_per_hour) <= CONFIRM_PER_HOUR
    assert sum(compared_per_hour) <= HOURS * CONFIRM_PER_HOUR  # 360 of 1,000,000 codes a day: 0.036 %
    assert max(compared_per_code.values()) <= 5  # USERPOOL_CODE_ATTEMPTS
    assert cognito.admin_get_user(UserPoolId=pool_id, Username="victim")["UserStatus"] == "UNCONFIRMED"
    # the codes kept changing under the walk: at most 6 codes an hour (the first and 5 resends)
    assert len({m["code"] for m in outbox(server, pool_id, "victim")}) <= 6 * HOURS
