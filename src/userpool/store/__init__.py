"""Persistence: the only package that knows SQL."""

from userpool.store.repository import (
    Client,
    Code,
    Confirmation,
    Conflict,
    InvalidToken,
    NewCode,
    NewUser,
    OutboxMessage,
    Pool,
    Store,
    User,
)

__all__ = [
    "Client",
    "Code",
    "Confirmation",
    "Conflict",
    "InvalidToken",
    "NewCode",
    "NewUser",
    "OutboxMessage",
    "Pool",
    "Store",
    "User",
]
