from tests.helpers import latest_code


def test_sign_up_confirm_and_inspect(server, cognito, email_pool):
    pool_id, client_id = email_pool
    cognito.sign_up(
        ClientId=client_id,
        Username="smoke",
        Password="Passw0rd!",
        UserAttributes=[{"Name": "email", "Value": "smoke@example.com"}],
    )
    cognito.confirm_sign_up(
        ClientId=client_id, Username="smoke", ConfirmationCode=latest_code(server, pool_id, "smoke")
    )
    user = cognito.admin_get_user(UserPoolId=pool_id, Username="smoke")
    assert user["UserStatus"] == "CONFIRMED"
    assert {"Name": "email_verified", "Value": "true"} in user["UserAttributes"]
