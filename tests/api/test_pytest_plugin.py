"""The pytest plugin, used the way an application's test suite uses it (pytester runs an example project)."""

from __future__ import annotations

import textwrap

pytest_plugins = ["pytester"]

APP = '''
import boto3


def register(client_id, username, password, email):
    """Application code: it makes its own client and knows nothing of userpool."""
    cognito = boto3.client("cognito-idp")
    return cognito.sign_up(
        ClientId=client_id, Username=username, Password=password,
        UserAttributes=[{"Name": "email", "Value": email}],
    )["UserSub"]


def confirm(client_id, username, code):
    boto3.client("cognito-idp").confirm_sign_up(ClientId=client_id, Username=username, ConfirmationCode=code)
'''

TESTS = """
import boto3
import pytest
from botocore.exceptions import ClientError

import app


def test_sign_up_and_confirm(userpool):
    pool_id, client_id = userpool.create_pool_and_client({"AutoVerifiedAttributes": ["email"]})
    sub = app.register(client_id, "alice", "Passw0rd!", "alice@example.com")
    app.confirm(client_id, "alice", userpool.latest_code(pool_id, "alice"))
    user = userpool.client().admin_get_user(UserPoolId=pool_id, Username="alice")
    assert user["UserStatus"] == "CONFIRMED"
    assert {"Name": "sub", "Value": sub} in user["UserAttributes"]


def test_each_test_gets_an_empty_server(userpool):
    assert boto3.client("cognito-idp").list_user_pools(MaxResults=10)["UserPools"] == []


def test_codes_expire_when_the_clock_moves(userpool):
    pool_id, client_id = userpool.create_pool_and_client({"AutoVerifiedAttributes": ["email"]})
    app.register(client_id, "bob", "Passw0rd!", "bob@example.com")
    userpool.advance_clock(24 * 3600 + 1)
    with pytest.raises(ClientError) as error:
        app.confirm(client_id, "bob", userpool.latest_code(pool_id, "bob"))
    assert error.value.response["Error"]["Code"] == "ExpiredCodeException"


def test_session_server_is_shared(userpool_session):
    userpool_session.create_pool({"PoolName": "shared"})
    names = [p["Name"] for p in boto3.client("cognito-idp").list_user_pools(MaxResults=60)["UserPools"]]
    assert "shared" in names


def test_session_server_still_has_the_pool(userpool_session):
    names = [p["Name"] for p in userpool_session.client().list_user_pools(MaxResults=60)["UserPools"]]
    assert "shared" in names
"""


def test_plugin_runs_an_applications_tests_unchanged(pytester, monkeypatch):
    pytester.makepyfile(app=textwrap.dedent(APP), test_app=textwrap.dedent(TESTS))
    for key in ("AWS_ENDPOINT_URL_COGNITO_IDENTITY_PROVIDER", "AWS_PROFILE", "AWS_DEFAULT_REGION"):
        monkeypatch.delenv(key, raising=False)
    # In this process (pytester restores sys.modules and the environment after): a pytest of its own, with the
    # plugin found through its entry point as in any project, without starting another interpreter.
    result = pytester.runpytest_inprocess("-p", "no:cacheprovider")
    result.assert_outcomes(passed=5)
