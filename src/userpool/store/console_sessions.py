"""The admin console's sessions: one row per sign-in, by the SHA-256 of the cookie's token (the token itself is
never stored), with who signed in and when it expires. Signing out deletes the row, so a copied cookie is refused
at once by every process on the store; at most 100 expired rows are swept with each new sign-in."""

from __future__ import annotations

from sqlalchemy import bindparam, delete, insert, select

from userpool.domain.records import ConsoleSession
from userpool.store import tables as t
from userpool.store.engine import StoreBase, on_store_thread, point_read

_cs = t.console_sessions
_GET = select(_cs).where(_cs.c.id_hash == bindparam("id_hash"))
SWEPT = 100  # expired sessions deleted per sign-in at most


class ConsoleSessionStore(StoreBase):
    @on_store_thread
    async def add_console_session(self, session: ConsoleSession) -> None:
        """Keep a new session; up to ``SWEPT`` sessions expired by its creation are deleted in the same
        transaction."""
        async with self._write() as conn:
            expired = select(_cs.c.id_hash).where(_cs.c.expires_at < session.created_at).limit(SWEPT)
            await conn.execute(delete(_cs).where(_cs.c.id_hash.in_(expired.scalar_subquery())))
            await conn.execute(insert(_cs).values(**session.__dict__))

    @point_read
    async def get_console_session(self, id_hash: str) -> ConsoleSession | None:
        return await self._read_one(_GET, {"id_hash": id_hash}, ConsoleSession)

    @on_store_thread
    async def delete_console_session(self, id_hash: str) -> bool:
        """End a session; False when there was none."""
        async with self._write() as conn:
            result = await conn.execute(delete(_cs).where(_cs.c.id_hash == id_hash))
        return bool(result.rowcount)
