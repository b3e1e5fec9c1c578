"""Remembered devices with real JavaScript clients, unchanged: amazon-cognito-identity-js and Amplify v6 each
confirm the device they are handed with a verifier of their own making, remember it, read or list it, sign in again
with it (device SRP: DEVICE_SRP_AUTH, DEVICE_PASSWORD_VERIFIER) and forget it (``tests/js/identity_js_devices.mjs``,
``tests/js/amplify_devices.mjs``). What they did is checked through boto3 against the same server. Node and the
packages as in ``test_js_clients``."""

from __future__ import annotations

import json
import subprocess
from collections.abc import Iterator

import pytest
from botocore.exceptions import ClientError

from tests.api.test_js_clients import JS, PASSWORD, Run, node  # noqa: F401 (node: the fixture)
from tests.helpers import error_of, make_client
from tests.server import LocalUserpool, in_process
from tests.signin import claims


@pytest.fixture(scope="module")
def live(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LocalUserpool]:
    srv = in_process(tmp_path_factory.mktemp("js-devices") / "data")
    yield srv
    srv.stop()


def run_devices_script(node_path: str, live: LocalUserpool, script: str, username: str) -> Run:
    """A pool that remembers devices when the user says so, a confirmed user, and the script against them."""
    cognito = make_client(live.url)
    pool_id = cognito.create_user_pool(
        PoolName="devices",
        DeviceConfiguration={"ChallengeRequiredOnNewDevice": True, "DeviceOnlyRememberedOnUserPrompt": True},
    )["UserPool"]["Id"]
    client_id = cognito.create_user_pool_client(
        UserPoolId=pool_id, ClientName="web", ExplicitAuthFlows=["ALLOW_USER_SRP_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"]
    )["UserPoolClient"]["ClientId"]
    cognito.admin_create_user(UserPoolId=pool_id, Username=username, MessageAction="SUPPRESS")
    cognito.admin_set_user_password(UserPoolId=pool_id, Username=username, Password=PASSWORD, Permanent=True)
    args = {
        "url": live.url,
        "userPoolId": pool_id,
        "clientId": client_id,
        "username": username,
        "password": PASSWORD,
        "email": f"{username}@example.com",
    }
    command = [node_path, str(JS / script), json.dumps(args)]
    done = subprocess.run(command, cwd=JS, capture_output=True, text=True, timeout=120)
    lines = done.stdout.splitlines()
    assert done.returncode == 0 and len(lines) == 1, f"{done.returncode}\n{done.stdout}\n{done.stderr}"
    output = json.loads(lines[0])
    assert "error" not in output, f"stopped: {output['error']}\n{done.stderr}"
    return Run(live, cognito, args, output)


def gone(run: Run, username: str, key: str) -> tuple[int, str, str]:
    with pytest.raises(ClientError) as excinfo:
        run.cognito.admin_get_device(UserPoolId=run.pool_id, Username=username, DeviceKey=key)
    return error_of(excinfo)


# ---- amazon-cognito-identity-js ---------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def identity_js(node: str, live: LocalUserpool) -> Run:  # noqa: F811
    return run_devices_script(node, live, "identity_js_devices.mjs", "carol")


def test_identity_js_confirms_the_device_it_is_handed(identity_js: Run):
    first = identity_js.step("firstSignIn")
    assert first["deviceKey"] == first["tokenDeviceKey"]
    assert first["deviceKey"].startswith("us-east-1_")
    # The pool asks the user before remembering: UserConfirmationNecessary reached the library.
    assert first["userConfirmationNecessary"] is True
    assert identity_js.answers("ConfirmDevice") == [{"status": 200}]


def test_identity_js_remembers_reads_and_lists_the_device(identity_js: Run):
    key = identity_js.step("firstSignIn")["deviceKey"]
    assert identity_js.step("setDeviceStatusRemembered") == "SUCCESS"
    device = identity_js.step("getDevice")
    assert device["DeviceKey"] == key
    attributes = {a["Name"]: a["Value"] for a in device["DeviceAttributes"]}
    assert attributes["dev:device_remembered_status"] == "remembered"
    assert attributes["device_name"]  # the library's user agent
    assert identity_js.step("listDevices") == [key]


def test_identity_js_signs_in_again_with_device_srp(identity_js: Run):
    key = identity_js.step("firstSignIn")["deviceKey"]
    second = identity_js.step("secondSignIn")
    assert second["deviceKey"] == second["tokenDeviceKey"] == key
    identity_js.verify(second["accessToken"], "access")
    assert claims(second["accessToken"])["device_key"] == key
    # PASSWORD_VERIFIER (first sign-in), then PASSWORD_VERIFIER, DEVICE_SRP_AUTH, DEVICE_PASSWORD_VERIFIER.
    assert identity_js.answers("RespondToAuthChallenge") == [{"status": 200}] * 4
    # The library refreshes with the device's key, as the pool requires.
    assert identity_js.step("refreshSession") == {"deviceKey": key}


def test_identity_js_forgets_the_device(identity_js: Run):
    assert identity_js.step("forgetDevice") == "SUCCESS"
    assert identity_js.answers("ForgetDevice") == [{"status": 200}]
    key = identity_js.step("firstSignIn")["deviceKey"]
    assert gone(identity_js, "carol", key) == (400, "ResourceNotFoundException", "Device does not exist.")
    assert identity_js.cognito.admin_list_devices(UserPoolId=identity_js.pool_id, Username="carol")["Devices"] == []


# ---- Amplify v6 -------------------------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def amplify(node: str, live: LocalUserpool) -> Run:  # noqa: F811
    return run_devices_script(node, live, "amplify_devices.mjs", "dave")


def test_amplify_confirms_remembers_and_lists_the_device(amplify: Run):
    first = amplify.step("signIn")
    assert first["isSignedIn"] is True and first["deviceKey"].startswith("us-east-1_")
    assert amplify.answers("ConfirmDevice") == amplify.answers("UpdateDeviceStatus") == [{"status": 200}]
    assert amplify.step("rememberDevice") == {}
    (listed,) = amplify.step("fetchDevices")
    assert listed["id"] == first["deviceKey"] and listed["name"]


def test_amplify_signs_in_again_with_device_srp_and_forgets_the_device(amplify: Run):
    key = amplify.step("signIn")["deviceKey"]
    second = amplify.step("secondSignIn")
    assert second == {"isSignedIn": True, "signInStep": "DONE", "deviceKey": key}
    # PASSWORD_VERIFIER (first sign-in), then PASSWORD_VERIFIER, DEVICE_SRP_AUTH, DEVICE_PASSWORD_VERIFIER.
    assert amplify.answers("RespondToAuthChallenge") == [{"status": 200}] * 4
    assert amplify.step("refresh") == {"deviceKey": key}
    assert amplify.answers("GetTokensFromRefreshToken") == [{"status": 200}]
    assert amplify.step("forgetDevice") == {}
    assert gone(amplify, "dave", key) == (400, "ResourceNotFoundException", "Device does not exist.")
