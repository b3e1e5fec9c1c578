"""Remembered devices: the pool's ``DeviceConfiguration``, device keys, what a device looks like to the API
(``DeviceType``), its remembered status, and whether a device lets its user skip MFA.

- A pool tracks devices when its ``DeviceConfiguration`` is set (any member; absent is off). Then every sign-in
  that ends in tokens without naming a known device gets a new device: ``NewDeviceMetadata`` with a
  ``DeviceKey`` ``<region>_<uuid>`` and a ``DeviceGroupKey``.
- ConfirmDevice stores the SRP verifier and salt the client made for it; with ``DeviceOnlyRememberedOnUserPrompt``
  the device starts ``not_remembered`` (``UserConfirmationNecessary``: the app asks its user, then calls
  UpdateDeviceStatus), otherwise ``remembered``.
- A sign-in naming a confirmed device of its user must also prove the device (DEVICE_SRP_AUTH); with
  ``ChallengeRequiredOnNewDevice`` a *remembered* device replaces the SMS and TOTP factors of MFA (``skips_mfa``).
"""

from __future__ import annotations

import secrets
import uuid
from collections.abc import Mapping
from typing import Any

from userpool.domain.records import Device

REMEMBERED = "remembered"
NOT_REMEMBERED = "not_remembered"
# ListDevices / AdminListDevices without a Limit (unverified; the model allows 0-60).
DEFAULT_LIMIT = 60
# A device handed out at sign-in and never confirmed is kept this long: longer than any access token lives (one
# day), since ConfirmDevice needs one of that sign-in's access tokens.
UNCONFIRMED_SECONDS = 86400


def configuration(pool_settings: Mapping[str, Any]) -> Mapping[str, Any] | None:
    """The pool's ``DeviceConfiguration``, or None when the pool does not track devices."""
    return pool_settings.get("DeviceConfiguration")


def tracking(pool_settings: Mapping[str, Any]) -> bool:
    return configuration(pool_settings) is not None


def new_device_key(pool_id: str) -> str:
    """``us-east-1_fec070d2-fa88-424a-8ec8-b26d7198eb23``: the pool's region, an underscore and a UUID."""
    return f"{pool_id.split('_', 1)[0]}_{uuid.uuid4()}"


def new_group_key() -> str:
    """A short opaque value like Cognito's ``-wt2ha1Zd`` (no underscore: clients read it as a pool name)."""
    return secrets.token_urlsafe(7)[:9].replace("_", "-")


def status_after_confirm(pool_settings: Mapping[str, Any]) -> str:
    """What ConfirmDevice leaves a device as: remembered at once unless the pool waits for its user's choice."""
    config = configuration(pool_settings) or {}
    return NOT_REMEMBERED if config.get("DeviceOnlyRememberedOnUserPrompt") else REMEMBERED


def skips_mfa(pool_device_config: Mapping[str, Any] | None, device: Device | None) -> bool:
    """Whether a sign-in from ``device`` (proven by device SRP) replaces the SMS/TOTP MFA step: only in a pool with
    ``ChallengeRequiredOnNewDevice`` and only for a confirmed device its user chose to remember. Devices that are
    new, unconfirmed or not remembered still answer MFA."""
    if pool_device_config is None or device is None or not device.confirmed:
        return False
    return bool(pool_device_config.get("ChallengeRequiredOnNewDevice")) and device.remembered == REMEMBERED


def describe(device: Device) -> dict[str, Any]:
    """Cognito's ``DeviceType``: the key, its attributes (status, name, last address, remembered status) and its
    dates. (Cognito also answers ``dev:device_arn``, ``dev:device_owner`` and ``dev:device_sdk``; userpool does
    not.)"""
    attributes = [{"Name": "device_status", "Value": "valid"}]
    if device.name is not None:
        attributes.append({"Name": "device_name", "Value": device.name})
    if device.last_ip is not None:
        attributes.append({"Name": "last_ip_used", "Value": device.last_ip})
    if device.remembered is not None:
        attributes.append({"Name": "dev:device_remembered_status", "Value": device.remembered})
    return {
        "DeviceKey": device.key,
        "DeviceAttributes": attributes,
        "DeviceCreateDate": device.created_at,
        "DeviceLastModifiedDate": device.modified_at,
        "DeviceLastAuthenticatedDate": device.last_authenticated_at,
    }
