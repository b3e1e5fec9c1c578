"""Confirmation codes: six digits from ``secrets``, stored only as salted hashes, valid 24 hours."""

from __future__ import annotations

import hashlib
import hmac
import secrets

CODE_VALIDITY_SECONDS = 24 * 60 * 60
# What a code is for (its ``purpose`` in the store): one code per user and purpose.
SIGN_UP = "signup"  # the purpose of the code sent at sign-up: void once the user is confirmed, however that happens
FORGOT_PASSWORD = "forgot_password"  # ForgotPassword and AdminResetUserPassword


def verify_purpose(attribute: str) -> str:
    """The purpose of a code that verifies ``attribute`` (GetUserAttributeVerificationCode, an attribute change)."""
    return f"verify_{attribute}"


def generate(digits: int = 6) -> str:
    """A random code of ``digits`` digits (six for confirmations and MFA; eight for one-time sign-in codes)."""
    return f"{secrets.randbelow(10**digits):0{digits}d}"


def hash_code(code: str, salt: bytes | None = None) -> str:
    """``<salt hex>$<sha256 hex>``; the salt makes equal codes of two users hash differently."""
    salt = salt if salt is not None else secrets.token_bytes(16)
    digest = hashlib.sha256(salt + code.encode("utf-8")).hexdigest()
    return f"{salt.hex()}${digest}"


def matches(code: str, stored: str) -> bool:
    salt_hex, _, _ = stored.partition("$")
    candidate = hash_code(code, bytes.fromhex(salt_hex))
    return hmac.compare_digest(candidate.encode("ascii"), stored.encode("ascii"))
