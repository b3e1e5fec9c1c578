"""SecretHash: Base64(HMAC-SHA256(key=client secret, message=username + client id)), and a client's own secret.

A confidential client has one or two active secrets (rotation): a request is authenticated when what it sent fits
any of them. Every secret is compared, whichever fits, each in constant time, so the answer's timing tells neither
which secret fitted nor how much of one did."""

from __future__ import annotations

import base64
import hashlib
import hmac
from collections.abc import Sequence


def compute(client_secret: str, username: str, client_id: str) -> str:
    digest = hmac.new(client_secret.encode("utf-8"), (username + client_id).encode("utf-8"), hashlib.sha256).digest()
    return base64.b64encode(digest).decode("ascii")


def verify(client_secret: str, username: str, client_id: str, secret_hash: str) -> bool:
    """Constant-time comparison of the hash a client sent with the one it should have sent."""
    expected = compute(client_secret, username, client_id)
    return hmac.compare_digest(expected.encode("ascii"), secret_hash.encode("utf-8"))


def verify_any(client_secrets: Sequence[str], username: str, client_id: str, secret_hash: str) -> bool:
    """Whether ``secret_hash`` was made with any of the client's active secrets (each one checked, in constant
    time)."""
    fits = [verify(secret, username, client_id, secret_hash) for secret in client_secrets]
    return any(fits)


def secret_matches(client_secrets: Sequence[str], sent: str) -> bool:
    """Whether ``sent`` is one of the client's active secrets (each one compared, in constant time)."""
    fits = [hmac.compare_digest(secret.encode("utf-8"), sent.encode("utf-8")) for secret in client_secrets]
    return any(fits)
