"""Server-wide trigger functions run in the server's own process (``python:`` targets), with no AWS at all: the
handlers of tests/trigger_hooks.py, the README's example, and what happens when a pool names a function nothing
serves."""

from __future__ import annotations

import json
import os
import re
from pathlib import Path
from typing import Any

import pytest
from botocore.exceptions import ClientError

from tests.functions import arn
from tests.helpers import PASSWORD, error_of, make_client, outbox
from tests.server import ServerProcess, free_port
from userpool import cli

ROOT = Path(__file__).resolve().parents[2]
README = (ROOT / "README.md").read_text()
HOOKS = "tests.trigger_hooks"


def python_path(*paths: Path) -> str:
    return os.pathsep.join([*map(str, paths), *filter(None, [os.environ.get("PYTHONPATH")])])


@pytest.fixture(scope="module")
def hook_log(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("hooks") / "events.jsonl"


@pytest.fixture(scope="module")
def hooks_server(hook_log: Path, tmp_path_factory: pytest.TempPathFactory) -> Any:
    env = {
        "PYTHONPATH": python_path(ROOT),
        "USERPOOL_TEST_HOOK_LOG": str(hook_log),
        "USERPOOL_TRIGGER_PRE_SIGN_UP": f"{HOOKS}:pre_sign_up",
        "USERPOOL_TRIGGER_CUSTOM_MESSAGE": f"python:{HOOKS}:custom_message",
        "USERPOOL_TRIGGER_POST_CONFIRMATION": f"{HOOKS}:post_confirmation",
        "USERPOOL_TRIGGER_TIMEOUT": "0.4",
    }
    server = ServerProcess(tmp_path_factory.mktemp("hooks-server") / "data", env=env).start()
    yield server
    server.stop()


@pytest.fixture(scope="module")
def idp(hooks_server: ServerProcess) -> Any:
    return make_client(hooks_server.url)


@pytest.fixture
def app(idp: Any) -> tuple[str, str]:
    pool_id = idp.create_user_pool(PoolName="hooks", AutoVerifiedAttributes=["email"])["UserPool"]["Id"]
    return pool_id, idp.create_user_pool_client(UserPoolId=pool_id, ClientName="app")["UserPoolClient"]["ClientId"]


def hooked(hook_log: Path, hook: str, pool_id: str) -> list[dict[str, Any]]:
    lines = hook_log.read_text().splitlines() if hook_log.exists() else []
    return [e["event"] for e in map(json.loads, lines) if e["hook"] == hook and e["event"]["userPoolId"] == pool_id]


def sign_up(idp: Any, client_id: str, action: str | None = None, email: str = "ann@example.com") -> Any:
    return idp.sign_up(
        ClientId=client_id,
        Username="ann",
        Password=PASSWORD,
        UserAttributes=[{"Name": "email", "Value": email}],
        **({"ClientMetadata": {"action": action}} if action else {}),
    )


def test_server_wide_hooks_run_sync_and_async_handlers(idp, app, hook_log, hooks_server):
    pool_id, client_id = app
    result = sign_up(idp, client_id)
    [pre] = hooked(hook_log, "pre_sign_up", pool_id)
    assert pre == {
        "version": "1",
        "region": "us-east-1",
        "userPoolId": pool_id,
        "userName": "ann",
        "callerContext": {"awsSdkVersion": "aws-sdk-unknown-unknown", "clientId": client_id},
        "triggerSource": "PreSignUp_SignUp",
        "request": {"userAttributes": {"email": "ann@example.com"}, "validationData": None},
        "response": {"autoConfirmUser": False, "autoVerifyEmail": False, "autoVerifyPhone": False},
    }
    [message_event] = hooked(hook_log, "custom_message", pool_id)
    assert message_event["request"]["userAttributes"]["sub"] == result["UserSub"]
    [message] = outbox(hooks_server, pool_id, "ann")
    assert message["subject"] == f"Welcome to {HOOKS}:custom_message"
    assert message["body"] == f"Hello ann@example.com, code {message['code']}"


def test_a_hook_that_raises_rejects_the_sign_up(idp, app, hooks_server):
    pool_id, client_id = app
    with pytest.raises(ClientError) as e:
        sign_up(idp, client_id, "reject")
    assert error_of(e) == (
        400,
        "UserLambdaValidationException",
        "PreSignUp failed with error No sign-ups for ann@example.com.",
    )
    assert idp.list_users(UserPoolId=pool_id)["Users"] == []
    assert outbox(hooks_server, pool_id) == []


def test_a_hook_that_auto_confirms_then_post_confirmation(idp, app, hook_log, hooks_server):
    pool_id, client_id = app
    assert sign_up(idp, client_id, "confirm")["UserConfirmed"] is True
    user = idp.admin_get_user(UserPoolId=pool_id, Username="ann")
    assert user["UserStatus"] == "CONFIRMED"
    assert {"Name": "email_verified", "Value": "true"} in user["UserAttributes"]
    [post] = hooked(hook_log, "post_confirmation", pool_id)
    assert post["triggerSource"] == "PostConfirmation_ConfirmSignUp"
    assert post["request"]["userAttributes"]["email_verified"] == "true"
    assert hooked(hook_log, "custom_message", pool_id) == []
    assert outbox(hooks_server, pool_id) == []


def test_a_sync_hook_past_its_time_is_abandoned_after_three_attempts(idp, app, hook_log):
    pool_id, client_id = app
    with pytest.raises(ClientError) as e:
        sign_up(idp, client_id, "slow")
    assert error_of(e) == (
        400,
        "UnexpectedLambdaException",
        "PreSignUp invocation failed due to error Socket timeout while invoking Lambda function.",
    )
    assert len(hooked(hook_log, "pre_sign_up", pool_id)) == 3
    assert idp.list_users(UserPoolId=pool_id)["Users"] == []


def test_an_async_hook_past_its_time_is_abandoned_too(idp, app, hook_log, hooks_server):
    pool_id, client_id = app
    with pytest.raises(ClientError) as e:
        sign_up(idp, client_id, "slow-message")
    assert error_of(e) == (
        400,
        "UnexpectedLambdaException",
        "CustomMessage invocation failed due to error Socket timeout while invoking Lambda function.",
    )
    assert len(hooked(hook_log, "custom_message", pool_id)) == 3
    # The message failed after the user was created: it stays unconfirmed, with nothing sent.
    assert idp.admin_get_user(UserPoolId=pool_id, Username="ann")["UserStatus"] == "UNCONFIRMED"
    assert outbox(hooks_server, pool_id) == []


def test_a_hook_returning_nothing_is_invalid_json(idp, app):
    _, client_id = app
    with pytest.raises(ClientError) as e:
        sign_up(idp, client_id, "nothing")
    assert error_of(e) == (400, "InvalidLambdaResponseException", "Invalid lambda function output : Invalid JSON")


def test_a_failing_post_confirmation_hook_after_confirm_sign_up(idp, app, hooks_server):
    pool_id, client_id = app
    sign_up(idp, client_id)
    code = outbox(hooks_server, pool_id, "ann")[-1]["code"]
    with pytest.raises(ClientError) as e:
        idp.confirm_sign_up(
            ClientId=client_id, Username="ann", ConfirmationCode=code, ClientMetadata={"action": "fail"}
        )
    assert error_of(e) == (
        400,
        "UserLambdaValidationException",
        "PostConfirmation failed with error welcome mail failed.",
    )
    assert idp.admin_get_user(UserPoolId=pool_id, Username="ann")["UserStatus"] == "CONFIRMED"


def test_a_pools_own_function_wins_over_the_server_wide_hook(idp, hook_log, hooks_server):
    function = arn("nowhere")
    pool_id = idp.create_user_pool(PoolName="own", LambdaConfig={"PreSignUp": function})["UserPool"]["Id"]
    client_id = idp.create_user_pool_client(UserPoolId=pool_id, ClientName="app")["UserPoolClient"]["ClientId"]
    with pytest.raises(ClientError) as e:
        sign_up(idp, client_id)
    assert error_of(e) == (
        400,
        "UnexpectedLambdaException",
        "PreSignUp invocation failed due to error ResourceNotFoundException.",
    )
    assert hooked(hook_log, "pre_sign_up", pool_id) == []
    assert f"pool {pool_id}: no way to reach the PreSignUp function {function}" in hooks_server.log()


def test_trigger_kinds_not_run_yet_are_named_in_a_warning(idp, hooks_server):
    function = arn("federation")
    config = {"InboundFederation": {"LambdaArn": function, "LambdaVersion": "V1_0"}}
    pool_id = idp.create_user_pool(PoolName="later", LambdaConfig=config)["UserPool"]["Id"]
    assert f"pool {pool_id}: the InboundFederation trigger ({function}) is stored but userpool does not run it yet" in (
        hooks_server.log()
    )


def test_a_custom_sender_needs_the_code_key(idp, hooks_server):
    sender = {"LambdaArn": arn("sender"), "LambdaVersion": "V1_0"}
    pool_id = idp.create_user_pool(
        PoolName="sender",
        AutoVerifiedAttributes=["email"],
        LambdaConfig={"CustomEmailSender": sender, "KMSKeyID": "arn:aws:kms:us-east-1:000000000000:key/k"},
    )["UserPool"]["Id"]
    assert f"pool {pool_id}: the CustomEmailSender trigger needs USERPOOL_TRIGGER_CODE_KEY" in hooks_server.log()
    client_id = idp.create_user_pool_client(UserPoolId=pool_id, ClientName="app")["UserPoolClient"]["ClientId"]
    with pytest.raises(ClientError) as e:
        sign_up(idp, client_id)
    assert error_of(e) == (
        400,
        "UnexpectedLambdaException",
        "CustomEmailSender invocation failed due to error KMSKeyID is not usable: set USERPOOL_TRIGGER_CODE_KEY "
        "to encrypt codes for custom sender triggers.",
    )
    assert outbox(hooks_server, pool_id) == []


def test_a_trigger_target_that_cannot_work_stops_the_server_at_start(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("USERPOOL_TRIGGER_PRE_SIGN_UP", "no_such_module_xyz:pre_sign_up")
    assert cli.main(["serve", "--port", str(free_port()), "--data-dir", str(tmp_path / "data")]) == 2
    error = capsys.readouterr().err
    assert error.startswith("userpool: configuration error: trigger target 'no_such_module_xyz:pre_sign_up'")
    assert "cannot import 'no_such_module_xyz'" in error
    assert not (tmp_path / "data").exists()  # nothing was opened


def _readme_block(language: str, first_line: str) -> str:
    blocks = re.findall(rf"```{language}\n(.*?)```", README, re.S)
    [block] = [b for b in blocks if b.startswith(first_line)]
    return block


def test_the_readme_hooks_example_works(tmp_path):
    (tmp_path / "myhooks.py").write_text(_readme_block("python", "def pre_sign_up"))
    config = tmp_path / "userpool.toml"
    config.write_text(_readme_block("toml", "[triggers]\n"))
    server = ServerProcess(tmp_path / "data", env={"PYTHONPATH": python_path(tmp_path)}, args=["--config", str(config)])
    server.start()
    try:
        idp = make_client(server.url)
        pool_id = idp.create_user_pool(PoolName="readme", AutoVerifiedAttributes=["email"])["UserPool"]["Id"]
        client_id = idp.create_user_pool_client(UserPoolId=pool_id, ClientName="web")["UserPoolClient"]["ClientId"]

        def sign_up_as(username: str, email: str, **extra: Any) -> Any:
            attributes = [{"Name": "email", "Value": email}]
            return idp.sign_up(
                ClientId=client_id, Username=username, Password=PASSWORD, UserAttributes=attributes, **extra
            )

        with pytest.raises(ClientError) as e:
            sign_up_as("mallory", "mallory@elsewhere.org")
        assert error_of(e) == (
            400,
            "UserLambdaValidationException",
            "PreSignUp failed with error Sign-up is open to example.com addresses only.",
        )
        assert sign_up_as("ann", "ann@example.com")["UserConfirmed"] is False
        [message] = outbox(server, pool_id, "ann")
        assert (message["subject"], message["body"]) == (
            "Welcome to Example",
            f"Hello! Your code is {message['code']}.",
        )
        invited = sign_up_as("bob", "bob@example.com", ValidationData=[{"Name": "invite", "Value": "welcome"}])
        assert invited["UserConfirmed"] is True
        assert outbox(server, pool_id, "bob") == []
    finally:
        server.stop()
