"""Password policy (Cognito's rules and messages) and argon2id hashing parameters.

Only the policy check lives here; the hashing itself is CPU work and runs in the bounded pool of
``userpool.hashing`` so it never blocks the event loop.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from argon2 import PasswordHasher
from argon2.low_level import Type

# Cognito's special characters, plus the (inner) space.
SYMBOLS = frozenset("^$*.[]{}()?\"!@#%&/\\,><':;|_~`=+- ")

DEFAULT_POLICY: dict[str, Any] = {
    "MinimumLength": 8,
    "RequireUppercase": True,
    "RequireLowercase": True,
    "RequireNumbers": True,
    "RequireSymbols": True,
    "TemporaryPasswordValidityDays": 7,
}

# Each operation words the same failure its own way.
SIGN_UP_PREFIX = "Password did not conform with policy: "


def policy_violation(password: str, policy: Mapping[str, Any]) -> str | None:
    """The first rule the password breaks, worded as Cognito words it, or None.

    Cognito reports one rule per call. The order (length, upper, lower, numbers, symbols) follows the order
    of the policy's fields; no public source confirms Cognito's own order (unverified).
    """
    if len(password) < int(policy.get("MinimumLength", 8)):
        return "Password not long enough"
    if policy.get("RequireUppercase") and not any("A" <= c <= "Z" for c in password):
        return "Password must have uppercase characters"
    if policy.get("RequireLowercase") and not any("a" <= c <= "z" for c in password):
        return "Password must have lowercase characters"
    if policy.get("RequireNumbers") and not any("0" <= c <= "9" for c in password):
        return "Password must have numeric characters"
    if policy.get("RequireSymbols") and not any(c in SYMBOLS for c in password):
        return "Password must have symbol characters"
    return None


def new_hasher() -> PasswordHasher:
    """argon2id, 19 MiB, t=2, p=1 (OWASP's first recommended setting)."""
    return PasswordHasher(time_cost=2, memory_cost=19 * 1024, parallelism=1, type=Type.ID)
