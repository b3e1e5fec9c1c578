"""The local outbox: messages kept (only while the outbox is exposed) for developers and tests to read.

A message is kept without waiting for the disk (like the rate counters): the outbox is a developer's copy of what
was sent, not a state any answer acknowledges. The user and its code are durable before a message is composed, so a
power cut that forgets the last few messages loses nothing a client cannot get again (ResendConfirmationCode), as a
message lost on its way would; a crash of the server's process forgets none."""

from __future__ import annotations

from sqlalchemy import func, insert, select

from userpool.domain.records import OutboxMessage
from userpool.store import tables as t
from userpool.store.engine import StoreBase, on_store_thread, point_statement

_INSERT_MESSAGE = point_statement(insert(t.outbox))


class OutboxStore(StoreBase):
    @on_store_thread
    async def add_message(self, message: OutboxMessage) -> int:
        """Keep ``message`` (not waited for on disk: see the module's docstring); its id."""
        values = {k: v for k, v in message.__dict__.items() if k != "id"}
        async with self._write(durable=False) as conn:
            result = await conn.execute(_INSERT_MESSAGE, values)
        return int(result.inserted_primary_key[0])

    @on_store_thread
    async def list_messages(
        self, pool_id: str | None = None, username: str | None = None, limit: int = 1000
    ) -> list[OutboxMessage]:
        """The newest ``limit`` messages (of a pool, to a user), oldest first."""
        query = select(t.outbox).order_by(t.outbox.c.id.desc()).limit(limit)
        if pool_id is not None:
            query = query.where(t.outbox.c.pool_id == pool_id)
        if username is not None:
            query = query.where(t.outbox.c.username == username)
        async with self._read() as conn:
            rows = (await conn.execute(query)).mappings().all()
        return [OutboxMessage(**r) for r in reversed(rows)]

    @on_store_thread
    async def outbox_pools(self) -> list[tuple[str, str | None, int]]:
        """``(pool id, pool name or None when deleted, message count)`` of every pool with outbox messages."""
        query = (
            select(t.outbox.c.pool_id, t.pools.c.name, func.count())
            .select_from(t.outbox.outerjoin(t.pools, t.pools.c.id == t.outbox.c.pool_id))
            .group_by(t.outbox.c.pool_id, t.pools.c.name)
            .order_by(func.max(t.outbox.c.id).desc())
        )
        async with self._read() as conn:
            return [(pool_id, name, int(count)) for pool_id, name, count in await conn.execute(query)]
