"""Multi-factor authentication's rules: the pool's MFA configuration, a user's factors and preference, which
challenge a sign-in gets, and TOTP (RFC 6238: HMAC-SHA1, 6 digits, 30-second steps, one step of clock skew).

Pure: no I/O. The pool's configuration is kept in its settings, one stored truth that CreateUserPool,
UpdateUserPool, DescribeUserPool and Set/GetUserPoolMfaConfig all read and write: ``MfaConfiguration``
(``OFF``/``ON``/``OPTIONAL``), SMS MFA is on when the pool has an ``SmsConfiguration`` (its message is the pool's
``SmsAuthenticationMessage``) unless SetUserPoolMfaConfig left SMS out (``SmsMfaEnabled``),
``SoftwareTokenMfaConfiguration`` and ``EmailMfaConfiguration`` as SetUserPoolMfaConfig sent them (UpdateUserPool
keeps these three: they are not its members).
"""

from __future__ import annotations

import copy
import hmac
import json
from collections.abc import Mapping
from dataclasses import dataclass, replace
from typing import Any

import pyotp

from userpool.domain import messages, texts, webauthn
from userpool.domain.records import MfaSettings
from userpool.errors import FeatureUnavailableInTierException, InvalidParameterException

SMS = "SMS_MFA"
TOTP = "SOFTWARE_TOKEN_MFA"
EMAIL = "EMAIL_OTP"
SMS_OTP = "SMS_OTP"  # an SMS code as choice-based sign-in's first factor (EMAIL_OTP is both)
FACTORS = (SMS, TOTP, EMAIL)  # Cognito's order when it lists them
SELECT = "SELECT_MFA_TYPE"
SETUP = "MFA_SETUP"
# The response holding a code, by challenge (the API text's EMAIL_MFA_CODE too, as Amplify sends EMAIL_OTP_CODE).
CODE_RESPONSES = {
    SMS: ("SMS_MFA_CODE",),
    TOTP: ("SOFTWARE_TOKEN_MFA_CODE",),
    EMAIL: ("EMAIL_OTP_CODE", "EMAIL_MFA_CODE"),
    SMS_OTP: ("SMS_OTP_CODE",),
}
MEDIUM = {SMS: "SMS", EMAIL: "EMAIL", SMS_OTP: "SMS"}
ATTRIBUTE = {SMS: "phone_number", EMAIL: "email", SMS_OTP: "phone_number"}
CODE_PURPOSE = "mfa"  # the one sign-in code a user has at a time (store ``codes``)
CODE_SECONDS = 180  # an SMS or email MFA code lives three minutes
CODE_DIGITS = 6  # an MFA code's length (unverified)
FIRST_FACTOR_CODE_DIGITS = 8  # a one-time sign-in code's (EMAIL_OTP, SMS_OTP as a first factor; observed)
SESSION_ATTEMPTS = 3  # wrong codes one challenge session takes; the last spends it (each also counts to the lockout)
# Cognito's default texts (unverified).
DEFAULT_SMS_MESSAGE = "Your authentication code is {####}. "
DEFAULT_EMAIL_MESSAGE = DEFAULT_SMS_MESSAGE
DEFAULT_EMAIL_SUBJECT = "Your authentication code"

TOTP_DIGITS = 6
TOTP_STEP = 30
TOTP_SKEW = 1  # steps accepted either side of now


# ---- the pool -----------------------------------------------------------------------------------------------------
def pool_factors(settings: Mapping[str, Any]) -> list[str]:
    """The factors the pool offers (whatever ``MfaConfiguration`` says)."""
    found = []
    if sms_offered(settings):
        found.append(SMS)
    if (settings.get("SoftwareTokenMfaConfiguration") or {}).get("Enabled"):
        found.append(TOTP)
    if "EmailMfaConfiguration" in settings:
        found.append(EMAIL)
    return found


def sms_offered(settings: Mapping[str, Any]) -> bool:
    """SMS MFA is on when the pool has an ``SmsConfiguration`` and SetUserPoolMfaConfig did not leave SMS out
    (``SmsMfaEnabled``, kept beside the configuration so that turning SMS MFA off never drops the pool's SMS
    configuration)."""
    return bool(settings.get("SmsConfiguration")) and bool(settings.get("SmsMfaEnabled", True))


def mode(settings: Mapping[str, Any]) -> str:
    return str(settings.get("MfaConfiguration") or "OFF")


def mfa_config(settings: Mapping[str, Any]) -> dict[str, Any]:
    """GetUserPoolMfaConfig's answer (and SetUserPoolMfaConfig's)."""
    config: dict[str, Any] = {
        "MfaConfiguration": mode(settings),
        "SoftwareTokenMfaConfiguration": {"Enabled": TOTP in pool_factors(settings)},
    }
    if sms_offered(settings):
        sms: dict[str, Any] = {"SmsConfiguration": copy.deepcopy(settings["SmsConfiguration"])}
        if settings.get("SmsAuthenticationMessage"):
            sms["SmsAuthenticationMessage"] = settings["SmsAuthenticationMessage"]
        config["SmsMfaConfiguration"] = sms
    if "EmailMfaConfiguration" in settings:
        config["EmailMfaConfiguration"] = copy.deepcopy(settings["EmailMfaConfiguration"])
    if "WebAuthnConfiguration" in settings:
        config["WebAuthnConfiguration"] = copy.deepcopy(settings["WebAuthnConfiguration"])
    return config


def check_create(settings: Mapping[str, Any]) -> None:
    """CreateUserPool configures only SMS MFA: ``ON``/``OPTIONAL`` needs an ``SmsConfiguration``."""
    if mode(settings) != "OFF" and not settings.get("SmsConfiguration"):
        raise InvalidParameterException(texts.MFA_NEEDS_SMS)


def check_update(settings: Mapping[str, Any]) -> None:
    """UpdateUserPool may turn MFA on when the pool offers a factor (SMS, or one SetUserPoolMfaConfig added)."""
    if mode(settings) != "OFF" and not pool_factors(settings):
        raise InvalidParameterException(texts.MFA_NEEDS_SMS)


def settings_after_config(settings: Mapping[str, Any], request: Mapping[str, Any]) -> dict[str, Any]:
    """The pool's settings after SetUserPoolMfaConfig, with Cognito's refusals of impossible combinations. A factor
    block not sent turns that factor off; ``MfaConfiguration`` not sent keeps the pool's."""
    new = copy.deepcopy(dict(settings))
    wanted = request.get("MfaConfiguration", mode(settings))
    sms = request.get("SmsMfaConfiguration")
    totp = request.get("SoftwareTokenMfaConfiguration")
    email = request.get("EmailMfaConfiguration")
    factor_sent = sms is not None or bool((totp or {}).get("Enabled")) or email is not None
    if wanted == "OFF" and factor_sent and "MfaConfiguration" in request:
        raise InvalidParameterException(texts.MFA_OFF_WITH_FACTOR)
    if email is not None:
        if new.get("UserPoolTier") == "LITE":
            raise FeatureUnavailableInTierException(texts.EMAIL_MFA_TIER)
        if (new.get("EmailConfiguration") or {}).get("EmailSendingAccount") != "DEVELOPER":
            raise InvalidParameterException(texts.EMAIL_MFA_NEEDS_SES)
    if sms is not None:
        if sms.get("SmsConfiguration"):
            new["SmsConfiguration"] = copy.deepcopy(sms["SmsConfiguration"])
        if not new.get("SmsConfiguration"):
            raise InvalidParameterException(texts.MFA_NEEDS_SMS)
        if "SmsAuthenticationMessage" in sms:
            new["SmsAuthenticationMessage"] = sms["SmsAuthenticationMessage"]
    new["SmsMfaEnabled"] = sms is not None
    new["SoftwareTokenMfaConfiguration"] = {"Enabled": bool((totp or {}).get("Enabled"))}
    if email is not None:
        new["EmailMfaConfiguration"] = copy.deepcopy(dict(email))
    else:
        new.pop("EmailMfaConfiguration", None)
    if "WebAuthnConfiguration" in request:
        new["WebAuthnConfiguration"] = webauthn.configured(
            request["WebAuthnConfiguration"], new.get("UserPoolTier", "")
        )
    new["MfaConfiguration"] = wanted
    if wanted != "OFF" and not pool_factors(new):
        raise InvalidParameterException(texts.MFA_CANNOT_DISABLE_ALL)
    return new


def kept_by_update(settings: Mapping[str, Any]) -> dict[str, Any]:
    """What UpdateUserPool keeps of SetUserPoolMfaConfig's (not members of UpdateUserPool)."""
    return {
        k: copy.deepcopy(settings[k])
        for k in ("SoftwareTokenMfaConfiguration", "EmailMfaConfiguration", "SmsMfaEnabled")
        if k in settings
    }


# ---- the user -----------------------------------------------------------------------------------------------------
def user_factors(
    pool_settings: Mapping[str, Any], user: MfaSettings | None, attributes: Mapping[str, str]
) -> list[str]:
    """The factors a sign-in of this user can use: those it enabled that can reach it. A registered authenticator
    keeps working when the pool turns TOTP off; SMS and email need the pool's factor and the user's attribute."""
    if user is None:
        return []
    offered = pool_factors(pool_settings)
    found = []
    if user.sms_enabled and SMS in offered and attributes.get("phone_number"):
        found.append(SMS)
    if user.totp_enabled and user.totp_secret:
        found.append(TOTP)
    if user.email_enabled and EMAIL in offered and attributes.get("email"):
        found.append(EMAIL)
    return found


@dataclass(frozen=True)
class Decision:
    """The MFA a sign-in gets: ``challenge`` (one factor, ``SELECT_MFA_TYPE`` or ``MFA_SETUP``) and ``options``
    (the factors to choose from or to set up)."""

    challenge: str
    options: tuple[str, ...] = ()


def decide(
    pool_settings: Mapping[str, Any], user: MfaSettings | None, attributes: Mapping[str, str]
) -> Decision | None:
    """Which MFA challenge a proven first factor gets, or None (tokens).

    OFF: none. The user's usable factors: the preferred one, else the only one, else ``SELECT_MFA_TYPE``. None
    usable: ``OPTIONAL`` gives tokens; ``ON`` sends an SMS code when the pool has SMS MFA and the user a phone
    number, else an email code likewise, else ``MFA_SETUP`` listing what the pool lets the user set up."""
    pool_mode = mode(pool_settings)
    if pool_mode == "OFF":
        return None
    factors = user_factors(pool_settings, user, attributes)
    if factors:
        if user is not None and user.preferred in factors:
            return Decision(user.preferred)
        if len(factors) == 1:
            return Decision(factors[0])
        return Decision(SELECT, tuple(factors))
    if pool_mode != "ON":
        return None
    offered = pool_factors(pool_settings)
    for factor in (SMS, EMAIL):
        if factor in offered and attributes.get(ATTRIBUTE[factor]):
            return Decision(factor)
    return Decision(SETUP, tuple(offered))


def json_list(names: tuple[str, ...] | list[str]) -> str:
    """``MFAS_CAN_CHOOSE`` / ``MFAS_CAN_SETUP``: a JSON-encoded list."""
    return json.dumps(list(names))


def describe(user: MfaSettings | None, attributes: Mapping[str, str]) -> dict[str, Any]:
    """GetUser / AdminGetUser's MFA members: ``UserMFASettingList``, ``PreferredMfaSetting`` and the legacy
    ``MFAOptions`` (SMS to the phone number); each omitted when empty."""
    if user is None:
        return {}
    enabled = [f for f, on in ((SMS, user.sms_enabled), (TOTP, user.totp_enabled), (EMAIL, user.email_enabled)) if on]
    answer: dict[str, Any] = {}
    if user.sms_enabled:
        answer["MFAOptions"] = [{"DeliveryMedium": "SMS", "AttributeName": "phone_number"}]
    if user.preferred in enabled:
        answer["PreferredMfaSetting"] = user.preferred
    if enabled:
        answer["UserMFASettingList"] = enabled
    return answer


def after_preferences(
    pool_settings: Mapping[str, Any],
    current: MfaSettings,
    request: Mapping[str, Any],
    attributes: Mapping[str, str],
) -> MfaSettings:
    """The user's factors after (Admin)SetUserMFAPreference: a block sent sets its factor (``Enabled``,
    ``PreferredMfa``), a block not sent leaves it. Only one factor is preferred; preferring one un-prefers the
    others. A factor needs its delivery (a phone number, an email, a verified authenticator)."""
    blocks = {
        SMS: request.get("SMSMfaSettings"),
        TOTP: request.get("SoftwareTokenMfaSettings"),
        EMAIL: request.get("EmailMfaSettings"),
    }
    preferred_sent = [f for f, b in blocks.items() if b and b.get("PreferredMfa")]
    if len(preferred_sent) > 1:
        raise InvalidParameterException(texts.MFA_ONE_PREFERRED)
    enabled = {SMS: current.sms_enabled, TOTP: current.totp_enabled, EMAIL: current.email_enabled}
    preferred = current.preferred
    offered = pool_factors(pool_settings)
    for factor, block in blocks.items():
        if block is None:
            continue
        on = bool(block.get("Enabled")) or bool(block.get("PreferredMfa"))
        if on:
            if factor == TOTP and not current.totp_secret:
                raise InvalidParameterException(texts.MFA_NO_DELIVERY.format(factor=factor))
            if factor != TOTP and not attributes.get(ATTRIBUTE[factor]):
                raise InvalidParameterException(texts.MFA_NO_DELIVERY.format(factor=factor))
            if factor == SMS and SMS not in offered:
                raise InvalidParameterException(texts.MFA_SMS_NOT_ENABLED)
            if factor == EMAIL and EMAIL not in offered:
                raise InvalidParameterException(texts.MFA_EMAIL_NOT_ENABLED)
        enabled[factor] = on
        if block.get("PreferredMfa"):
            preferred = factor
        elif preferred == factor:
            preferred = None
    if preferred is not None and not enabled.get(preferred):
        preferred = None
    if mode(pool_settings) == "ON" and any(current_on(current, f) for f in FACTORS) and not any(enabled.values()):
        raise InvalidParameterException(texts.MFA_REQUIRED_BY_POOL)
    return replace(
        current, sms_enabled=enabled[SMS], totp_enabled=enabled[TOTP], email_enabled=enabled[EMAIL], preferred=preferred
    )


def current_on(user: MfaSettings, factor: str) -> bool:
    return {SMS: user.sms_enabled, TOTP: user.totp_enabled, EMAIL: user.email_enabled}[factor]


def after_mfa_options(
    current: MfaSettings, options: list[Mapping[str, Any]], attributes: Mapping[str, str]
) -> MfaSettings:
    """The legacy (Admin)SetUserSettings: ``MFAOptions`` can say only "SMS to phone_number"; an empty list turns SMS
    MFA off."""
    sms = False
    for option in options:
        if option.get("DeliveryMedium") != "SMS" or option.get("AttributeName", "phone_number") != "phone_number":
            raise InvalidParameterException(texts.MFA_OPTIONS_INVALID)
        sms = True
    if sms and not attributes.get("phone_number"):
        raise InvalidParameterException(texts.MFA_NO_DELIVERY.format(factor=SMS))
    preferred = current.preferred if sms or current.preferred != SMS else None
    return replace(current, sms_enabled=sms, preferred=preferred)


def authentication_message(
    settings: Mapping[str, Any], medium: str, code: str, username: str, overrides: messages.Overrides
) -> messages.Composed:
    """The message carrying an MFA code: SMS from the pool's ``SmsAuthenticationMessage``, email from
    ``EmailMfaConfiguration``'s ``Subject`` and ``Message``, a CustomMessage answer (``overrides``) first."""
    if medium == "SMS":
        body = overrides.sms_message or settings.get("SmsAuthenticationMessage") or DEFAULT_SMS_MESSAGE
        return messages.Composed(None, messages.compose("", body, code, username, None).text, None, None)
    email = settings.get("EmailMfaConfiguration") or {}
    subject = overrides.email_subject or email.get("Subject") or DEFAULT_EMAIL_SUBJECT
    body = overrides.email_message or email.get("Message") or DEFAULT_EMAIL_MESSAGE
    return messages.compose(subject, body, code, username, None)


# ---- TOTP ---------------------------------------------------------------------------------------------------------
def new_totp_secret() -> str:
    """A base32 secret (RFC 4648, no padding: 32 characters, 160 bits), as AssociateSoftwareToken's SecretCode."""
    return pyotp.random_base32(32)


def totp_step(secret: str, code: str, now: float) -> int | None:
    """The time step whose code ``code`` is, within one step of ``now``; None when it is none of them."""
    if len(code) != TOTP_DIGITS or not code.isdigit():
        return None
    totp = pyotp.TOTP(secret, digits=TOTP_DIGITS, interval=TOTP_STEP)
    current = int(now // TOTP_STEP)
    found = None
    for step in range(current - TOTP_SKEW, current + TOTP_SKEW + 1):
        # Every candidate is compared, in constant time, so the answer's timing tells nothing of which matched.
        if hmac.compare_digest(totp.generate_otp(step), code) and found is None:
            found = step
    return found
