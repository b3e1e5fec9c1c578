"""The local outbox: every message is logged (without its code) and, when enabled, kept in the store so that
developers and tests can read it at ``GET /_userpool/outbox`` and ``GET /_userpool/inbox``."""

from __future__ import annotations

import logging

from userpool.clock import Clock
from userpool.delivery import Message
from userpool.domain.masking import mask
from userpool.domain.records import OutboxMessage
from userpool.store import Store

log = logging.getLogger("userpool.delivery")


class OutboxSender:
    """As the sender of a medium it only keeps (or, with the outbox off, drops) the message; beside a real sender
    it keeps a copy of what was delivered (``record``)."""

    def __init__(self, store: Store, clock: Clock, keep: bool) -> None:
        self._store = store
        self._clock = clock
        self.keep = keep

    async def record(self, message: Message) -> None:
        """Keep ``message`` in the store, when the outbox is on."""
        if not self.keep:
            return
        await self._store.add_message(
            OutboxMessage(
                pool_id=message.pool_id,
                username=message.username,
                medium=message.medium,
                destination=message.destination,
                subject=message.subject,
                body=message.body,
                code=message.code,
                created_at=self._clock.now(),
                link=message.link,
            )
        )

    async def send(self, message: Message) -> None:
        await self.record(message)
        log.info(
            "%s message for user %s of pool %s to %s%s",
            message.medium,
            message.username,
            message.pool_id,
            mask(message.medium, message.destination),
            " (in the outbox)" if self.keep else " (outbox off: not delivered anywhere)",
        )

    async def aclose(self) -> None:
        return None
