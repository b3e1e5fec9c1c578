"""An app client's settings, with Cognito's defaults, as CreateUserPoolClient / UpdateUserPoolClient store them.

Like UpdateUserPool, UpdateUserPoolClient replaces every setting: what it does not send returns to its default.
"""

from __future__ import annotations

import copy
from collections.abc import Mapping, Sequence
from typing import Any

from userpool.errors import InvalidParameterException

DEFAULT_AUTH_FLOWS = ["ALLOW_REFRESH_TOKEN_AUTH", "ALLOW_CUSTOM_AUTH", "ALLOW_USER_SRP_AUTH"]
_UNIT_SECONDS = {"seconds": 1, "minutes": 60, "hours": 3600, "days": 86400}
# (validity member, unit key, default value, default unit, minimum seconds, maximum seconds)
_VALIDITIES = (
    ("AccessTokenValidity", "AccessToken", 60, "minutes", 300, 86400),
    ("IdTokenValidity", "IdToken", 60, "minutes", 300, 86400),
    ("RefreshTokenValidity", "RefreshToken", 30, "days", 3600, 315360000),
)
AS_SENT = (
    "ReadAttributes",
    "WriteAttributes",
    "SupportedIdentityProviders",
    "CallbackURLs",
    "LogoutURLs",
    "DefaultRedirectURI",
    "AllowedOAuthFlows",
    "AllowedOAuthScopes",
    "AnalyticsConfiguration",
    "RefreshTokenRotation",
)


def _check_attribute_names(names: Sequence[str], schema_names: set[str], which: str, verb: str) -> None:
    if any(n not in schema_names for n in names):
        raise InvalidParameterException(f"Invalid {which} attributes specified while {verb} a client")


def settings(request: Mapping[str, Any], schema: Sequence[Mapping[str, Any]], verb: str) -> dict[str, Any]:
    """The stored settings for a client, from a Create/UpdateUserPoolClient request (``verb``: creating/updating)."""
    schema_names = {a["Name"] for a in schema}
    config: dict[str, Any] = {key: copy.deepcopy(request[key]) for key in AS_SENT if key in request}
    _check_attribute_names(config.get("ReadAttributes", ()), schema_names, "read", verb)
    _check_attribute_names(config.get("WriteAttributes", ()), schema_names, "write", verb)
    units = {}
    for member, unit_key, default, default_unit, low, high in _VALIDITIES:
        unit = (request.get("TokenValidityUnits") or {}).get(unit_key, default_unit)
        value = request.get(member, default if unit == default_unit else None)
        if value is None:
            value = default * _UNIT_SECONDS[default_unit] // _UNIT_SECONDS[unit]
        if not low <= value * _UNIT_SECONDS[unit] <= high:
            raise InvalidParameterException("Invalid range for token validity.")
        config[member] = value
        units[unit_key] = unit
    config["TokenValidityUnits"] = units
    flows = list(request.get("ExplicitAuthFlows") or DEFAULT_AUTH_FLOWS)
    legacy = [f for f in flows if not f.startswith("ALLOW_")]
    if legacy and len(legacy) != len(flows):
        raise InvalidParameterException("ExplicitAuthFlows can't have both ALLOW_XXX and legacy values.")
    config["ExplicitAuthFlows"] = flows
    config["AllowedOAuthFlowsUserPoolClient"] = bool(request.get("AllowedOAuthFlowsUserPoolClient", False))
    config["PreventUserExistenceErrors"] = request.get("PreventUserExistenceErrors", "LEGACY")
    config["EnableTokenRevocation"] = bool(request.get("EnableTokenRevocation", True))
    config["EnablePropagateAdditionalUserContextData"] = bool(
        request.get("EnablePropagateAdditionalUserContextData", False)
    )
    config["AuthSessionValidity"] = request.get("AuthSessionValidity", 3)
    return config


def rotation_enabled(settings: Mapping[str, Any]) -> bool:
    """Whether the client rotates refresh tokens (``RefreshTokenRotation.Feature``)."""
    return (settings.get("RefreshTokenRotation") or {}).get("Feature") == "ENABLED"


def rotation_grace_seconds(settings: Mapping[str, Any]) -> int:
    """How long a rotated-out refresh token stays good for a retry; 0 (no grace) when not set."""
    return int((settings.get("RefreshTokenRotation") or {}).get("RetryGracePeriodSeconds") or 0)


def hides_user_existence(settings: Mapping[str, Any]) -> bool:
    """PreventUserExistenceErrors: the client answers about an unknown user as it would about a known one."""
    return settings.get("PreventUserExistenceErrors") == "ENABLED"
