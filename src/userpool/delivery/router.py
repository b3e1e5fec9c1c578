"""One sender per medium, and the outbox's copy of what was delivered."""

from __future__ import annotations

from collections.abc import Mapping

from userpool.delivery import DeliveryError, Message, Sender
from userpool.delivery.outbox import OutboxSender


class MediumRouter:
    """Sends each message with the sender of its medium ("EMAIL", "SMS"). When that sender is a real one (SMTP,
    SNS, webhook) and the outbox is on, the outbox also keeps the message once it was delivered, so developers can
    read what went out; a message that failed is not kept (nothing was sent)."""

    def __init__(self, senders: Mapping[str, Sender], outbox: OutboxSender) -> None:
        self._senders = dict(senders)
        self._outbox = outbox

    async def send(self, message: Message) -> None:
        sender = self._senders.get(message.medium)
        if sender is None:
            raise DeliveryError(f"no sender for {message.medium} messages")
        await sender.send(message)
        if sender is not self._outbox:
            await self._outbox.record(message)

    async def aclose(self) -> None:
        for sender in {id(s): s for s in self._senders.values()}.values():
            await sender.aclose()
