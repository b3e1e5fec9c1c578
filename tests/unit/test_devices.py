"""Remembered devices' pure rules: tracking, the status ConfirmDevice leaves, which devices skip MFA, keys."""

from __future__ import annotations

import dataclasses
import re

from userpool.domain import devices
from userpool.domain.records import Device

DEVICE = Device(
    key="us-east-1_0a1b2c3d-4e5f-4789-abcd-ef0123456789",
    pool_id="us-east-1_abc",
    user_id=1,
    group_key="-wt2ha1Zd",
    created_at=1.0,
    modified_at=1.0,
    last_authenticated_at=1.0,
)
REMEMBERED = dataclasses.replace(DEVICE, verifier="dg==", salt="cw==", remembered="remembered")


def test_any_device_configuration_turns_tracking_on():
    assert not devices.tracking({})
    assert devices.tracking({"DeviceConfiguration": {}})
    assert devices.tracking({"DeviceConfiguration": {"ChallengeRequiredOnNewDevice": False}})


def test_confirm_device_remembers_unless_the_pool_asks_the_user():
    assert devices.status_after_confirm({"DeviceConfiguration": {}}) == "remembered"
    opt_in = {"DeviceConfiguration": {"DeviceOnlyRememberedOnUserPrompt": True}}
    assert devices.status_after_confirm(opt_in) == "not_remembered"


def test_only_a_remembered_device_in_a_challenge_required_pool_skips_mfa():
    config = {"ChallengeRequiredOnNewDevice": True, "DeviceOnlyRememberedOnUserPrompt": False}
    assert devices.skips_mfa(config, REMEMBERED)
    assert not devices.skips_mfa(config, None)
    assert not devices.skips_mfa(config, DEVICE)  # never confirmed
    assert not devices.skips_mfa(config, dataclasses.replace(REMEMBERED, remembered="not_remembered"))
    assert not devices.skips_mfa({"ChallengeRequiredOnNewDevice": False}, REMEMBERED)
    assert not devices.skips_mfa({}, REMEMBERED)
    assert not devices.skips_mfa(None, REMEMBERED)


def test_keys_look_like_cognitos():
    key = devices.new_device_key("eu-west-1_AbC123xyZ")
    assert re.fullmatch(r"eu-west-1_[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}", key)
    assert re.fullmatch(r"[A-Za-z0-9-]{9}", devices.new_group_key())
    assert devices.new_group_key() != devices.new_group_key()


def test_a_device_is_described_as_cognitos_device_type():
    described = devices.describe(dataclasses.replace(REMEMBERED, name="phone", last_ip="192.0.2.1"))
    assert described == {
        "DeviceKey": DEVICE.key,
        "DeviceAttributes": [
            {"Name": "device_status", "Value": "valid"},
            {"Name": "device_name", "Value": "phone"},
            {"Name": "last_ip_used", "Value": "192.0.2.1"},
            {"Name": "dev:device_remembered_status", "Value": "remembered"},
        ],
        "DeviceCreateDate": 1.0,
        "DeviceLastModifiedDate": 1.0,
        "DeviceLastAuthenticatedDate": 1.0,
    }
