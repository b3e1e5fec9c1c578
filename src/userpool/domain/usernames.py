"""Usernames and the attributes that sign a user in: username attributes, alias attributes, case folding."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence

from userpool.errors import InvalidParameterException

_EMAIL = re.compile(r"[^\s@]+@[^\s@]+")
_PHONE = re.compile(r"\+[0-9]{1,15}")


def is_email(value: str) -> bool:
    return _EMAIL.fullmatch(value) is not None


def is_phone(value: str) -> bool:
    """E.164: a plus sign, then only digits (``+14325551212``)."""
    return _PHONE.fullmatch(value) is not None


def fold(value: str, case_sensitive: bool) -> str:
    """The key a value is compared by: itself, or lower-cased in a case-insensitive pool."""
    return value if case_sensitive else value.lower()


def sign_in_attribute(username: str, username_attributes: Sequence[str], attributes: Mapping[str, str]) -> str:
    """In a pool with UsernameAttributes, which attribute the username fills (``email``/``phone_number``).

    Raises Cognito's InvalidParameterException when the username is not of an allowed kind, or when the
    attributes sent carry a different value for the attribute the username fills.
    """
    allowed = set(username_attributes)
    if "email" in allowed and is_email(username):
        kind = "email"
    elif "phone_number" in allowed and is_phone(username):
        kind = "phone_number"
    elif allowed == {"email"}:
        raise InvalidParameterException("Username should be an email.")
    elif allowed == {"phone_number"}:
        raise InvalidParameterException("Username should be a phone number.")
    else:
        raise InvalidParameterException("Username should be either an email or a phone number.")
    sent = attributes.get(kind)
    if sent is not None and sent != username:
        if kind == "email":
            raise InvalidParameterException(
                "User email should be empty or same as username, since username attribute is email."
            )
        raise InvalidParameterException(
            "User phone_number should be empty or same as username, since username attribute is phone_number."
        )
    return kind


def check_alias_username(username: str, alias_attributes: Sequence[str]) -> None:
    """With email (or phone) as an alias, the username itself may not look like one."""
    if "email" in alias_attributes and is_email(username):
        raise InvalidParameterException(
            "Username cannot be of email format, since user pool is configured for email alias."
        )
    if "phone_number" in alias_attributes and is_phone(username):
        raise InvalidParameterException(
            "Username cannot be of phone number format, since user pool is configured for phone number alias."
        )
