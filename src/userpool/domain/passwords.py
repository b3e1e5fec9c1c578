"""Password policy (Cognito's rules and messages) and argon2id hashing parameters.

Only the policy check lives here; the hashing itself is CPU work and runs in the bounded pool of
``userpool.hashing`` so it never blocks the event loop.
"""

from __future__ import annotations

import secrets
from collections.abc import Mapping
from typing import Any

from argon2 import PasswordHasher
from argon2.low_level import Type

from userpool.errors import InvalidPasswordException

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


def check_policy(password: str, policy: Mapping[str, Any], prefix: str) -> None:
    """Refuse a password that breaks ``policy``; ``prefix`` words the failure as the operation does
    (``texts.*_POLICY_PREFIX``)."""
    violation = policy_violation(password, policy)
    if violation:
        raise InvalidPasswordException(prefix + violation)


# argon2id, 19 MiB, t=2, p=1: OWASP's first recommended setting, our default.
HASH_MEMORY_KIB = 19 * 1024
HASH_ITERATIONS = 2
# OWASP's weakest recommended setting (7 MiB, t=5): memory × iterations below this is weaker than it recommends.
OWASP_MINIMUM_KIB_ITERATIONS = 7 * 1024 * 5


def new_hasher(memory_kib: int = HASH_MEMORY_KIB, iterations: int = HASH_ITERATIONS) -> PasswordHasher:
    """argon2id with these parameters (p=1). A stored hash carries its own parameters, so hashes made with other
    parameters keep verifying when they change."""
    return PasswordHasher(time_cost=iterations, memory_cost=memory_kib, parallelism=1, type=Type.ID)


def below_owasp(memory_kib: int, iterations: int) -> bool:
    """Whether argon2id at these parameters costs less than OWASP's weakest recommended setting."""
    return memory_kib * iterations < OWASP_MINIMUM_KIB_ITERATIONS


_UPPER = "ABCDEFGHJKLMNPQRSTUVWXYZ"
_LOWER = "abcdefghijkmnopqrstuvwxyz"
_DIGITS = "23456789"
_SYMBOLS = "^$*.[]{}()?!@#%&/,><:;|_~=+-"


def temporary_password(policy: Mapping[str, Any]) -> str:
    """A random password that meets ``policy``: at least one of each class, at least 12 characters."""
    length = max(12, int(policy.get("MinimumLength", 8)))
    classes = [_UPPER, _LOWER, _DIGITS, _SYMBOLS]
    chars = [secrets.choice(c) for c in classes]
    alphabet = "".join(classes)
    chars += [secrets.choice(alphabet) for _ in range(length - len(chars))]
    for i in range(len(chars) - 1, 0, -1):  # Fisher-Yates with a CSPRNG
        j = secrets.randbelow(i + 1)
        chars[i], chars[j] = chars[j], chars[i]
    return "".join(chars)
