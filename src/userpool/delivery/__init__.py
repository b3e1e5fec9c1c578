"""Outgoing messages (email, SMS) behind one small interface.

A ``Sender`` takes a ``Message`` and delivers it or raises ``DeliveryError``. The local outbox is one sender;
SMTP and SMS senders plug in beside it.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol


@dataclass(frozen=True)
class Message:
    pool_id: str
    username: str
    medium: str  # "EMAIL" or "SMS"
    destination: str
    subject: str | None
    body: str
    code: str | None


class DeliveryError(Exception):
    """The message could not be delivered."""


class Sender(Protocol):
    async def send(self, message: Message) -> None: ...
