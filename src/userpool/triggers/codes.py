"""Codes handed to custom sender functions are encrypted, never sent in plain text.

Cognito encrypts them with the pool's KMS key through the AWS Encryption SDK. Here the key is local: 16, 24 or 32
bytes given base64-encoded in ``USERPOOL_TRIGGER_CODE_KEY``, and the envelope is

    code = base64( nonce (12 bytes) || AES-GCM ciphertext of the UTF-8 code || tag (16 bytes) )

with no associated data; see ``open_code`` (and the README) for the few lines a function needs to decrypt it.
"""

from __future__ import annotations

import base64
import binascii
import secrets

from cryptography.hazmat.primitives.ciphers.aead import AESGCM

NONCE_BYTES = 12


class CodeKeyError(ValueError):
    """The configured key is not base64 of 16, 24 or 32 bytes."""


def read_key(encoded: str) -> bytes:
    try:
        key = base64.b64decode(encoded, validate=True)
    except (binascii.Error, ValueError):
        raise CodeKeyError("USERPOOL_TRIGGER_CODE_KEY must be base64 (of 16, 24 or 32 bytes)") from None
    if len(key) not in (16, 24, 32):
        raise CodeKeyError(f"USERPOOL_TRIGGER_CODE_KEY must decode to 16, 24 or 32 bytes, not {len(key)}")
    return key


def seal_code(key: bytes, code: str) -> str:
    nonce = secrets.token_bytes(NONCE_BYTES)
    return base64.b64encode(nonce + AESGCM(key).encrypt(nonce, code.encode("utf-8"), None)).decode("ascii")


def open_code(key: bytes, sealed: str) -> str:
    """What a custom sender function does with ``event["request"]["code"]``."""
    raw = base64.b64decode(sealed)
    return AESGCM(key).decrypt(raw[:NONCE_BYTES], raw[NONCE_BYTES:], None).decode("utf-8")
