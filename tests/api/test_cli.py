"""The `userpool` command: fixed codes for test environments, configuration errors, help."""

from __future__ import annotations

import subprocess
import sys

from tests.helpers import make_client
from tests.server import ServerProcess


def userpool(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "userpool", *args], capture_output=True, text=True, timeout=60, check=False
    )


def test_fixed_code_makes_every_code_that_value(tmp_path):
    server = ServerProcess(tmp_path / "data", env={"USERPOOL_FIXED_CODE": "123456"}).start()
    try:
        cognito = make_client(server.url)
        pool_id = cognito.create_user_pool(PoolName="fixed", AutoVerifiedAttributes=["email"])["UserPool"]["Id"]
        client_id = cognito.create_user_pool_client(UserPoolId=pool_id, ClientName="c")["UserPoolClient"]["ClientId"]
        cognito.sign_up(
            ClientId=client_id,
            Username="alice",
            Password="Passw0rd!",
            UserAttributes=[{"Name": "email", "Value": "a@example.com"}],
        )
        cognito.confirm_sign_up(ClientId=client_id, Username="alice", ConfirmationCode="123456")
        assert cognito.admin_get_user(UserPoolId=pool_id, Username="alice")["UserStatus"] == "CONFIRMED"
        assert "FIXED CODE: every confirmation code is 123456" in server.log()
        # the suite's cheap password hashing (tests/conftest.py) is called out the same way
        assert "WEAK PASSWORD HASHING: argon2id at 1024 KiB and 1 iteration(s) is below OWASP's" in server.log()
    finally:
        server.stop()


def test_fixed_code_is_refused_off_loopback():
    done = userpool("serve", "--host", "0.0.0.0", "--fixed-code", "123456")
    assert done.returncode == 2
    assert "fixed_code makes every confirmation code 123456: it is refused unless the server binds a loopback" in (
        done.stderr
    )


def test_configuration_errors_name_the_file_key_and_problem(tmp_path):
    config = tmp_path / "userpool.toml"
    config.write_text('[server]\nport = "nine"\nbogus = 1\n')
    done = userpool("serve", "--config", str(config))
    assert done.returncode == 2
    assert f"configuration error in {config}: port: Input should be a valid integer" in done.stderr
    assert f"configuration error in {config}: bogus: Extra inputs are not permitted" in done.stderr
    config.write_text("[server\n")
    done = userpool("serve", "--config", str(config))
    assert done.returncode == 2 and f"configuration error in {config}: Expected ']'" in done.stderr


def test_help_lists_every_command():
    done = userpool("--help")
    assert done.returncode == 0
    for command in ("serve", "migrate", "apply", "export", "coverage"):
        assert command in done.stdout
