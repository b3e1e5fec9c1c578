"""The registry of sign-in strategies, and the two doors into the flow engine.

``FLOWS`` maps each ``AuthFlow`` to the strategy that takes a sign-in's first step; ``CHALLENGES`` maps each
``ChallengeName`` to the strategy that takes its answer. A new factor (device SRP, custom challenges, passkeys)
is a module in this package and a line here. ``start`` and ``answer`` run one step of a sign-in for any door:
the JSON API's operations (``operations/auth.py``) and, later, the hosted UI's pages.
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType
from typing import Any

from userpool.domain import clients as client_rules
from userpool.domain import flows, passwordless, texts
from userpool.domain import mfa as mfa_rules
from userpool.errors import FeatureUnavailableInTierException, InvalidParameterException, UnsupportedOperationException
from userpool.operations.shared.signin import (
    auth_triggers,
    custom,
    device,
    mfa,
    new_password,
    password,
    refresh,
    srp,
    user_auth,
    webauthn,
)
from userpool.operations.shared.signin.flow import NEW_PASSWORD_REQUIRED
from userpool.operations.shared.signin.sessions import SignIn, Step

FLOWS: Mapping[str, Step] = MappingProxyType(
    {
        flows.USER_PASSWORD: password.start,
        **dict.fromkeys(flows.ADMIN_PASSWORD, password.start),
        flows.SRP: srp.start,
        **dict.fromkeys(flows.REFRESH, refresh.start),
        flows.CUSTOM: custom.start,
        flows.USER_AUTH: user_auth.start,
    }
)
ADMIN_ONLY = frozenset(flows.ADMIN_PASSWORD)  # flows only AdminInitiateAuth takes
CLIENT_ONLY = frozenset({flows.USER_PASSWORD})  # flows only InitiateAuth takes

CHALLENGES: Mapping[str, Step] = MappingProxyType(
    {
        srp.PASSWORD_VERIFIER: srp.answer_password_verifier,
        NEW_PASSWORD_REQUIRED: new_password.answer,
        mfa_rules.SMS: mfa.code_answer(mfa_rules.SMS),
        mfa_rules.EMAIL: mfa.code_answer(mfa_rules.EMAIL),
        mfa_rules.TOTP: mfa.code_answer(mfa_rules.TOTP),
        mfa_rules.SELECT: mfa.answer_select,
        mfa_rules.SETUP: mfa.answer_setup,
        device.DEVICE_SRP_AUTH: device.answer_device_srp,
        device.DEVICE_PASSWORD_VERIFIER: device.answer_device_password_verifier,
        custom.CUSTOM_CHALLENGE: custom.answer,
        webauthn.WEB_AUTHN: webauthn.answer,
        passwordless.SELECT_CHALLENGE: user_auth.answer_select,
        passwordless.PASSWORD: user_auth.answer_factor(passwordless.PASSWORD),
        passwordless.PASSWORD_SRP: user_auth.answer_factor(passwordless.PASSWORD_SRP),
        mfa_rules.SMS_OTP: mfa.code_answer(mfa_rules.SMS_OTP),
    }
)


async def start(s: SignIn, flow: str, params: dict[str, str]) -> dict[str, Any]:
    """A sign-in's first step: ``flow`` with its ``AuthParameters``."""
    strategy = FLOWS.get(flow)
    if strategy is None or flow in (CLIENT_ONLY if s.admin else ADMIN_ONLY):
        raise InvalidParameterException("Initiate Auth method not supported.")
    allowed = s.client.settings.get("ExplicitAuthFlows") or []
    # A client that rotates refresh tokens refreshes only through GetTokensFromRefreshToken, as in Cognito.
    if not flows.enabled(allowed, flow) or (flow in flows.REFRESH and client_rules.rotation_enabled(s.client.settings)):
        raise InvalidParameterException(flows.not_enabled_message(flow))
    if flow == flows.USER_AUTH and not passwordless.available_to_pool(s.pool.settings):
        raise FeatureUnavailableInTierException(texts.FEATURE_NOT_IN_TIER)
    await auth_triggers.before_first_factor(s, flow, params)  # UserMigration, PreAuthentication
    return await strategy(s, params, None)


async def answer(s: SignIn, challenge: str, responses: dict[str, str], session: str | None) -> dict[str, Any]:
    """An answer to ``challenge``: its ``ChallengeResponses`` and the ``Session`` it came with."""
    strategy = CHALLENGES.get(challenge)
    if strategy is None:
        raise UnsupportedOperationException(f"userpool does not implement the {challenge} challenge yet.")
    return await strategy(s, responses, session)
