"""Identifiers shaped like Cognito's: pool ids, client ids, client secrets, token sessions, subs, auth events."""

from __future__ import annotations

import secrets
import string
import uuid

_POOL_ALPHABET = string.ascii_letters + string.digits
_CLIENT_ALPHABET = string.ascii_lowercase + string.digits


def pool_id(region: str) -> str:
    """``us-east-1_AbC123xyZ``: the region, an underscore and nine letters or digits."""
    return f"{region}_" + "".join(secrets.choice(_POOL_ALPHABET) for _ in range(9))


def client_id() -> str:
    """26 lowercase letters and digits, as Cognito's app client ids."""
    return "".join(secrets.choice(_CLIENT_ALPHABET) for _ in range(26))


def client_secret() -> str:
    """51 lowercase letters and digits, as Cognito's app client secrets."""
    return "".join(secrets.choice(_CLIENT_ALPHABET) for _ in range(51))


def client_secret_id(client_id: str, created_ms: int) -> str:
    """``<client id>--<epoch create time>`` (in milliseconds): Cognito's identifier of one of a client's secrets."""
    return f"{client_id}--{created_ms}"


def token_session_id() -> str:
    """``tkn`` and 25 lowercase letters and digits: a sign-in's token session, as ``ListUserSessions`` names it."""
    return "tkn" + "".join(secrets.choice(_CLIENT_ALPHABET) for _ in range(25))


def sub() -> str:
    """A random UUID, the user's immutable ``sub``."""
    return str(uuid.uuid4())


def auth_event_id() -> str:
    """A random UUID: an auth event's ``EventId`` (Cognito's look like UUIDs; at most 50 characters of ``[\\w+-]``)."""
    return str(uuid.uuid4())


def pool_arn(region: str, account_id: str, pool: str) -> str:
    return f"arn:aws:cognito-idp:{region}:{account_id}:userpool/{pool}"
