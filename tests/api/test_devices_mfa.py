"""Remembered devices and MFA together: a device the user remembered stands in for the second factor in a pool
with ``ChallengeRequiredOnNewDevice`` (it proves itself with device SRP instead); a new, forgotten or not
remembered device, or a pool without that setting, still gets the MFA challenge, and after the MFA answer a
confirmed device still proves itself."""

from __future__ import annotations

from typing import Any

import pytest
from botocore.exceptions import ClientError

from tests.api.test_mfa import mfa_pool, next_step, respond, totp_code, totp_user
from tests.device_client import KnownDevice, authenticate_device, confirm, srp
from tests.helpers import error_of
from tests.signin import claims, password_auth

ALWAYS = {"ChallengeRequiredOnNewDevice": True, "DeviceOnlyRememberedOnUserPrompt": False}
NO_CHALLENGE = {"ChallengeRequiredOnNewDevice": False, "DeviceOnlyRememberedOnUserPrompt": False}


def device_mfa_pool(cognito: Any, server: Any, config: dict[str, bool]) -> tuple[str, str, str]:
    """An OPTIONAL-MFA pool with authenticators and device tracking, and a user whose authenticator is preferred:
    the pool, the client and the authenticator's secret."""
    pool, client = mfa_pool(cognito, DeviceConfiguration=config)
    return pool, client, totp_user(server, cognito, pool, client)


def sign_in_with_totp(cognito: Any, server: Any, client: str, secret: str, **params: str) -> dict[str, Any]:
    challenge = password_auth(cognito, client, **params)
    assert challenge["ChallengeName"] == "SOFTWARE_TOKEN_MFA", challenge
    next_step(server)
    return respond(cognito, client, challenge, "SOFTWARE_TOKEN_MFA", SOFTWARE_TOKEN_MFA_CODE=totp_code(server, secret))


def remembered_device(cognito: Any, server: Any, client: str, secret: str) -> KnownDevice:
    """A sign-in with the second factor hands out a device; confirmed, it is remembered (the pool does not ask)."""
    result = sign_in_with_totp(cognito, server, client, secret)
    device, answer = confirm(cognito, result)
    assert answer["UserConfirmationNecessary"] is False
    return device


def test_a_remembered_device_stands_in_for_mfa(cognito, server, frozen_clock):
    pool, client, secret = device_mfa_pool(cognito, server, ALWAYS)
    device = remembered_device(cognito, server, client, secret)
    challenge = password_auth(cognito, client, DEVICE_KEY=device.key)
    assert challenge["ChallengeName"] == "DEVICE_SRP_AUTH"  # no SOFTWARE_TOKEN_MFA
    result = authenticate_device(cognito, srp(cognito, pool, client, device=device), challenge)
    assert claims(result["AuthenticationResult"]["AccessToken"])["device_key"] == device.key
    # without the device, the second factor is asked again
    assert password_auth(cognito, client)["ChallengeName"] == "SOFTWARE_TOKEN_MFA"


def test_a_device_not_remembered_answers_mfa_then_proves_itself(cognito, server, frozen_clock):
    pool, client, secret = device_mfa_pool(cognito, server, ALWAYS)
    device = remembered_device(cognito, server, client, secret)
    access = sign_in_with_totp(cognito, server, client, secret)["AuthenticationResult"]["AccessToken"]
    cognito.update_device_status(AccessToken=access, DeviceKey=device.key, DeviceRememberedStatus="not_remembered")
    challenge = sign_in_with_totp(cognito, server, client, secret, DEVICE_KEY=device.key)
    assert challenge["ChallengeName"] == "DEVICE_SRP_AUTH"
    result = authenticate_device(cognito, srp(cognito, pool, client, device=device), challenge)
    assert "NewDeviceMetadata" not in result["AuthenticationResult"]


def test_a_pool_without_challenge_required_on_new_device_always_asks_for_mfa(cognito, server, frozen_clock):
    _, client, secret = device_mfa_pool(cognito, server, NO_CHALLENGE)
    device = remembered_device(cognito, server, client, secret)
    assert password_auth(cognito, client, DEVICE_KEY=device.key)["ChallengeName"] == "SOFTWARE_TOKEN_MFA"


def test_a_forgotten_device_no_longer_stands_in_for_mfa(cognito, server, frozen_clock):
    _, client, secret = device_mfa_pool(cognito, server, ALWAYS)
    device = remembered_device(cognito, server, client, secret)
    access = sign_in_with_totp(cognito, server, client, secret)["AuthenticationResult"]["AccessToken"]
    cognito.forget_device(AccessToken=access, DeviceKey=device.key)
    with pytest.raises(ClientError) as excinfo:
        password_auth(cognito, client, DEVICE_KEY=device.key)
    assert error_of(excinfo) == (400, "ResourceNotFoundException", "Device does not exist.")
