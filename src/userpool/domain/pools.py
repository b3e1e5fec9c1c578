"""A user pool's settings: what CreateUserPool / UpdateUserPool store, with Cognito's defaults filled in.

A pool's stored settings are the members of the model's ``UserPoolType`` except its identity and counters
(Id, Name, Arn, dates, EstimatedNumberOfUsers). ``UpdateUserPool`` replaces every updatable setting, resetting
those it does not send to their defaults, as Cognito does; schema, username and alias settings never change.
"""

from __future__ import annotations

import copy
from collections.abc import Mapping
from typing import Any

from userpool.domain import passwordless, pre_token, tags, texts
from userpool.domain.attributes import STANDARD_NAMES, STANDARD_SCHEMA
from userpool.domain.passwords import DEFAULT_POLICY
from userpool.errors import InvalidParameterException

MAX_CUSTOM_ATTRIBUTES = 50
MAX_STRING_LENGTH = 2048  # the longest a String attribute's length constraints may allow
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
    "KeyConfiguration",
    "IssuerConfiguration",
    "AcrConfiguration",
    "DcrConfiguration",
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


def _limit(value: str | None, kind: str, name: str, allow_negative: bool) -> int | None:
    """A constraint bound: absent or empty is no bound; anything else must be a whole number (not negative for a
    length)."""
    if value is None or value == "":
        return None
    try:
        number = int(value)
    except ValueError:
        number = None
    if number is None or (number < 0 and not allow_negative):
        raise InvalidParameterException(texts.INVALID_CONSTRAINTS.format(kind=kind, name=name))
    return number


def _constraints(name: str, kind: str, given: Mapping[str, Any]) -> dict[str, Any] | None:
    """The constraints a String or Number attribute keeps: what was sent, checked as Cognito checks it (the other
    type's constraints are dropped); None for a Number sent without constraints or another type."""
    if kind == "String":
        sent = given.get("StringAttributeConstraints")
        low = _limit((sent or {}).get("MinLength"), "StringAttributeConstraints", name, False)
        high = _limit((sent or {}).get("MaxLength"), "StringAttributeConstraints", name, False)
        if any(bound is not None and bound > MAX_STRING_LENGTH for bound in (low, high)):
            raise InvalidParameterException(
                f"user.{name}: String attributes cannot have a length of more than {MAX_STRING_LENGTH}"
            )
        if low is not None and high is not None and low > high:
            raise InvalidParameterException(f"user.{name}: Max length cannot be less than min length.")
        return dict(sent or {})
    if kind == "Number" and given.get("NumberAttributeConstraints") is not None:
        sent = given["NumberAttributeConstraints"]
        low = _limit(sent.get("MinValue"), "NumberAttributeConstraints", name, True)
        high = _limit(sent.get("MaxValue"), "NumberAttributeConstraints", name, True)
        if low is not None and high is not None and low > high:
            raise InvalidParameterException(f"user.{name}: Max value cannot be less than min value.")
        return dict(sent)
    return None


def custom_attribute_name(given: Mapping[str, Any]) -> str:
    """Cognito always prefixes what it is sent: ``custom:<name>``, or ``dev:custom:<name>`` for a developer-only
    attribute (``custom:x`` sent becomes ``custom:custom:x``)."""
    name = f"custom:{given['Name']}"
    return f"dev:{name}" if given.get("DeveloperOnlyAttribute") else name


def custom_attribute(given: Mapping[str, Any]) -> dict[str, Any]:
    """A custom attribute as the schema stores and DescribeUserPool answers it, from a SchemaAttributeType sent to
    CreateUserPool or AddCustomAttributes. A String keeps its constraints as sent (``{}`` when none); a Number shows
    constraints only when sent; other types have none."""
    name = custom_attribute_name(given)
    kind = given.get("AttributeDataType")
    if kind is None:
        raise InvalidParameterException(
            "Invalid AttributeDataType input, consider using the provided AttributeDataType enum."
        )
    if given.get("Required"):
        raise InvalidParameterException("Required custom attributes are not supported currently.")
    attribute = {
        "Name": name,
        "AttributeDataType": kind,
        "DeveloperOnlyAttribute": bool(given.get("DeveloperOnlyAttribute", False)),
        "Mutable": bool(given.get("Mutable", True)),
        "Required": False,
    }
    constraints = _constraints(name, kind, given)
    if constraints is not None:
        attribute[f"{kind}AttributeConstraints"] = constraints
    return attribute


def _standard_attribute(attribute: dict[str, Any], given: Mapping[str, Any]) -> None:
    """Apply what CreateUserPool sent for a standard attribute: Required, Mutable and its constraints; its type
    and developer-only flag cannot change."""
    name = attribute["Name"]
    if given.get("AttributeDataType", attribute["AttributeDataType"]) != attribute["AttributeDataType"] or given.get(
        "DeveloperOnlyAttribute"
    ):
        raise InvalidParameterException(
            f"You can not change AttributeDataType or set developerOnlyAttribute for standard schema attribute {name}"
        )
    for key in ("Required", "Mutable"):
        if key in given:
            attribute[key] = given[key]
    key = f"{attribute['AttributeDataType']}AttributeConstraints"
    if key in attribute and given.get(key) is not None:
        merged = {**attribute[key], **given[key]}
        _constraints(name, attribute["AttributeDataType"], {key: merged})
        attribute[key] = merged


def _name_of(given: Mapping[str, Any], where: str) -> str:
    """A SchemaAttributeType's Name: the model leaves it optional, the service needs it (the text is the model's
    form for a missing member; unverified)."""
    if given.get("Name") is None:
        raise InvalidParameterException(
            f"1 validation error detected: Value null at '{where}.member.name' failed to satisfy constraint: "
            "Member must not be null"
        )
    return given["Name"]


def _schema(sent: list[Mapping[str, Any]] | None) -> list[dict[str, Any]]:
    schema = [{**a, "DeveloperOnlyAttribute": False} for a in copy.deepcopy(STANDARD_SCHEMA)]
    by_name = {a["Name"]: a for a in schema}
    seen: set[str] = set()  # names as stored: custom attributes with their prefix
    custom: list[dict[str, Any]] = []
    for index, given in enumerate(sent or (), start=1):
        raw = _name_of(given, f"schema.{index}")
        name = raw if raw in STANDARD_NAMES else custom_attribute_name(given)
        if name in seen:
            raise InvalidParameterException(f"Existing attribute already has name {name}.")  # (unverified)
        seen.add(name)
        if raw in STANDARD_NAMES:
            if raw != "sub":
                _standard_attribute(by_name[raw], given)
            continue
        custom.append(custom_attribute(given))
        if len(custom) > MAX_CUSTOM_ATTRIBUTES:
            raise InvalidParameterException(texts.TOO_MANY_CUSTOM_ATTRIBUTES)
    return schema + custom


def add_custom_attributes(schema: list[dict[str, Any]], sent: list[Mapping[str, Any]]) -> list[dict[str, Any]]:
    """The schema after AddCustomAttributes: each new attribute appended, or Cognito's error for a name the schema
    (or the same request) already has, or for more than 50 custom attributes in all."""
    result = copy.deepcopy(schema)
    names = {a["Name"] for a in result}
    for index, given in enumerate(sent, start=1):
        _name_of(given, f"customAttributes.{index}")
        name = custom_attribute_name(given)
        if name in names:
            raise InvalidParameterException(f"custom:{given['Name']}: Existing attribute already has name {name}.")
        result.append(custom_attribute(given))
        names.add(name)
    if sum(1 for a in result if a["Name"] not in STANDARD_NAMES) > MAX_CUSTOM_ATTRIBUTES:
        raise InvalidParameterException(texts.TOO_MANY_CUSTOM_ATTRIBUTES)
    return result


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


def _temporary_password_days(request: Mapping[str, Any]) -> int:
    """How long a temporary password lasts: ``PasswordPolicy.TemporaryPasswordValidityDays``, or the deprecated
    ``AdminCreateUserConfig.UnusedAccountValidityDays`` it replaced (0 meaning unset), or 7. Both are one setting,
    answered in both places; sending two different values is refused, as Cognito does (the same value twice is
    what a DescribeUserPool answer sent back to UpdateUserPool holds)."""
    policy_days = ((request.get("Policies") or {}).get("PasswordPolicy") or {}).get("TemporaryPasswordValidityDays")
    account_days = (request.get("AdminCreateUserConfig") or {}).get("UnusedAccountValidityDays") or None
    if policy_days is not None and account_days is not None and policy_days != account_days:
        raise InvalidParameterException(texts.TEMPORARY_PASSWORD_DAYS_TWICE)
    for days in (policy_days, account_days):
        if days is not None:
            return int(days)
    return int(DEFAULT_POLICY["TemporaryPasswordValidityDays"])


def _mutable_settings(request: Mapping[str, Any]) -> dict[str, Any]:
    config: dict[str, Any] = {
        "Policies": _policies(request.get("Policies")),
        "DeletionProtection": request.get("DeletionProtection", "INACTIVE"),
        "LambdaConfig": pre_token.lambda_config(request.get("LambdaConfig")),
        "MfaConfiguration": request.get("MfaConfiguration", "OFF"),
        "EmailConfiguration": dict(request.get("EmailConfiguration") or {"EmailSendingAccount": "COGNITO_DEFAULT"}),
        "UserPoolTags": tags.check_count(request.get("UserPoolTags") or {}),
        "AdminCreateUserConfig": {
            "AllowAdminCreateUserOnly": False,
            "UnusedAccountValidityDays": 7,
            **(request.get("AdminCreateUserConfig") or {}),
        },
        "UserPoolTier": request.get("UserPoolTier", "ESSENTIALS"),
    }
    days = _temporary_password_days(request)
    config["Policies"]["PasswordPolicy"]["TemporaryPasswordValidityDays"] = days
    config["AdminCreateUserConfig"]["UnusedAccountValidityDays"] = days
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
    passwordless.check_policy(config)
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
