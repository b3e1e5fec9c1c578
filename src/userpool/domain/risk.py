"""Threat protection's risk configuration (SetRiskConfiguration), as far as userpool acts on it.

A configuration is kept per pool (client id ``ALL``) or per app client; a client's own configuration replaces the
pool's for that client. Of its three parts, only the compromised-credentials one is acted on: when the pool's
``UserPoolAddOns.AdvancedSecurityMode`` is ``ENFORCED``, its ``EventFilter`` covers the event (no filter: every
event) and its action is ``BLOCK``, a password found in the offline list is refused. ``AUDIT`` mode stores and
describes configurations but never blocks. Account-takeover and risk-exception settings are stored and described
only.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Final

from userpool.domain import texts
from userpool.errors import InvalidPasswordException, UserPoolAddOnNotEnabledException

POOL_WIDE: Final = "ALL"
PARTS: Final = (
    "CompromisedCredentialsRiskConfiguration",
    "AccountTakeoverRiskConfiguration",
    "RiskExceptionConfiguration",
)
SIGN_UP, SIGN_IN, PASSWORD_CHANGE = "SIGN_UP", "SIGN_IN", "PASSWORD_CHANGE"


def mode(pool_settings: Mapping[str, Any]) -> str:
    return (pool_settings.get("UserPoolAddOns") or {}).get("AdvancedSecurityMode", "OFF")


def protects(pool_settings: Mapping[str, Any]) -> bool:
    """Whether the pool's threat protection is on (AUDIT or ENFORCED): it then keeps its users' event history."""
    return mode(pool_settings) in ("AUDIT", "ENFORCED")


def require_add_on(pool_settings: Mapping[str, Any]) -> None:
    """Risk configurations and the event history need threat protection (AUDIT or ENFORCED) on the pool."""
    if not protects(pool_settings):
        # (unverified) the message; the error is the one the model lists for these operations.
        raise UserPoolAddOnNotEnabledException("Advanced security features are not enabled for this user pool.")


def configuration(request: Mapping[str, Any]) -> dict[str, Any]:
    """What SetRiskConfiguration stores: the parts it was sent (a part not sent is removed)."""
    return {part: request[part] for part in PARTS if request.get(part) is not None}


def blocks_compromised(pool_settings: Mapping[str, Any], config: Mapping[str, Any] | None, event: str) -> bool:
    """Whether a compromised password must be refused for ``event`` under this effective configuration."""
    if config is None or mode(pool_settings) != "ENFORCED":
        return False
    compromised = config.get("CompromisedCredentialsRiskConfiguration")
    if not compromised:
        return False
    events = compromised.get("EventFilter") or (SIGN_IN, PASSWORD_CHANGE, SIGN_UP)
    return event in events and compromised.get("Actions", {}).get("EventAction") == "BLOCK"


def refuse_compromised() -> InvalidPasswordException:
    return InvalidPasswordException(texts.COMPROMISED_PASSWORD)
