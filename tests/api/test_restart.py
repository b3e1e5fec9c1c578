"""Everything survives a restart: pools, clients, users, codes."""

from __future__ import annotations

from tests.helpers import latest_code, make_client
from tests.server import ServerProcess


def test_state_survives_a_restart(tmp_path):
    server = ServerProcess(tmp_path / "data").start()
    try:
        cognito = make_client(server.url)
        pool_id = cognito.create_user_pool(PoolName="durable", AutoVerifiedAttributes=["email"])["UserPool"]["Id"]
        client_id = cognito.create_user_pool_client(UserPoolId=pool_id, ClientName="app")["UserPoolClient"]["ClientId"]
        sub = cognito.sign_up(
            ClientId=client_id,
            Username="keeper",
            Password="Passw0rd!",
            UserAttributes=[{"Name": "email", "Value": "keeper@example.com"}],
        )["UserSub"]
        code = latest_code(server, pool_id, "keeper")
    finally:
        server.stop()

    again = ServerProcess(tmp_path / "data", port=server.port).start()
    try:
        cognito = make_client(again.url)
        assert cognito.describe_user_pool(UserPoolId=pool_id)["UserPool"]["AutoVerifiedAttributes"] == ["email"]
        assert (
            cognito.describe_user_pool_client(UserPoolId=pool_id, ClientId=client_id)["UserPoolClient"]["ClientName"]
            == "app"
        )
        cognito.confirm_sign_up(ClientId=client_id, Username="keeper", ConfirmationCode=code)
        user = cognito.admin_get_user(UserPoolId=pool_id, Username="keeper")
        assert user["UserStatus"] == "CONFIRMED"
        assert {"Name": "sub", "Value": sub} in user["UserAttributes"]
    finally:
        again.stop()
