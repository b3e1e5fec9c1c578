"""Persistence: the only package that knows SQL (``repository.Store``, composed of one module per area).

The record names are re-exported from ``userpool.domain.records`` while ``operations/`` still imports them from
here; new code imports records from the domain.
"""

from userpool.domain.records import (
    Attempts,
    AuthSession,
    Client,
    Code,
    Confirmation,
    NewCode,
    NewUser,
    OutboxMessage,
    PasswordChange,
    Pool,
    RefreshToken,
    StoredKey,
    User,
    created_user,
)
from userpool.store.errors import Conflict, InvalidToken
from userpool.store.repository import Store

__all__ = [
    "Attempts",
    "AuthSession",
    "Client",
    "Code",
    "Confirmation",
    "Conflict",
    "InvalidToken",
    "NewCode",
    "NewUser",
    "OutboxMessage",
    "PasswordChange",
    "Pool",
    "RefreshToken",
    "Store",
    "StoredKey",
    "User",
    "created_user",
]
