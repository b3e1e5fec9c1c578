"""User attributes: the standard schema, custom attributes, and the checks SignUp applies to what it is sent.

Messages follow Cognito's ``Attributes did not conform to the schema: <name>: <problem>\\n`` form. The
wording of the per-type constraint problems is not confirmed by any public source (unverified).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from decimal import Decimal, InvalidOperation
from typing import Any

from userpool.domain import texts, usernames
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


def schema_by_name(schema: Iterable[Mapping[str, Any]]) -> dict[str, Mapping[str, Any]]:
    return {a["Name"]: a for a in schema}


def writable_by_default(schema: Iterable[Mapping[str, Any]]) -> list[str]:
    """What an app client may write when its WriteAttributes is unset: every mutable attribute but sub."""
    return [a["Name"] for a in schema if a["Name"] != "sub" and not a.get("DeveloperOnlyAttribute")]


def client_writable(schema: Iterable[Mapping[str, Any]], write_attributes: Iterable[str] | None) -> set[str]:
    """What an app client may write: its WriteAttributes (every attribute but sub when unset), never a
    developer-only (``dev:custom:``) attribute, which only IAM-authenticated administrator operations write."""
    schema = list(schema)
    developer_only = {a["Name"] for a in schema if a.get("DeveloperOnlyAttribute")}
    chosen = set(write_attributes) if write_attributes is not None else set(writable_by_default(schema))
    return chosen - developer_only


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
            number = Decimal("NaN")
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


def schema_error(problems: Sequence[str]) -> InvalidParameterException:
    """Cognito's ``Attributes did not conform to the schema: <problem>\\n...`` error."""
    return InvalidParameterException(texts.SCHEMA_MISMATCH + "".join(f"{p}\n" for p in problems))


def check_known(names: Iterable[str], by_name: Mapping[str, Mapping[str, Any]]) -> None:
    """Every name must be an attribute of the pool's schema."""
    unknown = [n for n in names if n not in by_name]
    if unknown:
        raise schema_error([texts.NOT_IN_SCHEMA.format(name=n) for n in unknown])


def check_formats(attributes: Mapping[str, str]) -> None:
    """An email must look like one, a phone number must be E.164."""
    if "email" in attributes and not usernames.is_email(attributes["email"]):
        raise InvalidParameterException(texts.INVALID_EMAIL)
    if "phone_number" in attributes and not usernames.is_phone(attributes["phone_number"]):
        raise InvalidParameterException(texts.INVALID_PHONE)


def value_problems(attributes: Mapping[str, str], by_name: Mapping[str, Mapping[str, Any]]) -> list[str]:
    """``<name>: <problem>`` for each value its type or constraints refuse (names must be known)."""
    problems = []
    for name, value in attributes.items():
        problem = _value_problem(by_name[name], value)
        if problem:
            problems.append(f"{name}: {problem}")
    return problems


def missing_required(schema: Iterable[Mapping[str, Any]], attributes: Mapping[str, str]) -> list[str]:
    """The schema's required attributes (but ``sub``, which Cognito sets) that ``attributes`` lacks or leaves empty."""
    return [a["Name"] for a in schema if a.get("Required") and a["Name"] != "sub" and not attributes.get(a["Name"])]


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
    check_known(attributes, by_name)
    writable = client_writable(schema, write_attributes)
    skip = set(implied)
    if any(n in NEVER_WRITABLE_AT_SIGN_UP or n not in writable for n in attributes if n not in skip):
        raise NotAuthorizedException(texts.UNAUTHORIZED_WRITE)
    check_formats(attributes)
    problems = value_problems(attributes, by_name)
    problems += [texts.REQUIRED_ATTRIBUTE.format(name=n) for n in missing_required(schema, attributes)]
    if problems:
        raise schema_error(problems)


def check_deletion_known(names: Iterable[str], by_name: Mapping[str, Mapping[str, Any]]) -> None:
    """Admin/DeleteUserAttributes' first check: every name must be in the schema (all unknown ones reported)."""
    unknown = [n for n in dict.fromkeys(names) if n not in by_name]
    if unknown:
        raise _invalid_user_attributes(texts.NOT_IN_SCHEMA.format(name=f"user.{n}") for n in unknown)


def check_deletable(names: Iterable[str], by_name: Mapping[str, Mapping[str, Any]]) -> None:
    """Then no required or immutable attribute may be deleted (``sub`` is both)."""
    names = list(dict.fromkeys(names))
    required = [n for n in names if by_name[n].get("Required")]
    if required:
        raise _invalid_user_attributes(texts.REQUIRED_NOT_DELETABLE.format(name=f"user.{n}") for n in required)
    immutable = [n for n in names if not by_name[n].get("Mutable", True)]
    if immutable:
        raise _invalid_user_attributes(texts.IMMUTABLE_NOT_DELETABLE.format(name=f"user.{n}") for n in immutable)


def _invalid_user_attributes(problems: Iterable[str]) -> InvalidParameterException:
    return InvalidParameterException(texts.INVALID_USER_ATTRIBUTES + "".join(f"{p}\n" for p in problems))


def with_verified_flags(names: Iterable[str]) -> list[str]:
    """The attributes a deletion removes: those named, and the verified flag of a deleted email or phone number."""
    removed = list(dict.fromkeys(names))
    return removed + [VERIFIED_FLAGS[n] for n in removed if n in VERIFIED_FLAGS and VERIFIED_FLAGS[n] not in removed]


def from_list(items: Iterable[Mapping[str, str]] | None) -> dict[str, str]:
    """``[{"Name": n, "Value": v}, ...]`` as a dict; a repeated name keeps its last value."""
    return {item["Name"]: item.get("Value", "") for item in items or ()}


def to_list(attributes: Mapping[str, str], names: Iterable[str] | None = None) -> list[dict[str, str]]:
    wanted = None if names is None else set(names)
    return [{"Name": n, "Value": v} for n, v in attributes.items() if wanted is None or n in wanted]
