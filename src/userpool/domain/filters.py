"""ListUsers' Filter: ``AttributeName Filter-Type "AttributeValue"`` with ``=`` (exact) or ``^=`` (prefix)."""

from __future__ import annotations

import re

from userpool.errors import InvalidParameterException

SEARCHABLE = frozenset(
    {
        "username",
        "email",
        "phone_number",
        "name",
        "given_name",
        "family_name",
        "preferred_username",
        "cognito:user_status",
        "status",
        "sub",
    }
)
_FILTER = re.compile(r'\s*([\w:]+)\s*(\^=|=)\s*"((?:[^"\\]|\\.)*)"\s*')


def parse(text: str) -> tuple[str, str, str] | None:
    """``(attribute, operator, value)``, or None for an empty filter (every user)."""
    if not text.strip():
        return None
    match = _FILTER.fullmatch(text)
    if match is None:
        raise InvalidParameterException("Error while parsing filter.")
    name, operator, raw = match.groups()
    if name not in SEARCHABLE:
        raise InvalidParameterException(f"Invalid search attribute: {name}")
    return name, operator, re.sub(r"\\(.)", r"\1", raw)
