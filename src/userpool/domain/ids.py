"""Identifiers shaped like Cognito's: pool ids, client ids, client secrets, token sessions, subs, auth events; and
base64url, the encoding of bytes in tokens, PKCE challenges and WebAuthn."""

from __future__ import annotations

import base64
import math
import secrets
import string
import uuid

_POOL_ALPHABET = string.ascii_letters + string.digits
_CLIENT_ALPHABET = string.ascii_lowercase + string.digits


def base64url(data: bytes) -> str:
    """base64url without padding (RFC 4648 section 5, as JWTs, PKCE and WebAuthn write bytes)."""
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def _random_text(alphabet: str, length: int) -> str:
    """``length`` characters of ``alphabet``, each uniform, from one call to the system's random source: 128 bits
    more than the text holds, as one number written in base ``len(alphabet)`` (its last ``length`` digits: the
    number modulo ``len(alphabet) ** length``, a bias below 2**-128)."""
    base = len(alphabet)
    bits = math.ceil(length * math.log2(base)) + 128
    number = int.from_bytes(secrets.token_bytes((bits + 7) // 8), "big")
    digits = []
    for _ in range(length):
        number, digit = divmod(number, base)
        digits.append(alphabet[digit])
    return "".join(digits)


def pool_id(region: str) -> str:
    """``us-east-1_AbC123xyZ``: the region, an underscore and nine letters or digits."""
    return f"{region}_" + _random_text(_POOL_ALPHABET, 9)


def client_id() -> str:
    """26 lowercase letters and digits, as Cognito's app client ids."""
    return _random_text(_CLIENT_ALPHABET, 26)


def client_secret() -> str:
    """51 lowercase letters and digits, as Cognito's app client secrets."""
    return _random_text(_CLIENT_ALPHABET, 51)


def client_secret_id(client_id: str, created_ms: int) -> str:
    """``<client id>--<epoch create time>`` (in milliseconds): Cognito's identifier of one of a client's secrets."""
    return f"{client_id}--{created_ms}"


def token_session_id() -> str:
    """``tkn`` and 25 lowercase letters and digits: a sign-in's token session, as ``ListUserSessions`` names it."""
    return "tkn" + _random_text(_CLIENT_ALPHABET, 25)


def sub() -> str:
    """A random UUID, the user's immutable ``sub``."""
    return str(uuid.uuid4())


def auth_event_id() -> str:
    """A random UUID: an auth event's ``EventId`` (Cognito's look like UUIDs; at most 50 characters of ``[\\w+-]``)."""
    return str(uuid.uuid4())


def pool_arn(region: str, account_id: str, pool: str) -> str:
    return f"arn:aws:cognito-idp:{region}:{account_id}:userpool/{pool}"
