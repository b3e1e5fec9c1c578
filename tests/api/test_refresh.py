"""GetTokensFromRefreshToken and refresh-token rotation (the app client's ``RefreshTokenRotation``).

Without rotation a refresh answers new access and ID tokens of the same sign-in. With rotation it also answers a
new refresh token of the same session; the used one stays good for ``RetryGracePeriodSeconds`` and its use after
that is a reuse: ``RefreshTokenReuseException``, and the whole session is revoked."""

from __future__ import annotations

import base64
import hashlib
import hmac
from typing import Any

import pytest
from botocore.exceptions import ClientError

from tests.helpers import advance_clock, error_of
from tests.signin import ALL_FLOWS, PASSWORD, claims, confirmed_user, make_pool_and_client, password_auth

INVALID = (400, "NotAuthorizedException", "Invalid Refresh Token.")
REVOKED = (400, "NotAuthorizedException", "Refresh Token has been revoked")
REUSED = (400, "RefreshTokenReuseException", "Refresh Token has already been used.")
REVOKED_ACCESS = (400, "NotAuthorizedException", "Access Token has been revoked")
NO_ROTATION_FLOWS = [f for f in ALL_FLOWS if f != "ALLOW_REFRESH_TOKEN_AUTH"]


def rotating(grace: int = 0) -> dict[str, Any]:
    return {"RefreshTokenRotation": {"Feature": "ENABLED", "RetryGracePeriodSeconds": grace}}


def signed_in(cognito: Any, **client: Any) -> tuple[str, str, dict[str, Any]]:
    pool, client_id = make_pool_and_client(cognito, **client)
    confirmed_user(cognito, pool, client_id)
    return pool, client_id, password_auth(cognito, client_id)["AuthenticationResult"]


def get_tokens(cognito: Any, client_id: str, token: str, **params: Any) -> dict[str, Any]:
    return cognito.get_tokens_from_refresh_token(ClientId=client_id, RefreshToken=token, **params)


def get_tokens_error(cognito: Any, client_id: str, token: str, **params: Any) -> tuple[int, str, str]:
    with pytest.raises(ClientError) as excinfo:
        get_tokens(cognito, client_id, token, **params)
    return error_of(excinfo)


def access_error(cognito: Any, token: str) -> tuple[int, str, str]:
    with pytest.raises(ClientError) as excinfo:
        cognito.get_user(AccessToken=token)
    return error_of(excinfo)


# ---- without rotation ------------------------------------------------------------------------------------------
def test_get_tokens_gives_new_access_and_id_tokens_of_the_same_sign_in(cognito):
    _, client, first = signed_in(cognito)
    answer = get_tokens(cognito, client, first["RefreshToken"])
    result = answer["AuthenticationResult"]
    assert set(result) == {"AccessToken", "ExpiresIn", "TokenType", "IdToken"}
    assert (result["TokenType"], result["ExpiresIn"]) == ("Bearer", 3600)
    old, new = claims(first["AccessToken"]), claims(result["AccessToken"])
    assert new["jti"] != old["jti"]
    assert (new["origin_jti"], new["auth_time"], new["sub"]) == (old["origin_jti"], old["auth_time"], old["sub"])
    assert claims(result["IdToken"])["aud"] == client
    assert cognito.get_user(AccessToken=result["AccessToken"])["Username"] == "alice"
    # The refresh token goes on working: no rotation.
    assert get_tokens(cognito, client, first["RefreshToken"])["AuthenticationResult"]["AccessToken"]


def test_get_tokens_works_without_the_refresh_token_auth_flow(cognito):
    """Amplify v6 refreshes only through GetTokensFromRefreshToken, whatever the client's flows."""
    _, client, first = signed_in(cognito, ExplicitAuthFlows=NO_ROTATION_FLOWS)
    assert get_tokens(cognito, client, first["RefreshToken"])["AuthenticationResult"]["IdToken"]


def test_get_tokens_passes_device_key_and_client_metadata(cognito):
    _, client, first = signed_in(cognito)
    answer = get_tokens(cognito, client, first["RefreshToken"], DeviceKey="us-east-1_abc", ClientMetadata={"a": "b"})
    assert answer["AuthenticationResult"]["AccessToken"]


def test_unknown_refresh_token_is_invalid(cognito):
    _, client, _ = signed_in(cognito)
    assert get_tokens_error(cognito, client, "not-a-token") == INVALID


def test_refresh_token_of_another_client_is_invalid(cognito):
    pool, _, first = signed_in(cognito)
    other = cognito.create_user_pool_client(UserPoolId=pool, ClientName="other")["UserPoolClient"]["ClientId"]
    assert get_tokens_error(cognito, other, first["RefreshToken"]) == INVALID


def test_unknown_client_is_not_found(cognito):
    assert get_tokens_error(cognito, "nosuchclient000000000000", "x") == (
        400,
        "ResourceNotFoundException",
        "User pool client nosuchclient000000000000 does not exist.",
    )


def test_missing_refresh_token_is_a_validation_error(raw_cognito):
    with pytest.raises(ClientError) as excinfo:
        raw_cognito.get_tokens_from_refresh_token(ClientId="abc")
    assert error_of(excinfo) == (
        400,
        "InvalidParameterException",
        "1 validation error detected: Value at 'refreshToken' failed to satisfy constraint: Member must not be null",
    )


def test_secret_client_needs_its_secret(cognito):
    pool, client = make_pool_and_client(cognito, GenerateSecret=True)
    secret = cognito.describe_user_pool_client(UserPoolId=pool, ClientId=client)["UserPoolClient"]["ClientSecret"]
    digest = hmac.new(secret.encode(), f"alice{client}".encode(), hashlib.sha256).digest()
    secret_hash = base64.b64encode(digest).decode()
    cognito.sign_up(ClientId=client, Username="alice", Password=PASSWORD, SecretHash=secret_hash)
    cognito.admin_confirm_sign_up(UserPoolId=pool, Username="alice")
    first = password_auth(cognito, client, SECRET_HASH=secret_hash)["AuthenticationResult"]
    assert get_tokens_error(cognito, client, first["RefreshToken"]) == (
        400,
        "NotAuthorizedException",
        f"Client {client} is configured for secret but secret was not received",
    )
    assert get_tokens_error(cognito, client, first["RefreshToken"], ClientSecret="w" * 51) == (
        400,
        "NotAuthorizedException",
        f"Unable to verify secret hash for client {client}",
    )
    result = get_tokens(cognito, client, first["RefreshToken"], ClientSecret=secret)["AuthenticationResult"]
    assert claims(result["AccessToken"])["client_id"] == client


def test_revoked_refresh_token_is_refused(cognito):
    _, client, first = signed_in(cognito)
    cognito.revoke_token(Token=first["RefreshToken"], ClientId=client)
    assert get_tokens_error(cognito, client, first["RefreshToken"]) == REVOKED


def test_refresh_token_after_global_sign_out_is_refused(cognito):
    _, client, first = signed_in(cognito)
    cognito.global_sign_out(AccessToken=first["AccessToken"])
    assert get_tokens_error(cognito, client, first["RefreshToken"]) == REVOKED


def test_expired_refresh_token_is_refused(cognito, server, frozen_clock):
    _, client, first = signed_in(cognito, RefreshTokenValidity=60, TokenValidityUnits={"RefreshToken": "minutes"})
    advance_clock(server, 3601)
    assert get_tokens_error(cognito, client, first["RefreshToken"]) == (
        400,
        "NotAuthorizedException",
        "Refresh Token has expired",
    )


def test_disabled_user_cannot_refresh(cognito):
    """AdminDisableUser revokes the user's tokens, as in Cognito."""
    pool, client, first = signed_in(cognito)
    cognito.admin_disable_user(UserPoolId=pool, Username="alice")
    assert get_tokens_error(cognito, client, first["RefreshToken"]) == REVOKED


# ---- with rotation ---------------------------------------------------------------------------------------------
def test_rotation_setting_is_kept_and_described(cognito):
    pool, client = make_pool_and_client(cognito, ExplicitAuthFlows=NO_ROTATION_FLOWS, **rotating(10))
    described = cognito.describe_user_pool_client(UserPoolId=pool, ClientId=client)["UserPoolClient"]
    assert described["RefreshTokenRotation"] == {"Feature": "ENABLED", "RetryGracePeriodSeconds": 10}


def test_rotation_answers_a_new_refresh_token_and_the_used_one_is_spent(cognito):
    _, client, first = signed_in(cognito, ExplicitAuthFlows=NO_ROTATION_FLOWS, **rotating())
    second = get_tokens(cognito, client, first["RefreshToken"])["AuthenticationResult"]
    assert set(second) == {"AccessToken", "ExpiresIn", "TokenType", "IdToken", "RefreshToken"}
    assert second["RefreshToken"] != first["RefreshToken"]
    old, new = claims(first["AccessToken"]), claims(second["AccessToken"])
    assert new["auth_time"] == old["auth_time"] and new["origin_jti"] != old["origin_jti"]
    third = get_tokens(cognito, client, second["RefreshToken"])["AuthenticationResult"]
    assert cognito.get_user(AccessToken=third["AccessToken"])["Username"] == "alice"


def test_reuse_of_a_rotated_token_revokes_the_session(cognito):
    _, client, first = signed_in(cognito, ExplicitAuthFlows=NO_ROTATION_FLOWS, **rotating())
    second = get_tokens(cognito, client, first["RefreshToken"])["AuthenticationResult"]
    assert get_tokens_error(cognito, client, first["RefreshToken"]) == REUSED
    # The whole session is gone: the newest refresh token and every access token issued in it.
    assert get_tokens_error(cognito, client, second["RefreshToken"]) == REVOKED
    assert access_error(cognito, second["AccessToken"]) == REVOKED_ACCESS
    assert access_error(cognito, first["AccessToken"]) == REVOKED_ACCESS


def test_reuse_revokes_only_that_session(cognito):
    _, client, first = signed_in(cognito, ExplicitAuthFlows=NO_ROTATION_FLOWS, **rotating())
    other = password_auth(cognito, client)["AuthenticationResult"]  # a second sign-in of the same user
    get_tokens(cognito, client, first["RefreshToken"])
    assert get_tokens_error(cognito, client, first["RefreshToken"]) == REUSED
    assert get_tokens(cognito, client, other["RefreshToken"])["AuthenticationResult"]["RefreshToken"]


def test_a_rotated_token_is_honoured_for_the_grace_period(cognito, server, frozen_clock):
    _, client, first = signed_in(cognito, ExplicitAuthFlows=NO_ROTATION_FLOWS, **rotating(30))
    second = get_tokens(cognito, client, first["RefreshToken"])["AuthenticationResult"]
    advance_clock(server, 29)
    retry = get_tokens(cognito, client, first["RefreshToken"])["AuthenticationResult"]
    assert retry["RefreshToken"] not in (first["RefreshToken"], second["RefreshToken"])
    advance_clock(server, 2)  # 31 s after the first replacement: the grace is over
    assert get_tokens_error(cognito, client, first["RefreshToken"]) == REUSED
    assert get_tokens_error(cognito, client, retry["RefreshToken"]) == REVOKED


def test_rotated_tokens_end_when_the_session_would_have(cognito, server, frozen_clock):
    _, client, first = signed_in(
        cognito,
        ExplicitAuthFlows=NO_ROTATION_FLOWS,
        RefreshTokenValidity=60,
        TokenValidityUnits={"RefreshToken": "minutes"},
        **rotating(),
    )
    advance_clock(server, 3000)
    second = get_tokens(cognito, client, first["RefreshToken"])["AuthenticationResult"]
    advance_clock(server, 601)  # 3601 s after sign-in
    assert get_tokens_error(cognito, client, second["RefreshToken"]) == (
        400,
        "NotAuthorizedException",
        "Refresh Token has expired",
    )


def test_revoke_token_revokes_the_rotated_session(cognito):
    _, client, first = signed_in(cognito, ExplicitAuthFlows=NO_ROTATION_FLOWS, **rotating(60))
    second = get_tokens(cognito, client, first["RefreshToken"])["AuthenticationResult"]
    cognito.revoke_token(Token=second["RefreshToken"], ClientId=client)
    assert get_tokens_error(cognito, client, first["RefreshToken"]) == REVOKED
    assert access_error(cognito, second["AccessToken"]) == REVOKED_ACCESS


def test_refresh_token_auth_is_refused_on_a_rotating_client(cognito):
    _, client, first = signed_in(cognito, **rotating())  # ALL_FLOWS: ALLOW_REFRESH_TOKEN_AUTH listed too
    with pytest.raises(ClientError) as excinfo:
        cognito.initiate_auth(
            ClientId=client, AuthFlow="REFRESH_TOKEN_AUTH", AuthParameters={"REFRESH_TOKEN": first["RefreshToken"]}
        )
    assert error_of(excinfo) == (
        400,
        "InvalidParameterException",
        "Refresh Token auth flow not enabled for this client",
    )
    assert get_tokens(cognito, client, first["RefreshToken"])["AuthenticationResult"]["RefreshToken"]


def test_initiate_auth_refresh_still_works_without_rotation(cognito):
    _, client, first = signed_in(cognito)
    result = cognito.initiate_auth(
        ClientId=client, AuthFlow="REFRESH_TOKEN_AUTH", AuthParameters={"REFRESH_TOKEN": first["RefreshToken"]}
    )["AuthenticationResult"]
    assert "RefreshToken" not in result
    assert claims(result["AccessToken"])["origin_jti"] == claims(first["AccessToken"])["origin_jti"]
