"""Secrets hygiene: nothing secret in the log at debug level, client secrets sealed in the store, and SecretHash
still verified from the sealed secret after a restart."""

from __future__ import annotations

import base64
import stat

import pytest
from botocore.exceptions import ClientError

from tests.helpers import error_of, latest_code, make_client, secret_hash
from tests.server import ServerProcess

PASSWORD = "Zebra-Quokka-Marmot-91!"
CUSTOM_SECRET = "my_own_rotated_secret_value_0123456789"


def test_full_flow_at_debug_level_logs_no_password_code_secret_hash_or_client_secret(tmp_path):
    server = ServerProcess(tmp_path / "data", env={"USERPOOL_LOG_LEVEL": "debug"}).start()
    try:
        cognito = make_client(server.url)
        pool_id = cognito.create_user_pool(PoolName="hygiene", AutoVerifiedAttributes=["email"])["UserPool"]["Id"]
        client = cognito.create_user_pool_client(UserPoolId=pool_id, ClientName="app", GenerateSecret=True)
        client_id, client_secret = client["UserPoolClient"]["ClientId"], client["UserPoolClient"]["ClientSecret"]
        hashed = secret_hash(client_secret, "carol", client_id)
        cognito.sign_up(
            ClientId=client_id,
            Username="carol",
            Password=PASSWORD,
            SecretHash=hashed,
            UserAttributes=[{"Name": "email", "Value": "carol@example.com"}],
        )
        first_code = latest_code(server, pool_id, "carol")
        with pytest.raises(ClientError):  # a wrong SecretHash and a bad password are refused without echo
            cognito.sign_up(ClientId=client_id, Username="dave", Password=PASSWORD, SecretHash=hashed)
        cognito.resend_confirmation_code(ClientId=client_id, Username="carol", SecretHash=hashed)
        code = latest_code(server, pool_id, "carol")
        wrong = f"{(int(code) + 1) % 1_000_000:06d}"
        with pytest.raises(ClientError):
            cognito.confirm_sign_up(ClientId=client_id, Username="carol", ConfirmationCode=wrong, SecretHash=hashed)
        cognito.confirm_sign_up(ClientId=client_id, Username="carol", ConfirmationCode=code, SecretHash=hashed)
        cognito.describe_user_pool_client(UserPoolId=pool_id, ClientId=client_id)
        assert cognito.admin_get_user(UserPoolId=pool_id, Username="carol")["UserStatus"] == "CONFIRMED"
        added = cognito.add_user_pool_client_secret(UserPoolId=pool_id, ClientId=client_id)
        second_secret = added["ClientSecretDescriptor"]["ClientSecretValue"]
        cognito.list_user_pool_client_secrets(UserPoolId=pool_id, ClientId=client_id)
        other = cognito.create_user_pool_client(UserPoolId=pool_id, ClientName="other", GenerateSecret=True)
        cognito.add_user_pool_client_secret(
            UserPoolId=pool_id, ClientId=other["UserPoolClient"]["ClientId"], ClientSecret=CUSTOM_SECRET
        )
    finally:
        server.stop()
    log = server.log()
    assert " DEBUG " in log  # the level really was debug: request lines were logged
    for secret in (PASSWORD, first_code, code, wrong, hashed, client_secret, second_secret, CUSTOM_SECRET):
        assert secret not in log
    # the Base64 SecretHash may also appear JSON-escaped ("/" as "\/"): look for that too
    assert hashed.replace("/", "\\/") not in log


def test_client_secret_is_sealed_in_the_store_and_survives_a_restart(tmp_path):
    server = ServerProcess(tmp_path / "data").start()
    try:
        cognito = make_client(server.url)
        pool_id = cognito.create_user_pool(PoolName="sealed")["UserPool"]["Id"]
        client = cognito.create_user_pool_client(UserPoolId=pool_id, ClientName="app", GenerateSecret=True)
        client_id, client_secret = client["UserPoolClient"]["ClientId"], client["UserPoolClient"]["ClientSecret"]
    finally:
        server.stop()
    stored = b"".join(p.read_bytes() for p in server.data_dir.glob("userpool.db*"))  # database and its WAL
    assert stored and client_secret.encode() not in stored
    key_file = server.data_dir / "secret.key"
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
    assert len(base64.b64decode(key_file.read_text())) == 32

    server.start()
    try:
        cognito = make_client(server.url)
        described = cognito.describe_user_pool_client(UserPoolId=pool_id, ClientId=client_id)["UserPoolClient"]
        assert described["ClientSecret"] == client_secret
        cognito.sign_up(
            ClientId=client_id,
            Username="erin",
            Password=PASSWORD,
            SecretHash=secret_hash(client_secret, "erin", client_id),
        )
        with pytest.raises(ClientError) as e:
            cognito.sign_up(
                ClientId=client_id, Username="frank", Password=PASSWORD, SecretHash=secret_hash("x", "frank", client_id)
            )
        assert error_of(e) == (400, "NotAuthorizedException", f"Unable to verify secret hash for client {client_id}")
    finally:
        server.stop()


def test_every_active_secret_and_the_saml_signing_key_are_sealed_in_the_store(tmp_path):
    """A client's second secret (generated or given) and a pool's SAML signing key are sealed like its first
    secret: none is in the database file or its WAL, and after a restart a SecretHash of either active secret
    signs up, and the same certificate is answered."""
    server = ServerProcess(tmp_path / "data").start()
    try:
        cognito = make_client(server.url)
        pool_id = cognito.create_user_pool(PoolName="sealed")["UserPool"]["Id"]
        client = cognito.create_user_pool_client(UserPoolId=pool_id, ClientName="app", GenerateSecret=True)
        client_id, first = client["UserPoolClient"]["ClientId"], client["UserPoolClient"]["ClientSecret"]
        added = cognito.add_user_pool_client_secret(UserPoolId=pool_id, ClientId=client_id)
        second = added["ClientSecretDescriptor"]["ClientSecretValue"]
        custom = cognito.create_user_pool_client(UserPoolId=pool_id, ClientName="custom", GenerateSecret=True)
        custom_id = custom["UserPoolClient"]["ClientId"]
        cognito.add_user_pool_client_secret(UserPoolId=pool_id, ClientId=custom_id, ClientSecret=CUSTOM_SECRET)
        certificate = cognito.get_signing_certificate(UserPoolId=pool_id)["Certificate"]
    finally:
        server.stop()
    stored = b"".join(p.read_bytes() for p in server.data_dir.glob("userpool.db*"))  # database and its WAL
    assert stored
    for secret in (first, second, CUSTOM_SECRET):
        assert secret.encode() not in stored
    assert b"PRIVATE KEY" not in stored  # the certificate's key is sealed (its PEM never stored as it is)

    server.start()
    try:
        cognito = make_client(server.url)
        for username, secret in (("erin", first), ("frank", second)):
            cognito.sign_up(
                ClientId=client_id,
                Username=username,
                Password=PASSWORD,
                SecretHash=secret_hash(secret, username, client_id),
            )
        cognito.sign_up(
            ClientId=custom_id,
            Username="gina",
            Password=PASSWORD,
            SecretHash=secret_hash(CUSTOM_SECRET, "gina", custom_id),
        )
        assert cognito.get_signing_certificate(UserPoolId=pool_id)["Certificate"] == certificate
    finally:
        server.stop()


def test_a_configured_key_is_used_and_a_bad_one_refused_at_start(tmp_path):
    key = base64.b64encode(bytes(range(32))).decode()
    server = ServerProcess(tmp_path / "data", env={"USERPOOL_SECRET_KEY": key}).start()
    try:
        cognito = make_client(server.url)
        pool_id = cognito.create_user_pool(PoolName="keyed")["UserPool"]["Id"]
        cognito.create_user_pool_client(UserPoolId=pool_id, ClientName="app", GenerateSecret=True)
    finally:
        server.stop()
    assert not (server.data_dir / "secret.key").exists()
    bad = ServerProcess(tmp_path / "data", env={"USERPOOL_SECRET_KEY": "too-short"})
    with pytest.raises(RuntimeError, match="secret key must be base64 of 32 bytes"):
        bad.start(timeout=20)


def test_secret_hash_is_compared_in_constant_time():
    """The comparison is hmac.compare_digest (a timing test would be flaky; this pins the implementation)."""
    import inspect

    from userpool.domain import secret_hash as module
    from userpool.protocol import auth

    assert "hmac.compare_digest" in inspect.getsource(module.verify)
    # with two active secrets, each is compared (no short cut past the first that fits)
    assert "fits = [verify(" in inspect.getsource(module.verify_any)
    assert "fits = [hmac.compare_digest(" in inspect.getsource(module.secret_matches)
    assert "hmac.compare_digest" in inspect.getsource(auth.Authenticator.authenticate)


def test_token_signing_keys_are_sealed_and_sign_across_a_restart(tmp_path):
    """A pool's RSA key for its JWTs is sealed like client secrets: its PEM is never in the database file or its
    WAL, and after a restart the tokens it signed still verify and new ones are signed."""
    server = ServerProcess(tmp_path / "data").start()
    try:
        cognito = make_client(server.url)
        pool_id = cognito.create_user_pool(PoolName="keys")["UserPool"]["Id"]
        client_id = cognito.create_user_pool_client(
            UserPoolId=pool_id, ClientName="app", ExplicitAuthFlows=["ALLOW_USER_PASSWORD_AUTH"]
        )["UserPoolClient"]["ClientId"]
        cognito.admin_create_user(UserPoolId=pool_id, Username="gina", MessageAction="SUPPRESS")
        cognito.admin_set_user_password(UserPoolId=pool_id, Username="gina", Password=PASSWORD, Permanent=True)
        auth = {"USERNAME": "gina", "PASSWORD": PASSWORD}
        first = cognito.initiate_auth(ClientId=client_id, AuthFlow="USER_PASSWORD_AUTH", AuthParameters=auth)
    finally:
        server.stop()
    stored = b"".join(p.read_bytes() for p in server.data_dir.glob("userpool.db*"))  # database and its WAL
    assert stored and b"PRIVATE KEY" not in stored

    server.start()
    try:
        cognito = make_client(server.url)
        assert cognito.get_user(AccessToken=first["AuthenticationResult"]["AccessToken"])["Username"] == "gina"
        again = cognito.initiate_auth(ClientId=client_id, AuthFlow="USER_PASSWORD_AUTH", AuthParameters=auth)
        assert cognito.get_user(AccessToken=again["AuthenticationResult"]["AccessToken"])["Username"] == "gina"
    finally:
        server.stop()
