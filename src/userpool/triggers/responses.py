"""What a trigger function answers, read as Cognito reads it (pure: no I/O).

An answer that is not a JSON object is ``InvalidLambdaResponseException: Invalid lambda function output : Invalid
JSON`` (also what Cognito answers when a handler returns nothing, i.e. ``null``); a JSON object whose ``response``
holds values of the wrong type is ``Unrecognizable lambda output``. A missing or ``null`` ``response`` means
"no change" (unverified).
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import regex

from userpool.domain.pre_token import GroupConfiguration, PreTokenAnswer, TokenGeneration
from userpool.errors import InvalidLambdaResponseException, InvalidParameterException
from userpool.triggers.events import CODE_PARAMETER

INVALID_JSON = "Invalid lambda function output : Invalid JSON"
UNRECOGNIZABLE = "Unrecognizable lambda output"
NOT_AUTO_CONFIRMED = "Phone or email cannot be auto verified, when user is not being auto confirmed."
# No public source quotes Cognito's words for an auto-verified attribute the user does not have (unverified).
NO_EMAIL_TO_VERIFY = "Email cannot be auto verified, when user does not have an email."
NO_PHONE_TO_VERIFY = "Phone cannot be auto verified, when user does not have a phone number."

# Cognito's limits on a custom message (the MessageTemplateType constraints of the service model).
MAX_EMAIL_MESSAGE = 20000
MAX_SMS_MESSAGE = 140
MAX_EMAIL_SUBJECT = 140
EMAIL_MESSAGE_PATTERN = r"[\p{L}\p{M}\p{S}\p{N}\p{P}\s*]*\{####\}[\p{L}\p{M}\p{S}\p{N}\p{P}\s*]*"
SMS_MESSAGE_PATTERN = r".*\{####\}.*"
EMAIL_SUBJECT_PATTERN = r"[\p{L}\p{M}\p{S}\p{N}\p{P}\s]+"


def parse(raw: bytes) -> dict[str, Any]:
    """The function's answer as a JSON object, or Cognito's InvalidLambdaResponseException."""
    try:
        value = json.loads(raw)
    except (ValueError, UnicodeError, RecursionError):
        raise InvalidLambdaResponseException(INVALID_JSON) from None
    if not isinstance(value, dict):
        raise InvalidLambdaResponseException(INVALID_JSON)
    return value


def _response(output: Mapping[str, Any]) -> Mapping[str, Any]:
    response = output.get("response")
    if response is None:
        return {}
    if not isinstance(response, dict):
        raise InvalidLambdaResponseException(UNRECOGNIZABLE)
    return response


def _flag(response: Mapping[str, Any], name: str) -> bool:
    value = response.get(name)
    if value is None:
        return False
    if not isinstance(value, bool):
        raise InvalidLambdaResponseException(UNRECOGNIZABLE)
    return value


def _text(response: Mapping[str, Any], name: str) -> str | None:
    value = response.get(name)
    if value is not None and not isinstance(value, str):
        raise InvalidLambdaResponseException(UNRECOGNIZABLE)
    return value


@dataclass(frozen=True)
class PreSignUpAnswer:
    auto_confirm: bool = False
    verify_email: bool = False
    verify_phone: bool = False

    def verified_flags(self, attributes: Mapping[str, str], confirming: bool = False) -> list[str]:
        """The ``*_verified`` flags the answer sets, by Cognito's rule: only for a user being auto-confirmed (at
        SignUp; AdminCreateUser's users need no confirmation: ``confirming``), and only for an attribute the user
        has."""
        if (self.verify_email or self.verify_phone) and not (self.auto_confirm or confirming):
            raise InvalidParameterException(NOT_AUTO_CONFIRMED)
        flags = []
        if self.verify_email:
            if not attributes.get("email"):
                raise InvalidParameterException(NO_EMAIL_TO_VERIFY)
            flags.append("email_verified")
        if self.verify_phone:
            if not attributes.get("phone_number"):
                raise InvalidParameterException(NO_PHONE_TO_VERIFY)
            flags.append("phone_number_verified")
        return flags


def pre_sign_up(output: Mapping[str, Any]) -> PreSignUpAnswer:
    response = _response(output)
    return PreSignUpAnswer(
        auto_confirm=_flag(response, "autoConfirmUser"),
        verify_email=_flag(response, "autoVerifyEmail"),
        verify_phone=_flag(response, "autoVerifyPhone"),
    )


def _validation_error(member: str, pattern: str) -> InvalidParameterException:
    return InvalidParameterException(
        f"1 validation error detected: Value at '{member}' failed to satisfy constraint: "
        f"Member must satisfy regular expression pattern: {pattern}"
    )


@dataclass(frozen=True)
class CustomMessageAnswer:
    """The subject and body a CustomMessage function chose; None keeps the pool's own (or Cognito's default)."""

    subject: str | None = None
    body: str | None = None


def custom_message(output: Mapping[str, Any], medium: str) -> CustomMessageAnswer:
    """The parts of the answer used for a message sent by ``medium`` (``EMAIL`` or ``SMS``).

    Cognito's rules: ``null`` keeps the default. A message longer than Cognito's limit (20,000 characters for
    email, 140 for SMS and for a subject) is dropped for the default, as users of the live service report. A
    message without the code placeholder ``{####}`` is refused with the validation error Cognito answers
    (quoted for the email body in a public issue; the SMS and subject wordings follow the same form,
    unverified). Only the fields of the medium in use are read.
    """
    response = _response(output)
    sms, email, subject = (
        _text(response, "smsMessage"),
        _text(response, "emailMessage"),
        _text(response, "emailSubject"),
    )
    if medium == "SMS":
        if sms is None or len(sms) > MAX_SMS_MESSAGE:
            return CustomMessageAnswer()
        if CODE_PARAMETER not in sms or not regex.fullmatch(SMS_MESSAGE_PATTERN, sms):
            raise _validation_error("smsMessage", SMS_MESSAGE_PATTERN)
        return CustomMessageAnswer(body=sms)
    if email is not None and len(email) > MAX_EMAIL_MESSAGE:
        email = None
    if email is not None and not regex.fullmatch(EMAIL_MESSAGE_PATTERN, email):
        raise _validation_error("emailBody", EMAIL_MESSAGE_PATTERN)
    if subject is not None and len(subject) > MAX_EMAIL_SUBJECT:
        subject = None
    if subject is not None and not regex.fullmatch(EMAIL_SUBJECT_PATTERN, subject):
        raise _validation_error("emailSubject", EMAIL_SUBJECT_PATTERN)
    return CustomMessageAnswer(subject=subject, body=email)


# ---- PreTokenGeneration ---------------------------------------------------------------------------------------------
def _object(value: Any) -> Mapping[str, Any]:
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise InvalidLambdaResponseException(UNRECOGNIZABLE)
    return value


def _strings(value: Any) -> tuple[str, ...]:
    if value is None:
        return ()
    if not isinstance(value, list) or not all(isinstance(item, str) for item in value):
        raise InvalidLambdaResponseException(UNRECOGNIZABLE)
    return tuple(value)


def _scalar(value: Any) -> bool:
    return isinstance(value, str | bool | int | float) and value is not None


def _claim_value(value: Any, strings_only: bool) -> Any:
    """A claim value a function may set: V1_0 takes strings only; V2_0 and V3_0 also numbers, booleans, arrays of
    those and JSON objects. Anything else is not an answer Cognito reads."""
    if strings_only:
        if not isinstance(value, str):
            raise InvalidLambdaResponseException(UNRECOGNIZABLE)
        return value
    if _scalar(value) or isinstance(value, dict):
        return value
    if isinstance(value, list) and all(_scalar(item) for item in value):
        return value
    raise InvalidLambdaResponseException(UNRECOGNIZABLE)


def _generation(raw: Any, strings_only: bool, scopes: bool) -> TokenGeneration | None:
    if raw is None:
        return None
    details = _object(raw)
    requested = _object(details.get("claimsToAddOrOverride"))
    if strings_only:  # V1_0 sets string claims; Cognito drops other values quietly (unverified)
        requested = {name: value for name, value in requested.items() if isinstance(value, str)}
    add = {name: _claim_value(value, strings_only) for name, value in requested.items()}
    return TokenGeneration(
        add=add,
        suppress=_strings(details.get("claimsToSuppress")),
        scopes_to_add=_strings(details.get("scopesToAdd")) if scopes else (),
        scopes_to_suppress=_strings(details.get("scopesToSuppress")) if scopes else (),
    )


def _groups(raw: Any, present: bool) -> GroupConfiguration | None:
    if not present:
        return None
    details = _object(raw)
    preferred = details.get("preferredRole")
    if preferred is not None and not isinstance(preferred, str):
        raise InvalidLambdaResponseException(UNRECOGNIZABLE)
    return GroupConfiguration(
        groups=_strings(details.get("groupsToOverride")),
        roles=_strings(details.get("iamRolesToOverride")),
        preferred_role=preferred,
    )


def pre_token_generation(output: Mapping[str, Any], lambda_version: str) -> PreTokenAnswer:
    """The answer of a PreTokenGeneration function of ``lambda_version``: V1_0 reads ``claimsOverrideDetails``
    (the ID token only, string claim values), V2_0 and V3_0 ``claimsAndScopeOverrideDetails`` (ID and access
    tokens, scopes). A container of the other version is ignored."""
    response = _response(output)
    if lambda_version == "V1_0":
        if response.get("claimsOverrideDetails") is None:
            return PreTokenAnswer()
        details = _object(response["claimsOverrideDetails"])
        return PreTokenAnswer(
            id_token=_generation(details, strings_only=True, scopes=False),
            groups=_groups(details.get("groupOverrideDetails"), "groupOverrideDetails" in details),
        )
    if response.get("claimsAndScopeOverrideDetails") is None:
        return PreTokenAnswer()
    details = _object(response["claimsAndScopeOverrideDetails"])
    return PreTokenAnswer(
        id_token=_generation(details.get("idTokenGeneration"), strings_only=False, scopes=False),
        access_token=_generation(details.get("accessTokenGeneration"), strings_only=False, scopes=True),
        groups=_groups(details.get("groupOverrideDetails"), "groupOverrideDetails" in details),
    )


# ---- UserMigration --------------------------------------------------------------------------------------------------
FINAL_STATUSES = ("CONFIRMED", "RESET_REQUIRED")
MEDIUMS = ("EMAIL", "SMS")


@dataclass(frozen=True)
class MigrationAnswer:
    """The user a UserMigration function found in the old system: its attributes, the status it starts in
    (``RESET_REQUIRED`` unless said), whether to send the welcome message, by which mediums, and whether its
    email or phone alias may be taken from a user that holds it."""

    attributes: Mapping[str, str]
    final_status: str = "RESET_REQUIRED"
    suppress_message: bool = False
    mediums: tuple[str, ...] = ("SMS",)
    force_alias: bool = False


def user_migration(output: Mapping[str, Any]) -> MigrationAnswer:
    """Cognito's reading of a UserMigration answer. ``userAttributes`` must be an object of strings; the other
    members take Cognito's enums (an unknown value is an unrecognizable answer, unverified)."""
    response = _response(output)
    attributes = response.get("userAttributes")
    if not isinstance(attributes, dict) or not all(isinstance(v, str) for v in attributes.values()):
        raise InvalidLambdaResponseException(UNRECOGNIZABLE)
    status = _text(response, "finalUserStatus") or "RESET_REQUIRED"
    action = _text(response, "messageAction")
    mediums = _strings(response.get("desiredDeliveryMediums")) or ("SMS",)
    if status not in FINAL_STATUSES or action not in (None, "SUPPRESS", "RESEND") or not set(mediums) <= set(MEDIUMS):
        raise InvalidLambdaResponseException(UNRECOGNIZABLE)
    return MigrationAnswer(
        attributes=dict(attributes),
        final_status=status,
        suppress_message=action == "SUPPRESS",
        mediums=mediums,
        force_alias=_flag(response, "forceAliasCreation"),
    )


# ---- custom authentication ------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class DefineAnswer:
    challenge_name: str | None = None
    issue_tokens: bool = False
    fail_authentication: bool = False


def define_auth_challenge(output: Mapping[str, Any]) -> DefineAnswer:
    response = _response(output)
    return DefineAnswer(
        challenge_name=_text(response, "challengeName"),
        issue_tokens=_flag(response, "issueTokens"),
        fail_authentication=_flag(response, "failAuthentication"),
    )


@dataclass(frozen=True)
class CreateAnswer:
    public: Mapping[str, str]
    private: Mapping[str, str]
    metadata: str | None = None


def _string_map(value: Any) -> dict[str, str]:
    if value is None:
        return {}
    if not isinstance(value, dict) or not all(isinstance(v, str) for v in value.values()):
        raise InvalidLambdaResponseException(UNRECOGNIZABLE)
    return dict(value)


def create_auth_challenge(output: Mapping[str, Any]) -> CreateAnswer:
    response = _response(output)
    return CreateAnswer(
        public=_string_map(response.get("publicChallengeParameters")),
        private=_string_map(response.get("privateChallengeParameters")),
        metadata=_text(response, "challengeMetadata"),
    )


def verify_auth_challenge_response(output: Mapping[str, Any]) -> bool:
    return _flag(_response(output), "answerCorrect")
