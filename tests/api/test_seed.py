"""Declarative seed configuration: `serve --config`, `apply`, `export`, with the repository's sample file."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from pathlib import Path

import pytest
from botocore.exceptions import ClientError

from tests.helpers import make_client, secret_hash
from tests.server import ServerProcess
from userpool import cli

SAMPLE = Path(__file__).resolve().parents[2] / "examples" / "userpool.toml"
POOL, WEB, BACKEND = "us-east-1_devpool01", "devwebclient00000000000000", "devbackendclient0000000000"
BACKEND_SECRET = "devbackendsecret0000000000000000000000000000000000"


@dataclass
class Done:
    returncode: int
    stdout: str
    stderr: str


@pytest.fixture
def userpool(capsys: pytest.CaptureFixture[str]):
    """``userpool <args>`` through the command's own entry point (``cli.main``) in this process: its exit status
    and what it printed. (``python -m userpool`` itself is started by ``serve --config`` below and test_cli.)"""

    def run(*args: str) -> Done:
        root = logging.getLogger()
        handlers, level = root.handlers[:], root.level  # the command sets up logging for its process
        capsys.readouterr()
        try:
            returncode = cli.main(list(args))
        finally:
            root.handlers[:], root.level = handlers, level
        out, err = capsys.readouterr()
        return Done(returncode, out, err)

    return run


def test_serve_with_the_sample_config_seeds_pools_clients_and_users(tmp_path, userpool):
    done = userpool("apply", "--config", str(SAMPLE), "--data-dir", str(tmp_path / "data"))
    assert done.returncode == 0, done.stderr
    assert f"created pool {POOL} (dev)" in done.stdout
    assert "created user alice (CONFIRMED)" in done.stdout and "created user bob (UNCONFIRMED)" in done.stdout
    again = userpool("apply", "--config", str(SAMPLE), "--data-dir", str(tmp_path / "data"))
    assert again.returncode == 0 and again.stdout == ""  # idempotent: nothing to change

    server = ServerProcess(tmp_path / "data", args=["--config", str(SAMPLE)]).start()
    try:
        assert "created pool" not in server.log()  # serve applies the file too: nothing left to do
        cognito = make_client(server.url)
        pool = cognito.describe_user_pool(UserPoolId=POOL)["UserPool"]
        assert pool["Name"] == "dev" and pool["UsernameConfiguration"] == {"CaseSensitive": False}
        assert pool["Policies"]["PasswordPolicy"]["RequireSymbols"] is False
        assert {"custom:plan"} <= {a["Name"] for a in pool["SchemaAttributes"]}
        names = [c["ClientName"] for c in cognito.list_user_pool_clients(UserPoolId=POOL)["UserPoolClients"]]
        assert sorted(names) == ["backend", "web"]
        backend = cognito.describe_user_pool_client(UserPoolId=POOL, ClientId=BACKEND)["UserPoolClient"]
        assert backend["ClientSecret"] == BACKEND_SECRET
        alice = cognito.admin_get_user(UserPoolId=POOL, Username="ALICE")
        assert alice["UserStatus"] == "CONFIRMED"
        attributes = {a["Name"]: a["Value"] for a in alice["UserAttributes"]}
        assert attributes["email_verified"] == "true" and attributes["custom:plan"] == "pro"
        assert cognito.admin_get_user(UserPoolId=POOL, Username="bob")["UserStatus"] == "UNCONFIRMED"
        # The fixed secret works for SecretHash, and alice's verified email is taken as an identity.
        cognito.sign_up(
            ClientId=BACKEND,
            Username="carol",
            Password="Passw0rd3",
            SecretHash=secret_hash(BACKEND_SECRET, "carol", BACKEND),
        )
        with pytest.raises(ClientError) as e:
            cognito.sign_up(ClientId=WEB, Username="Alice", Password="Passw0rd3")
        assert e.value.response["Error"]["Code"] == "UsernameExistsException"
    finally:
        server.stop()


def test_export_then_apply_reproduces_pools_and_clients(tmp_path, userpool):
    assert userpool("apply", "--config", str(SAMPLE), "--data-dir", str(tmp_path / "one")).returncode == 0
    exported = tmp_path / "exported.toml"
    assert userpool("export", "--data-dir", str(tmp_path / "one"), "--output", str(exported)).returncode == 0
    assert userpool("apply", "--config", str(exported), "--data-dir", str(tmp_path / "two")).returncode == 0
    again = userpool("export", "--data-dir", str(tmp_path / "two"))
    assert again.returncode == 0
    assert again.stdout == exported.read_text()


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        (
            '[[pools]]\nPoolName = "p"\nNoSuchSetting = 1\n',
            "pools[0] (p): not CreateUserPool parameters: NoSuchSetting",
        ),
        ('[[pools]]\nPoolName = "bad/name"\n', "pools[0] (bad/name): 1 validation error detected"),
        ('[[pools]]\nId = "nope"\nPoolName = "p"\n', "Id 'nope' is not a user pool id"),
        (
            '[[pools]]\nPoolName = "p"\n[[pools.users]]\nUsername = "u"\nPassword = "short"\n',
            "pools[0] (p).users[0]: Password not long enough",
        ),
        (
            '[[pools]]\nPoolName = "p"\n[[pools.users]]\nUsername = "u"\nAttributes = { colour = "x" }\n',
            "attributes not in the pool's schema: ['colour']",
        ),
    ],
)
def test_a_bad_seed_names_the_file_entry_and_problem(tmp_path, userpool, text, problem):
    config = tmp_path / "seed.toml"
    config.write_text(text)
    done = userpool("apply", "--config", str(config), "--data-dir", str(tmp_path / "data"))
    assert done.returncode == 2
    assert f"userpool: seed error in {config}: " in done.stderr
    assert problem in done.stderr
