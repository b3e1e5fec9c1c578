"""Which sign-in flows an app client allows (``ExplicitAuthFlows``), and Cognito's answer when it does not.

Clients carry either ``ALLOW_*`` values or the legacy ones (``ADMIN_NO_SRP_AUTH``, ``USER_PASSWORD_AUTH``,
``CUSTOM_AUTH_FLOW_ONLY``). With legacy values SRP and refresh were always on, unless the client was limited to
custom authentication.
"""

from __future__ import annotations

from collections.abc import Sequence

USER_PASSWORD = "USER_PASSWORD_AUTH"
ADMIN_PASSWORD = ("ADMIN_USER_PASSWORD_AUTH", "ADMIN_NO_SRP_AUTH")
SRP = "USER_SRP_AUTH"
REFRESH = ("REFRESH_TOKEN_AUTH", "REFRESH_TOKEN")
CUSTOM = "CUSTOM_AUTH"
USER_AUTH = "USER_AUTH"  # choice-based sign-in

# What Cognito answers (InvalidParameterException) when the client does not allow a flow.
NOT_ENABLED = {
    USER_PASSWORD: "USER_PASSWORD_AUTH flow not enabled for this client",
    SRP: "USER_SRP_AUTH is not enabled for the client.",
    "ADMIN": "Auth flow not enabled for this client",
    "REFRESH": "Refresh Token auth flow not enabled for this client",  # (unverified)
    CUSTOM: "CUSTOM_AUTH is not enabled for the client.",  # (unverified: worded as SRP's)
    USER_AUTH: "USER_AUTH is not enabled for the client.",  # (unverified: worded as SRP's)
}


def enabled(flows: Sequence[str], flow: str) -> bool:
    legacy = not any(f.startswith("ALLOW_") for f in flows)
    if flow == USER_PASSWORD:
        return "ALLOW_USER_PASSWORD_AUTH" in flows or USER_PASSWORD in flows
    if flow in ADMIN_PASSWORD:
        return "ALLOW_ADMIN_USER_PASSWORD_AUTH" in flows or "ADMIN_NO_SRP_AUTH" in flows
    if flow == SRP:
        return "ALLOW_USER_SRP_AUTH" in flows or (legacy and "CUSTOM_AUTH_FLOW_ONLY" not in flows)
    if flow in REFRESH:
        return "ALLOW_REFRESH_TOKEN_AUTH" in flows or legacy
    if flow == CUSTOM:
        return "ALLOW_CUSTOM_AUTH" in flows or "CUSTOM_AUTH_FLOW_ONLY" in flows
    if flow == USER_AUTH:
        return "ALLOW_USER_AUTH" in flows
    return False


def not_enabled_message(flow: str) -> str:
    if flow in ADMIN_PASSWORD:
        return NOT_ENABLED["ADMIN"]
    if flow in REFRESH:
        return NOT_ENABLED["REFRESH"]
    return NOT_ENABLED[flow]
