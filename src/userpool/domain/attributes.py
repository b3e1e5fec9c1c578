"""User attributes: the standard schema, custom attributes, and the checks SignUp applies to what it is sent.

Messages follow Cognito's ``Attributes did not conform to the schema: <name>: <problem>\\n`` form. The
wording of the per-type constraint problems is not confirmed by any public source (unverified).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from decimal import Decimal, InvalidOperation
from typing import Any

from userpool.domain import usernames
from userpool.errors import InvalidParameterException, NotAuthorizedException

_STRING = {"MinLength": "0", "MaxLength": "2048"}

# Cognito's standard schema, in the order DescribeUserPool lists it.
STANDARD_SCHEMA: tuple[dict[str, Any], ...] = (
    {"Name": "sub", "AttributeDataType": "String", "Mutable": False, "Required": True,
     "StringAttributeConstraints": {"MinLength": "1", "MaxLength": "2048"}},
    *({"Name": n, "AttributeDataType": "String", "Mutable": True, "Required": False,
       "StringAttributeConstraints": _STRING}
      for n in ("name", "given_name", "family_name", "middle_name", "nickname", "preferred_username",
                "profile", "picture", "website", "email")),
    {"Name": "email_verified", "AttributeDataType": "Boolean", "Mutable": True, "Required": False},
    {"Name": "gender", "AttributeDataType": "String", "Mutable": True, "Required": False,
     "StringAttributeConstraints": _STRING},
    {"Name": "birthdate", "AttributeDataType": "String", "Mutable": True, "Required": False,
     "StringAttributeConstraints": {"MinLength": "10", "MaxLength": "10"}},
    *({"Name": n, "AttributeDataType": "String", "Mutable": True, "Required": False,
       "StringAttributeConstraints": _STRING}
      for n in ("zoneinfo", "locale", "phone_number")),
    {"Name": "phone_number_verified", "AttributeDataType": "Boolean", "Mutable": True, "Required": False},
    {"Name": "address", "AttributeDataType": "String", "Mutable": True, "Required": False,
     "StringAttributeConstraints": _STRING},
    {"Name": "updated_at", "AttributeDataType": "Number", "Mutable": True, "Required": False,
     "NumberAttributeConstraints": {"MinValue": "0"}},
)  # fmt: skip
STANDARD_NAMES = frozenset(a["Name"] for a in STANDARD_SCHEMA)
VERIFIED_FLAGS = {"email": "email_verified", "phone_number": "phone_number_verified"}
# Attributes no app client may write at sign-up: Cognito owns them.
NEVER_WRITABLE_AT_SIGN_UP = frozenset({"sub", "email_verified", "phone_number_verified"})
UNAUTHORIZED_WRITE = "A client attempted to write unauthorized attribute"


def schema_by_name(schema: Iterable[Mapping[str, Any]]) -> dict[str, Mapping[str, Any]]:
    return {a["Name"]: a for a in schema}


def writable_by_default(schema: Iterable[Mapping[str, Any]]) -> list[str]:
    """What an app client may write when its WriteAttributes is unset: every mutable attribute but sub."""
    return [a["Name"] for a in schema if a["Name"] != "sub" and not a.get("DeveloperOnlyAttribute")]


def _value_problem(attribute: Mapping[str, Any], value: str) -> str | None:
    kind = attribute.get("AttributeDataType", "String")
    if kind == "String":
        limits = attribute.get("StringAttributeConstraints") or {}
        if "MaxLength" in limits and len(value) > int(limits["MaxLength"]):
            return f"String must be no longer than {limits['MaxLength']} characters"
        if "MinLength" in limits and len(value) < int(limits["MinLength"]):
            return f"String must be at least {limits['MinLength']} characters"
    elif kind == "Number":
        try:
            number = Decimal(value)
        except InvalidOperation:
            return "Number must be a valid number"
        if not number.is_finite():
            return "Number must be a valid number"
        limits = attribute.get("NumberAttributeConstraints") or {}
        if "MaxValue" in limits and number > Decimal(limits["MaxValue"]):
            return f"Number must be no greater than {limits['MaxValue']}"
        if "MinValue" in limits and number < Decimal(limits["MinValue"]):
            return f"Number must be no less than {limits['MinValue']}"
    elif kind == "Boolean":
        if value.lower() not in ("true", "false"):
            return "Boolean must be true or false"
    return None


def _schema_error(problems: Sequence[str]) -> InvalidParameterException:
    return InvalidParameterException("Attributes did not conform to the schema: " + "".join(f"{p}\n" for p in problems))


def check_sign_up_attributes(
    attributes: Mapping[str, str],
    schema: Sequence[Mapping[str, Any]],
    write_attributes: Sequence[str] | None,
    implied: Iterable[str] = (),
) -> None:
    """Every rule SignUp applies to UserAttributes, raising Cognito's error for the first kind that fails.

    Order: names that do not exist, then what the app client may not write, then formats (email, phone),
    then values against their type and constraints together with missing required attributes.
    ``implied`` names attributes the request did not send but the username fills (no write check for them).
    """
    by_name = schema_by_name(schema)
    unknown = [n for n in attributes if n not in by_name]
    if unknown:
        raise _schema_error([f"{n}: Attribute does not exist in the schema." for n in unknown])
    writable = set(write_attributes) if write_attributes is not None else set(writable_by_default(schema))
    skip = set(implied)
    if any(n in NEVER_WRITABLE_AT_SIGN_UP or n not in writable for n in attributes if n not in skip):
        raise NotAuthorizedException(UNAUTHORIZED_WRITE)
    if "email" in attributes and not usernames.is_email(attributes["email"]):
        raise InvalidParameterException("Invalid email address format.")
    if "phone_number" in attributes and not usernames.is_phone(attributes["phone_number"]):
        raise InvalidParameterException("Invalid phone number format.")
    problems = []
    for name, value in attributes.items():
        problem = _value_problem(by_name[name], value)
        if problem:
            problems.append(f"{name}: {problem}")
    for attribute in schema:
        name = attribute["Name"]
        if attribute.get("Required") and name != "sub" and not attributes.get(name):
            problems.append(f"{name}: The attribute is required")
    if problems:
        raise _schema_error(problems)


def from_list(items: Iterable[Mapping[str, str]] | None) -> dict[str, str]:
    """``[{"Name": n, "Value": v}, ...]`` as a dict; a repeated name keeps its last value."""
    return {item["Name"]: item.get("Value", "") for item in items or ()}


def to_list(attributes: Mapping[str, str], names: Iterable[str] | None = None) -> list[dict[str, str]]:
    wanted = None if names is None else set(names)
    return [{"Name": n, "Value": v} for n, v in attributes.items() if wanted is None or n in wanted]
