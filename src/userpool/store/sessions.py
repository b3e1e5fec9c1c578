"""Token sessions (one per sign-in; its refresh tokens carry its id) and the session configurations of pools and
clients. Revoking a session revokes its refresh tokens in the same transaction, and so every access token issued
from them."""

from __future__ import annotations

from typing import Any

from sqlalchemy import bindparam, insert, select, update
from sqlalchemy.sql.elements import ColumnElement

from userpool.domain.records import RefreshToken, TokenSession
from userpool.store import tables as t
from userpool.store.engine import StoreBase, on_store_thread, point_read, point_statement, retrying
from userpool.store.risk import replace_configuration

# A refresh's touch of its session, built once with bound parameters: building an UPDATE and its cache key on every
# refresh cost about half of this write's CPU.
TOUCH = point_statement(
    update(t.token_sessions)
    .where(t.token_sessions.c.id == bindparam("session_id"))
    .values(last_active_at=bindparam("at"), ip_address=bindparam("address"), device=bindparam("agent"))
)
# A sign-in's session and first refresh token (every column named by the records' fields).
_INSERT_SESSION = point_statement(insert(t.token_sessions))
INSERT_REFRESH_TOKEN = point_statement(insert(t.refresh_tokens))

_SESSION = point_statement(select(t.token_sessions).where(t.token_sessions.c.id == bindparam("session_id")))
# Read by every sign-in that issues tokens (the pool's limit of sessions per user).
_CONFIGURATION = point_statement(
    select(t.session_configurations.c.configuration).where(
        t.session_configurations.c.pool_id == bindparam("pool_id"),
        t.session_configurations.c.client_id == bindparam("client_id"),
    )
)


def touch_parameters(session_id: str, at: float, ip_address: str | None, device: str | None) -> dict[str, Any]:
    """``TOUCH``'s parameters: the session was active ``at``, from this address and device."""
    return {"session_id": session_id, "at": at, "address": ip_address, "agent": device}


async def revoke_sessions(conn: Any, at: float, *, session_id: Any = None, user_id: int | None = None) -> int:
    """Revoke the sessions named by ``session_id`` (an id or a scalar subquery) or every session of ``user_id``,
    with their refresh tokens; how many refresh tokens were revoked."""
    r, s = t.refresh_tokens, t.token_sessions
    tokens: ColumnElement[bool] = r.c.session_id == session_id if user_id is None else r.c.user_id == user_id
    sessions: ColumnElement[bool] = s.c.id == session_id if user_id is None else s.c.user_id == user_id
    result = await conn.execute(update(r).where(tokens, r.c.revoked_at.is_(None)).values(revoked_at=at))
    await conn.execute(update(s).where(sessions, s.c.revoked_at.is_(None)).values(revoked_at=at))
    return int(result.rowcount)


class SessionStore(StoreBase):
    @on_store_thread
    @retrying
    async def start_session(self, session: TokenSession, token: RefreshToken, keep: int | None = None) -> list[str]:
        """A sign-in's session and its first refresh token, in one transaction. With ``keep`` (tracking's
        ``MaxPerUser``), the user's least recently used live sessions past ``keep - 1`` are revoked first; their
        ids are answered."""
        s = t.token_sessions
        evicted: list[str] = []
        async with self._write() as conn:
            if keep is not None:
                live = await conn.execute(
                    select(s.c.id)
                    .where(
                        s.c.user_id == session.user_id,
                        s.c.revoked_at.is_(None),
                        s.c.expires_at > session.created_at,
                    )
                    .order_by(s.c.last_active_at.desc(), s.c.created_at.desc())
                )
                evicted = [row.id for row in live.all()][max(keep - 1, 0) :]
                for session_id in evicted:
                    await revoke_sessions(conn, session.created_at, session_id=session_id)
            await conn.execute(_INSERT_SESSION, session.__dict__)
            await conn.execute(INSERT_REFRESH_TOKEN, token.__dict__)
        return evicted

    @on_store_thread
    async def touch_session(self, session_id: str, at: float, ip_address: str | None, device: str | None) -> None:
        """A refresh: the session was active now, from this address and device.

        Not waited for on disk (like the rate counters): a last-active time and address are a record of use, not a
        state change anyone was told of, and a power cut that forgets the last few leaves every token as it was."""
        async with self._write(durable=False) as conn:
            await conn.execute(TOUCH, touch_parameters(session_id, at, ip_address, device))

    @point_read
    async def get_token_session(self, session_id: str) -> TokenSession | None:
        return await self._read_one(_SESSION, {"session_id": session_id}, TokenSession)

    @on_store_thread
    async def list_token_sessions(self, user_id: int, now: float) -> list[TokenSession]:
        """The user's live sessions (not revoked, not expired), most recently active first."""
        s = t.token_sessions
        query = (
            select(s)
            .where(s.c.user_id == user_id, s.c.revoked_at.is_(None), s.c.expires_at > now)
            .order_by(s.c.last_active_at.desc(), s.c.created_at.desc())
        )
        async with self._read() as conn:
            return [TokenSession(**row) for row in (await conn.execute(query)).mappings().all()]

    @on_store_thread
    async def revoke_token_session(self, session_id: str, at: float) -> bool:
        """Revoke one session and its tokens; True for the one caller that did it (a conditional UPDATE, so of
        racing revocations in any processes exactly one wins)."""
        s, r = t.token_sessions, t.refresh_tokens
        async with self._write() as conn:
            first = await conn.execute(
                update(s).where(s.c.id == session_id, s.c.revoked_at.is_(None)).values(revoked_at=at)
            )
            if first.rowcount != 1:
                return False
            await conn.execute(
                update(r).where(r.c.session_id == session_id, r.c.revoked_at.is_(None)).values(revoked_at=at)
            )
        return True

    # ---- configurations ------------------------------------------------------------------------------------
    @on_store_thread
    async def put_session_configuration(
        self, pool_id: str, client_id: str, configuration: dict[str, Any], at: float
    ) -> None:
        """Replace the session configuration of the pool (client id ``ALL``) or of one of its clients."""
        async with self._write() as conn:
            await replace_configuration(conn, t.session_configurations, pool_id, client_id, configuration, at)

    @point_read
    async def get_session_configuration(self, pool_id: str, client_id: str) -> dict[str, Any] | None:
        parameters = {"pool_id": pool_id, "client_id": client_id}
        return await self._read_one(_CONFIGURATION, parameters, lambda configuration: dict(configuration))
