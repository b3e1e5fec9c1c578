"""The README's walkthrough, with the AWS CLI as a user runs it."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.helpers import latest_code

# A client's test: the AWS CLI (a process per command) sends and parses what boto3 does; which store answers cannot
# change that, and every operation here is proven on both databases by the boto3 tests. SQLite only.
pytestmark = pytest.mark.databases("sqlite")


def aws(server, *args: str) -> dict:
    executable = shutil.which("aws", path=str(Path(sys.executable).parent)) or shutil.which("aws")
    assert executable, "the AWS CLI is installed with the test extra"
    env = {
        **os.environ,
        "AWS_ACCESS_KEY_ID": "local",
        "AWS_SECRET_ACCESS_KEY": "local",
        "AWS_DEFAULT_REGION": "us-east-1",
        "AWS_CONFIG_FILE": os.devnull,
        "AWS_SHARED_CREDENTIALS_FILE": os.devnull,
    }
    done = subprocess.run(
        [executable, "--endpoint-url", server.url, "--output", "json", "cognito-idp", *args],
        capture_output=True,
        text=True,
        env=env,
        timeout=60,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout) if done.stdout.strip() else {}


def test_walkthrough_with_the_aws_cli(server):
    pool_id = aws(server, "create-user-pool", "--pool-name", "demo", "--auto-verified-attributes", "email")["UserPool"][
        "Id"
    ]
    client_id = aws(server, "create-user-pool-client", "--user-pool-id", pool_id, "--client-name", "web")[
        "UserPoolClient"
    ]["ClientId"]
    signed = aws(
        server,
        "sign-up",
        "--client-id",
        client_id,
        "--username",
        "alice",
        "--password",
        "Passw0rd!",
        "--user-attributes",
        "Name=email,Value=alice@example.com",
    )
    assert signed["UserConfirmed"] is False
    code = latest_code(server, pool_id, "alice")
    aws(
        server,
        "confirm-sign-up",
        "--client-id",
        client_id,
        "--username",
        "alice",
        "--confirmation-code",
        code,
    )
    user = aws(server, "admin-get-user", "--user-pool-id", pool_id, "--username", "alice")
    assert user["UserStatus"] == "CONFIRMED"
    assert {"Name": "email_verified", "Value": "true"} in user["UserAttributes"]
