"""Client secrets sealed at rest: AES-256-GCM under a key that lives outside the database.

The service must compute SecretHash, so it needs each client secret itself, not a one-way hash of it. A secret is
stored as ``v1:<base64(nonce | ciphertext | tag)>``, encrypted with a 256-bit key and authenticated together with
its client id (a sealed secret copied onto another client's row does not open). A database dump or backup alone
does not reveal secrets; the dump *and* the key do. The key comes from ``USERPOOL_SECRET_KEY`` (base64), from
the file ``USERPOOL_SECRET_KEY_FILE``, or else from ``<data_dir>/secret.key``, created (mode 0600) on first start.
Every process sharing a store must use the same key, and losing it makes the sealed secrets unusable: back it up
separately from the database.
"""

from __future__ import annotations

import base64
import binascii
import os
import secrets
from pathlib import Path

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

PREFIX = "v1:"
KEY_BYTES = 32
_NONCE_BYTES = 12


class SealingError(Exception):
    """A sealed value could not be opened: another key sealed it, or it was altered."""


def decode_key(text: str) -> bytes:
    try:
        key = base64.b64decode(text.strip(), validate=True)
    except (binascii.Error, ValueError):
        raise ValueError("the secret key must be base64 of 32 bytes") from None
    if len(key) != KEY_BYTES:
        raise ValueError("the secret key must be base64 of 32 bytes")
    return key


def load_or_create_key(path: Path) -> bytes:
    """The key in ``path``; a new random one written there (readable by its owner only) if the file is absent."""
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        encoded = base64.b64encode(secrets.token_bytes(KEY_BYTES)).decode("ascii")
        try:
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:
            pass  # another process created it first: use theirs
        else:
            with os.fdopen(fd, "w") as fh:
                fh.write(encoded + "\n")
    return decode_key(path.read_text())


class SecretBox:
    def __init__(self, key: bytes) -> None:
        self._aead = AESGCM(key)

    def seal(self, plaintext: str, context: str) -> str:
        nonce = secrets.token_bytes(_NONCE_BYTES)
        sealed = self._aead.encrypt(nonce, plaintext.encode("utf-8"), context.encode("utf-8"))
        return PREFIX + base64.b64encode(nonce + sealed).decode("ascii")

    def open(self, sealed: str, context: str) -> str:
        if not sealed.startswith(PREFIX):
            raise SealingError("unknown sealed-value format")
        try:
            raw = base64.b64decode(sealed[len(PREFIX) :], validate=True)
            plaintext = self._aead.decrypt(raw[:_NONCE_BYTES], raw[_NONCE_BYTES:], context.encode("utf-8"))
        except (binascii.Error, ValueError, InvalidTag):
            raise SealingError("the value does not open with this key") from None
        return plaintext.decode("utf-8")
