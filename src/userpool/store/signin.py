"""A user's sign-in state: password (hash, SRP verifier, expiry, history), lockout counters, status, enabled."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from sqlalchemy import delete, insert, select, update

from userpool.domain.records import Attempts, PasswordChange
from userpool.store import tables as t
from userpool.store.attributes import pool_of, set_attribute
from userpool.store.codes import DELETE_CODE
from userpool.store.engine import StoreBase, StoreConnection, on_store_thread


async def _keep_history(conn: StoreConnection, user_id: int, old_hash: str, size: int, at: float) -> None:
    """Add ``old_hash`` to the user's password history and keep the newest ``size`` entries."""
    history = t.password_history
    await conn.execute(insert(history).values(user_id=user_id, password_hash=old_hash, created_at=at))
    keep = select(history.c.id).where(history.c.user_id == user_id).order_by(history.c.id.desc()).limit(size)
    kept = [r[0] for r in await conn.execute(keep)]
    await conn.execute(delete(history).where(history.c.user_id == user_id, history.c.id.not_in(kept)))


class SignInStore(StoreBase):
    @on_store_thread
    async def set_password(self, change: PasswordChange) -> bool:
        """Replace a user's password (hash, SRP verifier, expiry) and optionally its status, keeping the old hash
        in the history when ``history_size`` asks for it. False when the user is gone."""
        async with self._write() as conn:
            old = (await conn.execute(select(t.users.c.password_hash).where(t.users.c.id == change.user_id))).first()
            if old is None:
                return False
            values: dict[str, Any] = {
                "password_hash": change.password_hash,
                "srp_salt": change.srp_salt,
                "srp_verifier": change.srp_verifier,
                "password_expires_at": change.expires_at,
                "modified_at": change.at,
                "failed_sign_ins": None,
                "last_failed_sign_in": None,
                "locked_until": None,
            }
            if change.status is not None:
                values["status"] = change.status
            query = update(t.users).where(t.users.c.id == change.user_id)
            if change.from_status is not None:
                query = query.where(t.users.c.status == change.from_status)
            moved = await conn.execute(query.values(**values))
            if moved.rowcount != 1:
                return False
            if change.history_size > 0 and old[0]:
                await _keep_history(conn, change.user_id, old[0], change.history_size, change.at)
            for purpose in change.consume_codes:
                await conn.execute(DELETE_CODE, {"user_id": change.user_id, "purpose": purpose})
            if change.attributes:
                pool_id = await pool_of(conn, change.user_id)
                for name, value in change.attributes.items():
                    await set_attribute(conn, pool_id, change.user_id, name, value)
            return True

    @on_store_thread
    async def password_history(self, user_id: int, limit: int) -> list[str]:
        """The user's previous password hashes, newest first."""
        async with self._read() as conn:
            rows = await conn.execute(
                select(t.password_history.c.password_hash)
                .where(t.password_history.c.user_id == user_id)
                .order_by(t.password_history.c.id.desc())
                .limit(limit)
            )
            return [r[0] for r in rows]

    @on_store_thread
    async def set_verifier(self, user_id: int, salt: str, verifier: str) -> None:
        async with self._write() as conn:
            await conn.execute(
                update(t.users).where(t.users.c.id == user_id).values(srp_salt=salt, srp_verifier=verifier)
            )

    @on_store_thread
    async def record_sign_in_failure(self, user_id: int, rule: Callable[[Attempts], Attempts]) -> Attempts:
        """Count a failed sign-in: read the counters, apply ``rule``, write them back, in one transaction."""
        async with self._write() as conn:
            row = (
                await conn.execute(
                    select(t.users.c.failed_sign_ins, t.users.c.last_failed_sign_in, t.users.c.locked_until)
                    .where(t.users.c.id == user_id)
                    .with_for_update()
                )
            ).first()
            if row is None:
                return Attempts()
            state = rule(Attempts(row[0] or 0, row[1], row[2]))
            await conn.execute(
                update(t.users)
                .where(t.users.c.id == user_id)
                .values(
                    failed_sign_ins=state.failures,
                    last_failed_sign_in=state.last_failure_at,
                    locked_until=state.locked_until,
                )
            )
            return state

    @on_store_thread
    async def reset_sign_in_failures(self, user_id: int) -> None:
        async with self._write() as conn:
            await conn.execute(
                update(t.users)
                .where(t.users.c.id == user_id, t.users.c.failed_sign_ins.is_not(None))
                .values(failed_sign_ins=None, last_failed_sign_in=None, locked_until=None)
            )

    @on_store_thread
    async def set_status(self, user_id: int, status: str, at: float) -> bool:
        return await self._set_user(user_id, at, status=status)

    @on_store_thread
    async def set_enabled(self, user_id: int, enabled: bool, at: float) -> bool:
        return await self._set_user(user_id, at, enabled=enabled)

    async def _set_user(self, user_id: int, at: float, **values: Any) -> bool:
        async with self._write() as conn:
            result = await conn.execute(update(t.users).where(t.users.c.id == user_id).values(modified_at=at, **values))
        return result.rowcount == 1
