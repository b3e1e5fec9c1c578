"""Threat protection's user event history: record an event (sweeping expired ones in the same transaction), list a
user's newest first, and keep feedback on one."""

from __future__ import annotations

from typing import Any

from sqlalchemy import bindparam, delete, insert, select, update

from userpool.domain.records import AuthEvent
from userpool.store import tables as t
from userpool.store.engine import StoreBase, on_store_thread, retrying
from userpool.store.paging import page, read_token

# Expired events deleted by one write at most: a backlog (threat protection just turned on for an old store, a
# quiet pool) is cleared a batch at a time, so no request pays for all of it.
SWEEP_BATCH = 100

_events = t.auth_events
_INSERT_EVENT = insert(_events)
# Expired rows, oldest first (the created_at index), a batch at a time; ``id IN (subquery)``: SQLite and PostgreSQL
# take no LIMIT on a DELETE itself.
_SWEEP = delete(_events).where(
    _events.c.id.in_(
        select(_events.c.id)
        .where(_events.c.created_at < bindparam("before"))
        .order_by(_events.c.created_at)
        .limit(SWEEP_BATCH)
    )
)


def _row(event: AuthEvent) -> dict[str, Any]:
    row = dict(event.__dict__)
    del row["id"]
    return row


class AuthEventStore(StoreBase):
    @on_store_thread
    @retrying
    async def add_auth_event(self, event: AuthEvent, expired_before: float) -> None:
        """Record ``event``; in the same transaction, delete up to ``SWEEP_BATCH`` events (of any user) created
        before ``expired_before``. Concurrent sweeps may meet on PostgreSQL: a deadlock runs the call again.

        Not waited for on disk (like a refresh's session touch): an event is history, read back only by the event
        operations (no decision reads it), and recorded after the state it describes (a user, a token session) is
        durable. A power cut may forget the last few events; every user, token and session stays as it was."""
        async with self._write(durable=False) as conn:
            await conn.execute(_SWEEP, {"before": expired_before})
            await conn.execute(_INSERT_EVENT, _row(event))

    @on_store_thread
    async def list_auth_events(self, user_id: int, limit: int, token: str | None) -> tuple[list[AuthEvent], str | None]:
        """The user's events, newest (last recorded) first, ``limit`` of them after the position ``token`` holds."""
        query = select(_events).where(_events.c.user_id == user_id).order_by(_events.c.id.desc())
        if token is not None:
            query = query.where(_events.c.id < read_token(token, int))
        async with self._read(statements=1) as conn:
            rows = (await conn.execute(query.limit(limit + 1))).mappings().all()
        found = [AuthEvent(**r) for r in rows[:limit]]
        return page(found, rows, limit, lambda event: event.id or 0)

    @on_store_thread
    async def set_auth_event_feedback(self, user_id: int, event_id: str, value: str, provider: str, at: float) -> bool:
        """Keep feedback on the user's event ``event_id`` (replacing earlier feedback); False when the user has no
        such event."""
        async with self._write() as conn:
            result = await conn.execute(
                update(_events)
                .where(_events.c.user_id == user_id, _events.c.event_id == event_id)
                .values(feedback_value=value, feedback_provider=provider, feedback_at=at)
            )
        return result.rowcount == 1
