"""Choice-based sign-in's rules: a pool's sign-in policy (``Policies.SignInPolicy.AllowedFirstAuthFactors``), which
pools may sign users up without a password, and the first factors' names.

Pure: no I/O. The policy is kept in the pool's settings as CreateUserPool/UpdateUserPool sent it (``PASSWORD`` only
by default, ``domain.pools``) and checked here against the pool's feature plan and delivery paths.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Final

from userpool.domain import texts
from userpool.errors import FeatureUnavailableInTierException, InvalidParameterException

# AllowedFirstAuthFactors (AuthFactorType); PASSWORD allows both the PASSWORD and the PASSWORD_SRP challenges.
PASSWORD: Final = "PASSWORD"
EMAIL_OTP: Final = "EMAIL_OTP"
SMS_OTP: Final = "SMS_OTP"
WEB_AUTHN: Final = "WEB_AUTHN"
PASSWORDLESS: Final = (EMAIL_OTP, SMS_OTP, WEB_AUTHN)
# The challenges of USER_AUTH (ChallengeNameType) besides the factors' own names.
PASSWORD_SRP: Final = "PASSWORD_SRP"
SELECT_CHALLENGE: Final = "SELECT_CHALLENGE"
TIERS: Final = ("ESSENTIALS", "PLUS")  # the feature plans with choice-based sign-in


def allowed(settings: Mapping[str, Any]) -> list[str]:
    """The first factors the pool allows (its sign-in policy; ``PASSWORD`` when it has none)."""
    policy = ((settings.get("Policies") or {}).get("SignInPolicy") or {}).get("AllowedFirstAuthFactors")
    return list(policy) if policy else [PASSWORD]


def sign_up_without_password(settings: Mapping[str, Any], client_flows: bool, attributes: Mapping[str, str]) -> bool:
    """Whether SignUp may leave the password out (Cognito's guide, "Passwords at sign-up"): passwordless sign-in is
    active in the pool and in the app client (``client_flows``: it allows USER_AUTH), and the user gives what a
    passwordless factor needs (an email address for EMAIL_OTP, a phone number for SMS_OTP; a passkey is registered
    once signed in)."""
    factors = allowed(settings)
    return client_flows and (
        WEB_AUTHN in factors
        or (EMAIL_OTP in factors and bool(attributes.get("email")))
        or (SMS_OTP in factors and bool(attributes.get("phone_number")))
    )


def available_to_pool(settings: Mapping[str, Any]) -> bool:
    """Choice-based sign-in (USER_AUTH) needs the Essentials or Plus feature plan."""
    return settings.get("UserPoolTier", "ESSENTIALS") in TIERS


def check_policy(settings: Mapping[str, Any]) -> None:
    """Cognito's refusals of a sign-in policy the pool cannot honour: no password factor, a passwordless factor on
    the Lite plan, an email code without the pool's own email sending, an SMS code without an SMS configuration."""
    factors = allowed(settings)
    if PASSWORD not in factors:
        raise InvalidParameterException(texts.SIGN_IN_POLICY_NEEDS_PASSWORD)
    if any(f in PASSWORDLESS for f in factors) and not available_to_pool(settings):
        raise FeatureUnavailableInTierException(texts.FEATURE_NOT_IN_TIER)
    if EMAIL_OTP in factors and (settings.get("EmailConfiguration") or {}).get("EmailSendingAccount") != "DEVELOPER":
        raise InvalidParameterException(texts.EMAIL_OTP_NEEDS_SES)
    if SMS_OTP in factors and not settings.get("SmsConfiguration"):
        raise InvalidParameterException(texts.SMS_OTP_NEEDS_SMS)
