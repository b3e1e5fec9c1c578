"""A user pool's settings: what CreateUserPool / UpdateUserPool store, with Cognito's defaults filled in.

A pool's stored settings are the members of the model's ``UserPoolType`` except its identity and counters
(Id, Name, Arn, dates, EstimatedNumberOfUsers). ``UpdateUserPool`` replaces every updatable setting, resetting
those it does not send to their defaults, as Cognito does; schema, username and alias settings never change.
"""

from __future__ import annotations

import copy
from collections.abc import Mapping
from typing import Any

from userpool.domain import pre_token
from userpool.domain.attributes import STANDARD_NAMES, STANDARD_SCHEMA
from userpool.domain.passwords import DEFAULT_POLICY
from userpool.errors import InvalidParameterException

MAX_CUSTOM_ATTRIBUTES = 50
DEFAULT_EMAIL_MESSAGE = "Your verification code is {####}. "
DEFAULT_EMAIL_SUBJECT = "Your verification code"
DEFAULT_SMS_MESSAGE = "Your verification code is {####}. "

# Settings fixed at creation: UpdateUserPool neither takes nor resets them.
IMMUTABLE = ("SchemaAttributes", "UsernameAttributes", "AliasAttributes", "UsernameConfiguration")
# Settings UpdateUserPool sets as sent (absent means absent), beside those with defaults below.
AS_SENT = (
    "AutoVerifiedAttributes",
    "SmsVerificationMessage",
    "EmailVerificationMessage",
    "EmailVerificationSubject",
    "SmsAuthenticationMessage",
    "UserAttributeUpdateSettings",
    "DeviceConfiguration",
    "SmsConfiguration",
    "UserPoolAddOns",
    "AccountRecoverySetting",
)


def _policies(sent: Mapping[str, Any] | None) -> dict[str, Any]:
    policies = copy.deepcopy(dict(sent or {}))
    if "PasswordPolicy" in policies:
        given = policies["PasswordPolicy"]
        policy = {
            "MinimumLength": given.get("MinimumLength", DEFAULT_POLICY["MinimumLength"]),
            "RequireUppercase": bool(given.get("RequireUppercase", False)),
            "RequireLowercase": bool(given.get("RequireLowercase", False)),
            "RequireNumbers": bool(given.get("RequireNumbers", False)),
            "RequireSymbols": bool(given.get("RequireSymbols", False)),
            "TemporaryPasswordValidityDays": given.get(
                "TemporaryPasswordValidityDays", DEFAULT_POLICY["TemporaryPasswordValidityDays"]
            ),
        }
        if "PasswordHistorySize" in given:
            policy["PasswordHistorySize"] = given["PasswordHistorySize"]
        policies["PasswordPolicy"] = policy
    else:
        policies["PasswordPolicy"] = dict(DEFAULT_POLICY)
    policies.setdefault("SignInPolicy", {"AllowedFirstAuthFactors": ["PASSWORD"]})
    return policies


def _schema(sent: list[Mapping[str, Any]] | None) -> list[dict[str, Any]]:
    schema = [{**a, "DeveloperOnlyAttribute": False} for a in copy.deepcopy(STANDARD_SCHEMA)]
    by_name = {a["Name"]: a for a in schema}
    seen: set[str] = set()  # names as stored: custom attributes with their "custom:" prefix
    custom = 0
    for index, given in enumerate(sent or (), start=1):
        raw = given.get("Name")
        if raw is None:
            # (unverified) Cognito's text; the model leaves Name optional, the service needs it.
            raise InvalidParameterException(
                f"1 validation error detected: Value null at 'schema.{index}.member.name' failed to satisfy "
                "constraint: Member must not be null"
            )
        name = raw if raw in STANDARD_NAMES or raw.startswith("custom:") else f"custom:{raw}"
        if name in seen:
            raise InvalidParameterException(f"Existing attribute already has name {name}.")
        seen.add(name)
        if raw in STANDARD_NAMES:
            attribute = by_name[raw]
            if raw == "sub":
                continue
            for key in ("Required", "Mutable", "DeveloperOnlyAttribute"):
                if key in given:
                    attribute[key] = given[key]
            for key in ("StringAttributeConstraints", "NumberAttributeConstraints"):
                if key in given and key in attribute:
                    attribute[key] = {**attribute[key], **given[key]}
            continue
        if given.get("Required"):
            raise InvalidParameterException("Required custom attributes are not supported currently.")
        custom += 1
        if custom > MAX_CUSTOM_ATTRIBUTES:
            raise InvalidParameterException(f"A user pool can have at most {MAX_CUSTOM_ATTRIBUTES} custom attributes.")
        kind = given.get("AttributeDataType", "String")
        attribute = {
            "Name": name,
            "AttributeDataType": kind,
            "DeveloperOnlyAttribute": bool(given.get("DeveloperOnlyAttribute", False)),
            "Mutable": bool(given.get("Mutable", True)),
            "Required": False,
        }
        if kind == "String":
            attribute["StringAttributeConstraints"] = dict(given.get("StringAttributeConstraints") or {})
        elif kind == "Number":
            attribute["NumberAttributeConstraints"] = dict(given.get("NumberAttributeConstraints") or {})
        schema.append(attribute)
    return schema


def _verification_template(request: Mapping[str, Any]) -> dict[str, Any]:
    """VerificationMessageTemplate and the legacy top-level fields are two views of one setting."""
    template = dict(request.get("VerificationMessageTemplate") or {})
    for legacy, modern in (
        ("EmailVerificationMessage", "EmailMessage"),
        ("EmailVerificationSubject", "EmailSubject"),
        ("SmsVerificationMessage", "SmsMessage"),
    ):
        if legacy in request and modern not in template:
            template[modern] = request[legacy]
    template.setdefault("DefaultEmailOption", "CONFIRM_WITH_CODE")
    if template["DefaultEmailOption"] == "CONFIRM_WITH_LINK" and "EmailMessageByLink" in template:
        if "{##" not in template["EmailMessageByLink"]:
            raise InvalidParameterException("EmailMessageByLink must contain a link placeholder {##...##}.")
    return template


def _mutable_settings(request: Mapping[str, Any]) -> dict[str, Any]:
    config: dict[str, Any] = {
        "Policies": _policies(request.get("Policies")),
        "DeletionProtection": request.get("DeletionProtection", "INACTIVE"),
        "LambdaConfig": pre_token.lambda_config(request.get("LambdaConfig")),
        "MfaConfiguration": request.get("MfaConfiguration", "OFF"),
        "EmailConfiguration": dict(request.get("EmailConfiguration") or {"EmailSendingAccount": "COGNITO_DEFAULT"}),
        "UserPoolTags": dict(request.get("UserPoolTags") or {}),
        "AdminCreateUserConfig": {
            "AllowAdminCreateUserOnly": False,
            "UnusedAccountValidityDays": 7,
            **(request.get("AdminCreateUserConfig") or {}),
        },
        "UserPoolTier": request.get("UserPoolTier", "ESSENTIALS"),
    }
    for key in AS_SENT:
        if key in request:
            config[key] = copy.deepcopy(request[key])
    template = _verification_template(request)
    config["VerificationMessageTemplate"] = template
    for legacy, modern in (
        ("EmailVerificationMessage", "EmailMessage"),
        ("EmailVerificationSubject", "EmailSubject"),
        ("SmsVerificationMessage", "SmsMessage"),
    ):
        if modern in template:
            config[legacy] = template[modern]
    for attribute in config.get("AutoVerifiedAttributes", ()):
        if attribute not in ("email", "phone_number"):
            raise InvalidParameterException(f"Invalid auto verified attribute {attribute}.")
    return config


def settings_for_create(request: Mapping[str, Any]) -> dict[str, Any]:
    """The settings a new pool stores, from a CreateUserPool request."""
    if request.get("UsernameAttributes") and request.get("AliasAttributes"):
        raise InvalidParameterException(
            "Only one of the aliasAttributes or usernameAttributes can be set in a User Pool."
        )
    config = _mutable_settings(request)
    config["SchemaAttributes"] = _schema(request.get("Schema"))
    for key in ("UsernameAttributes", "AliasAttributes", "UsernameConfiguration"):
        if key in request:
            config[key] = copy.deepcopy(request[key])
    return config


def settings_for_update(current: Mapping[str, Any], request: Mapping[str, Any]) -> dict[str, Any]:
    """The settings after an UpdateUserPool: every updatable one as sent (or its default), the rest kept."""
    config = _mutable_settings(request)
    for key in IMMUTABLE:
        if key in current:
            config[key] = copy.deepcopy(current[key])
    return config


def case_sensitive(config: Mapping[str, Any]) -> bool:
    """The API's default is case-sensitive; only ``UsernameConfiguration.CaseSensitive=false`` folds case."""
    return bool((config.get("UsernameConfiguration") or {}).get("CaseSensitive", True))


def password_policy(config: Mapping[str, Any]) -> Mapping[str, Any]:
    return config["Policies"]["PasswordPolicy"]


def temporary_password_seconds(config: Mapping[str, Any]) -> int:
    """How long a temporary password (AdminCreateUser, AdminSetUserPassword) works: the policy's days."""
    return int(password_policy(config).get("TemporaryPasswordValidityDays", 7)) * 86400
