"""Session tracking (the pool's and its clients' session configurations) and how a token session is answered.

With tracking on, ``ListUserSessions`` and the revoke operations work, and a sign-in past the pool's
``TokenSession.MaxPerUser`` evicts the user's least recently used token sessions first. userpool records every token
session whether tracking is on or not (its refresh tokens need the record to be revoked), so sessions made before
tracking was turned on are listed too."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Final

from userpool.domain import texts
from userpool.domain.records import TokenSession
from userpool.errors import FeatureUnavailableInTierException, OperationNotEnabledException

POOL_WIDE: Final = "ALL"
# AWS: "If you have never called SetUserPoolSessionConfiguration ... UserSessionTracking as DISABLED and a MaxPerUser
# value of 20"; a client's SSO session lasts 60 minutes unless set.
POOL_DEFAULTS: Final[Mapping[str, Any]] = {"UserSessionTracking": "DISABLED", "TokenSession": {"MaxPerUser": 20}}
CLIENT_DEFAULTS: Final[Mapping[str, Any]] = {"SSOSession": {"MaxValidityMinutes": 60}}
TIERS_WITH_SESSIONS: Final = ("ESSENTIALS", "PLUS")


def pool_configuration(stored: Mapping[str, Any] | None) -> dict[str, Any]:
    return dict(stored or POOL_DEFAULTS)


def client_configuration(stored: Mapping[str, Any] | None) -> dict[str, Any]:
    return dict(stored or CLIENT_DEFAULTS)


def tracking(stored: Mapping[str, Any] | None) -> bool:
    return pool_configuration(stored)["UserSessionTracking"] == "ENABLED"


def max_per_user(stored: Mapping[str, Any] | None) -> int | None:
    """How many token sessions a user may keep while tracking is on (None: no limit enforced)."""
    return int(pool_configuration(stored)["TokenSession"]["MaxPerUser"]) if tracking(stored) else None


def require_tier(pool_settings: Mapping[str, Any]) -> None:
    """Setting session configurations needs the Essentials or Plus feature plan."""
    if pool_settings.get("UserPoolTier", "ESSENTIALS") not in TIERS_WITH_SESSIONS:
        raise FeatureUnavailableInTierException(texts.FEATURE_NOT_IN_TIER)


def require_tracking(stored: Mapping[str, Any] | None) -> None:
    if not tracking(stored):
        raise OperationNotEnabledException(texts.SESSION_TRACKING_OFF)


def describe(session: TokenSession, current: str | None = None) -> dict[str, Any]:
    """A ``UserSessionType``: ``IsCurrentSession`` only when asked with an access token (``current``)."""
    answer: dict[str, Any] = {
        "SessionId": session.id,
        "SessionType": "TOKEN",
        "ClientId": session.client_id,
        "CreateDate": session.created_at,
        "LastActiveDate": session.last_active_at,
    }
    if session.device:
        answer["DeviceType"] = session.device
    if session.ip_address:
        answer["LastIPAddress"] = session.ip_address
    if current is not None:
        answer["IsCurrentSession"] = session.id == current
    return answer
