"""Threat protection's user event history (AdminListUserAuthEvents): what one event holds, how it is answered, how
long it is kept, and the feedback tokens of UpdateAuthEventFeedback. Pure: no I/O.

What is recorded, and when (the operations call ``operations.shared.threat_protection.record_event``):

- ``SignUp``: SignUp, once the user is stored. AdminCreateUser is not a sign-up event: it is an administrator's
  act, and Cognito takes no user context data with it (the operations that take ``UserContextData`` are the ones
  threat protection evaluates).
- ``SignIn``: a password (USER_PASSWORD_AUTH, ADMIN_USER_PASSWORD_AUTH) or SRP (PASSWORD_VERIFIER) proof for an
  existing user. ``Pass`` when the sign-in goes on (tokens, or the NEW_PASSWORD_REQUIRED challenge), ``Fail`` when
  the proof is wrong (``ChallengeResponses`` ``Password``/``Failure``) or the user may not sign in although it is
  right (disabled, unconfirmed, reset required: ``Password``/``Success``).
- ``PasswordChange``: ChangePassword (``Fail`` when the previous password is wrong), the NEW_PASSWORD_REQUIRED
  answer, and ConfirmForgotPassword (the moment a forgotten password is replaced).
- ``ForgotPassword``: ForgotPassword, when a code is sent to a known user.
- ``ResendCode``: ResendConfirmationCode, when a code is sent.

Nothing secret is kept: no password, code, token or SecretHash; the request's address and user agent only.
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Mapping
from typing import Any, Final

from userpool.domain import ids
from userpool.domain.records import AuthEvent

SIGN_IN, SIGN_UP, FORGOT_PASSWORD, PASSWORD_CHANGE, RESEND_CODE = (
    "SignIn",
    "SignUp",
    "ForgotPassword",
    "PasswordChange",
    "ResendCode",
)
PASS, FAIL = "Pass", "Fail"
NO_RISK, BLOCK = "NoRisk", "Block"
PASSWORD_SUCCESS: Final = ({"ChallengeName": "Password", "ChallengeResponse": "Success"},)
PASSWORD_FAILURE: Final = ({"ChallengeName": "Password", "ChallengeResponse": "Failure"},)
MFA_FAILURE: Final = (*PASSWORD_SUCCESS, {"ChallengeName": "Mfa", "ChallengeResponse": "Failure"})  # a wrong MFA code
ADMIN, USER = "Admin", "User"  # who gave an event's feedback (EventFeedbackType.Provider)

# Cognito's developer guide ("Viewing user event history"): "Amazon Cognito retains user event history for two years."
RETENTION_SECONDS: Final = 2 * 365 * 86400
DEFAULT_PAGE: Final = 60  # MaxResults absent or 0: "Returns 60 events"
DEVICE_NAME_LENGTH: Final = 256  # the User-Agent kept as DeviceName is cut to this many characters


def new_event(
    event_id: str,
    pool_id: str,
    user_id: int,
    event_type: str,
    response: str,
    at: float,
    *,
    challenge_responses: tuple[Mapping[str, str], ...] = (),
    compromised: bool = False,
    ip_address: str | None = None,
    user_agent: str = "",
) -> AuthEvent:
    """The event to record. ``compromised``: the compromised-password check refused the password (``Block``)."""
    return AuthEvent(
        event_id=event_id,
        pool_id=pool_id,
        user_id=user_id,
        event_type=event_type,
        created_at=at,
        response=response,
        risk_decision=BLOCK if compromised else NO_RISK,
        compromised=compromised,
        challenge_responses=[dict(c) for c in challenge_responses],
        ip_address=ip_address,
        device_name=device_name(user_agent),
    )


def device_name(user_agent: str) -> str | None:
    """What an event keeps of the request's User-Agent: its first ``DEVICE_NAME_LENGTH`` characters, or None."""
    name = user_agent.strip()[:DEVICE_NAME_LENGTH]
    return name or None


def describe(event: AuthEvent) -> dict[str, Any]:
    """The event as AdminListUserAuthEvents answers it (``AuthEventType``)."""
    context = {"IpAddress": event.ip_address, "DeviceName": event.device_name}
    described: dict[str, Any] = {
        "EventId": event.event_id,
        "EventType": event.event_type,
        "CreationDate": event.created_at,
        "EventResponse": event.response,
        "EventRisk": {"RiskDecision": event.risk_decision, "CompromisedCredentialsDetected": event.compromised},
        "ChallengeResponses": [dict(c) for c in event.challenge_responses],
        "EventContextData": {k: v for k, v in context.items() if v is not None},
    }
    if event.feedback_value is not None:
        described["EventFeedback"] = {
            "FeedbackValue": event.feedback_value,
            "Provider": event.feedback_provider,
            "FeedbackDate": event.feedback_at,
        }
    return described


# ---- feedback tokens ----------------------------------------------------------------------------------------------
# Cognito puts a FeedbackToken in the links of its threat-protection notification emails; UpdateAuthEventFeedback
# takes it. Ours is an HMAC-SHA256 of (pool, user's sub, event id) under a key derived from the server's secret
# key, so any process that shares the key can check it and no table holds tokens.


def feedback_key(secret_key: bytes) -> bytes:
    """The key feedback tokens are made with, derived from the server's secret key (the one that seals client
    secrets) for this use alone."""
    return hmac.new(secret_key, b"userpool feedback tokens v1", hashlib.sha256).digest()


def feedback_token(key: bytes, pool_id: str, sub: str, event_id: str) -> str:
    """The token a notification about ``event_id`` would carry: URL-safe base64 without padding."""
    message = "\0".join((pool_id, sub, event_id)).encode("utf-8")
    digest = hmac.new(key, message, hashlib.sha256).digest()
    return ids.base64url(digest)


def feedback_token_matches(key: bytes, pool_id: str, sub: str, event_id: str, token: str) -> bool:
    """Whether ``token`` is the one made for this event (compared in constant time)."""
    expected = feedback_token(key, pool_id, sub, event_id)
    return hmac.compare_digest(expected.encode("ascii"), token.encode("utf-8"))
