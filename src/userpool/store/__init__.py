"""Persistence: the only package that knows SQL."""

from userpool.store.repository import (
    Attempts,
    AuthSession,
    Client,
    Code,
    Confirmation,
    Conflict,
    InvalidToken,
    NewCode,
    NewUser,
    OutboxMessage,
    PasswordChange,
    Pool,
    RefreshToken,
    Store,
    StoredKey,
    User,
)

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
]
