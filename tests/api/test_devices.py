"""Remembered devices: the pool's DeviceConfiguration, NewDeviceMetadata at sign-in, ConfirmDevice, device
authentication (DEVICE_SRP_AUTH, DEVICE_PASSWORD_VERIFIER) with a client-made verifier, and the device operations
for the user (access token) and for an administrator, with Cognito's errors."""

from __future__ import annotations

import re
from typing import Any

import pytest
from botocore.exceptions import ClientError

from tests import databases
from tests.device_client import (
    KnownDevice,
    authenticate_device,
    confirm,
    device_password_verifier,
    device_srp_auth,
    srp,
    srp_sign_in,
)
from tests.helpers import PASSWORD, advance_clock, error_of
from tests.signin import claims, confirmed_user, make_pool_and_client, password_auth

ALWAYS = {"ChallengeRequiredOnNewDevice": True, "DeviceOnlyRememberedOnUserPrompt": False}
OPT_IN = {"ChallengeRequiredOnNewDevice": True, "DeviceOnlyRememberedOnUserPrompt": True}
DEVICE_KEY = re.compile(r"^us-east-1_[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$")
NO_DEVICE = (400, "ResourceNotFoundException", "Device does not exist.")
UNKNOWN_KEY = "us-east-1_00000000-0000-4000-8000-000000000000"


def tracking_pool(cognito: Any, config: dict[str, bool] | None = None, **client: Any) -> tuple[str, str]:
    pool, client_id = make_pool_and_client(cognito, {"DeviceConfiguration": config or ALWAYS}, **client)
    confirmed_user(cognito, pool, client_id)
    return pool, client_id


def failure(call: Any, **params: Any) -> tuple[int, str, str]:
    with pytest.raises(ClientError) as excinfo:
        call(**params)
    return error_of(excinfo)


def remembered(cognito: Any, pool: str, client_id: str, name: str | None = "phone") -> tuple[KnownDevice, str]:
    """Sign in, confirm the device handed out: the device and the sign-in's access token."""
    result = password_auth(cognito, client_id)
    device, _ = confirm(cognito, result, name)
    return device, result["AuthenticationResult"]["AccessToken"]


def attributes(device: dict[str, Any]) -> dict[str, str]:
    return {a["Name"]: a["Value"] for a in device["DeviceAttributes"]}


# ---- the pool's configuration ----------------------------------------------------------------------------------
def test_device_configuration_is_stored_echoed_and_replaced_by_update(cognito):
    pool = cognito.create_user_pool(PoolName="devices", DeviceConfiguration=OPT_IN)["UserPool"]
    assert pool["DeviceConfiguration"] == OPT_IN
    assert cognito.describe_user_pool(UserPoolId=pool["Id"])["UserPool"]["DeviceConfiguration"] == OPT_IN
    cognito.update_user_pool(UserPoolId=pool["Id"], DeviceConfiguration={"ChallengeRequiredOnNewDevice": False})
    described = cognito.describe_user_pool(UserPoolId=pool["Id"])["UserPool"]
    assert described["DeviceConfiguration"] == {"ChallengeRequiredOnNewDevice": False}
    cognito.update_user_pool(UserPoolId=pool["Id"])  # UpdateUserPool replaces: absent turns tracking off
    assert "DeviceConfiguration" not in cognito.describe_user_pool(UserPoolId=pool["Id"])["UserPool"]


def test_a_pool_without_device_tracking_hands_out_no_device(cognito):
    pool, client_id = make_pool_and_client(cognito)
    confirmed_user(cognito, pool, client_id)
    result = password_auth(cognito, client_id)["AuthenticationResult"]
    assert "NewDeviceMetadata" not in result
    assert "device_key" not in claims(result["AccessToken"])
    # A DEVICE_KEY sent to such a pool is ignored.
    assert "AuthenticationResult" in password_auth(cognito, client_id, DEVICE_KEY=UNKNOWN_KEY)


# ---- a new device ----------------------------------------------------------------------------------------------
def test_a_sign_in_in_a_tracking_pool_hands_out_a_new_device(cognito, database):
    pool, client_id = tracking_pool(cognito)
    result = password_auth(cognito, client_id)["AuthenticationResult"]
    metadata = result["NewDeviceMetadata"]
    assert DEVICE_KEY.match(metadata["DeviceKey"])
    assert re.fullmatch(r"[A-Za-z0-9-]{9}", metadata["DeviceGroupKey"])
    assert claims(result["AccessToken"])["device_key"] == metadata["DeviceKey"]
    assert "device_key" not in claims(result["IdToken"])
    # Each sign-in without a device gets another; unconfirmed devices are not listed.
    again = password_auth(cognito, client_id)["AuthenticationResult"]["NewDeviceMetadata"]
    assert again["DeviceKey"] != metadata["DeviceKey"]
    assert cognito.admin_list_devices(UserPoolId=pool, Username="alice")["Devices"] == []
    stored = databases.query(database, "SELECT count(*) FROM devices WHERE pool_id = :pool", pool=pool)
    assert stored == [(2,)]


def test_srp_and_admin_sign_ins_hand_out_devices_too(cognito):
    pool, client_id = tracking_pool(cognito)
    result = srp_sign_in(cognito, srp(cognito, pool, client_id))["AuthenticationResult"]
    assert DEVICE_KEY.match(result["NewDeviceMetadata"]["DeviceKey"])
    admin = cognito.admin_initiate_auth(
        UserPoolId=pool,
        ClientId=client_id,
        AuthFlow="ADMIN_USER_PASSWORD_AUTH",
        AuthParameters={"USERNAME": "alice", "PASSWORD": PASSWORD},
    )["AuthenticationResult"]
    assert DEVICE_KEY.match(admin["NewDeviceMetadata"]["DeviceKey"])


def test_a_new_password_sign_in_ends_with_a_new_device_too(cognito):
    pool, client_id = make_pool_and_client(cognito, {"DeviceConfiguration": ALWAYS})
    cognito.admin_create_user(UserPoolId=pool, Username="carol", TemporaryPassword=PASSWORD, MessageAction="SUPPRESS")
    challenge = password_auth(cognito, client_id, "carol")
    assert challenge["ChallengeName"] == "NEW_PASSWORD_REQUIRED"
    result = cognito.respond_to_auth_challenge(
        ClientId=client_id,
        ChallengeName="NEW_PASSWORD_REQUIRED",
        Session=challenge["Session"],
        ChallengeResponses={"USERNAME": "carol", "NEW_PASSWORD": "N3w-password!"},
    )["AuthenticationResult"]
    assert claims(result["AccessToken"])["device_key"] == result["NewDeviceMetadata"]["DeviceKey"]


# ---- ConfirmDevice ---------------------------------------------------------------------------------------------
def test_confirm_device_remembers_at_once_unless_the_pool_asks_the_user(cognito):
    _, client_id = tracking_pool(cognito)
    result = password_auth(cognito, client_id)
    device, answer = confirm(cognito, result)
    assert answer["UserConfirmationNecessary"] is False
    got = cognito.get_device(AccessToken=result["AuthenticationResult"]["AccessToken"], DeviceKey=device.key)["Device"]
    assert got["DeviceKey"] == device.key
    assert attributes(got) == {
        "device_status": "valid",
        "device_name": "phone",
        "last_ip_used": "127.0.0.1",
        "dev:device_remembered_status": "remembered",
    }
    for date in ("DeviceCreateDate", "DeviceLastModifiedDate", "DeviceLastAuthenticatedDate"):
        assert got[date].timestamp() > 0

    _, client_id = tracking_pool(cognito, OPT_IN)
    result = password_auth(cognito, client_id)
    device, answer = confirm(cognito, result, name=None)
    assert answer["UserConfirmationNecessary"] is True
    token = result["AuthenticationResult"]["AccessToken"]
    got = cognito.get_device(AccessToken=token, DeviceKey=device.key)["Device"]
    assert attributes(got) == {
        "device_status": "valid",
        "last_ip_used": "127.0.0.1",
        "dev:device_remembered_status": "not_remembered",
    }
    cognito.update_device_status(AccessToken=token, DeviceKey=device.key, DeviceRememberedStatus="remembered")
    got = cognito.get_device(AccessToken=token, DeviceKey=device.key)["Device"]
    assert attributes(got)["dev:device_remembered_status"] == "remembered"


def test_confirm_device_errors(cognito):
    pool, client_id = tracking_pool(cognito)
    result = password_auth(cognito, client_id)
    token = result["AuthenticationResult"]["AccessToken"]
    key = result["AuthenticationResult"]["NewDeviceMetadata"]["DeviceKey"]
    verifier = {"PasswordVerifier": "AQID", "Salt": "BAUG"}
    assert (
        failure(cognito.confirm_device, AccessToken=token, DeviceKey=UNKNOWN_KEY, DeviceSecretVerifierConfig=verifier)
        == NO_DEVICE
    )
    for bad in ({"PasswordVerifier": "not base64!", "Salt": "BAUG"}, {"PasswordVerifier": "AAAA", "Salt": "BAUG"}, {}):
        assert failure(cognito.confirm_device, AccessToken=token, DeviceKey=key, DeviceSecretVerifierConfig=bad) == (
            400,
            "InvalidParameterException",
            "Invalid device secret verifier config.",
        )
    confirm(cognito, result)
    assert failure(cognito.confirm_device, AccessToken=token, DeviceKey=key, DeviceSecretVerifierConfig=verifier) == (
        400,
        "DeviceKeyExistsException",
        "Device key already exists.",
    )
    # Another user's device is not found.
    confirmed_user(cognito, pool, client_id, "bob")
    bob = password_auth(cognito, client_id, "bob")["AuthenticationResult"]
    assert (
        failure(
            cognito.confirm_device, AccessToken=bob["AccessToken"], DeviceKey=key, DeviceSecretVerifierConfig=verifier
        )
        == NO_DEVICE
    )
    # Tracking turned off: ConfirmDevice refuses (the device handed out before stays unconfirmed).
    cognito.update_user_pool(UserPoolId=pool)
    assert failure(
        cognito.confirm_device,
        AccessToken=bob["AccessToken"],
        DeviceKey=bob["NewDeviceMetadata"]["DeviceKey"],
        DeviceSecretVerifierConfig=verifier,
    ) == (400, "InvalidUserPoolConfigurationException", "Device tracking is not enabled for this user pool.")


# ---- device authentication -------------------------------------------------------------------------------------
def test_a_confirmed_device_proves_itself_after_the_password(cognito, server):
    pool, client_id = tracking_pool(cognito)
    device, token = remembered(cognito, pool, client_id)
    before = cognito.get_device(AccessToken=token, DeviceKey=device.key)["Device"]["DeviceLastAuthenticatedDate"]
    advance_clock(server, 60)
    client = srp(cognito, pool, client_id, device=device)
    challenge = srp_sign_in(cognito, client)
    assert challenge["ChallengeName"] == "DEVICE_SRP_AUTH"
    assert challenge["ChallengeParameters"] == {} and len(challenge["Session"]) >= 20
    verifier = device_srp_auth(cognito, client, challenge)
    params = verifier["ChallengeParameters"]
    assert verifier["ChallengeName"] == "DEVICE_PASSWORD_VERIFIER"
    assert set(params) == {"DEVICE_KEY", "SALT", "SECRET_BLOCK", "SRP_B", "USERNAME"}
    assert (params["DEVICE_KEY"], params["USERNAME"]) == (device.key, "alice")
    result = device_password_verifier(cognito, client, verifier)["AuthenticationResult"]
    assert "NewDeviceMetadata" not in result
    assert claims(result["AccessToken"])["device_key"] == device.key
    after = cognito.get_device(AccessToken=result["AccessToken"], DeviceKey=device.key)["Device"]
    assert after["DeviceLastAuthenticatedDate"] > before


def test_password_sign_in_with_a_confirmed_device_asks_for_the_device(cognito):
    pool, client_id = tracking_pool(cognito)
    device, _ = remembered(cognito, pool, client_id)
    challenge = password_auth(cognito, client_id, DEVICE_KEY=device.key)
    result = authenticate_device(cognito, srp(cognito, pool, client_id, device=device), challenge)
    assert claims(result["AuthenticationResult"]["AccessToken"])["device_key"] == device.key


def test_a_client_with_a_secret_sends_its_secret_hash_in_the_device_steps(cognito):
    pool, client_id = make_pool_and_client(cognito, {"DeviceConfiguration": ALWAYS}, GenerateSecret=True)
    cognito.admin_create_user(UserPoolId=pool, Username="alice", MessageAction="SUPPRESS")
    cognito.admin_set_user_password(UserPoolId=pool, Username="alice", Password=PASSWORD, Permanent=True)
    secret = cognito.describe_user_pool_client(UserPoolId=pool, ClientId=client_id)["UserPoolClient"]["ClientSecret"]
    first = srp_sign_in(cognito, srp(cognito, pool, client_id, secret=secret))
    device, _ = confirm(cognito, first)
    client = srp(cognito, pool, client_id, device=device, secret=secret)
    challenge = srp_sign_in(cognito, client)
    assert failure(
        cognito.respond_to_auth_challenge,
        ClientId=client_id,
        ChallengeName="DEVICE_SRP_AUTH",
        Session=challenge["Session"],
        ChallengeResponses={"USERNAME": "alice", "DEVICE_KEY": device.key, "SRP_A": "ab" * 64},
    ) == (400, "NotAuthorizedException", f"Client {client_id} is configured for secret but secret was not received")
    result = authenticate_device(cognito, client, challenge)["AuthenticationResult"]
    assert claims(result["AccessToken"])["device_key"] == device.key


def test_a_not_remembered_device_still_authenticates(cognito):
    pool, client_id = tracking_pool(cognito, OPT_IN)
    device, _ = remembered(cognito, pool, client_id)
    challenge = password_auth(cognito, client_id, DEVICE_KEY=device.key)
    assert challenge["ChallengeName"] == "DEVICE_SRP_AUTH"
    authenticate_device(cognito, srp(cognito, pool, client_id, device=device), challenge)


def test_a_wrong_device_secret_is_refused_and_spends_the_session(cognito):
    pool, client_id = tracking_pool(cognito)
    device, _ = remembered(cognito, pool, client_id)
    impostor = KnownDevice(device.key, device.group_key, "not-the-secret")
    client = srp(cognito, pool, client_id, device=impostor)
    verifier = device_srp_auth(cognito, client, password_auth(cognito, client_id, DEVICE_KEY=device.key))
    with pytest.raises(ClientError) as excinfo:
        device_password_verifier(cognito, client, verifier)
    assert error_of(excinfo) == (400, "NotAuthorizedException", "Incorrect username or password.")
    honest = srp(cognito, pool, client_id, device=device)
    with pytest.raises(ClientError) as excinfo:
        device_password_verifier(cognito, honest, verifier)
    assert error_of(excinfo) == (
        400,
        "NotAuthorizedException",
        "Invalid session for the user, session can only be used once.",
    )


def test_device_challenge_answers_are_checked(cognito):
    pool, client_id = tracking_pool(cognito)
    device, _ = remembered(cognito, pool, client_id)
    challenge = password_auth(cognito, client_id, DEVICE_KEY=device.key)
    respond = cognito.respond_to_auth_challenge
    good = {"USERNAME": "alice", "DEVICE_KEY": device.key, "SRP_A": "ab" * 64}
    assert failure(respond, ClientId=client_id, ChallengeName="DEVICE_SRP_AUTH", ChallengeResponses=good) == (
        400,
        "InvalidParameterException",
        "Missing required parameter Session",
    )
    session = challenge["Session"]
    for name in good:
        partial = {k: v for k, v in good.items() if k != name}
        assert failure(
            respond, ClientId=client_id, ChallengeName="DEVICE_SRP_AUTH", Session=session, ChallengeResponses=partial
        ) == (400, "InvalidParameterException", f"Missing required parameter {name}")
    # Another device's key, a forged session, another user: refused, and the session is still good after.
    other = {**good, "DEVICE_KEY": UNKNOWN_KEY}
    assert failure(
        respond, ClientId=client_id, ChallengeName="DEVICE_SRP_AUTH", Session=session, ChallengeResponses=other
    ) == (400, "NotAuthorizedException", "Invalid session for the user.")
    assert failure(
        respond, ClientId=client_id, ChallengeName="DEVICE_SRP_AUTH", Session="x" * 40, ChallengeResponses=good
    ) == (400, "NotAuthorizedException", "Invalid session for the user.")
    confirmed_user(cognito, pool, client_id, "bob")
    assert failure(
        respond,
        ClientId=client_id,
        ChallengeName="DEVICE_SRP_AUTH",
        Session=session,
        ChallengeResponses={**good, "USERNAME": "bob"},
    ) == (400, "NotAuthorizedException", "Incorrect username or password.")
    # A PASSWORD_VERIFIER session does not answer a device challenge.
    assert failure(
        respond,
        ClientId=client_id,
        ChallengeName="DEVICE_PASSWORD_VERIFIER",
        Session=session,
        ChallengeResponses={
            **good,
            "PASSWORD_CLAIM_SECRET_BLOCK": "AAAA",
            "PASSWORD_CLAIM_SIGNATURE": "AAAA",
            "TIMESTAMP": "Fri Nov 27 12:00:00 UTC 2026",
        },
    ) == (400, "NotAuthorizedException", "Invalid session for the user.")
    authenticate_device(cognito, srp(cognito, pool, client_id, device=device), challenge)


def test_an_unknown_device_key_is_refused_before_the_password_answer_is_spent(cognito):
    """amazon-cognito-identity-js answers PASSWORD_VERIFIER again without DEVICE_KEY when Cognito says the device
    does not exist: the same answer must then succeed."""
    pool, client_id = tracking_pool(cognito)
    client = srp(cognito, pool, client_id)
    params = client.get_auth_params()
    started = cognito.initiate_auth(ClientId=client_id, AuthFlow="USER_SRP_AUTH", AuthParameters=params)
    answer = client.process_challenge(started["ChallengeParameters"], params)
    respond = cognito.respond_to_auth_challenge
    stale = {**answer, "DEVICE_KEY": UNKNOWN_KEY}
    assert (
        failure(respond, ClientId=client_id, ChallengeName="PASSWORD_VERIFIER", ChallengeResponses=stale) == NO_DEVICE
    )
    result = respond(ClientId=client_id, ChallengeName="PASSWORD_VERIFIER", ChallengeResponses=answer)
    assert "NewDeviceMetadata" in result["AuthenticationResult"]
    # With a password: the key of a device of another user is unknown too.
    device, _ = remembered(cognito, pool, client_id)
    confirmed_user(cognito, pool, client_id, "bob")
    assert (
        failure(password_auth, cognito=cognito, client_id=client_id, username="bob", DEVICE_KEY=device.key) == NO_DEVICE
    )


def test_a_wrong_password_with_an_unknown_device_is_a_wrong_password(cognito):
    pool, client_id = tracking_pool(cognito)
    client = srp(cognito, pool, client_id, password="Wr0ng-password!")
    params = {**client.get_auth_params(), "DEVICE_KEY": UNKNOWN_KEY}
    started = cognito.initiate_auth(ClientId=client_id, AuthFlow="USER_SRP_AUTH", AuthParameters=params)
    answer = client.process_challenge(started["ChallengeParameters"], params)
    assert failure(
        cognito.respond_to_auth_challenge,
        ClientId=client_id,
        ChallengeName="PASSWORD_VERIFIER",
        ChallengeResponses=answer,
    ) == (400, "NotAuthorizedException", "Incorrect username or password.")


def refresh(cognito: Any, client_id: str, refresh_token: str, device_key: str | None = None) -> dict[str, Any]:
    params = {"REFRESH_TOKEN": refresh_token, **({"DEVICE_KEY": device_key} if device_key else {})}
    return cognito.initiate_auth(ClientId=client_id, AuthFlow="REFRESH_TOKEN_AUTH", AuthParameters=params)


INVALID_REFRESH = (400, "NotAuthorizedException", "Invalid Refresh Token.")


def test_a_refresh_token_works_only_with_its_confirmed_device(cognito):
    """Cognito ties a tracking pool's tokens to the device of their sign-in: a refresh needs that device's key, and
    the device must be confirmed and not forgotten ("Invalid Refresh Token." otherwise, as observed in many client
    issues, e.g. aws/aws-sdk-java#2841, aws-amplify/amplify-android#2506)."""
    pool, client_id = tracking_pool(cognito)
    device, _ = remembered(cognito, pool, client_id)
    challenge = password_auth(cognito, client_id, DEVICE_KEY=device.key)
    tokens = authenticate_device(cognito, srp(cognito, pool, client_id, device=device), challenge)
    refresh_token = tokens["AuthenticationResult"]["RefreshToken"]
    assert failure(refresh, cognito=cognito, client_id=client_id, refresh_token=refresh_token) == INVALID_REFRESH
    other = {"cognito": cognito, "client_id": client_id, "refresh_token": refresh_token, "device_key": UNKNOWN_KEY}
    assert failure(refresh, **other) == INVALID_REFRESH
    refreshed = refresh(cognito, client_id, refresh_token, device.key)["AuthenticationResult"]
    assert claims(refreshed["AccessToken"])["device_key"] == device.key
    assert "NewDeviceMetadata" not in refreshed
    # A device never confirmed: its sign-in's refresh token does not refresh until it is.
    first = password_auth(cognito, client_id)
    key = first["AuthenticationResult"]["NewDeviceMetadata"]["DeviceKey"]
    unconfirmed = {"cognito": cognito, "client_id": client_id, "device_key": key}
    assert (
        failure(refresh, refresh_token=first["AuthenticationResult"]["RefreshToken"], **unconfirmed) == INVALID_REFRESH
    )
    confirm(cognito, first)
    refresh(cognito, client_id, first["AuthenticationResult"]["RefreshToken"], key)
    # A forgotten device's tokens no longer refresh.
    cognito.admin_forget_device(UserPoolId=pool, Username="alice", DeviceKey=device.key)
    assert failure(refresh, **{**other, "device_key": device.key}) == INVALID_REFRESH
    # A pool that stopped tracking devices refreshes them all without a key.
    cognito.update_user_pool(UserPoolId=pool)
    assert "device_key" in claims(refresh(cognito, client_id, refresh_token)["AuthenticationResult"]["AccessToken"])


def test_rotated_refresh_tokens_keep_their_device(cognito):
    pool, _ = tracking_pool(cognito)
    rotating = cognito.create_user_pool_client(
        UserPoolId=pool,
        ClientName="rotating",
        ExplicitAuthFlows=["ALLOW_USER_PASSWORD_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"],
        RefreshTokenRotation={"Feature": "ENABLED", "RetryGracePeriodSeconds": 0},
    )["UserPoolClient"]["ClientId"]
    first = password_auth(cognito, rotating)
    device, _ = confirm(cognito, first)
    second = cognito.get_tokens_from_refresh_token(
        ClientId=rotating, RefreshToken=first["AuthenticationResult"]["RefreshToken"], DeviceKey=device.key
    )["AuthenticationResult"]
    assert claims(second["AccessToken"])["device_key"] == device.key
    assert (
        failure(cognito.get_tokens_from_refresh_token, ClientId=rotating, RefreshToken=second["RefreshToken"])
        == INVALID_REFRESH
    )
    third = cognito.get_tokens_from_refresh_token(
        ClientId=rotating, RefreshToken=second["RefreshToken"], DeviceKey=device.key
    )["AuthenticationResult"]
    assert claims(third["AccessToken"])["device_key"] == device.key


# ---- the user's devices ----------------------------------------------------------------------------------------
def test_list_devices_pages_through_confirmed_devices(cognito):
    pool, client_id = tracking_pool(cognito)
    keys = sorted(remembered(cognito, pool, client_id)[0].key for _ in range(3))
    token = password_auth(cognito, client_id)["AuthenticationResult"]["AccessToken"]  # a fourth, unconfirmed
    first = cognito.list_devices(AccessToken=token, Limit=2)
    assert [d["DeviceKey"] for d in first["Devices"]] == keys[:2]
    second = cognito.list_devices(AccessToken=token, Limit=2, PaginationToken=first["PaginationToken"])
    assert [d["DeviceKey"] for d in second["Devices"]] == keys[2:] and "PaginationToken" not in second
    assert [d["DeviceKey"] for d in cognito.list_devices(AccessToken=token)["Devices"]] == keys
    assert failure(cognito.list_devices, AccessToken=token, PaginationToken="garbage") == (
        400,
        "InvalidParameterException",
        "Invalid pagination token.",
    )


def test_forget_device_and_its_errors(cognito):
    pool, client_id = tracking_pool(cognito)
    device, token = remembered(cognito, pool, client_id)
    assert failure(cognito.get_device, AccessToken=token, DeviceKey=UNKNOWN_KEY) == NO_DEVICE
    assert failure(cognito.forget_device, AccessToken=token, DeviceKey=UNKNOWN_KEY) == NO_DEVICE
    assert (
        failure(
            cognito.update_device_status, AccessToken=token, DeviceKey=UNKNOWN_KEY, DeviceRememberedStatus="remembered"
        )
        == NO_DEVICE
    )
    cognito.forget_device(AccessToken=token, DeviceKey=device.key)
    assert failure(cognito.get_device, AccessToken=token, DeviceKey=device.key) == NO_DEVICE
    assert cognito.list_devices(AccessToken=token)["Devices"] == []
    # A forgotten device's key is unknown at sign-in.
    assert failure(password_auth, cognito=cognito, client_id=client_id, DEVICE_KEY=device.key) == NO_DEVICE
    # Another user's device is not found through the user's door.
    device, _ = remembered(cognito, pool, client_id)
    confirmed_user(cognito, pool, client_id, "bob")
    bob = password_auth(cognito, client_id, "bob")["AuthenticationResult"]["AccessToken"]
    assert failure(cognito.get_device, AccessToken=bob, DeviceKey=device.key) == NO_DEVICE
    assert failure(cognito.forget_device, AccessToken=bob, DeviceKey=device.key) == NO_DEVICE


def test_device_operations_need_a_live_access_token(cognito):
    pool, client_id = tracking_pool(cognito)
    device, token = remembered(cognito, pool, client_id)
    cognito.global_sign_out(AccessToken=token)
    revoked = (400, "NotAuthorizedException", "Access Token has been revoked")
    assert failure(cognito.get_device, AccessToken=token, DeviceKey=device.key) == revoked
    assert failure(cognito.list_devices, AccessToken=token) == revoked
    assert failure(cognito.forget_device, AccessToken=token, DeviceKey=device.key) == revoked
    assert failure(cognito.get_device, AccessToken="not.a.token", DeviceKey=device.key)[1] == "NotAuthorizedException"


# ---- an administrator's door -------------------------------------------------------------------------------------
def test_admin_device_operations(cognito):
    pool, client_id = tracking_pool(cognito, OPT_IN)
    device, _ = remembered(cognito, pool, client_id)
    got = cognito.admin_get_device(UserPoolId=pool, Username="alice", DeviceKey=device.key)["Device"]
    assert attributes(got)["dev:device_remembered_status"] == "not_remembered"
    cognito.admin_update_device_status(
        UserPoolId=pool, Username="alice", DeviceKey=device.key, DeviceRememberedStatus="remembered"
    )
    listed = cognito.admin_list_devices(UserPoolId=pool, Username="alice", Limit=10)["Devices"]
    assert [attributes(d)["dev:device_remembered_status"] for d in listed] == ["remembered"]
    cognito.admin_forget_device(UserPoolId=pool, Username="alice", DeviceKey=device.key)
    assert failure(cognito.admin_get_device, UserPoolId=pool, Username="alice", DeviceKey=device.key) == NO_DEVICE
    assert failure(cognito.admin_forget_device, UserPoolId=pool, Username="alice", DeviceKey=device.key) == NO_DEVICE
    assert (
        failure(
            cognito.admin_update_device_status,
            UserPoolId=pool,
            Username="alice",
            DeviceKey=device.key,
            DeviceRememberedStatus="remembered",
        )
        == NO_DEVICE
    )
    no_user = (400, "UserNotFoundException", "User does not exist.")
    assert failure(cognito.admin_list_devices, UserPoolId=pool, Username="nobody") == no_user
    assert failure(cognito.admin_get_device, UserPoolId=pool, Username="nobody", DeviceKey=device.key) == no_user
    missing_pool = "us-east-1_Nowhere00"
    assert failure(cognito.admin_list_devices, UserPoolId=missing_pool, Username="alice") == (
        400,
        "ResourceNotFoundException",
        f"User pool {missing_pool} does not exist.",
    )


# ---- signing out, and deleting the user --------------------------------------------------------------------------
def test_global_sign_out_revokes_tokens_and_keeps_devices(cognito):
    """GlobalSignOut and AdminUserGlobalSignOut revoke tokens; Cognito documents nothing about devices, and a
    remembered device stays remembered (userpool's choice): it still authenticates at the next sign-in."""
    pool, client_id = tracking_pool(cognito)
    device, token = remembered(cognito, pool, client_id)
    cognito.global_sign_out(AccessToken=token)
    cognito.admin_user_global_sign_out(UserPoolId=pool, Username="alice")
    assert [d["DeviceKey"] for d in cognito.admin_list_devices(UserPoolId=pool, Username="alice")["Devices"]] == [
        device.key
    ]
    challenge = password_auth(cognito, client_id, DEVICE_KEY=device.key)
    authenticate_device(cognito, srp(cognito, pool, client_id, device=device), challenge)


def test_deleting_a_user_deletes_its_devices(cognito, database):
    pool, client_id = tracking_pool(cognito)
    remembered(cognito, pool, client_id)
    password_auth(cognito, client_id)
    count = "SELECT count(*) FROM devices WHERE pool_id = :pool"
    assert databases.query(database, count, pool=pool) == [(2,)]
    cognito.admin_delete_user(UserPoolId=pool, Username="alice")
    assert databases.query(database, count, pool=pool) == [(0,)]
