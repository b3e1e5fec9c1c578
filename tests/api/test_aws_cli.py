"""The README's walkthrough, with the AWS CLI as a user runs it."""

from __future__ import annotations

import contextlib
import io
import json
import os
from unittest import mock

import pytest

from tests.helpers import latest_code

# A client's test: the AWS CLI sends and parses what boto3 does; which store answers cannot
# change that, and every operation here is proven on both databases by the boto3 tests. SQLite only.
pytestmark = pytest.mark.databases("sqlite")


# The settings every command runs with: dummy keys, and no configuration or credentials file of the machine's.
AWS_ENVIRONMENT = {
    "AWS_ACCESS_KEY_ID": "local",
    "AWS_SECRET_ACCESS_KEY": "local",
    "AWS_DEFAULT_REGION": "us-east-1",
    "AWS_CONFIG_FILE": os.devnull,
    "AWS_SHARED_CREDENTIALS_FILE": os.devnull,
}


def aws(server, *args: str) -> dict:
    """``aws --endpoint-url URL --output json cognito-idp ARGS``: the AWS CLI's own driver (``awscli.clidriver``,
    all the ``aws`` script runs), in this process: the same argument parsing, request, answer parsing and JSON
    output, without the 1-4 s a new process spends importing the CLI and loading its models for each command."""
    from awscli.clidriver import create_clidriver

    out, err = io.StringIO(), io.StringIO()
    with mock.patch.dict(os.environ, AWS_ENVIRONMENT), contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        returncode = create_clidriver().main(["--endpoint-url", server.url, "--output", "json", "cognito-idp", *args])
    assert returncode == 0, err.getvalue()
    return json.loads(out.getvalue()) if out.getvalue().strip() else {}


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
