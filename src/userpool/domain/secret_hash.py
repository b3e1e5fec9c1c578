"""SecretHash: Base64(HMAC-SHA256(key=client secret, message=username + client id))."""

from __future__ import annotations

import base64
import hashlib
import hmac


def compute(client_secret: str, username: str, client_id: str) -> str:
    digest = hmac.new(client_secret.encode("utf-8"), (username + client_id).encode("utf-8"), hashlib.sha256).digest()
    return base64.b64encode(digest).decode("ascii")


def verify(client_secret: str, username: str, client_id: str, secret_hash: str) -> bool:
    """Constant-time comparison of the hash a client sent with the one it should have sent."""
    expected = compute(client_secret, username, client_id)
    return hmac.compare_digest(expected.encode("ascii"), secret_hash.encode("utf-8"))
