"""Remembered devices: ConfirmDevice, UpdateDeviceStatus, GetDevice, ListDevices, ForgetDevice (the signed-in user,
with an access token) and AdminGetDevice, AdminListDevices, AdminForgetDevice, AdminUpdateDeviceStatus (an
administrator, for any user). Devices are handed out at sign-in and proven there (``shared/signin/device.py``);
the rules are ``domain/devices.py``.

A device a sign-in handed out but nobody confirmed is not listed, and only ConfirmDevice finds it."""

from __future__ import annotations

from typing import Any

from userpool.context import Call, Context
from userpool.domain import devices as device_rules
from userpool.domain import srp, texts
from userpool.domain.records import Device, User
from userpool.errors import (
    DeviceKeyExistsException,
    InvalidParameterException,
    InvalidUserPoolConfigurationException,
    ResourceNotFoundException,
)
from userpool.operations.shared import issuing, lookups
from userpool.store import InvalidToken


async def _caller(ctx: Context, call: Call) -> User:
    return (await issuing.authenticate(ctx, call.params["AccessToken"])).user


async def _admin_user(ctx: Context, call: Call) -> User:
    _, user = await lookups.pool_and_user(ctx.store, call.params["UserPoolId"], call.params["Username"])
    return user


async def _device(ctx: Context, user: User, key: str) -> Device:
    """``user``'s confirmed device ``key``; any other is ``ResourceNotFoundException``."""
    device = await ctx.store.get_device(key)
    if device is None or device.user_id != user.id or not device.confirmed:
        raise ResourceNotFoundException(texts.DEVICE_NOT_FOUND)
    return device


# ---- ConfirmDevice -----------------------------------------------------------------------------------------------
async def confirm_device(ctx: Context, call: Call) -> dict[str, Any]:
    """Keep the SRP verifier and salt the client made for a device its sign-in was handed (as sent); the device is
    remembered at once, or waits for UpdateDeviceStatus when the pool asks the user (``UserConfirmationNecessary``)."""
    p = call.params
    caller = await issuing.authenticate(ctx, p["AccessToken"])
    pool, user = caller.pool, caller.user
    if not device_rules.tracking(pool.settings):
        raise InvalidUserPoolConfigurationException(texts.DEVICE_TRACKING_OFF)
    device = await ctx.store.get_device(p["DeviceKey"])
    if device is None or device.user_id != user.id:
        raise ResourceNotFoundException(texts.DEVICE_NOT_FOUND)
    if device.confirmed:
        raise DeviceKeyExistsException(texts.DEVICE_KEY_EXISTS)
    config = p.get("DeviceSecretVerifierConfig") or {}
    verifier, salt = config.get("PasswordVerifier", ""), config.get("Salt", "")
    verifier_hex = srp.from_base64(verifier)
    if verifier_hex is None or srp.from_base64(salt) is None or not srp.device_verifier_valid(verifier_hex):
        raise InvalidParameterException(texts.DEVICE_VERIFIER_INVALID)
    remembered = device_rules.status_after_confirm(pool.settings)
    if not await ctx.store.confirm_device(device.key, verifier, salt, p.get("DeviceName"), remembered, ctx.clock.now()):
        raise DeviceKeyExistsException(texts.DEVICE_KEY_EXISTS)
    return {"UserConfirmationNecessary": remembered == device_rules.NOT_REMEMBERED}


# ---- the user's devices, and any user's --------------------------------------------------------------------------
async def _get(ctx: Context, user: User, key: str) -> dict[str, Any]:
    return {"Device": device_rules.describe(await _device(ctx, user, key))}


async def _list(ctx: Context, user: User, call: Call) -> dict[str, Any]:
    p = call.params
    try:
        found, token = await ctx.store.list_devices(
            user.id, p.get("Limit") or device_rules.DEFAULT_LIMIT, p.get("PaginationToken")
        )
    except InvalidToken:
        raise InvalidParameterException(texts.INVALID_PAGINATION_TOKEN) from None
    result: dict[str, Any] = {"Devices": [device_rules.describe(d) for d in found]}
    if token:
        result["PaginationToken"] = token
    return result


async def _update_status(ctx: Context, user: User, call: Call) -> dict[str, Any]:
    device = await _device(ctx, user, call.params["DeviceKey"])
    status = call.params.get("DeviceRememberedStatus") or device_rules.NOT_REMEMBERED
    if not await ctx.store.set_device_status(device.key, status, ctx.clock.now()):
        raise ResourceNotFoundException(texts.DEVICE_NOT_FOUND)
    return {}


async def _forget(ctx: Context, user: User, key: str) -> dict[str, Any]:
    device = await _device(ctx, user, key)
    if not await ctx.store.delete_device(device.key):
        raise ResourceNotFoundException(texts.DEVICE_NOT_FOUND)
    return {}


async def get_device(ctx: Context, call: Call) -> dict[str, Any]:
    return await _get(ctx, await _caller(ctx, call), call.params["DeviceKey"])


async def list_devices(ctx: Context, call: Call) -> dict[str, Any]:
    return await _list(ctx, await _caller(ctx, call), call)


async def update_device_status(ctx: Context, call: Call) -> dict[str, Any]:
    return await _update_status(ctx, await _caller(ctx, call), call)


async def forget_device(ctx: Context, call: Call) -> dict[str, Any]:
    return await _forget(ctx, await _caller(ctx, call), call.params["DeviceKey"])


async def admin_get_device(ctx: Context, call: Call) -> dict[str, Any]:
    return await _get(ctx, await _admin_user(ctx, call), call.params["DeviceKey"])


async def admin_list_devices(ctx: Context, call: Call) -> dict[str, Any]:
    return await _list(ctx, await _admin_user(ctx, call), call)


async def admin_update_device_status(ctx: Context, call: Call) -> dict[str, Any]:
    return await _update_status(ctx, await _admin_user(ctx, call), call)


async def admin_forget_device(ctx: Context, call: Call) -> dict[str, Any]:
    return await _forget(ctx, await _admin_user(ctx, call), call.params["DeviceKey"])


OPERATIONS = {
    "ConfirmDevice": confirm_device,
    "UpdateDeviceStatus": update_device_status,
    "GetDevice": get_device,
    "ListDevices": list_devices,
    "ForgetDevice": forget_device,
    "AdminGetDevice": admin_get_device,
    "AdminListDevices": admin_list_devices,
    "AdminUpdateDeviceStatus": admin_update_device_status,
    "AdminForgetDevice": admin_forget_device,
}
