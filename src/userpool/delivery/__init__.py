"""Outgoing messages (email, SMS) behind one small interface.

A ``Sender`` takes a ``Message`` and delivers it or raises ``DeliveryError``. Senders: the local outbox
(``outbox``), SMTP email (``smtp``), SMS through Amazon SNS or an HTTP webhook (``sms``); ``router`` picks one per
medium and keeps a copy of what was delivered in the outbox when the outbox is exposed.
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
    body: str  # the text (the text/plain part of an email)
    code: str | None
    html: str | None = None  # the text/html part of an email, when there is one
    link: str | None = None  # the confirmation link in a link message
    from_header: str | None = None  # email: From ("address" or "Name <address>"); None: the server's default
    reply_to: str | None = None  # email: Reply-To
    envelope_sender: str | None = None  # email: MAIL FROM; None: the From address


class DeliveryError(Exception):
    """The message could not be delivered. The text is for the server's log (it may name hosts and replies of
    the mail or SMS service); clients get Cognito's own message instead."""


class Sender(Protocol):
    async def send(self, message: Message) -> None: ...

    async def aclose(self) -> None: ...
