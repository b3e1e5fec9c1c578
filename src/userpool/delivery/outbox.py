"""The local outbox: every message is logged (without its code) and, when enabled, kept in the store so that
developers and tests can read it at ``GET /_userpool/outbox``."""

from __future__ import annotations

import logging

from userpool.clock import Clock
from userpool.delivery import Message
from userpool.domain.masking import mask
from userpool.store import OutboxMessage, Store

log = logging.getLogger("userpool.delivery")


class OutboxSender:
    def __init__(self, store: Store, clock: Clock, keep: bool) -> None:
        self._store = store
        self._clock = clock
        self._keep = keep

    async def send(self, message: Message) -> None:
        if self._keep:
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
                )
            )
        log.info(
            "%s message for user %s of pool %s to %s%s",
            message.medium,
            message.username,
            message.pool_id,
            mask(message.medium, message.destination),
            " (in the outbox)" if self._keep else " (outbox off: not delivered anywhere)",
        )
